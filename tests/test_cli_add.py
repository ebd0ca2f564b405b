"""`urbankg add`: a paper's text and its record become a draft folder that validates, loads,
and links the works the graph already holds; a paper the graph holds is reported, not added."""

from __future__ import annotations

from pathlib import Path

from test_cli import run
from urbankg.intake_review import DraftReview

DATA = Path(__file__).parent / "data" / "add"


def test_a_new_paper_becomes_a_folder_that_loads_and_is_asked_about(tmp_path):
    store = tmp_path / "store"
    out = run(
        store,
        "add",
        DATA / "paper.txt",
        "--metadata",
        DATA / "zhou-2018.bib",
        "-o",
        tmp_path / "draft",
        "--no-progress",
    )
    # work/zhou-2018 is another work in the bundled corpus: the new paper gets its own id
    assert "work/zhou-2018 names another work in the graph: this paper is work/zhou-2018-geography" in out.stderr
    assert "2 cited work(s) are in the graph already" in out.stderr
    record = (tmp_path / "draft" / "zhou-2018-geography.yaml").read_text(encoding="utf-8")
    assert 'title: "The geography of poverty: Review and research prospects"' in record
    assert "authors: [person/zhou-y, person/liu-y]" in record  # in the order the record writes them
    draft = (tmp_path / "draft" / "zhou-2018-geography-citations.yaml").read_text(encoding="utf-8")
    assert "work: work/lin-2019" in draft and "work: work/brenner-2015" in draft  # the graph's works
    assert "valid" in run(store, "validate", tmp_path / "draft").stderr
    run(store, "load", tmp_path / "draft")
    # Brenner and Schmid (2015), in Sun and Manfredini's list too: one work shared by both papers
    shared = run(store, "ask", "shared-sources", "--paper_a", "zhou-2018-geography", "--paper_b", "sun-2025").stdout
    assert "work/brenner-2015" in shared and "Towards a new epistemology of the urban?" in shared
    # the draft's concepts are suggestions: a concept counts once a reviewer accepts it
    assert "zhou-2018-geography" not in run(store, "ask", "concept-citations", "--concept", "taobao-village").stdout
    review = DraftReview(tmp_path / "draft", "zhou-2018-geography")
    first = review.citations()[0]["id"]
    review.accept_concept(first, "work/lin-2019", "concept/taobao-village")
    review.save()
    run(store, "load", tmp_path / "draft")
    cites = run(store, "ask", "concept-citations", "--concept", "taobao-village").stdout
    assert "zhou-2018-geography" in cites


def test_a_paper_the_graph_holds_is_reported_and_nothing_written(tmp_path):
    store = tmp_path / "store"
    result = run(
        store, "add", DATA / "paper.txt", "--metadata", DATA / "lin-2019-again.bib", "-o", tmp_path / "d", check=False
    )
    assert result.returncode == 1
    assert "in the graph already as work/lin-2019" in result.stderr and "nothing written" in result.stderr
    assert not (tmp_path / "d").exists()
