"""The HTML documentation of the ontology (pyLODE), built offline."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from urbankg.ontology_docs import DocsError, build_docs

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "urbankg.ttl"


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("docs") / "sub" / "ontology.html"
    assert build_docs(ONTOLOGY, out) == out
    return out.read_text(encoding="utf-8")


def test_html_is_produced_with_the_ontology_title(page):
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<title>urbankg ontology</title>" in page


def test_classes_and_properties_are_documented(page):
    for label in ("Framework", "Case", "Informant", "Power relation", "cited for concept", "assertion status"):
        assert label in page, label
    assert "https://w3id.org/urbankg/ontology#citedForConcept" in page


def test_frameworks_concepts_measures_and_units_are_documented(page):
    for label in (
        "Planetary urbanisation",
        "differential urbanisation",
        "Lefebvre&#x27;s spatial triad",
        "ICT infrastructure and production networks",
        "collective production practices",
        "mobile Internet era",
        "indigenous villagers",
        "rents housing to",
        "number of Taobao villages",
        "yuan per month",
    ):
        assert label in page, label
    assert 'id="concept-borrowed-size"' in page and 'href="#concept-borrowed-size"' in page
    assert 'href="#frameworks"' in page  # in the table of contents


def test_the_page_needs_nothing_from_the_network(page):
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page)


def test_building_leaves_the_root_logger_alone(tmp_path):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    build_docs(ONTOLOGY, tmp_path / "o.html")
    assert root.handlers == handlers and root.level == level


def test_an_unparsable_ontology_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix : <x> .\n: a", encoding="utf-8")
    with pytest.raises(DocsError, match="does not parse"):
        build_docs(broken, tmp_path / "o.html")
