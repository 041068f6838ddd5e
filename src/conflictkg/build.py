"""The build: ingest → extract → graph → reason → validate → store, article by article.

An article that cannot be read or whose graph fails the shapes is reported
(``rejected.jsonl`` beside the output) and left out; the others are written.

Builds are incremental: each article graph carries a digest of its input and of
the pipeline (``ckg:buildDigest``), and an article whose digest the store already
holds is skipped. Each article goes into the store as soon as it is built, in one
transaction with its inferred graph, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from . import __version__, ingest
from .export import write_atomic
from .extract import Event, extract_many, pipeline
from .graph import (
    CKG,
    GAZETTEER_GRAPH,
    GAZETTEER_INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    Triple,
    article_graph_iri,
    article_iri,
    article_triples,
    context_triples,
    gazetteer_graph,
    inferred_graph_iri,
    ontology,
    to_graph,
)
from .rdf import NT
from .reason import gazetteer_inferred, reason, tables
from .resources import data_dir
from .store import Graphs, MemoryStore, OxigraphStore, Store
from .validate import Report, shapes, validate_batch


@dataclass
class ArticleResult:
    """One article built: its events, its triples and entailments (sets: the build never needs rdflib
    graphs, which cost more to fill than the rest of the work on them), and its SHACL report."""

    article: ingest.Article
    events: list[Event]
    asserted: set[Triple]
    entailed: set[Triple]
    report: Report
    seconds: float

    @property
    def ok(self) -> bool:
        return self.report.conforms

    @cached_property
    def graph(self) -> Graph:
        """The article's named graph as an rdflib graph, made when first asked for."""
        return to_graph(self.asserted, article_graph_iri(self.article.id))

    @cached_property
    def inferred(self) -> Graph:
        return to_graph(self.entailed, inferred_graph_iri(self.article.id))

    def sizes(self) -> tuple[int, int]:
        return len(self.asserted), len(self.entailed)

    def graphs(self, build_digest: str) -> Graphs:
        """The article's two named graphs for the store, the asserted one stamped with its build digest."""
        self.asserted.add((article_iri(self.article.id), CKG.buildDigest, Literal(build_digest)))
        self.__dict__.pop("graph", None)  # an rdflib graph made before is made again, with the stamp
        return {article_graph_iri(self.article.id): self.asserted, inferred_graph_iri(self.article.id): self.entailed}


@dataclass
class ShippedResult(ArticleResult):
    """An article built in a worker process. Its graphs travel as N-Triples text: unpickling rdflib terms
    costs more (7 ms an article) than building them, while the store reads text natively."""

    graph_text: str = ""
    inferred_text: str = ""
    n_triples: tuple[int, int] = (0, 0)

    @classmethod
    def of(cls, res: ArticleResult) -> ShippedResult:
        return cls(
            res.article,
            res.events,
            set(),
            set(),
            res.report,
            res.seconds,
            NT.document(res.asserted),
            NT.document(res.entailed),
            res.sizes(),
        )

    def sizes(self) -> tuple[int, int]:
        return self.n_triples

    def graphs(self, build_digest: str) -> Graphs:
        self.graph_text += NT.line((article_iri(self.article.id), CKG.buildDigest, Literal(build_digest))) + "\n"
        self.n_triples = (self.n_triples[0] + 1, self.n_triples[1])  # as ArticleResult's graph gains the stamp
        return {
            article_graph_iri(self.article.id): self.graph_text,
            inferred_graph_iri(self.article.id): self.inferred_text,
        }

    def unshipped(self) -> ArticleResult:
        """The result as one process makes it, its triples read back from the text (for callers that keep
        results: a shipped result's own triple sets are empty)."""
        asserted, entailed = (
            set(Graph().parse(data=text, format="nt")) for text in (self.graph_text, self.inferred_text)
        )
        return ArticleResult(self.article, self.events, asserted, entailed, self.report, self.seconds)


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
    store: Store = field(default_factory=MemoryStore)
    built: list[ArticleResult] = field(default_factory=list)  # empty when the build keeps no results
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ids already in the store, unchanged
    seconds: float = 0.0
    n_built: int = 0
    events: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    triples_asserted: int = 0
    triples_inferred: int = 0

    def add(self, res: ArticleResult, keep: bool) -> None:
        self.n_built += 1
        for e in res.events:
            self.events[e.cls] += 1
            self.statuses[e.status] += 1
        asserted, inferred = res.sizes()
        self.triples_asserted += asserted
        self.triples_inferred += inferred
        if keep:
            self.built.append(res)

    @property
    def dataset(self) -> Dataset:
        """Everything in the store (for the memory store, the dataset itself)."""
        return self.store.to_dataset()

    @property
    def exit_code(self) -> int:
        if not self.n_built and not self.skipped:
            return 2
        return 1 if self.rejected else 0

    def counts(self) -> dict:
        return {
            "articles_built": self.n_built,
            "articles_unchanged": len(self.skipped),
            "articles_rejected": len(self.rejected),
            "events": sum(self.events.values()),
            "events_by_class": dict(sorted(self.events.items())),
            "events_by_status": dict(sorted(self.statuses.items())),
            "triples_asserted": self.triples_asserted,
            "triples_inferred": self.triples_inferred,
            "triples_total": self.store.count(),
            # Built articles all conform; those that failed the shapes are rejections with an article id.
            "articles_failing_shapes": sum(1 for r in self.rejected if r.article_id),
            "seconds": round(self.seconds, 2),
        }


_PIPELINE_DATA = ("ontology", "shapes", "gazetteer", "patterns")
# Built articles are written to the store in batches (``Store.put_many``) of about this many triples, at most
# WRITE_BATCH articles: a bulk load costs Oxigraph ~50 ms however small, then ~55,000 quads/s, against ~23,000
# for one transaction an article. A killed run loses at most one batch of built articles.
WRITE_BATCH_TRIPLES = 25_000
WRITE_BATCH = 256


class WriteBatch:
    """Built articles waiting to be written, with a running count of their triples: ``add`` says when they make
    a batch. ``build`` writes by this rule, and the benchmark times store loading by it."""

    def __init__(self) -> None:
        self.items: list = []
        self.triples = 0

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: object, triples: int) -> bool:
        self.items.append(item)
        self.triples += triples
        return len(self.items) >= WRITE_BATCH or self.triples >= WRITE_BATCH_TRIPLES

    def take(self) -> list:
        """The waiting items, the batch emptied first: a write that fails is not tried again on the way out."""
        items, self.items, self.triples = self.items, [], 0
        return items


def pipeline_fingerprint() -> str:
    """What a build's output depends on besides its input: the version and every data file."""
    h = hashlib.sha256(__version__.encode())
    for name in _PIPELINE_DATA:
        root = data_dir(name)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def digest(article: ingest.Article, fingerprint: str) -> str:
    fields = [article.id, article.text, str(article.date or ""), article.lang, article.source or "", article.url or ""]
    h = hashlib.sha256(fingerprint.encode())
    for f in fields:
        h.update(b"\x00" + f.encode("utf-8", "surrogatepass"))
    return "sha256:" + h.hexdigest()


def base_graphs() -> dict[URIRef, Graph]:
    """The graphs every dataset carries: ontology, gazetteer, and the gazetteer's entailments."""
    return {
        ONTOLOGY_GRAPH: ontology(),
        GAZETTEER_GRAPH: gazetteer_graph(),
        GAZETTEER_INFERRED_GRAPH: gazetteer_inferred(),
    }


@cache
def _gazetteer() -> tuple[Graph, dict]:
    """The gazetteer with its entailments, and each entity's description once looked up (per process)."""
    return gazetteer_graph() + gazetteer_inferred(), {}


def _load_shared() -> None:
    """What every article's stages read, loaded before the first freeze or fork: gazetteer, shapes, tables."""
    _gazetteer()
    shapes()
    tables()


def process(articles: Iterable[ingest.Article], batch_size: int = 16) -> Iterator[ArticleResult]:
    """Extraction, graph, reasoning and validation of each article, batched through spaCy by language."""
    gaz, described = _gazetteer()
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
                g, referenced = article_triples(art, doc._.events)
                context = context_triples(referenced, gaz, described)
                done.append((art, doc._.events, g, reason(g, context), context))
            # One SHACL pass for the group (validate_batch gives each article its own verdict).
            reports = validate_batch([(art.id, (g, inferred, ctx)) for art, _, g, inferred, ctx in done])
            each = (time.perf_counter() - started) / max(len(done), 1)
            for (art, events, g, inferred, _), report in zip(done, reports, strict=True):
                yield ArticleResult(art, events, g, inferred, report, each)
        batch.clear()

    for art in articles:
        batch.append(art)
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()


def _process_batch(articles: list[ingest.Article]) -> list[ShippedResult]:
    return [ShippedResult.of(res) for res in process(articles)]


def process_parallel(articles: Iterable[ingest.Article], jobs: int, batch_size: int = 16) -> Iterator[ArticleResult]:
    """``process`` in ``jobs`` worker processes, batch by batch, results in input order.

    The workers are forked once the pipelines, gazetteer and shapes are loaded, so each starts warm; only a
    few batches are in flight at a time, so memory stays flat on inputs of any length. The parent keeps the
    store to itself: workers never touch it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    for lang in ("ar", "en"):
        pipeline(lang)
    _load_shared()
    gc.freeze()  # as Python's docs advise before a fork: the workers share these pages and never walk them
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pending: deque = deque()
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        batch: list[ingest.Article] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= batch_size:
                pending.append(pool.submit(_process_batch, batch))
                batch = []
                if len(pending) > 2 * jobs:
                    yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(_process_batch, batch))
        while pending:
            yield from pending.popleft().result()


def build(
    paths: Iterable[str | Path],
    date: dt.date | None = None,
    lang: str = "auto",
    max_bytes: int = ingest.DEFAULT_MAX_BYTES,
    on_article: Callable[[ArticleResult | Rejection | str], None] | None = None,
    store: Store | None = None,
    keep_results: bool = True,
    force: bool = False,
    jobs: int = 1,
) -> BuildResult:
    """Build articles into ``store`` (a new in-memory Oxigraph store if none: the events table and the
    packs run there several times faster than on rdflib's engine).

    ``on_article`` hears of each article as it is done: an ArticleResult once it is
    in the store, a Rejection, or the id (a string) of an article skipped as unchanged.
    ``keep_results=False`` keeps only counts, so memory stays bounded on long runs;
    ``force`` rebuilds articles the store already holds unchanged. ``jobs`` > 1 builds in that many worker
    processes (results then carry their graphs as N-Triples text, not rdflib graphs).
    """
    started = time.perf_counter()
    result = BuildResult(store=store if store is not None else OxigraphStore(None))
    store = result.store
    store.put_graphs(base_graphs())  # same content every run unless the data changed
    held = store.digests()
    known = {} if force else held
    fingerprint = pipeline_fingerprint()
    seen: set[str] = set()
    digests: dict[str, str] = {}
    loaded: set[str] = set()

    def ready(lang: str) -> None:
        """Load a language's pipeline before its first article, then freeze what the process holds
        (``gc.freeze``): the models, gazetteer and tables live as long as the run, and each full collection
        walked them all (about 0.3 s; 10 % of building seed-sized articles). Undone when the build ends."""
        if lang not in loaded:
            loaded.add(lang)
            pipeline(lang)
            gc.freeze()

    def note(item: ArticleResult | Rejection | str) -> None:
        if on_article:
            on_article(item)

    def reject(rej: Rejection) -> None:
        result.rejected.append(rej)
        note(rej)

    def to_build() -> Iterator[ingest.Article]:
        """Articles in input order, lazily: the pipeline pulls them batch by batch."""
        for item in ingest.read(paths, date=date, lang=lang, max_bytes=max_bytes):
            if isinstance(item, ingest.IngestError):
                reject(Rejection(item.path, item.reason, item.record))
                continue
            if item.id in seen:
                reject(Rejection(item.path, f"article id {item.id!r} is already used by another input", item.record))
                continue
            seen.add(item.id)
            d = digest(item, fingerprint)
            if known.get(item.id) == d:
                result.skipped.append(item.id)
                note(item.id)
                continue
            digests[item.id] = d
            ready(item.lang)
            yield item

    waiting = WriteBatch()

    def write() -> None:
        """The articles built so far into the store, as one batch (each is heard of once it is there)."""
        batch: list[ArticleResult] = waiting.take()
        store.put_many([res.graphs(digests.pop(res.article.id)) for res in batch])
        for res in batch:
            if keep_results and isinstance(res, ShippedResult):
                res = res.unshipped()
            result.add(res, keep_results)
            note(res)

    try:
        _load_shared()
        pipeline_run = process(to_build()) if jobs <= 1 else process_parallel(to_build(), jobs)
        for res in pipeline_run:
            if not res.ok:
                first = res.report.violations[0] if res.report.violations else None
                reason_text = f"its graph fails {len(res.report.violations)} shape constraint(s)"
                if first:
                    reason_text += f"; first: {first.focus}: {first.message}"
                reject(Rejection(res.article.path, reason_text, res.article.record, res.article.id))
                continue
            if waiting.add(res, sum(res.sizes())):
                write()
        write()
    except ValueError as exc:  # no patterns for a language, broken pattern file
        result.rejected.append(Rejection("(pipeline)", str(exc)))
    except BrokenProcessPool:  # a worker was killed (out of memory, most often)
        reason_text = "a worker process stopped unexpectedly; the articles written so far are kept: run again"
        result.rejected.append(Rejection("(pipeline)", reason_text + ", with fewer --jobs, to resume"))
    finally:
        try:
            if waiting:  # built before the pipeline stopped (an error, Ctrl-C): complete articles, so kept
                write()
        finally:
            gc.unfreeze()  # the caller's objects are the collector's again
    if result.n_built and result.n_built >= len(held):  # most of the store is new: compact it (see optimize)
        store.optimize()
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
