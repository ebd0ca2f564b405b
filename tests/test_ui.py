"""The web UI and linked-data pages over real HTTP, on a small graph in urbankg's vocabulary."""

from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.validation import Validator

ALPHA_ONE = "https://w3id.org/urbankg/id/concept/alpha-one"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    data = Path(__file__).parent / "data"
    kg = KnowledgeGraph(OxigraphStore(tmp_path_factory.mktemp("store")),
                        Validator(data / "rdf" / "shapes.ttl", Path("/nonexistent.ttl")))
    kg.load([data / "ui" / "mini.ttl"])
    app = create_app(kg)
    app.config["URBANKG_WRITE_TOKEN"] = "s3cret"
    with served(app) as url:
        yield url
    kg.close()


def test_home_shows_counts_and_ways_in(base_url):
    page = requests.get(base_url + "/").text
    assert "<strong>2</strong> frameworks" in page
    assert 'href="/frameworks/alpha"' in page and 'href="/papers/paper-2020"' in page
    assert 'href="/queries/framework-crosswalk"' in page


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
    assert requests.get(base_url + "/id/concept/alpha-one?format=nt").headers["Content-Type"].startswith(
        "application/n-triples")


def test_unknown_resource_is_404_and_unservable_type_406(base_url):
    assert requests.get(base_url + "/id/concept/nothing-here").status_code == 404
    assert requests.get(base_url + "/id/concept/alpha-one", headers={"Accept": "image/png"}).status_code == 406


def test_framework_page_draws_the_crosswalk_with_asserter_and_quote(base_url):
    page = requests.get(base_url + "/frameworks/alpha").text
    svg = page[page.index("<svg"): page.index("</svg>")]
    assert "Alpha one" in svg and "Beta one" in svg
    assert "stated by the paper" in svg and "alpha one is much like beta one" in svg


def test_paper_page_has_bibliography_and_citation_concept_network(base_url):
    page = requests.get(base_url + "/papers/paper-2020").text
    assert "Author, A. (1999). The cited book. Press." in page
    svg = page[page.index("<svg"): page.index("</svg>")]
    assert "The cited book (1999)" in svg and "Alpha one" in svg and "cito:extends" in svg


def test_validate_page_shows_problems_next_to_their_lines(base_url):
    broken = "@prefix ex: <https://example.org/> .\n\nex:v a ex:Village ;\n    ex:onlineShops 3 .\n"
    page = requests.post(base_url + "/validate", data={"text": broken, "suffix": ".ttl", "name": "mine"}).text
    assert "1 problem" in page
    assert 'id="L3"' in page and "A village needs a name" in page


def test_loading_from_the_validate_page_needs_the_token(base_url):
    good = "@prefix ex: <https://example.org/> .\nex:v a ex:Village ; <http://www.w3.org/2000/01/rdf-schema#label> \"V\" .\n"
    refused = requests.post(base_url + "/validate", data={"text": good, "suffix": ".ttl", "name": "web-upload",
                                                         "load": "1", "token": "wrong"})
    assert refused.status_code == 403
    assert requests.get(base_url + "/id/graph?iri=https://w3id.org/urbankg/graph/web-upload").status_code == 404
    accepted = requests.post(base_url + "/validate", data={"text": good, "suffix": ".ttl", "name": "web-upload",
                                                          "load": "1", "token": "s3cret"})
    assert accepted.status_code == 200 and "Loaded: https://w3id.org/urbankg/graph/web-upload" in accepted.text


def test_query_editor_prefills_prefixes_and_examples(base_url):
    page = requests.get(base_url + "/query").text
    assert "PREFIX ukg: &lt;https://w3id.org/urbankg/ontology#&gt;" in page
    assert 'id="example-claims-in-tension"' in page
    assert requests.get(base_url + "/static/ui/query.js").status_code == 200
