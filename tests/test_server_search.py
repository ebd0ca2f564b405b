"""GET /search over real HTTP, on the bundled ontology and corpus: JSON for the type-ahead, a page for browsers."""

import re

import pytest
import requests

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    kg.ensure_bundled()
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def test_json_lists_hits_with_id_label_kind_and_the_label_that_matched(base_url):
    answer = requests.get(
        base_url + "/search", params={"q": "in-situ urbanisation"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["q"] == "in-situ urbanisation"
    assert body["hits"][0] == {
        "iri": "https://w3id.org/urbankg/id/concept/rural-development",
        "id": "concept/rural-development",
        "label": "rural development and poverty alleviation",
        "kind": "concept",
        "matched": "in-situ urbanization",
    }


def test_kinds_and_limit_filter_and_format_json_wins_over_accept(base_url):
    params = {"q": "network", "kind": ["concept", "framework"], "limit": 3, "format": "json"}
    hits = requests.get(base_url + "/search", params=params, headers={"Accept": "text/html"}).json()["hits"]
    assert len(hits) == 3 and {h["kind"] for h in hits} <= {"concept", "framework"}
    only = requests.get(base_url + "/search", params={"q": "network", "kind": "case", "format": "json"}).json()
    assert only["hits"] == []


def test_wrong_kind_or_limit_is_a_400_naming_what_is_right(base_url):
    bad_kind = requests.get(base_url + "/search", params={"q": "network", "kind": "paper", "format": "json"})
    assert bad_kind.status_code == 400
    assert "a kind is one of concept, framework, case, place, work, person, claim" in bad_kind.json()["error"]
    bad_limit = requests.get(
        base_url + "/search", params={"q": "network", "limit": "all"}, headers={"Accept": "text/html"}
    )
    assert bad_limit.status_code == 400 and "give one from 1 to 100" in bad_limit.text


def test_short_or_hostile_text_answers_no_hits(base_url):
    for text in ("", "a", '"}) . ?s ?p ?o #'):
        answer = requests.get(base_url + "/search", params={"q": text, "format": "json"})
        assert answer.status_code == 200 and answer.json()["hits"] == []


def test_the_page_links_each_hit_to_its_page(base_url):
    page = requests.get(base_url + "/search", params={"q": "in-situ urbanisation"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    row = re.search(r'<tr><td><a href="(/id/concept/rural-development)">([^<]+)</a></td>\s*<td>concept</td>', page.text)
    assert row and row.group(2) == "rural development and poverty alleviation"
    assert "in-situ urbanization" in page.text  # the alternative label that matched
    assert requests.get(base_url + row.group(1), headers={"Accept": "text/html"}).status_code == 200
    short = requests.get(base_url + "/search", params={"q": "x"}, headers={"Accept": "text/html"}).text
    assert 'id="too-short"' in short
    none = requests.get(base_url + "/search", params={"q": "zzqx"}, headers={"Accept": "text/html"}).text
    assert 'id="no-hits"' in none
