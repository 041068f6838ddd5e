"""Every SHACL shape has a fixture that conforms and one that violates it, with a message a researcher reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace

from conflictkg.graph import ontology
from conflictkg.validate import SH, shapes, validate
from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
CKGSH = Namespace("https://w3id.org/conflictkg/shapes#")


def named_shapes() -> list[str]:
    g = shapes()
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    return sorted(str(s).split("#", 1)[1] for s in found if str(s).startswith(str(CKGSH)))


SHAPES = named_shapes()


def _owner(shape: str) -> set[str]:
    """The shape and the node shapes that hold it through sh:property."""
    g = shapes()
    node = CKGSH[shape]
    return {shape} | {str(s).split("#", 1)[1] for s in g.subjects(SH.property, node) if "#" in str(s)}


def test_there_are_shapes():
    assert len(SHAPES) >= 8


@pytest.mark.parametrize("shape", SHAPES)
def test_conforming_fixture(shape):
    path = FIXTURES / f"{shape}.conforms.ttl"
    assert path.exists(), f"missing {path}"
    report = validate(Graph().parse(path), label=path.name, ont_graph=ontology())
    assert report.conforms, [r.message for r in report.violations]


@pytest.mark.parametrize("shape", SHAPES)
def test_violating_fixture_fails_on_its_shape_with_a_readable_message(shape):
    path = FIXTURES / f"{shape}.violates.ttl"
    assert path.exists(), f"missing {path}"
    report = validate(Graph().parse(path), label=path.name, ont_graph=ontology())
    assert not report.conforms
    # the result's shape is the one named, or the node shape that holds it
    names = {r.shape.removeprefix("ckgsh:").split(" ")[0] for r in report.violations}
    assert names & _owner(shape) or shape in {o for n in names for o in _owner(n)}, [
        (r.shape, r.message) for r in report.violations
    ]
    for r in report.violations:
        assert len(r.message) > 30 and not r.message.startswith(("Less than", "More than", "Value")), r.message


def test_validate_cli_exit_codes_and_formats(tmp_path):
    good = next(FIXTURES.glob("*.conforms.ttl"))
    bad = next(FIXTURES.glob("*.violates.ttl"))
    assert run_cli("validate", good).exit_code == 0
    result = run_cli("validate", good, bad, "--format", "junit")
    assert result.exit_code == 1
    assert "<testsuite" in result.output and "<failure" in result.output
    assert run_cli("validate", bad, "--format", "json").exit_code == 1
    assert "ValidationReport" in run_cli("validate", bad, "--format", "turtle").output
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    result = run_cli("validate", broken)
    assert result.exit_code == 2 and "broken.ttl" in result.output


def test_the_built_example_conforms(example_build):
    result = run_cli("validate", example_build / "graph.trig", "--inference", "none")
    assert result.exit_code == 0, result.output


def test_prepared_sparql_gives_pyshacls_own_results(example_build):
    """The speed-ups in validate.py (pyshacl-turbo, SPARQL parsed once) change no verdict and no result."""
    from rdflib import Dataset

    from conflictkg.validate import _prepared_sparql, _validate

    fixtures = sorted(FIXTURES.glob("*.ttl"))
    ds = Dataset(default_union=True)
    ds.parse(example_build / "graph.trig", format="trig")
    example = Graph()
    for t in ds.triples((None, None, None)):
        example.add(t)
    for label, data in [(p.name, Graph().parse(p)) for p in fixtures] + [("example", example)]:
        fast = validate(data, label=label, ont_graph=ontology())  # pyshacl-turbo where installed
        with _prepared_sparql():
            prepared = _validate(data, label, ontology(), "none")
        plain = _validate(data, label, ontology(), "none")
        assert (fast.conforms, fast.results) == (plain.conforms, plain.results), label
        assert (prepared.conforms, prepared.results) == (plain.conforms, plain.results), label
