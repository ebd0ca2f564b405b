"""Hostile input on every web route, over real HTTP: a 4xx that says what is wrong, never a 5xx.

The routes are enumerated from the app's own URL map, so a new route cannot escape: the
test fails until ROUTE_PARAMETERS says which parameters it reads. Each route gets every
hostile value in each path variable, each parameter it reads (query string and form),
and hostile Accept, Content-Type, Authorization and Host headers. A canary HTTP server
on 127.0.0.1 fails the test if any value makes the server fetch a URL.

Pages also must not turn a stored or computed IRI into a link that runs script
(issue 21, finding 5): every href on every HTML answer is this server's own, or http(s).
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from canary import Canary
from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.queries.catalogue import Catalogue
from urbankg.server.app import create_app
from urbankg.server.settings import Settings
from urbankg.validation import Validator

DATA = Path(__file__).parent / "data"
TOKEN = "s3cret-token"
# A resource whose statements point at IRIs that would run script if they were links.
HOSTILE_LINKS = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ukg: <https://w3id.org/urbankg/ontology#> .
<https://w3id.org/urbankg/id/concept/alpha-one> rdfs:seeAlso <javascript:alert(1)>, <JaVaScRiPt:alert(2)>,
    <data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==>, <vbscript:msgbox(4)>, <https://example.org/fine> ;
    <javascript:alert(5)> "a predicate that would run" ;
    a <javascript:alert(6)> .
<javascript:alert(7)> rdfs:seeAlso <https://w3id.org/urbankg/id/concept/alpha-one> .
<https://w3id.org/urbankg/id/framework/alpha> ukg:proposedBy <javascript:alert(8)> .
<javascript:alert(9)> a ukg:Framework ; <http://www.w3.org/2004/02/skos/core#prefLabel> "Script framework" .
"""

# Everything the routes read, by rule: query-string and form parameters. Canned-query
# parameters are added from the catalogue.
ROUTE_PARAMETERS: dict[str, list[str]] = {
    "/": [],
    "/frameworks": [],
    "/papers": [],
    "/queries": [],
    "/ontology": [],
    "/ontology/": [],
    "/health": [],
    "/metrics": [],
    "/api/queries": [],
    "/api/openapi.json": [],
    "/static/<path:filename>": [],
    "/static/ui/<path:filename>": [],
    "/id/<path:rest>": ["iri", "format"],
    "/frameworks/<path:slug>": [],
    "/papers/<path:slug>": ["concept", "framework", "intent"],
    "/query": ["query"],
    "/map": ["query"],
    "/query/check": ["query"],
    "/query/terms": [],
    "/validate": ["name", "suffix", "text", "token", "load", "replace"],
    "/history": ["graph"],
    "/graphs": [],
    "/identities": ["status", "kind"],
    "/search": ["q", "kind", "limit", "format"],
    "/papers/new": ["paper", "metadata", "id", "token", "title", "authors", "year", "venue", "doi"],
    "/papers/new/<job_id>": [],
    "/papers/<slug>/review": [],
    "/papers/<slug>/review/files": ["token", "action"],
    "/papers/<slug>/review/<step>": [
        "token",
        "action",
        "check",
        "notice",
        "reference",
        "text",
        "title",
        "year",
        "container",
        "volume",
        "issue",
        "pages",
        "doi",
        "at",
        "authors",
        "citation",
        "work",
        "denotes",
        "intent",
        "concept",
        "searched",
        "label",
        "definition",
        "broader",
        "quote",
        "statement",
        "stance",
        "target",
        "about",
        "measure",
        "new_measure",
        "value",
        "unit",
        "period",
        "period_end",
        "place",
        "case",
        "original_source",
        "qualifier",
        "new_place",
        "case_of",
    ],
    "/papers/<slug>/review/load": ["token"],
    "/papers/review/session": ["token", "next"],
    "/identities/decide": ["key", "action", "keep", "evidence", "token", "status", "kind"],
    "/load": ["graph", "replace"],
    "/drop": ["graph", "replace"],
    "/api/queries/<name>": ["format"],
    "/queries/<name>": [],
    "/sparql": [
        "query",
        "update",
        "format",
        "output",
        "default-graph-uri",
        "named-graph-uri",
        "using-graph-uri",
        "using-named-graph-uri",
        "replace",
    ],
    "/sparql/": ["query", "format"],
    "/rdf-graphs": ["graph", "default", "format", "replace"],
    "/graph/<path:name>": ["format", "replace"],
}
WRITER = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
TURTLE = "<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
# Path variables get hostile values, and these ordinary ones while a parameter is attacked.
ORDINARY_PATH = {
    "filename": "style.css",
    "rest": "concept/alpha-one",
    "slug": "alpha",
    "name": "framework-crosswalk",
    "job_id": "0123456789ab",
    "step": "citations",
}


@pytest.fixture(scope="module")
def canary():
    with Canary() as server:
        yield server


def hostile_values(canary_url: str) -> list[str | bytes]:
    return [
        "http://[x",
        "http://[::1",
        "%zz://x",
        "a\x00b",
        "\x01\x02\x7f",
        "http://a b",
        "é://x",
        "x" * 20000,
        "javascript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "<script>alert(1)</script>",
        "'\"><svg onload=alert(1)>",
        "{{7*7}}",
        "} } ; DROP ALL ; { {",
        "../../../../etc/passwd",
        "..",
        ".",
        "/",
        "//evil.example/x",
        "",
        " ",
        "\r\nX-Injected: 1",
        "-1",
        "1e999",
        "NaN",
        "99999999999999999999999999999999999999",
        "\u202e\u200b😀",
        "\ufffd",
        b"\xff\xfe",
        b"\xc0\xaf",
        canary_url + "/hostile",
        "file:///etc/passwd",
        "urn:a b",
    ]


HOSTILE_HEADERS = [
    {"Accept": "*/*;q=nan"},
    {"Accept": "text/html;q=1e999"},
    {"Accept": ";;;,,,/"},
    {"Accept": "text/*;q=-1, */*;q=0"},
    {"Accept": "application/sparql-results+json;q=0.5;q=x"},
    {"Accept": "a" * 8000},
    {"Accept": "\xff\xfe/\xff"},
    {"Accept": "image/png"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer \xff"},
    {"Authorization": "Basic !!!"},
    {"Authorization": "Basic /////w=="},
    {"Authorization": "Bearer " + "a" * 8000},
    {"Cache-Control": "no-cache, max-age=-1"},
    {"Host": "[x"},
    {"Host": "a b"},
    {"Host": "\xff"},
    {"Content-Type": "multipart/form-data"},
    {"Content-Type": "multipart/form-data; boundary="},
    {"Content-Type": "application/x-www-form-urlencoded; charset=utf-16"},
    {"Content-Type": "text/turtle;;;"},
    {"Content-Type": "application/sparql-query; charset=\xff"},
    {"Content-Type": ""},
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile-links.ttl").write_text(HOSTILE_LINKS, encoding="utf-8")
    kg = KnowledgeGraph(OxigraphStore(folder / "store"), Validator(DATA / "rdf" / "shapes.ttl", Path("/none")))
    kg.load([DATA / "ui" / "mini.ttl", folder / "hostile-links.ttl"])
    app = create_app(kg, dataclasses.replace(Settings.from_env({}), token=TOKEN, query_timeout=10.0))
    yield app
    kg.close()


@pytest.fixture(scope="module")
def base_url(app):
    with served(app) as url:
        yield url


class Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            # A raster picture (the ontology page's icons) runs no script.
            raster = tag in ("img", "link") and re.match(r"data:image/(png|gif|jpeg|webp)[;,]", value or "")
            if name in ("href", "src", "xlink:href", "action", "formaction") and not raster:
                self.targets.append(value or "")


def unsafe_links(html: str) -> list[str]:
    """hrefs (and src, action) that are neither this server's own nor http(s)."""
    parser = Hrefs()
    parser.feed(html)
    # What a browser reads as the scheme: leading whitespace and control characters dropped, tabs and newlines removed.
    read = [
        (
            t,
            re.sub(
                r"[\t\n\r]",
                "",
                t.lstrip(
                    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \t\n\r"
                ),
            ),
        )
        for t in parser.targets
    ]
    return [
        t
        for t, url in read
        if not (url == "" or url[0] in "/?#" and not url.startswith("//") or re.match(r"https?://", url, re.IGNORECASE))
    ]


def test_unsafe_links_finds_what_a_browser_would_run():
    page = (
        '<a href="/id/x"></a><a href="?format=ttl"></a><a href="https://example.org/"></a>'
        '<a href="javascript:alert(1)"></a><a href=" JaVaScript:x"></a><a href="java&#9;script:x"></a>'
        '<a href="data:text/html,x"></a><a href="//evil.example/"></a><img src="vbscript:x">'
    )
    assert unsafe_links(page) == [
        "javascript:alert(1)",
        " JaVaScript:x",
        "java\tscript:x",
        "data:text/html,x",
        "//evil.example/",
        "vbscript:x",
    ]


def test_every_route_is_in_the_battery(app):
    assert {rule.rule for rule in app.url_map.iter_rules()} == set(ROUTE_PARAMETERS)


def test_stored_script_iris_are_text_on_every_page_that_shows_them(base_url):
    for path in (
        "/id/concept/alpha-one",
        "/frameworks/alpha",
        "/frameworks",
        "/",
        "/id/graph?iri=https://w3id.org/urbankg/graph/hostile-links",
    ):
        page = requests.get(base_url + path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        assert unsafe_links(page.text) == [], path
    page = requests.get(base_url + "/id/concept/alpha-one", headers={"Accept": "text/html"}).text
    assert 'href="https://example.org/fine"' in page  # http(s) IRIs stay links
    for n in (1, 2, 4, 5, 6, 7):
        assert f"alert({n})" in page or f"msgbox({n})" in page  # shown, as text
    frameworks = requests.get(base_url + "/frameworks").text
    assert "alert(8)" in frameworks and 'href="javascript' not in frameworks
    assert '<span class="iri" title="javascript:alert(9)">Script framework</span>' in frameworks


def _path(rule: str, path_value: str | bytes | None) -> str:
    def fill(match):
        variable = match.group(1).split(":")[-1]
        if path_value is None:
            return ORDINARY_PATH[variable]
        return quote(path_value, safe="")

    return re.sub(r"<([^>]+)>", fill, rule)


def _attacks(rule: str) -> list[tuple[str, str, dict[str, str]]]:
    """(path, parameter attacked, ordinary parameters sent beside it so that it is read)."""
    if rule in ("/api/queries/<name>", "/queries/<name>"):  # each canned query's own parameters
        return [(_path(rule, None), "format", {})] + [
            (rule.replace("<name>", query.name), name, {})
            for query in Catalogue().queries.values()
            for name in query.parameters
        ]
    return [(_path(rule, None), name, _companions(rule, name)) for name in ROUTE_PARAMETERS[rule]]


def _companions(rule: str, name: str) -> dict[str, str]:
    if rule.startswith("/sparql") and name.startswith("using-"):
        return {"update": "INSERT DATA {}"}  # an update's dataset is read only with an update
    if rule.startswith("/sparql") and name not in ("query", "update"):
        return {"query": "ASK {}"}
    if rule == "/validate":  # validate and load, so the name reaches the store
        return {"text": TURTLE, "suffix": ".ttl", "name": "hostile", "load": "1", "token": TOKEN}
    return {}


def _send(base_url: str, method: str, path: str, **options) -> requests.Response:
    response = requests.request(method, base_url + path, timeout=60, allow_redirects=False, **options)
    what = f"{method} {path[:120]} { ({k: str(v)[:120] for k, v in options.items()}) }"
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and method != "HEAD":
        assert response.text.strip(), f"{what}: {response.status_code} with no message"
    if "html" in response.headers.get("Content-Type", ""):
        assert unsafe_links(response.text) == [], what
    return response


RULES = sorted(ROUTE_PARAMETERS)


@pytest.mark.parametrize("rule", RULES)
def test_hostile_values_in_paths_and_parameters_get_no_5xx(rule, app, base_url, canary):
    methods = sorted(next(r for r in app.url_map.iter_rules() if r.rule == rule).methods)
    variables = "<" in rule
    for value in hostile_values(canary.url):
        for method in methods:
            if variables:
                _send(base_url, method, _path(rule, value))
                if method in ("POST", "PUT", "DELETE"):
                    _send(base_url, method, _path(rule, value), headers=WRITER, data=TURTLE)
            if method in ("HEAD", "OPTIONS"):
                continue  # Flask answers these as GET does, or without the view: the paths above suffice
            for path, name, companions in _attacks(rule):
                parameters = {**companions, name: value}
                _send(base_url, method, path, params=parameters)
                if method in ("POST", "PUT", "DELETE"):  # with the token, so writes get past its check
                    _send(base_url, method, path, params=parameters, headers=WRITER, data=TURTLE)
                    _send(base_url, method, path, data=parameters, headers={"Authorization": WRITER["Authorization"]})
    canary.assert_untouched()


@pytest.mark.parametrize("rule", RULES)
def test_hostile_headers_get_no_5xx(rule, app, base_url, canary):
    methods = sorted(next(r for r in app.url_map.iter_rules() if r.rule == rule).methods)
    for headers in HOSTILE_HEADERS:
        for method in methods:
            _send(base_url, method, _path(rule, None), headers=headers, data="x" if method in ("POST", "PUT") else None)
    canary.assert_untouched()


def test_an_upload_with_an_odd_file_name_is_a_400_or_validated(base_url):
    for filename in (
        "a" * 300 + ".ttl",
        "..ttl",
        "/.ttl",
        "../../x.ttl",
        "\x00.ttl",
        "x.TTL",
        "noext",
        ".ttl",
        "x.ttl." * 60,
        "é" * 200 + ".ttl",
    ):
        response = _send(base_url, "POST", "/validate", files={"file": (filename, b"")})
        if filename.startswith("a" * 300):
            assert response.status_code == 400 and "use at most 200" in response.text
    long_name = _send(base_url, "POST", "/validate", data={"name": "a" * 300, "suffix": ".ttl", "text": ""})
    assert long_name.status_code == 400 and "the file name is 300 characters long; use at most 200" in long_name.text


def test_dataset_iris_the_engine_rejects_are_400_saying_what_would_do(base_url):
    for name in ("default-graph-uri", "named-graph-uri"):
        for value in ("http://[x", "%zz://x", "a\x00b", "relative", "x" * 5000):
            response = requests.get(base_url + "/sparql", params={"query": "ASK {}", name: value})
            assert response.status_code == 400, (name, value[:20])
            assert f"{name}=" in response.text and "is not an absolute IRI" in response.text
            assert "give one like https://w3id.org/urbankg/graph/lin-2019" in response.text
            assert len(response.text) < 400
