"""The identities page and its decisions (/identities, /identities/decide), over real HTTP.

One server (waitress on a loopback port, real query processes) on an on-disk store filled
with the bundled corpus, whose loads list possible pairs of people across papers. The
decision tests run in file order on that one store: refused, accepted, undone.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from endpoint import TOKEN
from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.identity.decisions import IDENTITIES_GRAPH
from urbankg.server.app import create_app
from urbankg.server.settings import Settings
from urbankg.store_access import RunningServer, ServerClient, ServerRefused

PERSON = config.ID_BASE + "person/"
QIAN = PERSON + "chen-y/qian-2017"
ZHAO = PERSON + "chen-y/zhao-2021"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    kg = KnowledgeGraph.open(tmp_path_factory.mktemp("identities") / "store")
    kg.ensure_bundled()
    app = create_app(kg, Settings(token=TOKEN, workers=1))
    try:
        with served(app) as url:
            yield url, kg
    finally:
        kg.close()


def listed(url: str, status: str = "all") -> list[dict]:
    response = requests.get(url + "/identities", params={"status": status}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["decisions"]


def chen(url: str, status: str = "all") -> dict:
    return next(d for d in listed(url, status) if {d["alias"], d["canonical"]} == {QIAN, ZHAO})


def mentions(url: str, iri: str) -> int:
    """Quads of the named graphs (graph/identities aside) that mention ``iri``, asked of the server."""
    query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(?s = <{iri}> || ?o = <{iri}>) }} "
        f"FILTER(?g != <{IDENTITIES_GRAPH}>) }}"
    )
    answer = requests.post(
        url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def graphs(kg: KnowledgeGraph) -> dict[str, set[str]]:
    """Every named graph but graph/identities, as its quads with canonical blank nodes: a graph
    rewritten by a merge names its blank nodes anew, so only a canonical form compares."""
    found: dict[str, ox.Dataset] = {}
    for row in kg.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        name = row["g"].value
        if name != IDENTITIES_GRAPH:
            found.setdefault(name, ox.Dataset()).add(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
    for dataset in found.values():
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {name: {str(q) for q in dataset} for name, dataset in found.items()}


def client(url: str) -> ServerClient:
    return ServerClient(RunningServer(url, os.getpid(), datetime.now(UTC).isoformat(), Path("unused")), TOKEN)


def test_the_bundled_loads_list_possible_pairs_as_json_and_as_a_page(server):
    url, _ = server
    pair = chen(url, "possible")
    assert pair["kind"] == "person" and pair["status"] == "possible"
    assert pair["alias_label"] == pair["canonical_label"] == "Y. Chen"
    assert pair["agent"] == "urbankg identity matcher"  # the name, not its IRI segment
    assert all(d["status"] == "possible" for d in listed(url, "possible"))
    assert client(url).identities("possible", "person")[0]["kind"] == "person"
    assert {d["status"] for d in client(url).identities("merged")} <= {"merged"}

    page = requests.get(url + "/identities", headers=HTML, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for shown in ("Y. Chen", "/id/person/chen-y/qian-2017", "/id/person/chen-y/zhao-2021", pair["key"]):
        assert shown in page.text
    assert 'name="action" value="accept"' in page.text and 'name="token"' in page.text
    assert 'href="/identities"' in requests.get(url + "/graphs", timeout=30).text  # in the navigation

    bad = requests.get(url + "/identities", params={"status": "maybe"}, headers=JSON, timeout=30)
    assert bad.status_code == 400 and "status is one of" in bad.json()["error"]


def test_a_decision_without_a_valid_token_is_401_and_changes_nothing(server):
    url, _ = server
    before = listed(url)
    key = chen(url)["key"]
    form = {"key": key, "action": "accept"}
    refusals = [
        requests.post(url + "/identities/decide", data=form, headers=HTML, timeout=30),
        requests.post(url + "/identities/decide", data={**form, "token": TOKEN + "x"}, headers=HTML, timeout=30),
        requests.post(url + "/identities/decide", json=form, timeout=30),
        requests.post(url + "/identities/decide", json=form, headers={"Authorization": "Bearer nope"}, timeout=30),
    ]
    assert [r.status_code for r in refusals] == [401] * 4
    assert "needs a write token" in refusals[0].text and 'id="identities"' in refusals[0].text  # the list, again
    assert refusals[1].headers["WWW-Authenticate"].startswith("Bearer")  # no Basic: no password dialog
    assert "write token" in refusals[2].json()["error"]
    assert listed(url) == before


def test_accept_merges_the_pair_everywhere_and_undo_puts_every_graph_back(server):
    url, kg = server
    before = graphs(kg)
    key = chen(url)["key"]
    assert mentions(url, ZHAO) > 0 and mentions(url, QIAN) > 0

    # From the page: the token as a form field, keeping the older IRI; back to the list with a notice.
    accepted = requests.post(
        url + "/identities/decide",
        data={"key": key, "action": "accept", "keep": QIAN, "evidence": "same affiliation", "token": TOKEN},
        headers=HTML,
        allow_redirects=False,
        timeout=60,
    )
    assert accepted.status_code == 303, accepted.text
    notice = requests.get(url + accepted.headers["Location"], headers=HTML, timeout=30)
    assert f"merged {ZHAO} into {QIAN}" in notice.text
    merged = chen(url, "merged")
    assert (merged["alias"], merged["canonical"], merged["evidence"]) == (ZHAO, QIAN, "same affiliation")
    assert merged["agent"] == "admin"  # the single token's name (URBANKG_TOKEN_NAME's default)
    assert mentions(url, ZHAO) == 0 and mentions(url, QIAN) > 0

    # A pair merged already is a conflict, with the facade's message.
    with pytest.raises(ServerRefused) as again:
        client(url).decide_identity(key, True)
    assert again.value.status == 409 and "merged already" in str(again.value)

    # From the command line beside the server: JSON, the token in the header.
    undone = client(url).decide_identity(key, False, evidence="two people")
    assert undone == {"key": key, "status": "distinct", "alias": ZHAO, "canonical": QIAN}
    assert mentions(url, ZHAO) > 0
    after = graphs(kg)
    assert sorted(after) == sorted(before)
    assert [g for g in before if before[g] != after[g]] == []
    assert chen(url, "distinct")["evidence"] == "two people"


def test_an_unknown_key_is_409_with_the_message(server):
    url, _ = server
    answer = requests.post(
        url + "/identities/decide",
        json={"key": "0000000000", "action": "reject"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 409 and "no identity decision 0000000000" in answer.json()["error"]
    missing = requests.post(
        url + "/identities/decide", json={"key": "x"}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert missing.status_code == 400 and "action=accept" in missing.json()["error"]
    listed_body = requests.post(
        url + "/identities/decide", json=["x"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert listed_body.status_code == 400
