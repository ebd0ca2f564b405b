"""Where writes run: SPARQL updates read by a probe process, every write applied on one thread.

A query can run in a killable process on a snapshot; an update cannot, because only one
process may open the store for writing and the server is that process. So an update
crosses two walls instead:

* **the probe** (:mod:`update_probe`), a child process without network, parses the text
  with the checking parser and runs it on an empty in-memory store. A text that would
  crash the engine (a stack overflow on deep nesting) crashes the probe, which is
  replaced, and the client gets a 400; a check that outlives the time limit is killed.
  SERVICE and LOAD found by the check are refused (``service_guard``).
* **the writer thread** applies the update to the store. Every write of the server (SPARQL
  updates, Graph Store PUT, POST and DELETE, the validate-and-load page) runs on this one
  thread, in order, so a write that reads before it writes (a Graph Store POST merges
  into the graph it finds) never interleaves with another. The thread has a large stack
  (64 MB, where the engine overflowed 8 MB on operator chains of 10,000) and, on the
  embedded store, a network namespace of its own with no interfaces, so even a text both
  parsers misread cannot make the engine fetch anything. Creating a network namespace
  needs CAP_SYS_ADMIN (root, or a container that grants it); without it the thread runs
  with the machine's network, and ``writer_isolated`` says so (``/health``, the startup
  log). A store reached over HTTP (a remote SPARQL endpoint) needs the network: its writes
  run on the same thread, unisolated, and that endpoint executes them.

Costs: one round trip to the probe plus its parse (tens of milliseconds for a short
update; rdflib reads INSERT DATA at about 0.6 ms a triple) and a thread hand-off.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import weakref
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection

from urbankg.server.network_isolation import isolate_network_of_thread
from urbankg.server.sparql_request import Refused, ServiceCall

PROBE_START_TIMEOUT = 60.0
WRITER_STACK = 64 * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpdate:
    names_dataset: bool
    services: tuple[ServiceCall, ...]
    loads: tuple[str, ...]


class UpdateRunner:
    def __init__(self, isolate_writer: bool):
        self._isolate_writer = isolate_writer
        self._probe_lock = threading.Lock()
        self._probe: subprocess.Popen | None = None
        self._processes: set[subprocess.Popen] = set()  # the probe, for the finalizer
        self._jobs: Connection | None = None
        self._replies: Connection | None = None
        self.probe_isolated = False
        self.crashes = 0
        self._writes: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None
        self._writer_ready = threading.Event()
        self.writer_isolated = False
        self._ensure_writer()  # at once, so /health can say whether updates have network
        # The probe must not outlive the server, whatever way it ends.
        self._finalizer = weakref.finalize(self, _kill, self._processes)

    # -- the probe ---------------------------------------------------------------------

    def check(self, text: str, base_iri: str | None, timeout: float) -> CheckedUpdate:
        """Read ``text`` in the probe; :class:`Refused` when it is not to be run (reasons beyond
        the parser's: crash, timeout, unavailable)."""
        with self._probe_lock:  # one check at a time: updates are applied one at a time anyway
            jobs, replies = self._ensure_probe()
            try:
                jobs.send((text, base_iri))
                if not replies.poll(timeout):
                    self._stop_probe()
                    raise Refused(
                        "timeout",
                        f"the update could not be checked within {timeout:g} s "
                        "(very long operator chains are slow to read); shorten it",
                    )
                reply = replies.recv()
            except (EOFError, OSError):
                code = self._stop_probe()
                self.crashes += 1
                raise Refused(
                    "crash",
                    "the update crashed the SPARQL engine while it was checked "
                    f"(exit {code}), so it was not run: is it nested or chained too "
                    "deeply? Split it into simpler operations",
                ) from None
        status = reply.get("status")
        if status == "ok":
            return CheckedUpdate(
                reply["names_dataset"], tuple(ServiceCall(*call) for call in reply["services"]), tuple(reply["loads"])
            )
        if status == "syntax":
            raise Refused("syntax", f"SPARQL update syntax error: {reply['message']}")
        raise Refused(reply.get("reason", "syntax"), reply.get("message", "the update was refused"))

    def _ensure_probe(self) -> tuple[Connection, Connection]:
        """The running probe's connections (jobs, replies), started first when there is none."""
        if (
            self._probe is not None
            and self._probe.poll() is None
            and self._jobs is not None
            and self._replies is not None
        ):
            return self._jobs, self._replies
        self._stop_probe()
        process = subprocess.Popen(
            [sys.executable, "-m", "urbankg.server.update_probe"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        stdin, stdout = process.stdin, process.stdout
        assert stdin is not None and stdout is not None  # both are pipes (PIPE above)
        jobs = Connection(os.dup(stdin.fileno()), readable=False)
        replies = Connection(os.dup(stdout.fileno()), writable=False)
        stdin.close()
        stdout.close()
        self._probe, self._jobs, self._replies = process, jobs, replies
        self._processes.add(process)
        try:
            ready = replies.recv() if replies.poll(PROBE_START_TIMEOUT) else {}
        except (EOFError, OSError):
            ready = {}
        if ready.get("status") != "ready":
            code = self._stop_probe()
            raise Refused("unavailable", f"the update checker did not start (exit code {code}); see the server's log")
        self.probe_isolated = bool(ready.get("isolated"))
        return jobs, replies

    def _stop_probe(self) -> int | None:
        process, self._probe = self._probe, None
        for connection in (self._jobs, self._replies):
            if connection is not None:
                connection.close()
        self._jobs = self._replies = None
        if process is None:
            return None
        self._processes.discard(process)
        return _kill({process})

    # -- the writer thread -------------------------------------------------------------

    def apply(self, work):
        """Run ``work()`` on the writer thread, after the writes before it; its result or exception here.

        Every write of the server goes through here (SPARQL updates, Graph Store writes), so
        a write that reads before it writes (a Graph Store POST merges into what is there)
        never interleaves with another."""
        self._ensure_writer()
        done: Future = Future()
        self._writes.put((work, done))
        return done.result()

    def _ensure_writer(self) -> None:
        with self._probe_lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="urbankg-update-writer", daemon=True)
                previous = threading.stack_size(WRITER_STACK)
                try:
                    self._writer.start()
                finally:
                    threading.stack_size(previous)
        self._writer_ready.wait()

    def _write_loop(self) -> None:
        if self._isolate_writer:
            self.writer_isolated = isolate_network_of_thread()
            if not self.writer_isolated:
                print(
                    "urbankg: updates run with the machine's network: creating a network namespace needs "
                    "CAP_SYS_ADMIN; SERVICE and LOAD are still refused by the update check",
                    file=sys.stderr,
                )
        self._writer_ready.set()
        while True:
            item = self._writes.get()
            if item is None:
                return
            work, done = item
            try:
                done.set_result(work())
            except BaseException as exc:  # handed to the request thread, which raises it
                done.set_exception(exc)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the probe and the writer thread (after the update it is applying, if any)."""
        with self._probe_lock:
            self._stop_probe()
            writer = self._writer
        if writer is not None:
            self._writes.put(None)
            writer.join(timeout)


def _kill(processes: set[subprocess.Popen]) -> int | None:
    code = None
    for process in list(processes):
        if process.poll() is None:
            process.kill()
        code = process.wait()
    processes.clear()
    return code
