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


RDF_XML = ('<?xml version="1.0" encoding="{}"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:ex="https://example.org/">\n  <rdf:Description rdf:about="https://example.org/a">'
           "<ex:p>{}</ex:p></rdf:Description>\n</rdf:RDF>\n")


@pytest.mark.parametrize("encoding, shown", [("utf-7", "utf-7"), ("bogus", "bogus"), ("UTF-32", "UTF-32"),
                                             ("UTF-16", "UTF-16"), ("ebcdic-cp-us", "ebcdic-cp-us"),
                                             ("utf-8\x00", "utf-8\\u0000")])
def test_an_xml_declaration_of_an_encoding_that_reads_utf_8_otherwise_is_refused(tmp_path, encoding, shown):
    # The XML reader followed the declaration: ValueError for UTF-7 and UTF-32, LookupError
    # for a name Python does not know (a 500 on the server); UTF-16 and EBCDIC read the text
    # as something else entirely.
    path = tmp_path / "declared.rdf"
    path.write_text(RDF_XML.format(encoding, "v"), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_file(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: the XML declares the encoding '{shown}', which urbankg does not "
        "read; save the file as UTF-8 (and declare encoding=\"UTF-8\", or none)"]


@pytest.mark.parametrize("encoding", ["UTF-8", "utf8", "ISO-8859-1", "US-ASCII", "windows-1252", "Shift_JIS"])
def test_an_ascii_file_declared_in_an_encoding_that_reads_ascii_as_ascii_loads(tmp_path, encoding):
    # Old OWL and RDF/XML files often declare ISO-8859-1; read as UTF-8 an ASCII file means the same.
    path = tmp_path / "declared.rdf"
    path.write_text(RDF_XML.format(encoding, "v"), encoding="utf-8")
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")) in load_file(path).graph


def test_text_beyond_ascii_under_a_declaration_other_than_utf_8_is_refused(tmp_path):
    # Read as UTF-8 (as urbankg reads every file) 'café' is not what ISO-8859-1 would make of
    # these bytes ('cafÃ©'): rather than guess which the author meant, the file is refused.
    path = tmp_path / "declared.rdf"
    path.write_text(RDF_XML.format("ISO-8859-1", "café"), encoding="utf-8")
    with pytest.raises(SourceError, match="declares the encoding 'ISO-8859-1', which urbankg does not read"):
        load_file(path)
    path.write_text(RDF_XML.format("UTF-8", "café"), encoding="utf-8")
    assert Literal("café") in set(load_file(path).graph.objects())
