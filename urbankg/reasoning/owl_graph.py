"""What the HermiT run and the clash explanation both read from rdflib graphs: the types that
say what kind of OWL entity a node is, the named class hierarchy, and skolem IRIs standing for
blank nodes (the reasoner cannot take blank nodes as individuals). Linear in the graph's size.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from urbankg.names import SKOLEM_BASE
from urbankg.reasoning.result import Clash

SKOLEM = SKOLEM_BASE + "reasoning/"

# Types that say what kind of OWL entity something is, not what class it belongs to.
META_TYPES = {
    OWL.Thing, OWL.NamedIndividual, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
    OWL.AnnotationProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty, OWL.Ontology, OWL.Restriction, OWL.AllDisjointClasses,
    OWL.AllDifferent, OWL.AllDisjointProperties, OWL.Axiom, RDFS.Class, RDFS.Datatype, RDF.Property,
    RDF.List, OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.OntologyProperty,
}  # fmt: skip


def class_parents(graph: Graph) -> dict[Node, set[Node]]:
    """Named superclasses of each class (rdfs:subClassOf; owl:equivalentClass both ways)."""
    parents: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            parents[sub].add(sup)
    for a, b in graph.subject_objects(OWL.equivalentClass):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            parents[a].add(b)
            parents[b].add(a)
    return parents


def upward(node: Node, edges: dict[Node, set[Node]], cache: dict[Node, set[Node]]) -> set[Node]:
    """``node`` and everything reachable from it along ``edges`` (a class's superclasses)."""
    if node not in cache:
        seen, todo = {node}, [node]
        while todo:
            for parent in edges.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        cache[node] = seen
    return cache[node]


def skolemise(data: Graph) -> tuple[Graph, dict[URIRef, BNode]]:
    """``data`` with each blank node replaced by an IRI under :data:`SKOLEM`, and the way back."""
    mapping: dict[BNode, URIRef] = {}

    def sk(node: Node) -> Node:
        if isinstance(node, BNode):
            if node not in mapping:
                mapping[node] = URIRef(SKOLEM + str(node))
            return mapping[node]
        return node

    out = Graph()
    for prefix, namespace in data.namespaces():
        out.bind(prefix, namespace, override=False)
    for s, p, o in data:
        out.add((sk(s), p, sk(o)))
    return out, {iri: bnode for bnode, iri in mapping.items()}


def unskolemise_clash(clash: Clash, unskolem: dict[URIRef, BNode]) -> Clash:
    return Clash(
        tuple(unskolem.get(i, i) if isinstance(i, URIRef) else i for i in clash.individuals),
        clash.classes,
        clash.message,
    )
