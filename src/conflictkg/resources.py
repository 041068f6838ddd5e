"""Where the product's data lives: ontology, shapes, queries, gazetteer and patterns.

The data sits at the top of the repository (editable installs and checkouts) and
inside the package as ``_data`` (wheels); ``CONFLICTKG_DATA`` overrides both.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_NAMES = ("ontology", "shapes", "queries", "gazetteer", "patterns")


@cache
def data_root() -> Path:
    override = os.environ.get("CONFLICTKG_DATA")
    candidates = [Path(override)] if override else []
    here = Path(__file__).resolve().parent
    candidates += [here / "_data", here.parent.parent]
    for root in candidates:
        if all((root / name).is_dir() for name in _NAMES):
            return root
    raise FileNotFoundError(
        "conflictkg cannot find its data folders (ontology/, shapes/, queries/, gazetteer/, patterns/); "
        "reinstall the package or set CONFLICTKG_DATA to the repository root"
    )


def data_dir(name: str) -> Path:
    if name not in _NAMES:
        raise ValueError(f"unknown data folder {name!r}")
    return data_root() / name
