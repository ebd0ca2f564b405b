"""The web UI and linked-data pages over real HTTP, on a small graph in urbankg's vocabulary."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from pyoxigraph import BlankNode, NamedNode
from rdflib import Graph, Literal, URIRef

from endpoint import DATA, TOKEN, endpoint
from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.server.services import services
from urbankg.server.settings import Settings
from urbankg.server.ui_display import href, link, view
from urbankg.validation import Validator

ALPHA_ONE = "https://w3id.org/urbankg/id/concept/alpha-one"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    data = Path(__file__).parent / "data"
    kg = KnowledgeGraph(
        OxigraphStore(tmp_path_factory.mktemp("store")),
        Validator(data / "rdf" / "shapes.ttl", Path("/nonexistent.ttl")),
    )
    kg.load([data / "ui" / "mini.ttl"])
    app = create_app(kg, replace(Settings.from_env(), token="s3cret"))
    with served(app) as url:
        yield url
    kg.close()


def test_home_shows_counts_and_ways_in(base_url):
    page = requests.get(base_url + "/").text
    assert "<strong>2</strong> frameworks" in page
    assert 'href="/frameworks/alpha"' in page and 'href="/papers/paper-2020"' in page
    assert 'href="/queries/framework-crosswalk"' in page


def test_home_counts_every_annotated_paper_of_the_bundled_corpus(tmp_path):
    # corpus/: lin-2019 and sun-2025 have reference lists; elite-life-course has claims and a
    # framework but no reference list, and is annotated all the same. The works only cited
    # (Alibaba Group 2015, Zhou 2018 ...) are not, though cases name them as studies.
    kg = KnowledgeGraph.open(tmp_path / "store")
    try:
        kg.ensure_bundled()
        with served(create_app(kg, replace(Settings.from_env(), token="s3cret"))) as url:
            page = requests.get(url + "/").text
        assert "<strong>3</strong> annotated papers" in page, re.findall(r"<strong>\d+</strong> annotated papers", page)
        for slug in ("elite-life-course", "lin-2019", "sun-2025"):
            assert f'href="/papers/{slug}"' in page, slug
    finally:
        kg.close()


def test_resource_page_lists_statements_with_links_and_quotes(base_url):
    page = requests.get(base_url + "/id/crosswalk/alpha-beta-1", headers={"Accept": "text/html"}).text
    assert 'href="/id/concept/alpha-one"' in page  # an IRI under the base links to its page here
    assert "alpha one is much like beta one" in page  # the quote behind the statement
    assert "ukg:Correspondence" in page


def test_resource_is_turtle_or_json_ld_for_machines(base_url):
    turtle = requests.get(base_url + "/id/concept/alpha-one", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(ALPHA_ONE), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("Alpha one")) in graph
    jsonld = requests.get(base_url + "/id/concept/alpha-one", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
    assert (
        requests.get(base_url + "/id/concept/alpha-one?format=nt")
        .headers["Content-Type"]
        .startswith("application/n-triples")
    )


def test_unknown_resource_is_404_and_unservable_type_406(base_url):
    assert requests.get(base_url + "/id/concept/nothing-here").status_code == 404
    assert requests.get(base_url + "/id/concept/alpha-one", headers={"Accept": "image/png"}).status_code == 406


def test_framework_page_draws_the_crosswalk_with_asserter_and_quote(base_url):
    page = requests.get(base_url + "/frameworks/alpha").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Alpha one" in svg and "Beta one" in svg
    assert "stated by the paper" in svg and "alpha one is much like beta one" in svg


def test_paper_page_has_bibliography_and_citation_concept_network(base_url):
    page = requests.get(base_url + "/papers/paper-2020").text
    assert "Author, A. (1999). The cited book. Press." in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "The cited book (1999)" in svg and "Alpha one" in svg and "cito:extends" in svg


def test_validate_page_shows_problems_next_to_their_lines(base_url):
    broken = "@prefix ex: <https://example.org/> .\n\nex:v a ex:Village ;\n    ex:onlineShops 3 .\n"
    page = requests.post(base_url + "/validate", data={"text": broken, "suffix": ".ttl", "name": "mine"}).text
    assert "1 problem" in page
    assert 'id="L3"' in page and "A village needs a name" in page


def test_loading_from_the_validate_page_needs_the_token(base_url):
    good = (
        '@prefix ex: <https://example.org/> .\nex:v a ex:Village ; <http://www.w3.org/2000/01/rdf-schema#label> "V" .\n'
    )
    refused = requests.post(
        base_url + "/validate",
        data={"text": good, "suffix": ".ttl", "name": "web-upload", "load": "1", "token": "wrong"},
    )
    assert refused.status_code == 403
    assert requests.get(base_url + "/id/graph?iri=https://w3id.org/urbankg/graph/web-upload").status_code == 404
    accepted = requests.post(
        base_url + "/validate",
        data={"text": good, "suffix": ".ttl", "name": "web-upload", "load": "1", "token": "s3cret"},
    )
    assert accepted.status_code == 200 and "Loaded: https://w3id.org/urbankg/graph/web-upload" in accepted.text


def test_query_editor_prefills_prefixes_and_examples(base_url):
    page = requests.get(base_url + "/query").text
    assert "PREFIX ukg: &lt;https://w3id.org/urbankg/ontology#&gt;" in page
    assert 'id="example-claims-in-tension"' in page
    assert requests.get(base_url + "/static/ui/query.js").status_code == 200


# Finding 5 of issue 21: a stored or computed IRI with a scheme that runs script became a
# link on this server's origin. Browsers drop leading whitespace and control characters and
# every tab or newline before reading the scheme, and read it in any case.
@pytest.mark.parametrize(
    "iri",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,x",
        "vbscript:msgbox(1)",
        "http:x",
        "//evil.example/x",
        "https://exa mple.org/",
        "file:///etc/passwd",
    ],
)
def test_iris_that_are_not_http_are_no_links(iri):
    assert href(iri) is None


@pytest.mark.parametrize(
    "iri, target",
    [
        ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
        ("HTTP://EXAMPLE.ORG/", "HTTP://EXAMPLE.ORG/"),
        (ALPHA_ONE, "/id/concept/alpha-one"),
        ("https://w3id.org/urbankg/ontology#Case", "/ontology#Case"),
        (
            "https://w3id.org/urbankg/graph/lin-2019",
            "/id/graph?iri=https%3A%2F%2Fw3id.org%2Furbankg%2Fgraph%2Flin-2019",
        ),
    ],
)
def test_own_and_http_iris_are_links(iri, target):
    assert href(iri) == target


def test_a_script_iri_is_shown_as_text_and_escaped():
    shown = str(link(NamedNode("javascript:alert('x')&y")))
    assert shown == (
        '<span class="iri" title="javascript:alert(&#39;x&#39;)&amp;y">javascript:alert(&#39;x&#39;)&amp;y</span>'
    )
    assert (
        str(link(NamedNode("https://example.org/a"), "A"))
        == '<a href="https://example.org/a" title="https://example.org/a">A</a>'
    )


def test_ids_that_are_not_iris_are_400_naming_what_an_id_looks_like(base_url):
    for path in (
        "/id/case/%00",
        "/id/%ff%fe",
        "/id/a%20b",
        "/id/x%3Ey",
        "/id/%7B",
        "/id/graph?iri=http://[x",
        "/id/graph?iri=%25zz://x",
        "/id/case/" + "%01" * 3,
    ):
        response = requests.get(base_url + path, headers={"Accept": "text/turtle"})
        assert response.status_code == 400, path
        assert "is not an IRI" in response.text and "ids look like /id/case/lirendong" in response.text, path
    page = requests.get(base_url + "/id/a%20b", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "<h1>400 Bad Request</h1>" in page.text


def test_http_errors_say_what_is_wrong_in_the_asker_s_format(base_url):
    wrong_method = requests.post(base_url + "/frameworks", headers={"Accept": "text/plain"})
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"]
    assert wrong_method.text == "/frameworks does not take POST; it takes GET, HEAD, OPTIONS\n"
    api = requests.delete(base_url + "/api/queries")
    assert api.status_code == 405 and api.json()["error"].startswith("/api/queries does not take DELETE")
    page = requests.get(base_url + "/nowhere", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>404 Not Found</h1>" in page.text


def test_validate_refuses_a_file_name_too_long_for_a_file(base_url):
    for request in (
        {"data": {"text": "", "suffix": ".ttl", "name": "n" * 300}},
        {"files": {"file": ("n" * 300 + ".ttl", b"")}},
    ):
        response = requests.post(base_url + "/validate", **request)
        assert response.status_code == 400
        assert "the file name is 300 characters long; use at most 200" in response.text
    for name in ("..", ".", "-.-"):  # a graph named graph/.. is one no client can address
        response = requests.post(base_url + "/validate", data={"text": "", "suffix": ".ttl", "name": name})
        assert response.status_code == 400 and "the file name has no letter or digit" in response.text


def test_frameworks_and_papers_link_to_their_pages_only_when_they_have_one():
    """The lists once cut the slug out of any IRI: a framework elsewhere linked to /frameworks/."""
    from flask import Flask

    from urbankg.server.ui import bp

    app = Flask(__name__)
    app.register_blueprint(bp)
    with app.test_request_context():
        assert (
            str(view(NamedNode("https://w3id.org/urbankg/id/framework/alpha"), "Alpha"))
            == '<a href="/frameworks/alpha">Alpha</a>'
        )
        assert (
            str(view(NamedNode("https://w3id.org/urbankg/id/work/lin-2019")))
            == '<a href="/papers/lin-2019">id:work/lin-2019</a>'
        )
        assert (
            str(view(NamedNode("https://example.org/fw"), "Elsewhere"))
            == '<a href="https://example.org/fw" title="https://example.org/fw">Elsewhere</a>'
        )
        assert (
            str(view(NamedNode("javascript:alert(1)"), "S")) == '<span class="iri" title="javascript:alert(1)">S</span>'
        )
        assert str(view(BlankNode("b1"), "Blank")) == "<span class=bnode>Blank</span>"


def test_validate_reads_files_up_to_its_limit_and_says_where_larger_ones_go(base_url):
    big = "@prefix ex: <https://example.org/> .\n" + 'ex:a ex:b "' + "x" * (1024 * 1024) + '" .\n'
    uploaded = requests.post(base_url + "/validate", files={"file": ("big.ttl", big.encode())}, timeout=30)
    typed = requests.post(base_url + "/validate", data={"text": big, "suffix": ".ttl", "name": "big"}, timeout=30)
    for response in (uploaded, typed):
        assert response.status_code == 413
        assert "URBANKG_MAX_VALIDATE_BYTES" in response.text and "urbankg validate" in response.text
        assert "x" * 1000 not in response.text  # the refused text is not echoed back


def test_one_validation_at_a_time_and_a_busy_answer_is_a_503(base_url, monkeypatch):
    from urbankg.server import ui

    monkeypatch.setattr(ui, "VALIDATE_WAIT", 0.2)
    ui.VALIDATING.acquire()  # a validation in progress
    try:
        busy = requests.post(base_url + "/validate", data={"text": "", "suffix": ".ttl", "name": "x"}, timeout=30)
    finally:
        ui.VALIDATING.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "another file is being validated" in busy.text
    after = requests.post(base_url + "/validate", data={"text": "", "suffix": ".ttl", "name": "x"}, timeout=30)
    assert after.status_code == 200


def _cache_count(base_url: str, outcome: str) -> int:
    metrics = requests.get(base_url + "/metrics").text
    return int(re.search(rf'^urbankg_result_cache_total{{outcome="{outcome}"}} (\d+)$', metrics, re.MULTILINE)[1])


def test_a_page_read_again_is_answered_from_the_result_cache(base_url):
    first = requests.get(base_url + "/frameworks")
    hits, misses = _cache_count(base_url, "hit"), _cache_count(base_url, "miss")
    again = requests.get(base_url + "/frameworks")
    assert again.status_code == 200 and again.text == first.text and "Alpha" in again.text
    assert (_cache_count(base_url, "hit"), _cache_count(base_url, "miss")) == (hits + 1, misses)
    # A forced reload (what a browser sends for shift-reload) runs the query again.
    requests.get(base_url + "/frameworks", headers={"Cache-Control": "no-cache"})
    assert (_cache_count(base_url, "hit"), _cache_count(base_url, "miss")) == (hits + 1, misses + 1)


def test_a_page_whose_query_runs_past_the_limit_says_so(tmp_path):
    # A limit no query can meet: the query's process is stopped at it, as a slow query's would be.
    settings = Settings(token=TOKEN, query_timeout=0.001)
    with endpoint(tmp_path / "store", settings, load=[DATA / "ui" / "mini.ttl"]) as server:
        for path in ("/", "/frameworks", "/papers/paper-2020", "/id/concept/alpha-one"):
            page = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 503, path
            assert page.headers["Retry-After"] == "5"
            assert "<h1>503 Service Unavailable</h1>" in page.text
            assert "its query ran past the server&#39;s limit of 0.001 s (URBANKG_QUERY_TIMEOUT)" in page.text
        turtle = requests.get(server.url + "/id/concept/alpha-one", headers={"Accept": "text/turtle"}, timeout=30)
        assert turtle.status_code == 503 and turtle.headers["Content-Type"].startswith("text/plain")
        metrics = requests.get(server.url + "/metrics").text
        assert re.search(r'^urbankg_refusals_total{reason="timeout"} 5$', metrics, re.MULTILINE), metrics
        # The first page's query was stopped in its process; later ones may have run out of
        # time waiting for that process's replacement, the same answer for the reader.
        assert services(server.app).runner.timeouts >= 1


MINI = "https://w3id.org/urbankg/graph/mini"
A_VILLAGE = (
    '@prefix ex: <https://example.org/> .\nex:v a ex:Village ; <http://www.w3.org/2000/01/rdf-schema#label> "V" .\n'
)


def _history_rows(page: str) -> list[list[str]]:
    """The cells of the history table, as text, row by row."""
    body = page.split('<table class="results" id="history">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def test_loading_a_graph_someone_else_created_asks_to_replace_it_and_the_history_shows_who(tmp_path):
    from urbankg import config

    with endpoint(tmp_path / "store", load=[DATA / "ui" / "mini.ttl"]) as server:
        mini_before = server.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MINI}> {{ ?s ?p ?o }} }}")
        form = {"text": A_VILLAGE, "suffix": ".ttl", "name": "mini", "load": "1", "token": TOKEN}
        refused = requests.post(server.url + "/validate", data=form, timeout=60)
        assert refused.status_code == 409
        assert f'graph <a href="/history?graph={MINI}">{MINI}</a>' in refused.text
        assert "Valid: no problems found" not in refused.text  # refused before the gate ran
        assert f'<strong id="conflict-owner">{config.local_agent()}</strong>' in refused.text
        assert '<input type="checkbox" name="replace" value="1" id="replace">' in refused.text
        assert "ex:v a ex:Village ; &lt;http" in refused.text  # the text is kept for the second try
        assert server.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MINI}> {{ ?s ?p ?o }} }}") == mini_before

        replaced = requests.post(server.url + "/validate", data={**form, "replace": "1"}, timeout=60)
        assert replaced.status_code == 200 and f"Loaded: {MINI} (2 triples)" in replaced.text
        mine = requests.post(server.url + "/validate", data={**form, "name": "my-village"}, timeout=60)
        assert mine.status_code == 200 and "Loaded: https://w3id.org/urbankg/graph/my-village" in mine.text

        rows = _history_rows(requests.get(server.url + "/history", timeout=30).text)
        # Newest first: time, agent, action, graph (and a link to its history), origin, before -> after.
        assert [(r[1], r[2], r[3].split(" ")[0], r[5]) for r in rows] == [
            ("admin", "load", "https://w3id.org/urbankg/graph/my-village", "0 → 2"),
            ("admin", "load", MINI, f"{mini_before} → 2"),
            (config.local_agent(), "load", MINI, f"0 → {mini_before}"),
        ]
        assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)
        assert rows[0][4] == "web page /validate my-village.ttl"
        assert rows[2][4].endswith("mini.ttl")

        for asked in (MINI, "mini"):  # a graph by IRI or by name
            one = _history_rows(requests.get(server.url + "/history", params={"graph": asked}, timeout=30).text)
            assert [(r[1], r[5]) for r in one] == [
                ("admin", f"{mini_before} → 2"),
                (config.local_agent(), f"0 → {mini_before}"),
            ]
        assert (
            "No write is recorded for this graph"
            in requests.get(server.url + "/history", params={"graph": "nothing-here"}, timeout=30).text
        )
        bad = requests.get(server.url + "/history", params={"graph": "http://[x"}, headers={"Accept": "text/html"})
        assert bad.status_code == 400 and "is not a graph&#39;s IRI" in bad.text

        # The page that lists the graphs links each to its history, and names its creator.
        listing = requests.get(server.url + "/graphs", timeout=30).text
        assert 'href="/history"' in listing
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", listing, re.DOTALL) if "graph/my-village" in r)
        assert "<td>2</td>" in row and "<td>admin</td>" in row
        assert 'href="/history?graph=https://w3id.org/urbankg/graph/my-village"' in row
        mini_row = next(r for r in re.findall(r"<tr>(.*?)</tr>", listing, re.DOTALL) if f'graph={MINI}"' in r)
        assert f"<td>{config.local_agent()}</td>" in mini_row  # the creator stays across a replacement


PAGE_FORMATS = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
}


def test_unknown_resource_is_404_in_every_format(base_url):
    # The RDF formats decide "unknown" from the statements they send, not from the HTML page's
    # rows: the answer must stay 404, asked by Accept or by ?format=, fresh or from the cache.
    for media_type, name in PAGE_FORMATS.items():
        for _ in range(2):
            by_accept = requests.get(base_url + "/id/concept/nothing-here", headers={"Accept": media_type})
            assert by_accept.status_code == 404, (media_type, by_accept.status_code)
            by_name = requests.get(base_url + f"/id/concept/nothing-here?format={name}")
            assert by_name.status_code == 404, (name, by_name.status_code)


def test_resource_turtle_holds_its_statements_and_a_resource_only_pointed_at_is_known(base_url):
    # Every statement the store has about the crosswalk, and those of the quote it holds.
    source = Graph().parse(Path(__file__).parent / "data" / "ui" / "mini.ttl")
    wanted = {
        (str(s), str(p), str(o))
        for s, p, o in source
        if str(s).startswith("https://w3id.org/urbankg/id/crosswalk/alpha-beta-1")
    }
    assert len(wanted) >= 10
    for name, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        answer = requests.get(
            base_url + f"/id/crosswalk/alpha-beta-1?format={name}", headers={"Cache-Control": "no-cache"}
        )
        assert answer.status_code == 200, name
        got = {(str(s), str(p), str(o)) for s, p, o in Graph().parse(data=answer.text, format=fmt)}
        assert got == wanted, (name, wanted ^ got)
    # cito:extends has no statement of its own here, only one pointing at it: known, and empty.
    pointed_at = "/id/graph?iri=http://purl.org/spar/cito/extends"
    for media_type in PAGE_FORMATS:
        assert requests.get(base_url + pointed_at, headers={"Accept": media_type}).status_code == 200, media_type
