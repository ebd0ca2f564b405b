"""Explaining an inconsistency HermiT found, by reading the data against the ontology with rdflib.

HermiT only says *that* ontology + data are inconsistent. ``explain(ontology, data)`` looks for
what makes most annotation errors: a node in two disjoint classes (directly, through
rdfs:domain/range, an inverse property, or owl:sameAs), two different values of a functional
property, a number outside a property's datatype range. Each :class:`Clash` names the
individuals and classes involved, with the reason for each type. Costs a few passes over the
data, and a comparison of each node's types in pairs (few per node).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from urbankg.names import short_name
from urbankg.reasoning.owl_graph import META_TYPES, class_parents, upward
from urbankg.reasoning.result import Clash


class _Schema:
    """The parts of the ontology that make data inconsistent, read with rdflib."""

    def __init__(self, ontology: Graph):
        self.graph = ontology
        self.parents = class_parents(ontology)
        self.disjoint: dict[Node, set[Node]] = defaultdict(set)
        for a, b in ontology.subject_objects(OWL.disjointWith):
            self.disjoint[a].add(b)
            self.disjoint[b].add(a)
        for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            members = _members(ontology, axiom, OWL.members)
            for a in members:
                for b in members:
                    if a != b:
                        self.disjoint[a].add(b)
        self.domains = _by_subject(ontology, RDFS.domain)
        self.ranges = _by_subject(ontology, RDFS.range)
        self.super_properties = _by_subject(ontology, RDFS.subPropertyOf)
        self.inverse: dict[Node, set[Node]] = defaultdict(set)
        for a, b in ontology.subject_objects(OWL.inverseOf):
            self.inverse[a].add(b)
            self.inverse[b].add(a)
        self.functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
        self.object_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
        self.different: set[frozenset[Node]] = set()
        for axiom in ontology.subjects(RDF.type, OWL.AllDifferent):
            members = _members(ontology, axiom, OWL.distinctMembers)
            for a in members:
                for b in members:
                    if a != b:
                        self.different.add(frozenset((a, b)))
        for a, b in ontology.subject_objects(OWL.differentFrom):
            self.different.add(frozenset((a, b)))
        self._ancestors: dict[Node, set[Node]] = {}
        self._super_properties: dict[Node, set[Node]] = {}

    def ancestors(self, cls: Node) -> set[Node]:
        return upward(cls, self.parents, self._ancestors)

    def property_closure(self, prop: Node) -> set[Node]:
        return upward(prop, self.super_properties, self._super_properties)

    def data_range(self, prop: Node) -> tuple[Node, list[tuple[Node, Node]]] | None:
        """(base datatype, facets) of a datatype property's range, when it has one."""
        for rng in self.ranges.get(prop, ()):
            if isinstance(rng, URIRef) and str(rng).startswith(str(XSD)):
                return rng, []
            base = self.graph.value(rng, OWL.onDatatype)
            if base is not None:
                facets: list[tuple[Node, Node]] = []
                restrictions = self.graph.value(rng, OWL.withRestrictions)
                for facet_node in Collection(self.graph, restrictions) if restrictions else []:
                    for facet, value in self.graph.predicate_objects(facet_node):
                        facets.append((facet, value))
                return base, facets
        return None


def _members(graph: Graph, axiom: Node, predicate: URIRef) -> list[Node]:
    """The RDF list an axiom names (owl:members of an owl:AllDisjointClasses); none when it names none."""
    head = graph.value(axiom, predicate)
    return [] if head is None else list(Collection(graph, head))


def _by_subject(graph: Graph, predicate: URIRef) -> dict[Node, set[Node]]:
    out: dict[Node, set[Node]] = defaultdict(set)
    for s, o in graph.subject_objects(predicate):
        out[s].add(o)
    return out


def explain(ontology: Graph, data: Graph) -> list[Clash]:
    """The clashes rdflib can see: disjoint types, functional properties, data ranges."""
    schema = _Schema(ontology)
    both = ontology + data
    data_nodes = set(data.subjects()) | {o for o in data.objects() if not isinstance(o, Literal)}
    return (
        _disjoint_clashes(schema, both, data, data_nodes)
        + _functional_clashes(schema, both, data, data_nodes)
        + _range_clashes(schema, both, data)
    )


def _type_reasons(schema: _Schema, both: Graph, data: Graph) -> dict[Node, dict[URIRef, str]]:
    """Why each node has each type (named classes only): "asserted", or "as <subject> <property> it"."""
    why: dict[Node, dict[URIRef, str]] = defaultdict(dict)
    for s, cls in both.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and cls not in META_TYPES:
            why[s].setdefault(cls, f"typed {short_name(both, cls)}")
    for s, p, o in data:
        if p == RDF.type:
            continue
        name = short_name(both, p)
        for prop in schema.property_closure(p):
            for cls in schema.domains.get(prop, ()):
                if isinstance(cls, URIRef):
                    why[s].setdefault(cls, f"subject of {name}, whose domain is {short_name(both, cls)}")
            if isinstance(o, Literal):
                continue
            for cls in schema.ranges.get(prop, ()):
                if isinstance(cls, URIRef):
                    why[o].setdefault(cls, f"value of {name}, whose range is {short_name(both, cls)}")
            for inverse in schema.inverse.get(prop, ()):
                for cls in schema.ranges.get(inverse, ()):
                    if isinstance(cls, URIRef):
                        why[s].setdefault(cls, f"subject of {name}, inverse of {short_name(both, inverse)}")
                for cls in schema.domains.get(inverse, ()):
                    if isinstance(cls, URIRef):
                        why[o].setdefault(cls, f"value of {name}, inverse of {short_name(both, inverse)}")
    return why


def _disjoint_clashes(schema: _Schema, both: Graph, data: Graph, data_nodes: set[Node]) -> list[Clash]:
    """Nodes (owl:sameAs merges them: their types are united) in two disjoint classes."""
    why = _type_reasons(schema, both, data)
    clashes: list[Clash] = []
    reported: set[frozenset[object]] = set()
    for group in _same_as_groups(both):
        if not group & data_nodes:
            continue
        reasons: dict[URIRef, tuple[Node, str]] = {}
        for member in sorted(group, key=str):
            for cls, text in why.get(member, {}).items():
                reasons.setdefault(cls, (member, text))
        expanded = {cls: schema.ancestors(cls) for cls in reasons}
        for a in sorted(reasons, key=str):
            for b in sorted(reasons, key=str):
                if str(a) >= str(b):
                    continue
                pair = _disjoint_pair(schema, expanded[a], expanded[b])
                if pair is None:
                    continue
                key = frozenset((frozenset(group), a, b))
                if key in reported:
                    continue
                reported.add(key)
                why_a, why_b = reasons[a][1], reasons[b][1]
                individuals = tuple(sorted(group, key=str))
                names = " = ".join(short_name(both, m) for m in individuals)
                message = (
                    f"{names} is both {short_name(both, a)} ({why_a}) and {short_name(both, b)} ({why_b}), "
                    f"but {short_name(both, pair[0])} and {short_name(both, pair[1])} are disjoint"
                )
                clashes.append(Clash(individuals, (a, b), message))
    return clashes


def _functional_clashes(schema: _Schema, both: Graph, data: Graph, data_nodes: set[Node]) -> list[Clash]:
    """Functional properties with two values known to be different."""
    clashes: list[Clash] = []
    for prop in schema.functional:
        values: dict[Node, set[Node]] = defaultdict(set)
        for s, o in both.subject_objects(prop):
            if s in data_nodes or (s, prop, o) in data:
                values[s].add(o)
        for s, objects in values.items():
            if len(objects) < 2:
                continue
            distinct = [
                (a, b)
                for a in objects
                for b in objects
                if str(a) < str(b) and (frozenset((a, b)) in schema.different or _distinct_literals(a, b))
            ]
            if distinct:
                a, b = distinct[0]
                message = (
                    f"{short_name(both, s)} has two different values of {short_name(both, prop)}, which allows "
                    f"only one: {short_name(both, a)} and {short_name(both, b)}"
                )
                clashes.append(Clash((s,), (), message))
    return clashes


def _range_clashes(schema: _Schema, both: Graph, data: Graph) -> list[Clash]:
    """Literal values outside a datatype property's range facets."""
    clashes: list[Clash] = []
    for s, p, o in data:
        if not isinstance(o, Literal):
            continue
        spec = schema.data_range(p)
        if spec is None:
            continue
        _base, facets = spec
        number = _number(o)
        if number is None:
            continue
        where = f"{short_name(both, s)}: {short_name(both, p)} is {o}"
        for facet, bound in facets:
            limit = _number(bound)
            if limit is None:
                continue
            broken = (
                (facet == XSD.minInclusive and number < limit)
                or (facet == XSD.maxInclusive and number > limit)
                or (facet == XSD.minExclusive and number <= limit)
                or (facet == XSD.maxExclusive and number >= limit)
            )
            if broken:
                clashes.append(Clash((s,), (), f"{where}, outside its range ({_facet(facet)} {bound})"))
        if XSD.nonNegativeInteger in schema.ranges.get(p, ()) and number < 0:
            clashes.append(Clash((s,), (), f"{where}, but must not be negative"))
    return clashes


def _disjoint_pair(schema: _Schema, left: set[Node], right: set[Node]) -> tuple[Node, Node] | None:
    for a in sorted(left, key=str):
        disjoint = schema.disjoint.get(a)
        if not disjoint:
            continue
        for b in sorted(right, key=str):
            if b in disjoint:
                return a, b
    return None


def _same_as_groups(graph: Graph) -> list[set[Node]]:
    parent: dict[Node, Node] = {}

    def find(x: Node) -> Node:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in set(graph.subjects()) | {o for o in graph.objects() if not isinstance(o, Literal)}:
        find(s)
    for a, b in graph.subject_objects(OWL.sameAs):
        parent[find(a)] = find(b)
    groups: dict[Node, set[Node]] = defaultdict(set)
    for node in list(parent):
        groups[find(node)].add(node)
    return list(groups.values())


def _distinct_literals(a: Node, b: Node) -> bool:
    if not (isinstance(a, Literal) and isinstance(b, Literal)):
        return False
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na != nb
    return a != b


def _number(node: Node) -> Decimal | None:
    if not isinstance(node, Literal):
        return None
    if node.datatype is None or node.datatype in (XSD.string, RDF.langString):
        return None
    try:
        return Decimal(str(node))
    except (InvalidOperation, ValueError):
        return None


def _facet(facet: Node) -> str:
    symbols: dict[Node, str] = {
        XSD.minInclusive: ">=",
        XSD.maxInclusive: "<=",
        XSD.minExclusive: ">",
        XSD.maxExclusive: "<",
    }
    return symbols.get(facet, str(facet))
