"""Normalization makes matching keys and never moves offsets."""

from hypothesis import given, settings
from hypothesis import strategies as st

from conflictkg import normalize as norm
from conflictkg.extract import extract, pipeline


def test_letter_forms_collapse():
    assert norm.normalize("أإآٱ") == "اااا"
    assert norm.normalize("مدينة") == "مدينه"
    assert norm.normalize("إلى") == "الي"
    assert norm.normalize("حلفاؤه") == norm.normalize("حلفائه")


def test_diacritics_tatweel_and_invisible_marks_are_dropped():
    assert norm.normalize("تقدّمَ") == "تقدم"
    assert norm.normalize("الـــجيش") == "الجيش"
    assert norm.normalize("دير\u200f الزور\u200b") == "دير الزور"


def test_latin_is_casefolded():
    assert norm.normalize("Deir EZ-Zor") == "deir ez-zor"


def test_clitics_are_read_against_the_lexicon():
    lexicon = {"بوكمال", "مدينه", "قوات", "حلفاء", "سيطره", "سيطرت", "وادي"}
    assert norm.key_for("والبوكمال", lexicon) == ("بوكمال", "وال")
    assert norm.key_for("لمدينة", lexicon)[0] == "مدينه"
    assert norm.key_for("للقوات", lexicon)[0] == "قوات"
    assert norm.key_for("وحلفاؤه", lexicon)[0] == "حلفاء"
    # a word that starts with a clitic letter keeps it when the whole word is known
    assert norm.key_for("وادي", lexicon)[0] == "وادي"
    # «سيطرته» is the noun «سيطرة» + «ه», not the verb «سيطرت»
    assert norm.key_for("لسيطرته", lexicon)[0] == "سيطره"


def test_unknown_words_are_not_stripped():
    assert norm.key_for("وبينما", set()) == ("وبينما", "")


arabic_letters = st.sampled_from(
    [*"ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآؤئء", "\u064e", "\u0651", "\u0640", " ", "،", "«", "»", "\n"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(arabic_letters, min_size=1, max_size=300).map("".join))
def test_tokens_keep_their_offsets_on_arbitrary_arabic(text):
    doc = extract(text)
    for token in doc:
        assert text[token.idx : token.idx + len(token.text)] == token.text
    for event in doc._.events:
        assert 0 <= event.char_start < event.char_end <= len(text)


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=0, max_size=200))
def test_extraction_never_raises_on_arbitrary_unicode(text):
    extract(text)


def test_each_token_reads_its_own_clitics_from_the_doc():
    # The normalizer keeps one list per doc; a token's ``_.clitics`` must read its own entry, and a doc
    # the normalizer never saw reads as having none.
    doc = extract("وبالحشد الشعبي سيطر على البوكمال")
    assert [t._.clitics for t in doc] == ["وبال", "ال", "", "", "ال"]
    untouched = pipeline("ar").make_doc("والبوكمال")
    assert untouched[0]._.clitics == ""
