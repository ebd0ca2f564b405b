"""`urbankg add PAPER.pdf|.txt [--metadata FILE] [--id SLUG]`: a new paper as a draft folder.

The command-line road of the guided intake (issue 18): the paper's record (from a metadata
file as reference managers export it, else a placeholder to fill) and the extractor's draft
of its reference list and citations, written as a folder in the format of corpus/ (one
folder per paper: <slug>.yaml, <slug>-citations.yaml), to review, `urbankg validate` and
`urbankg load`. A paper the graph holds already (the same DOI, or the same title, year and
author, as identity matching judges it) is reported, and nothing is written.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from rdflib import Graph, Namespace, URIRef

from urbankg import config
from urbankg.errors import SourceError, UrbankgError
from urbankg.identity.lookup import WorkLookup
from urbankg.identity.matching import WorkRecord, fold

DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
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
            words = [w for w in fold(title).split() if len(w) > 3] or ["work"]
            fresh = next(
                f"{reference.key}-{w}"
                for w in [*words, *(str(n) for n in range(2, 100))]
                if f"{reference.key}-{w}" not in keys
                and lookup.store_work(config.ID_BASE + f"work/{reference.key}-{w}") is None
            )
            keys.discard(reference.key)
            reference.key = fresh
            keys.add(fresh)
    return found


@click.command("add")
@click.argument("paper", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The paper's record as a reference manager exports it (BibTeX .bib, CSL-JSON .csl.json, RIS .ris).",
)
@click.option("--id", "slug", help="The paper's id without work/ (default: <first author>-<year>).")
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="The folder to write (default: ./SLUG)."
)
@click.option("--progress/--no-progress", default=True, help="Progress bars on standard error.")
@click.pass_obj
def add(obj, paper: Path, metadata: Path | None, slug: str | None, output: Path | None, progress: bool) -> None:
    """Write a draft folder for PAPER (.pdf or .txt): its record and its citations, to review."""
    from urbankg.loaders.extraction.draft_writer import render
    from urbankg.loaders.extraction.extractor import extract

    try:
        meta = read_metadata(metadata) if metadata else Metadata()
        slug = slug.removeprefix("work/") if slug else default_slug(meta, paper)
        if not SLUG.match(slug):
            raise click.BadParameter(
                f"'{slug}': write an id as <author>-<year>, lowercase, e.g. lin-2019", param_hint="--id"
            )
        if meta.title:
            lookup = WorkLookup(obj.reader().store)
            record = WorkRecord(
                config.ID_BASE + f"work/{slug}", meta.title, meta.year, tuple(a.family for a in meta.authors), meta.doi
            )
            same = [(o, m) for o, m in lookup.similar(record) if m.verdict == "same"]
            if same:
                other, match = same[0]
                click.echo(
                    f"error: this paper is in the graph already as {other.iri.removeprefix(config.ID_BASE)} "
                    f"('{other.title}'; {match.evidence}): nothing written. Annotate that work, or give the "
                    "paper's own record if it is another one.",
                    err=True,
                )
                sys.exit(1)
            if lookup.store_work(record.iri) is not None:  # the id names another work: a load would refuse it
                taken = slug
                words = [w for w in fold(meta.title).split() if len(w) > 3] or ["paper"]
                slug = next(
                    f"{taken}-{w}"
                    for w in [*words, *(str(n) for n in range(2, 100))]
                    if lookup.store_work(config.ID_BASE + f"work/{taken}-{w}") is None
                )
                click.echo(f"work/{taken} names another work in the graph: this paper is work/{slug}", err=True)
        folder = output or Path(slug)
        if folder.exists() and any(folder.iterdir()):
            raise UrbankgError(f"{folder} exists and is not empty: choose another folder with -o")
        result = extract(paper, f"work/{slug}", progress=progress)
        linked = link_cited_works(result, WorkLookup(obj.reader().store))
    except (SourceError, UrbankgError) as error:
        from urbankg.cli import _fail

        _fail(error)
        return
    if not meta.title:
        meta.title = "TODO: the paper's title"
    folder.mkdir(parents=True, exist_ok=True)
    record_file = folder / f"{slug}.yaml"
    draft_file = folder / f"{slug}-citations.yaml"
    record_file.write_text(paper_yaml(slug, meta, str(metadata or "no metadata: fill it in")), encoding="utf-8")
    draft_file.write_text(render(result), encoding="utf-8")
    unresolved = sum(1 for c in result.citations for w in c.citation.works if w.status != "resolved")
    click.echo(f"wrote {record_file} and {draft_file}", err=True)
    if linked:
        click.echo(f"{linked} cited work(s) are in the graph already: the draft points at them", err=True)
    click.echo(
        f"{len(result.references)} references, {len(result.citations)} citations; review "
        + (
            f"{unresolved} citation(s) not resolved to one entry (listed at the top of {draft_file.name}), "
            if unresolved
            else ""
        )
        + "the suggested concepts and intents, and the record; then: "
        f"urbankg validate {folder} && urbankg load {folder}",
        err=True,
    )
