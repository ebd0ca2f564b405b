"""The CLI as a user runs it: a real process, a real on-disk store."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from small_disk import fill, small_disk  # noqa: F401 (a fixture)
from urbankg import config

URBANKG = [shutil.which("urbankg")] if shutil.which("urbankg") else [sys.executable, "-m", "urbankg.cli"]
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def run(store, *args, check=True, env=None):
    result = subprocess.run(
        [*URBANKG, "--store", str(store), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"urbankg {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result


def test_version():
    result = subprocess.run([*URBANKG, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "urbankg, version" in result.stdout


def test_load_query_graphs_stats_export_drop(tmp_path, data_dir):
    store = tmp_path / "store"
    loaded = run(store, "load", data_dir / "rdf" / "good.ttl")
    assert f"{config.GRAPH_BASE}good\t3 triples" in loaded.stdout
    rows = json.loads(
        run(
            store, "query", "--format", "json", "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        ).stdout
    )
    assert [b["l"]["value"] for b in rows["results"]["bindings"]] == ["Lirendong"]
    assert run(store, "graphs").stdout.splitlines() == [f"{config.GRAPH_BASE}good\t3"]
    stats = run(store, "stats").stdout
    assert "triples\t" in stats and "https://example.org/Village" in stats
    exported = run(store, "export", "--format", "nquads").stdout
    assert f'"Lirendong" <{config.GRAPH_BASE}good> .' in exported
    run(store, "drop", "good")
    assert f"{config.GRAPH_BASE}good" not in run(store, "graphs").stdout
    missing = run(store, "drop", "good", check=False)
    assert missing.returncode == 1 and "no graph named good" in missing.stderr


def test_query_from_file_and_csv(tmp_path, data_dir):
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    query_file = tmp_path / "labels.rq"
    query_file.write_text("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert run(store, "query", "--format", "csv", query_file).stdout.splitlines() == ["l", "Lirendong"]


def test_broken_sparql_exits_1_with_the_parser_message(tmp_path, data_dir):
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    result = run(store, "query", "SELECT ?x WHERE { ?x ", check=False)
    assert result.returncode == 1 and "SPARQL syntax error" in result.stderr


def test_validate_exits_1_with_file_line_messages_and_writes_nothing(tmp_path, data_dir):
    store = tmp_path / "store"
    result = run(store, "validate", data_dir / "rdf" / "broken.ttl", check=False)
    assert result.returncode == 1
    assert f"{data_dir / 'rdf' / 'broken.ttl'}:" in result.stderr
    graphs = [line.split("\t")[0] for line in run(store, "graphs").stdout.splitlines()]
    assert f"{config.GRAPH_BASE}urbankg" in graphs  # the bundled data, which the file is judged against
    assert f"{config.GRAPH_BASE}broken" not in graphs


XINTANG = (Path(__file__).parent / "data" / "annotations" / "xintang.yaml").read_text(encoding="utf-8")


def test_a_first_time_user_validates_a_new_case_pointing_at_the_corpus(tmp_path):
    """Issue 15: on a fresh store, validate judged the file against an empty store, so
    place/jiangsu and work/lin-2019 were 'not known'. Like query, it loads the bundled data
    first; graphs and stats then show that store, not an empty one."""
    store = tmp_path / "store"
    case = tmp_path / "xintang.yaml"
    case.write_text(XINTANG, encoding="utf-8")
    result = run(store, "validate", case, check=False)
    assert result.returncode == 0, result.stderr
    assert "loading the bundled ontology and corpus" in result.stderr and "valid" in result.stderr
    assert "not a known" not in result.stderr
    assert f"{config.GRAPH_BASE}xintang" not in run(store, "graphs").stdout  # validating writes nothing of it
    fresh_stats = run(tmp_path / "other", "stats").stdout
    assert f"{config.GRAPH_BASE}lin-2019-cases" in fresh_stats
    assert int(fresh_stats.splitlines()[0].split("\t")[1]) > 10_000


def test_failed_load_changes_nothing(tmp_path, data_dir):
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    before = run(store, "export", "--format", "nquads").stdout
    failed = run(store, "load", data_dir / "rdf" / "good-v2.ttl", data_dir / "rdf" / "broken.ttl", check=False)
    assert failed.returncode == 1 and "nothing was written" in failed.stderr
    assert run(store, "export", "--format", "nquads").stdout == before


def test_embedded_default_loads_bundled_data_once(tmp_path):
    store = tmp_path / "store"
    first = run(store, "query", "--format", "json", COUNT_ALL)
    assert "loading the bundled ontology and corpus" in first.stderr
    count = int(json.loads(first.stdout)["results"]["bindings"][0]["n"]["value"])
    assert count > 0
    second = run(store, "query", "--format", "json", COUNT_ALL)
    assert "loading the bundled" not in second.stderr
    assert int(json.loads(second.stdout)["results"]["bindings"][0]["n"]["value"]) == count


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_health_over_http(tmp_path, data_dir):
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    port = free_port()
    server = subprocess.Popen(
        [*URBANKG, "--store", str(store), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                if time.time() > deadline or server.poll() is not None:
                    said = server.stderr.read() if server.poll() is not None else ""
                    raise AssertionError(f"server did not start: {said}") from None
                time.sleep(0.2)
        assert response.status_code == 200
        body = response.json()
        while body["triples"] is None and time.time() < deadline:  # counted in the background
            time.sleep(0.1)
            body = requests.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
        assert body["status"] == "ok" and body["triples"] > 0
        assert response.headers["Server"] == "urbankg"  # waitress, not Flask's development server
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_reason_writes_inferences_and_reports_an_inconsistent_individual(tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("[component] java is not installed (HermiT needs it): apt-get install default-jre-headless")
    store = tmp_path / "store"
    consistent = run(store, "reason")
    assert consistent.stdout.startswith("consistent;")
    assert f"{config.GRAPH_BASE}inferred" in run(store, "graphs").stdout
    # Recorded like every write, and recomputed by whoever runs it (no claim on it).
    assert "\tput\t" + f"{config.GRAPH_BASE}inferred\turbankg reason\t0 -> " in run(store, "history", "inferred").stdout
    again = run(store, "reason", env={"URBANKG_AGENT": "someone-else"})
    assert again.returncode == 0 and run(store, "history", "inferred").stdout.split("\t")[1] == "someone-else"
    # Put a contradiction straight into the store (the reasoner must catch what the shapes do not).
    from rdflib import Graph

    from urbankg.oxigraph_store import OxigraphStore
    from urbankg.store import GraphReplacement

    clash = Graph().parse(
        format="turtle",
        data=(
            "@prefix ukg: <https://w3id.org/urbankg/ontology#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
            "<https://w3id.org/urbankg/id/case/chimera> a ukg:Case, foaf:Person .\n"
        ),
    )
    direct = OxigraphStore(store)
    direct.replace_graphs([GraphReplacement(config.GRAPH_BASE + "clash", clash, "test")])
    direct.close()
    del direct
    result = run(store, "reason", check=False)
    assert result.returncode == 1
    assert "inconsistent" in result.stdout and "case/chimera" in result.stdout


def test_docs_builds_the_ontology_html(tmp_path):
    out = tmp_path / "ontology.html"
    run(tmp_path / "store", "docs", "-o", out)
    html = out.read_text()
    assert "<html" in html and "E-urbanism" in html


def test_every_command_is_registered():
    listing = subprocess.run([*URBANKG, "--help"], capture_output=True, text=True).stdout
    for command in [
        "load",
        "validate",
        "query",
        "graphs",
        "stats",
        "export",
        "drop",
        "serve",
        "reason",
        "docs",
        "queries",
        "ask",
        "verify-quotes",
        "extract",
        "new",
        "search",
    ]:
        assert f"  {command} " in listing, command


def test_ask_help_lists_the_parameters_of_the_query_it_names():
    def help_of(*args):
        return subprocess.run([*URBANKG, "ask", *args, "--help"], capture_output=True, text=True, timeout=60)

    crosswalk = help_of("framework-crosswalk")
    assert crosswalk.returncode == 0 and "Parameters of framework-crosswalk:" in crosswalk.stdout
    listed = " ".join(crosswalk.stdout.split())  # as wrapped to the terminal's width
    assert "--framework_a ID The first framework: an id like framework/<slug>" in listed
    assert "[default: e-urbanism]" in listed and "--framework_b ID" in listed
    assert "--case ID" in " ".join(help_of("--format", "csv", "case-evidence").stdout.split())  # after an option
    assert "There is no canned query named 'nope': it is one of" in " ".join(help_of("nope").stdout.split())


def test_global_options_may_follow_the_command(tmp_path, data_dir):
    store = str(tmp_path / "store")
    loaded = subprocess.run([*URBANKG, "load", data_dir / "rdf" / "good.ttl", "--store", store], capture_output=True)
    assert loaded.returncode == 0, loaded.stderr
    before = subprocess.run([*URBANKG, "--store", store, "graphs"], capture_output=True, text=True)
    after = subprocess.run([*URBANKG, "graphs", "--store", store], capture_output=True, text=True)
    assert after.returncode == 0 and after.stdout == before.stdout == f"{config.GRAPH_BASE}good\t3\n"
    asked = subprocess.run([*URBANKG, "query", "--format", "csv", "ASK {}", f"--store={store}"], capture_output=True)
    assert asked.returncode == 0 and asked.stdout.strip().endswith(b"true")
    # An option of the command's own with the same name stays the command's; after -- all is the command's.
    from urbankg.cli import main

    with main.make_context("urbankg", ["graphs"]) as ctx:
        assert main.hoisted(ctx, ["restore", "B", "--store", "T"]) == ["restore", "B", "--store", "T"]
        assert main.hoisted(ctx, ["query", "--", "--store", "T"]) == ["query", "--", "--store", "T"]
        assert main.hoisted(ctx, ["--endpoint", "U", "identities", "list", "--store", "S", "--kind", "work"]) == [
            "--endpoint",
            "U",
            "--store",
            "S",
            "identities",
            "list",
            "--kind",
            "work",
        ]


def test_new_writes_a_template_that_names_its_blanks(tmp_path):
    store = tmp_path / "store"
    target = tmp_path / "xintang.yaml"
    run(store, "new", "case", "Xintang", "-o", target)
    assert "case/xintang" in target.read_text()
    again = run(store, "new", "case", "Xintang", "-o", target, check=False)
    assert again.returncode == 1 and "exists" in again.stderr
    unfilled = run(store, "validate", target, check=False)
    assert unfilled.returncode == 1 and f"{target}:" in unfilled.stderr  # every blank reported at its line


@pytest.mark.parametrize("command", ["graphs", "stats", "export", "query"])
def test_an_unreachable_endpoint_is_a_plain_error_not_a_traceback(command, tmp_path):
    args = [command] + (["SELECT * WHERE { ?s ?p ?o }"] if command == "query" else [])
    result = subprocess.run(
        [*URBANKG, "--endpoint", "http://127.0.0.1:9/sparql", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "cannot reach the SPARQL endpoint" in result.stderr and "Traceback" not in result.stderr


def test_a_killed_bulk_load_leaves_no_files_and_no_half_graph(tmp_path, data_dir):
    """kill -9 while the bulk loader writes its files (issue 21, finding 9: 388 MB of
    bulk-*.sst stayed in the store for good): opening the store removes them and drops
    the graph the load had begun, and the store answers."""
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    dump = tmp_path / "dump.nt"
    with dump.open("w") as out:
        for i in range(300_000):
            out.write(f'<https://example.org/s{i}> <https://example.org/p{i % 7}> "value number {i}" .\n')
    loader = subprocess.Popen(
        [*URBANKG, "--store", str(store), "load", "--bulk", str(dump)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(store.glob("bulk-*.sst")):
            assert loader.poll() is None and time.monotonic() < deadline, "the bulk load wrote no file of its own"
            time.sleep(0.01)
    finally:
        loader.kill()
        loader.wait()
    assert list(store.glob("bulk-*.sst"))  # the files the finding is about
    graphs = run(store, "graphs").stdout.splitlines()
    assert graphs == [f"{config.GRAPH_BASE}good\t3"]
    assert not list(store.glob("bulk-*.sst"))
    # Nothing of the killed load is left (the write lock readers take is the store's own, and stays).
    assert [p.name for p in store.glob("urbankg-*")] in ([], ["urbankg-write.lock"])
    in_graphs = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert run(store, "query", "--format", "csv", in_graphs).stdout.splitlines()[1] == "3"


def test_a_full_disk_is_one_line_naming_the_store_and_its_free_space(small_disk, data_dir):  # noqa: F811 (fixture)
    """Issue 21, finding 10: the CLI printed a traceback, and opening the store again
    blamed "another urbankg process"."""
    store = small_disk / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    filler = fill(small_disk)
    failed = run(store, "load", data_dir / "rdf" / "good-v2.ttl", check=False)
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == (
        f"error: disk full: {store} (free 0 MB); nothing was written; free some space and try again"
    ), failed.stderr
    assert "Traceback" not in failed.stderr and "another urbankg process" not in failed.stderr
    reading = run(store, "graphs", check=False)  # opening writes a little too: it works, or says why
    assert "Traceback" not in reading.stderr and "another urbankg process" not in reading.stderr
    assert reading.returncode == 0 or reading.stderr.startswith(f"error: disk full: {store}")
    filler.unlink()
    run(store, "load", data_dir / "rdf" / "good-v2.ttl")
    assert f"{config.GRAPH_BASE}good-v2\t" in run(store, "graphs").stdout
