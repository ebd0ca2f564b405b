"""`urbankg search` as a user runs it: a real process, on the embedded store and on Virtuoso."""

import shutil
import subprocess
import sys

import pytest

from urbankg import config
from urbankg.errors import SourceError
from urbankg.graph import KnowledgeGraph, bundled_sources
from urbankg.loaders import load_file
from urbankg.sparql_store import SparqlStore
from urbankg.store import GraphReplacement
from virtuoso import PASSWORD, USER

URBANKG = [shutil.which("urbankg")] if shutil.which("urbankg") else [sys.executable, "-m", "urbankg.cli"]
pytestmark = pytest.mark.slow  # the CLI in subprocesses, as test_cli.py

IN_SITU = "concept/rural-development\tconcept\trural development and poverty alleviation (in-situ urbanization)"


def urbankg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*URBANKG, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store") / "store"
    kg = KnowledgeGraph.open(folder)
    kg.ensure_bundled()
    kg.close()
    return str(folder)


def test_search_prints_id_kind_and_label_with_the_alternative_label_that_matched(store):
    found = urbankg("--store", store, "search", "in-situ urbanisation")
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0] == IN_SITU
    frameworks = urbankg("--store", store, "search", "network", "--kind", "framework", "--kind", "case")
    lines = frameworks.stdout.splitlines()
    assert lines and all(line.split("\t")[1] in ("framework", "case") for line in lines)
    assert len(urbankg("--store", store, "search", "taobao", "--limit", "3").stdout.splitlines()) == 3


def test_search_says_what_is_wrong(store):
    short = urbankg("--store", store, "search", "x")
    assert short.returncode == 2 and "give at least 2 characters" in short.stderr
    kind = urbankg("--store", store, "search", "network", "--kind", "paper")
    assert kind.returncode == 2 and "'concept', 'framework', 'case'" in kind.stderr
    nothing = urbankg("--store", store, "search", '"}) . ?s ?p ?o #')
    assert nothing.returncode == 0 and nothing.stdout == "" and "is called" in nothing.stderr


def test_search_on_a_remote_store_finds_what_the_embedded_one_finds(virtuoso, store):
    virtuoso.wipe()
    replacements = []
    for path in bundled_sources():
        try:
            parsed = load_file(path)
        except SourceError:
            continue  # a file that does not parse yet (another engineer's): neither store is compared on it
        replacements.append(GraphReplacement(config.graph_iri(parsed.source), parsed.graph, str(path)))
    SparqlStore(virtuoso.endpoint, virtuoso.auth_endpoint, user=USER, password=PASSWORD).replace_graphs(replacements)
    try:
        for text in ("in-situ urbanisation", "réseaux", "Xi'niujiao"):
            remote = urbankg("--endpoint", virtuoso.endpoint, "search", text)
            assert remote.returncode == 0, remote.stderr
            assert remote.stdout == urbankg("--store", store, "search", text).stdout
    finally:
        virtuoso.wipe()
