"""Checking that every quote in the graph really occurs in its source's full text.

Paraphrases (evidence in the annotator's words, ukg:Paraphrase) are not quotes: they are
neither checked nor counted.

A quote matches when it occurs in the text after both are normalised: Unicode
compatibility forms folded (ligatures, full-width signs), words split by a line-break
hyphen joined again, and every run of whitespace made one space. Nothing looser:
a quote that differs by a word is reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from urbankg import config

# A paraphrase (ukg:Paraphrase) has no oa:exact; one written by hand with oa:exact is still
# the annotator's words, never checked or counted as a quote.
QUOTES_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ukg: <https://w3id.org/urbankg/ontology#>
SELECT DISTINCT ?quote ?exact ?source WHERE {
  ?quote oa:exact ?exact .
  FILTER NOT EXISTS { ?quote a ukg:Paraphrase }
  OPTIONAL { ?quote dcterms:source ?source }
}
"""

# Typographic variants that PDF-to-text conversions produce for the same character.
EQUIVALENT_CHARACTERS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00ad": ""}
)


@dataclass(frozen=True)
class QuoteCheck:
    quote: str  # IRI of the quote node
    source: str  # IRI of the work it is attributed to
    exact: str
    found: bool | None  # None: no full text given for its source


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(EQUIVALENT_CHARACTERS)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)  # "trans-\nformation" -> "transformation"
    return " ".join(text.split())


def work_iri(paper_id: str) -> str:
    """`lin-2019`, `work/lin-2019` or a full IRI -> the work's IRI."""
    if "://" in paper_id:
        return paper_id
    return config.ID_BASE + (paper_id if paper_id.startswith("work/") else f"work/{paper_id}")


def check_quotes(kg, texts: dict[str, Path]) -> list[QuoteCheck]:
    """Check every quote of the graph against the full texts given per work IRI."""
    normalised = {iri: normalise(path.read_text(encoding="utf-8")) for iri, path in texts.items()}
    # A hyphen at a line end may be a soft break ("trans-formation") or a real one
    # ("e-commerce"): failing an exact match, compare with every hyphen dropped.
    unhyphenated = {iri: text.replace("-", "") for iri, text in normalised.items()}
    checks = []
    for row in kg.query(QUOTES_QUERY):
        source = row["source"].value if row["source"] is not None else ""
        exact = row["exact"].value
        if source not in normalised:
            checks.append(QuoteCheck(row["quote"].value, source, exact, None))
            continue
        needle = normalise(exact)
        found = needle in normalised[source] or needle.replace("-", "") in unhyphenated[source]
        checks.append(QuoteCheck(row["quote"].value, source, exact, found))
    return sorted(checks, key=lambda c: (c.source, c.quote))
