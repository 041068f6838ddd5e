"""Linked-data export, and the one way every file is written: to a temporary file renamed into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset

from .graph import bind, new_dataset

FORMATS = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}
SUFFIX_FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}


class ExportError(Exception):
    pass


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """A crash leaves the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_rdf(paths: Iterable[str | Path]) -> Dataset:
    """Any rdflib format, chosen by suffix; named graphs kept. Errors name the file."""
    ds = new_dataset()
    for raw in paths:
        path = Path(raw)
        fmt = SUFFIX_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ExportError(f"{path}: unknown RDF file type {path.suffix!r} (use {', '.join(SUFFIX_FORMATS)})")
        if not path.is_file():
            raise ExportError(f"{path}: no such file")
        try:
            if fmt in ("trig", "nquads"):
                ds.parse(path, format=fmt)
            else:
                ds.graph(ds.default_graph.identifier).parse(path, format=fmt)
        except Exception as exc:  # rdflib raises parser-specific types
            raise ExportError(f"{path}: not valid {fmt} ({str(exc).splitlines()[0][:300]})") from None
    return ds


def serialize(ds: Dataset, fmt: str) -> str:
    """Named-graph formats keep the graphs; triple formats merge them."""
    bind(ds)
    name = FORMATS[fmt]
    if name in ("trig", "nquads"):
        return _sorted(ds.serialize(format=name)) if name == "nquads" else ds.serialize(format=name)
    merged = new_dataset().graph(ds.default_graph.identifier)
    for t in ds.triples((None, None, None)):
        merged.add(t)
    bind(merged)
    text = merged.serialize(format=name, **({"auto_compact": True} if name == "json-ld" else {}))
    return _sorted(text) if name == "nt" else text


def _sorted(lines: str) -> str:
    """N-Triples and N-Quads sorted, so the same graph is the same file byte for byte."""
    return "".join(sorted(set(line + "\n" for line in lines.splitlines() if line.strip())))
