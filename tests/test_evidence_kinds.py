"""Evidence without a full text (issue 19 item 7): a paraphrase, marked as one.

A quote field written `{paraphrase: ..., page: ...}` loads as a ukg:Paraphrase with no
oa:exact; a quote that says it is a paraphrase is refused at its line; verify-quotes neither
checks nor counts a paraphrase; the pages show it as a paraphrase with its page, never as a
quote. Real gate (loader, shapes), real store on disk, real HTTP for the page.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.loaders.annotation_yaml import parse
from urbankg.quotes import check_quotes
from urbankg.server.app import create_app

DATA = Path(__file__).resolve().parent / "data" / "annotations"
UKG = Namespace(config.ONTOLOGY_NS)
OA = Namespace("http://www.w3.org/ns/oa#")
PARAPHRASED = """\
paper: work/other-2020
claims:
  - id: claim/paraphrased
    statement: The town's workshops moved online after 2015.
    asserted_by: paper
    evidence:
      - paraphrase: "Most workshops opened online shops after 2015."
        page: "12"
      - "A quoted sentence of the paper."
"""
UNMARKED = """\
paper: work/other-2020
claims:
  - id: claim/unmarked
    statement: The town's workshops moved online after 2015.
    asserted_by: paper
    evidence:
      - "[paraphrase] Most workshops opened online shops after 2015."
"""


@pytest.fixture
def kg(tmp_path):
    graph = KnowledgeGraph.open(tmp_path / "store")
    graph.load([DATA / "known.yaml", DATA / "good" / "work.yaml"])
    yield graph
    graph.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_paraphrase_loads_marked_and_is_no_quote(kg, tmp_path):
    path = write(tmp_path, "paraphrased.yaml", PARAPHRASED)
    assert kg.validate([path]) == []
    graph: Graph = parse(path, "test").graph
    claim = URIRef(config.ID_BASE + "claim/paraphrased")
    evidence = list(graph.objects(claim, UKG.evidence))
    paraphrases = [e for e in evidence if (e, RDF.type, UKG.Paraphrase) in graph]
    quotes = [e for e in evidence if (e, RDF.type, OA.TextQuoteSelector) in graph]
    assert len(paraphrases) == 1 and len(quotes) == 1
    (paraphrase,) = paraphrases
    assert (paraphrase, RDF.type, OA.TextQuoteSelector) not in graph
    assert graph.value(paraphrase, OA.exact) is None
    assert graph.value(paraphrase, UKG.paraphrase) == Literal("Most workshops opened online shops after 2015.")
    assert graph.value(paraphrase, UKG.page) == Literal("12")
    assert str(graph.value(paraphrase, URIRef("http://purl.org/dc/terms/source"))).endswith("work/other-2020")


def test_a_quote_that_says_it_is_a_paraphrase_is_refused_at_its_line(kg, tmp_path):
    found = kg.validate([write(tmp_path, "unmarked.yaml", UNMARKED)])
    assert [(p.line, p.severity) for p in found] == [(7, "error")], found
    assert "This quote says it is a paraphrase" in found[0].message
    assert "paraphrase: " in found[0].message  # says how to mark it


def test_an_unmarked_paraphrase_in_rdf_is_refused(kg, tmp_path):
    path = write(
        tmp_path,
        "unmarked.ttl",
        f"""@prefix ukg: <{config.ONTOLOGY_NS}> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{config.ID_BASE}claim/x/evidence-1> ukg:paraphrase "Most workshops opened online shops." ;
    dcterms:source <{config.ID_BASE}work/other-2020> .
""",
    )
    found = kg.validate([path])
    assert any("A paraphrase must be marked as one" in p.message for p in found), found


def test_a_paraphrase_with_exact_words_too_is_refused(kg, tmp_path):
    text = PARAPHRASED.replace('        page: "12"\n', '        page: "12"\n        text: "Most workshops."\n')
    found = kg.validate([write(tmp_path, "both.yaml", text)])
    assert found and all(p.line == 9 for p in found), found


def test_verify_quotes_neither_checks_nor_counts_a_paraphrase(kg, tmp_path):
    kg.load([write(tmp_path, "paraphrased.yaml", PARAPHRASED)])
    fulltext = write(tmp_path, "other.txt", "Nothing here but A quoted sentence of the paper.")
    checks = check_quotes(kg, {config.ID_BASE + "work/other-2020": fulltext})
    exacts = [c.exact for c in checks if c.quote.startswith(config.ID_BASE + "claim/paraphrased")]
    assert exacts == ["A quoted sentence of the paper."]
    assert all(c.found for c in checks if c.exact == "A quoted sentence of the paper.")


def test_the_page_shows_a_paraphrase_as_one_with_its_page(kg, tmp_path):
    kg.load([write(tmp_path, "paraphrased.yaml", PARAPHRASED)])
    with served(create_app(kg)) as url, urllib.request.urlopen(url + "/id/claim/paraphrased/evidence-1") as response:
        page = response.read().decode("utf-8")
    assert "Paraphrase" in page and "paraphrase" in page and ">12<" in page
    assert "Most workshops opened online shops after 2015." in page
    assert "Text quote selector" not in page and "oa:exact" not in page
