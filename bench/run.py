"""urbankg measured side by side with what users would use instead.

    python bench/run.py                      # 10k and 100k papers
    python bench/run.py --sizes 10000,100000,1000000 --rdflib-max 10000

For each size of the synthetic literature (bench/generate.py):

- load throughput: raw pyoxigraph ``bulk_load``, ``urbankg load --bulk`` (a CLI process),
  and the validated ``urbankg load`` path (parse, SHACL, one transaction) on a slice;
- p50 / p95 latency of every canned query and of representative queries, through the
  HTTP endpoint (a real ``urbankg serve``), on raw pyoxigraph (overhead ratio), on rdflib's
  in-memory engine (where the graph fits in memory) and on Virtuoso (when installed);
- validation time of a 1,000-triple annotation at each store size (should stay flat);
- HTTP throughput and errors under 8 and 32 concurrent clients, light and heavy query,
  and the server's peak memory (server process plus its query processes).

Figures go to bench/results/results.json, BENCHMARKS.md and bench/results/latency.svg.
Progress is printed to standard error as it goes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import generate  # noqa: E402

from urbankg.graph import KnowledgeGraph  # noqa: E402
from urbankg.oxigraph_store import OxigraphStore  # noqa: E402
from urbankg.queries.catalogue import Catalogue  # noqa: E402

# Canned-query parameters that exist in the synthetic graph.
CANNED_PARAMS = {
    "framework-crosswalk": {"framework_a": "fw-0", "framework_b": "fw-1"},
    "triad-coverage": {"triad": "fw-2"},
    "concept-citations": {"concept": "c-0-0"},
    "shared-sources": {"paper_a": "p-400", "paper_b": "p-401"},
    "competing-explanations": {"topic": "c-0-0"},
    "claims-in-tension": {},
    "case-evidence": {"case": "case-0"},
    "village-counts": {},
    "legacy-impacts": {"legacy": "c-3-0"},
    "stakeholder-relations": {"case": "case-0"},
}
JOIN_AND_AGGREGATE = {"two-hop-join", "co-citation", "intent-counts", "shared-sources", "village-counts"}
REPEATS = 15
WARMUP = 2
RDFLIB_TIMEOUT = 30
SLOW = 1.0  # seconds
VERY_SLOW = 20.0
GIVE_UP = 60.0  # a first run longer than this is the only one: a second would say little more
HTTP_TIME_LIMIT = 120  # the benchmark server's query time limit (URBANKG_QUERY_TIMEOUT), seconds
RDFLIB_MEMORY_GB = 21  # of the machine's 24: rdflib is stopped there rather than the machine swapping
VIRTUOSO_BUFFERS = 680000  # 8 KB pages, about 5 GB: Virtuoso's advice for a machine with 8 GB to spare


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "runs": len(samples)}


def unmeasured(note: str) -> dict:
    """A query that gave no time: stopped at a limit, or failed."""
    return {"p50_ms": None, "p95_ms": None, "runs": 0, "note": note}


def timed(fn, repeats: int = REPEATS, warmup: int = WARMUP) -> dict:
    samples = []
    for i in range(warmup):
        start = time.perf_counter()
        fn()
        first = time.perf_counter() - start
        if i == 0 and first > SLOW:
            repeats = min(repeats, 3)  # a slow query: three runs say enough and keep the run short
            if first > VERY_SLOW:  # caches matter little at this length: the first run counts
                samples.append(first)
                repeats = 0 if first > GIVE_UP else repeats - 1
            break
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def representative_queries() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted((HERE / "queries").glob("*.rq"))}


def dataset(papers: int) -> Path:
    """The size's N-Triples file, generated if absent; compressed (lit-N.nt.gz) if it was
    compressed to leave room on disk for the store."""
    path = DATA / f"lit-{papers}.nt"
    if not path.exists() and path.with_suffix(".nt.gz").exists():
        return path.with_suffix(".nt.gz")
    if not path.exists():
        log(f"generating {papers} papers -> {path}")
        DATA.mkdir(parents=True, exist_ok=True)
        with path.open("w") as out:
            generate.generate(papers, 1, out)
    return path


# -- load --------------------------------------------------------------------------------


def read_binary(path: Path):
    return gzip.open(path) if path.suffix == ".gz" else path.open("rb")


def count_lines(path: Path) -> int:
    """N-Triples has one triple per line; counted in blocks, a 20 GB file takes seconds, not minutes."""
    lines = 0
    with read_binary(path) as data:
        while block := data.read(1 << 24):
            lines += block.count(b"\n")
    return lines


def free_disk_gb(folder: Path) -> float:
    return round(shutil.disk_usage(folder).free / 1024**3, 1)


def measure_raw_load(path: Path, workdir: Path) -> dict:
    triples = count_lines(path)
    raw_dir = workdir / "raw"
    start = time.perf_counter()
    store = ox.Store(str(raw_dir))
    with read_binary(path) as data:
        store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench"))
    store.flush()
    raw = time.perf_counter() - start
    del store
    shutil.rmtree(raw_dir)
    log(f"raw bulk_load: {triples / raw:,.0f} triples/s")
    return {
        "triples": triples,
        "raw_bulk_load_s": round(raw, 2),
        "raw_triples_per_s": round(triples / raw),
        "read_from": path.name,
    }


def measure_cli_load(path: Path, store_dir: Path, load: dict) -> None:
    cli = cli_bulk_load(path, store_dir)
    log(f"urbankg load --bulk: {load['triples'] / cli:,.0f} triples/s")
    load.update(
        urbankg_bulk_s=round(cli, 2),
        urbankg_bulk_triples_per_s=round(load["triples"] / cli),
        urbankg_read_from=path.name,
    )


def cli_bulk_load(path: Path, store_dir: Path) -> float:
    """Seconds `urbankg load --bulk` takes (a CLI process, compaction included); then the
    ontology beside the data, as a real deployment has it (class checks use it)."""
    start = time.perf_counter()
    subprocess.run(["urbankg", "--store", str(store_dir), "load", "--bulk", str(path)], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    # --bulk: the ontology grounds concepts in works of the bundled corpus (prov:wasDerivedFrom),
    # which the synthetic literature does not hold, so the validated load refuses it there.
    subprocess.run(
        ["urbankg", "--store", str(store_dir), "load", "--bulk", str(ROOT / "ontology" / "urbankg.ttl")],
        check=True,
        capture_output=True,
    )
    return seconds


def snapshot_of(store_dir: Path, snapshot: Path) -> None:
    """The read-only copy raw pyoxigraph is timed on, as the server's query processes are."""
    store = OxigraphStore(store_dir)
    store.snapshot(snapshot)
    store.close()


def save(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2))


def measure_validated_load(workdir: Path, papers: int = 150) -> dict:
    path = workdir / f"slice-{papers}.nt"
    with path.open("w") as out:
        triples = generate.generate(papers, 7, out, progress=False)
    kg = KnowledgeGraph.open(workdir / "validated-store")
    start = time.perf_counter()
    kg.load([path])
    seconds = time.perf_counter() - start
    kg.close()
    log(f"urbankg load (validated) of {triples} triples: {triples / seconds:,.0f} triples/s")
    return {"triples": triples, "seconds": round(seconds, 2), "triples_per_s": round(triples / seconds)}


# -- latency -----------------------------------------------------------------------------


def raw_latencies(store_dir: Path) -> dict:
    """Each query timed in a child process stopped at the endpoint's time limit: pyoxigraph
    cannot stop a query, and at a million papers co-citation runs for more than 18 minutes."""
    out = {}
    for name in [*representative_queries(), *CANNED_PARAMS]:
        child = subprocess.run(
            [sys.executable, __file__, "--raw-child", str(store_dir), name], stdout=subprocess.PIPE, text=True
        )
        if child.returncode == -signal.SIGALRM:
            out[name] = unmeasured(f"over {HTTP_TIME_LIMIT} s (stopped)")
        elif child.returncode != 0:
            out[name] = unmeasured(f"fails: exit {child.returncode}")
        else:
            out[name] = json.loads(child.stdout)
        log(f"raw {name}: {out[name]}")
    return out


def raw_child(store_dir: Path, name: str) -> None:
    """One query's figures on raw pyoxigraph, printed as JSON (opening the store is not timed).
    A run past the time limit ends the process by SIGALRM's default action: a Python handler
    would not run until the engine hands back control, at the end of the query."""
    store = ox.Store.read_only(str(store_dir))
    if name in CANNED_PARAMS:
        query = Catalogue().get(name)
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in query.substitutions(CANNED_PARAMS[name]).items()
        }
        run_once = lambda: _consume(store.query(query.sparql, use_default_graph_as_union=True, substitutions=subs))  # noqa: E731
    else:
        text = representative_queries()[name]
        run_once = lambda: _consume(store.query(text, use_default_graph_as_union=True))  # noqa: E731

    def limited():
        signal.alarm(HTTP_TIME_LIMIT)
        run_once()
        signal.alarm(0)

    print(json.dumps(timed(limited)))


def _consume(result) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    if isinstance(result, ox.QueryTriples):
        return len(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")  # None only when given a file
    return len(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")


class OverTimeLimit(Exception):
    """The endpoint stopped the query at its time limit (503)."""


# Latencies are of the query run, not of the server's kept answer: every timed request asks afresh.
FRESH = {"Cache-Control": "no-cache"}


def http_latencies(base: str) -> dict:
    session = requests.Session()

    def answered(response: requests.Response) -> None:
        if response.status_code == 503:
            raise OverTimeLimit
        response.raise_for_status()

    def limited(fn) -> dict:
        try:
            return timed(fn)
        except OverTimeLimit:
            return unmeasured(f"over {HTTP_TIME_LIMIT} s (time limit)")

    out = {}
    for name, text in representative_queries().items():
        accept = "application/n-triples" if "CONSTRUCT" in text else "application/sparql-results+json"
        out[name] = limited(
            lambda t=text, a=accept: answered(
                session.post(
                    base + "/sparql", data={"query": t}, headers={"Accept": a, **FRESH}, timeout=HTTP_TIME_LIMIT + 60
                )
            )
        )
        log(f"HTTP {name}: {out[name]}")
    for name, params in CANNED_PARAMS.items():
        out[name] = limited(
            lambda n=name, p=params: answered(
                session.get(f"{base}/api/queries/{n}.json", params=p, headers=FRESH, timeout=HTTP_TIME_LIMIT + 60)
            )
        )
        log(f"HTTP {name}: {out[name]}")
    return out


def rdflib_latencies(path: Path) -> dict:
    """rdflib's in-memory engine in a child process capped at RDFLIB_MEMORY_GB, so a graph
    too big for it ends that process with a figure, not the run."""
    child = subprocess.run([sys.executable, __file__, "--rdflib-child", str(path)], stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        log(f"rdflib did not finish (exit {child.returncode})")
        return {"error": f"rdflib did not finish within {RDFLIB_MEMORY_GB} GB (exit {child.returncode})"}
    return json.loads(child.stdout)


def rdflib_child(path: Path) -> None:
    import resource

    from rdflib import Graph, URIRef

    limit = RDFLIB_MEMORY_GB * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    catalogue = Catalogue()
    log(f"parsing {path.name} into rdflib (slow by nature)")
    start = time.perf_counter()
    graph = Graph()
    with read_binary(path) as data:
        graph.parse(data, format="nt")
    out = {"parse_s": round(time.perf_counter() - start, 1)}
    log(f"rdflib parsed {len(graph)} triples in {out['parse_s']} s")

    def limited(fn):
        def handler(_signum, _frame):
            raise TimeoutError

        signal.signal(signal.SIGALRM, handler)
        signal.alarm(RDFLIB_TIMEOUT)
        try:
            return timed(fn, repeats=3, warmup=0)
        except TimeoutError:
            return unmeasured(f"over {RDFLIB_TIMEOUT} s")
        except Exception as exc:  # rdflib's engine fails on some valid SPARQL: that is a figure too
            return unmeasured(f"fails: {type(exc).__name__}")
        finally:
            signal.alarm(0)

    for name, text in representative_queries().items():
        out[name] = limited(lambda t=text: len(list(graph.query(t))))
        log(f"rdflib {name}: {out[name]}")
    for name, params in CANNED_PARAMS.items():
        query = catalogue.get(name)
        bindings = {
            k: URIRef(v.value) if isinstance(v, ox.NamedNode) else v.value
            for k, v in query.substitutions(params).items()
        }
        out[name] = limited(lambda q=query, b=bindings: len(list(graph.query(q.sparql, initBindings=b))))
        log(f"rdflib {name}: {out[name]}")
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


# -- validation at size --------------------------------------------------------------------


def validation_time(store_dir: Path | None, workdir: Path) -> float:
    """Seconds to validate a 1,000-triple annotation against a store of the given size."""
    annotation = workdir / "annotation-1000.ttl"
    if not annotation.exists():
        lines = [
            "@prefix ukg: <https://w3id.org/urbankg/ontology#> .",
            "@prefix qb: <http://purl.org/linked-data/cube#> .",
            "@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .",
        ]
        for i in range(333):
            obs = f"<https://w3id.org/urbankg/id/observation/bench-{i}>"
            lines.append(
                f"{obs} a qb:Observation ; sdmx-measure:obsValue {i} ; "
                f"ukg:aboutCase <https://w3id.org/urbankg/id/case/case-{i % 5}> ."
            )
        annotation.write_text("\n".join(lines) + "\n")
    kg = KnowledgeGraph.open(store_dir) if store_dir else KnowledgeGraph.in_memory()
    try:
        kg.validate([annotation])  # warm: shapes and ontology parsed once per process
        return timed(lambda: kg.validate([annotation]), repeats=5, warmup=0)["p50_ms"] / 1000
    finally:
        kg.close()


# -- the server under load -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, store_dir: Path, workers: int = 2):
        self.port = free_port()
        # The concurrency phase plays 32 scholars from one address: the per-client share would
        # count them as one (the server's own admission, busy 503s, still applies).
        env = dict(
            os.environ,
            URBANKG_QUERY_TIMEOUT=str(HTTP_TIME_LIMIT),
            URBANKG_MAX_ROWS="100000",
            URBANKG_CLIENT_QUERIES="64",
        )
        self.process = subprocess.Popen(
            [
                "urbankg",
                "--store",
                str(store_dir),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                "32",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/health", timeout=10).ok:
                    return
            except requests.RequestException:  # not listening yet, or busy opening a large store
                time.sleep(0.3)
        self.process.kill()  # else it would hold the store's lock after the run has stopped
        raise RuntimeError("the server did not start: " + self.process.communicate()[1].decode())

    def peak_memory_mb(self) -> float:
        pids = [self.process.pid] + [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                continue
        return round(total / 1024, 1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def hammer(base: str, query: str, clients: int, seconds: float, distinct: bool = False) -> dict:
    """Clients sending one query over and over for ``seconds``; with ``distinct`` each request
    carries its own comment, so the server's result cache cannot answer it or share its run.

    Every request is sorted by what became of it, with how long it took: answered (200);
    refused at once (429, or 503 because no process would be free in time); refused after
    waiting for a process (503: the server's estimate let it wait, then no process came free
    in time); timed out (503: the query ran to its time limit and was stopped); other errors
    (any other status, a broken connection). A refused client tries again after 50 ms."""
    stop = time.time() + seconds
    taken: dict[str, list[float]] = {
        "answered": [],
        "refused": [],
        "refused_after_waiting": [],
        "timed_out": [],
        "errors": [],
    }
    retry_after: list[int] = []
    lock = threading.Lock()
    numbers = iter(range(10**9))
    # Unique across calls too: a text an earlier load sent may still be kept by the result cache.
    run_id = time.time_ns()

    def client():
        session = requests.Session()
        while time.time() < stop:
            text = f"{query}\n# request {run_id}-{next(numbers)}" if distinct else query
            started = time.perf_counter()
            try:
                response = session.post(
                    base + "/sparql",
                    data={"query": text},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=600,
                )
                kind = _outcome_of(response)
            except requests.RequestException:
                kind, response = "errors", None
            with lock:
                taken[kind].append(time.perf_counter() - started)
                if kind == "refused" and response is not None and "Retry-After" in response.headers:
                    retry_after.append(int(response.headers["Retry-After"]))
            if kind == "refused":
                time.sleep(0.05)  # a client told to come back does not come back in the same millisecond

    started = time.time()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    elapsed = time.time() - started
    total = sum(len(v) for v in taken.values())
    out: dict[str, Any] = {
        "clients": clients,
        "requests": total,
        "errors": total - len(taken["answered"]),  # every request not answered, as before
        "requests_per_s": round(total / elapsed, 1),
        "answered": len(taken["answered"]),
        "refused": len(taken["refused"]),
        "refused_after_waiting": len(taken["refused_after_waiting"]),
        "timed_out": len(taken["timed_out"]),
        "other_errors": len(taken["errors"]),
    }
    for kind in ("answered", "refused", "refused_after_waiting", "timed_out"):
        if taken[kind]:
            ordered = sorted(taken[kind])
            out[f"{kind}_ms"] = {
                "p50": round(statistics.median(ordered) * 1000, 1),
                "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
                "max": round(ordered[-1] * 1000, 1),
            }
    if retry_after:
        out["retry_after_s"] = {"min": min(retry_after), "max": max(retry_after)}
    return out


def _outcome_of(response: requests.Response) -> str:
    """answered, refused, refused_after_waiting, timed_out or errors: see hammer."""
    if response.ok:
        return "answered"
    if response.status_code in (429, 503):
        text = response.text
        if "no query process came free" in text:
            return "refused_after_waiting"
        if "longer than the limit" in text:
            return "timed_out"
        return "refused"
    return "errors"


def concurrency(base: str) -> dict:
    """A light and a heavy query from 8 and 32 clients: the same text from every client, as
    readers of one page send it, and the heavy one also with every request's text its own."""
    queries = representative_queries()
    out = {}
    for kind, name, distinct in (
        ("light", "point-lookup", False),
        ("heavy", "intent-counts", False),
        ("heavy_distinct", "intent-counts", True),
    ):
        for clients in (8, 32):
            out[f"{kind}-{clients}"] = hammer(base, queries[name], clients, 10, distinct)
            log(f"concurrency {kind}, {clients} clients: {out[f'{kind}-{clients}']}")
    return out


def concurrency_again(sizes: list[int], workdir: Path) -> dict:
    """The concurrency phase alone, on a fresh store of each size: for figures taken before the
    server kept and shared answers, which stay in the results as ``concurrency_before_cache``."""

    def measure(entry: dict, store_dir: Path, _seconds: float) -> None:
        server = Server(store_dir)
        try:
            figures = concurrency(server.base)
        finally:
            server.stop()
        entry.setdefault("concurrency_before_cache", entry["concurrency"])
        entry["concurrency"] = figures

    return retake(sizes, workdir, "concurrency", measure)


def http_again(sizes: list[int], workdir: Path) -> dict:
    """The queries over HTTP alone, on a fresh store of each size: for a size too large to run
    whole again (a million papers needs its store twice for the raw phase's snapshot), once the
    queries have changed. The figures taken before stay as ``http_before`` and ``raw_before``."""

    def measure(entry: dict, store_dir: Path, seconds: float) -> None:
        log(f"urbankg load --bulk: {seconds:.0f} s")
        server = Server(store_dir)
        try:
            figures = http_latencies(server.base)
            entry["server_peak_mb_http_again"] = server.peak_memory_mb()
        finally:
            server.stop()
        entry.setdefault("http_before", entry.get("http"))
        entry["http"] = figures
        # The raw figures were taken with the HTTP ones they replace, on the literature and the
        # queries of then: set beside the new ones they would give ratios of nothing.
        if "raw" in entry:
            entry["raw_before"] = entry.pop("raw")
        entry["http_taken"] = time.strftime("%Y-%m-%d")

    return retake(sizes, workdir, "http", measure)


def retake(sizes: list[int], workdir: Path, label: str, measure) -> dict:
    """One phase taken again for sizes already in results.json, each on a store freshly loaded
    by `urbankg load --bulk`: ``measure(entry, store_dir, load_seconds)`` updates the size's
    entry, which is saved after each size."""
    results = json.loads((RESULTS / "results.json").read_text())
    for papers in sizes:
        size_dir = workdir / f"{label}-{papers}"
        shutil.rmtree(size_dir, ignore_errors=True)
        size_dir.mkdir(parents=True)
        seconds = cli_bulk_load(dataset(papers), size_dir / "store")
        measure(results["sizes"][str(papers)], size_dir / "store", seconds)
        save(results)
        shutil.rmtree(size_dir, ignore_errors=True)
    results["command"] += " && " + " ".join(["python", "bench/run.py", *sys.argv[1:]])
    save(results)
    return results


# -- Virtuoso ------------------------------------------------------------------------------


def virtuoso_latencies(path: Path, catalogue: Catalogue, workdir: Path) -> dict | None:
    """The same queries on a throw-away Virtuoso 7 (tests/virtuoso.py), bulk-loaded with its own loader."""
    try:
        import virtuoso  # tests/virtuoso.py
    except ImportError:
        return None
    if virtuoso.VIRTUOSO is None or virtuoso.ISQL is None:
        return None
    from urbankg.sparql_store import SparqlStore

    folder = workdir / "virtuoso"
    server = virtuoso.start_virtuoso(folder, buffers=VIRTUOSO_BUFFERS, max_seconds=300)
    try:
        for source, graph in ((path, "urn:bench"), (ROOT / "ontology" / "urbankg.ttl", "urn:ontology")):
            place_for_virtuoso(source, folder / source.name)
            server.isql(f"ld_dir('{folder}', '{source.name}', '{graph}')")
        start = time.perf_counter()
        server.isql("rdf_loader_run()")
        server.isql("checkpoint")
        out: dict[str, float | dict] = {"bulk_load_s": round(time.perf_counter() - start, 2)}
        log(f"Virtuoso bulk load: {out['bulk_load_s']} s")
        store = SparqlStore(server.endpoint, timeout=300)
        for name, text in representative_queries().items():
            out[name] = timed(lambda t=text: _consume(store.query(t)), repeats=5, warmup=1)
        for name, params in CANNED_PARAMS.items():
            query = catalogue.get(name)
            subs = query.substitutions(params)
            out[name] = timed(
                lambda q=query, s=subs: _consume(store.query(q.sparql, substitutions=s)), repeats=5, warmup=1
            )
        return out
    finally:
        server.stop()


def place_for_virtuoso(source: Path, target: Path) -> None:
    """Virtuoso reads only from its DirsAllowed: a hard link puts the file there without a
    second copy on disk (20 GB at a million papers), a copy where links cannot cross."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy(source, target)


# -- report --------------------------------------------------------------------------------


def run(sizes: list[int], rdflib_max: int, workdir: Path, earlier: dict | None = None) -> dict:
    """Each size's figures are saved after every phase; with ``earlier`` (--merge) a size left
    unfinished by a run that stopped resumes at its first missing phase, on the same store."""
    catalogue = Catalogue()
    results: dict[str, Any] = {  # written as JSON
        "machine": machine(),
        "sizes": {},
        "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
    }
    if earlier:  # sizes measured by an earlier run are kept, and the commands of both are reported
        results["sizes"] = earlier["sizes"]
        results["command"] = earlier["command"] + " && " + results["command"]
    earlier = earlier or {}
    results["validation_empty_store_s"] = earlier.get("validation_empty_store_s") or round(
        validation_time(None, workdir), 3
    )
    results["validated_load"] = earlier.get("validated_load") or measure_validated_load(workdir)

    for papers in sizes:
        log(f"== {papers} papers ({free_disk_gb(workdir)} GB free on disk)")
        size_dir = workdir / f"size-{papers}"
        store_dir, snapshot = size_dir / "store", size_dir / "snapshot"
        entry = results["sizes"].get(str(papers), {})
        loaded = "urbankg_bulk_s" in entry.get("load", {})
        if entry.get("complete") or (
            loaded and "concurrency" not in entry and not (store_dir.exists() and snapshot.exists())
        ):
            entry = {}  # a size resumes where it stopped only if the store its next phase needs is still there
        results["sizes"][str(papers)] = entry
        path = dataset(papers)
        if "load" not in entry:  # raw first, saved: at a million papers it takes half an hour
            shutil.rmtree(size_dir, ignore_errors=True)
            size_dir.mkdir(parents=True)
            entry["load"] = measure_raw_load(path, size_dir)
            save(results)
        if "urbankg_bulk_s" not in entry["load"]:
            size_dir.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(store_dir, ignore_errors=True)
            shutil.rmtree(snapshot, ignore_errors=True)
            measure_cli_load(path, store_dir, entry["load"])
            entry["validation_s"] = round(validation_time(store_dir, workdir), 3)
            log(f"validation of 1,000 triples: {entry['validation_s']} s")
            snapshot_of(store_dir, snapshot)
            save(results)
        else:
            log("resuming on the store an earlier run loaded")
        if "raw" not in entry:
            entry["raw"] = raw_latencies(snapshot)
            log("raw pyoxigraph latencies done")
            save(results)
        if "concurrency" not in entry:
            server = Server(store_dir)
            try:
                entry["http"] = http_latencies(server.base)
                log("HTTP latencies done")
                entry["concurrency"] = concurrency(server.base)
                entry["server_peak_mb"] = server.peak_memory_mb()
            finally:
                server.stop()
            save(results)
        # The Oxigraph store has served every phase that needs it: at a million papers its 50 GB
        # and Virtuoso's database do not fit on the disk side by side.
        shutil.rmtree(store_dir, ignore_errors=True)
        shutil.rmtree(snapshot, ignore_errors=True)
        if papers <= rdflib_max and "rdflib" not in entry:
            entry["rdflib"] = rdflib_latencies(path)
            save(results)
        if "virtuoso" not in entry:
            try:
                entry["virtuoso"] = virtuoso_latencies(path, catalogue, size_dir)
            except Exception as exc:  # a failed comparison must not lose the figures already taken
                log(f"Virtuoso comparison failed: {exc}")
                entry["virtuoso"] = {"error": str(exc)}
        entry["complete"] = True
        save(results)
        shutil.rmtree(size_dir, ignore_errors=True)
    return results


def remeasure_raw(sizes: list[int], workdir: Path) -> dict:
    """Raw pyoxigraph latencies again, on a store `urbankg load --bulk` has compacted (as it
    does since the first 100k run showed queries 1.4-13x slower on an uncompacted one); the
    figures taken before stay in the results as ``raw_uncompacted``."""

    def measure(entry: dict, store_dir: Path, seconds: float) -> None:
        triples = entry["load"]["triples"]
        log(f"urbankg load --bulk with compaction: {triples / seconds:,.0f} triples/s")
        entry["load"]["uncompacted_urbankg_bulk_triples_per_s"] = entry["load"]["urbankg_bulk_triples_per_s"]
        entry["load"].update(urbankg_bulk_s=round(seconds, 2), urbankg_bulk_triples_per_s=round(triples / seconds))
        snapshot = store_dir.with_name("snapshot")
        snapshot_of(store_dir, snapshot)
        entry["raw_uncompacted"] = entry["raw"]
        entry["raw"] = raw_latencies(snapshot)

    return retake(sizes, workdir, "remeasure", measure)


def machine() -> dict:
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "platform": platform.platform(),
    }


def write_report(results: dict) -> None:
    from report import write_benchmarks_md  # bench/report.py: tables and the picture

    write_benchmarks_md(results, ROOT / "BENCHMARKS.md", HERE / "latency.svg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Numbers of papers, comma-separated.")
    parser.add_argument("--rdflib-max", type=int, default=10000, help="Largest size to load into rdflib's memory.")
    parser.add_argument("--workdir", type=Path, default=HERE / "work")
    parser.add_argument("--report-only", action="store_true", help="Rewrite BENCHMARKS.md from results.json.")
    parser.add_argument("--merge", action="store_true", help="Add these sizes to the sizes in results.json.")
    parser.add_argument("--rdflib-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--remeasure-raw",
        action="store_true",
        help="Take the raw pyoxigraph latencies of these sizes again, on a compacted store.",
    )
    parser.add_argument(
        "--concurrency-again",
        action="store_true",
        help="Take the concurrency figures of these sizes again, on a fresh store.",
    )
    parser.add_argument(
        "--http-again",
        action="store_true",
        help="Take the HTTP latencies of these sizes again, on a fresh store (no raw phase, no snapshot).",
    )
    args = parser.parse_args()
    if args.http_again:
        write_report(http_again([int(s) for s in args.sizes.split(",")], args.workdir))
        return
    if args.concurrency_again:
        write_report(concurrency_again([int(s) for s in args.sizes.split(",")], args.workdir))
        return
    if args.remeasure_raw:
        write_report(remeasure_raw([int(s) for s in args.sizes.split(",")], args.workdir))
        return
    if args.rdflib_child:
        rdflib_child(args.rdflib_child)
        return
    if args.raw_child:
        raw_child(Path(args.raw_child[0]), args.raw_child[1])
        return
    if args.report_only:
        write_report(json.loads((RESULTS / "results.json").read_text()))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    earlier = json.loads((RESULTS / "results.json").read_text()) if args.merge else None
    results = run([int(s) for s in args.sizes.split(",")], args.rdflib_max, args.workdir, earlier)
    write_report(results)
    log("wrote BENCHMARKS.md and bench/results/")


if __name__ == "__main__":
    main()
