"""OWL RL reasoning with owlrl, kept proportionate.

Only the ontology's schema axioms (subclass, subproperty, inverse, transitive,
symmetric, domain, range, equivalence) take part, never the labels, schemes or
annotations; the gazetteer's closure is computed once per process; each article
is closed together with just the gazetteer entities it points at; and of all
that owlrl derives, only the entailments about our resources are kept (no
``owl:Thing``, no reflexive ``owl:sameAs``, nothing about the schema itself).
"""

from __future__ import annotations

from functools import cache

import owlrl
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from .graph import RES, ontology

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
    if not isinstance(s, URIRef) or not str(s).startswith(str(RES)):
        return False  # only facts about our resources, not about the schema
    if p == OWL.sameAs or o in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual):
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and not str(o).startswith((str(OWL), str(RDFS)))
    return True


def closure(data: Graph, context: Graph | None = None) -> Graph:
    """What OWL RL adds to ``data`` (and ``context``) beyond both, filtered to our resources."""
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


@cache
def gazetteer_inferred() -> Graph:
    from .graph import gazetteer_graph

    return closure(gazetteer_graph())


def reason(article: Graph, context: Graph) -> Graph:
    """Entailments of one article, given the (already closed) gazetteer context it points at."""
    return closure(article, context)
