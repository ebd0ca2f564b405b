"""Identity at load: the works and people a load brings, matched against the graph.

For the graphs of one load (each an rdflib Graph about to replace a named graph):

1. the merges in force (graph/identities) rename their aliases in the incoming graphs, so
   a reloaded source meets the IRIs the graph uses;
2. each work the load describes (a subject with a title, under id/work/) is compared with
   the works the store holds outside the replaced graphs and with those of the load's
   earlier graphs (candidates by DOI, exact title, or an author's family name and a year
   within one): ``same`` renames the incoming IRI to the one already there in every graph
   of the load (the source's references follow); ``possible`` is listed for review; an IRI
   already naming a ``different`` work is a collision, reported at the line (two papers
   chose one key for two works);
3. each person is compared with the people of the same family name: the ``same`` (a shared
   identifier, or an author of the same work in another source) are merged the same way;
   namesakes become ``possible`` pairs, at most PEOPLE_PER_NAME per person, and for a
   common name (COMMON_NAME namesakes or more) only those with the same spelled-out given
   name. Coauthors of one work in one source are never compared.

Only the incoming graphs are renamed: the store's graphs change by a reviewer's decision
(:mod:`urbankg.identity.review`). The first IRI wins, except that an IRI an annotator wrote
(person/lin-y) wins over one the BibTeX loader minted (person/lin-y/lin-2019) within a load.
Costs per described work a few indexed lookups; per person one lookup by family name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import OWL, RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from urbankg import config
from urbankg.errors import Problem
from urbankg.identity import review
from urbankg.identity.decisions import MATCHER, Decision, Decisions, Renaming, statements_about
from urbankg.identity.lookup import WorkLookup, graph_of, query_text, value_of, year_of
from urbankg.identity.matching import (
    Match,
    PersonRecord,
    WorkRecord,
    compare_people,
    compare_works,
    family_key,
    fold,
)
from urbankg.parsed import Positions
from urbankg.store import Store, Substitutions, solutions

FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
WORK_BASE = config.ID_BASE + "work/"
PERSON_BASE = config.ID_BASE + "person/"
PEOPLE_PER_NAME = 20  # namesakes listed per person: a common name (Wang, Li) would list thousands
COMMON_NAME = 10  # namesakes of a person, at or above which the name counts as common
FULL_NAME_SCORE = 0.7  # compare_people's score of namesakes whose given names are spelled out alike


def minted(iri: str) -> bool:
    """A person IRI the BibTeX loader made (person/<name>/<work key>), not one an annotator chose."""
    return iri.startswith(PERSON_BASE) and "/" in iri[len(PERSON_BASE) :]


@dataclass
class Incoming:
    """One graph of a load: its target name, content (renamed in place) and source lines."""

    target: str
    graph: Graph
    positions: Positions
    path: str


@dataclass
class Resolution:
    decisions: Decisions
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False  # whether graph/identities must be written


def resolve(incoming: list[Incoming], store: Store, decisions: Decisions, now: str | None = None) -> Resolution:
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    run = _Run(incoming, store, decisions, now)
    run.apply_known_aliases()
    run.works()
    run.people()
    run.decisions.settle()
    return Resolution(run.decisions, run.problems, run.changed)


class _Run:
    def __init__(self, incoming: list[Incoming], store: Store, decisions: Decisions, now: str):
        self.incoming = incoming
        self.store = store
        self.decisions = decisions
        self.now = now
        self.targets = {item.target for item in incoming}
        self.problems: list[Problem] = []
        self.changed = False
        self.originals = {item.target: _copy(item.graph) for item in incoming}  # as written, for the records
        self.works_lookup = WorkLookup(store, self.targets)

    # -- renaming --------------------------------------------------------------------------

    def apply_known_aliases(self) -> None:
        aliases = self.decisions.aliases()
        for item in self.incoming:
            present = {a for a in aliases if review.mentions(item.graph, URIRef(a))}
            for alias in sorted(present):
                self.rename(alias, self.decisions.root(alias), only=item)

    def rename(self, alias: str, canonical: str, only: Incoming | None = None) -> None:
        """Rename ``alias`` in the load's graphs (or one of them), recording what each held before."""
        decision = self.decisions.get(alias, canonical) or self.decisions.get(alias, self.decisions.aliases()[alias])
        assert decision is not None  # a merge is recorded before it is applied
        old, new = URIRef(alias), URIRef(canonical)
        for item in [only] if only else self.incoming:
            graph = item.graph
            if not review.mentions(graph, old):
                continue
            before = statements_about(self.originals[item.target], {old, new, URIRef(decision.canonical)})
            decision = decision.with_renaming(Renaming(item.target, before))
            review.rename(graph, old, new)
            line = item.positions.subjects.get(old)
            if line is not None:
                item.positions.subjects.setdefault(new, line)
        self.decisions.put(decision)
        self.changed = True

    def decide(self, kind: str, alias: str, canonical: str, match: Match) -> Decision | None:
        """Record what the matcher found for a pair nobody has decided; the decision in force
        if somebody has (a reviewer's ``distinct`` is final until they change it)."""
        known = self.decisions.get(alias, canonical)
        if known is not None and (known.status != "possible" or match.verdict == "possible"):
            return known
        status = "merged" if match.verdict == "same" else "possible"
        decision = Decision(kind, alias, canonical, status, match.score, match.evidence, MATCHER, self.now)  # type: ignore[arg-type]
        self.decisions.put(decision)
        self.changed = True
        return decision

    # -- works ---------------------------------------------------------------------------

    def works(self) -> None:
        seen: list[tuple[WorkRecord, str]] = []  # described by the load's earlier graphs
        for item in self.incoming:
            described = sorted(
                {s for s in item.graph.subjects(DCTERMS.title, None) if str(s).startswith(WORK_BASE)}, key=str
            )
            for subject in described:
                record = _work_record(item.graph, subject)
                self.match_work(item, record, seen)
                seen.append((_work_record(item.graph, URIRef(self.current(record.iri))), item.target))

    def current(self, iri: str) -> str:
        return self.decisions.root(iri)

    def match_work(self, item: Incoming, record: WorkRecord, seen: list[tuple[WorkRecord, str]]) -> None:
        candidates = {c.iri: c for c in self.store_works(record)}
        for other, target in seen:
            if target != item.target:
                candidates.setdefault(other.iri, other)
        for iri in sorted(candidates):
            if self.current(record.iri) != record.iri:
                return  # merged into an earlier candidate
            other = candidates[iri]
            match = compare_works(record, other)
            if iri == record.iri:
                if match.verdict == "different":
                    self.collision(item, record, other, match)
                continue
            known = self.decisions.get(record.iri, iri)
            if known is not None and known.status == "distinct":
                continue
            if match.verdict == "same" and self.decisions.merged_into(record.iri):
                match = Match("possible", match.score, match.evidence + " (not merged: other IRIs are merged into it)")
            if match.verdict == "different":
                continue
            decision = self.decide("work", record.iri, self.current(iri), match)
            if decision is not None and decision.status == "merged" and decision.alias == record.iri:
                self.rename(record.iri, decision.canonical)

    def store_works(self, record: WorkRecord) -> list[WorkRecord]:
        return self.works_lookup.candidates(record)

    def collision(self, item: Incoming, record: WorkRecord, other: WorkRecord, match: Match) -> None:
        key = record.iri[len(WORK_BASE) :]
        self.problems.append(
            Problem(
                item.path,
                item.positions.subjects.get(URIRef(record.iri)),
                f"work/{key} already names another work in the graph: '{other.title}'"
                + (f" ({other.year})" if other.year else "")
                + f", not '{record.title}'"
                + (f" ({record.year})" if record.year else "")
                + f" [{match.evidence}]. Two sources chose one id for two works: give this one another id "
                f"(e.g. {key}-{_first_word(record.title)}), or, if it is the same work, correct its title, "
                "year or DOI",
            )
        )

    # -- people --------------------------------------------------------------------------

    def people(self) -> None:
        seen: list[tuple[PersonRecord, str]] = []
        for item in self.incoming:
            people = sorted(set(item.graph.subjects(RDF.type, FOAF.Person)), key=str)
            for subject in people:
                record = _person_record(item.graph, subject)
                if record is None:
                    continue
                self.match_person(item, record, seen)
                if self.current(record.iri) == record.iri:
                    seen.append((record, item.target))

    def match_person(self, item: Incoming, record: PersonRecord, seen: list[tuple[PersonRecord, str]]) -> None:
        candidates: list[tuple[PersonRecord, bool]] = [(p, False) for p in self.store_people(record)]
        for other, target in seen:
            if family_key(other.family) != family_key(record.family) or other.iri == record.iri:
                continue
            if target == item.target and other.works & record.works:
                continue  # coauthors of one work in one source are two people
            candidates.append((other, True))
        listed = 0
        # A rare name shared is worth a reviewer's look; a common one (Wang, Li) is shared by
        # thousands: its namesakes are listed only when their given names are spelled out alike.
        common = len(candidates) >= COMMON_NAME
        for other, is_incoming in sorted(candidates, key=lambda c: c[0].iri):
            if self.current(record.iri) != record.iri:
                return
            other_iri = self.current(other.iri)
            if other_iri == record.iri:
                continue
            known = self.decisions.get(record.iri, other_iri)
            if known is not None and known.status == "distinct":
                continue
            match = compare_people(record, other)
            if match.verdict == "different":
                continue
            if match.verdict == "possible":
                if listed >= PEOPLE_PER_NAME or (common and match.score < FULL_NAME_SCORE):
                    continue
                listed += 1
            if match.verdict == "same" and is_incoming and not minted(record.iri) and minted(other_iri):
                # what the annotator wrote wins over what the loader minted, within a load
                decision = self.decide("person", other_iri, record.iri, match)
                if decision is not None and decision.status == "merged":
                    self.rename(other_iri, record.iri)
                continue
            if match.verdict == "same" and self.decisions.merged_into(record.iri):
                match = Match("possible", match.score, match.evidence + " (not merged: other IRIs are merged into it)")
            decision = self.decide("person", record.iri, other_iri, match)
            if decision is not None and decision.status == "merged" and decision.alias == record.iri:
                self.rename(record.iri, decision.canonical)

    def store_people(self, record: PersonRecord) -> list[PersonRecord]:
        """The people who may be ``record``: the authors of its works (after work identity),
        those sharing an identifier, and namesakes whose first initial agrees (at most 100
        rows, people-by-family.rq: a common name has thousands, and namesakes are only listed)."""
        people: dict[str, dict] = {}
        rows = []
        family = ox.Literal(record.family)
        for work in sorted(record.works):
            of_work: Substitutions = {"work": ox.NamedNode(self.current(work)), "family": family}
            rows += list(solutions(self.store.query(query_text("work-authors"), substitutions=of_work)))
        namesakes: Substitutions = {"family": family, "initial": ox.Literal(fold(record.given)[:1])}
        rows += list(solutions(self.store.query(query_text("people-by-family"), substitutions=namesakes)))
        for row in rows:
            if graph_of(row) in self.targets or not isinstance(row["person"], ox.NamedNode):
                continue
            entry = people.setdefault(row["person"].value, {"given": "", "works": set(), "ids": set()})
            entry["given"] = max(entry["given"], value_of(row, "given"), key=len)
            if value_of(row, "work"):
                entry["works"].add(value_of(row, "work"))
            if value_of(row, "same"):
                entry["ids"].add(value_of(row, "same"))
        for identifier in sorted(record.identifiers):
            for row in solutions(
                self.store.query(query_text("people-by-identifier"), substitutions={"same": ox.NamedNode(identifier)})
            ):
                people.setdefault(row["person"].value, {"given": "", "works": set(), "ids": {identifier}})
        return [
            PersonRecord(iri, record.family, e["given"], frozenset(e["works"]), frozenset(e["ids"]))
            for iri, e in sorted(people.items())
        ]


def _person_record(graph: Graph, subject) -> PersonRecord | None:
    family = graph.value(subject, FOAF.familyName)
    if family is None:
        return None
    given = graph.value(subject, FOAF.givenName)
    return PersonRecord(
        str(subject),
        str(family),
        str(given or ""),
        frozenset(str(w) for w in graph.subjects(DCTERMS.creator, subject)),
        frozenset(str(i) for i in graph.objects(subject, OWL.sameAs)),
    )


def _work_record(graph: Graph, subject) -> WorkRecord:
    title = min(str(t) for t in graph.objects(subject, DCTERMS.title))
    years = sorted(
        y for y in {year_of(str(v)) for v in graph.objects(subject, FABIO.hasPublicationYear)} if y is not None
    )
    families = []
    for person in graph.objects(subject, DCTERMS.creator):
        name = graph.value(person, FOAF.familyName) or graph.value(person, FOAF.name)
        if name is not None:
            families.append(str(name))
    doi = graph.value(subject, PRISM.doi)
    return WorkRecord(
        str(subject), title, years[0] if years else None, tuple(sorted(families)), str(doi) if doi else None
    )


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _first_word(title: str) -> str:
    words = re.findall(r"[a-z]{4,}", title.lower())
    return words[0] if words else "2"
