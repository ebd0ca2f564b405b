"""Hostile data against the store's writes (issue 21, findings 3 and 8).

A load used to be one SPARQL update written from rdflib's N-Triples output, which writes a
datatype IRI as it is: a Turtle file whose datatype IRI carries ``> . } } ; DROP GRAPH <…>``
ended the INSERT DATA early and ran what followed (it dropped another graph and inserted
its own triples). Now every write passes terms; the loaders also refuse such terms at
parse time, so the store is tested on its own too, with an rdflib graph holding the term.
"""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from endpoint import TOKEN, endpoint
from urbankg import config
from urbankg.errors import SourceError, UnstorableTerm
from urbankg.loaders import load_file
from urbankg.oxigraph_store import JOURNAL, OxigraphStore
from urbankg.server.settings import Settings
from urbankg.store import GraphReplacement

KEEP = config.graph_iri("keep")
INJECTED = "urn:x:injected"
# Ends the datatype IRI, the statement, the GRAPH block and the INSERT DATA of the old
# update text, drops KEEP, and opens a block of its own that the rest of the text closes.
DATATYPE = f"urn:x> . }} }} ; DROP GRAPH <{KEEP}> ; INSERT DATA {{ GRAPH <{INJECTED}> {{ <urn:a> <urn:b> <urn:c> . #"
# The same in Turtle: \u003C and \u003E are < and > in an IRI, so the file parses.
TURTLE = (
    '<https://example.org/s> <https://example.org/p> "v"^^<'
    + DATATYPE.replace("<", "\\u003C").replace(">", "\\u003E")
    + "> .\n"
)
KEPT = '<https://example.org/k> <http://www.w3.org/2000/01/rdf-schema#label> "kept" .\n'


def keep_graph() -> Graph:
    return Graph().parse(data=KEPT, format="nt")


def assert_untouched(store) -> None:
    assert store.graphs() == [KEEP]
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{KEEP}> {{ ?s ?p ?o }} }}")
    assert [row["o"].value for row in rows] == ["kept"]
    assert not bool(store.query("ASK { <urn:a> <urn:b> <urn:c> }"))


def test_the_payload_is_what_rdflib_reads_and_writes_unescaped():
    """The premise: rdflib takes the Turtle and writes the datatype IRI back as it is."""
    graph = Graph().parse(data=TURTLE, format="turtle")
    assert next(iter(graph))[2].datatype == URIRef(DATATYPE)
    assert f"^^<{DATATYPE}>" in graph.serialize(format="nt")


def test_the_store_writes_such_a_datatype_as_a_term_or_not_at_all(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs([GraphReplacement(KEEP, keep_graph(), "keep.nt")])
    hostile = Graph()
    hostile.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("v", datatype=DATATYPE)))
    with pytest.raises(
        UnstorableTerm,
        match=r"hostile.ttl: the store cannot hold the datatype of the literal 'v': "
        r"'urn:x> \. } } ; DROP GRAPH",
    ):
        store.replace_graphs([GraphReplacement(config.graph_iri("hostile"), hostile, "hostile.ttl")])
    assert_untouched(store)
    store.close()
    assert_untouched(OxigraphStore(tmp_path / "store"))  # nor in the journal, redone on opening


def test_urbankg_load_of_such_a_file_changes_nothing(disk_kg, tmp_path):
    keep = tmp_path / "keep.nt"
    keep.write_text(KEPT)
    disk_kg.load([keep])
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(TURTLE)
    with pytest.raises((SourceError, UnstorableTerm), match="urn:x>"):
        disk_kg.load([hostile])
    assert_untouched(disk_kg.store)


def test_validation_context_never_puts_a_checked_iri_into_query_text(disk_kg, tmp_path, canary):
    """The types of the IRIs a file mentions were read with a VALUES block written from
    them: an IRI holding '>' added a SERVICE call to it (reachable from /validate, no token)."""
    keep = tmp_path / "keep.nt"
    keep.write_text(KEPT)
    disk_kg.load([keep])
    parsed = load_file(keep)
    evil = f"urn:x> }} SERVICE <{canary.url}/context> {{ ?a ?b ?c }} }} #"
    parsed.graph.add((URIRef("https://example.org/k"), URIRef("https://example.org/p"), URIRef(evil)))
    with pytest.raises(UnstorableTerm, match="the IRI 'urn:x> }"):
        disk_kg.load_parsed(parsed, config.graph_iri("other"))
    assert_untouched(disk_kg.store)
    # no hit on the canary: checked at teardown


@pytest.fixture
def server(tmp_path):
    keep = tmp_path / "keep.nt"
    keep.write_text(KEPT)
    with endpoint(tmp_path / "store", Settings(token=TOKEN, workers=1), load=[keep]) as running:
        yield running


def put(server, graph: str, body: str, content_type: str = "text/turtle"):
    return requests.put(
        f"{server.url}/rdf-graphs",
        params={"graph": graph},
        data=body.encode(),
        headers={**server.auth, "Content-Type": content_type},
        timeout=30,
    )


def test_a_graph_store_put_of_such_a_file_is_400_and_changes_nothing(server):
    response = put(server, config.graph_iri("hostile"), TURTLE)
    assert response.status_code == 400, response.text
    assert "urn:x>" in response.json()["error"] + response.json().get("report", "")
    assert_untouched(server.kg.store)


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('<https://example.org/s> <https://example.org/p> "v"^^<urn:a b> .\n', "application/n-triples"),
        ('<https://example.org/s> <https://example.org/p> "v"^^<urn:a b> .\n', "text/turtle"),
        ('<urn:a b> <https://example.org/p> "v" .\n', "text/turtle"),
    ],
)
def test_a_graph_store_write_of_a_term_the_engine_refuses_is_400_not_500(server, body, content_type):
    for method in (requests.put, requests.post):
        response = method(
            f"{server.url}/rdf-graphs",
            params={"graph": config.graph_iri("refused")},
            data=body.encode(),
            headers={**server.auth, "Content-Type": content_type},
            timeout=30,
        )
        assert response.status_code == 400, response.text
        assert "urn:a b" in response.text
    assert_untouched(server.kg.store)


def test_the_journal_graph_name_is_refused_by_the_graph_store(server):
    assert put(server, JOURNAL.value, KEPT, "application/n-triples").status_code == 400
    deleted = requests.delete(
        f"{server.url}/rdf-graphs", params={"graph": JOURNAL.value}, headers=server.auth, timeout=30
    )
    assert deleted.status_code == 400 and "reserved" in deleted.json()["error"]
    assert_untouched(server.kg.store)


def test_a_graph_store_write_lands_through_the_same_path(server):
    """The control: an ordinary PUT is written (and a query process sees it at once)."""
    assert put(server, config.graph_iri("fine"), KEPT, "application/n-triples").status_code == 201
    answer = requests.get(
        server.sparql,
        params={"query": f"SELECT ?o WHERE {{ GRAPH <{config.graph_iri('fine')}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert [b["o"]["value"] for b in answer.json()["results"]["bindings"]] == ["kept"]
