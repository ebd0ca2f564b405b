"""The Graph Store HTTP Protocol over real HTTP: read, replace, add, delete, and the validation gate."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from endpoint import DATA, TOKEN, endpoint
from small_disk import fill, small_disk  # noqa: F401 (a fixture)
from urbankg import config
from urbankg.server.settings import Settings

EX = Namespace("https://example.org/")
TURTLE = {"Content-Type": "text/turtle"}
GOOD = """@prefix ex: <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:shaji a ex:Village ;
    rdfs:label "Shaji" ;
    ex:onlineShops 1200 .
"""
# Line 4: a village without a name; line 6: shops that are not a number.
INVALID = """@prefix ex: <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:dongfeng a ex:Village ;
    rdfs:comment "no label" ;
    ex:onlineShops "many" .
"""
BROKEN = """@prefix ex: <https://example.org/> .

ex:a ex:b ex:c .
ex:d ex:e .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    settings = Settings(token=TOKEN, max_body=5_000, workers=1)
    with endpoint(tmp_path_factory.mktemp("gsp") / "store", settings, load=[DATA / "rdf" / "good.ttl"]) as running:
        yield running


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    with endpoint(tmp_path_factory.mktemp("gsp-ro") / "store", Settings(token=None, workers=1),
                  load=[DATA / "rdf" / "good.ttl"]) as running:
        yield running


def auth(extra: dict | None = None) -> dict:
    return {"Authorization": f"Bearer {TOKEN}", **(extra or {})}


def graph_count(server, iri: str) -> int:
    return server.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")


def test_get_a_graph_directly_and_indirectly_in_negotiated_formats(store):
    iri = config.graph_iri("good")
    direct = requests.get(store.url + "/graph/good", timeout=30)
    assert direct.status_code == 200 and direct.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=direct.text, format="turtle")
    assert (EX.lirendong, RDFS.label, Literal("Lirendong")) in graph and len(graph) == 3
    indirect = requests.get(store.url + "/rdf-graphs", params={"graph": iri},
                            headers={"Accept": "application/ld+json"}, timeout=30)
    assert indirect.headers["Content-Type"].startswith("application/ld+json")
    assert len(Graph().parse(data=indirect.text, format="json-ld")) == 3
    head = requests.head(store.url + "/graph/good", timeout=30)
    assert head.status_code == 200 and head.text == "" and int(head.headers["Content-Length"]) == len(direct.content)


def test_get_the_default_graph_and_a_missing_graph(store):
    default = requests.get(store.url + "/rdf-graphs?default", headers={"Accept": "application/n-triples"}, timeout=30)
    catalogue = Graph().parse(data=default.text, format="nt")
    assert (URIRef(config.graph_iri("good")), URIRef("http://rdfs.org/ns/void#triples"), Literal(3)) in catalogue
    missing = requests.get(store.url + "/graph/nothing-here", timeout=30)
    assert missing.status_code == 404 and "nothing-here" in missing.json()["error"]
    assert requests.head(store.url + "/graph/nothing-here", timeout=30).status_code == 404
    assert requests.get(store.url + "/rdf-graphs", timeout=30).status_code == 400  # which graph?


def test_put_creates_then_replaces_a_graph(store):
    iri = config.graph_iri("shaji")
    created = requests.put(store.url + "/graph/shaji", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith("/graph/shaji")
    assert created.json() == {"graph": iri, "triples": 3, "warnings": []}
    replaced = requests.put(store.url + "/rdf-graphs", params={"graph": iri},
                            data=GOOD.replace("1200", "1300").encode(), headers=auth(TURTLE), timeout=30)
    assert replaced.status_code == 200
    graph = Graph().parse(data=requests.get(store.url + "/graph/shaji", timeout=30).text, format="turtle")
    assert set(graph.objects(EX.shaji, EX.onlineShops)) == {Literal(1300)}  # replaced, not added


def test_post_adds_to_a_graph_and_post_to_the_store_creates_one(store):
    requests.put(store.url + "/graph/merge", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    more = '<https://example.org/shaji> <https://example.org/county> "Boluo" .\n'
    added = requests.post(store.url + "/graph/merge", data=more.encode(),
                          headers=auth({"Content-Type": "application/n-triples"}), timeout=30)
    assert added.status_code == 200 and added.json()["triples"] == 4
    assert graph_count(store, config.graph_iri("merge")) == 4
    new = requests.post(store.url + "/rdf-graphs", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert new.status_code == 201
    fetched = requests.get(store.url + new.headers["Location"], timeout=30)
    assert len(Graph().parse(data=fetched.text, format="turtle")) == 3


def test_post_to_a_graph_holding_a_4_mb_literal_merges_in_linear_time(tmp_path):
    # The graph is read back from the store as N-Triples to merge the body into it; rdflib's
    # N-Triples parser took 57 s over the one 4 MB line, holding a server thread.
    long = "a" * 4_000_000
    with endpoint(tmp_path / "store", Settings(token=TOKEN, workers=1)) as server:
        put = requests.put(server.url + "/graph/long", data=f'<{EX}s> <{EX}p> """{long}""" .\n'.encode(),
                           headers=auth(TURTLE), timeout=60)
        assert put.status_code == 201, put.text
        started = time.monotonic()
        added = requests.post(server.url + "/graph/long", data=f'<{EX}s> <{EX}q> "b" .\n'.encode(),
                              headers=auth(TURTLE), timeout=120)
        assert added.status_code == 200, added.text
        assert time.monotonic() - started < 15
        assert added.json()["triples"] == 2
        assert server.count(f"SELECT (STRLEN(?o) AS ?n) WHERE {{ ?s <{EX}p> ?o }}") == len(long)


def test_put_that_fails_shacl_is_422_with_lines_and_changes_nothing(store):
    requests.put(store.url + "/graph/guarded", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    before = store.count()
    response = requests.put(store.url + "/graph/guarded", data=INVALID.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 422
    report = response.json()
    assert "nothing was written" in report["error"]
    lines = {(p["line"], p["severity"]) for p in report["problems"]}
    assert (4, "error") in lines  # the village without a name
    assert (6, "error") in lines  # the shops that are not a number
    assert "body:4: ex:dongfeng: A village needs a name" in report["report"]  # FILE:LINE: message
    assert any("whole number" in p["message"] for p in report["problems"])
    assert store.count() == before
    graph = Graph().parse(data=requests.get(store.url + "/graph/guarded", timeout=30).text, format="turtle")
    assert (EX.shaji, RDFS.label, Literal("Shaji")) in graph  # the old content, untouched


def test_post_that_makes_the_graph_invalid_is_422(store):
    requests.put(store.url + "/graph/guarded-post", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    bad = '<https://example.org/shaji> <https://example.org/onlineShops> "lots" .\n'
    response = requests.post(store.url + "/graph/guarded-post", data=bad.encode(),
                             headers=auth({"Content-Type": "application/n-triples"}), timeout=30)
    assert response.status_code == 422
    assert graph_count(store, config.graph_iri("guarded-post")) == 3


def test_unparseable_body_is_400_with_its_line(store):
    response = requests.put(store.url + "/graph/broken", data=BROKEN.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["file"] == "body" and problem["line"] == 4
    assert requests.get(store.url + "/graph/broken", timeout=30).status_code == 404


def test_unknown_media_type_is_415(store):
    response = requests.put(store.url + "/graph/x", data=b"a,b\n", headers=auth({"Content-Type": "text/csv"}),
                            timeout=30)
    assert response.status_code == 415 and "text/turtle" in response.json()["error"]


def test_delete_drops_a_graph(store):
    requests.put(store.url + "/graph/doomed", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert requests.delete(store.url + "/graph/doomed", headers=auth(), timeout=30).status_code == 204
    assert requests.get(store.url + "/graph/doomed", timeout=30).status_code == 404
    assert requests.delete(store.url + "/graph/doomed", headers=auth(), timeout=30).status_code == 404


def test_the_default_graph_is_read_only(store):
    response = requests.put(store.url + "/rdf-graphs?default", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_need_the_token_and_change_nothing(store, read_only, method):
    before = store.count()
    missing = requests.request(method, store.url + "/graph/good", data=GOOD.encode(), headers=TURTLE, timeout=30)
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]
    wrong = requests.request(method, store.url + "/graph/good", data=GOOD.encode(),
                             headers={"Authorization": "Bearer nope", **TURTLE}, timeout=30)
    assert wrong.status_code == 401
    assert store.count() == before
    refused = requests.request(method, read_only.url + "/graph/good", data=GOOD.encode(), headers=auth(TURTLE),
                               timeout=30)
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]


def test_oversized_put_is_413(store):
    body = GOOD + "".join(f'<https://example.org/v{i}> <https://example.org/n> {i} .\n' for i in range(200))
    assert len(body) > 5_000
    response = requests.put(store.url + "/graph/big", data=body.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 413
    assert requests.get(store.url + "/graph/big", timeout=30).status_code == 404


def test_a_put_is_visible_to_sparql_at_once(store):
    requests.put(store.url + "/graph/seen", data=GOOD.replace("shaji", "seen").encode(), headers=auth(TURTLE),
                 timeout=30)
    answer = requests.get(store.sparql, params={"query": "ASK { GRAPH <https://w3id.org/urbankg/graph/seen> "
                                                         "{ <https://example.org/seen> ?p ?o } }"}, timeout=30)
    assert answer.json()["boolean"] is True


def test_a_full_disk_is_507_and_the_server_recovers_once_space_is_freed(small_disk):
    """Issue 21, finding 10: after ENOSPC every uncached query and write answered 500, even
    once space was freed, while /health said ok."""
    with endpoint(small_disk / "store", Settings(token=TOKEN, workers=1), load=[DATA / "rdf" / "good.ttl"]) as server:
        def ask(village: str) -> bool:
            answer = requests.get(server.sparql, params={"query": f"ASK {{ <https://example.org/{village}> ?p ?o }}"},
                                  headers={"Cache-Control": "no-cache"}, timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.json()["boolean"]

        def health() -> dict:
            answer = requests.get(server.url + "/health", timeout=30)
            assert answer.status_code == 200
            return answer.json()

        assert ask("lirendong") and health()["status"] == "ok"
        filler = fill(small_disk)
        for method, path, body in (("PUT", "/graph/full", GOOD), ("POST", "/sparql", None), ("DELETE", "/graph/good", None)):
            if body is None and method == "POST":
                answer = requests.post(server.sparql, data={"update": "INSERT DATA { <urn:x:a> <urn:x:b> "
                                                                      "'a literal to need the log' }"},
                                       headers=auth(), timeout=30)
            else:
                answer = requests.request(method, server.url + path, data=(body or "").encode(), headers=auth(TURTLE),
                                          timeout=30)
            assert answer.status_code == 507, (method, path, answer.status_code, answer.text)
            assert f"disk full: {small_disk}/store" in answer.text and answer.headers["Retry-After"]
        state = health()
        assert state["status"] == "degraded" and state["problem"].startswith(f"disk full: {small_disk}/store")
        assert ask("lirendong") and not ask("shaji")  # reads go on from what is there
        filler.unlink()
        recovered = health()
        assert (recovered["status"], recovered["problem"], recovered["graphs"]) == ("ok", None, state["graphs"])
        created = requests.put(server.url + "/graph/full", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
        assert created.status_code == 201, created.text
        assert ask("shaji")
        assert requests.post(server.sparql, data={"update": "INSERT DATA { <urn:x:a> <urn:x:b> 'c' }"},
                             headers=auth(), timeout=30).status_code == 204


def test_a_query_needing_a_new_snapshot_on_a_full_disk_is_507_then_answers(small_disk):
    with endpoint(small_disk / "store", Settings(token=TOKEN, workers=1), load=[DATA / "rdf" / "good.ttl"]) as server:
        def ask() -> requests.Response:
            return requests.get(server.sparql, params={"query": "ASK { <https://example.org/shaji> ?p ?o }"},
                                headers={"Cache-Control": "no-cache"}, timeout=30)

        assert ask().json()["boolean"] is False
        assert requests.put(server.url + "/graph/new", data=GOOD.encode(), headers=auth(TURTLE),
                            timeout=30).status_code == 201
        filler = fill(small_disk)  # the query processes must see the PUT: a snapshot is due
        refused = ask()
        assert refused.status_code == 507 and f"disk full: {small_disk}/store" in refused.text
        filler.unlink()
        assert ask().json()["boolean"] is True


def test_concurrent_posts_and_updates_to_one_graph_lose_nothing(tmp_path):
    # Twenty POSTs to one graph all answered 201/200 and 5 of 20 triples remained; a POST beside
    # SPARQL INSERT DATAs wiped 8 of 10 inserts (issue 15). Every write now takes its turn.
    with endpoint(tmp_path / "store", Settings(token=TOKEN, workers=1)) as server:
        graph = server.url + "/graph/busy"
        iri = "https://w3id.org/urbankg/graph/busy"

        def post(n):
            return requests.post(graph, data=f"<{EX}s> <{EX}post> {n} .\n".encode(), headers=auth(TURTLE), timeout=120)

        def insert(n):
            update = f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}s> <{EX}insert> {n} }} }}"
            return requests.post(server.url + "/sparql", data={"update": update}, headers=auth(None), timeout=120)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: post(n) if n % 2 else insert(n), range(30)))
        assert all(a.status_code in (200, 201, 204) for a in answers), [a.text for a in answers if a.status_code >= 300]
        assert graph_count(server, iri) == 30  # 15 posted, 15 inserted: every triple accounted for
