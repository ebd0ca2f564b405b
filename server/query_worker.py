"""One query process: runs SPARQL queries on a read-only snapshot of the store, one at a time.

Started by :mod:`urbankg.server.query_runner` as ``python -m urbankg.server.query_worker``.
It reads jobs from stdin and writes replies to stdout, both as
``multiprocessing.connection`` messages (length-prefixed pickles between two processes
of the same program). The parent kills it when a query outlives its time limit: that
is the only way to stop a pyoxigraph query, which has no timeout of its own.

It imports pyoxigraph, the result writers and rdflib's SPARQL parser (the checking parser
reads every client's text here, where a slow parse is stopped by the time limit and a
crash costs one process): it starts in about half a second.

With ``--isolate-network`` (the server's default, when no SERVICE endpoint is allowed)
the worker first moves itself into new user and network namespaces, where no network
exists: whatever text reached the engine, it cannot call out. This backs the SERVICE
guard (which refuses before the engine runs); where the kernel does not allow it, the
worker says so and runs without it. When an allow-list is configured, the worker keeps
the network, but only for queries in which the checking parser found SERVICE calls (to
allowed endpoints, or they would have been refused): every other query runs on a thread
in a network namespace of its own (:class:`OfflineThread`).

With ``--memory-bytes N`` the worker may allocate at most N bytes (``RLIMIT_DATA``: heap
and private mappings, so neither the store's files nor thread stacks count against it).
The engine builds every value whole in memory: a query that doubles a string thirty times
asks for gigabytes before the first row could be cut by the byte cap. Past the limit
the engine aborts the process (Rust cannot recover from a failed allocation), which the
parent reports as a query that crashed the engine; Python code gets a MemoryError,
answered as such.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import resource
import signal
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from multiprocessing.connection import Connection

import pyoxigraph as ox

from urbankg.server import service_guard
from urbankg.server.network_isolation import isolate_network, isolate_network_of_thread, unshare_user_namespace
from urbankg.server.result_writers import FormatMismatch, write
from urbankg.server.sparql_request import Refused, analyse
from urbankg.store import QueryEngine


@dataclass
class QueryJob:
    sparql: str
    formats: dict[str, str]  # result kind -> format key, e.g. {"solutions": "json", "graph": "turtle"}
    max_rows: int | None
    base_iri: str | None = None
    max_bytes: int | None = None  # None: the runner's cap (URBANKG_MAX_RESULT_BYTES)
    # The protocol's dataset (default-graph-uri, named-graph-uri). None: not given. In
    # default_graphs, "" stands for the store's own default graph.
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    names_dataset: bool = False  # the query has FROM / FROM NAMED
    prefixes: dict[str, str] = field(default_factory=dict)  # for Turtle and TriG output
    # None for the server's own texts; for a client's text, the SERVICE endpoints it may call:
    # the text is then read by the checking parser before the engine sees it.
    service_allow: tuple[str, ...] | None = None
    # Pre-bound values (SEP-0007), variable name -> the term in N-Triples syntax: a canned
    # query's parameters cross the process boundary as text and are never spliced into the query.
    substitutions: dict[str, str] = field(default_factory=dict)


JOB_FIELDS = fields(QueryJob)


def job_fields(job: QueryJob) -> dict:
    """The job as a plain dict, to cross the process boundary or to key the result cache. Not
    dataclasses.asdict, which deep-copies every list and dict: a tenth of a millisecond per query
    for the output prefixes alone, and the job is neither changed nor kept."""
    return {f.name: getattr(job, f.name) for f in JOB_FIELDS}


def dataset_options(job: QueryJob) -> dict:
    """pyoxigraph options that give the job's dataset.

    The protocol's dataset wins over FROM; with none, the query's own FROM is used; with
    neither, the default graph is the union of all graphs (urbankg's convention).
    """
    if job.default_graphs is not None or job.named_graphs is not None:
        return {
            "default_graph": [ox.DefaultGraph() if g == "" else ox.NamedNode(g) for g in job.default_graphs or []],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []],
        }
    if job.names_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def parse_term(text: str):
    """An RDF term from its N-Triples form (pyoxigraph parses terms only inside statements)."""
    return next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object


def refusal(job: QueryJob, isolated: bool = False) -> dict | None:
    """For a client's text: a reply refusing it, or None (then ``job.names_dataset`` is set)."""
    if job.service_allow is None:
        return None
    try:
        request = analyse(job.sparql, "query")
    except Refused as refused:
        if refused.reason == "syntax" and isolated:
            try:  # the engine's own message, with its line and column; on no data, without network
                ox.Store().query(job.sparql, base_iri=job.base_iri)
            except SyntaxError as exc:
                return {"status": "syntax", "message": str(exc)}
            except (OSError, RuntimeError, ValueError):
                pass
        return {"status": "forbidden", "reason": refused.reason, "message": str(refused)}
    found = service_guard.query_refusal(request.services, job.service_allow)
    if found is not None:
        return {"status": "forbidden", "reason": found.reason, "message": found.message}
    job.names_dataset = request.names_dataset
    return None


def execute(store: QueryEngine, job: QueryJob, isolated: bool = False) -> dict:
    """Check and run one job; the reply is a plain dict so it crosses the process boundary as is."""
    return refusal(job, isolated) or _run(store, job)


def _run(store: QueryEngine, job: QueryJob) -> dict:
    """Run a job that has passed :func:`refusal`."""
    try:
        options = dataset_options(job)
        if job.substitutions:
            options["substitutions"] = {ox.Variable(k): parse_term(v) for k, v in job.substitutions.items()}
        result = store.query(job.sparql, base_iri=job.base_iri, **options)
        written = write(result, job.formats, job.max_rows, job.prefixes, job.max_bytes)
    except SyntaxError as exc:
        return {"status": "syntax", "message": str(exc)}
    except FormatMismatch as exc:
        return {"status": "mismatch", "kind": exc.kind}
    except MemoryError:
        return {"status": "memory"}
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        return {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    return written.reply()


def limit_memory(limit: int) -> None:
    """Allow the process at most ``limit`` bytes of data (heap and private mappings)."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main() -> None:
    arguments = sys.argv[1:]
    if "--isolate-network" in arguments:
        isolated, offline = isolate_network(), None
    else:
        # An allow-list is configured: the process keeps the network for the queries whose
        # SERVICE endpoints the checking parser found on it, and every other query runs on
        # a thread that has none.
        isolated, offline = False, OfflineThread.start()
    if "--memory-bytes" in arguments:
        limit_memory(int(arguments[arguments.index("--memory-bytes") + 1]))
    # The parent handles Ctrl-C and shuts workers down; a worker must not die half-way
    # through writing a reply because the terminal sent SIGINT to the process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    jobs = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything printed goes to the log, not into the reply channel
    sys.stdout = sys.stderr
    # The pipes break when the parent is gone: nothing left to do then.
    with contextlib.suppress(BrokenPipeError, EOFError, ConnectionResetError):
        serve(jobs, replies, isolated, offline)


class OfflineThread:
    """One thread of this process in a network namespace of its own, running what it is given.

    Made possible by a user namespace of the process's own (which grants the capability to
    create network namespaces inside it) while the process keeps the machine's network.
    """

    def __init__(self):
        self._work: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self.isolated = False

    @classmethod
    def start(cls) -> OfflineThread | None:
        if not unshare_user_namespace():
            return None
        offline = cls()
        threading.Thread(target=offline._loop, name="urbankg-offline-query", daemon=True).start()
        offline._ready.wait()
        return offline if offline.isolated else None

    def run(self, work):
        done: Future = Future()
        self._work.put((work, done))
        return done.result()

    def _loop(self) -> None:
        self.isolated = isolate_network_of_thread()
        self._ready.set()
        while True:
            work, done = self._work.get()
            try:
                done.set_result(work())
            except BaseException as exc:
                done.set_exception(exc)


def calls_out(job: QueryJob) -> bool:
    """A client's query that names a SERVICE (by now, only allowed ones are left)."""
    return job.service_allow is not None and bool(analyse(job.sparql, "query").services)


def serve(jobs: Connection, replies: Connection, isolated: bool, offline: OfflineThread | None = None) -> None:
    store: ox.Store | None = None
    opened = None
    replies.send({"status": "ready", "pid": os.getpid(), "isolated": isolated, "offline_thread": offline is not None})
    while True:
        snapshot, fields = jobs.recv()  # the job as a dict: no class to unpickle
        job = QueryJob(**fields)
        if store is None or snapshot != opened:
            store = None  # release the old snapshot before opening the new one
            try:
                store = ox.Store.read_only(snapshot)
                opened = snapshot
            except OSError as exc:
                opened = None
                replies.send({"status": "error", "message": f"cannot open the store snapshot {snapshot}: {exc}"})
                continue
        refused = refusal(job, isolated)
        if refused is not None:
            replies.send(refused)
        elif offline is not None and not calls_out(job):
            replies.send(offline.run(functools.partial(_run, store, job)))
        else:
            replies.send(_run(store, job))


if __name__ == "__main__":
    main()
