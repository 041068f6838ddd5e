"""Linked-data export, and the one way every file is written: to a temporary file renamed into place."""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Dataset

from .rdf import bind, new_dataset

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


def write_atomic(path: str | Path, data: str | bytes | Callable[[BinaryIO], None]) -> None:
    """A crash leaves the old file or the new one, never half of one. ``data`` may be a function that
    writes to the (binary) file, so large outputs are streamed rather than built in memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# pyoxigraph's parsers report line and column; rdflib's often do not.
_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
}
# An entity may stand for a short plain string (Protégé's &owl;), referenced a bounded number of times:
# nested, parameter and external entities are how XML bombs and fetches are built.
_ENTITY = re.compile(r"<!ENTITY\s+(%\s+)?([^\s]+)\s+(SYSTEM|PUBLIC|\"([^\"]*)\"|'([^']*)')", re.S)
MAX_ENTITY_CHARS = 512
MAX_ENTITY_REFS = 10_000


@contextmanager
def no_network() -> Iterator[None]:
    """While parsing, any connection attempt fails loudly: a file never makes us fetch anything."""

    def refuse(self, address, *args):
        raise ExportError(f"refused to connect to {address} while reading RDF (conflictkg never fetches)")

    saved = socket.socket.connect, socket.socket.connect_ex, socket.create_connection
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = lambda address, *a, **k: refuse(None, address)
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection = saved


def _check_xml_entities(path: Path, text: str) -> None:
    declared: list[str] = []
    for m in _ENTITY.finditer(text):
        name, value = m.group(2), m.group(4) if m.group(4) is not None else m.group(5)
        if m.group(1) or m.group(3) in ("SYSTEM", "PUBLIC"):
            raise ExportError(f"{path}: external or parameter entity {name!r} refused (conflictkg never fetches)")
        if "&" in value or "%" in value or len(value) > MAX_ENTITY_CHARS:
            raise ExportError(f"{path}: entity {name!r} refused: nested or over {MAX_ENTITY_CHARS} characters")
        declared.append(re.escape(name))
    if declared:
        refs = len(re.findall("&(?:" + "|".join(declared) + ");", text))
        if refs > MAX_ENTITY_REFS:
            raise ExportError(f"{path}: {refs:,} entity references refused (limit {MAX_ENTITY_REFS:,})")


def _check_jsonld(path: Path, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON-LD ({exc.msg})") from None
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            raise ExportError(
                                f"{path}: remote JSON-LD context {ctx!r} is not fetched; put the context inline"
                            )
                stack.append(value)


def _where(path: Path, fmt: str, exc: Exception) -> str:
    """FILE:LINE:COL: reason, from whichever parser can tell the position."""
    if fmt in _OX_FORMATS:
        try:
            for _ in ox.parse(path=str(path), format=_OX_FORMATS[fmt]):
                pass
        except SyntaxError as ox_exc:
            if ox_exc.lineno:
                reason = re.sub(r"^Parser error (at|between) [^:]*: ", "", str(ox_exc).splitlines()[0])
                reason = re.sub(r" \([^()]*line \d+\)$", "", reason)
                return f"{path}:{ox_exc.lineno}:{ox_exc.offset}: not valid {fmt} ({reason[:300]})"
        except Exception:  # only a better position was sought; the original error stands
            pass
    line = getattr(exc, "getLineNumber", None)
    if callable(line):  # xml.sax
        return f"{path}:{line()}:{exc.getColumnNumber()}: not valid {fmt} ({exc.getMessage()})"
    why = getattr(exc, "_why", None) or getattr(exc, "why", None)
    if why and getattr(exc, "lines", None) is not None:  # rdflib's notation3 BadSyntax
        before = exc._str[: exc._i].decode("utf-8", "replace")
        return f"{path}:{exc.lines + 1}:{len(before) - before.rfind(chr(10))}: not valid {fmt} ({str(why)[:300]})"
    first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    return f"{path}: not valid {fmt} ({first})"


def read_rdf(paths: Iterable[str | Path], max_bytes: int | None = None) -> Dataset:
    """Any rdflib format, chosen by suffix; named graphs kept. Errors name the file, line and column.

    Nothing is fetched: ``owl:imports`` are data, remote JSON-LD contexts and external XML entities are
    refused, and the network is shut while parsing.
    """
    ds = new_dataset()
    for raw in paths:
        path = Path(raw)
        fmt = SUFFIX_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ExportError(f"{path}: unknown RDF file type {path.suffix!r} (use {', '.join(SUFFIX_FORMATS)})")
        if not path.is_file():
            raise ExportError(f"{path}: no such file")
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise ExportError(f"{path}: {path.stat().st_size:,} bytes is over the limit of {max_bytes:,}")
        if fmt in ("xml", "json-ld"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ExportError(f"{path}: cannot read it as UTF-8 ({exc})") from None
            (_check_xml_entities if fmt == "xml" else _check_jsonld)(path, text)
        try:
            with no_network():
                if fmt in ("trig", "nquads"):
                    ds.parse(path, format=fmt)
                else:
                    ds.graph(ds.default_graph.identifier).parse(path, format=fmt)
        except ExportError as exc:
            raise ExportError(f"{path}: {exc}") from None
        except Exception as exc:  # rdflib raises parser-specific types
            raise ExportError(_where(path, fmt, exc)) from None
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
