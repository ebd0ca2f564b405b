"""BibTeX bibliographies -> works, their authors and editors, and their venues.

A bibliography holds works only: the entries of a paper's reference list (which
paper lists which entry, with what number and text) are written by annotators in
YAML (`references:`), pointing at these works by id.

The ids and terms are those of every bibliography (loaders/bibliography.py): work/<citation
key> (the key as written; keys follow <family>-<year>), person/<family>-<initials>/<key>,
organisation/<name> for a corporate author written in braces ({Alibaba Group}), and
venue/<journal title>. Fields this loader does not map (month, address, translator ...)
are left out.
"""

from __future__ import annotations

from pathlib import Path

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text
from rdflib import URIRef

from urbankg.loaders import nesting
from urbankg.loaders.annotation_mapping import Mapping, load_mapping
from urbankg.loaders.bibliography import (
    BOOK,
    BOOK_CHAPTER,
    CONFERENCE_PAPER,
    JOURNAL_ARTICLE,
    KEY,
    REPORT,
    THESIS,
    URL_EXAMPLE,
    WEB_PAGE,
    YEAR_RANGE,
    Bibliography,
    clean_doi,
    is_year,
    page_range,
    url_fault,
)
from urbankg.parsed import Parsed, read_source_text

# BibTeX entry type -> name in the mapping's `work_type` vocabulary.
WORK_TYPE_BY_ENTRY = {
    "article": JOURNAL_ARTICLE,
    "book": BOOK,
    "incollection": BOOK_CHAPTER,
    "inbook": BOOK_CHAPTER,
    "inproceedings": CONFERENCE_PAPER,
    "conference": CONFERENCE_PAPER,
    "techreport": REPORT,
    "report": REPORT,
    "phdthesis": THESIS,
    "mastersthesis": THESIS,
    "thesis": THESIS,
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
LATEX = LatexNodes2Text(math_mode="verbatim")


def parse(path: Path, source: str, mapping: Mapping | None = None) -> Parsed:
    path = Path(path)
    text = read_source_text(path)
    nesting.check_bibtex(path, text)  # pylatexenc recurses per brace group
    reader = _Reader(path, mapping or load_mapping())
    try:
        reader.read(text)
    except RecursionError:  # LaTeX environments inside each other, which the brace count does not see
        raise nesting.too_deep(path, None, None, nesting.BIBTEX_HINT) from None
    return reader.out.finish(source)


class _Reader:
    def __init__(self, path: Path, mapping: Mapping):
        self.out = Bibliography(path, mapping)
        self.problem = self.out.problem
        self.keys: dict[str, int] = {}

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

    def read_entry(self, entry: model.Entry, line: int) -> None:
        if not KEY.match(entry.key):
            self.problem(
                line,
                f"the key '{entry.key}' cannot be part of an id: use letters, digits, '-', '_' or '.', e.g. lin-2019",
            )
            return
        fields = {f.key.lower(): f for f in entry.fields}
        type_name = WORK_TYPE_BY_ENTRY.get(entry.entry_type.lower())
        if entry.entry_type.lower() in WEB_ENTRY_TYPES and "url" in fields:
            type_name = WEB_PAGE
        work = self.out.new_work(entry.key, line, type_name)
        for name, field in fields.items():
            field_line = field.start_line + 1
            # Web addresses and DOIs are not LaTeX: a % or ~ in them is meant literally.
            value = " ".join(str(field.value).split()) if name in ("url", "doi") else _text(field.value)
            if not value:
                continue
            if name in WORK_FIELD_BY_BIBTEX:
                if name == "doi":
                    value = clean_doi(value)
                if name in ("pages", "number"):  # 151--182: a range, with the en dash BibTeX means
                    value = page_range(value)
                self.out.field(work, WORK_FIELD_BY_BIBTEX[name], value, field_line)
            elif name == "year":
                self.year(work, value, field_line)
            elif name == "url":
                self.url(work, value, field_line)
            elif name == "journal":
                self.out.venue(work, value, field_line)
            elif name in ("author", "editor"):
                field_name = "authors" if name == "author" else "editors"
                for person in self.people(str(field.value), field_line, entry.key, name):
                    self.out.field(work, field_name, person, field_line)

    def year(self, work: URIRef, value: str, line: int) -> None:
        if is_year(value):
            self.out.year(work, value, line)
        else:
            self.problem(
                line,
                f"year = {{{value}}} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}: "
                "write four digits, e.g. year = {2019} (a letter such as 2019a belongs in the key)",
            )

    def url(self, work: URIRef, value: str, line: int) -> None:
        fault = url_fault(value)
        if fault:
            self.problem(
                line,
                f"url = {{{value}}} is not a web address (it {fault}): write it whole, e.g. url = {{{URL_EXAMPLE}}}",
            )
            return
        self.out.url(work, value, line)

    def people(self, raw: str, line: int, key: str, field: str) -> list[URIRef]:
        found = []
        for written in split_multiple_persons_names(raw):
            written = written.strip()
            if not written:
                continue
            if written.lower() == "others":  # "and others": et al., nobody to name
                continue
            if written.startswith("{") and written.endswith("}") and _balanced(written[1:-1]):
                found.append(self.out.organisation(_text(written[1:-1]), line))
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
            suffix = _text(" ".join(parts.jr)) if parts.jr else ""
            found.append(self.out.person(key, family, given, line, suffix))
        return found


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
