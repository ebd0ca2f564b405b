import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from urbankg.errors import SourceError
from urbankg.loaders import load_file

EX = "https://example.org/"


@pytest.mark.parametrize(
    "name, value",
    [("good.nt", "nt"), ("good.nq", "nq"), ("good.trig", "trig"), ("good.jsonld", "json-ld"), ("good.rdf", "rdfxml")],
)
def test_every_rdf_format_parses(data_dir, name, value):
    parsed = load_file(data_dir / "rdf" / name)
    assert Literal(value) in set(parsed.graph.objects())
    assert parsed.source == "good"


def test_quads_of_every_graph_are_merged_into_the_source_graph(data_dir):
    parsed = load_file(data_dir / "rdf" / "good.nq")
    assert len(parsed.graph) == 2


def test_turtle_syntax_error_names_file_and_line(data_dir):
    with pytest.raises(SourceError) as caught:
        load_file(data_dir / "rdf" / "broken.ttl")
    problem = caught.value.problems[0]
    assert problem.file.endswith("broken.ttl")
    assert problem.line in (4, 5)  # the unterminated statement spans lines 4-5
    assert "not valid turtle" in problem.message


def test_remote_jsonld_context_is_refused_not_fetched(data_dir):
    with pytest.raises(SourceError) as caught:
        load_file(data_dir / "rdf" / "remote-context.jsonld")
    problem = caught.value.problems[0]
    assert "https://example.org/context.jsonld" in problem.message
    assert problem.line == 2


def test_external_xml_entity_is_refused(data_dir):
    with pytest.raises(SourceError) as caught:
        load_file(data_dir / "rdf" / "external-entity.rdf")
    assert "external XML entities" in caught.value.problems[0].message


def test_internal_xml_entities_are_fine(data_dir):
    parsed = load_file(data_dir / "rdf" / "good.rdf")
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("rdfxml")) in parsed.graph


def test_statement_positions_point_at_the_predicate_line(data_dir):
    parsed = load_file(data_dir / "rdf" / "good.ttl")
    subject = URIRef(EX + "lirendong")
    assert parsed.positions.line_of(subject) == 4
    assert parsed.positions.line_of(subject, URIRef(EX + "onlineShops")) == 6


def test_unknown_suffix_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("x")
    with pytest.raises(SourceError, match="unknown file type '.docx'"):
        load_file(path)


def test_missing_file_is_a_clear_error():
    with pytest.raises(SourceError, match="no such file"):
        load_file(Path("/nonexistent/file.ttl"))


def test_a_long_literal_is_read_in_linear_time(tmp_path):
    # Line positions are recovered with a regex that rescanned a long word from each of its
    # letters (an 80 KB literal took 16 s, a 5 MB one hours), and prefixes with one that
    # rescanned the text from each "prefix b: <" without a '>'.
    path = tmp_path / "long.ttl"
    text = ('@prefix ex: <https://example.org/> .\nex:a ex:p "' + "x" * 2_000_000 + '" ;\n'
            '  ex:q "' + "prefix b: <" * 20_000 + '" .\n')
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    parsed = load_file(path)
    assert time.monotonic() - started < 5
    assert len(parsed.graph) == 2
    assert parsed.positions.line_of(URIRef(EX + "a"), URIRef(EX + "q")) == 3
