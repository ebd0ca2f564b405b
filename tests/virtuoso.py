"""A real OpenLink Virtuoso 7 for the tests, started once per test session.

`virtuoso-t` runs in the foreground on free loopback ports, with a throw-away database in
a temporary folder and a generated virtuoso.ini. Once it answers SPARQL, the SPARQL user
is granted SPARQL_UPDATE (so the plain /sparql endpoint takes updates, as a CLI user's
``--endpoint`` alone needs), and /sparql-auth takes them with Digest authentication as
dba. It is stopped at the end of the session. Without Virtuoso installed the tests that
need it skip with a "[component]" reason, which CI turns into a failure.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.auth import HTTPDigestAuth

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
MISSING = (
    "[component] Virtuoso 7 is not installed (virtuoso-t, isql-vt): "
    "apt-get install virtuoso-opensource-7-bin, or run .ci/install-virtuoso.sh"
)

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = ., {dir}
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {max_seconds}
"""

USER, PASSWORD = "dba", "dba"  # the throw-away database's administrator, on loopback only


@dataclass
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen
    start_seconds: float = 0.0
    own_graphs: set[str] = field(default_factory=set)  # Virtuoso's, present from the start

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def auth_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"

    def isql(self, statement: str) -> str:
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def graphs(self) -> set[str]:
        answer = requests.post(
            self.endpoint,
            data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        answer.raise_for_status()
        return {row["g"]["value"] for row in answer.json()["results"]["bindings"]}

    def wipe(self) -> None:
        """Drop every graph but Virtuoso's own: the next test starts from an empty store."""
        graphs = self.graphs() - self.own_graphs
        if graphs:
            drops = " ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in sorted(graphs))
            answer = requests.post(
                self.auth_endpoint, data={"update": drops}, auth=HTTPDigestAuth(USER, PASSWORD), timeout=120
            )
            answer.raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # Virtuoso shuts down quickly on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_virtuoso(
    directory: Path, ready_within: float = 120.0, buffers: int = 20000, max_seconds: int = 60
) -> Virtuoso:
    """buffers: 8 KB pages of cache (the benchmark gives Virtuoso the memory its docs advise)."""
    directory.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        INI.format(
            dir=directory,
            http_port=http_port,
            sql_port=sql_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
            max_seconds=max_seconds,
        )
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Virtuoso(directory, http_port, sql_port, process)
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode} while starting:\n{server.log()}")
        if time.monotonic() - started > ready_within:
            server.stop()
            raise RuntimeError(f"Virtuoso did not answer SPARQL within {ready_within:.0f} s:\n{server.log()}")
        try:
            if requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    server.start_seconds = time.monotonic() - started
    try:
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL"')
        server.own_graphs = server.graphs()
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A running Virtuoso with an empty throw-away database, for the whole session."""
    if VIRTUOSO is None or ISQL is None:
        pytest.skip(MISSING)
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()
