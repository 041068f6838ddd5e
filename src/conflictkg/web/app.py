"""The researcher's web view: a Starlette app over a read-only store.

Pages: home, articles with highlighted spans, event / actor / place / oil-field / negotiation pages (every
``https://w3id.org/conflictkg/resource/...`` IRI resolves at ``/resource/...``), map, timeline, SPARQL editor,
ontology documentation; ``/sparql`` is the SPARQL 1.1 Protocol endpoint. Nothing here writes the store.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import query as packs_module
from . import chart, highlight, ontology
from .data import CKG, PREFIXES, RDF_TYPE, RES, ReadOnlyGraph, short
from .endpoint import negotiate, sparql

HERE = Path(__file__).parent
STATUSES = ("completed", "ongoing", "planned", "possible", "denied")
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
PAGE_TYPES = {"text/html": None, "application/xhtml+xml": None, **RDF_TYPES}
PLACE_CLASSES = {"Place", "Facility"}
TIMELINE_PAGE = 500
ACTOR_EVENTS = 300


def link(iri: str) -> str:
    """Where an IRI is shown: our resources and ontology terms locally, the rest as they are."""
    if iri.startswith(RES):
        return "/resource/" + iri[len(RES) :]
    if iri.startswith(CKG):
        return "/ontology#" + iri[len(CKG) :]
    return iri


class App:
    def __init__(self, store_path: str | Path, tiles: str | None = None):
        self.graph = ReadOnlyGraph(store_path)
        self.tiles = tiles
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True
        )
        self.env.globals.update(link=link, short=short, label=self.graph.label, statuses=STATUSES, quote=quote)
        self.env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
        # Fill the snapshot's tables before the first visitor asks (2 s at 10,000 events).
        threading.Thread(target=self.warm, name="ckg-warm", daemon=True).start()

    def warm(self) -> None:
        self.graph.events()
        self.graph.control()
        self.graph.labels()
        self.graph.cached("articles")

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def not_found(self, what: str) -> HTMLResponse:
        return self.page("error.html", status=404, title="Not found", message=what)

    # -- pages ------------------------------------------------------------------------------------------
    def home(self, request: Request) -> Response:
        events = self.graph.events()
        articles = self.graph.cached("articles")
        by_class = Counter(e["event_class"] for e in events)
        matrix = defaultdict(Counter)
        for e in events:
            matrix[e["event_class"]][e["status"]] += 1
        return self.page(
            "home.html",
            title="conflictkg",
            articles=articles,
            n_events=len(events),
            by_class=sorted(by_class.items()),
            matrix=matrix,
            chart=chart.stacked_by_date(events, STATUSES),
            latest=self.graph.latest_control(),
            packs=packs_module.packs(),
        )

    def resource(self, request: Request) -> Response:
        raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        rest = raw.split("/resource/", 1)[1].split("?", 1)[0]
        iri = RES + rest
        node = _node(iri)
        triples = self.graph.triples(iri) if node else []
        if not triples and rest != unquote(rest):
            iri = RES + unquote(rest)
            node = _node(iri)
            triples = self.graph.triples(iri) if node else []
        if not triples:
            return self.not_found(f"No resource {iri} in this store.")
        mtype = negotiate(request.headers.get("accept", "text/html"), PAGE_TYPES, "text/html")
        if mtype in RDF_TYPES:
            body = ox.serialize(self.graph.describe(iri), format=RDF_TYPES[mtype], prefixes=PREFIXES)
            return Response(body, headers={"Content-Type": mtype, "Vary": "Accept"})
        if mtype is None:
            return PlainTextResponse("not acceptable; try text/html, " + ", ".join(RDF_TYPES), status_code=406)
        types = {q.object.value for q in triples if q.predicate.value == RDF_TYPE}
        local = {t[len(CKG) :] for t in types if t.startswith(CKG)}
        ctx = self.resource_context(iri, triples, types)
        if "Article" in local:
            response = self.article(iri, ctx)
        elif "Event" in local:
            response = self.event(iri, ctx, local)
        elif local & PLACE_CLASSES:
            response = self.place(iri, ctx, local)
        elif "Actor" in local:
            response = self.actor(iri, ctx)
        else:
            response = self.page("resource.html", **ctx)
        response.headers["Vary"] = "Accept"
        return response

    def resource_context(self, iri: str, triples: list[ox.Quad], types: set[str]) -> dict[str, Any]:
        facts = []
        for q in sorted(triples, key=lambda q: (q.predicate.value, str(q.object))):
            o = q.object
            facts.append(
                {
                    "p": q.predicate.value,
                    "o": o.value,
                    "is_iri": isinstance(o, ox.NamedNode),
                    "lang": o.language if isinstance(o, ox.Literal) else None,
                    "graph": q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "",
                    "inferred": isinstance(q.graph_name, ox.NamedNode) and "/graph/inferred/" in q.graph_name.value,
                }
            )
        incoming = [
            {"s": q.subject.value, "p": q.predicate.value}
            for q in self.graph.incoming(iri)
            if isinstance(q.subject, ox.NamedNode)
        ]
        names = self.graph.labels().get(iri, {})
        return {
            "iri": iri,
            "title": names.get("en") or names.get("ar") or iri.rsplit("/", 1)[-1],
            "label_en": names.get("en", ""),
            "label_ar": names.get("ar", ""),
            "types": sorted(types),
            "facts": facts,
            "incoming": sorted({(i["s"], i["p"]) for i in incoming}),
        }

    def article(self, iri: str, ctx: dict[str, Any]) -> Response:
        node = ox.NamedNode(iri)
        meta = next((a for a in self.graph.cached("articles") if a["article"] == iri), {})
        text = next((f["o"] for f in ctx["facts"] if f["p"] == CKG + "text"), "")
        rows = self.graph.select("mentions", article=node)
        events = [e for e in self.graph.events() if e["article"] == iri]
        marks = highlight.mentions(text, rows, {e["e"]: e for e in events})
        lang = meta.get("lang") or "ar"
        return self.page(
            "article.html",
            **ctx,
            meta=meta,
            lang=lang,
            direction="rtl" if lang == "ar" else "ltr",
            html=highlight.render(text, marks, link),
            kinds=Counter(m.kind for m in marks),
            events=events,
        )

    def event(self, iri: str, ctx: dict[str, Any], local: set[str]) -> Response:
        node = ox.NamedNode(iri)
        row = next((e for e in self.graph.events() if e["e"] == iri), None)
        attribution = self.graph.select("attribution", this=node)
        negotiation = self.graph.select("negotiation", this=node) if "Negotiation" in local else []
        claims = [c for c in self.graph.control() if c["event"] == iri]
        outcome_of = [s for s, p in ctx["incoming"] if p == CKG + "possibleOutcome"]
        return self.page(
            "event.html",
            **ctx,
            ev=row,
            attribution=attribution,
            negotiation=negotiation,
            claims=claims,
            outcome_of=outcome_of,
            is_negotiation="Negotiation" in local,
        )

    def place(self, iri: str, ctx: dict[str, Any], local: set[str]) -> Response:
        node = ox.NamedNode(iri)
        ids = {r["e"] for r in self.graph.select("place_events", where=node)}
        events = [e for e in self.graph.events() if e["e"] in ids]
        history = [c for c in self.graph.control() if c["place"] == iri]
        facts = {f["p"]: f["o"] for f in ctx["facts"]}
        lat = facts.get("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
        lon = facts.get("http://www.w3.org/2003/01/geo/wgs84_pos#long")
        points = [_point(e) for e in events if e["lat"] is not None]
        return self.page(
            "place.html",
            **ctx,
            events=events,
            history=history,
            center=[float(lat), float(lon)] if lat and lon else None,
            points=points,
            is_field=bool(local & {"OilField", "GasField"}),
            tiles=self.tiles,
        )

    def actor(self, iri: str, ctx: dict[str, Any]) -> Response:
        node = ox.NamedNode(iri)
        roles = defaultdict(set)
        for r in self.graph.select("actor_events", who=node):
            roles[r["e"]].add(r["role"])
        events = [dict(e, roles=sorted(roles[e["e"]])) for e in self.graph.events() if e["e"] in roles]
        gained, lost = territory(iri, self.graph.control(), self.graph.events(), roles)
        # An actor of a long war takes part in thousands of events: the page lists the first ones, the
        # timeline (filtered by this actor) pages through all of them.
        return self.page(
            "actor.html", **ctx, events=events[:ACTOR_EVENTS], n_events=len(events), gained=gained, lost=lost
        )

    def map_page(self, request: Request) -> Response:
        actors = sorted(
            {(e["actor1"], e["actor1_en"] or e["actor1"]) for e in self.graph.events() if e["actor1"]},
            key=lambda a: a[1],
        )
        dates = sorted(e["date"] for e in self.graph.events() if e["date"])
        return self.page(
            "map.html",
            title="Map",
            actors=actors,
            first=dates[0] if dates else "",
            last=dates[-1] if dates else "",
            tiles=self.tiles,
        )

    def map_data(self, request: Request) -> Response:
        return JSONResponse({"events": [_point(e) for e in self.graph.events() if e["lat"] is not None]})

    def places_data(self, request: Request) -> Response:
        seen: dict[str, dict] = {}
        for r in self.graph.cached("places"):
            seen.setdefault(
                r["place"],
                {
                    "iri": link(r["place"]),
                    "name": r["name"] or "",
                    "kind": r["kind"],
                    "lat": r["lat"],
                    "lon": r["long"],
                },
            )
        return JSONResponse({"places": list(seen.values())})

    def timeline(self, request: Request) -> Response:
        try:
            start, end = _day(request.query_params.get("from")), _day(request.query_params.get("to"))
        except ValueError as exc:
            return self.page("error.html", status=400, title="Bad request", message=str(exc))
        actor = request.query_params.get("actor") or None
        events = self.graph.events()
        if actor:
            node = _node(actor)
            if node is None:
                return self.page("error.html", status=400, title="Bad request", message="actor= must be an IRI")
            ids = {r["e"] for r in self.graph.select("actor_events", who=node)}
            events = [e for e in events if e["e"] in ids]
        if start:
            events = [e for e in events if e["date"] and e["date"] >= start.isoformat()]
        if end:
            events = [e for e in events if e["date"] and e["date"] <= end.isoformat()]
        try:
            page_no = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return self.page("error.html", status=400, title="Bad request", message="page= must be a number")
        # A corpus of years holds tens of thousands of events: the list is paged, the chart shows them all.
        shown = events[(page_no - 1) * TIMELINE_PAGE : page_no * TIMELINE_PAGE]
        days = defaultdict(list)
        for e in shown:
            days[e["date"] or "undated"].append(e)
        return self.page(
            "timeline.html",
            title="Timeline",
            days=sorted(days.items()),
            actor=actor,
            start=start,
            end=end,
            chart=chart.stacked_by_date(events, STATUSES),
            page_no=page_no,
            pages=max(1, -(-len(events) // TIMELINE_PAGE)),
            total=len(events),
        )

    def editor(self, request: Request) -> Response:
        tabs = [{"name": p.name, "summary": p.summary, "query": p.text} for p in packs_module.packs()]
        return self.page("editor.html", title="SPARQL", tabs=tabs)

    def packs_json(self, request: Request) -> Response:
        return JSONResponse(
            [{"name": p.name, "summary": p.summary, "query": p.text, **p.header} for p in packs_module.packs()]
        )

    def ontology_page(self, request: Request) -> Response:
        return HTMLResponse(ontology.html())

    async def sparql(self, request: Request) -> Response:
        return await sparql(request, self.graph)


def territory(iri: str, control: list[dict], events: list[dict], roles: dict) -> tuple[list[dict], list[dict]]:
    """Places an actor gained (its control claims) and lost (a later claim by someone else on a place it held,
    or a completed taking of ground where it was the other side)."""
    gained = [c for c in control if c["controller"] == iri]
    held = {c["place"]: c["date"] or "" for c in gained}
    lost = [
        dict(c, how=f"later claim by {c['controller_en'] or c['controller']}")
        for c in control
        if c["controller"] != iri and c["place"] in held and (c["date"] or "") >= held[c["place"]]
    ]
    for e in events:
        taken = e["event_class"] in ("TerritoryTaken", "TerritoryRegained") and e["status"] == "completed"
        if taken and "actor 2" in roles.get(e["e"], ()) and e["place"]:
            lost.append(
                {
                    "place": e["place"],
                    "place_en": e["place_en"],
                    "place_ar": e["place_ar"],
                    "date": e["date"],
                    "event": e["e"],
                    "article_id": e["article_id"],
                    "article": e["article"],
                    "how": f"{e['event_class']} by {e['actor1_en'] or e['actor1'] or '?'}",
                    "source_en": e["source_en"],
                }
            )
    return gained, lost


def _point(e: dict) -> dict:
    return {
        "iri": link(e["e"]),
        "lat": e["lat"],
        "lon": e["long"],
        "status": e["status"],
        "cls": e["event_class"],
        "date": e["date"] or "",
        "place": e["place_en"] or e["place_ar"] or "",
        "actor": e["actor1"] or "",
        "actor_name": e["actor1_en"] or "",
    }


def _node(iri: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def create_app(store_path: str | Path, tiles: str | None = None) -> Starlette:
    """The ASGI app; raises data.StoreMissing when there is no store at store_path."""
    app = App(store_path, tiles=tiles)

    def threaded(fn):
        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(fn, request)

        return endpoint

    routes = [
        Route("/", threaded(app.home)),
        Route("/resource/{rest:path}", threaded(app.resource)),
        Route("/map", threaded(app.map_page)),
        Route("/map.json", threaded(app.map_data)),
        Route("/places.json", threaded(app.places_data)),
        Route("/timeline", threaded(app.timeline)),
        Route("/editor", threaded(app.editor)),
        Route("/packs.json", threaded(app.packs_json)),
        Route("/ontology", threaded(app.ontology_page)),
        Route("/sparql", app.sparql, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    starlette = Starlette(routes=routes)
    starlette.state.view = app
    return starlette
