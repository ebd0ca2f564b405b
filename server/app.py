"""The Flask application factory: one app per KnowledgeGraph."""

from __future__ import annotations

from flask import Flask, jsonify

from urbankg import __version__
from urbankg.graph import KnowledgeGraph


def create_app(kg: KnowledgeGraph) -> Flask:
    app = Flask(__name__)
    app.config["KG"] = kg

    from urbankg.server import catalogue_api, ui

    app.register_blueprint(ui.bp)
    app.register_blueprint(catalogue_api.bp)
    ui.register_error_pages(app)

    @app.get("/health")
    def health():
        # A cheap query proves the store answers, not just that the process is up.
        triples = len(kg.store) if hasattr(kg.store, "__len__") else None
        return jsonify(status="ok", version=__version__, triples=triples, graphs=len(kg.graphs()))

    return app
