import time
from pathlib import Path

import pytest
from rdflib import XSD, BNode, Literal, URIRef

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
    text = (
        '@prefix ex: <https://example.org/> .\nex:a ex:p "' + "x" * 2_000_000 + '" ;\n'
        '  ex:q "' + "prefix b: <" * 20_000 + '" .\n'
    )
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    parsed = load_file(path)
    assert time.monotonic() - started < 5
    assert len(parsed.graph) == 2
    assert parsed.positions.line_of(URIRef(EX + "a"), URIRef(EX + "q")) == 3


RDF_XML = (
    '<?xml version="1.0" encoding="{}"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="https://example.org/">\n  <rdf:Description rdf:about="https://example.org/a">'
    "<ex:p>{}</ex:p></rdf:Description>\n</rdf:RDF>\n"
)


@pytest.mark.parametrize(
    "encoding, shown",
    [
        ("utf-7", "utf-7"),
        ("bogus", "bogus"),
        ("UTF-32", "UTF-32"),
        ("UTF-16", "UTF-16"),
        ("ebcdic-cp-us", "ebcdic-cp-us"),
        ("utf-8\x00", "utf-8\\u0000"),
    ],
)
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
        'read; save the file as UTF-8 (and declare encoding="UTF-8", or none)'
    ]


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


LONG = 4_000_000
LONG_LITERALS = {
    "long.nt": '<https://example.org/a> <https://example.org/p> "{}" .\n',
    "long.nq": '<https://example.org/a> <https://example.org/p> "{}" <https://example.org/g> .\n',
    "long.ttl": '@prefix ex: <https://example.org/> .\nex:a ex:p """{}""" .\n',
    "long.trig": '@prefix ex: <https://example.org/> .\nex:g {{ ex:a ex:p "{}" . }}\n',
}


@pytest.mark.parametrize("name", list(LONG_LITERALS))
def test_a_4_mb_literal_is_read_in_linear_time(tmp_path, name):
    # rdflib's N-Triples and N-Quads parser took time growing with the square of a line's length
    # (1.1 MB: 4.5 s, 4 MB: 57-69 s), holding a server thread; now 0.2 s, as Turtle and TriG take.
    path = tmp_path / name
    path.write_text(LONG_LITERALS[name].format("a" * LONG), encoding="utf-8")
    started = time.monotonic()
    parsed = load_file(path)
    assert time.monotonic() - started < 5
    [(subject, predicate, value)] = parsed.graph
    assert (subject, predicate) == (URIRef(EX + "a"), URIRef(EX + "p")) and value == Literal("a" * LONG)


def load_text(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path)


def refusal(tmp_path, name: str, text: str) -> str:
    with pytest.raises(SourceError) as caught:
        load_text(tmp_path, name, text)
    [problem] = caught.value.problems
    return f"{Path(problem.file).name}:{problem.line}: {problem.message}"


def test_n_triples_terms_are_the_rdflib_terms_the_other_formats_give(tmp_path):
    text = (
        f'<{EX}a> <{EX}p> "plain" .\n'
        f'<{EX}a> <{EX}p> "tagged"@en .\n'
        f'<{EX}a> <{EX}p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f"<{EX}a> <{EX}q> _:x .\n"
        f'_:x <{EX}p> "in a blank node" .\n'
    )
    graph = load_text(tmp_path, "terms.nt", text).graph
    objects = set(graph.objects(URIRef(EX + "a"), URIRef(EX + "p")))
    # "plain" has no datatype, as rdflib reads it (pyoxigraph calls it xsd:string): the same term
    # a Turtle file gives, so the graphs of a source in two formats compare equal.
    assert objects == {Literal("plain"), Literal("tagged", lang="en"), Literal("1", datatype=XSD.integer)}
    [node] = graph.objects(URIRef(EX + "a"), URIRef(EX + "q"))
    assert isinstance(node, BNode) and (node, URIRef(EX + "p"), Literal("in a blank node")) in graph


def test_a_blank_node_label_is_a_fresh_node_in_each_file(tmp_path):
    # As rdflib made them: _:x of one file must not meet _:x of another in the store.
    text = f'_:x <{EX}p> "v" .\n'
    first, second = (next(iter(load_text(tmp_path, name, text).graph.subjects())) for name in ("a.nt", "b.nt"))
    assert isinstance(first, BNode) and first != second and str(first) != "x"


NT_SYNTAX_ERRORS = {  # name: (text, the problem)
    "unterminated.nt": (
        f'<{EX}a> <{EX}p> "v" .\n\n<{EX}a> <{EX}p> "w .\n',
        "unterminated.nt:3: not valid nt: Unexpected end of file (column 49)",
    ),
    "no-dot.nt": (f'<{EX}a> <{EX}p> "v"\n', "no-dot.nt:2: not valid nt: Quads must be followed by a dot (column 1)"),
    "turtle.nt": (
        f"@prefix ex: <{EX}> .\n",
        "turtle.nt:1: not valid nt: The subject of a triple must be an IRI or a blank node (column 1)",
    ),
    "half-pair.nt": (
        f'<{EX}a> <{EX}p> "a\\uD800b" .\n',
        "half-pair.nt:1: not valid nt: UTF-16 surrogate escape sequence '\\uD800' must be followed by "
        "another surrogate escape sequence (column 51)",
    ),
    "triple-term.nt": (
        f'<{EX}a> <{EX}p> "v" .\n<{EX}a> <{EX}p> <<( <{EX}a> <{EX}p> "v" )>> .\n',
        "triple-term.nt:2: not valid nt: a triple term <<( ... )>> (RDF 1.2) is not supported; state the triple itself",
    ),
    "direction.nq": (
        f'<{EX}a> <{EX}p> "v" .\n<{EX}a> <{EX}p> "v"@ar--rtl <{EX}g> .\n',
        "direction.nq:2: not valid nquads: '@ar--rtl': a base direction (RDF 1.2) is not supported; "
        "write the language tag alone, @ar",
    ),
}


@pytest.mark.parametrize("name", list(NT_SYNTAX_ERRORS))
def test_n_triples_syntax_errors_name_line_and_column(tmp_path, name):
    # rdflib named no line ("not valid nt: Invalid line: ..."); pyoxigraph names line and column,
    # and RDF 1.2 terms it reads, which urbankg cannot hold, are refused where they are written.
    text, problem = NT_SYNTAX_ERRORS[name]
    assert refusal(tmp_path, name, text) == problem


def test_an_n_triples_iri_the_engine_refuses_gets_the_message_of_every_format(tmp_path):
    # rdflib refused an IRI with a space as an "Invalid line"; read leniently, it meets the
    # engine's check with the other formats' message, at its line.
    text = f'<{EX}a> <{EX}p> "v" .\n<{EX}b> <{EX}p> <urn:a b> .\n'
    assert refusal(tmp_path, "space.nt", text) == (
        "space.nt:2: the object IRI 'urn:a b' contains a space, which no IRI may hold; write a full IRI, e.g. "
        'https://example.org/a-b, with spaces and the characters <>"{}|^`\\ percent-encoded (a space is %20)'
    )
