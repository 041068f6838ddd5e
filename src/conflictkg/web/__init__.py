"""The researcher's web view and read-only SPARQL endpoint behind ``conflictkg serve``."""

from __future__ import annotations

from .app import create_app
from .data import StoreMissing

__all__ = ["StoreMissing", "create_app"]
