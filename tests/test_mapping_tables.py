"""docs/annotating.md: its generated parts are in step, and its worked example validates and loads."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from rdflib import Namespace

from urbankg.graph import KnowledgeGraph
from urbankg.loaders.annotation_mapping import load_mapping

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLE = DOCS / "examples" / "worked-example.yaml"
ID = Namespace("https://w3id.org/urbankg/id/")


def _tables():
    spec = importlib.util.spec_from_file_location("mapping_tables", DOCS / "mapping_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guide_is_in_step_with_the_mapping_and_the_example():
    guide = (DOCS / "annotating.md").read_text(encoding="utf-8")
    assert _tables().render(guide) == guide, "run: python docs/mapping_tables.py"
    assert EXAMPLE.read_text(encoding="utf-8") in guide


def test_the_key_tables_name_every_key_of_every_kind():
    block = _tables().keys_block(load_mapping())
    for name, node in load_mapping().nodes.items():
        section = block.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        rows = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))
        assert rows == {"id", *node.fields}, name


def test_the_worked_example_validates_and_loads():
    kg = KnowledgeGraph.in_memory()
    try:
        assert kg.validate([EXAMPLE]) == []
        report = kg.load([EXAMPLE])
        assert report.triples > 80
        rows = list(
            kg.query(
                "SELECT ?value WHERE { GRAPH ?g { ?o <https://w3id.org/urbankg/ontology#aboutCase> "
                f"<{ID['case/hetang']}> ; <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?value }} }}"
            )
        )
        assert sorted(float(r["value"].value) for r in rows) == [33.3, 140.0]
    finally:
        kg.close()
