"""Stores: where built graphs live and queries run.

``memory``          an rdflib Dataset, gone when the process ends
``oxigraph:PATH``   a persistent embedded Oxigraph store on disk (pyoxigraph)
``sparql:URL``      any SPARQL 1.1 endpoint: read with SPARQL Query, written with SPARQL Update

A call to ``put_graphs`` replaces its named graphs in one transaction (one SPARQL
update of ``DROP`` + ``INSERT DATA``), so a reader, or a process that dies in the
middle, sees the old graphs or the new ones, never a mix.
"""

from __future__ import annotations

import io
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import BinaryIO, ClassVar
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib import term as rt

from .rdf import NT, PREFIXES, new_dataset
from .resources import data_dir

SPEC_HELP = "memory | oxigraph:PATH | sparql:URL"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Credentials never go on the command line (shell history, process lists): only in the environment.
AUTH_ENV = "CONFLICTKG_SPARQL_AUTH"  # user:password, HTTP basic auth
UPDATE_URL_ENV = "CONFLICTKG_SPARQL_UPDATE_URL"


class StoreError(Exception):
    pass


class SparqlSyntaxError(StoreError):
    """The store's own SPARQL parser refused the text (its message says where)."""


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


@cache
def internal_query(name: str) -> str:
    """A query the stores themselves run, kept as a file like every other query."""
    return (data_dir("queries") / "_internal" / f"{name}.rq").read_text(encoding="utf-8")


def canonical_decimal(lexical: str) -> str:
    """XSD 1.0 canonical decimal ("35.0", "-0.5"): engines print decimals differently (Oxigraph "35")."""
    try:
        d = Decimal(lexical)
    except InvalidOperation:
        return lexical
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def _literal(value: str, lang: str | None, datatype: str | None, canonical: bool = True) -> Term:
    if lang:
        return Term("literal", value, lang, None)
    datatype = datatype or XSD_STRING
    if canonical and datatype == XSD_DECIMAL:
        value = canonical_decimal(value)
    return Term("literal", value, None, datatype)


class Store(ABC):
    spec: str
    concurrent_reads: ClassVar[bool] = False  # may two threads read it at once (rdflib's memory store: no)
    # Does ``query`` parse the text itself and raise SparqlSyntaxError, saying where, before touching any data?
    parses_sparql: ClassVar[bool] = False

    @abstractmethod
    def put_graphs(self, graphs: Graphs) -> None:
        """Replace each named graph with the given triples, all of them in one transaction."""

    def put_many(self, batch: list[Graphs]) -> None:
        """``put_graphs`` for several articles: each article's graphs are replaced all or nothing. Stores that
        write a batch faster at once do so (Oxigraph: new graphs in one bulk load, all or nothing for them)."""
        for graphs in batch:
            self.put_graphs(graphs)

    @abstractmethod
    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        """Run a SELECT or ASK; ``bindings`` give variables RDF-term values (never pasted into the text)."""

    @abstractmethod
    def to_dataset(self) -> Dataset: ...

    def graph_names(self) -> set[str]:
        return {row[0].value for row in self.query(internal_query("graphs")).rows if row[0]}

    def count(self) -> int:
        """Quads in named graphs."""
        (row,) = self.query(internal_query("count")).rows
        return int(row[0].value) if row[0] else 0

    def digests(self) -> dict[str, str]:
        """article id → digest of the input and pipeline it was built from (see ``build.digest``)."""
        return {r[0].value: r[1].value for r in self.query(internal_query("digests")).rows if r[0] and r[1]}

    def dump(self, fmt: str) -> bytes:
        """The whole store in a named-graph format (``trig`` or ``nq``)."""
        from .export import serialize

        return serialize(self.to_dataset(), fmt).encode("utf-8")

    def dump_to(self, fh: BinaryIO, fmt: str) -> None:
        """``dump`` written to a binary file (stores that can stream do, without the whole text in memory)."""
        fh.write(self.dump(fmt))

    def dump_graph(self, name: str) -> str:
        """One named graph as sorted N-Triples ("" when the store does not hold it)."""
        return _sorted_lines(self.to_dataset().graph(URIRef(name)).serialize(format="nt"))

    def optimize(self) -> None:  # noqa: B027 - optional hook
        """Make the store faster to read after a large write (stores without such a step do nothing)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def _sorted_lines(text: str) -> str:
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def _rdflib_term(node) -> Term | None:
    if node is None:
        return None
    if isinstance(node, rt.URIRef):
        return Term("uri", str(node))
    if isinstance(node, rt.BNode):
        return Term("bnode", str(node))
    if isinstance(node, rt.Literal):
        return _literal(str(node), node.language, str(node.datatype) if node.datatype else None)
    return Term("literal", str(node))


def _ox_term(node) -> Term | None:
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        return _literal(node.value, node.language, node.datatype.value)
    return Term("literal", str(node))


# A graph, a set of triples, or its N-Triples text as NT writes it (one triple a line).
Graphs = dict[URIRef, "Graph | set | str"]


def _ntriples(g: Graph | set | str) -> str:
    return g if isinstance(g, str) else NT.document(g)


def _nquads(name: URIRef, g: Graph | set | str) -> str:
    if isinstance(g, str):  # NT's lines end in " .\n", and a literal's line breaks are escaped
        return g.replace(" .\n", f" <{name}> .\n")
    return NT.document(g, graph=name)


def _update_text(graphs: Graphs) -> str:
    """One SPARQL update replacing every given graph (an empty graph is just dropped)."""
    parts = []
    for name, g in graphs.items():
        parts.append(f"DROP SILENT GRAPH <{name}>")
        text = _ntriples(g)
        if text:
            parts.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{text}}} }}")
    return " ;\n".join(parts)


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

    def put_graphs(self, graphs: Graphs) -> None:
        for name, g in graphs.items():
            self.ds.remove_graph(self.ds.graph(name))
            target = self.ds.graph(name)
            if isinstance(g, str):
                target.parse(data=g, format="nt")
                continue
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
    concurrent_reads = True  # RocksDB snapshots; pyoxigraph releases the GIL while it works
    parses_sparql = True  # its parser runs in microseconds where rdflib's takes 50-600 ms a pack query

    def __init__(self, path: str | Path | None):
        self.spec = f"oxigraph:{path}" if path else "oxigraph:"
        try:
            if path:
                Path(path).mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(path)) if path else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store at {path}: {exc}") from None
        self.on_disk = bool(path)
        self._puts = 0

    # RocksDB keeps writes in memory buffers (128 MB each, several per index) and its write-ahead log until
    # it flushes them: a long build grew by ~0.25 MB an article. Flushing every few hundred writes keeps memory
    # and the log bounded.
    FLUSH_EVERY = 200

    def put_graphs(self, graphs: Graphs) -> None:
        if not graphs:
            return
        if self._held(graphs):
            self.store.update(_update_text(graphs))  # drop and insert in one update = one transaction
        else:  # new graphs (most of a build): a load is one transaction too, and parsing N-Quads costs less
            text = "".join(_nquads(name, g) for name, g in graphs.items())
            self.store.load(text, format=ox.RdfFormat.N_QUADS)
        self._wrote(1)

    def put_many(self, batch: list[Graphs]) -> None:
        """Graphs the store does not hold yet go in with one ``bulk_load``: RocksDB files written beside the
        store and ingested in one step at the end (atomic since Oxigraph 0.5.1), about three times the rate of
        one transaction an article, since a transaction looks up every quad it inserts. A process killed
        during it leaves none of the batch, and a rerun builds those articles again. Graphs it holds are
        replaced one article at a time, as ``put_graphs`` does."""
        fresh: list[Graphs] = []
        names: set[str] = set()
        for graphs in batch:
            if not graphs:
                continue
            if names & {str(n) for n in graphs}:  # a graph named twice: the earlier one goes in first, then
                self._bulk_load(fresh)  # this one replaces it, in batch order
                fresh, names = [], set()
            if self._held(graphs):
                self.put_graphs(graphs)
            else:
                fresh.append(graphs)
                names.update(str(n) for n in graphs)
        self._bulk_load(fresh)

    def _bulk_load(self, fresh: list[Graphs]) -> None:
        if len(fresh) == 1:
            self.put_graphs(fresh[0])
        elif fresh:
            text = "".join(_nquads(name, g) for graphs in fresh for name, g in graphs.items())
            try:
                self.store.bulk_load(text, format=ox.RdfFormat.N_QUADS)
            except SyntaxError as exc:
                raise StoreError(f"a batch of {len(fresh)} articles could not be loaded, none was: {exc}") from None
            self._wrote(len(fresh))

    def _held(self, graphs: Graphs) -> bool:
        return any(self.store.contains_named_graph(ox.NamedNode(str(name))) for name in graphs)

    def _wrote(self, articles: int) -> None:
        before, self._puts = self._puts, self._puts + articles
        if self.on_disk and before // self.FLUSH_EVERY != self._puts // self.FLUSH_EVERY:
            self.store.flush()

    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        subs = {ox.Variable(k): _to_ox(_to_rdflib(v)) for k, v in (bindings or {}).items()}
        try:
            result = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None)
        except SyntaxError as exc:
            raise SparqlSyntaxError(f"SPARQL syntax error: {exc}") from None
        if isinstance(result, bool):
            return QueryResult([], [], result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            # Cells repeat (labels, classes, statuses): each distinct term becomes a Term once (3-4x faster).
            terms: dict[object, Term | None] = {None: None}

            def cell(node: object) -> Term | None:
                term = terms.get(node, terms)
                if term is terms:
                    term = terms[node] = _ox_term(node)
                return term  # type: ignore[return-value]

            # A solution iterates over its values in the variables' order (unbound: None); looking each
            # up by name cost as much again (15,000 rows of the events table: 0.9 s against 0.35 s).
            return QueryResult(names, [[cell(node) for node in sol] for sol in result])
        raise StoreError("only SELECT and ASK queries return tables; use export for graphs")

    def graph_names(self) -> set[str]:
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def optimize(self) -> None:
        """RocksDB compaction: bulk loads leave many overlapping files that every read must search. It costs
        about what it saves on the build's own events table (1,000 articles: 1.1-1.3 s), and the packs run
        1.1-1.8x faster after it. It rewrites the whole store however little changed, so ``build`` calls it
        only when the run wrote at least half the articles the store holds."""
        if self.on_disk:
            self.store.optimize()

    def count(self) -> int:
        return len(self.store)

    def to_dataset(self) -> Dataset:
        ds = new_dataset()
        ds.parse(data=self.store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
        return ds

    _NATIVE: ClassVar[dict[str, ox.RdfFormat]] = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}

    def dump_to(self, fh: BinaryIO, fmt: str) -> None:
        if fmt in self._NATIVE:  # streamed by Oxigraph: a large store is never held whole in memory
            self.store.dump(fh, format=self._NATIVE[fmt], prefixes=_dump_prefixes() if fmt == "trig" else None)
        else:
            super().dump_to(fh, fmt)

    def dump(self, fmt: str) -> bytes:
        if fmt in self._NATIVE:  # Oxigraph writes TriG and N-Quads itself, without rdflib (much faster)
            buf = io.BytesIO()
            self.dump_to(buf, fmt)
            return buf.getvalue()
        return super().dump(fmt)

    def dump_graph(self, name: str) -> str:
        data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        return _sorted_lines(data.decode("utf-8"))

    def close(self) -> None:
        """Flush and let go of the files, so another process (or store object) can open them."""
        import gc

        if self.store is not None:
            self.store.flush()
            self.store = None
            gc.collect()  # query iterators may still hold the store; its lock goes with the last reference


def _update_url(query_url: str) -> str:
    """Where a server takes updates, by the conventions of the common ones (override: CONFLICTKG_SPARQL_UPDATE_URL)."""
    if os.environ.get(UPDATE_URL_ENV):
        return os.environ[UPDATE_URL_ENV]
    if query_url.endswith("/query"):  # Oxigraph server, Fuseki
        return query_url[: -len("query")] + "update"
    if "/repositories/" in query_url and not query_url.rstrip("/").endswith("/statements"):  # GraphDB, RDF4J
        return query_url.rstrip("/") + "/statements"
    return query_url  # Virtuoso, Fuseki's /sparql: one URL for both


class RemoteStore(Store):
    """Any SPARQL 1.1 endpoint. Each query names every graph as default and named graph
    (SPARQL 1.1 Protocol ``default-graph-uri``/``named-graph-uri``), so the packs see the
    union of the graphs whatever the server's own default graph is. A URL ending in
    ``#union`` says the server's default graph already is that union (Oxigraph with
    ``--union-default-graph``, Fuseki with ``unionDefaultGraph``, GraphDB, Virtuoso):
    requests then stay small however many articles the store holds."""

    def __init__(self, url: str, timeout: float = 60.0):
        import httpx

        self.spec = f"sparql:{url}"
        url, _, fragment = url.partition("#")  # a fragment never reaches the server: a safe place for a flag
        if fragment not in ("", "union"):
            raise StoreError(f"sparql:{url}#{fragment}: the only option after # is 'union'")
        self.server_union = fragment == "union"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"sparql:{url}: expected sparql:http(s)://host[:port]/path-of-the-query-endpoint")
        self.url = url
        self.update_url = _update_url(url)
        auth = None
        if os.environ.get(AUTH_ENV):
            user, _, password = os.environ[AUTH_ENV].partition(":")
            auth = httpx.BasicAuth(user, password)
        self.http = httpx.Client(timeout=timeout, auth=auth, headers={"User-Agent": "conflictkg"})
        self._graphs: list[str] | None = None

    def _post(self, url: str, **kwargs):
        import httpx

        try:
            response = self.http.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url} ({exc}); is the server running?") from None
        if response.status_code in (401, 403):
            raise StoreError(f"{url}: HTTP {response.status_code}, not allowed; set {AUTH_ENV}=user:password")
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:300]
            raise StoreError(f"{url}: HTTP {response.status_code}: {detail}")
        return response

    def _select(self, sparql: str, dataset: bool) -> dict:
        form: list[tuple[str, str]] = [("query", sparql)]
        if dataset and not self.server_union:
            if self._graphs is None:
                self._graphs = sorted(r[0].value for r in self._select_rows(internal_query("graphs")) if r[0])
            form += [("default-graph-uri", g) for g in self._graphs]
            form += [("named-graph-uri", g) for g in self._graphs]
        response = self._post(
            self.url,
            content=urlencode(form).encode("ascii"),
            headers={
                "Accept": "application/sparql-results+json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            return response.json()
        except ValueError:
            raise StoreError(f"{self.url}: the answer is not SPARQL JSON results; is this a query endpoint?") from None

    def _select_rows(self, sparql: str, canonical: bool = True) -> list[list[Term | None]]:
        body = self._select(sparql, dataset=False)
        names = body["head"]["vars"]
        return [[_json_term(b.get(n), canonical) for n in names] for b in body["results"]["bindings"]]

    def query(self, sparql: str, bindings: dict[str, Term | rt.Node] | None = None) -> QueryResult:
        if bindings:
            sparql = inline_values(sparql, {k: _to_rdflib(v) for k, v in bindings.items()})
        body = self._select(sparql, dataset=True)
        if "boolean" in body:
            return QueryResult([], [], bool(body["boolean"]))
        names = body["head"].get("vars", [])
        return QueryResult(names, [[_json_term(b.get(n)) for n in names] for b in body["results"]["bindings"]])

    def graph_names(self) -> set[str]:
        return {r[0].value for r in self._select_rows(internal_query("graphs")) if r[0]}

    def count(self) -> int:
        (row,) = self._select_rows(internal_query("count"))
        return int(row[0].value) if row[0] else 0

    def digests(self) -> dict[str, str]:
        return {r[0].value: r[1].value for r in self._select_rows(internal_query("digests")) if r[0] and r[1]}

    def put_graphs(self, graphs: Graphs) -> None:
        if not graphs:
            return
        self._post(
            self.update_url,
            content=_update_text(graphs).encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        self._graphs = None  # the set of graphs may have changed

    def to_dataset(self) -> Dataset:
        ds = new_dataset()
        for g, s, p, o in self._select_rows(internal_query("quads"), canonical=False):  # terms as the server has them
            ds.graph(URIRef(g.value)).add((_rdflib_node(s), _rdflib_node(p), _rdflib_node(o)))
        return ds

    def close(self) -> None:
        self.http.close()


_IRI_AT = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def inline_values(sparql: str, bindings: dict[str, rt.Node]) -> str:
    """Bind variables for an endpoint that takes no bindings: a VALUES block opening the WHERE group.

    The values are written as RDF terms by rdflib (escaped), never as raw text; the scan skips
    strings, comments and IRIs to find the first top-level ``{``.
    """
    names = sorted(bindings)
    row = " ".join(bindings[v].n3() for v in names)
    block = "VALUES (" + " ".join(f"?{v}" for v in names) + ") { (" + row + ") } "
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end
        elif c in "'\"":
            quote = sparql[i : i + 3] if sparql[i : i + 3] in ("'''", '"""') else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (m := _IRI_AT.match(sparql, i)):
            i = m.end()
        elif c == "{":
            return sparql[: i + 1] + " " + block + sparql[i + 1 :]
        else:
            i += 1
    raise StoreError("cannot bind values: the query has no { … } group")


def _json_term(cell: dict | None, canonical: bool = True) -> Term | None:
    """A cell of SPARQL 1.1 Query Results JSON."""
    if cell is None:
        return None
    kind = cell["type"]
    if kind == "uri":
        return Term("uri", cell["value"])
    if kind == "bnode":
        return Term("bnode", cell["value"])
    return _literal(cell["value"], cell.get("xml:lang"), cell.get("datatype"), canonical)


def _rdflib_node(t: Term):
    if t.kind == "uri":
        return URIRef(t.value)
    if t.kind == "bnode":
        return BNode(t.value)
    plain = t.lang or t.datatype in (None, XSD_STRING)  # rdflib tells "x" from "x"^^xsd:string; RDF 1.1 does not
    return Literal(t.value, lang=t.lang, datatype=None if plain else URIRef(t.datatype))


def _dump_prefixes() -> dict[str, str]:
    return {p: str(ns) for p, ns in {**PREFIXES, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD}.items()}


def open_store(spec: str) -> Store:
    if spec == "memory":
        return MemoryStore()
    if spec.startswith("oxigraph:"):
        return OxigraphStore(spec.split(":", 1)[1] or None)
    if spec.startswith("sparql:"):
        return RemoteStore(spec.split(":", 1)[1])
    raise StoreError(f"unknown store {spec!r}; expected {SPEC_HELP}")
