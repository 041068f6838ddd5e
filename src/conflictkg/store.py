"""Stores: where built graphs live and queries run.

``memory``          an rdflib Dataset, gone when the process ends
``oxigraph:PATH``   a persistent embedded Oxigraph store on disk (pyoxigraph)

Each named graph is replaced in one SPARQL update (``DROP`` + ``INSERT DATA``),
which Oxigraph applies atomically: a reader sees the old graph or the new one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib import term as rt

from .graph import new_dataset

SPEC_HELP = "memory | oxigraph:PATH"


class StoreError(Exception):
    pass


@dataclass(frozen=True)
class Term:
    """An RDF term as a query result cell, the same from every backend."""

    kind: str  # uri | literal | bnode
    value: str
    lang: str | None = None
    datatype: str | None = None

    def __str__(self) -> str:
        return self.value


@dataclass
class QueryResult:
    vars: list[str]
    rows: list[list[Term | None]]
    boolean: bool | None = None  # ASK


class Store(ABC):
    spec: str

    @abstractmethod
    def put_graphs(self, graphs: dict[URIRef, Graph]) -> None:
        """Replace each named graph with the given triples."""

    @abstractmethod
    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        """Run a SELECT or ASK; ``bindings`` give variables RDF-term values (never pasted into the text)."""

    @abstractmethod
    def graph_names(self) -> set[str]: ...

    @abstractmethod
    def to_dataset(self) -> Dataset: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def _rdflib_term(node) -> Term | None:
    if node is None:
        return None
    if isinstance(node, rt.URIRef):
        return Term("uri", str(node))
    if isinstance(node, rt.BNode):
        return Term("bnode", str(node))
    if isinstance(node, rt.Literal):
        dt = str(node.datatype) if node.datatype else None
        if node.language:
            dt = None
        elif dt is None:
            dt = "http://www.w3.org/2001/XMLSchema#string"
        return Term("literal", str(node), node.language, dt)
    return Term("literal", str(node))


def _ox_term(node) -> Term | None:
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        lang = node.language
        return Term("literal", node.value, lang, None if lang else node.datatype.value)
    return Term("literal", str(node))


def _to_rdflib(value: Term | rt.Node) -> rt.Node:
    if not isinstance(value, Term):
        return value
    if value.kind == "uri":
        return rt.URIRef(value.value)
    if value.kind == "bnode":
        return rt.BNode(value.value)
    return rt.Literal(value.value, lang=value.lang, datatype=None if value.lang else value.datatype)


def _to_ox(node: rt.Node):
    if isinstance(node, rt.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rt.BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, rt.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise StoreError(f"cannot bind {node!r}: not an RDF term")


class MemoryStore(Store):
    def __init__(self, dataset: Dataset | None = None):
        self.spec = "memory"
        self.ds = dataset if dataset is not None else new_dataset()

    def put_graphs(self, graphs: dict[URIRef, Graph]) -> None:
        for name, g in graphs.items():
            self.ds.remove_graph(self.ds.graph(name))
            target = self.ds.graph(name)
            for t in g:
                target.add(t)

    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        init = {rt.Variable(k): _to_rdflib(v) for k, v in (bindings or {}).items()}
        result = self.ds.query(sparql, initBindings=init) if init else self.ds.query(sparql)
        if result.type == "ASK":
            return QueryResult([], [], bool(result.askAnswer))
        if result.type != "SELECT":
            raise StoreError("only SELECT and ASK queries return tables; use export for graphs")
        names = [str(v) for v in result.vars]
        return QueryResult(names, [[_rdflib_term(row[v]) for v in result.vars] for row in result])

    def graph_names(self) -> set[str]:
        return {str(g.identifier) for g in self.ds.graphs() if len(g)}

    def to_dataset(self) -> Dataset:
        return self.ds


class OxigraphStore(Store):
    def __init__(self, path: str | Path | None):
        self.spec = f"oxigraph:{path}" if path else "oxigraph:"
        try:
            if path:
                Path(path).mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(path)) if path else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store at {path}: {exc}") from None

    def put_graphs(self, graphs: dict[URIRef, Graph]) -> None:
        for name, g in graphs.items():
            body = g.serialize(format="nt")
            self.store.update(f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}")
        self.store.flush()

    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        subs = {ox.Variable(k): _to_ox(_to_rdflib(v)) for k, v in (bindings or {}).items()}
        try:
            result = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from None
        if isinstance(result, bool):
            return QueryResult([], [], result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return QueryResult(names, [[_ox_term(sol[n]) for n in names] for sol in result])
        raise StoreError("only SELECT and ASK queries return tables; use export for graphs")

    def graph_names(self) -> set[str]:
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def to_dataset(self) -> Dataset:
        ds = new_dataset()
        data = self.store.dump(format=ox.RdfFormat.N_QUADS)
        ds.parse(data=data, format="nquads")
        return ds

    def close(self) -> None:
        self.store.flush()


def open_store(spec: str) -> Store:
    if spec == "memory":
        return MemoryStore()
    if spec.startswith("oxigraph:"):
        return OxigraphStore(spec.split(":", 1)[1] or None)
    if spec.startswith("sparql:"):
        raise StoreError("remote SPARQL endpoints (sparql:URL) are not supported yet; use memory or oxigraph:PATH")
    raise StoreError(f"unknown store {spec!r}; expected {SPEC_HELP}")
