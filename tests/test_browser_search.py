"""The search box of every page in a real browser (Chromium via Playwright): type-ahead over
/search, Enter or a click opens the hit's page, and without JavaScript the box submits to the
search page.

Skips locally when Chromium or Playwright is absent ([component]); CI installs both and
turns such a skip into a failure (see conftest.py).
"""

import pytest

from serving import served
from test_browser import CHROMIUM, CHROMIUM_ARGS
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app

pytestmark = pytest.mark.slow  # Chromium, as test_browser.py


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("[component] chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("[component] playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    kg.ensure_bundled()
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def test_three_letters_list_the_concept_and_enter_opens_its_page(browser, base_url):
    page = browser.new_page()
    page.goto(base_url + "/frameworks")
    page.locator("#site-search-q").press_sequentially("e-c", delay=50)
    first = page.locator("#site-search-hits li[data-href]").first
    first.wait_for()
    assert first.locator(".hit-label").inner_text() == "e-commerce"
    assert first.locator(".hit-kind").inner_text() == "concept"
    assert first.get_attribute("aria-selected") == "true"
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/id/concept/e-commerce")
    assert page.inner_text("h1") == "e-commerce"
    page.close()


def test_the_list_shows_the_alternative_label_that_matched_and_a_click_opens_the_hit(browser, base_url):
    page = browser.new_page()
    page.goto(base_url + "/")
    page.locator("#site-search-q").press_sequentially("in-situ urbanisation", delay=20)
    hit = page.locator("#site-search-hits li", has_text="rural development and poverty alleviation")
    hit.wait_for()
    assert hit.locator(".hit-matched").inner_text() == "in-situ urbanization"
    page.locator("#site-search-q").press("ArrowDown")  # the second hit: the list wraps, so it moves
    assert page.locator("#site-search-hits li[aria-selected=true]").count() == 1
    hit.click()
    page.wait_for_url("**/id/concept/rural-development")
    page.close()


def test_without_javascript_the_box_submits_to_the_search_page(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    page.fill("#site-search-q", "in-situ urbanisation")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search?q=in-situ+urbanisation")
    assert page.locator("#hits a[href='/id/concept/rural-development']").count() == 1
    context.close()
