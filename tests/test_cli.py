"""The command line of the contract: outputs, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from conflictkg.events import COLUMNS
from conftest import EXAMPLES, run_cli


def test_build_writes_graph_events_and_store(example_build):
    assert (example_build / "graph.trig").stat().st_size > 10_000
    assert (example_build / "store").is_dir()
    rows = list(csv.DictReader(io.StringIO((example_build / "events.csv").read_text(encoding="utf-8"))))
    assert rows and tuple(rows[0].keys())[: len(COLUMNS)] == COLUMNS
    assert not (example_build / "rejected.jsonl").exists()


def test_corrupt_articles_beside_a_good_one(seed_copy, tmp_path):
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (seed_copy / "latin1.txt").write_bytes("القوات".encode("cp1256"))
    out = tmp_path / "out"
    result = run_cli("build", seed_copy, "-o", out / "graph.trig", "--store", "memory", "-q")
    assert result.exit_code == 1
    for name, reason in (
        ("empty.txt", "empty article"),
        ("binary.txt", "binary file"),
        ("latin1.txt", "not valid UTF-8"),
    ):
        assert any(name in line and reason in line for line in result.output.splitlines()), result.output
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejected) == 3
    assert "000_ad6e347ce071d57d" in (out / "graph.trig").read_text(encoding="utf-8")


def test_nothing_readable_is_exit_2(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run_cli("build", tmp_path / "empty.txt", "-o", tmp_path / "g.trig", "--store", "memory")
    assert result.exit_code == 2
    assert "empty article" in result.output
    assert not (tmp_path / "g.trig").exists()


def test_bad_date_is_a_usage_error(tmp_path):
    result = run_cli("build", EXAMPLES, "--date", "2017-13-45", "--store", "memory", "-o", tmp_path / "g.trig")
    assert result.exit_code == 2 and "not a real date" in result.output


def test_unknown_store_is_a_usage_error(tmp_path):
    result = run_cli("build", EXAMPLES, "--store", "postgres:x", "-o", tmp_path / "g.trig")
    assert result.exit_code == 2 and "unknown store" in result.output


def test_events_from_graph_and_from_articles_agree(example_build):
    from_graph = run_cli("events", example_build / "graph.trig", "--format", "csv")
    from_articles = run_cli("events", EXAMPLES, "--format", "csv")
    assert from_graph.exit_code == 0 and from_articles.exit_code == 0
    assert from_graph.output == from_articles.output == (example_build / "events.csv").read_text(encoding="utf-8")


def test_events_json(example_build):
    result = run_cli("events", example_build / "graph.trig", "--format", "json")
    rows = json.loads(result.output)
    assert rows and all(isinstance(r["char_start"], int) for r in rows)


def test_export_formats_round_trip(example_build, tmp_path):
    from rdflib import Dataset, Graph

    for fmt, suffix in (("turtle", "ttl"), ("nt", "nt"), ("jsonld", "jsonld"), ("nq", "nq"), ("trig", "trig")):
        target = tmp_path / f"g.{suffix}"
        result = run_cli("export", example_build / "graph.trig", "--format", fmt, "-o", target)
        assert result.exit_code == 0, result.output
        if fmt in ("nq", "trig"):
            parsed = Dataset()
            parsed.parse(target, format="nquads" if fmt == "nq" else "trig")
        else:
            parsed = Graph().parse(target, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
        assert len(parsed) > 1000


def test_export_of_broken_rdf_names_the_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b ", encoding="utf-8")
    result = run_cli("export", bad, "--format", "nt")
    assert result.exit_code == 2 and "bad.ttl" in result.output and "not valid turtle" in result.output


def test_query_syntax_error_names_file_and_position(tmp_path, example_build):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    result = run_cli("query", bad, "--data", example_build / "graph.trig")
    assert result.exit_code == 2
    assert "bad.rq" in result.output and "syntax error" in result.output


def test_unknown_pack_query_lists_the_packs(example_build):
    result = run_cli("query", "nope/nothing", "--data", example_build / "graph.trig")
    assert result.exit_code == 2 and "export/events" in result.output


def test_query_formats(example_build):
    for fmt in ("table", "csv", "tsv", "json"):
        result = run_cli("query", "events/by_status", "--data", example_build / "graph.trig", "--format", fmt)
        assert result.exit_code == 0, result.output
    data = json.loads(
        run_cli("query", "events/by_status", "--data", example_build / "graph.trig", "--format", "json").output
    )
    assert data["head"]["vars"] == ["event_class", "status", "events"]


def test_query_against_the_store(example_build):
    result = run_cli("query", "events/by_status", "--store", f"oxigraph:{example_build / 'store'}", "--format", "csv")
    via_file = run_cli("query", "events/by_status", "--data", example_build / "graph.trig", "--format", "csv")
    assert result.exit_code == 0 and result.output == via_file.output


def test_packs_lists_every_query_with_a_summary():
    result = run_cli("packs")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert any(line.startswith("export/events") for line in lines)
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_help_teaches():
    assert "Typical session" in run_cli("--help").output
    for command in ("build", "validate", "query", "export"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_query_data_takes_several_files(example_build, tmp_path):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("@prefix x: <http://example.org/> . x:a x:b x:c .", encoding="utf-8")
    one = run_cli("query", "events/by_status", "--data", example_build / "graph.trig", "--format", "csv")
    two = run_cli("query", "events/by_status", "--data", example_build / "graph.trig", ttl, "--format", "csv")
    assert two.exit_code == 0 and two.output == one.output
    assert run_cli("query", "events/by_status", ttl).exit_code == 2


def test_query_without_a_store_says_what_to_do(tmp_path):
    result = run_cli("query", "events/by_status", "--store", f"oxigraph:{tmp_path / 'nothing-here'}")
    assert result.exit_code == 2 and "conflictkg build" in result.output
    assert not (tmp_path / "nothing-here").exists()


def test_an_unknown_oil_field_is_kept_not_rejected(tmp_path):
    art = tmp_path / "field.txt"
    art.write_text("سيطرت قوات سوريا الديمقراطية أمس على حقل الزهيرات النفطي.", encoding="utf-8")
    result = run_cli("build", art, "--date", "2017-10-30", "-o", tmp_path / "out" / "graph.trig", "--store", "memory")
    assert result.exit_code == 0, result.output
    events = (tmp_path / "out" / "events.csv").read_text(encoding="utf-8")
    assert "حقل الزهيرات" in events and "TerritoryTaken" in events


def test_summary_counts_articles_failing_shapes_among_rejections():
    from conflictkg.build import BuildResult, Rejection

    result = BuildResult(
        rejected=[
            Rejection("a.txt", "empty article"),
            Rejection("b.txt", "its graph fails 1 shape constraint(s)", article_id="b"),
        ]
    )
    assert result.counts()["articles_failing_shapes"] == 1


def test_build_writes_the_same_files_whether_the_store_is_read_by_two_threads_or_one(
    example_build, tmp_path, monkeypatch
):
    # With Oxigraph the TriG dump runs in a thread beside the events query; one after the other must give
    # the same bytes.
    from conflictkg.store import OxigraphStore

    monkeypatch.setattr(OxigraphStore, "concurrent_reads", False)
    out = tmp_path / "out"
    result = run_cli("build", EXAMPLES, "-o", out / "graph.trig", "--store", f"oxigraph:{out / 'store'}", "-q")
    assert result.exit_code == 0, result.output
    for name in ("graph.trig", "events.csv"):
        assert (out / name).read_bytes() == (example_build / name).read_bytes(), name


def test_querying_and_exporting_do_not_load_spacy():
    # spaCy takes about 1.3 s to import: a command that only reads a store or a file must not pay for it.
    code = (
        "import sys\n"
        "from conflictkg import cli, events, export, query, store\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'spacy'], 'spaCy was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
