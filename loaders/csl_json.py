"""CSL-JSON bibliographies (the citeproc JSON that Zotero, Mendeley and pandoc export) -> works,
their authors and editors, and their venues: the same RDF as the same work in BibTeX
(loaders/bibliography.py makes both).

A file is a list of items::

    [{"id": "lin-2019", "type": "article-journal", "title": "E-urbanism ...",
      "author": [{"family": "Lin", "given": "Yanliu"}], "issued": {"date-parts": [[2019, 3]]},
      "container-title": "Cities", "volume": "91", "page": "202-212", "DOI": "10.1016/..."}]

Its suffixes are ``.csljson`` and ``.csl.json``, not ``.json``. ``.json`` is free in the
format table (JSON-LD is ``.jsonld``), but a plain ``.json`` says nothing about what the
JSON is: a folder given to ``urbankg load`` would have its ``tokens.json``, a backup's
``manifest.json`` or a benchmark's results read as bibliographies, and a JSON-LD file
saved as ``.json`` would be refused as bad CSL. So an export from Zotero (``My
Library.json``) is renamed ``my-library.csl.json`` (or ``.csljson``) to be loaded; a file
that is JSON-LD is told to use ``.jsonld``.

The key of an item is its ``id`` when that can be an id (letters, digits, '-', '_', '.';
not a bare record number), else ``<first author's family name>-<year>``, with a, b ...
when taken (Zotero's ids are item URIs or numbers: its items get made keys).
``container-title`` is the journal (a venue) of an article and the book or proceedings
title of anything else. Fields not mapped (abstract, ISSN, note ...) are left out.

JSON is read with the standard json module (a syntax error is reported at its line); the
items are then scanned again for the line of each item, field and name.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from urbankg.loaders import nesting
from urbankg.loaders.annotation_mapping import Mapping, load_mapping
from urbankg.loaders.bibliography import (
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

# CSL item type -> name in the mapping's `work_type` vocabulary. Magazine and newspaper articles
# are articles as BibTeX's @article is (what Zotero's BibTeX export makes of them).
WORK_TYPE_BY_CSL = {
    "article-journal": JOURNAL_ARTICLE,
    "article-magazine": JOURNAL_ARTICLE,
    "article-newspaper": JOURNAL_ARTICLE,
    "book": BOOK,
    "chapter": BOOK_CHAPTER,
    "paper-conference": CONFERENCE_PAPER,
    "report": REPORT,
    "thesis": THESIS,
}
# Item types that are web pages when they carry a URL (and plain works when not).
WEB_TYPES = {"webpage", "post", "post-weblog"}
# CSL variable -> field of the mapping's `work` node (literal values).
WORK_FIELD_BY_CSL = {
    "title": "title",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "publisher": "publisher",
    "DOI": "doi",
    "language": "language",
}
READ = {*WORK_FIELD_BY_CSL, "type", "container-title", "URL"}  # and id, author, editor, issued; the rest is left out
TYPE_HINT = '"type": "article-journal" (or "book", "chapter", "paper-conference", "report", "thesis", "webpage")'
NAME = '{"family": "Lin", "given": "Yanliu"}'
NAME_HINT = NAME + ', or {"literal": "Alibaba Group"} for an organisation'
EXAMPLE = (
    '[{"id": "lin-2019", "type": "article-journal", "title": "...", "author": [{"family": "Lin", "given": "Y."}]}]'
)


@dataclass
class At:
    """Where a JSON value starts (for an object's member: where its key starts), and its parts'."""

    line: int
    members: dict[str, At] = field(default_factory=dict)
    items: list[At] = field(default_factory=list)

    def of(self, key: str) -> int:
        return self.members[key].line if key in self.members else self.line


def parse(path: Path, source: str, mapping: Mapping | None = None) -> Parsed:
    path = Path(path)
    text = read_source_text(path).removeprefix("\ufeff")
    nesting.check_json(path, text)  # the json module recurses per bracket
    out = Bibliography(path, mapping or load_mapping())
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        out.problem(
            exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno}; check the commas, quotes and brackets)"
        )
        return out.finish(source)
    except ValueError:  # a number of thousands of digits, past Python's limit
        out.problem(None, "not valid CSL-JSON: a number is thousands of digits long; write numbers of a few digits")
        return out.finish(source)
    if not isinstance(items, list):
        jsonld = isinstance(items, dict) and ("@context" in items or "@graph" in items)
        out.problem(
            1,
            "this is JSON-LD, not CSL-JSON: name the file .jsonld"
            if jsonld
            else f"a CSL-JSON file is a list of items, e.g. {EXAMPLE}",
        )
        return out.finish(source)
    _Reader(out).read(items, _scan(text))
    return out.finish(source)


class _Reader:
    def __init__(self, out: Bibliography):
        self.out = out
        self.problem = out.problem

    def read(self, items: list, at: At) -> None:
        first_line: dict[str, int] = {}
        written = []
        for item, where in zip(items, at.items, strict=True):
            key = usable_key(item.get("id")) if isinstance(item, dict) else None
            if key is None:
                continue
            if key in first_line:
                self.problem(
                    where.of("id"),
                    f"the id '{key}' is used twice (first on line {first_line[key]}): each work is one item; "
                    "merge them or give one a different id",
                )
            else:
                first_line[key] = where.of("id")
                written.append(key)
        keys = Keys(written)
        for number, (item, where) in enumerate(zip(items, at.items, strict=True), 1):
            if not isinstance(item, dict):
                self.problem(where.line, f"item {number} is not an item: write {EXAMPLE[1:-1]}")
                continue
            self.read_item(item, where, f"item {number}", keys)

    def read_item(self, item: dict, at: At, label: str, keys: Keys) -> None:
        if isinstance(item.get("id"), str):
            label = f"{label} ({item['id']})"
        texts = {name: self.text(item, name, at, label) for name in item if name in READ}
        if texts.get("title", "") == "":  # None: not text, said already
            self.problem(at.line, f'{label} has no title: add "title": "..."')
        csl_type = texts.get("type", "")
        if csl_type == "":
            self.problem(at.line, f"{label} has no type: add {TYPE_HINT}")
        year = self.year(item, at, label)
        key = usable_key(item.get("id")) or keys.make(_first_family(item), year or "")
        type_name = WORK_TYPE_BY_CSL.get(csl_type or "")
        if csl_type in WEB_TYPES and texts.get("URL"):
            type_name = WEB_PAGE
        work = self.out.new_work(key, at.line, type_name)
        if year:
            self.out.year(work, year, at.of("issued"))
        for name, value in texts.items():
            if not value:
                continue
            line = at.of(name)
            if name in WORK_FIELD_BY_CSL:
                if name == "DOI":
                    value = clean_doi(value)
                if name in ("page", "issue"):
                    value = page_range(value, hyphen=True)
                self.out.field(work, WORK_FIELD_BY_CSL[name], value, line)
            elif name == "container-title":
                if type_name == JOURNAL_ARTICLE:
                    self.out.venue(work, value, line)
                else:
                    self.out.field(work, "container", value, line)
            elif name == "URL":
                fault = url_fault(value)
                if fault:
                    self.problem(
                        line,
                        f'"URL": "{value}" of {label} is not a web address (it {fault}): '
                        f'write it whole, e.g. "URL": "{URL_EXAMPLE}"',
                    )
                else:
                    self.out.url(work, value, line)
        for role, field_name in (("author", "authors"), ("editor", "editors")):
            for person in self.people(item, role, at, label, key):
                self.out.field(work, field_name, person, at.of(role))

    def text(self, item: dict, name: str, at: At, label: str) -> str | None:
        """A variable's value as text (numbers as written), or None, said, when it is not text."""
        value = item[name]
        if isinstance(value, str):
            return " ".join(value.split())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if value is None:
            return ""
        self.problem(at.of(name), f'"{name}" of {label} is {_kind(value)}: write a string, e.g. "{name}": "..."')
        return None

    def year(self, item: dict, at: At, label: str) -> str | None:
        issued = item.get("issued")
        if issued is None:
            return None
        written = None
        if isinstance(issued, dict):
            parts = issued.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                written = str(parts[0][0])
            elif isinstance(said := issued.get("raw") or issued.get("literal"), str):
                found = re.match(r"\s*(\d{4})\b", said)
                if found is None:
                    return None  # "n.d.", "forthcoming": no year, as a BibTeX entry without one
                written = found.group(1)
        if written is not None and is_year(written):
            return written
        self.problem(
            at.of("issued"),
            f'"issued" of {label} does not give a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}: '
            'write "issued": {"date-parts": [[2019]]} (or [[2019, 3]] with the month)',
        )
        return None

    def people(self, item: dict, role: str, at: At, label: str, key: str) -> list[URIRef]:
        names = item.get(role)
        if names is None:
            return []
        if not isinstance(names, list):
            self.problem(at.of(role), f'"{role}" of {label} is not a list: write "{role}": [{NAME}]')
            return []
        where = at.members[role].items if role in at.members else []
        found = []
        for number, (name, name_at) in enumerate(zip(names, where, strict=True), 1):
            line = name_at.line
            if isinstance(name, dict) and isinstance(name.get("literal"), str) and name["literal"].strip():
                found.append(self.out.organisation(" ".join(name["literal"].split()), line))
                continue
            family = _name_part(name, "dropping-particle", "non-dropping-particle", "family")
            if not family:
                self.problem(line, f"{role} {number} of {label} has no family name: write {NAME_HINT}")
                continue
            given = _name_part(name, "given")
            found.append(self.out.person(key, family, given, line, _name_part(name, "suffix")))
        return found


def _name_part(name, *parts: str) -> str:
    if not isinstance(name, dict):
        return ""
    return " ".join(" ".join(str(name[p]).split()) for p in parts if isinstance(name.get(p), (str, int)) and name[p])


def _first_family(item: dict) -> str:
    for role in ("author", "editor"):
        names = item.get(role)
        if isinstance(names, list) and names:
            first = names[0]
            family = _name_part(first, "non-dropping-particle", "family") or _name_part(first, "literal")
            if family:
                return family
    return ""


def _kind(value) -> str:
    return {dict: "an object", list: "a list", bool: "true or false"}.get(type(value), "not text")


def _scan(text: str) -> At:
    """The line of every value of a document json.loads has read (so it is valid JSON)."""
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()
    space = re.compile(r"[ \t\n\r]*")

    def line_at(index: int) -> int:
        return bisect.bisect_left(newlines, index) + 1

    def skip(index: int) -> int:
        found = space.match(text, index)
        return found.end() if found else index

    def value(index: int) -> tuple[At, int]:
        index = skip(index)
        at = At(line_at(index))
        if text[index] == "{":
            index = skip(index + 1)
            while text[index] != "}":
                key_line = line_at(index)
                key, index = decoder.raw_decode(text, index)
                index = skip(index) + 1  # the colon
                member, index = value(index)
                member.line = key_line
                at.members[key] = member  # json.loads keeps the last too
                index = skip(index)
                if text[index] == ",":
                    index = skip(index + 1)
            return at, index + 1
        if text[index] == "[":
            index = skip(index + 1)
            while text[index] != "]":
                element, index = value(index)
                at.items.append(element)
                index = skip(index)
                if text[index] == ",":
                    index = skip(index + 1)
            return at, index + 1
        _, end = decoder.raw_decode(text, index)
        return at, end

    return value(0)[0]
