"""The validation gate: SHACL (pyshacl) over one source file, and its ids checked, reported by line.

Cost tracks the file, not the store: pyshacl sees the file's own graph plus a small
context — the class hierarchy of the ontology and the rdf:type of every IRI the
file mentions (fetched by the caller from the store and from the other files of
the same load) — never the whole store. Results about context nodes are dropped:
only the file's own statements are judged.

Every id the file mentions (an IRI under ``config.ID_BASE``, as the subject or the
object of a statement) must be described somewhere: given a type in the file, in
that context, or defined by the ontology. One that is not is an error at the line
that mentions it, naming the kind the property expects (its rdfs:range) and the
closest known id of that kind (difflib over the ids of the file, the context and
the ontology), or the command that lists them. This is one pass over the file's
triples: linear in the file, nothing asked of the store beyond the context.

Exempt: IRIs outside the id base (Wikidata items, DOIs, vocabulary terms: urbankg
cannot know them), blank nodes (nested entries, described where they are written),
the classes named by rdf:type, and the ids the ontology file itself speaks about
(its frameworks, concepts and measures), typed or not.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeGuard

import pyshacl
from rdflib import RDF, RDFS, SH, XSD, Graph, URIRef
from rdflib.term import Node

from urbankg.config import ID_BASE
from urbankg.errors import Problem, SourceError
from urbankg.names import short_name
from urbankg.parsed import Parsed

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
                raise SourceError.single(
                    self.shapes_path, getattr(exc, "lines", None), f"shapes do not parse: {exc}"
                ) from exc
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

    @cached_property
    def ontology_ids(self) -> set[URIRef]:
        """The ids the ontology speaks about (its frameworks, concepts, measures): described there."""
        return {s for s in self.ontology.subjects(unique=True) if _is_id(s)}

    def validate(self, parsed: Parsed, context: Graph | None = None) -> list[Problem]:
        """Every SHACL result about the file's own nodes, and every id the file mentions
        that nothing describes, as problems with lines."""
        context = context if context is not None else Graph()
        unknown = self._unknown_references(parsed, context)
        if len(self.shapes) == 0:
            return _reference_problems(parsed, unknown)
        data = Graph()
        data += parsed.graph
        data += self.schema
        objects = _objects(parsed.graph)
        data += self.ontology_types(objects)
        # Only the types of the ids the file points at: an id the file only speaks about
        # (an untyped subject) would, with its type from the store, be judged by that type's
        # shapes on this file's few statements, and miss every field the other file gives it.
        for triple in context.triples((None, RDF.type, None)):
            if triple[0] in objects:
                data.add(triple)
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
            mention = unknown.get((focus, path, report.value(result, SH.value)))
            if mention is not None:
                # The shape's "not a known place" and the unknown id are one fault: said once,
                # in the shape's words, with what the reference check adds.
                mention.shape_messages.append(str(report.value(result, SH.resultMessage) or ""))
                continue
            problems.append(
                Problem(
                    str(parsed.path),
                    parsed.line_of(focus, path),
                    _message(report, result, parsed, focus, path),
                    "error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning",
                )
            )
        problems += _reference_problems(parsed, unknown)
        return sorted(set(problems), key=lambda p: (p.line or 0, p.message))

    def _unknown_references(self, parsed: Parsed, context: Graph) -> dict[tuple, _Mention]:
        """(subject, predicate, id) -> the mention, for every id of the file nothing describes.

        An id mentioned as a subject only is keyed (id, None, id): it has no one statement to blame.
        """
        graph = parsed.graph
        typed = set(graph.subjects(RDF.type, None, unique=True)) | set(context.subjects(RDF.type, None, unique=True))
        known = typed | self.ontology_ids
        unknown: dict[tuple, _Mention] = {}
        for subject, predicate, obj in graph:
            if predicate == RDF.type:
                continue
            if _is_id(subject) and subject not in known and (subject, None, subject) not in unknown:
                unknown[(subject, None, subject)] = _Mention(subject, None, subject)
            if _is_id(obj) and obj not in known:
                unknown[(subject, predicate, obj)] = _Mention(subject, predicate, obj)
        if unknown:
            candidates = self._known_ids(graph, context)
            suggestions: dict[tuple, str | None] = {}  # an id is often mentioned many times
            for mention in unknown.values():
                mention.expected = self._range(mention.predicate)
                key = (mention.iri, mention.expected)
                if key not in suggestions:
                    suggestions[key] = self._closest(mention.iri, mention.expected, candidates)
                mention.suggestion = suggestions[key]
        return unknown

    def _known_ids(self, graph: Graph, context: Graph) -> dict[URIRef, set]:
        """Every id with a type in the file, the context or the ontology: id -> its classes."""
        known: dict[URIRef, set] = {}
        for source in (graph, context, self.ontology):
            for subject, cls in source.subject_objects(RDF.type):
                if _is_id(subject):
                    known.setdefault(subject, set()).add(cls)
        return known

    def _range(self, predicate: Node | None) -> URIRef | None:
        """The class a property's values must have (its rdfs:range), when the ontology names one."""
        if predicate is None:
            return None
        for cls in self.schema.objects(predicate, RDFS.range):
            if isinstance(cls, URIRef) and not str(cls).startswith(str(XSD)):
                return cls
        return None

    def _closest(self, iri: URIRef, expected: URIRef | None, known: dict[URIRef, set]) -> str | None:
        """The known id most like ``iri``: of the expected class (or a subclass), else of its kind
        (``work/`` for ``work/...``). None when none is close."""
        kind, _, slug = _short_id(iri).partition("/")
        if expected is not None:
            classes = {expected} | set(self.schema.transitive_subjects(RDFS.subClassOf, expected))
            pool = [_short_id(k) for k, types in known.items() if types & classes]
        else:
            pool = [_short_id(k) for k in known if _short_id(k).startswith(kind + "/")]
        # Slugs are compared, not whole ids: the kind every candidate shares would make
        # "framework/nobody-here" look like "framework/phenomena".
        by_slug: dict[str, str] = {}
        for name in sorted(pool, key=lambda n: not n.startswith(kind + "/")):  # the same kind first
            by_slug.setdefault(name.partition("/")[2] or name, name)
        found = difflib.get_close_matches(slug or kind, list(by_slug), n=1, cutoff=0.6)
        found = [by_slug[f] for f in found]
        return found[0] if found else None


@dataclass(eq=False)
class _Mention:
    """An id that nothing describes, where the file mentions it."""

    subject: Node
    predicate: Node | None  # None: mentioned as a subject only
    iri: URIRef
    expected: URIRef | None = None
    suggestion: str | None = None
    shape_messages: list[str] = field(default_factory=list)


def _reference_problems(parsed: Parsed, unknown: dict[tuple, _Mention]) -> list[Problem]:
    """One problem per unknown id, at the first line that mentions it, naming the others:
    a citations file whose paper is described nowhere mentions it once per entry, and
    sixty copies of one message would hide the other problems."""
    by_iri: dict[URIRef, list[tuple[int, _Mention]]] = {}
    for mention in unknown.values():
        line = parsed.line_of(mention.subject, mention.predicate)
        by_iri.setdefault(mention.iri, []).append((line or 0, mention))
    problems = []
    for mentions in by_iri.values():
        mentions.sort(key=lambda m: (m[0], m[1].predicate is None))
        line, first = mentions[0]
        message = _unknown_message(parsed, first)
        others = sorted({n for n, _ in mentions[1:] if n and n != line})
        if others:
            shown = ", ".join(map(str, others[:10])) + (f" and {len(others) - 10} more" if len(others) > 10 else "")
            message += f"; also mentioned at line{'s' if len(others) > 1 else ''} {shown}"
        problems.append(Problem(str(parsed.path), line or None, message))
    return problems


def _unknown_message(parsed: Parsed, mention: _Mention) -> str:
    name = _short_id(mention.iri)
    nowhere = "nothing in this file, the store or the other files of this load describes it"
    hint = (
        f"did you mean {mention.suggestion}?"
        if mention.suggestion
        else "to list the known ones, run: " + _listing_command(mention)
    )
    if mention.predicate is None:
        return (
            f"{name}: this file says things about {name} without saying what it is (no type), and "
            f"{nowhere}: give it a type, or check the id ({hint})"
        )
    focus = short_name(parsed.graph, mention.subject)
    shaped = " ".join(m for m in mention.shape_messages if m)
    if shaped:  # the shape's message names the kind already
        return f"{focus}: {shaped} (found: {name}; {nowhere}; {hint})"
    kind = "known" + (" " + _kind(parsed.graph, mention.expected) if mention.expected is not None else " id")
    return (
        f"{focus}: {short_name(parsed.graph, mention.predicate)}: {name} is not a {kind}: {nowhere}. "
        f"Define it, load the file that does, or check the id ({hint})"
    )


def _kind(graph: Graph, cls: URIRef) -> str:
    """A class in words: "fabio:Work" with the file's prefixes, else its local name and IRI."""
    short = short_name(graph, cls)
    if short.startswith("<") or short.startswith("ns"):
        local = str(cls).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return f"{local} (<{cls}>)"
    return short


def _listing_command(mention: _Mention) -> str:
    # Run by the scholar's shell: single quotes hold the query, and an IRI of the ontology
    # or the id base holds no quote.
    if mention.expected is not None:
        pattern = f"?id a/<{RDFS.subClassOf}>* <{mention.expected}>"
    else:
        kind = ID_BASE + _short_id(mention.iri).split("/", 1)[0] + "/"
        pattern = f'?id a ?class FILTER(STRSTARTS(STR(?id), "{kind}"))'
    return f"urbankg query 'SELECT DISTINCT ?id WHERE {{ {pattern} }} ORDER BY ?id'"


def mentioned_iris(graph: Graph) -> set[URIRef]:
    """IRIs whose types the context must give: those a graph points at (objects other than
    classes), and the ids it speaks about without giving them a type (so that the reference
    check can tell whether anything else describes them)."""
    untyped = {s for s in graph.subjects(unique=True) if _is_id(s) and (s, RDF.type, None) not in graph}
    return _objects(graph) | untyped


def _objects(graph: Graph) -> set[URIRef]:
    return {o for p, o in graph.predicate_objects() if isinstance(o, URIRef) and p != RDF.type}


def _is_id(node: Node) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith(ID_BASE) and len(str(node)) > len(ID_BASE)


def _short_id(iri: URIRef) -> str:
    return str(iri)[len(ID_BASE) :]


def _message(report: Graph, result: Node, parsed: Parsed, focus: Node, path: Node | None) -> str:
    given = report.value(result, SH.resultMessage)
    if given is not None:
        text = str(given)
    else:
        component = report.value(result, SH.sourceConstraintComponent)
        text = f"violates {short_name(parsed.graph, component)}"
        if path is not None:
            text = f"{short_name(parsed.graph, path)}: {text}"
    value = report.value(result, SH.value)
    if value is not None and str(value) not in text:
        text += f" (found: {short_name(parsed.graph, value)})"
    return f"{short_name(parsed.graph, focus)}: {text}"
