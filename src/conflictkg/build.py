"""The build: ingest → extract → graph → reason → validate → store, article by article.

An article that cannot be read or whose graph fails the shapes is reported
(``rejected.jsonl`` beside the output) and left out; the others are written.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from . import ingest
from .export import write_atomic
from .extract import Event, extract_many
from .graph import (
    GAZETTEER_GRAPH,
    GAZETTEER_INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    article_graph,
    article_graph_iri,
    context_for,
    gazetteer_graph,
    inferred_graph_iri,
    new_dataset,
    ontology,
)
from .reason import gazetteer_inferred, reason
from .validate import Report, validate_batch


@dataclass
class ArticleResult:
    article: ingest.Article
    events: list[Event]
    graph: Graph
    inferred: Graph
    report: Report
    seconds: float

    @property
    def ok(self) -> bool:
        return self.report.conforms


@dataclass
class Rejection:
    path: str
    reason: str
    record: int | None = None
    article_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.record}" if self.record is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class BuildResult:
    built: list[ArticleResult] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    dataset: Dataset = field(default_factory=new_dataset)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if not self.built:
            return 2
        return 1 if self.rejected else 0

    def counts(self) -> dict:
        events = Counter()
        statuses = Counter()
        for r in self.built:
            for e in r.events:
                events[e.cls] += 1
                statuses[e.status] += 1
        return {
            "articles_built": len(self.built),
            "articles_rejected": len(self.rejected),
            "events": sum(events.values()),
            "events_by_class": dict(sorted(events.items())),
            "events_by_status": dict(sorted(statuses.items())),
            "triples_asserted": sum(len(r.graph) for r in self.built),
            "triples_inferred": sum(len(r.inferred) for r in self.built),
            "triples_total": len(self.dataset),
            # Built articles all conform; those that failed the shapes are rejections with an article id.
            "articles_failing_shapes": sum(1 for r in self.rejected if r.article_id),
            "seconds": round(self.seconds, 2),
        }


def base_graphs() -> dict[URIRef, Graph]:
    """The graphs every dataset carries: ontology, gazetteer, and the gazetteer's entailments."""
    return {
        ONTOLOGY_GRAPH: ontology(),
        GAZETTEER_GRAPH: gazetteer_graph(),
        GAZETTEER_INFERRED_GRAPH: gazetteer_inferred(),
    }


def process(articles: Iterable[ingest.Article], batch_size: int = 16) -> Iterator[ArticleResult]:
    """Extraction, graph, reasoning and validation of each article, batched through spaCy by language."""
    gaz = gazetteer_graph() + gazetteer_inferred()
    batch: list[ingest.Article] = []

    def flush() -> Iterator[ArticleResult]:
        by_lang: dict[str, list[ingest.Article]] = {}
        for a in batch:
            by_lang.setdefault(a.lang, []).append(a)
        for lang, group in by_lang.items():
            started = time.perf_counter()
            docs = extract_many((a.text for a in group), lang=lang, batch_size=batch_size)
            done = []
            for art, doc in zip(group, docs, strict=True):
                g, referenced = article_graph(art, doc._.events)
                context = context_for(referenced, gaz)
                done.append((art, doc._.events, g, reason(g, context), context))
            # One SHACL pass for the group (validate_batch gives each article its own verdict).
            reports = validate_batch([(art.id, g + inferred + ctx) for art, _, g, inferred, ctx in done])
            each = (time.perf_counter() - started) / max(len(done), 1)
            for (art, events, g, inferred, _), report in zip(done, reports, strict=True):
                yield ArticleResult(art, events, g, inferred, report, each)
        batch.clear()

    for art in articles:
        batch.append(art)
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()


def build(
    paths: Iterable[str | Path],
    date: dt.date | None = None,
    lang: str = "auto",
    max_bytes: int = ingest.DEFAULT_MAX_BYTES,
    on_article: Callable[[ArticleResult | Rejection], None] | None = None,
) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    for name, g in base_graphs().items():
        result.dataset.graph(name).__iadd__(g)
    seen: set[str] = set()
    good: list[ingest.Article] = []

    def note(item: ArticleResult | Rejection) -> None:
        if on_article:
            on_article(item)

    for item in ingest.read(paths, date=date, lang=lang, max_bytes=max_bytes):
        if isinstance(item, ingest.IngestError):
            rej = Rejection(item.path, item.reason, item.record)
            result.rejected.append(rej)
            note(rej)
            continue
        if item.id in seen:
            rej = Rejection(item.path, f"article id {item.id!r} is already used by another input", item.record)
            result.rejected.append(rej)
            note(rej)
            continue
        seen.add(item.id)
        good.append(item)

    try:
        for res in process(good):
            if not res.ok:
                first = res.report.violations[0] if res.report.violations else None
                reason_text = f"its graph fails {len(res.report.violations)} shape constraint(s)"
                if first:
                    reason_text += f"; first: {first.focus}: {first.message}"
                rej = Rejection(res.article.path, reason_text, res.article.record, res.article.id)
                result.rejected.append(rej)
                note(rej)
                continue
            result.dataset.graph(article_graph_iri(res.article.id)).__iadd__(res.graph)
            result.dataset.graph(inferred_graph_iri(res.article.id)).__iadd__(res.inferred)
            result.built.append(res)
            note(res)
    except ValueError as exc:  # no patterns for a language, broken pattern file
        result.rejected.append(Rejection("(pipeline)", str(exc)))
    result.seconds = time.perf_counter() - started
    return result


def write_rejections(path: Path, rejected: list[Rejection]) -> None:
    lines = [
        json.dumps(
            {"file": r.path, "record": r.record, "article_id": r.article_id, "reason": r.reason}, ensure_ascii=False
        )
        for r in rejected
    ]
    write_atomic(path, "".join(line + "\n" for line in lines))


def graphs_of(result: BuildResult) -> dict[URIRef, Graph]:
    """Every named graph of a build, for loading into a store."""
    out = dict(base_graphs())
    for r in result.built:
        out[article_graph_iri(r.article.id)] = r.graph
        out[inferred_graph_iri(r.article.id)] = r.inferred
    return out
