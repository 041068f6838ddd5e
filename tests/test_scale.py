"""The fast paths give the reference tools' answers: reasoning equals owlrl's full OWL RL closure and batch
validation gives pyshacl's per-article verdicts, on the example and on a generated corpus."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, BNode, Graph, URIRef

from conflictkg import ingest
from conflictkg.build import process
from conflictkg.graph import CKG, gazetteer_graph
from conflictkg.reason import closure, entailments, owlrl_closure, reason
from conflictkg.validate import _validate, validate, validate_batch
from conftest import EXAMPLES, article_context, corpus_module, owlrl_reference, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example and 16 generated articles (Arabic and English), through the build's own stages."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    corpus_module().write(path, 16, seed=3, english=0.3)
    arts = [a for a in ingest.read([EXAMPLES, path]) if isinstance(a, ingest.Article)]
    assert len(arts) == 17 and {a.lang for a in arts} == {"ar", "en"}
    return list(process(arts))


def test_corpus_is_deterministic_and_varied():
    gen = corpus_module()
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


def test_a_closed_context_only_joins_yet_entails_what_the_full_fixpoint_does(built):
    """reason() works only the article through the rules and lets the gazetteer context join; the fixpoint
    over article and context together gives the same, transitive chains from the article into the
    gazetteer included (the test fails if the corpus has none to check)."""
    chains = 0
    for r in built:
        context = set(article_context(r.graph))
        fast = entailments(r.asserted, context, context_closed=True)
        assert fast == entailments(r.asserted, context), r.article.id
        own = {s for s, _, _ in r.asserted}
        chains += sum(1 for s, p, o in fast if p == CKG.partOf and s in own and o not in own)
    assert chains > 0


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


def test_batch_of_parts_gives_pyshacls_verdicts_even_with_blank_nodes(built):
    """As the build passes them: (article, entailments, context) parts, read through N-Triples text. One article
    loses an event's status; another gains a blank-node event with nothing else, whose results must still
    name that article's own node (Oxigraph would rename a blank node, so such a batch takes the rdflib path)."""
    items = []
    for r in built[:6]:
        items.append((r.article.id, [Graph() + r.graph, r.inferred, set(article_context(r.graph))]))
    article, *_ = items[1][1]
    article.remove(sorted(article.triples((None, CKG.status, None)))[0])
    blank = items[4][1][0]
    blank.add((BNode("loose"), RDF.type, CKG.Event))
    for batch_items in (items[:4], items):  # without, then with, the blank node
        alone = [_validate(parts[0] + parts[1] + _graph(parts[2]), label, None, "none") for label, parts in batch_items]
        batch = validate_batch(batch_items)
        assert [r.conforms for r in batch] == [r.conforms for r in alone]
        assert [(r.label, r.results) for r in batch if not r.conforms] == [
            (r.label, r.results) for r in alone if not r.conforms
        ]
    assert [r.label for r in batch if not r.conforms] == [items[1][0], items[4][0]]


def _graph(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def test_batch_text_reaches_the_engine_directly_or_through_an_oxigraph_store_with_the_same_reports(built, monkeypatch):
    """pyshacl-turbo reads a batch's N-Triples as text in its own container; where that container is missing
    (it is not part of its documented interface), the text goes through an Oxigraph store: same reports."""
    import conflictkg.validate as validate_module

    items = [(r.article.id, [Graph() + r.graph, r.inferred, set(article_context(r.graph))]) for r in built[:4]]
    article, *_ = items[2][1]
    article.remove(sorted(article.triples((None, CKG.status, None)))[0])
    assert validate_module._turbo_text_input() is not None  # the direct path is the one under test first
    direct = validate_batch(items)
    monkeypatch.setattr(validate_module, "_turbo_text_input", lambda: None)
    through_store = validate_batch(items)
    assert [r.conforms for r in direct] == [True, True, False, True]
    assert [json.dumps([vars(x) for x in r.results]) for r in direct] == [
        json.dumps([vars(x) for x in r.results]) for r in through_store
    ]


def test_one_article_validates_like_pyshacl(built):
    for label, g in _items(built)[:6]:
        fast, plain = validate(g, label=label), _validate(g, label, None, "none")
        assert (fast.conforms, fast.results) == (plain.conforms, plain.results), label


def test_parallel_build_writes_what_one_process_writes(tmp_path):
    """`build -j 2`: the same store, TriG, events table and rejections as one process, in input order."""
    path = tmp_path / "corpus.jsonl"
    corpus_module().write(path, 40, seed=11, english=0.3)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")  # a rejection among the articles
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = run_cli(
            "build", EXAMPLES, path, "-o", out / "graph.trig", "--store", f"oxigraph:{out / 'store'}", "-q", "-j", jobs
        )
        assert result.exit_code == 1, result.output  # the broken line
        outs.append(out)
    for name in ("graph.trig", "events.csv", "rejected.jsonl"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    assert len((outs[0] / "events.csv").read_text(encoding="utf-8").splitlines()) > 40


def test_memory_store_reads_ntriples_text_as_graphs(built):
    from conflictkg.rdf import NT
    from conflictkg.store import MemoryStore

    r = built[0]
    name = URIRef("https://example.org/graph")
    as_graph, as_text = MemoryStore(), MemoryStore()
    as_graph.put_graphs({name: r.graph})
    as_text.put_graphs({name: NT.document(r.graph)})
    assert set(as_graph.ds.graph(name)) == set(as_text.ds.graph(name)) == set(r.graph)


def _die(articles):
    import os

    os._exit(9)  # as the kernel's OOM killer would leave it


def test_a_killed_worker_is_one_clear_line_not_a_traceback(tmp_path, monkeypatch):
    import conflictkg.build as build_module

    monkeypatch.setattr(build_module, "_process_batch", _die)
    out = tmp_path / "out"
    result = run_cli("build", EXAMPLES, "-o", out / "graph.trig", "--store", f"oxigraph:{out / 'store'}", "-j", "2")
    assert result.exit_code == 2
    assert "worker process stopped unexpectedly" in result.output and "--jobs" in result.output
    assert "Traceback" not in result.output


def test_parallel_build_keeps_results_as_graphs():
    """A library caller keeping results gets the same triples and rdflib graphs from workers as from one
    process."""
    from conflictkg.build import build

    one, two = build([EXAMPLES]), build([EXAMPLES], jobs=2)
    assert [r.article.id for r in one.built] == [r.article.id for r in two.built]
    for a, b in zip(one.built, two.built, strict=True):
        assert a.asserted == b.asserted and a.entailed == b.entailed and len(a.asserted) > 100
        assert set(a.graph) == set(b.graph) and set(a.inferred) == set(b.inferred) and a.sizes() == b.sizes()


def test_build_uses_worker_processes_by_default_only_from_a_few_hundred_articles(tmp_path, monkeypatch):
    from conflictkg import build as build_module
    from conflictkg import cli

    monkeypatch.setattr(cli, "_cpus", lambda: 8)
    assert cli.auto_jobs(None) == 1 and cli.auto_jobs(cli.AUTO_JOBS_FROM - 1) == 1
    assert cli.auto_jobs(cli.AUTO_JOBS_FROM) == cli.AUTO_JOBS_MAX  # capped: each worker holds its pipelines
    monkeypatch.setattr(cli, "_cpus", lambda: 1)
    assert cli.auto_jobs(100_000) == 1
    # What the command passes on: the default follows the article count, an explicit -j wins.
    asked, real = [], build_module.build
    monkeypatch.setattr(build_module, "build", lambda *a, **kw: asked.append(kw["jobs"]) or real(*a, **kw))
    monkeypatch.setattr(cli, "_cpus", lambda: 3)
    for extra in ((), ("-j", "1")):
        run_cli("build", EXAMPLES, "-o", tmp_path / f"{len(extra)}.trig", "--store", "memory", "-q", *extra)
    monkeypatch.setattr(cli, "AUTO_JOBS_FROM", 1)
    run_cli("build", EXAMPLES, "-o", tmp_path / "auto.trig", "--store", "memory", "-q")
    assert asked == [1, 1, 3]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_freezes_its_long_lived_objects_for_the_collector_and_thaws_them_after(jobs):
    """The loaded pipelines are out of the collector's sight while articles are built (each full collection
    walked them: ~0.3 s), and the caller's objects are the collector's again once the build returns."""
    import gc

    from conflictkg.build import build

    gc.unfreeze()
    during: list[int] = []
    result = build([EXAMPLES], jobs=jobs, on_article=lambda _: during.append(gc.get_freeze_count()))
    assert result.n_built == 1 and during and min(during) > 10_000
    assert gc.get_freeze_count() == 0
