"""The validation gate: SHACL (pyshacl) over one source file, reported by line.

Cost tracks the file, not the store: pyshacl sees the file's own graph plus a small
context — the class hierarchy of the ontology and the rdf:type of every IRI the
file mentions (fetched by the caller from the store and from the other files of
the same load) — never the whole store. Results about context nodes are dropped:
only the file's own statements are judged.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, SH, BNode, Graph, URIRef
from rdflib.term import Node

from urbankg.config import ID_BASE
from urbankg.errors import Problem, SourceError
from urbankg.loaders.parsed import Parsed

SCHEMA_PREDICATES = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)


class Validator:
    def __init__(self, shapes_path: Path, ontology_path: Path):
        self.shapes_path = Path(shapes_path)
        self.ontology_path = Path(ontology_path)

    @cached_property
    def shapes(self) -> Graph:
        graph = Graph()
        if self.shapes_path.exists():
            try:
                graph.parse(self.shapes_path, format="turtle")
            except Exception as exc:
                raise SourceError.single(self.shapes_path, getattr(exc, "lines", None), f"shapes do not parse: {exc}")
        return graph

    @cached_property
    def ontology(self) -> Graph:
        graph = Graph()
        if self.ontology_path.exists():
            graph.parse(self.ontology_path, format="turtle")
        return graph

    @cached_property
    def schema(self) -> Graph:
        """The ontology's class and property hierarchy: enough for sh:class and
        sh:targetClass to follow rdfs:subClassOf, at a fraction of the ontology's size."""
        graph = Graph()
        for predicate in SCHEMA_PREDICATES:
            for triple in self.ontology.triples((None, predicate, None)):
                graph.add(triple)
        return graph

    def ontology_types(self, iris: set) -> Graph:
        """rdf:type of those IRIs that the ontology defines (its concepts, measures, units)."""
        graph = Graph()
        for iri in iris:
            for triple in self.ontology.triples((iri, RDF.type, None)):
                graph.add(triple)
        return graph

    def validate(self, parsed: Parsed, context: Graph | None = None) -> list[Problem]:
        """Every SHACL result about the file's own nodes, as problems with lines."""
        if len(self.shapes) == 0:
            return []
        data = Graph()
        data += parsed.graph
        data += self.schema
        data += self.ontology_types(mentioned_iris(parsed.graph))
        if context is not None:
            data += context
        _conforms, report, _text = pyshacl.validate(
            data,
            shacl_graph=self.shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
        )
        own_subjects = set(parsed.graph.subjects())
        problems = []
        for result in report.subjects(RDF.type, SH.ValidationResult):
            focus = report.value(result, SH.focusNode)
            if focus not in own_subjects:
                continue
            path = report.value(result, SH.resultPath)
            problems.append(
                Problem(
                    str(parsed.path),
                    parsed.line_of(focus, path),
                    _message(report, result, parsed, focus, path),
                    "error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning",
                )
            )
        return sorted(set(problems), key=lambda p: (p.line or 0, p.message))


def mentioned_iris(graph: Graph) -> set[URIRef]:
    """IRIs a graph points at (objects other than classes): what its context must describe."""
    return {o for p, o in graph.predicate_objects() if isinstance(o, URIRef) and p != RDF.type}


def _message(report: Graph, result: Node, parsed: Parsed, focus: Node, path: Node | None) -> str:
    message = report.value(result, SH.resultMessage)
    if message is None:
        component = report.value(result, SH.sourceConstraintComponent)
        message = f"violates {_short(parsed.graph, component)}"
        if path is not None:
            message = f"{_short(parsed.graph, path)}: {message}"
    value = report.value(result, SH.value)
    text = str(message)
    if value is not None and str(value) not in text:
        text += f" (found: {_short(parsed.graph, value)})"
    return f"{_short(parsed.graph, focus)}: {text}"


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        if str(node).startswith(ID_BASE):
            return str(node)[len(ID_BASE) :]
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    if isinstance(node, BNode):
        return "(unnamed node)"
    return repr(str(node)) if len(str(node)) < 80 else repr(str(node)[:77] + "...")
