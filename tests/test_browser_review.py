"""Adding a paper the corpus does not hold, from its PDF, in Chromium (issue 18's done-when):
upload, review (accept one concept, reject one, change one citation's reference, add a claim
and a fact by selecting text, a fact of 130 % refused at its field first), load, then find the
paper on its page and in `urbankg ask concept-citations`, and its saved YAML valid for
`urbankg validate`.

Skips locally when Chromium or Playwright is absent ([component]); CI turns that into a failure.
"""

from __future__ import annotations

import pytest

from endpoint import TOKEN
from review_paper import CLAIM, RECORD, SELECT, make_pdf
from serving import served
from test_browser import browser  # noqa: F401 (the Chromium fixture)
from test_cli import run
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.settings import Settings

pytest.importorskip("fpdf", reason="[component] fpdf2 makes the paper's PDF (pip install fpdf2)")

SLUG = "huang-2023"
FACT = "the share of households selling online rose from 12 percent in 2015 to 38 percent in 2019"


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-review")
    kg = KnowledgeGraph.open(folder / "store")
    kg.ensure_bundled()
    app = create_app(kg, Settings(token=TOKEN, workers=1, annotations=folder / "annotations"))
    with served(app) as url:
        yield url, folder
    kg.close()


def press(page, button) -> None:
    """Click a button that submits a form, and wait for the page it answers with."""
    with page.expect_navigation():
        button.click()


def citation(page, words: str):
    """The section of the citation whose sentence holds ``words``."""
    return page.locator("section.citation", has=page.locator("blockquote.sentence", has_text=words))


def select(page, words: str) -> None:
    assert page.evaluate(SELECT, [words]), f"'{words}' is not in the paper's text on the page"


def test_a_scholar_adds_a_pdf_reviews_it_and_finds_it(browser, intake, tmp_path):  # noqa: F811
    url, folder = intake
    pdf = make_pdf(tmp_path / "county-shops.pdf")
    page = browser.new_page()
    page.goto(url + "/papers/new")
    page.set_input_files("input[name=paper]", str(pdf))
    page.set_input_files("input[name=metadata]", str(RECORD))
    page.fill("input[name=token]", TOKEN)
    page.click("button:text('Draft the annotation')")
    page.wait_for_selector("#review", timeout=60000)
    press(page, page.locator("#review"))
    assert "waiting for review" in page.inner_text("main")

    # citations: accept one suggested concept, reject another, change a citation's reference
    # (which concepts are suggested is the linker's business: the test takes what it offers)
    press(page, page.locator("nav.review-steps >> text=Citations"))
    brenner = citation(page, "planetary urbanisation")
    offered = brenner.locator("li.suggested[data-concept^='concept/']").first
    accepted = offered.get_attribute("data-concept")
    press(page, offered.locator("button:text('Accept')"))
    brenner = citation(page, "planetary urbanisation")
    assert brenner.locator(f"li.accepted[data-concept='{accepted}']").count() == 1
    wang = citation(page, "Poverty alleviation")
    offered = wang.locator("li.suggested").first
    rejected = offered.get_attribute("data-concept")
    press(page, offered.locator("button:text('Reject')"))
    wang = citation(page, "Poverty alleviation")
    assert wang.locator(f"[data-concept='{rejected}']").count() == 0
    chen = citation(page, "County towns gain logistics parks")
    chen.locator("select[name=denotes]").select_option([f"reference/{SLUG}/lin-2019"])
    press(page, chen.locator("button:text('Change the reference')"))
    chen = citation(page, "County towns gain logistics parks")
    assert chen.locator(".act[data-work='work/lin-2019']").count() == 1
    assert chen.locator(".act[data-work='work/chen-2021']").count() == 0

    # a claim, by selecting its sentence in the paper's text
    press(page, page.locator("nav.review-steps >> text=Claims"))
    select(page, CLAIM)
    assert page.input_value("#claim-form textarea[name=quote]") == CLAIM
    page.select_option("#claim-form select[name=stance]", "supports")
    page.fill("#claim-form input[name=target]", "concept/e-urbanism")
    press(page, page.locator("#add-claim"))
    assert CLAIM in page.inner_text("ul.claims") and "supports" in page.inner_text("ul.claims")

    # a fact, by selecting its number: first mistyped as 130 %, refused at the field
    press(page, page.locator("nav.review-steps >> text=Facts"))
    select(page, "38")
    assert page.input_value("#fact-form input[name=value]") == "38"
    assert FACT in page.input_value("#fact-form textarea[name=quote]")
    page.fill("#fact-form input[name=value]", "130")
    page.select_option("#fact-form select[name=unit]", "percent")
    page.fill("#fact-form input[name=new_measure]", "share of households selling online")
    page.fill("#fact-form input[name=period]", "2019")
    page.fill("#fact-form input[name=place]", "place/china")
    files_before = {p.name: p.read_text() for p in (folder / "annotations" / SLUG).glob("*.yaml")}
    press(page, page.locator("#add-fact"))
    error = page.locator("#fact-form .field-error[data-field=value]")
    assert "between 0 and 100" in error.inner_text()
    assert {p.name: p.read_text() for p in (folder / "annotations" / SLUG).glob("*.yaml")} == files_before
    page.fill("#fact-form input[name=value]", "38")
    press(page, page.locator("#add-fact"))
    assert "share-of-households-selling-online-2019" in page.inner_text("table.facts")

    # load, then the paper's page
    press(page, page.locator("nav.review-steps >> text=Overview"))
    press(page, page.locator("#load"))
    assert "loaded" in page.inner_text("#loaded-notice")
    press(page, page.locator("#loaded"))
    assert "Online shops and the county town" in page.inner_text("main")

    # the command line sees it (beside the server, read-only), and the saved files are valid
    store = folder / "store"
    cited = run(store, "ask", "concept-citations", "--concept", accepted.removeprefix("concept/")).stdout
    assert SLUG in cited
    if rejected.startswith("concept/") and rejected != accepted:
        assert SLUG not in run(store, "ask", "concept-citations", "--concept", rejected.removeprefix("concept/")).stdout
    validated = run(store, "validate", folder / "annotations" / SLUG)
    assert "valid" in validated.stderr
