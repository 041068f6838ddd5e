"""Read access to a built store for the web view.

The store is opened read-only (a snapshot: restart ``serve`` after a new build). Values that come from a URL
reach a query only as bound RDF terms (pyoxigraph substitutions), never as query text.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

RES = "https://w3id.org/conflictkg/resource/"
CKG = "https://w3id.org/conflictkg/ontology#"
ONTOLOGY_GRAPH = "https://w3id.org/conflictkg/ontology"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = {
    "ckg": CKG,
    "res": RES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
}
SPARQL_DIR = Path(__file__).parent / "sparql"
EVENT_EXTRA_COLUMNS = (
    "place",
    "place_en",
    "place_ar",
    "lat",
    "long",
    "actor1",
    "actor1_en",
    "actor2",
    "actor2_en",
    "source_en",
)


class StoreMissing(Exception):
    pass


@cache
def query_text(name: str) -> str:
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")


def value(term: Any) -> Any:
    """A result cell as a Python value: IRIs and strings as str, integers and decimals as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        return term.value
    return term.value


def short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix != "res":
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


class ReadOnlyGraph:
    """One read-only snapshot of a store, with the web view's queries and a few cached tables."""

    def __init__(self, path: str | Path):
        path = Path(path)
        if not path.is_dir():
            raise StoreMissing(f"no store at {path}: run `conflictkg build` first")
        if not (path / "CURRENT").is_file():  # RocksDB's marker: an empty or foreign folder is no store
            raise StoreMissing(f"{path} is not an Oxigraph store: run `conflictkg build` first")
        try:
            self.store = ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreMissing(f"cannot open the store at {path} read-only: {exc}") from None
        self.path = path
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- queries -----------------------------------------------------------------------------------------
    def raw(self, sparql: str, **kwargs: Any) -> Any:
        return self.store.query(sparql, **kwargs)

    def select(self, name: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        """Run web/sparql/NAME.rq with each keyword bound to an RDF term (never pasted into the text)."""
        subs = {ox.Variable(k): v for k, v in bindings.items()}
        result = self.store.query(query_text(name), use_default_graph_as_union=True, substitutions=subs or None)
        names = [v.value for v in result.variables]
        return [{n: value(sol[n]) for n in names} for sol in result]

    def cached(self, name: str) -> list[dict[str, Any]]:
        """Unbound queries over a read-only snapshot give the same answer every time: compute them once."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self.select(name)
            return self._cache[name]

    # -- derived tables --------------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        """One row per event (the first row where optional labels repeat)."""
        with self._lock:
            if "_events" not in self._cache:
                events = dedupe(self.select("events"), "e")
                extra: dict[str, dict[str, Any]] = defaultdict(dict)
                for name in ("event_places", "event_actors", "event_sources"):
                    for row in self.select(name):
                        target = extra[row.pop("e")]
                        for k, v in row.items():
                            if v is not None:
                                target.setdefault(k, v)  # the first of repeated optional labels
                blank = dict.fromkeys(EVENT_EXTRA_COLUMNS)
                self._cache["_events"] = [{**e, **blank, **extra.get(e["e"], {})} for e in events]
            return self._cache["_events"]

    def control(self) -> list[dict[str, Any]]:
        with self._lock:
            if "_control" not in self._cache:
                self._cache["_control"] = dedupe(self.select("control"), "claim")
            return self._cache["_control"]

    def labels(self) -> dict[str, dict[str, str]]:
        """IRI -> {lang: label}, skos:prefLabel winning over rdfs:label."""
        with self._lock:
            if "_labels" not in self._cache:
                out: dict[str, dict[str, str]] = defaultdict(dict)
                pref: dict[str, set[str]] = defaultdict(set)
                result = self.store.query(query_text("labels"), use_default_graph_as_union=True)
                for sol in result:
                    x, p, lit = sol["x"], sol["p"], sol["label"]
                    if not isinstance(lit, ox.Literal):
                        continue
                    lang = lit.language or ""
                    is_pref = p.value == SKOS_PREF
                    if lang not in out[x.value] or (is_pref and lang not in pref[x.value]):
                        out[x.value][lang] = lit.value
                    if is_pref:
                        pref[x.value].add(lang)
                self._cache["_labels"] = dict(out)
            return self._cache["_labels"]

    def label(self, iri: str, lang: str = "en") -> str:
        names = self.labels().get(iri, {})
        return names.get(lang) or names.get("en") or names.get("") or next(iter(names.values()), "") or short(iri)

    def latest_control(self) -> list[dict[str, Any]]:
        """For each place, the claim with the latest date (ties: the later article id), as the pack query."""
        latest: dict[str, dict[str, Any]] = {}
        for c in self.control():
            key = (c["date"] or "", c["article_id"])
            old = latest.get(c["place"])
            if old is None or key > (old["date"] or "", old["article_id"]):
                latest[c["place"]] = c
        return sorted(latest.values(), key=lambda c: c["place_en"] or c["place_ar"] or c["place"])

    # -- one resource ----------------------------------------------------------------------------------
    def triples(self, iri: str) -> list[ox.Quad]:
        """The resource's own triples from every graph (its subject triples; we mint no blank nodes)."""
        return list(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None))

    def incoming(self, iri: str, limit: int = 500) -> list[ox.Quad]:
        out = []
        for q in self.store.quads_for_pattern(None, None, ox.NamedNode(iri), None):
            out.append(q)
            if len(out) >= limit:
                break
        return out

    def describe(self, iri: str) -> list[ox.Triple]:
        """Concise bounded description: subject triples, following blank-node objects."""
        seen: set[Any] = set()
        out: list[ox.Triple] = []
        todo: list[Any] = [ox.NamedNode(iri)]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for q in self.store.quads_for_pattern(node, None, None, None):
                t = ox.Triple(q.subject, q.predicate, q.object)
                out.append(t)
                if isinstance(q.object, ox.BlankNode):
                    todo.append(q.object)
        return list(dict.fromkeys(out))

    def count(self, sparql: str) -> int:
        sol = next(iter(self.store.query(sparql, use_default_graph_as_union=True)))
        return int(sol[0].value)


def dedupe(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r[key], r)
    return list(seen.values())


def node(iri: str) -> ox.NamedNode | None:
    """An IRI from a URL as a NamedNode, or None when it is not a valid IRI (nothing is ever pasted)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None
