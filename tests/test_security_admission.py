"""Hostile load on the query processes (issue 21, finding 6): two never-ending queries must not
take every process, and whoever cannot be served is told so at once.

Over real HTTP, with real query processes. Clients are told apart by their address, so
the tests speak from two loopback source addresses (127.0.0.1 and 127.0.0.2, both on the
loopback interface); every connection goes to the server on 127.0.0.1.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from endpoint import TOKEN, endpoint
from urbankg.server.settings import Settings

LIMIT = 8.0  # the query time limit of the test server
RESERVE = 1.0  # URBANKG_RESERVE_SECONDS of the test server
# Counts 2000^3 combinations of VALUES rows: no store needed, and far past any limit.
NEVER_ENDING = (
    "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {rows} }} VALUES ?b {{ {rows} }} VALUES ?c {{ {rows} }} }} # {name}"
)
ROWS = " ".join(str(i) for i in range(2000))
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { 1 2 3 } }"


class FromAddress(HTTPAdapter):
    """Connections made from a given local address (a second client on the same machine)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def get(url: str, headers: dict | None = None, **options) -> requests.Response:
    """A GET whose connection the server closes once it has answered: one kept open would hold the
    test server up for seconds when it stops."""
    return requests.get(url, headers={"Connection": "close", **(headers or {})}, **options)


def never_ending(name: str) -> str:
    return NEVER_ENDING.format(rows=ROWS, name=name)


@contextmanager
def serving(store: Path, **overrides):
    """A server with two query processes, its other settings those of the tests unless overridden."""
    settings = Settings(
        **{
            "token": TOKEN,
            "workers": 2,
            "query_timeout": LIMIT,
            "reserve_seconds": RESERVE,
            "client_queries": 2,
            "queue_seconds": 10,
            **overrides,
        }
    )
    with endpoint(store, settings) as running:
        get(running.sparql, params={"query": "ASK {}"}, timeout=30)  # start the query processes
        yield running


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path / "store") as running:
        yield running


def test_two_never_ending_queries_leave_a_process_for_another_client(server):
    attacker, other = client("127.0.0.1"), client("127.0.0.2")
    try:
        other.get(server.sparql, params={"query": "ASK {}"}, timeout=5)
    except requests.ConnectionError:
        pytest.skip("this machine cannot connect from 127.0.0.2 (a loopback address beside 127.0.0.1)")
    kept = attacker.get(server.sparql, params={"query": LIGHT}, timeout=30)
    assert kept.headers["X-Urbankg-Cache"] == "miss"

    answers: dict[str, requests.Response] = {}

    def send(name: str) -> None:
        answers[name] = attacker.get(server.sparql, params={"query": never_ending(name)}, timeout=60)

    threads = [threading.Thread(target=send, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
        time.sleep(0.3)  # in this order: the first takes a process, the second the last one
    time.sleep(0.2)

    # The attacking client has its share (two queries): a third that must run is refused at
    # once, 429 with Retry-After ...
    started = time.monotonic()
    refused = attacker.get(server.sparql, params={"query": LIGHT + " LIMIT 1"}, timeout=30)
    refused_after = time.monotonic() - started
    assert refused.status_code == 429, refused.text
    assert refused_after < 1.0
    assert "URBANKG_CLIENT_QUERIES" in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= LIMIT
    # ... but an answer already kept is no run, and is not refused.
    again = attacker.get(server.sparql, params={"query": LIGHT}, timeout=30)
    assert again.status_code == 200 and again.headers["X-Urbankg-Cache"] == "hit"

    # Another client's light query gets the last process: the second never-ending query,
    # which had it, is stopped once it has run RESERVE seconds; far sooner than the limit.
    started = time.monotonic()
    light = other.get(server.sparql, params={"query": LIGHT + " OFFSET 0"}, timeout=30)
    light_after = time.monotonic() - started
    assert light.status_code == 200, light.text
    assert light.json()["results"]["bindings"][0]["n"]["value"] == "3"
    # RESERVE, then a replacement process starts (a second or two on a busy machine); without the
    # reserve it waited for the first query's time limit.
    assert light_after < RESERVE + 3.5, light_after

    for thread in threads:
        thread.join()
    stopped, timed_out = answers["second"], answers["first"]
    assert stopped.status_code == 503 and "URBANKG_RESERVE_SECONDS" in stopped.text
    assert int(stopped.headers["Retry-After"]) >= 1
    assert timed_out.status_code == 503 and f"longer than the limit of {LIMIT:g} s" in timed_out.text

    attacker.close()
    other.close()
    metrics = get(server.url + "/metrics", timeout=30).text
    counted = dict(re.findall(r'^urbankg_query_admissions_total\{outcome="([a-z-]+)"\} (\d+)$', metrics, re.M))
    assert counted["client-share"] == "1" and counted["busy-stopped"] == "1" and counted["after-waiting"] == "1"
    assert 'urbankg_refusals_total{reason="client-share"} 1' in metrics
    assert 'urbankg_refusals_total{reason="busy-stopped"} 1' in metrics


def test_beyond_the_queue_a_request_is_refused_at_once(tmp_path):
    """The queue holds twice as many requests as there are processes; one more gets 503 at once,
    and a request that waits past URBANKG_QUEUE_SECONDS gets 503 then. One process here: the
    test server has four HTTP threads. The token's holders are one class, not limited to a share."""
    with serving(tmp_path / "store", workers=1, query_timeout=2.0, queue_seconds=1.5) as server:
        answers: list[requests.Response] = []
        blockers = [
            threading.Thread(
                target=lambda i=i: answers.append(
                    get(server.sparql, params={"query": never_ending(f"b{i}")}, headers=server.auth, timeout=60)
                )
            )
            for i in range(3)
        ]
        for thread in blockers:  # one running, two waiting: every place taken
            thread.start()
            time.sleep(0.1)
        time.sleep(0.2)
        started = time.monotonic()
        refused = get(server.sparql, params={"query": LIGHT}, timeout=30)
        assert refused.status_code == 503 and time.monotonic() - started < 1.0
        assert "2 requests are already waiting" in refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 2
        for thread in blockers:
            thread.join()
        # One ran to the limit; the two waiting were told after 1.5 s that no process came free.
        assert sorted(a.status_code for a in answers) == [503] * 3
        assert sum("no query process came free" in a.text and "URBANKG_QUEUE_SECONDS" in a.text for a in answers) == 2
        metrics = get(server.url + "/metrics", timeout=30).text
        assert 'urbankg_query_admissions_total{outcome="busy"} 3' in metrics
        assert 'urbankg_refusals_total{reason="busy"} 3' in metrics
