"""Arabic (and Latin) normalization for matching, never for output.

Normalization only ever produces *keys* for matching: spaCy tokens keep their
original text and character offsets, so every span we report still points at
the characters of the article as read. ``ckg_normalizer`` writes each token's
key into ``token.norm_`` (which ``PhraseMatcher(attr="NORM")`` matches on) and
the clitics it peeled off into ``token._.clitics``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable
from functools import lru_cache, partial

from spacy.language import Language
from spacy.tokens import Doc, Token

# Harakat, shadda, sukun, dagger alef, Quranic marks; tatweel; zero-width and bidi marks.
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # alef with hamza or madda → bare alef
        "ة": "ه",  # ta marbuta
        "ى": "ي",  # alef maqsura
        "ؤ": "ء",
        "ئ": "ء",  # hamza carriers: حلفاؤه / حلفائه → حلفاءه
        "ک": "ك",
        "ی": "ي",  # Persian letters that leak into Arabic text
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
    }
)
_ARABIC = re.compile("[\u0600-\u06ff]")
_TANWEEN_ALEF = re.compile("(\u064b\u0627|\u0627\u064b)$")

# Proclitics: conjunction, then preposition or future marker, then the article.
_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ل", "ك", "س")
# Pronoun suffixes, longest first.
_SUFFIXES = ("هما", "كما", "هم", "هن", "ها", "كم", "نا", "ه", "ي")


def normalize(text: str) -> str:
    """Character-level normalization: the form two spellings of one word share."""
    text = unicodedata.normalize("NFKC", text)
    text = _DROP.sub("", text).translate(_MAP)
    if not _ARABIC.search(text):
        return text.casefold()
    return text


def strip_marks(text: str) -> str:
    """Diacritics, tatweel and invisible marks removed; letters left as written."""
    return _DROP.sub("", text)


def strip_article(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def proclitic_readings(word: str) -> list[str]:
    """Keys of a normalized word with a proclitic peeled off («لدير» → «دير»), without suffix readings."""
    return [
        key
        for key, prefix in candidates(word)
        if prefix and not prefix.endswith("ال") and len(key) >= 3 and key != strip_article(word)
    ][:4]


def candidates(word: str) -> list[tuple[str, str]]:
    """(key, proclitics) readings of one normalized token, least stripped first.

    Prefix-only readings come before those that also drop a pronoun suffix, so
    «سيطرته» is read as the noun «سيطرة» + «ه» before the verb «سيطرت».
    """
    if not _ARABIC.search(word):
        return [(word, "")]
    seen: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    for conj in _CONJ:
        for prep in _PREP:
            prefix = conj + prep
            if not word.startswith(prefix) or len(word) - len(prefix) < 2:
                continue
            rest = word[len(prefix) :]
            if prep == "ل" and rest.startswith("ل") and len(rest) > 2:
                rest = "ا" + rest  # لل = ل + ال
                prefix += "ال"
            elif rest.startswith("ال") and len(rest) > 3:
                prefix += "ال"
            stems.append((strip_article(rest), prefix))
    for key, prefix in stems:
        seen.setdefault(key, prefix)
    for key, prefix in stems:
        if prefix.endswith("ال"):
            continue  # a definite noun takes no pronoun suffix: «الموصلة» is not «الموصل» + «ة»
        for suffix in _SUFFIXES:
            # With a prefix gone too, a short stem is more likely a misreading («واحدة» ≠ و+أحد+ة).
            shortest = 4 if prefix.rstrip("ال") else 2
            if key.endswith(suffix) and len(key) - len(suffix) >= shortest:
                stem = key[: -len(suffix)]
                if stem.endswith("ت"):
                    seen.setdefault(stem[:-1] + "ه", prefix)
                seen.setdefault(stem, prefix)
    return list(seen.items())


def key_for(word: str, lexicon: Container[str]) -> tuple[str, str]:
    """The key of the first reading that the lexicon knows, else the plain form."""
    norm = normalize(word)
    readings = candidates(norm)
    if _TANWEEN_ALEF.search(word) and norm.endswith("ا"):
        readings += candidates(norm[:-1])  # «هجوماً»: the alef carries the accusative tanween
    for key, prefix in readings:
        if key in lexicon:
            return key, prefix
    return strip_article(norm), ""


def phrase_key(words: Iterable[str]) -> str:
    """Normalized key of a phrase as a whole: used to compare names across articles."""
    return " ".join(strip_article(normalize(w)) for w in words if normalize(w))


# The normalizer keeps one list per doc (``doc._.clitics``); ``token._.clitics`` reads it. Reading a list is
# far cheaper than spaCy's per-token extension storage, and the event rules read every token's clitics.
if not Doc.has_extension("clitics"):
    Doc.set_extension("clitics", default=None)
if not Token.has_extension("clitics"):
    Token.set_extension("clitics", getter=lambda t: t.doc._.clitics[t.i] if t.doc._.clitics else "")


class Normalizer:
    """spaCy component: sets ``token.norm_`` to a lexicon-aware matching key."""

    def __init__(self, lexicon: frozenset[str]):
        self.lexicon = lexicon
        # News repeats its words: a word's key is worked out once per process (bounded, for long runs).
        self.key_for = lru_cache(maxsize=1 << 17)(partial(key_for, lexicon=lexicon))

    def __call__(self, doc: Doc) -> Doc:
        clitics = [""] * len(doc)
        for token in doc:
            if token.is_space or token.is_punct:
                continue
            key, prefix = self.key_for(token.text)
            token.norm_ = key or token.text
            clitics[token.i] = prefix
        doc._.clitics = clitics
        return doc


@Language.factory("ckg_normalizer", default_config={"lang": "ar"})
def make_normalizer(nlp: Language, name: str, lang: str) -> Normalizer:
    from .extract import knowledge  # the lexicon is everything the gazetteer and patterns name

    return Normalizer(knowledge(lang).lexicon)
