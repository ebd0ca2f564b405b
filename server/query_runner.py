"""Where queries run: a pool of worker processes that can be killed when a query runs too long.

pyoxigraph has no query timeout and keeps running after the client has gone; a thread
cannot be stopped from outside. A process can. So every query runs in one of a small
pool of worker processes (``query_worker``), each with its own read-only view of the
store, and a query that outlives its limit is stopped by killing its process, which is
then replaced. The parent answers 503 at the limit, to the millisecond, and the CPU is
free again at once.

What a worker sees: pyoxigraph says opening the live store directory read-only while
another process writes it is undefined behaviour, and the server process does write it
(updates, Graph Store PUTs, the web UI's loads). So workers open *snapshots*: RocksDB
checkpoints made by ``OxigraphStore.snapshot`` (hard links, milliseconds) in a private
folder beside the store, which nobody writes. The store counts its writes
(``OxigraphStore.generation``); the first query after a write takes a new snapshot, and
each worker reopens the newest snapshot before its next job (about 20 ms), so a client
reads its own writes. A snapshot is deleted once no worker has it open.

Unless SERVICE may call an allowed endpoint, workers run in their own empty network
namespace (see query_worker): a second wall behind the SERVICE guard.

Costs (measured, see the tests and the report): one IPC round trip and result copy per
query, under a millisecond; a snapshot after a write, tens of milliseconds; replacing
a killed worker, about a third of a second, in the background.

Stores without a folder on disk (in memory for tests, a remote SPARQL endpoint) cannot
be opened by another process: :class:`InlineRunner` runs their queries in a thread
and answers 503 at the limit, but cannot stop the query itself. A remote store should
add its own server-side timeout.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from urbankg.server.query_worker import QueryJob, execute

WORKER_START_TIMEOUT = 60.0  # seconds for a new worker to say it is ready


class QueryError(Exception):
    """Base of what can go wrong running a query."""


class QuerySyntaxError(QueryError):
    """The engine refused the query text; the message is the parser's."""


class QueryTimeout(QueryError):
    def __init__(self, limit: float, waiting: bool = False):
        self.limit = limit
        if waiting:
            message = (f"no query process became free within the time limit of {limit:g} s: the server is busy "
                       "with other queries; try again shortly")
        else:
            message = (f"the query ran longer than the limit of {limit:g} s and was stopped; narrow its patterns "
                       "or add a LIMIT")
        super().__init__(message)


class QueryFailed(QueryError):
    """The engine or a worker failed (not the query's fault as far as we can tell)."""


class ResultKindMismatch(QueryError):
    """The query gave a kind of result (e.g. a graph) that the chosen formats cannot write."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


class _WorkerLost(Exception):
    """The worker process went away while we talked to it."""


@dataclass
class Outcome:
    kind: str  # solutions, boolean, graph
    body: bytes
    rows: int
    truncated: bool
    cache: str = "miss"  # or "hit" (a kept answer), "shared" (the same query's run): see result_cache


def _outcome(reply: dict) -> Outcome:
    status = reply.get("status")
    if status == "ok":
        return Outcome(reply["kind"], reply["body"], reply["rows"], reply["truncated"])
    if status == "syntax":
        raise QuerySyntaxError(reply["message"])
    if status == "mismatch":
        raise ResultKindMismatch(reply["kind"])
    raise QueryFailed(reply.get("message", f"unexpected reply from a query process: {reply!r}"))


@dataclass(eq=False)  # compared and hashed by identity: kept in a set
class _Worker:
    process: subprocess.Popen
    jobs: Connection
    replies: Connection
    snapshot: str | None = None  # the snapshot it has (or is about to have) open
    isolated: bool = False  # runs without network (see query_worker)


class ProcessRunner:
    """Runs queries of an on-disk OxigraphStore in killable worker processes."""

    def __init__(self, store, workers: int = 2, isolate_network: bool = True):
        if getattr(store, "path", None) is None:
            raise ValueError("ProcessRunner needs an on-disk store; use InlineRunner")
        self.store = store
        self.size = workers
        self.isolate_network = isolate_network
        self.timeouts = 0
        self.restarts = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._starters: set[threading.Thread] = set()  # replacements being started
        self._pool_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._snapshot: tuple[int, str] | None = None  # (store generation, folder)
        self._numbers = itertools.count(1)
        self._started = False
        self._closed = False
        _remove_stale_snapshot_folders(Path(store.path))
        self._root = Path(tempfile.mkdtemp(prefix=f"{_snapshot_prefix(Path(store.path))}{os.getpid()}-",
                                           dir=Path(store.path).parent))
        # Workers and snapshots must not outlive the server: finalize also runs at exit.
        self._finalizer = weakref.finalize(self, _shutdown, self._workers, self._root)

    @property
    def generation(self) -> int:
        return self.store.generation

    @property
    def alive(self) -> int:
        return len(self._workers)

    @property
    def isolated(self) -> int:
        """Workers running without network."""
        return sum(1 for w in list(self._workers) if w.isolated)

    # -- running a query -------------------------------------------------------------

    def run(self, job: QueryJob, timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        try:
            return self._run_once(job, timeout, deadline)
        except _WorkerLost:
            # Most often a worker that died while idle (killed by the OOM killer, say) and was
            # picked before its death showed. Once more on another; a query that kills its
            # worker again is reported.
            try:
                return self._run_once(job, timeout, deadline)
            except _WorkerLost as lost:
                raise QueryFailed(f"the query process stopped unexpectedly ({lost}); it has been replaced") from None

    def _run_once(self, job: QueryJob, timeout: float, deadline: float) -> Outcome:
        worker = self._checkout(deadline, timeout)
        try:
            with self._snapshot_lock:
                worker.snapshot = self._fresh_snapshot()
        except Exception as exc:  # the store could not be snapshotted: the worker is fine
            self._idle.put(worker)
            raise QueryFailed(f"could not take a snapshot of the store for the query: {exc}") from exc
        try:
            worker.jobs.send((worker.snapshot, asdict(job)))
            if not worker.replies.poll(max(deadline - time.monotonic(), 0)):
                self.timeouts += 1
                self._retire(worker)
                raise QueryTimeout(timeout)
            reply = worker.replies.recv()
        except (EOFError, OSError) as exc:
            self._retire(worker)
            raise _WorkerLost(str(exc) or type(exc).__name__) from exc
        self._idle.put(worker)
        return _outcome(reply)

    def _checkout(self, deadline: float, timeout: float) -> _Worker:
        self._start()
        while True:
            try:
                worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                raise QueryTimeout(timeout, waiting=True) from None
            if worker.process.poll() is None:
                return worker
            self._retire(worker)  # died while idle (e.g. killed by the OOM killer)

    def _fresh_snapshot(self) -> str:
        """The newest snapshot, taken now if the store changed since the last one. Holds _snapshot_lock."""
        generation = self.store.generation  # read first: a write during the snapshot makes it stale
        if self._snapshot is None or self._snapshot[0] != generation:
            folder = self._root / f"snapshot-{next(self._numbers)}"
            self.store.snapshot(folder)
            self._snapshot = (generation, str(folder))
            self._remove_unused_snapshots()
        return self._snapshot[1]

    def _remove_unused_snapshots(self) -> None:
        in_use = {w.snapshot for w in list(self._workers)} | {self._snapshot[1] if self._snapshot else None}
        for folder in self._root.iterdir():
            if str(folder) not in in_use:
                shutil.rmtree(folder, ignore_errors=True)

    # -- the pool ----------------------------------------------------------------------

    def _start(self) -> None:
        """Start the workers on first use, so an app that never queries spawns nothing."""
        with self._pool_lock:
            if self._started:
                return
            if self._closed:
                raise QueryFailed("the query runner is closed")
            starting = [_spawn(self.isolate_network) for _ in range(self.size)]
            for worker in starting:
                _wait_ready(worker)
                self._workers.add(worker)
                self._idle.put(worker)
            self._started = True

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker (mid-query if need be) and start its replacement in the background."""
        _kill(worker)
        with self._pool_lock:
            self._workers.discard(worker)
            if self._closed:
                return
            starter = threading.Thread(target=self._replace, name="urbankg-worker-start", daemon=True)
            self._starters.add(starter)
        starter.start()

    def _replace(self) -> None:
        try:
            self._start_replacement()
        finally:
            self._starters.discard(threading.current_thread())

    def _start_replacement(self) -> None:
        try:
            worker = _spawn(self.isolate_network)
            _wait_ready(worker)
        except QueryFailed as exc:
            print(f"urbankg: could not start a query process: {exc}", file=sys.stderr)
            return
        with self._pool_lock:
            if self._closed:
                _kill(worker)
                return
            self._workers.add(worker)
            self.restarts += 1
        self._idle.put(worker)

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            starters = list(self._starters)
        # A replacement still starting would otherwise outlive the runner by its start-up time.
        for starter in starters:
            starter.join(WORKER_START_TIMEOUT + 5)
        self._finalizer()


def _spawn(isolate_network: bool) -> _Worker:
    process = subprocess.Popen(
        [sys.executable, "-m", "urbankg.server.query_worker", *(["--isolate-network"] if isolate_network else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
    )
    jobs = Connection(os.dup(process.stdin.fileno()), readable=False)
    replies = Connection(os.dup(process.stdout.fileno()), writable=False)
    process.stdin.close()
    process.stdout.close()
    return _Worker(process, jobs, replies)


def _wait_ready(worker: _Worker) -> None:
    try:
        message = worker.replies.recv() if worker.replies.poll(WORKER_START_TIMEOUT) else {}
    except (EOFError, OSError):
        message = {}
    ready = message.get("status") == "ready"
    worker.isolated = bool(message.get("isolated"))
    if not ready:
        _kill(worker)
        raise QueryFailed(f"a query process did not start within {WORKER_START_TIMEOUT:g} s "
                          f"(exit code {worker.process.poll()}); see the server's log")


def _kill(worker: _Worker) -> None:
    if worker.process.poll() is None:
        worker.process.kill()  # SIGKILL: the query is inside Rust code, which no signal handler interrupts
    worker.process.wait()
    worker.jobs.close()
    worker.replies.close()


def _shutdown(workers: set[_Worker], root: Path) -> None:
    for worker in list(workers):
        _kill(worker)
    workers.clear()
    shutil.rmtree(root, ignore_errors=True)


def _snapshot_prefix(store_path: Path) -> str:
    return f".{store_path.name}-readers-"


def _remove_stale_snapshot_folders(store_path: Path) -> None:
    """Remove snapshot folders left by a server that was killed (their pid is gone)."""
    prefix = _snapshot_prefix(store_path)
    for folder in store_path.parent.glob(prefix + "*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class InlineRunner:
    """Runs queries in a thread of the server process: for stores no other process can open.

    The client gets its 503 at the limit, but the query itself runs on to its end (it
    cannot be stopped); the row cap still bounds what it returns.
    """

    def __init__(self, kg):
        self.kg = kg
        self.size = 0
        self.timeouts = 0
        self.restarts = 0
        self.alive = 0
        self.isolated = 0

    @property
    def generation(self) -> int | None:
        return getattr(self.kg.store, "generation", None)

    def run(self, job: QueryJob, timeout: float) -> Outcome:
        replies: list[dict] = []
        thread = threading.Thread(target=lambda: replies.append(self._execute(job)), name="urbankg-query", daemon=True)
        thread.start()
        thread.join(timeout)
        if not replies:
            self.timeouts += 1
            raise QueryTimeout(timeout)
        return _outcome(replies[0])

    def _execute(self, job: QueryJob) -> dict:
        engine = getattr(self.kg.store, "engine", None)
        if engine is not None:
            return execute(engine, job)
        return _execute_through_store(self.kg, job)

    def close(self) -> None:
        pass


def _execute_through_store(kg, job: QueryJob) -> dict:
    """Any other store: through the Store interface (the protocol dataset, not FROM, sets the graphs)."""
    from urbankg.errors import StoreError
    from urbankg.server.result_writers import FormatMismatch, write

    text = f"BASE <{job.base_iri}>\n{job.sparql}" if job.base_iri else job.sparql
    try:
        result = kg.query(text, default_graph=job.default_graphs or None, named_graphs=job.named_graphs or None)
        written = write(result, job.formats, job.max_rows, job.prefixes)
    except StoreError as exc:
        return {"status": "syntax" if "syntax" in str(exc).lower() else "error", "message": str(exc)}
    except FormatMismatch as exc:
        return {"status": "mismatch", "kind": exc.kind}
    return {"status": "ok", "kind": written.kind, "body": written.body, "rows": written.rows,
            "truncated": written.truncated}


def make_runner(kg, workers: int, isolate_network: bool = True):
    """Worker processes for an on-disk Oxigraph store, the inline runner for anything else."""
    store = kg.store
    if getattr(store, "path", None) is not None and hasattr(store, "snapshot"):
        return ProcessRunner(store, workers, isolate_network)
    return InlineRunner(kg)
