"""RDF: events become one named graph per article; the gazetteer and the ontology get graphs of their own.

IRIs are built only from the article id, character offsets and gazetteer ids,
so the same input always gives the same graph (see docs/rdf-model.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache, lru_cache
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from . import normalize as norm
from .extract import Attribution, Event, Mention
from .gazetteer import Entry, Gazetteer
from .gazetteer import load as load_gazetteer
from .ingest import Article
from .rdf import CKG, GEO, OA, RES, WD, WGS, Triple, bind
from .resources import data_dir

ONTOLOGY_GRAPH = URIRef("https://w3id.org/conflictkg/ontology")
GAZETTEER_GRAPH = RES["graph/gazetteer"]
GAZETTEER_INFERRED_GRAPH = RES["graph/inferred/gazetteer"]
STATUS = {s: CKG[s.capitalize()] for s in ("completed", "ongoing", "planned", "possible", "denied")}
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+$")
KIND_PATH = {"place": "place", "actor": "actor", "source": "source"}


def article_graph_iri(article_id: str) -> URIRef:
    return RES[f"graph/article/{article_id}"]


def inferred_graph_iri(article_id: str) -> URIRef:
    return RES[f"graph/inferred/{article_id}"]


def article_iri(article_id: str) -> URIRef:
    return RES[f"article/{article_id}"]


@lru_cache(maxsize=8192)  # gazetteer entities: a few hundred, each named in thousands of events
def entity_iri(kind: str, entity_id: str) -> URIRef:
    return RES[f"{KIND_PATH[kind]}/{entity_id}"]


def _slug(text: str) -> str:
    key = norm.phrase_key(text.split()) or text
    return quote(key.replace(" ", "-"), safe="-")


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


# --------------------------------------------------------------------------- ontology and gazetteer


@cache
def ontology() -> Graph:
    g = Graph()
    for path in sorted(data_dir("ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@cache
def _subclasses_of(parent: URIRef) -> frozenset[URIRef]:
    onto = ontology()
    return frozenset(onto.transitive_subjects(RDFS.subClassOf, parent))


def is_a(cls_name: str, parent: str) -> bool:
    return CKG[cls_name] in _subclasses_of(CKG[parent])


def acled_concept(cls_name: str, actor_type: str | None) -> URIRef | None:
    """ACLED sub-event type of an event class, from the ontology's annotations."""
    return _acled_concept(
        cls_name, bool(actor_type) and (is_a(actor_type, "StateForce") or is_a(actor_type, "Government"))
    )


@cache
def _acled_concept(cls_name: str, state_actor: bool) -> URIRef | None:
    """Looked up in the ontology once per class (asked for once per event)."""
    onto = ontology()
    cls = CKG[cls_name]
    if state_actor:
        state = onto.value(cls, CKG.acledMatchStateActor)
        if state is not None:
            return state  # type: ignore[return-value]
    return onto.value(cls, CKG.acledMatch)  # type: ignore[return-value]


def _decimal(value: float) -> str:
    """Shortest lexical form that stays a decimal in Turtle («35.0», «40.163»), so a graph read back
    from TriG has the same literals as the one written."""
    text = format(Decimal(f"{value:.4f}").normalize(), "f")
    return text if "." in text else f"{text}.0"


def _labels(g: Graph, node: URIRef, entry: Entry) -> None:
    g.add((node, RDFS.label, Literal(entry.en, lang="en")))
    g.add((node, SKOS.prefLabel, Literal(entry.en, lang="en")))
    if entry.ar:
        g.add((node, RDFS.label, Literal(entry.ar, lang="ar")))
        g.add((node, SKOS.prefLabel, Literal(entry.ar, lang="ar")))
    for lang, names in (("ar", entry.variants_ar), ("en", entry.variants_en)):
        for name in names:
            g.add((node, SKOS.altLabel, Literal(name, lang=lang)))


@cache
def gazetteer_graph() -> Graph:
    gaz = load_gazetteer()
    g = Graph()
    bind(g)
    for entry in gaz.entries.values():
        node = entity_iri(entry.kind, entry.id)
        g.add((node, RDF.type, CKG[entry.type]))
        g.add((node, CKG.inGazetteer, Literal(True)))
        _labels(g, node, entry)
        if entry.wikidata:
            g.add((node, SKOS.exactMatch, WD[entry.wikidata]))
        if entry.part_of and entry.part_of in gaz.entries:
            prop = CKG.locatedIn if is_a(entry.type, "Facility") else CKG.partOf
            g.add((node, prop, entity_iri("place", entry.part_of)))
        if entry.lat is not None and entry.lon is not None:
            lat, lon = _decimal(entry.lat), _decimal(entry.lon)
            g.add((node, WGS.lat, Literal(lat, datatype=XSD.decimal)))
            g.add((node, WGS.long, Literal(lon, datatype=XSD.decimal)))
            geom = RES[f"geometry/{entry.id}"]
            g.add((node, GEO.hasGeometry, geom))
            g.add((geom, RDF.type, GEO.Geometry))
            g.add((geom, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral)))
        if entry.country and entry.country in gaz.entries:
            g.add((node, CKG.country, entity_iri("place", entry.country)))
        for prop, ids in (
            (CKG.memberOf, entry.member_of),
            (CKG.alliedWith, entry.allied_with),
            (CKG.supportedBy, entry.supported_by),
        ):
            for other in ids:
                if other in gaz.entries:
                    g.add((node, prop, entity_iri("actor", other)))
        if entry.affiliated_with and entry.affiliated_with in gaz.entries:
            g.add((node, CKG.affiliatedWith, entity_iri("actor", entry.affiliated_with)))
        if entry.role_en:
            g.add((node, CKG.role, Literal(entry.role_en, lang="en")))
    return g


# --------------------------------------------------------------------------- articles


@cache
def _sources_by_name(gaz: Gazetteer) -> dict[str, str]:
    """Normalized name → source id, built once instead of for every article (the first entry wins)."""
    index: dict[str, str] = {}
    for entry in gaz.entries.values():
        if entry.kind == "source":
            for n in (*entry.names["en"], *entry.names["ar"]):
                index.setdefault(norm.phrase_key(n.split()), entry.id)
    return index


class ArticleGraph:
    """Builds the named graph of one article."""

    def __init__(self, article: Article, gazetteer: Gazetteer | None = None):
        self.article = article
        self.gaz = gazetteer or load_gazetteer()
        # A set, not an rdflib graph: a build adds about 170 triples an article, and rdflib's store costs
        # more per add (contexts, events) than everything else done with them (to_graph makes one on request).
        self.g: set[Triple] = set()
        self.node = article_iri(article.id)
        self.referenced: set[URIRef] = set()  # gazetteer entities the article points at

    def build(self, events: list[Event]) -> set[Triple]:
        self._article()
        for event in events:
            self._event(event)
        return self.g

    def _article(self) -> None:
        a, g, art = self.node, self.g, self.article
        g.add((a, RDF.type, CKG.Article))
        g.add((a, DCTERMS.identifier, Literal(art.id)))
        g.add((a, DCTERMS.language, Literal(art.lang)))
        g.add((a, CKG.text, Literal(art.text)))
        g.add((a, CKG.charCount, Literal(len(art.text))))
        if art.date:
            g.add((a, DCTERMS.date, Literal(art.date.isoformat(), datatype=XSD.date)))
        if art.source:
            g.add((a, DCTERMS.source, Literal(art.source)))
            publisher = self._find_source(art.source)
            if publisher is not None:
                g.add((a, DCTERMS.publisher, publisher))
        if art.url and _IRI.match(art.url):
            g.add((a, PROV.hadPrimarySource, URIRef(art.url)))
        elif art.url:
            g.add((a, DCTERMS.bibliographicCitation, Literal(art.url)))  # not an IRI: kept as text
        if art.title:
            g.add((a, DCTERMS.title, Literal(art.title)))

    def _find_source(self, name: str) -> URIRef | None:
        source_id = _sources_by_name(self.gaz).get(norm.phrase_key(name.split()))
        if source_id is None:
            return None
        node = entity_iri("source", source_id)
        self.referenced.add(node)
        return node

    def _span(self, start: int, end: int, sentence: tuple[int, int] | None = None) -> URIRef:
        aid = self.article.id
        node = RES[f"span/{aid}/{start}-{end}"]
        g = self.g
        g.add((node, RDF.type, CKG.EvidenceSpan))
        g.add((node, OA.start, Literal(start)))
        g.add((node, OA.end, Literal(end)))
        g.add((node, OA.exact, Literal(self.article.text[start:end])))
        g.add((node, CKG.inArticle, self.node))
        if sentence:
            s = RES[f"sentence/{aid}/{sentence[0]}-{sentence[1]}"]
            g.add((s, RDF.type, CKG.Sentence))
            g.add((s, OA.start, Literal(sentence[0])))
            g.add((s, OA.end, Literal(sentence[1])))
            g.add((s, CKG.inArticle, self.node))
            g.add((node, CKG.inSentence, s))
        return node

    def entity(self, m: Mention) -> URIRef:
        """The IRI of a mention: its gazetteer entry, or an unresolved entity described here."""
        g = self.g
        if m.id and m.kind in KIND_PATH:
            node = entity_iri(m.kind, m.id)
            self.referenced.add(node)
            return node
        if m.kind == "role":
            return self._role(m)
        kind = "place" if m.kind == "place" else "actor"
        node = RES[f"{kind}/unresolved/{_slug(m.text)}"]
        lang = "ar" if self.article.lang == "ar" else "en"
        g.add((node, RDF.type, CKG[m.type] if m.type else CKG[kind.capitalize()]))
        g.add((node, RDF.type, CKG.Unresolved))
        g.add((node, RDFS.label, Literal(m.text, lang=lang)))
        g.add((node, CKG.inGazetteer, Literal(False)))
        if m.cue:
            g.add((node, CKG.cueWord, Literal(m.cue, lang=lang)))
        if m.located_in:
            parent = entity_iri("place", m.located_in)
            self.referenced.add(parent)
            g.add((node, CKG.locatedIn, parent))
        return node

    def _role(self, m: Mention) -> URIRef:
        """An unnamed person known by role and affiliation: «قيادي ميداني في الحشد الشعبي»."""
        g = self.g
        slug = f"{m.id}-{m.affiliation}" if m.affiliation else m.id
        node = RES[f"source/{slug}"]
        g.add((node, RDF.type, CKG.UnnamedSource))
        g.add((node, CKG.role, Literal(m.role_en or m.id, lang="en")))
        label = m.role_en or m.id or "source"
        if m.affiliation:
            body = self.gaz.entries[m.affiliation]
            label = f"{label}, {body.en}"
            parent = entity_iri("actor", m.affiliation)
            self.referenced.add(parent)
            g.add((node, CKG.affiliatedWith, parent))
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, CKG.inGazetteer, Literal(False)))
        return node

    def _attribution(self, att: Attribution) -> URIRef:
        node = RES[f"attribution/{self.article.id}/{att.char_start}-{att.char_end}"]
        g = self.g
        g.add((node, RDF.type, CKG.Attribution))
        g.add((node, CKG.source, self.entity(att.source)))
        for via in att.via:
            g.add((node, CKG.via, self.entity(via)))
        g.add((node, CKG.evidence, self._span(att.char_start, att.char_end)))
        return node

    def event_iri(self, event: Event) -> URIRef:
        place = event.place.id or _slug(event.place.text) if event.place else "none"
        return RES[f"event/{self.article.id}/{event.trigger_start}-{_kebab(event.cls)}-{place}"]

    def _event(self, event: Event) -> URIRef:
        g = self.g
        e = self.event_iri(event)
        g.add((e, RDF.type, CKG[event.cls]))
        g.add((e, CKG.directType, CKG[event.cls]))  # its most specific class, so queries need not work it out
        g.add((e, CKG.status, STATUS[event.status]))
        g.add((e, CKG.reportedIn, self.node))
        g.add((e, CKG.evidence, self._span(event.char_start, event.char_end, event.sentence)))
        for prop, value in ((CKG.actor1, event.actor1), (CKG.actor2, event.actor2), (CKG.place, event.place)):
            if value is not None:
                g.add((e, prop, self.entity(value)))
        for prop, values in (
            (CKG.assocActor1, event.assoc1),
            (CKG.assocActor2, event.assoc2),
            (CKG.party, event.parties),
            (CKG.mediator, event.mediators),
            (CKG.territoryAtStake, event.territory),
        ):
            for value in values:
                g.add((e, prop, self.entity(value)))
        if event.place is not None:
            g.add((e, CKG.geoPrecision, Literal(event.geo_precision)))
        day = self._date(event)
        if day is not None:
            g.add((e, CKG.date, Literal(day.isoformat(), datatype=XSD.date)))
            g.add((e, CKG.timePrecision, Literal(event.time_precision if event.time_expression else 3)))
        if event.time_expression:
            g.add((e, CKG.timeExpression, Literal(event.time_expression, lang=self.article.lang)))
        if event.attribution is not None:
            g.add((e, CKG.attribution, self._attribution(event.attribution)))
        actor_type = event.actor1.type if event.actor1 and event.actor1.id else None
        acled = acled_concept(event.cls, actor_type)
        if acled is not None:
            g.add((e, CKG.acledSubEventType, acled))
        for outcome in event.outcomes:
            g.add((e, CKG.possibleOutcome, self.event_iri(outcome)))
        self._control(event, e)
        return e

    def _date(self, event: Event) -> dt.date | None:
        base = self.article.date
        if base is None:
            return None
        if event.month_day is not None:  # the most recent such day on or before the article's date
            for year in (base.year, base.year - 1):
                try:
                    day = dt.date(year, *event.month_day)
                except ValueError:
                    return base
                if day <= base:
                    return day
        if event.weekday is not None:
            return base - dt.timedelta(days=(base.isoweekday() - event.weekday) % 7)
        if event.time_offset is not None:
            return base + dt.timedelta(days=event.time_offset)
        return base

    def _control(self, event: Event, e: URIRef) -> None:
        """Only a territorial change that happened says who controls a place."""
        if event.status != "completed" or not is_a(event.cls, "TerritorialChange"):
            return
        controller = event.actor2 if event.cls == "TerritoryHandover" else event.actor1
        if controller is None or event.place is None:
            return
        g = self.g
        node = RES[f"control/{self.article.id}/{e.rsplit('/', 1)[-1]}"]
        g.add((node, RDF.type, CKG.ControlClaim))
        g.add((node, CKG.controller, self.entity(controller)))
        g.add((node, CKG.controlledPlace, self.entity(event.place)))
        g.add((node, CKG.fromEvent, e))
        g.add((node, CKG.reportedIn, self.node))
        day = self._date(event)
        if day is not None:
            g.add((node, CKG.date, Literal(day.isoformat(), datatype=XSD.date)))


def article_triples(article: Article, events: list[Event]) -> tuple[set[Triple], set[URIRef]]:
    """The article's triples, and the gazetteer entities they point at."""
    builder = ArticleGraph(article)
    return builder.build(events), builder.referenced


def article_graph(article: Article, events: list[Event]) -> tuple[Graph, set[URIRef]]:
    """``article_triples`` as an rdflib graph named for the article."""
    triples, referenced = article_triples(article, events)
    return to_graph(triples, article_graph_iri(article.id)), referenced


def to_graph(triples: Iterable[Triple], identifier: URIRef | None = None) -> Graph:
    """An rdflib graph of the triples, with our prefixes bound."""
    g = Graph(identifier=identifier)
    bind(g)
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def context_for(
    referenced: set[URIRef], gazetteer: Graph, memo: dict[URIRef, list[tuple[Node, Node]]] | None = None
) -> Graph:
    """The gazetteer's description of the entities an article points at, and of their parents."""
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in context_triples(referenced, gazetteer, memo))
    return out


def context_triples(
    referenced: set[URIRef], gazetteer: Graph, memo: dict[URIRef, list[tuple[Node, Node]]] | None = None
) -> set[tuple[Node, Node, Node]]:
    """``context_for`` as a set of triples: what a build needs, without the cost of an rdflib graph.

    ``memo`` keeps each entity's description between calls on the same gazetteer (a build asks for the
    same few hundred places and actors thousands of times)."""
    memo = {} if memo is None else memo
    out: set[tuple[Node, Node, Node]] = set()
    todo, done = list(referenced), set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        if node not in memo:
            memo[node] = [(p, o) for p, o in gazetteer.predicate_objects(node) if p not in _CONTEXT_SKIP]
        pairs = memo[node]
        out.update((node, p, o) for p, o in pairs)
        todo.extend(o for p, o in pairs if p in _CONTEXT_FOLLOW and isinstance(o, URIRef))
    return out


_CONTEXT_FOLLOW = frozenset((CKG.partOf, CKG.locatedIn, CKG.memberOf, CKG.affiliatedWith, GEO.hasGeometry))
# Downward and reverse links would pull in every town of a governorate: leave them out.
_CONTEXT_SKIP = frozenset((CKG.hasPart, CKG.hasMember, CKG.participatedIn, CKG.supportedBy))
