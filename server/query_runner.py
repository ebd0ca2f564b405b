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

Who gets a process (:class:`Admission`). A never-ending query holds its process for the
whole time limit, so two of them would hold a pool of two and every other query would wait
out the limit. So:

- one client (an IP address, an IPv6 /64; holders of the write token are one class,
  not limited) may have ``URBANKG_CLIENT_QUERIES`` queries running or waiting; one more is
  answered 429 at once, with Retry-After;
- with two or more processes, long queries may hold all but one: the query on the last
  process (the *reserve*) is stopped after ``URBANKG_RESERVE_SECONDS`` when a request
  of a client with no query running is waiting, and that request gets the process (503
  with Retry-After for the stopped one). So such a client's short query waits at most
  that long, plus the start of a replacement process, whoever runs long queries; a long
  query runs to the time limit whenever it is not in the way. When a long query ends,
  the query on the reserve becomes a long one. Why not keep the last process for short
  queries only: a query's length is known only once it has run, and an idle reserve
  would halve the pool of two;
- a request that finds every process taken is told at once, never after a silent wait,
  when it would not get one in time: the admission estimates when a process would be free
  for it (:meth:`Admission.expected_wait`: from how long the last queries the pool ran held
  a process, measured when each leaves, how long each running query has run, its time
  limit, the reserve, and the requests waiting ahead), and answers 503 at once, with that
  estimate as Retry-After, when it is longer than ``URBANKG_QUEUE_SECONDS`` (or the query's
  time limit, if shorter); so it does too when twice as many requests as there are processes
  already wait (so waiting requests cannot take all of the HTTP server's threads). The others
  wait first come, first served, and their wait is estimated again every tenth of a second:
  one that no longer expects a process within its ``URBANKG_QUEUE_SECONDS`` (a running query
  takes longer than recent ones did) gets 503 then, not when its time is out; /metrics counts
  those on their own (``urbankg_query_refused_after_waiting_total``), so a wrong estimate shows.

Answers kept or shared by the result cache never reach this: only queries that must run
are counted.

A query that kills its process with a signal of its own (SIGSEGV: the engine overflowed
its stack on deep nesting; SIGABRT: it could not allocate memory) is refused as the
query's fault, not retried on another process, which it would kill too. A process that
died while idle (the OOM killer, an operator) is replaced and the query retried once.
Results are cut at ``URBANKG_MAX_RESULT_BYTES`` while the worker writes them, and each
worker may allocate at most ``URBANKG_WORKER_MEMORY_MB`` (see query_worker).

Costs (measured, see the tests and the report): one IPC round trip and result copy per
query, under a millisecond; a snapshot after a write, tens of milliseconds; replacing
a killed worker, about a third of a second, in the background.

Stores without a folder on disk (in memory for tests, a remote SPARQL endpoint) cannot
be opened by another process: :class:`InlineRunner` runs their queries in a thread
and answers 503 at the limit, but cannot stop the query itself. A remote store should
add its own server-side timeout. The per-client share holds there too, until the query
really ends, so one client cannot pile up threads that run on.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import Counter, deque
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from urbankg.errors import DiskFull
from urbankg.server.query_worker import QueryJob, execute, job_fields, refusal
from urbankg.server.settings import Settings
from urbankg.store import LocalStore

if TYPE_CHECKING:
    from urbankg.graph import KnowledgeGraph

WORKER_START_TIMEOUT = 60.0  # seconds for a new worker to say it is ready
HELD_SAMPLES = 64  # recent queries whose time on a process the queue's wait is estimated from
RECHECK_SECONDS = 0.1  # how often a waiting request's wait is estimated again
POLL_SECONDS = 0.05  # how often a running query checks whether it must give its process up
# Signals a process sends itself when the code it runs breaks (the idle worker, blocked reading
# its next job, cannot raise them): the query that was running is to blame.
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}
TOKEN_HOLDER = "token holder"  # the client class of requests that carry the write token


class QueryError(Exception):
    """Base of what can go wrong running a query."""


class QuerySyntaxError(QueryError):
    """The engine refused the query text; the message is the parser's."""


class QueryTimeout(QueryError):
    def __init__(self, limit: float, waiting: bool = False):
        self.limit = limit
        if waiting:
            message = (
                f"no query process became free within the time limit of {limit:g} s: the server is busy "
                "with other queries; try again shortly"
            )
        else:
            message = (
                f"the query ran longer than the limit of {limit:g} s and was stopped; narrow its patterns "
                "or add a LIMIT"
            )
        super().__init__(message)


class QueryFailed(QueryError):
    """The engine or a worker failed (not the query's fault as far as we can tell)."""


class QueryForbidden(QueryError):
    """The checking parser refused the text: it calls out (SERVICE), nests too deeply, or cannot be read."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


class QueryCrashed(QueryError):
    """The query broke the engine (its stack or its memory): the query's fault, answered 400."""


class QueryRefused(QueryError):
    """Not answered because of others: HTTP ``status``, to be tried again after ``retry_after`` seconds."""

    status = 503
    reason = "busy"  # what /metrics counts it as

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)


class ClientOverShare(QueryRefused):
    """This client already has its share of queries running or waiting (before this one ran)."""

    status = 429
    reason = "client-share"


class ServerBusy(QueryRefused):
    """Every process is taken and the queue is full, or no process came free in time (before this one ran)."""


class QueryStopped(QueryRefused):
    """The query ran past the reserve's time on the last free process while another client waited."""

    reason = "busy-stopped"


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
    limit: str | None = None  # the cap that cut the result, when truncated: "rows" or "bytes"


def _outcome(reply: dict, memory_bytes: int | None = None) -> Outcome:
    status = reply.get("status")
    if status == "ok":
        return Outcome(reply["kind"], reply["body"], reply["rows"], reply["truncated"], limit=reply.get("limit"))
    if status == "syntax":
        raise QuerySyntaxError(reply["message"])
    if status == "mismatch":
        raise ResultKindMismatch(reply["kind"])
    if status == "forbidden":
        raise QueryForbidden(reply["reason"], reply["message"])
    if status == "memory":
        raise QueryCrashed(
            f"the query could not be evaluated: it needs more memory than a query process may use "
            f"({_memory(memory_bytes)}); narrow it, or build smaller values"
        )
    raise QueryFailed(reply.get("message", f"unexpected reply from a query process: {reply!r}"))


def _memory(limit: int | None) -> str:
    return f"{limit / 2**20:.0f} MB, URBANKG_WORKER_MEMORY_MB" if limit else "no memory limit is set"


# -- admission -------------------------------------------------------------------------


@dataclass(eq=False)  # compared by identity: kept in lists
class Ticket:
    """One query's place: waiting for a process, then running on one."""

    client: str | None  # None: the server's own queries, not limited per client
    deadline: float  # waiting: when to give up; running: the end of its time limit
    started: float = 0.0  # when it began to run (Admission.enter); read of running tickets only
    reserve: bool = False  # runs on the last process: stopped after reserve_seconds if another client waits


class Admission:
    """Who gets a query process now, who waits, and who is told to come back (see the module docstring).

    ``processes=None``: no pool (the inline runner), only the per-client share holds.
    """

    def __init__(
        self,
        processes: int | None,
        client_queries: int = Settings.client_queries,
        reserve_seconds: float = Settings.reserve_seconds,
        queue_seconds: float = Settings.queue_seconds,
        clock=time.monotonic,
    ):
        self.processes = processes
        self.client_queries = client_queries
        self.reserve_seconds = reserve_seconds
        self.queue_seconds = queue_seconds
        self.counts = {"at-once": 0, "after-waiting": 0, "client-share": 0, "busy": 0, "busy-stopped": 0}
        # Refused after waiting in the queue (also counted as busy): the estimate let them wait
        # and was wrong. Zero when the estimate is honest; /metrics shows it on its own.
        self.refused_after_waiting = 0
        self.held: deque[float] = deque(maxlen=HELD_SAMPLES)  # seconds recent queries held a process
        self._clock = clock  # time.monotonic; a test may pass its own
        self._changed = threading.Condition()
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._clients: Counter[str] = Counter()  # queries running or waiting, per limited client

    @classmethod
    def of(cls, settings: Settings, processes: int | None) -> Admission:
        return cls(processes, settings.client_queries, settings.reserve_seconds, settings.queue_seconds)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return len(self._running)

    def enter(self, client: str | None, timeout: float) -> Ticket:
        """A running ticket, once a process is free for it; raises a QueryRefused if there will be none."""
        with self._changed:
            now = self._clock()
            if _limited(client) and self._clients[client] >= self.client_queries:
                self.counts["client-share"] += 1
                mine = [t.deadline for t in (*self._running, *self._waiting) if t.client == client]
                raise ClientOverShare(
                    f"too many queries at once from this client: {self._clients[client]} of yours are running or "
                    f"waiting, and a client may have {self.client_queries} (URBANKG_CLIENT_QUERIES). Send this one "
                    "again when one of them has been answered",
                    _seconds(min(mine) - now),
                )
            patience = min(self.queue_seconds, timeout)
            ticket = Ticket(client, now + patience)
            if self._free() and not self._waiting:
                self.counts["at-once"] += 1
            else:
                # Not free, so there is a pool (without one, every query enters at once).
                expected = self.expected_wait(client, now)
                if self.processes is not None and len(self._waiting) >= 2 * self.processes:
                    self.counts["busy"] += 1
                    raise ServerBusy(
                        f"the server is busy: every query process is taken and {len(self._waiting)} "
                        "requests are already waiting for one; send the query again later",
                        _seconds(expected),
                    )
                if expected > patience:
                    self.counts["busy"] += 1
                    raise ServerBusy(
                        f"the server is busy: every query process is taken, and by the time recent queries "
                        f"held one, a process would be free for this query in about {expected:.1f} s, longer "
                        f"than a query may wait ({patience:g} s, URBANKG_QUEUE_SECONDS); send it again later",
                        _seconds(expected),
                    )
                self._wait(ticket)
                self.counts["after-waiting"] += 1
            self._count(client, +1)
            ticket.started = self._clock()
            ticket.deadline = ticket.started + timeout
            long_ones = sum(1 for t in self._running if not t.reserve)
            ticket.reserve = self.processes is not None and self.processes > 1 and long_ones >= self.processes - 1
            self._running.append(ticket)
            return ticket

    def expected_wait(self, client: str | None, now: float, ahead: int | None = None) -> float:
        """Under the lock: seconds until a process is likely free for a request of ``client`` with
        ``ahead`` requests waiting before it (None: all that wait now, as for one that arrives).

        Each process is free when its query ends. How long a running query has left is guessed
        from how long recent queries held a process (:attr:`held`): the median of those that
        ran longer than it has run so far, less what it has run; a query that has already run
        longer than all of them is given as long again as it has run. Never past its time
        limit, and a query on the reserve gives its process up after URBANKG_RESERVE_SECONDS
        to a client with nothing running. Then every request waiting ahead takes the process
        that comes free first, for the median time a query held one.
        """
        held = sorted(self.held)
        typical = held[len(held) // 2] if held else 0.0
        nothing_running = not any(t.client == client for t in self._running)
        free_at = []
        for ticket in self._running:
            ran = max(now - ticket.started, 0.0)
            longer = [seconds for seconds in held if seconds > ran]
            left = longer[len(longer) // 2] - ran if longer else ran
            end = min(now + left, ticket.deadline)
            if ticket.reserve and nothing_running:
                end = min(end, max(ticket.started + self.reserve_seconds, now))
            free_at.append(end)
        free_at += [now] * max((self.processes or 0) - len(free_at), 0)
        heapq.heapify(free_at)
        for _ in range(len(self._waiting) if ahead is None else ahead):
            heapq.heappush(free_at, heapq.heappop(free_at) + typical)
        return max(free_at[0] - now, 0.0) if free_at else 0.0

    def _wait(self, ticket: Ticket) -> None:
        """Under the lock: wait in the queue until this ticket is first and a process is free.

        The wait is estimated again every RECHECK_SECONDS: a request let in on an estimate that
        proves wrong (the queries running take longer than recent ones did) is told as soon as
        no process is expected before its queue time is out, not when that time is out."""
        self._waiting.append(ticket)
        self._count(ticket.client, +1)  # a waiting query counts against its client's share too
        arrived = self._clock()
        try:
            while not (self._waiting[0] is ticket and self._free()):
                now = self._clock()
                expected = self.expected_wait(ticket.client, now, self._waiting.index(ticket))
                if now >= ticket.deadline or now + expected > ticket.deadline:
                    self.counts["busy"] += 1
                    self.refused_after_waiting += 1
                    raise ServerBusy(
                        f"the server is busy: no query process came free for this query in the {now - arrived:.1f} s "
                        f"it waited, and none is expected before its {self.queue_seconds:g} s "
                        "(URBANKG_QUEUE_SECONDS) are out: the queries running take longer than recent ones did; "
                        "send it again later",
                        _seconds(expected),
                    )
                self._changed.wait(min(ticket.deadline - now, RECHECK_SECONDS))
        finally:
            self._waiting.remove(ticket)
            self._count(ticket.client, -1)
            self._changed.notify_all()  # the next in the queue may be first now

    def leave(self, ticket: Ticket) -> None:
        with self._changed:
            self._running.remove(ticket)
            self.held.append(self._clock() - ticket.started)
            self._count(ticket.client, -1)
            if not ticket.reserve:
                # A long query ended: the oldest query on the reserve may now run to its limit.
                for other in self._running:
                    if other.reserve:
                        other.reserve = False
                        break
            self._changed.notify_all()

    def must_yield(self, ticket: Ticket, limit: float) -> QueryStopped | None:
        """The refusal for a query on the reserve that has had its time while a client with
        nothing running waits, else None (a client never takes the process from itself, nor
        from another while it has a query running)."""
        with self._changed:
            now = self._clock()
            if not ticket.reserve or now - ticket.started < self.reserve_seconds:
                return None
            running = {t.client for t in self._running}
            if not any(w.client not in running for w in self._waiting):
                return None
            self.counts["busy-stopped"] += 1
            return QueryStopped(
                f"the server is busy: every other query process runs a long query, and this one ran "
                f"{self.reserve_seconds:g} s (URBANKG_RESERVE_SECONDS) on the last one while other requests waited, "
                f"so it was stopped for them. Send it again later: when a process is free it may run up to "
                f"{limit:g} s",
                self._soonest_free(now),
            )

    def _count(self, client: str | None, delta: int) -> None:
        """Under the lock: a limited client's queries running or waiting."""
        if _limited(client):
            self._clients[client] += delta
            if not self._clients[client]:
                del self._clients[client]

    def _free(self) -> bool:
        return self.processes is None or len(self._running) < self.processes

    def _soonest_free(self, now: float) -> int:
        """Seconds until a process is likely to come free: a query on the reserve may be stopped, others end."""
        ends = [max(t.started + self.reserve_seconds, now) if t.reserve else t.deadline for t in self._running]
        return _seconds(min(ends, default=now) - now)


def _limited(client: str | None) -> TypeGuard[str]:
    return client is not None and client != TOKEN_HOLDER


def _seconds(delta: float) -> int:
    """A Retry-After value: whole seconds, at least one."""
    return max(1, math.ceil(delta))


def client_key(remote_addr: str | None, token_holder: bool) -> str | None:
    """The client a request counts against: the token holders' class, or its address (an IPv6 /64,
    which one subscriber usually has whole)."""
    if token_holder:
        return TOKEN_HOLDER
    if not remote_addr:
        return None
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return remote_addr  # a Unix socket path, say: one client
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(eq=False)  # compared and hashed by identity: kept in a set
class _Worker:
    process: subprocess.Popen
    jobs: Connection
    replies: Connection
    snapshot: str | None = None  # the snapshot it has (or is about to have) open
    isolated: bool = False  # runs without network (see query_worker)


class ProcessRunner:
    """Runs queries of an on-disk OxigraphStore in killable worker processes."""

    def __init__(
        self,
        store: LocalStore,
        workers: int = 2,
        isolate_network: bool = True,
        *,
        max_bytes: int | None = Settings.max_result_bytes,
        memory_bytes: int | None = None,
        admission: Admission | None = None,
    ):
        if store.path is None:
            raise ValueError("ProcessRunner needs an on-disk store; use InlineRunner")
        self.store = store
        self.size = workers
        self.isolate_network = isolate_network
        self.max_bytes = max_bytes  # for jobs that name no byte cap of their own
        self.memory_bytes = memory_bytes  # what one worker may allocate (None: no limit)
        self.admission = admission or Admission(workers)
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
        _remove_stale_snapshot_folders(store.path)
        self._root = Path(
            tempfile.mkdtemp(prefix=f"{_snapshot_prefix(store.path)}{os.getpid()}-", dir=store.path.parent)
        )
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

    def run(self, job: QueryJob, timeout: float, client: str | None = None) -> Outcome:
        """``client``: whom the query counts against (see :func:`client_key`); None for the server's own."""
        if job.max_bytes is None:
            job = replace(job, max_bytes=self.max_bytes)
        self._start()  # the pool's first start (seconds on a busy machine) is not the query's time
        ticket = self.admission.enter(client, timeout)
        try:
            try:
                return self._run_once(job, timeout, ticket)
            except _WorkerLost:
                # Most often a worker that died while idle (killed by the OOM killer, say) and was
                # picked before its death showed. Once more on another; a query that kills its
                # worker again is reported.
                try:
                    return self._run_once(job, timeout, ticket)
                except _WorkerLost as lost:
                    raise QueryFailed(
                        f"the query process stopped unexpectedly ({lost}); it has been replaced"
                    ) from None
        finally:
            self.admission.leave(ticket)

    def _run_once(self, job: QueryJob, timeout: float, ticket: Ticket) -> Outcome:
        worker = self._checkout(ticket.deadline, timeout)
        try:
            with self._snapshot_lock:
                worker.snapshot = self._fresh_snapshot()
        except Exception as exc:  # the store could not be snapshotted: the worker is fine
            self._idle.put(worker)
            if isinstance(exc, DiskFull):
                raise  # the server's state, not the query's failure: answered 507 (see graph_store)
            raise QueryFailed(f"could not take a snapshot of the store for the query: {exc}") from exc
        try:
            worker.jobs.send((worker.snapshot, job_fields(job)))
            while not worker.replies.poll(min(max(ticket.deadline - time.monotonic(), 0), POLL_SECONDS)):
                if time.monotonic() >= ticket.deadline:
                    self.timeouts += 1
                    self._retire(worker)
                    raise QueryTimeout(timeout)
                stopped = self.admission.must_yield(ticket, timeout)
                if stopped is not None:
                    self._retire(worker)
                    raise stopped
            reply = worker.replies.recv()
        except (EOFError, OSError) as exc:
            self._retire(worker)
            crash = _crash_signal(worker.process.returncode)
            if crash is not None:
                raise QueryCrashed(
                    f"the query could not be evaluated: it crashed the query engine ({crash}) — is it nested too "
                    f"deeply, or does it build values larger than a query process may hold "
                    f"({_memory(self.memory_bytes)})? Simplify it; the query process has been replaced"
                ) from None
            raise _WorkerLost(str(exc) or type(exc).__name__) from exc
        self._idle.put(worker)
        return _outcome(reply, self.memory_bytes)

    def _checkout(self, deadline: float, timeout: float) -> _Worker:
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
            starting = [_spawn(self.isolate_network, self.memory_bytes) for _ in range(self.size)]
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
            worker = _spawn(self.isolate_network, self.memory_bytes)
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


def _spawn(isolate_network: bool, memory_bytes: int | None = None) -> _Worker:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "urbankg.server.query_worker",
            *(["--isolate-network"] if isolate_network else []),
            *(["--memory-bytes", str(memory_bytes)] if memory_bytes else []),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
    )
    if process.stdin is None or process.stdout is None:  # PIPE gives both: for the type checker
        raise OSError("the query process started without its pipes")
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
        raise QueryFailed(
            f"a query process did not start within {WORKER_START_TIMEOUT:g} s "
            f"(exit code {worker.process.poll()}); see the server's log"
        )


def _crash_signal(returncode: int | None) -> str | None:
    """The name of the signal that broke a process from inside, if that is how it ended."""
    if returncode is not None and returncode < 0 and -returncode in CRASH_SIGNALS:
        return signal.Signals(-returncode).name
    return None


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
        pid = folder.name[len(prefix) :].split("-", 1)[0]
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

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        max_bytes: int | None = Settings.max_result_bytes,
        admission: Admission | None = None,
    ):
        self.kg = kg
        self.max_bytes = max_bytes
        self.admission = admission or Admission(None)
        self.size = 0
        self.timeouts = 0
        self.restarts = 0
        self.alive = 0
        self.isolated = 0

    @property
    def generation(self) -> int | None:
        """The store's write counter; None for a store that keeps none (a remote one)."""
        store = self.kg.store
        return store.generation if isinstance(store, LocalStore) else None

    def run(self, job: QueryJob, timeout: float, client: str | None = None) -> Outcome:
        if job.max_bytes is None:
            job = replace(job, max_bytes=self.max_bytes)
        ticket = self.admission.enter(client, timeout)
        replies: list[dict] = []

        def execute_and_leave() -> None:
            try:
                replies.append(self._execute(job))
            finally:
                self.admission.leave(ticket)  # when the query really ends, past its limit too

        thread = threading.Thread(target=execute_and_leave, name="urbankg-query", daemon=True)
        thread.start()
        thread.join(timeout)
        if not replies:
            self.timeouts += 1
            raise QueryTimeout(timeout)
        return _outcome(replies[0])

    def _execute(self, job: QueryJob) -> dict:
        store = self.kg.store
        if isinstance(store, LocalStore):
            return execute(store.engine, job)
        return _execute_through_store(self.kg, job)

    def close(self) -> None:
        pass


def _execute_through_store(kg: KnowledgeGraph, job: QueryJob) -> dict:
    """Any other store: through the Store interface (the protocol dataset, not FROM, sets the graphs)."""
    from urbankg.errors import StoreError
    from urbankg.server.result_writers import FormatMismatch, write

    refused = refusal(job)
    if refused is not None:
        return refused
    text = f"BASE <{job.base_iri}>\n{job.sparql}" if job.base_iri else job.sparql
    try:
        result = kg.query(text, default_graph=job.default_graphs or None, named_graphs=job.named_graphs or None)
        written = write(result, job.formats, job.max_rows, job.prefixes, job.max_bytes)
    except StoreError as exc:
        return {"status": "syntax" if "syntax" in str(exc).lower() else "error", "message": str(exc)}
    except FormatMismatch as exc:
        return {"status": "mismatch", "kind": exc.kind}
    return written.reply()


def make_runner(
    kg: KnowledgeGraph, workers: int, isolate_network: bool = True, settings: Settings | None = None
) -> ProcessRunner | InlineRunner:
    """Worker processes for an on-disk Oxigraph store, the inline runner for anything else; ``settings``
    gives the byte cap, the workers' memory and the admission rules (the defaults if None)."""
    settings = settings or Settings(workers=workers)
    store = kg.store
    if isinstance(store, LocalStore) and store.path is not None:
        return ProcessRunner(
            store,
            workers,
            isolate_network,
            max_bytes=settings.max_result_bytes,
            memory_bytes=settings.worker_memory_bytes(),
            admission=Admission.of(settings, workers),
        )
    return InlineRunner(kg, max_bytes=settings.max_result_bytes, admission=Admission.of(settings, None))
