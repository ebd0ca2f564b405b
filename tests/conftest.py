"""Shared fixtures, and the rule that turns 'component missing' skips into failures in CI.

A test that needs a real external component (Chromium, Virtuoso, Java) skips locally
when it is absent, with a reason starting "[component]". In CI (CI=true) or with
URBANKG_STRICT_COMPONENTS=1 such a skip is a failure: CI must install what the tests need.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.validation import Validator
from virtuoso import virtuoso  # noqa: F401 (one Virtuoso per session, for the store contract)

DATA = Path(__file__).parent / "data"
STRICT_COMPONENTS = os.environ.get("CI") == "true" or os.environ.get("URBANKG_STRICT_COMPONENTS") == "1"


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
