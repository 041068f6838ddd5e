"""Extraction: a spaCy pipeline that turns an article into events.

The pipeline is configured in ``patterns/pipeline.cfg`` and made of small
components registered by name, as spaCy does it:

``ckg_normalizer``  lexicon-aware Arabic matching keys (see :mod:`conflictkg.normalize`)
``ckg_sentences``   sentence boundaries at . ! ? ؟ and line breaks
``ckg_matcher``     gazetteer names and pattern words → ``doc.spans[...]``
``ckg_events``      assembles events with actors, place, status, time and attribution

Every offset is a character offset into the text as read: spans come from
spaCy tokens, which never move.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache

import numpy
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, NORM, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_prefix_regex, compile_suffix_regex

from . import normalize as norm
from .gazetteer import Gazetteer
from .gazetteer import load as load_gazetteer
from .resources import data_dir, read_yaml

_ARABIC_RE = re.compile("[\u0600-\u06ff]")
STATUSES = ("completed", "ongoing", "planned", "possible", "denied")
FACTUAL = frozenset({"completed", "ongoing"})
# Word lists from the patterns file matched as phrases and kept in doc.spans.
_WORD_LISTS = (
    "coordination",
    "report_cues",
    "continuation_cues",
    "complementizers",
    "name_stopwords",
    "locator_words",
    "origin_words",
    "destination_words",
    "outskirts_words",
    "near_words",
    "there_words",
    "opponent_cues",
    "mediator_cues",
    "clause_breaks",
    "role_links",
    "relative_words",
    "suppressors",
    "conjunctions",
    "between_cues",
    "recipient_cues",
    "support_cues",
    "denied_after",
    "name_adjectives",
    "along_words",
)


# --------------------------------------------------------------------------- knowledge


@dataclass
class Knowledge:
    """Gazetteer and patterns for one language, with the lexicon of every known word."""

    lang: str
    gazetteer: Gazetteer
    patterns: dict
    lexicon: frozenset[str]
    entity_phrases: dict[str, list[str]]  # match key → phrases
    cue_phrases: dict[str, list[str]]


def _words(phrases: Iterable[str]) -> Iterator[str]:
    for phrase in phrases:
        yield from str(phrase).split()


@lru_cache(maxsize=1 << 14)
def _lexicon_key(word: str) -> str:
    return norm.strip_article(norm.normalize(word))


@cache
def knowledge(lang: str = "ar") -> Knowledge:
    path = data_dir("patterns") / f"{lang}.yaml"
    if not path.exists():
        raise ValueError(f"no extraction patterns for language {lang!r} (looked for {path})")
    patterns = read_yaml(path)
    gaz = load_gazetteer()
    entity: dict[str, list[str]] = {}
    for entry in gaz.entries.values():
        names = list(entry.names["ar"]) + list(entry.names["en"])
        entity[f"{entry.kind}|{entry.id}"] = names
    for i, ctx in enumerate(gaz.contextual):
        entity[f"ctx|{i}"] = [ctx.form]
    # «حقلي باي حسن وآفانا»: after a dual cue the names go without their own cue word («حقل باي حسن»)
    singular = {norm.normalize(str(w)) for w in (patterns.get("dual_cues") or {}).values()}
    for entry in gaz.entries.values():
        if entry.kind != "place":
            continue
        bare = [
            n.split(maxsplit=1)[1]
            for n in entry.names["ar"]
            if len(n.split()) > 1 and norm.normalize(n.split()[0]) in singular
        ]
        if bare:
            entity[f"bare|{entry.id}"] = bare
    for role in patterns.get("roles", []):
        entity[f"role|{role['id']}"] = list(role["forms"])
    cues: dict[str, list[str]] = {}
    for trig in patterns.get("triggers", []):
        for reading in ("past", "present", "noun"):
            if trig.get(reading):
                cues[f"trigger|{trig['class']}|{reading}"] = list(trig[reading])
    for kind, forms in (patterns.get("status_cues") or {}).items():
        cues[f"status|{kind}"] = list(forms)
    for i, cue in enumerate(patterns.get("time_cues", [])):
        cues[f"time|{i}"] = list(cue["forms"])
    for day, forms in (patterns.get("weekdays") or {}).items():
        cues[f"weekday|{day}"] = list(forms)
    for month, forms in (patterns.get("months") or {}).items():
        cues[f"month|{month}"] = list(forms)
    for i, cue in enumerate(patterns.get("place_cues", [])):
        cues[f"place_cue|{i}"] = list(cue["forms"])
    for kind, forms in (patterns.get("scoped_cues") or {}).items():
        cues[f"scoped|{kind}"] = list(forms)
    for kind, forms in (patterns.get("status_after") or {}).items():
        cues[f"after|{kind}"] = list(forms)
    for i, ref in enumerate(patterns.get("references", [])):
        cues[f"ref|{i}"] = list(ref["forms"])
    for name in _WORD_LISTS:
        if patterns.get(name):
            cues[f"list|{name}"] = [str(w) for w in patterns[name]]
    near: list[str] = []
    for trig in patterns.get("triggers", []):
        near += list(trig.get("requires_near") or []) + list(trig.get("loser_cues") or [])
        for forms in (trig.get("requires_near_for") or {}).values():
            near += list(forms)
    for cue in patterns.get("place_cues", []):
        near += list(cue.get("name_ends_at") or [])
    for name in ("pluperfect", "complement_links", "auxiliaries", "purpose_before"):
        near += [str(w) for w in patterns.get(name) or []]  # single words compared by their key
    words = {*_words(p for ps in entity.values() for p in ps), *_words(p for ps in cues.values() for p in ps), *near}
    keys = {k for k in (_lexicon_key(w) for w in words) if k}
    # A name written with a clitic («للأنبار», «لدير») must not teach the normalizer that the clitic
    # form is a word of its own: it would then never peel that clitic anywhere in the text.
    clitic_forms = {
        k
        for w in words
        if (k := _lexicon_key(w)) and any(r in keys for r in norm.proclitic_readings(norm.normalize(w)))
    }
    # Likewise «سيطرتها» in «أحكمت سيطرتها» is the noun «سيطرة» with a pronoun: as a word of its own it
    # would hide «أعلنت سيطرتها على» from the noun «السيطرة».
    possessed = {
        k
        for k in keys
        for suffix in ("ها", "ه", "هم", "هما")
        if k.endswith("ت" + suffix) and k[: -len(suffix) - 1] + "ه" in keys
    }
    lexicon = frozenset(keys - clitic_forms - possessed)
    return Knowledge(lang, gaz, patterns, lexicon, entity, cues)


# --------------------------------------------------------------------------- components

for _name in ("events",):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.factory("ckg_sentences")
def make_sentences(nlp: Language, name: str):
    ends = {".", "!", "?", "؟", "…"}

    def sentences(doc: Doc) -> Doc:
        # One array write: setting token.is_sent_start checks the whole doc's annotation on every call.
        starts = numpy.ones(len(doc), dtype="int64")
        prev = None
        for i, token in enumerate(doc):
            if prev is not None:
                closes = prev.is_punct and prev.text[-1] in ends and prev.text.strip(".") != ""
                closes = closes or (prev.text in ends)
                if not ((closes and not token.is_punct) or "\n" in prev.text):
                    starts[i] = -1
            prev = token
        if len(doc):
            doc.from_array([SENT_START], starts.view("uint64").reshape(-1, 1))  # -1: not a start
        return doc

    return sentences


def _phrase_matcher(nlp: Language, normalizer, phrases: dict[str, list[str]]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    for key, forms in phrases.items():
        docs = [normalizer(nlp.make_doc(str(f))) for f in forms if str(f).strip()]
        if docs:
            matcher.add(key, docs)
    return matcher


def _columns(doc: Doc) -> tuple[list[str], list[str], list[str], list[bool], list[bool]]:
    """Each token's text, norm, clitics, punctuation and blank (punctuation or space) flags as plain lists, read
    in one array call: the rules look tokens up by index many times, and each ``doc[i]`` makes a new Token."""
    text, strings = doc.text, doc.vocab.strings
    rows = doc.to_array([IDX, LENGTH, NORM, IS_PUNCT, IS_SPACE]).tolist() if len(doc) else []
    return (
        [text[i : i + n] for i, n, _, _, _ in rows],
        [strings[h] for _, _, h, _, _ in rows],
        list(doc._.clitics or [""] * len(doc)),  # the normalizer's list (a copy: the rules never write it)
        [bool(p) for _, _, _, p, _ in rows],
        [bool(p or sp) for _, _, _, p, sp in rows],
    )


class Matcher:
    """Marks gazetteer names (``doc.spans['entities']``) and pattern words (``doc.spans['cues']``)."""

    def __init__(self, nlp: Language, lang: str):
        kn = knowledge(lang)
        normalizer = norm.Normalizer(kn.lexicon)
        self.entities = _phrase_matcher(nlp, normalizer, kn.entity_phrases)
        self.acronyms = {
            key: {n.casefold() for n in names if n.isupper() and len(n) <= 4}
            for key, names in kn.entity_phrases.items()
        }
        # Entries whose one-word Arabic names all end in ta marbuta.
        self.ends_in_ta_marbuta = {
            key
            for key, names in kn.entity_phrases.items()
            if (single := [n for n in names if len(n.split()) == 1 and re.search("[\u0600-\u06ff]", n)])
            and all(n.endswith("ة") for n in single)
        }
        # For each gazetteer entry, the first words its Arabic names write with the article, and without.
        self.definite: dict[str, set[str]] = {}
        self.indefinite: dict[str, set[str]] = {}
        for key, names in kn.entity_phrases.items():
            if key.startswith(("place|", "actor|", "source|")):
                firsts = [norm.normalize(n.split()[0]) for n in names if n.split() and _ARABIC_RE.search(n)]
                self.definite[key] = {norm.strip_article(w) for w in firsts if w.startswith("ال")}
                self.indefinite[key] = {norm.key_for(w, kn.lexicon)[0] for w in firsts if not w.startswith("ال")}
        self.cues = _phrase_matcher(nlp, normalizer, kn.cue_phrases)
        self.dual_cues = {norm.normalize(str(w)) for w in (kn.patterns.get("dual_cues") or {})}

    def __call__(self, doc: Doc) -> Doc:
        found = []
        strings = doc.vocab.strings
        texts, norms, clitics, _, _ = _columns(doc)
        for k, s, e in self.entities(doc):
            key, text = strings[k], texts[s]
            if not self._article_agrees(text, norms[s], clitics[s], key):
                continue
            if e - s == 1 and (self._ta_marbuta_clash(text, key) or self._lowercase_acronym(text, key)):
                continue
            found.append(Span(doc, s, e, label=key))
        found = [f for f in found if not f.label_.startswith("bare|")] + self._bare_after_dual(doc, found)
        doc.spans["entities"] = spacy.util.filter_spans(found)  # longest name wins
        doc.spans["cues"] = [Span(doc, s, e, label=doc.vocab.strings[k]) for k, s, e in self.cues(doc)]
        return doc

    def _bare_after_dual(self, doc: Doc, found: list[Span]) -> list[Span]:
        """Names written without their cue word count only in a list opened by a dual cue («حقلي X وY»)."""
        out: list[Span] = []
        for span in sorted((f for f in found if f.label_.startswith("bare|")), key=lambda f: f.start):
            i = span.start - 1
            while i >= 0 and doc[i].text in "«»":
                i -= 1
            opens = i >= 0 and norm.normalize(doc[i].text) in self.dual_cues
            follows = bool(out) and (
                (out[-1].end == span.start and doc[span.start]._.clitics.startswith("و"))
                or (doc[out[-1].end : span.start].text.strip("«» ") == "و")
            )
            if opens or follows:
                out.append(Span(doc, span.start, span.end, label="place|" + span.label_.split("|", 1)[1]))
        return out

    def _article_agrees(self, text: str, norm_: str, clitics: str, key: str) -> bool:
        """«السورية» is the adjective, not the country «سورية», and «صور» ("pictures") is not the town
        «الصور»: an Arabic name matches a word only when both carry the article or neither does."""
        if not _ARABIC_RE.search(text):
            return True
        allowed = (self.definite if "ال" in clitics else self.indefinite).get(key)
        return allowed is None or norm_ in allowed

    def _lowercase_acronym(self, text: str, key: str) -> bool:
        """«is» is not «IS»: a short acronym matches only when written in capitals."""
        return text.casefold() in self.acronyms.get(key, ()) and not text.isupper()

    def _ta_marbuta_clash(self, text: str, key: str) -> bool:
        """«في حديثه» ("in his talk") is not the town «حديثة»: a one-word name spelt with ة does not
        match a word ending in the pronoun ه."""
        return key in self.ends_in_ta_marbuta and norm.strip_marks(text).endswith("ه")


@Language.factory("ckg_matcher", default_config={"lang": "ar"})
def make_matcher(nlp: Language, name: str, lang: str) -> Matcher:
    return Matcher(nlp, lang)


@Language.factory("ckg_events", default_config={"lang": "ar"})
def make_events(nlp: Language, name: str, lang: str):
    kn = knowledge(lang)

    def events(doc: Doc) -> Doc:
        doc._.events = EventAssembler(doc, kn).run()
        return doc

    return events


@cache
def pipeline(lang: str = "ar") -> Language:
    """The configured pipeline for a language (``patterns/pipeline.cfg``)."""
    config = spacy.util.load_config(data_dir("patterns") / "pipeline.cfg")
    config["nlp"]["lang"] = lang
    for comp in config["components"].values():
        if "lang" in comp:
            comp["lang"] = lang
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    # «لـ«قوات», «و«الحشد»: a clitic joined (by tatweel or not) to a quoted name is its own token.
    prefixes = [
        r"[\u0648\u0641]?[\u0628\u0644\u0643]\u0640+",
        r"[\u0648\u0641\u0628\u0644\u0643]{1,2}(?=«)",
        *nlp.Defaults.prefixes,
    ]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    # «العمليات».» and «البوكمال»،»: closing quotes and stops glued to a word are tokens.
    suffixes = [r"[»\)\]\.،؛؟!:]", *nlp.Defaults.suffixes]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


# --------------------------------------------------------------------------- event model


@dataclass
class Mention:
    kind: str  # place | actor | source | role | ctx
    start: int  # token indices
    end: int
    char_start: int
    char_end: int
    text: str
    id: str | None  # gazetteer id; None when unresolved
    type: str
    cue: str | None = None  # the cue word that found an unresolved place
    located_in: str | None = None  # for an unresolved facility named after a known place
    contextual: int | None = None  # index into gazetteer.contextual
    affiliation: str | None = None  # role sources: the body they speak for
    role_en: str | None = None

    @property
    def resolved(self) -> bool:
        return self.id is not None


@dataclass
class Attribution:
    source: Mention
    via: list[Mention]
    char_start: int
    char_end: int


@dataclass
class Event:
    cls: str
    status: str
    trigger_start: int  # char offsets of the trigger words
    trigger_end: int
    char_start: int  # evidence
    char_end: int
    sentence: tuple[int, int]
    actor1: Mention | None = None
    assoc1: list[Mention] = field(default_factory=list)
    actor2: Mention | None = None
    assoc2: list[Mention] = field(default_factory=list)
    place: Mention | None = None
    geo_precision: int = 1
    time_offset: int | None = None  # days before the article's date
    weekday: int | None = None
    # «في 22 أيلول», "on September 22": resolved in the article's year
    month_day: tuple[int, int] | None = None
    # «في اليوم التالي»: dated from the event told before it
    days_after_previous: int | None = None
    time_precision: int = 3
    time_expression: str | None = None
    attribution: Attribution | None = None
    parties: list[Mention] = field(default_factory=list)
    mediators: list[Mention] = field(default_factory=list)
    territory: list[Mention] = field(default_factory=list)
    outcomes: list[Event] = field(default_factory=list)

    @property
    def happened(self) -> bool:
        return self.status in FACTUAL


@dataclass
class _Trigger:
    cls: str
    reading: str
    start: int
    end: int
    status: str | None = None
    actor: Mention | None = None
    places: list[Mention] = field(default_factory=list)


def _label(span: Span) -> tuple[str, ...]:
    return tuple(span.label_.split("|"))


class EventAssembler:
    """Reads the marked-up doc sentence by sentence and builds events."""

    def __init__(self, doc: Doc, kn: Knowledge):
        self.doc = doc
        self.kn = kn
        self.texts, self.norms, self.clitics, self.punct, self.blank = _columns(doc)
        self.pat = kn.patterns
        self.gaz = kn.gazetteer
        self.triggers_cfg = {t["class"]: t for t in self.pat.get("triggers", [])}
        self.lists: dict[str, list[Span]] = {}
        self.status_cues: list[tuple[str, Span]] = []
        self.time_cues: list[tuple[dict, Span]] = []
        self.place_cues: list[tuple[dict, Span]] = []
        self.scoped_cues: list[tuple[str, Span]] = []
        self.after_cues: list[tuple[str, Span]] = []
        self.references: list[tuple[dict, Span]] = []
        raw_triggers: list[tuple[str, str, Span]] = []
        for span in doc.spans["cues"]:
            parts = _label(span)
            if parts[0] == "list":
                self.lists.setdefault(parts[1], []).append(span)
            elif parts[0] == "trigger":
                raw_triggers.append((parts[1], parts[2], span))
            elif parts[0] == "status":
                self.status_cues.append((parts[1], span))
            elif parts[0] == "time":
                self.time_cues.append((self.pat["time_cues"][int(parts[1])], span))
            elif parts[0] == "weekday":
                self.time_cues.append(({"weekday": int(parts[1]), "precision": 1}, span))
            elif parts[0] == "month":
                dated = self._day_of_month(span)
                if dated is not None:
                    self.time_cues.append(({"month_day": (int(parts[1]), dated[0]), "precision": 1}, dated[1]))
            elif parts[0] == "place_cue":
                self.place_cues.append((self.pat["place_cues"][int(parts[1])], span))
            elif parts[0] == "scoped":
                self.scoped_cues.append((parts[1], span))
            elif parts[0] == "after":
                self.after_cues.append((parts[1], span))
            elif parts[0] == "ref":
                self.references.append((self.pat["references"][int(parts[1])], span))
        for spans in self.lists.values():  # sorted, so that _any_in bisects
            spans.sort(key=lambda s: s.start)
        self._list_starts = {name: [s.start for s in spans] for name, spans in self.lists.items()}
        # Which word lists cover each token, so that position checks are lookups.
        self.token_lists: list[set[str]] = [set() for _ in self.texts]
        for name, spans in self.lists.items():
            for span in spans:
                for i in range(span.start, span.end):
                    self.token_lists[i].add(name)
        self.mentions = [self._mention(s) for s in doc.spans["entities"]]
        self.mentions = [m for m in self.mentions if not (m.kind == "place" and self._names_an_operation(m))]
        self.mentions += self._unresolved_places()
        self.mentions.sort(key=lambda m: m.start)
        self.mentions += self._references()
        self.mentions.sort(key=lambda m: m.start)
        covered = {i for m in self.mentions for i in range(m.start, m.end)}
        covered |= {i for _, s in self.after_cues for i in range(s.start, s.end)}  # "took place" is not "took"
        self.triggers = self._triggers(raw_triggers, covered)
        # Positions sorted once, so the per-event lookups below bisect instead of scanning the whole doc.
        self.actor_mentions = [m for m in self.mentions if m.kind == "actor"]
        self.place_mentions = [m for m in self.mentions if m.kind == "place"]
        self._place_starts = [m.start for m in self.place_mentions]
        self._trigger_starts = [t.start for t in self.triggers]
        self.parens = self._paren_depths()

    # ---- helpers over token positions

    def _in_list(self, name: str, i: int) -> bool:
        return name in self.token_lists[i]

    def _any_in(self, name: str, lo: int, hi: int) -> bool:
        spans = self.lists.get(name)
        if not spans:
            return False
        starts = self._list_starts[name]
        return any(spans[k].end <= hi for k in range(bisect_left(starts, lo), bisect_left(starts, hi)))

    def _clause_start(self, i: int, sent: Span, subject: bool = False) -> int:
        """Start of the clause holding token i.

        A fragment with no cue and no actor («، من استعادة») continues the clause
        before it. For subjects, a complementizer («أن», «إن») opens a clause too.
        """
        names = ("clause_breaks", "complementizers") if subject else ("clause_breaks",)
        breaks = sorted(s.end for n in names for s in self.lists.get(n, ()) if sent.start <= s.start and s.end <= i)
        lo = sent.start
        links = {_lexicon_key(str(w)) for w in self.pat.get("complement_links") or []}
        linked, end = False, i
        for b in reversed(breaks):
            fragment_has_content = any(b <= m.start < end for m in self.mentions) or any(
                b <= c.start < end for _, c in self.status_cues
            )
            if linked and not fragment_has_content:
                linked, end = False, b  # «تمكنت يوم الثلاثاء، مع الساعات الأولى للعمليات، من تحرير»: an aside
                continue
            timed = {j for _, c in self.time_cues for j in range(c.start, c.end)}
            words = [j for j in range(b, i) if j not in timed and not self.punct[j]]
            if not fragment_has_content and words and self.norms[words[0]] in links and len(words) <= 3:
                linked = True  # «، من تحرير …» completes the verb before the aside
                continue
            if fragment_has_content or len(words) > 3:
                lo = b
                break
        return lo

    def _words_forward(self, i: int, words: int, sent: Span) -> int:
        """The token index ``words`` words (punctuation not counted) after token i."""
        j = i
        while j < sent.end and words > 0:
            if not self.blank[j]:
                words -= 1
            j += 1
        return j

    def _words_back(self, i: int, words: int, sent: Span) -> int:
        """The token index ``words`` words (punctuation not counted) before token i."""
        j = i
        while j > sent.start and words > 0:
            j -= 1
            if not self.blank[j]:
                words -= 1
        return j

    def _paren_depths(self) -> list[int]:
        depth, out = 0, []
        for text in self.texts:
            if text == "(":
                depth += 1
            out.append(depth)
            if text == ")" and depth:
                depth -= 1
        return out

    def _mention(self, span: Span) -> Mention:
        kind, ident = _label(span)
        base = {
            "start": span.start,
            "end": span.end,
            "char_start": span.start_char,
            "char_end": span.end_char,
            "text": span.text,
        }
        if kind == "ctx":
            return Mention(kind="actor", id=None, type="Actor", contextual=int(ident), **base)
        if kind == "role":
            role = next(r for r in self.pat["roles"] if r["id"] == ident)
            return Mention(kind="role", id=ident, type="UnnamedSource", role_en=role["en"], **base)
        entry = self.gaz.entries[ident]
        return Mention(kind=kind, id=entry.id, type=entry.type, **base)

    def _unresolved_places(self) -> list[Mention]:
        """Places the gazetteer lacks, found by their cue word («بلدة X», «حقل X النفطي»)."""
        doc = self.doc
        starts = {m.start: m for m in self.mentions}
        taken = {i for m in self.mentions for i in range(m.start, m.end)}
        out: list[Mention] = []
        max_tokens = int(self.pat.get("max_name_tokens", 3))
        for cfg, cue in self.place_cues:
            # «المنطقة الحدودية»: a definite cue word is followed by an adjective, not a name; but a landmark
            # («المشفى الوطني») is named by just that.
            definite = "ال" in doc[cue.start]._.clitics
            if (definite and not cfg.get("definite_name")) or cue.start in taken or cue.end >= len(doc):
                continue
            if cue.end in starts:  # the gazetteer knows the name
                continue
            if cfg.get("head"):
                head = self._head_final_place(cue, cfg, taken, max_tokens)
                if head is not None:
                    out.append(head)
                continue
            i, name_end, located_in = cue.end, cue.end, None
            if definite:
                adjective = doc[i]
                if not _definite(adjective) or adjective.is_punct or self._in_list("name_stopwords", i):
                    continue
                name_end = i + 1
            elif doc[i].text == "«":
                close = next((j for j in range(i + 1, min(len(doc), i + 8)) if doc[j].text == "»"), None)
                if close is None or close == i + 1:
                    continue
                known = starts.get(i + 1)
                if known is not None and known.kind == "place":
                    # «محطة «T2»»: the gazetteer knows the name; the cue word joins its mention.
                    span = doc[cue.start : close + 1]
                    known.start, known.end = cue.start, close + 1
                    known.char_start, known.char_end, known.text = span.start_char, span.end_char, span.text
                    continue
                name_end = close + 1
            else:
                ends_at = {_lexicon_key(w) for w in cfg.get("name_ends_at") or []}
                while i < len(doc) and i - cue.end < max_tokens:
                    token = doc[i]
                    if (token.is_punct and token.text != "-") or token.is_space or token.like_num:
                        break
                    if i > cue.end and token._.clitics.startswith(("و", "ف")):
                        break  # «ومنطقة …»: a new conjunct
                    if token.norm_ in ends_at:
                        break
                    if i > cue.end and self._in_list("name_adjectives", i):
                        i += 1  # «قرية الجرذي الشرقي»
                        continue
                    if i in starts and starts[i].kind == "place":
                        if i > cue.end:  # «معمل إسمنت القائم»: named after a known place
                            located_in = starts[i].id
                            i = starts[i].end
                        break
                    if self._in_list("name_stopwords", i) or i in taken:
                        break
                    if self.pat.get("name_requires_capital") and not token.text[:1].isupper():
                        # «Al-Hamdan»: a hyphen between capitalised parts stays inside the name
                        joined = token.text == "-" and i + 1 < len(doc) and doc[i + 1].text[:1].isupper()
                        if not joined:
                            break
                    i += 1
                name_end = i
            if name_end <= cue.end or (located_in is None and name_end == cue.end):
                continue
            if located_in is None and all(self._in_list("name_stopwords", j) for j in range(cue.end, name_end)):
                continue
            span = doc[cue.start : name_end]
            out.append(
                Mention(
                    kind="place",
                    start=cue.start,
                    end=name_end,
                    # The mention starts after a proclitic («لمدينة X» → «مدينة X»), so text == its characters.
                    char_start=span.start_char + _proclitic_chars(span),
                    char_end=span.end_char,
                    text=_without_proclitics(span),
                    id=None,
                    type=cfg["type"],
                    cue=_without_proclitics(cue),
                    located_in=located_in,
                )
            )
        # An unresolved facility named after a known place replaces that place as a mention.
        inner = {(m.start, m.end) for m in out}
        self.mentions = [m for m in self.mentions if not any(s <= m.start and m.end <= e for s, e in inner)]
        return _longest_mentions(out)

    def _head_final_place(self, cue: Span, cfg: dict, taken: set[int], max_tokens: int) -> Mention | None:
        """ "Raqqa's National Hospital", "the municipal stadium": the words before a head cue name the place."""
        j = cue.start
        while j > 0 and cue.start - j < max_tokens:
            token = self.doc[j - 1]
            if not token.is_alpha or j - 1 in taken or self._in_list("name_stopwords", j - 1):
                break
            j -= 1
        if j == cue.start:
            return None
        span = self.doc[j : cue.end]
        return Mention(
            kind="place",
            start=j,
            end=cue.end,
            char_start=span.start_char,
            char_end=span.end_char,
            text=span.text,
            id=None,
            type=cfg["type"],
            cue=cue.text,
        )

    def _references(self) -> list[Mention]:
        """«المدينة», «الحقل»: the place of the reference's types named last before it — in its own sentence,
        else in the nearest of the three sentences before that names one. When that sentence names two
        («مدينتي القائم والبوكمال»), or the reference before was already unclear, it stays unresolved."""
        out: list[Mention] = []
        self._reference_not_before = {_lexicon_key(str(w)) for w in self.pat.get("reference_not_before") or []}
        taken = {i for m in self.mentions for i in range(m.start, m.end)}
        place_starts = {m.start for m in self.mentions if m.kind == "place"}
        sent_of = [0] * len(self.doc)
        for k, sent in enumerate(self._text_sentences):
            for i in range(sent.start, sent.end):
                sent_of[i] = k
        # (token, sentence, place id or None for an unclear reference, entry type)
        named = [
            (m.start, sent_of[m.start], m.id, self.gaz.entries[m.id].type)
            for m in self.mentions
            if m.kind == "place" and m.id and m.id in self.gaz.entries
        ]
        for cfg, span in sorted(self.references, key=lambda r: r[1].start):
            first = self.doc[span.start]
            if any(i in taken for i in range(span.start, span.end)) or (
                _ARABIC_RE.search(first.text) and "ال" not in first._.clitics
            ):
                continue  # "the town of Khasham": part of a name, no reference
            if span.end in place_starts or (
                span.end < len(self.doc) and self.norms[span.end] in self._reference_not_before
            ):
                continue  # «المدينة الرياضية في …», "the town of Khasham": a name follows, this is no reference
            types = set(cfg.get("types") or [])
            here = sent_of[span.start]
            target: str | None = None
            for k in range(here, max(-1, here - 4), -1):  # its sentence, else the nearest before naming one
                ids = [pid for i, sk, pid, t in named if sk == k and i < span.start and t in types]
                if ids:
                    target = ids[-1] if len(set(ids)) == 1 else None
                    break
            named.append((span.start, here, target, next(iter(types), "")))
            named.sort(key=lambda n: n[0])
            if target is None:
                continue
            out.append(
                Mention(
                    kind="place",
                    start=span.start,
                    end=span.end,
                    char_start=span.start_char,
                    char_end=span.end_char,
                    text=span.text,
                    id=target,
                    type=self.gaz.entries[target].type,
                )
            )
        return out

    def _day_of_month(self, month: Span) -> tuple[int, Span] | None:
        """The day written beside a month name («22 أيلول», "September 22", "22 Sept."), with the whole span."""
        doc = self.doc
        for i, lo, hi in ((month.start - 1, month.start - 1, month.end), (month.end, month.start, month.end + 1)):
            if 0 <= i < len(doc) and doc[i].like_num:
                digits = norm.normalize(doc[i].text)
                if digits.isdigit() and 1 <= int(digits) <= 31:
                    return int(digits), doc[lo:hi]
        return None

    def _names_an_operation(self, m: Mention) -> bool:
        """«معركة «عاصفة الجزيرة»», "the Cizire Storm operation": a place in an operation's name is no place."""
        ops = {_lexicon_key(str(w)) for w in self.pat.get("operation_words") or []}
        if not ops:
            return False
        window = range(max(0, m.start - 3), m.start)
        before = [i for i in window if not self.punct[i]]
        quoted = m.start > 0 and any(self.texts[i] in '«"“' for i in window)
        after = m.end if m.end < len(self.doc) else None
        return (quoted and any(self.norms[i] in ops for i in before[-2:])) or (
            after is not None and self.norms[after] in ops and self.texts[after][:1].isupper()
        )

    @cached_property
    def _text_sentences(self) -> list[Span]:
        """Sentences with words: blank lines between paragraphs do not count as sentences back."""
        out: list[Span] = []
        for sent in self.doc.sents:
            if sent.text.strip():
                out.append(sent)
            elif out:
                out[-1] = self.doc[out[-1].start : sent.end]
        return out

    def _implicit_place(self, trig: _Trigger, sent: Span) -> list[tuple[Mention, int, bool]]:
        """«تواصل فرق الهندسة نزع الألغام في الأبنية والطرقات»: work done where the report is, the last town or
        field named (or referred to) in this sentence or the two before; none when those name two."""
        sents = self._text_sentences
        k = next(i for i, s in enumerate(sents) if s.start <= sent.start < s.end)
        types = {"Town", "OilField", "GasField", "Neighbourhood", "Airport", "MilitaryBase"}
        for j in range(k, max(-1, k - 3), -1):
            lo, hi = sents[j].start, min(sents[j].end, trig.start)
            here = [m for m in self.mentions if m.kind == "place" and m.id and lo <= m.start < hi]
            here = [m for m in here if self.gaz.entries[m.id].type in types]
            if here:
                return [(here[-1], 2, False)] if len({m.id for m in here}) == 1 else []
        return []

    def _context_country(self, i: int) -> str | None:
        """The country of the last known place named before token i: where the article is when a place
        the gazetteer lacks is named."""
        for m in reversed(self.mentions):
            if m.kind == "place" and m.start < i and (m.id or m.located_in):
                country = self.gaz.country_of(m.id or m.located_in or "")
                if country:
                    return country
        # none before it: the country most of the article's known places lie in
        counts: dict[str, int] = {}
        for m in self.mentions:
            if m.kind == "place" and (m.id or m.located_in):
                country = self.gaz.country_of(m.id or m.located_in or "")
                if country:
                    counts[country] = counts.get(country, 0) + 1
        return max(counts, key=lambda c: counts[c]) if counts else None

    def _triggers(self, raw: list[tuple[str, str, Span]], covered: set[int]) -> list[_Trigger]:
        out = []
        for cls, reading, span in raw:
            if any(i in covered for i in range(span.start, span.end)):
                continue  # «الحشد الشعبي» is a name, not «حشد»
            if self._any_in("suppressors", max(0, span.start - 2), span.start):
                continue  # «من دون قتال»: a manner, not an event
            cfg = self.triggers_cfg[cls]
            near = list(cfg.get("requires_near") or [])
            for form, extra in (cfg.get("requires_near_for") or {}).items():
                if _lexicon_key(form) == span[0].norm_:
                    near += list(extra)
            if near:
                keys = {_lexicon_key(w) for w in near}
                reach = int(cfg.get("near_reach", 3))
                lo, hi = max(0, span.start - 3), min(len(self.doc), span.end + reach)
                if not any(self.norms[i] in keys for i in range(lo, hi)):
                    continue
            out.append(_Trigger(cls, reading, span.start, span.end))
        # Longest first; of two readings of one word («قطع»: verb or verbal noun) the noun, which claims less,
        # unless an auxiliary makes it a verb ("were fighting").
        aux = {str(w).casefold() for w in self.pat.get("auxiliaries") or []}

        def verb_after_aux(t: _Trigger) -> bool:
            return t.start > 0 and self.norms[t.start - 1] in aux

        out.sort(key=lambda t: (t.start, -t.end, (t.reading != "noun") != verb_after_aux(t)))
        kept: list[_Trigger] = []
        for t in out:  # one trigger per position, longest first
            if kept and t.start < kept[-1].end:
                continue
            kept.append(t)
        return kept

    # ---- the assembly

    def run(self) -> list[Event]:
        events: list[Event] = []
        paragraph_source: Attribution | None = None
        for sent in self.doc.sents:
            if sent.start > 0 and self.texts[sent.start - 1].count("\n") > 1:
                paragraph_source = None
            attributions, paragraph_source = self._attributions(sent, paragraph_source)
            ts = self._trigger_starts
            triggers = self.triggers[bisect_left(ts, sent.start) : bisect_left(ts, sent.end)]
            sent_events: list[Event] = []
            for k, trig in enumerate(triggers):
                prev = triggers[k - 1] if k else None
                nxt = triggers[k + 1].start if k + 1 < len(triggers) else sent.end
                sent_events += self._events_for(trig, prev, nxt, sent, attributions)
            self._link_negotiations(sent_events)
            events += sent_events
        self._carry_subjects(events)
        _date_from_previous(events)
        regains = self.pat.get("state_regains") or {}
        for e in events:
            if (
                e.cls in regains
                and e.actor1 is not None
                and e.place is not None
                and self._state_at_home(e.actor1, e.place)
            ):
                e.cls = regains[e.cls]
        # Talks need two parties («لم يكن طرفاً في المفاوضات» names one): with fewer there is no negotiation to report.
        events = [e for e in events if e.cls != "Negotiation" or len({_key(p) for p in e.parties}) >= 2]
        return _merge(events)

    def _trigger_text_key(self, trig: _Trigger) -> str:
        return " ".join(self.norms[trig.start : trig.end])

    def _carry_subjects(self, events: list[Event]) -> None:
        """A change of control that names no one («وإن الوحدات المتقدمة سيطرت على …») is the work of the
        subject the report was following: the last main actor named before it. With none, it is dropped,
        since a completed change with no actor tells no one who holds the place."""
        changes = set(self.pat.get("actor_required") or ())
        last: Mention | None = None
        kept: list[Event] = []
        for e in events:
            if e.actor1 is None and e.cls in changes and e.status == "completed":
                if last is None:
                    continue
                e.actor1 = self._resolve_actor(last, e.place)
            if e.actor1 is not None and e.actor1.kind == "actor":
                last = e.actor1
            kept.append(e)
        events[:] = kept

    def _status(self, trig: _Trigger, prev: _Trigger | None, sent: Span) -> str | None:
        local = self._local_status(trig, prev, sent)
        kinds = {k for k, s in self.scoped_cues if sent.start <= s.start and s.end <= trig.start}
        if local is None and trig.reading == "noun" and kinds & {"denied", "possible"}:
            # «نفى مصدر … ما تداولته وسائل إعلام عن سيطرة الجيش على …»: the noun is what is denied or hedged
            local = "denied" if "denied" in kinds else "possible"
        if local is None and trig.reading == "noun" and "completed" in kinds and trig.status is None:
            # «أعلن المتحدث … أمس، من الملعب البلدي، تحرير المدينة»: what an announcement names, it claims done
            local = "completed" if not self._in_list("relative_words", max(sent.start, trig.start - 1)) else None
        if local is None:
            # «التي يسيطر عليها التنظيم» states control: a hedge over the sentence does not make it an event
            return None
        if any(trig.end <= s.start < sent.end for s in self.lists.get("denied_after", ())):
            kinds.add("denied")
        for strong in ("denied", "possible", "planned"):
            if strong in kinds or local == strong:
                return strong
        return local

    def _local_status(self, trig: _Trigger, prev: _Trigger | None, sent: Span) -> str | None:
        cfg = self.triggers_cfg[trig.cls]
        window = int(self.pat.get("window", 9))
        lo = max(
            sent.start,
            prev.end if prev else sent.start,
            self._words_back(trig.start, window, sent),
            self._clause_start(trig.start, sent),
        )
        found = [(kind, s) for kind, s in self.status_cues if lo <= s.start and s.end <= trig.start]
        plup = {_lexicon_key(str(w)) for w in self.pat.get("pluperfect") or []}
        found = [
            ("completed", s)
            if k == "possible" and any(self.norms[j] in plup for j in range(max(sent.start, s.start - 4), s.start))
            else ("planned", s)
            if k in ("ongoing", "completed") and self.clitics[s.start].endswith("س")
            else (k, s)
            for k, s in found
        ]
        kinds = {k for k, _ in found}
        for strong in ("denied", "possible", "planned"):
            if strong in kinds:
                return strong
        prefix = self.clitics[trig.start]
        if prefix.startswith(("ل", "ول", "فل", "س", "وس")):
            return "planned"  # «للوصول», «لاقتحام»: purpose; «سيسيطر»: future
        purpose = {str(w).casefold() for w in self.pat.get("purpose_before") or []}
        if trig.start > sent.start and self.norms[trig.start - 1] in purpose:
            return "planned"  # "an offensive to retake": a purpose
        # «اشتباكات متقطعة دارت …», "clashes took place": a verb right after a verbal noun says what became of it
        after_hi = self._words_forward(trig.end, 2, sent)
        for kind, span in self.after_cues:
            if trig.reading == "noun" and trig.end <= span.start < after_hi:
                return None if kind == "none" else kind
        if found:
            return max(found, key=lambda f: f[1].start)[0]
        coordinated = prefix.startswith(("و", "ف")) or any(
            s.end <= trig.start and s.end >= trig.start - 2 for s in self.lists.get("coordination", ())
        )
        # a past verb carries its own tense («واصلت تقدمها، وسيطرت أمس على …»): only nouns take the status before
        if coordinated and prev is not None and prev.status is not None and trig.reading != "past":
            return prev.status
        if trig.reading == "past":
            return "completed"
        if trig.reading == "present":
            return cfg.get("present_status", "ongoing")
        return cfg.get("noun_status")

    def _places(self, trig: _Trigger, prev: _Trigger | None, nxt: int, sent: Span) -> list[tuple[Mention, int, bool]]:
        """Target places of a trigger: (mention, geo precision, named as outskirts)."""
        cfg = self.triggers_cfg[trig.cls]
        ps = self._place_starts
        places = [m for m in self.place_mentions[bisect_left(ps, trig.end) : bisect_left(ps, nxt)] if m.end <= nxt]
        out = self._places_after(trig, places, cfg)
        if out:
            return out
        if self._any_in("there_words", trig.end, nxt) and prev is not None:
            return [(p, 1, False) for p in prev.places]
        # «بلدة محكان التي استطاع الجيش دخول أطرافها»: a place before, tied by a relative pronoun.
        lo = max(sent.start, prev.end if prev else sent.start)
        before = [
            m for m in self.place_mentions[bisect_left(ps, lo) : bisect_left(ps, trig.start)] if m.end <= trig.start
        ]
        aux = {str(w).casefold() for w in self.pat.get("auxiliaries") or []}
        if before and trig.reading == "past" and trig.start > 0 and self.norms[trig.start - 1] in aux:
            # "Rawa was retaken by Iraqi forces": the passive's subject is the place
            clause_lo = self._clause_start(trig.start, sent, subject=True)
            subject = [m for m in before if m.start >= clause_lo]
            if subject:
                return [(subject[-1], 2 if self._near(subject[-1].start, sent) else 1, False)]
        rel = (
            [
                r
                for r in self.lists.get("relative_words", ())
                if before[-1].end <= r.start and r.end <= min(trig.start, before[-1].end + 2)
            ]
            if before
            else []
        )
        # «بلدة محكان التي …», "Anah, which the army retook": no new clause between the relative word and the trigger
        if rel and not self._any_in("clause_breaks", rel[0].end, trig.start):
            outskirts = self._outskirts(before[-1].start, sent) or self._any_in(
                "outskirts_words", trig.end, min(nxt, trig.end + 1)
            )
            return [(before[-1], 2 if outskirts or self._near(before[-1].start, sent) else 1, outskirts)]
        return []

    def _places_after(self, trig: _Trigger, places: list[Mention], cfg: dict) -> list[tuple[Mention, int, bool]]:
        out: list[tuple[Mention, int, bool]] = []
        gap_start = trig.end
        previous_seen: Mention | None = None
        actors = self.actor_mentions
        for m in places:
            gap = range(gap_start, m.start)
            gap_start = m.end
            seen, previous_seen = previous_seen, m
            words = [i for i in gap if not self.blank[i]]
            breaks = [s for s in self.lists.get("clause_breaks", ()) if gap.start <= s.start < gap.stop]
            if breaks and any(breaks[0].end <= a.start < m.start for a in actors):
                break  # «…، كثّف الجيش عملياته على محور حيي العمال»: a new clause with its own subject
            if seen is not None and self._any_in("relative_words", gap.start, gap.stop):
                break  # «، الذي يعد من أهم المواقع في …»: a description follows, not another target
            coordinated = (
                any(
                    self.clitics[i].startswith(("و", "ف")) or self.texts[i] == "و" or self._in_list("conjunctions", i)
                    for i in words
                )
                or self.clitics[m.start].startswith(("و", "ف"))
                or (seen is not None and not words and self._listed(m, places))
            )
            if seen is not None and breaks and not coordinated and any(not self.punct[i] for i in words):
                break  # «حقل العمر، أكبر حقول النفط في سوريا»: an apposition describes the first place
            if self.parens[m.start] > self.parens[trig.start]:
                continue  # «(30 كيلومتراً جنوب مركز قضاء القائم)»: a reference point
            owner = m.end < len(self.doc) and self.texts[m.end] in (self.pat.get("possessive_markers") or ())
            if owner and any(p.start > m.end and p.start <= m.end + 4 for p in places):
                continue  # "Raqqa's National Hospital": the owner of the target
            if (
                seen is not None
                and not coordinated
                and all(self._in_list("locator_words", i) or self.doc[i].like_num for i in words)
            ):
                continue  # «حقل التنك النفطي في الريف الشرقي لدير الزور»
            if seen is not None and not coordinated and words and self._in_list("near_words", words[-1]):
                continue  # «بلدة هجين آخر معاقل التنظيم شرق الفرات»: where the first place lies
            expels = self._trigger_text_key(trig) in {
                norm.phrase_key(str(f).split()) for f in cfg.get("origin_is_target_for") or []
            }
            if not expels and any(self._in_list("origin_words", i) for i in words[-3:]):
                continue  # «انطلاقاً من محطة T2»: where it starts from ("expelled them from X" is about X)
            if any(self._in_list("along_words", i) for i in words[-3:]):
                continue  # «على طول الضفة الغربية للفرات نحو …»: the way it goes, not where
            outskirts = any(self._in_list("outskirts_words", i) for i in words)
            cls = (self.pat.get("outskirts_downgrade") or {}).get(trig.cls, trig.cls) if outskirts else trig.cls
            is_destination = any(self._in_list("destination_words", i) for i in words)
            if is_destination and not self.triggers_cfg.get(cls, cfg).get("accepts_destination"):
                continue
            near = outskirts or any(self._in_list("near_words", i) for i in words)
            out.append((m, 2 if near else 1, outskirts))
        return out

    def _listed(self, m: Mention, places: list[Mention]) -> bool:
        """ "Rawa, Anah and Al-Qa'im": a place after a bare comma is a list item when the list closes with a
        conjunction («…، عنه والقائم»); "Hajin, Syria" with none is a place and where it lies."""
        k = places.index(m)
        for nxt in places[k + 1 :]:
            gap = self.doc[places[places.index(nxt) - 1].end : nxt.start]
            words = [t for t in gap if not (t.is_punct or t.is_space)]
            if not words and nxt.start < len(self.doc) and self.clitics[nxt.start].startswith(("و", "ف")):
                return True
            if words and all(self._in_list("conjunctions", t.i) or t.text == "و" for t in words):
                return True
            if words:
                return False
        return False

    def _outskirts(self, i: int, sent: Span) -> bool:
        return any(self._in_list("outskirts_words", j) for j in range(max(sent.start, i - 3), i))

    def _near(self, i: int, sent: Span) -> bool:
        return self._outskirts(i, sent) or any(self._in_list("near_words", j) for j in range(max(sent.start, i - 3), i))

    def _actors(
        self, trig: _Trigger, prev_actor: Mention | None, first_place: int, sent: Span, nxt: int
    ) -> tuple[list[Mention], list[Mention], list[Mention], list[Mention]]:
        """(side 1, side 2, mediators, after-trigger others) for a trigger."""
        cfg = self.triggers_cfg[trig.cls]
        actors = self.actor_mentions
        after = [m for m in actors if trig.end <= m.start and m.end <= min(first_place, nxt)]
        side1: list[Mention] = []
        side2: list[Mention] = []
        mediators: list[Mention] = []
        losers = {_lexicon_key(w) for w in cfg.get("loser_cues") or []}
        # «كسر الحصار الذي فرضه داعش»: after these forms, the actor is the other side
        post_roles = {norm.phrase_key(str(f).split()) for f in cfg.get("post_actor_actor2_for") or []}

        def supporting(m: Mention) -> bool:
            return self._any_in("support_cues", self._words_back(m.start, 3, sent), m.start)

        supporters = [m for m in actors if sent.start <= m.start and m.end <= nxt and supporting(m)]
        supporters = [
            m
            for m in actors
            if m in supporters
            or (supporters and sent.start <= m.start < nxt and any(self._joined(s, m) for s in supporters))
        ]
        backed: list[Mention] = [m for m in after if m in supporters]
        for m in after:
            gap_lo = max(trig.end, m.start - 4)
            if m in supporters:
                continue
            if self._any_in("mediator_cues", gap_lo, m.start) or (mediators and self._joined(mediators[-1], m)):
                mediators.append(m)
            elif (
                self._any_in("opponent_cues", gap_lo, m.start)
                or any(self.norms[i] in losers for i in range(max(trig.end, m.start - 2), m.start))
                or (side2 and self._joined(side2[-1], m))
                or (cfg.get("post_actor_role") == "actor2" and trig.reading == "noun")
                or (cfg.get("post_actor_role_verb") == "actor2" and trig.reading != "noun")
                or self._trigger_text_key(trig) in post_roles
            ):
                side2.append(m)
            elif not side1 or self._joined(side1[-1], m):
                side1.append(m)
        if losers:  # «حررت قسد مدينة الطبقة من تنظيم داعش»: the loser may follow the place
            side2 += [
                m
                for m in actors
                if first_place <= m.start
                and m.end <= nxt
                and m not in side2
                and any(self.norms[i] in losers for i in range(max(trig.end, m.start - 2), m.start))
            ]
        if not side1:  # «الاشتباكات مستمرة في حي الجبيلة بين الجيش السوري ومسلحي داعش»
            later = [m for m in actors if first_place <= m.start and m.end <= nxt]
            if later and self._any_in("between_cues", self._words_back(later[0].start, 2, sent), later[0].start):
                side1 = self._with_joined(later[0], actors, nxt)
        if (
            len(side1) > 1
            and not side2
            and self._any_in("between_cues", self._words_back(side1[0].start, 2, sent), side1[0].start)
        ):
            side1, side2 = side1[:1], side1[1:]  # «اشتباكات بين قسد وداعش»: two sides, not one
        if not side1:
            clause_lo = self._clause_start(trig.start, sent, subject=True)
            backed += [m for m in supporters if clause_lo <= m.start and m.end <= trig.start]
            # «واصلت وحدات الجيش، بإسناد من الطيران الروسي، تقدمها»: the subject is before the aside
            if backed and backed[0].end <= trig.start:
                clause_lo = self._clause_start(backed[0].start, sent, subject=True)
                while clause_lo > sent.start and not any(
                    clause_lo <= m.start < backed[0].start and m not in supporters for m in actors
                ):
                    lower = self._clause_start(max(sent.start, clause_lo - 1), sent, subject=True)
                    if lower >= clause_lo:
                        break
                    clause_lo = lower
            in_clause = [
                m
                for m in actors
                if clause_lo <= m.start
                and m.end <= trig.start
                and m not in supporters
                and not self._in_closed_relative(m, clause_lo, trig.start)
            ]
            before = [m for m in actors if sent.start <= m.start and m.end <= trig.start and m not in supporters]
            if in_clause:  # the nearest actor group before the trigger in its clause
                group_start = in_clause[-1]
                for m in reversed(in_clause[:-1]):
                    if self._joined(m, group_start):
                        group_start = m
                    else:
                        break
                side1 = self._with_joined(group_start, actors, trig.start)
            elif prev_actor is not None:
                side1 = [prev_actor]
            elif before:
                side1 = self._with_joined(before[0], actors, trig.start)
        backing = [m for m in backed if m not in side1]
        if side1 and backing and trig.cls != "Negotiation":
            side1 = side1 + backing  # those who back the subject are on its side (ACLED's associated actors)
        return side1, [m for m in side2 if m not in side1], mediators, [m for m in after if m not in supporters]

    def _recipients(self, lo: int, hi: int, sent: Span) -> list[Mention]:
        """«… مدينة الرقة إلى قوات سوريا الديمقراطية»: the actor a place is handed to."""
        for m in self.mentions:
            if m.kind == "actor" and lo <= m.start < min(hi, sent.end):
                if self._any_in("recipient_cues", self._words_back(m.start, 2, sent), m.start + 1) or (
                    "ل" in self.clitics[m.start]
                ):
                    return [m]
                return []
        return []

    def _in_closed_relative(self, m: Mention, lo: int, trigger: int) -> bool:
        """«التي يقترب منها الجيش السوري، عبر رفع سواتر»: the army belongs to the relative clause only."""
        return self._any_in("relative_words", max(lo, m.start - 4), m.start) and self._any_in(
            "clause_breaks", m.end, trigger
        )

    def _joined(self, a: Mention, b: Mention) -> bool:
        """Is b coordinated with a («القوات الأمنية و«الحشد الشعبي»»)?"""
        between = [t for t in self.doc[a.end : b.start] if not t.is_punct or t.text in "«»"]
        texts = [t.text for t in between if t.text not in "«»"]
        if texts and all(self._in_list("conjunctions", t.i) for t in between if t.text not in "«»"):
            return True
        return texts in ([], ["و"]) and (
            bool(texts)
            or self.clitics[b.start].startswith("و")
            or (b.start > 0 and self.texts[b.start - 1] == "«" and self.texts[b.start - 2].endswith("و"))
        )

    def _with_joined(self, first: Mention, actors: list[Mention], limit: int) -> list[Mention]:
        group = [first]
        for m in actors:
            if m.start >= group[-1].end and m.end <= limit and self._joined(group[-1], m):
                group.append(m)
        return group

    def _time(self, lo: int, hi: int, trig: _Trigger) -> tuple[dict, Span] | None:
        found = [(cfg, s) for cfg, s in self.time_cues if lo <= s.start and s.end <= hi]
        if not found:
            return None
        return min(found, key=lambda f: (abs(f[1].start - trig.start), -len(f[1])))  # «اليوم التالي» over «اليوم»

    def _resolve_actor(self, m: Mention | None, place: Mention | None) -> Mention | None:
        """«الجيش» is the Syrian army in Syria and the Iraqi army in Iraq; unknown stays unresolved."""
        if m is None or m.contextual is None:
            return m
        ctx = self.gaz.contextual[m.contextual]
        country = None
        if place is not None:
            country = self.gaz.country_of(place.id or place.located_in or "") or self._context_country(place.start)
        elif ctx.by_country:
            country = self._context_country(m.start)
        target = ctx.by_country.get(country) if country else None
        target = target or ctx.default
        if target and target in self.gaz.entries:
            return replace(m, id=target, type=self.gaz.entries[target].type, contextual=None)
        return m

    def _events_for(
        self,
        trig: _Trigger,
        prev: _Trigger | None,
        nxt: int,
        sent: Span,
        attributions: list[tuple[int, int, Attribution]],
    ) -> list[Event]:
        doc = self.doc
        trig.status = self._status(trig, prev, sent)
        places = self._places(trig, prev, nxt, sent)
        if not places and trig.cls in (self.pat.get("implicit_place") or ()):
            places = self._implicit_place(trig, sent)
        trig.places = [p for p, _, _ in places]
        first_place = places[0][0].start if places and places[0][0].start > trig.start else nxt
        side1, side2, mediators, after = self._actors(trig, prev.actor if prev else None, first_place, sent, nxt)
        trig.actor = side1[0] if side1 else None
        if trig.status is None:
            return []
        lo = max(sent.start, prev.end if prev else sent.start)
        timed = self._time(lo, nxt, trig)
        if timed is None:  # "stormed the hospital, where holdouts refused to surrender, on Oct. 17": a date ends it
            later = [
                (c, sp)
                for c, sp in self.time_cues
                if nxt <= sp.start
                and sp.end <= sent.end
                and "month_day" in c
                and self._any_in("clause_breaks", max(sent.start, sp.start - 2), sp.start)  # ", on Oct. 17"
            ]
            timed = later[0] if later else None
        attribution = next((a for s, e, a in attributions if s <= trig.start < e), None)
        span_sent = (sent.start_char, sent.end_char)
        base = Event(
            cls=trig.cls,
            status=trig.status,
            trigger_start=doc[trig.start].idx,
            trigger_end=doc[trig.end - 1].idx + len(doc[trig.end - 1]),
            char_start=0,
            char_end=0,
            sentence=span_sent,
            attribution=attribution,
        )
        # A planned or possible event has not happened: a time in its sentence dates the announcement, not it.
        if timed and trig.status not in ("planned", "possible"):
            tcfg, tspan = timed
            base.time_offset = tcfg.get("offset_days")
            base.weekday = tcfg.get("weekday")
            base.month_day = tcfg.get("month_day")
            base.days_after_previous = tcfg.get("days_after_previous")
            base.time_precision = int(tcfg.get("precision", 1))
            base.time_expression = tspan.text
        if trig.cls == "Negotiation":
            parties = side1 + side2
            if len(after) and not side1:
                parties = after
            elif after and self._any_in("between_cues", trig.end, min(after[0].start, trig.end + 3)):
                parties = after + [m for m in side2 if m not in after]  # "talks between A, B and C": all of them
            event = _copy(
                base,
                parties=[self._resolve_actor(p, None) for p in parties],
                mediators=list(mediators),
                territory=[p for p, _, _ in places],
            )
            if side1 and side2 and parties == side1 + side2:  # «توصل وجهاء العشائر … إلى اتفاق مع التنظيم»
                event.actor1, event.assoc1 = event.parties[0], event.parties[1 : len(side1)]
                event.actor2, event.assoc2 = event.parties[len(side1)], event.parties[len(side1) + 1 :]
            elif len(event.parties) > 2:  # "talks between A, B and C": the last named faces the others
                event.actor1, event.assoc1 = event.parties[0], event.parties[1:-1]
                event.actor2 = event.parties[-1]
            _parties_as_sides(event)
            event.char_start, event.char_end = self._evidence([trig.start, trig.end], parties + mediators, sent)
            return [event]
        if places and not side2 and self.triggers_cfg[trig.cls].get("recipient_role") == "actor2":
            side2 = self._recipients(places[-1][0].end, nxt, sent)
        out = []
        for place, precision, outskirts in places:
            cls = trig.cls
            if outskirts:
                cls = (self.pat.get("outskirts_downgrade") or {}).get(cls, cls)
            actors1 = [self._resolve_actor(a, place) for a in side1]
            actors2 = [self._resolve_actor(a, place) for a in side2]
            event = _copy(
                base,
                cls=cls,
                place=place,
                geo_precision=precision,
                actor1=actors1[0] if actors1 else None,
                assoc1=actors1[1:],
                actor2=actors2[0] if actors2 else None,
                assoc2=actors2[1:],
            )
            local = [m for m in side1 + side2 if sent.start <= m.start < sent.end]
            event.char_start, event.char_end = self._evidence(
                [trig.start, trig.end, place.start, place.end], local, sent, place
            )
            out.append(event)
        return out

    def _state_at_home(self, actor: Mention, place: Mention) -> bool:
        """A state force (or government) acting in its own country: what it takes, it takes back."""
        entry = self.gaz.get(actor.id)
        if entry is None:
            return False
        if not self._fights_for_a_state(entry.id, set()):
            return False
        home = self.gaz.country_of(entry.id)
        here = self.gaz.country_of(place.id or place.located_in or "") or self._context_country(place.start)
        return home is not None and home == here

    def _fights_for_a_state(self, entry_id: str, seen: set[str]) -> bool:
        """A state force, or a group that is a member of or allied with one of its own country, however many
        steps up («الحشد العشائري» → «الحشد الشعبي» → the Iraqi Security Forces)."""
        entry = self.gaz.get(entry_id)
        if entry is None or entry_id in seen:
            return False
        if entry.type in ("StateForce", "Government"):
            return True
        seen.add(entry_id)
        return any(
            (other := self.gaz.get(o)) is not None
            and (other.country == entry.country or other.country is None or entry.country is None)
            and self._fights_for_a_state(o, seen)
            for o in (*entry.member_of, *entry.allied_with)
        )

    def _evidence(
        self, bounds: list[int], actors: list[Mention], sent: Span, place: Mention | None = None
    ) -> tuple[int, int]:
        """The smallest stretch of the sentence holding the trigger, place and nearby actors."""
        lo, hi = min(bounds), max(bounds)
        for m in actors:
            if abs(m.start - lo) <= 12 or lo <= m.start <= hi:
                lo, hi = min(lo, m.start), max(hi, m.end)
        lo, hi = max(lo, sent.start), min(hi, sent.end)
        span = self.doc[lo:hi]
        return span.start_char, span.end_char

    def _attributions(
        self, sent: Span, last: Attribution | None
    ) -> tuple[list[tuple[int, int, Attribution]], Attribution | None]:
        """Who the sentence's claims come from, as (token start, token end, attribution)."""
        cues = [s for s in self.lists.get("report_cues", ()) if sent.start <= s.start < sent.end]
        if not cues:
            return [], last
        reach = int(self.pat.get("source_reach", 6))
        creach = int(self.pat.get("complement_reach", 12))
        speakers = [
            m for m in self.mentions if sent.start <= m.start < sent.end and m.kind in ("source", "role", "actor")
        ]
        rank = {"Person": 0, "role": 1, "UnnamedSource": 2, "actor": 3, "NewsAgency": 4}

        def priority(m: Mention) -> int:
            return rank.get("role" if m.kind == "role" else ("actor" if m.kind == "actor" else m.type), 5)

        candidates: list[Mention] = []
        comps = sorted(s.start for s in self.lists.get("complementizers", ()) if sent.start <= s.start < sent.end)
        for cue in cues:
            stop = next((c for c in comps if c >= cue.end), sent.end)
            ahead = min(self._words_forward(cue.end, reach, sent), stop - 1)
            behind = self._words_back(cue.start, reach, sent)
            # an actor right before the reporting verb is its subject ("the SDF said"); further back it is not
            near_before = self._words_back(cue.start, 1, sent)
            candidates += [
                m
                for m in speakers
                if cue.end <= m.start <= ahead
                or (behind <= m.start and m.end <= cue.start and (m.kind != "actor" or m.end >= near_before))
            ]
        roles = [self._role_source(m) for m in candidates if m.kind == "role"]
        candidates = [m for m in candidates if m.kind != "role"] + roles
        first = cues[0]
        if candidates:
            source = min(candidates, key=lambda m: (priority(m), m.start))
            via = [m for m in speakers if m.kind == "source" and m.type == "NewsAgency" and m.id != source.id]
            via = [v for i, v in enumerate(via) if v.id not in {w.id for w in via[:i]}]
            lo_tok = min(first.start, source.start)
            hi_tok = max(first.end, source.end)
            span = self.doc[lo_tok:hi_tok]
            attribution = Attribution(source, via, span.start_char, span.end_char)
        elif last is not None and any(self._in_list("continuation_cues", c.start) for c in cues):
            attribution = last
        else:
            return [], last
        reach_end = self._words_forward(first.end, creach, sent)
        opens_report = any(first.end <= s.start <= reach_end for s in self.lists.get("complementizers", ())) or any(
            t.text == ":" for t in self.doc[first.end : reach_end]
        )
        start, end = first.start, sent.end
        if not opens_report:
            if not any(first.end <= t.start < sent.end for t in self.triggers):
                start = sent.start  # «…, a spokesman said.»: the report closes the sentence and covers it
            else:
                end = self._report_end(first.end, sent)
        return [(start, end, attribution)], attribution

    def _report_end(self, i: int, sent: Span) -> int:
        """Where a report that is not «that …» ends: at the comma that opens a clause with its own subject
        («أكد التحالف بقاء البوكمال على قائمة أهدافه، يسعى الجيش …»), not at one around an aside
        («أعلن الجيش، اليوم الجمعة، استعادة …»)."""
        commas = [t.i for t in self.doc[i : sent.end] if t.text in "،,"]
        for k, comma in enumerate(commas):
            stop = commas[k + 1] if k + 1 < len(commas) else sent.end
            first_trigger = next((t.start for t in self.triggers if comma < t.start < stop), stop)
            if any(m.kind == "actor" and comma < m.start < first_trigger for m in self.mentions):
                return comma
        return sent.end

    def _role_source(self, role: Mention) -> Mention:
        """«قيادي ميداني في «الحشد الشعبي»» → a field commander of the PMF."""
        links = {_lexicon_key(w) for w in self.pat.get("role_links", [])}
        i = role.end
        if i < len(self.doc) and self.norms[i] in links:
            i += 1
        while i < len(self.doc) and self.texts[i] == "«":
            i += 1
        body = next((m for m in self.mentions if m.kind == "actor" and m.start == i and m.id), None)
        if body is None:
            return role
        span = self.doc[role.start : body.end]
        return replace(role, end=body.end, char_end=span.end_char, text=span.text, affiliation=body.id)

    def _link_negotiations(self, events: list[Event]) -> None:
        """Talks that «may lead to» a hand-over: the later unfactual events of the sentence are their outcome."""
        for k, event in enumerate(events):
            if event.cls != "Negotiation":
                continue
            for later in events[k + 1 :]:
                if later.cls == "Negotiation" or later.happened:
                    continue
                event.outcomes.append(later)
                if later.place and later.place.id not in {t.id for t in event.territory}:
                    event.territory.append(later.place)
                if later.actor1 and later.actor1.id not in {p.id for p in event.parties}:
                    event.parties.append(later.actor1)
            _parties_as_sides(event)


_DEFINITE_RE = re.compile("^[وف]?[بك]?ال|^[وف]?لل")


def _date_from_previous(events: list[Event]) -> None:
    """«وفي اليوم التالي سيطروا …», "the next day": the day after the last dated event before it; with none, or
    one dated only by its month, the expression stays but the event keeps the article's date at precision 3."""
    last: Event | None = None  # the anchor: an event dated on its own, not itself "the next day"
    for e in events:
        n = e.days_after_previous
        if n is not None:
            if last is not None and last.weekday is not None:
                e.weekday = (last.weekday - 1 + n) % 7 + 1
            elif last is not None and last.time_offset is not None:
                e.time_offset = last.time_offset + n
            else:
                e.time_expression, e.time_precision = None, 3
        if n is None and e.time_expression and (e.weekday is not None or e.time_offset is not None):
            last = e


def _definite(token: Token) -> bool:
    """Written with the article, whether or not the normalizer peeled it («البلدي» is also the name «بلدي»)."""
    return "ال" in token._.clitics or bool(_DEFINITE_RE.match(norm.normalize(token.text)))


def _parties_as_sides(event: Event) -> None:
    """ACLED's actor1 and actor2 of talks are their first two parties, unless the sides were read already."""
    if event.actor1 is not None and event.actor2 is not None:
        return
    event.actor1 = event.parties[0] if event.parties else None
    event.actor2 = event.parties[1] if len(event.parties) > 1 else None


def _without_proclitics(span: Span) -> str:
    """The name without a leading «و», «ب», «ل»."""
    return span.text[_proclitic_chars(span) :]


def _proclitic_chars(span: Span) -> int:
    """How many characters of the span's text its leading «و», «ب», «ل» (and their diacritics) take."""
    letters = len(span[0]._.clitics.removesuffix("ال"))
    text = span.text
    i = 0
    while letters and i < len(text):
        if norm.normalize(text[i]):
            letters -= 1
        i += 1
    while i < len(text) and not norm.normalize(text[i]):
        i += 1  # diacritics on the clitic
    return i


def _copy(event: Event, **changes) -> Event:
    """A copy whose list fields are its own (dataclasses.replace shares them)."""
    fresh = {k: list(v) for k, v in vars(event).items() if isinstance(v, list)}
    return replace(event, **{**fresh, **changes})


def _longest_mentions(mentions: list[Mention]) -> list[Mention]:
    """Longest non-overlapping mentions, as spacy.util.filter_spans does for spans."""
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= o.start or m.start >= o.end for o in out):
            out.append(m)
    return sorted(out, key=lambda m: m.start)


def _key(m: Mention | None) -> str | None:
    if m is None:
        return None
    return m.id or norm.phrase_key(m.text.split())


def _merge(events: list[Event]) -> list[Event]:
    """One event per class, status, place and main actor in an article (ACLED's unit); first mention kept."""
    kept: dict[tuple, Event] = {}
    for event in events:
        # taking and taking back one place by one actor is one ACLED event («سيطرتها على الحقل … حرروا الحقل»)
        family = "TerritoryTaken" if event.cls == "TerritoryRegained" else event.cls
        key = (family, event.status, _key(event.place), _key(event.actor1))
        if key not in kept:
            kept[key] = event
            continue
        first = kept[key]
        if event.cls == "TerritoryRegained":
            first.cls = event.cls  # the more specific reading
        for attr in ("parties", "mediators", "territory", "assoc1", "assoc2"):
            have = {_key(m) for m in getattr(first, attr)}
            getattr(first, attr).extend(m for m in getattr(event, attr) if _key(m) not in have)
    return list(kept.values())


# --------------------------------------------------------------------------- public API


def extract(text: str, lang: str = "ar") -> Doc:
    """Run the pipeline on one article's text; events are in ``doc._.events``."""
    return pipeline(lang)(text)


def extract_many(texts: Iterable[str], lang: str = "ar", batch_size: int = 16) -> Iterator[Doc]:
    yield from pipeline(lang).pipe(texts, batch_size=batch_size)
