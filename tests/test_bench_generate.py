"""The benchmark's synthetic literature: deterministic, skewed, and in urbankg's vocabulary."""

import io
import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402


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
