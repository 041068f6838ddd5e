"""Speed of the web view: page render times on the example store, and the map with 10,000 synthetic events.

Usage:  python benchmarks/web.py [--events 10000] [--repeat 20] [--out benchmarks/results/web.json]

1. Builds examples/ into a temporary store, starts the real `conflictkg serve`, and times each page
   (server time as seen by an HTTP client on 127.0.0.1: median and 95th percentile over --repeat requests,
   after one warm-up request, timed apart as first_ms, that fills the per-snapshot caches).
2. Copies the example store's quads into a second store, adds N synthetic events (deterministic, seed 7) at
   gazetteer places with coordinates, with random statuses, actors and dates over 2017, and times /map.json,
   the home page and the timeline; with /usr/bin/chromium present, it also times the map page in headless
   Chromium from navigation to clustered markers on screen, and a filter change.
Never run as a timed test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from web_server import CHROMIUM, CHROMIUM_ARGS, serving  # noqa: E402

RES = "https://w3id.org/conflictkg/resource/"
CKG = "https://w3id.org/conflictkg/ontology#"
STATUSES = ["Completed", "Ongoing", "Planned", "Possible", "Denied"]
CLASSES = ["TerritoryTaken", "Advance", "ArmedClash", "Siege", "Reinforcement", "TerritoryHandover"]


def build_example(folder: Path) -> Path:
    store = folder / "store"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "conflictkg",
            "build",
            str(ROOT / "examples"),
            "-o",
            str(folder / "graph.trig"),
            "--store",
            f"oxigraph:{store}",
            "-q",
        ],
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    return store


def time_pages(base: str, paths: list[str], repeat: int) -> dict[str, dict[str, float]]:
    out = {}
    with httpx.Client(base_url=base, headers={"Accept": "text/html"}, timeout=120) as client:
        for path in paths:
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200, path  # warm-up: fills the snapshot's caches
            first = (time.perf_counter() - t0) * 1000
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200
            times.sort()
            out[path] = {
                "first_ms": round(first, 1),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "bytes": len(r.content),
            }
    return out


def synthetic_store(example_store: Path, target: Path, n: int, seed: int = 7) -> None:
    """The example store plus N events in one synthetic article graph, written as N-Quads and bulk-loaded."""
    src = ox.Store.read_only(str(example_store))
    places = [
        (s["p"].value)
        for s in src.query(
            "PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> SELECT ?p WHERE { ?p wgs:lat ?l ; wgs:long ?g }",
            use_default_graph_as_union=True,
        )
    ]
    actors = [
        s["a"].value
        for s in src.query(f"SELECT ?a WHERE {{ ?a a <{CKG}ArmedActor> }}", use_default_graph_as_union=True)
    ]
    dump = src.dump(format=ox.RdfFormat.N_QUADS)
    rng = random.Random(seed)
    g = f"<{RES}graph/article/synthetic>"
    art = f"<{RES}article/synthetic>"
    lines = [
        f"{art} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CKG}Article> {g} .",
        f'{art} <http://purl.org/dc/terms/identifier> "synthetic" {g} .',
        f'{art} <http://purl.org/dc/terms/language> "en" {g} .',
    ]
    for i in range(n):
        e = f"<{RES}event/synthetic/{i}>"
        day = 1 + rng.randrange(365)
        date = time.strftime("%Y-%m-%d", time.strptime(f"2017 {day}", "%Y %j"))
        cls = rng.choice(CLASSES)
        lines += [
            f"{e} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CKG}{cls}> {g} .",
            f"{e} <{CKG}directType> <{CKG}{cls}> {g} .",
            f"{e} <{CKG}status> <{CKG}{rng.choice(STATUSES)}> {g} .",
            f"{e} <{CKG}reportedIn> {art} {g} .",
            f"{e} <{CKG}place> <{rng.choice(places)}> {g} .",
            f"{e} <{CKG}actor1> <{rng.choice(actors)}> {g} .",
            f'{e} <{CKG}date> "{date}"^^<http://www.w3.org/2001/XMLSchema#date> {g} .',
        ]
    store = ox.Store(str(target))
    store.bulk_load(dump + "\n".join(lines).encode() + b"\n", format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def browser_map(base: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        page.goto(base + "/map")
        page.wait_for_selector("#map[data-ready='1']", timeout=120000)
        ready = (time.perf_counter() - t0) * 1000
        clusters = page.locator("#map .marker-cluster").count()
        t1 = time.perf_counter()
        page.locator("input[name=status][value=completed]").uncheck()
        refilter = (time.perf_counter() - t1) * 1000
        t2 = time.perf_counter()
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(50)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        zoom = (time.perf_counter() - t2) * 1000
        shown = int(page.locator("#map").get_attribute("data-shown"))
        b.close()
    return {
        "ready_ms": round(ready),
        "clusters_on_screen": clusters,
        "refilter_ms": round(refilter),
        "zoom_frame_ms": round(zoom),
        "shown_after_filter": shown,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "web.json")
    args = ap.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = build_example(folder)
        with serving(store) as base:
            q = f"SELECT ?x WHERE {{ ?x a ?c FILTER(?c IN (<{CKG}Article>, <{CKG}Negotiation>, <{CKG}OilField>)) }}"
            rows = httpx.get(base + "/sparql", params={"query": q}).json()["results"]["bindings"]
            some = {}
            for r in rows:
                iri = r["x"]["value"]
                kind = iri[len(RES) :].split("/")[0]
                some.setdefault(kind, "/resource/" + iri[len(RES) :])
            paths = [
                "/",
                "/map",
                "/map.json",
                "/timeline",
                "/editor",
                "/ontology",
                *some.values(),
                "/resource/place/abu-kamal",
                "/resource/actor/sdf",
            ]
            figures["example"] = time_pages(base, paths, args.repeat)
        synthetic_store(store, folder / "big", args.events)
        with serving(folder / "big", timeout=120) as base:
            figures["synthetic"] = {
                "events": args.events,
                **time_pages(base, ["/map.json", "/", "/timeline", "/resource/actor/sdf"], 5),
            }
            if CHROMIUM.exists():
                figures["synthetic"]["browser_map"] = browser_map(base)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    tmp_out.replace(args.out)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
