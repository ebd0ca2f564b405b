"""The web UI and linked-data pages: browse, query, compare and validate from a browser.

Every IRI under the id base resolves here (``/id/<kind>/<slug>``): HTML for browsers,
Turtle, N-Triples or JSON-LD for machines, by content negotiation. Pages are rendered
on the server from the queries in ``ui_queries/`` (data files, like the catalogue), and
pictures are inline SVG, so the UI works offline with no script library at all.

This module holds the routes; beside it, ``ui_data`` runs the pages' queries, ``ui_display``
turns terms and rows into what the templates show, ``ui_pictures`` assembles the pictures
that ``pictures`` draws.

Every page query runs like a client's (ui_data): in a query process under the time limit,
through the result cache and admission. A page costs one to four queries; read again
before any write, it is answered from the cache (one IPC round trip less each). The one
write here, the validate-and-load page, goes through the write path on the server's writer
thread, like every other write.
"""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from urbankg import config, formats
from urbankg.errors import ClaimConflict, Problem, SourceError, StoreError, UnstorableTerm
from urbankg.loaders import LOADER_BY_SUFFIX
from urbankg.queries.catalogue import shown
from urbankg.server import map_svg, ui_pictures, ui_summary
from urbankg.server.auth import agent_for_token, presented_token, writes_allowed
from urbankg.server.http_errors import HttpError
from urbankg.server.query_runner import QueryError, QueryRefused, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.services import services
from urbankg.server.ui_data import holds, rows, run
from urbankg.server.ui_display import (
    asserter,
    distinct,
    is_annotated_paper,
    link,
    local_path,
    numbered_lines,
    resource_page,
    text,
    view,
)

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/static/ui")
# Filters for every template of the app (the catalogue's pages use them too).
bp.add_app_template_filter(link, "link")
bp.add_app_template_filter(view, "view")
bp.add_app_template_filter(text, "text")
bp.add_app_template_filter(lambda answer, columns: result_map(answer, columns), "result_map")

# What a resource's page can be had as: the page itself, or its statements for machines.
PAGE_FORMATS = (formats.HTML, formats.TURTLE, formats.NTRIPLES, formats.JSONLD)
# The file types the validate page offers, in its list's order (the first is the default).
VALIDATE_SUFFIXES = [
    f.suffixes[0]
    for f in (
        formats.YAML,
        formats.TURTLE,
        formats.JSONLD,
        formats.BIBTEX,
        formats.TRIG,
        formats.NTRIPLES,
        formats.RDFXML,
    )
]
MAX_NAME = 200  # characters of a file name given to /validate
# Validation is Python work that holds the interpreter: one at a time, so that anonymous
# validations cannot take every thread of the server from its readers.
VALIDATING = threading.BoundedSemaphore(1)
VALIDATE_WAIT = 10.0  # seconds a validation waits for the one before it


# -- pages ----------------------------------------------------------------------------


@bp.get("/")
def home():
    counts = {k: int(text(v) or 0) for k, v in (rows("home-counts") or [{}])[0].items()}
    frameworks = rows("framework-list")
    papers = rows("paper-list")
    cases = distinct(rows("case-list"), "case")
    from urbankg.queries.catalogue import Catalogue

    return render_template(
        "home.html",
        counts=counts,
        frameworks=frameworks,
        papers=papers,
        cases=cases,
        queries=Catalogue().queries.values(),
    )


@bp.get("/id/<path:rest>")
def resource(rest: str):
    asked = request.args.get("iri")  # /id/graph?iri=...: a graph, whose IRI is under the graph base
    iri = asked if rest == "graph" and asked else config.ID_BASE + rest
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        abort(
            400,
            description=f"{shown(iri)} is not an IRI ({exc}), so nothing in the graph is called that: "
            f"ids look like /id/case/lirendong, graphs like "
            f"/id/graph?iri={config.GRAPH_BASE}lin-2019.",
        )
    wanted = _negotiate()
    if wanted is None:
        *others, last = [f.media_type for f in PAGE_FORMATS]
        abort(406, description=f"This resource is available as {', '.join(others)} and {last}.")
    if wanted != formats.HTML:
        # The statements are the answer, and most often the proof the resource is known too: the
        # labelled rows the HTML page needs would cost a much-cited work 100 times more.
        outcome = run("resource-graph", {formats.GRAPH: wanted.key}, iri)
        if outcome.rows == 0 and not holds("resource-pointed-at", iri):
            abort(404, description=f"Nothing in the graph is called {iri}.")
        return Response(outcome.body, mimetype=wanted.media_type, headers={"Vary": "Accept"})
    outgoing = rows("resource-out", iri)
    incoming = rows("resource-in", iri)
    if not outgoing and not incoming:
        abort(404, description=f"Nothing in the graph is called {iri}.")
    page = resource_page(iri, outgoing, incoming)
    summary = ui_summary.summary(iri, outgoing, incoming)
    picture = None
    if summary is not None and summary.points:
        markers = [
            map_svg.Marker(ref.label, ref.href, lon, lat, "place", "" if ref.label == page.label else page.label)
            for ref, lon, lat in summary.points
        ]
        picture = map_svg.svg(map_svg.spread(markers), focus=True, title=f"Map of {page.label}")
    if summary is not None and summary.title:
        page.label = summary.title
    views = []
    if rest.startswith("framework/"):
        views.append(("framework view with crosswalks", url_for("ui.framework", slug=rest.split("/", 1)[1])))
    if is_annotated_paper(page, incoming):
        views.append(
            ("paper view with bibliography and citation network", url_for("ui.paper", slug=rest.split("/", 1)[1]))
        )
    return Response(
        render_template(
            "resource.html", iri=iri, **vars(page), views=views, rest=rest, summary=summary, map_picture=picture
        ),
        headers={"Vary": "Accept"},
    )


@bp.get("/map")
def map_page():
    """Every place with coordinates and the cases there; with ``?query=``, the POINTs of a
    SELECT's answer instead (a query result's map)."""
    text_asked = request.args.get("query", "")
    if text_asked.strip():
        answer, columns = _client_rows(text_asked)
        points = _result_markers(answer, columns)
        if not points:
            abort(
                400,
                description="The query's answer holds no POINT: a map needs a column of geo:asWKT literals "
                'such as "POINT(113.26 23.13)" (longitude, then latitude).',
            )
        return render_template(
            "map.html",
            picture=map_svg.svg(points, focus=True, title="Map of a query's answer"),
            query=text_asked,
            markers=points,
        )
    markers: list[map_svg.Marker] = []
    places: dict[str, map_svg.Marker] = {}
    for r in rows("map-places"):
        where = ui_summary.point(text(r["wkt"]))
        if where is None:
            continue
        place = text(r["place"])
        name = text(r.get("name")) or place
        if place not in places:
            level = text(r.get("level"))
            places[place] = map_svg.Marker(
                name, local_path(place) or "", *where, kind="place", note=level, major=level in map_svg.MAJOR_LEVELS
            )
        if r.get("case") is not None:
            label = text(r.get("case_label")) or text(r["case"])
            markers.append(map_svg.Marker(label, local_path(text(r["case"])) or "", *where, kind="case", note=name))
    markers = sorted(places.values(), key=lambda m: m.label.lower()) + map_svg.spread(
        sorted(set(markers), key=lambda m: (m.label.lower(), m.lon, m.lat))
    )
    return render_template("map.html", picture=map_svg.svg(markers, title="Map of cases and places"), markers=markers)


def _client_rows(query_text: str) -> tuple[list[dict], list[str]]:
    """A reader's SELECT, run as the SPARQL endpoint runs one (the checking parser first, in a
    query process, under the time limit), its solutions as terms."""
    settings = services().settings
    job = QueryJob(
        query_text,
        {formats.SOLUTIONS: formats.JSON.key},
        settings.max_rows or None,
        base_iri=config.ID_BASE,
        service_allow=settings.service_allow,
    )
    try:
        outcome = services().runner.run(
            job, settings.query_timeout, fresh=fresh_requested(request.headers), client=requesting_client()
        )
    except QueryTimeout as exc:
        abort(503, description=f"The query ran past the server's limit of {exc.limit:g} s.")
    except QueryRefused as exc:
        abort(exc.status, description=f"The map could not be made now: {exc}")
    except QueryError as exc:
        abort(400, description=f"The query could not be answered: {exc}. A map needs a SELECT with a WKT column.")
    if outcome.kind != formats.SOLUTIONS:
        abort(400, description="A map needs a SELECT query (its answer's rows); this query is not one.")
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    if not isinstance(result, ox.QuerySolutions):
        abort(400, description="A map needs a SELECT query (its answer's rows); this query is an ASK.")
    columns = [v.value for v in result.variables]
    return [{c: s[c] for c in columns} for s in result], columns


def result_map(answer: list[dict], columns: list[str]) -> Markup | None:
    """The map of a query answer's POINTs, None when no column holds one (query_page.html)."""
    markers = _result_markers(answer, columns)
    return map_svg.svg(markers, focus=True, title="Map of the answer") if markers else None


def _result_markers(answer: list[dict], columns: list[str]) -> list[map_svg.Marker]:
    """One marker per row with a POINT: labelled by its first other column that has a value,
    linking to the first IRI of the row that has a page here."""
    markers = []
    for row in answer:
        where = next((ui_summary.point(text(row.get(c))) for c in columns if ui_summary.point(text(row.get(c)))), None)
        if where is None:
            continue
        values = [row.get(c) for c in columns if row.get(c) is not None and not ui_summary.point(text(row.get(c)))]
        literal = next((text(v) for v in values if isinstance(v, ox.Literal)), "")
        iri = next((text(v) for v in values if isinstance(v, ox.NamedNode) and local_path(text(v))), "")
        label = literal or (iri and ui_summary.short(iri)) or ui_summary.degrees(f"POINT({where[0]} {where[1]})")
        markers.append(map_svg.Marker(label, local_path(iri) or "" if iri else "", *where, kind="point"))
    return map_svg.spread(markers)


@bp.get("/frameworks")
def frameworks():
    return render_template("frameworks.html", frameworks=rows("framework-list"))


@bp.get("/frameworks/<path:slug>")
def framework(slug: str):
    iri = config.ID_BASE + "framework/" + slug
    info = [r for r in rows("framework-list") if text(r["framework"]) == iri]
    if not info:
        abort(404, description=f"No framework called framework/{slug}; /frameworks lists them.")
    components = distinct(rows("framework-components", iri), "component")
    links = rows("framework-links", iri)
    picture = ui_pictures.crosswalks(info[0], components, links)
    return render_template(
        "framework.html", info=info[0], components=components, links=links, picture=picture, asserter=asserter
    )


@bp.get("/papers")
def papers():
    return render_template("papers.html", papers=rows("paper-list"))


@bp.get("/papers/<path:slug>")
def paper(slug: str):
    iri = config.ID_BASE + "work/" + slug
    info = [r for r in rows("paper-list") if text(r["paper"]) == iri]
    if not info:
        abort(404, description=f"No annotated paper called work/{slug}; /papers lists them.")
    references = distinct(rows("paper-references", iri), "ref")
    acts = rows("paper-citation-network", iri)
    picture = ui_pictures.citation_network(info[0], acts)
    return render_template("paper.html", info=info[0], references=references, acts=acts, picture=picture)


@bp.get("/query")
def query_editor():
    from urbankg.queries.catalogue import Catalogue
    from urbankg.server.query_check import default_prefixes

    prefixes = default_prefixes()  # the id kinds' prefixes follow the server's base
    examples = [(q.name, q.title, q.sparql) for q in Catalogue().queries.values() if not q.parameters]
    return render_template(
        "query.html",
        prefixes=prefixes,
        examples=examples,
        initial=request.args.get("query")
        or prefixes
        + "\nSELECT ?framework ?label WHERE {\n"
        "  ?framework a ukg:Framework ; skos:prefLabel ?label .\n}\nORDER BY ?label\n",
    )


@dataclass
class ValidatePage:
    """What the validate page shows: the file as sent, and what checking or loading it found."""

    text: str = ""
    suffix: str = VALIDATE_SUFFIXES[0]
    name: str = "annotation"
    problems: list[Problem] | None = None  # None: not checked yet
    loaded: dict[str, int] | None = None  # graph IRI -> triples, after a load
    error: str | None = None
    conflict: ClaimConflict | None = None
    suffixes: list[str] = field(default_factory=lambda: list(VALIDATE_SUFFIXES))

    def render(self, status: int = 200, *, lines: bool = True):
        numbered = numbered_lines(self.text, self.problems) if lines else []
        return render_template("validate.html", **vars(self), lines=numbered), status


@bp.route("/validate", methods=["GET", "POST"])
def validate():
    if request.method != "POST":
        return ValidatePage().render(lines=False)
    page = _sent_file()
    if page.suffix not in LOADER_BY_SUFFIX:
        page.error = f"urbankg cannot read {shown(page.suffix)} files; choose one of {', '.join(VALIDATE_SUFFIXES)}"
        return page.render(400, lines=False)
    # The name becomes a file name (at most 255 bytes) and the last segment of the graph's IRI.
    safe_name = _safe_name(page.name)
    wrong = (
        f"is {len(safe_name)} characters long; use at most {MAX_NAME}"
        if len(safe_name) > MAX_NAME
        else "has no letter or digit; use one like lin-2019"
        if not re.search(r"[A-Za-z0-9]", safe_name)
        else None
    )
    if wrong:
        page.error = f"the file name {wrong} (it names the graph {config.GRAPH_BASE}<name>)"
        return page.render(400, lines=False)
    limit = services().settings.max_validate_bytes
    size = len(page.text.encode("utf-8", errors="replace"))
    if size > limit:
        page.error = (
            f"the file is {size:,} bytes; this page checks files of up to {limit:,} bytes "
            "(URBANKG_MAX_VALIDATE_BYTES). Check a larger file with `urbankg validate FILE`, or "
            "send it to the Graph Store with the write token"
        )
        page.text = ""  # the refused text is not echoed back
        return page.render(413, lines=False)
    if not VALIDATING.acquire(timeout=VALIDATE_WAIT):
        raise HttpError(
            503,
            "another file is being validated; try again in a few seconds",
            headers={"Retry-After": "5"},
            refusal="busy",
        )
    try:
        # The folder's name says, in the history, that the file came from this page.
        with tempfile.TemporaryDirectory(prefix="urbankg-validate-page-") as folder:
            path = Path(folder) / (safe_name + page.suffix)
            path.write_text(page.text, encoding="utf-8")
            return _validated(path, page)
    finally:
        VALIDATING.release()


def _sent_file() -> ValidatePage:
    """The file the form sends: uploaded (its name and suffix from the upload), else typed in."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return ValidatePage(
            text=upload.read().decode("utf-8", errors="replace"),
            suffix=Path(upload.filename).suffix.lower(),
            name=Path(upload.filename).stem,
        )
    return ValidatePage(
        text=request.form.get("text", ""),
        suffix=request.form.get("suffix", VALIDATE_SUFFIXES[0]),
        name=request.form.get("name") or "annotation",
    )


def _validated(path: Path, page: ValidatePage):
    """The validation page for the file at ``path``, loading it too when asked (and allowed).

    A load is one write of the write path (claims, the SHACL gate, history), on the server's
    writer thread in turn with every other write, recorded under the name of the token's
    holder. A graph someone else created is replaced only when the form says so."""
    if not request.form.get("load"):
        page.problems = services().kg.validate([path])
        return page.render()
    agent = agent_for_token(request.form.get("token") or presented_token())
    if agent is None:
        page.problems = services().kg.validate([path])
        page.error = (
            "Loading needs a write token (a named token, or the server's); validation changed nothing."
            if writes_allowed()
            else "This server is read-only (no write token is configured); validation changed nothing."
        )
        return page.render(403)
    g.urbankg_agent = agent
    replace = bool(request.form.get("replace"))
    writes = services().writes
    try:  # on the writer thread, in turn with every other write of the server
        report = services().updates.apply(
            lambda: writes.load([path], agent, replace=replace, origin=lambda p: f"web page /validate {p.name}")
        )
    except SourceError as error:  # the gate's own report: what the page shows
        page.problems = error.problems
        return page.render()
    except ClaimConflict as conflict:  # refused before the gate ran: nothing to say of validity yet
        page.conflict = conflict
        return page.render(409)
    except UnstorableTerm as error:  # a term the store cannot hold: the file's fault
        page.error = str(error)
        return page.render(400)
    except StoreError as error:
        page.error = f"The store could not load the file, and nothing was written: {error}"
        return page.render(500)
    page.problems = report.warnings
    page.loaded = report.graphs
    return page.render()


HISTORY_LIMIT = 500  # records a history page shows, newest first


@bp.get("/history")
def history():
    """Who wrote what: every write, newest first (of one graph with ``?graph=``, a name or an IRI)."""
    from urbankg.graph import resolve_graph

    name = request.args.get("graph") or None
    graph = resolve_graph(name) if name else None
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            abort(
                400,
                description=f"{shown(graph)} is not a graph's IRI ({exc}); /graphs lists the graphs, "
                f"e.g. /history?graph={config.GRAPH_BASE}lin-2019",
            )
    records = services().writes.history(graph, HISTORY_LIMIT + 1)
    return render_template(
        "history.html",
        graph=graph,
        records=records[:HISTORY_LIMIT],
        more=len(records) > HISTORY_LIMIT,
        limit=HISTORY_LIMIT,
        graph_path=local_path,
    )


@bp.get("/graphs")
def graphs():
    """The named graphs as the catalogue lists them (size, source, creator, last write), with their history."""
    listed = rows("graph-list", default_graphs=[""])
    return render_template("graphs.html", graphs=listed, agent_name=config.agent_name)


@bp.get("/ontology")
def ontology_docs():
    return Response(_ontology_html(), mimetype="text/html")


# -- helpers --------------------------------------------------------------------------


def _negotiate() -> formats.Format | None:
    """What the client asks a resource as: ``?format=`` by name (turtle, ttl, nt, jsonld, html,
    ...), else Accept (werkzeug's reading of it); None when nothing it asks for is offered."""
    asked = request.args.get("format")
    if asked:
        wanted = asked.strip().lower()
        return next((f for f in PAGE_FORMATS if wanted in f.names), None)
    if not request.accept_mimetypes:
        return formats.HTML
    best = request.accept_mimetypes.best_match([f.media_type for f in PAGE_FORMATS])
    return next((f for f in PAGE_FORMATS if f.media_type == best), None)


def _safe_name(name: str) -> str:
    from urbankg.loaders import source_name

    return source_name(Path(name + ".x"))


@cache
def _ontology_html() -> str:
    try:
        from urbankg.ontology_docs import build_docs
    except ImportError:
        abort(503, description="The ontology documentation builder is not installed.")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "ontology.html"
        build_docs(config.ontology_file(), out)
        return out.read_text(encoding="utf-8")


@bp.get("/ontology/")
def ontology_slash():
    return redirect(url_for("ui.ontology_docs"))


def register_error_pages(app) -> None:
    """Every HTTP error werkzeug raises (abort, an unknown path, a method a route does not
    take, a malformed form) answers with what is wrong: JSON under /api/ as the catalogue
    answers, a page for browsers, plain text for other clients."""

    @app.errorhandler(HTTPException)
    def error_page(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        message = error.description or error.name
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            message = (
                f"{request.path} does not take {request.method}; it takes {', '.join(sorted(error.valid_methods))}"
            )
        api = request.path.startswith("/api/")
        if request.accept_mimetypes.accept_html and not api:
            response = Response(
                render_template("error.html", code=error.code, name=error.name, message=message),
                error.code,
                mimetype="text/html",
            )
        else:
            response = HttpError(error.code, message, as_json=api).response()
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on a 405
                response.headers[name] = value
        return response
