"""Adding a paper: from its full text (PDF or text) and its record to a draft in the
corpus's format, checked against the graph. The command line (`urbankg add`) and the web
intake (/papers/new) both use it.

:func:`prepare` reads the record from a bibliography file (any format a loader reads),
reports a paper the graph holds already (the same DOI, or title, year and author, as
identity matching judges it), gives the paper and each cited work an id the graph does not
use for another work, points cited works the graph holds at their ids, and runs the
extractor. :func:`write_folder` writes the draft as a folder: ``<slug>.yaml`` (the record)
and ``<slug>-citations.yaml`` (references and citations), the form of corpus/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from urbankg import config
from urbankg.errors import SourceError, UrbankgError
from urbankg.identity.lookup import WorkLookup
from urbankg.identity.matching import WorkRecord, fold
from urbankg.store import Store

FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Author:
    family: str
    given: str = ""

    @property
    def slug(self) -> str:
        initials = "".join(part[0] for part in fold(self.given).split())
        return re.sub(r"[^a-z0-9]+", "-", fold(self.family)).strip("-") + (f"-{initials}" if initials else "")


def authors_from_lines(lines: str) -> list[Author]:
    """Authors typed one a line as 'family, given' (the upload form's and the review's record)."""
    authors = []
    for line in lines.splitlines():
        family, _, given = line.partition(",")
        if family.strip():
            authors.append(Author(family.strip(), given.strip()))
    return authors


@dataclass
class Metadata:
    title: str = ""
    year: int | None = None
    authors: list[Author] = field(default_factory=list)
    doi: str | None = None
    venue: str | None = None
    work_type: str = "JournalArticle"


def read_metadata(path: Path) -> Metadata:
    """The first work a bibliography file describes (any format urbankg loads bibliographies from)."""
    from urbankg.loaders import load_file

    graph = load_file(path).graph
    works = sorted({s for s in graph.subjects(DCTERMS.title, None) if "/work/" in str(s)}, key=str)
    if not works:
        raise SourceError.single(
            path, None, "no work with a title in this file: export the paper's record with its title"
        )
    work = works[0]
    authors = []
    for person in graph.objects(work, DCTERMS.creator):
        family = graph.value(person, FOAF.familyName) or graph.value(person, FOAF.name)
        authors.append(Author(str(family or ""), str(graph.value(person, FOAF.givenName) or "")))
    # RDF keeps no author order: the order the file writes the names in is the printed one.
    text = path.read_text(encoding="utf-8", errors="replace")
    authors.sort(key=lambda a: (text.find(a.family) if a.family in text else len(text), a.given))
    year = graph.value(work, FABIO.hasPublicationYear)
    venue = graph.value(work, FRBR.partOf)
    doi = graph.value(work, PRISM.doi)
    return Metadata(
        title=str(graph.value(work, DCTERMS.title)),
        year=int(str(year)[:4]) if year is not None else None,
        authors=authors,
        doi=str(doi) if doi else None,
        venue=str(graph.value(venue, DCTERMS.title)) if isinstance(venue, URIRef) else None,
        work_type=_work_type(graph, work),
    )


def _work_type(graph: Graph, work) -> str:
    names = {
        str(t).rsplit("/", 1)[-1]
        for t in graph.objects(work, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))
    }
    for name in ("JournalArticle", "BookChapter", "Book", "ConferencePaper", "Report", "Thesis", "WebPage"):
        if name in names:
            return name
    return "JournalArticle"


def default_slug(meta: Metadata, paper: Path) -> str:
    if meta.authors and meta.year:
        return f"{Author(meta.authors[0].family).slug}-{meta.year}"
    return re.sub(r"[^a-z0-9]+", "-", fold(paper.stem)).strip("-") or "paper"


def paper_yaml(slug: str, meta: Metadata, source: str) -> str:
    from urbankg.loaders.extraction.draft_writer import q

    lines = [
        f"# The record of work/{slug}, written by `urbankg add` from {source}. Check every field;",
        "# the reference list and citations are in the -citations.yaml file beside this one.",
        "",
        f"paper: work/{slug}",
        "",
        "papers:",
        f"  - id: work/{slug}",
        f"    type: {meta.work_type}",
        f"    title: {q(meta.title)}",
    ]
    if meta.authors:
        lines.append("    authors: [" + ", ".join(f"person/{a.slug}" for a in meta.authors) + "]")
    if meta.year:
        lines.append(f"    year: {meta.year}")
    if meta.doi:
        lines.append(f"    doi: {q(meta.doi)}")
    venue_slug = re.sub(r"[^a-z0-9]+", "-", fold(meta.venue)).strip("-") if meta.venue else ""
    if venue_slug:
        lines.append(f"    venue: venue/{venue_slug}")
    if meta.authors:
        lines += ["", "people:"]
        for a in meta.authors:
            name = f"{a.given} {a.family}".strip()
            lines += [f"  - id: person/{a.slug}", f"    name: {q(name)}", f"    family_name: {q(a.family)}"]
            if a.given:
                lines.append(f"    given_name: {q(a.given)}")
    if venue_slug:
        lines += ["", "venues:", f"  - id: venue/{venue_slug}", f"    title: {q(meta.venue or '')}"]
    return "\n".join(lines) + "\n"


def link_cited_works(result, lookup: WorkLookup) -> int:
    """Point the draft's cited works at the graph's: a work the graph holds (the same DOI, or
    title, year and author) keeps its id there; a key that names another work is made unique,
    as a load would otherwise refuse it. The number of works found in the graph."""
    found = 0
    keys = {r.key for r in result.references}
    for reference in result.references:
        parsed = reference.parsed
        title = parsed.fields.get("title", "")
        if not title:
            continue
        iri = config.ID_BASE + f"work/{reference.key}"
        record = WorkRecord(iri, title, parsed.year, tuple(a.family for a in parsed.authors), parsed.fields.get("doi"))
        same = [o for o, m in lookup.similar(record) if m.verdict == "same"]
        if same and same[0].iri.startswith(config.ID_BASE + "work/"):
            existing = same[0].iri.removeprefix(config.ID_BASE + "work/")
            if existing == reference.key or existing not in keys:
                keys.discard(reference.key)
                reference.key = existing
                keys.add(existing)
                found += 1
                continue
        if lookup.store_work(iri) is not None:
            fresh = _free_key(lookup, reference.key, title, keys)
            keys.discard(reference.key)
            reference.key = fresh
            keys.add(fresh)
    return found


class AlreadyInGraph(UrbankgError):
    """The paper is in the graph already: nothing to add."""

    def __init__(self, iri: str, title: str, evidence: str):
        self.iri = iri
        super().__init__(
            f"this paper is in the graph already as {iri.removeprefix(config.ID_BASE)} ('{title}'; {evidence}): "
            "nothing written. Annotate that work, or give the paper's own record if it is another one."
        )


@dataclass
class Draft:
    slug: str
    record: str  # <slug>.yaml
    citations: str  # <slug>-citations.yaml
    references: int
    found_citations: int
    unresolved: int
    linked: int  # cited works the graph holds
    notes: list[str] = field(default_factory=list)
    full_text: str = ""  # the paper's text as the extractor read it (from a PDF: its text layer)


def prepare(
    paper: Path,
    store: Store,
    *,
    metadata: Path | None = None,
    typed: Metadata | None = None,
    slug: str | None = None,
    progress: bool = False,
    stage: Callable[[str], None] = lambda _: None,
) -> Draft:
    """The draft of ``paper``; raises AlreadyInGraph, SourceError (metadata, paper) or
    UrbankgError (an id that cannot be one). ``typed``: the record typed in a form, used
    when no record file is given. ``stage`` hears what is being done."""
    from urbankg.loaders.extraction.concept_linker import ConceptLinker
    from urbankg.loaders.extraction.draft_writer import render
    from urbankg.loaders.extraction.extractor import extract

    stage("reading the record")
    # a record file wins over what was typed: it is what the reference manager holds
    meta = read_metadata(metadata) if metadata else (typed or Metadata())
    slug = slug.removeprefix("work/") if slug else default_slug(meta, paper)
    if not SLUG.match(slug):
        raise UrbankgError(f"'{slug}' cannot be an id: write it as <author>-<year>, lowercase, e.g. lin-2019")
    lookup = WorkLookup(store)
    notes = []
    if meta.title:
        record = WorkRecord(
            config.ID_BASE + f"work/{slug}", meta.title, meta.year, tuple(a.family for a in meta.authors), meta.doi
        )
        same = [(o, m) for o, m in lookup.similar(record) if m.verdict == "same"]
        if same:
            raise AlreadyInGraph(same[0][0].iri, same[0][0].title, same[0][1].evidence)
        if lookup.store_work(record.iri) is not None:  # the id names another work: a load would refuse it
            taken = slug
            slug = _free_key(lookup, taken, meta.title, set())
            notes.append(f"work/{taken} names another work in the graph: this paper is work/{slug}")
    stage("reading the paper and its references")
    result = extract(paper, f"work/{slug}", progress=progress, linker=ConceptLinker.from_store(store))
    stage("finding the cited works in the graph")
    linked = link_cited_works(result, lookup)
    if linked:
        notes.append(f"{linked} cited work(s) are in the graph already: the draft points at them")
    if not meta.title:
        meta.title = "TODO: the paper's title"
    unresolved = sum(1 for c in result.citations for w in c.citation.works if w.status != "resolved")
    source = metadata.name if metadata else ("the record typed at upload" if typed else "no metadata: fill it in")
    return Draft(
        slug,
        paper_yaml(slug, meta, source),
        render(result),
        len(result.references),
        len(result.citations),
        unresolved,
        linked,
        notes,
        result.document.text,
    )


def write_folder(draft: Draft, folder: Path) -> tuple[Path, Path]:
    """The draft's two files in ``folder`` (created); refuses a folder with other files in it."""
    record_file = folder / f"{draft.slug}.yaml"
    citations_file = folder / f"{draft.slug}-citations.yaml"
    if folder.exists() and any(p not in (record_file, citations_file) for p in folder.iterdir() if p.suffix == ".yaml"):
        raise UrbankgError(f"{folder} holds other annotation files: choose another folder")
    folder.mkdir(parents=True, exist_ok=True)
    record_file.write_text(draft.record, encoding="utf-8")
    citations_file.write_text(draft.citations, encoding="utf-8")
    return record_file, citations_file


def _free_key(lookup: WorkLookup, key: str, title: str, taken: set[str]) -> str:
    """``key`` with a word of the title (or a number) added, naming no work of the graph."""
    words = [w for w in fold(title).split() if len(w) > 3] or ["work"]
    return next(
        f"{key}-{w}"
        for w in [*words, *(str(n) for n in range(2, 1000))]
        if f"{key}-{w}" not in taken and lookup.store_work(config.ID_BASE + f"work/{key}-{w}") is None
    )
