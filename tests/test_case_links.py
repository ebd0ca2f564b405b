"""Cases that are the same as or part of another (issue 19 item 8).

A new annotation of Daji town says it is the same case as the bundled case/daji-town; a
village of Shaji town is part of case/shaji-town. The canned queries that gather a case's
evidence follow the links (a fact or relation recorded on the other case appears); the
shapes refuse links to unknown cases, to itself, or both kinds to one case. Real gate, real
store on disk with the bundled corpus.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from canned import ask
from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app

ID = config.ID_BASE
LINKS_QUERY = Path(__file__).resolve().parent.parent / "server" / "ui_queries" / "case-links.rq"
LINKED = """\
paper: work/sun-2025
cases:
  - id: case/daji-costumes
    label: "Daji town's costume e-commerce"
    place: [place/daji-town]
    studied_by: [work/sun-2025]
    same_as: [case/daji-town]
  - id: case/dongfeng-village
    label: "Dongfeng village, Shaji town"
    place: [place/shaji-town]
    studied_by: [work/lin-2019]
    part_of: [case/shaji-town]
measures:
  - id: measure/costume-shop-count
    label: Online costume shops
observations:
  - id: observation/daji-costumes/shops
    measure: measure/costume-shop-count
    value: 3000
    unit: shops
    case: case/daji-costumes
    evidence:
      - paraphrase: "About three thousand online shops sell stage costumes."
        page: "4"
  - id: observation/daji-town/shops-2018
    measure: measure/costume-shop-count
    value: 2500
    unit: shops
    period: 2018
    case: case/daji-town
    evidence:
      - paraphrase: "Two and a half thousand costume shops in 2018."
  - id: observation/dongfeng/shops
    measure: measure/costume-shop-count
    value: 1200
    unit: shops
    case: case/dongfeng-village
    reported_by: work/lin-2019
    evidence:
      - source: work/lin-2019
        paraphrase: "Dongfeng village had some 1,200 online shops."
stakeholders:
  - id: stakeholder/dongfeng/committee
    label: Dongfeng village committee
    role: [concept/village-collective-organisation]
    case: [case/dongfeng-village]
relations:
  - id: relation/dongfeng/committee-supports-e-tailers
    from: stakeholder/dongfeng/committee
    kind: concept/supports
    to: stakeholder/shaji-town/e-tailers
    case: case/dongfeng-village
    source: work/lin-2019
    asserted_by: annotator
    evidence:
      - source: work/lin-2019
        paraphrase: "The village committee helps its e-tailers."
"""


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("links")
    graph = KnowledgeGraph.open(tmp / "store")
    graph.ensure_bundled()
    before = {
        name: sorted(map(sorted, (r.items() for r in ask(graph, name, case=case))))
        for name, case in (("case-evidence", "shaji-town"), ("stakeholder-relations", "daji-town"))
    }
    path = tmp / "links.yaml"
    path.write_text(LINKED, encoding="utf-8")
    assert graph.validate([path]) == []
    graph.load([path])
    graph.before = before  # the answers before the links, for the tests below
    yield graph
    graph.close()


def observations(kg, case: str) -> set[str]:
    return {r["observation"].removeprefix(ID) for r in ask(kg, "case-evidence", case=case)}


def test_a_fact_recorded_on_the_same_case_appears_in_both_directions(kg):
    daji = observations(kg, "daji-town")
    costumes = observations(kg, "daji-costumes")
    assert {"observation/daji-costumes/shops", "observation/daji-town/shops-2018"} <= daji
    assert daji == costumes  # same_as is symmetric: one case, two annotations


def test_a_whole_gathers_its_parts_facts_and_a_part_not_the_wholes(kg):
    shaji = observations(kg, "shaji-town")
    assert "observation/dongfeng/shops" in shaji
    assert observations(kg, "dongfeng-village") == {"observation/dongfeng/shops"}


def test_stakeholder_relations_follow_part_of(kg):
    shaji = {r["from"].removeprefix(ID) for r in ask(kg, "stakeholder-relations", case="shaji-town")}
    assert "stakeholder/dongfeng/committee" in shaji
    assert "stakeholder/shaji-town/town-government" in shaji
    dongfeng = {r["from"].removeprefix(ID) for r in ask(kg, "stakeholder-relations", case="dongfeng-village")}
    assert dongfeng == {"stakeholder/dongfeng/committee"}


def test_unlinked_cases_answer_as_before(kg):
    after = sorted(map(sorted, (r.items() for r in ask(kg, "stakeholder-relations", case="daji-town"))))
    assert after == kg.before["stakeholder-relations"]
    shaji = [r for r in ask(kg, "case-evidence", case="shaji-town") if "dongfeng" not in r["observation"]]
    assert sorted(map(sorted, (r.items() for r in shaji))) == kg.before["case-evidence"]


def test_the_case_page_query_lists_the_linked_cases(kg):
    def links(case: str) -> set[tuple[str, str]]:
        rows = kg.query(LINKS_QUERY.read_text(), substitutions={"resource": ox.NamedNode(ID + case)})
        return {(r["link"].value, r["other"].value.removeprefix(ID)) for r in rows}

    assert links("case/daji-town") == {("same case as", "case/daji-costumes")}
    assert links("case/daji-costumes") == {("same case as", "case/daji-town")}
    assert links("case/shaji-town") == {("has part", "case/dongfeng-village")}
    assert links("case/dongfeng-village") == {("part of", "case/shaji-town")}


@pytest.mark.parametrize(
    "links, message",
    [
        ("same_as: [case/no-such-case]", "`same_as:` names known cases"),
        ("part_of: [case/no-such-case]", "`part_of:` names known cases"),
        ("same_as: [case/daji-town]\n    part_of: [case/daji-town]", "either the same case as another"),
        ("same_as: [case/self-linked]", "not itself"),
    ],
)
def test_a_bad_link_is_refused_at_its_line(kg, tmp_path, links, message):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "paper: work/sun-2025\ncases:\n  - id: case/self-linked\n    label: A case\n"
        f"    place: [place/daji-town]\n    studied_by: [work/sun-2025]\n    {links}\n",
        encoding="utf-8",
    )
    found = kg.validate([path])
    assert found and all(p.severity == "error" for p in found), found
    assert any(message in p.message and p.line == 7 for p in found), found


def test_case_evidence_shows_a_paraphrase_as_one_with_its_page_never_as_a_quote(kg):
    rows = {r["observation"].removeprefix(ID): r for r in ask(kg, "case-evidence", case="daji-town")}
    costumes = rows["observation/daji-costumes/shops"]
    assert costumes["paraphrase"] == "About three thousand online shops sell stage costumes. (p. 4)"
    assert costumes["quote"] is None
    assert rows["observation/daji-town/shops-2018"]["paraphrase"] == "Two and a half thousand costume shops in 2018."


def test_stakeholder_relations_show_a_paraphrase_as_one(kg):
    rows = [r for r in ask(kg, "stakeholder-relations", case="dongfeng-village")]
    assert [(r["quote"], r["paraphrase"]) for r in rows] == [(None, "The village committee helps its e-tailers.")]
    lirendong = ask(kg, "stakeholder-relations", case="lirendong")
    assert lirendong and all(r["quote"] and r["paraphrase"] is None for r in lirendong)


def test_the_case_page_lists_the_other_annotation_and_its_facts(kg):
    with served(create_app(kg)) as url:
        daji = requests.get(url + "/id/case/daji-town", timeout=60).text
        shaji = requests.get(url + "/id/case/shaji-town", timeout=60).text
        dongfeng = requests.get(url + "/id/case/dongfeng-village", timeout=60).text
    assert "Also annotated as" in daji and "Daji town&#39;s costume e-commerce" in daji
    assert "3,000" in daji  # the fact recorded on the other annotation
    assert "Has a part" in shaji and "Dongfeng village, Shaji town" in shaji and "1,200" in shaji
    assert "Part of" in dongfeng and "/id/case/shaji-town" in dongfeng


def test_the_case_page_shows_a_paraphrase_as_one_with_its_page(kg):
    with served(create_app(kg)) as url:
        page = requests.get(url + "/id/case/daji-costumes", timeout=60).text
        observation = requests.get(url + "/id/observation/daji-costumes/shops", timeout=60).text
    for shown in (page, observation):
        assert "paraphrase, p. 4:</span> About three thousand online shops sell stage costumes." in shown
        assert "“About three thousand" not in shown  # never in quotation marks


def test_case_evidence_answers_as_its_plain_form_on_linked_cases_and_paraphrases(kg):
    # The bundled corpus has no paraphrase and no linked case: the reshaped form's tests for
    # those patterns (tests/test_queries_reshaped.py) compare rows here.
    from test_queries_reshaped import corpus_runner, same_answers

    rows = {
        case: same_answers(corpus_runner(kg), "case-evidence", {"case": case})
        for case in ("daji-town", "daji-costumes", "shaji-town", "dongfeng-village")
    }
    assert all(rows.values()), rows
    paraphrased = [r for r in ask(kg, "case-evidence", case="daji-town") if r["paraphrase"]]
    assert paraphrased  # the paraphrase's OPTIONAL is compared on rows that have one
