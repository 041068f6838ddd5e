"""RDF basics every stage shares, with nothing but rdflib beneath: the project's namespaces and prefixes,
new datasets, and N-Triples text. Kept apart from ``graph`` (which needs spaCy through the extractor) so
that reading a store, querying and exporting start without loading spaCy (about 1.3 s a command).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class Vocabulary(Namespace):
    """An rdflib ``Namespace`` whose attribute terms are made once. rdflib makes and checks a new URIRef for
    every ``CKG.status`` it is asked for: 40 % of building an article's graph went there. The first lookup
    stores the term as an attribute, so later ones never reach ``__getattr__``. (``ns[name]`` is unchanged:
    it names resources that are mostly new.)"""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # Python's own names, as in Namespace
            raise AttributeError(name)
        term = self.term(name)
        setattr(self, name, term)
        return term


CKG = Vocabulary("https://w3id.org/conflictkg/ontology#")
RES = Vocabulary("https://w3id.org/conflictkg/resource/")
OA = Vocabulary("http://www.w3.org/ns/oa#")
GEO = Vocabulary("http://www.opengis.net/ont/geosparql#")
WGS = Vocabulary("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = Vocabulary("http://www.wikidata.org/entity/")
PREFIXES = {
    "ckg": CKG,
    "res": RES,
    "oa": OA,
    "geo": GEO,
    "wgs": WGS,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "wd": WD,
}


def bind(g: Graph | Dataset) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)


def new_dataset() -> Dataset:
    ds = Dataset(default_union=True)
    bind(ds)
    return ds


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax (rdflib's ``n3()`` writes multi-line literals Turtle-style, in triple quotes)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_NT_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype}>" if term.datatype else text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class NTriples:
    """N-Triples lines of rdflib triples, each line written once: articles of a run share most of their
    gazetteer context, and writing terms as text costs far less than adding them to rdflib graphs. The
    cache is bounded (cleared when full), so a long run's memory stays flat."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._lines: dict[tuple[Node, Node, Node], str] = {}

    def line(self, triple: tuple[Node, Node, Node]) -> str:
        text = self._lines.get(triple)
        if text is None:
            if len(self._lines) >= self.limit:
                self._lines.clear()
            s, p, o = triple
            text = self._lines[triple] = f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ."
        return text

    def document(self, triples: Iterable[tuple[Node, Node, Node]], graph: URIRef | None = None) -> str:
        """Triples as an N-Triples document, or N-Quads in ``graph``."""
        if graph is None:
            return "".join(self.line(t) + "\n" for t in triples)
        suffix = f" <{graph}> .\n"
        return "".join(self.line(t)[:-1] + suffix for t in triples)


NT = NTriples()  # one writer per process: validation and store writes share its lines
