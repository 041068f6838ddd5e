"""A server-rendered chart: events per day, stacked by status (no JavaScript, no chart library)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

WIDTH, HEIGHT, PAD = 640, 200, 28


def stacked_by_date(events: list[dict[str, Any]], statuses: tuple[str, ...]) -> dict[str, Any]:
    """Bars (one per day with events) of rectangles (one per status), in SVG user units."""
    per_day: dict[str, Counter] = defaultdict(Counter)
    for e in events:
        per_day[e["date"] or "undated"][e["status"]] += 1
    days = sorted(per_day)
    if not days:
        return {"bars": [], "width": WIDTH, "height": HEIGHT, "max": 0}
    peak = max(sum(c.values()) for c in per_day.values())
    slot = (WIDTH - 2 * PAD) / len(days)
    bar_w = max(2.0, min(48.0, slot * 0.7))
    bars = []
    for i, day in enumerate(days):
        x = PAD + i * slot + (slot - bar_w) / 2
        y = HEIGHT - PAD
        rects = []
        for status in statuses:
            n = per_day[day][status]
            if not n:
                continue
            h = (HEIGHT - 2 * PAD) * n / peak
            y -= h
            rects.append(
                {"status": status, "n": n, "x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1), "h": round(h, 1)}
            )
        bars.append(
            {
                "day": day,
                "x": round(x + bar_w / 2, 1),
                "rects": rects,
                "total": sum(per_day[day].values()),
                "label": len(days) <= 12 or i % max(1, len(days) // 12) == 0,
            }
        )
    return {"bars": bars, "width": WIDTH, "height": HEIGHT, "max": peak, "base": HEIGHT - PAD}
