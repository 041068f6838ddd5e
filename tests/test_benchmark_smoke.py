"""The benchmark still runs (smallest size only). Never a timed test: it checks figures exist, not their values."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_on_one_article(tmp_path):
    out, doc = tmp_path / "bench.json", tmp_path / "performance.md"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--copies", "1", "--out", str(out), "--doc", str(doc)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (fig,) = json.loads(out.read_text())
    for key in ("extract_s", "reason_s", "validate_s", "baseline_reason_s", "baseline_validate_s", "peak_rss_mb"):
        assert fig[key] > 0
    assert fig["conforms"] and fig["baseline_conforms"]
    assert "| 1 |" in doc.read_text()
