"""A real urbankg endpoint for tests: an on-disk store, the app, waitress on a loopback port.

Queries run in real worker processes (the app's ProcessRunner); everything is torn
down at the end, workers and snapshots included.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.server.services import services
from urbankg.server.settings import Settings
from urbankg.validation import Validator

DATA = Path(__file__).parent / "data"
TOKEN = "test-token-7c1d"


@dataclass
class Endpoint:
    url: str  # e.g. http://127.0.0.1:41234
    kg: KnowledgeGraph
    app: object

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {TOKEN}"}

    def count(self, sparql: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> int:
        """Asked of the store directly, not through the server under test."""
        return int(next(iter(self.kg.query(sparql)))["n"].value)


@contextmanager
def endpoint(store_dir: Path, settings: Settings | None = None, load: list[Path] = ()):
    kg = KnowledgeGraph(OxigraphStore(store_dir), Validator(DATA / "rdf" / "shapes.ttl", Path("/nonexistent.ttl")))
    if load:
        kg.load(list(load))
    app = create_app(kg, settings or Settings(token=TOKEN))
    try:
        with served(app) as url:
            yield Endpoint(url, kg, app)
    finally:
        services(app).runner.close()
        kg.close()
