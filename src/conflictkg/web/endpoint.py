"""The SPARQL 1.1 Protocol endpoint (read-only): GET ?query=, POST form or application/sparql-query.

Updates are refused, whichever way they come (form field ``update=`` or ``application/sparql-update``).
Result formats follow the Accept header; Oxigraph serializes them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from .data import ReadOnlyGraph

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
REFUSED = "this endpoint is read-only: SPARQL updates are refused (conflictkg serve never writes the store)"
CORS = {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}


def accepted(header: str) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, order kept among equals)."""
    items = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, fields[0].lower()))
    return [t for _, _, t in sorted(items)]


def negotiate(header: str, table: dict, default: str) -> str | None:
    types = accepted(header or "*/*") or ["*/*"]
    for t in types:
        if t in table:
            return t
        if t in ("*/*", "application/*", "text/*"):
            return default
    return None


def _refuse() -> Response:
    return PlainTextResponse(REFUSED, status_code=403, headers=CORS)


async def sparql(request: Request, graph: ReadOnlyGraph) -> Response:
    params = dict(parse_qsl(request.url.query, keep_blank_values=True))
    default_graphs = [v for k, v in parse_qsl(request.url.query) if k == "default-graph-uri"]
    named_graphs = [v for k, v in parse_qsl(request.url.query) if k == "named-graph-uri"]
    query: str | None = params.get("query")
    if "update" in params:
        return _refuse()
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            return _refuse()
        if ctype == "application/sparql-query":
            query = (await request.body()).decode("utf-8", errors="replace")
        elif ctype == "application/x-www-form-urlencoded":
            # The protocol's form POST; parsed here rather than with a multipart library it does not need.
            form = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
            if any(k == "update" for k, _ in form):
                return _refuse()
            query = next((v for k, v in form if k == "query"), None)
            default_graphs += [v for k, v in form if k == "default-graph-uri"]
            named_graphs += [v for k, v in form if k == "named-graph-uri"]
        else:
            return PlainTextResponse(
                "POST application/sparql-query or an application/x-www-form-urlencoded form with query=",
                status_code=415,
                headers=CORS,
            )
    if query is None:
        if "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/editor", status_code=303)
        return PlainTextResponse("missing query= (SPARQL 1.1 Protocol)", status_code=400, headers=CORS)
    kwargs: dict = {}
    try:
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    except ValueError as exc:
        return PlainTextResponse(f"bad graph IRI: {exc}", status_code=400, headers=CORS)
    accept = request.headers.get("accept", "*/*")
    return await run_in_threadpool(_run, graph, query, kwargs, accept)


def _run(graph: ReadOnlyGraph, query: str, kwargs: dict, accept: str) -> Response:
    try:
        result = graph.raw(query, **kwargs)
    except SyntaxError as exc:
        if _looks_like_update(query):
            return _refuse()
        return PlainTextResponse(f"SPARQL syntax error: {exc}", status_code=400, headers=CORS)
    except (OSError, RuntimeError, ValueError) as exc:
        return PlainTextResponse(f"query failed: {exc}", status_code=400, headers=CORS)
    if isinstance(result, ox.QueryTriples):
        mtype = negotiate(accept, GRAPH_TYPES, "text/turtle")
        if mtype is None:
            return _not_acceptable(GRAPH_TYPES)
        body = result.serialize(format=GRAPH_TYPES[mtype])
    else:
        mtype = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
        if mtype is None:
            return _not_acceptable(RESULT_TYPES)
        body = result.serialize(format=RESULT_TYPES[mtype])
    charset = "" if mtype.endswith("json") else "; charset=utf-8"
    return Response(body, media_type=None, headers={**CORS, "Content-Type": mtype + charset})


def _not_acceptable(table: dict) -> Response:
    return PlainTextResponse("not acceptable; this endpoint gives: " + ", ".join(table), status_code=406, headers=CORS)


_PROLOGUE = re.compile(r"^\s*(?:(?:#[^\n]*\n)|(?:PREFIX\s+[^:\s]*:\s*<[^>]*>)|(?:BASE\s+<[^>]*>)|\s+)*", re.IGNORECASE)
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH")


def _looks_like_update(text: str) -> bool:
    """An update sent as a query: its first word after the prologue is an update operation."""
    rest = _PROLOGUE.sub("", text, count=1)
    return rest.split(None, 1)[0].upper() in _UPDATE_WORDS if rest.strip() else False
