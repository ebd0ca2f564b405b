"""The UI in a real browser: Debian's headless Chromium driven by Playwright.

Skips locally when Chromium or Playwright is absent ([component]); CI installs both and
turns such a skip into a failure (see conftest.py).
"""

import shutil
from pathlib import Path

import pytest

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.validation import Validator

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium must not reach for Google's hosts: this machine has no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    data = Path(__file__).parent / "data"
    kg = KnowledgeGraph(
        OxigraphStore(tmp_path_factory.mktemp("store")),
        Validator(data / "rdf" / "shapes.ttl", Path("/nonexistent.ttl")),
    )
    kg.load([data / "ui" / "mini.ttl"])
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def test_a_scholar_browses_queries_compares_and_validates(browser, base_url):
    page = browser.new_page()
    page.goto(base_url + "/")
    assert "The literature of urbanisation" in page.inner_text("h1")

    # Run a query from the editor and see the rows.
    page.click("text=Query")
    page.fill(
        "#query",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?concept ?label WHERE { ?concept a skos:Concept ; skos:prefLabel ?label } ORDER BY ?label",
    )
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    assert page.locator("#result-table tbody tr").count() == 2
    assert "2 rows" in page.inner_text("#status")

    # Follow a result link to the resource page.
    page.click("#result-table a:text('concept/alpha-one')")
    page.wait_for_selector("h1:text('Alpha one')")
    assert "/id/concept/alpha-one" in page.url

    # Open a framework page and find the picture.
    page.goto(base_url + "/frameworks/alpha")
    picture = page.locator("figure svg")
    assert picture.count() == 1 and picture.is_visible()
    assert "Beta one" in picture.inner_html()

    # Validate a broken annotation and see its line number.
    page.goto(base_url + "/validate")
    page.select_option("select[name=suffix]", ".ttl")
    page.fill("#annotation", "@prefix ex: <https://example.org/> .\n\nex:v a ex:Village ;\n    ex:onlineShops 3 .\n")
    page.click("#validate-button")
    page.wait_for_selector(".report")
    assert "line 3: ex:v: A village needs a name" in page.inner_text(".report")
    assert page.locator("tr.has-problem#L3").count() == 1
    page.close()


def test_query_errors_are_shown_in_place(browser, base_url):
    page = browser.new_page()
    page.goto(base_url + "/query")
    page.fill("#query", "SELECT ?x WHERE { ?x")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error").strip()
    page.close()


def test_construct_results_show_as_turtle(browser, base_url):
    page = browser.new_page()
    page.goto(base_url + "/query")
    page.fill(
        "#query",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a skos:Concept ; skos:prefLabel ?l }",
    )
    page.click("#run")
    page.wait_for_selector("#results pre")
    assert page.inner_text("#status") == "Graph result."
    assert '"Alpha one"' in page.inner_text("#results pre") and '"Beta one"' in page.inner_text("#results pre")
    page.close()


def test_a_script_iri_in_a_result_is_text_and_clicking_it_runs_nothing(browser, base_url):
    """Issue 21, finding 5: IRI("javascript:...") in a result was a link that ran on this origin."""
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url + "/query")
    page.fill(
        "#query",
        'SELECT ?a ?b ?c ?d ?e WHERE { BIND(IRI("javascript:window.ran=1;alert(1)") AS ?a) '
        'BIND(IRI("JaVaScRiPt:window.ran=2;alert(2)") AS ?b) BIND(IRI("vbscript:msgbox(3)") AS ?c) '
        'BIND(IRI("data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==") AS ?d) '
        'BIND(IRI("https://example.org/fine") AS ?e) }',
    )
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert page.locator("#result-table a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "https://example.org/fine"
    ]
    before = page.url
    for column in range(1, 5):
        cell = page.locator(f"#result-table tbody tr td:nth-child({column})")
        assert cell.locator("a").count() == 0 and cell.locator("span.iri").count() == 1
        cell.locator("span.iri").click()
    page.wait_for_timeout(200)  # time for a script a click had started
    assert page.evaluate("window.ran") is None and dialogs == [] and page.url == before
    page.close()


@pytest.fixture(scope="module")
def review_url(tmp_path_factory):
    from endpoint import TOKEN
    from urbankg.server.settings import Settings

    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("review") / "store")
    kg.ensure_bundled()
    with served(create_app(kg, Settings(token=TOKEN, workers=1))) as url:
        yield url, TOKEN
    kg.close()


def test_a_reviewer_merges_two_namesakes_and_undoes_it(browser, review_url):
    url, token = review_url
    page = browser.new_page()
    page.goto(url + "/")
    page.click("nav >> text=Identities")
    pair = page.locator("form.decide", has=page.locator("input[value$='chen-y/zhao-2021']"))
    assert pair.count() == 1
    pair.locator("input[value$='chen-y/qian-2017']").check()
    pair.locator("input[name=evidence]").fill("same ORCID, found by hand")
    pair.locator("input[name=token]").fill("not the token")
    pair.locator("button[value=accept]").click()
    assert "token" in page.inner_text("body").lower()  # refused, said on the page
    assert page.locator("form.decide", has=page.locator("input[value$='chen-y/zhao-2021']")).count() == 1

    pair = page.locator("form.decide", has=page.locator("input[value$='chen-y/zhao-2021']"))
    pair.locator("input[value$='chen-y/qian-2017']").check()
    pair.locator("input[name=evidence]").fill("same ORCID, found by hand")
    pair.locator("input[name=token]").fill(token)
    pair.locator("button[value=accept]").click()
    assert "merged" in page.inner_text("body")
    page.goto(url + "/identities?status=merged")
    row = page.locator("#identities tbody tr", has_text="same ORCID, found by hand")
    assert row.count() == 1 and "chen-y/zhao-2021" in row.inner_text() and "merged into" in row.inner_text()
    undo = row.locator("form.decide")
    undo.locator("input[name=token]").fill(token)
    undo.locator("button[value=reject]").click()
    assert "distinct" in page.inner_text("body")


def test_a_scholar_adds_a_paper_reviews_it_and_loads_it(browser, review_url):
    """Upload a paper and its record, follow the progress, break the record, see the problem at
    its line with nothing loaded, mend it, load it, open the paper's page."""
    url, token = review_url
    data = Path(__file__).parent / "data" / "add"
    page = browser.new_page()
    page.goto(url + "/")
    page.click("nav >> text=Add a paper")
    page.set_input_files("input[name=paper]", str(data / "paper.txt"))
    page.set_input_files("input[name=metadata]", str(data / "zhou-2018.bib"))
    page.fill("input[name=token]", token)
    page.click("button:text('Draft the annotation')")
    page.wait_for_selector("#review", timeout=60000)  # the progress page refreshes until the draft is made
    assert "2 cited work(s) are in the graph already" in page.inner_text("body")
    page.click("#review")
    page.click("nav.review-steps >> text=Files")  # the draft's files as text, beside the guided steps
    record = page.locator("textarea[name='zhou-2018-geography.yaml']")
    text = record.input_value()
    record.fill(text.replace("year: 2018", "year: 1700"))
    page.fill("input[name=token]", token)
    page.click("button:text('Save and load')")
    problems = page.locator("ul.problems[data-file='zhou-2018-geography.yaml']")
    assert "1700" in problems.inner_text() and "nothing was loaded" in page.inner_text("#error")
    page.locator("textarea[name='zhou-2018-geography.yaml']").fill(text)
    page.fill("input[name=token]", token)
    page.click("button:text('Save and load')")
    page.click("#loaded")
    assert "The geography of poverty" in page.inner_text("body")
