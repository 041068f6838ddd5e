"""Bad input, one file per case in tests/data/bad/: a one-line error naming the file and the reason,
the right exit code, nothing fetched from the network, nothing half-written."""

from __future__ import annotations

import gc
import json
import os
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from conflictkg import ingest
from conftest import ROOT, SEED, run_cli

BAD = ROOT / "tests" / "data" / "bad"


def _error_line(output: str, name: str) -> str:
    """The one line that names the file; fails if there is none."""
    lines = [line for line in output.splitlines() if name in line]
    assert lines, output
    return lines[0]


def _build(tmp_path: Path, *paths: Path, extra: tuple[str, ...] = ()):
    return run_cli("build", *paths, "-o", tmp_path / "out" / "graph.trig", "--store", "memory", "-q", *extra)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty article"),
        ("whitespace.txt", "empty article"),
        ("binary.txt", "binary file"),
        ("invalid_utf8.txt", "not valid UTF-8 (byte 0xe9"),
        ("cp1256.txt", "Windows-1256 Arabic: convert it with `iconv -f CP1256 -t UTF-8`"),
        ("utf16_nobom.txt", "UTF-16 text without a byte-order mark"),
        ("third_language.txt", "neither Arabic nor English"),
        ("impossible_date.txt", "YYYY-MM-DD (the date in its sidecar impossible_date.json; fix it there"),
        ("unknown_lang.txt", "unknown language 'fa'"),
        ("broken_sidecar.txt", "sidecar is not valid JSON"),
    ],
)
def test_unreadable_article_is_one_line_and_exit_2(tmp_path, name, reason):
    result = _build(tmp_path, BAD / name)
    assert result.exit_code == 2
    assert reason in _error_line(result.output, name.split(".")[0])  # the article or its sidecar
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_third_language_says_what_to_do(tmp_path):
    result = _build(tmp_path, BAD / "third_language.txt")
    assert "--lang ar or --lang en" in _error_line(result.output, "third_language.txt")


def test_cp1256_is_refused_never_mojibake():
    err = next(ingest.read([BAD / "cp1256.txt"]))
    assert isinstance(err, ingest.IngestError) and "iconv" in err.reason


@pytest.mark.parametrize("name", ["bom.txt", "utf16_bom.txt", "rtl_zw_marks.txt", "page.html"])
def test_accepted_articles_keep_offsets_and_names(tmp_path, name):
    result = _build(tmp_path, BAD / name, extra=("--date", "2017-10-30"))
    assert result.exit_code == 0, result.output
    art = next(ingest.read([BAD / name]))
    assert isinstance(art, ingest.Article) and not art.text.startswith("\ufeff")
    table = json.loads(run_cli("events", BAD / name, "--format", "json", "--date", "2017-10-30").output)
    assert table
    for row in table:  # offsets count code points of the text as read: BOM gone, marks kept
        assert art.text[row["char_start"] : row["char_end"]] == row["evidence"]
    assert any(r["actor1"] == "Syrian Democratic Forces" and r["location"] == "Al-Tanak oil field" for r in table)


def test_html_drops_scripts_styles_and_navigation():
    art = next(ingest.read([BAD / "page.html"]))
    assert "سيطرت قوات سوريا الديمقراطية" in art.text
    for dropped in ("tracking", "color", "الرئيسية", "تدمر", "موقع إخباري", "جميع الحقوق"):
        assert dropped not in art.text
    assert art.title == "حقل التنك"


def test_jsonl_good_records_built_bad_ones_listed_by_line(tmp_path):
    result = _build(tmp_path, BAD / "records.jsonl")
    assert result.exit_code == 1
    expected = {
        2: "malformed JSON",
        3: "missing field 'text'",
        4: "'text' must be a string, not list",
        5: "duplicate id 'good'",
        6: "not valid UTF-8 (byte 0xe9",
        7: "'2017-13-01' is not a real date",
        8: "'source' must be a string, not int",
        9: "a record must be a JSON object",
    }
    for line, reason in expected.items():
        assert reason in _error_line(result.output, f"records.jsonl:{line}:"), line
    rejected = [json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["record"] for r in rejected) == sorted(expected)
    assert "resource/article/good>" in (tmp_path / "out" / "graph.trig").read_text(encoding="utf-8")


def test_a_50_mb_article_is_refused_without_being_read(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # made at run time, never committed
        for _ in range(50):
            fh.write(("سيطرت قوات سوريا الديمقراطية على حقل التنك. " * 13_000).encode()[: 1 << 20])
    tracemalloc.start()
    err = next(ingest.read([big]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert isinstance(err, ingest.IngestError) and "over --max-bytes" in err.reason
    assert peak < 1 << 20
    result = _build(tmp_path, big)
    assert result.exit_code == 2 and "52,000,000 bytes is over --max-bytes" in _error_line(result.output, "big.txt")
    assert "--max-bytes" in run_cli("build", "--help").output


def test_bad_options_and_paths(tmp_path):
    seed = SEED
    for args, code, text in (
        (("--date", "2017-02-30"), 2, "not a real date"),
        (("--lang", "fa"), 2, "'fa' is not one of"),
        (("--max-bytes", "0"), 2, "--max-bytes"),
    ):
        result = _build(tmp_path, seed, extra=args)
        assert result.exit_code == code and text in result.output, result.output
    missing = _build(tmp_path, tmp_path / "nope.txt")
    assert missing.exit_code == 2 and "no such file" in _error_line(missing.output, "nope.txt")


def test_unwritable_output_is_one_line_exit_2(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    ttl = tmp_path / "ok.ttl"
    ttl.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    result = run_cli("export", ttl, "--format", "nt", "-o", blocker / "out.nt")
    assert result.exit_code == 2 and "cannot write it" in _error_line(result.output, "out.nt")
    result = _build(tmp_path, SEED, extra=("-o", blocker / "graph.trig"))
    assert result.exit_code == 2 and "cannot write the output" in _error_line(result.output, "graph.trig")
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


# RDF given to validate, query --data and export


@pytest.mark.parametrize(
    ("name", "where", "reason"),
    [
        ("syntax_error.ttl", "syntax_error.ttl:5:6", "A dot is expected"),
        ("unknown_prefix.ttl", "unknown_prefix.ttl:3:5", "prefix y: has not been declared"),
        ("broken.nt", "broken.nt:2:", "not valid nt"),
        ("broken.jsonld", "broken.jsonld:5:1", "not valid JSON-LD"),
        ("billion_laughs.rdf", "billion_laughs.rdf", "entity 'b' refused: nested"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "query", "export"])
def test_bad_rdf_names_file_line_and_column(command, name, where, reason):
    args = {
        "validate": ("validate", BAD / name),
        "query": ("query", "events/by_status", "--data", BAD / name),
        "export": ("export", BAD / name, "--format", "nt"),
    }[command]
    result = run_cli(*args)
    assert result.exit_code == 2
    line = _error_line(result.output, where)
    assert reason in line


def test_a_huge_literal_is_read(tmp_path):
    ttl = tmp_path / "huge.ttl"
    ttl.write_text('<http://example.org/a> <http://example.org/b> "' + "ا" * 2_000_000 + '" .\n', encoding="utf-8")
    result = run_cli("export", ttl, "--format", "nt")
    assert result.exit_code == 0 and len(result.output) > 2_000_000


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(b'{"@context": {"name": "http://schema.org/name"}}')

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    _Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    httpd.shutdown()
    httpd.server_close()


def _from_template(name: str, url: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    target.write_text((BAD / name).read_text(encoding="utf-8").replace("{SERVER}", url), encoding="utf-8")
    return target


def test_the_recorder_does_record(server):
    from urllib.request import urlopen

    url, requests = server
    with urlopen(f"{url}/probe") as reply:  # proves the server would see a fetch
        reply.read()
    assert requests == ["/probe"]


def test_owl_imports_are_never_followed(server, tmp_path):
    url, requests = server
    path = _from_template("owl_imports.ttl", url, tmp_path)
    assert run_cli("validate", path).exit_code in (0, 1)
    assert run_cli("query", "events/by_status", "--data", path).exit_code == 0
    assert run_cli("export", path, "--format", "nt").exit_code == 0
    assert requests == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("remote_context.jsonld", "remote JSON-LD context"),
        ("external_entity.rdf", "external or parameter entity 'e' refused"),
    ],
)
def test_nothing_is_fetched_while_parsing(server, tmp_path, name, reason):
    url, requests = server
    path = _from_template(name, url, tmp_path)
    for args in (("validate", path), ("query", "events/by_status", "--data", path), ("export", path, "--format", "nt")):
        result = run_cli(*args)
        assert result.exit_code == 2 and reason in _error_line(result.output, name)
    assert requests == []


def test_the_network_is_shut_while_parsing(server):
    from rdflib import Graph

    from conflictkg.export import ExportError, no_network

    url, requests = server
    with no_network(), pytest.raises(ExportError, match="never fetches"):
        doc = {"@context": f"{url}/c.jsonld", "@id": "http://a", "name": "x"}
        Graph().parse(data=json.dumps(doc), format="json-ld")
    assert requests == []


# SPARQL


def test_sparql_syntax_error_has_file_line_and_column(example_build):
    result = run_cli("query", BAD / "syntax_error.rq", "--data", example_build / "graph.trig")
    assert result.exit_code == 2
    assert "SPARQL syntax error" in _error_line(result.output, "syntax_error.rq:5:")


def test_service_is_refused(server, tmp_path, example_build):
    url, requests = server
    path = _from_template("service.rq", url, tmp_path)
    for source in (("--data", example_build / "graph.trig"), ("--store", f"oxigraph:{example_build / 'store'}")):
        result = run_cli("query", path, *source)
        assert result.exit_code == 2 and "SERVICE" in _error_line(result.output, "service.rq")
    assert requests == []


INJECTION = '" } ; DROP ALL ; #'


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_bound_values_are_terms_not_query_text(example_build, store):
    source = (
        ("--data", example_build / "graph.trig")
        if store == "memory"
        else ("--store", f"oxigraph:{example_build / 'store'}")
    )

    def rows(*binds: str) -> list[str]:
        gc.collect()  # an earlier in-process run's store handle, held by a traceback cycle, releases the lock
        args = [a for b in binds for a in ("--bind", b)]
        result = run_cli("query", "control/by_article", *source, *args, "--format", "csv")
        assert result.exit_code == 0, result.output
        return result.output.splitlines()[1:]

    everything = rows()
    assert everything
    assert rows("article_id=000_ad6e347ce071d57d") == everything
    assert rows('article_id="000_ad6e347ce071d57d"') == everything
    assert rows("article_id=another") == []
    assert rows(f"article_id={INJECTION}") == []  # one literal that matches nothing
    assert rows(f"article_id=000_ad6e347ce071d57d{INJECTION}") == []
    assert rows() == everything  # and nothing was dropped


def test_bind_errors_are_usage_errors(example_build):
    data = ("--data", example_build / "graph.trig")
    result = run_cli("query", "control/by_article", *data, "--bind", "nothing=1")
    assert result.exit_code == 2 and "no variable ?nothing" in result.output
    result = run_cli("query", "control/by_article", *data, "--bind", "no equals sign")
    assert result.exit_code == 2 and "expected NAME=VALUE" in result.output
    assert "--bind" in run_cli("query", "--help").output


def test_parse_term_reads_turtle_terms_or_plain_literals():
    from rdflib import Literal, URIRef

    from conflictkg.query import parse_binding

    assert parse_binding("x=<https://example.org/a>") == ("x", URIRef("https://example.org/a"))
    assert parse_binding('x="دير الزور"@ar') == ("x", Literal("دير الزور", lang="ar"))
    assert parse_binding("?x=ckg:TerritoryTaken")[1] == URIRef("https://w3id.org/conflictkg/ontology#TerritoryTaken")
    assert parse_binding("x=plain words")[1] == Literal("plain words")
    assert parse_binding(f"x={INJECTION}")[1] == Literal(INJECTION)
    assert parse_binding('x="a" . <urn:ckg:s> <urn:ckg:p> "b"')[1] == Literal('"a" . <urn:ckg:s> <urn:ckg:p> "b"')


# Files are written whole or not at all


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    from conflictkg import export

    target = tmp_path / "graph.nt"
    target.write_text("old\n", encoding="utf-8")
    ttl = tmp_path / "ok.ttl"
    ttl.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")

    def disk_full(fd: int) -> None:  # the data is half out when the disk fills up
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", disk_full)
    result = run_cli("export", ttl, "--format", "nt", "-o", target)
    assert result.exit_code == 2 and "No space left on device" in _error_line(result.output, "graph.nt")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert set(os.listdir(tmp_path)) == {"graph.nt", "ok.ttl"}  # no temporary file left behind
