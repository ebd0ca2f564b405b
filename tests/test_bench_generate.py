"""The benchmark's synthetic literature: deterministic, skewed, and in urbankg's vocabulary."""

import io
import sys
from pathlib import Path

import pyoxigraph as ox

from canned import ask
from urbankg import config
from urbankg.graph import KnowledgeGraph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402

ID = generate.ID


def make(papers: int, seed: int = 1) -> str:
    out = io.StringIO()
    generate.generate(papers, seed, out, progress=False)
    return out.getvalue()


def test_same_seed_same_graph_other_seed_other_graph():
    assert make(60) == make(60)
    assert make(60) != make(60, seed=2)


def test_citations_are_skewed_and_canned_query_shapes_answer():
    store = ox.Store()
    store.load(make(300).encode(), format=ox.RdfFormat.N_TRIPLES)
    counts = [
        int(r["n"].value)
        for r in store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?r <http://purl.org/spar/biro/references> ?w } "
            "GROUP BY ?w ORDER BY DESC(?n)"
        )
    ]
    assert counts[0] > 10 * counts[len(counts) // 2]  # a few works take a large share of citations
    acts = store.query(
        "ASK { ?a <https://w3id.org/urbankg/ontology#citedForConcept> ?c ; "
        "<http://purl.org/spar/cito/hasCitationCharacterization> ?i }"
    )
    assert bool(acts)


def test_stakeholders_and_power_relations_are_annotated_as_the_corpus_and_answer_the_canned_query(tmp_path):
    """Each case has a handful of stakeholders and a few relations among them, valid under the
    shapes an annotation meets, and stakeholder-relations answers them through the catalogue."""
    data = tmp_path / "lit-300.nt"
    data.write_text(make(300), encoding="utf-8")
    kg = KnowledgeGraph.open(tmp_path / "store")
    try:
        kg.bulk_load(config.ontology_file())
        kg.bulk_load(data)
        counts = kg.query(
            "PREFIX ukg: <https://w3id.org/urbankg/ontology#> "
            "SELECT ?case (COUNT(DISTINCT ?s) AS ?stakeholders) (COUNT(DISTINCT ?r) AS ?relations) "
            "WHERE { ?s ukg:stakeholderIn ?case OPTIONAL { ?r ukg:relationFrom ?s } } GROUP BY ?case"
        )
        per_case = [(int(s["stakeholders"].value), int(s["relations"].value)) for s in counts]
        assert len(per_case) == 15  # every case of 300 papers
        assert all(3 <= stakeholders <= 7 and 1 <= relations <= 6 for stakeholders, relations in per_case)

        rows = [row for n in range(15) for row in ask(kg, "stakeholder-relations", case=f"case-{n}")]
        assert len(rows) >= 30
        assert all(row["from_label"] and row["to_role"] and row["relation_label"] and row["quote"] for row in rows)
        assert {row["asserted_by"].rsplit("#", 1)[1] for row in rows} == {"StatedByPaper", "InferredByAnnotator"}
        # Relations that name no case, shared stakeholders and stakeholders of no case all occur.
        shared = kg.query(
            "PREFIX ukg: <https://w3id.org/urbankg/ontology#> ASK { ?s ukg:stakeholderIn ?a , ?b FILTER(?a != ?b) }"
        )
        caseless = kg.query(
            "PREFIX ukg: <https://w3id.org/urbankg/ontology#> "
            "ASK { ?r ukg:relationFrom ?s FILTER NOT EXISTS { ?s ukg:stakeholderIn ?c } }"
        )
        assert bool(shared) and bool(caseless)
        assert len({row["relation"] for row in rows if row["description"]}) > 5

        annotated = tmp_path / "stakeholders.nt"
        lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
        annotated.write_text(
            "".join(line for line in lines if line.startswith(("<" + ID + "stakeholder/", "<" + ID + "relation/")))
        )
        assert kg.validate([annotated]) == []
    finally:
        kg.close()
