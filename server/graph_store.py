"""The SPARQL 1.1 Graph Store HTTP Protocol: read and write whole named graphs.

Graphs are named indirectly, ``/rdf-graphs?graph=IRI`` (any IRI) or ``/rdf-graphs?default``,
or directly under the graph base: ``/graph/lin-2019`` is the graph
``https://w3id.org/urbankg/graph/lin-2019`` (the base is configurable, see urbankg.config).

GET and HEAD answer the graph in a negotiated RDF format, through the query runner
(time limit; a graph is never cut at the row limit, since a client that GETs, edits and
PUTs back must not lose statements); a graph that does not exist is 404. PUT replaces a
graph, POST adds to it (POST to ``/rdf-graphs`` itself creates a new graph), DELETE drops
it. A write that creates a graph answers 201 with ``Location:`` the new graph's IRI; other
writes 200 with a JSON report (the graph, its triples, SHACL warnings); DELETE 204. An empty
PUT leaves an empty graph, which exists (GET 200, DELETE 204) until it is deleted.

The default graph (``?default``) is the one queries see: the union of all named graphs and
urbankg's catalogue of sources. It is read-only here (PUT, POST, DELETE: 405): write into a
named graph. The Service Description says so too.

Writes need a write token and pass the same gate as ``urbankg load``: the body is parsed by
the loader for its media type (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads, and
urbankg's annotation formats when installed), then validated with SHACL against the
shapes, with the types of what it mentions fetched from the store. A body without a
Content-Type (or ``application/octet-stream``) is read by the suffix of the graph's name
(``/graph/cases.ttl`` as Turtle; an empty body is an empty graph in any format), else it is
415 naming the types accepted, as is a type the server cannot read. A POST may be
``multipart/form-data``: each part is RDF (its type from its own Content-Type, else its
file name's suffix), and the parts are merged into the graph as one write; problems then
name the part (``body part 2 (first.ttl):3: ...``; SHACL problems of a multipart body name
the node, without a line). A body that does not parse gets 400, one that fails SHACL 422,
each with every problem by line (JSON), and nothing is written; so does a term the store
cannot hold (400).

Every write goes through the write path (urbankg.write_path), on the server's one writer
thread, in turn with SPARQL updates: it records who wrote (the token's name) and claims
the graphs it creates. Replacing or deleting a graph another writer created is refused
with 409 (naming the graph and its creator) unless the request says ``?replace=true``.

A full disk answers 507 on every route (registered here for the whole app), with the
store's own message; the store reopens itself once space is freed.

Costs: a write parses the body once and validates it with SHACL (about 8,000 statements a
second); a POST also reads the graph it merges into. GET ``?default`` serialises the whole
store, under the query time limit.
"""

from __future__ import annotations

import importlib.util
import re
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request
from rdflib import Graph
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from urbankg import config, formats
from urbankg.errors import ClaimConflict, DiskFull, SourceError, UnstorableTerm, clipped
from urbankg.loaders import LOADER_BY_SUFFIX, Parsed, Positions, load_file
from urbankg.server import negotiation
from urbankg.server.auth import require_write_token
from urbankg.server.http_errors import HttpError, no_content
from urbankg.server.negotiation import NotAcceptable
from urbankg.server.query_runner import QueryFailed, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.services import services

bp = Blueprint("graph_store", __name__)

METHODS = ["GET", "PUT", "POST", "DELETE"]
# Each media type a body may be sent as (a format's own type and its aliases, urbankg.formats),
# with the suffix of the file its loader reads.
BODY_SUFFIXES = {media: fmt.suffixes[0] for fmt in formats.SOURCE_FORMATS for media in (fmt.media_type, *fmt.aliases)}
UNTYPED = ("", "application/octet-stream")  # a body that does not say what it is
MULTIPART = "multipart/form-data"
BODY_LABEL = "body"  # how problems name the request body: "body:12: ..."
DEFAULT_GRAPH_READ_ONLY = (
    "the default graph is the union of all graphs (what queries see) and is read-only here: "
    "write into a named graph (?graph=IRI or /graph/<name>)"
)


def readable_body_types() -> dict[str, str]:
    """The media types whose loader is installed (annotation loaders may come later)."""
    return {media: suffix for media, suffix in BODY_SUFFIXES.items() if _installed(suffix)}


def _installed(suffix: str) -> bool:
    module = LOADER_BY_SUFFIX.get(suffix)
    return module is not None and importlib.util.find_spec(f"urbankg.loaders.{module}") is not None


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
        raise error(
            400,
            "name the graph: /rdf-graphs?graph=IRI, /rdf-graphs?default, or /graph/<name> "
            f"for <{config.GRAPH_BASE}name>",
        )
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
        raise error(405, DEFAULT_GRAPH_READ_ONLY, headers={"Allow": "GET, HEAD"})
    if request.method == "DELETE":
        return delete(iri)
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
    if iri and iri not in services().kg.graphs():
        raise error(404, f"there is no graph <{iri}>; GET /sparql lists the graphs with their sizes")
    try:
        fmt = negotiation.choose(negotiation.GRAPH, request.headers.get("Accept"), request.args.get("format"))
    except NotAcceptable as exc:
        raise error(406, str(exc), refusal="not-acceptable") from None
    # No dataset for the default graph: the job then reads the union, as a query does.
    default_graphs: list[str] | None = [iri] if iri else None
    named_graphs: list[str] | None = [] if iri else None
    job = QueryJob(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        {formats.GRAPH: fmt.key},
        None,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
    )
    try:
        outcome = services().runner.run(job, services().settings.query_timeout)
    except QueryTimeout as exc:
        raise error(
            503,
            f"reading the graph took longer than the limit of {exc.limit:g} s",
            headers={"Retry-After": "5"},
            refusal="timeout",
        ) from None
    except QueryFailed as exc:
        raise error(500, f"reading the graph failed: {exc}") from None
    response = Response(outcome.body, 200, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


# -- writing ----------------------------------------------------------------------------


def writer_name(action: str) -> str:
    """The agent a write is recorded under: the name of the token the request carries."""
    return require_write_token(action, as_json=True)


def replacing() -> bool:
    """``?replace=true``: the client means to replace a graph another writer created."""
    value = request.args.get("replace", "false").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no", ""):
        raise error(400, f"replace={value!r}: send replace=true or replace=false")
    return value in ("true", "1", "yes")


def origin() -> str:
    """What the history records as the write's origin: the request line, clipped."""
    return clipped(f"HTTP {request.method} {unquote(request.full_path.rstrip('?'))}", 300)


def delete(iri: str) -> Response:
    agent = writer_name("a Graph Store DELETE")
    replace_theirs, where, path = replacing(), origin(), services().writes
    try:
        dropped = services().updates.apply(
            lambda: path.drop(iri, agent, origin=where, replace=replace_theirs, action="delete")
        )
    except ClaimConflict as exc:
        raise claim_error(exc) from None
    except UnstorableTerm as exc:  # a name the store keeps for itself
        raise error(400, str(exc)) from None
    if not dropped:
        raise error(404, f"there is no graph <{iri}> to delete")
    return no_content()


def create() -> Response:
    """POST to the store itself: a new graph with a fresh name (Graph Store Protocol, section 5.5)."""
    return write(config.GRAPH_BASE + f"http-{uuid.uuid4().hex[:12]}", merge=False)


def write(iri: str, merge: bool) -> Response:
    action = f"a Graph Store {request.method}"
    agent = writer_name(action)
    replace_theirs = replacing()
    parsed = parse_body(iri)
    where, path = origin(), services().writes

    def put_or_post():
        existed = iri in path.store.graphs()
        if merge:
            return existed, path.post(parsed, iri, agent, origin=where)
        return existed, path.put(parsed, iri, agent, origin=where, replace=replace_theirs)

    try:
        # On the one writer thread, after and before every other write (SPARQL updates too).
        existed, report = services().updates.apply(put_or_post)
    except SourceError as exc:
        raise problems_error(422, f"{action} of <{iri}> failed validation; nothing was written", exc) from None
    except ClaimConflict as exc:
        raise claim_error(exc) from None
    except UnstorableTerm as exc:
        raise error(400, f"{action} of <{iri}>: {exc}") from None
    body = {"graph": iri, "triples": report.triples, "warnings": [_problem(p) for p in report.warnings]}
    response = jsonify(body)
    response.status_code = 200 if existed else 201
    if not existed:
        # The new graph's IRI (section 5.5), absolute; one under the graph base is served at /graph/<name>.
        response.headers["Location"] = iri
    return response


def claim_error(exc: ClaimConflict) -> HttpError:
    """409: the graph, and who created it; ``?replace=true`` replaces it anyway."""
    return error(
        409,
        f"{exc} Over HTTP: send the request again with ?replace=true to replace it.",
        body={"graph": exc.graph, "owner": exc.owner},
        refusal="claim",
    )


# -- reading the body -------------------------------------------------------------------


def parse_body(iri: str) -> Parsed:
    """The request body, parsed by the loader for its media type (the same as `urbankg load`)."""
    name = _source_name(iri)
    if request.mimetype == MULTIPART:
        if request.method != "POST":
            raise error(
                415,
                f"{MULTIPART} is for POST (each part is added to the graph); PUT one RDF document",
                refusal="protocol",
            )
        return _merged(_parts(), name)
    data = request.get_data(cache=False)
    suffix = _suffix(request.mimetype, _last_segment(iri), empty=not data)
    return _parsed(data, suffix, BODY_LABEL, name, request.mimetype or "a body without Content-Type")


def _suffix(mimetype: str, named: str, *, empty: bool) -> str:
    """The loader suffix for a body of ``mimetype``; untyped, the suffix of ``named`` (a file
    or graph name) says, or 415 naming what would do."""
    types = readable_body_types()
    if mimetype not in UNTYPED:
        if mimetype in types:
            return types[mimetype]
        raise error(
            415, f"cannot read a body of {mimetype}: send one of {', '.join(sorted(types))}", refusal="protocol"
        )
    if empty:
        return ".nt"  # no bytes are the empty graph in every format
    suffix = Path(named).suffix.lower()
    if _installed(suffix):
        return suffix
    suffixes = sorted({s for s in LOADER_BY_SUFFIX if _installed(s)})
    given = "a body without Content-Type" if not mimetype else f"a body of {mimetype}"
    raise error(
        415,
        f"cannot tell what {given} is: send Content-Type, one of {', '.join(sorted(types))}, "
        f"or name the graph (or the part's file) with a suffix that says it: {', '.join(suffixes)}",
        refusal="protocol",
    )


def _parsed(data: bytes, suffix: str, label: str, name: str, shown_type: str) -> Parsed:
    """``data`` read by the loader of ``suffix``; problems name ``label`` ("body", "body part 2 (a.ttl)")."""
    with tempfile.TemporaryDirectory(prefix="urbankg-body-") as folder:
        path = Path(folder) / f"{BODY_LABEL}{suffix}"
        path.write_bytes(data)
        try:
            parsed = load_file(path, source=name)
        except SourceError as exc:
            problems = [replace(p, file=label) if Path(p.file).name.startswith(BODY_LABEL) else p for p in exc.problems]
            raise problems_error(
                400, f"{label} does not parse as {shown_type}; nothing was written", SourceError(problems)
            ) from None
    parsed.path = Path(label)
    return parsed


def _parts() -> list[tuple[str, bytes, str, str]]:
    """The parts of a multipart/form-data body: (label, data, media type, file name)."""
    boundary = request.mimetype_params.get("boundary", "")
    if not boundary:
        raise error(400, f"a {MULTIPART} body needs its boundary: Content-Type: {MULTIPART}; boundary=...")
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(request.get_data(cache=False))
    decoder.receive_data(None)
    parts: list[list] = []
    while True:
        event = decoder.next_event()
        if isinstance(event, (Field, File)):
            filename = event.filename if isinstance(event, File) else ""
            label = f"body part {len(parts) + 1}" + (f" ({filename})" if filename else "")
            parts.append([label, bytearray(), event.headers.get("Content-Type", ""), filename or event.name])
        elif isinstance(event, Data):
            parts[-1][1] += event.data
        elif isinstance(event, Epilogue):
            break
        elif isinstance(event, NeedData):
            raise error(400, f"the {MULTIPART} body ends before its closing boundary --{boundary}--")
    if not parts:
        raise error(400, f"the {MULTIPART} body has no parts: send each RDF document as one part")
    return [(label, bytes(data), content_type, filename) for label, data, content_type, filename in parts]


def _merged(parts: list[tuple[str, bytes, str, str]], name: str) -> Parsed:
    """Every part parsed, then one graph of them all. Each part's blank nodes are its own."""
    documents, problems = [], []
    for label, data, content_type, filename in parts:
        mimetype = content_type.split(";")[0].strip().lower()
        try:
            documents.append(
                _parsed(
                    data,
                    _suffix(mimetype, filename, empty=not data),
                    label,
                    name,
                    mimetype or f"{filename or 'a part'} (by its suffix)",
                )
            )
        except HttpError as exc:
            if exc.status != 400 or not exc.body:
                raise
            problems += exc.body["problems"]
    if problems:  # every part's syntax errors at once, as a load of several files reports them
        raise error(
            400,
            f"{len(problems)} problem(s) in the {MULTIPART} body; nothing was written",
            body={"problems": problems, "report": "\n".join(p["text"] for p in problems)},
        )
    if len(documents) == 1:
        return documents[0]
    merged = Graph()
    for document in documents:
        merged += document.graph
    # The lines of the parts cannot be told apart in one graph: SHACL problems name the node.
    return Parsed(Path(BODY_LABEL), merged, Positions(), name)


def _last_segment(iri: str) -> str:
    return urlsplit(iri).path.rstrip("/").rsplit("/", 1)[-1]


def _source_name(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", _last_segment(iri)).strip("-") or "graph"


def problems_error(status: int, message: str, exc: SourceError) -> HttpError:
    problems = [
        replace(p, file=BODY_LABEL) if Path(p.file).name.startswith(BODY_LABEL + ".") else p for p in exc.problems
    ]
    return error(
        status,
        message,
        body={"problems": [_problem(p) for p in problems], "report": "\n".join(str(p) for p in problems)},
    )


def _problem(problem) -> dict:
    return {
        "file": problem.file,
        "line": problem.line,
        "message": problem.message,
        "severity": problem.severity,
        "text": str(problem),
    }
