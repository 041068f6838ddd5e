"""`conflictkg eval`: the matcher on small hand-made cases, bad gold input, the split's hashes, and the whole
corpus against the recorded figures (eval/baseline.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conflictkg import evaluate as ev
from conftest import ROOT, run_cli

GOLD = ROOT / "eval" / "gold"
SPLITS = ROOT / "eval" / "splits.yaml"
BASELINE = ROOT / "eval" / "baseline.json"


def row(cls="TerritoryTaken", status="completed", location="Hajin", side1=(), side2=(), **kw) -> ev.Row:
    base = {
        "article": "a",
        "event_class": cls,
        "status": status,
        "location": ev.canonical(location),
        "side1": [ev.canonical(a) for a in side1],
        "side2": [ev.canonical(a) for a in side2],
        "event_date": "2017-10-30",
        "time_precision": 3,
        "attributed_to": "",
        "evidence": "x",
        "char_start": 0,
        "char_end": 1,
    }
    base.update(kw)
    return ev.Row(**base)


# --------------------------------------------------------------------------- names and matching


def test_names_are_compared_through_the_gazetteer_and_without_cue_words():
    assert ev.canonical("ISIS") == ev.canonical("داعش") == "Islamic State"
    assert ev.canonical("Albu Kamal") == ev.canonical("البوكمال") == "Abu Kamal"
    assert ev.canonical("منطقة الزله") == ev.canonical("الزلة")  # unknown place: cue word and spelling aside
    assert ev.canonical("قرية الجرذي") != ev.canonical("الجرذي الشرقي")


def test_actors_are_compatible_when_they_overlap_or_one_side_is_silent():
    assert ev.compatible(["Syrian Democratic Forces"], [])
    assert ev.compatible([], ["Islamic State"])
    assert ev.compatible(["Iraqi Army"], ["Iraqi Security Forces"])  # a member of the other
    assert not ev.compatible(["Syrian Arab Army"], ["Syrian Democratic Forces"])


def test_class_must_be_the_same_and_a_predicted_parent_does_not_count():
    assert ev.can_match(row("TerritoryTaken"), row("TerritoryTaken"))
    assert not ev.can_match(row("TerritoryTaken"), row("TerritoryRegained"))
    assert not ev.can_match(row("TerritoryTaken"), row("TerritorialChange"))
    assert ev.can_match(row("TerritorialChange", parent_ok=True), row("TerritoryRegained"))


def test_location_and_actors_decide_a_match_and_status_is_scored_apart():
    gold = [row(side1=["Syrian Democratic Forces"], status="completed")]
    assert ev.match(gold, [row(location="Abu Kamal", side1=["Syrian Democratic Forces"])])[0] == []
    assert ev.match(gold, [row(side1=["Syrian Arab Army"])])[0] == []
    pairs, misses, fas = ev.match(gold, [row(side1=["SDF"], status="planned")])
    assert len(pairs) == 1 and not misses and not fas
    summary = ev._summary([ev.ArticleScore(_article([]), pairs, misses, fas, [pairs[0][1]], gold, [], True)])
    assert summary["events"]["f1"] == 1.0 and summary["status_accuracy"] == 0.0


def test_pairs_are_one_to_one_and_prefer_the_same_status():
    gold = [row(status="planned"), row(status="completed")]
    pred = [row(status="completed")]
    pairs, misses, fas = ev.match(gold, pred)
    assert [(g.status, p.status) for g, p in pairs] == [("completed", "completed")]
    assert [m.status for m in misses] == ["planned"] and not fas


def test_precision_recall_and_f1():
    assert ev.prf(3, 4, 6) == {"precision": 0.75, "recall": 0.5, "f1": 0.6, "tp": 3, "pred": 4, "gold": 6}
    assert ev.prf(0, 0, 0)["f1"] == 1.0 and ev.prf(0, 2, 0)["precision"] == 0.0


def test_must_not_rows_and_nonfactual_exported_as_completed_are_counted():
    rule = ev.MustNot("TerritoryTaken", "البوكمال", "completed")
    assert ev.forbidden(rule, row(location="Abu Kamal"))
    assert not ev.forbidden(rule, row(location="Abu Kamal", status="planned"))
    assert ev.forbidden(ev.MustNot("TerritoryTaken", "Abu Kamal", None), row(location="Abu Kamal", status="planned"))
    gold = [row(status="possible")]
    pairs, _, _ = ev.match(gold, [row(status="completed")])
    summary = ev._summary([ev.ArticleScore(_article([]), pairs, [], [], [pairs[0][1]], gold, [], True)])
    assert summary["nonfactual_as_completed"] == 1


def _article(events: list, **kw) -> ev.GoldArticle:
    return ev.GoldArticle("900", "900_t", "dev", "", Path("t.txt"), Path("t.gold.yaml"), "", "ar", events, [], **kw)


# --------------------------------------------------------------------------- end to end on an article not in the corpus

TEXT = "سيطرت قوات سوريا الديمقراطية أمس على بلدة هجين. وتستعد القوات لاقتحام مدينة البوكمال."


def _write_gold(folder: Path, events: list[dict], must_not: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "900_test.txt").write_text(TEXT, encoding="utf-8")
    (folder / "900_test.json").write_text(json.dumps({"date": "2017-10-30", "source": "", "lang": "ar"}))
    gold = {"article": "900_test", "split": "dev", "events": events, "must_not": must_not or []}
    path = folder / "900_test.gold.yaml"
    path.write_text(yaml.safe_dump(gold, allow_unicode=True), encoding="utf-8")
    return path


def _gold_row(evidence: str, **kw) -> dict:
    start = TEXT.index(evidence)
    return {"evidence": evidence, "char_start": start, "char_end": start + len(evidence), **kw}


def test_eval_end_to_end_on_a_small_gold_folder(tmp_path):
    taken = _gold_row(
        "سيطرت قوات سوريا الديمقراطية أمس على بلدة هجين",
        event_class="TerritoryTaken",
        status="completed",
        event_date="2017-10-29",
        time_precision=1,
        actor1="SDF",  # a single name instead of a list is tolerated
        location="Hajin",
    )
    planned = _gold_row(
        "وتستعد القوات لاقتحام مدينة البوكمال",
        event_class="TerritoryTaken",
        status="planned",
        actor1=[],
        location="Abu Kamal",
    )
    must = [{"event_class": "TerritoryTaken", "location": "Abu Kamal", "status": "completed", "why": "prepared"}]
    _write_gold(tmp_path / "gold", [taken, planned], must)
    result = run_cli("eval", tmp_path / "gold", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    dev = report["splits"]["dev"]
    assert dev["events"]["recall"] == 1.0 and dev["status_accuracy"] == 1.0 and dev["time_accuracy"] == 1.0
    assert dev["must_not_produced"] == 0 and dev["nonfactual_as_completed"] == 0 and dev["spans_exact"]
    text = run_cli("eval", tmp_path / "gold", "--format", "md").output
    assert "| dev | 1 |" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"char_start": 3}, "events[0].evidence"),
        ({"status": "done"}, "events[0].status"),
        ({"event_class": "Takeover"}, "events[0].event_class"),
        ({"event_date": "2017-13-01"}, "events[0].event_date"),
        ({"evidence": None}, "events[0].evidence"),
    ],
)
def test_bad_gold_is_refused_with_the_file_and_the_field(tmp_path, change, field):
    good = _gold_row("بلدة هجين", event_class="TerritoryTaken", status="completed", location="Hajin")
    path = _write_gold(tmp_path / "gold", [{**good, **change}])
    result = run_cli("eval", tmp_path / "gold")
    assert result.exit_code == 2
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and str(path) in message and field in message


def test_gold_that_is_not_yaml_is_refused(tmp_path):
    path = _write_gold(tmp_path / "gold", [])
    path.write_text("events: [unclosed", encoding="utf-8")
    result = run_cli("eval", tmp_path / "gold")
    assert result.exit_code == 2 and str(path) in result.output


# --------------------------------------------------------------------------- the corpus and its split


def test_every_gold_file_loads_and_its_evidence_is_exact():
    articles = ev.load_gold(GOLD)
    assert articles, "no gold articles"
    for art in articles:
        for g in art.events:
            assert art.text[g.char_start : g.char_end] == g.evidence


def test_heldout_files_match_their_recorded_hashes():
    splits = yaml.safe_load(SPLITS.read_text(encoding="utf-8"))
    assert not set(splits["dev"]) & set(splits["heldout"])
    recorded = splits.get("heldout_sha256") or {}
    for path in ev.articles_in(GOLD, splits["heldout"]):
        assert path.name in recorded, f"{path.name} is held out but has no hash in eval/splits.yaml"
        assert ev.sha256(path) == recorded[path.name], f"{path.name} changed: a deliberate change updates its hash"
    for name in recorded:
        assert (GOLD / name).is_file(), f"{name} has a hash but no file"


@pytest.fixture(scope="session")
def corpus_report() -> dict:
    """The whole corpus, dev and held-out, built once."""
    return ev.evaluate(ev.load_gold(GOLD))


def test_no_figure_falls_below_the_recorded_one(corpus_report):
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert ev.regressions(corpus_report, baseline, margin=0.02) == []


def test_truth_in_extraction_over_the_corpus(corpus_report):
    for split, summary in corpus_report["splits"].items():
        assert summary["nonfactual_as_completed"] == 0, split
        assert summary["spans_exact"], split
    # dev is tuned until it produces no forbidden row; held-out may not produce more than recorded (the
    # baseline test), since fixing it would mean reading it
    assert corpus_report["splits"]["dev"]["must_not_produced"] == 0


def test_members_of_one_state_force_are_one_side_but_rival_states_are_not():
    assert ev.compatible(["Joint Operations Command (Iraq)"], ["Iraqi Army"])
    assert not ev.compatible(["Iraqi Army"], ["Syrian Arab Army"])
