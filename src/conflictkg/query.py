"""SPARQL query packs: ``queries/<pack>/<name>.rq`` with grlc-style headers.

A header is a block of ``#+ key: value`` comment lines at the top of the file:
``summary`` (what it answers), ``audience`` (for whom), ``description``, ``tags``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.term import Node

from .resources import data_dir
from .store import QueryResult, SparqlSyntaxError, Store, Term

FORMATS = ("table", "csv", "tsv", "json")


class QueryError(Exception):
    pass


@dataclass
class PackQuery:
    name: str  # PACK/NAME, or the file path for ad-hoc queries
    path: Path
    text: str
    header: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return self.header.get("summary", "")


def parse_header(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        if stripped.startswith("#+") and ":" in stripped:
            key, value = stripped[2:].split(":", 1)
            key = key.strip()
            header[key] = f"{header[key]} {value.strip()}" if key in header else value.strip()
    return header


def packs() -> list[PackQuery]:
    root = data_dir("queries")
    # Folders starting with "_" hold queries the program runs itself, not packs.
    return [load(f"{p.parent.name}/{p.stem}") for p in sorted(root.glob("*/*.rq")) if not p.parent.name.startswith("_")]


def load(name: str) -> PackQuery:
    """A query by file path or by pack name ``PACK/NAME``."""
    path = Path(name)
    if not path.is_file():
        candidate = data_dir("queries") / (name if name.endswith(".rq") else f"{name}.rq")
        if not candidate.is_file():
            known = ", ".join(q.name for q in packs()) if data_dir("queries").exists() else ""
            raise QueryError(f"{name}: no such query file or pack query (pack queries: {known})")
        path = candidate
        name = name.removesuffix(".rq")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read it ({exc})") from None
    return PackQuery(name=name, path=path, text=text, header=parse_header(text))


def check_syntax(q: PackQuery, store: Store | None = None) -> None:
    """Parse before running, so a syntax error names the file, line and column; SERVICE is refused.

    rdflib's parser takes 50-600 ms on a pack query, often longer than the query itself, so each text is
    parsed once per process, and not at all for a store that parses it anyway (Oxigraph: ``run`` turns its
    error into this one) unless the text mentions SERVICE, the one thing its parser would let through.
    """
    if store is not None and store.parses_sparql and not _SERVICE.search(q.text):
        return
    _check_text(str(q.path), q.text)


_SERVICE = re.compile("service", re.IGNORECASE)  # anywhere, even in a comment: then the full check runs


@lru_cache(maxsize=64)
def _check_text(path: str, text: str) -> None:
    try:
        prepared = prepareQuery(text)
    except Exception as exc:  # pyparsing raises its own exception types
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "col", None)
        where = f"{path}:{line}:{col}" if line else path
        msg = getattr(exc, "msg", None) or str(exc).splitlines()[0]
        raise QueryError(f"{where}: SPARQL syntax error: {msg}") from None
    services: list[str] = []

    def visit(node: object) -> None:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            services.append(str(node.get("term")))

    traverse(prepared.algebra, visitPre=visit)
    if services:
        # rdflib would send the sub-query over HTTP: conflictkg never reaches the network on a query's say-so.
        raise QueryError(f"{path}: SERVICE {services[0]} is refused: queries run on local data only")


# A binding is a Turtle term as the object of one triple, with the project's prefixes known.
_TERM_DOC = """@prefix ckg: <https://w3id.org/conflictkg/ontology#> .
@prefix res: <https://w3id.org/conflictkg/resource/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:ckg:s> <urn:ckg:p> {} .
"""
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_binding(spec: str) -> tuple[str, Node]:
    """``NAME=VALUE``: VALUE read as one N-Triples/Turtle term (<iri>, "x"@ar, 3, ckg:Foo), else a plain literal."""
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VAR.fullmatch(name):
        raise QueryError(f"--bind {spec!r}: expected NAME=VALUE, NAME a SPARQL variable name")
    return name, parse_term(value)


def parse_term(value: str) -> Node:
    g = Graph()
    if value.strip():
        try:
            g.parse(data=_TERM_DOC.format(value.strip()), format="turtle")
        except Exception:  # not one term: the value is text
            g = Graph()
    triples = list(g)
    if len(triples) == 1 and triples[0][:2] == (URIRef("urn:ckg:s"), URIRef("urn:ckg:p")):
        return triples[0][2]
    return Literal(value)


def check_bindings(q: PackQuery, bindings: dict[str, Node]) -> None:
    for name in bindings:
        if not re.search(rf"[?$]{re.escape(name)}\b", q.text):
            raise QueryError(f"{q.path}: --bind {name}: the query has no variable ?{name}")


def run(q: PackQuery, store: Store, bindings: dict[str, Node] | None = None) -> QueryResult:
    check_syntax(q, store)
    if bindings:
        check_bindings(q, bindings)
    try:
        return store.query(q.text, bindings=bindings) if bindings else store.query(q.text)
    except QueryError:
        raise
    except SparqlSyntaxError as exc:
        _check_text(str(q.path), q.text)  # rdflib's message, as from every other store, when it agrees
        raise QueryError(f"{q.path}: {exc}") from None
    except Exception as exc:
        raise QueryError(f"{q.path}: {exc}") from None


def _cell(term: Term | None) -> str:
    return "" if term is None else term.value


def render(result: QueryResult, fmt: str) -> str:
    if result.boolean is not None:
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean})
        return "true" if result.boolean else "false"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.vars)
        for row in result.rows:
            writer.writerow([_cell(c) for c in row])
        return buf.getvalue()
    if fmt == "json":  # SPARQL 1.1 Query Results JSON
        bindings = []
        for row in result.rows:
            b = {}
            for var, term in zip(result.vars, row, strict=True):
                if term is None:
                    continue
                cell: dict[str, str] = {"type": term.kind, "value": term.value}
                if term.lang:
                    cell["xml:lang"] = term.lang
                elif term.datatype and term.kind == "literal":
                    cell["datatype"] = term.datatype
                b[var] = cell
            bindings.append(b)
        return json.dumps(
            {"head": {"vars": result.vars}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=2
        )
    return _table(result)


def _table(result: QueryResult) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for var in result.vars:
        table.add_column(var, overflow="fold")
    for row in result.rows:
        table.add_row(*[_cell(c) for c in row])
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    console.print(f"{len(result.rows)} row(s)")
    return console.export_text()
