"""``GET /search``: the search box's answers, as a page or as JSON (urbankg.search).

``q`` is the text, ``kind`` (repeatable) the kinds of hit wanted (concept, framework, case,
place, work, person, claim; all by default), ``limit`` how many (1 to MAX_LIMIT, 20 by
default). A client that prefers JSON (``Accept``) or asks ``format=json`` gets
``{"q", "hits": [{"iri", "id", "label", "kind", "matched"}]}``, as the type-ahead of every
page does; a browser gets a page of hits linked to their pages. A kind or a limit that is not
one is a 400 naming the ones there are.

The query is urbankg.search's, run as every page's (ui_data): in a query process under the
time limit, through the result cache (a type-ahead asking again the same text is answered
from it) and admission, with the text pre-bound, never written into the query. Costs that one
query (search.rq says what it reads) and the ranking of the labels that matched.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, abort, g, jsonify, render_template, request
from werkzeug.exceptions import InternalServerError, ServiceUnavailable, TooManyRequests

from urbankg import formats, search
from urbankg.server.http_errors import HttpError
from urbankg.server.query_runner import QueryError, QueryRefused, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.services import services
from urbankg.server.ui_display import local_path

bp = Blueprint("search", __name__, template_folder="templates")

MAX_LIMIT = 100  # hits one answer holds
TIMEOUT_RETRY = 5  # seconds a client is asked to wait after the search ran out of time


@bp.get("/search")
def search_page():
    text = request.args.get("q", "")
    wants_json = _wants_json()
    try:
        kinds = search.check_kinds(request.args.getlist("kind"))
        limit = _limit(request.args.get("limit"))
    except ValueError as exc:
        if wants_json:
            return HttpError(400, str(exc), as_json=True).response()
        abort(400, description=str(exc))
    hits = _hits(text, kinds, limit)
    if wants_json:
        return jsonify(q=text, hits=[vars(hit) for hit in hits])
    return render_template(
        "search.html",
        q=text,
        hits=[(hit, local_path(hit.iri)) for hit in hits],
        kinds=search.KINDS,
        chosen=set(request.args.getlist("kind")),
        too_short=bool(text.strip()) and not search.cleaned(text),
        min_length=search.MIN_LENGTH,
    )


def _hits(text: str, kinds: frozenset[str], limit: int) -> list[search.Hit]:
    bound = search.bindings(text)
    if bound is None:
        return []
    settings = services().settings
    job = QueryJob(
        search.query_text(),
        {formats.SOLUTIONS: formats.JSON.key},
        settings.max_rows or None,
        substitutions={name: str(term) for name, term in bound.items()},
    )
    try:
        outcome = services().runner.run(
            job, settings.query_timeout, fresh=fresh_requested(request.headers), client=requesting_client()
        )
    except QueryTimeout as exc:
        g.refusal = "timeout"
        raise ServiceUnavailable(
            f"The search ran past the server's limit of {exc.limit:g} s (URBANKG_QUERY_TIMEOUT). "
            "The server may be busy; try again in a few seconds.",
            retry_after=TIMEOUT_RETRY,
        ) from None
    except QueryRefused as exc:
        g.refusal = exc.reason
        error = TooManyRequests if exc.status == 429 else ServiceUnavailable
        raise error(f"The search could not run now: {exc}", retry_after=exc.retry_after) from None
    except QueryError as exc:
        raise InternalServerError(f"The search's query failed: {exc}") from None
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions), "search.rq is a SELECT query"
    names = [v.value for v in result.variables]
    return search.ranked(({name: row[name] for name in names} for row in result), kinds, limit)


def _limit(given: str | None) -> int:
    if given is None or given == "":
        return search.DEFAULT_LIMIT
    try:
        limit = int(given)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit={given!r} is not a number of hits: give one from 1 to {MAX_LIMIT}")
    return limit


def _wants_json() -> bool:
    if request.args.get("format", "").lower() == "json":
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
