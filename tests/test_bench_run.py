"""bench/run.py's load step: the synthetic literature and the ontology land in the store the
server is timed on, through the CLI a deployment uses."""

import sys
from pathlib import Path

import pyoxigraph as ox

from urbankg import config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402
import run  # noqa: E402


def test_cli_bulk_load_holds_the_literature_and_the_ontology(tmp_path):
    data = tmp_path / "lit-40.nt"
    with data.open("w", encoding="utf-8") as out:
        generate.generate(40, 1, out, progress=False)
    seconds = run.cli_bulk_load(data, tmp_path / "store")
    assert seconds > 0
    store = ox.Store.read_only(str(tmp_path / "store"))
    paper = ox.NamedNode(config.ID_BASE + "work/p-0")
    assert any(store.quads_for_pattern(paper, None, None, None)), "no synthetic paper in the store"
    # The ontology grounds concepts in the bundled corpus's works, which the synthetic
    # literature lacks: a validated load would refuse it, and the queries' class checks need it.
    case_class = ox.NamedNode(config.ONTOLOGY_NS + "Case")
    owl_class = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert any(store.quads_for_pattern(case_class, rdf_type, owl_class, None)), "the ontology was not loaded"
