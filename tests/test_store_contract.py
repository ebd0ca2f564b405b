"""The store contract (tests/store_contract.py), run on every store urbankg supports:
the embedded Oxigraph store, and Virtuoso 7 through SparqlStore."""

from __future__ import annotations

import pytest

from store_contract import *  # noqa: F401,F403 (the contract's tests, collected here)
from urbankg.oxigraph_store import OxigraphStore
from urbankg.sparql_store import SparqlStore
from virtuoso import PASSWORD, USER

# Small batches, so the contract's larger graphs go through the staged, batched load.
BATCH = 100


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request):
    if request.param == "oxigraph":
        store = OxigraphStore(None)
        yield store
        store.close()
        return
    server = request.getfixturevalue("virtuoso")
    server.wipe()
    store = SparqlStore(server.endpoint, server.auth_endpoint, user=USER, password=PASSWORD, batch_size=BATCH)
    try:
        yield store
    finally:
        store.close()
        server.wipe()
