"""The SPARQL 1.1 Graph Store HTTP Protocol: read and write whole named graphs.

Graphs are named indirectly, ``/rdf-graphs?graph=IRI`` (any IRI) or ``/rdf-graphs?default``,
or directly under the graph base: ``/graph/lin-2019`` is the graph
``https://w3id.org/urbankg/graph/lin-2019`` (the base is configurable, see urbankg.config).

GET and HEAD answer the graph in a negotiated RDF format, through the query runner
(time limit; a graph is never cut at the row limit, since a client that GETs, edits and
PUTs back must not lose statements). PUT replaces a graph, POST adds to it (POST to
``/rdf-graphs`` itself creates a new graph and says where), DELETE drops it.

Writes need the token and pass the same gate as ``urbankg load``: the body is parsed by
the loader for its media type (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads, and
urbankg's annotation formats when installed), then validated with SHACL against the
shapes, with the types of what it mentions fetched from the store. A body that does not
parse gets 400, one that fails SHACL 422, each with every problem by line (JSON), and
nothing is written; so does a term the store cannot hold (400). The store's default
graph holds urbankg's catalogue of sources and is read-only here.

A full disk answers 507 on every route (registered here for the whole app), with the
store's own message; the store reopens itself once space is freed.
"""

from __future__ import annotations

import importlib.util
import re
import tempfile
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from urbankg import config
from urbankg.errors import DiskFull, SourceError, UnstorableTerm
from urbankg.loaders import LOADER_BY_SUFFIX, load_file
from urbankg.loaders.rdf_file import add_ntriples
from urbankg.server import negotiation
from urbankg.server.auth import require_write_token
from urbankg.server.http_errors import HttpError
from urbankg.server.negotiation import NotAcceptable
from urbankg.server.query_runner import QueryFailed, QueryTimeout
from urbankg.server.query_worker import QueryJob

bp = Blueprint("graph_store", __name__)

METHODS = ["GET", "PUT", "POST", "DELETE"]
BODY_SUFFIXES = {
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/ld+json": ".jsonld",
    "application/rdf+xml": ".rdf",
    "application/trig": ".trig",
    "application/n-quads": ".nq",
    "text/n3": ".n3",
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "application/x-bibtex": ".bib",
    "text/x-bibtex": ".bib",
}
BODY_LABEL = "body"  # how problems name the request body: "body:12: ..."


def readable_body_types() -> dict[str, str]:
    """The media types whose loader is installed (annotation loaders may come later)."""
    return {media: suffix for media, suffix in BODY_SUFFIXES.items()
            if importlib.util.find_spec(f"urbankg.loaders.{LOADER_BY_SUFFIX[suffix]}") is not None}


@bp.route("/rdf-graphs", methods=METHODS)
def indirect():
    if "graph" in request.args and "default" in request.args:
        raise error(400, "name one graph: ?graph=IRI or ?default, not both")
    if "default" in request.args:
        return handle("")
    graphs = request.args.getlist("graph")
    if len(graphs) > 1:
        raise error(400, f"name one graph, not {len(graphs)}")
    if not graphs:
        if request.method == "POST":
            return create()
        raise error(400, "name the graph: /rdf-graphs?graph=IRI, /rdf-graphs?default, or /graph/<name> "
                         f"for <{config.GRAPH_BASE}name>")
    if not is_iri(graphs[0]):
        raise error(400, f"graph={graphs[0]!r} is not an absolute IRI (e.g. {config.GRAPH_BASE}lin-2019)")
    return handle(graphs[0])


@bp.route("/graph/<path:name>", methods=METHODS)
def direct(name: str):
    iri = config.GRAPH_BASE + name
    if not is_iri(iri):
        raise error(400, f"{name!r} does not make a valid graph IRI")
    return handle(iri)


def is_iri(value: str) -> bool:
    """Whether the engine takes the value as an IRI: its own parser decides (a pattern let
    http://[x through, and the engine's ValueError became a 500)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def handle(iri: str) -> Response:
    if request.method in ("GET", "HEAD"):  # Flask answers HEAD with the GET view, without the body
        return get(iri)
    if iri == "":
        raise error(405, "the default graph holds urbankg's catalogue of sources and is read-only here: "
                         "write into a named graph (?graph=IRI or /graph/<name>)", headers={"Allow": "GET, HEAD"})
    if request.method == "DELETE":
        require_write_token("a Graph Store DELETE", as_json=True)
        store = current_app.config["KG"].store
        try:
            dropped = current_app.extensions["urbankg_updates"].apply(lambda: store.drop_graph(iri))
        except UnstorableTerm as exc:  # a name the store keeps for itself
            raise error(400, str(exc)) from None
        if not dropped:
            raise error(404, f"there is no graph <{iri}> to delete")
        return Response(status=204)
    return write(iri, merge=request.method == "POST")


def error(status: int, message: str, **options) -> HttpError:
    return HttpError(status, message, as_json=True, **options)


@bp.app_errorhandler(DiskFull)
def disk_full(exc: DiskFull):
    # For every route: whatever wrote or snapshotted the store, the client's request was fine.
    as_json = request.path.startswith(("/rdf-graphs", "/graph/", "/api/"))
    return HttpError(507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full", as_json=as_json).response()


# -- reading ----------------------------------------------------------------------------


def get(iri: str) -> Response:
    kg = current_app.config["KG"]
    if iri and iri not in kg.graphs():
        raise error(404, f"there is no graph <{iri}>; GET /sparql lists the graphs with their sizes")
    try:
        fmt = negotiation.choose(negotiation.GRAPH, request.headers.get("Accept"), request.args.get("format"))
    except NotAcceptable as exc:
        raise error(406, str(exc), refusal="not-acceptable") from None
    job = QueryJob("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"graph": fmt.key}, None,
                   default_graphs=[iri], named_graphs=[])
    settings = current_app.extensions["urbankg_settings"]
    try:
        outcome = current_app.extensions["urbankg_runner"].run(job, settings.query_timeout)
    except QueryTimeout as exc:
        raise error(503, f"reading the graph took longer than the limit of {exc.limit:g} s",
                    headers={"Retry-After": "5"}, refusal="timeout") from None
    except QueryFailed as exc:
        raise error(500, f"reading the graph failed: {exc}") from None
    response = Response(outcome.body, 200, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


# -- writing ----------------------------------------------------------------------------


def create() -> Response:
    """POST to the store itself: a new graph with a fresh name (Graph Store Protocol, section 5.5)."""
    name = f"http-{uuid.uuid4().hex[:12]}"
    return write(config.GRAPH_BASE + name, merge=False, location=url_for("graph_store.direct", name=name))


def write(iri: str, merge: bool, location: str | None = None) -> Response:
    action = f"a Graph Store {request.method}"
    require_write_token(action, as_json=True)
    kg = current_app.config["KG"]
    parsed = parse_body(iri)
    origin = f"HTTP {request.method} {datetime.now(timezone.utc).isoformat(timespec='seconds')}"

    def read_merge_replace():
        existed = iri in kg.graphs()
        if merge and existed:
            add_ntriples(parsed.graph, _graph_as_ntriples(kg, iri))  # rdflib's parser: 57 s over a 4 MB literal
        return existed, kg.load_parsed(parsed, iri, origin=origin)

    try:
        # On the one writer thread, after and before every other write (SPARQL updates too):
        # two POSTs that both read the graph before either replaced it kept only one's triples.
        existed, report = current_app.extensions["urbankg_updates"].apply(read_merge_replace)
    except SourceError as exc:
        raise problems_error(422, f"{action} of <{iri}> failed validation; nothing was written", exc) from None
    except UnstorableTerm as exc:
        raise error(400, f"{action} of <{iri}>: {exc}") from None
    body = {"graph": iri, "triples": report.triples, "warnings": [_problem(p) for p in report.warnings]}
    response = jsonify(body)
    response.status_code = 200 if existed else 201
    if not existed:
        response.headers["Location"] = location or (url_for("graph_store.direct", name=iri[len(config.GRAPH_BASE):])
                                                    if iri.startswith(config.GRAPH_BASE)
                                                    else url_for("graph_store.indirect", graph=iri))
    return response


def parse_body(iri: str):
    """The request body, parsed by the loader for its media type (the same as `urbankg load`)."""
    types = readable_body_types()
    suffix = types.get(request.mimetype)
    if suffix is None:
        given = request.mimetype or "no Content-Type"
        raise error(415, f"cannot read a body of {given}: send one of {', '.join(sorted(types))}",
                    refusal="protocol")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", iri.rstrip("/").rsplit("/", 1)[-1]).strip("-") or "graph"
    with tempfile.TemporaryDirectory(prefix="urbankg-body-") as folder:
        path = Path(folder) / f"{BODY_LABEL}{suffix}"
        path.write_bytes(request.get_data(cache=False))
        try:
            parsed = load_file(path, source=name)
        except SourceError as exc:
            raise problems_error(400, f"the body does not parse as {request.mimetype}; nothing was written",
                                 exc) from None
    parsed.path = Path(BODY_LABEL)
    return parsed


def problems_error(status: int, message: str, exc: SourceError) -> HttpError:
    problems = [replace(p, file=BODY_LABEL) if Path(p.file).name.startswith(BODY_LABEL) else p for p in exc.problems]
    return error(status, message, body={"problems": [_problem(p) for p in problems],
                                        "report": "\n".join(str(p) for p in problems)})


def _problem(problem) -> dict:
    return {"file": problem.file, "line": problem.line, "message": problem.message, "severity": problem.severity,
            "text": str(problem)}


def _graph_as_ntriples(kg, iri: str) -> str:
    import pyoxigraph as ox

    triples = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                       substitutions={"g": ox.NamedNode(iri)})
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
