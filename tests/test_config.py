"""Where IRIs are minted: URBANKG_BASE moves what urbankg mints, never the ontology's published terms."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rdflib import Graph, URIRef

from urbankg import config


def values_under(base: str) -> dict[str, str]:
    script = (
        "import json; from urbankg import config; "
        "print(json.dumps({n: getattr(config, n) for n in ('ONTOLOGY_NS', 'ID_BASE', 'GRAPH_BASE', 'WRITE_BASE')}))"
    )
    env = {**os.environ, "URBANKG_BASE": base}
    return json.loads(
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    )


def test_another_base_moves_minted_iris_and_keeps_the_ontologys_terms():
    moved = values_under("https://example.org/kg/")
    assert moved["ID_BASE"] == "https://example.org/kg/id/"
    assert moved["GRAPH_BASE"] == "https://example.org/kg/graph/"
    assert moved["WRITE_BASE"].startswith("https://example.org/kg/")
    assert moved["ONTOLOGY_NS"] == config.ONTOLOGY_NS


def test_the_ontology_file_defines_its_terms_in_the_namespace_the_code_uses():
    ontology = Graph().parse(config.ontology_file())
    for term in ("Case", "graph", "triplesBefore", "StakeholderRole"):
        assert (URIRef(config.ONTOLOGY_NS + term), None, None) in ontology, term
