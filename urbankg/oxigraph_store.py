"""The embedded store: Oxigraph (pyoxigraph), on disk or in memory.

Why Oxigraph: a real SPARQL 1.1 engine with transactions in a pip-installable wheel,
fast enough for a field's literature on one machine, and its results serialise to
every SPARQL result format natively.

No query text is ever made from data: loads, drops and the catalogue pass pyoxigraph
terms (quads) to the store's API. A term the engine would reject (an IRI with a space,
a bad language tag) is refused as :class:`UnstorableTerm` before anything is written.

Atomicity. pyoxigraph applies each call in one transaction (``extend``, ``remove_graph``)
but has none spanning calls, and the one call that both removes and adds, ``update``,
takes only text. So a replacement of several graphs (or a drop) is written with a redo
journal:

1. the new quads (each graph's content and catalogue entry) and the names of the graphs
   to empty are written by pyoxigraph's N-Quads serialiser to a file beside the store, and
   renamed into place once complete: the commit point;
2. each named graph is removed with its catalogue entry, and the new quads are added in
   one ``extend``; then the journal is deleted.

A process killed before the rename leaves nothing of the load; killed after it, opening
the store does step 2 again from the journal (every part of it can be done twice). While
step 2 empties and refills a graph the store holds half a load, which no reader may see:
the writer holds :attr:`_visibility` exclusively, and every read that takes a view of the
store (a query's start, a snapshot for the query processes, graphs, stats, export) holds
it shared, so readers see the store before the load or after it and wait meanwhile. A
load of graphs the store does not hold yet is one ``extend``: nobody waits for it. The
query processes read their last snapshot; only a query that needs a new one waits.

Measured on the corpus (10 graphs, 10,011 triples) and on one graph of 100,000 triples,
on a shared 2-core machine, median of 3 (first load / replacing it): the old single SPARQL
update took 0.29/0.44 s and 7.7/15.6 s; this journal 0.21/0.35 s and 5.1/10.4 s; staging
graphs in the store, copied in by one constant update, 0.55/0.92 s and 13.9/24.8 s,
which is why they were not kept. The price: an in-process reader waits for a
replacement, up to 8 s for the 100,000 triples (none waited for the single update).

Recovery when the store is opened: the journal as above; the ``bulk-*.sst`` files of a
bulk load that was killed (Oxigraph writes them into the store directory and deletes them
once RocksDB has taken them in, so no manifest ever names them); and the graph of a
killed bulk load, which is dropped, as for a bulk load that fails.

A full disk. RocksDB refuses every write after a failed one until it is reopened, even
once space is freed. A write or snapshot that fails with ENOSPC raises :class:`DiskFull`
and marks the store; reads go on from what is there. The next write, snapshot or read
(or :meth:`problem`, which /health calls) reopens the store once the disk has room again.

One process may open the directory for writing (RocksDB holds a lock); within it a lock
keeps a single writer. Other processes may open it read-only (:meth:`OxigraphStore.read_only`,
the CLI beside ``urbankg serve``): they see what was committed when they open it. The writer
holds an exclusive flock on ``urbankg-write.lock`` from writing a journal to its last change,
and a read-only open takes it shared, so it never opens half a write (a journal it finds is
a write that was cut short: it refuses until a writer finishes it). A read-only open replays
the write-ahead log since the last flush, so the writer flushes every 20,000 journalled quads.

The catalogue (the default graph) describes each named graph: ``void:triples``,
``dcterms:source``, ``prov:generatedAtTime`` and ``dcterms:creator`` (the agent that created
it, kept across replacements); and it keeps the history of writes, one ``prov:Activity`` per
graph touched by a write (see :func:`history_quads`), which outlives the graph. An empty
graph that was written (an empty PUT) exists, empty, with its entry, until it is dropped.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import shutil
import tempfile
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from urbankg import config, formats
from urbankg.errors import DiskFull, StoreError, StoreLocked, UnstorableTerm
from urbankg.store import (
    CatalogueEntry,
    GraphReplacement,
    QueryResult,
    StoreStats,
    Substitutions,
    WriteRecord,
    solutions,
)

CATALOGUE_PREFIXES = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# What export writes: every quad, so formats of quads (urbankg.formats), by their keys.
EXPORT_FORMATS = {f.key: f.rdf for f in (formats.TRIG, formats.NQUADS) if f.rdf}

# In the journal file, the graphs to empty are listed as quads in this graph. It is never a
# graph of the store, and no load may name it.
JOURNAL = ox.NamedNode("urn:urbankg:journal")
EMPTIES = ox.NamedNode("urn:urbankg:journal#empties")
# A graph that must exist after the write even when no quad lands in it (an empty PUT).
KEEPS = ox.NamedNode("urn:urbankg:journal#keeps")
JOURNAL_FILE = "urbankg-journal.nq"
# Held exclusively (flock) while a write is journalled and applied, shared by a process that
# opens the store read-only, so that one never opens half a write.
WRITE_LOCK_FILE = "urbankg-write.lock"

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID_DATASET, VOID_TRIPLES = ox.NamedNode(VOID + "Dataset"), ox.NamedNode(VOID + "triples")
DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
GENERATED_AT = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")
DCTERMS_CREATOR = ox.NamedNode("http://purl.org/dc/terms/creator")

# The history: one prov:Activity per graph touched by a write, in the catalogue.
PROV = "http://www.w3.org/ns/prov#"
PROV_ACTIVITY = ox.NamedNode(PROV + "Activity")
PROV_AGENT = ox.NamedNode(PROV + "wasAssociatedWith")
PROV_STARTED = ox.NamedNode(PROV + "startedAtTime")
UKG_GRAPH = ox.NamedNode(config.ONTOLOGY_NS + "graph")
UKG_ACTION = ox.NamedNode(config.ONTOLOGY_NS + "action")
UKG_BEFORE = ox.NamedNode(config.ONTOLOGY_NS + "triplesBefore")
UKG_AFTER = ox.NamedNode(config.ONTOLOGY_NS + "triplesAfter")

# Quads journalled since the last flush after which the writer flushes RocksDB's memtables:
# a read-only open (another process, beside the server) replays the write-ahead log since
# the last flush, and took 7 s after 10 replacements of 8,000 triples, 36 s after 50
# (measured); flushing every 20,000 quads costs 0.1-0.3 s a time and keeps opens under 0.5 s.
FLUSH_EVERY = 20_000

# Free space under which /health warns: one load's write-ahead log can take that much.
LOW_DISK = 4 * 2**20

# Names the graph a bulk load is writing, while it runs: a load killed half way leaves it behind.
BULK_MARK = "urbankg-bulk-load-in-progress"


class OxigraphStore:
    """The embedded store (see the module docstring): a :class:`urbankg.store.LocalStore`."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        """Open the store at ``path`` (created if missing); ``None`` keeps it in memory.

        ``read_only``: see :meth:`read_only`."""
        self.path = Path(path) if path is not None else None
        self.is_read_only = read_only
        self._write_lock = threading.Lock()
        self._visibility = _SharedLock()
        self._fault: str | None = None  # why writes fail until the store is reopened
        self._pending = False  # half a write may be in the live store (it failed half way)
        # Counts writes, so readers elsewhere (the server's query processes, which see a
        # snapshot) can tell that what they see is stale. Failed writes change nothing
        # and are not counted: a full disk then leaves the last snapshot in use.
        self.generation = 0
        self._lock_file: int | None = None  # the descriptor of WRITE_LOCK_FILE, once opened
        self._unflushed = 0  # quads journalled since the last flush (see FLUSH_EVERY)
        # None once closed, or while a store stopped by a full disk is reopened; reads and
        # writes reach it through _db.
        self._store: ox.Store | None = self._open_read_only() if read_only else self._open()
        if self.path is not None and not read_only:
            _remove_scratch_copies(self.path)  # of a process killed while it tried an update

    @classmethod
    def read_only(cls, path: Path | str) -> OxigraphStore:
        """The store at ``path`` opened for reading beside the process that holds it for
        writing (``urbankg serve``): it sees every write committed when it is opened, and
        no later one. Opening waits while a write is being applied (a shared flock on
        ``urbankg-write.lock`` against the writer's exclusive one), so it never opens half
        a write. Every write through it raises StoreError."""
        return cls(path, read_only=True)

    def _open(self) -> ox.Store:
        if self.path is None:
            return ox.Store()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(self.path))
        except OSError as exc:
            if _disk_full(exc):
                raise self._disk_full(exc) from exc
            if "While lock file" in str(exc):
                raise StoreLocked(
                    f"cannot open the store at {self.path}: another urbankg process is using it "
                    f"({exc}). Stop it or pass another --store directory."
                ) from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        failure = None
        try:
            _recover(store, self.path)
        except OSError as exc:
            failure = self._failure(exc, "tidy up the store after an interrupted write")
        except SyntaxError as exc:  # the journal is written whole before it is named: never seen
            failure = StoreError(
                f"cannot read the journal {self.path / JOURNAL_FILE} of a write that was cut "
                f"short ({exc}); move it out of the store directory to open the store without "
                "that write"
            )
        if failure is not None:
            del store  # closes it: the next attempt must be able to open the directory
            raise failure
        return store

    def _open_read_only(self) -> ox.Store:
        if self.path is None:
            raise StoreError("an in-memory store cannot be opened read-only")
        if not (self.path / "CURRENT").exists():
            raise StoreError(
                f"there is no store at {self.path} to read: load data first (urbankg load), "
                "or pass the --store directory that holds one"
            )
        last: Exception | None = None
        for attempt in range(3):
            with self._file_lock(fcntl.LOCK_SH):
                if (self.path / JOURNAL_FILE).exists():
                    # The writer holds the lock from its journal to its last change, so a
                    # journal seen here is a write that was cut short: half of it may be in.
                    raise StoreError(
                        f"a write to the store at {self.path} was cut short and is finished when the "
                        "store is next opened for writing (the server does so after a full disk "
                        "once space is freed; or stop the server and run any urbankg command); "
                        "until then it cannot be read from another process"
                    )
                try:
                    return ox.Store.read_only(str(self.path))
                except (OSError, RuntimeError) as exc:
                    # RocksDB may delete a table file (compaction) between reading the manifest
                    # and opening the file: opening again finds the new manifest.
                    last = exc
            time.sleep(0.05 * (attempt + 1))
        raise StoreError(f"cannot open the store at {self.path} for reading: {last}")

    @contextmanager
    def _file_lock(self, kind: int) -> Iterator[None]:
        """flock ``kind`` on WRITE_LOCK_FILE, for the time of the block (nothing in memory)."""
        if self.path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = os.open(self.path / WRITE_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lock_file, kind)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @property
    def _db(self) -> ox.Store:
        """The open engine. Callers hold _reading or _write_lock, under which it is open; a
        caller that does not gets the reason it is not."""
        if self._store is None:
            raise self._unavailable()
        return self._store

    # -- writing -----------------------------------------------------------------

    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        self.write(replacements)

    def write(
        self, replacements: list[GraphReplacement], drops: Iterable[str] = (), records: Iterable[WriteRecord] = ()
    ) -> None:
        """Replace graphs, drop graphs and add history records in one commit (the journal).

        A replaced graph that exists keeps the creator its catalogue entry names; a new one
        gets its replacement's ``creator``. An empty replacement leaves an empty graph."""
        records = list(records)
        drops = list(drops)
        if not replacements and not drops and not records:
            return
        now = ox.Literal(datetime.now(UTC).isoformat(), datatype=XSD_DATETIME)
        targets = [_graph_name(r.iri) for r in replacements]
        dropped = [_graph_name(iri) for iri in drops]
        named = targets + dropped
        if len(set(named)) < len(named):
            raise StoreError(
                "a write names the same graph twice: "
                + ", ".join(sorted({t.value for t in named if named.count(t) > 1}))
            )
        # Every term is converted before anything is written: a bad one refuses the whole write.
        quads = [ox.Quad(JOURNAL, EMPTIES, target, JOURNAL) for target in named]
        quads += [ox.Quad(JOURNAL, KEEPS, target, JOURNAL) for target in targets]
        for replacement, target in zip(replacements, targets, strict=True):
            quads.extend(_quads(replacement.graph, target, replacement.origin, replacement.fresh_blank_nodes))
            quads += [
                ox.Quad(target, RDF_TYPE, VOID_DATASET),
                ox.Quad(target, VOID_TRIPLES, ox.Literal(str(len(replacement.graph)), datatype=XSD_INTEGER)),
                ox.Quad(target, DCTERMS_SOURCE, ox.Literal(replacement.origin)),
                ox.Quad(target, GENERATED_AT, now),
            ]
        for record in records:
            quads.extend(history_quads(record))
        with self._write_lock:
            # No name of its own for the engine here: a frame kept by an error would hold it
            # open, and a store stopped by a full disk reopens only once nothing does.
            self._live_for_writing()
            for replacement, target in zip(replacements, targets, strict=True):
                # Read under the lock: the creator is kept across replacements.
                creator = next(iter(self._db.quads_for_pattern(target, DCTERMS_CREATOR, None, ox.DefaultGraph())), None)
                if creator is not None:
                    quads.append(creator)
                elif replacement.creator:
                    quads.append(ox.Quad(target, DCTERMS_CREATOR, _graph_name(replacement.creator)))
            self._commit(quads, "write the load")

    def drop_graph(self, iri: str) -> bool:
        target = _graph_name(iri)
        with self._write_lock:
            self._live_for_writing()
            # A catalogue entry without its graph (left by an old version) is dropped too.
            if not self._db.contains_named_graph(target) and not _has_entry(self._db, target):
                return False
            self._commit([ox.Quad(JOURNAL, EMPTIES, target, JOURNAL)], "drop the graph")
        return True

    def _commit(self, quads: list[ox.Quad], what: str) -> None:
        """Journal ``quads`` (see the module docstring), then apply them. Holds _write_lock."""
        self._live_for_writing()
        journal = self.path / JOURNAL_FILE if self.path is not None else None
        # Readers in other processes open the store only between writes (read_only): from
        # the journal (the commit point) to its last change, the store holds half a write.
        with self._file_lock(fcntl.LOCK_EX):
            if journal is not None:
                try:
                    _write_journal(journal, quads)
                except OSError as exc:
                    raise self._failure(exc, what) from exc
            failure = None
            # Graphs the store does not hold yet land in one extend, which readers see whole or
            # not at all; only emptying a graph first makes a state they must not see.
            with self._visibility.exclusive() if _empties_something(self._db, quads) else nullcontext():
                try:
                    _apply(self._db, quads)
                    if journal is not None:
                        journal.unlink()
                except OSError as exc:
                    # Half of it may be in the store: no read until reopening the store redoes
                    # the write from its journal.
                    self._pending = True
                    self._fault = f"the store could not {what}: {exc}"
                    failure = self._failure(exc, what, kept=journal is not None)
                finally:
                    self.generation += 1
        if failure is not None:
            # Raised here, not in the handler: the OSError's frames hold the engine, and a
            # store stopped by a full disk reopens only once nothing holds the old engine.
            raise failure
        self._unflushed += len(quads)
        if self.path is not None and self._unflushed >= FLUSH_EVERY:
            self._unflushed = 0
            # A failed flush loses nothing: the write is in the write-ahead log, and only
            # read-only opens are slower.
            with contextlib.suppress(OSError):
                self._db.flush()

    def update(self, sparql: str) -> None:
        with self._write_lock:
            self._live_for_writing()
            try:
                self._db.update(sparql)
            except SyntaxError as exc:
                raise StoreError(f"SPARQL update syntax error: {exc}") from exc
            except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist
                raise StoreError(f"the update cannot be applied, nothing was changed: {exc}") from exc
            except OSError as exc:
                raise self._failure(exc, "apply the update") from exc
            self.generation += 1

    def bulk_load(
        self, source: Path | IO[bytes], fmt: ox.RdfFormat, graph_iri: str, origin: str = "", creator: str | None = None
    ) -> int:
        """Fast, non-transactional load of a large file (or a binary stream) into one graph;
        the graph's triples once loaded.

        Then compacted: the bulk loader leaves many overlapping files, which every later read
        has to look through (at 100k papers, queries ran 1.4-13x slower on an uncompacted
        store than on a compacted one: BENCHMARKS.md). A process killed while it runs leaves
        a mark naming the graph: opening the store drops that graph and the loader's files.
        The graph gets its catalogue entry (``origin``, ``creator``) once loaded."""
        target = _graph_name(graph_iri)
        with self._write_lock:
            self._live_for_writing()
            mark = self.path / BULK_MARK if self.path is not None else None
            try:
                if mark is not None:
                    _write_durably(mark, target.value)
                data = {"path": str(source)} if isinstance(source, (str, Path)) else {"input": source}
                self._db.bulk_load(format=fmt, to_graph=target, **data)
                self._db.optimize()
            except OSError as exc:
                if _disk_full(exc):  # the mark stays: reopening the store drops the half graph
                    raise self._failure(exc, "bulk load") from exc
                _forget_bulk_load(self._db, target, mark)
                raise
            except Exception:
                _forget_bulk_load(self._db, target, mark)
                raise
            finally:
                self.generation += 1
            if mark is not None:
                mark.unlink()
            size = sum(1 for _ in self._db.quads_for_pattern(None, None, None, target))
            now = ox.Literal(datetime.now(UTC).isoformat(), datatype=XSD_DATETIME)
            entry = [
                ox.Quad(target, RDF_TYPE, VOID_DATASET),
                ox.Quad(target, VOID_TRIPLES, ox.Literal(str(size), datatype=XSD_INTEGER)),
                ox.Quad(target, DCTERMS_SOURCE, ox.Literal(origin)),
                ox.Quad(target, GENERATED_AT, now),
            ]
            if creator:
                entry.append(ox.Quad(target, DCTERMS_CREATOR, _graph_name(creator)))
            self._db.extend(entry)
            return size

    def snapshot(self, target: Path | str) -> None:
        """Write a consistent copy of the on-disk store to ``target`` (a new directory).

        RocksDB makes it a checkpoint of hard links, so it costs milliseconds, not a copy
        of the data. Other processes may open it with ``pyoxigraph.Store.read_only``:
        unlike the live directory, nobody writes to it.
        """
        if self.path is None:
            raise StoreError("an in-memory store has no snapshot on disk")
        if self.is_read_only:
            # A checkpoint taken through a read-only open holds none of the write-ahead log:
            # it would silently miss the latest writes.
            raise StoreError(
                f"the store at {self.path} is open read-only here: a snapshot of it would miss "
                "its latest writes; take it in the process that holds the store (the server)"
            )
        if self._fault is not None:
            with self._write_lock:
                self._live_for_writing()
        with self._reading():
            try:
                self._db.backup(str(target))
            except OSError as exc:
                shutil.rmtree(target, ignore_errors=True)  # a half-written checkpoint
                raise self._failure(exc, "take a snapshot for the query processes") from exc

    # -- health and recovery -------------------------------------------------------

    def problem(self) -> str | None:
        """Why the store cannot take writes or snapshots now (or soon may not), or None. Tries
        to reopen a store stopped by a full disk first, unless a write holds the store."""
        if self._fault is not None and self._write_lock.acquire(blocking=False):
            try:
                self._live_for_writing()
            except (DiskFull, StoreError):
                pass
            finally:
                self._write_lock.release()
        if self._fault is None and self.path is not None:
            free = _free_bytes(self.path)
            if free < LOW_DISK:
                return f"disk almost full: {self.path} (free {free / 2**20:.1f} MB): writes and snapshots may fail"
        return self._fault

    def _live_for_writing(self) -> ox.Store:
        """The store, reopened first if a full disk stopped it. Holds _write_lock."""
        if self.is_read_only:
            raise StoreError(
                f"the store at {self.path} is open read-only here: a running urbankg server holds it "
                "for writing. Send the write to the server (with a write token), or stop the server "
                "and try again"
            )
        if self._fault is not None and self.path is not None:
            free = _free_bytes(self.path)
            if free < _room_to_reopen(self.path):
                raise DiskFull(self.path, free)
            with self._visibility.exclusive():
                self._reopen()
        return self._db

    @contextmanager
    def _reading(self, wait: bool = True) -> Iterator[None]:
        """The store for a read, with no write half done in it: a write stopped half way (by a
        full disk) is finished from its journal when the store reopens, and no read sees it before."""
        if self._fault is not None:
            self.problem()  # reopens the store if the disk has room again
        with self._visibility.shared(wait):
            if self._store is None or self._pending:
                raise self._unavailable()
            # Readers use self._db, never a name of their own for it: a frame kept by an
            # error would hold the engine, and reopening needs every reference gone.
            yield

    def _unavailable(self) -> Exception:
        """Why no read can be answered: the store was closed, or a failed write awaits reopening."""
        if self._fault is None:
            return StoreError("the store is closed")
        if self._fault.startswith("disk full"):
            return DiskFull(self._where, _free_bytes(self.path))
        return StoreError(f"{self._fault}; the store is reopened at the next write")

    def _reopen(self) -> None:
        """Close and open the store again, which clears RocksDB's error state. Holds both locks."""
        self._store = None
        gc.collect()  # result iterators in reference cycles keep the old store open
        try:
            self._store = self._open()
        except DiskFull:
            raise
        except StoreError as exc:
            raise StoreError(
                f"{exc}: the store is being reopened after a failed write, and a reader of this "
                "process still holds it; try again shortly"
            ) from exc
        self._fault = None
        self._pending = False
        self.generation += 1

    def _failure(self, exc: OSError, what: str, kept: bool = False) -> Exception:
        """The error to raise for an I/O failure; a full disk also marks the store."""
        if _disk_full(exc):
            return self._disk_full(exc, kept)
        return StoreError(f"the store could not {what}: {exc}")

    def _disk_full(self, exc: OSError, kept: bool = False) -> DiskFull:
        self._fault = f"disk full: {self._where}: no writes or snapshots until space is freed ({exc})"
        return DiskFull(self._where, _free_bytes(self.path), kept)

    @property
    def _where(self) -> str:
        return str(self.path) if self.path is not None else "the store in memory"

    # -- reading -----------------------------------------------------------------

    @property
    def engine(self) -> _ReadingEngine:
        """The store's own query method, for callers that need its options (the server:
        FROM must win over the union default graph, base IRIs); it reads like :meth:`query`."""
        return _ReadingEngine(self)

    @overload
    def graphs(self, wait: typing.Literal[True] = True) -> list[str]: ...

    @overload
    def graphs(self, wait: bool) -> list[str] | None: ...

    def graphs(self, wait: bool = True) -> list[str] | None:
        """The named graphs; None at once, without ``wait``, while a write hides the store."""
        try:
            with self._reading(wait):
                names = list(self._db.named_graphs())
        except _Busy:
            return None
        return sorted(g.value for g in names if isinstance(g, ox.NamedNode))

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Substitutions | None = None,
    ) -> QueryResult:
        options: dict[str, object] = {}
        try:
            if default_graph:
                options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
            else:
                options["use_default_graph_as_union"] = True
            if named_graphs:
                options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as exc:
            raise StoreError(f"not a graph IRI: {exc}") from exc
        if substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self._query(sparql, **options)

    def _query(self, sparql: str, **options: Any) -> QueryResult:
        # A query reads the view of the store it starts with, so holding the lock for the
        # call (not for reading its results) keeps half a load out of it.
        with self._reading():
            try:
                return self._db.query(sparql, **options)
            except SyntaxError as exc:
                raise StoreError(f"SPARQL syntax error: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"the query failed: {exc}") from exc

    def types_of(self, iris: Iterable[str], exclude_graphs: Iterable[str]) -> dict[str, set[str]]:
        """The rdf:type of each IRI in the named graphs, leaving out ``exclude_graphs``."""
        excluded = set(exclude_graphs)
        found: dict[str, set[str]] = {}
        with self._reading():
            for iri in iris:
                try:
                    subject = ox.NamedNode(iri)
                except ValueError:
                    continue  # the store cannot hold it, so knows nothing of it
                for quad in self._db.quads_for_pattern(subject, RDF_TYPE, None, None):
                    graph = quad.graph_name
                    if (
                        isinstance(graph, ox.NamedNode)
                        and graph.value not in excluded
                        and isinstance(quad.object, ox.NamedNode)
                    ):
                        found.setdefault(iri, set()).add(quad.object.value)
        return found

    def export(self, output: BinaryIO, fmt: str) -> None:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"cannot export as '{fmt}': choose one of {', '.join(EXPORT_FORMATS)}")
        with self._reading():
            self._db.dump(output, EXPORT_FORMATS[fmt])

    def stats(self) -> StoreStats:
        with self._reading():
            per_graph = {"": _count(self._db.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))}
            for row in solutions(
                self._db.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            ):
                per_graph[row["g"].value] = int(row["n"].value)
            classes = {
                row["c"].value: int(row["n"].value)
                for row in solutions(
                    self._db.query(
                        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c",
                        use_default_graph_as_union=True,
                    )
                )
            }
            properties = {
                row["p"].value: int(row["n"].value)
                for row in solutions(
                    self._db.query(
                        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p", use_default_graph_as_union=True
                    )
                )
            }
        return StoreStats(sum(per_graph.values()), per_graph, classes, properties)

    def is_empty(self) -> bool:
        # len() counts every quad; one quad is enough to know.
        with self._reading():
            return next(iter(self._db.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        with self._reading():
            return len(self._db)

    def close(self) -> None:
        if self.path is not None and self._store is not None and self._fault is None and not self.is_read_only:
            # What was committed is in RocksDB's write-ahead log already: a failed flush loses nothing.
            with contextlib.suppress(OSError):
                self._store.flush()
        self._store = None
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    # -- the catalogue and the history --------------------------------------------------

    def catalogue_entry(self, iri: str) -> CatalogueEntry | None:
        target = _graph_name(iri)
        with self._reading():
            values = {
                quad.predicate: quad.object
                for quad in self._db.quads_for_pattern(target, None, None, ox.DefaultGraph())
            }
        if not values:
            return None
        triples = values.get(VOID_TRIPLES)
        return CatalogueEntry(
            graph=iri,
            triples=int(triples.value) if isinstance(triples, ox.Literal) and triples.value.isdigit() else None,
            source=_value(values.get(DCTERMS_SOURCE)),
            written=_value(values.get(GENERATED_AT)),
            creator=_value(values.get(DCTERMS_CREATOR)),
        )

    def graph_size(self, iri: str) -> int | None:
        target = _graph_name(iri)
        with self._reading():
            if not self._db.contains_named_graph(target):
                return None
            return _count(
                self._db.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[target])
            )

    def history(self, graph: str | None = None, limit: int | None = None) -> list[WriteRecord]:
        """The history records of the catalogue (the default graph only: a data graph that
        holds prov:Activity nodes is not history), newest first. Read through the API: no
        query text. Costs one pass over the records (of one graph, when ``graph`` is given)."""
        with self._reading():
            if graph is None:
                nodes = [
                    q.subject for q in self._db.quads_for_pattern(None, RDF_TYPE, PROV_ACTIVITY, ox.DefaultGraph())
                ]
            else:
                nodes = [
                    q.subject
                    for q in self._db.quads_for_pattern(None, UKG_GRAPH, _graph_name(graph), ox.DefaultGraph())
                ]
            records = []
            for node in nodes:
                values = {
                    q.predicate: q.object for q in self._db.quads_for_pattern(node, None, None, ox.DefaultGraph())
                }
                record = record_of(values)
                if record is not None:
                    records.append((record.time, str(node), record))
        records.sort(key=lambda item: (item[0], item[1]), reverse=True)
        found = [record for _time, _node, record in records]
        return found[:limit] if limit is not None else found

    # -- scratch copies, for trying an update ---------------------------------------------

    copies_whole_store = True

    @contextmanager
    def scratch(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Store]:
        """A writable copy of the whole store (``graphs`` is not needed: all are copied), to
        try an update on. On disk a RocksDB checkpoint beside the store (hard links:
        milliseconds, whatever the size; its own writes go to files of its own); in memory a
        copy of every quad (time and memory in proportion to the store). Removed afterwards."""
        if self.path is None:
            copy = ox.Store()
            with self._reading():
                copy.extend(self._db.quads_for_pattern(None, None, None, None))
                for name in self._db.named_graphs():
                    copy.add_graph(name)
            yield copy
            return
        folder = Path(tempfile.mkdtemp(prefix=_scratch_prefix(self.path), dir=self.path.parent))
        opened: ox.Store | None = None
        try:
            self.snapshot(folder / "store")
            try:
                opened = ox.Store(str(folder / "store"))
            except OSError as exc:
                raise self._failure(exc, "open a scratch copy of the store") from exc
            yield opened
        finally:
            opened = None  # closes the copy before its folder goes
            _remove(folder)

    def changed_graphs(self, copy: ox.Store) -> set[str]:
        """The named graphs whose content differs between the store and ``copy`` (a graph in
        one of them only counts), and "" when the default graph differs. Reads every quad of
        both: time and memory in proportion to the store."""
        changed = set()
        with self._reading():
            names = set(self._db.named_graphs()) | set(copy.named_graphs())
            for name in [ox.DefaultGraph(), *names]:
                if isinstance(name, ox.NamedNode) and self._db.contains_named_graph(name) != copy.contains_named_graph(
                    name
                ):
                    changed.add(name.value)
                    continue
                ours = set(self._db.quads_for_pattern(None, None, None, name))
                theirs = set(copy.quads_for_pattern(None, None, None, name))
                if ours != theirs:
                    changed.add(name.value if isinstance(name, ox.NamedNode) else "")
        return changed


class _ReadingEngine:
    """pyoxigraph's ``Store.query`` with every option, under the store's reading rules."""

    def __init__(self, store: OxigraphStore):
        self._owner = store

    def query(self, sparql: str, **options: Any) -> QueryResult:
        with self._owner._reading():
            return self._owner._db.query(sparql, **options)


class _Busy(Exception):
    """A write holds the store and the reader asked not to wait."""


class _SharedLock:
    """Many holders at once (readers), or one (a writer); a waiting writer goes before
    readers that come after it, so a stream of reads cannot hold a load back forever."""

    def __init__(self):
        self._changed = threading.Condition()
        self._shared = 0
        self._exclusive = False

    @contextmanager
    def shared(self, wait: bool = True) -> Iterator[None]:
        with self._changed:
            if self._exclusive and not wait:
                raise _Busy()
            self._changed.wait_for(lambda: not self._exclusive)
            self._shared += 1
        try:
            yield
        finally:
            with self._changed:
                self._shared -= 1
                self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._changed.wait_for(lambda: self._shared == 0)
        try:
            yield
        finally:
            with self._changed:
                self._exclusive = False
                self._changed.notify_all()


# -- terms ----------------------------------------------------------------------------


def _graph_name(iri: str) -> ox.NamedNode:
    try:
        name = ox.NamedNode(iri)
    except (ValueError, TypeError) as exc:
        raise UnstorableTerm(f"not a graph IRI: {_clip(repr(iri))} ({exc})") from exc
    if name == JOURNAL:
        raise UnstorableTerm(f"<{iri}> is reserved for urbankg's own bookkeeping: name the graph otherwise")
    return name


def _quads(graph: Graph, name: ox.NamedNode, origin: str, fresh_blank_nodes: bool = True) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in graph ``name``.

    Blank nodes get fresh names in the store, as INSERT DATA gives them: a load never
    joins a blank node of an earlier load that happened to have the same label. Without
    ``fresh_blank_nodes`` they keep their labels (a graph read back from the store)."""
    blanks: dict[BNode, ox.BlankNode] | None = {} if fresh_blank_nodes else None
    for subject, predicate, obj in graph:
        try:
            if not isinstance(predicate, URIRef):
                raise TypeError(f"the predicate {_clip(repr(str(predicate)))}, which is not an IRI")
            yield ox.Quad(_term(subject, blanks), _term(predicate, blanks), _term(obj, blanks), name)
        except (ValueError, TypeError) as exc:
            where = f"{origin}: " if origin else ""
            raise UnstorableTerm(f"{where}the store cannot hold {exc}; nothing was written") from exc


def _term(term, blanks: dict[BNode, ox.BlankNode] | None):
    """``term`` as a pyoxigraph term; a blank node fresh once per ``blanks``, or (None) by its label."""
    if isinstance(term, URIRef):
        return _named(str(term), "the IRI")
    if isinstance(term, BNode):
        return ox.BlankNode(str(term)) if blanks is None else blanks.setdefault(term, ox.BlankNode())
    if isinstance(term, Literal):
        if term.language:
            try:
                return ox.Literal(str(term), language=term.language)
            except ValueError as exc:
                raise ValueError(
                    f"the language tag {_clip(repr(term.language))} of the literal {_clip(repr(str(term)))} ({exc})"
                ) from None
        datatype = (
            _named(str(term.datatype), f"the datatype of the literal {_clip(repr(str(term)))}:")
            if term.datatype
            else None
        )
        return ox.Literal(str(term), datatype=datatype)
    raise TypeError(f"{_clip(repr(term))}, which is not an IRI, a blank node or a literal")


def _named(iri: str, what: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ValueError(f"{what} {_clip(repr(iri))} ({exc})") from None


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _value(term) -> str | None:
    return term.value if term is not None else None


def history_quads(record: WriteRecord) -> list[ox.Quad]:
    """One history record as quads of the catalogue (the default graph): a prov:Activity
    named under config.WRITE_BASE by its time, the graph and a random part, so the name
    sorts by time and two records never share one."""
    stamp = "".join(c for c in record.time if c.isdigit())
    node = ox.NamedNode(config.WRITE_BASE + f"{stamp}-{os.urandom(6).hex()}")
    default = ox.DefaultGraph()
    return [
        ox.Quad(node, RDF_TYPE, PROV_ACTIVITY, default),
        ox.Quad(node, PROV_AGENT, _graph_name(config.agent_iri(record.agent)), default),
        ox.Quad(node, PROV_STARTED, ox.Literal(record.time, datatype=XSD_DATETIME), default),
        ox.Quad(node, UKG_GRAPH, _graph_name(record.graph), default),
        ox.Quad(node, UKG_ACTION, ox.Literal(record.action), default),
        ox.Quad(node, DCTERMS_SOURCE, ox.Literal(record.origin), default),
        ox.Quad(node, UKG_BEFORE, ox.Literal(str(record.before), datatype=XSD_INTEGER), default),
        ox.Quad(node, UKG_AFTER, ox.Literal(str(record.after), datatype=XSD_INTEGER), default),
    ]


def record_of(values: dict) -> WriteRecord | None:
    """A history record from its node's (predicate -> object) map; None when one is missing."""
    try:
        return WriteRecord(
            graph=values[UKG_GRAPH].value,
            agent=config.agent_name(values[PROV_AGENT].value),
            time=values[PROV_STARTED].value,
            action=values[UKG_ACTION].value,
            origin=values[DCTERMS_SOURCE].value,
            before=int(values[UKG_BEFORE].value),
            after=int(values[UKG_AFTER].value),
        )
    except (KeyError, ValueError):
        return None


def _has_entry(store: ox.Store, graph: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(graph, None, None, ox.DefaultGraph())), None) is not None


def _scratch_prefix(path: Path) -> str:
    return f".{path.name}.scratch-"


def _remove_scratch_copies(path: Path) -> None:
    """Scratch copies a killed process left beside the store (see OxigraphStore.scratch)."""
    for leftover in path.parent.glob(_scratch_prefix(path) + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


# -- recovery -------------------------------------------------------------------------


def _recover(store: ox.Store, path: Path | None) -> None:
    """Finish or undo what a killed process left in the store (see the module docstring)."""
    if path is None:
        return
    (path / (JOURNAL_FILE + ".part")).unlink(missing_ok=True)  # never committed: nothing of it is kept
    journal = path / JOURNAL_FILE
    if journal.exists():
        _apply(store, list(ox.parse(path=str(journal), format=ox.RdfFormat.N_QUADS)))
        journal.unlink()
    for orphan in path.glob("bulk-*.sst"):
        orphan.unlink(missing_ok=True)
    mark = path / BULK_MARK
    if mark.exists():
        try:
            graph = ox.NamedNode(mark.read_text(encoding="utf-8").strip())
        except ValueError:  # cut short before the name was written: no graph was loaded yet
            graph = None
        if graph is not None:
            store.remove_graph(graph)
        mark.unlink()


def _write_journal(journal: Path, quads: list[ox.Quad]) -> None:
    """Write the journal whole, or not at all: the rename is the commit point."""
    part = journal.with_name(journal.name + ".part")
    try:
        with part.open("wb") as output:
            ox.serialize(quads, output, format=ox.RdfFormat.N_QUADS)
            output.flush()
            os.fsync(output.fileno())
        part.rename(journal)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    _sync_directory(journal.parent)


def _apply(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Step 2: empty the journal's graphs, with their catalogue entries, and add its quads.
    Doing it twice gives the same store, so a journal is applied again after a crash."""
    content, kept = [], []
    for quad in quads:
        if quad.graph_name == JOURNAL:
            graph = _journalled_graph(quad)
            if quad.predicate == KEEPS:
                kept.append(graph)
                continue
            store.remove_graph(graph)
            for entry in list(store.quads_for_pattern(graph, None, None, ox.DefaultGraph())):
                store.remove(entry)
        else:
            content.append(quad)
    store.extend(content)
    for graph in kept:  # an empty graph is kept as a graph: it was PUT, and has its catalogue entry
        store.add_graph(graph)


def _journalled_graph(quad: ox.Quad) -> ox.NamedNode:
    """The graph a journal entry names. Every entry names one (the journal is written whole,
    here); anything else is a journal this code did not write, refused as unreadable."""
    if not isinstance(quad.object, ox.NamedNode):
        raise SyntaxError(f"a journal entry names no graph: {quad}")
    return quad.object


def _empties_something(store: ox.Store, quads: list[ox.Quad]) -> bool:
    """Whether applying ``quads`` removes anything: a graph, or its catalogue entry."""
    for quad in quads:
        if quad.graph_name == JOURNAL and quad.predicate == EMPTIES:
            graph = _journalled_graph(quad)
            if (
                store.contains_named_graph(graph)
                or next(iter(store.quads_for_pattern(graph, None, None, ox.DefaultGraph())), None) is not None
            ):
                return True
    return False


def _forget_bulk_load(store: ox.Store, target: ox.NamedNode, mark: Path | None) -> None:
    """A bulk load that failed keeps nothing: neither its half graph nor its mark."""
    store.remove_graph(target)
    if mark is not None:
        mark.unlink(missing_ok=True)


# -- the disk -------------------------------------------------------------------------


def _disk_full(exc: OSError) -> bool:
    # pyoxigraph passes RocksDB's message on, without an errno.
    return exc.errno == errno.ENOSPC or "No space left on device" in str(exc)


def _free_bytes(path: Path | None) -> int:
    probe = path
    while probe is not None and not probe.exists():
        probe = probe.parent if probe.parent != probe else None
    return shutil.disk_usage(probe).free if probe is not None else 0


def _room_to_reopen(path: Path) -> int:
    """Bytes RocksDB needs to open again: its write-ahead logs become a table file, plus a
    new manifest and options file."""
    logs = sum(f.stat().st_size for f in path.glob("*.log"))
    return logs + 2**20


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as mark:
        mark.write(text)
        mark.flush()
        os.fsync(mark.fileno())
    _sync_directory(path.parent)


def _sync_directory(path: Path) -> None:
    """Make a file's new name durable, not only its content."""
    folder = os.open(path, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _count(result: QueryResult) -> int:
    """The ?n of a COUNT query's one row."""
    return int(next(iter(solutions(result)))["n"].value)


def _remove(folder: Path, attempts: int = 40) -> None:
    """Remove a scratch copy's folder. The caller may still hold the copy open, and RocksDB's
    background threads may write a file into it while it is being removed (seen in CI under
    load: the folder stayed): try again, briefly, until it is gone."""
    for _ in range(attempts):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.05)
    # Left behind, it is found by its prefix and removed when the store is next opened, as a
    # killed process's copies are; nothing reads it.
