"""The web UI's data: the pages' fixed queries (``ui_queries/*.rq``), run as every client's are.

A page's query runs through the server's query runner: in a query process under the time
limit, through the result cache (a page read twice with no write between is answered from
it) and admission (the reader's share of the processes). The one IRI a page is about reaches
the engine as a pre-bound term, never as query text. A query the server could not answer now
becomes an HTTP error the page shows: 503 with Retry-After at the time limit, as the
catalogue API answers, or the refusal's own status (429, 503).

Costs one query per call (one IPC round trip; none when the answer is kept), and decoding
its JSON result into terms.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import g, request
from werkzeug.exceptions import InternalServerError, ServiceUnavailable, TooManyRequests

from urbankg import formats
from urbankg.server.query_runner import Outcome, QueryError, QueryRefused, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.services import services
from urbankg.server.ui_display import Row

UI_QUERIES = Path(__file__).parent / "ui_queries"
TIMEOUT_RETRY = 5  # seconds a reader is asked to wait after a page's query ran out of time


@cache
def ui_query(name: str) -> str:
    return (UI_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def rows(name: str, resource: str | None = None, default_graphs: list[str] | None = None) -> list[Row]:
    """The solutions of a page's query, as terms (None when unbound); ``default_graphs``
    as the protocol's dataset ("" the store's own default graph, the catalogue)."""
    outcome = run(name, {formats.SOLUTIONS: formats.JSON.key}, resource, default_graphs)
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions), f"{name}.rq is a SELECT query"
    variables = [v.value for v in result.variables]
    return [{v: solution[v] for v in variables} for solution in result]


def holds(name: str, resource: str | None = None) -> bool:
    """The answer of a page's ASK query."""
    outcome = run(name, {formats.BOOLEAN: formats.JSON.key}, resource)
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean), f"{name}.rq is an ASK query"
    return bool(result)


def run(
    name: str, chosen: dict[str, str], resource: str | None = None, default_graphs: list[str] | None = None
) -> Outcome:
    """The page's query ``name``, its answer written in the ``chosen`` formats (result kind -> key)."""
    settings = services().settings
    job = QueryJob(
        ui_query(name),
        chosen,
        settings.max_rows or None,
        substitutions={"resource": str(ox.NamedNode(resource))} if resource else {},
        default_graphs=default_graphs,
        named_graphs=[] if default_graphs is not None else None,
    )
    try:
        return services().runner.run(
            job, settings.query_timeout, fresh=fresh_requested(request.headers), client=requesting_client()
        )
    except QueryTimeout as exc:
        g.refusal = "timeout"
        raise ServiceUnavailable(
            f"This page could not be made in time: its query ran past the server's limit of "
            f"{exc.limit:g} s (URBANKG_QUERY_TIMEOUT). The server may be busy; try again "
            "in a few seconds.",
            retry_after=TIMEOUT_RETRY,
        ) from None
    except QueryRefused as exc:
        g.refusal = exc.reason
        error = TooManyRequests if exc.status == 429 else ServiceUnavailable
        raise error(f"This page could not be made now: {exc}", retry_after=exc.retry_after) from None
    except QueryError as exc:
        # The page's own query failed (a worker lost, the engine): not the reader's doing.
        raise InternalServerError(f"This page's query ({name}) failed: {exc}") from None
