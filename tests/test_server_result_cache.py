"""Kept and shared query answers: a repeated query is answered without running again until
the store changes, and concurrent requests for one query share a single run.

Real runners over real stores: query processes on an on-disk Oxigraph store where the
answers' sharing is timed, the inline runner elsewhere; HTTP through waitress.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from serving import served
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.query_runner import InlineRunner, ProcessRunner, QuerySyntaxError
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import CachedRunner, fresh_requested
from urbankg.server.settings import Settings

FORMATS = {"solutions": "json", "boolean": "json", "graph": "nt"}
# Counted in the data graph: every write also records itself in the catalogue (the default graph).
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g> { ?s ?p ?o } }"
# Slow enough (a tenth of a second or more) that requests sent together arrive while it runs.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g> { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } }"


def job(sparql: str, max_rows: int = 1000) -> QueryJob:
    return QueryJob(sparql=sparql, formats=FORMATS, max_rows=max_rows)


def insert(kg: KnowledgeGraph, count: int, start: int = 0) -> None:
    body = " ".join(f"<https://example.org/s{i}> <https://example.org/p> {i} ." for i in range(start, start + count))
    kg.update(f"INSERT DATA {{ GRAPH <https://example.org/g> {{ {body} }} }}")


class Counting(InlineRunner):
    """The inline runner, counting the queries it really runs."""

    def __init__(self, kg):
        super().__init__(kg)
        self.runs = 0

    def run(self, job, timeout, client=None):
        self.runs += 1
        return super().run(job, timeout, client)


@pytest.fixture
def kg():
    graph = KnowledgeGraph.in_memory()
    insert(graph, 10)
    yield graph
    graph.close()


def test_a_repeated_query_is_answered_from_the_kept_result(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    first, second = runner.run(job(COUNT), 10), runner.run(job(COUNT), 10)
    assert (first.cache, second.cache) == ("miss", "hit")
    assert second.body == first.body and b'"10"' in first.body
    assert inner.runs == 1 and (runner.hits, runner.misses) == (1, 1)
    # Anything that decides the answer makes another query: here the row cap.
    assert runner.run(job(COUNT, max_rows=5), 10).cache == "miss" and inner.runs == 2


def test_a_write_makes_every_kept_answer_stale(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    runner.run(job(COUNT), 10)
    insert(kg, 5, start=100)
    after = runner.run(job(COUNT), 10)
    assert after.cache == "miss" and b'"15"' in after.body and inner.runs == 2
    assert runner.kept_bytes == len(after.body)  # the stale answer went


def test_queries_that_change_by_themselves_are_never_kept(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    for text in (
        "SELECT (NOW() AS ?t) WHERE {}",
        "SELECT (rand () AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
    ):
        runner.run(job(text), 10)
        assert runner.run(job(text), 10).cache == "miss"
    assert inner.runs == 6 and runner.kept_bytes == 0


def test_errors_are_not_kept(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    for _ in range(2):
        with pytest.raises(QuerySyntaxError):
            runner.run(job("SELECT WHERE {"), 10)
    assert inner.runs == 2


def test_the_least_recently_used_answer_makes_room(kg):
    inner = Counting(kg)

    def nth(n: int) -> QueryJob:  # answers of one size: s0 to s9 are spelt alike
        return job(
            f"SELECT ?s ?o WHERE {{ GRAPH <https://example.org/g> {{ ?s ?p ?o }} }} ORDER BY ?o OFFSET {n} LIMIT 1"
        )

    size = len(inner.run(nth(0), 10).body)
    assert {len(inner.run(nth(n), 10).body) for n in range(5)} == {size}
    runner = CachedRunner(inner, max_bytes=int(4.5 * size))  # room for four
    for n in (0, 1, 2, 3, 0, 4):  # 0 is used again, so 1 is the least recently used when 4 comes
        runner.run(nth(n), 10)
    assert [runner.run(nth(n), 10).cache for n in (0, 4, 2, 3)] == ["hit"] * 4
    assert runner.run(nth(1), 10).cache == "miss"
    assert runner.kept_bytes <= runner.max_bytes


def test_an_answer_too_big_for_a_quarter_of_the_room_is_not_kept(kg):
    inner = Counting(kg)
    size = len(inner.run(job(COUNT), 10).body)
    runner = CachedRunner(inner, max_bytes=4 * size - 4)
    assert [runner.run(job(COUNT), 10).cache for _ in range(2)] == ["miss", "miss"] and runner.kept_bytes == 0


def test_no_room_means_no_cache(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=0)
    assert [runner.run(job(COUNT), 10).cache for _ in range(2)] == ["miss", "miss"] and inner.runs == 2


def test_concurrent_requests_for_one_query_share_one_run(tmp_path):
    kg = KnowledgeGraph.open(tmp_path / "store")
    insert(kg, 150)
    inner = ProcessRunner(kg.store, workers=2)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    outcomes = []
    try:
        threads = [threading.Thread(target=lambda: outcomes.append(runner.run(job(SLOW), 60))) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        runner.close()
        kg.close()
    assert len(outcomes) == 8 and len({o.body for o in outcomes}) == 1
    assert b'"3375000"' in outcomes[0].body  # 150 cubed
    caches = sorted(o.cache for o in outcomes)
    # One run; the others waited for it, or (arriving after it ended) found it kept.
    assert runner.misses == 1 and caches.count("miss") == 1
    assert runner.shared >= 1 and runner.shared + runner.hits == 7


def test_the_endpoint_says_whether_an_answer_was_kept(tmp_path):
    kg = KnowledgeGraph.open(tmp_path / "store")
    insert(kg, 10)
    app = create_app(kg, Settings(result_cache_mb=1))
    try:
        with served(app) as base:
            answers = [requests.get(base + "/sparql", params={"query": COUNT}, timeout=30) for _ in range(2)]
            assert [a.headers["X-Urbankg-Cache"] for a in answers] == ["miss", "hit"]
            assert answers[0].json() == answers[1].json()
            # A forced reload runs the query again, through the protocol and the catalogue API.
            forced = requests.get(
                base + "/sparql", params={"query": COUNT}, headers={"Cache-Control": "no-cache"}, timeout=30
            )
            assert forced.headers["X-Urbankg-Cache"] == "miss" and forced.json() == answers[0].json()
            api = [
                requests.get(base + "/api/queries/village-counts.json", headers=headers, timeout=30)
                for headers in ({}, {}, {"Cache-Control": "no-cache"})
            ]
            assert all(a.ok for a in api)
            metrics = requests.get(base + "/metrics", timeout=30).text
            assert 'urbankg_result_cache_total{outcome="hit"} 2' in metrics  # one of each kind of request
            assert 'urbankg_result_cache_total{outcome="miss"} 4' in metrics
    finally:
        kg.close()


def test_a_negative_cache_size_is_refused():
    from urbankg.errors import UrbankgError

    with pytest.raises(UrbankgError, match="URBANKG_RESULT_CACHE_MB"):
        Settings.from_env({"URBANKG_RESULT_CACHE_MB": "-1"})


@pytest.mark.parametrize(
    ("headers", "fresh"),
    [
        ({}, False),
        ({"Cache-Control": "no-cache"}, True),
        ({"Cache-Control": "max-age=0"}, True),
        ({"Cache-Control": "max-age=60"}, False),
        ({"Pragma": "no-cache"}, True),
        ({"Cache-Control": "max-age=60", "Pragma": "no-cache"}, False),  # Cache-Control wins
    ],
)
def test_a_client_can_ask_for_a_fresh_answer(headers, fresh):
    assert fresh_requested(headers) is fresh


def test_a_fresh_run_replaces_the_kept_answer(kg):
    inner = Counting(kg)
    runner = CachedRunner(inner, max_bytes=1 << 20)
    runner.run(job(COUNT), 10)
    assert runner.run(job(COUNT), 10, fresh=True).cache == "miss" and inner.runs == 2
    assert runner.run(job(COUNT), 10).cache == "hit" and runner.kept_bytes == len(runner.run(job(COUNT), 10).body)


def test_a_run_that_breaks_ends_the_waits_on_it_with_an_error(kg):
    class Breaking(InlineRunner):
        """Holds the run until the others are waiting on it, then fails as a lost store would."""

        def __init__(self, kg, waiting: threading.Event):
            super().__init__(kg)
            self.waiting = waiting

        def run(self, job, timeout, client=None):
            self.waiting.wait(10)
            raise RuntimeError("the store went away")

    waiting = threading.Event()
    runner = CachedRunner(Breaking(kg, waiting), max_bytes=1 << 20)
    errors = []

    def ask():
        try:
            runner.run(job(COUNT), 10)
        except Exception as error:  # noqa: BLE001 - what each request gets is the point
            errors.append(error)

    leader = threading.Thread(target=ask)
    leader.start()
    while not runner._running:  # the leader has registered its run
        pass
    followers = [threading.Thread(target=ask) for _ in range(3)]
    for thread in followers:
        thread.start()
    time.sleep(0.5)  # the followers are waiting on the leader's run
    waiting.set()
    for thread in [leader, *followers]:
        thread.join(10)
    # The leader sees what broke; each follower a query failure that says what it was.
    assert sorted(type(e).__name__ for e in errors) == ["QueryFailed"] * 3 + ["RuntimeError"]
    assert all("the store went away" in str(e) for e in errors)
    assert runner.kept_bytes == 0 and not runner._running


def test_a_fresh_run_as_the_first_request_is_kept(kg):
    runner = CachedRunner(Counting(kg), max_bytes=1 << 20)
    assert runner.run(job(COUNT), 10, fresh=True).cache == "miss"
    assert runner.run(job(COUNT), 10).cache == "hit"
