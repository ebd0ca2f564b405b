"""Identity at load and by review, on a real store on disk: one work, one person across
sources; collisions refused at their line; namesakes listed, not merged; a merge undone
exactly; two loads at once leave one IRI per work."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from urbankg import config
from urbankg.errors import SourceError, StoreError
from urbankg.graph import KnowledgeGraph
from urbankg.identity.decisions import IDENTITIES_GRAPH

ID = config.ID_BASE
LIN = """@article{lin-2019,
  author = {Lin, Yanliu},
  title = {E-urbanism: E-commerce, migration, and the transformation of Taobao villages in urban China},
  journal = {Cities}, year = {2019}, doi = {10.1016/j.cities.2018.11.020}}
@article{qian-2017, author = {Qian, Q. and Chen, Y.},
  title = {Development characteristics of Taobao towns}, year = {2017}}
"""
# A second paper's bibliography: Lin's paper under another key, with the DOI's prefix, an
# abbreviated given name; another Chen, Y. in another work.
SUN = """@article{lin-e-urbanism,
  author = {Lin, Y.},
  title = {E-Urbanism: e-commerce, migration & the transformation of Taobao villages in urban China},
  journal = {Cities}, year = {2019}, doi = {https://doi.org/10.1016/J.CITIES.2018.11.020}}
@article{zhao-2021, author = {Zhao, W. and Chen, Y.}, title = {Inclusive entrepreneurial ecosystems}, year = {2021}}
"""
CITES = """paper: work/sun-2025
papers:
  - id: work/sun-2025
    type: JournalArticle
    title: From rural to urban
    year: 2025
references:
  - id: reference/sun-2025/lin
    number: 1
    text: "Lin Y. E-urbanism. Cities. 2019."
    work: work/lin-e-urbanism
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kg(tmp_path):
    graph = KnowledgeGraph.open(tmp_path / "store")
    yield graph
    graph.close()


def count(kg, iri: str) -> int:
    """Statements mentioning ``iri`` anywhere but graph/identities."""
    rows = kg.query(
        "SELECT ?g ?x WHERE { GRAPH ?g { { ?x ?p ?o } UNION { ?s ?p ?x } } }", substitutions={"x": ox.NamedNode(iri)}
    )
    return sum(1 for row in rows if row["g"].value != IDENTITIES_GRAPH)


def quads(kg) -> set:
    """Every quad of the named graphs but graph/identities, as N-Quads lines (blank nodes aside)."""
    rows = kg.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {tuple(str(row[v]) for v in ("g", "s", "p", "o")) for row in rows if row["g"].value != IDENTITIES_GRAPH}


def test_a_work_cited_under_two_keys_is_one_iri_and_its_author_one_person(kg, tmp_path):
    kg.load([write(tmp_path, "lin.bib", LIN)], agent="ann")
    kg.load([write(tmp_path, "sun.bib", SUN), write(tmp_path, "sun-citations.yaml", CITES)], agent="bo")
    # renamed in both graphs of the load: the reference follows its bibliography
    assert count(kg, ID + "work/lin-e-urbanism") == 0
    refs = kg.query(
        "SELECT ?w WHERE { ?r <http://purl.org/spar/biro/references> ?w }",
    )
    assert {row["w"].value for row in refs} == {ID + "work/lin-2019"}
    # the author of the same work, in another source: the same person (what loaded first wins)
    assert count(kg, ID + "person/lin-y/lin-e-urbanism") == 0
    decisions = {(d.alias, d.canonical): d for d in kg.writes.identities()}
    work = decisions[(ID + "work/lin-e-urbanism", ID + "work/lin-2019")]
    assert work.status == "merged" and "same DOI 10.1016/j.cities.2018.11.020" in work.evidence
    assert work.agent == "urbankg identity matcher"
    person = decisions[(ID + "person/lin-y/lin-e-urbanism", ID + "person/lin-y/lin-2019")]
    assert person.status == "merged" and "author of the same work" in person.evidence
    # the two Chen, Y. stay two, listed for review
    chen = decisions[(ID + "person/chen-y/zhao-2021", ID + "person/chen-y/qian-2017")]
    assert chen.status == "possible" and count(kg, ID + "person/chen-y/zhao-2021") > 0


def test_a_reload_meets_the_merges_in_force(kg, tmp_path):
    kg.load([write(tmp_path, "lin.bib", LIN)], agent="ann")
    sun = write(tmp_path, "sun.bib", SUN)
    kg.load([sun], agent="bo")
    before = quads(kg)
    kg.load([sun], agent="bo")
    assert quads(kg) == before
    assert count(kg, ID + "work/lin-e-urbanism") == 0


def test_one_id_for_two_works_is_refused_at_its_line(kg, tmp_path):
    kg.load([write(tmp_path, "lin.bib", LIN)], agent="ann")
    other = write(
        tmp_path, "other.bib", "\n@book{qian-2017, author = {Qian, Z.}, title = {Urban planning law}, year = {2017}}\n"
    )
    before = quads(kg)
    with pytest.raises(SourceError) as caught:
        kg.load([other], agent="bo")
    problem = caught.value.problems[0]
    assert problem.file == str(other) and problem.line == 2
    assert "work/qian-2017 already names another work" in problem.message and "another id" in problem.message
    assert quads(kg) == before


def test_accept_merges_everywhere_and_reject_puts_every_graph_back(kg, tmp_path):
    kg.load([write(tmp_path, "lin.bib", LIN)], agent="ann")
    kg.load([write(tmp_path, "sun.bib", SUN)], agent="bo")
    before = quads(kg)
    chen = next(d for d in kg.writes.identities() if d.status == "possible" and "chen-y" in d.alias)
    merged = kg.writes.decide_identity(chen.key, True, "reviewer", evidence="same ORCID found by hand")
    assert merged.status == "merged" and merged.agent == "reviewer"
    assert count(kg, merged.alias) == 0 and count(kg, merged.canonical) > 0
    assert {r.graph for r in merged.renamings} == {
        config.graph_iri("sun") if "zhao" in merged.alias else config.graph_iri("lin")
    }
    with pytest.raises(StoreError, match="merged already"):
        kg.writes.decide_identity(chen.key, True, "reviewer")
    undone = kg.writes.decide_identity(chen.key, False, "reviewer", evidence="two people after all")
    assert undone.status == "distinct"
    assert quads(kg) == before
    # a reviewer's "distinct" holds at the next load
    kg.load([tmp_path / "sun.bib"], agent="bo")
    assert kg.writes.identities().get(chen.alias, chen.canonical).status == "distinct"
    history = [r.action for r in kg.writes.history(IDENTITIES_GRAPH)]
    assert "merge" in history and "unmerge" in history


def test_a_review_file_applies_once_and_names_its_line(kg, tmp_path):
    kg.load([write(tmp_path, "lin.bib", LIN), write(tmp_path, "sun.bib", SUN)], agent="ann")
    reviews = write(
        tmp_path,
        "identity-reviews.yaml",
        "merge:\n  - keep: person/chen-y/qian-2017\n    same: [person/chen-y/zhao-2021]\n    evidence: same ORCID\n",
    )
    [decision] = kg.writes.apply_reviews(reviews, "editors")
    assert decision.status == "merged" and count(kg, ID + "person/chen-y/zhao-2021") == 0
    assert kg.writes.apply_reviews(reviews, "editors")[0].time == decision.time  # nothing new
    bad = write(
        tmp_path, "bad.yaml", "merge:\n  - keep: person/nobody\n    same: [person/chen-y/qian-2017]\n    evidence: x\n"
    )
    with pytest.raises(SourceError) as caught:
        kg.writes.apply_reviews(bad, "editors")
    assert caught.value.problems[0].line == 2 and "person/nobody is in no graph" in caught.value.problems[0].message


def test_two_loads_at_once_leave_one_iri_per_work(kg, tmp_path):
    """Two scholars load bibliographies citing the same work at the same moment: whichever
    commits second meets the first, and every statement of both is there."""
    first = write(tmp_path, "lin.bib", LIN)
    second = write(tmp_path, "sun.bib", SUN)
    errors = []

    def load(path, agent):
        try:
            kg.load([path], agent=agent)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=load, args=a) for a in ((first, "ann"), (second, "bo"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    works = {
        row["w"].value
        for row in kg.query("SELECT DISTINCT ?w WHERE { ?w <http://prismstandard.org/namespaces/basic/2.0/doi> ?d }")
    }
    assert len(works) == 1, works
    # every statement accounted for: each graph holds what its file gave, one IRI renamed
    sizes = {g: kg.store.graph_size(g) for g in (config.graph_iri("lin"), config.graph_iri("sun"))}
    assert all(sizes.values()), sizes
    merged = [d for d in kg.writes.identities() if d.status == "merged" and d.kind == "work"]
    assert len(merged) == 1


def person_yaml(slug: str, work: str, orcid: str) -> str:
    return f"""papers:
  - id: work/{work}
    type: JournalArticle
    title: A paper called {work}
    year: 2020
    authors: [person/{slug}]
people:
  - id: person/{slug}
    name: Yan Li
    family_name: Li
    given_name: Yan
    same_as: ["{orcid}"]
"""


def test_the_same_orcid_makes_one_person_and_another_orcid_two(kg, tmp_path):
    orcid = "https://orcid.org/0000-0002-1825-0097"
    kg.load([write(tmp_path, "one.yaml", person_yaml("li-yan", "one-2020", orcid))], agent="ann")
    kg.load([write(tmp_path, "two.yaml", person_yaml("li-y", "two-2020", orcid))], agent="bo")
    decision = kg.writes.identities().get(ID + "person/li-y", ID + "person/li-yan")
    assert decision.status == "merged" and "same identifier https://orcid.org/0000-0002-1825-0097" in decision.evidence
    assert count(kg, ID + "person/li-y") == 0
    other = "https://orcid.org/0000-0001-5109-3700"
    kg.load([write(tmp_path, "three.yaml", person_yaml("li-yan-2", "three-2020", other))], agent="cy")
    assert kg.writes.identities().get(ID + "person/li-yan-2", ID + "person/li-yan") is None  # different identifiers
    assert count(kg, ID + "person/li-yan-2") > 0


def test_a_common_name_lists_only_namesakes_spelled_out_alike(kg, tmp_path):
    """Twelve Wang, Y. in twelve works: a reviewer is not asked about each pair."""
    entries = "\n".join(
        f"@article{{w-{n}, author = {{Wang, Y.}}, title = {{Village study number {n}}}, year = {{2010}}}}"
        for n in range(12)
    )
    kg.load([write(tmp_path, "many.bib", entries)], agent="ann")
    spelled = "@article{w-x, author = {Wang, Yuan}, title = {Another village}, year = {2011}}\n"
    kg.load([write(tmp_path, "x.bib", spelled)], agent="bo")
    listed = [d for d in kg.writes.identities() if d.status == "possible" and "w-x" in d.alias + d.canonical]
    assert listed == []  # twelve namesakes with initials only: Wang, Yuan is not paired with each
    pairs = [d for d in kg.writes.identities() if d.status == "possible"]
    assert len(pairs) <= 12 * 20  # the first load paired within its own file, capped per person
