"""The one write path (urbankg.write_path): claims on graph names, history, SPARQL Update
through the SHACL gate, empty graphs, and writers at once. Real stores on disk, real
validators (the bundled shapes where bundled data is involved), no mocks."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from rdflib import Graph

from urbankg import config
from urbankg.errors import ClaimConflict, SourceError, StoreError
from urbankg.graph import KnowledgeGraph, bundled_sources
from urbankg.loaders import load_file
from urbankg.oxigraph_store import OxigraphStore
from urbankg.write_path import WritePath

EX = "https://example.org/"
G = config.GRAPH_BASE
# The statements of the bundled lin-2019-cases.yaml, as its file says (the store must hold as many).
LIN_CASES = len(load_file(next(p for p in bundled_sources() if p.name == "lin-2019-cases.yaml")).graph)
VILLAGE = f"@prefix ex: <{EX}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"


def turtle(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(VILLAGE + body, encoding="utf-8")
    return path


def size(kg, graph: str) -> int | None:
    return kg.store.graph_size(graph)


def all_quads(kg) -> int:
    return len(kg.store)


@pytest.fixture
def kg(tmp_path, test_validator):
    graph = KnowledgeGraph(OxigraphStore(tmp_path / "store"), test_validator)
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def bundled_dir(tmp_path_factory) -> Path:
    """A store holding the bundled ontology and corpus, made once for the module."""
    folder = tmp_path_factory.mktemp("bundled") / "store"
    graph = KnowledgeGraph.open(folder)
    graph.ensure_bundled()
    graph.close()
    return folder


@pytest.fixture
def bundled(bundled_dir, tmp_path):
    folder = tmp_path / "bundled-store"
    shutil.copytree(bundled_dir, folder)
    graph = KnowledgeGraph.open(folder)
    yield graph
    graph.close()


# -- claims -----------------------------------------------------------------------------


def test_a_file_named_like_a_bundled_graph_is_refused_without_replace(bundled, tmp_path):
    ontology, cases = G + "urbankg", G + "lin-2019-cases"
    sizes = {ontology: size(bundled, ontology), cases: size(bundled, cases)}
    assert sizes == {ontology: len(Graph().parse(config.ontology_file())), cases: LIN_CASES}
    assert bundled.writes.owner(ontology) == config.BUNDLED_AGENT
    for name, graph in (("urbankg.ttl", ontology), ("lin-2019-cases.ttl", cases)):
        mine = turtle(tmp_path, name, "ex:note rdfs:label 'my notes' .")
        with pytest.raises(ClaimConflict) as refusal:
            bundled.writes.load([mine], "jane")
        assert refusal.value.graph == graph and refusal.value.owner == "urbankg"
        message = str(refusal.value)
        assert f"graph <{graph}> was created by urbankg (source " in message
        assert f"loading {mine} would replace it" in message and "--replace" in message and "--graph" in message
    assert {g: size(bundled, g) for g in sizes} == sizes
    # Named otherwise, the same file loads; with replace it replaces, and the claim stays urbankg's.
    report = bundled.writes.load([mine], "jane", graph="jane-notes")
    assert report.graphs == {G + "jane-notes": 1}
    bundled.writes.load([mine], "jane", replace=True)
    assert size(bundled, cases) == 1
    assert bundled.writes.owner(cases) == config.BUNDLED_AGENT
    latest = bundled.writes.history(cases, limit=1)[0]
    assert (latest.agent, latest.action, latest.before, latest.after, latest.origin) == (
        "jane",
        "load",
        LIN_CASES,
        1,
        str(mine),
    )


def test_an_agent_reloads_its_own_graph_and_another_agent_is_refused(kg, tmp_path):
    village = turtle(tmp_path, "village.ttl", "ex:v a ex:Village ; rdfs:label 'Lirendong' .")
    kg.writes.load([village], "jane")
    kg.writes.load([village], "jane")
    assert kg.writes.owner(G + "village") == "jane"
    with pytest.raises(ClaimConflict, match="was created by jane"):
        kg.writes.load([village], "bob")
    with pytest.raises(ClaimConflict, match="would remove it"):
        kg.writes.drop(G + "village", "bob", origin="urbankg drop")
    assert size(kg, G + "village") == 2
    # An edit is not a claim: bob may merge into jane's graph, and the graph stays jane's.
    kg.writes.post(
        load_file(turtle(tmp_path, "more.ttl", "ex:w a ex:Village ; rdfs:label 'Shaji' .")),
        G + "village",
        "bob",
        origin="HTTP POST",
    )
    assert size(kg, G + "village") == 4 and kg.writes.owner(G + "village") == "jane"
    assert kg.writes.drop(G + "village", "bob", origin="urbankg drop", replace=True) is True
    assert kg.graphs() == []


def test_a_graph_of_nobody_known_is_claimed_too(kg, tmp_path):
    """A store written before creators were recorded: its graphs need replace once."""
    from urbankg.store import GraphReplacement

    kg.store.replace_graphs([GraphReplacement(G + "old", Graph(), "old.ttl")])
    old = turtle(tmp_path, "old.ttl", "ex:a ex:b 'c' .")
    with pytest.raises(ClaimConflict, match="created by an unknown agent"):
        kg.writes.load([old], "jane")
    kg.writes.load([old], "jane", replace=True)
    assert kg.writes.owner(G + "old") == "jane"  # the first known writer becomes its creator


def test_graph_names_one_file_and_only_one(kg, tmp_path):
    one = turtle(tmp_path, "one.ttl", "ex:a ex:b 'c' .")
    two = turtle(tmp_path, "two.ttl", "ex:a ex:b 'd' .")
    assert kg.writes.load([one], "jane", graph=EX + "full-iri").graphs == {EX + "full-iri": 1}
    with pytest.raises(SourceError, match="one file"):
        kg.writes.load([one, two], "jane", graph="both")
    assert kg.graphs() == [EX + "full-iri"]


# -- history ----------------------------------------------------------------------------


def test_every_write_is_recorded_with_the_counts_before_and_after(kg, tmp_path):
    notes = G + "notes"
    kg.writes.load([turtle(tmp_path, "a.ttl", "ex:a ex:b 1, 2, 3 .")], "jane", graph="notes")
    kg.writes.put(load_file(turtle(tmp_path, "b.ttl", "ex:a ex:b 4 .")), notes, "jane", origin="HTTP PUT")
    kg.writes.post(load_file(turtle(tmp_path, "c.ttl", "ex:a ex:b 5, 6 .")), notes, "bob", origin="HTTP POST")
    kg.writes.update(f"INSERT DATA {{ GRAPH <{notes}> {{ <{EX}a> <{EX}b> 7 }} }}", "ann")
    kg.writes.drop(notes, "jane", origin="HTTP DELETE", action="delete")
    history = kg.writes.history("notes")
    assert [(r.action, r.agent, r.before, r.after) for r in history] == [
        ("delete", "jane", 4, 0),
        ("update", "ann", 3, 4),
        ("post", "bob", 1, 3),
        ("put", "jane", 3, 1),
        ("load", "jane", 0, 3),
    ]
    assert history[1].origin.startswith("SPARQL update: INSERT DATA")
    assert all(r.graph == notes for r in history)
    assert [r.time for r in history] == sorted((r.time for r in history), reverse=True)
    assert kg.writes.history(limit=2) == history[:2]
    # The records are in the catalogue (the default graph), not in any data graph, and
    # survive the graph they describe.
    assert kg.graphs() == []
    assert len(list(kg.store.query("SELECT ?r WHERE { GRAPH ?g { ?r a <http://www.w3.org/ns/prov#Activity> } }"))) == 0


def test_history_survives_reopening_the_store(tmp_path, test_validator):
    kg = KnowledgeGraph(OxigraphStore(tmp_path / "s"), test_validator)
    kg.writes.load([turtle(tmp_path, "a.ttl", "ex:a ex:b 1 .")], "jane")
    kg.close()
    reopened = KnowledgeGraph(OxigraphStore(tmp_path / "s"), test_validator)
    [record] = reopened.writes.history()
    assert (record.graph, record.agent, record.after) == (G + "a", "jane", 1)
    reopened.close()


# -- SPARQL Update through the gate ------------------------------------------------------


def test_an_update_that_breaks_a_shape_is_refused_with_its_message_and_writes_nothing(kg, tmp_path):
    villages = G + "villages"
    kg.writes.load([turtle(tmp_path, "villages.ttl", "ex:v a ex:Village ; rdfs:label 'Lirendong' .")], "jane")
    before, history = all_quads(kg), kg.writes.history()
    with pytest.raises(SourceError) as refusal:
        kg.writes.update(
            f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH <{villages}> {{ ex:x a ex:Village ; ex:onlineShops 'many' }} }}",
            "jane",
        )
    messages = [str(p) for p in refusal.value.problems]
    assert f'graph <{villages}>: <{EX}x>: A village needs a name: add rdfs:label "...".' in messages
    assert any("must be a whole number" in m and "'many'" in m for m in messages)
    assert all(p.line is None for p in refusal.value.problems)
    assert all_quads(kg) == before and kg.writes.history() == history


def test_an_update_adding_valid_data_is_committed_and_recorded(kg, tmp_path):
    villages = G + "villages"
    kg.writes.load([turtle(tmp_path, "villages.ttl", "ex:v a ex:Village ; rdfs:label 'Lirendong' .")], "jane")
    report = kg.writes.update(
        f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"INSERT DATA {{ GRAPH <{villages}> {{ ex:w a ex:Village ; rdfs:label 'Shaji' }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{G}new> {{ ex:n ex:p 1 }} }}",
        "bob",
    )
    assert sorted((r.graph, r.before, r.after, r.agent) for r in report.records) == [
        (G + "new", 0, 1, "bob"),
        (villages, 2, 4, "bob"),
    ]
    assert size(kg, villages) == 4 and size(kg, G + "new") == 1
    assert kg.writes.owner(villages) == "jane" and kg.writes.owner(G + "new") == "bob"
    entry = kg.store.catalogue_entry(villages)
    assert entry.triples == 4 and entry.source.startswith("SPARQL update: INSERT DATA")
    # An update that changes nothing records nothing.
    assert kg.writes.update(f"DELETE DATA {{ GRAPH <{villages}> {{ <{EX}none> <{EX}p> 1 }} }}", "bob").records == []


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR DEFAULT",
        f"COPY <{G}villages> TO DEFAULT",
    ],
)
def test_an_update_of_the_default_graph_is_refused(kg, tmp_path, update):
    kg.writes.load([turtle(tmp_path, "villages.ttl", "ex:v a ex:Village ; rdfs:label 'L' .")], "jane")
    before = all_quads(kg)
    with pytest.raises(StoreError, match=r"default graph .*Name a graph: INSERT DATA \{ GRAPH <"):
        kg.writes.update(update, "jane")
    assert all_quads(kg) == before


def test_drop_all_means_the_named_graphs_and_respects_claims(kg, tmp_path):
    kg.writes.load([turtle(tmp_path, "mine.ttl", "ex:a ex:b 1 .")], "jane")
    kg.writes.load([turtle(tmp_path, "theirs.ttl", "ex:a ex:b 2 .")], "bob")
    with pytest.raises(ClaimConflict, match="theirs> was created by bob.*would drop it"):
        kg.writes.update("DROP ALL", "jane")
    with pytest.raises(ClaimConflict, match="theirs> was created by bob.*would clear it"):
        kg.writes.update(f"CLEAR GRAPH <{G}theirs>", "jane")
    assert kg.graphs() == [G + "mine", G + "theirs"]
    report = kg.writes.update("DROP ALL", "jane", replace=True)
    assert sorted((r.graph, r.before, r.after) for r in report.records) == [(G + "mine", 1, 0), (G + "theirs", 1, 0)]
    assert kg.graphs() == []
    assert kg.store.catalogue_entry(G + "mine") is None
    assert len(kg.writes.history()) == 4  # the catalogue's history was not dropped with the graphs


def test_an_update_emptying_another_agents_graph_needs_replace(kg, tmp_path):
    theirs = G + "theirs"
    kg.writes.load([turtle(tmp_path, "theirs.ttl", "ex:a ex:b 1, 2 .")], "bob")
    kg.writes.update(f"DELETE DATA {{ GRAPH <{theirs}> {{ <{EX}a> <{EX}b> 1 }} }}", "jane")  # an edit
    with pytest.raises(ClaimConflict, match="would empty it"):
        kg.writes.update(f"DELETE WHERE {{ GRAPH <{theirs}> {{ ?s ?p ?o }} }}", "jane")
    kg.writes.update(f"DELETE WHERE {{ GRAPH <{theirs}> {{ ?s ?p ?o }} }}", "bob")
    # Emptied, the graph stays, as after an empty PUT.
    assert kg.graphs() == [theirs] and size(kg, theirs) == 0


def test_a_template_writing_graph_variables_finds_its_graphs_by_comparison(kg, tmp_path):
    kg.writes.load([turtle(tmp_path, "one.ttl", "ex:v a ex:Village ; rdfs:label 'A' .")], "jane")
    kg.writes.load([turtle(tmp_path, "two.ttl", "ex:w a ex:Village ; rdfs:label 'B' .")], "jane")
    kg.writes.load([turtle(tmp_path, "three.ttl", "ex:x ex:p 1 .")], "jane")
    report = kg.writes.update(
        f"INSERT {{ GRAPH ?g {{ ?v <{EX}seen> true }} }} WHERE {{ GRAPH ?g {{ ?v a <{EX}Village> }} }}", "jane"
    )
    assert sorted((r.graph, r.before, r.after) for r in report.records) == [(G + "one", 2, 3), (G + "two", 2, 3)]
    with pytest.raises(SourceError, match="one>: <https://example.org/v>: A village needs a name"):
        kg.writes.update(
            f"DELETE {{ GRAPH ?g {{ ?v ?p ?l }} }} WHERE {{ GRAPH ?g {{ ?v a <{EX}Village> ; ?p ?l "
            "FILTER(isLiteral(?l) && ?l != true) } }",
            "jane",
        )


def test_blank_nodes_of_an_updated_graph_keep_their_structure(kg):
    kg.writes.update(f"INSERT DATA {{ GRAPH <{G}b> {{ <{EX}a> <{EX}p> [ <{EX}q> [ <{EX}r> 'deep' ] ] }} }}", "jane")
    kg.writes.update(f"INSERT DATA {{ GRAPH <{G}b> {{ <{EX}z> <{EX}p> 1 }} }}", "jane")
    rows = list(kg.query(f"SELECT ?v WHERE {{ GRAPH <{G}b> {{ <{EX}a> <{EX}p>/<{EX}q>/<{EX}r> ?v }} }}"))
    assert [r["v"].value for r in rows] == ["deep"] and size(kg, G + "b") == 4


def test_a_broken_or_failing_update_writes_nothing(kg, tmp_path):
    kg.writes.load([turtle(tmp_path, "a.ttl", "ex:a ex:b 1 .")], "jane")
    before = all_quads(kg)
    with pytest.raises(StoreError, match="syntax error"):
        kg.writes.update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> } }", "jane")
    with pytest.raises(StoreError, match="cannot be applied"):
        kg.writes.update(f"DROP GRAPH <{G}missing>", "jane")
    with pytest.raises(StoreError, match="LOAD .* network"):
        kg.writes.update("LOAD <http://127.0.0.1:9/x.ttl> INTO GRAPH <urn:g>", "jane")
    assert all_quads(kg) == before


def test_an_update_on_an_in_memory_store(test_validator):
    kg = KnowledgeGraph(OxigraphStore(None), test_validator)
    kg.writes.update(f"INSERT DATA {{ GRAPH <{G}m> {{ <{EX}a> <{EX}b> 1 }} }}", "jane")
    with pytest.raises(SourceError, match="needs a name"):
        kg.writes.update(f"INSERT DATA {{ GRAPH <{G}m> {{ <{EX}v> a <{EX}Village> }} }}", "jane")
    assert size(kg, G + "m") == 1 and kg.writes.history()[0].after == 1


# -- empty graphs ------------------------------------------------------------------------


def test_an_empty_put_leaves_an_empty_graph_that_drop_removes_whole(kg, tmp_path):
    empty = G + "empty"
    kg.writes.put(load_file(turtle(tmp_path, "e.ttl", "")), empty, "jane", origin="HTTP PUT")
    assert kg.graphs() == [empty] and size(kg, empty) == 0
    assert kg.store.catalogue_entry(empty).triples == 0
    kg.close()
    kg.store = OxigraphStore(tmp_path / "store")  # an empty graph survives reopening the store
    assert kg.graphs() == [empty]
    assert WritePath(kg).drop(empty, "jane", origin="HTTP DELETE", action="delete") is True
    assert kg.graphs() == [] and kg.store.catalogue_entry(empty) is None
    orphans = kg.store.query("SELECT ?g WHERE { ?g a <http://rdfs.org/ns/void#Dataset> }")
    assert list(orphans) == []
    assert WritePath(kg).drop(empty, "jane", origin="HTTP DELETE") is False


# -- writers at once -----------------------------------------------------------------------


def test_32_mixed_writers_at_once_lose_nothing(kg, tmp_path):
    """8 POSTs and 8 INSERT DATAs into one shared graph, 6 loads, 6 PUTs, 4 put-then-drops,
    each several times, on 32 threads at once: every triple is where it should be."""
    shared = G + "shared"
    kg.writes.put(load_file(turtle(tmp_path, "seed.ttl", "ex:seed ex:p 0 .")), shared, "setup", origin="seed")
    rounds, per_write = 2, 3
    failures: list[BaseException] = []
    start = threading.Barrier(32)

    def writer(number: int) -> None:
        agent = f"writer-{number}"
        start.wait()
        for round_ in range(rounds):
            values = [f"{number}-{round_}-{k}" for k in range(per_write)]
            body = " ".join(f'ex:s{number} ex:p "{v}" .' for v in values)
            if number < 8:
                source = turtle(tmp_path, f"post-{number}-{round_}.ttl", body)
                kg.writes.post(load_file(source), shared, agent, origin="HTTP POST")
            elif number < 16:
                data = " ".join(f'<{EX}s{number}> <{EX}p> "{v}" .' for v in values)
                kg.writes.update(f"INSERT DATA {{ GRAPH <{shared}> {{ {data} }} }}", agent)
            elif number < 22:
                folder = tmp_path / f"load-{number}-{round_}"
                folder.mkdir()
                kg.writes.load([turtle(folder, f"load-{number}.ttl", body)], agent)
            elif number < 28:
                source = turtle(tmp_path, f"put-{number}-{round_}.ttl", body)
                kg.writes.put(load_file(source), G + f"put-{number}", agent, origin="HTTP PUT")
            else:
                source = turtle(tmp_path, f"gone-{number}-{round_}.ttl", body)
                kg.writes.put(load_file(source), G + f"gone-{number}", agent, origin="HTTP PUT")
                assert kg.writes.drop(G + f"gone-{number}", agent, origin="HTTP DELETE") is True

    def run(number: int) -> None:
        try:
            writer(number)
        except BaseException as error:  # handed to the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = kg.query(f"SELECT ?o WHERE {{ GRAPH <{shared}> {{ ?s ?p ?o }} }}")
    found = sorted(row["o"].value for row in rows)
    expected = sorted(["0"] + [f"{n}-{r}-{k}" for n in range(16) for r in range(rounds) for k in range(per_write)])
    assert found == expected  # 97: none of the POSTs or INSERT DATAs lost another's triples
    last = rounds - 1
    for number in range(16, 28):
        graph = G + (f"load-{number}" if number < 22 else f"put-{number}")
        values = sorted(r["o"].value for r in kg.query(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
        assert values == [f"{number}-{last}-{k}" for k in range(per_write)], graph
    assert not any(g.startswith(G + "gone-") for g in kg.graphs())
    writes = 1 + 32 * rounds + 4 * rounds  # the seed, each round of each writer, and each drop
    assert len(kg.writes.history()) == writes
    assert kg.store.catalogue_entry(shared).triples == len(expected)


def test_writers_of_two_write_paths_over_one_store_share_one_lock(kg):
    assert WritePath(kg).lock is kg.writes.lock is WritePath(KnowledgeGraph(kg.store, kg.validator)).lock
