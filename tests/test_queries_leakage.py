"""Canned queries answer for the value asked, not for every value that shares a node with it.

A stakeholder of three cases, a place two cases lie in, a characteristic two legacies might
share: a query that reaches its answer through such a node brings in what belongs to the
others. Each test asks a query for one value and checks its answer against the corpus YAML
(what the annotators wrote for that value), never against the query's own output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import RDF, Graph, Namespace, URIRef

from canned import ask, bundled_store
from urbankg import config
from urbankg.graph import KnowledgeGraph

ID = config.ID_BASE
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ONTOLOGY = CORPUS.parent / "ontology" / "urbankg.ttl"
UKG = Namespace(config.ONTOLOGY_NS)


def corpus_files() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in sorted(CORPUS.glob("*/*.yaml"))]


def entries(kind: str) -> list[tuple[Path, str, dict[str, Any]]]:
    """(file, the file's paper, entry) for every entry of a section across the corpus."""
    return [(path, data.get("paper", ""), entry) for path, data in corpus_files() for entry in data.get(kind) or []]


def as_list(value: Any) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


kg = pytest.fixture(scope="module", name="kg")(bundled_store)  # one store for the module


def test_stakeholder_relations_per_case_are_that_case_s_relations_only(kg):
    stakeholder_cases = {ID + e["id"]: {ID + c for c in as_list(e.get("case"))} for _, _, e in entries("stakeholders")}
    cases = {ID + e["id"] for _, _, e in entries("cases")}
    relations = entries("relations")
    assert relations, "the corpus should hold power relations"
    shared = [e["id"] for _, _, e in relations if not e.get("case")]
    assert shared, "the corpus should hold relations that name no case (the Guangzhou villages' own)"
    for case in sorted(cases):
        expected = set()
        for _, _, rel in relations:
            ends = [stakeholder_cases.get(ID + rel["from"], set()), stakeholder_cases.get(ID + rel["to"], set())]
            if rel.get("case"):
                belongs = ID + rel["case"] == case
            else:  # a relation naming no case: every case its case-bound stakeholders share
                bound = [e for e in ends if e]
                belongs = bool(bound) and all(case in e for e in bound)
            if belongs:
                expected.add((ID + rel["from"], ID + rel["kind"], ID + rel["to"], rel["description"]))
        rows = ask(kg, "stakeholder-relations", case=case.removeprefix(ID + "case/"))
        got = {(r["from"], r["relation"], r["to"], r["description"]) for r in rows}
        assert got == expected, f"{case}: leaked {sorted(got - expected)}, missing {sorted(expected - got)}"


def test_stakeholder_relations_of_xiniujiao_leave_out_yushatan_and_lirendong(kg):
    # The example: Xiniujiao's answer had Yushatan's wholesale market and Lirendong's villagers.
    rows = ask(kg, "stakeholder-relations", case="xiniujiao")
    ends = {r["from"] for r in rows} | {r["to"] for r in rows}
    assert ID + "stakeholder/shahe-clothing-wholesale-market" in ends
    assert ID + "stakeholder/yongfu-auto-parts-wholesale-market" not in ends
    assert not {e for e in ends if e.startswith(ID + "stakeholder/lirendong/")}


def test_case_evidence_per_case_is_that_case_s_facts_only(kg):
    cases = {ID + e["id"]: e for _, _, e in entries("cases")}
    observations = entries("observations")
    assert observations
    for case, entry in sorted(cases.items()):
        places = {ID + p for p in as_list(entry.get("place"))}
        studies = {ID + p for p in as_list(entry.get("studied_by"))}
        expected = set()
        for _, paper, obs in observations:
            named = as_list(obs.get("case"))
            reported_by = ID + (obs.get("reported_by") or paper)
            if (
                ID + named[0] == case
                if named
                else (obs.get("place") and ID + obs["place"] in places and reported_by in studies)
            ):
                expected.add(ID + obs["id"])
        got = {r["observation"] for r in ask(kg, "case-evidence", case=case.removeprefix(ID + "case/"))}
        assert got == expected, f"{case}: leaked {sorted(got - expected)}, missing {sorted(expected - got)}"


def test_case_evidence_of_a_case_in_china_leaves_out_lin_s_national_figures(kg):
    # The elite life-course case lies in China, as do Lin's (2019) national counts.
    rows = ask(kg, "case-evidence", case="elite-life-course-taobao-village-elites")
    assert not [r for r in rows if r["reported_by"] == ID + "work/lin-2019"]


def test_legacy_impacts_per_legacy_are_that_legacy_s_only(kg):
    # The legacies are defined in the ontology (Sun & Manfredini 2025), read here with rdflib.
    ontology = Graph().parse(ONTOLOGY)
    legacies = sorted(ontology.subjects(RDF.type, UKG.Legacy))
    assert len(legacies) >= 2, f"{ONTOLOGY}: the ontology should define the three legacies"
    for legacy in legacies:
        characteristics = {str(c) for c in ontology.objects(legacy, UKG.hasCharacteristic)}
        own_impacts = {str(i) for i in ontology.objects(legacy, UKG.hasPotentialImpact)}
        own_impacts |= {str(i) for c in characteristics for i in ontology.objects(URIRef(c), UKG.hasPotentialImpact)}
        rows = ask(kg, "legacy-impacts", legacy=str(legacy).removeprefix(ID + "concept/"))
        assert rows, legacy
        assert {r["characteristic"] for r in rows if r["characteristic"]} == characteristics, legacy
        leaked = {r["impact"] for r in rows if r["impact"]} - own_impacts
        assert not leaked, f"{legacy}: impacts of another legacy {sorted(leaked)}"


# --- a small graph where every parameter shares a node with another value of it ------------
# tests/data/queries/shared-nodes.ttl: two topics, three papers, three frameworks, two legacies
# and two surveys, each pair joined by a node both use.

FIXTURE = Path(__file__).resolve().parent / "data" / "queries" / "shared-nodes.ttl"
X = ID + "fixture/"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    graph = KnowledgeGraph.open(tmp_path_factory.mktemp("shared"))
    graph.bulk_load(FIXTURE)
    yield graph
    graph.close()


def test_competing_explanations_per_topic_through_a_shared_factor(shared):
    rows = ask(shared, "competing-explanations", topic="topic-one")
    assert {r["claim"] for r in rows} == {X + "claim-one"}, f"{FIXTURE}: claim-two explains topic-two only"
    assert {r["paper"] for r in rows} == {ID + "work/paper-a"}


def test_shared_sources_keep_a_third_paper_s_concepts_and_authors_out(shared):
    rows = ask(shared, "shared-sources", paper_a="paper-a", paper_b="paper-b")
    works = {r["source"]: r for r in rows if r["shared"] == "work"}
    assert set(works) == {ID + "work/shared-work"}
    assert works[ID + "work/shared-work"]["concepts_a"] == "cited by A"  # not "cited by C"
    assert works[ID + "work/shared-work"]["concepts_b"] == "cited by B"
    # x:author-ac wrote a work A cites and a work only C cites: not shared by A and B
    assert X + "author-ac" not in {r["source"] for r in rows}
    # ... and shared by A and C
    assert X + "author-ac" in {r["source"] for r in ask(shared, "shared-sources", paper_a="paper-a", paper_b="paper-c")}


def test_framework_crosswalk_leaves_out_a_third_framework(shared):
    rows = ask(shared, "framework-crosswalk", framework_a="alpha", framework_b="beta")
    assert {(r["component_a"], r["component_b"]) for r in rows} == {(ID + "concept/alpha-one", ID + "concept/beta-one")}
    rows = ask(shared, "framework-crosswalk", framework_a="beta", framework_b="alpha")
    assert {(r["component_a"], r["component_b"]) for r in rows} == {(ID + "concept/beta-one", ID + "concept/alpha-one")}


def test_triad_coverage_per_triad_through_a_concept_linked_to_two(shared):
    rows = ask(shared, "triad-coverage", triad="gamma")
    assert {r["moment"] for r in rows} == {ID + "concept/gamma-one"}
    assert {r["concept"] for r in rows} == {ID + "concept/alpha-one"}
    assert {r["paper"] for r in rows} == {ID + "work/paper-a"}  # alpha's proposer: the link names no source


def test_legacy_impacts_through_a_shared_characteristic_keep_each_legacy_s_impacts(shared):
    for own, other in (("one", "two"), ("two", "one")):
        rows = ask(shared, "legacy-impacts", legacy=f"legacy-{own}")
        impacts = {r["impact"] for r in rows if r["impact"]}
        assert impacts == {ID + f"concept/impact-{own}"}, f"legacy-{own}: {sorted(impacts)} (impact-{other} is not its)"
        assert {r["characteristic"] for r in rows} == {ID + "concept/shared-characteristic"}


def test_survey_table_per_survey(shared):
    rows = ask(shared, "survey-table", survey="one")
    assert [(r["variable"], r["category"], r["percent"]) for r in rows] == [("Gender", "Male", "60.1")]
