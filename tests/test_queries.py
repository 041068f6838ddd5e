"""Every pack query has a header saying what it answers and for whom, and an expected result on the example.

Expected results live in tests/expected/<pack>/<name>.csv. Regenerate them after a deliberate change with
`python tests/test_queries.py --update` and review the diff like code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conflictkg.query import packs, run
from conflictkg.store import MemoryStore, QueryResult

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


if __name__ == "__main__" and "--update" in sys.argv:
    from conflictkg.build import build

    root = Path(__file__).resolve().parent.parent
    s = MemoryStore(build([root / "examples"]).dataset)
    for q in PACKS:
        target = EXPECTED / f"{q.name}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(canonical_csv(run(q, s)), encoding="utf-8")
        print("wrote", target)
