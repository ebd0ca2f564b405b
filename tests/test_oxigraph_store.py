import io
import subprocess
import sys
import threading

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from urbankg.errors import StoreError
from urbankg.oxigraph_store import OxigraphStore
from urbankg.store import GraphReplacement

EX = "https://example.org/"
G1 = "https://w3id.org/urbankg/graph/one"
G2 = "https://w3id.org/urbankg/graph/two"


def graph_of(*values: str) -> Graph:
    graph = Graph()
    for i, value in enumerate(values):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(value)))
    return graph


def count(store, graph_iri: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def test_replacing_a_graph_twice_leaves_one_copy(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "one.ttl")])
    store.replace_graphs([GraphReplacement(G1, graph_of("c"), "one.ttl")])
    assert count(store, G1) == 1
    assert store.graphs() == [G1]


def test_replacing_several_graphs_is_one_transaction(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a"), "1"), GraphReplacement(G2, graph_of("b", "c"), "2")])
    assert (count(store, G1), count(store, G2)) == (1, 2)


def test_catalogue_records_origin_and_size(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "corpus/one.ttl")])
    row = next(iter(store.query(
        f"PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        f"SELECT ?n ?src WHERE {{ <{G1}> void:triples ?n ; dcterms:source ?src }}"
    )))
    assert (int(row["n"].value), row["src"].value) == (2, "corpus/one.ttl")


def test_data_survives_reopening_the_directory(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b", "c"), "1")])
    store.close()
    reopened = OxigraphStore(tmp_path / "s")
    assert count(reopened, G1) == 3


def test_drop_graph_removes_it_and_its_catalogue_entry(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a"), "1")])
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False
    assert store.is_empty()


def test_export_trig_round_trips(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "1")])
    buffer = io.BytesIO()
    store.export(buffer, "trig")
    dataset = Dataset()
    dataset.parse(data=buffer.getvalue().decode(), format="trig")
    assert len(dataset.graph(URIRef(G1))) == 2
    nquads = io.BytesIO()
    store.export(nquads, "nquads")
    assert nquads.getvalue().decode().count(f"<{G1}> .") == 2


def test_export_refuses_unknown_format():
    with pytest.raises(StoreError, match="trig, nquads"):
        OxigraphStore().export(io.BytesIO(), "csv")


def test_stats_count_graphs_classes_and_properties():
    store = OxigraphStore()
    graph = graph_of("a", "b")
    graph.add((URIRef(EX + "s0"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(EX + "Village")))
    store.replace_graphs([GraphReplacement(G1, graph, "1")])
    stats = store.stats()
    assert stats.triples_per_graph[G1] == 3
    assert stats.classes[EX + "Village"] == 1
    assert stats.properties[EX + "p"] == 2


def test_bad_sparql_is_a_store_error_with_the_parser_message():
    with pytest.raises(StoreError, match="SPARQL syntax error"):
        OxigraphStore().query("SELEC * WHERE { ?s ?p ?o }")


def test_second_writer_process_on_same_directory_gets_a_clear_error(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); "
         "sys.stdin.read()", str(tmp_path / "s")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="another urbankg process"):
            OxigraphStore(tmp_path / "s")
    finally:
        holder.communicate("")


def test_readers_never_see_half_a_replacement():
    """While one thread replaces a 2000-triple graph again and again, readers only see 0 or 2000."""
    store = OxigraphStore()
    big = graph_of(*[str(i) for i in range(2000)])
    seen: set[int] = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            seen.add(count(store, G1))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(10):
        store.replace_graphs([GraphReplacement(G1, big, "big")])
    stop.set()
    reader.join()
    assert seen <= {0, 2000}
    assert 2000 in seen
