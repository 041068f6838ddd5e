"""RDF output: determinism, named graphs, provenance, reasoning and the stores."""

from __future__ import annotations

import pytest
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from conflictkg.build import build
from conflictkg.export import serialize
from conflictkg.graph import CKG, GAZETTEER_GRAPH, ONTOLOGY_GRAPH, RES
from conflictkg.rdf import NTriples
from conftest import EXAMPLES, article_context, owlrl_reference, run_cli

OA = Namespace("http://www.w3.org/ns/oa#")


def test_two_builds_give_identical_sorted_nquads(tmp_path):
    one, two = tmp_path / "one.trig", tmp_path / "two.trig"
    for out in (one, two):
        assert run_cli("build", EXAMPLES, "-o", out, "--store", "memory", "-q").exit_code == 0
    nq = [run_cli("export", f, "--format", "nq").output for f in (one, two)]
    assert nq[0] == nq[1] and len(nq[0].splitlines()) > 1000


def test_vocabulary_terms_are_made_once_and_are_rdflibs_own():
    # rdflib's Namespace made a new URIRef on every `CKG.status`; ours keeps the first (graph building -30 %).
    assert CKG.status is CKG.status and RES.anything is RES.anything
    assert CKG.status == URIRef("https://w3id.org/conflictkg/ontology#status") and isinstance(CKG.status, URIRef)
    assert CKG["status"] == CKG.status and URIRef("https://w3id.org/conflictkg/ontology#x") in CKG


def test_named_graphs(example_build):
    ds = Dataset()
    ds.parse(example_build / "graph.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert str(ONTOLOGY_GRAPH) in names and str(GAZETTEER_GRAPH) in names
    assert str(RES["graph/article/000_ad6e347ce071d57d"]) in names
    assert str(RES["graph/inferred/000_ad6e347ce071d57d"]) in names


def test_every_event_traces_to_its_characters():
    result = build([EXAMPLES])
    (built,) = result.built
    g = built.graph
    text = built.article.text
    events = list(g.subjects(CKG.status, None))
    assert len(events) >= 15
    for e in events:
        span = g.value(e, CKG.evidence)
        start, end = int(g.value(span, OA.start)), int(g.value(span, OA.end))
        assert text[start:end] == str(g.value(span, OA.exact))
        assert g.value(e, CKG.reportedIn) == URIRef(RES["article/000_ad6e347ce071d57d"])


def test_reasoning_adds_what_the_queries_need_and_only_that():
    (built,) = build([EXAMPLES]).built
    inferred = built.inferred
    # every event gets ckg:Event from its subclass
    assert all((e, RDF.type, CKG.Event) in inferred for e in built.graph.subjects(CKG.status, None))
    # inverse of participant
    assert any(True for _ in inferred.triples((None, CKG.participatedIn, None)))
    # nothing about the schema and no owl:Thing
    assert not any(str(s).startswith(str(CKG)) for s in inferred.subjects())
    assert (None, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Thing")) not in inferred


def test_gazetteer_closure_has_transitive_part_of():
    from conflictkg.reason import gazetteer_inferred

    inferred = gazetteer_inferred()
    # some place is part of a country through a governorate
    assert any(str(o).endswith(("/syria", "/iraq")) for o in inferred.objects(None, CKG.partOf))


def test_trig_serialization_is_stable():
    a = serialize(build([EXAMPLES]).dataset, "nq")
    b = serialize(build([EXAMPLES]).dataset, "nq")
    assert a == b


def test_article_node_carries_text_and_length():
    (built,) = build([EXAMPLES]).built
    a = URIRef(RES["article/000_ad6e347ce071d57d"])
    assert built.graph.value(a, CKG.charCount) == Literal(len(built.article.text))


def test_proportionate_reasoning_equals_owlrl_full_closure_on_our_resources():
    """Feeding owlrl only the triples our schema's rules can use changes no entailment about our resources."""
    from conflictkg.reason import reason

    (built,) = build([EXAMPLES]).built
    context = article_context(built.graph)
    assert set(reason(built.graph, context)) == owlrl_reference(built.graph, context)


def test_ntriples_text_reads_back_as_the_same_triples():
    """The N-Triples writer behind validation and store writes: escapes, language tags, datatypes, Arabic."""
    s = URIRef("https://w3id.org/conflictkg/resource/event/x")
    objects = [
        Literal('he said "withdraw"\nthen \\ left\r'),
        Literal("دير الزور", lang="ar"),
        Literal("2017-10-24", datatype=XSD.date),
        Literal(12),
        Literal("  spaces\tand tab "),
        URIRef("https://example.org/a#b"),
        BNode("b1"),
    ]
    triples = {(s, CKG.note, o) for o in objects}
    expected = Graph()
    for t in triples:
        expected.add(t)
    writer = NTriples(limit=3)  # smaller than the input: the cache is cleared on the way
    text = writer.document(triples)
    assert isomorphic(Graph().parse(data=text, format="nt"), expected)
    quads = writer.document(triples, graph=URIRef("https://example.org/g"))
    assert len(Dataset().parse(data=quads, format="nquads")) == len(triples)


def test_each_event_names_its_most_specific_class(example_build):
    """ckg:directType is the one class of the event that no other class of it specialises (with inferences)."""
    from rdflib import RDFS

    ds = Dataset(default_union=True)
    ds.parse(example_build / "graph.trig", format="trig")
    events = set(ds.subjects(CKG.status, None))
    assert len(events) > 10
    for e in events:
        (direct,) = ds.objects(e, CKG.directType)
        classes = set(ds.objects(e, RDF.type))
        assert direct in classes and CKG.Event in classes
        below = {c for c in classes if c != direct and (c, RDFS.subClassOf, direct) in ds}
        assert not below, (e, direct, below)
        above = {c for c in classes if c != direct and c.startswith(str(CKG))}
        assert above <= set(ds.transitive_objects(direct, RDFS.subClassOf)), (e, direct, above)


def test_data_files_read_by_libyaml_give_pyyamls_safe_values_and_refuse_python_tags(tmp_path):
    import yaml

    from conflictkg.resources import data_dir, read_yaml

    files = [p for name in ("gazetteer", "patterns") for p in sorted(data_dir(name).glob("*.yaml"))]
    assert len(files) >= 5
    for path in files:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("x: !!python/object/apply:os.getcwd []\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        read_yaml(unsafe)
