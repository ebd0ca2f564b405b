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
worker says so and runs without it.

With ``--memory-bytes N`` the worker may allocate at most N bytes (``RLIMIT_DATA``: heap
and private mappings, so neither the store's files nor thread stacks count against it).
The engine builds every value whole in memory: a query that doubles a string thirty times
asks for gigabytes before the first row could be cut by the byte cap. Past the limit
the engine aborts the process (Rust cannot recover from a failed allocation), which the
parent reports as a query that crashed the engine; Python code gets a MemoryError,
answered as such.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from urbankg.server import service_guard
from urbankg.server.network_isolation import isolate_network
from urbankg.server.result_writers import FormatMismatch, write
from urbankg.server.sparql_request import Refused, analyse


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


def execute(store: ox.Store, job: QueryJob, isolated: bool = False) -> dict:
    """Run one job; the reply is a plain dict so it crosses the process boundary as is."""
    refused = refusal(job, isolated)
    if refused is not None:
        return refused
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
    return {"status": "ok", "kind": written.kind, "body": written.body, "rows": written.rows,
            "truncated": written.truncated, "limit": written.limit}


def limit_memory(limit: int) -> None:
    """Allow the process at most ``limit`` bytes of data (heap and private mappings)."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main() -> None:
    arguments = sys.argv[1:]
    isolated = "--isolate-network" in arguments and isolate_network()
    if "--memory-bytes" in arguments:
        limit_memory(int(arguments[arguments.index("--memory-bytes") + 1]))
    # The parent handles Ctrl-C and shuts workers down; a worker must not die half-way
    # through writing a reply because the terminal sent SIGINT to the process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    jobs = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything printed goes to the log, not into the reply channel
    sys.stdout = sys.stderr
    try:
        serve(jobs, replies, isolated)
    except (BrokenPipeError, EOFError, ConnectionResetError):
        pass  # the parent is gone: nothing left to do


def serve(jobs: Connection, replies: Connection, isolated: bool) -> None:
    store, opened = None, None
    replies.send({"status": "ready", "pid": os.getpid(), "isolated": isolated})
    while True:
        snapshot, fields = jobs.recv()  # the job as a dict: no class to unpickle
        job = QueryJob(**fields)
        if snapshot != opened:
            store = None  # release the old snapshot before opening the new one
            try:
                store = ox.Store.read_only(snapshot)
                opened = snapshot
            except OSError as exc:
                opened = None
                replies.send({"status": "error", "message": f"cannot open the store snapshot {snapshot}: {exc}"})
                continue
        replies.send(execute(store, job, isolated))


if __name__ == "__main__":
    main()
