"""The identity benchmark (bench/identity.py): its committed sample is judged as labelled, its
scoring counts right, and its set builder reaches 300 pairs from the bundled bibliographies
alone, with no namesake merged."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_identity", ROOT / "bench" / "identity.py")
identity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(identity)

SAMPLE = identity.read_jsonl(ROOT / "tests" / "data" / "identity" / "identity-pairs-sample.jsonl")


# Kinds the matcher gets wrong today, reported with issue 17: "Part 1" / "Part 2" of one title
# differ by a character, so their titles are 98-100% alike and the pair is merged. strict: the
# test says so when the matcher is fixed.
@pytest.fixture(scope="module")
def bibliography_set():
    pairs, origin = identity.build(shared=None)
    return pairs, origin


def _correct(pair: dict) -> bool:
    verdict, _ = identity.judge(pair)
    return (verdict == "same") == (pair["label"] == "same")


@pytest.mark.parametrize(
    "pair",
    SAMPLE,
    ids=[f"{p['id']}-{p['kind']}" for p in SAMPLE],
)
def test_sample_pair_judged_as_labelled(pair):
    assert _correct(pair), (pair["a"], pair["b"], identity.judge(pair))


def test_sample_has_every_kind_and_nothing_from_anystyle():
    kinds = {p["kind"] for p in SAMPLE}
    assert set(identity.SAME_KINDS) | set(identity.DIFFERENT_KINDS) <= kinds
    assert {"namesake", "namesake-different-orcid", "same-orcid", "same-work-initials"} <= kinds
    assert not [p for p in SAMPLE if "anystyle" in p["source"]]  # anystyle-core stays outside the project
    assert 25 <= len(SAMPLE) <= 40


def test_precision_and_recall_on_a_hand_made_list():
    def pair(label: str, kind: str) -> dict:
        return {"label": label, "kind": kind}

    pairs = [
        pair("same", "case"),  # found
        pair("same", "case"),  # found
        pair("same", "typo"),  # sent to review: a miss
        pair("same", "typo"),  # judged different: a miss
        pair("different", "series-part"),  # merged: a false merge
        pair("different", "series-part"),  # sent to review
        pair("different", "different-doi"),
    ]
    verdicts = ["same", "same", "possible", "different", "same", "possible", "different"]
    scored = identity.score(pairs, verdicts)
    assert scored["true_positives"] == 2
    assert scored["same_predicted"] == 3
    assert scored["precision"] == round(2 / 3, 4)
    assert scored["recall"] == 0.5
    assert scored["possible_per_label"] == {"different": 1, "same": 1}
    assert scored["per_kind"]["typo"] == {
        "label": "same",
        "pairs": 2,
        "same": 0,
        "possible": 1,
        "different": 1,
        "share_same": 0.0,
    }
    assert scored["per_kind"]["case"]["share_same"] == 1.0
    # nothing judged "same": precision is undefined, not 0 or 1
    assert identity.score([pair("same", "case")], ["possible"])["precision"] is None


def test_bibliographies_alone_make_300_pairs_of_every_kind(bibliography_set):
    pairs, origin = bibliography_set
    assert len(pairs) >= identity.MIN_PAIRS
    assert "only" in origin and "absent" in origin
    assert not [p for p in pairs if "anystyle" in p["source"]]
    kinds = {p["kind"] for p in pairs}
    assert set(identity.SAME_KINDS) | set(identity.DIFFERENT_KINDS) <= kinds
    assert {p["label"] for p in pairs if p["type"] == "work"} == {"same", "different"}
    assert {p["label"] for p in pairs if p["type"] == "person"} == {"same", "namesake"}
    assert len({p["id"] for p in pairs}) == len(pairs)


def test_the_set_is_the_same_on_every_build(bibliography_set):
    assert identity.build(shared=None)[0] == bibliography_set[0]


def test_no_namesake_is_judged_same(bibliography_set):
    pairs, _ = bibliography_set
    namesakes = [p for p in pairs if p["type"] == "person" and p["label"] == "namesake"]
    assert len(namesakes) >= 10
    assert [p for p in namesakes if identity.judge(p)[0] == "same"] == []
    # the two "Chen, Y." of Qian et al. 2017 and Zhao et al. 2021 are among them
    chen = {(p["a"]["family"], tuple(p["a"]["works"]), tuple(p["b"]["works"])) for p in namesakes}
    assert ("Chen", ("work/qian-2017",), ("work/zhao-2021",)) in chen


def test_anystyle_first_authors_across_styles():
    assert identity.anystyle_authors("Romero, C., Paunesku, D., & Dweck, C.")[0] == "Romero, C"
    assert identity.anystyle_authors("S. E. Han, G. Chen,") == ["Han, S. E.", "Chen, G."]
    assert identity.anystyle_authors("Heidegger M.,") == ["Heidegger, M"]
    assert identity.anystyle_authors("Pérez-Higueras JJ, Arias A")[0] == "Pérez-Higueras, JJ"
    assert identity.anystyle_authors("Narboux, Jean-Philippe,") == ["Narboux, Jean-Philippe"]
    assert identity.anystyle_authors("American Educational Research Association.") == [
        "American Educational Research Association"
    ]


def test_clean_and_year_of_labelled_fields():
    assert identity.clean("(2011).") == "2011"
    assert identity.clean("“A Spanish Romanticist Parodies Himself,”") == "A Spanish Romanticist Parodies Himself"
    assert identity.clean("Lee, L. L.") == "Lee, L. L."  # an initial keeps its full stop
    assert identity.year_of("septembre 2014,") == 2014
    assert identity.year_of("n.d.") is None


def test_section_replaced_in_place_or_appended(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Loading\n\nfast\n", encoding="utf-8")
    identity.write_section(identity.SECTION + "\n\nfirst\n", path)
    assert path.read_text(encoding="utf-8").endswith("fast\n\n## Identity across papers\n\nfirst\n")
    path.write_text(path.read_text(encoding="utf-8") + "\n## Later\n\nkept\n", encoding="utf-8")
    identity.write_section(identity.SECTION + "\n\nsecond\n", path)
    text = path.read_text(encoding="utf-8")
    assert "first" not in text and text.count(identity.SECTION) == 1
    assert text.endswith("## Identity across papers\n\nsecond\n\n## Later\n\nkept\n")
