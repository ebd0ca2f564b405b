"""The paper page's citation network in a real browser (Chromium via Playwright): choosing a
concept hides the works not cited for it, and hovering over a node lights its lines.

Skips locally when Chromium or Playwright is absent ([component]); CI installs both and
turns such a skip into a failure (see conftest.py).
"""

from urllib.parse import quote

import pytest

from serving import served
from test_browser import browser  # noqa: F401
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app

pytestmark = pytest.mark.slow  # Chromium, as test_browser.py

VISIBLE_WORKS = "#citation-network g.work:not(.hidden)"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    kg.ensure_bundled()
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def test_filtering_lin_2019_by_a_concept_drops_nodes_and_hover_lights_edges(browser, base_url):  # noqa: F811
    page = browser.new_page()
    page.goto(base_url + "/papers/lin-2019")
    whole = page.locator(VISIBLE_WORKS).count()
    assert whole >= 30

    concept = page.locator('select[name="concept"]')
    token = concept.locator("option").nth(1).get_attribute("value")
    concept.select_option(token)  # the script filters in place: no page load
    shown = page.locator(VISIBLE_WORKS).count()
    assert 0 < shown < whole
    assert f"{shown} of {whole} cited works shown" in page.inner_text("#network-count")
    assert page.locator(f'#citation-network g.concept:not(.hidden)[data-concept="{token}"]').count() == 1
    assert (
        page.locator("#citation-network .edge:not(.hidden)").count()
        == page.locator(f'#citation-network .edge[data-concept="{token}"]').count()
    )
    assert "concept=" + quote(token, safe="") in page.url  # the filtered view can be shared

    work = page.locator(VISIBLE_WORKS).first
    key = work.get_attribute("data-work")
    work.hover()
    lit = page.locator("#citation-network .edge.lit")
    assert lit.count() >= 1
    assert all(edge.get_attribute("data-work") == key for edge in lit.all())
    assert "focus" in (page.locator("#citation-network").get_attribute("class") or "")
    page.mouse.move(5, 5)
    assert page.locator("#citation-network .edge.lit").count() == 0

    concept.select_option("")
    assert page.locator(VISIBLE_WORKS).count() == whole
    page.close()
