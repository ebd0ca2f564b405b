"""The query editor in Chromium: completion of a prefix, an id from the store and an ontology
term; the parser's error marked at its line and column; history; the share link."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from serving import served
from test_browser import browser  # noqa: F401 (a fixture)
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.settings import Settings

pytestmark = pytest.mark.slow  # Chromium through Playwright


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("editor") / "store")
    kg.ensure_bundled()
    with served(create_app(kg, Settings(workers=1))) as url:
        yield url
    kg.close()


def offered(page, kind: str, name: str):
    item = page.locator(f"#completion li[data-kind={kind}]", has_text=name).first
    item.wait_for(state="visible", timeout=10000)
    return item


def test_a_scholar_writes_a_query_with_the_editors_help(browser, base_url):  # noqa: F811 (the fixture)
    page = browser.new_page()
    page.goto(base_url + "/query")
    page.wait_for_function("document.querySelector('.editor-highlight .tok-keyword') !== null")
    page.wait_for_selector(".editor[data-names=loaded]", state="attached", timeout=30000)
    page.fill("#query", "")
    page.click("#query")

    # A prefix: typed "cas", offered "case:", declared on acceptance.
    page.keyboard.type("SELECT ?p ?o WHERE { cas")
    offered(page, "prefix", "case:")
    page.keyboard.press("Enter")
    value = page.input_value("#query")
    assert value.startswith(f"PREFIX case: <{config.ID_BASE}case/>\n")
    assert value.endswith("WHERE { case:")

    # An id from the store, through the search API.
    page.keyboard.type("yusha")
    offered(page, "id", "case:yushatan")
    page.keyboard.press("Enter")
    assert page.input_value("#query").endswith("{ case:yushatan")

    # An ontology term, from the ontology in the store; ukg: gets declared too.
    page.keyboard.type(" a ukg:Ca")
    term = offered(page, "term", "ukg:Case")
    assert "class" in term.inner_text()
    page.locator("#completion li", has_text="ukg:Case").first.click()
    page.keyboard.type(" ; ?p ?o }")
    value = page.input_value("#query")
    assert "PREFIX ukg: <https://w3id.org/urbankg/ontology#>\n" in value
    assert value.endswith("{ case:yushatan a ukg:Case ; ?p ?o }")
    assert page.locator(".editor-highlight .tok-pname", has_text="case:yushatan").count() == 1

    # A well-formed query: no mark, and it runs.
    page.wait_for_function("document.getElementById('editor-message').textContent === ''")
    assert page.locator(".editor-error").count() == 0
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    written = page.input_value("#query")

    # An error, marked where the engine's parser stops: line 3, column 11.
    page.fill("#query", f"PREFIX id: <{config.ID_BASE}>\nSELECT * WHERE {{\n  id:case/yushatan ?p ?o }}")
    mark = page.locator(".editor-error[data-line='3'][data-column='11']")
    mark.wait_for(timeout=10000)
    assert mark.inner_text().startswith("yushatan")
    assert page.inner_text("#editor-message").startswith("Line 3, column 11:")

    # The share link reopens the query as it stands.
    link = page.get_attribute("#share-link", "href")
    page.goto(base_url + link)
    assert page.input_value("#query").endswith("id:case/yushatan ?p ?o }")
    assert urlsplit(page.url).path == "/query"

    # History keeps the query that ran, across pages.
    page.goto(base_url + "/query")
    option = page.locator("#history option", has_text="case:yushatan a ukg:Case")
    assert option.count() == 1
    page.select_option("#history", value=option.get_attribute("value"))
    assert page.input_value("#query") == written
    page.close()
