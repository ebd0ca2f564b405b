"""/metrics in the Prometheus text format: requests, latencies, timeouts, refusals, admissions, store size.

Kept in the server process (queries run in workers, but every request passes here), in
a few dictionaries under one lock; the text format is simple enough to write directly.
Requests are labelled by route pattern (``/graph/<path:name>``), never by raw path,
so a crawler cannot blow up the number of series.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from flask import Blueprint, Flask, Response, g, request

from urbankg.server.services import services

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STORE_SIZE_TTL = 60.0  # seconds, for stores that do not count their writes

bp = Blueprint("metrics", __name__)


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)  # (route, method, status)
        self.latency_counts: dict[str, list[int]] = {}  # route -> count per bucket (+Inf last)
        self.latency_sums: dict[str, float] = defaultdict(float)
        self.refusals: dict[str, int] = defaultdict(int)
        self.truncated: dict[str, int] = defaultdict(int)  # by the cap that cut: rows, bytes
        self._size: tuple[object, float, int] | None = None  # (store generation, when, triples)
        self._counting = False

    def observe(self, route: str, method: str, status: int, seconds: float, refusal: str | None) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            counts = self.latency_counts.setdefault(route, [0] * (len(BUCKETS) + 1))
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[index] += 1
            counts[-1] += 1
            self.latency_sums[route] += seconds
            if refusal:
                self.refusals[refusal] += 1

    def count_truncated(self, limit: str = "rows") -> None:
        with self._lock:
            self.truncated[limit] += 1

    def store_triples(self, kg, generation) -> int:
        """Statements in the store, counted again only after a write (or a minute, if writes are not counted)."""
        cached = self._size
        if cached and self._fresh(cached, generation):
            return cached[2]
        store = kg.store
        triples = len(store) if hasattr(store, "__len__") else kg.stats().triples
        self._size = (generation, time.monotonic(), triples)
        return triples

    def store_triples_if_known(self, kg, generation) -> int | None:
        """The count as last known, None before the first: for /health, which must answer at
        once, while counting 15M statements takes seconds. A stale count is renewed in the
        background."""
        cached = self._size
        with self._lock:
            start = not (cached and self._fresh(cached, generation)) and not self._counting
            self._counting = self._counting or start
        if start:
            threading.Thread(target=self._count, args=(kg, generation), daemon=True).start()
        return cached[2] if cached else None

    def _count(self, kg, generation) -> None:
        try:
            self.store_triples(kg, generation)
        except Exception:  # the store closed under the count (the server stopping): stays unknown
            pass
        finally:
            self._counting = False

    @staticmethod
    def _fresh(cached: tuple, generation) -> bool:
        return cached[0] == generation and (generation is not None or time.monotonic() - cached[1] < STORE_SIZE_TTL)

    def render(self, runner, kg) -> str:
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")

        with self._lock:
            family("urbankg_http_requests_total", "counter", "HTTP requests answered, by route, method and status.")
            for (route, method, status), count in sorted(self.requests.items()):
                lines.append(
                    f'urbankg_http_requests_total{{route="{_label(route)}",method="{method}",'
                    f'status="{status}"}} {count}'
                )
            family("urbankg_http_request_duration_seconds", "histogram", "Time to answer a request, by route.")
            for route, counts in sorted(self.latency_counts.items()):
                label = _label(route)
                for bound, count in zip(BUCKETS, counts[:-1], strict=True):  # the last is +Inf's
                    lines.append(
                        f'urbankg_http_request_duration_seconds_bucket{{route="{label}",le="{bound:g}"}} {count}'
                    )
                lines.append(f'urbankg_http_request_duration_seconds_bucket{{route="{label}",le="+Inf"}} {counts[-1]}')
                lines.append(
                    f'urbankg_http_request_duration_seconds_sum{{route="{label}"}} {self.latency_sums[route]:.6f}'
                )
                lines.append(f'urbankg_http_request_duration_seconds_count{{route="{label}"}} {counts[-1]}')
            family(
                "urbankg_refusals_total",
                "counter",
                "Requests refused, by reason: service, load, token, read-only, body-size, protocol, not-acceptable, "
                "timeout, client-share, busy, busy-stopped.",
            )
            for reason, count in sorted(self.refusals.items()):
                lines.append(f'urbankg_refusals_total{{reason="{_label(reason)}"}} {count}')
            family("urbankg_truncated_results_total", "counter", "Query results cut at the row or the byte limit.")
            for limit in ("rows", "bytes"):
                lines.append(f'urbankg_truncated_results_total{{limit="{limit}"}} {self.truncated[limit]}')
        family("urbankg_query_timeouts_total", "counter", "Queries stopped at the time limit.")
        lines.append(f"urbankg_query_timeouts_total {runner.timeouts}")
        admission = runner.admission
        family(
            "urbankg_query_admissions_total",
            "counter",
            "Queries that had to run, by what became of them on arrival: run at once, run after waiting for a "
            "process, refused because the client had its share (429) or the server was busy (503: at once when the "
            "wait for a process was expected to pass URBANKG_QUEUE_SECONDS, else after it), or stopped "
            "on the last process for others waiting (busy-stopped, 503).",
        )
        for outcome, count in admission.counts.items():
            lines.append(f'urbankg_query_admissions_total{{outcome="{outcome}"}} {count}')
        family(
            "urbankg_query_refused_after_waiting_total",
            "counter",
            "Queries let wait for a process, then refused (503, also counted as busy) when none was expected before "
            "their URBANKG_QUEUE_SECONDS were out: the estimate of the wait that let them in was wrong. Those it "
            "expected to wait longer were refused at once.",
        )
        lines.append(f"urbankg_query_refused_after_waiting_total {admission.refused_after_waiting}")
        family("urbankg_queries_running", "gauge", "Queries running now.")
        lines.append(f"urbankg_queries_running {admission.running}")
        family("urbankg_queries_waiting", "gauge", "Queries waiting for a query process now.")
        lines.append(f"urbankg_queries_waiting {admission.waiting}")
        family("urbankg_query_workers", "gauge", "Query worker processes alive (0: queries run in the server process).")
        lines.append(f"urbankg_query_workers {runner.alive}")
        family(
            "urbankg_query_workers_without_network",
            "gauge",
            "Query worker processes that run in their own empty network namespace (cannot call out).",
        )
        lines.append(f"urbankg_query_workers_without_network {runner.isolated}")
        family("urbankg_query_worker_restarts_total", "counter", "Query worker processes started to replace one.")
        lines.append(f"urbankg_query_worker_restarts_total {runner.restarts}")
        family(
            "urbankg_result_cache_total",
            "counter",
            "Queries answered from a kept answer (hit), by waiting for the same query (shared), or run (miss).",
        )
        for outcome, count in (("hit", runner.hits), ("shared", runner.shared), ("miss", runner.misses)):
            lines.append(f'urbankg_result_cache_total{{outcome="{outcome}"}} {count}')
        family("urbankg_result_cache_bytes", "gauge", "Bytes of query answers kept.")
        lines.append(f"urbankg_result_cache_bytes {runner.kept_bytes}")
        family("urbankg_store_triples", "gauge", "Statements (quads) in the store, all graphs.")
        lines.append(f"urbankg_store_triples {self.store_triples(kg, runner.generation)}")
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def install(app: Flask) -> Metrics:
    metrics = Metrics()

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def count(response):
        started = g.get("started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "(no route)"
            metrics.observe(
                route, request.method, response.status_code, time.perf_counter() - started, g.get("refusal")
            )
        return response

    app.register_blueprint(bp)
    return metrics


@bp.get("/metrics")
def metrics_text():
    current = services()
    text = current.metrics.render(current.runner, current.kg)
    return Response(text, content_type="text/plain; version=0.0.4; charset=utf-8")
