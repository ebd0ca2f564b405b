"""Answers to repeated queries: kept while the store is unchanged, and shared while running.

Scholars reach the same few canned queries from the same pages, and on a large store an
aggregate over the citation network takes seconds. Without this, thirty-two readers of
one page keep two query processes busy with thirty-two runs of the same query, and the
last of them wait past the time limit. So:

- a finished answer is kept, under the store's generation (its count of writes), until the
  store changes or room is needed for newer answers (least recently used goes first);
- a request for a query already running waits for that run instead of starting another.

A query is the same when everything that decides its answer is: the text, the dataset
given by the protocol, the formats, the row cap and the base IRI. Queries that give a
new answer each time (RAND, NOW, UUID, STRUUID, BNODE) are never kept or shared. Only a
store that counts its writes can be cached: a remote endpoint changes behind our back.
A client that asks for a fresh answer (``Cache-Control: no-cache``, as a browser's
forced reload does) gets the query run for it, and that answer is kept.

Only a query that must run counts against its client's share of the query processes
(query_runner's admission): a kept or shared answer is never refused. When the run a
request waits on was refused before it started (its client was over its share, or the
server busy), the request asks on its own account instead of taking that refusal.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from flask import request

from urbankg.errors import DiskFull
from urbankg.server.auth import agent_for_token, presented_token
from urbankg.server.query_runner import (
    ClientOverShare,
    Outcome,
    QueryError,
    QueryFailed,
    QueryTimeout,
    ServerBusy,
    client_key,
)
from urbankg.server.query_worker import QueryJob, job_fields

# Functions whose value differs from one evaluation to the next.
_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def fresh_requested(headers) -> bool:
    """Whether an HTTP request asks for an answer not taken from a cache (RFC 9111, 5.2.1)."""
    control = headers.get("Cache-Control", "").lower().replace(" ", "")
    return (
        "no-cache" in control
        or "max-age=0" in control
        or (not control and "no-cache" in headers.get("Pragma", "").lower())
    )


def requesting_client() -> str | None:
    """Whom the query of the HTTP request being answered counts against: the write token's
    holders (the single token's or a named one), or the request's address."""
    holder = agent_for_token(presented_token()) is not None
    return client_key(request.remote_addr, holder)


@dataclass
class _Running:
    """A query being answered; requests for the same query wait on ``done``."""

    done: threading.Event
    outcome: Outcome | None = None  # set before done, unless error is
    error: QueryError | DiskFull | None = None


class CachedRunner:
    """A query runner (``query_runner``) with its answers kept and shared."""

    def __init__(self, runner, max_bytes: int):
        self.runner = runner
        self.max_bytes = max_bytes
        self.hits = 0  # answered from a kept result
        self.shared = 0  # answered by waiting for the same query already running
        self.misses = 0
        self._kept: OrderedDict[tuple, Outcome] = OrderedDict()
        self._kept_bytes = 0
        self._kept_generation: int | None = None
        self._running: dict[tuple, _Running] = {}
        self._lock = threading.Lock()

    # What the server reads of a runner, passed through.
    @property
    def generation(self) -> int | None:
        return self.runner.generation

    @property
    def alive(self) -> int:
        return self.runner.alive

    @property
    def isolated(self) -> int:
        return self.runner.isolated

    @property
    def timeouts(self) -> int:
        return self.runner.timeouts

    @property
    def restarts(self) -> int:
        return self.runner.restarts

    @property
    def size(self) -> int:
        return self.runner.size

    @property
    def admission(self):
        return self.runner.admission

    @property
    def kept_bytes(self) -> int:
        return self._kept_bytes

    def close(self) -> None:
        self.runner.close()

    def run(self, job: QueryJob, timeout: float, fresh: bool = False, client: str | None = None) -> Outcome:
        """``fresh``: run the query even if its answer is kept or running (the answer is then kept).
        ``client``: whom a run counts against (query_runner.client_key), None for the server's own."""
        generation = self.runner.generation
        if self.max_bytes <= 0 or generation is None or _VOLATILE.search(job.sparql):
            return self.runner.run(job, timeout, client=client)
        key = (generation, json.dumps(job_fields(job), sort_keys=True))
        if fresh:
            with self._lock:
                self._forget_if_changed(generation)
                self.misses += 1
            outcome = self.runner.run(job, timeout, client=client)
            self._keep(key, outcome)
            return outcome
        while True:
            with self._lock:
                self._forget_if_changed(generation)
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
                    self.hits += 1
                    return replace(kept, cache="hit")
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = _Running(threading.Event())
                    self.misses += 1
                    break
            try:
                return self._wait_for(running, timeout)
            except (ClientOverShare, ServerBusy):
                continue  # that run was refused before it started: ask on this request's own account
        try:
            running.outcome = self.runner.run(job, timeout, client=client)
            self._keep(key, running.outcome)
            return running.outcome
        except Exception as error:  # whatever ends the run ends the waits on it too
            running.error = error if isinstance(error, (QueryError, DiskFull)) else QueryFailed(str(error))
            raise
        finally:
            with self._lock:
                del self._running[key]
            running.done.set()

    def _forget_if_changed(self, generation: int) -> None:
        """Under the lock: a store that changed makes every kept answer stale."""
        if generation != self._kept_generation:
            self._kept.clear()
            self._kept_bytes = 0
            self._kept_generation = generation

    def _wait_for(self, running: _Running, timeout: float) -> Outcome:
        # The run may wait for a process first: it ends within that wait and its time limit.
        if not running.done.wait(timeout + self.runner.admission.queue_seconds + 1):
            raise QueryTimeout(timeout)
        if running.error is not None:
            raise running.error
        if running.outcome is None:  # the run ended with neither: it raised before either was set
            raise QueryFailed("the query being answered for another request ended without an answer")
        with self._lock:
            self.shared += 1
        return replace(running.outcome, cache="shared")

    def _keep(self, key: tuple, outcome: Outcome) -> None:
        size = len(outcome.body)
        if size > self.max_bytes // 4:  # one huge answer would push out every other
            return
        with self._lock:
            if key[0] != self._kept_generation:
                return  # the store changed while the query ran
            replaced = self._kept.pop(key, None)
            self._kept_bytes -= len(replaced.body) if replaced else 0
            self._kept[key] = outcome
            self._kept_bytes += size
            while self._kept_bytes > self.max_bytes:
                _, evicted = self._kept.popitem(last=False)
                self._kept_bytes -= len(evicted.body)
