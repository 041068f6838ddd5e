"""The events table of the contract: the pack query ``export/events.rq``, never a second code path."""

from __future__ import annotations

import json
from pathlib import Path

from . import query as q
from .export import write_atomic
from .store import QueryResult, Store

COLUMNS = (
    "event_id",
    "article_id",
    "event_class",
    "event_type",
    "sub_event_type",
    "status",
    "event_date",
    "time_precision",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "attributed_to",
    "evidence",
    "char_start",
    "char_end",
)


def events_table(store: Store) -> QueryResult:
    result = q.run(q.load("export/events"), store)
    if tuple(result.vars[: len(COLUMNS)]) != COLUMNS:
        raise q.QueryError("queries/export/events.rq must select the contract's columns first, in order")
    return result


def render_events(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        rows = []
        for row in result.rows:
            record = {}
            for var, cell in zip(result.vars, row, strict=True):
                value = "" if cell is None else cell.value
                if var in ("time_precision", "geo_precision", "char_start", "char_end") and value:
                    record[var] = int(value)
                elif var in ("latitude", "longitude") and value:
                    record[var] = float(value)
                else:
                    record[var] = value
            rows.append(record)
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    return q.render(result, "csv")


def write_events(path: Path, result: QueryResult, fmt: str = "csv") -> None:
    write_atomic(path, render_events(result, fmt))
