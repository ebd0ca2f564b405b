"""RDF files in every format rdflib reads, parsed safely.

Safety: nothing is fetched while parsing, and no document can drive a parser into the
ground.

- JSON-LD: rdflib resolves every context that is not inline (a URL in ``@context`` at
  any depth of lists, a term's scoped context, ``@import``) through one method,
  ``Context._fetch_context``. This module replaces it, for the whole process, with one
  that refuses; so no JSON-LD parse in urbankg can fetch, however the URL is hidden,
  and the refusal reads the same whether the URL exists or not.
- RDF/XML: defusedxml reads the document before rdflib does, refusing external
  entities (internal ones, common in OWL files, are fine); Python's SAX reader, which
  rdflib uses, fetches no DTD. Both read the text as UTF-8, as every file is read; an
  XML declaration naming another encoding is refused unless that encoding reads the
  file's bytes the same way (an ASCII file declared ISO-8859-1).
- Turtle, TriG, N3 and JSON-LD are measured before parsing (loaders/nesting.py), and
  RDF/XML as defusedxml reads it: deeper than MAX_DEPTH levels is refused.
- Turtle ``@base``/``@prefix`` and ``owl:imports`` are names, never fetched.
- N-Triples and N-Quads are read by the engine's own parser (pyoxigraph), whose time
  grows with the text: rdflib's grows with the square of a line's length (a 4 MB literal
  took 57-69 s, holding a server thread). Its terms become the rdflib terms the other formats
  give; the terms it takes without checking (lenient, as rdflib took them) are checked by
  :class:`Parsed`, with the messages of every format.

Relative IRIs resolve against the urbankg id base, never against a file path.

rdflib keeps no line numbers for statements, so positions are recovered from the
text: a subject's line is the first line that names it, a statement's line the first
line after that which names the predicate. Good enough to point a scholar at the
right block of a hand-written Turtle file.
"""

from __future__ import annotations

import bisect
import codecs
import re
from pathlib import Path

import pyoxigraph as ox
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.shared.jsonld.context import Context as JsonLdContext

from urbankg import formats
from urbankg.config import ID_BASE
from urbankg.errors import Problem, SourceError, clipped
from urbankg.loaders import nesting
from urbankg.parsed import Parsed, Positions, engine_refusal, read_source_text, shown

# The RDF formats of urbankg.formats, by suffix. rdflib reads each under its rdflib name, but for:
FORMAT_BY_SUFFIX: dict[str, formats.Format] = {suffix: fmt for fmt in formats.RDF_FORMATS for suffix in fmt.suffixes}
# N-Triples and N-Quads, read by pyoxigraph, in time linear in a line's length (not rdflib's square).
LINE_FORMATS = (formats.NTRIPLES, formats.NQUADS)
NESTING_FORMATS = (formats.TURTLE, formats.TRIG, formats.N3)  # N-Triples and N-Quads cannot nest


class RemoteContextRefused(Exception):
    def __init__(self, reference: str):
        super().__init__(reference)
        self.reference = reference


def _refuse_remote_context(_context, source, _base, _referenced):
    raise RemoteContextRefused(str(source))


if not callable(getattr(JsonLdContext, "_fetch_context", None)):  # an rdflib that resolves contexts elsewhere
    raise ImportError(
        "urbankg cannot stop this rdflib's JSON-LD parser from fetching remote contexts: "
        "rdflib.plugins.shared.jsonld.context.Context._fetch_context is gone; pin rdflib 7"
    )
# Replacing a method of rdflib's on purpose: rdflib has no option to refuse remote contexts.
JsonLdContext._fetch_context = _refuse_remote_context  # type: ignore[method-assign]


def parse(path: Path, source: str) -> Parsed:
    fmt = FORMAT_BY_SUFFIX[path.suffix.lower()]
    text = read_source_text(path)
    if fmt is formats.JSONLD:
        nesting.check_json(path, text)
    elif fmt in NESTING_FORMATS:
        nesting.check_turtle(path, text)
    elif fmt is formats.RDFXML:
        _check_xml(path, text)
    graph = _parse_text(path, text, fmt)
    return Parsed(path=path, graph=graph, positions=_positions(text, graph), source=source)


def _parse_text(path: Path, text: str, fmt: formats.Format) -> Graph:
    graph = Graph()
    try:
        if fmt in LINE_FORMATS:
            names = _parse_lines(path, text, fmt, graph)
            _refuse_graph_names(path, text, names)
        elif fmt.quads:
            # A source file becomes one named graph: the quads of every graph in
            # the file are merged into it.
            dataset = Dataset()
            dataset.parse(data=text, format=fmt.rdflib, publicID=ID_BASE)
            names = set()
            for s, p, o, g in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
                names.add(g)
            _refuse_graph_names(path, text, names)
        else:
            graph.parse(data=text, format=fmt.rdflib, publicID=ID_BASE)
    except RemoteContextRefused as exc:
        raise SourceError.single(
            path,
            _line_of(text, exc.reference),
            f"remote JSON-LD context '{shown(exc.reference)}' is not fetched (urbankg never fetches while parsing); "
            "put the context inline as a JSON object",
        ) from None
    except RecursionError:  # a nesting the scan before parsing does not count
        raise nesting.too_deep(path, None, None) from None
    except SourceError:
        raise
    except Exception as exc:  # rdflib raises many types; all mean "cannot parse"
        raise SourceError([Problem(str(path), _error_line(exc), _error_message(exc, fmt))]) from exc
    for prefix, namespace in _declared_prefixes(text):
        graph.bind(prefix, namespace, override=False)
    return graph


def add_ntriples(graph: Graph, text: str) -> None:
    """Add N-Triples text (the store's own output, say) to ``graph``, in time linear in its length."""
    _parse_lines(Path("n-triples"), text, formats.NTRIPLES, graph)


def _parse_lines(path: Path, text: str, fmt: formats.Format, graph: Graph) -> set:
    """Add the statements of N-Triples or N-Quads text to ``graph``; returns the graph names it held."""
    terms = _Terms()
    names = set()
    add = graph.add
    try:
        # No base IRI: these formats have no relative IRIs, and one is refused as rdflib refused it.
        for quad in ox.parse(text, fmt.rdf, lenient=True):
            add((terms.convert(quad.subject), terms.convert(quad.predicate), terms.convert(quad.object)))
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                names.add(terms.convert(quad.graph_name))
    except SyntaxError as exc:
        raise SourceError.single(path, exc.lineno, f"not valid {fmt.rdflib}: {_oxigraph_reason(exc)}") from None
    except _Unsupported as exc:
        raise SourceError.single(
            path, _first_line(text, exc.written), f"not valid {fmt.rdflib}: {exc.reason}"
        ) from None
    return names


class _Unsupported(Exception):
    """An RDF 1.2 term pyoxigraph reads and rdflib (so the rest of urbankg) cannot hold."""

    def __init__(self, reason: str, written: re.Pattern):
        super().__init__(reason)
        self.reason = reason
        self.written = written  # how the term looks in the text, to find its line


class _Terms:
    """pyoxigraph terms as rdflib terms; each blank node label of a file is a fresh node, as rdflib makes it."""

    def __init__(self):
        self.blank_nodes: dict[str, BNode] = {}

    def convert(self, term):
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            node = self.blank_nodes.get(term.value)
            if node is None:
                node = self.blank_nodes[term.value] = BNode()
            return node
        if isinstance(term, ox.Literal):
            if term.direction is not None:
                raise _Unsupported(
                    f"'@{term.language}--{term.direction}': a base direction (RDF 1.2) is not "
                    f"supported; write the language tag alone, @{term.language}",
                    re.compile(r"@[A-Za-z0-9-]*--[A-Za-z]"),
                )
            if term.language:
                return Literal(term.value, lang=term.language)
            if term.datatype.value == XSD_STRING:
                return Literal(term.value)  # a plain literal, as rdflib reads "v"
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        raise _Unsupported(
            "a triple term <<( ... )>> (RDF 1.2) is not supported; state the triple itself", re.compile(r"<<")
        )


XSD_STRING = str(XSD.string)
OXIGRAPH_POSITION = re.compile(
    r"^Parser error (at line \d+ (between columns \d+ and \d+|column \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


def _oxigraph_reason(exc: SyntaxError) -> str:
    """pyoxigraph's reason without the position it starts with (the line is the problem's own)."""
    reason = clipped(OXIGRAPH_POSITION.sub("", exc.msg or str(exc)), 301)
    return f"{reason} (column {exc.offset})" if exc.offset else reason


def _first_line(text: str, written: re.Pattern) -> int | None:
    match = written.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _refuse_graph_names(path: Path, text: str, names: set) -> None:
    """The file's graph names are merged away, but one the engine would refuse is still a broken file."""
    refused = [(name, refusal) for name in names if (refusal := engine_refusal(name, "graph name"))]
    if refused:
        index = TokenIndex(text)  # one pass over the text, however many names are refused
        raise SourceError(
            sorted(
                (Problem(str(path), index.first([f"<{name}>"]), refusal) for name, refusal in refused),
                key=lambda p: (p.line or 0, p.message),
            )
        )


def _error_line(exc: Exception) -> int | None:
    for attr in ("lines", "lineno"):  # rdflib BadSyntax (0-based), json (1-based)
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value + 1 if attr == "lines" else value
    if hasattr(exc, "getLineNumber"):  # xml.sax.SAXParseException
        return exc.getLineNumber()
    match = re.search(r"line[: ]+(\d+)", str(exc), re.IGNORECASE)
    return int(match.group(1)) if match else None


def _error_message(exc: Exception, fmt: formats.Format) -> str:
    detail = getattr(exc, "_why", None) or getattr(exc, "msg", None) or str(exc)
    return f"not valid {fmt.rdflib}: {clipped(str(detail), 301)}"


class _DepthCounter:
    """An ElementTree target that only measures: the document is read, nothing is built."""

    def __init__(self, path: Path):
        self.path = path
        self.depth = 0
        self.parser: DefusedXMLParser | None = None

    def start(self, _tag, _attributes) -> None:
        self.depth += 1
        if self.depth > nesting.MAX_DEPTH:
            # The parser is set before the first byte is fed; the line is only for the message.
            line = self.parser.parser.CurrentLineNumber if self.parser is not None else None
            raise nesting.too_deep(self.path, line, None)

    def end(self, _tag) -> None:
        self.depth -= 1

    def data(self, _text) -> None:
        pass

    def close(self) -> None:
        pass


# The XML declaration, which only the very start of a document may hold.
XML_ENCODING = re.compile(r"""\A\ufeff?<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")
ASCII = "".join(map(chr, range(128)))


def _check_xml(path: Path, text: str) -> None:
    _check_declared_encoding(path, text)
    # Internal entities (common in OWL files: <!ENTITY owl "...">) are fine; external
    # ones would read files or URLs, so they are refused. The bytes fed are UTF-8 whatever
    # the document declares, as rdflib reads them (expat followed a declared UTF-7 or UTF-32
    # into a ValueError, a bogus name into a LookupError: a 500).
    counter = _DepthCounter(path)
    parser = DefusedXMLParser(
        target=counter, encoding="utf-8", forbid_dtd=False, forbid_entities=False, forbid_external=True
    )
    counter.parser = parser
    try:
        parser.feed(text.encode("utf-8"))
        parser.close()
    except DefusedXmlException as exc:
        raise SourceError.single(
            path, _line_of(text, "<!ENTITY"), f"external XML entities are not allowed ({exc}); inline the content"
        ) from exc
    except ParseError as exc:
        raise SourceError.single(path, exc.position[0], f"not well-formed XML: {exc}") from exc


def _check_declared_encoding(path: Path, text: str) -> None:
    """Refuse a declared encoding that would read the file otherwise than as the UTF-8 it was read as."""
    match = XML_ENCODING.match(text)
    if match is None or _reads_as_utf8(match.group(2), text):
        return
    raise SourceError.single(
        path,
        1,
        f"the XML declares the encoding '{shown(match.group(2))}', which urbankg does "
        'not read; save the file as UTF-8 (and declare encoding="UTF-8", or none)',
    )


def _reads_as_utf8(encoding: str, text: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, ValueError):  # an unknown name (or one holding a NUL)
        return False
    if name == "utf-8":
        return True
    # An encoding that reads ASCII bytes as ASCII reads an ASCII file as UTF-8 does (ISO-8859-1,
    # windows-1252, Shift_JIS); UTF-7, UTF-16, UTF-32 and EBCDIC read even '<?xml' otherwise, and
    # text beyond ASCII would be read differently by every one of them.
    try:
        return text.isascii() and bytes(range(128)).decode(name) == ASCII
    except UnicodeDecodeError:
        return False


def _declared_prefixes(text: str) -> list[tuple[str, str]]:
    # The IRI stops at a space or '<' as well as at '>': a text of many "prefix a: <" without a
    # '>' (valid inside a string literal) would otherwise be scanned to its end from each of them.
    return re.findall(r"@?prefix\s+([A-Za-z][\w.-]*|)\s*:\s*<([^<>\s]*)>", text, re.IGNORECASE)


def _line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    lines = text.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None


# Everything in the text that can name a term: <iri>, prefix:local, or a bare IRI (JSON-LD, RDF/XML).
# A prefixed name starts only where a word starts: tried from inside a long word (a long
# string literal), it rescanned the rest of the word from every letter (80 KB: 16 s).
TOKEN = re.compile(r"<[^<>\s\"]*>|https?://[^\s\"'<>]+|(?<![\w.-])[A-Za-z][\w.-]*:[\w.-]*")


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
            forms.append(f"{prefix}:{iri[len(namespace) :]}")
            break
    if iri.startswith(ID_BASE):
        forms.append(f"<{iri[len(ID_BASE) :]}>")  # relative IRI
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
