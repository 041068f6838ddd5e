"""The benchmark still runs (smallest size only). Never a timed test: it checks figures exist, not their values."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_on_the_smallest_corpus(tmp_path):
    out, doc, png = tmp_path / "bench.json", tmp_path / "performance.md", tmp_path / "performance.png"
    subprocess.run(
        [
            sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "10", "--repeats", "1", "--chunk", "4",
            "--corpora", str(tmp_path), "--out", str(out), "--doc", str(doc), "--png", str(png),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )  # fmt: skip
    (fig,) = json.loads(out.read_text())["sizes"]
    for key in ("extract_s", "extract_2proc_s", "graph_s", "reason_s", "validate_s", "load_oxigraph_s",
                "baseline_reason_s", "baseline_validate_s", "peak_rss_mb"):  # fmt: skip
        assert fig[key] > 0, key
    assert fig["conforms"] and fig["baseline_conforms"] and fig["entailments_equal"]
    assert set(fig["query_oxigraph"]) == set(fig["query_rdflib"]) and len(fig["query_oxigraph"]) >= 5
    assert "| 10 |" in doc.read_text() and png.read_bytes()[:4] == b"\x89PNG"
    assert len((tmp_path / "corpus-10.jsonl").read_text().splitlines()) == 10


def test_seed_sized_articles_are_as_long_as_the_example_and_build_end_to_end(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    example = len(next((ROOT / "examples").glob("*.txt")).read_text(encoding="utf-8"))
    path = bench.seed_sized(tmp_path / "a.jsonl", 3)
    assert path.read_bytes() == bench.seed_sized(tmp_path / "b.jsonl", 3).read_bytes()  # deterministic
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in records}) == 3 and all(len(r["text"]) >= example for r in records)
    fig = bench.end_to_end(path, None, ceiling=2)  # fails loudly if the build does
    assert fig["articles"] == 3 and fig["chars_per_article"] >= example and fig["jobs"] == "default"
    # The store's ceiling reloads what the build wrote: two articles, each with its graph and entailments.
    ceiling = fig["store_ceiling"]
    assert ceiling["articles"] == 2 and ceiling["quads_per_article"] > 100
    assert all(ceiling[k] > 0 for k in ("transaction_per_article_s", "one_bulk_load_s", "memory_per_article_s"))
    stages = bench.extraction_stages(path, 2)
    assert stages["articles"] == 2
    assert {"tokenizer", "ckg_normalizer", "ckg_matcher", "ckg_events"} <= set(stages["ms_per_article"])
    doc = "\n".join(bench._seed_sections({"end_to_end": [fig], "seed_extraction": stages}))
    assert "what the store alone allows (2 articles" in doc and "| ckg_events |" in doc
