"""Works in the store that may be a given work: the candidate lookups identity runs at load,
and `urbankg add` runs to report a paper already in the graph.

Indexed lookups with bound values (queries/*.rq), never query text built from data: by DOI
(as written and normalised), by exact title, and, when those find nothing, by the family
name of either of two authors with a year within one, of which only works whose titles come
near (NEAR_TITLE) are read whole, since a common name and a year match many works.
"""

from __future__ import annotations

from importlib import resources

import pyoxigraph as ox
from rapidfuzz import fuzz
from rdflib import XSD

from urbankg.identity.matching import Match, WorkRecord, compare_works, fold, normal_doi
from urbankg.store import Store, solutions

NEAR_TITLE = 60.0  # a work found by author and year is compared only if its title is at least this alike


def query_text(name: str) -> str:
    return (resources.files("urbankg.identity") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


class WorkLookup:
    """Candidate works of the store, leaving out the graphs in ``exclude`` (those a load replaces)."""

    def __init__(self, store: Store, exclude: set[str] | frozenset[str] = frozenset()):
        self.store = store
        self.targets = exclude

    def candidates(self, record: WorkRecord) -> list[WorkRecord]:
        """The works that may be ``record`` (its own IRI included, if the store has it)."""
        found: set[str] = set()
        doi = normal_doi(record.doi)
        if doi:
            for value in {doi, record.doi or doi}:
                found |= self.lookup("works-by-doi", "work", {"doi": ox.Literal(value)})
        found |= self.lookup("works-by-title", "work", {"title": ox.Literal(record.title)})
        if not found and record.authors and record.year:
            # An author and a year block widely for a common name (Wang, 2019): asked only when
            # the DOI and the exact title found nothing, for two of the authors, and only works
            # whose titles come near are read whole.
            title = fold(record.title)
            for family in record.authors[:2]:
                for year in (record.year - 1, record.year, record.year + 1):
                    year_literal = ox.Literal(str(year), datatype=ox.NamedNode(XSD.gYear))
                    bound = {"family": ox.Literal(family), "year": year_literal}
                    for row in solutions(self.store.query(query_text("works-by-author-year"), substitutions=bound)):
                        if (
                            isinstance(row["work"], ox.NamedNode)
                            and graph_of(row) not in self.targets
                            and fuzz.ratio(title, fold(value_of(row, "title"))) >= NEAR_TITLE
                        ):
                            found.add(row["work"].value)
        found.add(record.iri)
        return [r for r in (self.store_work(iri) for iri in sorted(found)) if r is not None]

    def lookup(self, query: str, variable: str, bound: dict) -> set[str]:
        rows = solutions(self.store.query(query_text(query), substitutions=bound))
        return {
            row[variable].value
            for row in rows
            if isinstance(row[variable], ox.NamedNode) and graph_of(row) not in self.targets
        }

    def store_work(self, iri: str) -> WorkRecord | None:
        rows = [
            r
            for r in solutions(self.store.query(query_text("work-record"), substitutions={"work": ox.NamedNode(iri)}))
            if graph_of(r) not in self.targets
        ]
        if not rows:
            return None
        title = min(value_of(r, "title") for r in rows)
        years = sorted(y for y in {year_of(value_of(r, "year")) for r in rows} if y is not None)
        families = sorted({value_of(r, "family") or value_of(r, "name") for r in rows} - {""})
        dois = sorted({value_of(r, "doi") for r in rows} - {""})
        return WorkRecord(iri, title, years[0] if years else None, tuple(families), dois[0] if dois else None)

    def similar(self, record: WorkRecord) -> list[tuple[WorkRecord, Match]]:
        """The store's works the matcher finds the same as ``record`` or possibly so, best first."""
        found = [(other, compare_works(record, other)) for other in self.candidates(record)]
        return sorted(
            ((o, m) for o, m in found if m.verdict != "different"),
            key=lambda pair: (pair[1].verdict != "same", -pair[1].score, pair[0].iri),
        )


def graph_of(row) -> str:
    """The graph a lookup's row came from ("" where the query has no ?g)."""
    g = row["g"]
    return g.value if isinstance(g, ox.NamedNode) else ""


def value_of(row, name: str) -> str:
    term = row[name]
    return term.value if term is not None else ""


def year_of(text: str) -> int | None:
    """The year of an xsd:gYear or a date's text ("2019", "2019-05"), or None."""
    digits = text[:4] if text[:4].isdigit() else ""
    return int(digits) if digits else None
