"""Running HermiT (Java, through owlready2) on an rdflib graph: consistency, and realisation.

``run_hermit(graph, timeout)`` writes the graph as N-Triples into a temporary folder, loads it
into a fresh, isolated owlready2 ``World`` (owlready2 never parses Turtle and never fetches
anything: ``merge`` drops ``owl:imports``), runs HermiT and reads back every named class each
named individual belongs to. One run costs a Java start (about 1-2 s) plus HermiT's time, which
grows quickly with the data's size; runs are serialised by :data:`LOCK`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
import types
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.term import Node

from urbankg import config
from urbankg.reasoning.owl_graph import META_TYPES, SKOLEM, class_parents, upward
from urbankg.reasoning.result import ReasoningError

# owlready2 keeps module-level state (the default world, the ontology of inferences);
# HermiT runs are serialised so concurrent callers (server threads) don't interleave.
LOCK = threading.Lock()


@dataclass
class Outcome:
    """HermiT's verdict, and when consistent, what it entails."""

    consistent: bool
    types: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    unsatisfiable: set[URIRef] = field(default_factory=set)


def merge(ontology: Graph, data: Graph) -> Graph:
    """One graph of both, without what HermiT must not see."""
    merged = Graph()
    for graph in (ontology, data):
        for s, p, o in graph:
            if p == OWL.imports:
                continue  # never let owlready2 fetch anything
            if isinstance(o, Literal) and getattr(o, "ill_typed", False):
                continue  # SHACL reports those; HermiT would only crash on them
            merged.add((s, p, o))
    return merged


def run_hermit(graph: Graph, timeout: float) -> Outcome:
    """Consistency and realisation of ``graph`` by HermiT, in a throw-away World. Hold LOCK."""
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
            return Outcome(consistent=False)
        except owlready2.OwlReadyJavaError as exc:
            raise ReasoningError(f"HermiT failed: {exc}") from exc
        except subprocess.TimeoutExpired as exc:
            raise ReasoningError(f"HermiT took longer than {timeout:.0f} s") from exc
        except FileNotFoundError as exc:
            raise ReasoningError(f"Java is not installed (needed by HermiT): {exc}") from exc
        return Outcome(consistent=True, types=_entailed_types(world), unsatisfiable=_unsatisfiable(world))
    finally:
        owl_reasoning._subprocess_kargs.clear()
        owl_reasoning._subprocess_kargs.update(original_kargs)
        owl_reasoning.tempfile = original_tempfile
        world.close()
        shutil.rmtree(folder, ignore_errors=True)


def _entailed_types(world: Any) -> dict[URIRef, set[URIRef]]:
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
    parents = class_parents(view)
    closure: dict[Node, set[Node]] = {}
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for individual, cls in view.subject_objects(RDF.type):
        if not isinstance(individual, URIRef) or individual in entities:
            continue  # classes, properties (also when punned as individuals), blank nodes
        if cls in classes:
            # Everything above a named class is a named class (class_parents keeps IRIs only).
            types[individual] |= {c for c in upward(cls, parents, closure) if isinstance(c, URIRef)}
    return dict(types)


def _unsatisfiable(world: Any) -> set[URIRef]:
    return {
        URIRef(c.iri) for c in world.inconsistent_classes() if getattr(c, "iri", None) and c.iri != str(OWL.Nothing)
    }


def new_types(types: dict[URIRef, set[URIRef]], ontology: Graph, data: Graph) -> Graph:
    """The memberships HermiT entails about named individuals that neither input asserts."""
    inferred = Graph()
    inferred.bind("ukg", config.ONTOLOGY_NS)
    for individual, classes in types.items():
        if str(individual).startswith(SKOLEM):
            continue
        for cls in classes:
            if cls in META_TYPES:
                continue
            triple = (individual, RDF.type, cls)
            if triple in data or triple in ontology:
                continue
            inferred.add(triple)
    return inferred
