"""The query editor's server side over real HTTP: the parser's position of an error, the
prefixes the editor starts with (one per kind of id, so case:yushatan is SPARQL), its names."""

from __future__ import annotations

import re
import time

import pytest
import requests

from canary import canary  # noqa: F401 (a fixture)
from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.query_check import ID_KINDS
from urbankg.server.settings import Settings

pytestmark = pytest.mark.slow  # a bundled store and a server: about 10 s


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("editor") / "store")
    kg.ensure_bundled()
    with served(create_app(kg, Settings(workers=1))) as url:
        yield url
    kg.close()


def check(base_url: str, query: str) -> dict:
    response = requests.post(base_url + "/query/check", data={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def run(base_url: str, query: str) -> list[dict]:
    response = requests.post(
        base_url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_an_error_is_given_at_its_line_and_column(base_url):
    # The old editor's id: prefix: a slash may not stand in a local name; the engine stops after it.
    answer = check(base_url, f"PREFIX id: <{config.ID_BASE}>\nSELECT * WHERE {{\n  id:case/yushatan ?p ?o }}")
    assert answer["valid"] is False
    assert (answer["line"], answer["column"]) == (3, 11)
    assert answer["message"].startswith("error at 3:11")


def test_an_error_the_checking_parser_refuses_gets_the_engines_position(base_url):
    answer = check(base_url, "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?s = }")
    assert answer["valid"] is False
    assert answer["line"] == 3
    assert answer["column"] >= 14


def test_a_well_formed_query_is_valid_and_never_run(base_url, canary):  # noqa: F811 (the fixture)
    assert check(base_url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1") == {
        "valid": True,
        "line": None,
        "column": None,
        "message": None,
    }
    # An ASK with SERVICE is evaluated at once by the engine: the check must not call out.
    # The canary fails the test at teardown if anything reached it.
    assert check(base_url, f"ASK {{ SERVICE <{canary.url}/ask> {{ ?s ?p ?o }} }}")["valid"] is True
    assert check(base_url, f"ASK {{ SERVICE <{canary.url}/bad> {{ ?s ?p ?o }}")["valid"] is False
    assert check(base_url, "  ")["valid"] is False


def test_a_check_evaluates_nothing(base_url):
    # The engine evaluates an ASK, an aggregate or an ORDER BY as it parses them: with 400
    # values each these took 9 to 30 s on an empty store, cross products of VALUES with no data
    # at all. With 1,000 each (15x the rows) evaluating would take minutes, so the bound below
    # leaves a busy machine room without letting an evaluation through.
    values = " ".join(str(n) for n in range(1000))
    body = f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} FILTER(?a + ?b + ?c = -1)"
    started = time.monotonic()
    for form in ("ASK {{ {} }}", "SELECT (COUNT(*) AS ?n) WHERE {{ {} }}", "SELECT * {{ {} }} ORDER BY ?a"):
        assert check(base_url, form.format(body))["valid"] is True
    assert time.monotonic() - started < 20


def test_the_default_prefixes_make_every_kind_of_id_a_prefixed_name(base_url):
    page = requests.get(base_url + "/query", timeout=30).text
    for kind in ID_KINDS:
        assert f"PREFIX {kind}: &lt;{config.ID_BASE}{kind}/&gt;" in page
    assert "PREFIX id:" not in page
    rows = run(base_url, f"PREFIX case: <{config.ID_BASE}case/>\nSELECT * WHERE {{ case:yushatan ?p ?o }}")
    assert len(rows) >= 5
    assert {"type": "uri", "value": config.ID_BASE + "place/yushatan"} in [r["o"] for r in rows]


def test_an_id_with_a_second_slash_is_written_with_an_escape(base_url):
    # claim:lin-2019/x is no SPARQL; the local part may carry the slash escaped (PN_LOCAL_ESC).
    claims = run(
        base_url, f"SELECT ?c WHERE {{ ?c a ?t FILTER(STRSTARTS(STR(?c), '{config.ID_BASE}claim/lin-2019/')) }} LIMIT 1"
    )
    local = claims[0]["c"]["value"].removeprefix(config.ID_BASE + "claim/")
    assert "/" in local
    prologue = f"PREFIX claim: <{config.ID_BASE}claim/>\n"
    assert check(base_url, prologue + f"SELECT * WHERE {{ claim:{local} ?p ?o }}")["valid"] is False
    escaped = local.replace("/", "\\/")
    assert check(base_url, prologue + f"SELECT * WHERE {{ claim:{escaped} ?p ?o }}")["valid"] is True
    assert run(base_url, prologue + f"SELECT * WHERE {{ claim:{escaped} ?p ?o }}")


def test_the_editor_is_offered_ontology_terms_and_prefixes(base_url):
    answer = requests.get(base_url + "/query/terms", timeout=30).json()
    names = {t["name"] for t in answer["terms"]}
    assert {"ukg:Case", "ukg:caseOf", "ukg:Framework"} <= names
    assert answer["prefixes"]["case"] == config.ID_BASE + "case/"
    assert answer["prefixes"]["ukg"] == config.ONTOLOGY_NS
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", p) for p in answer["prefixes"])
