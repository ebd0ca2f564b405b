"""RDF files in every format rdflib reads, parsed safely.

Safety: nothing is fetched while parsing. JSON-LD documents that name a remote
``@context`` (or ``@import``) are refused rather than resolved, and RDF/XML that
declares external entities is refused (defusedxml checks it before rdflib sees it).
Relative IRIs resolve against the urbankg id base, never against a file path.

rdflib keeps no line numbers for statements, so positions are recovered from the
text: a subject's line is the first line that names it, a statement's line the first
line after that which names the predicate. Good enough to point a scholar at the
right block of a hand-written Turtle file.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from rdflib import BNode, Dataset, Graph, URIRef

from urbankg.config import ID_BASE
from urbankg.errors import Problem, SourceError
from urbankg.loaders.parsed import Parsed, Positions, read_source_text

FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".n3": "n3",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
QUAD_FORMATS = {"nquads", "trig"}


def parse(path: Path, source: str) -> Parsed:
    fmt = FORMAT_BY_SUFFIX[path.suffix.lower()]
    text = read_source_text(path)
    if fmt == "json-ld":
        _refuse_remote_contexts(path, text)
    elif fmt == "xml":
        _refuse_external_entities(path, text)
    graph = _parse_text(path, text, fmt)
    return Parsed(path=path, graph=graph, positions=_positions(text, graph), source=source)


def _parse_text(path: Path, text: str, fmt: str) -> Graph:
    graph = Graph()
    try:
        if fmt in QUAD_FORMATS:
            # A source file becomes one named graph: the quads of every graph in
            # the file are merged into it.
            dataset = Dataset()
            dataset.parse(data=text, format=fmt, publicID=ID_BASE)
            for s, p, o, _g in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(data=text, format=fmt, publicID=ID_BASE)
    except Exception as exc:  # rdflib raises many types; all mean "cannot parse"
        raise SourceError([Problem(str(path), _error_line(exc), _error_message(exc, fmt))]) from exc
    for prefix, namespace in _declared_prefixes(text):
        graph.bind(prefix, namespace, override=False)
    return graph


def _error_line(exc: Exception) -> int | None:
    for attr in ("lines", "lineno"):  # rdflib BadSyntax (0-based), json (1-based)
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value + 1 if attr == "lines" else value
    if hasattr(exc, "getLineNumber"):  # xml.sax.SAXParseException
        return exc.getLineNumber()
    match = re.search(r"line[: ]+(\d+)", str(exc), re.IGNORECASE)
    return int(match.group(1)) if match else None


def _error_message(exc: Exception, fmt: str) -> str:
    detail = getattr(exc, "_why", None) or getattr(exc, "msg", None) or str(exc)
    detail = " ".join(str(detail).split())
    if len(detail) > 300:
        detail = detail[:300] + "..."
    return f"not valid {fmt}: {detail}"


def _refuse_remote_contexts(path: Path, text: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError.single(path, exc.lineno, f"not valid JSON: {exc.msg}") from exc
    problems = []
    for remote in _remote_contexts(document):
        line = _line_of(text, remote)
        problems.append(
            Problem(
                str(path),
                line,
                f"remote JSON-LD context '{remote}' is not fetched (urbankg never fetches while parsing); "
                "put the context inline as a JSON object",
            )
        )
    if problems:
        raise SourceError(problems)


def _remote_contexts(node) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                contexts = value if isinstance(value, list) else [value]
                found.extend(c for c in contexts if isinstance(c, str))
                found.extend(r for c in contexts if isinstance(c, dict) for r in _remote_contexts(c))
            else:
                found.extend(_remote_contexts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_remote_contexts(item))
    return found


def _refuse_external_entities(path: Path, text: str) -> None:
    # Internal entities (common in OWL files: <!ENTITY owl "...">) are fine; external
    # ones would read files or URLs, so they are refused.
    try:
        SafeElementTree.fromstring(text.encode("utf-8"), forbid_dtd=False, forbid_entities=False, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError.single(
            path, _line_of(text, "<!ENTITY"), f"external XML entities are not allowed ({exc}); inline the content"
        ) from exc
    except SafeElementTree.ParseError as exc:
        raise SourceError.single(path, exc.position[0], f"not well-formed XML: {exc}") from exc


def _declared_prefixes(text: str) -> list[tuple[str, str]]:
    return re.findall(r"@?prefix\s+([A-Za-z][\w.-]*|)\s*:\s*<([^>]*)>", text, re.IGNORECASE)


def _line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    lines = text.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None


# Everything in the text that can name a term: <iri>, prefix:local, or a bare IRI (JSON-LD, RDF/XML).
TOKEN = re.compile(r"<[^<>\s\"]*>|https?://[^\s\"'<>]+|[A-Za-z][\w.-]*:[\w.-]*")


class TokenIndex:
    """Lines on which each token occurs, built in one pass so positions cost O(text), not O(text x terms)."""

    def __init__(self, text: str):
        self.lines: dict[str, list[int]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            for token in TOKEN.findall(line):
                occurrences = self.lines.setdefault(token.rstrip(".,;"), [])
                if not occurrences or occurrences[-1] != number:
                    occurrences.append(number)

    def first(self, forms: list[str], at_or_after: int = 1) -> int | None:
        found = []
        for form in forms:
            lines = self.lines.get(form)
            if lines:
                i = bisect.bisect_left(lines, at_or_after)
                if i < len(lines):
                    found.append(lines[i])
        return min(found) if found else None


def _spellings(term, namespaces: list[tuple[str, str]]) -> list[str]:
    """The ways a term can be written in the file: <iri>, prefix:local, or the bare IRI."""
    if not isinstance(term, URIRef):
        return []
    iri = str(term)
    forms = [f"<{iri}>", iri]
    # rdflib's compute_qname rebuilds a trie per new IRI; a longest-prefix scan is far cheaper here.
    for namespace, prefix in namespaces:
        if iri.startswith(namespace):
            forms.append(f"{prefix}:{iri[len(namespace):]}")
            break
    if iri.startswith(ID_BASE):
        forms.append(f"<{iri[len(ID_BASE):]}>")  # relative IRI
    return forms


def _positions(text: str, graph: Graph) -> Positions:
    positions = Positions()
    index = TokenIndex(text)
    namespaces = sorted(((str(ns), p) for p, ns in graph.namespaces()), key=lambda item: -len(item[0]))
    predicate_forms: dict = {}
    for subject in set(graph.subjects()):
        if isinstance(subject, BNode):
            continue
        subject_line = index.first(_spellings(subject, namespaces))
        if subject_line is None:
            continue
        positions.note_subject(subject, subject_line)
        for predicate in set(graph.predicates(subject)):
            if predicate not in predicate_forms:
                predicate_forms[predicate] = _spellings(predicate, namespaces)
            line = index.first(predicate_forms[predicate], subject_line) or subject_line
            positions.note_statement(subject, predicate, line)
    return positions
