"""The canned-query catalogue over HTTP: a JSON/CSV API, its OpenAPI 3.1 document, and pages.

Everything here is generated from the ``#+`` headers of the .rq files (urbankg.catalogue):
adding a query file adds its API path, its OpenAPI entry and its page.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify, render_template, request
from markupsafe import Markup

from urbankg import __version__, formats
from urbankg.errors import UrbankgError
from urbankg.queries.catalogue import CannedQuery, Catalogue, ParameterError, check_class, shown
from urbankg.results import show_term
from urbankg.server.pictures import Edge, Node, bars_svg, matrix_svg, two_column_svg
from urbankg.server.query_runner import QueryError, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.services import services

bp = Blueprint("catalogue", __name__)


@cache
def catalogue() -> Catalogue:
    return Catalogue()


def run(query: CannedQuery, params: dict[str, str]) -> tuple[list[str], list[dict], bool]:
    """Columns, rows (term objects) and whether the row cap cut the result."""
    outcome = _execute(query, params)
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions), f"{query.name} is a SELECT query"  # the catalogue checks
    columns = [v.value for v in result.variables]
    rows = [{c: solution[c] for c in columns} for solution in result]
    return columns, rows, outcome.truncated


def run_for_values(query: CannedQuery, params: dict[str, str]) -> tuple[list[str], list[dict], bool]:
    """As :func:`run`, with each term reduced to its value (None when unbound): what the
    API gives. Read with the json module, which is several times quicker than making
    term objects for every cell of a large result."""
    outcome = _execute(query, params)
    document = json.loads(outcome.body)
    columns = document["head"]["vars"]
    rows = [{c: b[c]["value"] if c in b else None for c in columns} for b in document["results"]["bindings"]]
    return columns, rows, outcome.truncated


def _execute(query: CannedQuery, params: dict[str, str]):
    """Run like any other query: in a query process, under the server's time limit and row
    cap, the parameters pre-bound."""
    bound = query.substitutions(params)
    for name, term in bound.items():
        check_class(services().kg, query.parameters[name], term)
    settings = services().settings
    job = QueryJob(
        query.sparql,
        {formats.SOLUTIONS: formats.JSON.key},
        settings.max_rows,
        substitutions={name: str(term) for name, term in bound.items()},
    )
    try:
        return services().runner.run(
            job, settings.query_timeout, fresh=fresh_requested(request.headers), client=requesting_client()
        )
    except QueryTimeout as exc:
        raise Unanswered(f"the query ran past the server's limit of {exc.limit:g} s", 503, 5) from exc
    except QueryError as exc:
        # A refusal for load carries its own status (429, 503) and when to come back.
        raise Unanswered(
            f"the query failed: {exc}", getattr(exc, "status", 503), getattr(exc, "retry_after", None)
        ) from exc


class Unanswered(UrbankgError):
    """The server could not answer now (the time limit, the load, the store): not the asker's fault."""

    def __init__(self, message: str, status: int, retry_after: int | None):
        super().__init__(message)
        self.status = status
        self.headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}


def _params() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "format"}


def _error(error: UrbankgError):
    body = {"error": str(error)}
    if isinstance(error, ParameterError):
        body["parameter"] = error.parameter
    return jsonify(body), *_status(error)


def _status(error: UrbankgError) -> tuple[int, dict[str, str]]:
    """400 for a value the query cannot take; else the server could not answer (503, or the refusal's own)."""
    if isinstance(error, ParameterError):
        return 400, {}
    if isinstance(error, Unanswered):
        return error.status, error.headers
    return 503, {}


@bp.get("/api/queries")
def list_queries():
    return jsonify([_describe(q) for q in catalogue().queries.values()])


@bp.get("/api/queries/<name>")
def answer(name: str):
    fmt = None
    for suffix in (".json", ".csv"):
        if name.endswith(suffix):
            name, fmt = name[: -len(suffix)], suffix[1:]
    if name not in catalogue().queries:
        return jsonify(error=f"no canned query named {shown(name)}", queries=list(catalogue().queries)), 404
    if fmt is None:
        fmt = request.args.get("format") or (
            "csv" if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv" else "json"
        )
    if fmt not in ("json", "csv"):
        return jsonify(error=f"format {shown(fmt)} is not offered; use json or csv"), 406
    query = catalogue().get(name)
    try:
        columns, rows, truncated = run_for_values(query, _params())
    except UrbankgError as error:
        return _error(error)
    headers = {"X-Urbankg-Truncated": "true" if truncated else "false"}
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in columns])
        return Response(out.getvalue(), mimetype="text/csv", headers=headers)
    return (
        jsonify(
            query=name, title=query.title, parameters=_bound(query), columns=columns, rows=rows, truncated=truncated
        ),
        200,
        headers,
    )


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(openapi_document())


def openapi_document() -> dict:
    paths: dict[str, dict] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The catalogue of canned queries",
                "responses": {
                    "200": {
                        "description": "Every canned query with its parameters and columns",
                        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
                    }
                },
            }
        },
    }
    for query in catalogue().queries.values():
        parameters: list[dict[str, object]] = []
        for p in query.parameters.values():
            schema: dict = {
                "type": "integer" if p.type in ("integer", "year") else "number" if p.type == "decimal" else "string"
            }
            if p.default is not None:
                schema["default"] = int(p.default) if schema["type"] == "integer" else p.default
            allowed = catalogue().allowed_values(services().kg, p)
            if allowed and schema["type"] == "string":
                schema["enum"] = sorted(set(allowed) | ({p.default} if p.default else set()))
            parameters.append(
                {
                    "name": p.name,
                    "in": "query",
                    "required": False,
                    "schema": schema,
                    "description": f"{p.description}. Accepts {p.accepts()}.",
                }
            )
        row_schema = {
            "type": "object",
            "properties": {c: {"type": ["string", "null"], "description": d} for c, d in query.columns.items()},
        }
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "operationId": query.name.replace("-", "_"),
                "summary": query.title,
                "description": query.description,
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "The answer: one row per result",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "query": {"type": "string"},
                                        "title": {"type": "string"},
                                        "parameters": {"type": "object"},
                                        "columns": {"type": "array", "items": {"type": "string"}},
                                        "rows": {"type": "array", "items": row_schema},
                                        "truncated": {"type": "boolean"},
                                    },
                                }
                            },
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "400": {
                        "description": "A parameter value the query cannot take",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"error": {"type": "string"}, "parameter": {"type": "string"}},
                                }
                            }
                        },
                    },
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "urbankg canned theory-comparison queries",
            "version": __version__,
            "description": "Questions scholars of urbanisation ask, answered from the knowledge graph. "
            "Generated from the headers of the queries/*.rq files.",
        },
        "paths": paths,
    }


# -- pages ------------------------------------------------------------------------------


@bp.get("/queries")
def query_pages():
    return render_template("queries.html", queries=catalogue().queries.values())


@bp.get("/queries/<name>")
def query_page(name: str):
    if name not in catalogue().queries:
        abort(404, description=f"No canned query named {name}; /queries lists them.")
    query = catalogue().get(name)
    params = {p.name: request.args.get(p.name, p.default or "") for p in query.parameters.values()}
    choices = {p.name: catalogue().allowed_values(services().kg, p) for p in query.parameters.values()}
    error: str | None = None
    status, headers = 200, dict[str, str]()
    columns: list[str] = []
    rows: list[dict] = []
    truncated, picture = False, ""
    try:
        columns, rows, truncated = run(query, {k: v for k, v in params.items() if v})
        picture = draw(query, rows)
    except UrbankgError as exc:
        error, (status, headers) = str(exc), _status(exc)
    given = urlencode({k: v for k, v in params.items() if v})
    return (
        render_template(
            "query_page.html",
            query=query,
            params=params,
            choices=choices,
            error=error,
            columns=[c for c in columns if c not in query.parameters],
            rows=rows,
            truncated=truncated,
            picture=Markup(picture),
            api=f"/api/queries/{name}",
            given=given,
        ),
        status,
        headers,
    )


def draw(query: CannedQuery, rows: list[dict]) -> str:
    """The picture the query's header asks for, from its rows (empty when there is nothing to draw)."""
    spec = query.picture
    if not spec or not rows:
        return ""
    label = lambda term: "" if term is None else show_term(term)  # noqa: E731
    if spec["kind"] == "matrix":
        # A cell shows the relation's local name (closeMatch), the prefix would not fit.
        cells = {
            (label(r.get(spec["rows"])), label(r.get(spec["columns"]))): label(r.get(spec["value"])).split(":")[-1]
            for r in rows
            if r.get(spec["rows"]) is not None and r.get(spec["columns"]) is not None
        }
        row_labels = sorted({k[0] for k in cells})
        column_labels = sorted({k[1] for k in cells})
        return matrix_svg(row_labels, column_labels, cells, query.title)
    if spec["kind"] == "network":
        pairs = [(r.get(spec["left"]), r.get(spec["right"]), r.get(spec.get("edge", ""))) for r in rows]
        pairs = [(a, b, e) for a, b, e in pairs if a is not None and b is not None]
        left = [Node(label(a), label(a)) for a in dict.fromkeys(a for a, _b, _e in pairs)]
        right = [Node(label(b), label(b)) for b in dict.fromkeys(b for _a, b, _e in pairs)]
        left = list({n.key: n for n in left}.values())
        right = list({n.key: n for n in right}.values())
        edges = [Edge(label(a), label(b), label(e), label(e)) for a, b, e in pairs]
        return two_column_svg(
            left, right, edges, query.title, spec["left"].replace("_", " "), spec["right"].replace("_", " ")
        )
    if spec["kind"] == "bars":
        bars = []
        for r in rows:
            value = r.get(spec["value"])
            if value is None or r.get(spec["label"]) is None:
                continue
            try:
                bars.append((label(r[spec["label"]]), float(value.value), label(r.get(spec["series"])) or "—"))
            except ValueError:
                continue
        return bars_svg(sorted(set(bars)), query.title)
    return ""


def _describe(query: CannedQuery) -> dict:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "accepts": p.accepts(),
                "description": p.description,
                "allowed": catalogue().allowed_values(services().kg, p) or None,
            }
            for p in query.parameters.values()
        ],
        "columns": query.columns,
        "links": {
            "json": f"/api/queries/{query.name}.json",
            "csv": f"/api/queries/{query.name}.csv",
            "page": f"/queries/{query.name}",
        },
    }


def _bound(query: CannedQuery) -> dict:
    given = _params()
    return {p.name: given.get(p.name, p.default) for p in query.parameters.values()}
