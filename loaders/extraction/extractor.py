"""From a paper's full text to an extraction: parsed references, resolved citations, suggestions.

    extraction = extract(Path("paper.pdf"), paper="work/lin-2019")

The steps, each in its own module: fulltext (text, reference list, sentences),
reference_parser (CRF fields), citation_finder (in-text citations and their entries),
concept_linker (concepts and intent). draft_writer turns the result into YAML.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from urbankg.loaders.extraction.citation_finder import Citation, entry_keys, find_citations, known_families, resolve
from urbankg.loaders.extraction.concept_linker import (
    ConceptLinker,
    IntentSuggester,
    IntentSuggestion,
    Suggestion,
    default_intent_suggester,
)
from urbankg.loaders.extraction.fulltext import Document, ReferenceEntry, analyse
from urbankg.loaders.extraction.reference_parser import ParsedReference, ReferenceParser, ascii_key, default_parser

# Concepts scoring at least this are written into the draft's `concepts:`; the next few
# are listed in a comment. Chosen so that a suggestion needs a label's words in the sentence.
CONCEPT_THRESHOLD = 0.5
CONCEPTS_WRITTEN = 3
CONCEPTS_LISTED = 5


def written_concepts(suggestions: list[Suggestion]) -> list[Suggestion]:
    """The suggestions the draft writes into `concepts:` (the others go into comments)."""
    return [s for s in suggestions if s.score >= CONCEPT_THRESHOLD][:CONCEPTS_WRITTEN]


# A long document: show progress bars.
LONG = 30


@dataclass
class ExtractedReference:
    entry: ReferenceEntry
    parsed: ParsedReference
    key: str  # the work's slug: "harvey-1973", "lin-2011a"
    work_type: str  # a name of the mapping's work_type vocabulary


@dataclass
class ExtractedCitation:
    citation: Citation
    number: int  # 1-based, in text order
    sentence: str  # whitespace collapsed, as in the paper
    section: str  # the headings it stands under: "2. Theoretical background / 2.1. ..."
    section_context: str  # the same titles, for concept matching
    line: int  # line of the citation in the source text
    concepts: list[Suggestion] = field(default_factory=list)
    intent: IntentSuggestion | None = None


@dataclass
class Extraction:
    source: Path
    paper: str  # "work/lin-2019"
    document: Document
    references: list[ExtractedReference]
    citations: list[ExtractedCitation]

    @property
    def paper_slug(self) -> str:
        return self.paper.split("/", 1)[1] if "/" in self.paper else self.paper


def default_paper_id(path: Path) -> str:
    """A placeholder id from the file name; the scholar renames it (work/<author>-<year>)."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "paper"
    return f"work/{slug}"


def work_slug(parsed: ParsedReference) -> str:
    """`<first author family>-<year>`, lowercase ascii: 'De Meulder' 2014 -> 'de-meulder-2014'."""
    # With no author recognised, the entry's first word stands in ("UNCTAD").
    family = parsed.authors[0].family if parsed.authors else re.split(r"[\s,.(]", parsed.text.strip(), maxsplit=1)[0]
    words = [ascii_key(w) for w in re.split(r"[\s\-]+", family)]
    name = "-".join(w for w in words if w) or "anonymous"
    return f"{name[:40]}-{parsed.year if parsed.year else 'nd'}"


def work_type(parsed: ParsedReference) -> str:
    f = parsed.fields
    title = (f.get("title", "") + " " + parsed.text).lower()
    if f.get("container") and (f.get("volume") or f.get("issue") or f.get("pages")) and not f.get("publisher"):
        return "JournalArticle"
    if re.search(r"\b(eds?\.|editors?|in:)\s", parsed.text, re.I) or (f.get("container") and f.get("publisher")):
        return "BookChapter"
    if re.search(r"\b(report|working paper|paper no)\b", title):
        return "Report"
    if re.search(r"\b(thesis|dissertation)\b", title):
        return "Thesis"
    if re.search(r"\b(conference|proceedings|symposium)\b", title):
        return "ConferencePaper"
    if f.get("publisher") and not f.get("container"):
        return "Book"
    if f.get("url") and not f.get("container"):
        return "WebPage"
    if f.get("container"):
        return "JournalArticle"
    return "Work"


def _keys(parsed: list[ParsedReference]) -> list[str]:
    """Work slugs, with a/b/c where two entries would share one (in list order)."""
    base = [work_slug(p) for p in parsed]
    counts: dict[str, int] = {}
    for b in base:
        counts[b] = counts.get(b, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for p, b in zip(parsed, base, strict=True):
        if counts[b] > 1:
            if p.year_suffix:
                out.append(b + p.year_suffix)
            else:
                out.append(b + "abcdefghijklmnopqrstuvwxyz"[seen.get(b, 0)])
            seen[b] = seen.get(b, 0) + 1
        else:
            out.append(b)
    return out


def extract(
    path: Path | str,
    paper: str | None = None,
    *,
    parser: ReferenceParser | None = None,
    linker: ConceptLinker | None = None,
    intents: IntentSuggester | None = None,
    progress: bool = True,
    text: str | None = None,
) -> Extraction:
    """Run every step on one paper. `linker=None` loads the bundled ontology's concepts;
    when the ontology is missing, no concepts are suggested (the draft says so)."""
    path = Path(path)
    doc = analyse(path, text=text, progress=progress)
    parser = parser or default_parser()
    if linker is None:
        try:
            linker = ConceptLinker.from_ontology()
        except FileNotFoundError:
            linker = ConceptLinker([])
    intents = intents or default_intent_suggester()

    def bar(items, desc, unit):  # progress on standard error, for long documents only
        return tqdm(items, desc=desc, unit=unit, file=sys.stderr, disable=not progress or len(items) < LONG)

    parsed = [parser.parse(e.text) for e in bar(doc.entries, "parsing references", "ref")]
    keys = _keys(parsed)
    references = [ExtractedReference(e, p, k, work_type(p)) for e, p, k in zip(doc.entries, parsed, keys, strict=True)]

    citations = find_citations(doc, known_families(parsed))
    resolve(citations, entry_keys(parsed, [e.number for e in doc.entries]))

    out = []
    for n, c in enumerate(bar(citations, "linking citations", "citation"), 1):
        a, b = doc.sentence_at(c.start)
        if b <= a:
            a, b = c.start, c.end
        headings = " / ".join(s.title for s in doc.section_path(c.start))
        sentence = " ".join(doc.text[a:b].split())
        item = ExtractedCitation(c, n, sentence, headings, headings, doc.line_of(c.start))
        before = doc.sentence_before(c.start)
        previous = doc.text[before[0] : before[1]] if before else ""
        after = doc.sentence_after(c.start)
        following = doc.text[after[0] : after[1]] if after else ""
        item.concepts = linker.suggest(
            sentence, item.section_context, limit=CONCEPTS_LISTED, previous=previous, next=following
        )
        item.intent = intents.suggest(sentence, max(0, c.start - a))
        out.append(item)
    return Extraction(path, paper or default_paper_id(path), doc, references, out)
