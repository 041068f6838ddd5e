"""The ``conflictkg`` command line (see ../shared/contract.md for the interface other tools rely on)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import BinaryIO

import click
from rdflib import Graph
from rich.console import Console

from . import __version__, ingest
from . import query as q
from . import validate as v
from .export import FORMATS as EXPORT_FORMATS
from .export import ExportError, read_rdf, serialize, write_atomic
from .store import SPEC_HELP, MemoryStore, Store, StoreError, open_store

err = Console(stderr=True, highlight=False)
RDF_SUFFIXES = {".trig", ".nq", ".ttl", ".nt", ".jsonld", ".rdf", ".owl", ".n3", ".xml"}
DEFAULT_STORE = "oxigraph:out/store"
LOAD_BATCH_TRIPLES = 50_000
AUTO_JOBS_FROM = 200  # articles from which build uses worker processes by default
AUTO_JOBS_MAX = 4  # and at most this many: memory grows by a pipeline per worker


def fail(message: str, code: int = 2) -> None:
    """One line on stderr naming the file and the reason, then the exit code."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(code)


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return ingest.parse_date(value, "--date")
    except ValueError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from None


date_option = click.option(
    "--date",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="Article date; relative times («أمس», yesterday) are resolved against it. "
    "Overrides sidecars and JSONL fields.",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["ar", "en", "auto"]),
    default="auto",
    show_default=True,
    help="Article language; auto takes it from the sidecar or detects it.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="conflictkg")
def main() -> None:
    """Build a knowledge graph of armed conflict from news articles.

    \b
    Typical session:
      conflictkg build examples/                      # graph, events table, store
      conflictkg packs                                # the query packs and what they answer
      conflictkg query control/latest --data out/graph.trig
      conflictkg events out/graph.trig --format csv   # ACLED-style events table
      conflictkg export out/graph.trig --format turtle -o out/graph.ttl
      conflictkg validate my-data.ttl --format junit  # SHACL in CI

    Exit codes follow pyshacl: 0 fine, 1 data problems (some article or shape
    failed), 2 usage or input errors.
    """


store_option = click.option(
    "--store",
    "store_spec",
    metavar="SPEC",
    help=f"A store: {SPEC_HELP}. For sparql:URL, basic auth comes from $CONFLICTKG_SPARQL_AUTH (user:password).",
)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("out/graph.trig"),
    show_default=True,
    help="Where the store's dataset goes, as TriG. events.csv and rejected.jsonl are written beside it.",
)
@date_option
@lang_option
@click.option(
    "--store",
    "store_spec",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="SPEC",
    help=f"Where the graphs are loaded: {SPEC_HELP}. Articles already there unchanged are skipped.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=ingest.DEFAULT_MAX_BYTES,
    show_default=True,
    help=(
        "Refuse an article file, or a JSONL record, larger than this "
        "(a JSONL file of any size is read a record at a time)."
    ),
)
@click.option("--force", is_flag=True, help="Rebuild every article, even those the store holds unchanged.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes for extraction, reasoning and validation (0: one per CPU). By default one process "
    f"below {AUTO_JOBS_FROM} articles, else one per CPU up to {AUTO_JOBS_MAX}: workers pay off from a few hundred "
    "articles, and each holds its own spaCy pipelines (about 300 MB).",
)
@click.option("-v", "--verbose", is_flag=True, help="One line per article on stderr (for logs, where no bar is shown).")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary, errors only.")
def build(
    paths: Sequence[Path],
    out: Path,
    date: dt.date | None,
    lang: str,
    store_spec: str,
    max_bytes: int,
    force: bool,
    jobs: int | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Read articles, extract events, reason, validate each article, store the graphs.

    PATHS are .txt, .md, .html or .jsonl files, or folders of them. A .txt
    article's date, source and language come from --date/--lang, or from a
    sidecar NAME.json: {"date": "2017-10-30", "source": "Al-Akhbar", "lang": "ar"}.

    The build is incremental: an article the store already holds, built from
    the same text, metadata and pipeline, is skipped; a changed one replaces
    its own graphs only. An interrupted build resumes where it stopped when
    run again. OUT and events.csv then hold everything in the store.

    \b
    Examples:
      conflictkg build examples/                                   # into oxigraph:out/store
      conflictkg build corpus.jsonl --store sparql:http://localhost:7878/query
      conflictkg build new-articles/ -v 2>> build.log              # a line per article
      conflictkg build archive-2017.jsonl -j 0                     # a worker per CPU

    Exit status: 0 every article conforms; 1 some article could not be read or
    failed the shapes (the others are still written, each failure is listed);
    2 usage error or nothing could be read.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .build import ArticleResult, Rejection, write_rejections
    from .build import build as run_build
    from .events import events_table, write_events

    try:
        store = open_store(store_spec)
    except StoreError as exc:
        fail(str(exc))
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )

    def on_article(item) -> None:
        if isinstance(item, Rejection):
            err.print(f"[yellow]rejected:[/] {item}", soft_wrap=True)
        elif verbose and isinstance(item, ArticleResult):
            err.print(f"built {item.article.id} ({len(item.events)} events)", soft_wrap=True)
        elif verbose:
            err.print(f"unchanged {item}", soft_wrap=True)
        progress.advance(task)

    try:
        with progress:
            n_articles = _count_articles(paths) if jobs is None or not progress.disable else None
            task = progress.add_task("building", total=None if progress.disable else n_articles)
            result = run_build(
                paths,
                date=date,
                lang=lang,
                max_bytes=max_bytes,
                on_article=on_article,
                store=store,
                keep_results=False,
                force=force,
                jobs=_cpus() if jobs == 0 else auto_jobs(n_articles) if jobs is None else jobs,
            )
    except StoreError as exc:
        fail(f"{store.spec}: {exc} (articles stored before this are kept; run the build again to resume)")
    if result.exit_code == 2:
        fail("nothing could be built: " + "; ".join(str(r) for r in result.rejected[:5]))

    def trig() -> None:
        write_atomic(out, lambda fh: store.dump_to(fh, "trig"))

    try:
        if store.concurrent_reads:  # the TriG dump beside the events query: Oxigraph lets go of the GIL
            with ThreadPoolExecutor(1) as pool:  # (200 seed-sized articles: 17.6 s -> 10.9 s)
                dumped = pool.submit(trig)
                write_events(out.parent / "events.csv", events_table(store), "csv")
                dumped.result()
        else:
            trig()
            write_events(out.parent / "events.csv", events_table(store), "csv")
        rejections = out.parent / "rejected.jsonl"
        if result.rejected:
            write_rejections(rejections, result.rejected)
        elif rejections.exists():
            rejections.unlink()
    except (OSError, StoreError, q.QueryError) as exc:
        fail(f"{out}: cannot write the output ({exc})")
    if not quiet:
        _summary(result, out, store)
    store.close()
    sys.exit(result.exit_code)


def _cpus() -> int:
    """CPUs this process may run on (a container's share, where the OS says so), not the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_jobs(n_articles: int | None) -> int:
    """``build``'s default worker count: forking workers costs a second or two and 300 MB each, which
    a few hundred articles repay (45 articles/s with two workers against 31 with one, at 1,000)."""
    if n_articles is None or n_articles < AUTO_JOBS_FROM:
        return 1
    return max(1, min(_cpus(), AUTO_JOBS_MAX))


def _count_articles(paths: Sequence[Path]) -> int | None:
    """How many articles the inputs hold, for the progress bar's total (one quick pass over the bytes)."""
    total = 0
    for item in ingest.expand(paths):
        if isinstance(item, ingest.IngestError):
            continue
        if item.suffix.lower() != ".jsonl":
            total += 1
            continue
        try:
            with item.open("rb") as fh:
                total += sum(1 for line in fh if line.strip())
        except OSError:
            continue
    return total or None


def _summary(result, out: Path, store: Store) -> None:
    from rich.table import Table

    c = result.counts()
    table = Table(title="conflictkg build", show_header=False, title_justify="left")
    table.add_row(
        "articles",
        f"{c['articles_built']} built, {c['articles_unchanged']} unchanged (already in the store), "
        f"{c['articles_rejected']} rejected",
    )
    table.add_row("events", str(c["events"]))
    table.add_row("  by class", ", ".join(f"{k} {n}" for k, n in c["events_by_class"].items()))
    table.add_row("  by status", ", ".join(f"{k} {n}" for k, n in c["events_by_status"].items()))
    table.add_row(
        "triples",
        f"{c['triples_asserted']} asserted + {c['triples_inferred']} inferred "
        f"(built now); {c['triples_total']} in the store",
    )
    failed = c["articles_failing_shapes"]
    table.add_row(
        "shapes",
        "every article conforms" if not failed else f"{failed} article(s) failed and were left out (rejected.jsonl)",
    )
    table.add_row("written", f"{out}, {out.parent / 'events.csv'}; store {store.spec}")
    table.add_row("time", f"{c['seconds']} s")
    err.print(table)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(v.FORMATS),
    default="text",
    show_default=True,
    help="junit for CI test reports, turtle for the SHACL validation report graph.",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="rdfs",
    show_default=True,
    help="Entailment applied with the ontology before checking (pyshacl's option).",
)
def validate(files: Sequence[Path], fmt: str, inference: str) -> None:
    """Check RDF files (any rdflib format) against the SHACL shapes in shapes/.

    \b
    Example, in CI:
      conflictkg validate data/*.ttl --format junit > shacl-report.xml

    Exit status as pyshacl: 0 conforms, 1 violations, 2 error.
    """
    from .graph import ontology

    reports = []
    for path in files:
        try:
            ds = read_rdf([path])
        except ExportError as exc:
            fail(str(exc))
        union = Graph()
        for t in ds.triples((None, None, None)):  # every named graph, merged
            union.add(t)
        reports.append(v.validate(union, label=str(path), ont_graph=ontology(), inference=inference))
    click.echo(v.render(reports, fmt))
    sys.exit(0 if all(r.conforms for r in reports) else 1)


def _source(data: Sequence[Path], store_spec: str | None) -> Store:
    if data and store_spec:
        fail("give --data or --store, not both")
    if data:
        try:
            return MemoryStore(read_rdf(data))
        except ExportError as exc:
            fail(str(exc))
    spec = store_spec or DEFAULT_STORE
    if spec.startswith("oxigraph:") and not Path(spec.split(":", 1)[1]).exists():
        fail(f"no store at {spec.split(':', 1)[1]}: run `conflictkg build` first, or query files with --data")
    try:
        return open_store(spec)
    except StoreError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


@main.command()
@click.argument("query_name", metavar="QUERY")
@click.argument("more_data", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]...")
@click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="RDF file to query; repeat it, or list more files after it (--data a.trig b.ttl).",
)
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(q.FORMATS),
    default="table",
    show_default=True,
    help="json is the SPARQL 1.1 Query Results JSON format.",
)
@click.option(
    "--bind",
    "binds",
    multiple=True,
    metavar="NAME=VALUE",
    help="Give the query variable ?NAME a value, bound as an RDF term (never pasted into the query text). "
    'VALUE is one N-Triples/Turtle term (<https://…>, "Al-Omar"@en, 2017, '
    '"2017-10-30"^^xsd:date, ckg:TerritoryTaken, res:…); anything else is a plain literal. Repeatable.',
)
def query(
    query_name: str,
    more_data: Sequence[Path],
    data: Sequence[Path],
    store_spec: str | None,
    fmt: str,
    binds: Sequence[str],
) -> None:
    """Run a .rq file or a pack query PACK/NAME (see `conflictkg packs`).

    \b
    Examples:
      conflictkg query control/latest --data out/graph.trig
      conflictkg query my.rq --store oxigraph:out/store --format csv
      conflictkg query oil/fields --store sparql:http://localhost:7878/query
      conflictkg query control/by_article --bind article_id=000_ad6e347ce071d57d
    """
    try:
        pq = q.load(query_name)
        if data or more_data:  # before the files are read, which can take long; stores are checked in run
            q.check_syntax(pq)
        bindings = dict(q.parse_binding(b) for b in binds)
        q.check_bindings(pq, bindings)
    except q.QueryError as exc:
        fail(str(exc))
    if more_data and not data:
        fail("files after the query are data files: give them after --data (--data a.trig b.ttl)")
    store = _source([*data, *more_data], store_spec)
    try:
        result = q.run(pq, store, bindings)
    except (q.QueryError, StoreError) as exc:
        fail(str(exc))
    click.echo(q.render(result, fmt), nl=fmt == "table")


@main.command()
@click.option("--names", is_flag=True, help="Only the names, one a line (for scripts).")
@click.option("--summary", "summary_of", metavar="NAME", help="Only the summary of one query.")
def packs(names: bool, summary_of: str | None) -> None:
    """List the query packs: each query's name and what it answers."""
    if summary_of:
        try:
            click.echo(q.load(summary_of).summary)
        except q.QueryError as exc:
            fail(str(exc))
        return
    for pq in q.packs():
        if names:
            click.echo(pq.name)
            continue
        audience = pq.header.get("audience", "")
        click.echo(f"{pq.name:32} {pq.summary}" + (f"  [{audience}]" if audience else ""))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@store_option
@date_option
@lang_option
def events(paths: Sequence[Path], fmt: str, store_spec: str | None, date: dt.date | None, lang: str) -> None:
    """The events table (ACLED-style columns) for articles, a built graph or a store.

    It is the pack query export/events.rq run over the graph. PATHS are RDF
    files (.trig, .nq, .ttl …) or articles, which are built in memory first.

    \b
    Examples:
      conflictkg events out/graph.trig --format csv > events.csv
      conflictkg events --store oxigraph:out/store --format json
      conflictkg events article.txt --date 2017-10-30
    """
    from .build import build as run_build
    from .events import events_table, render_events

    paths = list(paths)
    rdf = [p for p in paths if p.suffix.lower() in RDF_SUFFIXES]
    articles = [p for p in paths if p not in rdf]
    if not paths and not store_spec:
        fail("give articles, RDF files or --store SPEC")
    if articles and (rdf or store_spec):
        fail("give either articles, or RDF files / --store, not both")
    if articles:
        result = run_build(articles, date=date, lang=lang)
        for r in result.rejected:
            err.print(f"[yellow]rejected:[/] {r}", soft_wrap=True)
        if result.exit_code == 2:
            fail("nothing could be built")
        store = result.store
    else:
        store = _source(rdf, store_spec)
    try:
        table = events_table(store)
    except (q.QueryError, StoreError) as exc:
        fail(str(exc))
    click.echo(render_events(table, fmt), nl=False)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@store_option
def export(graph: Path | None, fmt: str, output: Path | None, store_spec: str | None) -> None:
    """Convert a built graph, or a whole store, to another linked-data format.

    Triple formats (turtle, nt, jsonld) merge the named graphs; trig and nq keep them.

    \b
    Examples:
      conflictkg export out/graph.trig --format turtle -o out/graph.ttl
      conflictkg export --store oxigraph:out/store --format nq -o backup.nq   # a backup
    """
    if (graph is None) == (store_spec is None):
        fail("give one GRAPH file or --store SPEC")
    try:
        if graph is not None:
            data: str | bytes | Callable[[BinaryIO], None] = serialize(read_rdf([graph]), fmt)
        else:
            store = _source([], store_spec)
            if fmt in ("trig", "nq") and output is not None:
                data = partial(store.dump_to, fmt=fmt)  # a store's backup is streamed to the file
            elif fmt in ("trig", "nq"):
                data = store.dump(fmt)
            else:
                data = serialize(store.to_dataset(), fmt)
    except (ExportError, StoreError) as exc:
        fail(str(exc))
    if output is None:
        click.echo(data.decode("utf-8") if isinstance(data, bytes) else data, nl=False)
        return
    try:
        write_atomic(output, data)
    except OSError as exc:
        fail(f"{output}: cannot write it ({exc.strerror or exc})")
    except StoreError as exc:
        fail(str(exc))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--store",
    "store_spec",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="SPEC",
    help=f"The store to load into: {SPEC_HELP}. Basic auth for sparql:URL from $CONFLICTKG_SPARQL_AUTH.",
)
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="Named graph for triples that come without one (Turtle, N-Triples, …).",
)
def load(files: Sequence[Path], store_spec: str, graph_iri: str | None) -> None:
    """Load RDF files into a store, replacing the named graphs they carry.

    TriG and N-Quads keep their named graphs, so a backup made with
    `conflictkg export --store ... --format nq` restores exactly. Every file is
    parsed before anything is written; each graph is replaced in one transaction.

    \b
    Examples:
      conflictkg load out/graph.trig --store sparql:http://localhost:7878/query
      conflictkg load backup.nq --store oxigraph:restored-store
      conflictkg load extra.ttl --graph https://example.org/graph/extra
    """
    from rdflib import URIRef

    from .rdf import new_dataset

    try:
        ds = read_rdf(files)
    except ExportError as exc:
        fail(str(exc))
    graphs: dict[URIRef, Graph] = {}
    for g in ds.graphs():
        if not len(g):
            continue
        name = g.identifier
        if name == ds.default_graph.identifier:
            if not graph_iri:
                fail("the files hold triples outside any named graph: give --graph IRI to name their graph")
            name = URIRef(graph_iri)
        target = graphs.setdefault(URIRef(name), new_dataset().graph(URIRef(name)))
        target += g
    try:
        store = open_store(store_spec)
        batch: dict[URIRef, Graph] = {}
        size = 0
        for name, g in graphs.items():  # transactions of bounded size, each a set of whole graphs
            batch[name] = g
            size += len(g)
            if size >= LOAD_BATCH_TRIPLES:
                store.put_graphs(batch)
                batch, size = {}, 0
        store.put_graphs(batch)
        store.close()
    except StoreError as exc:
        fail(f"{store_spec}: {exc}")
    err.print(f"loaded {sum(len(g) for g in graphs.values())} triples in {len(graphs)} graphs into {store.spec}")


@main.command()
@click.option(
    "--store",
    "store_spec",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="oxigraph:PATH",
    help="The embedded store to serve (built by `conflictkg build`); opened read-only.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--tiles",
    metavar="URL",
    help="Background map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (none by default: works offline).",
)
def serve(store_spec: str, host: str, port: int, tiles: str | None) -> None:
    """Browse the graph and query it: web pages and a read-only SPARQL endpoint.

    \b
    Pages: /  (overview)  /map  /timeline  /editor (SPARQL, with the query packs)
           /ontology  /resource/...  (every https://w3id.org/conflictkg/resource/ IRI;
           ask for text/turtle or application/ld+json to get its triples)
    Endpoint: /sparql  (SPARQL 1.1 Protocol, GET or POST; updates are refused)

    \b
    Example:
      conflictkg build examples/ && conflictkg serve --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3' localhost:8000/sparql

    The store is a snapshot taken at start: restart serve after a new build.
    """
    if not store_spec.startswith("oxigraph:"):
        fail(f"serve needs an embedded store (oxigraph:PATH), not {store_spec!r}")
    path = Path(store_spec.split(":", 1)[1] or "out/store")
    if not path.is_dir():
        fail(f"no store at {path}: run `conflictkg build` first (or give --store oxigraph:PATH)")
    import uvicorn

    from .web.app import create_app
    from .web.data import StoreMissing

    try:
        app = create_app(path, tiles=tiles)
    except StoreMissing as exc:
        fail(str(exc))
    err.print(f"conflictkg serve: http://{host}:{port}/  (SPARQL at /sparql; read-only; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command("eval")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option(
    "--split",
    type=click.Choice(["dev", "heldout", "all"]),
    default="all",
    show_default=True,
    help="Which articles (eval/splits.yaml). With all, misses are listed for dev only.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@click.option(
    "--record",
    "record_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Append the figures to DIR/history.jsonl and make them DIR/baseline.json (the trend in the report).",
)
def eval_command(gold: Path, split: str, fmt: str, output: Path | None, record_dir: Path | None) -> None:
    """Accuracy of extraction against a gold corpus (eval/README.md).

    Builds the gold articles exactly as `conflictkg events` does, matches the
    events table to the gold rows (same class, same place, compatible actors;
    status and time compared separately) and prints precision, recall and F1
    for events, places and actors, status and time accuracy, a per-article
    table, and the misses and false alarms with their sentences.

    \b
    Example:
      conflictkg eval eval/gold --split dev
      conflictkg eval eval/gold --split all --format md -o docs/accuracy.md --record eval

    Exit status: 0 ok; 2 bad gold input (the file and the field are named).
    """
    import subprocess

    from . import evaluate as ev

    try:
        articles = ev.load_gold(gold, split)
        if not articles:
            fail(f"{gold}: no gold articles in split {split!r}")
        report = ev.evaluate(articles)
    except ev.GoldError as exc:
        fail(str(exc))
    history = None
    if record_dir is not None:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            commit = ""
        history = ev.record(report, record_dir, commit=commit)
    elif fmt == "md":
        history = ev.read_history(gold.parent / "history.jsonl") or None
    notes_path = (record_dir or gold.parent) / "accuracy-notes.md"
    notes = notes_path.read_text(encoding="utf-8") if fmt == "md" and notes_path.is_file() else ""
    text = ev.render(report, fmt, split=split, history=history, notes=notes)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        fail(f"{output}: cannot write it ({exc.strerror or exc})")


if __name__ == "__main__":
    main()
