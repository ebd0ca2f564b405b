"""Problems found in a source file, reported as ``FILE:LINE: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def clipped(text: str, width: int) -> str:
    """``text`` on one line (runs of white space made one space), at most ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {prefix}{self.message}"


class UrbankgError(Exception):
    """Base class for errors a user can act on."""


class SourceError(UrbankgError):
    """A source file (or several) could not be parsed or failed validation.

    Carries every problem found, so the user can fix them all in one pass.
    Raising it means nothing was written.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str | Path, line: int | None, message: str) -> SourceError:
        return cls([Problem(str(file), line, message)])


class StoreError(UrbankgError):
    """The store refused or failed an operation (bad SPARQL, unknown graph, I/O)."""


class StoreLocked(StoreError):
    """Another process holds the embedded store for writing (RocksDB admits one writer)."""


class UnstorableTerm(StoreError):
    """Data holds a term the store cannot hold (an IRI with a space, a malformed language
    tag): the request's fault, and nothing was written."""


class ClaimConflict(StoreError):
    """A write would replace or remove a graph another agent created; nothing was written.

    ``graph`` is the graph's IRI, ``owner`` the name of the agent that created it (None when
    unknown: a store written before creators were recorded). The server answers 409.
    """

    def __init__(
        self,
        graph: str,
        owner: str | None,
        *,
        source: str | None = None,
        written: str | None = None,
        doing: str = "this write would replace it",
        hint: str = "Rename your file, name another graph with --graph NAME, or pass --replace to replace it.",
    ):
        self.graph = graph
        self.owner = owner
        self.source = source
        self.written = written
        details = ", ".join(part for part in (f"source {source}" if source else None, written) if part)
        who = owner if owner is not None else "an unknown agent (before urbankg recorded who wrote what)"
        super().__init__(f"graph <{graph}> was created by {who}{f' ({details})' if details else ''}; {doing}. {hint}")


class DiskFull(UrbankgError):
    """The file system under the store is full; nothing was written.

    Not a StoreError, which callers answer as the request's fault: this one is the
    server's, and passes once space is freed (the store then reopens itself).
    """

    def __init__(self, path: Path | str, free_bytes: int, kept: bool = False):
        self.path = str(path)
        self.free_bytes = free_bytes
        self.kept = kept  # the write was journalled before the disk filled: it lands once space is freed
        outcome = (
            "the write is journalled and completes once space is freed"
            if kept
            else "nothing was written; free some space and try again"
        )
        super().__init__(f"disk full: {path} (free {free_bytes // 2**20} MB); {outcome}")
