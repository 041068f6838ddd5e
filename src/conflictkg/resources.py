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


def read_yaml(path: Path):
    """A YAML data file, parsed by libyaml where PyYAML was built with it (the gazetteer and patterns load in
    a sixth of the time of the pure-Python parser, a third of a second at every start); the same values."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def data_dir(name: str) -> Path:
    if name not in _NAMES:
        raise ValueError(f"unknown data folder {name!r}")
    return data_root() / name
