"""A paper's full text: read it (.txt or .pdf), find its sections, sentences and reference list.

The text is kept exactly as read (a PDF's pages joined by blank lines), so every offset
and every sentence quoted from it can be found again in the paper by `verify-quotes`.
Two reference-list layouts are recognised:

- author–year lists ("Harvey, D. (1973). Social justice ..."): one entry per line, or
  entries wrapped over several lines (a PDF), where a new entry starts with a name;
- numbered lists ("1. Brenner N, Schmid C. ...", "[1] ..."): an entry starts with the next
  number in sequence.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from urbankg.errors import SourceError
from urbankg.parsed import read_source_text

# A line that names the reference list, markdown (#, **) and numbering ("8.") stripped.
REFERENCE_HEADING = re.compile(
    r"^(?:\d+\.?\s*)?(references(?: cited)?|reference list|bibliography|works cited|literature cited|"
    r"literature|sources|notes and references|references and notes)$",
    re.IGNORECASE,
)

# Headings: "2.1. Theories of urbanism", "## INTRODUCTION", "#### ***Legacy Characteristics***",
# "- **ICT infrastructure and production networks**", "• Urban form and land use", "ABSTRACT".
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?)\s+([A-Z][^\n]{1,100})$")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
BULLET_HEADING = re.compile(r"^(?:[-•]\s+)\*\*([^*]{2,100})\*\*\s*$|^•\s+([A-Z][^.:;]{2,80})$")

# An entry of a numbered list: "1. ", "[12] ", "12) ".
NUMBERED_ENTRY = re.compile(r"^\s*(?:[-•*]\s+)?(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s+(?=\S)")
# The start of an author–year entry: "Harvey, D.", "De Meulder, B.", "Lü, D. (2015)",
# "Alibaba Group (2015)", "CNNIC (2017)", "van Oort, F.".
NAME_START = re.compile(
    r"^(?:(?:[a-z]{1,3}\s){0,2}[A-Z\u00C0-\u024F][\w'’\u00C0-\u024F-]+(?:\s+[A-Z\u00C0-\u024F][\w'’-]+){0,6}"
    r"(?:,\s+(?:[A-Z\u00C0-\u024F]\.|[A-Z][a-z]+[ ,.])|\s+\(\d{4}|\s+\([A-Z]{2,}\)|\s+[A-Z]{1,3}[,.]))"
)
BULLET = re.compile(r"^\s*[-•*]\s+")
# A person's name as an entry opens with it: "Smith, J.", "Smith JR,", "van Oort F."
PERSON_START = re.compile(
    r"^(?:[a-z]{1,3}\s){0,2}[A-Z\u00C0-\u024F][\w'’\u00C0-\u024F-]+(?:\s[A-Z][\w'’-]+)?(?:,\s+[A-Z]\.|\s+[A-Z]{1,3}[,.])"
)
# A corporate author followed by the year or by a person: "R Core Team. 2012.", "HDF Group (1997)",
# "1000 Genomes Project Consortium, Abecasis GR,".
CORPORATE_START = re.compile(
    r"^(?:\d+\s+)?[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|of|for|the|and|&|on)){0,8}"
    r"(?:\.\s+(?:1[89]|20)\d\d[a-z]?\.|\s+\((?:1[89]|20)\d\d[a-z]?\)|,\s+[A-Z][\w'’-]+\s+[A-Z]{1,3},)"
)
# A year standing on its own ("2012.", "(2012)"), not inside a DOI or a number.
LONE_YEAR = re.compile(r"(?<![\w./-])(?:1[5-9]|20)\d\d[a-z]?(?![\w/-])")


@dataclass(frozen=True)
class Section:
    title: str  # as written, markdown stripped: "2.1. Theories of urbanism"
    start: int  # offset of the heading line
    level: int  # 1 for top-level ("2." / "##"), 2 for sub-sections


@dataclass
class ReferenceEntry:
    text: str  # the entry, markdown removed, whitespace collapsed
    start: int  # offsets of the entry in the document text
    end: int
    number: int | None = None  # its number in a numbered list


@dataclass
class Document:
    path: Path
    text: str
    body_end: int  # the body (where citations are) is text[:body_end]
    style: str  # "numbered" | "author-year" | "none"
    entries: list[ReferenceEntry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans in the body

    @property
    def body(self) -> str:
        return self.text[: self.body_end]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def section_path(self, offset: int) -> list[Section]:
        """The headings that contain the offset, outermost first:
        [2. Theoretical background, 2.1. Theories of urbanism]."""
        path: list[Section] = []
        for s in self.sections:
            if s.start > offset:
                break
            while path and path[-1].level >= s.level:
                path.pop()
            path.append(s)
        return path

    def sentence_before(self, offset: int) -> tuple[int, int] | None:
        """The span of the sentence before the one holding the offset."""
        previous = None
        for a, b in self.sentences:
            if a <= offset < b:
                return previous
            previous = (a, b)
        return None

    def sentence_after(self, offset: int) -> tuple[int, int] | None:
        """The span of the sentence after the one holding the offset."""
        for n, (a, b) in enumerate(self.sentences):
            if a <= offset < b:
                return self.sentences[n + 1] if n + 1 < len(self.sentences) else None
        return None

    def sentence_at(self, offset: int) -> tuple[int, int]:
        for a, b in self.sentences:
            if a <= offset < b:
                return a, b
        return offset, offset


# --------------------------------------------------------------------------- reading


def read_text(path: Path | str, progress: bool = True) -> str:
    """The text of a .txt (UTF-8) or .pdf file (pypdf, page by page)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError.single(path, None, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _read_pdf(path, progress)
    if suffix in (".txt", ".md", ".text", ""):
        return read_source_text(path)
    raise SourceError.single(path, None, f"cannot read '{suffix}' files: give the paper as .txt (UTF-8) or .pdf")


def _read_pdf(path: Path, progress: bool) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = []
        for page in tqdm(
            reader.pages,
            desc="reading PDF",
            unit="page",
            file=sys.stderr,
            disable=not progress or len(reader.pages) < 5,
        ):
            pages.append(page.extract_text() or "")
    except (PdfReadError, OSError, ValueError) as e:
        raise SourceError.single(path, None, f"not a readable PDF: {e}") from e
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise SourceError.single(path, None, "the PDF has no text layer (a scan?); run OCR first or give a .txt")
    # A word broken at a line end ("trans-\nformation") is joined, as verify-quotes does.
    return re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)


def strip_markup(line: str) -> str:
    """Markdown emphasis, headings and <url> brackets that text conversions leave behind."""
    line = re.sub(r"^#{1,6}\s+", "", line.strip())
    line = re.sub(r"\*{1,3}([^*]*)\*{1,3}", r"\1", line)
    line = line.replace("*", "").replace("\\", "")
    line = re.sub(r"<(https?://[^>\s]+)>", r"\1", line)
    line = re.sub(r"</?sup>", "", line)
    return " ".join(line.split())


# --------------------------------------------------------------------------- structure


def analyse(path: Path | str, text: str | None = None, progress: bool = True) -> Document:
    """Read a paper and find its reference list, sections and sentences."""
    path = Path(path)
    if text is None:
        text = read_text(path, progress)
    heading = find_reference_heading(text)
    if heading is None:
        doc = Document(path, text, len(text), "none")
    else:
        list_start = text.index("\n", heading) + 1 if "\n" in text[heading:] else len(text)
        style, entries = split_entries(text, list_start, page_furniture(text))
        doc = Document(path, text, heading, style, entries)
    doc.sections = find_sections(doc.body)
    doc.sentences = split_sentences(doc.body, doc.sections)
    return doc


def find_reference_heading(text: str) -> int | None:
    """Offset of the last line that is a reference-list heading, or None."""
    found = None
    for m in re.finditer(r"^.*$", text, re.MULTILINE):
        if REFERENCE_HEADING.match(strip_markup(m.group()).rstrip(":")):
            found = m.start()
    return found


def _lines(text: str, start: int) -> list[tuple[int, str]]:
    return [(start + m.start(), m.group()) for m in re.finditer(r"^.*$", text[start:], re.MULTILINE)]


def _furniture_key(line: str) -> str:
    return re.sub(r"\d{1,4}", "#", " ".join(line.split()))


def page_furniture(text: str) -> set[int]:
    """Offsets of the lines that are running headers, footers or page numbers: a line next to a
    blank line (where a PDF's pages are joined) whose text, digits aside ("5" and "6" are one),
    stands next to a blank line at least three times and mostly nowhere else. The text keeps
    them; reference entries leave them out."""
    beside_blank: dict[str, list[int]] = {}
    elsewhere: dict[str, int] = {}
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            k = _furniture_key(line)
            if i == 0 or i == len(lines) - 1 or not lines[i - 1].strip() or not lines[i + 1].strip():
                beside_blank.setdefault(k, []).append(offset)
            else:
                elsewhere[k] = elsewhere.get(k, 0) + 1
        offset += len(line) + 1
    recurring = [found for k, found in beside_blank.items() if len(found) >= 3 and len(found) > 3 * elsewhere.get(k, 0)]
    return {o for found in recurring for o in found}


def split_entries(text: str, start: int, furniture: set[int] | None = None) -> tuple[str, list[ReferenceEntry]]:
    """Split the reference list beginning at `start` into entries; return (style, entries).
    Lines starting at an offset in `furniture` (running headers, page numbers) are no part of any entry."""
    furniture = furniture or set()
    lines = [(o, line) for o, line in _lines(text, start) if line.strip() and o not in furniture]
    if not lines:
        return "none", []
    numbered = [NUMBERED_ENTRY.match(line) for _, line in lines]
    if sum(m is not None for m in numbered) >= max(2, len(lines) // 3) or _numbered_from_first_line(numbered):
        return "numbered", _split_numbered(text, lines, numbered, furniture)
    return "author-year", _split_author_year(text, lines, furniture)


def _numbered_from_first_line(matches: list[re.Match | None]) -> bool:
    """A list whose first line is numbered and whose numbered lines mostly count up one by one
    (1, 2, 3 ...) is numbered however many lines each entry wraps over (a narrow column)."""
    if not matches or matches[0] is None:
        return False
    numbers = [int(m.group(1) or m.group(2)) for m in matches if m]
    in_sequence, expected = 0, numbers[0]
    for n in numbers:
        if n == expected:
            in_sequence += 1
            expected += 1
    return in_sequence >= 3 and in_sequence >= 0.8 * len(numbers)


def _entry(
    text: str, first: int, last_offset: int, last_line: str, number: int | None, *, furniture: set[int]
) -> ReferenceEntry:
    end = last_offset + len(last_line)
    raw = [line for o, line in _lines(text[:end], first) if o not in furniture]
    clean = strip_markup(" ".join(strip_markup(BULLET.sub("", line)) for line in raw))
    if number is not None:
        clean = NUMBERED_ENTRY.sub("", clean, count=1)
    return ReferenceEntry(clean.strip(), first, end, number)


def _split_numbered(text, lines, matches, furniture) -> list[ReferenceEntry]:
    entries, current, expected = [], None, None
    for (offset, line), m in zip(lines, matches, strict=True):
        number = int(m.group(1) or m.group(2)) if m else None
        # a new entry only where the next number in sequence starts a line
        if number is not None and (expected is None or number == expected):
            if current:
                entries.append(_entry(text, *current, furniture=furniture))
            current = [offset, offset, line, number]
            expected = number + 1
        elif current:
            current[1], current[2] = offset, line
    if current:
        entries.append(_entry(text, *current, furniture=furniture))
    return entries


def _split_author_year(text, lines, furniture) -> list[ReferenceEntry]:
    bulleted = sum(bool(BULLET.match(line)) for _, line in lines) >= len(lines) // 2
    lengths = sorted(len(line.rstrip()) for _, line in lines)
    full_width = 0.7 * lengths[int(0.9 * (len(lengths) - 1))]  # a line wrapped at the column's edge
    entries, current = [], None
    for n, (offset, line) in enumerate(lines):
        plain = strip_markup(BULLET.sub("", line))
        if bulleted:
            starts = bool(BULLET.match(line))
        else:
            previous = current[2].rstrip() if current else ""
            # a wrapped line continues an entry that has not ended (ends in "," "&" "-" ...)
            open_end = previous.endswith((",", "&", "-", "–", ":", "and", "(", "of", "the", "in"))
            # a full line that stops on a word was wrapped: after a lowercase word ("chez les") the
            # entry goes on; after a capitalised one ("Futreal" / "PA, Stratton MR.", "Annales des
            # Sciences" / "Naturelles, Zoologie") too, unless the next line opens with a person's name
            last_word = previous.split()[-1] if previous.split() else ""
            if len(previous) >= full_width and last_word.isalpha():
                open_end = open_end or last_word.islower() or not PERSON_START.match(plain)
            # a corporate author ("Statistical Office of Lisbon (2016).", "R Core Team. 2012.") after a
            # finished entry, which ends with a full stop, a bracket or a DOI
            finished = previous.endswith((".", ")", ">")) or bool(re.search(r"\b10\.\d{4,}/\S+$", previous))
            corporate = finished and bool(
                re.match(r"^[A-Z][^()]{1,100}\((?:1[89]|20)\d\d[a-z]?\)", plain) or CORPORATE_START.match(plain)
            )
            named = bool(NAME_START.match(plain))
            if named and not PERSON_START.match(plain):
                # "Palaeogeography, Palaeoclimatology, Palaeoecology 350:124." reads like "Harvey, David"
                # but an entry that opens with written-out names has its year close by
                named = bool(LONE_YEAR.search(plain + " " + (lines[n + 1][1] if n + 1 < len(lines) else "")))
            starts = current is None or ((named or corporate) and not open_end)
        if starts or current is None:
            if current:
                entries.append(_entry(text, *current, furniture=furniture))
            current = [offset, offset, line, None]
        else:
            current[1], current[2] = offset, line
    if current:
        entries.append(_entry(text, *current, furniture=furniture))
    return entries


def find_sections(body: str) -> list[Section]:
    sections = []
    for m in re.finditer(r"^.*$", body, re.MULTILINE):
        line = m.group().strip()
        if not line or len(line) > 200:
            continue
        md = MARKDOWN_HEADING.match(line)
        num = NUMBERED_HEADING.match(line)
        bullet = BULLET_HEADING.match(line)
        if md:
            title = strip_markup(md.group(2))
            # "Author for Correspondence" and the like are not sections of the argument
            if title and not re.search(r"correspond|^abstract$", title, re.I):
                sections.append(Section(title, m.start(), max(1, len(md.group(1)) - 1)))  # "#"/"##" top
        elif num and not line.rstrip().endswith((".", ",", ";")) and len(line.split()) <= 12:
            sections.append(Section(strip_markup(line), m.start(), 1 if "." not in num.group(1).rstrip(".") else 2))
        elif bullet:
            sections.append(Section(strip_markup(bullet.group(1) or bullet.group(2)), m.start(), 3))
    return _nest_repeated(sections)


def _nest_repeated(sections: list[Section]) -> list[Section]:
    """A heading that recurs ("Legacy Characteristics" under each legacy) is a sub-section of
    the heading before it, whatever its markup level says."""
    counts: dict[str, int] = {}
    for s in sections:
        counts[s.title.lower()] = counts.get(s.title.lower(), 0) + 1
    out: list[Section] = []
    parent_level = 0  # level of the nearest heading that does not recur
    for s in sections:
        if counts[s.title.lower()] > 1 and parent_level:
            s = Section(s.title, s.start, max(s.level, parent_level + 1))
        else:
            parent_level = s.level
        out.append(s)
    return out


# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|cf|vs|etc|pp?|vol|no|fig|figs|eq|ch|sec|ed|eds|dr|mr|mrs|ms|prof|st|jr|inc|ltd|co|"
    r"approx|ca|resp|viz|ibid|op|cit)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)


def split_sentences(body: str, sections: list[Section]) -> list[tuple[int, int]]:
    """Sentence spans over the body: a full stop, ? or ! followed by space and a capital,
    a quote or a bracket ends one; so does a heading line or a blank line after a complete
    sentence. A blank line inside a sentence (a page break) does not end it."""
    heading_lines = {s.start for s in sections}
    breaks = set()
    for m in re.finditer(r"[.!?][\"”’)\]*_]*(?=\s+[\"“‘(\[A-Z0-9•*_-])", body):
        before = body[max(0, m.start() - 12) : m.start() + 1]
        if _NO_BREAK.search(before):
            continue
        breaks.add(m.end())
    for m in re.finditer(r"\n\s*\n", body):
        before = body[: m.start()].rstrip()
        if before.endswith((".", "!", "?", ":", "”", '"', ")", "]")) or not before:
            breaks.add(m.start())
    for m in re.finditer(r"^.*$", body, re.MULTILINE):
        line = m.group()
        # a heading, a list item, a table row or a figure caption is a unit of its own
        if m.start() in heading_lines or re.match(r"\s*(?:[-•]\s|\d+\.\s|Fig\.|Table\s|\|)", line) or "\t" in line:
            breaks.add(m.start())
            breaks.add(m.end())
    cuts = sorted(b for b in breaks if 0 < b < len(body))
    spans, start = [], 0
    for cut in cuts + [len(body)]:
        a, b = _trim(body, start, cut)
        if b > a:
            spans.append((a, b))
        start = cut
    return spans


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
