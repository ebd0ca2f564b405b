"""Every id a file mentions must be described: in the file, the store, the other files of
the same load, or the ontology (issue 15, item 5). Through the real gate (KnowledgeGraph
over an Oxigraph store on disk, the bundled shapes and ontology)."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbankg.errors import SourceError
from urbankg.graph import KnowledgeGraph
from urbankg.loaders import load_file
from urbankg.oxigraph_store import OxigraphStore

ID = "https://w3id.org/urbankg/id/"
PAPER = """papers:
  - id: work/lin-2019
    type: JournalArticle
    title: "E-urbanism"
    authors: [person/lin-y]
    year: 2019
people:
  - id: person/lin-y
    name: Lin Yanliu
    family_name: Lin
    given_name: Yanliu
"""
CASE = """paper: {paper}
places:
  - id: place/hetang
    name: Hetang
cases:
  - id: case/hetang
    label: Hetang
    place: [place/hetang]
    studied_by: [{studied_by}]
    case_of: [concept/taobao-village]
    evidence: ["Hetang sells online."]
"""


@pytest.fixture
def kg(tmp_path):
    graph = KnowledgeGraph(OxigraphStore(tmp_path / "store"))
    yield graph
    graph.close()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(kg, *paths):
    return [p for p in kg.validate(list(paths)) if p.severity == "error"]


def test_a_work_nobody_describes_is_an_error_at_the_line_that_names_it(kg, tmp_path):
    case = write(tmp_path, "hetang.yaml", CASE.format(paper="work/nobody-1999", studied_by="work/nobody-1999"))
    found = errors(kg, case)
    # Mentioned twice: in studied_by (line 9) and as the paper of the file, the default
    # source of the quote (line 11): one problem at the first, naming the other.
    [problem] = found
    assert problem.line == 9
    assert "ukg:studiedBy: work/nobody-1999 is not a known fabio:Work" in problem.message
    assert "nothing in this file, the store or the other files of this load describes it" in problem.message
    # No work is known at all: the message says how to list them instead of guessing.
    assert "urbankg query 'SELECT DISTINCT ?id WHERE { ?id a/" in problem.message
    assert "<http://purl.org/spar/fabio/Work>" in problem.message
    assert problem.message.endswith("; also mentioned at line 11")
    with pytest.raises(SourceError):
        kg.load([case])
    assert kg.graphs() == []


def test_the_closest_known_id_of_the_expected_kind_is_suggested(kg, tmp_path):
    # work/lin-2019 is known (this file's paper, described in the store); the typo is near it,
    # and person/lin-y, as near in spelling, is not a work.
    kg.load([write(tmp_path, "lin-2019.yaml", PAPER)])
    case = write(tmp_path, "hetang.yaml", CASE.format(paper="work/lin-2019", studied_by="work/lin-2091"))
    [problem] = errors(kg, case)
    assert problem.line == 9
    assert problem.message.endswith("(did you mean work/lin-2019?)")


def test_an_id_described_in_the_store_or_in_another_file_of_the_load_is_known(kg, tmp_path):
    paper = write(tmp_path, "lin-2019.yaml", PAPER)
    case = write(tmp_path, "hetang.yaml", CASE.format(paper="work/lin-2019", studied_by="work/lin-2019"))
    assert errors(kg, case) != []  # alone, on an empty store
    assert errors(kg, paper, case) == []  # the other file of the same load describes it
    kg.load([paper])
    assert errors(kg, case) == []  # the store does
    kg.load([case])
    # The store holds the paper only in its own graph: reloading that graph with the
    # work gone leaves the case pointing at nothing, which the load refuses.
    write(tmp_path, "lin-2019.yaml", PAPER.replace("work/lin-2019", "work/lin-2020"))
    assert errors(kg, paper, case) != []


def test_a_concept_of_the_ontology_is_known_and_its_typo_is_corrected_from_the_ontology(kg, tmp_path):
    good = write(tmp_path, "good.yaml", CASE.format(paper="work/lin-2019", studied_by="work/lin-2019") + PAPER)
    assert errors(kg, good) == []  # concept/taobao-village: the ontology's, on an empty store
    typo = write(tmp_path, "typo.yaml", good.read_text().replace("concept/taobao-village", "concept/taobao-vilage"))
    [problem] = errors(kg, typo)
    assert problem.line == 10
    assert "`case_of:` names known concepts" in problem.message  # the shape's words, said once
    assert problem.message.endswith("did you mean concept/taobao-village?)")


@pytest.mark.parametrize(
    "kind",
    [
        "work",
        "person",
        "organisation",
        "concept",
        "place",
        "case",
        "claim",
        "framework",
        "measure",
        "stakeholder",
        "reference",
        "citation",
        "observation",
    ],
)
def test_every_kind_of_id_is_checked(kg, tmp_path, kind):
    # A predicate with no range and a subject outside the id base: only the reference check speaks.
    path = write(
        tmp_path,
        "note.ttl",
        f"@prefix ex: <https://example.org/> .\n\nex:note ex:mentions <{ID}{kind}/nobody-here> .\n",
    )
    [problem] = errors(kg, path)
    assert problem.line == 3
    assert f"ex:mentions: {kind}/nobody-here is not a known id" in problem.message
    assert f'STRSTARTS(STR(?id), "{ID}{kind}/")' in problem.message


def test_external_iris_blank_nodes_and_classes_are_not_ids(kg, tmp_path):
    path = write(
        tmp_path,
        "external.ttl",
        "@prefix ex: <https://example.org/> .\n"
        "ex:note ex:mentions <http://www.wikidata.org/entity/Q16572> , "
        "[ ex:about <https://doi.org/10.1/x> ] ; a ex:Note .\n",
    )
    assert errors(kg, path) == []


def test_an_untyped_id_a_file_speaks_about_must_be_described_elsewhere(kg, tmp_path):
    comment = write(
        tmp_path,
        "comment.ttl",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        f'<{ID}case/hetang> rdfs:comment "Visited in 2023." .\n',
    )
    [problem] = errors(kg, comment)
    assert problem.line == 3
    assert problem.message.startswith("case/hetang: this file says things about case/hetang without saying what it is")
    # Described in the store, it is known; and the case's shapes do not judge this file's
    # one statement about it (a case's label, place and quote are in the other file).
    kg.load([write(tmp_path, "hetang.yaml", CASE.format(paper="work/lin-2019", studied_by="work/lin-2019") + PAPER)])
    assert errors(kg, comment) == []


def test_a_graph_store_body_passes_the_same_check(kg, tmp_path):
    kg.load([write(tmp_path, "lin-2019.yaml", PAPER)])
    before = sum(1 for _ in kg.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert before > 0
    body = load_file(
        write(
            tmp_path,
            "body.ttl",
            f"@prefix ex: <https://example.org/> .\nex:n ex:cites <{ID}work/lin-2019> , <{ID}work/lin-2091> .\n",
        )
    )
    with pytest.raises(SourceError) as refused:
        kg.load_parsed(body, "https://w3id.org/urbankg/graph/http-body")
    [problem] = refused.value.problems
    assert "work/lin-2091" in problem.message and "did you mean work/lin-2019?" in problem.message
    assert sum(1 for _ in kg.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == before
