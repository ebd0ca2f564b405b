"""Issue 21, findings 1 and 4: SERVICE and LOAD cannot hide from the guard, and no text can
take the server down, over real HTTP with real query processes and the real update path.

Every URL points at a canary on 127.0.0.1 that fails the test if it hears anything. The
allow-list case matters most: there the query processes have network, and only the
checking parser stands between a hostile text and any host.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests

from canary import Canary
from endpoint import TOKEN, endpoint
from urbankg.server.services import services
from urbankg.server.settings import Settings
from urbankg.server.sparql_request import Refused
from urbankg.server.update_runner import UpdateRunner

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/urbankg/graph/keep"


@pytest.fixture(scope="module")
def canary():
    with Canary() as running:
        yield running
        running.assert_untouched()


@pytest.fixture(scope="module")
def server(tmp_path_factory, canary):
    # An allow-listed endpoint on the canary's host: the query processes have network.
    settings = Settings(token=TOKEN, workers=2, query_timeout=20, service_allow=(canary.url + "/allowed",))
    with endpoint(tmp_path_factory.mktemp("security") / "store", settings) as running:
        running.kg.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}")
        yield running


def fingerprint(server) -> list[str]:
    dump = io.BytesIO()
    server.kg.export(dump, "nquads")
    return sorted(dump.getvalue().decode().splitlines())


HIDDEN_SERVICE = "SELECT * WHERE {{ ?s ?p ?o FILTER(1 <'> 1) ' || true) SERVICE <{url}> {{ ?a ?b ?c }} }} #'"


def test_a_service_hidden_from_a_scanner_is_refused_even_with_an_allow_list(server, canary):
    query = HIDDEN_SERVICE.format(url=canary.url + "/hidden-query")
    response = requests.get(server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text and "refused" in response.text
    assert canary.hits_for("hidden-query") == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}/load> INTO GRAPH <urn:fetched>",
        "INSERT { GRAPH <urn:fetched> { ?a ?b ?c } } WHERE {{ SERVICE <{url}/insert> {{ ?a ?b ?c }} }}",
        # The scanner trick in an update: LOAD and a SERVICE behind `<'>`.
        "INSERT {{ GRAPH <urn:fetched> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o FILTER(1 <'> 1) ' || true) }} ; "
        "LOAD <{url}/hidden-load> INTO GRAPH <urn:fetched> #'",
        "INSERT {{ GRAPH <urn:fetched> {{ ?a ?b ?c }} }} WHERE {{ ?s ?p ?o FILTER(1 <'> 1) ' || true) "
        "SERVICE <{url}/hidden-insert> {{ ?a ?b ?c }} }} #'",
        "INSERT {{ GRAPH <urn:fetched> {{ ?a ?b ?c }} }} WHERE {{ SERVICE <{url}/allowed> {{ ?a ?b ?c }} }}",
    ],
    ids=["load", "service", "load behind <'>", "service behind <'>", "allowed service"],
)
def test_updates_never_reach_out(server, canary, update):
    update = update.replace("{{", "{").replace("}}", "}").replace("{url}", canary.url)
    before = fingerprint(server)
    response = requests.post(server.sparql, data={"update": update}, headers=AUTH, timeout=60)
    assert response.status_code == 400, response.text
    assert "refused" in response.text
    assert fingerprint(server) == before
    assert canary.hits == []


@pytest.mark.parametrize(
    "kind, text",
    [
        ("query", "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000),
        ("update", "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{" * 100_000 + "}" * 100_000),
        ("query", "SELECT * WHERE { VALUES ?a {1} FILTER(" + " || ".join(["?a"] * 1500) + ") }"),
        ("update", "INSERT { <urn:a> <urn:b> <urn:c> } WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 1500) + " }"),
    ],
    ids=[
        "query nested 100,000 deep",
        "update nested 100,000 deep",
        "query chaining 1,500 ||",
        "update of 1,500 UNIONs",
    ],
)
def test_texts_built_to_crash_the_engine_are_a_400_and_the_server_stays_up(server, kind, text):
    before = fingerprint(server)
    headers = {"Content-Type": f"application/sparql-{kind}", **(AUTH if kind == "update" else {})}
    response = requests.post(server.sparql, data=text.encode(), headers=headers, timeout=60)
    assert response.status_code == 400, response.text[:300]
    assert "deep" in response.text
    assert fingerprint(server) == before
    assert requests.get(server.url + "/health", timeout=10).status_code == 200
    after = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert after.status_code == 200 and after.json()["boolean"] is True  # both query processes answer


def test_an_ordinary_update_still_lands(server):
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> <urn:d> }} }}"
    response = requests.post(server.sparql, data={"update": update}, headers=AUTH, timeout=60)
    assert response.status_code == 204, response.text
    assert "<urn:d>" in " ".join(fingerprint(server))


def test_the_writer_thread_has_no_network():
    listener = socket.create_server(("127.0.0.1", 0))
    runner = UpdateRunner(isolate_writer=True)
    try:
        attempt = []

        def connect():
            try:
                socket.create_connection(listener.getsockname(), timeout=2).close()
                attempt.append("connected")
            except OSError as exc:
                attempt.append(exc.strerror)

        runner.apply(connect)
        if not runner.writer_isolated:
            pytest.skip(
                "[component] this machine does not let the server create a network namespace "
                "(CAP_SYS_ADMIN); the parser guard alone stands"
            )
        assert attempt == ["Network is unreachable"]
    finally:
        runner.close()
        listener.close()


def test_a_probe_that_dies_mid_check_refuses_the_update_and_is_replaced():
    runner = UpdateRunner(isolate_writer=False)
    try:
        assert runner.check("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None, 30).loads == ()
        probe = runner._probe
        # A check slow enough to be caught in the act (rdflib reads long || chains slowly),
        # then the probe dies under it, as it would of a stack overflow.
        slow = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE { FILTER(" + " || ".join(["1"] * 3000) + ") }"
        threading.Timer(0.5, probe.kill).start()
        with pytest.raises(Refused) as refused:
            runner.check(slow, None, 60)
        assert refused.value.reason == "crash" and "not run" in str(refused.value)
        assert runner.check("CLEAR ALL", None, 30).services == ()  # a new probe took its place
        assert runner._probe is not probe
    finally:
        runner.close()


def test_a_check_past_the_time_limit_is_stopped():
    runner = UpdateRunner(isolate_writer=False)
    try:
        slow = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE { FILTER(" + " || ".join(["1"] * 3000) + ") }"
        started = time.monotonic()
        with pytest.raises(Refused) as refused:
            runner.check(slow, None, 1)
        assert refused.value.reason == "timeout"
        assert time.monotonic() - started < 5
    finally:
        runner.close()


def test_health_says_whether_updates_and_queries_have_network(server):
    health = requests.get(server.url + "/health", timeout=10).json()
    assert health["updates_without_network"] is services(server.app).updates.writer_isolated
    if not health["updates_without_network"]:
        pytest.skip("[component] no network namespace for the writer thread on this machine (CAP_SYS_ADMIN)")
    assert health["query_workers_without_network"] == 0  # the allow-list gives the query processes network


def test_a_federating_query_process_runs_other_queries_without_network():
    # In a child process: the user namespace it makes is its own, and needs a single thread.
    script = textwrap.dedent("""
        import socket
        from urbankg.server.query_worker import OfflineThread
        listener = socket.create_server(("127.0.0.1", 0))
        offline = OfflineThread.start()
        def attempt():
            try:
                socket.create_connection(listener.getsockname(), timeout=2).close()
                return "connected"
            except OSError as exc:
                return exc.strerror
        print(offline is not None, offline.run(attempt) if offline else "-", attempt(), sep="|")
    """)
    made, offline, main = (
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
        .stdout.strip()
        .split("|")
    )
    if made != "True":
        pytest.skip("[component] this kernel lets no process make a user namespace of its own")
    assert (offline, main) == ("Network is unreachable", "connected")
