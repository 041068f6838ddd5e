"""Accuracy against the gold corpus (``eval/gold``): the events table a user gets, compared with gold rows.

The predictions come from the same build and the same pack query (``export/events.rq``) as
``conflictkg events``: there is no second extraction path. How rows are matched is written in
``eval/README.md``; this module is the code of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from . import normalize as norm
from .extract import STATUSES
from .gazetteer import load as load_gazetteer
from .resources import read_yaml

NON_FACTUAL = frozenset({"planned", "possible", "denied"})
SPLITS = ("dev", "heldout", "all")
_EVENT_FIELDS = ("event_class", "status", "location", "evidence", "char_start", "char_end")
_SENTENCE_END = re.compile(r"[.!?؟…]\s|\n")
# Figures compared with the recorded baseline (higher is better for each).
TRACKED = (
    "events.precision",
    "events.recall",
    "events.f1",
    "places.f1",
    "actors.f1",
    "status_accuracy",
    "time_accuracy",
    "must_not_produced",
)
LOWER_IS_BETTER = frozenset({"must_not_produced"})


class GoldError(ValueError):
    """A gold file that cannot be used: names the file and the field."""

    def __init__(self, path: Path | str, field_name: str, message: str):
        self.path, self.field = str(path), field_name
        super().__init__(f"{path}: {field_name}: {message}")


# --------------------------------------------------------------------------- gold


@dataclass
class GoldRow:
    event_class: str
    status: str
    location: str
    evidence: str
    char_start: int
    char_end: int
    event_date: str = ""
    time_precision: int | None = None
    actor1: list[str] = field(default_factory=list)
    actor2: list[str] = field(default_factory=list)
    in_gazetteer: bool = True
    attributed_to: str = ""
    attributed_via: str = ""


@dataclass
class MustNot:
    event_class: str
    location: str
    status: str | None
    why: str = ""


@dataclass
class GoldArticle:
    number: str  # "000"
    stem: str  # file stem, also the article id the build gives it
    split: str
    style: str
    text_path: Path
    gold_path: Path
    text: str
    lang: str
    events: list[GoldRow]
    must_not: list[MustNot]
    date: str = ""  # the sidecar's date: a gold row without a time is expected at it, precision 3


@cache
def event_classes() -> frozenset[str]:
    from rdflib import RDFS

    from .graph import CKG, ontology

    onto = ontology()
    return frozenset(str(c).rsplit("#", 1)[-1] for c in onto.transitive_subjects(RDFS.subClassOf, CKG.Event))


def _names(value: object, path: Path, where: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise GoldError(path, where, f"must be a list of names, not {value!r}")


def _text_field(raw: dict, key: str, path: Path, where: str, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise GoldError(path, f"{where}.{key}", "is missing")
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str | int | float):
        raise GoldError(path, f"{where}.{key}", f"must be text, not {type(value).__name__}")
    return str(value)


def _row(raw: object, path: Path, where: str, text: str) -> GoldRow:
    if not isinstance(raw, dict):
        raise GoldError(path, where, "must be a mapping of fields")
    for key in _EVENT_FIELDS:
        if key != "location" and raw.get(key) in (None, ""):
            raise GoldError(path, f"{where}.{key}", "is missing")
    cls = str(raw["event_class"])
    if cls not in event_classes():
        raise GoldError(path, f"{where}.event_class", f"{cls!r} is not an event class of the ontology")
    status = str(raw["status"])
    if status not in STATUSES:
        raise GoldError(path, f"{where}.status", f"{status!r} is not one of {', '.join(STATUSES)}")
    try:
        start, end = int(raw["char_start"]), int(raw["char_end"])
    except (TypeError, ValueError):
        raise GoldError(path, f"{where}.char_start", "char_start and char_end must be integers") from None
    evidence = str(raw["evidence"])
    if text[start:end] != evidence:
        found = text.find(evidence)
        hint = f" (it is at {found}–{found + len(evidence)})" if found >= 0 else " (it is not in the text)"
        raise GoldError(path, f"{where}.evidence", f"is not text[{start}:{end}]{hint}")
    date = _text_field(raw, "event_date", path, where)
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise GoldError(path, f"{where}.event_date", f"{date!r} is not a date YYYY-MM-DD") from None
    precision = raw.get("time_precision")
    if precision not in (None, ""):
        if str(precision) not in ("1", "2", "3"):
            raise GoldError(path, f"{where}.time_precision", f"{precision!r} is not 1, 2 or 3")
        precision = int(precision)
    else:
        precision = None
    in_gaz = raw.get("in_gazetteer", True)
    if not isinstance(in_gaz, bool):
        raise GoldError(path, f"{where}.in_gazetteer", "must be true or false")
    return GoldRow(
        event_class=cls,
        status=status,
        location=_text_field(raw, "location", path, where),
        evidence=evidence,
        char_start=start,
        char_end=end,
        event_date=date,
        time_precision=precision,
        actor1=_names(raw.get("actor1"), path, f"{where}.actor1"),
        actor2=_names(raw.get("actor2"), path, f"{where}.actor2"),
        in_gazetteer=in_gaz,
        attributed_to=_text_field(raw, "attributed_to", path, where),
        attributed_via=_text_field(raw, "attributed_via", path, where),
    )


def _must_not(raw: object, path: Path, where: str) -> MustNot:
    if not isinstance(raw, dict):
        raise GoldError(path, where, "must be a mapping of fields")
    cls = _text_field(raw, "event_class", path, where, required=True)
    if cls not in event_classes():
        raise GoldError(path, f"{where}.event_class", f"{cls!r} is not an event class of the ontology")
    status = raw.get("status")
    if status is not None and str(status) not in STATUSES:
        raise GoldError(path, f"{where}.status", f"{status!r} is not one of {', '.join(STATUSES)}")
    return MustNot(
        cls,
        _text_field(raw, "location", path, where),
        str(status) if status else None,
        _text_field(raw, "why", path, where),
    )


def read_splits(folder: Path) -> dict:
    """``splits.yaml`` beside the gold folder (eval/splits.yaml) or inside it; {} when there is none."""
    for candidate in (folder.parent / "splits.yaml", folder / "splits.yaml"):
        if candidate.is_file():
            try:
                data = read_yaml(candidate) or {}
            except yaml.YAMLError as exc:
                raise GoldError(candidate, "(yaml)", str(exc).replace("\n", " ")) from None
            if not isinstance(data, dict):
                raise GoldError(candidate, "(top level)", "must be a mapping with dev and heldout lists")
            data["_path"] = candidate
            return data
    return {}


def load_article(gold_path: Path, splits: dict | None = None) -> GoldArticle:
    stem = gold_path.name.removesuffix(".gold.yaml")
    text_path = gold_path.with_name(f"{stem}.txt")
    side_path = gold_path.with_name(f"{stem}.json")
    if not text_path.is_file():
        raise GoldError(gold_path, "(article)", f"its text {text_path.name} is missing")
    try:
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(text_path, "(text)", f"cannot be read as UTF-8 ({exc})") from None
    lang = "ar"
    if side_path.is_file():
        try:
            side = json.loads(side_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(side_path, "(json)", str(exc)) from None
        if not isinstance(side, dict) or not side.get("date"):
            raise GoldError(side_path, "date", "the sidecar must give the article's date")
        lang = str(side.get("lang") or "ar")
        date = str(side["date"])[:10]
    else:
        raise GoldError(gold_path, "(sidecar)", f"{side_path.name} with the article's date is missing")
    try:
        doc = read_yaml(gold_path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GoldError(gold_path, "(yaml)", str(exc).replace("\n", " ")) from None
    if not isinstance(doc, dict):
        raise GoldError(gold_path, "(top level)", "must be a mapping with article, split, events")
    number = stem.split("_", 1)[0]
    split = str(doc.get("split") or "")
    if splits:
        listed = [s for s in ("dev", "heldout") if number in [str(n) for n in splits.get(s) or []]]
        if listed and split and split != listed[0]:
            raise GoldError(gold_path, "split", f"{split!r}, but {splits['_path']} puts {number} in {listed[0]}")
        split = listed[0] if listed else split
    if split not in ("dev", "heldout"):
        raise GoldError(gold_path, "split", f"{split!r} is not dev or heldout")
    events_raw = doc.get("events")
    if not isinstance(events_raw, list):
        raise GoldError(gold_path, "events", "must be a list of gold rows")
    events = [_row(raw, gold_path, f"events[{i}]", text) for i, raw in enumerate(events_raw)]
    must_raw = doc.get("must_not") or []
    if not isinstance(must_raw, list):
        raise GoldError(gold_path, "must_not", "must be a list")
    must = [_must_not(raw, gold_path, f"must_not[{i}]") for i, raw in enumerate(must_raw)]
    return GoldArticle(
        number=number,
        stem=stem,
        split=split,
        style=str(doc.get("style") or ""),
        text_path=text_path,
        gold_path=gold_path,
        text=text,
        lang=lang,
        events=events,
        must_not=must,
        date=date,
    )


def load_gold(folder: Path | str, split: str = "all") -> list[GoldArticle]:
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(folder, "(folder)", "is not a folder of gold articles")
    splits = read_splits(folder)
    out = [load_article(p, splits) for p in sorted(folder.glob("*.gold.yaml"))]
    if split != "all":
        out = [a for a in out if a.split == split]
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- names


@cache
def _name_index() -> dict[str, str]:
    """Every gazetteer name (ar and en, normalized) → the entry's English name."""
    gaz = load_gazetteer()
    index: dict[str, str] = {}
    for entry in gaz.entries.values():
        for names in entry.names.values():
            for n in names:
                index.setdefault(norm.phrase_key(n.split()), entry.en)
        index[norm.phrase_key(entry.en.split())] = entry.en
    return index


@cache
def _cue_words() -> frozenset[str]:
    words: set[str] = set()
    from .resources import data_dir

    for lang in ("ar", "en"):
        path = data_dir("patterns") / f"{lang}.yaml"
        if path.exists():
            pat = read_yaml(path) or {}
            for cue in pat.get("place_cues") or []:
                words.update(norm.phrase_key(str(f).split()) for f in cue.get("forms") or [])
    return frozenset(words)


@cache
def canonical(name: str) -> str:
    """The key two spellings of one place, actor or source share: the gazetteer's English name when it
    knows the name, else the normalized words without a leading cue word («منطقة», "town of")."""
    name = name.strip()
    if not name:
        return ""
    key = norm.phrase_key(name.replace("«", " ").replace("»", " ").split())
    if key in _name_index():
        return _name_index()[key]
    words = key.split()
    for n in (2, 1):
        if len(words) > n and " ".join(words[:n]) in _cue_words():
            rest = " ".join(words[n:])
            return _name_index().get(rest, rest)
    return key


def known(name: str) -> bool:
    return canonical(name) in set(_name_index().values())


@cache
def _parents() -> dict[str, set[str]]:
    """English name → English names of the bodies it is (transitively) a member of."""
    gaz = load_gazetteer()
    out: dict[str, set[str]] = {}
    for entry in gaz.entries.values():
        seen: set[str] = set()
        todo = list(entry.member_of)
        while todo:
            parent = gaz.get(todo.pop())
            if parent and parent.en not in seen:
                seen.add(parent.en)
                todo.extend(parent.member_of)
        out[entry.en] = seen
    return out


@cache
def _state_forces() -> frozenset[str]:
    gaz = load_gazetteer()
    return frozenset(e.en for e in gaz.entries.values() if e.type == "StateForce")


def same_actor(a: str, b: str) -> bool:
    """One actor, or one a member of the other (the Iraqi Army is part of the Iraqi Security Forces), or two
    members of one state's forces (the Joint Operations Command and the Iraqi Army: ACLED's "Military Forces
    of Iraq")."""
    if a == b or b in _parents().get(a, ()) or a in _parents().get(b, ()):
        return True
    shared = _parents().get(a, set()) & _parents().get(b, set())
    return bool(shared & _state_forces())


def compatible(gold_side: Sequence[str], pred_side: Sequence[str]) -> bool:
    """Sides agree when one is empty (the article or the extractor does not say) or they share an actor."""
    if not gold_side or not pred_side:
        return True
    return any(same_actor(g, p) for g in gold_side for p in pred_side)


# --------------------------------------------------------------------------- prediction


@dataclass
class Row:
    """A predicted row of the events table, or a gold row, in the terms the matcher compares."""

    article: str
    event_class: str
    status: str
    location: str  # canonical
    side1: list[str]
    side2: list[str]
    event_date: str
    time_precision: int | None
    attributed_to: str
    evidence: str
    char_start: int
    char_end: int
    location_text: str = ""
    in_gazetteer: bool = True
    parent_ok: bool = False  # gold written with a parent class: any subclass matches


def gold_rows(art: GoldArticle) -> list[Row]:
    out: list[Row] = []
    seen: set[tuple] = set()
    for g in art.events:
        side1 = [canonical(a) for a in g.actor1]
        unit = (g.event_class, g.status, canonical(g.location), tuple(sorted(side1)))
        if unit in seen:
            continue  # the events table merges one ACLED unit: so does the gold
        seen.add(unit)
        out.append(
            Row(
                article=art.stem,
                event_class=g.event_class,
                status=g.status,
                location=canonical(g.location),
                side1=side1,
                side2=[canonical(a) for a in g.actor2],
                # no time in the article: the contract gives the article's date at precision 3
                event_date=g.event_date or art.date,
                time_precision=g.time_precision if g.event_date else 3,
                attributed_to=canonical(g.attributed_to),
                evidence=g.evidence,
                char_start=g.char_start,
                char_end=g.char_end,
                location_text=g.location,
                in_gazetteer=g.in_gazetteer,
                parent_ok=True,
            )
        )
    return out


def _split_names(*cells: str) -> list[str]:
    out: list[str] = []
    for cell in cells:
        out += [c.strip() for c in (cell or "").split(";") if c.strip()]
    return out


def predicted_rows(table: list[dict]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in table:
        precision = str(r.get("time_precision") or "")
        out.setdefault(r["article_id"], []).append(
            Row(
                article=r["article_id"],
                event_class=r["event_class"],
                status=r["status"],
                location=canonical(r.get("location") or ""),
                side1=[canonical(a) for a in _split_names(r.get("actor1", ""), r.get("assoc_actor_1", ""))],
                side2=[canonical(a) for a in _split_names(r.get("actor2", ""), r.get("assoc_actor_2", ""))],
                event_date=r.get("event_date") or "",
                time_precision=int(precision) if precision.isdigit() else None,
                attributed_to=canonical(r.get("attributed_to") or ""),
                evidence=r.get("evidence") or "",
                char_start=int(r.get("char_start") or 0),
                char_end=int(r.get("char_end") or 0),
                location_text=r.get("location") or "",
                in_gazetteer=known(r.get("location") or "") if r.get("location") else True,
            )
        )
    return out


def predict(articles: Sequence[GoldArticle], rejected: list[str] | None = None) -> list[dict]:
    """The events table for the articles, through the same build a user runs (``conflictkg events``).

    An article whose graph fails the shapes gives the user no rows: it predicts nothing, and is named
    in ``rejected``. One that cannot be read at all is bad gold input."""
    from .build import build
    from .events import events_table

    if not articles:
        return []
    result = build([a.text_path for a in articles])
    for r in result.rejected:
        if r.article_id is None:
            raise GoldError(r.path, "(article)", r.reason)
        if rejected is not None:
            rejected.append(f"{r.article_id}: {r.reason}")
    table = events_table(result.store)
    rows = []
    for row in table.rows:
        rows.append({var: ("" if cell is None else str(cell.value)) for var, cell in zip(table.vars, row, strict=True)})
    return rows


# --------------------------------------------------------------------------- matching


def class_matches(gold_cls: str, pred_cls: str, parent_ok: bool = True) -> bool:
    """Same class; a gold row written with a parent class is matched by any of its subclasses.
    A predicted parent class never matches a more specific gold class."""
    if gold_cls == pred_cls:
        return True
    if not parent_ok:
        return False
    from .graph import is_a

    return is_a(pred_cls, gold_cls)


def can_match(g: Row, p: Row) -> bool:
    # Talks have no place in the events table (the graph gives their territory at stake instead): a predicted
    # negotiation without one matches wherever the annotator located it.
    talks = g.event_class == p.event_class == "Negotiation" and not p.location
    return (
        class_matches(g.event_class, p.event_class, g.parent_ok)
        and (g.location == p.location or talks)
        and compatible(g.side1, p.side1)
        and compatible(g.side2, p.side2)
    )


def _shared(a: list[str], b: list[str]) -> int:
    return sum(1 for x in a if any(same_actor(x, y) for y in b))


def match(gold: list[Row], pred: list[Row]) -> tuple[list[tuple[Row, Row]], list[Row], list[Row]]:
    """(pairs, misses, false alarms): one-to-one, greedily from the best candidate pair."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if can_match(g, p):
                score = (
                    g.status == p.status,
                    g.event_class == p.event_class,
                    (g.event_date, g.time_precision) == (p.event_date, p.time_precision),
                    _shared(g.side1, p.side1) + _shared(g.side2, p.side2),
                    -abs(g.char_start - p.char_start),
                )
                candidates.append((score, gi, pi))
    candidates.sort(key=lambda c: c[0], reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    pairs.sort()
    return (
        [(gold[gi], pred[pi]) for gi, pi in pairs],
        [g for i, g in enumerate(gold) if i not in used_g],
        [p for i, p in enumerate(pred) if i not in used_p],
    )


def forbidden(must: MustNot, p: Row) -> bool:
    return (
        p.event_class == must.event_class
        and p.location == canonical(must.location)
        and (must.status is None or p.status == must.status)
    )


# --------------------------------------------------------------------------- scores


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "pred": n_pred,
        "gold": n_gold,
    }


def ratio(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence around a span, for reading a miss or a false alarm."""
    lo = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        lo = m.end()
    m = _SENTENCE_END.search(text, end)
    hi = m.start() + 1 if m else len(text)
    return " ".join(text[lo:hi].split())


@dataclass
class ArticleScore:
    article: GoldArticle
    pairs: list[tuple[Row, Row]]
    misses: list[Row]
    false_alarms: list[Row]
    pred: list[Row]
    gold: list[Row]
    forbidden: list[tuple[MustNot, Row]]
    spans_exact: bool


def _score_article(art: GoldArticle, pred: list[Row]) -> ArticleScore:
    gold = gold_rows(art)
    pairs, misses, fas = match(gold, pred)
    bad = [(m, p) for m in art.must_not for p in pred if forbidden(m, p)]
    exact = all(art.text[p.char_start : p.char_end] == p.evidence for p in pred)
    return ArticleScore(art, pairs, misses, fas, pred, gold, bad, exact)


def _summary(scores: list[ArticleScore]) -> dict:
    tp = sum(len(s.pairs) for s in scores)
    n_pred = sum(len(s.pred) for s in scores)
    n_gold = sum(len(s.gold) for s in scores)
    pairs = [pair for s in scores for pair in s.pairs]
    gold_places = {(s.article.stem, g.location) for s in scores for g in s.gold if g.location}
    pred_places = {(s.article.stem, p.location) for s in scores for p in s.pred if p.location}
    gold_actors = {(s.article.stem, a) for s in scores for g in s.gold for a in g.side1 + g.side2}
    pred_actors = {(s.article.stem, a) for s in scores for p in s.pred for a in p.side1 + p.side2}
    unresolved_gold = {(s.article.stem, g.location): g for s in scores for g in s.gold if not g.in_gazetteer}
    unresolved_found = sorted(k[1] for k in unresolved_gold if k in pred_places)
    unresolved_missed = sorted(k[1] for k in unresolved_gold if k not in pred_places)
    unresolved_extra = sorted(
        {
            p.location_text
            for s in scores
            for p in s.pred
            if p.location and not p.in_gazetteer and (s.article.stem, p.location) not in unresolved_gold
        }
    )
    by_class: dict[str, Counter] = {}
    for s in scores:
        for g in s.gold:
            by_class.setdefault(g.event_class, Counter())["gold"] += 1
        for p in s.pred:
            by_class.setdefault(p.event_class, Counter())["pred"] += 1
        for g, _ in s.pairs:
            by_class.setdefault(g.event_class, Counter())["tp"] += 1
    return {
        "articles": len(scores),
        "events": prf(tp, n_pred, n_gold),
        "places": prf(len(gold_places & pred_places), len(pred_places), len(gold_places)),
        "actors": prf(len(gold_actors & pred_actors), len(pred_actors), len(gold_actors)),
        "status_accuracy": ratio(sum(g.status == p.status for g, p in pairs), len(pairs)),
        "time_accuracy": ratio(
            sum((g.event_date, g.time_precision) == (p.event_date, p.time_precision) for g, p in pairs), len(pairs)
        ),
        "date_accuracy": ratio(sum(g.event_date == p.event_date for g, p in pairs), len(pairs)),
        "attribution_accuracy": ratio(sum(g.attributed_to == p.attributed_to for g, p in pairs), len(pairs)),
        "must_not_produced": sum(len(s.forbidden) for s in scores),
        "nonfactual_as_completed": sum(1 for g, p in pairs if g.status in NON_FACTUAL and p.status == "completed"),
        "spans_exact": all(s.spans_exact for s in scores),
        "unresolved": {"found": unresolved_found, "missed": unresolved_missed, "extra": unresolved_extra},
        "by_class": {cls: prf(c["tp"], c["pred"], c["gold"]) for cls, c in sorted(by_class.items())},
    }


def _row_dict(r: Row, text: str) -> dict:
    return {
        "event_class": r.event_class,
        "status": r.status,
        "location": r.location_text or r.location,
        "actor1": r.side1,
        "actor2": r.side2,
        "event_date": r.event_date,
        "time_precision": r.time_precision,
        "attributed_to": r.attributed_to,
        "evidence": r.evidence,
        "char_start": r.char_start,
        "char_end": r.char_end,
        "sentence": sentence_of(text, r.char_start, r.char_end),
    }


def evaluate(articles: Sequence[GoldArticle], table: list[dict] | None = None) -> dict:
    """The report: figures per split, per article, per class, and the rows behind them."""
    rejected: list[str] = []
    if table is None:
        table = predict(articles, rejected)
    by_article = predicted_rows(table)
    scores = [_score_article(a, by_article.get(a.stem, [])) for a in articles]
    report: dict = {"splits": {}, "articles": [], "details": {}, "rejected": rejected}
    for split in ("dev", "heldout"):
        chosen = [s for s in scores if s.article.split == split]
        if chosen:
            report["splits"][split] = _summary(chosen)
    if len(report["splits"]) > 1:
        report["splits"]["all"] = _summary(scores)
    for s in scores:
        ev = prf(len(s.pairs), len(s.pred), len(s.gold))
        report["articles"].append(
            {
                "article": s.article.stem,
                "split": s.article.split,
                "lang": s.article.lang,
                "style": s.article.style,
                "gold": len(s.gold),
                "predicted": len(s.pred),
                "matched": len(s.pairs),
                "precision": ev["precision"],
                "recall": ev["recall"],
                "f1": ev["f1"],
                "status_accuracy": ratio(sum(g.status == p.status for g, p in s.pairs), len(s.pairs)),
                "time_accuracy": ratio(
                    sum((g.event_date, g.time_precision) == (p.event_date, p.time_precision) for g, p in s.pairs),
                    len(s.pairs),
                ),
                "must_not_produced": len(s.forbidden),
                "spans_exact": s.spans_exact,
            }
        )
        text = s.article.text
        report["details"][s.article.stem] = {
            "split": s.article.split,
            "misses": [_row_dict(g, text) for g in s.misses],
            "false_alarms": [_row_dict(p, text) for p in s.false_alarms],
            "wrong_status": [
                {"gold": _row_dict(g, text), "predicted": _row_dict(p, text)}
                for g, p in s.pairs
                if g.status != p.status
            ],
            "wrong_time": [
                {"gold": _row_dict(g, text), "predicted": _row_dict(p, text)}
                for g, p in s.pairs
                if (g.event_date, g.time_precision) != (p.event_date, p.time_precision)
            ],
            "must_not": [{"rule": vars(m), "predicted": _row_dict(p, text)} for m, p in s.forbidden],
        }
    return report


def figures(report: dict) -> dict[str, dict[str, float | None]]:
    """The tracked figures of each split, flat: {"dev": {"events.f1": 0.8, ...}, ...}."""
    out: dict[str, dict[str, float | None]] = {}
    for split, summary in report["splits"].items():
        flat: dict[str, float | None] = {}
        for name in TRACKED:
            value: object = summary
            for part in name.split("."):
                value = value[part]  # type: ignore[index]
            flat[name] = value  # type: ignore[assignment]
        out[split] = flat
    return out


def regressions(report: dict, baseline: dict, margin: float = 0.02) -> list[str]:
    """Figures that fell below the recorded ones by more than the margin."""
    now = figures(report)
    out = []
    for split, recorded in (baseline.get("figures") or {}).items():
        for name, old in recorded.items():
            new = now.get(split, {}).get(name)
            if old is None:
                continue
            if name in LOWER_IS_BETTER:
                if new is None or new > old:
                    out.append(f"{split} {name}: {new} > recorded {old}")
            elif new is None or new < old - margin:
                out.append(f"{split} {name}: {new} < recorded {old} - {margin}")
    return out


# --------------------------------------------------------------------------- rendering


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _summary_lines(report: dict, md: bool) -> list[str]:
    head = [
        "split",
        "articles",
        "events P",
        "events R",
        "events F1",
        "places F1",
        "actors F1",
        "status acc",
        "time acc",
        "attribution acc",
        "must_not",
        "non-factual→completed",
        "spans exact",
    ]
    rows = []
    for split, s in report["splits"].items():
        rows.append(
            [
                split,
                str(s["articles"]),
                _pct(s["events"]["precision"]),
                _pct(s["events"]["recall"]),
                _pct(s["events"]["f1"]),
                _pct(s["places"]["f1"]),
                _pct(s["actors"]["f1"]),
                _pct(s["status_accuracy"]),
                _pct(s["time_accuracy"]),
                _pct(s["attribution_accuracy"]),
                str(s["must_not_produced"]),
                str(s["nonfactual_as_completed"]),
                "yes" if s["spans_exact"] else "NO",
            ]
        )
    return _table(head, rows, md)


def _table(head: list[str], rows: list[list[str]], md: bool) -> list[str]:
    if md:
        out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return out
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    return [fmt.format(*head), fmt.format(*("-" * w for w in widths)), *(fmt.format(*r) for r in rows)]


def _describe(r: dict) -> str:
    actors = ", ".join(r["actor1"]) or "?"
    if r["actor2"]:
        actors += " vs " + ", ".join(r["actor2"])
    when = f"{r['event_date']}/{r['time_precision']}" if r["event_date"] else "no date"
    said = f"; per {r['attributed_to']}" if r["attributed_to"] else ""
    return f"{r['event_class']} {r['status']} @ {r['location'] or '(no place)'} [{actors}] {when}{said}"


def render(
    report: dict, fmt: str = "text", split: str = "all", history: list[dict] | None = None, notes: str = ""
) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    md = fmt == "md"
    lines: list[str] = []
    h = (lambda n, t: f"{'#' * n} {t}") if md else (lambda n, t: t.upper() if n <= 2 else t)
    if md:
        lines += [
            "# Extraction accuracy",
            "",
            "Generated by `make accuracy` (`conflictkg eval eval/gold --split all --format md --record eval`);",
            "do not edit by hand. How rows are matched and how the split is kept honest: `eval/README.md`.",
            "",
        ]
    lines += [h(2, "Figures"), ""]
    lines += _summary_lines(report, md)
    if report.get("rejected"):
        lines.append("")
    for r in report.get("rejected") or []:
        lines.append(f"{'- ' if md else ''}REJECTED by the shapes (no rows): {r}")
    if history:
        lines += ["", h(2, "Trend (one line per recorded run)"), ""]
        rows = []
        for run in history:
            for sp, f in run.get("figures", {}).items():
                if sp == "all":
                    continue
                rows.append(
                    [
                        run.get("when", ""),
                        run.get("commit", ""),
                        sp,
                        str((run.get("articles") or {}).get(sp, "")),
                        _pct(f.get("events.f1")),
                        _pct(f.get("events.precision")),
                        _pct(f.get("events.recall")),
                        _pct(f.get("status_accuracy")),
                        _pct(f.get("time_accuracy")),
                    ]
                )
        head = ["when", "commit", "split", "articles", "events F1", "P", "R", "status acc", "time acc"]
        lines += _table(head, rows, md)
    lines += ["", h(2, "Per article"), ""]
    lines += _table(
        ["article", "split", "lang", "style", "gold", "pred", "matched", "P", "R", "F1", "status", "time", "must_not"],
        [
            [
                a["article"],
                a["split"],
                a["lang"],
                a["style"],
                str(a["gold"]),
                str(a["predicted"]),
                str(a["matched"]),
                _pct(a["precision"]),
                _pct(a["recall"]),
                _pct(a["f1"]),
                _pct(a["status_accuracy"]),
                _pct(a["time_accuracy"]),
                str(a["must_not_produced"]),
            ]
            for a in report["articles"]
        ],
        md,
    )
    for sp, s in report["splits"].items():
        lines += ["", h(2, f"By class ({sp})"), ""]
        lines += _table(
            ["class", "gold", "pred", "matched", "P", "R", "F1"],
            [
                [
                    c,
                    str(v["gold"]),
                    str(v["pred"]),
                    str(v["tp"]),
                    _pct(v["precision"]),
                    _pct(v["recall"]),
                    _pct(v["f1"]),
                ]
                for c, v in s["by_class"].items()
            ],
            md,
        )
        u = s["unresolved"]
        lines += [
            "",
            f"Unresolved names ({sp}): found {len(u['found'])}, missed {len(u['missed'])}"
            + (f" ({', '.join(u['missed'])})" if u["missed"] and sp != "heldout" else "")
            + f"; captured but not in the gold: {len(u['extra'])}",
        ]
    # Held-out rows are listed only when the held-out split alone is asked for: whoever tunes the patterns
    # runs --split dev or all and never sees them (eval/README.md).
    show = {"dev"} if split == "all" else {split}
    listed = [(stem, d) for stem, d in report["details"].items() if d["split"] in show]
    lines += ["", h(2, "Misses, false alarms, wrong status and time" + (" (dev only)" if split == "all" else "")), ""]
    for stem, d in listed:
        if not any(d[k] for k in ("misses", "false_alarms", "wrong_status", "wrong_time", "must_not")):
            continue
        lines += [h(3, stem), ""]
        for label, key in (("miss", "misses"), ("false alarm", "false_alarms")):
            for r in d[key]:
                lines.append(f"- {label}: {_describe(r)}" if md else f"  {label}: {_describe(r)}")
                lines.append(f"  > {r['sentence']}" if md else f"      « {r['sentence']} »")
        for k, label in (("wrong_status", "status"), ("wrong_time", "time")):
            for pair in d[k]:
                g, p = pair["gold"], pair["predicted"]
                got = p["status"] if k == "wrong_status" else f"{p['event_date']}/{p['time_precision']}"
                want = g["status"] if k == "wrong_status" else f"{g['event_date']}/{g['time_precision']}"
                lines.append(f"{'- ' if md else '  '}{label}: {_describe(g)}: predicted {got}, gold {want}")
        for item in d["must_not"]:
            lines.append(f"{'- ' if md else '  '}MUST NOT: {_describe(item['predicted'])} ({item['rule']['why']})")
        lines.append("")
    if notes.strip():
        lines += ["", notes.strip()]
    return "\n".join(lines).rstrip() + "\n"


def record(report: dict, folder: Path, commit: str = "", when: str | None = None) -> list[dict]:
    """Append this run's figures to ``history.jsonl`` and make them the baseline; returns the history."""
    from .export import write_atomic

    entry = {
        "when": when or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "figures": figures(report),
        # the corpus grows as articles are written: a figure is read with the number of articles behind it
        "articles": {split: summary["articles"] for split, summary in report["splits"].items()},
    }
    history_path = folder / "history.jsonl"
    history = read_history(history_path)
    history.append(entry)
    write_atomic(history_path, "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in history))
    write_atomic(folder / "baseline.json", json.dumps(entry, ensure_ascii=False, indent=2) + "\n")
    return history


def read_history(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def articles_in(folder: Path, numbers: Iterable[str]) -> list[Path]:
    """The files of the listed articles (text and gold), for hashing."""
    out: list[Path] = []
    for n in numbers:
        for p in sorted(folder.glob(f"{n}_*")):
            if p.name.endswith((".txt", ".gold.yaml")):
                out.append(p)
    return out
