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
    status: str = ""


def mentions(text: str, rows: list[dict[str, Any]], events: dict[str, dict[str, Any]]) -> list[Mention]:
    """Mentions from the rows of web/sparql/mentions.rq, deduplicated; EVENTS maps event IRIs to their rows."""
    found: dict[tuple[int, int, str, str], Mention] = {}

    def add(start: int, end: int, kind: str, target: str, event: str, title: str, status: str = "") -> None:
        if not (0 <= start < end <= len(text)):
            return
        m = found.setdefault((start, end, kind, target), Mention(start, end, kind, target, title=title, status=status))
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
            add(start, end, kind, r["x"], event, title, ev.get("status", ""))
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
            # The mark links to the event it supports; the actor or place itself is named in the title and
            # linked from the events table.
            event = sorted(ent.events)[0]
            inner = (
                f'<mark class="ent ent-{ent.kind}" data-kind="{ent.kind}"{tag} data-ref="{escape(link(ent.target))}" '
                f'title="{escape(ent.title)}"><a href="{escape(link(event))}">{inner}</a></mark>'
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
        # Each evidence span ends with a small marker (no text: the article stays as read) linking to its
        # event, so that events sharing the same words are each reachable.
        for m in sorted((m for m in marks if m.kind == "event" and m.end == b), key=lambda m: m.target):
            parts.append(
                f'<a class="ev-end st-{escape(m.status)}" href="{escape(link(m.target))}" '
                f'title="{escape(m.title)}" aria-label="{escape(m.title)}" data-events="{escape(m.target)}"></a>'
            )
    return Markup("".join(parts))
