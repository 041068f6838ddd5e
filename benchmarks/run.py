"""Stage timings of conflictkg beside a naive rdflib + owlrl + pyshacl baseline, in the same run.

Usage:  python benchmarks/run.py [--copies 1 5 20] [--out benchmarks/results/latest.json] [--doc docs/performance.md]

The corpus is the example article repeated under distinct ids (a stand-in until the synthetic
corpus generator of the benchmark issue lands). For each size it measures, per stage:

  ours      extraction (spaCy pipe) → article graphs → proportionate OWL RL per article → SHACL per article
  baseline  the same article graphs merged into one rdflib Graph with the ontology and gazetteer →
            owlrl DeductiveClosure over the whole → one pyshacl.validate over the whole

and peak memory (RSS) of the process. Never run as a timed test: CI only checks that it still runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import owlrl  # noqa: E402
import pyshacl  # noqa: E402
from rdflib import Graph  # noqa: E402

from conflictkg import ingest  # noqa: E402
from conflictkg.extract import extract_many  # noqa: E402
from conflictkg.graph import article_graph, context_for, gazetteer_graph, ontology  # noqa: E402
from conflictkg.reason import gazetteer_inferred, reason  # noqa: E402
from conflictkg.validate import shapes, validate  # noqa: E402


def corpus(copies: int) -> list[ingest.Article]:
    (seed,) = [a for a in ingest.read([ROOT / "examples"]) if isinstance(a, ingest.Article)]
    return [
        ingest.Article(
            id=f"{seed.id}-{i:05d}", text=seed.text, path=seed.path, date=seed.date, source=seed.source, lang=seed.lang
        )
        for i in range(copies)
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(copies: int) -> dict:
    arts = corpus(copies)
    tokens = sum(len(a.text.split()) for a in arts)
    fig: dict = {"articles": copies, "tokens": tokens}

    t = time.perf_counter()
    docs = list(extract_many((a.text for a in arts), lang="ar"))
    fig["extract_s"] = time.perf_counter() - t

    t = time.perf_counter()
    built = [article_graph(a, d._.events) for a, d in zip(arts, docs, strict=True)]
    fig["graph_s"] = time.perf_counter() - t
    fig["triples"] = sum(len(g) for g, _ in built)

    gaz = gazetteer_graph() + gazetteer_inferred()
    t = time.perf_counter()
    contexts = [context_for(refs, gaz) for _, refs in built]
    inferred = [reason(g, c) for (g, _), c in zip(built, contexts, strict=True)]
    fig["reason_s"] = time.perf_counter() - t
    fig["inferred_triples"] = sum(len(i) for i in inferred)

    t = time.perf_counter()
    verdicts = [validate(g + i + c, label="x").conforms for (g, _), i, c in zip(built, inferred, contexts, strict=True)]
    fig["validate_s"] = time.perf_counter() - t
    fig["conforms"] = all(verdicts)

    # The naive baseline: one merged graph, full closure, one validation pass.
    merged = Graph()
    merged += ontology()
    merged += gazetteer_graph()
    for g, _ in built:
        merged += g
    t = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(merged)
    fig["baseline_reason_s"] = time.perf_counter() - t
    fig["baseline_closure_triples"] = len(merged)
    t = time.perf_counter()
    conforms, _, _ = pyshacl.validate(merged, shacl_graph=shapes(), inference="none")
    fig["baseline_validate_s"] = time.perf_counter() - t
    fig["baseline_conforms"] = bool(conforms)
    fig["peak_rss_mb"] = peak_rss_mb()
    return fig


def markdown(results: list[dict]) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`benchmarks/run.py`); raw figures in `benchmarks/results/latest.json`.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}.",
        "Corpus: the example article repeated under distinct ids. Times in seconds, whole stage, one process.",
        "",
        "| articles | extract | graph | reason (ours) | reason (baseline) | validate (ours) | validate (baseline) "
        "| asserted triples | inferred (ours) | closure (baseline) | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['articles']} | {r['extract_s']:.2f} | {r['graph_s']:.2f} | {r['reason_s']:.2f} "
            f"| {r['baseline_reason_s']:.2f} | {r['validate_s']:.2f} | {r['baseline_validate_s']:.2f} "
            f"| {r['triples']} | {r['inferred_triples']} | {r['baseline_closure_triples']} | {r['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Per article (seconds): ours reason / baseline reason, ours validate / baseline validate:",
        "",
    ]
    for r in results:
        n = r["articles"]
        lines.append(
            f"- {n} article(s): reason {r['reason_s'] / n:.3f} vs {r['baseline_reason_s'] / n:.3f}; "
            f"validate {r['validate_s'] / n:.3f} vs {r['baseline_validate_s'] / n:.3f}; "
            f"extraction {n / r['extract_s']:.1f} articles/s, {r['tokens'] / r['extract_s']:.0f} tokens/s"
        )
    last = results[-1]
    n = last["articles"]
    ours_r, base_r = last["reason_s"] / n, last["baseline_reason_s"] / n
    ours_v, base_v = last["validate_s"] / n, last["baseline_validate_s"] / n
    lines += [
        "",
        "Reading it (figures of this run, largest size):",
        "",
        f"- Reasoning: ours {ours_r:.3f} s an article, the baseline's one full closure {base_r:.3f} s an article "
        f"({ours_r / base_r:.1f}× the baseline). Ours closes each article with only the schema axioms and the "
        "gazetteer entities it names, so its cost per article stays flat as the corpus grows and it keeps only "
        "entailments about our resources; but owlrl costs about the same per triple either way, and re-closing "
        "the schema for every article is overhead the baseline pays once. Only the triples the schema's rules "
        "can use are given to owlrl (types and schema properties), which halved the cost without changing an "
        "entailment (tested against owlrl's full closure).",
        f"- Validation: ours {ours_v:.3f} s an article (one pyshacl call per article, so that a failing article "
        f"can be rejected alone, with each SHACL-SPARQL query text parsed once per run), the baseline "
        f"{base_v:.3f} s an article in one pass over the merged graph, where rdflib parses the same query "
        "again for every focus node (nine tenths of its time in a profile).",
        "- Extraction and graph building are a small share of the total.",
        "",
        "What this says to do next (the benchmark issue): entail what depends only on the ontology and gazetteer "
        "once and apply it per article without re-running the closure, and validate in batches without copying "
        "the context into every call.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--from-json", type=Path, help="Only rewrite the doc from figures saved earlier.")
    args = parser.parse_args()
    if args.from_json:
        from conflictkg.export import write_atomic

        write_atomic(args.doc, markdown(json.loads(args.from_json.read_text())))
        return
    results = []
    for n in args.copies:
        fig = measure(n)
        results.append(fig)
        print(json.dumps(fig), flush=True)
    from conflictkg.export import write_atomic

    write_atomic(args.out, json.dumps(results, indent=2) + "\n")
    if args.doc:
        write_atomic(args.doc, markdown(results))


if __name__ == "__main__":
    main()
