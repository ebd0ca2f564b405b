"""Queries in killable worker processes: the time limit really stops a query, others keep being answered.

Over real HTTP against a real on-disk store; the processes are looked up in /proc, so a
"stopped" query is a process that no longer exists, not a flag.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import threading
import time
from pathlib import Path

import pytest
import requests

from endpoint import endpoint
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.server.query_runner import InlineRunner, ProcessRunner, QueryFailed, QueryTimeout
from urbankg.server.query_worker import QueryJob, execute
from urbankg.server.settings import Settings
from serving import served

LIMIT = 1.0
# A cartesian product of three copies of a few thousand triples: about 10^10 rows to count.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
TRIPLES = 3000


def fill(target) -> None:
    """A few thousand triples, through anything with an update() (a KnowledgeGraph, a store)."""
    body = " ".join(f"<https://example.org/s{i}> <https://example.org/p> {i} ." for i in range(TRIPLES))
    target.update(f"INSERT DATA {{ GRAPH <https://example.org/g/bulk> {{ {body} }} }}")


def worker_pids() -> set[int]:
    """Live query worker processes started by this test process."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if parent == os.getpid() and b"urbankg.server.query_worker" in cmdline and state != "Z":
            pids.add(int(entry.name))
    return pids


def spawned_by(pids: set[int]) -> list[str]:
    """The test that was running when each process started (it inherited PYTEST_CURRENT_TEST)."""
    found = []
    for pid in pids:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        found += [v.decode().split("=", 1)[1] for v in environ if v.startswith(b"PYTEST_CURRENT_TEST=")]
    return found


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = Settings(token="t", query_timeout=LIMIT, workers=2)
    with endpoint(tmp_path_factory.mktemp("runner") / "store", settings) as running:
        fill(running.kg)
        requests.get(running.sparql, params={"query": "ASK {}"}, timeout=30)  # start the workers
        yield running


def test_a_slow_query_is_stopped_at_its_limit_while_others_are_answered(server):
    before = worker_pids()
    # A process an earlier test's runner left behind would be counted here: name that test.
    assert len(before) == 2, f"query processes left by: {spawned_by(before)}"
    outcome: dict = {}

    def slow():
        started = time.monotonic()
        response = requests.get(server.sparql, params={"query": SLOW}, timeout=30)
        outcome.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    total = server.count()
    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the slow query is running now
    quick_times = []
    for _ in range(5):
        started = time.monotonic()
        health = requests.get(server.url + "/health", timeout=30)
        quick = requests.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=30)
        quick_times.append(time.monotonic() - started)
        assert health.status_code == 200 and quick.status_code == 200
        assert quick.json()["results"]["bindings"][0]["n"]["value"] == str(total)
    thread.join()
    assert max(quick_times) < 0.5, quick_times  # answered while the slow query ran, not after it

    assert outcome["status"] == 503
    assert "longer than the limit of 1 s" in outcome["text"]
    assert LIMIT <= outcome["seconds"] < LIMIT + 0.5, outcome["seconds"]

    # The process running the slow query is gone (killed, not left computing), and replaced.
    assert wait_for(lambda: len(worker_pids()) == 2)
    after = worker_pids()
    killed = before - after
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    def metrics() -> str:
        return requests.get(server.url + "/metrics", timeout=30).text

    assert wait_for(lambda: "urbankg_query_worker_restarts_total 1" in metrics())
    assert "urbankg_query_timeouts_total 1" in metrics()
    assert 'urbankg_refusals_total{reason="timeout"} 1' in metrics()
    assert "urbankg_query_workers 2" in metrics()


def test_a_worker_that_dies_is_replaced_and_queries_go_on(server):
    victim = sorted(worker_pids())[0]
    os.kill(victim, signal.SIGKILL)  # as the kernel's OOM killer would
    for _ in range(4):
        response = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert response.status_code == 200 and response.json()["boolean"] is True
    assert wait_for(lambda: len(worker_pids()) == 2 and victim not in worker_pids())


def test_writes_are_seen_by_the_next_query_and_old_snapshots_go(server):
    for n in range(5):
        update = f"INSERT DATA {{ GRAPH <https://example.org/g/w> {{ <https://example.org/w> <https://example.org/n> {n} }} }}"
        assert requests.post(server.sparql, data={"update": update}, headers={"Authorization": "Bearer t"},
                             timeout=30).status_code == 204
        answer = requests.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/w> ?p ?o }"},
                              timeout=30).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == str(n + 1)
    runner = server.app.extensions["urbankg_runner"].runner  # the process runner behind the result cache
    snapshots = list(runner._root.iterdir())
    assert 1 <= len(snapshots) <= runner.size + 1  # at most one per worker plus the newest


def test_the_worker_design_costs_about_a_millisecond_per_query(tmp_path, capsys):
    store = OxigraphStore(tmp_path / "store")
    fill(store)
    runner = ProcessRunner(store, workers=1)
    job = QueryJob("SELECT ?s WHERE { ?s ?p 7 }", {"solutions": "json"}, 100)
    try:
        runner.run(job, 10)  # start the worker, take the snapshot
        through_worker, in_process = [], []
        for _ in range(40):
            started = time.perf_counter()
            remote = runner.run(job, 10)
            through_worker.append(time.perf_counter() - started)
            started = time.perf_counter()
            local = execute(store.engine, job)
            in_process.append(time.perf_counter() - started)
            assert remote.body == local["body"]
    finally:
        runner.close()
    overhead = statistics.median(through_worker) - statistics.median(in_process)
    with capsys.disabled():
        print(f"\n  query in a worker: median {statistics.median(through_worker) * 1000:.2f} ms, in process "
              f"{statistics.median(in_process) * 1000:.2f} ms: overhead {overhead * 1000:.2f} ms per query")
    assert overhead < 0.02


def test_a_closed_runner_leaves_no_process_and_no_snapshot(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    others = worker_pids()
    runner = ProcessRunner(store, workers=2)
    runner.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 10)
    mine = worker_pids() - others
    folder = runner._root
    assert len(mine) == 2 and folder.exists()
    runner.close()
    assert not folder.exists()
    assert not mine & worker_pids()
    store.close()


def test_stale_snapshot_folders_of_a_killed_server_are_removed(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    dead = tmp_path / ".store-readers-999999999-abc"  # no such pid
    (dead / "snapshot-1").mkdir(parents=True)
    runner = ProcessRunner(store, workers=1)
    assert not dead.exists()
    runner.close()
    store.close()


def test_an_in_memory_store_runs_queries_inline(tmp_path):
    kg = KnowledgeGraph.in_memory()
    fill(kg)
    app = create_app(kg, Settings(token=None, query_timeout=5))
    assert isinstance(app.extensions["urbankg_runner"].runner, InlineRunner)
    with served(app) as url:
        response = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) FROM <https://example.org/g/bulk> "
                                                                  "WHERE { ?s ?p ?o }"}, timeout=30)
        assert response.json()["results"]["bindings"][0]["n"]["value"] == str(TRIPLES)


def test_inline_runner_answers_at_the_limit_even_if_it_cannot_stop_the_query():
    kg = KnowledgeGraph.in_memory()
    fill(kg)
    runner = InlineRunner(kg)
    job = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }", {"solutions": "json"}, 1)  # ~1.5 s
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        runner.run(job, 0.3)
    assert time.monotonic() - started < 0.6
    assert runner.timeouts == 1


def test_workers_have_no_network_unless_service_is_allowed(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections = []

    def accept():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connections.append(1)
            connection.close()  # no HTTP answer: the caller fails, which is all we need

    threading.Thread(target=accept, daemon=True).start()
    store = OxigraphStore(tmp_path / "store")
    job = QueryJob(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{}} }}", {"solutions": "json"}, 10)
    isolated, connected = ProcessRunner(store, 1, isolate_network=True), ProcessRunner(store, 1, isolate_network=False)
    try:
        isolated.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 10)
        if not isolated.isolated:
            pytest.skip("this kernel does not let an unprivileged process make a network namespace")
        with pytest.raises(QueryFailed):
            isolated.run(job, 10)  # the engine tried: the text went past any guard, straight to the worker
        assert connections == []  # and reached nothing
        with pytest.raises(QueryFailed):
            connected.run(job, 10)
        assert wait_for(lambda: connections)  # the same query from a worker with network does get out
    finally:
        isolated.close()
        connected.close()
        listener.close()
        store.close()
