"""Templates: they parse as they stand, take the scholar's name, and every problem the
gate finds in an unfilled template points at a blank to fill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Namespace

from urbankg.graph import KnowledgeGraph
from urbankg.loaders.annotation_yaml import parse, parse_text
from urbankg.templates import kinds, render_template, template_dir

ID = Namespace("https://w3id.org/urbankg/id/")
UKG = Namespace("https://w3id.org/urbankg/ontology#")
FABIO = Namespace("http://purl.org/spar/fabio/")


def test_there_are_templates_for_a_case_and_a_paper():
    assert kinds() == ["case", "paper"]


@pytest.mark.parametrize("kind", ["case", "paper"])
def test_the_template_files_parse_as_they_stand(kind):
    assert len(parse(template_dir() / f"{kind}.yaml", kind).graph) > 0


def test_a_case_template_takes_the_slug_of_the_name():
    text = render_template("case", "Xi'niujiao Village")
    assert "NAME" not in text
    graph = parse_text(Path("xiniujiao.yaml"), text, "xiniujiao").graph
    case = ID["case/xi-niujiao-village"]
    assert (case, RDF.type, UKG.Case) in graph
    assert graph.value(case, UKG.locatedIn) == ID["place/xi-niujiao-village"]


def test_a_paper_template_names_the_paper_in_its_header_and_record():
    text = render_template("paper", "lin-2019")
    assert re.search(r"^paper: work/lin-2019$", text, re.MULTILINE)
    graph = parse_text(Path("lin-2019.yaml"), text, "lin-2019").graph
    assert (ID["work/lin-2019"], RDF.type, FABIO.JournalArticle) in graph


def test_unknown_kinds_and_unusable_names_are_refused_with_what_would_work():
    with pytest.raises(ValueError, match="no template for 'survey': choose one of case, paper"):
        render_template("survey", "x")
    with pytest.raises(ValueError, match="gives no usable id"):
        render_template("case", "???")


@pytest.mark.parametrize("kind", ["case", "paper"])
def test_every_problem_of_an_unfilled_template_points_at_an_empty_key(kind, tmp_path):
    path = tmp_path / f"new-{kind}.yaml"
    path.write_text(render_template(kind, "example"), encoding="utf-8")
    kg = KnowledgeGraph.in_memory()
    try:
        problems = kg.validate([path])
    finally:
        kg.close()
    assert problems, "an unfilled template should list what is left to fill"
    lines = path.read_text(encoding="utf-8").splitlines()
    for problem in problems:
        line = lines[problem.line - 1]
        assert re.match(r"^\s*[a-z_]+:\s*(\[\])?\s*(#.*)?$", line), f"{problem} points at {line!r}, not at an empty key"
