"""The review's operations on a real draft (urbankg add's, of a paper not in the corpus) over
a store holding the bundled corpus: suggestions accepted and rejected, entries split and
merged, citations re-pointed, quotes checked against the full text, facts placed at their
field when the gate refuses them, and the folder loaded as `urbankg load` loads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from urbankg.graph import KnowledgeGraph
from urbankg.intake import prepare, write_folder
from urbankg.intake_review import DraftReview, ReviewError

DATA = Path(__file__).parent / "data" / "add"
SLUG = "zhou-2018-geography"


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("review") / "store")
    kg.ensure_bundled()
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def pristine(kg, tmp_path_factory):
    draft = prepare(DATA / "paper.txt", kg.store, metadata=DATA / "zhou-2018.bib")
    folder = tmp_path_factory.mktemp("pristine") / SLUG
    write_folder(draft, folder)
    return folder


@pytest.fixture
def review(pristine, tmp_path):
    folder = tmp_path / SLUG
    shutil.copytree(pristine, folder)
    full_text = tmp_path / "fulltext.txt"
    shutil.copy(DATA / "paper.txt", full_text)
    return DraftReview(folder, SLUG, full_text)


def read(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def act_of(review: DraftReview, citation_text: str):
    citations = read(review.folder / review.citations_name)["citations"]
    citation = next(c for c in citations if c["text"] == citation_text)
    return citation, citation["acts"][0]


def test_accepting_and_rejecting_suggestions_keeps_the_file_readable(review, kg):
    # which concepts are suggested is the linker's business: the test takes what it offers
    citation, act = act_of(review, "(Lin, 2019)")
    assert act["suggestions"] and all(s["by"] == "urbankg-extract" for s in act["suggestions"])
    taken = act["suggestions"][0]["concept"]
    other, other_act = act_of(review, "(Brenner and Schmid, 2015)")
    dropped = other_act["suggestions"][0]["concept"]
    review.accept_concept(citation["id"], "work/lin-2019", taken)
    review.reject_concept(other["id"], "work/brenner-2015", dropped)
    review.set_intent(citation["id"], "work/lin-2019", ["citesAsAuthority"])
    review.save()
    _, act = act_of(review, "(Lin, 2019)")
    assert act["concepts"] == [taken] and act["intent"] == ["citesAsAuthority"]
    assert act["asserted_by"] == "annotator" and "suggested_intent" not in act
    assert taken not in [s["concept"] for s in act.get("suggestions", [])]
    _, other_act = act_of(review, "(Brenner and Schmid, 2015)")
    assert dropped not in [s["concept"] for s in other_act.get("suggestions", [])]
    assert "asserted_by" not in other_act  # a rejection accepts nothing
    written = (review.folder / review.citations_name).read_text(encoding="utf-8")
    assert written.startswith("# DRAFT annotation of work/zhou-2018-geography")  # comments survive
    assert f"concepts: [{taken}]" in written  # one line a value: diffs stay small

    kg.load([review.folder])
    rows = kg.query(
        "PREFIX ukg: <https://w3id.org/urbankg/ontology#> PREFIX cito: <http://purl.org/spar/cito/> "
        "SELECT ?concept WHERE { ?act cito:hasCitingEntity <https://w3id.org/urbankg/id/work/zhou-2018-geography> ; "
        "ukg:citedForConcept ?concept }"
    )
    accepted = {r["concept"].value.removeprefix("https://w3id.org/urbankg/id/") for r in rows}
    # only what was accepted counts; the suggestions still waiting are not cited-for concepts
    assert accepted == {taken}
    waiting = list(
        kg.query(
            "PREFIX ukg: <https://w3id.org/urbankg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT ?concept ?score WHERE { ?act ukg:hasSuggestion ?s . ?s ukg:suggestedConcept ?concept ; "
            "ukg:suggestionScore ?score ; prov:wasAttributedTo ukg:UrbankgExtract }"
        )
    )
    assert len(waiting) >= 2 and all(0 <= float(r["score"].value) <= 1 for r in waiting)


def test_a_quote_must_be_words_of_the_paper(review):
    with pytest.raises(ReviewError) as refused:
        review.add_claim(statement="", quote="Taobao villages are everywhere", stance="", target="", about=[])
    assert refused.value.field == "evidence" and "not in the paper" in str(refused.value)
    # line breaks and spaces of the selection do not matter; the words do
    claim = review.add_claim(
        statement="",
        quote="Poverty alleviation through e-commerce\n  remains uneven across regions",
        stance="challenges",
        target="concept/rural-development",
        about=["concept/e-commerce"],
    )
    review.save()
    record = read(review.folder / review.record_name)
    entry = next(c for c in record["claims"] if c["id"] == claim)
    assert entry["evidence"] == ["Poverty alleviation through e-commerce remains uneven across regions"]
    assert entry["challenges"] == ["concept/rural-development"] and entry["asserted_by"] == "paper"


def test_a_percentage_of_130_is_placed_at_its_field_and_nothing_is_written(review, kg):
    before = {p.name: p.read_text(encoding="utf-8") for p in review.folder.iterdir()}
    observation = review.add_observation(
        measure="",
        new_measure="share of villages with e-commerce",
        value="130",
        unit="percent",
        period="2018",
        period_end="",
        place="place/china",
        case="",
        original_source="",
        qualifier="",
        quote="Rural e-commerce has grown fast in China",
    )
    problems = [p for p in review.trial(kg) if p.item == observation and p.severity == "error"]
    assert [p.field for p in problems] == ["value"] and "between 0 and 100" in problems[0].message
    after = {p.name: p.read_text(encoding="utf-8") for p in review.folder.iterdir()}
    assert after == before  # a trial writes nothing


def test_entries_split_and_merge_and_citations_follow(review):
    refs = read(review.folder / review.citations_name)["references"]
    brenner = refs[0]
    new = review.split_reference(brenner["id"], "City, 19")
    review.save()
    doc = read(review.folder / review.citations_name)
    assert [r["number"] for r in doc["references"]] == [1, 2, 3, 4]
    assert doc["references"][1]["id"] == new and doc["references"][1]["text"].startswith("City, 19")
    assert doc["references"][0]["text"].endswith("Towards a new epistemology of the urban?")
    review.merge_references(brenner["id"])
    review.save()
    doc = read(review.folder / review.citations_name)
    assert len(doc["references"]) == 3 and doc["references"][0]["text"] == brenner["text"]
    assert {w["id"] for w in doc["works"]} == {r["work"] for r in doc["references"]}

    citation, _ = act_of(review, "(Wang, 2020)")
    review.set_denotes(citation["id"], [brenner["id"]])
    review.save()
    citation, act = act_of(review, "(Wang, 2020)")
    assert citation["denotes"] == [brenner["id"]] and act["cites"] == brenner["work"]
    assert act["suggested_intent"]  # a new act waits for its intent like the others
    with pytest.raises(ReviewError):
        review.set_denotes(citation["id"], ["reference/nowhere/x"])


def test_a_concept_a_case_and_a_fact_validate_together(review, kg):
    concept = review.define_concept(
        label="Poverty-alleviation e-commerce",
        definition="E-commerce promoted to lift rural households out of poverty.",
        broader="concept/rural-development",
        schemes=["framework/e-urbanism"],
        quote="Poverty alleviation through e-commerce remains uneven",
    )
    citation, _ = act_of(review, "(Wang, 2020)")
    review.accept_concept(citation["id"], "work/wang-2020", concept)
    review.set_intent(citation["id"], "work/wang-2020", ["citesForInformation"])
    case = review.create_case(
        label="Rural e-commerce in China",
        place="place/china",
        new_place="",
        case_of="concept/taobao-village",
        quote="Rural e-commerce has grown fast in China",
    )
    review.add_observation(
        measure="",
        new_measure="share of poor counties with e-commerce",
        value="35.5",
        unit="percent",
        period="2018",
        period_end="2019",
        place="place/china",
        case=case,
        original_source="work/wang-2020",
        qualifier="about",
        quote="Poverty alleviation through e-commerce remains uneven across regions",
    )
    errors = [p for p in review.trial(kg) if p.severity == "error"]
    assert not errors, errors
    review.save()
    assert (review.folder / review.cases_name).exists()
    assert not kg.validate([review.folder]) or all(p.severity != "error" for p in kg.validate([review.folder]))
