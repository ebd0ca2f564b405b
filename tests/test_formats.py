"""The one table of formats (urbankg.formats) agrees with the engine, the loaders and itself."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from urbankg import formats
from urbankg.loaders import LOADER_BY_SUFFIX


def test_keys_and_suffixes_name_one_format_each():
    keys = [f.key for f in formats.ALL]
    assert len(keys) == len(set(keys))
    suffixes = [s for f in formats.SOURCE_FORMATS for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    # A body's type names one format: the types read as a format (its own and aliases) never overlap.
    read_as = [t for f in formats.SOURCE_FORMATS for t in (f.media_type, *f.aliases)]
    assert len(read_as) == len(set(read_as))


@pytest.mark.parametrize("fmt", [f for f in formats.ALL if f.rdf or f.results], ids=lambda f: f.key)
def test_media_types_are_the_engines(fmt):
    engine = fmt.rdf or fmt.results
    assert engine is not None
    assert engine.media_type.split(";")[0] == fmt.media_type
    assert f".{engine.file_extension}" == fmt.suffixes[0]


def test_every_file_a_loader_reads_has_its_format():
    assert {s for f in formats.SOURCE_FORMATS for s in f.suffixes} == set(LOADER_BY_SUFFIX)


@pytest.mark.parametrize("fmt", formats.RDF_FORMATS, ids=lambda f: f.key)
def test_every_rdf_format_names_the_parsers_that_read_it(fmt):
    # The RDF loader reads a file under these names (loaders/rdf_file.py): none may be missing.
    assert fmt.rdf is not None and fmt.rdflib


def test_lookups():
    assert formats.by_suffix(".TTL") is formats.TURTLE
    assert formats.by_suffix(".owl") is formats.RDFXML
    assert formats.by_suffix(".csv") is None  # a results document is not a file to load
    assert formats.by_media_type("application/x-turtle") is formats.TURTLE
    assert formats.by_media_type("text/n3") is formats.N3  # asked for, Turtle may answer; sent, N3 is read
    assert formats.by_media_type("text/plain") is None  # N-Triples answers it, but a text body is not read as it
    assert formats.by_key("jsonld") is formats.JSONLD
    with pytest.raises(KeyError):
        formats.by_key("json", formats.ANSWERS[formats.GRAPH])
    assert [f.quads for f in formats.ANSWERS[formats.GRAPH]] == [False, False, False, False, True, True]
    assert formats.TRIG.rdf == ox.RdfFormat.TRIG
