"""Property tests on article-like text with the noise real corpora carry: diacritics, tatweel, clitics,
right-to-left marks and zero-width characters inside names. (test_normalize.py covers bare letters and
arbitrary Unicode; these build sentences that do produce events.)"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictkg.extract import extract
from conflictkg.graph import OA, article_graph
from conflictkg.ingest import Article

WORDS = [
    "سيطرت",
    "تسيطر",
    "استعادت",
    "قوات سوريا الديمقراطية",
    "وقوات النظام",
    "الجيش السوري",
    "تنظيم داعش",
    "على",
    "مدينة",
    "لمدينة",
    "والبوكمال",
    "دير الزور",
    "حقل التنك النفطي",
    "الميادين",
    "أمس",
    "وقال المرصد السوري",
    "إن",
    "تخطط",
    "نفت",
    "بعد معارك",
    "،",
    ".",
    "\n",
]
NOISE = ["\u064e", "\u0651", "\u064b", "\u0640", "\u200f", "\u200e", "\u200b", "\u200c", "\u200d", "\u2066", "\u2069"]


@st.composite
def noisy_articles(draw) -> str:
    """Sentences from real cue words, with marks slipped inside words (not only between them)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=25))
    out = []
    for word in words:
        chars = list(word)
        for _ in range(draw(st.integers(0, 2))):
            chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(NOISE)))
        out.append("".join(chars))
    return " ".join(out)


def _article(text: str) -> Article:
    return Article(id="prop", text=text, path="prop.txt", date=dt.date(2017, 10, 30), lang="ar")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noisy_articles())
def test_every_span_is_the_text_it_claims(text):
    events = extract(text)._.events
    for event in events:
        assert 0 <= event.char_start < event.char_end <= len(text)
        assert event.char_start <= event.trigger_start < event.trigger_end <= event.char_end
        mentions = [event.actor1, event.actor2, event.place, *event.assoc1, *event.assoc2, *event.parties]
        if event.attribution:
            mentions += [event.attribution.source, *event.attribution.via]
        for m in mentions:
            if m is not None:
                assert text[m.char_start : m.char_end] == m.text
    g, _ = article_graph(_article(text), events)

    for span in g.subjects(OA.exact, None):
        start, end, exact = (g.value(span, p) for p in (OA.start, OA.end, OA.exact))
        assert text[int(start) : int(end)] == str(exact)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noisy_articles())
def test_same_input_same_graph(text):
    first, _ = article_graph(_article(text), extract(text)._.events)
    second, _ = article_graph(_article(text), extract(text)._.events)
    assert sorted(first.serialize(format="nt").splitlines()) == sorted(second.serialize(format="nt").splitlines())


def test_marks_inside_a_name_still_find_it():
    clean = "سيطرت قوات سوريا الديمقراطية أمس على حقل التنك النفطي."
    marked = "سيطرت قوات سوريا\u200f الديمقراطية أمس على حقل الت\u200cنك النفطي."
    for text in (clean, marked):
        (event,) = [e for e in extract(text)._.events if e.cls == "TerritoryTaken"]
        assert (event.actor1.id, event.place.id) == ("sdf", "al-tanak-oil-field")
        assert text[event.place.char_start : event.place.char_end] == event.place.text
    assert "\u200c" in event.place.text  # the offsets point at the characters as read, marks included


def test_a_proclitic_before_a_cue_word_stays_outside_the_unknown_place():
    # Found by the property test: «لمدينة X» gave the mention «مدينة X» with offsets that took in the «ل».
    text = "تخطط سيطرت لمدينة سيطرت"
    places = [e.place for e in extract(text)._.events if e.place is not None]
    assert places and all(text[p.char_start : p.char_end] == p.text for p in places)
    assert places[0].text.startswith("مدينة")
