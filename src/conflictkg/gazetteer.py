"""The gazetteer: places, actors and sources as data (``gazetteer/*.yaml``).

Loaded once per process; compiled to its own RDF graph by :mod:`conflictkg.graph`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .resources import data_dir, read_yaml

KINDS = {"places": "place", "actors": "actor", "sources": "source"}


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # place | actor | source
    type: str  # ontology class local name
    en: str
    ar: str = ""
    variants_ar: tuple[str, ...] = ()
    variants_en: tuple[str, ...] = ()
    part_of: str | None = None
    lat: float | None = None
    lon: float | None = None
    wikidata: str | None = None
    country: str | None = None
    member_of: tuple[str, ...] = ()
    allied_with: tuple[str, ...] = ()
    supported_by: tuple[str, ...] = ()
    affiliated_with: str | None = None
    role_en: str | None = None

    @property
    def names(self) -> dict[str, tuple[str, ...]]:
        return {
            "ar": tuple(n for n in (self.ar, *self.variants_ar) if n),
            "en": tuple(n for n in (self.en, *self.variants_en) if n),
        }


@dataclass(frozen=True)
class Contextual:
    """A short form whose referent depends on context: «الجيش», «التنظيم»."""

    form: str
    default: str | None = None
    by_country: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)  # one instance per process; hashable by identity so lookups can be cached
class Gazetteer:
    entries: dict[str, Entry]
    contextual: list[Contextual]

    def get(self, entry_id: str | None) -> Entry | None:
        return self.entries.get(entry_id) if entry_id else None

    def ancestors(self, entry_id: str) -> list[Entry]:
        """Parent units of a place, nearest first (cycle-safe)."""
        out: list[Entry] = []
        seen = {entry_id}
        current = self.get(entry_id)
        while current and current.part_of and current.part_of not in seen:
            seen.add(current.part_of)
            current = self.get(current.part_of)
            if current:
                out.append(current)
        return out

    def country_of(self, entry_id: str) -> str | None:
        entry = self.get(entry_id)
        if entry and entry.type == "Country":
            return entry.id
        for parent in self.ancestors(entry_id):
            if parent.type == "Country":
                return parent.id
        return entry.country if entry else None


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[union-attr]


def _entry(raw: dict, kind: str, path: Path) -> Entry:
    try:
        return Entry(
            id=str(raw["id"]),
            kind=kind,
            type=str(raw["type"]),
            en=str(raw["en"]),
            ar=str(raw.get("ar") or ""),
            variants_ar=_tuple(raw.get("variants_ar")),
            variants_en=_tuple(raw.get("variants_en")),
            part_of=raw.get("part_of"),
            lat=float(raw["lat"]) if raw.get("lat") is not None else None,
            lon=float(raw["lon"]) if raw.get("lon") is not None else None,
            wikidata=str(raw["wikidata"]) if raw.get("wikidata") else None,
            country=raw.get("country"),
            member_of=_tuple(raw.get("member_of")),
            allied_with=_tuple(raw.get("allied_with")),
            supported_by=_tuple(raw.get("supported_by")),
            affiliated_with=raw.get("affiliated_with"),
            role_en=raw.get("role_en"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: bad gazetteer entry {raw!r}: {exc}") from exc


@cache
def load(directory: Path | None = None) -> Gazetteer:
    directory = directory or data_dir("gazetteer")
    entries: dict[str, Entry] = {}
    contextual: list[Contextual] = []
    for stem, kind in KINDS.items():
        path = directory / f"{stem}.yaml"
        doc = read_yaml(path) or {}
        for raw in doc.get("entries", []):
            entry = _entry(raw, kind, path)
            if entry.id in entries:
                raise ValueError(f"{path}: duplicate gazetteer id {entry.id!r}")
            entries[entry.id] = entry
        for raw in doc.get("contextual", []) or []:
            contextual.append(
                Contextual(form=str(raw["form"]), default=raw.get("default"), by_country=raw.get("by_country") or {})
            )
    return Gazetteer(entries=entries, contextual=contextual)
