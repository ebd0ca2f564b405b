"""The Graph Store HTTP Protocol over real HTTP: read, replace, add, delete, and the validation gate."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from endpoint import DATA, TOKEN, endpoint
from small_disk import fill  # the small_disk fixture comes from the plugin (conftest.py)
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
    with endpoint(
        tmp_path_factory.mktemp("gsp-ro") / "store", Settings(token=None, workers=1), load=[DATA / "rdf" / "good.ttl"]
    ) as running:
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
    indirect = requests.get(
        store.url + "/rdf-graphs", params={"graph": iri}, headers={"Accept": "application/ld+json"}, timeout=30
    )
    assert indirect.headers["Content-Type"].startswith("application/ld+json")
    assert len(Graph().parse(data=indirect.text, format="json-ld")) == 3
    head = requests.head(store.url + "/graph/good", timeout=30)
    assert head.status_code == 200 and head.text == "" and int(head.headers["Content-Length"]) == len(direct.content)


def test_the_default_graph_is_what_queries_see_and_a_missing_graph_is_404(store):
    # ?default was the catalogue alone; a query's default graph is the union of every graph.
    default = requests.get(store.url + "/rdf-graphs?default", headers={"Accept": "application/n-triples"}, timeout=30)
    assert default.status_code == 200 and default.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    union = Graph().parse(data=default.text, format="nt")
    assert (EX.lirendong, RDFS.label, Literal("Lirendong")) in union  # from the graph good
    assert (URIRef(config.graph_iri("good")), URIRef("http://rdfs.org/ns/void#triples"), Literal(3)) in union
    seen = requests.get(
        store.sparql,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Cache-Control": "no-cache"},
        timeout=30,
    )
    assert len(union) == int(seen.json()["results"]["bindings"][0]["n"]["value"])
    missing = requests.get(store.url + "/graph/nothing-here", timeout=30)
    assert missing.status_code == 404 and "nothing-here" in missing.json()["error"]
    assert requests.get(store.url + "/rdf-graphs", timeout=30).status_code == 400  # which graph?


def test_head_says_what_get_would_without_the_body(store):
    get = requests.get(store.url + "/graph/good", headers={"Accept": "application/n-triples"}, timeout=30)
    head = requests.head(store.url + "/graph/good", headers={"Accept": "application/n-triples"}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert int(head.headers["Content-Length"]) == len(get.content)
    missing = requests.head(store.url + "/rdf-graphs", params={"graph": "https://example.org/none"}, timeout=30)
    assert missing.status_code == 404 and missing.content == b""


def test_put_creates_then_replaces_a_graph(store):
    iri = config.graph_iri("shaji")
    created = requests.put(store.url + "/graph/shaji", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == iri  # the new graph's IRI, absolute (it was the path /graph/shaji)
    assert created.json() == {"graph": iri, "triples": 3, "warnings": []}
    replaced = requests.put(
        store.url + "/rdf-graphs",
        params={"graph": iri},
        data=GOOD.replace("1200", "1300").encode(),
        headers=auth(TURTLE),
        timeout=30,
    )
    assert replaced.status_code == 200
    graph = Graph().parse(data=requests.get(store.url + "/graph/shaji", timeout=30).text, format="turtle")
    assert set(graph.objects(EX.shaji, EX.onlineShops)) == {Literal(1300)}  # replaced, not added


def test_post_adds_to_a_graph_and_post_to_the_store_creates_one(store):
    requests.put(store.url + "/graph/merge", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    more = '<https://example.org/shaji> <https://example.org/county> "Boluo" .\n'
    added = requests.post(
        store.url + "/graph/merge",
        data=more.encode(),
        headers=auth({"Content-Type": "application/n-triples"}),
        timeout=30,
    )
    assert added.status_code == 200 and added.json()["triples"] == 4
    assert graph_count(store, config.graph_iri("merge")) == 4
    new = requests.post(store.url + "/rdf-graphs", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    assert new.status_code == 201
    location = new.headers["Location"]  # the graph's IRI (section 5.5), under the graph base: /graph/<name>
    assert location == new.json()["graph"] and location.startswith(config.GRAPH_BASE + "http-")
    fetched = requests.get(store.url + "/rdf-graphs", params={"graph": location}, timeout=30)
    assert len(Graph().parse(data=fetched.text, format="turtle")) == 3
    direct = requests.get(store.url + "/graph/" + location[len(config.GRAPH_BASE) :], timeout=30)
    assert direct.text == fetched.text


def test_post_to_a_graph_holding_a_4_mb_literal_merges_in_linear_time(tmp_path):
    # The graph is read back from the store as N-Triples to merge the body into it; rdflib's
    # N-Triples parser took 57 s over the one 4 MB line, holding a server thread.
    long = "a" * 4_000_000
    with endpoint(tmp_path / "store", Settings(token=TOKEN, workers=1)) as server:
        put = requests.put(
            server.url + "/graph/long",
            data=f'<{EX}s> <{EX}p> """{long}""" .\n'.encode(),
            headers=auth(TURTLE),
            timeout=60,
        )
        assert put.status_code == 201, put.text
        started = time.monotonic()
        added = requests.post(
            server.url + "/graph/long", data=f'<{EX}s> <{EX}q> "b" .\n'.encode(), headers=auth(TURTLE), timeout=120
        )
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
    response = requests.post(
        store.url + "/graph/guarded-post",
        data=bad.encode(),
        headers=auth({"Content-Type": "application/n-triples"}),
        timeout=30,
    )
    assert response.status_code == 422
    assert graph_count(store, config.graph_iri("guarded-post")) == 3


def test_unparseable_body_is_400_with_its_line(store):
    response = requests.put(store.url + "/graph/broken", data=BROKEN.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["file"] == "body" and problem["line"] == 4
    assert requests.get(store.url + "/graph/broken", timeout=30).status_code == 404


def test_unknown_media_type_is_415(store):
    response = requests.put(
        store.url + "/graph/x", data=b"a,b\n", headers=auth({"Content-Type": "text/csv"}), timeout=30
    )
    assert response.status_code == 415 and "text/turtle" in response.json()["error"]


def test_delete_drops_a_graph_and_says_nothing(store):
    requests.put(store.url + "/graph/doomed", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    deleted = requests.delete(store.url + "/graph/doomed", headers=auth(), timeout=30)
    assert deleted.status_code == 204 and deleted.content == b""
    assert "Content-Type" not in deleted.headers  # it said text/html
    assert requests.get(store.url + "/graph/doomed", timeout=30).status_code == 404
    assert requests.delete(store.url + "/graph/doomed", headers=auth(), timeout=30).status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_default_graph_is_read_only(store, method):
    before = store.count()
    response = requests.request(
        method, store.url + "/rdf-graphs?default", data=GOOD.encode(), headers=auth(TURTLE), timeout=30
    )
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"
    assert "union of all graphs" in response.json()["error"] and "named graph" in response.json()["error"]
    assert store.count() == before


def test_the_service_description_says_the_default_graph_is_the_read_only_union(store):
    described = Graph().parse(
        data=requests.get(store.sparql, headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle"
    )
    SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
    [default] = described.objects(None, SD.defaultGraph)
    comments = " ".join(str(c) for c in described.objects(default, RDFS.comment))
    assert "union of all named graphs" in comments and "/rdf-graphs?default" in comments and "read-only" in comments
    assert (None, SD.feature, SD.UnionDefaultGraph) in described


MULTIPART_BODY = (
    "--b0undary\r\n"
    'Content-Disposition: form-data; name="first"; filename="first.ttl"\r\n'
    "Content-Type: text/turtle\r\n\r\n"
    "@prefix ex: <https://example.org/> .\r\n"
    "ex:sanqiao a ex:Village .\r\n"
    "\r\n--b0undary\r\n"
    'Content-Disposition: form-data; name="second"; filename="second.nt"\r\n\r\n'
    '<https://example.org/sanqiao> <http://www.w3.org/2000/01/rdf-schema#label> "Sanqiao" .\r\n'
    "\r\n--b0undary--\r\n"
)


def test_a_multipart_post_merges_every_part_as_one_write(store):
    # The first part alone is a village without a name (SHACL would refuse it); with the second,
    # which has no Content-Type and is read by its file name's suffix, the merge is valid.
    response = requests.post(
        store.url + "/graph/multipart",
        data=MULTIPART_BODY.encode(),
        headers=auth({"Content-Type": "multipart/form-data; boundary=b0undary"}),
        timeout=30,
    )
    assert response.status_code == 201, response.text
    graph = Graph().parse(data=requests.get(store.url + "/graph/multipart", timeout=30).text, format="turtle")
    assert set(graph) == {(EX.sanqiao, RDF.type, EX.Village), (EX.sanqiao, RDFS.label, Literal("Sanqiao"))}


def test_a_multipart_part_that_does_not_parse_is_named_and_nothing_is_written(store):
    body = MULTIPART_BODY.replace('"Sanqiao" .', '"Sanqiao"').replace("ex:Village .", "ex:Village")
    before = store.count()
    response = requests.post(
        store.url + "/graph/multipart-bad",
        data=body.encode(),
        headers=auth({"Content-Type": "multipart/form-data; boundary=b0undary"}),
        timeout=30,
    )
    assert response.status_code == 400
    files = {p["file"] for p in response.json()["problems"]}
    assert files == {"body part 1 (first.ttl)", "body part 2 (second.nt)"}  # both, at once
    assert store.count() == before
    unnamed = MULTIPART_BODY.replace('filename="second.nt"', 'filename="second"')
    refused = requests.post(
        store.url + "/graph/multipart-bad",
        data=unnamed.encode(),
        headers=auth({"Content-Type": "multipart/form-data; boundary=b0undary"}),
        timeout=30,
    )
    assert refused.status_code == 415 and "text/turtle" in refused.json()["error"]


def test_a_body_without_content_type_is_read_by_the_graph_names_suffix(store):
    nt = '<https://example.org/s> <https://example.org/p> "o" .\n'
    # requests sends no Content-Type for bytes data.
    guessed = requests.put(store.url + "/graph/untyped.nt", data=nt.encode(), headers=auth(), timeout=30)
    assert "Content-Type" not in guessed.request.headers
    assert guessed.status_code == 201, guessed.text
    assert graph_count(store, config.graph_iri("untyped.nt")) == 1
    refused = requests.put(store.url + "/graph/untyped", data=nt.encode(), headers=auth(), timeout=30)
    assert refused.status_code == 415
    message = refused.json()["error"]
    assert "without Content-Type" in message and "text/turtle" in message and ".ttl" in message
    assert requests.get(store.url + "/graph/untyped", timeout=30).status_code == 404


def test_an_empty_put_leaves_an_empty_graph_that_delete_removes(store):
    # It answered 201 and created nothing, leaving a catalogue entry DELETE could not remove (issue 15).
    iri = config.graph_iri("empty")
    created = requests.put(store.url + "/graph/empty", data=b"", headers=auth(TURTLE), timeout=30)
    assert created.status_code == 201 and created.headers["Location"] == iri
    assert created.json()["triples"] == 0
    got = requests.get(store.url + "/graph/empty", headers={"Accept": "application/n-triples"}, timeout=30)
    assert got.status_code == 200 and got.content == b""
    assert requests.head(store.url + "/graph/empty", timeout=30).status_code == 200
    assert store.kg.store.catalogue_entry(iri).triples == 0
    again = requests.put(store.url + "/graph/empty", data=b"", headers=auth(TURTLE), timeout=30)
    assert again.status_code == 200  # it exists
    assert requests.delete(store.url + "/graph/empty", headers=auth(), timeout=30).status_code == 204
    assert requests.get(store.url + "/graph/empty", timeout=30).status_code == 404
    assert store.kg.store.catalogue_entry(iri) is None and iri not in store.kg.graphs()
    assert requests.delete(store.url + "/graph/empty", headers=auth(), timeout=30).status_code == 404


def test_a_graph_another_writer_created_is_replaced_or_deleted_only_with_replace(store):
    iri = config.graph_iri("theirs")
    store.kg.update(f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}a> <{EX}b> 'c' }} }}", agent="scholar-b")
    for method, data in (("PUT", GOOD.encode()), ("DELETE", None)):
        refused = requests.request(method, store.url + "/graph/theirs", data=data, headers=auth(TURTLE), timeout=30)
        assert refused.status_code == 409, refused.text
        answer = refused.json()
        assert answer["graph"] == iri and answer["owner"] == "scholar-b"
        assert iri in answer["error"] and "scholar-b" in answer["error"] and "?replace=true" in answer["error"]
        assert graph_count(store, iri) == 1
    # A POST adds to the graph: an edit, allowed whoever created it.
    more = requests.post(
        store.url + "/graph/theirs",
        data=f'<{EX}a> <{EX}d> "e" .\n'.encode(),
        headers=auth({"Content-Type": "application/n-triples"}),
        timeout=30,
    )
    assert more.status_code == 200 and graph_count(store, iri) == 2
    replaced = requests.put(
        store.url + "/graph/theirs?replace=true", data=GOOD.encode(), headers=auth(TURTLE), timeout=30
    )
    assert replaced.status_code == 200 and graph_count(store, iri) == 3
    assert store.kg.writes.owner(iri) == "scholar-b"  # the creator stays; the history says who replaced it
    deleted = requests.delete(store.url + "/graph/theirs", params={"replace": "true"}, headers=auth(), timeout=30)
    assert deleted.status_code == 204 and iri not in store.kg.graphs()
    assert (
        requests.put(
            store.url + "/graph/theirs?replace=maybe", data=GOOD.encode(), headers=auth(TURTLE), timeout=30
        ).status_code
        == 400
    )


def test_every_write_is_recorded_with_who_what_and_the_counts(store):
    iri = config.graph_iri("recorded")
    requests.put(store.url + "/graph/recorded", data=GOOD.encode(), headers=auth(TURTLE), timeout=30)
    requests.post(
        store.url + "/rdf-graphs",
        params={"graph": iri},
        data=f'<{EX}x> <{EX}y> "z" .\n'.encode(),
        headers=auth({"Content-Type": "application/n-triples"}),
        timeout=30,
    )
    requests.delete(store.url + "/graph/recorded", headers=auth(), timeout=30)
    history = store.kg.writes.history(iri)
    agent = Settings(token=TOKEN).token_name  # the name the server's single token writes under
    assert [(r.action, r.agent, r.before, r.after) for r in history] == [
        ("delete", agent, 4, 0),
        ("post", agent, 3, 4),
        ("put", agent, 0, 3),
    ]  # newest first
    assert history[1].origin == f"HTTP POST /rdf-graphs?graph={iri}"
    assert history[2].origin == "HTTP PUT /graph/recorded"


def test_an_update_goes_through_the_shapes_and_the_claims(store):
    iri = "https://example.org/g/villages"
    before = store.count()
    # A village without a name: the shape's message, and nothing written.
    nameless = f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}nameless> a <{EX}Village> }} }}"
    broken = requests.post(store.sparql, data={"update": nameless}, headers=auth(), timeout=30)
    assert broken.status_code == 400 and "A village needs a name" in broken.text and iri in broken.text
    assert "nothing was written" in broken.text and store.count() == before
    default = requests.post(
        store.sparql, data={"update": f"INSERT DATA {{ <{EX}a> <{EX}b> 'c' }}"}, headers=auth(), timeout=30
    )
    assert default.status_code == 400 and "default graph" in default.text and store.count() == before
    good = requests.post(
        store.sparql,
        data={"update": f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}named> a <{EX}Village> ; <{RDFS.label}> 'Named' }} }}"},
        headers=auth(),
        timeout=30,
    )
    assert good.status_code == 204 and graph_count(store, iri) == 2
    [record] = store.kg.writes.history(iri)
    assert (record.action, record.agent, record.before, record.after) == ("update", "admin", 0, 2)
    # Dropping a graph another writer created: 409, then replace=true.
    theirs = config.graph_iri("good")
    refused = requests.post(store.sparql, data={"update": f"DROP GRAPH <{theirs}>"}, headers=auth(), timeout=30)
    assert refused.status_code == 409 and theirs in refused.text and "replace=true" in refused.text
    assert graph_count(store, theirs) == 3


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_need_the_token_and_change_nothing(store, read_only, method):
    before = store.count()
    missing = requests.request(method, store.url + "/graph/good", data=GOOD.encode(), headers=TURTLE, timeout=30)
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]
    wrong = requests.request(
        method,
        store.url + "/graph/good",
        data=GOOD.encode(),
        headers={"Authorization": "Bearer nope", **TURTLE},
        timeout=30,
    )
    assert wrong.status_code == 401
    assert store.count() == before
    refused = requests.request(
        method, read_only.url + "/graph/good", data=GOOD.encode(), headers=auth(TURTLE), timeout=30
    )
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]


def test_oversized_put_is_413(store):
    body = GOOD + "".join(f"<https://example.org/v{i}> <https://example.org/n> {i} .\n" for i in range(200))
    assert len(body) > 5_000
    response = requests.put(store.url + "/graph/big", data=body.encode(), headers=auth(TURTLE), timeout=30)
    assert response.status_code == 413
    assert requests.get(store.url + "/graph/big", timeout=30).status_code == 404


def test_a_put_is_visible_to_sparql_at_once(store):
    requests.put(
        store.url + "/graph/seen", data=GOOD.replace("shaji", "seen").encode(), headers=auth(TURTLE), timeout=30
    )
    answer = requests.get(
        store.sparql,
        params={"query": "ASK { GRAPH <https://w3id.org/urbankg/graph/seen> { <https://example.org/seen> ?p ?o } }"},
        timeout=30,
    )
    assert answer.json()["boolean"] is True


def test_a_full_disk_is_507_and_the_server_recovers_once_space_is_freed(small_disk):
    """Issue 21, finding 10: after ENOSPC every uncached query and write answered 500, even
    once space was freed, while /health said ok."""
    with endpoint(small_disk / "store", Settings(token=TOKEN, workers=1), load=[DATA / "rdf" / "good.ttl"]) as server:

        def ask(village: str) -> bool:
            answer = requests.get(
                server.sparql,
                params={"query": f"ASK {{ <https://example.org/{village}> ?p ?o }}"},
                headers={"Cache-Control": "no-cache"},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            return answer.json()["boolean"]

        def health() -> dict:
            answer = requests.get(server.url + "/health", timeout=30)
            assert answer.status_code == 200
            return answer.json()

        assert ask("lirendong") and health()["status"] == "ok"
        filler = fill(small_disk)
        writes = (("PUT", "/graph/full", GOOD), ("POST", "/sparql", None), ("DELETE", "/graph/good?replace=true", None))
        for method, path, body in writes:
            if body is None and method == "POST":
                answer = requests.post(
                    server.sparql,
                    data={
                        "update": "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'a literal to need the log' } }"
                    },
                    headers=auth(),
                    timeout=30,
                )
            else:
                answer = requests.request(
                    method, server.url + path, data=(body or "").encode(), headers=auth(TURTLE), timeout=30
                )
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
        insert = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'c' } }"
        assert requests.post(server.sparql, data={"update": insert}, headers=auth(), timeout=30).status_code == 204


def test_a_query_needing_a_new_snapshot_on_a_full_disk_is_507_then_answers(small_disk):
    with endpoint(small_disk / "store", Settings(token=TOKEN, workers=1), load=[DATA / "rdf" / "good.ttl"]) as server:

        def ask() -> requests.Response:
            return requests.get(
                server.sparql,
                params={"query": "ASK { <https://example.org/shaji> ?p ?o }"},
                headers={"Cache-Control": "no-cache"},
                timeout=30,
            )

        assert ask().json()["boolean"] is False
        assert (
            requests.put(server.url + "/graph/new", data=GOOD.encode(), headers=auth(TURTLE), timeout=30).status_code
            == 201
        )
        filler = fill(small_disk)  # the query processes must see the PUT: a snapshot is due
        refused = ask()
        assert refused.status_code == 507 and f"disk full: {small_disk}/store" in refused.text
        filler.unlink()
        assert ask().json()["boolean"] is True


def test_32_concurrent_writers_of_every_kind_lose_nothing(tmp_path):
    # Twenty POSTs to one graph all answered 201/200 and 5 of 20 triples remained; a POST beside
    # SPARQL INSERT DATAs wiped 8 of 10 inserts (issue 15). Every write now takes its turn on the
    # write path. 32 clients at once: POSTs (plain and multipart) and INSERT DATAs into one graph,
    # PUTs of graphs of their own, half of them then DELETEd.
    with endpoint(tmp_path / "store", Settings(token=TOKEN, workers=1)) as server:
        iri = config.graph_iri("busy")

        def post(n):
            return [
                requests.post(
                    server.url + "/graph/busy",
                    data=f"<{EX}s> <{EX}post> {n} .\n".encode(),
                    headers=auth(TURTLE),
                    timeout=120,
                )
            ]

        def multipart(n):
            body = (
                "".join(
                    f'--b\r\nContent-Disposition: form-data; name="{k}"; filename="{k}.nt"\r\n\r\n'
                    f'<{EX}s> <{EX}part{k}> "{n}" .\r\n'
                    for k in (1, 2)
                )
                + "--b--\r\n"
            )
            return [
                requests.post(
                    server.url + "/graph/busy",
                    data=body.encode(),
                    headers=auth({"Content-Type": "multipart/form-data; boundary=b"}),
                    timeout=120,
                )
            ]

        def insert(n):
            update = f"INSERT DATA {{ GRAPH <{iri}> {{ <{EX}s> <{EX}insert> {n} }} }}"
            return [requests.post(server.sparql, data={"update": update}, headers=auth(), timeout=120)]

        def own(n):
            body = f'<{EX}own{n}> <{EX}n> "{n}" .\n<{EX}own{n}> <{EX}m> "{n}" .\n'
            answers = [
                requests.put(
                    server.url + f"/graph/own-{n}",
                    data=body.encode(),
                    headers=auth({"Content-Type": "application/n-triples"}),
                    timeout=120,
                )
            ]
            if n % 8 == 7:
                answers.append(requests.delete(server.url + f"/graph/own-{n}", headers=auth(), timeout=120))
            return answers

        kinds = [post, multipart, insert, own]
        with ThreadPoolExecutor(32) as pool:
            answers = [a for batch in pool.map(lambda n: kinds[n % 4](n), range(32)) for a in batch]
        assert len(answers) == 36
        assert all(a.status_code in (200, 201, 204) for a in answers), [a.text for a in answers if a.status_code >= 300]
        assert graph_count(server, iri) == 8 * 1 + 8 * 2 + 8 * 1  # every posted, multipart and inserted triple
        kept = [n for n in range(3, 32, 4) if n % 8 != 7]
        assert sorted(g for g in server.kg.graphs() if g.startswith(config.graph_iri("own-"))) == sorted(
            config.graph_iri(f"own-{n}") for n in kept
        )
        assert all(graph_count(server, config.graph_iri(f"own-{n}")) == 2 for n in kept)
        history = server.kg.writes.history(iri)
        assert len(history) == 24  # one record per write
        # Each write to the busy graph saw the one before it: the counts chain without a gap.
        chain = sorted((r.before, r.after) for r in history)
        assert chain[0][0] == 0 and all(a[1] == b[0] for a, b in pairwise(chain)) and chain[-1][1] == 32
