"""The hostile-input fuzzer against the real server, and the machinery it stands on.

Every route that takes input gets generated hostile cases (fuzz_inputs) over real HTTP,
and after each case: no 5xx (but an honest 503 with Retry-After), no canary hit, the
server alive and answering /health, the store unchanged by every read and refusal and
changed by an accepted write exactly as allowed (fuzz_target).

Bounded by time, so CI stays within minutes: URBANKG_FUZZ_SECONDS (default 60) is shared
between the routes; URBANKG_FUZZ_SEED fixes the cases (default: in CI the fixed seed
CI_SEED, so that a red run can be replayed and a green one is not luck; elsewhere a new
seed each run, to explore; it is printed with every failure); URBANKG_FUZZ_CASES caps the cases per route;
URBANKG_FUZZ_VERBOSE=1 prints each case before it is sent (with -s). For longer runs,
bench/fuzz.py.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from canary import Canary
from fuzz_inputs import GENERATORS, build
from fuzz_target import ROUTES, SHARES, Fuzzer, Target

SECONDS = float(os.environ.get("URBANKG_FUZZ_SECONDS") or 60)
CI_SEED = "21"
SEED = os.environ.get("URBANKG_FUZZ_SEED") or (
    CI_SEED if os.environ.get("CI") == "true" else str(random.SystemRandom().randrange(1_000_000))
)
MAX_CASES = int(os.environ.get("URBANKG_FUZZ_CASES") or 1_000_000)
VERBOSE = os.environ.get("URBANKG_FUZZ_VERBOSE") == "1"
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory):
    # One allow-listed SERVICE endpoint gives the query processes network, as on a server
    # configured for federation: a SERVICE that slips past the guard would reach the canary.
    with (
        Canary() as hostile,
        Canary() as allowed,
        Target(tmp_path_factory.mktemp("fuzz"), allowed.url + "/sparql") as target,
    ):
        yield Fuzzer(target, hostile, SEED, verbose=VERBOSE)


@pytest.mark.parametrize("route", list(ROUTES))
def test_hostile_input_gets_a_clean_refusal_and_changes_nothing(fuzzer, route):
    report = fuzzer.run(route, SECONDS * SHARES[route], MAX_CASES)
    print(report.summary())
    assert report.cases > 0
    assert not report.failures, report.failure_text()


# -- the machinery -------------------------------------------------------------------------------


def test_canary_records_requests_and_bare_connections():
    with Canary() as canary_server:
        assert canary_server.url.startswith("http://127.0.0.1:")
        requests.get(canary_server.url + "/probe-1?x=1", headers={"User-Agent": "fuzz-test"}, timeout=5)
        requests.post(canary_server.url + "/probe-2", data=b"payload", timeout=5)
        requests.request("PROPFIND", canary_server.url + "/probe-3", timeout=5)
        with socket.create_connection(("127.0.0.1", canary_server.port), timeout=5):
            pass  # a connection that says nothing: still reaching the canary
        assert canary_server.wait_for_hit(5, after=3)
        hits = canary_server.hits
        assert [(h.method, h.path) for h in hits[:3]] == [
            ("GET", "/probe-1?x=1"),
            ("POST", "/probe-2"),
            ("PROPFIND", "/probe-3"),
        ]
        assert hits[0].headers["User-Agent"] == "fuzz-test" and hits[1].body == b"payload"
        assert hits[3].method == ""
        assert [h.path for h in canary_server.hits_for("probe-2")] == ["/probe-2"]
        with pytest.raises(AssertionError, match="reached 4 time"):
            canary_server.assert_untouched()


def test_canary_fixture_fails_the_test_it_was_reached_in(tmp_path):
    (tmp_path / "test_probe.py").write_text(
        textwrap.dedent("""
        import requests
        from canary import canary  # noqa: F401

        def test_reaches(canary):
            requests.get(canary.url + "/leak", timeout=5)

        def test_quiet(canary):
            assert canary.hits == []
    """)
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_probe.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    assert "2 passed, 1 error" in run.stdout, run.stdout  # the error is test_reaches's teardown
    assert "ERROR at teardown of test_reaches" in run.stdout and "GET /leak" in run.stdout


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_every_generator_class_is_reproducible_from_its_seed(kind):
    for label, _fn in GENERATORS[kind]:
        first = build(kind, label, "7:test:1", "http://127.0.0.1:9")
        assert build(kind, label, "7:test:1", "http://127.0.0.1:9") == first
        bodies = {repr(build(kind, label, f"7:test:{i}", "http://127.0.0.1:9").body) for i in range(12)}
        assert len(bodies) > 1, f"{kind}/{label} makes the same input whatever the seed"


# Hosts a generated input may name besides the canary: vocabularies (names, never fetched), the
# fuzzer's own namespace, hosts of IRIs that are broken on purpose, and those already in the
# corpus and test files the mutations start from.
NAMESPACE_HOSTS = {
    "w3id.org",
    "fuzz.example",
    "example.org",
    "www.w3.org",
    "purl.org",
    "xmlns.com",
    "schema.org",
    "rdfs.org",
    "prismstandard.org",
    "a",
    "a b",
    "x",
    "[x",
    "[::1",
    "a:b:c",
}
SEED_FILES = [*HERE.joinpath("data").rglob("*.*"), *HERE.parent.joinpath("corpus").rglob("*.yaml")]
URL_HOST = re.compile(r"(?i)\bhttps?://([^/\s\"'<>\\]*)")


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_every_url_a_case_could_fetch_points_at_the_canary(kind):
    canary_url = "http://127.0.0.1:9"
    seeded = {host.lower() for path in SEED_FILES for host in URL_HOST.findall(path.read_text(errors="replace"))}
    known = NAMESPACE_HOSTS | seeded | {"127.0.0.1:9"}
    # Mutation classes splice canary URLs into the seed files' own: what they make is checked
    # as far as their building blocks are, here.
    for label in [label for label, _fn in GENERATORS[kind] if "mutation" not in label]:
        for i in range(10):
            case = build(kind, label, f"8:test:{i}", canary_url)
            text = case.text(10**8) if not isinstance(case.body, bytes) else case.body.decode("utf-8", "replace")
            for host in URL_HOST.findall(text):
                # Escapes and inserted characters end the match early or sit inside it.
                host = re.sub(r"[^a-z0-9.:-]", "", host.lower())
                assert any(host in allowed for allowed in known), (kind, label, host)
