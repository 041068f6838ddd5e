"""OWL RL reasoning, kept proportionate: the schema is closed once, each article in one pass.

Only the ontology's schema axioms (subclass, subproperty, inverse, transitive,
symmetric, domain, range, equivalence) entail anything about data here: the
schema has no class expressions, keys, functional properties or sameAs. So the
schema's own closure (super-classes, super-properties, inverses, domains and
ranges) is computed once, and an article's entailments are those tables applied
to its triples (plus the gazetteer entities it points at) until nothing new
comes: a small fixpoint over the article, never the ontology. ``owlrl_closure``
is the reference it is tested against (owlrl's full OWL RL closure). The
gazetteer's entailments depend only on the ontology and gazetteer files, so they
are cached on disk keyed by a hash of those files. Of all that is entailed, only
what is about our resources is kept (no ``owl:Thing``, no reflexive
``owl:sameAs``, nothing about the schema itself).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import owlrl
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from .graph import RES, Triple, ontology, to_graph
from .resources import data_dir

_CACHE_VERSION = "1"  # bump when what is cached changes meaning
# Terms of the inner loops as plain constants: rdflib's namespace attribute lookup is a function call
# (1.1 million of them per 1,000 articles).
_TYPE, _SAME_AS = RDF.type, OWL.sameAs
_TOO_GENERAL = frozenset((OWL.Thing, RDFS.Resource, OWL.NamedIndividual))
_OURS = str(RES)
_SCHEMA_NS = (str(OWL), str(RDFS))

_SCHEMA_PREDICATES = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.inverseOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}
_SCHEMA_TYPES = {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class}


@cache
def schema() -> Graph:
    """The part of the ontology that entails anything about data."""
    g = Graph()
    for s, p, o in ontology():
        if p in _SCHEMA_PREDICATES or (p == RDF.type and o in _SCHEMA_TYPES):
            g.add((s, p, o))
    return g


@cache
def _schema_properties() -> frozenset:
    """Properties some schema axiom speaks of: only triples using them (or rdf:type) can fire a rule."""
    g = schema()
    props = set()
    for p in (RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range, OWL.equivalentProperty):
        for s, o in g.subject_objects(p):
            props.add(s)
            if p in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
                props.add(o)
    for kind in (OWL.TransitiveProperty, OWL.SymmetricProperty):
        props.update(g.subjects(RDF.type, kind))
    return frozenset(props)


def relevant(g: Graph) -> Graph:
    """The triples of g that OWL RL rules over our schema can use: types and schema properties.

    Labels, quotes, coordinates and the article text take part in no rule of this schema (it has no
    functional, keyed, sameAs or class-expression axioms), so leaving them out changes no entailment."""
    props = _schema_properties()
    out = Graph()
    for t in g:
        if t[1] == RDF.type or t[1] in props:
            out.add(t)
    return out


def _keep(s, p, o) -> bool:
    if not isinstance(s, URIRef) or not s.startswith(_OURS):
        return False  # only facts about our resources, not about the schema
    if p == _SAME_AS or o in _TOO_GENERAL:
        return False
    if p == _TYPE:
        return isinstance(o, URIRef) and not o.startswith(_SCHEMA_NS)
    return True


def owlrl_closure(data: Graph, context: Graph | None = None) -> Graph:
    """The reference: what owlrl's full OWL RL closure adds to ``data`` (and ``context``), filtered alike."""
    work = Graph()
    work += schema()
    work += relevant(data)
    if context is not None:
        work += relevant(context)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)
    # With a context, only what the article's own resources take part in is the article's to keep.
    own = set(data.subjects()) if context is not None else None
    out = Graph()
    for t in work:
        if t in data or (context is not None and t in context) or not _keep(*t):
            continue
        if own is not None and t[0] not in own and t[2] not in own:
            continue
        out.add(t)
    return out


@dataclass(frozen=True)
class Tables:
    """The schema's closure, as lookup tables: what one triple entails, with no reasoner in the loop."""

    supers: dict  # class -> its strict super-classes (transitively)
    superprops: dict  # property -> its strict super-properties (transitively, with equivalents)
    inverses: dict  # property -> properties it is the inverse of (both directions)
    domains: dict  # property -> classes its subjects belong to (direct; super-classes follow)
    ranges: dict  # property -> classes its objects belong to
    transitive: frozenset
    symmetric: frozenset


def _reach(edges: dict) -> dict:
    out = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(edges.get(x, ()))
        seen.discard(start)
        out[start] = frozenset(seen)
    return out


@cache
def tables() -> Tables:
    g = schema()
    sub_c: dict = defaultdict(set)
    sub_p: dict = defaultdict(set)
    for s, o in g.subject_objects(RDFS.subClassOf):
        sub_c[s].add(o)
    for s, o in g.subject_objects(OWL.equivalentClass):
        sub_c[s].add(o)
        sub_c[o].add(s)
    for s, o in g.subject_objects(RDFS.subPropertyOf):
        sub_p[s].add(o)
    for s, o in g.subject_objects(OWL.equivalentProperty):
        sub_p[s].add(o)
        sub_p[o].add(s)
    inverses: dict = defaultdict(set)
    for s, o in g.subject_objects(OWL.inverseOf):
        inverses[s].add(o)
        inverses[o].add(s)
    domains: dict = defaultdict(set)
    ranges: dict = defaultdict(set)
    for s, o in g.subject_objects(RDFS.domain):
        domains[s].add(o)
    for s, o in g.subject_objects(RDFS.range):
        ranges[s].add(o)
    return Tables(
        supers=_reach(sub_c),
        superprops=_reach(sub_p),
        inverses={k: frozenset(v) for k, v in inverses.items()},
        domains={k: frozenset(v) for k, v in domains.items()},
        ranges={k: frozenset(v) for k, v in ranges.items()},
        transitive=frozenset(g.subjects(RDF.type, OWL.TransitiveProperty)),
        symmetric=frozenset(g.subjects(RDF.type, OWL.SymmetricProperty)),
    )


def _entail(triples, closed: Iterable[Triple] = ()) -> set:
    """Every triple OWL RL entails from ``triples`` and ``closed`` under the schema's tables, ``triples``
    included and ``closed``'s own triples left out, where ``closed`` is already closed under them and only
    joins: its triples seed the transitive indexes and are never worked through the rules again."""
    t = tables()
    # ``closed`` is looked into, never copied: copying hashed each triple again (rdflib hashes literals in
    # Python), and it is three times an article's size.
    closed = closed if isinstance(closed, (set, frozenset)) else set(closed)
    facts: set = set()
    by_sp: dict = defaultdict(set)  # (s, p) -> objects, for transitive joins
    by_op: dict = defaultdict(set)  # (o, p) -> subjects
    for s, p, o in closed:
        if p in t.transitive:
            by_sp[s, p].add(o)
            by_op[o, p].add(s)
    todo = list(triples)
    types = []
    while todo:
        tr = todo.pop()
        if tr in facts or tr in closed:
            continue
        facts.add(tr)
        s, p, o = tr
        if p == _TYPE:
            types.append(tr)
            continue
        if isinstance(s, Literal):
            continue  # not a resource: owlrl draws nothing from it we would keep
        for q in t.superprops.get(p, ()):
            todo.append((s, q, o))
        if not isinstance(o, Literal):
            for q in t.inverses.get(p, ()):
                todo.append((o, q, s))
            if p in t.symmetric:
                todo.append((o, p, s))
            if p in t.transitive:
                by_sp[s, p].add(o)
                by_op[o, p].add(s)
                todo.extend((s, p, x) for x in list(by_sp.get((o, p), ())))
                todo.extend((x, p, o) for x in list(by_op.get((s, p), ())))
        for c in t.domains.get(p, ()):
            todo.append((s, _TYPE, c))
        if not isinstance(o, Literal):
            for c in t.ranges.get(p, ()):
                todo.append((o, _TYPE, c))
    for s, _, c in types:
        for sup in t.supers.get(c, ()):
            facts.add((s, _TYPE, sup))
    return facts


def entailments(
    data: Iterable[Triple], context: Iterable[Triple] | None = None, context_closed: bool = False
) -> set[Triple]:
    """What OWL RL adds to ``data`` (and ``context``) beyond both, filtered to our resources, as a set.

    Equal to ``owlrl_closure`` (tested on the example and on a generated corpus), without owlrl.

    ``context_closed`` says the context is the gazetteer's description of what the data points at, taken
    from the closed gazetteer (``context_triples``): then only the data is worked through the rules, and the
    context only joins (three times less work: an article's context is three times its size). That gives
    the same entailments: what the context entails alone is about no node of the data, so it is never
    kept; the one two-premise rule is transitivity, whose properties (part of, member of) the context
    follows upwards from every entity the data points at, already closed; and the data's triples about
    gazetteer entities never have a transitive property (tested against owlrl on every generated article)."""
    data = data if isinstance(data, (set, frozenset)) else set(data)
    context = None if context is None else context if isinstance(context, (set, frozenset)) else set(context)
    own = None if context is None else {s for s, _, _ in data}
    if context is None:
        facts = _entail(data)
    elif context_closed:  # copied once, into the facts, and only joined
        facts = _entail(data, context)
    else:
        facts = _entail(data | context)
    out = set()
    for tr in facts:
        if tr in data or (context is not None and tr in context) or not _keep(*tr):
            continue
        if own is not None and tr[0] not in own and tr[2] not in own:
            continue
        out.add(tr)
    return out


def closure(data: Iterable[Triple], context: Iterable[Triple] | None = None) -> Graph:
    """``entailments`` as an rdflib graph."""
    return to_graph(entailments(data, context))


def cache_dir() -> Path:
    """Where derived data is kept between runs: CONFLICTKG_CACHE, else the user cache folder (never the package)."""
    override = os.environ.get("CONFLICTKG_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "conflictkg"


def _inputs_key() -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    for name in ("ontology", "gazetteer"):
        for path in sorted(data_dir(name).rglob("*")):
            if path.is_file():
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:24]


@cache
def gazetteer_inferred() -> Graph:
    """The gazetteer's entailments: computed once per ontology and gazetteer, then read from the cache."""
    from .graph import gazetteer_graph

    path = cache_dir() / f"gazetteer-inferred-{_inputs_key()}.nt"
    if path.is_file():
        try:
            return Graph().parse(path, format="nt")
        except Exception:  # a damaged cache is recomputed, never trusted
            pass
    g = closure(gazetteer_graph())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gaz-", suffix=".nt")
        with os.fdopen(fd, "wb") as f:
            f.write(g.serialize(format="nt", encoding="utf-8"))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs recomputing next time
    return g


def reason(article: Iterable[Triple], context: Iterable[Triple]) -> set[Triple]:
    """Entailments of one article, given the gazetteer context it points at (``context_triples`` of the
    closed gazetteer: only the article is worked through the rules)."""
    return entailments(article, context, context_closed=True)
