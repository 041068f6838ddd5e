"""Documentation of the ontology as one HTML page, generated from ontology/conflictkg.ttl.

pyLODE was the first choice; the release that installs on Python 3.11 (3.4.1) fails on import (it reads a
pyproject.toml that its wheel does not ship), so the page is generated here from the Turtle with one SPARQL
query and a template. ``python -m conflictkg.web.ontology docs/ontology.html`` writes it to docs/.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..resources import data_dir
from .data import CKG, query_text, short, value

HERE = Path(__file__).parent
KIND_ORDER = ("Class", "Object property", "Datatype property", "Annotation property", "Concept scheme", "Concept")


@cache
def html() -> str:
    store = ox.Store()
    path = data_dir("ontology") / "conflictkg.ttl"
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    result = store.query(query_text("ontology_terms"))
    names = [v.value for v in result.variables]
    rows = [{n: value(sol[n]) for n in names} for sol in result]
    header = {r["p"].value: r["o"].value for r in store.query(query_text("ontology_header"))}
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        for key in ("supers", "domains", "ranges", "inverses", "schemes", "matches"):
            r[key] = [x for x in (r[key] or "").split() if x]
        r["id"] = r["term"][len(CKG) :]
        by_kind[r["kind"]].append(r)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(short=short, ckg=CKG)
    return env.get_template("ontology.html").render(
        title="conflictkg ontology", header=header, kinds=[(k, by_kind[k]) for k in KIND_ORDER if by_kind[k]]
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m conflictkg.web.ontology OUT.html", file=sys.stderr)
        return 2
    out = Path(argv[0])
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html(), encoding="utf-8")
    tmp.replace(out)  # never a half-written page
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
