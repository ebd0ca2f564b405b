import shutil

import pytest

from urbankg import config
from urbankg.errors import SourceError
from urbankg.graph import KnowledgeGraph, expand_paths, resolve_graph
from urbankg.oxigraph_store import OxigraphStore


def snapshot(kg) -> dict[str, int]:
    stats = kg.stats()
    return dict(stats.triples_per_graph)


def test_loading_a_file_twice_leaves_one_copy(disk_kg, data_dir):
    disk_kg.load([data_dir / "rdf" / "good.ttl"])
    first = snapshot(disk_kg)
    disk_kg.load([data_dir / "rdf" / "good.ttl"])
    assert snapshot(disk_kg)[config.graph_iri("good")] == first[config.graph_iri("good")] == 3


def test_reloading_a_source_replaces_its_graph(disk_kg, tmp_path, data_dir):
    source = tmp_path / "village.ttl"
    shutil.copy(data_dir / "rdf" / "good.ttl", source)
    disk_kg.load([source])
    shutil.copy(data_dir / "rdf" / "good-v2.ttl", source)
    disk_kg.load([source])
    labels = [
        row["l"].value
        for row in disk_kg.query("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    ]
    assert labels == ["Lirendong (Guangzhou)"]


def test_syntax_error_changes_nothing_and_names_file_and_line(disk_kg, data_dir):
    disk_kg.load([data_dir / "rdf" / "good.ttl"])
    before = snapshot(disk_kg)
    with pytest.raises(SourceError) as caught:
        disk_kg.load([data_dir / "rdf" / "broken.ttl"])
    assert snapshot(disk_kg) == before
    assert str(caught.value).startswith(str(data_dir / "rdf" / "broken.ttl") + ":")
    assert caught.value.problems[0].line in (4, 5)


def test_shacl_violation_changes_nothing_and_reports_each_problem_by_line(disk_kg, data_dir):
    disk_kg.load([data_dir / "rdf" / "good.ttl"])
    before = snapshot(disk_kg)
    with pytest.raises(SourceError) as caught:
        disk_kg.load([data_dir / "rdf" / "unlabelled.ttl"])
    assert snapshot(disk_kg) == before
    messages = {(p.line, p.message.split(": ", 1)[1]) for p in caught.value.problems}
    assert (4, 'A village needs a name: add rdfs:label "...".') in messages
    assert (9, "The number of online shops must be a whole number, e.g. 120. (found: 'many')") in messages
    assert len(caught.value.problems) == 2


def test_a_batch_lands_whole_or_not_at_all(disk_kg, data_dir, tmp_path):
    good = tmp_path / "fine.ttl"
    shutil.copy(data_dir / "rdf" / "good.ttl", good)
    with pytest.raises(SourceError):
        disk_kg.load([good, data_dir / "rdf" / "unlabelled.ttl"])
    assert disk_kg.graphs() == []


def test_validate_never_writes(disk_kg, data_dir):
    assert disk_kg.validate([data_dir / "rdf" / "good.ttl"]) == []
    problems = disk_kg.validate([data_dir / "rdf" / "unlabelled.ttl", data_dir / "rdf" / "broken.ttl"])
    assert problems and all(p.file.endswith("broken.ttl") for p in problems)  # syntax first
    assert disk_kg.store.is_empty()


def test_data_survives_a_restart(tmp_path, data_dir, test_validator):
    kg = KnowledgeGraph(OxigraphStore(tmp_path / "store"), test_validator)
    kg.load([data_dir / "rdf" / "good.ttl"])
    kg.close()
    again = KnowledgeGraph(OxigraphStore(tmp_path / "store"), test_validator)
    assert again.graphs() == [config.graph_iri("good")]


def test_references_to_entities_in_the_store_count_as_context(tmp_path, test_validator):
    """A file may point at an entity defined in another file already loaded (sh:class sees its type)."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:Case ; sh:property [ sh:path ex:place ; sh:class ex:Place ;"
        ' sh:message "The place must be a known place." ] .\n'
    )
    kg = KnowledgeGraph(OxigraphStore(None), type(test_validator)(shapes, tmp_path / "none.ttl"))
    (tmp_path / "case.ttl").write_text("@prefix ex: <https://example.org/> .\nex:c a ex:Case ; ex:place ex:gz .\n")
    (tmp_path / "places.ttl").write_text("@prefix ex: <https://example.org/> .\nex:gz a ex:Place .\n")
    [problem] = kg.validate([tmp_path / "case.ttl"])
    assert (problem.line, problem.message) == (2, "ex:c: The place must be a known place. (found: ex:gz)")
    kg.load([tmp_path / "places.ttl"])
    assert kg.validate([tmp_path / "case.ttl"]) == []
    # ... and so do the other files of the same batch
    kg.drop("places")
    assert kg.validate([tmp_path / "case.ttl", tmp_path / "places.ttl"]) == []


def test_duplicate_source_names_in_one_load_are_refused(disk_kg, data_dir, tmp_path):
    other = tmp_path / "good.ttl"
    shutil.copy(data_dir / "rdf" / "good-v2.ttl", other)
    with pytest.raises(SourceError, match="same source name 'good'"):
        disk_kg.load([data_dir / "rdf" / "good.ttl", other])


def test_expand_paths_finds_loadable_files_in_folders(data_dir):
    files = expand_paths([data_dir / "rdf"])
    assert data_dir / "rdf" / "good.ttl" in files
    assert files == sorted(files)


def test_graph_names_resolve_from_source_names():
    assert resolve_graph("lin-2019") == config.GRAPH_BASE + "lin-2019"
    assert resolve_graph("https://example.org/g") == "https://example.org/g"


def test_bulk_load_replaces_the_graph_and_keeps_nothing_on_failure(disk_kg, tmp_path):
    dump = tmp_path / "dump.nt"
    dump.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(100)))
    assert disk_kg.bulk_load(dump) == config.graph_iri("dump")
    disk_kg.bulk_load(dump)
    assert snapshot(disk_kg)[config.graph_iri("dump")] == 100
    dump.write_text('<https://example.org/s> <https://example.org/p> "ok" .\nthis is not n-triples\n')
    with pytest.raises(SourceError, match="bulk load failed"):
        disk_kg.bulk_load(dump)
    assert config.graph_iri("dump") not in disk_kg.graphs()


def test_bulk_load_reads_a_gzipped_dump_as_it_decompresses(disk_kg, tmp_path):
    import gzip

    dump = tmp_path / "dump.nt.gz"
    dump.write_bytes(
        gzip.compress(
            "".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(100)).encode()
        )
    )
    assert disk_kg.bulk_load(dump) == config.graph_iri("dump")  # named after dump.nt
    assert snapshot(disk_kg)[config.graph_iri("dump")] == 100
    dump.write_bytes(gzip.compress(b"<https://example.org/s> <https://example.org/p> 1 .\n")[:-12])  # cut short
    with pytest.raises(SourceError, match="dump.nt.gz.*bulk load failed"):
        disk_kg.bulk_load(dump)
    assert config.graph_iri("dump") not in disk_kg.graphs()
    with pytest.raises(SourceError, match=r"dump.csv.gz.*e\.g\. dump\.nt\.gz"):
        disk_kg.bulk_load(tmp_path / "dump.csv.gz")


def test_a_bulk_load_is_claimed_and_recorded_like_a_load(disk_kg, tmp_path):
    from urbankg.errors import ClaimConflict

    dump = tmp_path / "dump.nt"
    dump.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(50)))
    disk_kg.bulk_load(dump, agent="jane")
    disk_kg.bulk_load(dump, agent="jane")
    with pytest.raises(ClaimConflict, match="created by jane"):
        disk_kg.bulk_load(dump, agent="bob")
    entry = disk_kg.store.catalogue_entry(config.graph_iri("dump"))
    assert (entry.triples, entry.source, disk_kg.writes.owner(config.graph_iri("dump"))) == (50, str(dump), "jane")
    assert [(r.agent, r.before, r.after, r.origin) for r in disk_kg.writes.history("dump")] == [
        ("jane", 50, 50, f"{dump} (bulk)"),
        ("jane", 0, 50, f"{dump} (bulk)"),
    ]
