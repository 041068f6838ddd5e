"""Reading articles: every bad input is one clear error naming the file, and the rest goes on."""

import datetime as dt
import json

import pytest

from conflictkg import ingest


def _one(path, **kw):
    items = list(ingest.read([path], **kw))
    assert len(items) == 1
    return items[0]


def test_txt_with_sidecar(tmp_path):
    (tmp_path / "a.txt").write_text("سيطرت قسد على حقل التنك.", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"date": "2017-10-30", "source": "Al-Akhbar", "lang": "ar"}))
    art = _one(tmp_path / "a.txt")
    assert isinstance(art, ingest.Article)
    assert art.id == "a" and art.date == dt.date(2017, 10, 30) and art.source == "Al-Akhbar" and art.lang == "ar"


def test_date_option_overrides_sidecar(tmp_path):
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"date": "2017-10-30"}))
    assert _one(tmp_path / "a.txt", date=dt.date(2017, 1, 2)).date == dt.date(2017, 1, 2)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty article"),
        (b"  \n\t ", "empty article"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        ("سيطرت قسد".encode("cp1256"), "not valid UTF-8"),
    ],
)
def test_bad_articles_are_reported_with_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    err = _one(path)
    assert isinstance(err, ingest.IngestError)
    assert reason in err.reason and str(path) in str(err)


def test_windows_1256_gets_a_hint(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes("سيطرت قوات سوريا الديمقراطية على حقل التنك النفطي".encode("cp1256"))
    assert "Windows-1256" in _one(path).reason


def test_bom_is_dropped_so_offsets_count_from_the_text(tmp_path):
    path = tmp_path / "b.txt"
    path.write_bytes("\ufeffنص".encode())
    assert _one(path).text == "نص"


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes("نص عربي".encode("utf-16"))
    assert _one(path).text == "نص عربي"


def test_html_keeps_text_and_drops_scripts_and_navigation(tmp_path):
    path = tmp_path / "p.html"
    path.write_text(
        "<html><head><title>T</title><script>var x=1</script></head><body><nav>menu</nav>"
        "<p>سيطرت قسد</p><p>على حقل التنك</p></body></html>",
        encoding="utf-8",
    )
    art = _one(path)
    assert "سيطرت قسد" in art.text and "var x" not in art.text and "menu" not in art.text
    assert art.title == "T"


def test_jsonl_good_records_survive_bad_ones(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "one", "text": "نص", "date": "2017-10-01"}),
                "{not json",
                json.dumps({"id": "two"}),
                json.dumps({"id": "one", "text": "نص آخر"}),
                json.dumps({"id": "three", "text": 5}),
                json.dumps({"id": "four", "text": "نص", "date": "2017-02-30"}),
                json.dumps({"id": "five", "text": "text", "lang": "xx"}),
            ]
        ),
        encoding="utf-8",
    )
    items = list(ingest.read([path]))
    good = [i for i in items if isinstance(i, ingest.Article)]
    bad = {i.record: i.reason for i in items if isinstance(i, ingest.IngestError)}
    assert [a.id for a in good] == ["one"]
    assert "malformed JSON" in bad[2]
    assert "missing field 'text'" in bad[3]
    assert "duplicate id" in bad[4]
    assert "'text' must be a string" in bad[5]
    assert "not a real date" in bad[6]
    assert "unknown language" in bad[7]


def test_missing_path_and_empty_folder(tmp_path):
    items = list(ingest.read([tmp_path / "nope.txt", tmp_path]))
    assert all(isinstance(i, ingest.IngestError) for i in items)
    assert "no such file" in items[0].reason and "no article files" in items[1].reason


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("ا" * 1000, encoding="utf-8")
    assert "--max-bytes" in _one(path, max_bytes=100).reason


def test_language_is_detected(tmp_path):
    (tmp_path / "e.txt").write_text("The SDF took the Al-Tanak oil field.", encoding="utf-8")
    assert _one(tmp_path / "e.txt").lang == "en"


def test_jsonl_is_read_a_record_at_a_time_with_the_limit_per_record(tmp_path):
    # A corpus file far over --max-bytes is read, since no single record is; an over-long record is
    # reported by its line and skipped, and the records after it still come out with their own line numbers.
    path = tmp_path / "corpus.jsonl"
    good = {"text": "سيطرت قوات سوريا الديمقراطية على حقل العمر.", "date": "2017-10-22"}
    lines = [json.dumps({**good, "id": f"a{i}"}, ensure_ascii=False) for i in range(50)]
    lines.insert(10, json.dumps({"id": "huge", "text": "ا" * 5000}, ensure_ascii=False))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    limit = 1000
    assert path.stat().st_size > 10 * limit
    items = list(ingest.read([path], max_bytes=limit))
    errors = [i for i in items if isinstance(i, ingest.IngestError)]
    articles = [i for i in items if not isinstance(i, ingest.IngestError)]
    assert [a.id for a in articles] == [f"a{i}" for i in range(50)]
    assert [a.record for a in articles][:11] == [*range(1, 11), 12]
    assert len(errors) == 1 and errors[0].record == 11 and "over --max-bytes 1,000" in errors[0].reason
