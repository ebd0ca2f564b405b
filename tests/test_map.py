"""The map (issue 19, item 2): the bundled boundaries, /map with every case's point over
China's provinces, and a query answer's POINTs as a map, over real HTTP."""

import json
import re
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests
from ruamel.yaml import YAML

from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server import map_svg
from urbankg.server.app import create_app
from urbankg.server.ui import result_map

PLACES_WITH_WKT = """
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX schema: <https://schema.org/>
SELECT ?place ?name ?wkt WHERE { ?place geo:asWKT ?wkt ; schema:name ?name } ORDER BY ?name
"""


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


def bundled_cases_with_points() -> dict[str, str]:
    """case id -> a place of it with coordinates, read from the corpus files themselves."""
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    places, cases = {}, {}
    for path in sorted(corpus.glob("*/*-cases.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        places.update({p["id"]: p for p in data.get("places") or []})
        cases.update({c["id"]: c for c in data.get("cases") or []})
    found = {}
    for case_id, case in cases.items():
        located = [p for p in case.get("place") or [] if places.get(p, {}).get("wkt")]
        if located:
            found[case_id] = located[0]
    return found


def test_the_boundaries_are_small_and_hold_china_s_provinces():
    assert map_svg.BOUNDARIES.stat().st_size < 1_000_000
    collection = json.loads(map_svg.BOUNDARIES.read_text(encoding="utf-8"))
    provinces = {f["properties"]["name"] for f in collection["features"] if f["properties"]["kind"] == "province"}
    assert len(provinces) == 31 and {"Guangdong", "Shandong", "Jiangsu", "Xinjiang"} <= provinces
    countries = {f["properties"]["name"] for f in collection["features"] if f["properties"]["kind"] == "country"}
    assert {"China", "New Zealand", "United States of America"} <= countries
    assert "Natural Earth" in collection["source"]
    guangdong = next(o for o in map_svg.outlines() if o.name == "Guangdong")
    west, south, east, north = guangdong.box  # about 109.7-117.3 E, 20.2-25.5 N
    assert 109 < west < 111 and 116 < east < 118 and 20 < south < 21 and 25 < north < 26


def test_the_map_draws_provinces_and_every_bundled_case_s_point(base_url):
    html = requests.get(base_url + "/map").text
    svg = re.search(r'<svg class="map[^"]*".*?</svg>', html, re.S).group(0)
    assert svg.count('<path class="province"') == 31
    assert "<title>Guangdong</title>" in svg
    # at China's scale the names of villages and towns wait for a zoom; provinces' are shown
    assert '<text class="minor"' in svg and '<text class="major"' in svg and 'class="map near"' not in svg
    expected = bundled_cases_with_points()
    assert len(expected) >= 5
    for case_id in expected:
        assert f'<a class="marker case" href="/id/{case_id}"' in svg, case_id
    # Guangzhou where it is: x = lon * cos 35° * 10, y = -lat * 10
    x, y = map_svg.xy(113.26, 23.13)
    assert re.search(rf'href="/id/place/guangzhou"[^>]*><circle class="place" cx="{x:.2f}" cy="{y:.2f}"', svg)
    assert "map.js" in html and "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", svg)


def test_a_query_with_wkt_points_gets_a_map(base_url):
    answer = requests.get(base_url + "/map?query=" + quote(PLACES_WITH_WKT))
    assert answer.status_code == 200, answer.text[:500]
    svg = re.search(r'<svg class="map[^"]*".*?</svg>', answer.text, re.S).group(0)
    assert svg.count('<circle class="point"') == 18  # every bundled place with coordinates
    assert re.search(r'<a class="marker point" href="/id/place/guangzhou" data-label="Guangzhou">', svg)
    none = requests.get(
        base_url + "/map?query=" + quote("SELECT ?s WHERE { ?s a <https://w3id.org/urbankg/ontology#Case> }")
    )
    assert none.status_code == 400 and "POINT" in none.text
    wrong = requests.get(base_url + "/map?query=" + quote("SELECT ?s WHERE { ?s ?p }"))
    assert wrong.status_code == 400


def test_a_query_page_answer_with_points_gets_a_map_and_one_without_gets_none():
    rows = [
        {"place": ox.NamedNode(config.ID_BASE + "place/guangzhou"), "wkt": ox.Literal("POINT(113.26 23.13)")},
        {"place": ox.NamedNode(config.ID_BASE + "place/yellow-river"), "wkt": None},
    ]
    picture = result_map(rows, ["place", "wkt"])
    assert picture is not None and picture.count('<circle class="point"') == 1
    assert 'href="/id/place/guangzhou"' in picture
    assert result_map([{"place": ox.NamedNode(config.ID_BASE + "place/x")}], ["place"]) is None


def test_case_and_place_pages_show_their_map_zoomed_to_them(base_url):
    html = requests.get(base_url + "/id/case/daji-town").text
    view = [float(v) for v in re.search(r'<svg class="map[^"]*"[^>]*viewBox="([^"]+)"', html).group(1).split()]
    x, y = map_svg.xy(115.54, 34.83)  # Cao County, which holds Daji Town
    assert view[0] < x < view[0] + view[2] and view[1] < y < view[1] + view[3]
    assert view[2] < 100, "zoomed to the place, not the whole of China"
    place = requests.get(base_url + "/id/place/auckland").text
    assert '<svg class="map' in place and "<title>New Zealand</title>" in place
