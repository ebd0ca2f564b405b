"""The web UI and linked-data pages: browse, query, compare and validate from a browser.

Every IRI under the id base resolves here (``/id/<kind>/<slug>``): HTML for browsers,
Turtle, N-Triples or JSON-LD for machines, by content negotiation. Pages are rendered
on the server from the queries in ``ui_queries/`` (data files, like the catalogue), and
pictures are inline SVG, so the UI works offline with no script library at all.

Every page query runs like a client's (:func:`_run`): in a query process under the time
limit, through the result cache and admission. A page costs one to four queries; read
again before any write, it is answered from the cache (one IPC round trip less each).
The one write here, the validate-and-load page, goes through the write path on the
server's writer thread, like every other write.
"""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    ServiceUnavailable,
    TooManyRequests,
)

from urbankg import config
from urbankg.errors import ClaimConflict, SourceError, StoreError, UnstorableTerm
from urbankg.loaders import LOADER_BY_SUFFIX
from urbankg.queries.catalogue import shown
from urbankg.server.auth import agent_for_token, presented_token, writes_allowed
from urbankg.server.http_errors import HttpError
from urbankg.server.pictures import Edge, Node, two_column_svg
from urbankg.server.query_runner import QueryError, QueryRefused, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import fresh_requested, requesting_client
from urbankg.server.services import services

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/static/ui")

UI_QUERIES = Path(__file__).parent / "ui_queries"
LABEL_PREDICATES = [
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "https://schema.org/name",
    "http://purl.org/mp/statement",
]
DEFINITION_PREDICATES = [
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MACHINE_FORMATS = {  # media type -> the result writers' key (negotiation.py)
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
}
TIMEOUT_RETRY = 5  # seconds a reader is asked to wait after a page's query ran out of time
FORMAT_ALIASES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "html": "text/html",
}
VALIDATE_SUFFIXES = [".yaml", ".ttl", ".jsonld", ".bib", ".trig", ".nt", ".rdf"]
MAX_NAME = 200  # characters of a file name given to /validate
# Validation is Python work that holds the interpreter: one at a time, so that anonymous
# validations cannot take every thread of the server from its readers.
VALIDATING = threading.BoundedSemaphore(1)
VALIDATE_WAIT = 10.0  # seconds a validation waits for the one before it


@cache
def ui_query(name: str) -> str:
    return (UI_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def rows(name: str, resource: str | None = None, default_graphs: list[str] | None = None) -> list[dict]:
    """The solutions of a page's query, as terms (None when unbound); ``default_graphs``
    as the protocol's dataset ("" the store's own default graph, the catalogue)."""
    outcome = _run(name, {"solutions": "json"}, resource, default_graphs)
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    variables = [v.value for v in result.variables]
    return [{v: solution[v] for v in variables} for solution in result]


def _run(name: str, formats: dict[str, str], resource: str | None = None, default_graphs: list[str] | None = None):
    """A page's query, run as every client's is: by the server's query runner, in a query
    process under the time limit, through the result cache (a page read twice with no write
    between is answered from it) and admission (the reader's share of the processes). The
    resource reaches the engine as a pre-bound term, never as query text.

    A query the server could not answer now becomes a page saying so: 503 with Retry-After
    at the time limit, as the catalogue API answers, or the refusal's own status (429, 503).
    """
    settings = services().settings
    job = QueryJob(
        ui_query(name),
        formats,
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


# -- how terms look -------------------------------------------------------------------


def local_path(iri: str) -> str | None:
    """The path on this server that resolves an IRI under the base, or None for foreign IRIs."""
    if iri.startswith(config.ID_BASE):
        return "/id/" + iri[len(config.ID_BASE) :]
    if iri.startswith(config.ONTOLOGY_NS):
        return "/ontology#" + iri[len(config.ONTOLOGY_NS) :]
    if iri.startswith(config.GRAPH_BASE):
        return "/id/graph?" + urlencode({"iri": iri})
    return None


def href(iri: str) -> str | None:
    """Where a link to an IRI may point, or None when it must be shown as text.

    Only this server's own pages and http(s) IRIs: a javascript:, data: or vbscript: IRI
    (in any case) in a link runs in this server's origin when clicked. The scheme is read
    from the IRI as given, so " javascript:" and "java<TAB>script:", which browsers read
    as javascript:, are text; so is any IRI holding whitespace or control characters,
    which no valid IRI holds.
    """
    local = local_path(iri)
    if local is not None:
        return local
    if re.match(r"https?://", iri, re.IGNORECASE) and not re.search(r"[\x00-\x20\x7f]", iri):
        return iri
    return None


def short(iri: str) -> str:
    from urbankg.results import show_term

    return show_term(ox.NamedNode(iri))


def link(term, label: str | None = None) -> Markup:
    """A term as HTML: IRIs as links (local when under the base, see href), literals as text."""
    if term is None:
        return Markup("")
    if isinstance(term, ox.NamedNode):
        target = href(term.value)
        text = label or short(term.value)
        if target is None:
            return Markup('<span class="iri" title="{}">{}</span>').format(term.value, text)
        return Markup('<a href="{}" title="{}">{}</a>').format(target, term.value, text)
    if isinstance(term, ox.Literal):
        return Markup("{}").format(term.value)
    return Markup("<span class=bnode>{}</span>").format(label or str(term))


def text(term) -> str:
    return "" if term is None else term.value if hasattr(term, "value") else str(term)


@bp.app_template_filter("link")
def link_filter(term, label=None):
    return link(term, label)


@bp.app_template_filter("view")
def view(term, label: str | None = None) -> Markup:
    """A framework or paper as a link to its page here (/frameworks/<slug>, /papers/<slug>)
    when it is one of the graph's own; any other IRI or a blank node as link() shows it."""
    if isinstance(term, ox.NamedNode):
        for kind, endpoint in (("framework/", "ui.framework"), ("work/", "ui.paper")):
            slug = term.value.removeprefix(config.ID_BASE + kind)
            if slug and slug != term.value:
                return Markup('<a href="{}">{}</a>').format(url_for(endpoint, slug=slug), label or short(term.value))
    return link(term, label)


@bp.app_template_filter("text")
def text_filter(term):
    return text(term)


# -- pages ----------------------------------------------------------------------------


@bp.get("/")
def home():
    counts = {k: int(text(v) or 0) for k, v in (rows("home-counts") or [{}])[0].items()}
    frameworks = rows("framework-list")
    papers = rows("paper-list")
    cases = _distinct(rows("case-list"), "case")
    from urbankg.queries.catalogue import Catalogue

    return render_template(
        "home.html",
        counts=counts,
        frameworks=frameworks,
        papers=papers,
        cases=cases,
        queries=Catalogue().queries.values(),
    )


@dataclass
class Statement:
    predicate: object
    value: object
    label: str | None = None
    quote: str | None = None
    quote_source: object = None


@bp.get("/id/<path:rest>")
def resource(rest: str):
    iri = request.args.get("iri") if rest == "graph" and request.args.get("iri") else config.ID_BASE + rest
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
        abort(
            406,
            description="This resource is available as text/html, text/turtle, application/n-triples "
            "and application/ld+json.",
        )
    outgoing = rows("resource-out", iri)
    incoming = rows("resource-in", iri)
    if not outgoing and not incoming:
        abort(404, description=f"Nothing in the graph is called {iri}.")
    if wanted != "text/html":
        outcome = _run("resource-graph", {"graph": MACHINE_FORMATS[wanted]}, iri)
        return Response(outcome.body, mimetype=wanted, headers={"Vary": "Accept"})
    statements: dict[str, Statement] = {}
    for row in outgoing:
        key = (row["p"].value, str(row["o"]))
        if key not in statements or (row["label"] is not None and statements[key].label is None):
            statements[key] = Statement(
                row["p"], row["o"], text(row["label"]) or None, text(row["quote"]) or None, row["quote_source"]
            )
    out = sorted(statements.values(), key=lambda s: (short(s.predicate.value), s.label or str(s.value)))
    label = _first(out, LABEL_PREDICATES) or short(iri)
    definition = _first(out, DEFINITION_PREDICATES)
    types = [s.value for s in out if s.predicate.value == RDF_TYPE]
    inbound = sorted(
        {(r["p"].value, str(r["s"])): r for r in incoming}.values(),
        key=lambda r: (short(r["p"].value), text(r["label"])),
    )
    views = []
    if rest.startswith("framework/"):
        views.append(("framework view with crosswalks", url_for("ui.framework", slug=rest.split("/", 1)[1])))
    if any(t.value == "http://purl.org/spar/fabio/JournalArticle" or "fabio" in t.value for t in types) and any(
        r["p"].value == "http://purl.org/vocab/frbr/core#partOf" for r in incoming
    ):
        views.append(
            ("paper view with bibliography and citation network", url_for("ui.paper", slug=rest.split("/", 1)[1]))
        )
    return Response(
        render_template(
            "resource.html",
            iri=iri,
            label=label,
            definition=definition,
            types=types,
            statements=[s for s in out if s.predicate.value != RDF_TYPE],
            inbound=inbound,
            views=views,
            rest=rest,
        ),
        headers={"Vary": "Accept"},
    )


@bp.get("/frameworks")
def frameworks():
    return render_template("frameworks.html", frameworks=rows("framework-list"))


@bp.get("/frameworks/<path:slug>")
def framework(slug: str):
    iri = config.ID_BASE + "framework/" + slug
    info = [r for r in rows("framework-list") if r["framework"].value == iri]
    if not info:
        abort(404, description=f"No framework called framework/{slug}; /frameworks lists them.")
    components = _distinct(rows("framework-components", iri), "component")
    links = rows("framework-links", iri)
    left = [
        Node(c["component"].value, text(c["label"]) or short(c["component"].value), local_path(c["component"].value))
        for c in components
        if any(w["mine"].value == c["component"].value for w in links)
    ]
    others = _distinct(sorted(links, key=lambda w: (text(w["other_scheme_label"]), text(w["other_label"]))), "other")
    right = [
        Node(
            o["other"].value,
            text(o["other_label"]) or short(o["other"].value),
            local_path(o["other"].value) or "",
            text(o["other_scheme_label"]),
        )
        for o in others
    ]
    edges = [
        Edge(
            w["mine"].value,
            w["other"].value,
            f"{short(w['relation'].value)} — {_asserter(w)}: “{text(w['quote'])}”",
            short(w["relation"].value),
            dashed=w["asserted_by"].value.endswith("InferredByAnnotator"),
        )
        for w in links
    ]
    picture = (
        two_column_svg(
            left, right, edges, f"Crosswalks of {text(info[0]['label'])}", text(info[0]["label"]), "other frameworks"
        )
        if links
        else ""
    )
    return render_template(
        "framework.html", info=info[0], components=components, links=links, picture=Markup(picture), asserter=_asserter
    )


@bp.get("/papers")
def papers():
    return render_template("papers.html", papers=rows("paper-list"))


@bp.get("/papers/<path:slug>")
def paper(slug: str):
    iri = config.ID_BASE + "work/" + slug
    info = [r for r in rows("paper-list") if r["paper"].value == iri]
    if not info:
        abort(404, description=f"No annotated paper called work/{slug}; /papers lists them.")
    references = _distinct(rows("paper-references", iri), "ref")
    acts = rows("paper-citation-network", iri)
    works = _distinct(sorted(acts, key=lambda a: (text(a["year"]), text(a["work_title"]))), "work")
    concepts = _distinct(sorted(acts, key=lambda a: text(a["concept_label"])), "concept")
    left = [Node(w["work"].value, f"{_author_year(w)}", local_path(w["work"].value) or "") for w in works]
    right = [
        Node(
            c["concept"].value,
            text(c["concept_label"]) or short(c["concept"].value),
            local_path(c["concept"].value) or "",
        )
        for c in concepts
    ]
    edges = [
        Edge(
            a["work"].value,
            a["concept"].value,
            f"{short(a['intent'].value) if a['intent'] else ''}: “{text(a['sentence'])}”",
            short(a["intent"].value) if a["intent"] else "",
        )
        for a in acts
    ]
    picture = (
        two_column_svg(
            left, right, edges, f"Citation–concept network of {text(info[0]['title'])}", "cited works", "concepts"
        )
        if acts
        else ""
    )
    return render_template("paper.html", info=info[0], references=references, acts=acts, picture=Markup(picture))


@bp.get("/query")
def query_editor():
    from urbankg.queries.catalogue import Catalogue

    prefixes = (Path(__file__).parent / "static" / "prefixes.rq").read_text(encoding="utf-8")
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


@bp.route("/validate", methods=["GET", "POST"])
def validate():
    context = {
        "suffixes": VALIDATE_SUFFIXES,
        "text": "",
        "suffix": ".yaml",
        "problems": None,
        "loaded": None,
        "error": None,
        "name": "annotation",
        "conflict": None,
    }
    if request.method == "POST":
        upload = request.files.get("file")
        if upload and upload.filename:
            context["text"] = upload.read().decode("utf-8", errors="replace")
            context["suffix"] = Path(upload.filename).suffix.lower()
            context["name"] = Path(upload.filename).stem
        else:
            context["text"] = request.form.get("text", "")
            context["suffix"] = request.form.get("suffix", ".yaml")
            context["name"] = request.form.get("name") or "annotation"
        if context["suffix"] not in LOADER_BY_SUFFIX:
            context["error"] = (
                f"urbankg cannot read {shown(context['suffix'])} files; choose one of {', '.join(VALIDATE_SUFFIXES)}"
            )
            return render_template("validate.html", **context, lines=[]), 400
        # The name becomes a file name (at most 255 bytes) and the last segment of the graph's IRI.
        safe_name = _safe_name(context["name"])
        wrong = (
            f"is {len(safe_name)} characters long; use at most {MAX_NAME}"
            if len(safe_name) > MAX_NAME
            else "has no letter or digit; use one like lin-2019"
            if not re.search(r"[A-Za-z0-9]", safe_name)
            else None
        )
        if wrong:
            context["error"] = f"the file name {wrong} (it names the graph {config.GRAPH_BASE}<name>)"
            return render_template("validate.html", **context, lines=[]), 400
        limit = services().settings.max_validate_bytes
        size = len(context["text"].encode("utf-8", errors="replace"))
        if size > limit:
            context["error"] = (
                f"the file is {size:,} bytes; this page checks files of up to {limit:,} bytes "
                "(URBANKG_MAX_VALIDATE_BYTES). Check a larger file with `urbankg validate FILE`, or "
                "send it to the Graph Store with the write token"
            )
            return render_template("validate.html", **{**context, "text": ""}, lines=[]), 413
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
                path = Path(folder) / (safe_name + context["suffix"])
                path.write_text(context["text"], encoding="utf-8")
                return _validated(path, context)
        finally:
            VALIDATING.release()
    return render_template("validate.html", **context, lines=[])


def _validated(path: Path, context: dict):
    """The validation page for the file at ``path``, loading it too when asked (and allowed).

    A load is one write of the write path (claims, the SHACL gate, history), on the server's
    writer thread in turn with every other write, recorded under the name of the token's
    holder. A graph someone else created is replaced only when the form says so."""
    if not request.form.get("load"):
        context["problems"] = services().kg.validate([path])
        return _validate_page(context)
    agent = agent_for_token(request.form.get("token") or presented_token())
    if agent is None:
        context["problems"] = services().kg.validate([path])
        context["error"] = (
            "Loading needs a write token (a named token, or the server's); validation changed nothing."
            if writes_allowed()
            else "This server is read-only (no write token is configured); validation changed nothing."
        )
        return _validate_page(context, 403)
    g.urbankg_agent = agent
    replace = bool(request.form.get("replace"))
    writes = services().writes
    try:  # on the writer thread, in turn with every other write of the server
        report = services().updates.apply(
            lambda: writes.load([path], agent, replace=replace, origin=lambda p: f"web page /validate {p.name}")
        )
    except SourceError as error:  # the gate's own report: what the page shows
        context["problems"] = error.problems
        return _validate_page(context)
    except ClaimConflict as conflict:  # refused before the gate ran: nothing to say of validity yet
        context["conflict"] = conflict
        return _validate_page(context, 409)
    except UnstorableTerm as error:  # a term the store cannot hold: the file's fault
        context["error"] = str(error)
        return _validate_page(context, 400)
    except StoreError as error:
        context["error"] = f"The store could not load the file, and nothing was written: {error}"
        return _validate_page(context, 500)
    context["problems"] = report.warnings
    context["loaded"] = report.graphs
    return _validate_page(context)


def _validate_page(context: dict, status: int = 200):
    return render_template("validate.html", **context, lines=_lines(context["text"], context["problems"])), status


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


def _negotiate() -> str | None:
    fmt = request.args.get("format")
    if fmt:
        return FORMAT_ALIASES.get(fmt)
    if not request.accept_mimetypes:
        return "text/html"
    return request.accept_mimetypes.best_match(["text/html", *MACHINE_FORMATS])


def _first(statements: list[Statement], predicates: list[str]) -> str | None:
    for predicate in predicates:
        for s in statements:
            if s.predicate.value == predicate and isinstance(s.value, ox.Literal):
                return s.value.value
    return None


def _distinct(items: list[dict], key: str) -> list[dict]:
    seen, out = set(), []
    for item in items:
        value = str(item.get(key))
        if value not in seen:
            seen.add(value)
            out.append(item)
    return out


def _asserter(row) -> str:
    status = text(row.get("asserted_by"))
    who = "stated by the paper" if status.endswith("StatedByPaper") else "inferred by an annotator"
    return who + (f" ({short(row['source'].value)})" if row.get("source") is not None else "")


def _author_year(row) -> str:
    title = text(row.get("work_title")) or short(row["work"].value)
    year = text(row.get("year"))
    return f"{title} ({year})" if year else title


def _safe_name(name: str) -> str:
    from urbankg.loaders import source_name

    return source_name(Path(name + ".x"))


def _lines(source_text: str, problems) -> list[tuple[int, str, list]]:
    by_line: dict[int, list] = {}
    for problem in problems or []:
        by_line.setdefault(problem.line or 0, []).append(problem)
    numbered = [(n, line, by_line.get(n, [])) for n, line in enumerate(source_text.splitlines(), 1)]
    if by_line.get(0):
        numbered.insert(0, (0, "", by_line[0]))
    return numbered


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
