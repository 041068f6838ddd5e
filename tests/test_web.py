"""`conflictkg serve` over the example store: pages, linked-data negotiation, the SPARQL endpoint, refusals.

The server is the real command in a subprocess on a free 127.0.0.1 port; expectations are read from the
store itself (through the endpoint), so a page that drops or invents a fact fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest
from rdflib import Graph, URIRef

from conftest import run_cli
from web_server import serving

RES = "https://w3id.org/conflictkg/resource/"
CKG = "https://w3id.org/conflictkg/ontology#"
PREFIX = f"PREFIX ckg: <{CKG}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX oa: <http://www.w3.org/ns/oa#> "
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def base(example_build) -> str:
    with serving(example_build / "store") as url:
        yield url


def select(base: str, query: str) -> list[dict[str, str]]:
    r = httpx.get(
        base + "/sparql", params={"query": PREFIX + query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def page(base: str, path: str) -> str:
    r = httpx.get(base + path, headers=HTML)
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def local(iri: str) -> str:
    assert iri.startswith(RES)
    return "/resource/" + iri[len(RES) :]


class ElementText(HTMLParser):
    """The text content and the attributes of the element with a given id (and of everything inside it)."""

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.target, self.depth, self.text, self.attrs, self.root = element_id, 0, [], [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.depth += 1
            self.attrs.append((tag, a))
        elif a.get("id") == self.target:
            self.depth, self.root = 1, a

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element(html: str, element_id: str) -> ElementText:
    parser = ElementText(element_id)
    parser.feed(html)
    assert parser.root, f"no element #{element_id}"
    return parser


# -- pages -------------------------------------------------------------------------------------------------
def test_home_counts_what_the_store_holds(base):
    html = page(base, "/")
    n_events = select(base, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ckg:reportedIn ?a ; ckg:status ?s }")[0]["n"]
    articles = select(base, "SELECT ?a ?t WHERE { ?a a ckg:Article ; dcterms:title ?t }")
    assert f"<b>{n_events}</b> event(s)" in html
    for a in articles:
        assert f'href="{local(a["a"])}"' in html
    assert "<svg" in html and 'class="st-completed"' in html  # the server-rendered chart
    for name in ("control/latest", "export/events", "negotiations/talks"):
        assert name in html
    latest = select(base, "SELECT DISTINCT ?p WHERE { ?c a ckg:ControlClaim ; ckg:controlledPlace ?p }")
    for row in latest:
        assert f'href="{local(row["p"])}"' in html


def test_article_page_keeps_every_character_and_marks_every_kind(base):
    art = select(base, "SELECT ?a ?text ?lang WHERE { ?a a ckg:Article ; ckg:text ?text ; dcterms:language ?lang }")[0]
    html = page(base, local(art["a"]))
    body = element(html, "article-text")
    assert body.root["dir"] == "rtl" and body.root["lang"] == "ar" == art["lang"]
    assert "".join(body.text) == art["text"]  # highlighting never moves, drops or adds a character
    kinds = {a.get("data-kind") for tag, a in body.attrs if tag == "mark"}
    assert kinds == {"actor", "place", "time", "attribution"}
    linked = {a["href"] for tag, a in body.attrs if tag == "a"}
    events = select(base, f"SELECT ?e WHERE {{ ?e ckg:reportedIn <{art['a']}> ; ckg:evidence ?s }}")
    # Every highlighted span links to an event of this article, and every event is linked from its span.
    assert linked == {local(e["e"]) for e in events}
    for e in select(base, f"SELECT ?s WHERE {{ ?e ckg:reportedIn <{art['a']}> ; ckg:evidence/oa:start ?s }}"):
        assert f'id="c{e["s"]}"' in html  # event pages link to the quote in context
    side = html.split('class="side"', 1)[1]
    assert side.count('<tr class="row-') == len(events)


def test_event_page_shows_status_attribution_and_quote(base):
    rows = select(
        base,
        "SELECT ?e ?quote ?srcl ?st WHERE { ?e ckg:attribution/ckg:source ?src ; ckg:evidence/oa:exact ?quote ; "
        "ckg:status ?st . ?src <http://www.w3.org/2000/01/rdf-schema#label> ?srcl FILTER(LANG(?srcl) = 'en') }",
    )
    assert rows
    for row in rows[:5]:
        html = page(base, local(row["e"]))
        status = row["st"].rsplit("#", 1)[1].lower()
        assert f'class="status st-{status}"' in html
        assert row["srcl"] in html
        assert row["quote"] in html.replace("&#34;", '"').replace("&#39;", "'")


def test_negotiation_page_lists_parties_mediators_and_outcomes(base):
    n = select(base, "SELECT ?n WHERE { ?n a ckg:Negotiation }")[0]["n"]
    html = page(base, local(n))
    for prop, role in (("party", "party"), ("mediator", "mediator"), ("possibleOutcome", "possible outcome")):
        for row in select(base, f"SELECT ?x WHERE {{ <{n}> ckg:{prop} ?x }}"):
            assert f'href="{local(row["x"])}"' in html, (role, row)
            assert f"<td>{role}</td>" in html


def test_place_page_shows_who_controlled_it_and_according_to_whom(base):
    claims = select(
        base,
        "SELECT ?p ?c ?e WHERE { ?cl a ckg:ControlClaim ; ckg:controlledPlace ?p ; ckg:controller ?c ; "
        "ckg:fromEvent ?e }",
    )
    assert claims
    for claim in claims:
        html = page(base, local(claim["p"]))
        history = html.split("Who controlled it", 1)[1].split("Events here", 1)[0]
        assert f'href="{local(claim["c"])}"' in history and f'href="{local(claim["e"])}"' in history


def test_oil_field_and_actor_pages(base):
    field = select(base, "SELECT ?f WHERE { ?e ckg:place ?f . ?f a ckg:OilField }")[0]["f"]
    assert "Oil or gas field" in page(base, local(field))
    gained = select(base, "SELECT ?c ?p WHERE { ?cl a ckg:ControlClaim ; ckg:controller ?c ; ckg:controlledPlace ?p }")
    actor = gained[0]["c"]
    html = page(base, local(actor))
    section = html.split("Territory gained", 1)[1].split("Territory lost", 1)[0]
    for row in gained:
        if row["c"] == actor:
            assert f'href="{local(row["p"])}"' in section


def test_every_resource_iri_of_an_article_graph_resolves(base):
    rows = select(
        base,
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x ?p ?o } FILTER(STRSTARTS(STR(?g), "
        f'"{RES}graph/article/") && isIRI(?x)) }}',
    )
    assert len(rows) > 50
    objects = select(
        base, f'SELECT DISTINCT ?x WHERE {{ ?s ckg:place ?x FILTER(STRSTARTS(STR(?x), "{RES}place/unresolved/")) }}'
    )
    assert objects, "the example has unresolved places (percent-encoded IRIs)"
    with httpx.Client(base_url=base, headers=HTML) as client:
        for row in rows + objects:
            assert client.get(local(row["x"])).status_code == 200, row["x"]


def test_map_timeline_editor_and_ontology(base):
    data = httpx.get(base + "/map.json").json()["events"]
    with_coords = select(
        base,
        "PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { "
        "?e ckg:place ?p ; ckg:status ?s . { ?p wgs:lat ?l } UNION { ?p ckg:locatedIn/wgs:lat ?l } }",
    )[0]["n"]
    assert len(data) == int(with_coords)
    assert {d["status"] for d in data} <= {"completed", "ongoing", "planned", "possible", "denied"}
    html = page(base, "/map")
    assert "/static/vendor/leaflet/leaflet.js" in html and "leaflet.markercluster.js" in html
    timeline = page(base, "/timeline")
    n_events = int(
        select(base, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ckg:reportedIn ?a ; ckg:status ?s }")[0]["n"]
    )
    assert timeline.count('class="tl-event') == n_events
    editor = page(base, "/editor")
    packs = json.loads(re.search(r'<script id="pack-queries" type="application/json">(.*?)</script>', editor, re.S)[1])
    assert {p["name"] for p in packs} == {p["name"] for p in httpx.get(base + "/packs.json").json()}
    assert "control/latest" in {p["name"] for p in packs}
    onto = page(base, "/ontology")
    classes = select(
        base, f'SELECT DISTINCT ?c WHERE {{ ?e ckg:reportedIn ?a ; a ?c FILTER(STRSTARTS(STR(?c), "{CKG}")) }}'
    )
    for c in classes:
        assert f'id="{c["c"][len(CKG) :]}"' in onto


def test_pages_load_nothing_from_other_hosts(base):
    for path in ("/", "/map", "/editor", "/timeline"):
        html = page(base, path)
        for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert ref.startswith(("/", "data:")), f"{path} loads {ref}"
    for vendored in ("leaflet/LICENSE", "leaflet.markercluster/MIT-LICENCE.txt", "yasgui/LICENSE"):
        assert httpx.get(f"{base}/static/vendor/{vendored}").status_code == 200


# -- linked data -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "mtype,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
)
def test_resource_negotiation_returns_its_triples(base, mtype, fmt):
    place = select(base, "SELECT ?p WHERE { ?cl a ckg:ControlClaim ; ckg:controlledPlace ?p } LIMIT 1")[0]["p"]
    r = httpx.get(base + local(place), headers={"Accept": mtype})
    assert r.status_code == 200 and r.headers["content-type"].startswith(mtype)
    assert "accept" in r.headers.get("vary", "").lower()
    g = Graph().parse(data=r.text, format=fmt)
    expected = select(base, f"SELECT DISTINCT ?p ?o WHERE {{ <{place}> ?p ?o }}")
    assert {(str(p), str(o)) for _, p, o in g} == {(e["p"], e["o"]) for e in expected}
    assert set(g.subjects()) == {URIRef(place)}
    assert (
        httpx.get(base + local(place), headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")
    )


def test_unknown_resource_is_404_and_unacceptable_type_is_406(base):
    assert httpx.get(base + "/resource/place/no-such-place", headers=HTML).status_code == 404
    place = select(base, "SELECT ?p WHERE { ?p a ckg:Town } LIMIT 1")[0]["p"]
    assert httpx.get(base + local(place), headers={"Accept": "image/png"}).status_code == 406


# -- the SPARQL endpoint -----------------------------------------------------------------------------------
COUNT_ARTICLES = PREFIX + "SELECT ?a ?id WHERE { ?a a ckg:Article ; dcterms:identifier ?id } ORDER BY ?id"


def test_sparql_get_post_form_and_direct_post_agree(base):
    get = httpx.get(base + "/sparql", params={"query": COUNT_ARTICLES})
    form = httpx.post(base + "/sparql", data={"query": COUNT_ARTICLES})
    direct = httpx.post(
        base + "/sparql", content=COUNT_ARTICLES.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    for r in (get, form, direct):
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert get.json() == form.json() == direct.json()
    assert get.json()["results"]["bindings"]


@pytest.mark.parametrize(
    "accept,check",
    [
        ("application/sparql-results+xml", lambda t: "<sparql" in t and "<result>" in t),
        ("text/csv", lambda t: next(csv.reader(io.StringIO(t))) == ["a", "id"]),
        ("text/tab-separated-values", lambda t: t.splitlines()[0] == "?a\t?id"),
    ],
)
def test_sparql_result_formats(base, accept, check):
    r = httpx.get(base + "/sparql", params={"query": COUNT_ARTICLES}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert check(r.text), r.text[:300]


def test_sparql_construct_as_turtle_and_ntriples(base):
    q = PREFIX + "CONSTRUCT { ?a a ckg:Article } WHERE { ?a a ckg:Article }"
    n = len(select(base, "SELECT ?a WHERE { ?a a ckg:Article }"))
    for mtype, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        r = httpx.get(base + "/sparql", params={"query": q}, headers={"Accept": mtype})
        assert r.status_code == 200 and r.headers["content-type"].startswith(mtype)
        assert len(Graph().parse(data=r.text, format=fmt)) == n


def test_sparql_syntax_error_is_400_with_the_message(base):
    r = httpx.get(base + "/sparql", params={"query": "SELECT ?x WHERE { ?x"})
    assert r.status_code == 400 and "syntax error" in r.text and "1:" in r.text


def test_updates_are_refused_and_change_nothing(base):
    update = "INSERT DATA { <urn:ckg:test> <urn:ckg:p> <urn:ckg:o> }"
    attempts = [
        httpx.post(base + "/sparql", data={"update": update}),
        httpx.post(base + "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        httpx.get(base + "/sparql", params={"update": update}),
        httpx.post(base + "/sparql", data={"query": update}),
    ]
    for r in attempts:
        assert r.status_code == 403 and "read-only" in r.text
    ask = httpx.get(base + "/sparql", params={"query": "ASK { <urn:ckg:test> ?p ?o }"}).json()
    assert ask["boolean"] is False


def test_sparqlwrapper_client(base):
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    for method in (sparqlwrapper.GET, sparqlwrapper.POST):
        client = sparqlwrapper.SPARQLWrapper(base + "/sparql")
        client.setQuery(COUNT_ARTICLES)
        client.setReturnFormat(sparqlwrapper.JSON)
        client.setMethod(method)
        rows = client.query().convert()["results"]["bindings"]
        assert [r["id"]["value"] for r in rows] == [r["id"] for r in select(base, COUNT_ARTICLES[len(PREFIX) :])]


# -- values from the URL are bound terms, never query text ---------------------------------------------------
def test_injection_through_urls_is_inert(base):
    sdf_like = select(base, "SELECT ?a WHERE { ?e ckg:actor1 ?a } LIMIT 1")[0]["a"]
    n_all = page(base, "/timeline").count('class="tl-event')
    n_actor = page(base, "/timeline?actor=" + quote(sdf_like, safe="")).count('class="tl-event')
    assert 0 < n_actor < n_all
    # Closing the IRI and adding a pattern: not an IRI, refused; nothing is pasted into a query.
    hostile = sdf_like + "> } UNION { ?e ?p ?o"
    r = httpx.get(base + "/timeline", params={"actor": hostile}, headers=HTML)
    assert r.status_code == 400
    # A valid IRI that carries query-like characters is only ever compared as a term: no events match it.
    r = httpx.get(base + "/timeline", params={"actor": sdf_like + "?q=1'+OR+'1'='1"}, headers=HTML)
    assert r.status_code == 200 and r.text.count('class="tl-event') == 0
    r = httpx.get(base + "/timeline", params={"from": '2017-01-01" ) } #'}, headers=HTML)
    assert r.status_code == 400
    r = httpx.get(base + "/resource/place/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo", headers=HTML)
    assert r.status_code == 404


# -- the command ---------------------------------------------------------------------------------------------
def test_serve_without_a_store_says_build_first(tmp_path):
    result = run_cli("serve", "--store", f"oxigraph:{tmp_path / 'nothing'}")
    assert result.exit_code == 2
    assert "conflictkg build" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "nothing").exists()
    (tmp_path / "empty").mkdir()
    result = run_cli("serve", "--store", f"oxigraph:{tmp_path / 'empty'}")
    assert result.exit_code == 2 and "not an Oxigraph store" in result.output
    assert not list((tmp_path / "empty").iterdir())  # nothing created in it


def test_ontology_page_is_written_to_a_file(tmp_path):
    out = tmp_path / "ontology.html"
    subprocess.run([sys.executable, "-m", "conflictkg.web.ontology", str(out)], check=True, capture_output=True)
    html = out.read_text(encoding="utf-8")
    assert 'id="Event"' in html and 'id="ControlClaim"' in html and 'lang="ar"' in html
    assert not list(tmp_path.glob("*.tmp"))


def test_serve_help_names_the_endpoint():
    result = run_cli("serve", "--help")
    assert result.exit_code == 0 and "/sparql" in result.output and "127.0.0.1" in result.output
