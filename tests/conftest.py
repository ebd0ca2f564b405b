"""Shared fixtures, the `slow` marker, and the rule that turns 'component missing' skips into failures in CI.

A test that needs a real external component (Chromium, Virtuoso, Java) skips locally
when it is absent, with a reason starting "[component]". In CI (CI=true) or with
URBANKG_STRICT_COMPONENTS=1 such a skip is a failure: CI must install what the tests need.

`pytest -m "not slow"` leaves out the files in SLOW_FILES and every test that uses Virtuoso:
the fast part of the suite, for a developer between two edits. CI runs everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.validation import Validator

# Fixture modules, for every test file that asks for their fixtures by name: one Virtuoso per
# session (the store contract), the canary HTTP server (security tests), a small disk.
pytest_plugins = ["virtuoso", "canary", "small_disk"]

DATA = Path(__file__).parent / "data"

# Files whose tests drive a browser, Virtuoso, HermiT, a fuzzer, a wheel build, the CLI or a
# server in subprocesses, or that take more than ~5 s in all. Measured on a busy machine with
# pytest -m "not slow" and per-file sums of --durations; seconds as measured there. A file that
# grows slow joins this set; a slow test in an otherwise quick file gets @pytest.mark.slow.
SLOW_FILES = {
    "test_browser.py",  # Chromium through Playwright
    "test_packaging.py",  # builds a wheel, makes a venv: 30 s
    "test_reasoning.py",  # HermiT in Java: 104 s
    "test_security_fuzz.py",  # the fuzzer's cases against a live server: 60 s and more
    "test_security_routes.py",  # hostile values against every route: 60 s and more
    "test_sparql_store.py",  # Virtuoso
    "test_store_contract.py",  # every store, Virtuoso among them
    "test_backup.py",  # 38 s
    "test_server_query_runner.py",  # 248 s
    "test_oxigraph_store.py",  # 171 s (writers and readers in subprocesses)
    "test_cli.py",  # 147 s (the CLI in subprocesses)
    "test_cli_beside_server.py",  # 91 s
    "test_server_graph_store.py",  # 33 s
    "test_write_path.py",  # 22 s
    "test_server_w3c_protocol.py",  # 21 s
    "test_server_sparql_protocol.py",  # 19 s
    "test_security_parsers.py",  # 18 s
    "test_server_result_cache.py",  # 16 s
    "test_ui.py",  # 13 s
    "test_server_gsp_w3c.py",  # 13 s
    "test_corpus_sun_2025.py",  # 13 s
    "test_security_admission.py",  # 13 s
    "test_validation_references.py",  # 12 s
    "test_catalogue_api.py",  # 12 s
    "test_security_sparql.py",  # 11 s
    "test_shapes.py",  # 10 s
    "test_server_sparql_request.py",  # 10 s
    "test_queries_corpus.py",  # 9 s
    "test_corpus_lin_2019_citations.py",  # 8 s
    "test_server_auth.py",  # 8 s
    "test_bench_report.py",  # 7 s
    "test_ontology_docs.py",  # 7 s
    "test_tokens.py",  # 7 s
}
# A test using one of these fixtures is slow wherever it is.
SLOW_FIXTURES = {"virtuoso"}
STRICT_COMPONENTS = os.environ.get("CI") == "true" or os.environ.get("URBANKG_STRICT_COMPONENTS") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT_COMPONENTS and report.skipped and "[component]" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"required component missing in CI: {report.longrepr}"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def test_validator() -> Validator:
    """A validator with the small test shapes, independent of the bundled shapes' progress."""
    return Validator(DATA / "rdf" / "shapes.ttl", Path("/nonexistent-ontology.ttl"))


@pytest.fixture
def disk_kg(tmp_path, test_validator):
    """A knowledge graph on a real on-disk store, with the test shapes."""
    kg = KnowledgeGraph(OxigraphStore(tmp_path / "store"), test_validator)
    yield kg
    kg.close()
