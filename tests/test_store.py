"""Stores: memory, embedded Oxigraph and a real SPARQL endpoint (`oxigraph serve` on 127.0.0.1),
incremental builds, resuming after a SIGKILL, and backup/restore through `export` and `load`."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conflictkg.build import build
from conflictkg.graph import article_graph_iri, inferred_graph_iri
from conflictkg.query import packs, run
from conflictkg.store import (
    MemoryStore,
    OxigraphStore,
    RemoteStore,
    StoreError,
    canonical_decimal,
    inline_values,
    open_store,
)
from conftest import EXAMPLES, SEED, canonical_rows, corpus_module, run_cli

OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # PyPI `oxigraph`, a dev dependency


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server(location: Path, *options: str) -> Iterator[str]:
    """A real Oxigraph SPARQL server on a free loopback port; yields its query URL, stops it at the end."""
    assert OXIGRAPH.exists(), f"{OXIGRAPH} is missing: install the dev extra (pip install -e '.[dev]')"
    port = free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"oxigraph serve did not start: {proc.stderr.read().decode()[:500]}")
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def endpoint(tmp_path):
    with oxigraph_server(tmp_path / "server") as url:
        yield url


def graphs_of(store) -> dict:
    ds = store.to_dataset()
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def assert_same_store(a, b) -> None:
    ga, gb = graphs_of(a), graphs_of(b)
    assert sorted(ga) == sorted(gb)
    for name in ga:  # isomorphism, because the ontology's OWL lists are blank nodes
        assert isomorphic(ga[name], gb[name]), name


def test_every_pack_agrees_on_memory_oxigraph_and_a_remote_endpoint(tmp_path, endpoint):
    memory = build([EXAMPLES]).store
    embedded = build([EXAMPLES], store=OxigraphStore(tmp_path / "store")).store
    # The remote store is written by the command a user runs.
    result = run_cli("build", EXAMPLES, "-o", tmp_path / "out" / "graph.trig", "--store", f"sparql:{endpoint}", "-q")
    assert result.exit_code == 0, result.output
    remote = open_store(f"sparql:{endpoint}")
    assert remote.count() == embedded.count() > 0
    for q in packs():
        rows = [canonical_rows(run(q, s)) for s in (memory, embedded, remote)]
        assert rows[0], f"{q.name} has no rows on the example"
        assert rows[0] == rows[1] == rows[2], q.name


def test_a_server_whose_default_graph_is_the_union_is_queried_as_it_is(tmp_path):
    memory = build([EXAMPLES]).store
    with oxigraph_server(tmp_path / "server", "--union-default-graph") as url:
        remote = build([EXAMPLES], store=open_store(f"sparql:{url}#union")).store
        assert remote.server_union
        for q in packs():
            assert canonical_rows(run(q, memory)) == canonical_rows(run(q, remote)), q.name


def test_backup_from_a_remote_endpoint_restores_into_an_embedded_store(tmp_path, endpoint):
    remote = build([EXAMPLES], store=open_store(f"sparql:{endpoint}")).store
    backup = tmp_path / "backup.nq"
    assert run_cli("export", "--store", f"sparql:{endpoint}", "--format", "nq", "-o", backup).exit_code == 0
    restored = f"oxigraph:{tmp_path / 'restored'}"
    result = run_cli("load", backup, "--store", restored)
    assert result.exit_code == 0, result.output
    assert_same_store(remote, open_store(restored))


def test_building_the_same_article_twice_leaves_the_store_unchanged(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    first = build([EXAMPLES], store=store)
    before = store.dump("nq")
    second = build([EXAMPLES], store=store)
    assert (first.n_built, second.n_built) == (1, 0)
    assert second.skipped == [SEED.stem]
    assert store.dump("nq") == before
    assert build([EXAMPLES], store=store, force=True).n_built == 1
    assert store.dump("nq") == before


def test_a_changed_article_replaces_only_its_own_graphs(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    (folder / SEED.with_suffix(".json").name).write_bytes(SEED.with_suffix(".json").read_bytes())
    other = folder / "other.txt"
    other.write_text("سيطرت قوات سوريا الديمقراطية أمس على حقل العمر النفطي.", encoding="utf-8")
    store = OxigraphStore(tmp_path / "store")
    build([folder], date=None, store=store)
    seed_graphs = {n: store.dump_graph(n) for n in (article_graph_iri(SEED.stem), inferred_graph_iri(SEED.stem))}
    old = {n: store.dump_graph(n) for n in (article_graph_iri("other"), inferred_graph_iri("other"))}

    other.write_text("نفت قوات سوريا الديمقراطية أنها سيطرت على حقل كونيكو للغاز.", encoding="utf-8")
    again = build([folder], store=store)
    assert (again.n_built, again.skipped) == (1, [SEED.stem])
    for name, text in seed_graphs.items():
        assert store.dump_graph(name) == text, name
    for name, text in old.items():
        new = store.dump_graph(name)
        assert new and new != text, name
        assert "al-omar" not in new.lower(), f"{name} still holds the old article's events"
    assert "conoco" in store.dump_graph(inferred_graph_iri("other")).lower()


def _paragraph_corpus(path: Path, n: int = 24) -> Path:
    """A JSONL corpus of distinct articles: the seed's paragraphs, each dated."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 80]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = paragraphs[i % len(paragraphs)] + (f"\n({i})" if i >= len(paragraphs) else "")
            fh.write(json.dumps({"id": f"p{i:02d}", "text": text, "date": "2017-10-30", "lang": "ar"}) + "\n")
    return path


def test_a_build_killed_mid_load_resumes_to_the_same_store(tmp_path):
    corpus = _paragraph_corpus(tmp_path / "corpus.jsonl")
    n = sum(1 for _ in corpus.open(encoding="utf-8"))
    whole = build([corpus], store=OxigraphStore(tmp_path / "whole")).store

    store_dir = tmp_path / "killed"
    # Batches of 4 articles (the build writes ~25,000 triples at once: all 24 here), so the kill lands mid-run.
    small_batches = "import conflictkg.build as b; b.WRITE_BATCH = 4; from conflictkg.cli import main; main()"
    args = [sys.executable, "-c", small_batches, "build", str(corpus), "-o", str(tmp_path / "k" / "graph.trig")]
    args += ["--store", f"oxigraph:{store_dir}", "-v"]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    built_lines = 0
    for line in proc.stderr:
        built_lines += line.startswith("built ")
        if built_lines == 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert not (tmp_path / "k" / "graph.trig").exists()

    killed = OxigraphStore(store_dir)  # opens after the crash, consistent
    done = killed.digests()
    assert 3 <= len(done) < n
    killed.close()

    result = run_cli("build", corpus, "-o", tmp_path / "k" / "graph.trig", "--store", f"oxigraph:{store_dir}", "-q")
    assert result.exit_code == 0, result.output
    resumed = OxigraphStore(store_dir)
    assert len(resumed.digests()) == n
    assert_same_store(whole, resumed)


def _article_graphs(tmp_path: Path, n: int) -> list[dict]:
    """What a build writes for n articles: each article's graph and its entailments (with the digest)."""
    built = build([_paragraph_corpus(tmp_path / "batch.jsonl", n)], store=OxigraphStore(None))
    return [res.graphs(f"digest-{res.article.id}") for res in built.built]


def test_a_batch_written_at_once_equals_the_articles_written_one_by_one(tmp_path):
    # put_many bulk-loads the graphs the store lacks and replaces the ones it holds; the result must be the
    # store put_graphs makes, article by article (on disk and in memory).
    batch = _article_graphs(tmp_path, 6)
    changed = {name: {(URIRef("urn:s"), URIRef("urn:p"), Literal("old"))} for name in batch[2]}
    for kind, path in (("disk", tmp_path / "one"), ("memory", None)):
        one, many = OxigraphStore(path), OxigraphStore(tmp_path / "many" if path else None)
        for store in (one, many):
            store.put_graphs(changed)  # an older version of article 2, to be replaced
        for graphs in batch:
            one.put_graphs(graphs)
        # An article twice in one batch: the later version wins, as when written one by one.
        again = {name: {(URIRef("urn:s"), URIRef("urn:p"), Literal("again"))} for name in batch[0]}
        one.put_graphs(again)
        many.put_many([*batch, again])
        assert sorted(one.dump("nq").splitlines()) == sorted(many.dump("nq").splitlines()), kind
        assert many.count() == one.count() > 0


def test_a_batch_that_cannot_be_loaded_leaves_none_of_it(tmp_path):
    batch = _article_graphs(tmp_path, 3)
    store = OxigraphStore(tmp_path / "store")
    store.put_graphs(batch[0])
    before = store.dump("nq")
    broken = {URIRef("urn:ckg:test:broken"): "<urn:s> <urn:p> <not an iri> .\n"}
    with pytest.raises(StoreError, match="none was"):
        store.put_many([batch[1], batch[2], broken])
    assert store.dump("nq") == before


def test_remote_store_errors_are_one_line_and_say_what_to_do(tmp_path):
    port = free_port()  # nothing listens there
    result = run_cli("query", "oil/fields", "--store", f"sparql:http://127.0.0.1:{port}/query")
    assert result.exit_code == 2
    assert "cannot reach the SPARQL endpoint" in result.output and "running" in result.output
    with pytest.raises(StoreError, match="expected sparql:http"):
        open_store("sparql:ftp://example.org/sparql")


class _AuthHandler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str | None]] = []

    def do_POST(self):
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(401)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_basic_auth_comes_from_the_environment(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AuthHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        monkeypatch.setenv("CONFLICTKG_SPARQL_AUTH", "analyst:s3cret")
        with pytest.raises(StoreError, match="CONFLICTKG_SPARQL_AUTH"):
            RemoteStore(url).count()
        assert _AuthHandler.seen[-1] == "Basic YW5hbHlzdDpzM2NyZXQ="  # analyst:s3cret
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("lexical", "canonical"), [("35", "35.0"), ("35.0", "35.0"), ("41.09440", "41.0944"), ("-0.50", "-0.5")]
)
def test_decimals_print_the_same_from_every_engine(lexical, canonical):
    assert canonical_decimal(lexical) == canonical


def test_memory_store_counts_quads():
    store = build([EXAMPLES], store=MemoryStore()).store
    assert isinstance(store, MemoryStore)
    assert store.count() == sum(len(g) for g in store.to_dataset().graphs())


def test_bound_values_reach_a_remote_endpoint_as_terms(tmp_path, endpoint):
    build([EXAMPLES], store=open_store(f"sparql:{endpoint}"))
    spec = f"sparql:{endpoint}"

    def rows(*binds: str) -> list[str]:
        args = [a for b in binds for a in ("--bind", b)]
        result = run_cli("query", "control/by_article", "--store", spec, *args, "--format", "csv")
        assert result.exit_code == 0, result.output
        return result.output.splitlines()[1:]

    everything = rows()
    assert everything
    assert rows(f"article_id={SEED.stem}") == everything
    assert rows("article_id=another") == []
    assert rows('article_id=" } ; DROP ALL ; #') == []  # one literal that matches nothing
    assert rows() == everything  # and nothing was dropped


def test_values_are_inlined_after_strings_comments_and_iris():
    from rdflib import Literal

    q = 'PREFIX x: <http://e/#> # a { in a comment\nSELECT (CONCAT("{", ?v) AS ?w) WHERE { ?s ?p ?v }'
    out = inline_values(q, {"v": Literal('" } ; DROP ALL ; #')})
    assert out.endswith('WHERE { VALUES (?v) { ("\\" } ; DROP ALL ; #") }  ?s ?p ?v }')


def test_an_embedded_store_flushes_its_write_buffers_every_few_hundred_articles(tmp_path, monkeypatch):
    # Without flushes RocksDB held every write in memory and in its log: a 3,000-article build grew to 845 MB
    # (262 MB with them). The store asks Oxigraph to flush every FLUSH_EVERY writes, on disk only.
    class Counting:
        def __init__(self, inner):
            self.inner, self.flushes = inner, 0

        def flush(self):
            self.flushes += 1
            self.inner.flush()

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(OxigraphStore, "FLUSH_EVERY", 3)
    triple = (URIRef("urn:s"), URIRef("urn:p"))
    graphs = {URIRef(f"urn:ckg:test:{i}"): Graph().add((*triple, Literal(i))) for i in range(7)}
    for store in (OxigraphStore(tmp_path / "store"), OxigraphStore(None)):
        store.store = Counting(store.store)
        for name, g in graphs.items():
            store.put_graphs({name: g})
        assert store.store.flushes == (2 if store.on_disk else 0)
        # A batch counts each of its articles: 7 more writes (8..14) pass 9 and 12, and one flush follows it.
        store.put_many([{URIRef(f"{name}:b"): g} for name, g in graphs.items()])
        assert store.store.flushes == (3 if store.on_disk else 0)
        store.store = store.store.inner
        assert store.count() == 14
        store.close()


def test_a_streamed_dump_equals_the_dump_in_memory(tmp_path):
    # build and `export --store … -o FILE` stream TriG/N-Quads to the file; the bytes must be the same.
    import io

    store = OxigraphStore(tmp_path / "store")
    build([EXAMPLES], store=store)
    for fmt in ("trig", "nq"):
        buf = io.BytesIO()
        store.dump_to(buf, fmt)
        assert buf.getvalue() == store.dump(fmt) and len(buf.getvalue()) > 10_000, fmt
    store.close()


def test_build_compacts_a_store_it_mostly_wrote_and_leaves_one_it_added_little_to(tmp_path, monkeypatch):
    calls: list[str] = []
    original = OxigraphStore.optimize

    def spy(self) -> None:
        calls.append(self.spec)
        original(self)  # the real compaction, on disk

    monkeypatch.setattr(OxigraphStore, "optimize", spy)
    store = OxigraphStore(tmp_path / "store")
    corpus = tmp_path / "corpus.jsonl"
    corpus_module().write(corpus, 3, seed=2)
    build([corpus], store=store)  # all new: compacted
    assert len(calls) == 1
    before = store.dump("nq")
    store.optimize()  # compaction changes how the store reads, never what it holds
    assert store.dump("nq") == before
    calls.clear()
    assert build([corpus], store=store).n_built == 0  # nothing written: nothing to compact
    assert build([corpus, EXAMPLES], store=store).n_built == 1  # one new beside three: left to RocksDB
    assert calls == []
    assert build([EXAMPLES], store=store, force=True).n_built == 1  # one of four rewritten
    assert calls == []
    assert build([corpus, EXAMPLES], store=store, force=True).n_built == 4  # all of it rewritten
    assert len(calls) == 1
