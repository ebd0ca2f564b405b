"""The fuzzer's target and driver: the real urbankg server under hostile input, and the checks.

``Target`` runs the real app (``create_app`` served by waitress, real query processes)
in a child process, on an on-disk store holding the bundled ontology and corpus, with a
write token and one allow-listed SERVICE endpoint (so query processes have network, as
on a server that allows SERVICE: a SERVICE that slips past the guard reaches the canary).
A child process, because an engine crash must be a finding with its input printed, not
the end of the test run: the driver restarts it and goes on. The child also serves a
small control port (not the app's) that reports the store's fingerprint and drops the
fuzz graphs, through the KnowledgeGraph's own API.

``Fuzzer.run(route, seconds)`` sends generated cases (see fuzz_inputs) to one route and
checks after every case:

- the status: any 4xx is a refusal; a 5xx is a failure, except 503 with Retry-After
  (a query over the time limit, or the server honestly busy);
- the canary heard nothing;
- the server process is alive and ``/health`` answers;
- the store: unchanged by every read and every refused write (the store's write count
  and size after every case, the hash of its sorted N-Quads every FULL_CHECK_EVERY cases
  and whenever those move); an accepted write changed only what it was allowed to (its
  target graph and that graph's catalogue entry; for an update, graphs the store did not
  hold), and, where the effect is known, exactly that: a Graph Store or validate-and-load
  write holds what the loader parses from the same body, an INSERT DATA holds its quads.

Run it as a script to serve the app (the driver does that), or use bench/fuzz.py.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, urlencode

import pyoxigraph as ox
import requests

from fuzz_inputs import FUZZ_NS, GRAPH_BASE, Case, is_fuzz, make_case
from urbankg import config

HERE = Path(__file__).resolve().parent
TOKEN = "fuzz-token-5e0b"
REQUEST_TIMEOUT = 20.0  # seconds: queries stop at 2, and nothing else should take long
FULL_CHECK_EVERY = 20  # cases between two full hashes of the store (about 0.2 s each)
CONTROL_TIMEOUT = 10.0  # the store's fingerprint takes well under a second; past this the server is stuck
QUERY_TIMEOUT = 2.0  # seconds; a hostile query past it gets an honest 503, and the fuzzer moves on
ROUTES = {
    "sparql-query": ["query"],
    "sparql-update": ["update"],
    "graph-store": ["turtle", "trig", "ntriples", "jsonld", "rdfxml", "yaml"],
    "validate": ["turtle", "trig", "ntriples", "jsonld", "rdfxml", "yaml"],
    "api-queries": ["param"],
    "id": ["idpath"],
}
# How a run's time is shared between the routes.
SHARES = {
    "sparql-query": 0.25,
    "sparql-update": 0.2,
    "graph-store": 0.2,
    "validate": 0.15,
    "api-queries": 0.1,
    "id": 0.1,
}
BODY_TYPES = {
    "turtle": ["text/turtle", "application/x-turtle", "text/n3", "text/turtle; charset=utf-8"],
    "trig": ["application/trig"],
    "ntriples": ["application/n-triples", "application/n-quads"],  # N-Triples is N-Quads too
    "jsonld": ["application/ld+json"],
    "rdfxml": ["application/rdf+xml"],
    "yaml": ["application/yaml", "application/x-yaml", "text/yaml"],
}
SUFFIXES = {
    "turtle": ".ttl",
    "trig": ".trig",
    "ntriples": ".nt",
    "jsonld": ".jsonld",
    "rdfxml": ".rdf",
    "yaml": ".yaml",
}
HOSTILE_FILE_NAMES = [
    "a" * 300,
    "../../etc/passwd",
    "a\x00b",
    "😀",
    "con",
    "",
    ".",
    "a/b",
    "-",
    "..",
    " x ",
    "x" * 5000,
    "%00",
    "\u202eevil",
]


# -- the child process ---------------------------------------------------------------------------


def build_store(store_dir: Path) -> None:
    """The bundled ontology and corpus, parsed and written as the store's own graphs.

    Without SHACL: the corpus is validated by its own tests, and validating it here would
    cost half a minute of the fuzzer's budget."""
    from urbankg import config
    from urbankg.graph import KnowledgeGraph
    from urbankg.loaders import load_file
    from urbankg.oxigraph_store import OxigraphStore
    from urbankg.store import GraphReplacement

    files = [config.ontology_file(), *sorted(config.bundled("corpus").glob("*/*.*"))]
    kg = KnowledgeGraph(OxigraphStore(store_dir))
    try:
        parsed = [load_file(path) for path in files]
        kg.store.replace_graphs([GraphReplacement(config.graph_iri(p.source), p.graph, str(p.path)) for p in parsed])
    finally:
        kg.close()


def serve(store_dir: Path, ready: Path, service_allow: str) -> None:
    import waitress

    from urbankg import config
    from urbankg.graph import KnowledgeGraph
    from urbankg.oxigraph_store import OxigraphStore
    from urbankg.server.app import create_app
    from urbankg.server.services import services
    from urbankg.server.settings import Settings
    from urbankg.validation import Validator

    kg = KnowledgeGraph(OxigraphStore(store_dir), Validator(config.shapes_file(), config.ontology_file()))
    settings = Settings(
        token=TOKEN, query_timeout=QUERY_TIMEOUT, max_rows=1000, service_allow=(service_allow,), workers=2
    )
    app = create_app(kg, settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    control = ThreadingHTTPServer(("127.0.0.1", 0), _control_handler(kg))
    threading.Thread(target=control.serve_forever, daemon=True).start()
    stopping = threading.Event()

    def stop(*_args):
        stopping.set()
        server.close()

    signal.signal(signal.SIGTERM, stop)
    written = ready.with_suffix(".part")  # renamed when complete: the driver never reads half of it
    written.write_text(json.dumps({"app": server.socket.getsockname()[1], "control": control.server_address[1]}))
    written.rename(ready)
    try:
        server.run()
    except (OSError, ValueError):  # the socket closed by stop()
        if not stopping.is_set():
            raise
    finally:
        services(app).close()
        kg.close()


def _control_handler(kg):
    lock = threading.Lock()

    class Control(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/state":  # cheap: every write through the store counts in its generation
                self._send(json.dumps([getattr(kg.store, "generation", None), len(kg.store)]).encode())
                return
            with lock:
                dump = _dump(kg)
            if self.path == "/digest":
                lines = sorted(line for line in dump.split(b"\n") if line)
                self._send(hashlib.sha256(b"\n".join(lines)).hexdigest().encode())
            else:
                self._send(dump)

        def do_POST(self):  # /reset: drop the fuzz graphs and the graphs named in the body
            extra = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"[]")
            with lock:
                for graph in kg.graphs():
                    if is_fuzz(graph) or graph in extra:
                        kg.drop(graph, replace=True)  # the fuzz graphs' writers vary
            self._send(b"{}")

        def _send(self, body: bytes):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    return Control


def _dump(kg) -> bytes:
    out = io.BytesIO()
    kg.export(out, "nquads")
    return out.getvalue()


class Target:
    """The app in a child process; see the module docstring."""

    def __init__(self, workdir: Path, service_allow: str):
        self.workdir = workdir
        self.store = workdir / "store"
        self.log_path = workdir / "server.log"
        self.service_allow = service_allow
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        build_store(self.store)

    def start(self) -> None:
        ready = self.workdir / "ready.json"
        ready.unlink(missing_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 (the server process writes it until stop() closes it)
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__)),
                "--store",
                str(self.store),
                "--ready",
                str(ready),
                "--service-allow",
                self.service_allow,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=HERE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))},
        )
        log.close()
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fuzz target did not start:\n{self.log_tail(0)}")
            time.sleep(0.05)
        ports = json.loads(ready.read_text())
        self.url = f"http://127.0.0.1:{ports['app']}"
        self.control = f"http://127.0.0.1:{ports['control']}"

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)  # a server stuck in one request never gets to its handler
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def state(self) -> list:
        """(write generation, quads): changes with every write the store sees."""
        return requests.get(self.control + "/state", timeout=CONTROL_TIMEOUT).json()

    def digest(self) -> str:
        """The hash of the sorted N-Quads: changes with any change, however it was made."""
        return requests.get(self.control + "/digest", timeout=CONTROL_TIMEOUT).text

    def dump(self) -> set[str]:
        # Split at newlines only: a literal may hold U+2028 or U+0085, which N-Quads leaves as they are.
        dump = requests.get(self.control + "/dump", timeout=CONTROL_TIMEOUT).content.decode("utf-8")
        return {line for line in dump.split("\n") if line}

    def reset(self, extra: list[str]) -> None:
        requests.post(self.control + "/reset", data=json.dumps(extra), timeout=CONTROL_TIMEOUT)

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_tail(self, since: int, limit: int = 3000) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
        return text[-limit:]

    def __enter__(self) -> Target:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


# -- the driver ----------------------------------------------------------------------------------


@dataclass
class Sent:
    """What was sent, and what a write may change."""

    description: str
    response: requests.Response | None = None
    error: str | None = None
    # For writes: the graphs the request may change (None: it may change nothing; for an
    # update, empty: it may write graphs the store did not hold).
    targets: set[str] | None = None
    target_prefix: str | None = None  # a POST to /rdf-graphs creates a graph with a name under this
    oracle: tuple[bytes, str] | None = None  # (body, file suffix): the target must hold what the loader reads
    update: bool = False


@dataclass
class Failure:
    route: str
    case: Case
    status: int | str
    problem: str
    request: str
    log: str = ""

    def __str__(self) -> str:
        text = (
            f"[{self.route}] {self.case.kind}/{self.case.label} -> {self.status}: {self.problem}\n"
            f"    seed {self.case.seed!r} (replay: python bench/fuzz.py --replay '{self.case.seed}')\n"
            f"    request: {self.request}\n    input: {self.case.text(300)}"
        )
        if self.log.strip():
            text += "\n    server log:\n" + "\n".join("      " + line for line in self.log.strip().splitlines()[-12:])
        return text


@dataclass
class Report:
    route: str
    seed: str
    cases: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)  # (kind/label, status) -> count
    failures: list[Failure] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds, case) of the slowest cases

    def summary(self) -> str:
        rate = self.cases / self.seconds if self.seconds else 0
        by_status = Counter()
        for (_label, status), n in self.statuses.items():
            by_status[status] += n
        return (
            f"{self.route}: {self.cases} cases in {self.seconds:.1f} s ({rate:.1f}/s), seed {self.seed}, "
            f"statuses {dict(sorted(by_status.items(), key=str))}, {len(self.failures)} failing"
        )

    def failure_text(self, per_group: int = 2) -> str:
        """Failures grouped by input class and problem, a few examples of each."""
        groups: dict[tuple, list[Failure]] = {}
        for failure in self.failures:
            key = (failure.case.kind, failure.case.label, failure.status, re.sub(r"\d+", "N", failure.problem[:60]))
            groups.setdefault(key, []).append(failure)
        parts = [
            f"{len(self.failures)} of {self.cases} cases failed on {self.route} (seed {self.seed}), "
            f"in {len(groups)} groups:"
        ]
        for (kind, label, status, _problem), members in groups.items():
            parts.append(f"\n== {kind}/{label} -> {status}: {len(members)} case(s)")
            parts.extend(str(m) for m in members[:per_group])
        return "\n".join(parts)


class Fuzzer:
    def __init__(self, target: Target, canary, seed: str, verbose: bool = False):
        self.target = target
        self.canary = canary
        self.seed = seed
        self.verbose = verbose
        self._catalogue: dict[str, list[str]] | None = None
        self.checks = 0
        self.remember_clean_state()

    def run(self, route: str, seconds: float, max_cases: int = 1_000_000, first: int = 0, progress=None) -> Report:
        """Cases ``first``, ``first + 1``, ... of ``route`` until ``seconds`` or ``max_cases`` run out.

        ``progress(report)`` is called about every ten seconds."""
        report = Report(route, self.seed)
        start = last = time.monotonic()
        index = first
        while time.monotonic() - start < seconds and report.cases < max_cases:
            began = time.monotonic()
            case, status, failures = self.one(route, index)
            took = time.monotonic() - began
            report.cases += 1
            report.statuses[(f"{case.kind}/{case.label}", status)] += 1
            report.failures.extend(failures)
            report.slowest = sorted([*report.slowest, (took, case.describe()[:160])], reverse=True)[:5]
            index += 1
            report.seconds = time.monotonic() - start
            if progress and time.monotonic() - last > 10:
                progress(report)
                last = time.monotonic()
        report.seconds = time.monotonic() - start
        return report

    def case(self, route: str, index: int) -> Case:
        kinds = ROUTES[route]
        kind = kinds[index % len(kinds)]
        return make_case(kind, index // len(kinds), f"{self.seed}:{route}:{index}", self.canary.url)

    def one(self, route: str, index: int) -> tuple[Case, int | str, list[Failure]]:
        case = self.case(route, index)
        if self.verbose:  # printed before sending: if the whole process dies, the last line names the case
            print(f"-> {route} {case.describe()[:300]}", flush=True)
        hits_before = len(self.canary.hits)
        log_before = self.target.log_size()
        rng = random.Random(case.seed + ":request")
        sent = SEND[route](self, case, rng)
        status: int | str = sent.response.status_code if sent.response is not None else "no answer"
        problems = []
        if sent.response is None:
            problems.append(f"no HTTP answer: {sent.error}")
        elif status >= 500 and not (status == 503 and "Retry-After" in sent.response.headers):
            problems.append(f"server error: {sent.response.text[:300]!r}")
        problems += self._check_canary(case, hits_before)
        # A request left running (no answer) could change the store during a later case: the
        # server is started afresh after it, as after a crash or a stuck /health.
        healthy = self.target.alive() and sent.response is not None
        if not self.target.alive():
            problems.append(f"the server process died (exit code {self.target.process.returncode})")
        else:
            health = self._check_health()
            healthy = healthy and not health
            problems += health
            try:
                problems += self._check_store(case, sent, hits_before)
            except requests.RequestException as error:
                healthy = False
                problems.append(
                    f"the store could not be checked: the server stopped answering ({type(error).__name__})"
                )
        failures = [
            Failure(
                route,
                case,
                status,
                problem,
                sent.description,
                self.target.log_tail(log_before) if status == "no answer" or status >= 500 or not healthy else "",
            )
            for problem in problems
        ]
        if not healthy:  # a stuck server would hold every case after this one: start afresh
            self.target.restart()
            self.remember_clean_state()
        return case, status, failures

    # -- checks ------------------------------------------------------------------------------

    def _check_canary(self, case: Case, before: int) -> list[str]:
        problems = []
        for hit in self.canary.hits[before:][:3]:
            # A fetch can come late (a worker still running): the path names the case that caused it.
            late = (
                ""
                if case.token in (hit.path + hit.body.decode("latin-1")).lower()
                else (" (its path names another case's token: a late hit from an earlier case?)")
            )
            problems.append(f"the canary was reached: {hit}{late}")
        return problems

    def _check_health(self) -> list[str]:
        try:
            health = requests.get(self.target.url + "/health", timeout=5)
        except requests.RequestException as error:
            return [f"/health did not answer within 5 s after the case ({type(error).__name__}); restarted"]
        if health.status_code != 200 or health.json().get("status") != "ok":
            return [f"/health answered {health.status_code}: {health.text[:200]!r}"]
        return []

    def _check_store(self, case: Case, sent: Sent, hits_before: int) -> list[str]:
        # Cheap after every case: any write through the store moves its generation or its size.
        # The full hash, which would see a write past the store's own methods too, every
        # FULL_CHECK_EVERY cases and after any move.
        self.checks += 1
        if self.target.state() == self.state and self.checks % FULL_CHECK_EVERY:
            return []
        if self.target.digest() == self.baseline:
            self.state = self.target.state()
            return []
        after = self.target.dump()
        added, removed = _quads(after - self.clean), _quads(self.clean - after)
        problems = []
        if sent.targets is None:
            problems.append(_change("a request that may not write changed the store", added, removed))
        elif sent.response is None:
            problems.append(
                _change(
                    "a write that gave no answer changed the store (it went on after the client gave up)",
                    added,
                    removed,
                )
            )
        elif not 200 <= sent.response.status_code < 300:
            problems.append(_change(f"a refused write ({sent.response.status_code}) changed the store", added, removed))
        elif removed:  # the fuzz graphs are empty when a case starts: anything removed was the store's own
            problems.append(_change("an accepted write removed statements it does not own", added, removed))
        else:
            outside = [q for q in added if not self._may_add(q, sent)]
            if outside:
                problems.append(_change("an accepted write changed the store outside its target", outside, []))
            elif case.expect is not None:
                got = {str(q) for q in added if not isinstance(q.graph_name, ox.DefaultGraph)}
                if got != set(case.expect):
                    problems.append(
                        f"the update's effect differs from its text: expected {len(case.expect)} quads, "
                        f"found {len(got)}; missing {sorted(set(case.expect) - got)[:2]}, "
                        f"extra {sorted(got - set(case.expect))[:2]}"
                    )
            elif sent.oracle is not None and len(self.canary.hits) == hits_before:
                problems += _compare_with_loader(added, sent)
        written = sorted({q.graph_name.value for q in added if isinstance(q.graph_name, ox.NamedNode)})
        self.target.reset(written)
        if self.target.digest() != self.baseline:  # what is left (reported above) is the new normal
            self.remember_clean_state()
        self.state = self.target.state()
        return problems

    def _may_add(self, quad: ox.Quad, sent: Sent) -> bool:
        owner = _owner(quad)
        if isinstance(quad.graph_name, ox.DefaultGraph) and owner.startswith(config.WRITE_BASE):
            return True  # an accepted write records itself in the history
        if sent.update:
            # An update with the token may write any graph the store did not hold, and
            # statements about new things in the default graph; never the store's own.
            if isinstance(quad.graph_name, ox.DefaultGraph):
                return owner not in self.clean_subjects
            return owner not in self.clean_graphs
        return owner in sent.targets or bool(sent.target_prefix and owner.startswith(sent.target_prefix))

    def catalogue(self) -> dict[str, list[str]]:
        if self._catalogue is None:
            listing = requests.get(self.target.url + "/api/queries", timeout=30).json()
            self._catalogue = {q["name"]: [p["name"] for p in q["parameters"]] for q in listing}
        return self._catalogue

    def remember_clean_state(self) -> None:
        """Keep the store's quads as they are now, to diff a later change against."""
        self.clean = self.target.dump()
        self.baseline = self.target.digest()
        self.state = self.target.state()
        quads = _quads(self.clean)
        self.clean_graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        self.clean_subjects = {_owner(q) for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}


def _quads(lines: set[str]) -> list[ox.Quad]:
    return list(ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)) if lines else []


def _owner(quad: ox.Quad) -> str:
    """The graph a quad belongs to; a catalogue entry in the default graph belongs to the graph it describes."""
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
    return quad.graph_name.value


def _change(what: str, added: list, removed: list) -> str:
    sample = [f"+ {q}" for q in added[:3]] + [f"- {q}" for q in removed[:3]]
    return f"{what}: {len(added)} added, {len(removed)} removed, e.g. " + "; ".join(sample)[:600]


def _compare_with_loader(added: list[ox.Quad], sent: Sent) -> list[str]:
    """The target graph holds exactly what urbankg's loader parses from the body sent."""
    from rdflib.compare import isomorphic

    from urbankg.errors import SourceError
    from urbankg.loaders import load_file

    body, suffix = sent.oracle
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"body{suffix}"
        path.write_bytes(body)
        try:
            expected = load_file(path).graph
        except (SourceError, RecursionError) as error:
            return [f"the write was accepted, but the loader refuses the same body: {str(error)[:200]}"]
    stored = [q for q in added if not isinstance(q.graph_name, ox.DefaultGraph)]
    actual = _as_rdflib("\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in stored))
    # The engine keeps literals in canonical form ("11.0"^^xsd:decimal is stored as "11"): the
    # loader's statements are put through an engine of their own to compare like with like.
    engine = ox.Store()
    try:
        engine.load(expected.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as error:
        return [f"the write was accepted, but the engine refuses the loader's statements: {str(error)[:200]}"]
    expected = _as_rdflib(engine.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8"))
    if len(actual) != len(expected) or not isomorphic(actual, expected):
        extra = sorted(" ".join(term.n3() for term in t) for t in set(actual) - set(expected))[:2]
        missing = sorted(" ".join(term.n3() for term in t) for t in set(expected) - set(actual))[:2]
        return [
            f"the target holds {len(actual)} statements where the body says {len(expected)}; e.g. not in the "
            f"body: {extra}, not stored: {missing}"
        ]
    return []


def _as_rdflib(ntriples: str):
    from rdflib import Graph

    graph = Graph()
    if ntriples.strip():
        graph.parse(data=ntriples, format="nt")
    return graph


# -- sending, route by route -----------------------------------------------------------------------


def _request(method: str, url: str, description: str, **options) -> Sent:
    options.setdefault("timeout", REQUEST_TIMEOUT)
    try:
        prepared = requests.Request(method, url, **{k: v for k, v in options.items() if k != "timeout"}).prepare()
        with requests.Session() as session:
            response = session.send(prepared, timeout=options["timeout"])
        return Sent(description, response=response)
    except requests.RequestException as error:
        return Sent(description, error=type(error).__name__ + ": " + str(error)[:200])


def _raw_url(method: str, url: str, description: str, headers: dict | None = None) -> Sent:
    """A request whose URL is sent exactly as written (no normalisation of `..`, `%00`, ...)."""
    try:
        prepared = requests.Request(method, "http://127.0.0.1/", headers=headers or {}).prepare()
        prepared.url = url
        with requests.Session() as session:
            response = session.send(prepared, timeout=REQUEST_TIMEOUT)
        return Sent(description, response=response)
    except (requests.RequestException, ValueError) as error:
        return Sent(description, error=type(error).__name__ + ": " + str(error)[:200])


def _auth(rng: random.Random) -> tuple[dict, str]:
    roll = rng.random()
    if roll < 0.85:
        return {"Authorization": f"Bearer {TOKEN}"}, "token"
    return rng.choice(
        [
            ({}, "no token"),
            ({"Authorization": "Bearer wrong"}, "wrong token"),
            ({"Authorization": "Basic " + "x" * 100}, "bad basic"),
        ]
    )


def _as_text(body: str | bytes) -> str:
    return body if isinstance(body, str) else body.decode("utf-8", errors="surrogateescape")


def send_query(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    url = fuzzer.target.url + rng.choice(["/sparql", "/sparql", "/sparql/"])
    params: dict = {}
    if rng.random() < 0.1:
        params[rng.choice(["default-graph-uri", "named-graph-uri"])] = rng.choice(
            [fuzzer.canary.url + "/" + case.token, "http://[x", "urn:a b", "%zz://x", FUZZ_NS + "g", "\x00"]
        )
    if rng.random() < 0.2:
        params["format"] = rng.choice(["json", "xml", "csv", "tsv", "turtle", "jsonld", "trig", "bogus", "a" * 300])
    headers = {}
    if rng.random() < 0.2:  # most clients take what the server offers: an odd Accept stops a query at 406
        headers["Accept"] = rng.choice(
            [
                "application/sparql-results+json",
                "text/turtle",
                "text/csv",
                "application/rdf+xml",
                "bogus/x;q=x",
                "text/html",
                "*/*;q=0",
            ]
        )
    way = rng.choice(["GET", "form", "direct"]) if len(case.body) < 60_000 else rng.choice(["form", "direct"])
    body = case.body
    if way == "GET":
        encoded = quote_from_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"), safe="")
        extra = ("&" + urlencode(params)) if params else ""
        return _raw_url("GET", f"{url}?query={encoded}{extra}", f"GET {url}?query=... {params} {headers}", headers)
    if way == "form":
        form = (
            urlencode({"query": body, **params}).encode()
            if isinstance(body, str)
            else (b"query=" + quote_from_bytes(body).encode() + (b"&" + urlencode(params).encode() if params else b""))
        )
        return _request(
            "POST",
            url,
            f"POST {url} form {params} {headers}",
            data=form,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
    return _request(
        "POST",
        url + ("?" + urlencode(params) if params else ""),
        f"POST {url} sparql-query {params}",
        data=body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"),
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


def send_update(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    url = fuzzer.target.url + "/sparql"
    auth, who = _auth(rng)
    params = {}
    if rng.random() < 0.05:
        params["using-graph-uri"] = rng.choice([fuzzer.canary.url + "/" + case.token, "http://[x", FUZZ_NS + "g"])
    body = case.body
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    if rng.random() < 0.5:
        form = b"update=" + quote_from_bytes(raw).encode() + (b"&" + urlencode(params).encode() if params else b"")
        sent = _request(
            "POST",
            url,
            f"POST /sparql form update= ({who}) {params}",
            data=form,
            headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        sent = _request(
            "POST",
            url + ("?" + urlencode(params) if params else ""),
            f"POST /sparql sparql-update ({who}) {params}",
            data=raw,
            headers={**auth, "Content-Type": "application/sparql-update"},
        )
    sent.update = True
    sent.targets = set()
    return sent


def send_graph_store(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    base = fuzzer.target.url
    auth, who = _auth(rng)
    types = BODY_TYPES[case.kind]
    content_type = rng.choice(types) if rng.random() < 0.9 else rng.choice(sum(BODY_TYPES.values(), []))
    body = case.body if isinstance(case.body, bytes) else case.body.encode("utf-8", "surrogatepass")
    method = "PUT" if rng.random() < 0.6 else "POST"
    roll = rng.random()
    prefix = None
    if roll < 0.45:
        name = f"fuzz-{case.token}"
        url, target = f"{base}/graph/{name}", GRAPH_BASE + name
    elif roll < 0.85:
        target = f"{FUZZ_NS}{case.token}/g"
        url = f"{base}/rdf-graphs?graph={quote(target, safe='')}"
    elif roll < 0.93:
        target = rng.choice(
            [
                "http://[x",
                "urn:a b",
                "%zz://x",
                "urn:x>y",
                f"{fuzzer.canary.url}/{case.token}",
                "javascript:alert(1)",
                "urn:\x00",
                "http://a/" + "b" * 3000,
            ]
        )
        url = f"{base}/rdf-graphs?graph={quote(target, safe='')}"
    else:
        method, target, url, prefix = "POST", None, f"{base}/rdf-graphs", GRAPH_BASE + "http-"
    sent = _request(
        method,
        url,
        f"{method} {url[len(base) :][:200]} {content_type} ({who})",
        data=body,
        headers={**auth, "Content-Type": content_type},
    )
    sent.targets = {target} if target else set()
    sent.target_prefix = prefix
    from urbankg.server.graph_store import BODY_SUFFIXES

    sent.oracle = (body, BODY_SUFFIXES[content_type.split(";")[0]])
    return sent


def send_validate(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    url = fuzzer.target.url + "/validate"
    suffix = (
        SUFFIXES[case.kind]
        if rng.random() < 0.9
        else rng.choice([".yml", ".owl", ".n3", ".xml", ".bib", ".exe", "", ".TTL"])
    )
    name = f"fuzz-{case.token}" if rng.random() < 0.85 else rng.choice(HOSTILE_FILE_NAMES)
    form: dict = {}
    load = rng.random() < 0.15
    if load:
        form.update(load="1", token=TOKEN if rng.random() < 0.7 else "wrong")
    body = case.body
    upload = isinstance(body, bytes) or rng.random() < 0.3
    if upload:
        raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        sent = _request(
            "POST",
            url,
            f"POST /validate file {name[:60]!r}{suffix} {'load' if load else ''}",
            files={"file": (name + suffix, raw)},
            data=form,
        )
        # The page reads an upload as UTF-8, replacing what is not, and names it after the file.
        text, name = raw.decode("utf-8", errors="replace"), Path(name + suffix).stem
    else:
        form.update(text=body, suffix=suffix, name=name)
        sent = _request(
            "POST", url, f"POST /validate form name={name[:60]!r} suffix={suffix} {'load' if load else ''}", data=form
        )
        text = body
    if load and form.get("token") == TOKEN:  # a validate-and-load: it may write the graph named after the file
        from urbankg.loaders import source_name

        sent.targets = {GRAPH_BASE + source_name(Path(name + ".x"))}
        sent.oracle = (text.encode("utf-8", "surrogatepass"), suffix)
    return sent


def send_api(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    catalogue = fuzzer.catalogue()
    body = case.body
    name = body.get("name") or rng.choice(sorted(catalogue))
    parameters = catalogue.get(name) or ["x"]
    params = {rng.choice(parameters): body["value"]}
    if body.get("extra"):
        params[rng.choice(["unknown", "format", "a" * 200, "case%00"])] = body["value"]
    if body.get("format"):
        params["format"] = body["format"]
    query = "&".join(f"{quote(k, safe='%')}={quote(v, safe='')}" for k, v in params.items())
    path = f"/api/queries/{name}{body.get('suffix', '')}?{query}"
    return _raw_url(
        "GET",
        fuzzer.target.url + path,
        f"GET {path[:300]}",
        headers={"Accept": rng.choice(["application/json", "text/csv", "*/*"])},
    )


def send_id(fuzzer: Fuzzer, case: Case, rng: random.Random) -> Sent:
    body = case.body
    query = "&".join(f"{k}={quote(v, safe='%')}" for k, v in body["params"].items())
    path = "/id/" + body["path"] + ("?" + query if query else "")
    headers = {"Accept": body["accept"]} if body["accept"] is not None else {}
    return _raw_url("GET", fuzzer.target.url + path, f"GET {path[:300]} {headers}", headers)


SEND = {
    "sparql-query": send_query,
    "sparql-update": send_update,
    "graph-store": send_graph_store,
    "validate": send_validate,
    "api-queries": send_api,
    "id": send_id,
}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve urbankg for the fuzzer (started by the driver).")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--service-allow", required=True)
    args = parser.parse_args()
    serve(args.store, args.ready, args.service_allow)
