"""`urbankg extract PAPER.txt|PAPER.pdf -o draft.yaml`: a draft annotation from a paper's full text.

The lead registers the command object in urbankg/cli.py (`main.add_command(extract)`);
it also runs on its own: `python -m urbankg.loaders.extraction.fulltext_cli PAPER.txt -o draft.yaml`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from urbankg.errors import SourceError


@click.command("extract")
@click.argument("paper_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the draft YAML (default: standard output).",
)
@click.option(
    "--paper", "paper_id", metavar="ID", help="Id of the paper, e.g. work/lin-2019 (default: made from the file name)."
)
@click.option(
    "--ontology",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Turtle file with the skos:Concepts to suggest (default: the bundled ontology).",
)
@click.option("--progress/--no-progress", default=True, help="Progress bars on standard error.")
def extract(paper_file: Path, output: Path | None, paper_id: str | None, ontology: Path | None, progress: bool) -> None:
    """Read PAPER_FILE (.txt or .pdf) and write a draft annotation: its reference list parsed into
    works and references, every in-text citation resolved to its entries, with suggested
    concepts and intent. Unresolved citations are listed at the top of the draft."""
    from urbankg.loaders.extraction.concept_linker import ConceptLinker
    from urbankg.loaders.extraction.draft_writer import render
    from urbankg.loaders.extraction.extractor import extract as run

    if paper_id is not None:
        paper_id = paper_id if paper_id.startswith("work/") else f"work/{paper_id}"
        if not re.fullmatch(r"work/[a-z0-9][a-z0-9-]*", paper_id):
            raise click.BadParameter(
                f"'{paper_id}': write the id as work/<author>-<year>, lowercase, e.g. work/lin-2019",
                param_hint="--paper",
            )
    try:
        linker = ConceptLinker.from_ontology(ontology) if ontology else None
        result = run(paper_file, paper_id, linker=linker, progress=progress)
    except SourceError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except FileNotFoundError as e:  # the parser model or the ontology is missing
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    text = render(result)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    problems = sum(1 for c in result.citations for w in c.citation.works if w.status != "resolved")
    click.echo(
        f"{paper_file.name}: {len(result.references)} references, {len(result.citations)} citations, "
        f"{problems} to review" + (f" -> {output}" if output else ""),
        err=True,
    )


if __name__ == "__main__":
    extract()
