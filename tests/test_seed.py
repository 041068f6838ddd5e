"""What the seed article's graph must hold, and must not (issue 3), read from the events table."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import SEED


@pytest.fixture(scope="module")
def rows(example_build) -> list[dict]:
    return list(csv.DictReader(io.StringIO((example_build / "events.csv").read_text(encoding="utf-8"))))


def find(rows, **want) -> list[dict]:
    return [r for r in rows if all(r[k] == v for k, v in want.items())]


def test_every_evidence_is_the_exact_text(rows):
    text = SEED.read_text(encoding="utf-8")
    for r in rows:
        assert text[int(r["char_start"]) : int(r["char_end"])] == r["evidence"]


def test_iraqi_forces_and_pmf_regained_three_places_yesterday(rows):
    three = {"منطقة السبعين", "منطقة الزله", "معمل إسمنت القائم"}
    regained = [r for r in find(rows, event_class="TerritoryRegained", status="completed") if r["location"] in three]
    places = {r["location"] for r in regained}
    assert three <= places
    for r in regained:
        assert r["actor1"] == "Iraqi Security Forces"
        assert "Popular Mobilization Forces" in r["assoc_actor_1"]
        assert (r["event_date"], r["time_precision"]) == ("2017-10-29", "1")  # «أمس» in an article of 2017-10-30
        assert r["sub_event_type"] == "Government regains territory" and r["event_type"] == "Battles"


def test_unresolved_places_are_kept_and_marked(example_build):
    from rdflib import Dataset, Literal, Namespace

    ckg = Namespace("https://w3id.org/conflictkg/ontology#")
    ds = Dataset(default_union=True)
    ds.parse(example_build / "graph.trig", format="trig")
    unresolved = {
        str(ds.value(s, ds.namespace_manager.expand_curie("rdfs:label")))
        for s in ds.subjects(ckg.inGazetteer, Literal(False))
    }
    assert "منطقة الزله" in unresolved
    factory = next(s for s in ds.subjects(ckg.inGazetteer, Literal(False)) if "%D8%A7%D8%B3%D9%85%D9%86%D8%AA" in s)
    assert ds.value(factory, ckg.locatedIn) is not None  # «معمل إسمنت القائم» lies in Al-Qa'im


def test_sdf_took_al_tanak_and_advances_on_al_ward(rows):
    taken = find(rows, event_class="TerritoryTaken", status="completed", actor1="Syrian Democratic Forces")
    assert any("Tanak" in r["location"] for r in taken)
    assert any(r["sub_event_type"] == "Non-state actor overtakes territory" for r in taken)
    advance = find(rows, event_class="Advance", status="ongoing", actor1="Syrian Democratic Forces")
    assert any("Ward" in r["location"] for r in advance)


def test_negotiation_with_isis_through_tribal_mediators(example_build, rows):
    talks = find(rows, event_class="Negotiation")
    assert len(talks) == 1
    assert talks[0]["status"] == "ongoing" and talks[0]["attributed_to"] == "local sources"
    handovers = find(rows, event_class="TerritoryHandover")
    assert handovers and all(r["status"] == "possible" for r in handovers)
    assert {"Al-Busayrah"} <= {r["location"] for r in handovers} or len(handovers) >= 2


def test_rawa_besieged_and_cut_off_per_pmf_commander(rows):
    assert find(rows, event_class="Siege", location="Rawa, Iraq") or find(rows, event_class="Siege")
    cut = [r for r in find(rows, event_class="SupplyLinesCut") if "Rawa" in r["location"]]
    assert cut and cut[0]["status"] == "completed"
    assert "field commander" in cut[0]["attributed_to"] and "Popular Mobilization" in cut[0]["attributed_to"]
    assert cut[0]["actor2"] == "Islamic State"


def test_isis_moved_headquarters_per_coalition_spokesman_via_reuters(rows):
    moved = find(rows, event_class="HeadquartersMoved")
    assert len(moved) == 1
    r = moved[0]
    assert r["location"] == "Abu Kamal" and r["actor1"] == "Islamic State"
    assert r["attributed_to"] == "Ryan Dillon" and r["attributed_via"] == "Reuters"


def test_syrian_army_took_huwaijat_saker_and_began_demining(rows):
    # a state force taking a place in its own country takes it back: TerritoryRegained, a kind of TerritoryTaken
    taken = [
        r
        for r in find(rows, status="completed", actor1="Syrian Arab Army")
        if r["event_class"] in ("TerritoryTaken", "TerritoryRegained")
    ]
    assert {"Huwaijat Saker", "Al-Sina'a"} <= {r["location"] for r in taken}
    demining = find(rows, event_class="Demining", actor1="Syrian Arab Army")
    assert demining and all(r["status"] == "ongoing" for r in demining)


def test_clashes_in_mahkan(rows):
    assert find(rows, event_class="ArmedClash", location="Mahkan")


def test_bukamal_and_qaim_centre_not_taken_and_no_handover_happened(rows):
    for r in rows:
        if r["event_class"] in ("TerritoryTaken", "TerritoryRegained") and r["status"] in ("completed", "ongoing"):
            assert r["location"] not in ("Abu Kamal", "Al-Qa'im, Iraq"), r
        if r["event_class"] == "TerritoryHandover":
            assert r["status"] not in ("completed", "ongoing"), r


def test_planned_moves_are_planned(rows):
    planned = find(rows, status="planned", actor1="Syrian Arab Army", location="Abu Kamal")
    assert planned  # «يسعى الجيش السوري وحلفاؤه للوصول … البوكمال»
