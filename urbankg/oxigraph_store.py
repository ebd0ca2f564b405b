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
keeps a single writer.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from urbankg.errors import DiskFull, StoreError, UnstorableTerm
from urbankg.store import GraphReplacement, StoreStats

CATALOGUE_PREFIXES = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

EXPORT_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}

# In the journal file, the graphs to empty are listed as quads in this graph. It is never a
# graph of the store, and no load may name it.
JOURNAL = ox.NamedNode("urn:urbankg:journal")
EMPTIES = ox.NamedNode("urn:urbankg:journal#empties")
JOURNAL_FILE = "urbankg-journal.nq"

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID_DATASET, VOID_TRIPLES = ox.NamedNode(VOID + "Dataset"), ox.NamedNode(VOID + "triples")
DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
GENERATED_AT = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(XSD + "integer")

# Free space under which /health warns: one load's write-ahead log can take that much.
LOW_DISK = 4 * 2**20

# Names the graph a bulk load is writing, while it runs: a load killed half way leaves it behind.
BULK_MARK = "urbankg-bulk-load-in-progress"


class OxigraphStore:
    def __init__(self, path: Path | str | None = None):
        """Open the store at ``path`` (created if missing); ``None`` keeps it in memory."""
        self.path = Path(path) if path is not None else None
        self._write_lock = threading.Lock()
        self._visibility = _SharedLock()
        self._fault: str | None = None  # why writes fail until the store is reopened
        self._pending = False  # half a write may be in the live store (it failed half way)
        # Counts writes, so readers elsewhere (the server's query processes, which see a
        # snapshot) can tell that what they see is stale. Failed writes change nothing
        # and are not counted: a full disk then leaves the last snapshot in use.
        self.generation = 0
        self._store = self._open()

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
                raise StoreError(f"cannot open the store at {self.path}: another urbankg process is using it "
                                 f"({exc}). Stop it or pass another --store directory.") from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        failure = None
        try:
            _recover(store, self.path)
        except OSError as exc:
            failure = self._failure(exc, "tidy up the store after an interrupted write")
        except SyntaxError as exc:  # the journal is written whole before it is named: never seen
            failure = StoreError(f"cannot read the journal {self.path / JOURNAL_FILE} of a write that was cut "
                                 f"short ({exc}); move it out of the store directory to open the store without "
                                 "that write")
        if failure is not None:
            del store  # closes it: the next attempt must be able to open the directory
            raise failure
        return store

    # -- writing -----------------------------------------------------------------

    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        if not replacements:
            return
        now = ox.Literal(datetime.now(timezone.utc).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
        targets = [_graph_name(r.iri) for r in replacements]
        if len(set(targets)) < len(targets):
            raise StoreError("a load names the same graph twice: "
                             + ", ".join(sorted({t.value for t in targets if targets.count(t) > 1})))
        # Every term is converted before anything is written: a bad one refuses the whole load.
        quads = [ox.Quad(JOURNAL, EMPTIES, target, JOURNAL) for target in targets]
        for replacement, target in zip(replacements, targets):
            quads.extend(_quads(replacement.graph, target, replacement.origin))
            quads += [
                ox.Quad(target, RDF_TYPE, VOID_DATASET),
                ox.Quad(target, VOID_TRIPLES, ox.Literal(str(len(replacement.graph)), datatype=XSD_INTEGER)),
                ox.Quad(target, DCTERMS_SOURCE, ox.Literal(replacement.origin)),
                ox.Quad(target, GENERATED_AT, now),
            ]
        with self._write_lock:
            self._commit(quads, "write the load")

    def drop_graph(self, iri: str) -> bool:
        target = _graph_name(iri)
        with self._write_lock:
            if not self._live_for_writing().contains_named_graph(target):
                return False
            self._commit([ox.Quad(JOURNAL, EMPTIES, target, JOURNAL)], "drop the graph")
        return True

    def _commit(self, quads: list[ox.Quad], what: str) -> None:
        """Journal ``quads`` (see the module docstring), then apply them. Holds _write_lock."""
        self._live_for_writing()
        journal = self.path / JOURNAL_FILE if self.path is not None else None
        if journal is not None:
            try:
                _write_journal(journal, quads)
            except OSError as exc:
                raise self._failure(exc, what) from exc
        failure = None
        # Graphs the store does not hold yet land in one extend, which readers see whole or
        # not at all; only emptying a graph first makes a state they must not see.
        with self._visibility.exclusive() if _empties_something(self._store, quads) else nullcontext():
            try:
                _apply(self._store, quads)
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

    def update(self, sparql: str) -> None:
        with self._write_lock:
            self._live_for_writing()
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise StoreError(f"SPARQL update syntax error: {exc}") from exc
            except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist
                raise StoreError(f"the update cannot be applied, nothing was changed: {exc}") from exc
            except OSError as exc:
                raise self._failure(exc, "apply the update") from exc
            self.generation += 1

    def bulk_load(self, source: Path | BinaryIO, fmt: ox.RdfFormat, graph_iri: str) -> None:
        """Fast, non-transactional load of a large file (or a binary stream) into one graph.

        Then compacted: the bulk loader leaves many overlapping files, which every later read
        has to look through (at 100k papers, queries ran 1.4-13x slower on an uncompacted
        store than on a compacted one: BENCHMARKS.md). A process killed while it runs leaves
        a mark naming the graph: opening the store drops that graph and the loader's files."""
        target = _graph_name(graph_iri)
        with self._write_lock:
            self._live_for_writing()
            mark = self.path / BULK_MARK if self.path is not None else None
            try:
                if mark is not None:
                    _write_durably(mark, target.value)
                data = {"path": str(source)} if isinstance(source, (str, Path)) else {"input": source}
                self._store.bulk_load(format=fmt, to_graph=target, **data)
                self._store.optimize()
            except OSError as exc:
                if _disk_full(exc):  # the mark stays: reopening the store drops the half graph
                    raise self._failure(exc, "bulk load") from exc
                _forget_bulk_load(self._store, target, mark)
                raise
            except Exception:
                _forget_bulk_load(self._store, target, mark)
                raise
            finally:
                self.generation += 1
            if mark is not None:
                mark.unlink()

    def snapshot(self, target: Path | str) -> None:
        """Write a consistent copy of the on-disk store to ``target`` (a new directory).

        RocksDB makes it a checkpoint of hard links, so it costs milliseconds, not a copy
        of the data. Other processes may open it with ``pyoxigraph.Store.read_only``:
        unlike the live directory, nobody writes to it.
        """
        if self.path is None:
            raise StoreError("an in-memory store has no snapshot on disk")
        if self._fault is not None:
            with self._write_lock:
                self._live_for_writing()
        with self._reading():
            try:
                self._store.backup(str(target))
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
        if self._fault is not None and self.path is not None:
            free = _free_bytes(self.path)
            if free < _room_to_reopen(self.path):
                raise DiskFull(self.path, free)
            with self._visibility.exclusive():
                self._reopen()
        return self._store

    @contextmanager
    def _reading(self, wait: bool = True) -> Iterator[None]:
        """The store for a read, with no write half done in it: a write stopped half way (by a
        full disk) is finished from its journal when the store reopens, and no read sees it before."""
        if self._fault is not None:
            self.problem()  # reopens the store if the disk has room again
        with self._visibility.shared(wait):
            if self._store is None or self._pending:
                raise self._unavailable()
            # Readers use self._store, never a name of their own for it: a frame kept by an
            # error would hold the engine, and reopening needs every reference gone.
            yield

    def _unavailable(self) -> Exception:
        """Why no read can be answered: the store was closed, or a failed write awaits reopening."""
        if self._fault is None:
            return StoreError("the store is closed")
        if self._fault.startswith("disk full"):
            return DiskFull(self.path, _free_bytes(self.path))
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
            raise StoreError(f"{exc}: the store is being reopened after a failed write, and a reader of this "
                             "process still holds it; try again shortly") from exc
        self._fault = None
        self._pending = False
        self.generation += 1

    def _failure(self, exc: OSError, what: str, kept: bool = False) -> Exception:
        """The error to raise for an I/O failure; a full disk also marks the store."""
        if _disk_full(exc):
            return self._disk_full(exc, kept)
        return StoreError(f"the store could not {what}: {exc}")

    def _disk_full(self, exc: OSError, kept: bool = False) -> DiskFull:
        self._fault = f"disk full: {self.path}: no writes or snapshots until space is freed ({exc})"
        return DiskFull(self.path, _free_bytes(self.path), kept)

    # -- reading -----------------------------------------------------------------

    @property
    def engine(self) -> "_ReadingEngine":
        """The store's own query method, for callers that need its options (the server:
        FROM must win over the union default graph, base IRIs); it reads like :meth:`query`."""
        return _ReadingEngine(self)

    def graphs(self, wait: bool = True) -> list[str] | None:
        """The named graphs; None at once, without ``wait``, while a write hides the store."""
        try:
            with self._reading(wait):
                names = list(self._store.named_graphs())
        except _Busy:
            return None
        return sorted(g.value for g in names if isinstance(g, ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None):
        options: dict = {}
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

    def _query(self, sparql: str, **options):
        # A query reads the view of the store it starts with, so holding the lock for the
        # call (not for reading its results) keeps half a load out of it.
        with self._reading():
            try:
                return self._store.query(sparql, **options)
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
                for quad in self._store.quads_for_pattern(subject, RDF_TYPE, None, None):
                    graph = quad.graph_name
                    if isinstance(graph, ox.NamedNode) and graph.value not in excluded \
                            and isinstance(quad.object, ox.NamedNode):
                        found.setdefault(iri, set()).add(quad.object.value)
        return found

    def export(self, output: BinaryIO, fmt: str) -> None:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"cannot export as '{fmt}': choose one of {', '.join(EXPORT_FORMATS)}")
        with self._reading():
            self._store.dump(output, EXPORT_FORMATS[fmt])

    def stats(self) -> StoreStats:
        with self._reading():
            per_graph = {"": _count(self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))}
            for row in self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
                per_graph[row["g"].value] = int(row["n"].value)
            classes = {
                row["c"].value: int(row["n"].value)
                for row in self._store.query(
                    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c",
                    use_default_graph_as_union=True,
                )
            }
            properties = {
                row["p"].value: int(row["n"].value)
                for row in self._store.query(
                    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p", use_default_graph_as_union=True
                )
            }
        return StoreStats(sum(per_graph.values()), per_graph, classes, properties)

    def is_empty(self) -> bool:
        # len() counts every quad; one quad is enough to know.
        with self._reading():
            return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        with self._reading():
            return len(self._store)

    def close(self) -> None:
        if self.path is not None and self._store is not None and self._fault is None:
            try:
                self._store.flush()
            except OSError:
                pass  # what was committed is in RocksDB's write-ahead log already
        self._store = None


class _ReadingEngine:
    """pyoxigraph's ``Store.query`` with every option, under the store's reading rules."""

    def __init__(self, store: OxigraphStore):
        self._owner = store

    def query(self, sparql: str, **options):
        with self._owner._reading():
            return self._owner._store.query(sparql, **options)


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


def _quads(graph: Graph, name: ox.NamedNode, origin: str) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in graph ``name``.

    Blank nodes get fresh names in the store, as INSERT DATA gives them: a load never
    joins a blank node of an earlier load that happened to have the same label."""
    blanks: dict[BNode, ox.BlankNode] = {}
    for subject, predicate, obj in graph:
        try:
            if not isinstance(predicate, URIRef):
                raise TypeError(f"the predicate {_clip(repr(str(predicate)))}, which is not an IRI")
            yield ox.Quad(_term(subject, blanks), _term(predicate, blanks), _term(obj, blanks), name)
        except (ValueError, TypeError) as exc:
            where = f"{origin}: " if origin else ""
            raise UnstorableTerm(f"{where}the store cannot hold {exc}; nothing was written") from exc


def _term(term, blanks: dict[BNode, ox.BlankNode]):
    if isinstance(term, URIRef):
        return _named(str(term), "the IRI")
    if isinstance(term, BNode):
        return blanks.setdefault(term, ox.BlankNode())
    if isinstance(term, Literal):
        if term.language:
            try:
                return ox.Literal(str(term), language=term.language)
            except ValueError as exc:
                raise ValueError(f"the language tag {_clip(repr(term.language))} of the literal "
                                 f"{_clip(repr(str(term)))} ({exc})") from None
        datatype = _named(str(term.datatype), f"the datatype of the literal {_clip(repr(str(term)))}:") \
            if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise TypeError(f"{_clip(repr(term))}, which is not an IRI, a blank node or a literal")


def _named(iri: str, what: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ValueError(f"{what} {_clip(repr(iri))} ({exc})") from None


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


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
    content = []
    for quad in quads:
        if quad.graph_name == JOURNAL:
            graph = quad.object
            store.remove_graph(graph)
            for entry in list(store.quads_for_pattern(graph, None, None, ox.DefaultGraph())):
                store.remove(entry)
        else:
            content.append(quad)
    store.extend(content)


def _empties_something(store: ox.Store, quads: list[ox.Quad]) -> bool:
    """Whether applying ``quads`` removes anything: a graph, or its catalogue entry."""
    for quad in quads:
        if quad.graph_name == JOURNAL:
            graph = quad.object
            if store.contains_named_graph(graph) \
                    or next(iter(store.quads_for_pattern(graph, None, None, ox.DefaultGraph())), None) is not None:
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


def _count(solutions) -> int:
    return int(next(iter(solutions))["n"].value)
