"""The catalogue over HTTP: JSON and CSV answers, 400s that name the parameter, a valid OpenAPI 3.1 document."""

import csv
import io
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.validation import Validator


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    data = Path(__file__).parent / "data"
    kg = KnowledgeGraph(OxigraphStore(tmp_path_factory.mktemp("store")), Validator(Path("/none"), Path("/none")))
    kg.load([data / "ui" / "mini.ttl"])
    with served(create_app(kg)) as url:
        yield url
    kg.close()


CROSSWALK = "/api/queries/framework-crosswalk?framework_a=alpha&framework_b=beta"


def test_catalogue_lists_every_query_with_links(base_url):
    listing = requests.get(base_url + "/api/queries").json()
    names = {q["name"] for q in listing}
    assert {"framework-crosswalk", "survey-table", "village-counts"} <= names
    crosswalk = next(q for q in listing if q["name"] == "framework-crosswalk")
    assert crosswalk["links"]["csv"] == "/api/queries/framework-crosswalk.csv"
    assert set(next(p for p in crosswalk["parameters"] if p["name"] == "framework_a")["allowed"]) == {"alpha", "beta"}


def test_answer_as_json(base_url):
    body = requests.get(base_url + CROSSWALK).json()
    assert [(r["label_a"], r["label_b"], r["quote"]) for r in body["rows"]] == [
        ("Alpha one", "Beta one", "alpha one is much like beta one")
    ]
    assert body["truncated"] is False


def test_answer_as_csv_by_extension_and_by_accept(base_url):
    by_extension = requests.get(base_url + CROSSWALK.replace("crosswalk?", "crosswalk.csv?"))
    by_accept = requests.get(base_url + CROSSWALK, headers={"Accept": "text/csv"})
    for response in (by_extension, by_accept):
        assert response.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows[0]["label_b"] == "Beta one"


def test_bad_parameter_is_400_naming_it_and_what_it_accepts(base_url):
    response = requests.get(base_url + "/api/queries/framework-crosswalk?framework_a=nowhere")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "framework_a" and "ukg:Framework" in body["error"]
    unknown = requests.get(base_url + "/api/queries/survey-table?colour=red").json()
    assert unknown["parameter"] == "colour" and "its parameters: survey" in unknown["error"]


def test_openapi_document_is_valid_3_1_and_covers_every_query(base_url):
    document = requests.get(base_url + "/api/openapi.json").json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    listing = requests.get(base_url + "/api/queries").json()
    assert {f"/api/queries/{q['name']}" for q in listing} <= set(document["paths"])


def test_query_page_has_form_table_and_picture(base_url):
    page = requests.get(base_url + "/queries/framework-crosswalk?framework_a=alpha&framework_b=beta").text
    assert '<select name="framework_a">' in page
    assert "<svg" in page and ">closeMatch</text>" in page[page.index("<svg") :]
    assert 'id="answer"' in page and "Beta one" in page


def test_canned_queries_run_under_the_row_cap_and_time_limit(tmp_path):
    """Through the same killable query processes as /sparql: capped answers say so; slow ones get 503."""
    import dataclasses

    from urbankg.server.settings import Settings

    data = Path(__file__).parent / "data"
    second = tmp_path / "second-crosswalk.ttl"
    second.write_text(
        "@prefix ukg: <https://w3id.org/urbankg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/urbankg/id/crosswalk/alpha-beta-2> a ukg:Correspondence ;\n"
        "  ukg:subjectConcept <https://w3id.org/urbankg/id/concept/alpha-one> ;"
        " ukg:matchPredicate skos:relatedMatch ;\n"
        "  ukg:objectConcept <https://w3id.org/urbankg/id/concept/beta-one> ;"
        " ukg:assertionStatus ukg:InferredByAnnotator .\n"
    )
    kg = KnowledgeGraph(OxigraphStore(tmp_path / "store"), Validator(Path("/none"), Path("/none")))
    kg.load([data / "ui" / "mini.ttl", second])
    params = {"framework_a": "alpha", "framework_b": "beta"}
    capped = dataclasses.replace(Settings.from_env(), max_rows=1)
    with served(create_app(kg, capped)) as url:
        body = requests.get(url + "/api/queries/framework-crosswalk.json", params=params).json()
        assert (len(body["rows"]), body["truncated"]) == (1, True)
    hurried = dataclasses.replace(Settings.from_env(), query_timeout=0.000001)
    with served(create_app(kg, hurried)) as url:
        response = requests.get(url + "/api/queries/framework-crosswalk.json", params=params)
        assert response.status_code == 503 and "limit" in response.json()["error"]
        assert response.headers["Retry-After"] == "5"
        page = requests.get(url + "/queries/framework-crosswalk", params=params)
        assert page.status_code == 503 and "limit" in page.text  # not the asker's fault: no 400
    kg.close()


# Issue 21, finding 8: values the engine's IRI parser rejects reached it and came back as 500.
@pytest.mark.parametrize(
    "value", ["http://[x", "http://[::1", "%zz://x", "a\x00b", "a\x01b", "é://x", "x%zz", "x" * 20000 + " y"]
)
def test_values_the_engine_rejects_are_400_naming_the_parameter(base_url, value):
    for path in ("/api/queries/framework-crosswalk", "/api/queries/framework-crosswalk.csv"):
        response = requests.get(base_url + path, params={"framework_a": value})
        assert response.status_code == 400
        body = response.json()
        assert body["parameter"] == "framework_a" and "is not an id or IRI" in body["error"]
        assert "expected an id like framework/<slug>" in body["error"] and len(body["error"]) < 400
    page = requests.get(base_url + "/queries/framework-crosswalk", params={"framework_a": value})
    assert page.status_code == 400 and "is not an id or IRI" in page.text


def test_the_page_s_download_links_carry_only_its_own_parameters(base_url):
    page = requests.get(base_url + "/queries/framework-crosswalk?framework_a=alpha&framework_b=beta&colour=%ff").text
    assert 'href="/api/queries/framework-crosswalk.csv?framework_a=alpha&amp;framework_b=beta"' in page
