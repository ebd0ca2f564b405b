"""A case page and the map in a real browser (Chromium via Playwright, issue 19 items 1 and
2): the facts table with values and units in words and the case's map; /map zoomed in with
its button, a case's point clicked, its page opened.

Skips locally when Chromium or Playwright is absent ([component]); CI installs both and
turns such a skip into a failure (see conftest.py).
"""

import pytest

from serving import served
from test_browser import browser  # noqa: F401
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app

pytestmark = pytest.mark.slow  # Chromium, as test_browser.py


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    kg.ensure_bundled()
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def view_box(page) -> list[float]:
    return [float(v) for v in page.locator("svg.map").first.get_attribute("viewBox").split()]


def test_a_case_page_shows_its_facts_in_words_and_its_map(browser, base_url):  # noqa: F811
    page = browser.new_page()
    page.goto(base_url + "/id/case/lirendong")
    facts = page.locator("#facts")
    facts.wait_for()
    headers = facts.locator("thead th").all_inner_texts()
    assert headers[:4] == ["Measure", "Value", "Qualifier", "Period"]
    values = facts.locator("td.value").all_inner_texts()
    assert "25 percent" in values and "20 people" in values
    assert "2015–2016" in facts.locator("td.period").all_inner_texts()
    share = facts.locator("tr", has_text="25 percent")
    assert "share of a planned area under construction" in share.inner_text()
    assert "a quarter of the new village was under construction" in share.inner_text()
    # its map: the village's point, visible, inside the drawn map
    point = page.locator("svg.map a.marker[href='/id/place/lirendong'] circle")
    assert point.is_visible()
    box = point.bounding_box()
    frame = page.locator("svg.map").bounding_box()
    assert frame["height"] > 200
    assert frame["x"] < box["x"] < frame["x"] + frame["width"] and frame["y"] < box["y"] < frame["y"] + frame["height"]
    page.close()


def test_the_map_zooms_in_and_a_case_point_opens_the_case(browser, base_url):  # noqa: F811
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base_url + "/map")
    page.locator("svg.map").wait_for()
    assert page.locator("svg.map path.province").count() == 31
    before = view_box(page)
    for _ in range(2):
        page.locator(".map-controls button[data-zoom='in']").click()
    after = view_box(page)
    assert after[2] == pytest.approx(before[2] / 4, rel=0.01), (before, after)
    # The map opens on China with Daji Town's case at Cao County; pan there by dragging until it
    # is in view, as a reader would: the point's screen position tells where to drag.
    case = page.locator("svg.map a.marker.case[href='/id/case/daji-town'] circle")
    frame = page.locator("svg.map").bounding_box()
    for _ in range(8):
        box = case.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        middle = (frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)
        if (
            frame["x"] + 20 < cx < frame["x"] + frame["width"] - 60
            and frame["y"] + 20 < cy < frame["y"] + frame["height"] - 20
        ):
            break
        dx = max(-frame["width"] / 3, min(frame["width"] / 3, middle[0] - cx))
        dy = max(-frame["height"] / 3, min(frame["height"] / 3, middle[1] - cy))
        page.mouse.move(*middle)
        page.mouse.down()
        page.mouse.move(middle[0] + dx, middle[1] + dy, steps=8)
        page.mouse.up()
    assert view_box(page)[2] == pytest.approx(after[2]), "dragging pans, it does not zoom"
    # the tooltip names the case
    assert "Daji Town" in case.locator("title").text_content()
    with page.expect_navigation():
        case.click()
    assert page.url.endswith("/id/case/daji-town")
    assert "Daji Town" in page.inner_text("h1")
    page.close()
