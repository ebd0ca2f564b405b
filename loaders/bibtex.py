"""BibTeX bibliographies -> works, their authors and editors, and their venues.

A bibliography holds works only: the entries of a paper's reference list (which
paper lists which entry, with what number and text) are written by annotators in
YAML (`references:`), pointing at these works by id.

Ids are stable (the same file gives the same ids); identity across sources is made at
load time by matching (urbankg.identity), not by the ids:
    work/<citation key>                the key as written (keys follow <family>-<year>)
    person/<family>-<initials>/<key>   Lin, Yanliu in entry lin-2016 -> person/lin-y/lin-2016:
                                       one name in two works is two people until evidence
                                       (the same work in another source, an ORCID, a reviewer)
    organisation/<name>                a corporate author written in braces, {Alibaba Group}
    venue/<journal title>              Cities -> venue/cities

Properties and classes come from the annotation mapping (the `work`, `person`,
`organisation` and `venue` nodes, the `work_type` vocabulary), so a BibTeX work and
a YAML work are described with the same terms. Fields this loader does not map
(month, address, translator ...) are left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text
from rdflib import RDF, XSD, Literal, URIRef

from urbankg.errors import Problem, SourceError
from urbankg.loaders import nesting
from urbankg.loaders.annotation_mapping import Mapping, load_mapping
from urbankg.parsed import Parsed, Positions, iri_fault, read_source_text

# BibTeX entry type -> name in the mapping's `work_type` vocabulary.
WORK_TYPE_BY_ENTRY = {
    "article": "JournalArticle",
    "book": "Book",
    "incollection": "BookChapter",
    "inbook": "BookChapter",
    "inproceedings": "ConferencePaper",
    "conference": "ConferencePaper",
    "techreport": "Report",
    "report": "Report",
    "phdthesis": "Thesis",
    "mastersthesis": "Thesis",
    "thesis": "Thesis",
}
# Entry types that are web pages when they carry a url (and plain works when not).
WEB_ENTRY_TYPES = {"misc", "online", "electronic", "www", "webpage"}

# BibTeX field -> field of the mapping's `work` node (literal values).
WORK_FIELD_BY_BIBTEX = {
    "title": "title",
    "volume": "volume",
    "number": "issue",
    "pages": "pages",
    "publisher": "publisher",
    "doi": "doi",
    "booktitle": "container",
    "note": "note",
    "language": "language",
}
YEAR_RANGE = (1800, 2100)
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)
LATEX = LatexNodes2Text(math_mode="verbatim")


@dataclass
class _Name:
    iri: URIRef
    kind: str  # "person" | "organisation"
    full: str
    family: str = ""
    given: str = ""


def parse(path: Path, source: str, mapping: Mapping | None = None) -> Parsed:
    path = Path(path)
    text = read_source_text(path)
    nesting.check_bibtex(path, text)  # pylatexenc recurses per brace group
    reader = _Reader(path, mapping or load_mapping())
    try:
        reader.read(text)
    except RecursionError:  # LaTeX environments inside each other, which the brace count does not see
        raise nesting.too_deep(path, None, None, nesting.BIBTEX_HINT) from None
    if reader.problems:
        raise SourceError(sorted(reader.problems, key=lambda p: (p.line or 0, p.message)))
    return Parsed(path=path, graph=reader.graph, positions=reader.positions, source=source)


class _Reader:
    def __init__(self, path: Path, mapping: Mapping):
        self.path = path
        self.mapping = mapping
        self.graph = mapping.new_graph()
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.work = mapping.nodes["work"]
        self.names: dict[URIRef, _Name] = {}
        self.keys: dict[str, int] = {}

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def read(self, text: str) -> None:
        library = bibtexparser.parse_string(text)
        for block in library.blocks:
            # parse_string sets every block's line; only blocks made by hand have none
            line = (block.start_line or 0) + 1
            if isinstance(block, model.DuplicateBlockKeyBlock):
                first = self.keys.get(block.key)
                self.problem(
                    line,
                    f"the key '{block.key}' is used twice"
                    + (f" (first on line {first})" if first else "")
                    + ": each work is one entry; merge them or give one a different key",
                )
            elif isinstance(block, model.DuplicateFieldKeyBlock):
                self.problem(line, f"an entry gives a field twice ({_reason(block)}): keep one")
            elif isinstance(block, model.ParsingFailedBlock):
                self.problem(
                    line,
                    f"not valid BibTeX: {_reason(block)} (check the braces, quotes and commas "
                    "of the entry starting here)",
                )
            elif isinstance(block, model.Entry):
                self.keys.setdefault(block.key, line)
                self.read_entry(block, line)
        self.emit_names()

    def read_entry(self, entry: model.Entry, line: int) -> None:
        if not KEY.match(entry.key):
            self.problem(
                line,
                f"the key '{entry.key}' cannot be part of an id: use letters, digits, '-', '_' or '.', e.g. lin-2019",
            )
            return
        work = self.mapping.expand_id("work", entry.key)
        self.positions.note_subject(work, line)
        self.graph.add((work, RDF.type, self.work.cls))
        self.positions.note_statement(work, RDF.type, line)
        fields = {f.key.lower(): f for f in entry.fields}
        type_name = WORK_TYPE_BY_ENTRY.get(entry.entry_type.lower())
        if entry.entry_type.lower() in WEB_ENTRY_TYPES and "url" in fields:
            type_name = "WebPage"
        if type_name:
            self.graph.add((work, RDF.type, self.mapping.types_of(self.work)[type_name]))
        for name, field in fields.items():
            field_line = field.start_line + 1
            # Web addresses and DOIs are not LaTeX: a % or ~ in them is meant literally.
            value = " ".join(str(field.value).split()) if name in ("url", "doi") else _text(field.value)
            if not value:
                continue
            if name in WORK_FIELD_BY_BIBTEX:
                spec = self.work.fields[WORK_FIELD_BY_BIBTEX[name]]
                if name == "doi":
                    value = DOI_PREFIX.sub("", value)
                if name in ("pages", "number"):  # 151--182: a range, with the en dash BibTeX means
                    value = re.sub(r"\s*(--|–)\s*", "–", value)
                self.add(work, spec.predicate, Literal(value), field_line)
            elif name == "year":
                self.year(work, value, field_line)
            elif name == "url":
                self.url(work, value, field_line)
            elif name == "journal":
                self.journal(work, value, field_line)
            elif name in ("author", "editor"):
                field_name = "authors" if name == "author" else "editors"
                for person in self.people(str(field.value), field_line, entry.key, name):
                    self.add(work, self.work.fields[field_name].predicate, person, field_line)

    def add(self, subject: URIRef, predicate: URIRef, obj, line: int) -> None:
        self.graph.add((subject, predicate, obj))
        self.positions.note_statement(subject, predicate, line)

    def year(self, work: URIRef, value: str, line: int) -> None:
        if re.fullmatch(r"\d{4}", value) and YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
            self.add(work, self.work.fields["year"].predicate, Literal(value, datatype=XSD.gYear), line)
        else:
            self.problem(
                line,
                f"year = {{{value}}} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}: "
                "write four digits, e.g. year = {2019} (a letter such as 2019a belongs in the key)",
            )

    def url(self, work: URIRef, value: str, line: int) -> None:
        # The engine's own IRI check: a url it would refuse fails here, at its line, not at the load.
        fault = (
            iri_fault(value) if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value) else "needs a scheme such as https://"
        )
        if fault:
            self.problem(
                line,
                f"url = {{{value}}} is not a web address (it {fault}): write it whole, e.g. "
                "url = {https://doi.org/10.1016/j.cities.2018.11.020}",
            )
            return
        self.add(work, self.work.fields["url"].predicate, URIRef(value), line)

    def journal(self, work: URIRef, title: str, line: int) -> None:
        venue_spec = self.mapping.nodes["venue"]
        venue = self.mapping.expand_id("venue", _slug(title))
        self.positions.note_subject(venue, line)
        self.graph.add((venue, RDF.type, venue_spec.cls))
        self.add(venue, venue_spec.fields["title"].predicate, Literal(title), line)
        self.add(work, self.work.fields["venue"].predicate, venue, line)

    def people(self, raw: str, line: int, key: str, field: str) -> list[URIRef]:
        found = []
        for written in split_multiple_persons_names(raw):
            written = written.strip()
            if not written:
                continue
            if written.lower() == "others":  # "and others": et al., nobody to name
                continue
            if written.startswith("{") and written.endswith("}") and _balanced(written[1:-1]):
                name = _text(written[1:-1])
                found.append(
                    self.note_name(
                        _Name(self.mapping.expand_id("organisation", _slug(name)), "organisation", name), line
                    )
                )
                continue
            parts = parse_single_name_into_parts(written)
            family = _text(" ".join(parts.von + parts.last))
            given = _text(" ".join(parts.first))
            if not family:
                self.problem(
                    line,
                    f"{field} '{written}' of entry '{key}' has no family name: write Family, Given (e.g. Lin, Yanliu)",
                )
                continue
            initials = "".join(token[0] for token in re.split(r"[\s.\-]+", _ascii(given)) if token)
            # A name is not a person: namesakes in two works stay two people until evidence
            # (the same work in another source, an ORCID, a reviewer) makes them one.
            slug = _slug(family) + (f"-{initials.lower()}" if initials else "") + f"/{key}"
            full = f"{given} {_text(' '.join(parts.jr))}".strip() if parts.jr else given
            full = f"{full} {family}".strip()
            found.append(
                self.note_name(_Name(self.mapping.expand_id("person", slug), "person", full, family, given), line)
            )
        return found

    def note_name(self, name: _Name, line: int) -> URIRef:
        """Remember a person (or organisation); the fullest spelling met in the file wins."""
        known = self.names.get(name.iri)
        if known is None or len(name.given) > len(known.given):
            self.names[name.iri] = name
        self.positions.note_subject(name.iri, line)
        return name.iri

    def emit_names(self) -> None:
        for name in self.names.values():
            spec = self.mapping.nodes[name.kind]
            line = self.positions.subjects[name.iri]  # note_name noted every name's first line
            self.graph.add((name.iri, RDF.type, spec.cls))
            self.add(name.iri, spec.fields["name"].predicate, Literal(name.full), line)
            if name.kind == "person":
                self.add(name.iri, spec.fields["family_name"].predicate, Literal(name.family), line)
                if name.given:
                    self.add(name.iri, spec.fields["given_name"].predicate, Literal(name.given), line)


def _reason(block: model.Block) -> str:
    error = getattr(block, "error", None)
    text = str(error) if error else ""
    text = text.split("bibtex:", 1)[-1].split("Note:", 1)[0]
    return " ".join(text.split()).rstrip(".") or "the entry cannot be read"


def _text(value) -> str:
    """A field value as plain text: LaTeX decoded ({\\"u} -> ü), case braces dropped, spaces collapsed."""
    text = str(value)
    if "\\" in text or "{" in text or "$" in text:
        text = LATEX.latex_to_text(text)
    return " ".join(text.split())


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-") or "unnamed"
