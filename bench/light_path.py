"""The light path, measured: a point lookup and a linked-data page over HTTP against raw pyoxigraph.

    python bench/light_path.py --store STORE [--requests 300] [--iri https://w3id.org/urbankg/id/work/p-42]

Starts ``urbankg serve`` on STORE (bench/run.py's server: two query processes), and an
Oxigraph server (``oxigraph serve-read-only``, the ``oxigraph`` package on PyPI) on the
same folder when that command is installed, and times over one kept-alive connection each
(``requests.Session``), p50 and p95 of N after a warm-up:

- ``/health`` (the HTTP server and Flask alone);
- the point lookup (bench/queries/point-lookup.rq) as a SPARQL query, with the result
  cache bypassed (``Cache-Control: no-cache``: it runs in a query process) and answered
  from the cache;
- the linked-data page of the IRI as Turtle, fresh and cached, and as HTML (fresh; a tenth
  as many: the page runs three queries, and a much-cited paper's incoming links are many);
- the same point lookup on raw pyoxigraph in this process (the store opened read-only,
  the answer written as SPARQL JSON, as bench/run.py's raw figures are), and its linked
  data as the page's CONSTRUCT, written as Turtle;
- the point lookup and the CONSTRUCT through the Oxigraph server.

Nothing writes the store while it runs. Figures go to bench/results/light_path.json.
On demand, not a test: the figures depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/run.py: its server starter)

from urbankg.server.ui_data import ui_query  # noqa: E402
from urbankg.sparql_prebind import prebind  # noqa: E402

RESULTS = HERE / "results" / "light_path.json"
FRESH = {"Cache-Control": "no-cache"}
JSON = {"Accept": "application/sparql-results+json"}
WARMUP = 20


def timed(call, requests_: int) -> dict:
    for _ in range(min(WARMUP, requests_)):
        call()
    samples = []
    for _ in range(requests_):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 3),
        "n": requests_,
    }


def ok(response: requests.Response) -> None:
    response.raise_for_status()


def raw(store: ox.Store, lookup: str, page: str, iri: str, n: int) -> dict:
    node = ox.NamedNode(iri)
    return {
        "point_lookup": timed(
            lambda: store.query(lookup, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON),
            n,
        ),
        "linked_data_turtle": timed(
            lambda: store.query(
                page, use_default_graph_as_union=True, substitutions={ox.Variable("resource"): node}
            ).serialize(format=ox.RdfFormat.TURTLE),
            n,
        ),
    }


def urbankg(base: str, lookup: str, path: str, n: int) -> dict:
    session = requests.Session()

    def post(headers: dict) -> None:
        ok(session.post(base + "/sparql", data={"query": lookup}, headers=headers))

    def page(accept: str, fresh: bool) -> None:
        ok(session.get(base + path, headers={"Accept": accept, **(FRESH if fresh else {})}))

    pages = max(10, n // 10)  # a page that runs three queries in query processes: fewer of them
    return {
        "health": timed(lambda: ok(session.get(base + "/health")), n),
        "point_lookup_fresh": timed(lambda: post({**JSON, **FRESH}), n),
        "point_lookup_cached": timed(lambda: post(JSON), n),
        "linked_data_turtle_fresh": timed(lambda: page("text/turtle", True), pages),
        "linked_data_turtle_cached": timed(lambda: page("text/turtle", False), n),
        "linked_data_html_fresh": timed(lambda: page("text/html", True), pages),
    }


def oxigraph_server(store: Path, lookup: str, page: str, iri: str, n: int) -> dict:
    command = shutil.which("oxigraph")
    if command is None:
        return {"skipped": "the oxigraph command is not installed (pip install oxigraph)"}
    port = run.free_port()
    process = subprocess.Popen(
        [command, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        deadline = time.time() + 120
        while True:
            try:
                session.get(base + "/query", params={"query": "ASK {}"}, timeout=5).raise_for_status()
                break
            except requests.RequestException:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        bound = prebind(page, {"resource": ox.NamedNode(iri)})  # the server takes no pre-bound values
        return {
            "point_lookup": timed(lambda: ok(session.post(base + "/query", data={"query": lookup}, headers=JSON)), n),
            "linked_data_turtle": timed(
                lambda: ok(session.post(base + "/query", data={"query": bound}, headers={"Accept": "text/turtle"})), n
            ),
        }
    finally:
        process.terminate()
        process.wait(30)


def above(figures: dict, name: str, baseline: dict, baseline_name: str) -> float:
    """Milliseconds one p50 lies above another."""
    return round(figures[name]["p50_ms"] - baseline[baseline_name]["p50_ms"], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--iri", default="https://w3id.org/urbankg/id/work/p-42")
    parser.add_argument("--label", default="", help="What this run measures (e.g. before, after).")
    args = parser.parse_args()
    lookup = (HERE / "queries" / "point-lookup.rq").read_text()
    page = ui_query("resource-graph")
    path = "/id/" + args.iri.removeprefix("https://w3id.org/urbankg/id/")

    server = run.Server(args.store)
    try:
        served = urbankg(server.base, lookup, path, args.requests)
        store = ox.Store.read_only(str(args.store))
        raw_figures = raw(store, lookup, page, args.iri, args.requests)
        del store
    finally:
        server.stop()
    oxigraph = oxigraph_server(args.store, lookup, page, args.iri, args.requests)
    figures = {
        "store": str(args.store),
        "iri": args.iri,
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "raw_pyoxigraph": raw_figures,
        "urbankg_http": served,
        "oxigraph_server": oxigraph,
        "above_raw_ms": {
            "point_lookup_fresh": above(served, "point_lookup_fresh", raw_figures, "point_lookup"),
            "point_lookup_cached": above(served, "point_lookup_cached", raw_figures, "point_lookup"),
        },
    }
    if "point_lookup" in oxigraph:
        figures["above_oxigraph_server_ms"] = {
            "point_lookup_fresh": above(served, "point_lookup_fresh", oxigraph, "point_lookup"),
            "linked_data_turtle_fresh": above(served, "linked_data_turtle_fresh", oxigraph, "linked_data_turtle"),
            "linked_data_turtle_cached": above(served, "linked_data_turtle_cached", oxigraph, "linked_data_turtle"),
        }
    earlier = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    earlier["runs"].append(figures)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(earlier, indent=1) + "\n")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
