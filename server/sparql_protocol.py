"""/sparql: the SPARQL 1.1 Protocol (query and update), and the Service Description.

Queries arrive by GET (``?query=``), by POST of a form (``query=``) or by POST of the
query itself (``Content-Type: application/sparql-query``); updates only by POST (form
``update=`` or ``application/sparql-update``) and only with the write token. The
dataset comes from ``default-graph-uri`` / ``named-graph-uri`` (queries) and
``using-graph-uri`` / ``using-named-graph-uri`` (updates), which win over the text's
own FROM; with neither, the default graph is the union of all graphs.

Every query is read by the checking parser (sparql_request: its form, its FROM, its
SERVICE calls, its depth) in a killable query process without network, refused there
if it calls out (service_guard) or is built to crash the engine, and otherwise run in
that process under the time limit, with results cut at the row and byte limits. The
relative IRIs of a query or update resolve against the endpoint's own URL (the
protocol's "service-defined BASE").

Updates are read first by the update probe, a child process without network (see
update_runner); SERVICE and LOAD are refused. They then run on the server's one writer
thread, which has no network either, through the write path (urbankg.write_path): on a
scratch copy of the store, after which every graph the update changed is validated with
the SHACL gate of ``urbankg load`` and committed in one transaction, recorded under the
name of the token that sent it. An update that would leave a graph failing a shape is a
400 with the shapes' messages (each naming its graph and node); one that writes the
default graph (urbankg's catalogue) is a 400 saying to name a graph; one that drops,
clears or empties a graph another writer created is a 409 naming the graph and its
creator, unless the request carries ``replace=true`` (URL or form parameter). Nothing is
written then. Updates are not under the time limit: a running write cannot be killed
without losing it, and only token holders can send one. ``CLEAR`` of a graph that does
not exist succeeds (it is sent as CLEAR SILENT), as in stores that keep no empty graphs
and as the W3C protocol tests expect. A success is 204, without a body or a type.
"""

from __future__ import annotations

import contextlib
import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from urbankg import formats
from urbankg.errors import ClaimConflict, SourceError, StoreError
from urbankg.queries.catalogue import shown
from urbankg.results import TABLE_PREFIXES
from urbankg.server import negotiation, service_description, service_guard
from urbankg.server.auth import require_write_token
from urbankg.server.http_errors import HttpError, no_content
from urbankg.server.negotiation import NotAcceptable
from urbankg.server.query_runner import (
    QueryCrashed,
    QueryFailed,
    QueryForbidden,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ResultKindMismatch,
)
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.result_writers import serialize_triples
from urbankg.server.services import services
from urbankg.server.sparql_request import Refused
from urbankg.server.sparql_text import scan
from urbankg.server.update_runner import CheckedUpdate

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
OUTPUT_PREFIXES = {prefix.rstrip(":"): namespace for prefix, namespace in TABLE_PREFIXES.items()}
SD_FORMATS = [formats.TURTLE, formats.NTRIPLES, formats.JSONLD, formats.RDFXML, formats.TRIG]


def endpoint_url() -> str:
    """This endpoint's URL, the base of relative IRIs; made from the Host header, so checked."""
    url = request.host_url.rstrip("/") + "/sparql"
    try:
        ox.NamedNode(url)
    except ValueError:
        raise protocol_error(
            f"the Host header makes {url!r}, which is not an IRI; send the server's own host name"
        ) from None
    return url


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql():
    params, body_operation = read_request()
    queries, updates = params.get("query", []), params.get("update", [])
    if body_operation is not None:
        (queries if body_operation[0] == "query" else updates).append(body_operation[1])
    if queries and updates:
        raise protocol_error("a request carries either a query or an update, not both")
    if len(queries) > 1 or len(updates) > 1:
        raise protocol_error(
            f"the request has {len(queries) or len(updates)} "
            f"{'query' if queries else 'update'} parameters; send exactly one"
        )
    if updates:
        if request.method != "POST":
            raise protocol_error(
                "updates must be sent with POST (a form with update=, or the update itself with "
                f"Content-Type: {UPDATE_TYPE}); GET only queries"
            )
        return run_update(updates[0], params)
    if queries:
        return run_query(queries[0], params)
    if request.method == "POST":
        raise protocol_error("the POST carries neither query= nor update=")
    return service_description_response()


def read_request() -> tuple[dict[str, list[str]], tuple[str, str] | None]:
    """The protocol parameters (URL and form) and, for a direct POST, ("query"|"update", text)."""
    params = {key: request.args.getlist(key) for key in request.args}
    if request.method != "POST":
        return params, None
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if not mimetype:
        raise protocol_error(f"a POST needs a Content-Type: {FORM} (query= or update=), {QUERY_TYPE} or {UPDATE_TYPE}")
    if charset not in ("utf-8", "utf8"):
        raise protocol_error(f"the body is declared {charset}: SPARQL requests must be UTF-8 (charset=utf-8)")
    if mimetype == FORM:
        for key in request.form:
            params.setdefault(key, []).extend(request.form.getlist(key))
        return params, None
    if mimetype in (QUERY_TYPE, UPDATE_TYPE):
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise protocol_error(f"the body is not UTF-8 (byte {exc.start}): SPARQL requests must be UTF-8") from None
        return params, ("query" if mimetype == QUERY_TYPE else "update", text)
    raise protocol_error(f"Content-Type {mimetype} is not a SPARQL request: use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")


def protocol_error(message: str) -> HttpError:
    return HttpError(400, f"SPARQL protocol: {message}.", refusal="protocol")


def graph_iris(params: dict[str, list[str]], name: str) -> list[str] | None:
    values = params.get(name)
    if values is None:
        return None
    for value in values:
        try:
            # The engine's own IRI parser: a value it would reject must not reach the query process.
            ox.NamedNode(value)
        except ValueError as exc:
            raise protocol_error(
                f"{name}={shown(value)} is not an absolute IRI ({exc}); "
                "give one like https://w3id.org/urbankg/graph/lin-2019"
            ) from None
    return values


# -- queries ---------------------------------------------------------------------------


def run_query(text: str, params: dict[str, list[str]]) -> Response:
    if not text.strip():
        raise protocol_error("the query is empty")
    for name, instead in (("using-graph-uri", "default-graph-uri"), ("using-named-graph-uri", "named-graph-uri")):
        if name in params:
            raise protocol_error(f"{name} sets the dataset of an update; for a query use {instead}")
    current = services().settings
    asked = params.get("format") or params.get("output")
    format_param = asked[0] if asked else None
    chosen: dict[str, str] = {}  # a kind left out has no acceptable format: its result is a 406
    for kind in formats.ANSWERS:
        with contextlib.suppress(NotAcceptable):
            chosen[kind] = negotiation.choose(kind, request.headers.get("Accept"), format_param).key
    # What the text is (its form, its FROM, its SERVICE calls) is decided by the checking
    # parser in the query process, where neither a slow parse nor a crash can hurt the server.
    job = QueryJob(
        sparql=text,
        formats=chosen,
        max_rows=current.max_rows,
        base_iri=endpoint_url(),
        default_graphs=graph_iris(params, "default-graph-uri"),
        named_graphs=graph_iris(params, "named-graph-uri"),
        prefixes=OUTPUT_PREFIXES,
        service_allow=current.service_allow,
    )
    try:
        outcome = services().runner.run(
            job, current.query_timeout, fresh=fresh_requested(request.headers), client=requesting_client()
        )
    except QuerySyntaxError as error:
        raise HttpError(400, f"SPARQL syntax error: {error}") from None
    except QueryForbidden as error:
        raise HttpError(400, str(error), refusal=error.reason) from None
    except QueryCrashed as error:
        raise HttpError(400, str(error)) from None
    except ResultKindMismatch as error:
        raise not_acceptable(error.kind, format_param) from None
    except QueryRefused as error:
        raise HttpError(
            error.status, str(error), headers={"Retry-After": str(error.retry_after)}, refusal=error.reason
        ) from None
    except QueryTimeout as error:
        raise HttpError(503, str(error), headers={"Retry-After": "5"}, refusal="timeout") from None
    except QueryFailed as error:
        raise HttpError(500, f"the query failed: {error}") from None
    fmt = formats.by_key(chosen[outcome.kind])
    response = Response(outcome.body, 200, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Urbankg-Rows"] = str(outcome.rows)
    response.headers["X-Urbankg-Cache"] = outcome.cache
    if outcome.truncated:
        response.headers["X-Urbankg-Truncated"] = "true"
        if outcome.limit == "bytes":
            response.headers["X-Urbankg-Max-Bytes"] = str(current.max_result_bytes)
        else:
            response.headers["X-Urbankg-Max-Rows"] = str(current.max_rows)
        services().metrics.count_truncated(outcome.limit or "rows")
    return response


def not_acceptable(kind: str, format_param: str | None) -> HttpError:
    asked = f"format={format_param}" if format_param else f"Accept: {request.headers.get('Accept', '')}"
    return HttpError(406, str(NotAcceptable(kind, asked)), refusal="not-acceptable")


# -- updates ---------------------------------------------------------------------------


def run_update(text: str, params: dict[str, list[str]]) -> Response:
    agent = require_write_token("a SPARQL update")  # the writer the history records
    replace_theirs = replace_flag(params)
    if not text.strip():
        raise protocol_error("the update is empty")
    for name, instead in (("default-graph-uri", "using-graph-uri"), ("named-graph-uri", "using-named-graph-uri")):
        if name in params:
            raise protocol_error(f"{name} sets the dataset of a query; for an update use {instead}")
    using = graph_iris(params, "using-graph-uri") or []
    using_named = graph_iris(params, "using-named-graph-uri") or []
    if using or using_named:
        if checked_update(text, lines_before=0).names_dataset:
            raise protocol_error(
                "the update names its dataset with USING or WITH and the request also gives "
                "using-graph-uri / using-named-graph-uri; use one or the other"
            )
        text = scan(text).with_using(using, using_named)
    # The relative IRIs of an update resolve against the endpoint (its BASE line is one line
    # ahead of the client's text: line numbers in messages are corrected for it).
    text = f"BASE <{endpoint_url()}>\n{scan(text).with_silent_clear()}"
    checked = checked_update(text, lines_before=1)  # exactly the text the store will run
    refusal = service_guard.update_refusal(checked.services, checked.loads)
    if refusal is not None:
        raise HttpError(400, refusal.message, refusal=refusal.reason)
    writes = services().writes
    try:
        # The write path runs it on a scratch copy, validates the graphs it changed, and commits
        # them with who wrote them; on the writer thread, in turn with every other write.
        services().updates.apply(lambda: writes.update(text, agent, origin="SPARQL update", replace=replace_theirs))
    except SourceError as error:
        report = "\n".join(str(p) for p in error.problems)
        raise HttpError(
            400,
            f"the update would leave graphs that fail validation; nothing was written:\n{report}",
            refusal="update-shapes",
        ) from None
    except ClaimConflict as error:
        raise HttpError(
            409, f"{error} Over HTTP: send the update again with replace=true to replace it.", refusal="claim"
        ) from None
    except StoreError as error:
        # The engine's own exception says whose fault it is: the text (a graph that does not
        # exist) or the store (I/O); the write path's own refusals (the default graph) have no cause.
        status = 500 if isinstance(error.__cause__, OSError) else 400
        raise HttpError(status, _shift_lines(str(error), 1)) from None
    return no_content()


def replace_flag(params: dict[str, list[str]]) -> bool:
    """``replace=true``: the update may drop or clear graphs other writers created."""
    values = [v.strip().lower() for v in params.get("replace", [])]
    if any(v not in ("true", "false", "1", "0", "yes", "no", "") for v in values):
        raise protocol_error(f"replace={shown(values[0])}: send replace=true or replace=false")
    return any(v in ("true", "1", "yes") for v in values)


def checked_update(text: str, lines_before: int) -> CheckedUpdate:
    """The update as the probe read it (see update_runner), or a 400 saying why it is refused."""
    try:
        return services().updates.check(text, None, services().settings.query_timeout)
    except Refused as refused:
        # The checker not starting is the server's trouble, not the text's.
        status, headers = (503, {"Retry-After": "5"}) if refused.reason == "unavailable" else (400, None)
        raise HttpError(
            status, _shift_lines(str(refused), lines_before), headers=headers, refusal=f"update-{refused.reason}"
        ) from None


def _shift_lines(message: str, lines: int) -> str:
    """Line numbers in the parsers' messages, counted in the client's text."""
    shifted = re.sub(
        r"error at (\d+):(\d+)", lambda m: f"error at {max(int(m.group(1)) - lines, 1)}:{m.group(2)}", message
    )
    return re.sub(r"at line (\d+)", lambda m: f"at line {max(int(m.group(1)) - lines, 1)}", shifted)


# -- the service description -----------------------------------------------------------


def service_description_response() -> BaseResponse:
    accept = request.headers.get("Accept")
    ranges = negotiation.parse_accept(accept)
    format_param = request.args.get("format")
    if not format_param and ranges and "ui.query_editor" in current_app.view_functions:
        rdf_q = max(negotiation.quality(t, ranges) for f in SD_FORMATS for t in f.media_types)
        if negotiation.quality("text/html", ranges) > rdf_q:
            return redirect(url_for("ui.query_editor"))  # a person with a browser: the query editor
    try:
        fmt = negotiation.choose("graph", accept, format_param, SD_FORMATS)
    except NotAcceptable:
        offered = ", ".join(f.media_type for f in SD_FORMATS)
        raise HttpError(406, f"the service description can be had as {offered}", refusal="not-acceptable") from None
    statistics = services().statistics.get()
    triples = service_description.describe(endpoint_url(), services().settings, statistics)
    body = serialize_triples(triples, fmt, service_description.PREFIXES)
    response = Response(body, 200, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response
