"""The store interface: what urbankg needs of a quad store, nothing more.

Two implementations: :class:`urbankg.oxigraph_store.OxigraphStore` (embedded, the
default) and a remote SPARQL 1.1 endpoint. Results of every implementation are
pyoxigraph result objects (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``), so
callers serialise them the same way whatever the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from rdflib import Graph


@dataclass
class GraphReplacement:
    """One named graph to replace, with a description of where it came from."""

    iri: str
    graph: Graph
    origin: str = ""  # the file it was loaded from, for the catalogue


@dataclass
class StoreStats:
    triples: int
    triples_per_graph: dict[str, int]  # "" is the default graph
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> instances
    properties: dict[str, int] = field(default_factory=dict)  # property IRI -> uses


class Store(Protocol):
    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        """Replace each named graph with new content, all or nothing: readers, and a process
        killed half way, see the old graphs or the new ones. A term the store cannot hold
        raises UnstorableTerm before anything is written."""

    def drop_graph(self, iri: str) -> bool:
        """Remove one named graph; False when there was none."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: dict | None = None,
    ):
        """Run a SPARQL query. Without ``default_graph`` the default graph is the union of all graphs."""

    def types_of(self, iris: Iterable[str], exclude_graphs: Iterable[str]) -> dict[str, set[str]]:
        """The rdf:type of each IRI in the named graphs, leaving out ``exclude_graphs`` (the
        context a validation needs); IRIs no store could hold have none."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction."""

    def export(self, output: BinaryIO, fmt: str) -> None:
        """Write every quad as 'trig' or 'nquads'."""

    def stats(self) -> StoreStats:
        """Triples per graph, instances per class, uses per property."""

    def is_empty(self) -> bool:
        """True when the store holds no quad at all."""

    def close(self) -> None:
        """Release the store (flush and unlock an on-disk store)."""
