"""The web view in a real browser: Debian's headless Chromium driven by Playwright, over the example store.

Screenshots go to a temporary folder, or to CKG_SCREENSHOTS (``make screenshots`` sets docs/img).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import httpx
import pytest

from web_server import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = pytest.mark.browser

RES = "https://w3id.org/conflictkg/resource/"
PREFIX = "PREFIX ckg: <https://w3id.org/conflictkg/ontology#> "

if not CHROMIUM.exists():
    WHY = "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing (apt-get install chromium; .ci/run installs it in CI)"
    warnings.warn(WHY, stacklevel=1)  # shown in the warnings summary, not only with -rs
    pytest.skip(WHY, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'")


@pytest.fixture(scope="module")
def base(example_build) -> str:
    with serving(example_build / "store") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("CKG_SCREENSHOTS")
    folder = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def select(base: str, query: str) -> list[dict[str, str]]:
    r = httpx.get(base + "/sparql", params={"query": PREFIX + query})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def local(iri: str) -> str:
    return "/resource/" + iri[len(RES) :]


def snap(page, shots: Path, name: str) -> None:
    tmp = shots / f".{name}.tmp.png"
    page.screenshot(path=str(tmp))
    shutil.move(tmp, shots / f"{name}.png")  # a finished picture or the old one, never half of one


def test_home(page, base, shots):
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "The corpus at a glance"
    assert page.locator("svg.chart rect").count() > 0
    n_events = select(base, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ckg:reportedIn ?a ; ckg:status ?s }")[0]["n"]
    assert page.locator(".card b").nth(1).inner_text() == n_events
    assert not page.errors
    snap(page, shots, "home")


def test_arabic_article_runs_right_to_left_with_highlighted_spans(page, base, shots):
    art = select(base, "SELECT ?a WHERE { ?a a ckg:Article ; <http://purl.org/dc/terms/language> 'ar' }")[0]["a"]
    page.goto(base + local(art))
    text = page.locator("#article-text")
    assert text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    for kind in ("actor", "place", "time", "attribution"):
        marks = page.locator(f"#article-text mark.ent-{kind}")
        assert marks.count() > 0, kind
        colour = marks.first.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), kind  # really highlighted
    cue = page.locator("#article-text a.ev").first
    href = cue.get_attribute("href")
    assert href.startswith("/resource/event/")
    cue.hover()  # the event's spans and its row light up together
    assert page.locator("#article-text .ev.lit").count() >= 1
    assert not page.errors
    snap(page, shots, "article")
    cue.click()
    page.wait_for_load_state()
    assert page.url.endswith(href) and "status st-" in page.content()


def test_place_page_map_markers(page, base, shots):
    rows = select(
        base,
        "PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> SELECT ?p (COUNT(DISTINCT ?e) AS ?n) WHERE { "
        "?e ckg:place ?p ; ckg:status ?s . ?p wgs:lat ?l } GROUP BY ?p ORDER BY DESC(?n) LIMIT 1",
    )
    place, n = rows[0]["p"], int(rows[0]["n"])
    page.goto(base + local(place))
    page.wait_for_selector("#map path.ev-marker")
    assert page.locator("#map path.ev-marker").count() == n
    assert not page.errors
    snap(page, shots, "place")


def test_map_clusters_and_filters(page, base, shots):
    page.goto(base + "/map")
    page.wait_for_selector("#map[data-ready='1']")
    total = len(httpx.get(base + "/map.json").json()["events"])
    assert int(page.locator("#map").get_attribute("data-shown")) == total
    assert page.locator("#map .marker-cluster").count() + page.locator("#map path.ev-marker").count() > 0
    snap(page, shots, "map")
    page.locator("input[name=status][value=completed]").uncheck()
    shown = int(page.locator("#map").get_attribute("data-shown"))
    completed = sum(1 for e in httpx.get(base + "/map.json").json()["events"] if e["status"] == "completed")
    assert shown == total - completed
    assert not page.errors


def test_editor_runs_a_pack_query_and_shows_rows(page, base, shots):
    page.goto(base + "/editor")
    page.select_option("#pack-picker", "control/latest")
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for(timeout=15000)
    pack = next(p for p in httpx.get(base + "/packs.json").json() if p["name"] == "control/latest")
    expected = httpx.post(base + "/sparql", data={"query": pack["query"]}).json()["results"]["bindings"]
    assert rows.count() == len(expected) > 0
    assert not page.errors
    snap(page, shots, "editor")
