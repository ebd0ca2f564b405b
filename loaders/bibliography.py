"""What the bibliography loaders share: one work, its authors and editors, and its venue, made the same
way whatever the file was (BibTeX, CSL-JSON, RIS), so the same work gives the same RDF.

Ids are stable (the same file gives the same ids); identity across sources is made at
load time by matching (urbankg.identity), not by the ids:
    work/<key>                         the entry's key (BibTeX key, CSL id, RIS ID), else
                                       <first author family>-<year>, with a, b ... when taken
    person/<family>-<initials>/<key>   Lin, Yanliu in entry lin-2016 -> person/lin-y/lin-2016:
                                       one name in two works is two people until evidence
                                       (the same work in another source, an ORCID, a reviewer)
    organisation/<name>                a corporate author (BibTeX {Alibaba Group}, CSL literal)
    venue/<journal title>              Cities -> venue/cities

Properties and classes come from the annotation mapping (the `work`, `person`,
`organisation` and `venue` nodes, the `work_type` vocabulary), so a work from any
bibliography and a YAML work are described with the same terms. Each loader reads its
format and says, in its own words, what to write instead; this module builds the graph.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, Literal, URIRef

from urbankg.errors import Problem, SourceError
from urbankg.loaders.annotation_mapping import Mapping
from urbankg.parsed import Parsed, Positions, iri_fault

# The mapping's `work_type` vocabulary, by the names the loaders use.
JOURNAL_ARTICLE, BOOK, BOOK_CHAPTER, CONFERENCE_PAPER = "JournalArticle", "Book", "BookChapter", "ConferencePaper"
REPORT, THESIS, WEB_PAGE, ABSTRACT = "Report", "Thesis", "WebPage", "Abstract"

YEAR_RANGE = (1800, 2100)
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)
URL_EXAMPLE = "https://doi.org/10.1016/j.cities.2018.11.020"


@dataclass
class Name:
    iri: URIRef
    kind: str  # "person" | "organisation"
    full: str
    family: str = ""
    given: str = ""


def clean_doi(value: str) -> str:
    """A DOI without its resolver or scheme: https://doi.org/10.1/x and doi:10.1/x are 10.1/x."""
    return DOI_PREFIX.sub("", " ".join(value.split()))


def page_range(value: str, hyphen: bool = False) -> str:
    """151--182 (and 151–182) as the en dash range 151–182; with ``hyphen``, 151-182 and S12-S20 too
    (CSL and RIS write a range with one hyphen, BibTeX with two; e-commerce stays as it is)."""
    if hyphen and re.fullmatch(r"[A-Za-z]?\d+\s*-\s*[A-Za-z]?\d+", value.strip()):
        return re.sub(r"\s*-\s*", "–", value.strip())
    return re.sub(r"\s*(--|–)\s*", "–", value)


def is_year(value: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", value)) and YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]


def url_fault(value: str) -> str | None:
    """Why the store would refuse ``value`` as a web address (the engine's own IRI check), or None."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return "needs a scheme such as https://"
    return iri_fault(value)


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-") or "unnamed"


def initials(given: str) -> str:
    """Hans-Peter -> hp, J. R. -> jr."""
    return "".join(token[0] for token in re.split(r"[\s.\-]+", ascii_fold(given)) if token).lower()


def usable_key(value: object) -> str | None:
    """An id written in the file, when it can be a work's key (letters, digits, '-', '_', '.');
    a bare number is a reference manager's record number, not a key."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return text if KEY.match(text) and not text.isdigit() else None


class Keys:
    """Work keys of one file: the usable ids written in it, then <family>-<year> made for the rest."""

    def __init__(self, written: list[str]):
        self.taken = set(written)

    def make(self, family: str, year: str) -> str:
        base = f"{slug(family) if family else 'anonymous'}-{year or 'nd'}"
        key, n = base, 0
        while key in self.taken:
            key = base + _letters(n)
            n += 1
        self.taken.add(key)
        return key


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa ..."""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


class Bibliography:
    """The graph of one bibliography file, built work by work, with the line of every statement."""

    def __init__(self, path: Path, mapping: Mapping):
        self.path = path
        self.mapping = mapping
        self.graph = mapping.new_graph()
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.work = mapping.nodes["work"]
        self.names: dict[URIRef, Name] = {}

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def new_work(self, key: str, line: int, type_name: str | None) -> URIRef:
        work = self.mapping.expand_id("work", key)
        self.positions.note_subject(work, line)
        self.graph.add((work, RDF.type, self.work.cls))
        self.positions.note_statement(work, RDF.type, line)
        if type_name:
            self.graph.add((work, RDF.type, self.mapping.types_of(self.work)[type_name]))
        return work

    def add(self, subject: URIRef, predicate: URIRef, obj, line: int) -> None:
        self.graph.add((subject, predicate, obj))
        self.positions.note_statement(subject, predicate, line)

    def field(self, work: URIRef, field: str, value, line: int) -> None:
        """A field of the mapping's `work` node: a literal, or the IRI of a person or venue."""
        self.add(work, self.work.fields[field].predicate, value if isinstance(value, URIRef) else Literal(value), line)

    def year(self, work: URIRef, value: str, line: int) -> None:
        self.add(work, self.work.fields["year"].predicate, Literal(value, datatype=XSD.gYear), line)

    def url(self, work: URIRef, value: str, line: int) -> None:
        self.add(work, self.work.fields["url"].predicate, URIRef(value), line)

    def venue(self, work: URIRef, title: str, line: int) -> None:
        venue_spec = self.mapping.nodes["venue"]
        venue = self.mapping.expand_id("venue", slug(title))
        self.positions.note_subject(venue, line)
        self.graph.add((venue, RDF.type, venue_spec.cls))
        self.add(venue, venue_spec.fields["title"].predicate, Literal(title), line)
        self.field(work, "venue", venue, line)

    def person(self, key: str, family: str, given: str, line: int, suffix: str = "") -> URIRef:
        """The person of work ``key`` with this name: person/<family>-<initials>/<key>."""
        # A name is not a person: namesakes in two works stay two people until evidence
        # (the same work in another source, an ORCID, a reviewer) makes them one.
        letters = initials(given)
        iri = self.mapping.expand_id("person", slug(family) + (f"-{letters}" if letters else "") + f"/{key}")
        full = f"{given} {suffix}".strip() if suffix else given
        return self.note_name(Name(iri, "person", f"{full} {family}".strip(), family, given), line)

    def organisation(self, name: str, line: int) -> URIRef:
        return self.note_name(Name(self.mapping.expand_id("organisation", slug(name)), "organisation", name), line)

    def note_name(self, name: Name, line: int) -> URIRef:
        """Remember a person (or organisation); the fullest spelling met in the file wins."""
        known = self.names.get(name.iri)
        if known is None or len(name.given) > len(known.given):
            self.names[name.iri] = name
        self.positions.note_subject(name.iri, line)
        return name.iri

    def finish(self, source: str) -> Parsed:
        """The file's Parsed, or a SourceError listing every problem met, in line order."""
        if self.problems:
            raise SourceError(sorted(self.problems, key=lambda p: (p.line or 0, p.message)))
        for name in self.names.values():
            spec = self.mapping.nodes[name.kind]
            line = self.positions.subjects[name.iri]  # note_name noted every name's first line
            self.graph.add((name.iri, RDF.type, spec.cls))
            self.add(name.iri, spec.fields["name"].predicate, Literal(name.full), line)
            if name.kind == "person":
                self.add(name.iri, spec.fields["family_name"].predicate, Literal(name.family), line)
                if name.given:
                    self.add(name.iri, spec.fields["given_name"].predicate, Literal(name.given), line)
        return Parsed(path=self.path, graph=self.graph, positions=self.positions, source=source)
