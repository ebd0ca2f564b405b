"""Each canned query reshaped for Oxigraph's join order answers as its plain form did.

The plain forms are kept as they were before the reshaping, in tests/data/queries/plain/.
Both forms run on the bundled corpus and on a small synthetic literature (bench/generate.py),
with several values of each parameter, bound as the catalogue binds them. They must give the
same rows (as multisets) and, where the query orders its rows, the same sequence of the
values it orders by (rows that tie on those values may come in any order, in either form).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from canned import bundled_store
from urbankg import config
from urbankg.queries.catalogue import Catalogue, parse_query_file

ROOT = Path(__file__).resolve().parent.parent
PLAIN = Path(__file__).parent / "data" / "queries" / "plain"
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

# Each reshaped query: the file it lives in, and the variables its ORDER BY sorts on.
RESHAPED = {
    "case-evidence": (ROOT / "queries" / "case-evidence.rq", ["measure_label", "period"]),
    "concept-citations": (ROOT / "queries" / "concept-citations.rq", ["citing_paper", "year", "cited_work"]),
    "intent-counts": (ROOT / "bench" / "queries" / "intent-counts.rq", ["acts"]),
    "stakeholder-relations": (
        ROOT / "queries" / "stakeholder-relations.rq",
        ["from_label", "relation_label", "to_label"],
    ),
}
MAPPINGS = ["none", "close", "all"]


def rows_of(result) -> list[tuple]:
    columns = result.variables
    return [tuple(None if s[c] is None else str(s[c]) for c in columns) for s in result]


def same_answers(run, name: str, params: dict[str, str]) -> int:
    """Runs both forms with the parameters; asserts they agree and gives the number of rows."""
    reshaped_path, ordered_by = RESHAPED[name]
    plain_text = (PLAIN / f"{name}.rq").read_text(encoding="utf-8")
    reshaped_text = reshaped_path.read_text(encoding="utf-8")
    # A benchmark query (bench/queries) takes no parameter and has no header.
    bound = parse_query_file(reshaped_path).substitutions(params) if "#+ title" in reshaped_text else {}
    plain_result = run(plain_text, bound)
    reshaped_result = run(reshaped_text, bound)
    assert [v.value for v in reshaped_result.variables] == [v.value for v in plain_result.variables]
    columns = [v.value for v in plain_result.variables]
    plain, reshaped = rows_of(plain_result), rows_of(reshaped_result)
    assert Counter(reshaped) == Counter(plain), f"{name} {params}: the reshaped form answers other rows"
    keys = [columns.index(c) for c in ordered_by]
    assert [tuple(r[k] for k in keys) for r in reshaped] == [tuple(r[k] for k in keys) for r in plain], (
        f"{name} {params}: the reshaped form orders its rows otherwise"
    )
    return len(plain)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The bundled ontology and corpus, queried through the knowledge graph as the API does."""
    yield from bundled_store(tmp_path_factory)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """300 synthetic papers and the ontology in a store on disk, queried as bench/run.py does."""
    folder = tmp_path_factory.mktemp("synthetic")
    data = folder / "lit-300.nt"
    with data.open("w", encoding="utf-8") as out:
        generate.generate(300, 1, out, progress=False)
    store = ox.Store(str(folder / "store"))
    with data.open("rb") as source:
        store.bulk_load(input=source, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench"))
    store.bulk_load(path=str(config.ontology_file()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:ontology"))
    # The generator links no cases: two annotations of one case and a part, so that the
    # comparison follows ukg:sameCaseAs both ways and ukg:partOfCase.
    for part, link, whole in (("case-1", "sameCaseAs", "case-2"), ("case-3", "partOfCase", "case-1")):
        store.add(
            ox.Quad(
                ox.NamedNode(config.ID_BASE + "case/" + part),
                ox.NamedNode(config.ONTOLOGY_NS + link),
                ox.NamedNode(config.ID_BASE + "case/" + whole),
                ox.NamedNode("urn:bench"),
            )
        )
    yield store
    del store


def corpus_runner(kg):
    return lambda text, bound: kg.query(text, substitutions=bound)


def synthetic_runner(store):
    return lambda text, bound: store.query(
        text, use_default_graph_as_union=True, substitutions={ox.Variable(k): v for k, v in bound.items()}
    )


def corpus_values(kg, name: str, parameter: str) -> list[str]:
    """Every value the parameter takes in the corpus: each instance of its class."""
    catalogue = Catalogue()
    return catalogue.allowed_values(kg, catalogue.get(name).parameters[parameter])


def test_case_evidence_answers_as_its_plain_form_for_every_case_of_the_corpus(corpus):
    cases = corpus_values(corpus, "case-evidence", "case")
    assert len(cases) >= 3
    rows = {case: same_answers(corpus_runner(corpus), "case-evidence", {"case": case}) for case in cases}
    assert rows["lirendong"] > 0  # the comparison covers a case with facts, not only empty answers


def test_case_evidence_answers_as_its_plain_form_on_synthetic_papers(synthetic):
    rows = [same_answers(synthetic_runner(synthetic), "case-evidence", {"case": f"case-{n}"}) for n in range(6)]
    assert sum(rows) > 0


def test_concept_citations_answer_as_their_plain_form_for_every_concept_and_mapping(corpus):
    concepts = corpus_values(corpus, "concept-citations", "concept")
    assert len(concepts) >= 20
    rows = {
        (concept, mappings): same_answers(
            corpus_runner(corpus), "concept-citations", {"concept": concept, "mappings": mappings}
        )
        for concept in concepts
        for mappings in MAPPINGS
    }
    assert rows["network-urbanism", "none"] > 0
    # Some concept is cited through a mapping only: the mapping branch is compared on rows.
    assert any(rows[c, "all"] > rows[c, "none"] for c in concepts)


def test_concept_citations_answer_as_their_plain_form_on_synthetic_papers(synthetic):
    for concept in ["c-0-0", "c-3-1", "c-11-7"]:
        for mappings in MAPPINGS:
            rows = same_answers(
                synthetic_runner(synthetic), "concept-citations", {"concept": concept, "mappings": mappings}
            )
            assert rows > 0


def test_intent_counts_answer_as_their_plain_form(corpus, synthetic):
    assert same_answers(corpus_runner(corpus), "intent-counts", {}) > 0
    assert same_answers(synthetic_runner(synthetic), "intent-counts", {}) > 10


def test_stakeholder_relations_answer_as_their_plain_form_for_every_case(corpus, synthetic):
    cases = corpus_values(corpus, "stakeholder-relations", "case")
    rows = {case: same_answers(corpus_runner(corpus), "stakeholder-relations", {"case": case}) for case in cases}
    assert rows["lirendong"] > 10
    # Synthetic cases 1-3 are linked (sameCaseAs, partOfCase): their relations are each other's too.
    synthetic_rows = [
        same_answers(synthetic_runner(synthetic), "stakeholder-relations", {"case": f"case-{n}"}) for n in range(15)
    ]
    assert all(n > 0 for n in synthetic_rows)
