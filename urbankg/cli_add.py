"""`urbankg add PAPER.pdf|.txt [--metadata FILE] [--id SLUG]`: a new paper as a draft folder.

The command-line road of the intake (urbankg.intake, which the web's /papers/new uses too):
the paper's record and the extractor's draft of its references and citations, written as a
folder in the format of corpus/, to review, `urbankg validate` and `urbankg load`. A paper
the graph holds already is reported, and nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from urbankg.errors import SourceError, UrbankgError


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
    from urbankg.cli import _fail
    from urbankg.intake import prepare, write_folder

    try:
        draft = prepare(paper, obj.reader().store, metadata=metadata, slug=slug, progress=progress)
        folder = output or Path(draft.slug)
        record_file, citations_file = write_folder(draft, folder)
    except (SourceError, UrbankgError) as error:
        _fail(error)
        sys.exit(1)  # _fail exits; said for the type checker
    for note in draft.notes:
        click.echo(note, err=True)
    click.echo(f"wrote {record_file} and {citations_file}", err=True)
    review = (
        f"{draft.unresolved} citation(s) not resolved to one entry (listed at the top of {citations_file.name}), "
        if draft.unresolved
        else ""
    )
    click.echo(
        f"{draft.references} references, {draft.found_citations} citations; review {review}"
        "the record, and the suggested intents and concepts (they count once moved into intent: and "
        "concepts:; docs/adding-a-paper.md); then: "
        f"urbankg validate {folder} && urbankg load {folder}",
        err=True,
    )
