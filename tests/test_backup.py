"""`urbankg backup` and `urbankg restore` (issue 15, item 3): a consistent copy while the server runs.

Real processes and a real store: `urbankg serve` takes loads from writer threads over HTTP
while backups are taken beside it; each backup is restored into a new store and every
graph in it is checked whole, with its catalogue entry, against the manifest.
"""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli_server import TOKEN, run, serving
from urbankg import config, store_access
from urbankg.tokens import TokenRegistry

EX = "https://example.org/"
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
RESTORE_RECORD_QUADS = """SELECT (COUNT(*) AS ?n) WHERE {
  ?write <https://w3id.org/urbankg/ontology#action> "restore" ; ?p ?o }"""
VERSIONED = 4  # graphs replaced again and again, each version a different size
NEW_SIZE = 25  # triples of each new graph


def versioned_file(folder: Path, k: int, version: int) -> Path:
    """Version ``version`` of graph v<k>: 10 + version triples naming the version, and a marker."""
    lines = [f'<{EX}v{k}/{version}/{j}> <{EX}p> "{j}" .' for j in range(10 + version)]
    lines.append(f'<{EX}v{k}> <{EX}version> "{version}" .')
    path = folder / f"v{k}.nt"
    path.write_text("\n".join(lines) + "\n")
    return path


def new_file(folder: Path, i: int) -> Path:
    path = folder / f"n{i}.nt"
    path.write_text("".join(f'<{EX}n{i}/{j}> <{EX}p> "{j}" .\n' for j in range(NEW_SIZE)))
    return path


def counts(store: ox.Store) -> dict[str, int]:
    found = {"": int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)}
    found.update({g.value: 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)})
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        found[row["g"].value] = int(row["n"].value)
    return found


def check_restored(restored: Path, manifest: dict) -> dict[str, int]:
    """Every graph whole and equal to the manifest, its catalogue entry saying so too."""
    store = ox.Store.read_only(str(restored))
    found = counts(store)
    restore_quads = int(next(iter(store.query(RESTORE_RECORD_QUADS)))["n"].value)
    assert restore_quads == 8 * (len(manifest["graphs"]) - 1)  # one history record per graph restored
    assert found == {**manifest["graphs"], "": manifest["graphs"][""] + restore_quads}
    for graph, size in found.items():
        if not graph:
            continue
        name = graph[len(config.GRAPH_BASE) :]
        entry = list(store.quads_for_pattern(ox.NamedNode(graph), VOID_TRIPLES, None, ox.DefaultGraph()))
        if name != "filler":  # a bulk load makes no catalogue entry
            assert [int(q.object.value) for q in entry] == [size], graph  # content and catalogue of one moment
        if name.startswith("v"):
            markers = [
                q.object.value
                for q in store.quads_for_pattern(None, ox.NamedNode(EX + "version"), None, ox.NamedNode(graph))
            ]
            assert len(markers) == 1, (graph, markers)
            version = int(markers[0])
            assert size == 10 + version + 1, (graph, version, size)
            subjects = {
                q.subject.value
                for q in store.quads_for_pattern(None, ox.NamedNode(EX + "p"), None, ox.NamedNode(graph))
            }
            assert all(s.startswith(f"{EX}{name}/{version}/") for s in subjects), (graph, version)
        elif name.startswith("n"):
            assert size == NEW_SIZE, graph
    del store
    return found


def test_a_backup_taken_while_writers_load_through_the_server_restores_every_graph_whole(tmp_path, data_dir):
    store = tmp_path / "store"
    filler = tmp_path / "filler.nt"  # so that each dump takes a while, and writes land during it
    filler.write_text("".join(f'<{EX}f/{i}> <{EX}p{i % 5}> "filler value {i}" .\n' for i in range(60_000)))
    run(store, "load", "--bulk", filler)
    run(store, "load", data_dir / "rdf" / "good.ttl")
    token = run(store, "tokens", "create", "alice").stdout.strip()

    stop = threading.Event()
    acknowledged: dict[str, float] = {}  # graph name -> when the server answered its last write
    answers: list[float] = []  # when the server answered each write
    failures: list[BaseException] = []

    def writer(kind: str) -> None:
        folder = tmp_path / f"writer-{kind}"
        folder.mkdir()
        client = store_access.ServerClient(store_access.running_server(store), TOKEN)
        step = 0
        try:
            while not stop.is_set():
                path = versioned_file(folder, step % VERSIONED, step) if kind == "versions" else new_file(folder, step)
                client.load([path])
                acknowledged[path.stem] = time.monotonic()
                answers.append(acknowledged[path.stem])
                step += 1
        except BaseException as exc:  # seen by the test, not lost in the thread
            failures.append(exc)

    backups = []
    with serving(store) as server:
        threads = [threading.Thread(target=writer, args=(kind,)) for kind in ("versions", "new")]
        for thread in threads:
            thread.start()
        try:
            for n in range(3):
                time.sleep(1.0)
                started = time.monotonic()
                before = {name for name, when in acknowledged.items() if when < started}
                run(store, "backup", tmp_path / f"backup-{n}")
                backups.append((tmp_path / f"backup-{n}", before, (started, time.monotonic())))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
        assert not failures, failures
        final = {row.split("\t")[0] for row in run(store, "graphs").stdout.splitlines()}
        assert server.process.poll() is None

    written = len([name for name in acknowledged if name.startswith("n")])
    assert written >= 3, f"only {written} new graphs were written while the backups ran"
    for folder, before, (began, ended) in backups:
        assert any(began < t < ended for t in answers), "no write was answered while this backup was taken"
        manifest = json.loads((folder / "manifest.json").read_text())
        restored = tmp_path / f"restored-{folder.name}"
        run(tmp_path / "unused", "restore", folder, "--store", restored)
        found = check_restored(restored, manifest)
        names = {graph[len(config.GRAPH_BASE) :] for graph in found if graph}
        # Every write the server had acknowledged before the backup began is in it.
        assert before <= names, before - names
        assert {"filler", "good"} <= names
        # The token file came along, private, and its tokens still name their writers.
        assert stat.S_IMODE((restored / "tokens.json").stat().st_mode) == 0o600
        assert TokenRegistry(restored / "tokens.json").agent_for(token) == "alice"
    # Writes went on after the first backup: it holds fewer graphs than the server ended with.
    first = json.loads((backups[0][0] / "manifest.json").read_text())["graphs"]
    assert len(first) - 1 < len(final)


@pytest.fixture
def small_store(tmp_path, data_dir):
    store = tmp_path / "store"
    run(store, "load", data_dir / "rdf" / "good.ttl")
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix ex: <https://example.org/> .\n")
    run(store, "load", empty)  # an empty graph, which exists and must come back
    return store


def test_restore_brings_back_empty_graphs_and_the_history(small_store, tmp_path):
    run(small_store, "backup", tmp_path / "backup")
    run(tmp_path / "unused", "restore", tmp_path / "backup", "--store", tmp_path / "restored")
    assert run(tmp_path / "restored", "graphs").stdout.splitlines() == [
        f"{config.GRAPH_BASE}empty\t0",
        f"{config.GRAPH_BASE}good\t3",
    ]
    history = [line.split("\t") for line in run(tmp_path / "restored", "history", "good").stdout.splitlines()]
    assert [(r[2], r[-1]) for r in history] == [("restore", "0 -> 3"), ("load", "0 -> 3")]


def test_restore_refuses_a_store_with_data_unless_asked_to_replace_it(small_store, tmp_path, data_dir):
    run(small_store, "backup", tmp_path / "backup")
    other = tmp_path / "other"
    run(other, "load", data_dir / "rdf" / "good-v2.ttl")
    refused = run(tmp_path / "unused", "restore", tmp_path / "backup", "--store", other, check=False)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"error: the store {other} holds data; pass --replace to replace it with the backup, "
        "or restore into a new folder\n"
    )
    assert run(other, "graphs").stdout == f"{config.GRAPH_BASE}good-v2\t2\n"
    run(tmp_path / "unused", "restore", tmp_path / "backup", "--store", other, "--replace")
    assert run(other, "graphs").stdout == f"{config.GRAPH_BASE}empty\t0\n{config.GRAPH_BASE}good\t3\n"
    replaced = run(other, "history", "good", "--limit", "1").stdout.split("\t")
    assert replaced[2] == "restore" and replaced[-1] == "0 -> 3\n"
    assert not list(tmp_path.glob(".other.*"))  # neither the new store's build nor the old store is left


def test_restore_refuses_a_store_a_server_holds(small_store, tmp_path):
    run(small_store, "backup", tmp_path / "backup")
    with serving(small_store) as server:
        refused = run(
            tmp_path / "unused", "restore", tmp_path / "backup", "--store", small_store, "--replace", check=False
        )
        assert refused.returncode == 1
        assert f"the server at {server.url} (pid {server.pid}) holds the store {small_store}; stop it" in refused.stderr


def test_a_damaged_or_unfinished_backup_restores_nothing(small_store, tmp_path):
    backup = tmp_path / "backup"
    run(small_store, "backup", backup)
    dataset = backup / "dataset.nq"
    data = bytearray(dataset.read_bytes())
    data[data.index(b"Lirendong")] = ord("X")  # same size, other content
    dataset.write_bytes(bytes(data))
    target = tmp_path / "target"
    damaged = run(tmp_path / "unused", "restore", backup, "--store", target, check=False)
    assert damaged.returncode == 1 and "does not match the SHA-256 in the manifest" in damaged.stderr
    assert not target.exists() and not list(tmp_path.glob(".target.*"))
    (backup / "manifest.json").unlink()
    unfinished = run(tmp_path / "unused", "restore", backup, "--store", target, check=False)
    assert unfinished.returncode == 1 and "has no manifest.json" in unfinished.stderr
    assert not target.exists()


def test_backup_refuses_a_folder_that_holds_files(small_store, tmp_path):
    target = tmp_path / "holds"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    refused = run(small_store, "backup", target, check=False)
    assert refused.returncode == 1 and "it exists and is not an empty folder" in refused.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
