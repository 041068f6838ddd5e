"""SHACL validation with pyshacl against ``shapes/``; reports for people and for CI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, BNode, Graph, Namespace
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.term import Node

from .rdf import NT
from .resources import data_dir

SH = Namespace("http://www.w3.org/ns/shacl#")
FORMATS = ("text", "json", "junit", "turtle")


@dataclass
class Result:
    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str


@dataclass
class Report:
    label: str  # the article id or file name the report is about
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph | None = field(default=None, repr=False)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]


@cache
def shapes() -> Graph:
    g = Graph()
    for path in sorted(data_dir("shapes").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    text = str(node)
    for prefix, ns in (
        ("res:", "https://w3id.org/conflictkg/resource/"),
        ("ckg:", "https://w3id.org/conflictkg/ontology#"),
        ("ckgsh:", "https://w3id.org/conflictkg/shapes#"),
    ):
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return text


def _shape_name(node: Node | None) -> str:
    """A blank property shape is named after the node shape that holds it."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        owner = shapes().value(predicate=SH.property, object=node)
        if owner is not None:
            path = shapes().value(node, SH.path)
            return f"{_short(owner)} ({_short(path)})" if path is not None else _short(owner) or ""
    return _short(node) or ""


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: frozenset):
    return translateQuery(parseQuery(text), base, dict(namespaces))


@contextmanager
def _prepared_sparql():
    """pyshacl runs each SHACL-SPARQL constraint once per focus node with the same query text and new
    bindings, and rdflib parses that text every time (nine tenths of validation time, measured). While
    we validate, identical query texts are parsed once and reused as prepared queries, which is what
    rdflib's prepareQuery is for; results are unchanged."""
    original = SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            strOrQuery = _prepared(strOrQuery, base, frozenset((initNs or {}).items()))
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query
    try:
        yield
    finally:
        SPARQLProcessor.query = original


def validate(data: Graph, label: str = "graph", ont_graph: Graph | None = None, inference: str = "none") -> Report:
    """pyshacl-turbo (a Rust engine with pyshacl's interface) where it is installed and no inference is asked
    for, else pyshacl with each SHACL-SPARQL text parsed once; both give pyshacl's own results (tested)."""
    if _turbo() is not None and inference == "none":
        engine = _turbo().validate if ont_graph is not None else _turbo_compiled
        return _validate(data, label, ont_graph, inference, engine=engine)
    with _prepared_sparql():
        return _validate(data, label, ont_graph, inference)


@cache
def _turbo():
    try:
        import pyshacl_turbo
    except ImportError:
        return None
    return pyshacl_turbo


@cache
def _turbo_program():
    """The shapes compiled by pyshacl-turbo once per process: its ``validate`` compiles them on every call
    (about 10 ms, as much as validating one article)."""
    return _turbo().compile_shapes(shapes())


def _turbo_compiled(data, *, abort_on_first: bool, allow_warnings: bool, **_) -> tuple:
    """pyshacl-turbo's ``validate`` for our shapes (``_validate`` always passes ``shapes()``, compiled here
    once), with no inference and no ontology mixed in: ``validate`` sends those cases to pyshacl-turbo's own
    ``validate``, which prepares the data first."""
    return _turbo_program().validate(
        data, abort_on_first=abort_on_first, allow_warnings=allow_warnings, _normalize_report_literals=True
    )


@cache
def _turbo_text_input():
    """pyshacl-turbo's own container for RDF text, which its Rust engine parses directly: N-Triples given so
    skip an Oxigraph store loaded only for the engine to dump it back to text (a fifth of validating a batch).
    It is not part of its documented interface, so without it the text goes through an Oxigraph store."""
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:
        return None
    return Input


def _validate(
    data: Graph | ox.Store | object, label: str, ont_graph: Graph | None, inference: str, engine=pyshacl.validate
) -> Report:
    conforms, results_graph, _ = engine(
        data,
        shacl_graph=shapes(),
        ont_graph=ont_graph,
        inference=inference,
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        debug=False,
    )
    results = []
    for r in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(r, SH.resultSeverity)
        results.append(
            Result(
                focus=_short(results_graph.value(r, SH.focusNode)) or "",
                path=_short(results_graph.value(r, SH.resultPath)),
                value=_short(results_graph.value(r, SH.value)),
                message=str(results_graph.value(r, SH.resultMessage) or "constraint not met"),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_shape_name(results_graph.value(r, SH.sourceShape)),
            )
        )
    results.sort(key=lambda r: (r.focus, r.shape, r.path or "", r.message))
    return Report(label=label, conforms=bool(conforms), results=results, graph=results_graph)


def validate_batch(items: list[tuple[str, Graph | Sequence[Iterable[tuple[Node, Node, Node]]]]]) -> list[Report]:
    """Reports for many graphs (e.g. articles with their entailments and context) from one pyshacl pass.

    Each item is a label and a graph, or the parts of one (article, entailments, context): parts are
    merged straight into the batch graph, since copying rdflib graphs costs more than validating them.
    pyshacl's cost is per focus node and per call, so the graphs are merged and validated once; a graph
    that none of the results touch conforms, and only the graphs a result touches (its focus node is a
    node of theirs) are validated again alone, for a report of their own. The verdicts equal validating
    each graph alone (tested on the example and on a generated corpus)."""
    if not items:
        return []
    parts = [(label, [g] if isinstance(g, Graph) else list(g)) for label, g in items]
    if len(parts) == 1:
        label, graphs = parts[0]
        return [_validate_union(graphs, label)]
    whole = _validate_union([g for _, graphs in parts for g in graphs], "batch")
    if whole.conforms and not whole.results:
        return [Report(label=label, conforms=True) for label, _ in parts]
    focus = {r.focus for r in whole.results}
    reports = []
    for label, graphs in parts:
        nodes = {_short(n) for g in graphs for s, _, o in g for n in (s, o)}
        reports.append(_validate_union(graphs, label) if focus & nodes else Report(label=label, conforms=True))
    return reports


def _validate_union(graphs: list, label: str) -> Report:
    """Validate the union of several graphs (or sets of triples). Articles of a batch share most of their
    gazetteer context, so the triples are deduplicated in a set first. pyshacl-turbo then reads them as
    N-Triples text, parsed by its own engine: adding them to an rdflib graph cost more than validating
    (1.2 s of 2.2 s for 160 articles). Blank nodes take the rdflib path, since Oxigraph would rename them and
    a result's focus node would no longer name its article's node."""
    if len(graphs) == 1 and isinstance(graphs[0], Graph):
        return validate(graphs[0], label=label)
    triples = set()
    for g in graphs:
        triples.update(g)
    if _turbo() is not None:
        text = NT.document(triples)
        # A blank node starts a line or follows a space; the same text inside a literal only costs the slow path.
        if not text.startswith("_:") and "\n_:" not in text and " _:" not in text:
            if (text_input := _turbo_text_input()) is not None:
                data = text_input(text, "nt", None, {}, preserve_ids=True)
            else:
                data = ox.Store()
                data.load(text, format=ox.RdfFormat.N_TRIPLES)
            return _validate(data, label, None, "none", engine=_turbo_compiled)
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in triples)
    return validate(out, label=label)


def render(reports: list[Report], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [{"file": r.label, "conforms": r.conforms, "results": [asdict(x) for x in r.results]} for r in reports],
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "junit":
        return _junit(reports)
    if fmt == "turtle":
        merged = Graph()
        for r in reports:
            if r.graph is not None:
                merged += r.graph
        merged.bind("sh", SH)
        return merged.serialize(format="turtle")
    lines = []
    for r in reports:
        if r.conforms and not r.results:
            lines.append(f"{r.label}: conforms")
            continue
        verdict = "conforms (with warnings)" if r.conforms else f"{len(r.violations)} violation(s)"
        lines.append(f"{r.label}: {verdict}")
        for x in r.results:
            where = f" {x.path}" if x.path else ""
            value = f" = {x.value}" if x.value else ""
            lines.append(f"  [{x.severity}] {x.focus}{where}{value}: {x.message}  ({x.shape})")
    return "\n".join(lines)


def _junit(reports: list[Report]) -> str:
    """One test case per file and shape result, so CI systems show each violation."""
    cases = []
    failures = 0
    for r in reports:
        if not r.results:
            cases.append(f'  <testcase classname="conflictkg.shacl" name={quoteattr(r.label)}/>')
        for x in r.results:
            name = quoteattr(f"{r.label} {x.shape} {x.focus}")
            body = escape(f"{x.focus} {x.path or ''} {x.value or ''}: {x.message}")
            if x.severity == "Violation":
                failures += 1
                cases.append(
                    f'  <testcase classname="conflictkg.shacl" name={name}>'
                    f"<failure message={quoteattr(x.message)}>{body}</failure></testcase>"
                )
            else:
                cases.append(
                    f'  <testcase classname="conflictkg.shacl" name={name}>'
                    f"<system-out>{escape(x.severity)}: {body}</system-out></testcase>"
                )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="conflictkg SHACL" tests="{len(cases)}" failures="{failures}" errors="0">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n"
    )
