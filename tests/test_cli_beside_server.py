"""The command line while `urbankg serve` holds the store (issue 15, item 4).

Real processes only: `urbankg serve` on a port the system chose, the other commands beside
it, a real store on disk. Reading commands open the store read-only and see every write
the server committed; load and drop are sent to the server with a write token, or say
exactly what to do without one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph

from cli_server import TOKEN, run, serving
from urbankg import config
from urbankg.graph import bundled_sources
from urbankg.loaders import load_file

IN_GRAPHS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
IN_GOOD = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{config.GRAPH_BASE}good> {{ ?s ?p ?o }} }}"
NO_TOKEN = {"URBANKG_TOKEN": None, "URBANKG_TOKEN_FILE": None}
# The bundled ontology's graph, as its file holds it.
ONTOLOGY_TRIPLES = len(Graph().parse(config.ontology_file()))
# The statements of the bundled lin-2019-cases.yaml, as its file says.
LIN_CASES = len(load_file(next(p for p in bundled_sources() if p.name == "lin-2019-cases.yaml")).graph)

XINTANG = (Path(__file__).parent / "data" / "annotations" / "xintang.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    """A store holding the bundled ontology and corpus, filled once for the module."""
    store = tmp_path_factory.mktemp("bundled") / "store"
    run(store, "graphs")
    return store


@pytest.fixture
def store(bundled_store, tmp_path):
    # The module's store is closed: a copy of its files is a store of its own.
    copy = tmp_path / "store"
    shutil.copytree(bundled_store, copy)
    return copy


def csv_count(result) -> int:
    return int(result.stdout.splitlines()[1])


def test_reading_commands_answer_while_serve_holds_the_store(store, tmp_path, data_dir):
    case = tmp_path / "xintang.yaml"
    case.write_text(XINTANG, encoding="utf-8")
    with serving(store) as server:
        total = server.sparql_count(IN_GRAPHS)
        assert total > 10_000
        assert csv_count(run(store, "query", "--format", "csv", IN_GRAPHS)) == total
        graphs = run(store, "graphs").stdout
        assert f"{config.GRAPH_BASE}lin-2019-cases\t{LIN_CASES}" in graphs
        stats = run(store, "stats", "--top", "3").stdout
        assert stats.splitlines()[1] == f"graphs\t{len(bundled_sources()) + 1}"  # and graph/identities
        exported = ox.parse(run(store, "export", "--format", "nquads").stdout.encode(), ox.RdfFormat.N_QUADS)
        assert sum(q.graph_name == ox.NamedNode(f"{config.GRAPH_BASE}lin-2019-cases") for q in exported) == LIN_CASES
        valid = run(store, "validate", case, check=False)
        assert valid.returncode == 0 and "valid" in valid.stderr, valid.stderr
        broken = run(store, "validate", data_dir / "rdf" / "broken.ttl", check=False)
        assert broken.returncode == 1 and f"{data_dir / 'rdf' / 'broken.ttl'}:5: not valid turtle" in broken.stderr
        asked = run(store, "ask", "village-counts", "--format", "csv")
        assert len(asked.stdout.splitlines()) > 1
        history = run(store, "history", "urbankg").stdout.splitlines()
        assert len(history) == 1 and f"\turbankg\tload\t{config.GRAPH_BASE}urbankg\t" in history[0]
        assert history[0].endswith(f"\t0 -> {ONTOLOGY_TRIPLES}")

        # A write the server commits is seen by the next command: the latest committed state.
        put = requests.put(
            server.url + "/graph/good",
            data=(data_dir / "rdf" / "good.ttl").read_bytes(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert put.status_code == 201, put.text
        assert csv_count(run(store, "query", "--format", "csv", IN_GOOD)) == 3
        assert csv_count(run(store, "query", "--format", "csv", IN_GRAPHS)) == total + 3
        assert f"{config.GRAPH_BASE}good\t3" in run(store, "graphs").stdout
        assert server.process.poll() is None  # every command read beside it; none stopped it


def test_load_and_drop_are_sent_to_the_server_with_a_token(store, tmp_path, data_dir):
    good, broken = data_dir / "rdf" / "good.ttl", data_dir / "rdf" / "broken.ttl"
    # What a local load says of the broken file, to compare with what the server's says.
    local_store = tmp_path / "local"
    shutil.copytree(store, local_store)
    local = run(local_store, "load", good, broken, check=False)
    assert local.returncode == 1 and "nothing was written" in local.stderr

    with serving(store) as server:
        refused = run(store, "load", good, check=False, env=NO_TOKEN)
        assert refused.returncode == 1
        assert refused.stderr == (
            f"error: the server at {server.url} holds the store; set URBANKG_TOKEN to a write "
            "token (urbankg tokens create NAME) or stop the server\n"
        )
        wrong = run(store, "load", good, check=False, env={"URBANKG_TOKEN": "not-the-token"})
        assert wrong.returncode == 1 and f"the server at {server.url} answered 401" in wrong.stderr
        assert server.sparql_count(IN_GOOD) == 0

        loaded = run(store, "load", good, env={"URBANKG_TOKEN": TOKEN})
        assert loaded.stdout == f"{config.GRAPH_BASE}good\t3 triples\n"
        assert f"Sent to the server at {server.url}; written as admin." in loaded.stderr
        assert server.sparql_count(IN_GOOD) == 3
        written = run(store, "history", "good").stdout.rstrip("\n").split("\t")
        assert written[1:5] == ["admin", "load", f"{config.GRAPH_BASE}good", "HTTP POST /load good.ttl"]

        # Problems print as a local load prints them: the same lines, the same paths.
        sent = run(store, "load", good, broken, check=False, env={"URBANKG_TOKEN": TOKEN})
        assert sent.returncode == 1
        assert sent.stderr == local.stderr
        assert server.sparql_count(IN_GOOD) == 3

        # The bundled ontology is a claimed graph: a file named like it is refused, nothing changes.
        named_like = tmp_path / "urbankg.ttl"
        shutil.copy(good, named_like)
        conflict = run(store, "load", named_like, check=False, env={"URBANKG_TOKEN": TOKEN})
        assert conflict.returncode == 1
        assert f"answered 409: graph <{config.GRAPH_BASE}urbankg> was created by urbankg" in conflict.stderr
        assert "loading urbankg.ttl would replace it" in conflict.stderr and "--replace" in conflict.stderr
        ontology = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{config.GRAPH_BASE}urbankg> {{ ?s ?p ?o }} }}"
        assert server.sparql_count(ontology) == ONTOLOGY_TRIPLES

        # --graph names the graph; --token-file carries the token.
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n")
        token_file.chmod(0o600)
        run(
            store, "load", "--graph", "mine", data_dir / "rdf" / "good-v2.ttl", "--token-file", token_file, env=NO_TOKEN
        )
        mine = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{config.GRAPH_BASE}mine> {{ ?s ?p ?o }} }}"
        assert server.sparql_count(mine) == 2

        refused_drop = run(store, "drop", "good", check=False, env=NO_TOKEN)
        assert refused_drop.returncode == 1 and "set URBANKG_TOKEN to a write token" in refused_drop.stderr
        assert server.sparql_count(IN_GOOD) == 3
        run(store, "drop", "good", env={"URBANKG_TOKEN": TOKEN})
        assert server.sparql_count(IN_GOOD) == 0
        again = run(store, "drop", "good", check=False, env={"URBANKG_TOKEN": TOKEN})
        assert again.returncode == 1 and "no graph named good" in again.stderr
        claimed = run(store, "drop", "urbankg", check=False, env={"URBANKG_TOKEN": TOKEN})
        assert claimed.returncode == 1 and "answered 409" in claimed.stderr
        assert server.sparql_count(ontology) == ONTOLOGY_TRIPLES
        assert run(store, "history", "good", "--limit", "1").stdout.split("\t")[1:3] == ["admin", "drop"]


def test_a_named_token_made_while_the_server_runs_names_the_writer(store, data_dir):
    with serving(store, token=None) as server:  # named tokens only
        made = run(store, "tokens", "create", "alice")
        token = made.stdout.strip()
        loaded = run(store, "load", data_dir / "rdf" / "good.ttl", env={"URBANKG_TOKEN": token})
        assert "written as alice" in loaded.stderr
        assert server.sparql_count(IN_GOOD) == 3
        record = run(store, "history", "good").stdout.rstrip("\n").split("\t")
        assert record[1:4] == ["alice", "load", f"{config.GRAPH_BASE}good"] and record[-1] == "0 -> 3"


def test_a_load_over_the_servers_body_limit_is_refused_with_the_limit(store, tmp_path):
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(400)))
    with serving(store, env={"URBANKG_MAX_BODY": "4096"}) as server:
        refused = run(store, "load", big, check=False, env={"URBANKG_TOKEN": TOKEN})
        assert refused.returncode == 1
        assert f"the server at {server.url} answered 413" in refused.stderr and "URBANKG_MAX_BODY" in refused.stderr
        assert f"{config.GRAPH_BASE}big" not in run(store, "graphs").stdout


def test_serve_announces_itself_once_and_withdraws_when_stopped(store, data_dir):
    announced = store / "urbankg-server.json"
    with serving(store) as server:
        record = json.loads(announced.read_text())
        assert record["pid"] == server.process.pid and record["url"] == server.url
        second = run(store, "serve", "--port", "0", check=False, timeout=120)
        assert second.returncode == 1
        assert f"urbankg serve already runs on the store {store} at {server.url}" in second.stderr
    assert not announced.exists()
    # A server killed outright leaves its file; the file's process is gone, so it is ignored.
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    announced.write_text(
        json.dumps({"url": "http://127.0.0.1:9", "pid": int(finished.stdout), "started": "2020-01-01T00:00:00+00:00"})
    )
    loaded = run(store, "load", data_dir / "rdf" / "good.ttl", env=NO_TOKEN)
    assert "Sent to the server" not in loaded.stderr
    assert f"{config.GRAPH_BASE}good\t3" in run(store, "graphs").stdout
    # A file whose pid now belongs to another process (this one) does not keep a server from starting.
    announced.write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": os.getpid(), "started": "2020-01-01"}))
    with serving(store) as server:
        assert json.loads(announced.read_text())["pid"] == server.process.pid
    assert not announced.exists()


def test_reading_beside_a_process_that_holds_the_store_without_announcing_itself(store):
    hold = (
        "import sys, time; from urbankg.oxigraph_store import OxigraphStore; "
        "s = OxigraphStore(sys.argv[1]); print('open', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert f"{config.GRAPH_BASE}lin-2019-cases\t{LIN_CASES}" in run(store, "graphs").stdout
        assert csv_count(run(store, "query", "--format", "csv", IN_GRAPHS)) > 10_000
        blocked = run(store, "drop", "lin-2019", check=False, env=NO_TOKEN)
        assert blocked.returncode == 1 and "another urbankg process is using it" in blocked.stderr
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
