"""docs/querying.md: every ```sparql block runs on the bundled store and gives at least one row;
its picture is the one docs/model_picture.py draws."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from urbankg.graph import KnowledgeGraph

pytestmark = pytest.mark.slow  # a bundled store and 21 queries: about 10 s

DOCS = Path(__file__).parent.parent / "docs"
GUIDE = DOCS / "querying.md"
BLOCKS = re.findall(r"^```sparql\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("guide") / "store")
    kg.ensure_bundled()
    yield kg
    kg.close()


def test_the_guide_has_its_queries():
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("number", range(len(BLOCKS)), ids=lambda n: f"block-{n + 1}")
def test_each_query_of_the_guide_gives_rows(kg, number):
    result = kg.query(BLOCKS[number])
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert rows, f"block {number + 1} of docs/querying.md gives no row:\n{BLOCKS[number]}"
    # Every variable the query selects is bound in some row: a misspelt property leaves one empty.
    for variable in result.variables:
        assert any(row[variable] is not None for row in rows), f"?{variable.value} is never bound in block {number + 1}"


def test_the_picture_is_the_one_the_script_draws():
    spec = importlib.util.spec_from_file_location("model_picture", DOCS / "model_picture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    picture = module.picture()
    assert (DOCS / "images" / "model.svg").read_text(encoding="utf-8") == picture
    for kind in (
        "fabio:Work",
        "biro:BibliographicReference",
        "c4o:InTextReferencePointer",
        "cito:Citation",
        "skos:Concept",
        "ukg:Framework",
        "mp:Claim",
        "ukg:Case",
        "schema:Place",
        "ukg:Stakeholder",
        "qb:Observation",
    ):
        assert f">{kind}</text>" in picture
    assert "images/model.svg" in GUIDE.read_text(encoding="utf-8")
