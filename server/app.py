"""The Flask application factory: one app per KnowledgeGraph, configured by one Settings."""

from __future__ import annotations

from flask import Flask, g, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import RequestEntityTooLarge

from urbankg import __version__
from urbankg.errors import UrbankgError
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server import http_errors, metrics, services
from urbankg.server.http_errors import HttpError
from urbankg.server.query_runner import make_runner
from urbankg.server.result_cache import CachedRunner
from urbankg.server.service_description import Statistics
from urbankg.server.services import Services
from urbankg.server.settings import Settings
from urbankg.server.update_runner import UpdateRunner
from urbankg.write_path import WritePath

# Routes a browser on another origin may call, when CORS origins are configured.
CORS_ROUTES = [r"/sparql", r"/sparql/", r"/rdf-graphs", r"/graph/*", r"/api/*"]


def create_app(kg: KnowledgeGraph, settings: Settings | None = None) -> Flask:
    # The embedded store's token file, so /health and the Service Description know of named tokens.
    settings = (settings or Settings.from_env()).for_store(kg.store)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body  # Flask answers 413 past it
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_validate_bytes  # one form field, e.g. /validate's text
    # Query processes get no network at all unless SERVICE may call somewhere.
    runner = CachedRunner(
        make_runner(kg, settings.workers, isolate_network=not settings.service_allow, settings=settings),
        settings.result_cache_mb * 1024 * 1024,
    )
    # The embedded store's writer thread leaves the network; a remote store is reached through it.
    updates = UpdateRunner(isolate_writer=isinstance(kg.store, OxigraphStore))
    app_services = Services(
        kg=kg,
        settings=settings,
        runner=runner,
        updates=updates,
        # One write path for the app: its lock and the writer thread serialise every write.
        writes=WritePath(kg),
        statistics=Statistics(runner, settings.query_timeout),
        metrics=metrics.install(app),
    )
    services.install(app, app_services)
    http_errors.register(app)
    if settings.cors_origins:
        origins = "*" if "*" in settings.cors_origins else list(settings.cors_origins)
        CORS(
            app,
            resources={route: {"origins": origins} for route in CORS_ROUTES},
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=[
                "X-Urbankg-Truncated",
                "X-Urbankg-Rows",
                "X-Urbankg-Max-Rows",
                "X-Urbankg-Max-Bytes",
                "Retry-After",
                "Location",
            ],
            methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
            max_age=3600,
        )

    @app.before_request
    def refuse_large_bodies():
        # Before any view reads the body: a declared length over the limit never gets read.
        if request.content_length is not None and request.content_length > settings.max_body:
            raise RequestEntityTooLarge()

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        g.refusal = "body-size"
        if request.content_length is not None and request.content_length <= settings.max_body:
            # Werkzeug's own cap on one form field (the text area of /validate, say).
            return HttpError(
                413,
                f"a form field holds more than {settings.max_validate_bytes} bytes "
                "(URBANKG_MAX_VALIDATE_BYTES): upload the file instead, or check it with "
                "`urbankg validate FILE`",
            ).response()
        return HttpError(
            413,
            f"the request body is larger than this server's limit of {settings.max_body} bytes "
            "(URBANKG_MAX_BODY): send less, or split the data into several graphs",
        ).response()

    from urbankg.server import (
        catalogue_api,
        graph_store,
        identities_page,
        intake_page,
        load_api,
        query_check,
        review_pages,
        search_page,
        sparql_protocol,
        ui,
    )

    app.register_blueprint(sparql_protocol.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(catalogue_api.bp)
    app.register_blueprint(load_api.bp)  # `urbankg load` and `drop` while this server holds the store
    app.register_blueprint(identities_page.bp)  # review identity decisions: /identities
    app.register_blueprint(intake_page.bp)  # add a paper: /papers/new, its progress, its files
    app.register_blueprint(review_pages.bp)  # the guided review of a draft: /papers/<id>/review
    app.register_blueprint(search_page.bp)  # the search box's answers: /search
    app.register_blueprint(query_check.bp)  # the query editor's checks and names: /query/check, /query/terms
    ui.register_error_pages(app)

    @app.get("/health")
    def health():
        # Answers from the server process alone, so it stays quick while every worker is busy.
        # "degraded" (still 200: reads go on from the last snapshot) names what stops writes
        # and snapshots, e.g. a full disk; asking also lets the store reopen once it has room.
        problem = kg.store.problem() if hasattr(kg.store, "problem") else None
        try:
            # Without waiting for a load that hides the embedded store: None until it is done.
            names = kg.store.graphs(wait=False) if isinstance(kg.store, OxigraphStore) else kg.graphs()
            graphs = None if names is None else len(names)
        except UrbankgError as exc:
            graphs, problem = None, problem or str(exc)
        return jsonify(
            status="degraded" if problem else "ok",
            problem=problem,
            version=__version__,
            triples=app_services.metrics.store_triples_if_known(kg, runner.generation),
            graphs=graphs,
            query_workers=runner.alive,
            query_workers_without_network=runner.isolated,
            updates_without_network=updates.writer_isolated,
            read_only=settings.read_only,
        )

    return app
