"""The server's services, one typed object per app: what every route reaches through ``services()``.

``create_app`` builds one :class:`Services` (the knowledge graph, the settings, the query runner
behind the result cache, the update runner with its writer thread, the write path, the Service
Description's statistics, the metrics) and keeps it on the app; a view asks ``services()`` for it,
so a service is named by an attribute mypy checks, never by a string key.

Costs nothing at a request: one dictionary look-up on the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    # Types only: the modules that define them import services() for their own routes.
    from urbankg.graph import KnowledgeGraph
    from urbankg.server.metrics import Metrics
    from urbankg.server.result_cache import CachedRunner
    from urbankg.server.service_description import Statistics
    from urbankg.server.settings import Settings
    from urbankg.server.update_runner import UpdateRunner
    from urbankg.write_path import WritePath

EXTENSION = "urbankg"  # the key of the Services object in app.extensions


@dataclass(frozen=True)
class Services:
    kg: KnowledgeGraph
    settings: Settings  # already bound to the store's token file (Settings.for_store)
    runner: CachedRunner  # every query: /sparql, the catalogue API, the Graph Store's GET, the UI's pages
    updates: UpdateRunner  # the update probe and the one writer thread every write runs on
    writes: WritePath  # the write path: claims, the SHACL gate, history
    statistics: Statistics  # the VoID counts of the Service Description, kept per store generation
    metrics: Metrics

    def close(self) -> None:
        """Stop the query processes and the update probe: nothing the app started outlives it."""
        self.runner.close()
        self.updates.close()


def install(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services


def services(app: Flask | None = None) -> Services:
    """The services of ``app``, or of the app answering the current request."""
    found = (app if app is not None else current_app).extensions[EXTENSION]
    assert isinstance(found, Services), "create_app() installs the app's services"
    return found
