"""The one write path: every write of urbankg goes through :class:`WritePath`.

``urbankg load``, the Graph Store's PUT, POST and DELETE, SPARQL Update, the
validate-and-load page: each is one method here, and each

1. takes the store's write lock, so writers of one process never interleave from the
   moment they read (a POST reads the graph it merges into) to their commit;
2. checks the claims: a graph records the agent that created it, and replacing or
   removing a graph another agent created raises :class:`ClaimConflict` unless the
   caller passes ``replace=True`` (a merge, and triple-level edits, are allowed);
3. validates the resulting state of every graph it touches with the SHACL gate of
   ``urbankg load`` (:meth:`KnowledgeGraph._check`, :class:`Validator`);
4. commits the graphs' content, their catalogue entries and one history record per
   touched graph (:class:`WriteRecord`) in one store commit.

A :class:`SourceError` or :class:`ClaimConflict` means nothing was written.

(Skeleton: the bodies follow in the next commits.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from urbankg.errors import Problem
from urbankg.store import WriteRecord

if TYPE_CHECKING:
    from urbankg.graph import KnowledgeGraph, LoadReport
    from urbankg.loaders import Parsed

__all__ = ["WritePath", "WriteRecord", "UpdateReport"]

Progress = Callable[[Iterable], Iterable]


@dataclass
class UpdateReport:
    """What a SPARQL update did: one record per graph it touched (none if it changed nothing)."""

    records: list[WriteRecord]
    warnings: list[Problem] = field(default_factory=list)


class WritePath:
    def __init__(self, kg: "KnowledgeGraph"):
        self.kg = kg

    def load(self, paths: Iterable[Path | str], agent: str, *, replace: bool = False, graph: str | None = None,
             progress: Progress | None = None) -> "LoadReport":
        """Parse and validate files, then replace each file's graph (``graph``: the one file's
        graph, by name or IRI), all in one commit. Raises SourceError or ClaimConflict."""
        raise NotImplementedError

    def put(self, parsed: "Parsed", graph_iri: str, agent: str, *, origin: str,
            replace: bool = False) -> "LoadReport":
        """Replace ``graph_iri`` with an already-parsed source (an empty one leaves an empty graph)."""
        raise NotImplementedError

    def post(self, parsed: "Parsed", graph_iri: str, agent: str, *, origin: str) -> "LoadReport":
        """Merge an already-parsed source into ``graph_iri`` (created if missing)."""
        raise NotImplementedError

    def drop(self, graph_iri: str, agent: str, *, origin: str, replace: bool = False,
             action: str = "drop") -> bool:
        """Remove a graph and its catalogue entry; False when there was none."""
        raise NotImplementedError

    def update(self, sparql: str, agent: str, *, origin: str = "SPARQL update",
               replace: bool = False) -> UpdateReport:
        """Run a SPARQL update on a scratch copy, validate the graphs it touched, commit them."""
        raise NotImplementedError

    def owner(self, graph_iri: str) -> str | None:
        """The name of the agent that created the graph (None: no graph, or not recorded)."""
        raise NotImplementedError

    def history(self, graph: str | None = None, limit: int | None = None) -> list[WriteRecord]:
        """The history records, newest first: of one graph (name or IRI), or of all."""
        raise NotImplementedError
