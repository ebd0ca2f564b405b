"""The store interface: what urbankg needs of a quad store, nothing more.

Two implementations: :class:`urbankg.oxigraph_store.OxigraphStore` (embedded, the
default) and :class:`urbankg.sparql_store.SparqlStore`, a remote SPARQL 1.1 endpoint.
Results of every implementation are pyoxigraph result objects (:data:`QueryResult`), so
callers serialise them the same way whatever the store.

:class:`Store` is what every store does. :class:`LocalStore` adds what only a store on
this machine can: snapshots for query processes, a write counter, its engine's own query
method, a bulk loader. Callers ask ``isinstance(store, LocalStore)`` (a runtime-checkable
protocol: the check looks for the members, it costs microseconds) instead of probing for
attributes by name, so mypy sees every capability they use. Nothing here costs anything at
run time: these are types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, Protocol, TypeAlias, runtime_checkable

import pyoxigraph as ox
from rdflib import Graph

# What a query returns, whichever the store: rows (SELECT), a boolean (ASK) or triples
# (CONSTRUCT, DESCRIBE).
QueryResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
# Values pre-bound to a query's variables (by name, without ? or $).
Substitutions: TypeAlias = Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]
# The graphs a query may be given as its dataset by pyoxigraph's own query method.
GraphName: TypeAlias = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def solutions(result: QueryResult) -> ox.QuerySolutions:
    """The rows of a SELECT's result: a query written here as a SELECT answers with rows,
    and this says so to the type checker (TypeError if it did not)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT query answered with {type(result).__name__}, not rows")
    return result


def triples(result: QueryResult) -> ox.QueryTriples:
    """The triples of a CONSTRUCT's result, as :func:`solutions` the rows of a SELECT's."""
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"a CONSTRUCT query answered with {type(result).__name__}, not triples")
    return result


@dataclass
class GraphReplacement:
    """One named graph to replace, with a description of where it came from.

    An empty ``graph`` leaves a graph that exists, empty, with its catalogue entry (a Graph
    Store PUT of an empty body), until it is dropped."""

    iri: str
    graph: Graph
    origin: str = ""  # the file it was loaded from, for the catalogue
    # The agent IRI recorded as the graph's creator when the graph is new; a graph that
    # exists keeps the creator it has.
    creator: str | None = None
    # False: blank node labels are kept as they are (a graph read back from the store,
    # whose blank nodes may be shared with other graphs); True: each is a fresh node, as
    # INSERT DATA makes them, so a file's _:b1 never joins an earlier load's.
    fresh_blank_nodes: bool = True


@dataclass(frozen=True)
class WriteRecord:
    """One entry of the history: one graph touched by one write.

    ``action``: "load", "put", "post", "delete", "update", "drop" or "restore"; ``origin``:
    the file, or the request ("HTTP PUT /rdf-graphs?graph=...", "SPARQL update" and its
    first line); ``before``/``after``: the graph's triples before and after the write."""

    graph: str
    agent: str
    time: str  # ISO 8601, UTC
    action: str
    origin: str
    before: int
    after: int


@dataclass(frozen=True)
class CatalogueEntry:
    """What the catalogue says of one named graph."""

    graph: str
    triples: int | None
    source: str | None
    written: str | None  # when it was last written, ISO 8601
    creator: str | None  # the agent IRI that created it; None on stores written before creators were recorded


@dataclass
class StoreStats:
    triples: int
    triples_per_graph: dict[str, int]  # "" is the default graph
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> instances
    properties: dict[str, int] = field(default_factory=dict)  # property IRI -> uses


class Store(Protocol):
    """What every store does: atomic writes of whole graphs with their catalogue entries and
    history, queries, scratch copies for trying an update, statistics and export."""

    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        """Replace each named graph with new content, all or nothing: readers, and a process
        killed half way, see the old graphs or the new ones. A term the store cannot hold
        raises UnstorableTerm before anything is written."""

    def drop_graph(self, iri: str) -> bool:
        """Remove one named graph; False when there was none."""

    def write(
        self, replacements: list[GraphReplacement], drops: Iterable[str] = (), records: Iterable[WriteRecord] = ()
    ) -> None:
        """One commit: replace the graphs, drop the others (with their catalogue entries) and
        add the history records. All or nothing, as :meth:`replace_graphs`. Checks no claim:
        urbankg.write_path does, before it calls this."""

    def catalogue_entry(self, iri: str) -> CatalogueEntry | None:
        """The catalogue's entry for one named graph, or None when it has none."""

    def graph_size(self, iri: str) -> int | None:
        """The triples in one named graph; None when the store holds no such graph (an empty
        graph that exists is 0)."""

    def history(self, graph: str | None = None, limit: int | None = None) -> list[WriteRecord]:
        """The history records, newest first: of one graph, or of all."""

    # An update is tried on a scratch copy (urbankg.write_path). The embedded store copies
    # itself whole (copies_whole_store), cheaply; a remote one copies the graphs asked for.
    copies_whole_store: bool

    def scratch(self, graphs: Iterable[str] | None = None) -> AbstractContextManager[ox.Store]:
        """A writable pyoxigraph copy to try an update on, removed afterwards: of the whole
        store, or (where copies_whole_store is false) of ``graphs``, which is then required."""

    def changed_graphs(self, copy: ox.Store) -> set[str]:
        """The named graphs whose content differs between the store and a whole ``copy``
        ("" for the default graph); a store that does not copy itself whole raises StoreError."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Substitutions | None = None,
    ) -> QueryResult:
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

    def problem(self) -> str | None:
        """Why the store cannot take writes now (or soon may not: a disk almost full), or None:
        for /health. A remote store has none to report (each request reports its own failure)."""


class QueryEngine(Protocol):
    """A pyoxigraph ``Store.query`` and its options: the protocol's dataset (``default_graph``
    may name the store's own default graph), base IRIs, the union default graph. A
    :class:`LocalStore`'s engine, and the read-only snapshot a query process opens."""

    def query(
        self,
        query: str,
        /,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: GraphName | list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = None,
    ) -> QueryResult: ...


@runtime_checkable
class LocalStore(Store, Protocol):
    """A store in this process, on this machine's disk or in memory: what the query
    processes, the bulk loader and the backup need besides :class:`Store`."""

    # The store's directory; None for a store in memory, which no other process can open.
    path: Path | None
    # Opened beside a process that holds the store for writing: every write raises StoreError.
    is_read_only: bool
    # Counts the writes: a reader of a snapshot compares it to tell that what it sees is stale.
    generation: int

    @property
    def engine(self) -> QueryEngine:
        """The engine's own query method, under the store's reading rules."""
        ...

    def snapshot(self, target: Path | str) -> None:
        """A consistent copy of the on-disk store in ``target`` (a new directory), for another
        process to open read-only."""

    def bulk_load(
        self, source: Path | IO[bytes], fmt: ox.RdfFormat, graph_iri: str, origin: str = "", creator: str | None = None
    ) -> int:
        """Load a large file (or binary stream) into one graph without a transaction: its
        triples once loaded. A failed load leaves no graph behind."""

    def __len__(self) -> int:
        """The quads in the store, counted by the engine (cheap)."""
