"""What every loader returns: an rdflib graph plus where each statement came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from urbankg.errors import SourceError


def read_source_text(path: Path) -> str:
    """A source file's text, or a SourceError saying it is not UTF-8 (and where it stops being)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError.single(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                             "save it as UTF-8") from exc


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
