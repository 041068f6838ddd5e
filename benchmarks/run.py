"""Stage timings of conflictkg beside a naive rdflib + owlrl + pyshacl baseline, in the same run.

Usage:  python benchmarks/run.py [--sizes 10 100 1000] [--baseline-max 1000] [--rdflib-max 100] [--million]
                                 [--out benchmarks/results/latest.json] [--doc docs/performance.md]

Each size is a synthetic corpus from ``benchmarks/corpus.py`` (same seed, so a smaller corpus is the start of a
larger one), measured in a process of its own (so peak memory is that size's). For each size:

  ours      extraction (spaCy ``nlp.pipe``; one process, and two worker processes) → article graphs →
            reasoning from the schema's closure tables per article → SHACL in batches (``validate_batch``) →
            store loading (``Store.put_many`` in the batches ``build`` writes, memory and Oxigraph; then the
            compaction ``build`` ends with) → every pack query on Oxigraph
  baseline  the same article graphs merged into one rdflib Graph with the ontology and gazetteer → owlrl
            ``DeductiveClosure`` over the whole → one ``pyshacl.validate`` over the whole → pack queries on rdflib

and checks that both reach the same entailments about our resources and the same verdict. The baseline runs only
up to ``--baseline-max`` articles and rdflib queries up to ``--rdflib-max`` (beyond, they take too long here).
``--million`` also times the pack queries on an Oxigraph store of about a million triples (the 1,000-article corpus'
graphs repeated under new article ids) and ``conflictkg``'s build end to end at 1,000 articles and on the
largest corpus. Graphs, reasoning, validation and loading are timed in chunks of ``--chunk`` articles, as a build
runs them, so no size holds every graph at once (except where the baseline needs them merged).
Never run as a timed test: CI only checks that it still runs (size 10).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

import corpus as gen  # noqa: E402
import owlrl  # noqa: E402
import pyshacl  # noqa: E402
from rdflib import Graph, URIRef  # noqa: E402

from conflictkg import ingest  # noqa: E402
from conflictkg.build import WRITE_BATCH, WRITE_BATCH_TRIPLES  # noqa: E402
from conflictkg.export import write_atomic  # noqa: E402
from conflictkg.extract import pipeline  # noqa: E402
from conflictkg.graph import (  # noqa: E402
    article_graph_iri,
    article_triples,
    context_triples,
    gazetteer_graph,
    inferred_graph_iri,
    ontology,
)
from conflictkg.query import packs, run  # noqa: E402
from conflictkg.reason import _keep, gazetteer_inferred, reason  # noqa: E402
from conflictkg.store import open_store  # noqa: E402
from conflictkg.validate import shapes, validate_batch  # noqa: E402

BATCH = 16  # articles per validation pass, as the build batches them
PNG = ROOT / "docs" / "performance.png"
PROFILE = HERE / "profile.md"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def _stats(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"median_ms": statistics.median(s) * 1000, "p95_ms": s[max(0, math.ceil(0.95 * len(s)) - 1)] * 1000}


def _extract_chunk(args: tuple[str, list[str]]) -> list:
    lang, texts = args
    return [doc._.events for doc in pipeline(lang).pipe(texts, batch_size=BATCH)]


def extract(arts: list[ingest.Article], processes: int) -> tuple[list, int]:
    """Events of every article (in order) and the token count. Events do not survive spaCy's own
    ``n_process`` (its workers send docs back as msgpack, which cannot carry them), so two processes
    are two workers of a pool, each running ``nlp.pipe`` over its share."""
    by_lang: dict[str, list[int]] = {}
    for i, a in enumerate(arts):
        by_lang.setdefault(a.lang, []).append(i)
    events: list = [None] * len(arts)
    tokens = 0
    if processes == 1:
        for lang, idx in by_lang.items():
            for i, doc in zip(idx, pipeline(lang).pipe((arts[i].text for i in idx), batch_size=BATCH), strict=True):
                events[i] = doc._.events
                tokens += len(doc)
        return events, tokens
    with ProcessPoolExecutor(processes) as pool:
        jobs = []
        for lang, idx in by_lang.items():
            step = max(1, math.ceil(len(idx) / (processes * 4)))
            for k in range(0, len(idx), step):
                part = idx[k : k + step]
                jobs.append((part, pool.submit(_extract_chunk, (lang, [arts[i].text for i in part]))))
        for part, job in jobs:
            for i, ev in zip(part, job.result(), strict=True):
                events[i] = ev
    return events, tokens


def _query_times(store, repeats: int, warm: bool = True) -> dict:
    out = {}
    for q in packs():
        samples = []
        if warm:
            res, first = _timed(run, q, store)  # parse and caches
            if first > 10:  # a query this slow is reported from one run, not repeated
                out[q.name] = _stats([first]) | {"rows": len(res.rows)}
                continue
        for _ in range(repeats):
            res, s = _timed(run, q, store)
            samples.append(s)
        # The rows returned: a pack that lists every event grows with the store, one that counts does not.
        out[q.name] = _stats(samples) | {"rows": len(res.rows)}
    return out


def _watched_terms() -> set[URIRef]:
    """The ontology terms the shapes and query packs use: the entailments the benchmark must find equal."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "shapes").glob("*.ttl"))
    text += "".join(p.read_text(encoding="utf-8") for p in (ROOT / "queries").rglob("*.rq"))
    ns = "https://w3id.org/conflictkg/ontology#"
    return {URIRef(ns + name) for name in re.findall(r"\bckg:([A-Za-z_][A-Za-z0-9_]*)", text)}


def measure(
    size: int,
    corpus_path: Path,
    baseline_max: int,
    rdflib_max: int,
    repeats: int,
    closure_max: int = 0,
    chunk: int = 500,
) -> dict:
    arts = [a for a in ingest.read([corpus_path]) if isinstance(a, ingest.Article)]
    assert len(arts) == size, (len(arts), size)
    fig: dict = {"articles": size, "chars": sum(len(a.text) for a in arts)}
    for lang in {a.lang for a in arts}:
        pipeline(lang)  # model loading is not extraction
    gazetteer_inferred()
    gc.freeze()  # as `build` does once the pipelines are loaded: the collector no longer walks them

    (events, tokens), fig["extract_s"] = _timed(extract, arts, 1)
    fig["tokens"] = tokens
    (events2, _), fig["extract_2proc_s"] = _timed(extract, arts, 2)
    fig["extract_2proc_same"] = [len(e) for e in events] == [len(e) for e in events2]

    # Graphs, reasoning, validation and store loading run chunk by chunk, as a build does, so each size's
    # cost per article is measured without holding every graph at once; the graphs are kept only where the
    # baseline needs them (one merged graph) or the revalidation figure does (the first chunk).
    keep = size <= max(baseline_max, closure_max)
    from conflictkg.build import WriteBatch, base_graphs

    gaz = gazetteer_graph() + gazetteer_inferred()
    described: dict = {}  # as in build.process: each gazetteer entity looked up once per run
    built: list = []
    inferred: list = []
    reports: list = []
    first: tuple | None = None
    for key in ("graph_s", "reason_s", "validate_s", "load_memory_s", "load_oxigraph_s"):
        fig[key] = 0.0
    fig.update(triples=0, inferred_triples=0, store_triples=sum(len(g) for g in base_graphs().values()))
    mem = open_store("memory")
    mem.put_graphs(base_graphs())
    tmp = tempfile.TemporaryDirectory()
    oxi = open_store(f"oxigraph:{tmp.name}/store")
    oxi.put_graphs(base_graphs())
    loads = {"load_memory_s": mem, "load_oxigraph_s": oxi}
    waiting = WriteBatch()  # articles' graphs, written in batches by the rule `build` writes by

    def write() -> None:
        fig["store_triples"] += waiting.triples
        batch = waiting.take()
        for key, store in loads.items():
            fig[key] += _timed(store.put_many, batch)[1]

    for k in range(0, size, chunk):
        part = list(zip(arts[k : k + chunk], events[k : k + chunk], strict=True))
        made, s = _timed(lambda part=part: [article_triples(a, ev) for a, ev in part])
        fig["graph_s"] += s
        t = time.perf_counter()
        contexts = [context_triples(refs, gaz, described) for _, refs in made]
        entailed = [reason(g, c) for (g, _), c in zip(made, contexts, strict=True)]
        fig["reason_s"] += time.perf_counter() - t
        items = [(a.id, (g, i, c)) for (a, _), (g, _), i, c in zip(part, made, entailed, contexts, strict=True)]
        t = time.perf_counter()
        for j in range(0, len(items), BATCH):
            reports += validate_batch(items[j : j + BATCH])
        fig["validate_s"] += time.perf_counter() - t
        for (a, _), (g, _), i in zip(part, made, entailed, strict=True):
            graphs = {article_graph_iri(a.id): g, inferred_graph_iri(a.id): i}
            if waiting.add(graphs, len(g) + len(i)) or a is arts[-1]:
                write()
        fig["triples"] += sum(len(g) for g, _ in made)
        fig["inferred_triples"] += sum(len(i) for i in entailed)
        if first is None:
            first = (made[0][0], entailed[0], contexts[0])
        if keep:
            built += made
            inferred += entailed
    fig["optimize_s"] = _timed(oxi.optimize)[1]  # as `build` leaves a store it wrote: compacted, for the packs
    fig["conforms"] = all(r.conforms for r in reports)
    one = []
    for _ in range(5):  # revalidating one changed article: its graph, entailments and context only
        g, i, c = first
        one.append(_timed(lambda g=g, i=i, c=c: validate_batch([("one", (g, i, c))]))[1])
    fig["revalidate_one_s"] = statistics.median(one)
    fig["query_oxigraph"] = _query_times(oxi, repeats)
    oxi.close()
    tmp.cleanup()
    if size <= rdflib_max:
        fig["query_rdflib"] = _query_times(mem, min(3, repeats), warm=False)
    loads.clear()  # the memory store is let go before the baseline merges its graph
    del mem
    fig["peak_rss_mb"] = peak_rss_mb()

    if size > max(baseline_max, closure_max):
        return fig
    # The naive baseline: one merged graph, full closure, one validation pass.
    merged = Graph()
    merged += ontology()
    merged += gazetteer_graph()
    for g, _ in built:
        merged += g
    asserted = set(merged)
    _, fig["baseline_reason_s"] = _timed(owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand, merged)
    fig["baseline_closure_triples"] = len(merged)
    if size <= baseline_max:
        (conforms, _, _), fig["baseline_validate_s"] = _timed(
            lambda: pyshacl.validate(merged, shacl_graph=shapes(), inference="none")
        )
        fig["baseline_conforms"] = bool(conforms)
    else:
        fig["baseline_note"] = "the baseline's owlrl closure only (its pyshacl pass beyond --baseline-max)"
    fig["peak_rss_with_baseline_mb"] = peak_rss_mb()
    # Same entailments: everything about our resources the closure adds, against what we add.
    theirs = {t for t in merged if t not in asserted and _keep(*t)}
    ours = {t for i in inferred for t in i} | set(gazetteer_inferred())
    ours = {t for t in ours if t not in asserted}
    watched = _watched_terms()

    def on_watched(ts: set) -> set:
        return {t for t in ts if t[1] in watched or t[2] in watched}

    fig["entailments_equal"] = ours == theirs
    fig["entailments_equal_watched"] = on_watched(ours) == on_watched(theirs)
    fig["entailments_missing"] = len(theirs - ours)
    fig["entailments_extra"] = len(ours - theirs)
    return fig


def million(corpus_path: Path, target: int, repeats: int) -> dict:
    """Pack query latency on an Oxigraph store of about ``target`` triples: the corpus' graphs built once,
    then repeated under new article ids (N-Quads with the ids rewritten), bulk-loaded."""
    from conflictkg.build import base_graphs, build

    result = build([corpus_path])  # an in-memory Oxigraph store
    base = {str(name) for name in base_graphs()}
    nq_parts = []
    for name in sorted(result.store.graph_names() - base):
        for line in result.store.dump_graph(name).splitlines():
            if line.strip():
                nq_parts.append(f"{line.rstrip()[:-1].rstrip()} <{name}> .")
    result.store.close()
    block = "\n".join(nq_parts) + "\n"
    per_copy = len(nq_parts)
    copies = max(1, math.ceil(target / per_copy))
    import pyoxigraph as ox

    fig: dict = {"copies": copies, "articles": sum(1 for line in corpus_path.open(encoding="utf-8") if line.strip())}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"oxigraph:{tmp}/store")
        store.put_graphs(base_graphs())
        t = time.perf_counter()
        for k in range(copies):
            data = block if k == 0 else block.replace("synthetic-", f"synthetic-r{k}-")
            store.store.bulk_load(data.encode("utf-8"), ox.RdfFormat.N_QUADS)
        fig["load_s"] = time.perf_counter() - t
        # What `conflictkg build` does after writing most of a store (OxigraphStore.optimize): compaction.
        t = time.perf_counter()
        store.optimize()
        fig["optimize_s"] = time.perf_counter() - t
        fig["triples"] = len(store.store)
        fig["query_oxigraph"] = _query_times(store, repeats)
        store.close()
    return fig


def end_to_end(corpus_path: Path, jobs: int | None = 1, ceiling: int = 0) -> dict:
    """The ``conflictkg build`` command a user runs (a new process: start-up included), through the Oxigraph
    store to graph.trig, events.csv and the summary. ``jobs`` None runs it without -j (its default).
    ``ceiling`` > 0 also times the store alone on that many of the built articles (``store_ceiling``)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "conflictkg", "build", str(corpus_path), "-o", f"{tmp}/graph.trig"]
        cmd += ["--store", f"oxigraph:{tmp}/store", "-q"] + ([] if jobs is None else ["--jobs", str(jobs)])
        t = time.perf_counter()
        done = subprocess.run(cmd, check=False, capture_output=True, text=True)
        seconds = time.perf_counter() - t
        if done.returncode != 0:
            raise RuntimeError(f"{corpus_path}: conflictkg build exited {done.returncode}: {done.stderr[-500:]}")
        store = store_ceiling(Path(tmp) / "store", ceiling) if ceiling else None
    texts = [json.loads(line)["text"] for line in corpus_path.open(encoding="utf-8") if line.strip()]
    fig = {
        "articles": len(texts),
        "chars_per_article": round(sum(map(len, texts)) / len(texts)),
        "jobs": "default" if jobs is None else jobs,
        "seconds": seconds,
        "articles_per_s": len(texts) / seconds,
    }
    return fig | ({"store_ceiling": store} if store else {})


def store_ceiling(store_dir: Path, limit: int) -> dict:
    """What the store alone allows: the quads a build wrote for ``limit`` articles (each article's graph and its
    entailments, the unit ``put_graphs`` writes) loaded again into new Oxigraph stores — on disk one transaction
    an article (``put_graphs``); on disk in one ``bulk_load`` (atomic; ``put_many``, which ``build`` uses, loads
    batches so); in memory one load an article. No conflictkg code runs inside the timings: these are Oxigraph's
    own rates on our data."""
    import pyoxigraph as ox

    article, inferred = str(article_graph_iri("")), str(inferred_graph_iri(""))
    groups: dict[str, list[str]] = {}
    source = ox.Store.read_only(str(store_dir))
    for quad in source:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        for prefix in (article, inferred):
            if name.startswith(prefix):
                groups.setdefault(name[len(prefix) :], []).append(f"{quad} .\n")
    del source
    kept = [groups[key] for key in sorted(groups)[:limit]]
    texts = ["".join(lines) for lines in kept]
    quads = sum(map(len, kept))

    def timed(load, on_disk: bool) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            store = ox.Store(tmp) if on_disk else ox.Store()
            t = time.perf_counter()
            load(store)
            if on_disk:
                store.flush()
            seconds = time.perf_counter() - t
            del store  # closed before its directory goes
        return seconds

    def each(store) -> None:
        for text in texts:
            store.load(text, format=ox.RdfFormat.N_QUADS)

    return {
        "articles": len(texts),
        "quads_per_article": quads / max(1, len(texts)),
        "transaction_per_article_s": timed(each, True),
        "one_bulk_load_s": timed(lambda st: st.bulk_load("".join(texts), format=ox.RdfFormat.N_QUADS), True),
        "memory_per_article_s": timed(each, False),
    }


def extraction_stages(corpus_path: Path, limit: int) -> dict:
    """Milliseconds an article in each spaCy component of the extraction pipeline, one process, on the first
    ``limit`` articles of a corpus (each language through its own pipeline, as a build runs them)."""
    records = [json.loads(line) for line in corpus_path.open(encoding="utf-8") if line.strip()][:limit]
    totals: dict[str, float] = {}
    for lang in sorted({r.get("lang", "ar") for r in records}):
        nlp = pipeline(lang)
        texts = [r["text"] for r in records if r.get("lang", "ar") == lang]
        list(nlp.pipe(texts[:2]))  # warm: tables and caches built outside the timings
        t = time.perf_counter()
        docs = [nlp.make_doc(text) for text in texts]
        totals["tokenizer"] = totals.get("tokenizer", 0.0) + time.perf_counter() - t
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            docs = [proc(doc) for doc in docs]
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - t
    return {"articles": len(records), "ms_per_article": {k: 1000 * v / len(records) for k, v in totals.items()}}


def seed_sized(path: Path, n: int) -> Path:
    """``n`` articles as long as the example article (the end-to-end target is for seed-sized articles; the
    generated ones are about a sixth of its length): consecutive generated articles of one language joined
    until they reach its length. Deterministic, like the corpus."""
    want = len(next((ROOT / "examples").glob("*.txt")).read_text(encoding="utf-8"))
    pool: dict[str, list[dict]] = {"ar": [], "en": []}
    records = iter(gen.generate(n * 12))
    out = []
    for i in range(n):
        lang = "en" if i % 5 == 4 else "ar"  # the corpus's share of English
        parts: list[dict] = []
        while sum(len(r["text"]) for r in parts) < want:
            while not pool[lang]:
                rec = next(records)
                pool[rec["lang"]].append(rec)
            parts.append(pool[lang].pop(0))
        joined = dict(parts[0], id=f"seed-sized-{i:06d}", text="\n".join(r["text"] for r in parts))
        out.append(json.dumps(joined, ensure_ascii=False) + "\n")
    write_atomic(path, "".join(out))
    return path


STAGES = (("reason", "reasoning"), ("validate", "validation"))


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "—" if x is None else format(x, fmt)


def markdown(data: dict) -> str:
    sizes = data["sizes"]
    env = data["machine"]
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`benchmarks/run.py`); raw figures in `benchmarks/results/latest.json`, plot in",
        "`docs/performance.png`. Do not edit by hand: `python benchmarks/run.py --from-json FILE` rewrites it.",
        f"Machine: {env['machine']}, {env['cpus']} CPUs, Python {env['python']}, {env['system']}.",
        "Corpus: `benchmarks/corpus.py` (seed 7, a fifth of the articles in English), one process per size.",
        "Baseline: every article merged into one rdflib Graph with the ontology and gazetteer, owlrl's full",
        "`DeductiveClosure`, one `pyshacl.validate` over the whole, pack queries on rdflib.",
        f"The baseline ran up to {data['baseline_max']} articles and rdflib queries up to {data['rdflib_max']}"
        " (beyond, they take too long on this machine); sizes not listed were not run.",
        "",
        "## Stages: ours against the baseline (seconds, whole stage)",
        "",
        "| articles | triples | reason ours | reason baseline | ours/baseline | validate ours | validate baseline "
        "| ours/baseline | same entailments | same verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sizes:
        br, bv = r.get("baseline_reason_s"), r.get("baseline_validate_s")
        if "entailments_equal" not in r:
            same_e = "—"
        elif r["entailments_equal"]:
            same_e = "yes"
        else:
            same_e = f"on watched terms: {r['entailments_equal_watched']}"
        same_v = "—" if bv is None else ("yes" if r["conforms"] == r["baseline_conforms"] else "NO")
        lines.append(
            f"| {r['articles']} | {r['triples']} | {r['reason_s']:.2f} | {_f(br)} "
            f"| {_f(br and r['reason_s'] / br, '.3f')} "
            f"| {r['validate_s']:.2f} | {_f(bv)} | {_f(bv and r['validate_s'] / bv, '.3f')} | {same_e} | {same_v} |"
        )
    lines += [f"\n{r['articles']} articles: {r['baseline_note']}." for r in sizes if r.get("baseline_note")]
    lines += [f"\nNote: {data['note']}." for _ in (1,) if data.get("note")]
    lines += [
        "",
        "## Throughput and cost per article",
        "",
        "| articles | extract art/s (1 proc) | tokens/s (1 proc) | extract art/s (2 procs) | graph triples/s "
        "| reason ms/art | validate ms/art | revalidate one ms | load memory triples/s | load Oxigraph triples/s "
        "| peak RSS MB (ours) | peak RSS MB (with baseline) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sizes:
        n = r["articles"]
        lines.append(
            f"| {n} | {n / r['extract_s']:.1f} | {r['tokens'] / r['extract_s']:.0f} | {n / r['extract_2proc_s']:.1f} "
            f"| {r['triples'] / r['graph_s']:.0f} | {1000 * r['reason_s'] / n:.1f} | {1000 * r['validate_s'] / n:.1f} "
            f"| {1000 * r['revalidate_one_s']:.0f} | {r['store_triples'] / r['load_memory_s']:.0f} "
            f"| {r['store_triples'] / r['load_oxigraph_s']:.0f} | {r['peak_rss_mb']:.0f} "
            f"| {_f(r.get('peak_rss_with_baseline_mb'), '.0f')} |"
        )
    if compacted := [r for r in sizes if "optimize_s" in r]:
        lines += [
            "",
            f"Loading is timed as `build` writes: batches of at most {WRITE_BATCH} articles or "
            f"{WRITE_BATCH_TRIPLES:,} triples through "
            "`Store.put_many` (Oxigraph: one atomic bulk load a batch). The compaction `build` then ends with "
            "(before the packs below run) took "
            + ", ".join(f"{r['optimize_s']:.1f} s at {r['articles']}" for r in compacted)
            + " articles.",
        ]
    names = sorted(sizes[-1]["query_oxigraph"])
    lines += [
        "",
        "## Query packs: median / 95th percentile, milliseconds (Oxigraph ours, rdflib baseline)",
        "",
        "| query | " + " | ".join(f"{r['articles']} Oxigraph | {r['articles']} rdflib" for r in sizes) + " |",
        "|---|" + "---:|---:|" * len(sizes),
    ]
    for name in names:
        cells = []
        for r in sizes:
            o = r["query_oxigraph"][name]
            b = r.get("query_rdflib", {}).get(name)
            cells.append(f"{o['median_ms']:.1f} / {o['p95_ms']:.1f}")
            cells.append("—" if b is None else f"{b['median_ms']:.0f} / {b['p95_ms']:.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if data.get("million"):
        m = data["million"]
        lines += [
            "",
            f"## Query packs on an Oxigraph store of {m['triples']:,} triples",
            "",
            f"The {m.get('articles', sizes[-1]['articles'])}-article corpus built once and its graphs repeated "
            f"{m['copies']} times "
            f"under new article ids (bulk load {m['load_s']:.1f} s"
            + (f", then compacted as `build` does, {m['optimize_s']:.1f} s)." if "optimize_s" in m else ")."),
            "",
        ]
        # An earlier run's medians beside these, when the figures carry them (``before``: name → ms).
        before, label = m.get("before", {}), m.get("before_label", "before")
        lines += [
            "| query | median ms | p95 ms | rows | µs per row |" + (f" median ms, {label} |" if before else ""),
            "|---|---:|---:|---:|---:|" + ("---:|" if before else ""),
        ]
        for name in sorted(m["query_oxigraph"]):
            q = m["query_oxigraph"][name]
            rows = q.get("rows")  # older result files have no row counts
            per_row = "—" if not rows else f"{q['median_ms'] * 1000 / rows:.0f}"
            row = f"| {name} | {q['median_ms']:.1f} | {q['p95_ms']:.1f} | {_f(rows, ',')} | {per_row} |"
            lines.append(row + (f" {_f(before.get(name), ',.1f')} |" if before else ""))
    if data.get("end_to_end"):
        lines += [
            "",
            "## End to end",
            "",
            "`conflictkg build` as a user runs it (a new process, start-up included; extraction, graphs, reasoning,"
            " validation, the Oxigraph store, graph.trig and events.csv):",
            "",
            "| articles | characters an article | worker processes (`--jobs`) | seconds | articles/s |",
            "|---:|---:|---:|---:|---:|",
        ]
        for e in _runs(data["end_to_end"]):
            chars = e.get("chars_per_article")
            lines.append(
                f"| {e['articles']} | {_f(chars, ',')} | {e.get('jobs', 1)} | {e['seconds']:.1f} "
                f"| **{e['articles_per_s']:.1f}** |"
            )
        lines += [
            "",
            "`default` is the command without `-j`: worker processes from 200 articles, one per CPU up to 4.",
        ]
        lines += _seed_sections(data)
    lines += ["", "## Reading it", "", *_reading(data)]
    if PROFILE.is_file():
        lines += ["", PROFILE.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def _ceiling(end_to_end: dict | list) -> dict | None:
    return next((e["store_ceiling"] for e in _runs(end_to_end) if e.get("store_ceiling")), None)


def _seed_sections(data: dict) -> list[str]:
    """Where a seed-sized article's time goes: extraction by component, and what the store alone allows."""
    lines: list[str] = []
    stages, ceiling = data.get("seed_extraction"), _ceiling(data["end_to_end"])
    if stages:
        ms = stages["ms_per_article"]
        lines += [
            "",
            f"### Seed-sized articles: extraction by spaCy component ({stages['articles']} articles, one process)",
            "",
            "| component | ms an article |",
            "|---|---:|",
            *(f"| {name} | {value:.1f} |" for name, value in ms.items()),
            f"| **all** | **{sum(ms.values()):.1f}** ({1000 / sum(ms.values()):.1f} articles/s) |",
        ]
    if ceiling:
        n, q = ceiling["articles"], ceiling["quads_per_article"]
        lines += [
            "",
            f"### Seed-sized articles: what the store alone allows ({n} articles, {q:,.0f} quads an article)",
            "",
            "The quads the build wrote (each article's graph and its entailments) loaded again into new Oxigraph",
            "stores, with no conflictkg code inside the timing:",
            "",
            "| how | seconds | quads/s | articles/s at most |",
            "|---|---:|---:|---:|",
        ]
        for key, label in (
            ("transaction_per_article_s", "on disk, one transaction an article (`put_graphs`)"),
            ("one_bulk_load_s", "on disk, one `bulk_load` of all (atomic; `build` loads ~25,000-triple batches so)"),
            ("memory_per_article_s", "in memory, one load an article"),
        ):
            sec = ceiling[key]
            lines.append(f"| {label} | {sec:.2f} | {n * q / sec:,.0f} | {n / sec:.1f} |")
        lines += ["", f"100 articles/s of this size means writing {100 * q:,.0f} quads/s."]
    return lines


def _runs(end_to_end: dict | list) -> list[dict]:
    """End-to-end runs (earlier results files hold a single one)."""
    return end_to_end if isinstance(end_to_end, list) else [end_to_end]


def _reading(data: dict) -> list[str]:
    """The targets of the benchmark issue, checked against this run's figures."""
    sizes = data["sizes"]
    out = []
    for key, label in (("reason", "Reasoning"), ("validate", "Validation")):
        per = [(r["articles"], 1000 * r[f"{key}_s"] / r["articles"]) for r in sizes]
        text = ", ".join(f"{ms:.1f} ms at {n}" for n, ms in per)
        base = [r for r in sizes if f"baseline_{key}_s" in r]
        if base:
            b = base[-1]
            ratio = b[f"baseline_{key}_s"] / b[f"{key}_s"]
            text += f"; {ratio:.0f}× faster than the baseline at {b['articles']} articles"
        out.append(f"- {label} per article: {text}.")
    big = sizes[-1]
    ref = next((r for r in sizes if r["articles"] >= 100), sizes[0])
    if big is not ref:
        ratios = []
        for key, label in (
            ("extract", "extraction"),
            ("graph", "graphs"),
            ("reason", "reasoning"),
            ("validate", "validation"),
            ("load_oxigraph", "Oxigraph loading"),
        ):
            before, after = ref[f"{key}_s"] / ref["articles"], big[f"{key}_s"] / big["articles"]
            ratios.append(f"{label} {after / before:.2f}")
        out.append(
            f"- Cost per article at {big['articles']:,} articles against {ref['articles']:,} (1.00 = flat): "
            + ", ".join(ratios)
            + "."
        )
    out.append(
        f"- Revalidating one changed article: {1000 * big['revalidate_one_s']:.0f} ms, against "
        f"{big['validate_s']:.1f} s for the whole {big['articles']}-article corpus "
        f"({big['revalidate_one_s'] / big['validate_s']:.4f} of it)."
    )
    if data.get("million"):
        m = data["million"]["query_oxigraph"]
        slow = sorted(n for n, q in m.items() if q["median_ms"] >= 100)
        out.append(
            f"- Pack queries on {data['million']['triples']:,} triples: "
            f"{sum(q['median_ms'] < 100 for q in m.values())} of {len(m)} have a median under 100 ms"
            + (f"; over it: {', '.join(slow)}." if slow else ".")
        )
    if data.get("end_to_end"):
        runs = ", ".join(
            f"{e['articles_per_s']:.1f} at {e['articles']} of {_f(e.get('chars_per_article'), ',')} characters"
            f" (--jobs {e.get('jobs', 1)})"
            for e in _runs(data["end_to_end"])
        )
        out.append(f"- End to end: articles/s {runs} (target: 100 at 1,000).")
        ceiling = _ceiling(data["end_to_end"])
        if ceiling:
            n, q = ceiling["articles"], ceiling["quads_per_article"]
            out.append(
                f"- The store alone, on seed-sized articles ({q:,.0f} quads each), allows at most "
                f"{n / ceiling['transaction_per_article_s']:.0f} articles/s written one transaction an article, "
                f"{n / ceiling['one_bulk_load_s']:.0f} in one bulk load (as `build` now writes, in batches) and "
                f"{n / ceiling['memory_per_article_s']:.0f} in memory, before any extraction, reasoning or validation."
            )
    return out


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, style in (("reason", "reasoning", "o"), ("validate", "validation", "s")):
        xs = [r["articles"] for r in data["sizes"]]
        ax.plot(xs, [r[f"{key}_s"] / r["articles"] for r in data["sizes"]], f"-{style}", label=f"{label}, ours")
        base = [r for r in data["sizes"] if f"baseline_{key}_s" in r]
        if base:
            ax.plot(
                [r["articles"] for r in base],
                [r[f"baseline_{key}_s"] / r["articles"] for r in base],
                f"--{style}",
                label=f"{label}, baseline",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles in the corpus")
    ax.set_ylabel("seconds per article")
    ax.set_title("conflictkg against one merged rdflib + owlrl + pyshacl pass")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--baseline-max", type=int, default=100)
    parser.add_argument("--rdflib-max", type=int, default=10)
    parser.add_argument(
        "--closure-max", type=int, default=1000, help="Time the baseline's owlrl closure (alone) up to this size."
    )
    parser.add_argument("--repeats", type=int, default=7, help="Runs of each pack query (median and p95).")
    parser.add_argument(
        "--chunk", type=int, default=500, help="Articles per chunk of the stage timings (graphs are not all held)."
    )
    parser.add_argument("--million", action="store_true", help="Also the 1M-triple store and end to end.")
    parser.add_argument("--corpora", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--png", type=Path, default=PNG)
    parser.add_argument("--from-json", type=Path, help="Only rewrite the doc and plot from figures saved earlier.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args()
    if args.one is not None:
        path = gen.write(args.corpora / f"corpus-{args.one}.jsonl", args.one)
        fig = measure(args.one, path, args.baseline_max, args.rdflib_max, args.repeats, args.closure_max, args.chunk)
        print(json.dumps(fig))
        return
    if args.from_json:
        data = json.loads(args.from_json.read_text())
    else:
        data = {
            "machine": {
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.system(),
            },
            "baseline_max": args.baseline_max,
            "rdflib_max": args.rdflib_max,
            "sizes": [],
        }

        def save() -> None:  # after every step, so a run stopped early still leaves its figures
            write_atomic(args.out, json.dumps(data, indent=2) + "\n")
            if args.doc:
                write_atomic(args.doc, markdown(data))

        for n in args.sizes:
            cmd = [sys.executable, __file__, "--one", str(n), "--corpora", str(args.corpora)]
            cmd += ["--baseline-max", str(args.baseline_max), "--rdflib-max", str(args.rdflib_max)]
            cmd += ["--repeats", str(args.repeats), "--closure-max", str(args.closure_max), "--chunk", str(args.chunk)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            fig = json.loads(done.stdout.strip().splitlines()[-1])
            data["sizes"].append(fig)
            print(json.dumps(fig), flush=True)
            save()
        if args.million:
            # End to end at 1,000 (the target's size; one process and two workers) and at the largest size.
            data["end_to_end"] = []
            at = min(1000, max(args.sizes))
            runs = [(args.corpora / f"corpus-{at}.jsonl", jobs) for jobs in (1, 2, None)]
            if max(args.sizes) > at:
                runs.append((args.corpora / f"corpus-{max(args.sizes)}.jsonl", None))
            seeds = seed_sized(args.corpora / f"seed-sized-{at}.jsonl", at)
            runs.append((seeds, None))
            for path, jobs in runs:
                data["end_to_end"].append(end_to_end(path, jobs, ceiling=200 if path == seeds else 0))
                print(json.dumps(data["end_to_end"][-1]), flush=True)
                save()
            data["seed_extraction"] = extraction_stages(seeds, 200)
            save()
            seed_corpus = args.corpora / f"corpus-{min(1000, max(args.sizes))}.jsonl"
            data["million"] = million(seed_corpus, 1_000_000, args.repeats)
            print(json.dumps(data["million"]), flush=True)
            save()
    if args.doc:
        write_atomic(args.doc, markdown(data))
    if args.png:
        plot(data, args.png)


if __name__ == "__main__":
    main()
