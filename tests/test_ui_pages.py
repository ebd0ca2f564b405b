"""Resource pages in the scholar's words (issue 19, item 1), over real HTTP on the bundled
corpus: a summary first (facts with units in words and periods as ranges, stakeholders by
role, relations one row each, coordinates in degrees), labels instead of ids."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
import requests

from canned import ask
from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.ui_summary import degrees, number, period, with_unit

ID = "https://w3id.org/urbankg/id/"


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    graph = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    graph.ensure_bundled()
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def base_url(kg):
    with served(create_app(kg)) as url:
        yield url


def summary_of(html: str) -> str:
    found = re.search(r'<section class="summary[^"]*" id="summary">(.*?)</section>', html, re.S)
    assert found, "the page has no summary section"
    return found.group(1)


class Links(HTMLParser):
    """The text of every link, and of the page's h1."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.h1 = ""
        self._in: str | None = None
        self._href = ""
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "h1"):
            self._in, self._href, self._text = tag, dict(attrs).get("href", ""), ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._in == "a":
            self.links.append((self._href, self._text.strip()))
        elif tag == self._in == "h1":
            self.h1 = self._text.strip()
        if tag == self._in:
            self._in = None


def links_in(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_units_periods_and_coordinates_read_as_words():
    assert number("2100") == "2,100" and number("12.50") == "12.5" and number("7023") == "7,023"
    assert with_unit("38", _iri("http://qudt.org/vocab/unit/PERCENT")) == "38 percent"
    assert with_unit("2100", _iri("https://w3id.org/urbankg/ontology#Villages")) == "2,100 villages"
    assert with_unit("1", _iri("https://w3id.org/urbankg/ontology#Villages")) == "1 village"
    assert with_unit("12.5", _iri("https://w3id.org/urbankg/ontology#YuanPerMonth")) == "12.5 yuan per month"
    assert with_unit("24", _iri("http://qudt.org/vocab/unit/NUM")) == "24"
    assert period("2006", "2010") == "2006–2010" and period("2017", "") == "2017"
    assert degrees("POINT(113.26 23.13)") == "23.13° N, 113.26° E"
    assert degrees("POINT(-98.58 39.83)") == "39.83° N, 98.58° W"
    assert degrees("POINT(174.76 -36.85)") == "36.85° S, 174.76° E"


def _iri(value):
    from pyoxigraph import NamedNode

    return NamedNode(value)


def test_a_case_page_leads_with_its_facts_in_words(base_url):
    html = requests.get(base_url + "/id/case/lirendong").text
    summary = summary_of(html)
    facts = re.search(r'<table class="facts results" id="facts">(.*?)</table>', summary, re.S).group(1)
    assert "25 percent" in facts  # "only a quarter of the new village", unit:PERCENT
    assert "20 people" in facts  # ukg:Persons, not the unit's address
    assert "2015–2016" in facts  # a period with ukg:periodEnd, as a range
    assert "qudt.org" not in facts and "ukg:Persons" not in facts
    assert "number of storeys" in facts and "“An apartment often had 2–3 small rooms.”" in facts
    text = links_in(summary)
    assert ("/id/place/lirendong", "Lirendong") in text.links
    assert any(href == "/id/work/lin-2019" and label.startswith("E-urbanism") for href, label in text.links)
    assert ("/id/concept/taobao-village", "Taobao village") in text.links
    # the raw statements below, their predicates and types by the ontology's labels
    statements = html.split("All statements")[1]
    assert ">case of</a>" in statements and ">ukg:caseOf<" not in statements
    assert '<span class="type"><a href="/ontology#Case" title="https://w3id.org/urbankg/ontology#Case">Case</a>' in html
    # the map of the case, zoomed to its place
    assert '<svg class="map' in summary and 'href="/id/place/lirendong"' in summary


def test_a_case_page_groups_stakeholders_by_role_and_relations_by_kind(base_url, kg):
    summary = summary_of(requests.get(base_url + "/id/case/lirendong").text)
    stakeholders = re.search(r'<dl class="stakeholders" id="stakeholders">(.*?)</dl>', summary, re.S).group(1)
    roles = re.findall(r"<dt>(.*?)</dt>", stakeholders)
    assert "rural migrants" in roles and "indigenous villagers" in roles
    assert len(roles) == len(set(roles)), "a role is one group"
    migrants = stakeholders.split("<dt>rural migrants</dt>")[1].split("</dd>")[0]
    assert migrants.count("<a ") >= 2, "a role's stakeholders are listed together"
    # One row per relation: as many rows as the case has relations, whatever the roles and quotes.
    relation_rows = re.findall(r'<table class="relations results">(.*?)</table>', summary, re.S)
    shown = sum(block.count("<tr>") for block in relation_rows)
    relations = {
        (r["from"], r["relation"], r["to"], r["description"])
        for r in ask(kg, "stakeholder-relations", case="lirendong")
    }
    assert shown == len(relations) > 5
    kinds = re.findall(r"<h3>(.*?)</h3>", summary)
    assert len(kinds) == len(set(kinds)) and "rents housing to" in kinds


def test_stakeholder_relations_gives_a_relation_once_whatever_its_stakeholders_roles(kg):
    rows = ask(kg, "stakeholder-relations", case="lirendong")
    per_relation = Counter((r["from"], r["relation"], r["to"], r["description"], r["quote"]) for r in rows)
    assert max(per_relation.values()) == 1, [k for k, n in per_relation.items() if n > 1][:3]
    # A stakeholder of two roles has both in one value (Mr. L's relatives: e-tailers and rural migrants).
    relatives = [r for r in rows if r["to"] == ID + "stakeholder/lirendong/mr-l-relatives"]
    assert relatives and all(", " in r["to_role"] for r in relatives), relatives[:1]


def test_a_place_page_gives_coordinates_in_degrees_and_its_cases(base_url):
    summary = summary_of(requests.get(base_url + "/id/place/guangzhou").text)
    assert '<dd class="coordinates">23.13° N, 113.26° E <small class="coordinates-source">(city centre' in summary
    assert "the point was not checked against it" in summary  # where the point comes from, and how exact
    assert "POINT(" not in summary
    links = links_in(summary).links
    assert ("/id/place/guangdong", "Guangdong") in links  # within
    assert ("/id/place/lirendong", "Lirendong") in links  # places within it
    assert "106 villages" in summary  # a fact about the place
    village = summary_of(requests.get(base_url + "/id/place/lirendong").text)
    assert any(h == "/id/case/lirendong" for h, _ in links_in(village).links), "the cases there"


def test_an_observation_reads_as_one_sentence(base_url):
    html = requests.get(base_url + "/id/observation/lin-2019/taobao-villages-guangzhou-2017").text
    page = links_in(html)
    assert page.h1 == "Number of Taobao villages in Guangzhou, 2017"
    sentence = re.search(r'<p class="sentence">(.*?)</p>', html).group(1)
    assert sentence == (
        "Number of Taobao villages in Guangzhou: 106 villages in 2017 (AliResearch and Southern Rural Newspaper 2017)."
    )


def test_a_claim_shows_its_stance_toward_its_targets(base_url):
    summary = summary_of(requests.get(base_url + "/id/claim/lin-2019/framework-limited-to-guangzhou").text)
    assert 'class="stance stance-qualifies"' in summary
    links = links_in(summary).links
    assert any(
        h == "/id/claim/lin-2019/e-commerce-revolutionizes-urbanism" and "revolutionising" in t for h, t in links
    )
    assert "<h2>Evidence</h2>" in summary and "three case studies in Guangzhou" in summary


def test_a_concept_lists_its_framework_and_the_works_cited_for_it(base_url):
    summary = summary_of(requests.get(base_url + "/id/concept/e-commerce").text)
    links = links_in(summary).links
    assert ("/id/framework/phenomena", "Phenomena") in links
    assert any(h == "/id/work/unctad-2015" and t.startswith("Information economy report 2015") for h, t in links)


LABELLED = """
SELECT DISTINCT ?s WHERE {
  ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>
     |<http://purl.org/dc/terms/title>|<http://xmlns.com/foaf/0.1/name>|<https://schema.org/name>
     |<http://purl.org/mp/statement> ?label
}"""


@pytest.fixture(scope="module")
def labelled(kg) -> set[str]:
    return {row["s"].value for row in kg.query(LABELLED)}


@pytest.mark.parametrize(
    "path",
    [
        "/id/case/lirendong",
        "/id/case/ncp-taobao-village-clusters",
        "/id/place/guangzhou",
        "/id/work/lin-2019",
        "/id/work/aliresearch-2017",
        "/id/person/lin-y",
        "/id/concept/e-commerce",
        "/id/claim/lin-2019/framework-limited-to-guangzhou",
        "/id/observation/lin-2019/taobao-villages-guangzhou-2017",
    ],
)
def test_no_bare_id_where_a_label_exists(base_url, labelled, path):
    html = requests.get(base_url + path).text
    page = links_in(html)
    assert page.h1 and not page.h1.startswith(("id:", "https://")), page.h1
    shown_as_ids = [
        ID + href.removeprefix("/id/")
        for href, label in links_in(summary_of(html)).links
        if href.startswith("/id/") and re.match(r"^(id:|https?://)", label)
    ]
    bare = [iri for iri in shown_as_ids if iri in labelled]
    assert not bare, f"{path} shows ids of labelled resources: {bare}"
