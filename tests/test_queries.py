"""Every pack query has a header saying what it answers and for whom, and an expected result on the example.

Expected results live in tests/expected/<pack>/<name>.csv. Regenerate them after a deliberate change with
`python tests/test_queries.py --update` and review the diff like code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conflictkg.query import load, packs, run
from conflictkg.store import MemoryStore, QueryResult
from conftest import EXAMPLES, corpus_module

EXPECTED = Path(__file__).parent / "expected"
PACKS = packs()


def canonical_csv(result: QueryResult) -> str:
    """CSV with rows sorted and GROUP_CONCAT lists sorted (SPARQL leaves both orders to the engine)."""
    import csv
    import io

    def cell(c):
        return "" if c is None else "; ".join(sorted(c.value.split("; ")))

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(result.vars)
    writer.writerows(sorted(tuple(cell(c) for c in row) for row in result.rows))
    return buf.getvalue()


def test_there_are_packs_for_each_topic():
    names = {q.name.split("/")[0] for q in PACKS}
    assert {"control", "oil", "negotiations", "events", "actors", "provenance", "export"} <= names


@pytest.mark.parametrize("q", PACKS, ids=[q.name for q in PACKS])
def test_header(q):
    assert len(q.header.get("summary", "")) > 20, f"{q.path}: needs '#+ summary:'"
    assert q.header.get("audience"), f"{q.path}: needs '#+ audience:'"


@pytest.fixture(scope="module")
def store(example_build):
    from conflictkg.export import read_rdf

    return MemoryStore(read_rdf([example_build / "graph.trig"]))


@pytest.mark.parametrize("q", PACKS, ids=[q.name for q in PACKS])
def test_expected_result_on_the_example(q, store):
    expected = EXPECTED / f"{q.name}.csv"
    assert expected.exists(), f"no expected result {expected}; run python tests/test_queries.py --update"
    got = canonical_csv(run(q, store))
    assert got == expected.read_text(encoding="utf-8")
    assert got.count("\n") >= 2, f"{q.name} returns no rows on the example"


@pytest.fixture(scope="module")
def corpus_stores(tmp_path_factory):
    """The example and 12 generated articles (Arabic and English) in Oxigraph and in rdflib's memory store."""
    from conflictkg.build import build

    path = tmp_path_factory.mktemp("packs") / "corpus.jsonl"
    corpus_module().write(path, 12, seed=7, english=0.3)
    oxigraph = build([EXAMPLES, path]).store
    return oxigraph, MemoryStore(oxigraph.to_dataset())


@pytest.mark.parametrize("q", PACKS, ids=[q.name for q in PACKS])
def test_pack_gives_the_same_rows_on_oxigraph_and_rdflib_over_many_articles(q, corpus_stores):
    # The packs are written for Oxigraph's join planner (sub-selects it joins by hash); rdflib must agree.
    oxigraph, memory = corpus_stores
    got = canonical_csv(run(q, oxigraph))
    assert got == canonical_csv(run(q, memory))
    assert got.count("\n") >= 2 or q.name == "provenance/unresolved"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_events_and_claims_have_one_row_per_event_when_an_unresolved_entity_is_spelled_two_ways(engine):
    # Two articles write the same unresolved group and village two ways; each adds its own label to the one
    # IRI. A row per label pair would double every event of theirs in the table (the query before did).
    from conflictkg.events import events_table

    store = _store(engine, _graphs(Path(__file__).parent / "fixtures" / "queries" / "two-spellings.trig"))
    result = events_table(store)
    rows = [dict(zip(result.vars, (c.value if c else "" for c in row), strict=True)) for row in result.rows]
    assert [r["event_id"] for r in rows] == ["a/0-12-attack-x", "b/0-14-attack-x"]
    # One name each: the lowest of the two spellings, the same in every column and row.
    assert {r["actor1"] for r in rows} == {"جيش الأنصار"}
    assert [r["assoc_actor_1"] for r in rows] == ["", "جيش الأنصار"]
    assert {r["location"] for r in rows} == {"قرية الأمل"}
    assert [r["attributed_to"] for r in rows] == ["جيش الأنصار", ""]
    # The provenance pack: a source without an English name is named in the article's words, never left
    # empty (empty means the article's own voice), and once.
    claims = run(load("provenance/claims"), store)
    cells = [dict(zip(claims.vars, (c.value if c else "" for c in row), strict=True)) for row in claims.rows]
    assert [(c["event_id"], c["source"]) for c in cells] == [
        ("a/0-12-attack-x", "جيش الأنصار"),
        ("b/0-14-attack-x", ""),
    ]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_second_spelling_of_every_unresolved_entity_changes_no_pack(engine, example_build):
    # The builder names an unresolved place or group by its normalized words, so two articles that write it
    # two ways give one IRI two labels. Each pack must answer as before (provenance/unresolved lists the
    # spellings themselves: they are what the gazetteer lacks). The example's unresolved places doubled rows
    # of front_lines, by_article and latest before.
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib import Graph as RdfGraph

    from conflictkg.graph import CKG

    graphs = _graphs(example_build / "graph.trig")
    spellings = RdfGraph(identifier=URIRef("https://w3id.org/conflictkg/graph/test/spellings"))
    unresolved = {node for g in graphs.values() for node in g.subjects(RDF.type, CKG.Unresolved)}
    for g in graphs.values():
        for node, label in g.subject_objects(RDFS.label):
            if node in unresolved:  # a longer spelling sorts after the first one
                spellings.add((node, RDFS.label, Literal(f"{label}\u0640", lang=label.language)))
    assert len(spellings) >= 2

    before = _store(engine, graphs)
    after = _store(engine, graphs | {spellings.identifier: spellings})
    for q in PACKS:
        if q.name != "provenance/unresolved":
            assert canonical_csv(run(q, after)) == canonical_csv(run(q, before)), q.name


def _graphs(path: Path) -> dict:
    """The named graphs of a TriG file."""
    from conflictkg.export import read_rdf

    return {g.identifier: g for g in read_rdf([path]).graphs() if len(g)}


def _store(engine: str, graphs: dict):
    """The graphs in a store of one engine: Oxigraph (in memory) or rdflib's."""
    from conflictkg.store import OxigraphStore

    store = MemoryStore() if engine == "rdflib" else OxigraphStore(None)
    store.put_graphs(graphs)
    return store


def test_a_store_that_parses_sparql_itself_is_not_parsed_by_rdflib_too(corpus_stores, monkeypatch, tmp_path):
    import conflictkg.query as query

    def refuse(text):
        raise ValueError("rdflib's parser ran")

    oxigraph, memory = corpus_stores
    query._check_text.cache_clear()
    monkeypatch.setattr(query, "prepareQuery", refuse)
    assert run(query.load("events/by_status"), oxigraph).rows
    with pytest.raises(query.QueryError, match="rdflib's parser ran"):
        run(query.load("events/by_status"), memory)
    monkeypatch.undo()
    query._check_text.cache_clear()
    # Oxigraph's refusal is reported like every store's: the file, the line and the column.
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}\n", encoding="utf-8")
    with pytest.raises(query.QueryError, match=rf"^{re.escape(str(bad))}:\d+:\d+: SPARQL syntax error"):
        run(query.load(str(bad)), oxigraph)
    # A text that mentions SERVICE is always parsed in full, so SERVICE is refused on Oxigraph too.
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", encoding="utf-8")
    with pytest.raises(query.QueryError, match=r"SERVICE .* is refused"):
        run(query.load(str(service)), oxigraph)


if __name__ == "__main__" and "--update" in sys.argv:
    from conflictkg.build import build

    root = Path(__file__).resolve().parent.parent
    s = MemoryStore(build([root / "examples"]).dataset)
    for q in PACKS:
        target = EXPECTED / f"{q.name}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(canonical_csv(run(q, s)), encoding="utf-8")
        print("wrote", target)
