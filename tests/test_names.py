"""Short names of RDF terms in messages (urbankg/names.py), shared by the validator and the reasoner."""

from rdflib import BNode, Graph, Literal, URIRef

from urbankg import config
from urbankg.names import SKOLEM_BASE, short_name
from urbankg.reasoning.owl_graph import SKOLEM, skolemise


def test_data_iris_vocabulary_terms_and_unbound_iris():
    graph = Graph()
    graph.bind("skos", "http://www.w3.org/2004/02/skos/core#")
    assert short_name(graph, URIRef(config.ID_BASE + "case/lirendong")) == "case/lirendong"
    assert short_name(graph, URIRef("http://www.w3.org/2004/02/skos/core#Concept")) == "skos:Concept"
    assert short_name(graph, None) == "?"


def test_blank_nodes_and_the_reasoners_skolem_iris_are_unnamed():
    graph = Graph()
    node = BNode()
    graph.add((node, URIRef(config.ONTOLOGY_NS + "p"), Literal("x")))
    skolemised, back = skolemise(graph)
    (iri,) = set(skolemised.subjects())
    assert str(iri).startswith(SKOLEM) and SKOLEM.startswith(SKOLEM_BASE) and back[iri] == node
    assert short_name(graph, node) == short_name(skolemised, iri) == "(unnamed node)"


def test_a_long_literal_is_clipped_to_one_quoted_line():
    assert short_name(Graph(), Literal("short")) == "'short'"
    clipped = short_name(Graph(), Literal("x" * 500))
    assert clipped == repr("x" * 77 + "...") and len(clipped) == 82
