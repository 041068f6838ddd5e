"""Shared fixtures: the example built once per session, through the same CLI a user runs."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from conflictkg.cli import main

# The suite draws the same examples on every run, so CI verdicts are reproducible; `make fuzz` draws new ones
# (a failure it finds prints the example, which then belongs in a plain test).
settings.register_profile("default", derandomize=True)
settings.register_profile("fuzz", derandomize=False)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "000_ad6e347ce071d57d.txt"


def canonical_rows(result) -> list[tuple]:
    """Rows as sorted tuples, with GROUP_CONCAT lists sorted: SPARQL leaves both orders to the engine."""

    def cell(c):
        if c is None:
            return ""
        if c.datatype and c.datatype.endswith(("#decimal", "#double", "#float", "#integer")):
            return str(Decimal(c.value).normalize())  # 35.3310 and 35.331 are the same decimal
        return "; ".join(sorted(c.value.split("; ")))

    return sorted(tuple(cell(c) for c in row) for row in result.rows)


def article_context(g):
    """The gazetteer context of an article graph, as the build computes it (places, actors, sources it names)."""
    from rdflib import URIRef

    from conflictkg.graph import context_for, gazetteer_graph
    from conflictkg.reason import gazetteer_inferred

    kinds = ("/place/", "/actor/", "/source/")
    refs = {o for o in g.objects() if isinstance(o, URIRef) and "/resource/" in o and any(k in o for k in kinds)}
    return context_for(refs, gazetteer_graph() + gazetteer_inferred())


def owlrl_reference(g, context) -> set:
    """The reference for our reasoning: owlrl's full OWL RL closure of ontology + article + context, kept to
    what it adds about the article's own resources."""
    import owlrl
    from rdflib import Graph

    from conflictkg.graph import ontology
    from conflictkg.reason import _keep

    full = Graph()
    full += ontology()
    full += g
    full += context
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(full)
    own = set(g.subjects())
    return {t for t in full if t not in g and t not in context and _keep(*t) and (t[0] in own or t[2] in own)}


def corpus_module():
    """benchmarks/corpus.py, the generator of synthetic articles (not a package: loaded by path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> Path:
    """out/ of `conflictkg build examples/` in a temporary folder."""
    out = tmp_path_factory.mktemp("example")
    result = run_cli("build", EXAMPLES, "-o", out / "graph.trig", "--store", f"oxigraph:{out / 'store'}", "-q")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(SEED.with_suffix(".json"), folder / SEED.with_suffix(".json").name)
    return folder
