"""Which parser reads each file suffix: pinned as it was before the loaders took their formats
from urbankg.formats, so building the tables from the format table changes nothing."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from urbankg.loaders import LOADER_BY_SUFFIX, load_file, rdf_file

LOADERS = {
    ".ttl": "rdf_file",
    ".turtle": "rdf_file",
    ".nt": "rdf_file",
    ".nq": "rdf_file",
    ".trig": "rdf_file",
    ".jsonld": "rdf_file",
    ".rdf": "rdf_file",
    ".owl": "rdf_file",
    ".xml": "rdf_file",
    ".n3": "rdf_file",
    ".yaml": "annotation_yaml",
    ".yml": "annotation_yaml",
    ".bib": "bibtex",
    ".csljson": "csl_json",
    ".csl.json": "csl_json",
    ".ris": "ris",
}

EX = "https://example.org/"
TURTLE = f"<{EX}a> <{EX}p> <{EX}b> .\n"
RDFXML = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description rdf:about="{EX}a"><rdf:type rdf:resource="{EX}B"/></rdf:Description></rdf:RDF>\n'
)
# suffix -> (a small document, the parser that reads it: which library and by which of its names)
PARSERS = {
    ".ttl": (TURTLE, ("rdflib graph", "turtle")),
    ".turtle": (TURTLE, ("rdflib graph", "turtle")),
    ".n3": (TURTLE, ("rdflib graph", "n3")),
    ".nt": (TURTLE, ("pyoxigraph", ox.RdfFormat.N_TRIPLES)),
    ".nq": (f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n", ("pyoxigraph", ox.RdfFormat.N_QUADS)),
    ".trig": (f"<{EX}g> {{ {TURTLE} }}\n", ("rdflib dataset", "trig")),
    ".jsonld": (f'{{"@id": "{EX}a", "{EX}p": {{"@id": "{EX}b"}}}}\n', ("rdflib graph", "json-ld")),
    ".rdf": (RDFXML, ("rdflib graph", "xml")),
    ".owl": (RDFXML, ("rdflib graph", "xml")),
    ".xml": (RDFXML, ("rdflib graph", "xml")),
}


def test_each_suffix_has_the_loader_it_had():
    assert LOADER_BY_SUFFIX == LOADERS


@pytest.mark.parametrize("suffix", sorted(PARSERS))
def test_each_rdf_suffix_is_read_by_the_parser_it_was(suffix, tmp_path, monkeypatch):
    text, expected = PARSERS[suffix]
    used: list[tuple[str, object]] = []

    class RecordingGraph(Graph):
        def parse(self, *args, **kwargs):
            used.append(("rdflib graph", kwargs.get("format")))
            return super().parse(*args, **kwargs)

    class RecordingDataset(Dataset):
        def parse(self, *args, **kwargs):
            used.append(("rdflib dataset", kwargs.get("format")))
            return super().parse(*args, **kwargs)

    real_parse = ox.parse

    def recording_parse(*args, **kwargs):
        used.append(("pyoxigraph", args[1] if len(args) > 1 else kwargs.get("format")))
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(rdf_file, "Graph", RecordingGraph)
    monkeypatch.setattr(rdf_file, "Dataset", RecordingDataset)
    monkeypatch.setattr(ox, "parse", recording_parse)
    path = tmp_path / f"doc{suffix}"
    path.write_text(text, encoding="utf-8")
    parsed = load_file(path)
    assert used == [expected]
    assert len(parsed.graph) >= 1


def test_error_messages_name_the_format_as_before(tmp_path):
    # The message names the parser as rdflib does ("nt", "nquads", "json-ld", "xml"), as it always has.
    for suffix, name in [(".nt", "nt"), (".nq", "nquads"), (".ttl", "turtle"), (".jsonld", "json-ld")]:
        path = tmp_path / f"broken{suffix}"
        path.write_text("<broken\n", encoding="utf-8")
        with pytest.raises(Exception, match=f"not valid {name}"):
            load_file(path)
