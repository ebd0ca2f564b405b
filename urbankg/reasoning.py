"""OWL reasoning over ontology + data: consistency, and inferred class memberships.

``reason(ontology, data)`` loads both rdflib graphs into a fresh, isolated owlready2
``World`` (through N-Triples written by rdflib: owlready2 never parses Turtle and
never fetches anything — ``owl:imports`` are dropped), runs HermiT (Java) on it and
returns a :class:`ReasoningResult`:

* consistent: ``result.inferred`` holds every ``rdf:type`` triple the reasoner
  entails for a named individual that neither graph asserts (direct types and all
  their named superclasses), ready to be written into the named graph
  ``https://w3id.org/urbankg/graph/inferred`` (:data:`INFERRED_GRAPH`), so queries
  can opt in to inferences;
* inconsistent: ``result.clashes`` names the individuals and classes involved.
  HermiT only says *that* the ontology is inconsistent, so the clashes are found
  by checking the data against the ontology's axioms that make most annotation
  errors (a node in two disjoint classes — directly, through rdfs:domain/range or
  owl:sameAs —, two different values of a functional property, a number outside a
  property's datatype range). When that finds nothing, HermiT is re-run on parts
  of the data to narrow the inconsistency down to a few subjects.

Blank nodes of the data (quotes, nested entities) are skolemised for the reasoner
and mapped back in clashes; no inferred triple is reported about them, since a
blank node cannot be referred to from another named graph.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
import time
import types
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from urbankg.config import INFERRED_GRAPH as _INFERRED_GRAPH
from urbankg.errors import UrbankgError

INFERRED_GRAPH = URIRef(_INFERRED_GRAPH)
"""The named graph inferred memberships are meant to be written into."""

SKOS_CONCEPT = URIRef("http://www.w3.org/2004/02/skos/core#Concept")
SKOS_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")

# Types that say what kind of OWL entity something is, not what class it belongs to.
_META_TYPES = {
    OWL.Thing, OWL.NamedIndividual, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
    OWL.AnnotationProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty, OWL.Ontology, OWL.Restriction, OWL.AllDisjointClasses,
    OWL.AllDifferent, OWL.AllDisjointProperties, OWL.Axiom, RDFS.Class, RDFS.Datatype, RDF.Property,
    RDF.List, OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.OntologyProperty,
}

_SKOLEM = "https://w3id.org/urbankg/.well-known/genid/reasoning/"

# owlready2 keeps module-level state (the default world, the ontology of inferences);
# HermiT runs are serialised so concurrent callers (server threads) don't interleave.
_LOCK = threading.Lock()


class ReasoningError(UrbankgError):
    """The reasoner could not run (no Java, a Java error, a timeout)."""


@dataclass(frozen=True)
class Clash:
    """One reason the data is inconsistent with the ontology."""

    individuals: tuple[Node, ...]
    """The individuals involved (IRIs; blank nodes as they are in the data)."""
    classes: tuple[URIRef, ...] = ()
    """The classes involved (e.g. the two disjoint classes), if any."""
    message: str = ""
    """What is wrong, in words."""

    def __str__(self) -> str:
        return self.message


@dataclass
class ReasoningResult:
    """What ``reason`` found.

    ``consistent`` — whether ontology + data are consistent (HermiT's verdict).
    ``inferred`` — if consistent, the entailed ``rdf:type`` triples about named
    individuals that neither input graph asserts; empty otherwise. Write it into
    :data:`INFERRED_GRAPH`.
    ``clashes`` — if inconsistent, why, with the individuals and classes involved.
    ``unsatisfiable_classes`` — named classes that can have no member (a modelling
    error in the ontology, reported even when the data is consistent).
    ``seconds`` — wall time spent.
    """

    consistent: bool
    inferred: Graph = field(default_factory=Graph)
    clashes: list[Clash] = field(default_factory=list)
    unsatisfiable_classes: list[URIRef] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def individuals(self) -> list[Node]:
        """Every individual named by a clash, in a stable order."""
        seen: dict[Node, None] = {}
        for clash in self.clashes:
            for individual in clash.individuals:
                seen.setdefault(individual, None)
        return list(seen)

    @property
    def classes(self) -> list[URIRef]:
        """Every class named by a clash, in a stable order."""
        seen: dict[URIRef, None] = {}
        for clash in self.clashes:
            for cls in clash.classes:
                seen.setdefault(cls, None)
        return list(seen)

    def summary(self) -> str:
        """One paragraph for a terminal."""
        if self.consistent:
            text = f"consistent; {len(self.inferred)} inferred class memberships ({self.seconds:.1f} s)"
            if self.unsatisfiable_classes:
                text += "; unsatisfiable classes: " + ", ".join(self.unsatisfiable_classes)
            return text
        lines = [f"inconsistent ({self.seconds:.1f} s):"]
        lines += [f"  - {clash.message}" for clash in self.clashes] or ["  - (no explanation found)"]
        return "\n".join(lines)

    def __bool__(self) -> bool:  # `if reason(...):` reads as "if consistent"
        return self.consistent


def reason(ontology: Graph, data: Graph, timeout: float = 300.0) -> ReasoningResult:
    """Check ontology + data for consistency with HermiT; return inferred memberships.

    ``ontology`` is the urbankg ontology (``ontology/urbankg.ttl`` parsed), ``data``
    any annotation data (one source's graph, or the union of the store's graphs).
    Neither graph is modified. Raises :class:`ReasoningError` when Java or HermiT
    fails for a reason other than inconsistency. ``timeout`` bounds each HermiT run
    in seconds.
    """
    started = time.monotonic()
    skolem_data, unskolem = _skolemise(data)
    merged = _merge(ontology, skolem_data)
    with _LOCK:
        outcome = _run_hermit(merged, timeout)
    if outcome.consistent:
        inferred = _new_types(outcome.types, ontology, skolem_data)
        return ReasoningResult(
            consistent=True,
            inferred=inferred,
            unsatisfiable_classes=sorted(outcome.unsatisfiable),
            seconds=time.monotonic() - started,
        )
    clashes = _explain(ontology, skolem_data)
    if not clashes:
        clashes = _narrow_down(ontology, skolem_data, timeout)
    clashes = [_unskolemise_clash(clash, unskolem) for clash in clashes]
    return ReasoningResult(consistent=False, clashes=clashes, seconds=time.monotonic() - started)


# -- running HermiT through owlready2 -------------------------------------------------


@dataclass
class _Outcome:
    consistent: bool
    types: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    unsatisfiable: set[URIRef] = field(default_factory=set)


def _merge(ontology: Graph, data: Graph) -> Graph:
    merged = Graph()
    for graph in (ontology, data):
        for s, p, o in graph:
            if p == OWL.imports:
                continue  # never let owlready2 fetch anything
            if isinstance(o, Literal) and getattr(o, "ill_typed", False):
                continue  # SHACL reports those; HermiT would only crash on them
            merged.add((s, p, o))
    return merged


def _run_hermit(graph: Graph, timeout: float) -> _Outcome:
    """Consistency and realisation of ``graph`` by HermiT, in a throw-away World."""
    import subprocess

    import owlready2
    from owlready2 import reasoning as owl_reasoning

    folder = tempfile.mkdtemp(prefix="urbankg-reasoning-")
    path = os.path.join(folder, "input.nt")
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    original_kargs = dict(owl_reasoning._subprocess_kargs)
    original_tempfile = owl_reasoning.tempfile
    # owlready2 writes the World for HermiT to a temporary file that it does not
    # delete when HermiT reports an inconsistency: have it written into our folder.
    owl_reasoning.tempfile = types.SimpleNamespace(
        NamedTemporaryFile=functools.partial(tempfile.NamedTemporaryFile, dir=folder)
    )
    try:
        onto = world.get_ontology("file://" + path).load(only_local=True)
        # A timeout for the Java process (owlready2 passes these to subprocess).
        owl_reasoning._subprocess_kargs["timeout"] = timeout
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            return _Outcome(consistent=False)
        except owlready2.OwlReadyJavaError as exc:
            raise ReasoningError(f"HermiT failed: {exc}") from exc
        except subprocess.TimeoutExpired as exc:
            raise ReasoningError(f"HermiT took longer than {timeout:.0f} s") from exc
        except FileNotFoundError as exc:
            raise ReasoningError(f"Java is not installed (needed by HermiT): {exc}") from exc
        return _Outcome(consistent=True, types=_entailed_types(world), unsatisfiable=_unsatisfiable(world))
    finally:
        owl_reasoning._subprocess_kargs.clear()
        owl_reasoning._subprocess_kargs.update(original_kargs)
        owl_reasoning.tempfile = original_tempfile
        world.close()
        shutil.rmtree(folder, ignore_errors=True)


def _entailed_types(world) -> dict[URIRef, set[URIRef]]:
    """Every named class each named individual belongs to, after reasoning.

    Read back from the World's triples (owlready2 writes HermiT's realisation there
    as rdf:type triples and its classification as rdfs:subClassOf triples), then
    closed upward over the (inferred) class hierarchy.
    """
    view = world.as_rdflib_graph()
    classes = {c for c in view.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    entities = classes | {
        e
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology)
        for e in view.subjects(RDF.type, kind)
    }
    parents = _class_parents(view)
    closure: dict[Node, set[Node]] = {}
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for individual, cls in view.subject_objects(RDF.type):
        if not isinstance(individual, URIRef) or individual in entities:
            continue  # classes, properties (also when punned as individuals), blank nodes
        if cls in classes:
            types[individual] |= _upward(cls, parents, closure)
    return dict(types)


def _unsatisfiable(world) -> set[URIRef]:
    return {URIRef(c.iri) for c in world.inconsistent_classes() if getattr(c, "iri", None) and c.iri != str(OWL.Nothing)}


def _new_types(types: dict[URIRef, set[URIRef]], ontology: Graph, data: Graph) -> Graph:
    inferred = Graph()
    inferred.bind("ukg", "https://w3id.org/urbankg/ontology#")
    for individual, classes in types.items():
        if str(individual).startswith(_SKOLEM):
            continue
        for cls in classes:
            if cls in _META_TYPES:
                continue
            triple = (individual, RDF.type, cls)
            if triple in data or triple in ontology:
                continue
            inferred.add(triple)
    return inferred


# -- explaining an inconsistency ------------------------------------------------------


class _Schema:
    """The parts of the ontology that make data inconsistent, read with rdflib."""

    def __init__(self, ontology: Graph):
        self.graph = ontology
        self.parents = _class_parents(ontology)
        self.disjoint: dict[Node, set[Node]] = defaultdict(set)
        for a, b in ontology.subject_objects(OWL.disjointWith):
            self.disjoint[a].add(b)
            self.disjoint[b].add(a)
        for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            members = list(Collection(ontology, ontology.value(axiom, OWL.members)))
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
        self.different: set[frozenset] = set()
        for axiom in ontology.subjects(RDF.type, OWL.AllDifferent):
            members = list(Collection(ontology, ontology.value(axiom, OWL.distinctMembers)))
            for a in members:
                for b in members:
                    if a != b:
                        self.different.add(frozenset((a, b)))
        for a, b in ontology.subject_objects(OWL.differentFrom):
            self.different.add(frozenset((a, b)))
        self._ancestors: dict[Node, set[Node]] = {}
        self._super_properties: dict[Node, set[Node]] = {}

    def ancestors(self, cls: Node) -> set[Node]:
        return _upward(cls, self.parents, self._ancestors)

    def property_closure(self, prop: Node) -> set[Node]:
        return _upward(prop, self.super_properties, self._super_properties)

    def data_range(self, prop: Node) -> tuple[Node, list[tuple[URIRef, Literal]]] | None:
        """(base datatype, facets) of a datatype property's range, when it has one."""
        for rng in self.ranges.get(prop, ()):
            if isinstance(rng, URIRef) and str(rng).startswith(str(XSD)):
                return rng, []
            base = self.graph.value(rng, OWL.onDatatype)
            if base is not None:
                facets = []
                restrictions = self.graph.value(rng, OWL.withRestrictions)
                for facet_node in Collection(self.graph, restrictions) if restrictions else []:
                    for facet, value in self.graph.predicate_objects(facet_node):
                        facets.append((facet, value))
                return base, facets
        return None


def _class_parents(graph: Graph) -> dict[Node, set[Node]]:
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


def _upward(node: Node, edges: dict[Node, set[Node]], cache: dict[Node, set[Node]]) -> set[Node]:
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


def _by_subject(graph: Graph, predicate: URIRef) -> dict[Node, set[Node]]:
    out: dict[Node, set[Node]] = defaultdict(set)
    for s, o in graph.subject_objects(predicate):
        out[s].add(o)
    return out


def _explain(ontology: Graph, data: Graph) -> list[Clash]:
    """The clashes rdflib can see: disjoint types, functional properties, data ranges."""
    schema = _Schema(ontology)
    both = ontology + data
    # Why each node has each type: "asserted", or "as <subject> <property> it".
    why: dict[Node, dict[Node, str]] = defaultdict(dict)
    for s, cls in both.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and cls not in _META_TYPES:
            why[s].setdefault(cls, f"typed {_n(both, cls)}")
    for s, p, o in data:
        if p == RDF.type:
            continue
        for prop in schema.property_closure(p):
            for cls in schema.domains.get(prop, ()):
                if isinstance(cls, URIRef):
                    why[s].setdefault(cls, f"subject of {_n(both, p)}, whose domain is {_n(both, cls)}")
            if not isinstance(o, Literal):
                for cls in schema.ranges.get(prop, ()):
                    if isinstance(cls, URIRef):
                        why[o].setdefault(cls, f"value of {_n(both, p)}, whose range is {_n(both, cls)}")
                for inverse in schema.inverse.get(prop, ()):
                    for cls in schema.ranges.get(inverse, ()):
                        if isinstance(cls, URIRef):
                            why[s].setdefault(cls, f"subject of {_n(both, p)}, inverse of {_n(both, inverse)}")
                    for cls in schema.domains.get(inverse, ()):
                        if isinstance(cls, URIRef):
                            why[o].setdefault(cls, f"value of {_n(both, p)}, inverse of {_n(both, inverse)}")

    # owl:sameAs merges individuals: union their types.
    groups = _same_as_groups(both)
    clashes: list[Clash] = []
    data_nodes = set(data.subjects()) | {o for o in data.objects() if not isinstance(o, Literal)}
    reported: set[frozenset] = set()
    for group in groups:
        if not group & data_nodes:
            continue
        reasons: dict[Node, tuple[Node, str]] = {}
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
                names = " = ".join(_n(both, m) for m in individuals)
                message = (
                    f"{names} is both {_n(both, a)} ({why_a}) and {_n(both, b)} ({why_b}), "
                    f"but {_n(both, pair[0])} and {_n(both, pair[1])} are disjoint"
                )
                clashes.append(Clash(individuals, (a, b), message))

    # Functional properties with two values known to be different.
    for prop in schema.functional:
        values: dict[Node, set[Node]] = defaultdict(set)
        for s, o in both.subject_objects(prop):
            if s in data_nodes or (s, prop, o) in data:
                values[s].add(o)
        for s, objects in values.items():
            if len(objects) < 2:
                continue
            distinct = [
                (a, b) for a in objects for b in objects
                if str(a) < str(b) and (frozenset((a, b)) in schema.different or _distinct_literals(a, b))
            ]
            if distinct:
                a, b = distinct[0]
                clashes.append(
                    Clash(
                        (s,),
                        (),
                        f"{_n(both, s)} has two different values of {_n(both, prop)}, which allows only one: "
                        f"{_n(both, a)} and {_n(both, b)}",
                    )
                )

    # Literal values outside a datatype property's range facets.
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
                clashes.append(
                    Clash((s,), (), f"{_n(both, s)}: {_n(both, p)} is {o}, outside its range ({_facet(facet)} {bound})")
                )
        if (XSD.nonNegativeInteger in schema.ranges.get(p, ()) and number < 0):
            clashes.append(Clash((s,), (), f"{_n(both, s)}: {_n(both, p)} is {o}, but must not be negative"))
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
    return {XSD.minInclusive: ">=", XSD.maxInclusive: "<=", XSD.minExclusive: ">", XSD.maxExclusive: "<"}.get(
        facet, str(facet)
    )


def _n(graph: Graph, node: Node) -> str:
    """A short name: id/kind/slug for urbankg data, a CURIE for vocabulary terms."""
    if isinstance(node, URIRef):
        text = str(node)
        if text.startswith(_SKOLEM):
            return "(unnamed node)"
        id_base = "https://w3id.org/urbankg/id/"
        if text.startswith(id_base):
            return text[len(id_base):]
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{text}>"
    if isinstance(node, BNode):
        return "(unnamed node)"
    return repr(str(node))


def _narrow_down(ontology: Graph, data: Graph, timeout: float, max_runs: int = 12) -> list[Clash]:
    """Find a small set of data subjects that HermiT alone finds inconsistent.

    Drops halves (then quarters ...) of the data's subjects while what is left stays
    inconsistent: a simplified delta debugging, bounded to ``max_runs`` HermiT runs.
    """
    by_subject: dict[Node, list] = defaultdict(list)
    for triple in data:
        by_subject[triple[0]].append(triple)
    subjects = sorted(by_subject, key=str)

    def inconsistent(chosen: list[Node]) -> bool:
        part = Graph()
        for s in chosen:
            for triple in by_subject[s]:
                part.add(triple)
        with _LOCK:
            return not _run_hermit(_merge(ontology, part), timeout).consistent

    runs = 0
    chunks = 2
    while len(subjects) > 1 and runs < max_runs:
        size = max(1, len(subjects) // chunks)
        pieces = [subjects[i:i + size] for i in range(0, len(subjects), size)]
        reduced = False
        for piece in pieces:
            rest = [s for s in subjects if s not in set(piece)]
            if not rest:
                continue
            runs += 1
            if inconsistent(rest):
                subjects, chunks, reduced = rest, max(chunks - 1, 2), True
                break
            if runs >= max_runs:
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(len(subjects), chunks * 2)
    if len(subjects) == len(by_subject) and len(subjects) > 20:
        return [Clash((), (), "HermiT finds the data inconsistent with the ontology, but no small cause was isolated")]
    names = ", ".join(_n(ontology + data, s) for s in subjects)
    return [Clash(tuple(subjects), (), f"HermiT finds these together inconsistent with the ontology: {names}")]


# -- blank nodes ------------------------------------------------------------------------


def _skolemise(data: Graph) -> tuple[Graph, dict[URIRef, BNode]]:
    mapping: dict[BNode, URIRef] = {}

    def sk(node: Node) -> Node:
        if isinstance(node, BNode):
            if node not in mapping:
                mapping[node] = URIRef(_SKOLEM + str(node))
            return mapping[node]
        return node

    out = Graph()
    for prefix, namespace in data.namespaces():
        out.bind(prefix, namespace, override=False)
    for s, p, o in data:
        out.add((sk(s), p, sk(o)))
    return out, {iri: bnode for bnode, iri in mapping.items()}


def _unskolemise_clash(clash: Clash, unskolem: dict[URIRef, BNode]) -> Clash:
    return Clash(tuple(unskolem.get(i, i) for i in clash.individuals), clash.classes, clash.message)
