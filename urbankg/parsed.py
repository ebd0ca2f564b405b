"""What every loader returns: an rdflib graph plus where each statement came from.

A core type: the loaders make it, the validation gate and the write path take it, so it
lives below all of them (the loaders depend on the core, never the reverse).

A :class:`Parsed` holds only terms the store's engine accepts. rdflib takes IRIs that
Oxigraph refuses (``urn:a b``, ``http://[x``, an IRI with ``>`` written as ``\\u003E``)
and language tags BCP 47 does not allow; such a term would fail the load, or worse,
end a statement early wherever it is written out as text. So every IRI (subject,
predicate, object, datatype), blank node, language tag and literal text is put to
pyoxigraph, the engine itself, when a Parsed is made, and a file holding one is refused
at the line of its statement. Costs one engine term per distinct term of the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from urbankg.errors import Problem, SourceError

# Characters RFC 3987 keeps out of every IRI, besides spaces and control characters.
NOT_IN_ANY_IRI = '<>"{}|^`\\'
IRI_HINT = (
    "write a full IRI, e.g. https://example.org/a-b, with spaces and the characters "
    f"{NOT_IN_ANY_IRI} percent-encoded (a space is %20)"
)
DATATYPE_HINT = "a datatype is an IRI such as http://www.w3.org/2001/XMLSchema#decimal (xsd:decimal in Turtle)"
SHOWN_CHARS = 80


def read_source_text(path: Path) -> str:
    """A source file's text, or a SourceError saying it is not UTF-8 (and where it stops being)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError.single(
            path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from exc


@dataclass
class Positions:
    """Line numbers of subjects and of (subject, predicate) pairs in the source text.

    Loaders fill this as they parse so that a SHACL result (focus node, path) can be
    reported at the line of the offending key rather than at the top of the file.
    """

    subjects: dict[Node, int] = field(default_factory=dict)
    statements: dict[tuple[Node, Node], int] = field(default_factory=dict)

    def note_subject(self, subject: Node, line: int) -> None:
        self.subjects.setdefault(subject, line)

    def note_statement(self, subject: Node, predicate: Node, line: int) -> None:
        self.statements.setdefault((subject, predicate), line)
        self.note_subject(subject, line)

    def line_of(self, subject: Node | None, predicate: Node | None = None) -> int | None:
        if subject is None:
            return None
        if predicate is not None and (subject, predicate) in self.statements:
            return self.statements[(subject, predicate)]
        return self.subjects.get(subject)


@dataclass
class Parsed:
    """A source file turned into RDF, ready for validation and loading."""

    path: Path
    graph: Graph
    positions: Positions
    # The name of the source: becomes the named graph <base>graph/<source>.
    source: str

    def __post_init__(self):
        problems = refused_terms(self)
        if problems:
            raise SourceError(problems)

    def line_of(self, node: Node, predicate: Node | None = None) -> int | None:
        """The line of a statement about ``node`` (of ``node`` itself without a predicate)."""
        line = self.positions.line_of(node, predicate if isinstance(predicate, URIRef) else None)
        if line is None and isinstance(node, BNode):
            # A nested node without a position of its own: the statement that holds it has one.
            for parent, via in self.graph.subject_predicates(node):
                line = self.positions.line_of(parent, via)
                if line is not None:
                    break
        return line


def engine_refusal(term: Node, role: str) -> str | None:
    """Why the engine would refuse ``term`` (the ``role`` it plays, e.g. "subject"), or None."""
    if isinstance(term, URIRef):
        return _iri_refusal(str(term), role)
    if isinstance(term, BNode):
        try:
            ox.BlankNode(str(term))
        except ValueError:
            return (
                f"the blank node id '{shown(str(term))}' is not one the store accepts: "
                "use letters, digits, '_', '-' and '.' after _:, e.g. _:b1"
            )
        return None
    if isinstance(term, Literal):
        if term.datatype is not None:
            refusal = _iri_refusal(str(term.datatype), "datatype")
            if refusal:
                return refusal
        if term.language is not None:
            try:
                ox.Literal("", language=term.language)
            except ValueError as exc:
                return (
                    f"the language tag '{shown(term.language)}' is not a BCP 47 tag: {_sentence(exc)}; "
                    "write one such as en, zh-Hans or pt-BR"
                )
        return text_refusal(str(term))
    return None


def text_refusal(text: str, escape: str = "\\U0001F600 in Turtle") -> str | None:
    """Why the engine would refuse ``text`` as the text of a literal (half a surrogate pair), or None.

    ``escape`` is how the file's format writes a character by its code point, for the hint.
    """
    try:
        ox.Literal(text)
    except ValueError:  # UnicodeEncodeError: the text cannot be written as UTF-8
        bad = next((c for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)
        what = (
            f"U+{ord(bad):04X}, half of a surrogate pair without its other half"
            if bad
            else "a character that is not Unicode text"
        )
        return f"the text '{shown(text)}' holds {what}; write the character itself (e.g. 😀, or {escape})"
    return None


def refused_terms(parsed: Parsed) -> list[Problem]:
    """One problem per term of the graph that the engine would refuse, at its statement's line."""
    problems: list[Problem] = []
    accepted: set[Node] = set()  # most terms recur: each is put to the engine once
    reported: set[tuple[Node, str]] = set()
    for subject, predicate, obj in parsed.graph:
        for term, role in ((subject, "subject"), (predicate, "predicate"), (obj, "object")):
            if term in accepted or (term, role) in reported:
                continue
            refusal = engine_refusal(term, role)
            if refusal is None:
                accepted.add(term)
                continue
            reported.add((term, role))
            line = parsed.line_of(subject, predicate if role != "subject" else None)
            problems.append(Problem(str(parsed.path), line, refusal))
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def iri_fault(value: str) -> str | None:
    """What is wrong with ``value`` as an IRI, as the engine judges it ("contains a space, ..."), or None."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:  # UnicodeEncodeError (a lone surrogate) is one too
        bad = next((c for c in value if c in NOT_IN_ANY_IRI or _never_in_iri(c)), None)
        if bad:
            return f"contains {_char(bad)}, which no IRI may hold"
        return f"is not an IRI the store accepts: {_sentence(exc)}"
    return None


def _iri_refusal(value: str, role: str) -> str | None:
    fault = iri_fault(value)
    if fault is None:
        return None
    hint = DATATYPE_HINT if role == "datatype" else IRI_HINT
    return f"the {role} IRI '{shown(value)}' {fault}; {hint}"


def _sentence(exc: Exception) -> str:
    """The engine's reason, to follow a colon in our message."""
    reason = str(exc)
    return reason[:1].lower() + reason[1:]


def _never_in_iri(char: str) -> bool:
    code = ord(char)
    return code <= 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def _char(char: str) -> str:
    if char == " ":
        return "a space"
    if char.isprintable():
        return f"'{char}'"
    return f"the character U+{ord(char):04X}"


def shown(value: str) -> str:
    """The value as a scholar can read it in one line: invisible characters escaped, long ones clipped."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in value[: SHOWN_CHARS + 1])
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
