"""Queries in killable worker processes: the time limit really stops a query, others keep being answered.

Over real HTTP against a real on-disk store; the processes are looked up in /proc, so a
"stopped" query is a process that no longer exists, not a flag.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from endpoint import endpoint
from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.oxigraph_store import OxigraphStore
from urbankg.server.app import create_app
from urbankg.server.query_runner import (
    TOKEN_HOLDER,
    Admission,
    ClientOverShare,
    InlineRunner,
    ProcessRunner,
    QueryCrashed,
    QueryFailed,
    QueryStopped,
    QueryTimeout,
    ServerBusy,
    client_key,
)
from urbankg.server.query_worker import QueryJob, execute, job_fields
from urbankg.server.services import services
from urbankg.server.settings import Settings

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
        assert health.status_code == 200 and quick.status_code == 200, quick.text
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
    for _ in range(4):  # two rounds of the pool; fresh answers, or the result cache would answer
        response = requests.get(
            server.sparql, params={"query": "ASK { ?s ?p ?o }"}, headers={"Cache-Control": "no-cache"}, timeout=30
        )
        assert response.status_code == 200 and response.json()["boolean"] is True
    assert wait_for(lambda: len(worker_pids()) == 2 and victim not in worker_pids())


def test_writes_are_seen_by_the_next_query_and_old_snapshots_go(server):
    for n in range(5):
        triple = f"<https://example.org/w> <https://example.org/n> {n}"
        update = f"INSERT DATA {{ GRAPH <https://example.org/g/w> {{ {triple} }} }}"
        assert (
            requests.post(
                server.sparql, data={"update": update}, headers={"Authorization": "Bearer t"}, timeout=30
            ).status_code
            == 204
        )
        answer = requests.get(
            server.sparql,
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/w> ?p ?o }"},
            timeout=30,
        ).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == str(n + 1)
    runner = services(server.app).runner.runner  # the process runner behind the result cache
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
        print(
            f"\n  query in a worker: median {statistics.median(through_worker) * 1000:.2f} ms, in process "
            f"{statistics.median(in_process) * 1000:.2f} ms: overhead {overhead * 1000:.2f} ms per query"
        )
    assert overhead < 0.02


def test_over_http_a_request_that_cannot_get_a_process_in_time_is_refused_at_once(tmp_path):
    """One process, busy with a query that has run longer than the queue time: a process is not
    expected free within it, so the next request is told at once (not after the queue time)."""
    store = OxigraphStore(tmp_path / "store")
    fill(store)  # straight into the store: through the graph, each write is validated (seconds)
    store.close()
    settings = Settings(token="t", query_timeout=2.0, workers=1, queue_seconds=0.5)
    with endpoint(tmp_path / "store", settings) as running:
        requests.get(running.sparql, params={"query": "ASK {}"}, timeout=30)  # start the worker
        slow: dict = {}
        thread = threading.Thread(
            target=lambda: slow.update(response=requests.get(running.sparql, params={"query": SLOW}, timeout=30))
        )
        thread.start()
        time.sleep(0.8)  # it has run 0.8 s, longer than any query before it: as long again is expected
        with requests.Session() as session:
            session.get(running.url + "/health", timeout=30)  # the connection is open: time the refusal alone
            started = time.monotonic()
            refused = session.get(running.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            took = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert "longer than a query may wait (0.5 s, URBANKG_QUEUE_SECONDS)" in refused.text
        assert took < 0.1, took
        assert 1 <= int(refused.headers["Retry-After"]) <= 2
        thread.join()
        assert slow["response"].status_code == 503 and "longer than the limit of 2 s" in slow["response"].text
        metrics = requests.get(running.url + "/metrics", timeout=30).text
    assert 'urbankg_query_admissions_total{outcome="busy"} 1' in metrics
    assert 'urbankg_refusals_total{reason="busy"} 1' in metrics
    assert "urbankg_query_refused_after_waiting_total 0" in metrics


def test_a_job_crosses_to_its_process_whole():
    """job_fields (not asdict, which deep-copies) gives every field: the worker rebuilds the same job."""
    job = QueryJob(
        "SELECT * WHERE { ?s ?p ?o }",
        {"solutions": "json"},
        10,
        base_iri="http://127.0.0.1/sparql",
        default_graphs=["", "https://example.org/g"],
        prefixes={"ex": "https://example.org/"},
        service_allow=(),
        substitutions={"s": "<https://example.org/s>"},
    )
    assert QueryJob(**job_fields(job)) == job


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
    assert isinstance(services(app).runner.runner, InlineRunner)
    with served(app) as url:
        response = requests.get(
            url + "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) FROM <https://example.org/g/bulk> WHERE { ?s ?p ?o }"},
            timeout=30,
        )
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
        # A worker with network (an allow-list is configured) gives it only to a client's query
        # whose SERVICE endpoints the checking parser found on the list; anything else runs on
        # its offline thread.
        with pytest.raises(QueryFailed):
            connected.run(job, 10)
        assert connections == []
        allowed = replace(job, service_allow=(f"http://127.0.0.1:{port}/sparql",))
        with pytest.raises(QueryFailed):
            connected.run(allowed, 10)
        assert wait_for(lambda: connections)  # the allowed call does get out
    finally:
        isolated.close()
        connected.close()
        listener.close()
        store.close()


# -- a query that breaks the engine --------------------------------------------------------


def test_a_query_that_crashes_the_engine_is_refused_and_not_retried(tmp_path):
    # Issue 21, finding 4: 100,000 nested groups overflow the engine's stack (SIGSEGV). It was
    # retried on the second process, which died too, and the client got a 500.
    store = OxigraphStore(tmp_path / "store")
    runner = ProcessRunner(store, workers=2)
    ask = QueryJob("ASK {}", {"boolean": "json"}, 1)
    try:
        runner.run(ask, 10)  # both processes started
        before = {w.process.pid for w in runner._workers}
        deep = QueryJob("SELECT * WHERE " + "{" * 100_000 + "}" * 100_000, {"solutions": "json"}, 10)
        with pytest.raises(QueryCrashed, match=r"crashed the query engine \(SIGSEGV\) — is it nested too deeply"):
            runner.run(deep, 30)
        assert len(before & {w.process.pid for w in runner._workers}) == 1  # the other never saw the query
        assert runner.run(ask, 10).body == b'{"head": {}, "boolean": true}'
        assert wait_for(lambda: runner.alive == 2 and runner.restarts == 1)
    finally:
        runner.close()
        store.close()


def test_a_query_that_needs_more_memory_than_a_process_may_have_is_stopped(tmp_path):
    # The engine builds a value whole before any row reaches the byte cap: ten characters doubled
    # twenty times (10 MiB), then 64 copies in one CONCAT, a 640 MiB string, never returned.
    store = OxigraphStore(tmp_path / "store")
    runner = ProcessRunner(store, workers=1, memory_bytes=512 * 2**20)
    binds = 'BIND("0123456789" AS ?x0) ' + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(20))
    huge = QueryJob(
        f"SELECT (STRLEN(CONCAT({', '.join(['?x20'] * 64)})) AS ?n) WHERE {{ {binds} }}", {"solutions": "json"}, 10
    )
    try:
        runner.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 10)
        (worker,) = runner._workers
        limits = Path(f"/proc/{worker.process.pid}/limits").read_text()
        assert re.search(rf"^Max data size\s+{512 * 2**20}\s+{512 * 2**20}\s+bytes", limits, re.M)
        started = time.monotonic()
        with pytest.raises(QueryCrashed, match=r"\(SIGABRT\).*\(512 MB, URBANKG_WORKER_MEMORY_MB\)"):
            runner.run(huge, 30)
        assert time.monotonic() - started < 10  # stopped by the memory limit, long before the time limit
        assert runner.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 10).body == b'{"head": {}, "boolean": true}'
    finally:
        runner.close()
        store.close()


# -- admission ---------------------------------------------------------------------------------


def test_a_client_has_its_share_and_the_token_holders_are_not_limited():
    admission = Admission(None, client_queries=2)
    mine = [admission.enter("192.0.2.7", 30), admission.enter("192.0.2.7", 30)]
    with pytest.raises(ClientOverShare, match="2 of yours are running or waiting.*URBANKG_CLIENT_QUERIES") as refused:
        admission.enter("192.0.2.7", 30)
    assert refused.value.status == 429 and 29 <= refused.value.retry_after <= 30
    others = [
        admission.enter("192.0.2.8", 30),
        *(admission.enter(TOKEN_HOLDER, 30) for _ in range(5)),
        admission.enter(None, 30),
    ]
    admission.leave(mine.pop())
    mine.append(admission.enter("192.0.2.7", 30))  # one answered: room for one more
    for ticket in mine + others:
        admission.leave(ticket)
    assert admission.running == 0 and admission.counts["client-share"] == 1 and admission.counts["at-once"] == 10


def test_the_last_process_is_given_up_after_the_reserve_time_to_another_client():
    admission = Admission(2, client_queries=5, reserve_seconds=0.2, queue_seconds=5)
    long, last = admission.enter("a", 30), admission.enter("a", 30)
    assert (long.reserve, last.reserve) == (False, True)
    assert admission.must_yield(last, 30) is None  # nobody waits
    entered: list = []
    waiter = threading.Thread(target=lambda: entered.append(admission.enter("b", 30)))
    waiter.start()
    assert wait_for(lambda: admission.waiting == 1)
    assert admission.must_yield(long, 30) is None  # a long query runs to its limit
    assert wait_for(lambda: admission.must_yield(last, 30) is not None, 2)
    stopped = admission.must_yield(last, 30)
    assert isinstance(stopped, QueryStopped) and stopped.status == 503 and stopped.retry_after >= 1
    assert "URBANKG_RESERVE_SECONDS" in str(stopped)
    admission.leave(last)  # the runner killed its process
    waiter.join(5)
    (other,) = entered
    assert other.reserve and admission.counts["after-waiting"] == 1
    admission.leave(long)  # a long query ended: the one on the reserve runs to its limit now
    assert not other.reserve
    admission.leave(other)


def test_a_client_with_a_query_running_does_not_take_the_last_process_from_another():
    admission = Admission(2, client_queries=5, reserve_seconds=0.05, queue_seconds=0.5)
    long, last = admission.enter("a", 30), admission.enter("b", 30)
    refusals: list = []

    def wait_as(client: str) -> None:
        try:
            admission.enter(client, 30)
        except ServerBusy as refused:
            refusals.append(refused)

    waiter = threading.Thread(target=wait_as, args=("a",))  # "a" has its long query running
    waiter.start()
    assert wait_for(lambda: admission.waiting == 1)
    time.sleep(0.1)  # "b" has had its reserve time
    assert admission.must_yield(last, 30) is None
    waiter.join(5)
    assert len(refusals) == 1  # "a" waited its turn, and gave up
    newcomer = threading.Thread(target=wait_as, args=("c",))  # nothing running: "b" must make room
    newcomer.start()
    assert wait_for(lambda: admission.waiting == 1)
    assert isinstance(admission.must_yield(last, 30), QueryStopped)
    newcomer.join(5)
    for ticket in (long, last):
        admission.leave(ticket)


def test_a_client_does_not_take_the_last_process_from_itself():
    admission = Admission(2, client_queries=5, reserve_seconds=0.05, queue_seconds=0.3)
    tickets = [admission.enter("a", 30), admission.enter("a", 30)]
    started = time.monotonic()
    with pytest.raises(ServerBusy, match="no query process came free for this query in the 0.* before its 0.3 s"):
        admission.enter("a", 30)
    assert 0.1 <= time.monotonic() - started < 0.3
    assert admission.must_yield(tickets[1], 30) is None and admission.waiting == 0
    for ticket in tickets:
        admission.leave(ticket)


def test_the_queue_holds_twice_as_many_requests_as_processes():
    admission = Admission(1, client_queries=10, reserve_seconds=1, queue_seconds=5)
    running = admission.enter("a", 30)
    waiters = [threading.Thread(target=lambda: admission.leave(admission.enter("a", 30))) for _ in range(2)]
    for thread in waiters:
        thread.start()
    assert wait_for(lambda: admission.waiting == 2)
    started = time.monotonic()
    with pytest.raises(ServerBusy, match="2 requests are already waiting") as refused:
        admission.enter("b", 30)
    # Retry-After is the estimate: no query has held a process long yet, and the one running has
    # run a moment, so a process is expected free in about that moment.
    assert time.monotonic() - started < 0.1 and refused.value.retry_after == 1
    admission.leave(running)
    for thread in waiters:
        thread.join(5)
    assert admission.running == admission.waiting == 0 and admission.counts["after-waiting"] == 2


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def held_for(admission: Admission, clock: Clock, seconds: float, times: int) -> None:
    """Queries that each held a process ``seconds``: what the admission's estimate learns from."""
    for _ in range(times):
        ticket = admission.enter("history", 30)
        clock.now += seconds
        admission.leave(ticket)


def test_a_request_that_would_wait_past_the_queue_time_is_refused_at_once_with_the_estimate():
    clock = Clock()
    admission = Admission(1, client_queries=5, reserve_seconds=1, queue_seconds=5, clock=clock)
    held_for(admission, clock, 4.0, 5)
    running = admission.enter("a", 30)
    clock.now += 1.0
    # The running query has 3 s left by the recent ones (4 s each): within the queue time.
    assert admission.expected_wait("b", clock.now) == pytest.approx(3.0)
    entered: list = []
    waiter = threading.Thread(target=lambda: entered.append(admission.enter("b", 30)))
    waiter.start()
    assert wait_for(lambda: admission.waiting == 1)
    # One more would wait those 3 s and then the first waiter's 4: refused now, not in 5 s.
    started = time.monotonic()
    with pytest.raises(ServerBusy, match=r"in about 7.0 s, longer than a query may wait \(5 s") as refused:
        admission.enter("c", 30)
    assert time.monotonic() - started < 0.1
    assert refused.value.status == 503 and refused.value.retry_after == 7
    assert admission.counts["busy"] == 1 and admission.refused_after_waiting == 0
    # A query's own time limit bounds its wait too: one with 2 s may not wait 7.
    with pytest.raises(ServerBusy, match=r"may wait \(2 s"):
        admission.enter("d", 2)
    admission.leave(running)
    waiter.join(5)
    admission.leave(entered[0])
    assert admission.counts["after-waiting"] == 1 and admission.refused_after_waiting == 0


def test_a_query_that_ran_longer_than_the_recent_ones_is_given_as_long_again_up_to_its_limit():
    clock = Clock()
    admission = Admission(1, client_queries=5, reserve_seconds=1, queue_seconds=5, clock=clock)
    held_for(admission, clock, 0.5, 3)
    running = admission.enter("a", 8)
    clock.now += 3.0  # longer than any recent query
    assert admission.expected_wait("b", clock.now) == pytest.approx(3.0)
    clock.now += 3.0  # as long again would pass its limit, which stops it at 8 s
    assert admission.expected_wait("b", clock.now) == pytest.approx(2.0)
    admission.leave(running)


def test_the_reserve_counts_in_the_estimate_for_a_client_with_nothing_running():
    clock = Clock()
    admission = Admission(2, client_queries=2, reserve_seconds=2, queue_seconds=5, clock=clock)
    held_for(admission, clock, 20.0, 3)
    long, last = admission.enter("a", 30), admission.enter("a", 30)
    assert last.reserve
    clock.now += 0.5
    # Another client gets the reserve's process once it has run 2 s; "a" itself waits for an end.
    assert admission.expected_wait("b", clock.now) == pytest.approx(1.5)
    assert admission.expected_wait("a", clock.now) == pytest.approx(19.5)
    with pytest.raises(ClientOverShare):  # the client's share is still its own refusal, 429
        admission.enter("a", 30)
    for ticket in (long, last):
        admission.leave(ticket)


def test_a_request_the_estimate_let_wait_in_vain_is_told_before_its_queue_time_and_counted_apart():
    admission = Admission(1, client_queries=5, reserve_seconds=1, queue_seconds=0.3)
    running = admission.enter("a", 30)  # nothing has held a process yet: a free one is expected at once
    started = time.monotonic()
    # Estimated again as it waits: once the running query has run 0.2 s, as long again passes 0.3 s.
    with pytest.raises(ServerBusy, match=r"in the 0\.\d s it waited, and none is expected before its 0.3 s"):
        admission.enter("b", 30)
    assert 0.1 <= time.monotonic() - started < 0.3
    assert admission.counts["busy"] == 1 and admission.refused_after_waiting == 1
    admission.leave(running)


@pytest.mark.parametrize(
    "address, client",
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one subscriber's network is one client
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        (None, None),
    ],
)
def test_a_client_is_an_address_or_the_token_holders(address, client):
    assert client_key(address, token_holder=False) == client
    assert client_key(address, token_holder=True) == TOKEN_HOLDER


def test_inline_queries_count_against_their_client_until_they_really_end():
    kg = KnowledgeGraph.in_memory()
    fill(kg)
    runner = InlineRunner(kg, admission=Admission(None, client_queries=1))
    slow = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }", {"solutions": "json"}, 1)  # ~1.5 s
    with pytest.raises(QueryTimeout):
        runner.run(slow, 0.2, client="192.0.2.7")
    with pytest.raises(ClientOverShare):  # its query runs on in a thread that cannot be stopped
        runner.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 5, client="192.0.2.7")
    assert wait_for(lambda: runner.admission.running == 0, 20)
    assert runner.run(QueryJob("ASK {}", {"boolean": "json"}, 1), 5, client="192.0.2.7").kind == "boolean"
