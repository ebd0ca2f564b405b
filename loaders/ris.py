"""RIS bibliographies (``.ris``, what EndNote, Zotero and Mendeley export) -> works, their authors
and editors, and their venues: the same RDF as the same work in BibTeX (loaders/bibliography.py
makes both).

An entry runs from ``TY  - JOUR`` to ``ER  - ``, one tag a line::

    TY  - JOUR
    AU  - Lin, Yanliu
    TI  - E-urbanism: E-commerce, migration, and the transformation of Taobao villages
    T2  - Cities
    PY  - 2019
    VL  - 91
    SP  - 202
    EP  - 212
    DO  - 10.1016/j.cities.2018.11.020
    ER  -

Read with rispy (tags, continuation lines, repeated tags), taught urbankg's lines and errors.
Tags read: AU/A1 authors, ED/A2 editors (A2, the secondary author, is the editor of a chapter
or a proceedings paper), TI/T1 title, PY/Y1/DA year, JF/JO (and T2 of an article) the
journal, T2 of anything else the book or proceedings title, VL, IS, SP/EP, DO, UR, PB, LA,
and ID as the key (when it can be an id and is not a bare record number; else
``<first author's family name>-<year>``, with a, b ... when taken). A name is
``Family, Given`` (``Family, Given, Suffix``); a name without a comma is an organisation
(Zotero writes corporate authors so). Other tags (abstract, keywords, notes ...) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import rispy  # rispy ships no py.typed
from rdflib import URIRef

from urbankg.loaders.annotation_mapping import Mapping, load_mapping
from urbankg.loaders.bibliography import (
    ABSTRACT,
    BOOK,
    BOOK_CHAPTER,
    CONFERENCE_PAPER,
    JOURNAL_ARTICLE,
    REPORT,
    THESIS,
    URL_EXAMPLE,
    WEB_PAGE,
    YEAR_RANGE,
    Bibliography,
    Keys,
    clean_doi,
    is_year,
    page_range,
    url_fault,
    usable_key,
)
from urbankg.parsed import Parsed, read_source_text

# RIS reference type -> name in the mapping's `work_type` vocabulary. Magazine and newspaper
# articles are articles as BibTeX's @article is (what Zotero's BibTeX export makes of them).
WORK_TYPE_BY_RIS = {
    **dict.fromkeys(("JOUR", "JFULL", "EJOUR", "MGZN", "NEWS"), JOURNAL_ARTICLE),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK"), BOOK),
    **dict.fromkeys(("CHAP", "ECHAP"), BOOK_CHAPTER),
    **dict.fromkeys(("CONF", "CPAPER"), CONFERENCE_PAPER),
    "RPRT": REPORT,
    "THES": THESIS,
    "ABST": ABSTRACT,
}
# Reference types that are web pages when they carry a URL (and plain works when not).
WEB_TYPES = {"ELEC", "WEB", "BLOG"}
# rispy's name of a tag -> field of the mapping's `work` node (literal values).
WORK_FIELD_BY_RIS = {"volume": "volume", "publisher": "publisher", "language": "language", "doi": "doi"}
AUTHORS, EDITORS = ("AU", "A1"), ("ED", "A2")
TAG_OF = {**{name: tag for tag, name in rispy.TAG_KEY_MAPPING.items()}, "editors": "ED"}
TYPE_HINT = "'TY  - JOUR' (or BOOK, CHAP, CONF, RPRT, THES, ELEC, GEN)"
# A line that means to be a tag but is not written as one (rispy would read it as the text
# of the tag above): two capitals or a capital and a digit, then a hyphen, spaced wrongly.
MISWRITTEN_TAG = re.compile(r"^([A-Z][A-Z0-9])( ?| {3,})-( |$)|^([A-Z][A-Z0-9])  -(?! |$)")
LINE, LINES = "_line", "_lines"  # where an entry starts; the lines of each tag's values


def parse(path: Path, source: str, mapping: Mapping | None = None) -> Parsed:
    path = Path(path)
    text = read_source_text(path).removeprefix("\ufeff")
    out = Bibliography(path, mapping or load_mapping())
    entries = _Parser(out).read(text)
    _Reader(out).read(entries)
    return out.finish(source)


class _Parser(rispy.RisParser):
    """rispy's parser, noting the line of each entry and tag, and saying what it would pass over."""

    def __init__(self, out: Bibliography):
        super().__init__(mapping={**rispy.TAG_KEY_MAPPING, "ED": "editors"}, list_tags=[*rispy.LIST_TYPE_TAGS, "ED"])
        self.out = out
        self.line = 0
        self.open: int | None = None  # the line of the entry being read

    def read(self, text: str) -> list[dict]:
        return self.parse_lines(self._lines(text))

    def _lines(self, text: str) -> Iterator[str]:
        for self.line, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue  # blank lines mean nothing in RIS (rispy would add them to the tag above)
            miswritten = MISWRITTEN_TAG.match(line)
            tag = miswritten and (miswritten.group(1) or miswritten.group(4))
            if tag and (tag in self.mapping or tag == self.END_TAG):
                self.out.problem(
                    self.line,
                    f"'{line.strip()}' is not written as a tag: write the tag, two spaces, a hyphen and a space, "
                    f"e.g. '{tag}  - ...'",
                )
                continue
            if self.parse_line(line)[0] == self.END_TAG:
                self.open = None
            yield line
        if self.open is not None:
            self.out.problem(self.open, "the entry starting here has no end: add a line 'ER  - ' after its last tag")

    def _iter_till_start(self, lines) -> dict:
        while True:
            line = next(lines)
            tag, content = self.parse_line(line)
            if tag == self.START_TAG:
                self.open = self.line
                return {self.mapping[tag]: content, LINE: self.line, LINES: {tag: [self.line]}}
            self.out.problem(
                self.line,
                f"'{line.strip()[:40]}' is outside any entry: an entry starts with {TYPE_HINT} and ends with 'ER  - '",
            )

    def _add_tag(self, record: dict, tag: str, content: str, extend_multiline: bool = False) -> None:
        if tag == self.START_TAG:
            self.out.problem(
                self.line,
                f"a new entry starts before the entry of line {record[LINE]} ends: add a line 'ER  - ' above this one",
            )
        if extend_multiline and tag not in record[LINES]:  # rispy would add it to a tag of the entry before
            self.out.problem(
                self.line,
                f"'{content[:40]}' continues no tag of its entry: start it with a tag, e.g. 'N1  - {content[:20]}'",
            )
            return
        if not extend_multiline:
            record[LINES].setdefault(tag, []).append(self.line)
        super()._add_tag(record, tag, content, extend_multiline)


class _Reader:
    def __init__(self, out: Bibliography):
        self.out = out
        self.problem = out.problem

    def read(self, entries: list[dict]) -> None:
        first_line: dict[str, int] = {}
        written = []
        for entry in entries:
            key = usable_key(entry.get("id"))
            if key is None:
                continue
            line = entry[LINES]["ID"][0]
            if key in first_line:
                self.problem(
                    line,
                    f"the ID '{key}' is used twice (first on line {first_line[key]}): each work is one entry; "
                    "merge them or give one a different ID",
                )
            else:
                first_line[key] = line
                written.append(key)
        keys = Keys(written)
        for entry in entries:
            self.read_entry(entry, keys)

    def read_entry(self, entry: dict, keys: Keys) -> None:
        line, lines = entry[LINE], entry[LINES]

        def text(name: str) -> str:
            value = entry.get(name)
            return " ".join(value.split()) if isinstance(value, str) else ""

        def at(name: str) -> int:
            return lines.get(TAG_OF[name], [line])[0]

        ris_type = text("type_of_reference").upper()
        if not ris_type:
            self.problem(line, f"the entry has no type: write {TYPE_HINT}")
        title = next((n for n in ("title", "primary_title") if text(n)), None)
        if title is None:
            self.problem(line, "the entry starting here has no title: add a line 'TI  - ...'")
        year_tag = next((n for n in ("year", "publication_year", "date") if text(n).strip("/")), None)
        year_line = at(year_tag) if year_tag else line
        year = self.year(text(year_tag), year_line) if year_tag else None
        names = {tag: self.names(entry, tag) for tag in (*AUTHORS, *EDITORS)}
        first = next((n for tag in (*AUTHORS, *EDITORS) for n in names[tag]), None)
        key = usable_key(entry.get("id")) or keys.make(first[1] if first else "", year or "")
        urls = [u for u in entry.get("urls", []) if u]
        type_name = WORK_TYPE_BY_RIS.get(ris_type)
        if ris_type in WEB_TYPES and urls:
            type_name = WEB_PAGE
        work = self.out.new_work(key, line, type_name)
        if title:
            self.out.field(work, "title", text(title), at(title))
        if year:
            self.out.year(work, year, year_line)
        for name, field_name in WORK_FIELD_BY_RIS.items():
            if text(name):
                self.out.field(work, field_name, clean_doi(text(name)) if name == "doi" else text(name), at(name))
        if text("number"):
            self.out.field(work, "issue", page_range(text("number"), hyphen=True), at("number"))
        if text("start_page"):
            pages = text("start_page") + (f"-{text('end_page')}" if text("end_page") else "")
            self.out.field(work, "pages", page_range(pages, hyphen=True), at("start_page"))
        journal = next((n for n in ("alternate_title3", "journal_name") if text(n)), None)
        if text("secondary_title") and (type_name == JOURNAL_ARTICLE and not text("alternate_title3")):
            journal = "secondary_title"
        if journal:
            self.out.venue(work, text(journal), at(journal))
        if text("secondary_title") and type_name != JOURNAL_ARTICLE:
            self.out.field(work, "container", text("secondary_title"), at("secondary_title"))
        for url, url_line in zip(urls[:1], lines.get("UR", [line]), strict=False):
            self.url(work, url, url_line)
        for tags, field_name in ((AUTHORS, "authors"), (EDITORS, "editors")):
            for tag in tags:
                for name_line, family, given, suffix in names[tag]:
                    person = (
                        self.out.person(key, family, given, name_line, suffix)
                        if given is not None
                        else self.out.organisation(family, name_line)
                    )
                    self.out.field(work, field_name, person, name_line)

    def names(self, entry: dict, tag: str) -> list[tuple[int, str, str | None, str]]:
        """(line, family, given, suffix) of each name of ``tag``; given is None for an organisation."""
        values = entry.get(rispy.TAG_KEY_MAPPING.get(tag, "editors"), [])
        found: list[tuple[int, str, str | None, str]] = []
        for written, line in zip(values, entry[LINES].get(tag, []), strict=False):
            parts = [" ".join(part.split()) for part in written.split(",")]
            if not any(parts):
                continue
            if len(parts) == 1:
                found.append((line, parts[0], None, ""))
            elif not parts[0]:
                self.problem(line, f"'{tag}  - {written.strip()}' has no family name: write '{tag}  - Lin, Yanliu'")
            else:
                found.append((line, parts[0], parts[1], " ".join(parts[2:]).strip()))
        return found

    def year(self, value: str, line: int) -> str | None:
        written = value.split("/")[0].strip()
        if is_year(written):
            return written
        self.problem(
            line,
            f"'{value}' is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}: write four digits, "
            "e.g. 'PY  - 2019' (or 'PY  - 2019/03/15/')",
        )
        return None

    def url(self, work: URIRef, value: str, line: int) -> None:
        fault = url_fault(value)
        if fault:
            self.problem(
                line, f"'UR  - {value}' is not a web address (it {fault}): write it whole, e.g. 'UR  - {URL_EXAMPLE}'"
            )
            return
        self.out.url(work, value, line)
