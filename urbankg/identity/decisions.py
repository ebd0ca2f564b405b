"""Identity decisions as RDF: the content of graph/identities, read and written whole.

One decision per pair of IRIs (its IRI made from the pair, so the pair meets the same
decision whichever load or reviewer comes to it): status ``merged`` (the alias is renamed
to the canonical IRI wherever it is written), ``possible`` (listed for review) or
``distinct`` (a reviewer said no; never proposed or merged again). A merge keeps, per
graph it renamed, the statements that graph held about both IRIs before (N-Triples), which
is what undoing it puts back. Terms: section 8 of ontology/urbankg.ttl.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from dataclasses import replace as replaced
from datetime import UTC, datetime
from typing import Literal as TypingLiteral

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from urbankg import config

UKG = Namespace(config.ONTOLOGY_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")
DECISION_BASE = config.ID_BASE + "identity/"
IDENTITIES_GRAPH = config.GRAPH_BASE + "identities"
MATCHER = "urbankg identity matcher"  # the agent of the decisions loads make

Status = TypingLiteral["merged", "possible", "distinct"]
Kind = TypingLiteral["work", "person"]
STATUSES: tuple[Status, ...] = ("merged", "possible", "distinct")


@dataclass(frozen=True)
class Renaming:
    graph: str
    before: str  # N-Triples: what the graph said about the alias and the canonical IRI


@dataclass(frozen=True)
class Decision:
    kind: Kind
    alias: str  # for a merge: the IRI renamed; for the others: one of the pair
    canonical: str
    status: Status
    score: float
    evidence: str
    agent: str
    time: str
    renamings: tuple[Renaming, ...] = field(default=())

    @property
    def iri(self) -> str:
        return decision_iri(self.alias, self.canonical)

    @property
    def key(self) -> str:
        """The short id people type: the last part of its IRI."""
        return self.iri.rsplit("/", 1)[-1]

    def pair(self) -> frozenset[str]:
        return frozenset((self.alias, self.canonical))

    def with_renaming(self, renaming: Renaming) -> Decision:
        """The decision with ``renaming`` as its record for that graph (a reload replaces it)."""
        kept = tuple(r for r in self.renamings if r.graph != renaming.graph)
        return replaced(self, renamings=(*kept, renaming))


def decision_iri(a: str, b: str) -> str:
    digest = hashlib.sha256("\n".join(sorted((a, b))).encode("utf-8")).hexdigest()[:16]
    return DECISION_BASE + digest


class Decisions:
    """Every decision, by pair, with the aliases in force (merged decisions)."""

    def __init__(self, decisions: list[Decision] | None = None):
        self.by_pair: dict[frozenset[str], Decision] = {}
        self._aliases: dict[str, str] | None = None  # read often while a load resolves, changed rarely
        self._canonicals: set[str] = set()
        for decision in decisions or []:
            self.by_pair[decision.pair()] = decision

    def __iter__(self):
        return iter(sorted(self.by_pair.values(), key=lambda d: (d.status, d.kind, d.alias, d.canonical)))

    def __len__(self) -> int:
        return len(self.by_pair)

    def get(self, a: str, b: str) -> Decision | None:
        return self.by_pair.get(frozenset((a, b)))

    def find(self, key: str) -> Decision | None:
        """A decision by its short id, a prefix of it (as git takes commits), or its IRI."""
        key = key.rsplit("/", 1)[-1]
        found = [d for d in self.by_pair.values() if d.key.startswith(key)] if key else []
        return found[0] if len(found) == 1 else None

    def put(self, decision: Decision) -> None:
        self.by_pair[decision.pair()] = decision
        self._aliases = None

    def aliases(self) -> dict[str, str]:
        """alias -> canonical for every merge in force (do not change the dict returned)."""
        if self._aliases is None:
            self._aliases = {d.alias: d.canonical for d in self.by_pair.values() if d.status == "merged"}
            self._canonicals = set(self._aliases.values())
        return self._aliases

    def root(self, iri: str) -> str:
        """The IRI ``iri`` is merged into, through any chain of merges (itself if none)."""
        aliases, seen = self.aliases(), set()
        while iri in aliases and iri not in seen:
            seen.add(iri)
            iri = aliases[iri]
        return iri

    def settle(self) -> None:
        """After a merge: a pair waiting for review that names an alias now names its
        canonical IRI, and one whose two IRIs are now one is gone. (Pairs for review are no
        merges: the aliases in force stay as they are, and so does their cache.)"""
        for pair, decision in list(self.by_pair.items()):
            if decision.status != "possible":
                continue
            a, b = self.root(decision.alias), self.root(decision.canonical)
            if (a, b) == (decision.alias, decision.canonical):
                continue
            del self.by_pair[pair]
            if a != b and frozenset((a, b)) not in self.by_pair:
                self.by_pair[frozenset((a, b))] = replaced(decision, alias=a, canonical=b)

    def merged_into(self, iri: str) -> list[Decision]:
        """The merges whose canonical IRI is ``iri``."""
        self.aliases()
        if iri not in self._canonicals:
            return []
        return [d for d in self.by_pair.values() if d.status == "merged" and d.canonical == iri]


def to_graph(decisions: Decisions) -> Graph:
    graph = Graph()
    for d in decisions:
        node = URIRef(d.iri)
        graph.add((node, RDF.type, UKG.IdentityDecision))
        graph.add((node, UKG.identityKind, Literal(d.kind)))
        graph.add((node, UKG.alias, URIRef(d.alias)))
        graph.add((node, UKG.canonical, URIRef(d.canonical)))
        graph.add((node, UKG.identityStatus, Literal(d.status)))
        graph.add((node, UKG.matchScore, Literal(f"{d.score:.3f}", datatype=XSD.decimal)))
        graph.add((node, UKG.matchEvidence, Literal(d.evidence)))
        graph.add((node, PROV.wasAssociatedWith, URIRef(config.agent_iri(d.agent))))
        graph.add((node, PROV.endedAtTime, Literal(d.time, datatype=XSD.dateTime)))
        for renaming in d.renamings:
            record = BNode()
            graph.add((node, UKG.renaming, record))
            graph.add((record, RDF.type, UKG.Renaming))
            graph.add((record, UKG.graph, URIRef(renaming.graph)))
            graph.add((record, UKG.statementsBefore, Literal(renaming.before)))
    return graph


def from_graph(graph: Graph) -> Decisions:
    found = []
    for node in graph.subjects(RDF.type, UKG.IdentityDecision):

        def one(predicate, node=node):
            return graph.value(node, predicate)

        renamings = tuple(
            sorted(
                (
                    Renaming(str(graph.value(r, UKG.graph)), str(graph.value(r, UKG.statementsBefore) or ""))
                    for r in graph.objects(node, UKG.renaming)
                ),
                key=lambda r: r.graph,
            )
        )
        agent = str(one(PROV.wasAssociatedWith) or "")
        found.append(
            Decision(
                kind=str(one(UKG.identityKind)),  # type: ignore[arg-type]  # written by to_graph only
                alias=str(one(UKG.alias)),
                canonical=str(one(UKG.canonical)),
                status=str(one(UKG.identityStatus)),  # type: ignore[arg-type]
                score=float(one(UKG.matchScore) or 0),
                evidence=str(one(UKG.matchEvidence) or ""),
                agent=config.agent_name(agent) if agent else "",
                time=_utc(str(one(PROV.endedAtTime) or "")),
                renamings=renamings,
            )
        )
    return Decisions(found)


def _utc(text: str) -> str:
    """A time as the write path writes it (2026-12-04T18:50:55.865320Z), however the store gave it back."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def statements_about(graph: Graph, iris: set[URIRef]) -> str:
    """N-Triples of the statements of ``graph`` with any of ``iris`` as subject or object,
    sorted (a record that reads the same for the same content); rdflib reads it back."""
    about = Graph()
    for iri in iris:
        for triple in graph.triples((iri, None, None)):
            about.add(triple)
        for triple in graph.triples((None, None, iri)):
            about.add(triple)
    return "".join(sorted(about.serialize(format="nt").splitlines(keepends=True)))
