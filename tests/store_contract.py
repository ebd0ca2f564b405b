"""The store contract: what every implementation of urbankg.store.Store must do.

Test modules import these tests and provide a ``store`` fixture (an empty store, whatever
the implementation); tests/test_store_contract.py runs them on the embedded Oxigraph store
and on Virtuoso through SparqlStore. Expected values are spelled out, not taken from one
store to check the other.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from urbankg.errors import StoreError
from urbankg.store import GraphReplacement

EX = "https://example.org/"
G1 = "https://w3id.org/urbankg/graph/one"
G2 = "https://w3id.org/urbankg/graph/two"
P = URIRef(EX + "p")
CATALOGUE_ENTRY_TRIPLES = 4  # a void:Dataset with its size, source file and time


def graph_of(*values: str, subject_prefix: str = "s") -> Graph:
    graph = Graph()
    for i, value in enumerate(values):
        graph.add((URIRef(f"{EX}{subject_prefix}{i}"), P, Literal(value)))
    return graph


def count(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def in_graph(store, graph_iri: str) -> int:
    return count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")


def values(store, sparql: str, variable: str = "o", **options) -> list[str]:
    return sorted(row[variable].value for row in store.query(sparql, **options))


# -- replacing and dropping --------------------------------------------------------------


def test_replacing_a_graph_twice_leaves_one_copy(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "one.ttl")])
    store.replace_graphs([GraphReplacement(G1, graph_of("c"), "one.ttl")])
    assert in_graph(store, G1) == 1
    assert values(store, f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == ["c"]
    assert store.graphs() == [G1]


def test_several_graphs_are_replaced_together(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("old"), "1")])
    store.replace_graphs([GraphReplacement(G1, graph_of("a"), "1"), GraphReplacement(G2, graph_of("b", "c"), "2")])
    assert (in_graph(store, G1), in_graph(store, G2)) == (1, 2)
    assert values(store, f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == ["a"]


def test_a_large_graph_with_blank_nodes_is_replaced_whole(store):
    graph = graph_of(*(f"value {i}" for i in range(1200)))
    for i in range(150):  # blank-node chains: each must stay one connected structure
        head, tail = BNode(), BNode()
        graph.add((URIRef(f"{EX}chain{i}"), P, head))
        graph.add((head, URIRef(EX + "next"), tail))
        graph.add((tail, URIRef(EX + "label"), Literal(f"tail {i}")))
    store.replace_graphs([GraphReplacement(G1, graph_of("old"), "1")])
    store.replace_graphs([GraphReplacement(G1, graph, "big.ttl")])
    assert in_graph(store, G1) == len(graph) == 1650
    chains = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c <{P}> ?h . ?h <{EX}next> ?t . ?t <{EX}label> ?l }}")
    assert chains == 150


def test_a_refused_replacement_changes_nothing(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("kept"), "1")])
    bad = graph_of("x")
    bad.add((URIRef(EX + "s"), P, Literal("typed", datatype=URIRef("not an iri"))))
    with pytest.raises(StoreError):
        store.replace_graphs([GraphReplacement(G2, graph_of(*"abcdefgh" * 100), "2"), GraphReplacement(G1, bad, "1")])
    assert values(store, f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == ["kept"]
    assert store.graphs() == [G1]


def test_the_catalogue_records_size_and_origin(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "corpus/one.ttl")])
    row = next(
        iter(
            store.query(
                "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                f"SELECT ?n ?src WHERE {{ <{G1}> void:triples ?n ; dcterms:source ?src }}"
            )
        )
    )
    assert (int(row["n"].value), row["src"].value) == (2, "corpus/one.ttl")


def test_drop_removes_the_graph_and_its_catalogue_entry(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("a"), "1"), GraphReplacement(G2, graph_of("b"), "2")])
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False
    assert store.graphs() == [G2]
    assert count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{G1}> ?p ?o }}") == 0
    assert store.drop_graph(G2) is True
    assert store.is_empty()


def test_an_empty_store_is_empty_and_a_loaded_one_is_not(store):
    assert store.is_empty()
    assert store.graphs() == []
    store.replace_graphs([GraphReplacement(G1, graph_of("a"), "1")])
    assert not store.is_empty()


def test_types_of_gives_the_classes_of_iris_in_the_named_graphs(store):
    """The validation context: read through terms, so no IRI can rewrite the request."""
    village, town = graph_of("a"), graph_of("b")
    village.add((URIRef(EX + "s0"), RDF.type, URIRef(EX + "Village")))
    town.add((URIRef(EX + "s0"), RDF.type, URIRef(EX + "Town")))
    store.replace_graphs([GraphReplacement(G1, village, "1"), GraphReplacement(G2, town, "2")])
    hostile = "urn:x> } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } } #"
    assert store.types_of([EX + "s0", EX + "nobody", hostile], []) == {EX + "s0": {EX + "Village", EX + "Town"}}
    assert store.types_of([EX + "s0"], [G1]) == {EX + "s0": {EX + "Town"}}


# -- querying -------------------------------------------------------------------------------


def test_select_ask_and_construct_give_pyoxigraph_results(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b"), "1")])
    solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s <{P}> ?o }} ORDER BY ?o")
    assert isinstance(solutions, ox.QuerySolutions)
    assert [v.value for v in solutions.variables] == ["s", "o"]
    assert [(r["s"].value, r["o"].value) for r in solutions] == [(EX + "s0", "a"), (EX + "s1", "b")]
    yes, no = store.query(f"ASK {{ ?s <{P}> 'a' }}"), store.query(f"ASK {{ ?s <{P}> 'zzz' }}")
    assert isinstance(yes, ox.QueryBoolean) and (bool(yes), bool(no)) == (True, False)
    triples = store.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{P}> ?o }}")
    assert isinstance(triples, ox.QueryTriples)
    turtle = triples.serialize(format=ox.RdfFormat.N_TRIPLES).decode()
    assert sorted(turtle.splitlines()) == [f'<{EX}s0> <{EX}q> "a" .', f'<{EX}s1> <{EX}q> "b" .']


def test_the_default_graph_is_the_union_of_all_graphs(store):
    store.replace_graphs(
        [GraphReplacement(G1, graph_of("a"), "1"), GraphReplacement(G2, graph_of("b", "c", subject_prefix="t"), "2")]
    )
    assert values(store, f"SELECT ?o WHERE {{ ?s <{P}> ?o }}") == ["a", "b", "c"]
    # The catalogue is in it too. (Not a count of all triples: Virtuoso's union holds its own graphs.)
    assert values(store, "SELECT ?g WHERE { ?g a <http://rdfs.org/ns/void#Dataset> }", "g") == [G1, G2]
    assert values(store, f"SELECT ?o WHERE {{ ?s <{P}> ?o }}", default_graph=[G2]) == ["b", "c"]
    assert values(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", "g", named_graphs=[G1]) == [G1]


def test_prebound_values_bind_before_order_and_limit(store):
    store.replace_graphs([GraphReplacement(G1, graph_of("a", "b", "c"), "1")])
    query = f"SELECT ?s ?o WHERE {{ ?s <{P}> ?o }} ORDER BY DESC(?o) LIMIT 1"
    rows = list(store.query(query, substitutions={"s": ox.NamedNode(EX + "s1")}))
    assert [(r["s"].value, r["o"].value) for r in rows] == [(EX + "s1", "b")]
    assert len(list(store.query(query, substitutions={"o": ox.Literal("c")}))) == 1
    assert not list(store.query(query, substitutions={"o": ox.Literal("missing")}))


def test_bad_sparql_is_a_store_error(store):
    with pytest.raises(StoreError) as query_error:
        store.query("SELECT ?x WHERE { ?x ?y ?z } LIMIT")
    assert str(query_error.value)
    with pytest.raises(StoreError):
        store.update("INSERT DATA { <urn:a> <urn:b> }")


def test_update_changes_the_store(store):
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}s> <{P}> 'by update' }} }}")
    assert values(store, f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == ["by update"]
    assert store.graphs() == [G1]


# -- terms ------------------------------------------------------------------------------------


TERMS = {
    "chinese": Literal("里仁洞村 (Lirendong village)"),
    "beyond the basic plane": Literal("planetary 🏙 urbanisation"),
    "escapes": Literal('line one\nline two\t"quoted" \\ backslash'),
    "empty": Literal(""),
    "english": Literal("village in the city", lang="en"),
    "regional": Literal("urbanisation", lang="en-GB"),
    "script": Literal("城中村", lang="zh-Hans"),
    "integer": Literal(42),
    "negative": Literal(-7),
    "decimal": Literal(Decimal("12.5")),
    "double": Literal(1.5e3),
    "boolean": Literal(True),
    "false": Literal(False),
    "date": Literal("2019-06-30", datatype=XSD.date),
    "datetime": Literal("2019-06-30T12:00:00Z", datatype=XSD.dateTime),
    "year": Literal("2019", datatype=XSD.gYear),
    "custom": Literal("3 villages", datatype=URIRef(EX + "countText")),
}


def test_literals_survive_with_their_language_and_datatype(store):
    graph = Graph()
    for name, literal in TERMS.items():
        graph.add((URIRef(EX + "thing"), URIRef(EX + name.replace(" ", "-")), literal))
    store.replace_graphs([GraphReplacement(G1, graph, "terms.ttl")])
    found = {
        row["p"].value[len(EX) :].replace("-", " "): row["o"]
        for row in store.query(f"SELECT ?p ?o WHERE {{ <{EX}thing> ?p ?o }}")
    }
    assert set(found) == set(TERMS)
    for name, literal in TERMS.items():
        term = found[name]
        assert isinstance(term, ox.Literal), name
        assert (term.language or "").lower() == (literal.language or "").lower(), name
        if not literal.language:
            assert term.datatype.value == str(literal.datatype or XSD.string), name
        assert Literal(term.value, datatype=literal.datatype, lang=literal.language).eq(literal), name
    assert found["chinese"].value == "里仁洞村 (Lirendong village)"
    assert found["beyond the basic plane"].value == "planetary 🏙 urbanisation"
    assert found["escapes"].value == 'line one\nline two\t"quoted" \\ backslash'
    assert found["boolean"].value == "true" and found["false"].value == "false"
    # Language tags match whatever their case, in queries as in RDF.
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o FILTER(langMatches(lang(?o), 'en-gb')) }") == ["urbanisation"]
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o FILTER(?o = 42) }") == ["42"]


def test_blank_nodes_keep_their_structure(store):
    graph = Graph()
    place, period = BNode(), BNode()
    graph.add((URIRef(EX + "observation"), URIRef(EX + "place"), place))
    graph.add((place, URIRef(EX + "name"), Literal("Shaji")))
    graph.add((place, URIRef(EX + "within"), period))
    graph.add((period, URIRef(EX + "name"), Literal("Suining county")))
    store.replace_graphs([GraphReplacement(G1, graph, "bnodes.ttl")])
    rows = list(
        store.query(
            f"SELECT ?a ?b WHERE {{ <{EX}observation> <{EX}place> ?x . ?x <{EX}name> ?a ; "
            f"<{EX}within> ?y . ?y <{EX}name> ?b }}"
        )
    )
    assert [(r["a"].value, r["b"].value) for r in rows] == [("Shaji", "Suining county")]
    blanks = list(store.query(f"SELECT ?x WHERE {{ <{EX}observation> <{EX}place> ?x }}"))
    assert isinstance(blanks[0]["x"], ox.BlankNode)


# -- export and statistics ------------------------------------------------------------------


def _loaded_pair(store) -> tuple[Graph, Graph]:
    first = graph_of("a", "b")
    first.add((URIRef(EX + "s0"), URIRef(EX + "label"), Literal("城中村", lang="zh-Hans")))
    second = Graph()
    node = BNode()
    second.add((URIRef(EX + "x"), P, node))
    second.add((node, URIRef(EX + "value"), Literal(Decimal("0.25"))))
    store.replace_graphs([GraphReplacement(G1, first, "1"), GraphReplacement(G2, second, "2")])
    return first, second


def _lower_tags(graph: Graph) -> Graph:
    """The graph with its language tags in lower case: tags are case-insensitive (RDF 1.1),
    and stores may keep either case."""
    lowered = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        lowered.add((s, p, o))
    return lowered


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_round_trips(store, fmt):
    first, second = _loaded_pair(store)
    buffer = io.BytesIO()
    store.export(buffer, fmt)
    dataset = Dataset()
    dataset.parse(data=buffer.getvalue().decode("utf-8"), format=fmt)
    assert isomorphic(_lower_tags(dataset.graph(URIRef(G1))), _lower_tags(first))
    assert isomorphic(_lower_tags(dataset.graph(URIRef(G2))), _lower_tags(second))
    # The catalogue travels in the default graph.
    assert len(dataset.default_graph) == 2 * CATALOGUE_ENTRY_TRIPLES
    named = {str(g.identifier) for g in dataset.graphs() if len(g) and g.identifier != dataset.default_graph.identifier}
    assert named == {G1, G2}


def test_stats_count_graphs_classes_and_properties(store):
    graph = graph_of("a", "b")
    for i in range(2):
        graph.add((URIRef(f"{EX}s{i}"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(EX + "Case")))
    store.replace_graphs([GraphReplacement(G1, graph, "1"), GraphReplacement(G2, graph_of("c"), "2")])
    stats = store.stats()
    assert stats.triples_per_graph == {"": 2 * CATALOGUE_ENTRY_TRIPLES, G1: 4, G2: 1}
    assert stats.triples == 5 + 2 * CATALOGUE_ENTRY_TRIPLES
    assert stats.classes[EX + "Case"] == 2
    assert stats.properties[str(P)] == 3


# -- what the write path needs (urbankg.write_path) -------------------------------------------

JANE = "https://w3id.org/urbankg/agent/jane"
BOB = "https://w3id.org/urbankg/agent/bob"


def _record(graph: str, agent: str, day: int, action: str, before: int, after: int):
    from urbankg.store import WriteRecord

    return WriteRecord(graph, agent, f"2025-01-0{day}T00:00:00Z", action, f"{action} origin", before, after)


def test_one_write_replaces_drops_and_records_together(store):
    store.replace_graphs([GraphReplacement(G2, graph_of("x"), "2")])
    records = [_record(G1, "jane", 1, "load", 0, 2), _record(G2, "jane", 1, "drop", 1, 0)]
    store.write([GraphReplacement(G1, graph_of("a", "b"), "one.ttl", JANE)], drops=[G2], records=records)
    assert store.graphs() == [G1] and store.graph_size(G1) == 2 and store.graph_size(G2) is None
    assert store.catalogue_entry(G2) is None
    assert sorted(store.history(), key=lambda r: r.graph) == records
    with pytest.raises(StoreError, match="same graph twice"):
        store.write([GraphReplacement(G1, graph_of("c"), "1")], drops=[G1])
    assert store.graph_size(G1) == 2


def test_the_creator_is_kept_across_replacements(store):
    store.write([GraphReplacement(G1, graph_of("a"), "one.ttl", JANE)])
    store.write([GraphReplacement(G1, graph_of("a", "b"), "again.ttl", BOB)])
    entry = store.catalogue_entry(G1)
    assert (entry.graph, entry.triples, entry.source, entry.creator) == (G1, 2, "again.ttl", JANE)
    assert entry.written.startswith("20")
    assert store.catalogue_entry(G2) is None


def test_an_empty_replacement_is_an_empty_graph_until_dropped(store):
    store.write([GraphReplacement(G1, Graph(), "empty body", JANE)])
    assert store.graphs() == [G1] and store.graph_size(G1) == 0
    assert store.catalogue_entry(G1).triples == 0
    assert store.drop_graph(G1) is True
    assert store.graphs() == [] and store.catalogue_entry(G1) is None and store.graph_size(G1) is None
    assert store.drop_graph(G1) is False
    assert store.is_empty()


def test_history_is_newest_first_of_one_graph_or_all_and_survives_drops(store):
    first, second, third = (
        _record(G1, "jane", 1, "load", 0, 1),
        _record(G2, "bob", 2, "put", 0, 1),
        _record(G1, "bob", 3, "delete", 1, 0),
    )
    store.write([GraphReplacement(G1, graph_of("a"), "1", JANE)], records=[first])
    store.write([GraphReplacement(G2, graph_of("b"), "2", BOB)], records=[second])
    store.write([], drops=[G1], records=[third])
    assert store.history() == [third, second, first]
    assert store.history(G1) == [third, first] and store.history(G1, limit=1) == [third]
    assert store.graphs() == [G2]


def test_a_scratch_copy_holds_the_graphs_asked_for_and_leaves_the_store_alone(store):
    store.write([GraphReplacement(G1, graph_of("a", "b"), "1"), GraphReplacement(G2, Graph(), "2")])
    with store.scratch([G1, G2, EX + "missing"]) as copy:
        names = sorted(g.value for g in copy.named_graphs())
        assert names == [G1, G2]
        assert len(list(copy.quads_for_pattern(None, None, None, ox.NamedNode(G1)))) == 2
        copy.update(f"DROP GRAPH <{G1}>")
    assert store.graph_size(G1) == 2
