"""displaCy-style highlighting of an article: every extracted span marked by kind and linked to its event.

The graph keeps, for each event, the evidence span (offsets into the text as read) and, for each attribution,
the reporting words. Actors, places and time expressions are located inside their event's evidence span by
their labels, so a mark never strays outside the sentence that supports the event.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

KINDS = ("event", "actor", "place", "time", "attribution")
# The narrowest mark wins where entity marks overlap; attribution words are usually the widest.
_PRIORITY = {"actor": 0, "place": 1, "time": 2, "attribution": 3}


@dataclass
class Mention:
    start: int
    end: int
    kind: str
    target: str  # IRI the mark links to
    events: set[str] = field(default_factory=set)
    title: str = ""


def mentions(text: str, rows: list[dict[str, Any]], events: dict[str, dict[str, Any]]) -> list[Mention]:
    """Mentions from the rows of web/sparql/mentions.rq, deduplicated; EVENTS maps event IRIs to their rows."""
    found: dict[tuple[int, int, str, str], Mention] = {}

    def add(start: int, end: int, kind: str, target: str, event: str, title: str) -> None:
        if not (0 <= start < end <= len(text)):
            return
        m = found.setdefault((start, end, kind, target), Mention(start, end, kind, target, title=title))
        m.events.add(event)

    for r in rows:
        kind, start, end, event = r["kind"], r["start"], r["end"], r["e"]
        if kind in ("event", "attribution"):
            ev = events.get(event, {})
            title = (
                f"{ev.get('event_class', 'event')} ({ev.get('status', '?')})"
                if kind == "event"
                else f"attributed to {r['label'] or '?'}"
            )
            add(start, end, kind, r["x"], event, title)
            continue
        label = r["label"] or ""
        if len(label) < 2:
            continue
        window = text[start:end]
        at = window.find(label)
        while at >= 0:
            add(start + at, start + at + len(label), kind, r["x"] or event, event, f"{kind}: {label}")
            at = window.find(label, at + len(label))
    # A shorter label found inside a longer one of the same kind and target adds nothing.
    out = list(found.values())
    return [
        m
        for m in out
        if not any(
            o is not m
            and o.kind == m.kind
            and o.start <= m.start
            and m.end <= o.end
            and (o.end - o.start) > (m.end - m.start)
            for o in out
            if o.kind not in ("event", "attribution")
        )
    ]


def render(text: str, marks: list[Mention], link) -> Markup:
    """The text cut at every mark boundary; each piece wrapped in the marks that cover it."""
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    parts: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = escape(text[a:b])
        covering = [m for m in marks if m.start <= a and b <= m.end]
        if not covering:
            parts.append(str(piece))
            continue
        entities = sorted(
            (m for m in covering if m.kind != "event"), key=lambda m: (_PRIORITY[m.kind], m.end - m.start)
        )
        events = [m for m in covering if m.kind == "event"]
        inner = str(piece)
        if entities:
            ent = entities[0]
            tag = f' data-label="{ent.kind}"' if ent.end == b else ""
            inner = (
                f'<mark class="ent ent-{ent.kind}" data-kind="{ent.kind}"{tag} title="{escape(ent.title)}">'
                f'<a href="{escape(link(ent.target))}">{inner}</a></mark>'
            )
        if events:
            ids = " ".join(sorted({e for m in events for e in m.events}))
            first = min(events, key=lambda m: m.end - m.start)
            titles = "; ".join(sorted({m.title for m in events}))
            # An anchor where an evidence span begins, so that an event page can link to it in context.
            anchor = f' id="c{a}"' if any(m.start == a for m in events) else ""
            if entities:
                inner = f'<span class="ev"{anchor} data-events="{escape(ids)}" title="{escape(titles)}">{inner}</span>'
            else:
                inner = (
                    f'<a class="ev"{anchor} data-events="{escape(ids)}" title="{escape(titles)}" '
                    f'href="{escape(link(first.target))}">{inner}</a>'
                )
        parts.append(inner)
    return Markup("".join(parts))
