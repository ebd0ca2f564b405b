"""The update probe: a child process that reads a SPARQL update before the store runs it.

Started by :mod:`urbankg.server.update_runner` as ``python -m urbankg.server.update_probe``;
jobs and replies are ``multiprocessing.connection`` messages on stdin and stdout, as for
the query processes. For each update text it

1. parses it with the checking parser (:mod:`sparql_request`): nesting and operator
   chains within bounds, every SERVICE and LOAD found;
2. runs it on an empty in-memory store with Oxigraph, the engine that will run it for
   real: what the engine cannot parse is a syntax error with the engine's own message,
   and a text that crashes the engine crashes this process, not the server.

It runs in its own network namespace (see ``network_isolation``), so step 2
cannot call out even for a text step 1 misread; where the kernel refuses that, step 2
is skipped for texts that step 1 could not read. The parent kills it when a check
outlives the time limit (rdflib's parser is slow on long operator chains).
"""

from __future__ import annotations

import os
import signal
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

from urbankg.server.network_isolation import isolate_network
from urbankg.server.sparql_request import Refused, analyse


def check(text: str, base_iri: str | None, isolated: bool) -> dict:
    try:
        request = analyse(text, "update")
    except Refused as refused:
        if refused.reason == "syntax" and isolated:
            engine_error = _engine_syntax_error(text, base_iri)
            if engine_error is not None:  # the engine's own words, with its line and column
                return {"status": "syntax", "message": engine_error}
        return {"status": "refused", "reason": refused.reason, "message": str(refused)}
    if not (request.services or request.loads):  # those are refused by the parent: no need to run them
        engine_error = _engine_syntax_error(text, base_iri)
        if engine_error is not None:
            return {"status": "syntax", "message": engine_error}
    return {
        "status": "ok",
        "names_dataset": request.names_dataset,
        "services": [(call.target, call.problem) for call in request.services],
        "loads": list(request.loads),
    }


def _engine_syntax_error(text: str, base_iri: str | None) -> str | None:
    try:
        ox.Store().update(text, base_iri=base_iri)
    except SyntaxError as exc:
        return str(exc)
    except (OSError, RuntimeError, ValueError):
        pass  # e.g. DROP GRAPH of a graph an empty store does not have: not the probe's concern
    return None


def main() -> None:
    isolated = isolate_network()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent shuts the probe down
    jobs = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything printed goes to the log, not into the reply channel
    sys.stdout = sys.stderr
    replies.send({"status": "ready", "isolated": isolated})
    try:
        while True:
            text, base_iri = jobs.recv()
            replies.send(check(text, base_iri, isolated))
    except (BrokenPipeError, EOFError, ConnectionResetError):
        pass  # the parent is gone


if __name__ == "__main__":
    main()
