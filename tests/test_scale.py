"""The fast paths give the reference tools' answers: reasoning equals owlrl's full OWL RL closure and batch
validation gives pyshacl's per-article verdicts, on the example and on a generated corpus."""

from __future__ import annotations

import importlib.util
import json

import pytest
from rdflib import RDF, Graph, URIRef

from conflictkg import ingest
from conflictkg.build import process
from conflictkg.graph import CKG, gazetteer_graph
from conflictkg.reason import closure, owlrl_closure, reason
from conflictkg.validate import _validate, validate, validate_batch
from conftest import EXAMPLES, ROOT, article_context, owlrl_reference


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example and 16 generated articles (Arabic and English), through the build's own stages."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    _corpus_module().write(path, 16, seed=3, english=0.3)
    arts = [a for a in ingest.read([EXAMPLES, path]) if isinstance(a, ingest.Article)]
    assert len(arts) == 17 and {a.lang for a in arts} == {"ar", "en"}
    return list(process(arts))


def test_corpus_is_deterministic_and_varied():
    gen = _corpus_module()
    a, b = gen.generate(40, seed=5), gen.generate(40, seed=5)
    assert a == b and a != gen.generate(40, seed=6)
    assert gen.generate(10, seed=5) == a[:10]
    assert len({r["text"] for r in a}) == 40 and {r["lang"] for r in a} == {"ar", "en"}


def test_reasoning_equals_owlrl_full_closure_on_every_article(built):
    """Entirely, not only on the predicates the shapes and packs use: every entailment about our resources."""
    kinds = set()
    for r in built:
        context = article_context(r.graph)
        reference = owlrl_reference(r.graph, context)
        ours = set(reason(r.graph, context))
        assert ours == reference, r.article.id
        assert ours == set(owlrl_closure(r.graph, context)), r.article.id
        kinds |= {o if p == RDF.type else p for s, p, o in ours}
    # the check covers what the packs lean on: events typed by their superclass, inverse participation
    assert {CKG.Event, CKG.TerritorialChange, CKG.Place, CKG.participatedIn} <= kinds, [str(k) for k in kinds]


def test_gazetteer_closure_equals_owlrl_and_is_cached(tmp_path, monkeypatch):
    from conflictkg import reason as reason_module

    assert set(closure(gazetteer_graph())) == set(owlrl_closure(gazetteer_graph()))
    monkeypatch.setenv("CONFLICTKG_CACHE", str(tmp_path))
    reason_module.gazetteer_inferred.cache_clear()
    try:
        first = reason_module.gazetteer_inferred()
        (cached,) = tmp_path.glob("gazetteer-inferred-*.nt")
        reason_module.gazetteer_inferred.cache_clear()
        assert set(reason_module.gazetteer_inferred()) == set(first) == set(Graph().parse(cached, format="nt"))
        cached.write_text("not n-triples <", encoding="utf-8")  # a damaged cache is recomputed
        reason_module.gazetteer_inferred.cache_clear()
        assert set(reason_module.gazetteer_inferred()) == set(first)
    finally:
        reason_module.gazetteer_inferred.cache_clear()


def _items(built) -> list[tuple[str, Graph]]:
    return [(r.article.id, r.graph + r.inferred + article_context(r.graph)) for r in built]


def test_batch_validation_gives_pyshacls_per_article_verdicts(built):
    items = _items(built)
    # break two articles: an event without its status, an evidence span without its text
    broken = []
    for (label, g), drop in zip(items[3:5], (CKG.status, URIRef("http://www.w3.org/ns/oa#exact")), strict=True):
        (triple, *_) = sorted(g.triples((None, drop, None)))
        g.remove(triple)
        broken.append(label)
    alone = [_validate(g, label, None, "none") for label, g in items]  # plain pyshacl, one article at a time
    batch = validate_batch(items)
    assert [r.conforms for r in batch] == [r.conforms for r in alone]
    assert sorted(r.label for r in batch if not r.conforms) == sorted(broken)
    for a, b in zip(alone, batch, strict=True):
        if not a.conforms:
            assert json.dumps([vars(x) for x in a.results]) == json.dumps([vars(x) for x in b.results])


def test_one_article_validates_like_pyshacl(built):
    for label, g in _items(built)[:6]:
        fast, plain = validate(g, label=label), _validate(g, label, None, "none")
        assert (fast.conforms, fast.results) == (plain.conforms, plain.results), label
