"""The CSL-JSON loader: the same RDF as BibTeX for the same work, keys made when the ids cannot
be ids, and errors at their line saying what to write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Literal, Namespace
from rdflib.compare import isomorphic

from urbankg import config, formats
from urbankg.errors import SourceError
from urbankg.graph import KnowledgeGraph
from urbankg.loaders import load_file, source_name, supported

ID = Namespace("https://w3id.org/urbankg/id/")
FABIO = Namespace("http://purl.org/spar/fabio/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
UKG = Namespace("https://w3id.org/urbankg/ontology#")
EXPORTS = Path(__file__).parent / "data" / "bibliography"
URBANKG = [shutil.which("urbankg")] if shutil.which("urbankg") else [sys.executable, "-m", "urbankg.cli"]

BIB = r"""
@article{lin-2019,
  author  = {Lin, Yanliu},
  title   = {E-urbanism: {E}-commerce, migration, and the transformation of {T}aobao villages},
  journal = {Cities},
  year    = {2019},
  volume  = {91},
  number  = {2--3},
  pages   = {202--212},
  doi     = {https://doi.org/10.1016/j.cities.2018.11.020},
  language = {en},
}
@incollection{lefebvre-2014,
  author    = {Lefebvre, Henri},
  editor    = {Brenner, Neil and van der Berg, J. R.},
  title     = {From the city to urban society},
  booktitle = {Implosions/Explosions},
  publisher = {Jovis},
  year      = 2014,
}
@misc{aliresearch-2014,
  author = {{Ali Research Institute}},
  title  = {National {Taobao} villages},
  url    = {http://www.aliresearch.com/ch/info?code=1&type=%E6%96%B0},
  year   = {2014},
}
@book{harvey-1973, author = {Harvey, David and Smith, Jr., John}, title = {Social justice and the city}, year = 1973}
"""
CSL = [
    {
        "id": "lin-2019",
        "type": "article-journal",
        "author": [{"family": "Lin", "given": "Yanliu"}],
        "title": "E-urbanism: E-commerce, migration, and the transformation of Taobao villages",
        "container-title": "Cities",
        "issued": {"date-parts": [[2019, 3]]},
        "volume": 91,
        "issue": "2-3",
        "page": "202-212",
        "DOI": "10.1016/j.cities.2018.11.020",
        "language": "en",
    },
    {
        "id": "lefebvre-2014",
        "type": "chapter",
        "author": [{"family": "Lefebvre", "given": "Henri"}],
        "editor": [
            {"family": "Brenner", "given": "Neil"},
            {"non-dropping-particle": "van der", "family": "Berg", "given": "J. R."},
        ],
        "title": "From the city to urban society",
        "container-title": "Implosions/Explosions",
        "publisher": "Jovis",
        "issued": {"date-parts": [["2014"]]},
    },
    {
        "id": "aliresearch-2014",
        "type": "webpage",
        "author": [{"literal": "Ali Research Institute"}],
        "title": "National Taobao villages",
        "URL": "http://www.aliresearch.com/ch/info?code=1&type=%E6%96%B0",
        "issued": {"date-parts": [[2014]]},
    },
    {
        "id": "harvey-1973",
        "type": "book",
        "author": [{"family": "Harvey", "given": "David"}, {"family": "Smith", "given": "John", "suffix": "Jr."}],
        "title": "Social justice and the city",
        "issued": {"date-parts": [[1973]]},
    },
]


def write(tmp_path: Path, text: str, name: str = "refs.csl.json") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_items(tmp_path: Path, items, name: str = "refs.csl.json") -> Path:
    return write(tmp_path, json.dumps(items, indent=2, ensure_ascii=False) + "\n", name)


def problems(path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(SourceError) as caught:
        load_file(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return [(p.line, p.message) for p in caught.value.problems]


def test_the_same_works_give_the_same_graph_as_bibtex(tmp_path):
    bib = load_file(write(tmp_path, BIB, "refs.bib")).graph
    csl = load_file(write_items(tmp_path, CSL)).graph
    assert isomorphic(bib, csl), set(bib) ^ set(csl)
    # the terms of the annotation mapping, as test_bibtex checks them
    work = ID["work/lin-2019"]
    assert FABIO.JournalArticle in set(csl.objects(work, RDF.type))
    assert csl.value(work, FABIO.hasPublicationYear) == Literal("2019", datatype=XSD.gYear)
    assert csl.value(work, PRISM.pageRange) == Literal("202–212") and csl.value(work, PRISM.volume) == Literal("91")
    assert csl.value(work, FRBR.partOf) == ID["venue/cities"]
    assert csl.value(ID["work/lefebvre-2014"], UKG.containerTitle) == Literal("Implosions/Explosions")
    assert set(csl.objects(ID["work/lefebvre-2014"], UKG.editor)) == {
        ID["person/brenner-n/lefebvre-2014"],
        ID["person/van-der-berg-jr/lefebvre-2014"],
    }
    assert FABIO.WebPage in set(csl.objects(ID["work/aliresearch-2014"], RDF.type))
    assert (ID["organisation/ali-research-institute"], RDF.type, FOAF.Organization) in csl


def test_a_zotero_export_is_the_same_bibliography_as_its_bibtex(tmp_path):
    bib = load_file(EXPORTS / "zotero-bibtex.bib")
    csl = load_file(EXPORTS / "zotero-csl.csl.json")
    assert isomorphic(bib.graph, csl.graph)
    g = csl.graph
    # Zotero's ids are item URIs: each work gets <first author (or editor)>-<year>
    works = set(g.subjects(RDF.type, FABIO.Work))
    assert works == {
        ID[f"work/{key}"] for key in ("lin-2019", "lefebvre-2014", "brenner-2014", "ali-research-institute-2014")
    }
    assert FABIO.BookChapter in set(g.objects(ID["work/lefebvre-2014"], RDF.type))
    assert g.value(ID["work/lefebvre-2014"], UKG.editor) == ID["person/brenner-n/lefebvre-2014"]
    assert g.value(ID["work/brenner-2014"], UKG.editor) == ID["person/brenner-n/brenner-2014"]
    assert g.value(ID["work/ali-research-institute-2014"], DCTERMS.creator) == ID["organisation/ali-research-institute"]
    assert FABIO.Report in set(g.objects(ID["work/ali-research-institute-2014"], RDF.type))
    # unmapped variables (ISSN, accessed, publisher-place ...) are left out
    assert not any("issn" in str(p).lower() for p in g.predicates())
    lines = csl.positions
    assert lines.line_of(ID["work/lefebvre-2014"]) == 29  # the item's opening brace
    assert lines.line_of(ID["work/lefebvre-2014"], UKG.editor) == 44  # "editor":
    assert lines.line_of(ID["person/brenner-n/lefebvre-2014"]) == 45  # its name
    assert lines.line_of(ID["work/lin-2019"], FRBR.partOf) == 5  # "container-title":


def test_keys_are_usable_ids_else_family_year_with_letters_when_taken(tmp_path):
    items = [
        {
            "id": "harvey-1973",
            "type": "book",
            "title": "Social justice",
            "author": [{"family": "Harvey", "given": "David"}],
        },
        {
            "id": "ITEM-1",
            "type": "book",
            "title": "A",
            "author": [{"family": "Harvey", "given": "D."}],
            "issued": {"date-parts": [[1973]]},
        },
        {
            "id": "12",
            "type": "book",
            "title": "B",
            "author": [{"family": "Harvey"}],
            "issued": {"date-parts": [[1973]]},
        },
        {"type": "book", "title": "C", "author": [{"family": "Harvey"}], "issued": {"date-parts": [[1973]]}},
        {"id": "http://zotero.org/items/X", "type": "report", "title": "D", "author": [{"literal": "UN-Habitat"}]},
    ]
    g = load_file(write_items(tmp_path, items)).graph
    assert set(g.subjects(RDF.type, FABIO.Work)) == {
        ID["work/ITEM-1"],  # a usable id is the key
        ID["work/harvey-1973"],  # written: the made keys go round it
        ID["work/harvey-1973a"],  # "12" is a record number, not a key
        ID["work/harvey-1973b"],
        ID["work/un-habitat-nd"],  # an organisation, no year
    }
    assert ID["person/harvey-d/ITEM-1"] in set(g.subjects(RDF.type, FOAF.Person))
    assert ID["person/harvey/harvey-1973b"] in set(g.subjects(RDF.type, FOAF.Person))


def test_json_syntax_errors_are_at_their_line(tmp_path):
    path = write(tmp_path, '[\n  {"id": "a-2019", "type": "book",\n   "title": "A" "issued": 2019}\n]\n')
    [(line, message)] = problems(path)
    assert line == 3 and message.startswith("not valid JSON: Expecting ',' delimiter (column 17")


def test_item_problems_are_at_their_line_and_say_what_to_write(tmp_path):
    path = write(
        tmp_path,
        """
        [
          {"id": "good-2019", "type": "book", "title": "Fine", "issued": {"date-parts": [[2019]]}},
          {"id": "untitled-2019", "type": "book",
           "issued": {"date-parts": [[2019]]}},
          {"id": "bad-year", "type": "book", "title": "X",
           "issued": {"date-parts": [["2019a"]]}},
          {"id": "good-2019", "title": "Again", "type": "book"},
          {"id": "bad-url", "type": "webpage", "title": "W",
           "URL": "not a url"},
          {"id": "nameless", "type": "book", "title": "N",
           "author": [{"given": "Yanliu"}]},
          {"id": "typeless", "title": ["T"]},
          "lin-2019"
        ]
        """,
    )
    found = problems(path)
    assert [line for line, _ in found] == [3, 6, 7, 9, 11, 12, 12, 13], found
    assert found[0][1] == 'item 2 (untitled-2019) has no title: add "title": "..."'
    assert found[1][1].startswith('"issued" of item 3 (bad-year) does not give a year between 1800 and 2100: write')
    assert found[2][1].startswith("the id 'good-2019' is used twice (first on line 2)")
    assert found[3][1].startswith('"URL": "not a url" of item 5 (bad-url) is not a web address (it needs a scheme')
    assert found[4][1].startswith('author 1 of item 6 (nameless) has no family name: write {"family": "Lin"')
    assert sorted(m for _, m in found[5:7]) == [
        '"title" of item 7 (typeless) is a list: write a string, e.g. "title": "..."',
        'item 7 (typeless) has no type: add "type": "article-journal" (or "book", "chapter", "paper-conference", '
        '"report", "thesis", "webpage")',
    ]
    assert found[7][1].startswith('item 8 is not an item: write {"id": "lin-2019"')


def test_a_file_that_is_not_a_list_of_items_says_what_it_is(tmp_path):
    [(line, message)] = problems(write(tmp_path, '{"items": []}\n'))
    assert line == 1 and message.startswith("a CSL-JSON file is a list of items, e.g. [{")
    [(_, message)] = problems(write(tmp_path, '{"@context": {}, "@id": "x"}\n', "ld.csl.json"))
    assert message == "this is JSON-LD, not CSL-JSON: name the file .jsonld"


def test_brackets_nested_past_the_limit_are_one_error_not_a_crash(tmp_path):
    path = write(tmp_path, '[{"id": "a", "note": ' + "[" * 300 + "]" * 300 + "}]\n")
    [(line, message)] = problems(path)
    assert line == 1 and message.startswith("the document is nested 302 levels deep; urbankg reads at most 50")


def test_suffixes_csljson_and_csl_json_and_never_plain_json(tmp_path):
    assert formats.by_suffix(".csljson") is formats.CSL_JSON and formats.by_suffix(".csl.json") is formats.CSL_JSON
    assert formats.by_suffix(".json") is None  # tokens.json, manifest.json ... are not bibliographies
    assert supported(Path("refs.csl.json")) and supported(Path("refs.CSLJSON")) and not supported(Path("refs.json"))
    assert source_name(Path("my-library.csl.json")) == "my-library"  # the graph is graph/my-library
    assert source_name(Path("my.library.csljson")) == "my.library"
    one = load_file(write_items(tmp_path, CSL, "a.csljson")).graph
    assert isomorphic(one, load_file(write_items(tmp_path, CSL, "b.csl.json")).graph)
    with pytest.raises(SourceError, match="unknown file type '.json'"):
        load_file(write_items(tmp_path, CSL, "c.json"))


def load_export(tmp_path: Path, export: Path, name: str) -> tuple[Path, str]:
    """Load a copy of ``export`` named ``name`` into a new store on disk: the store and the file's graph."""
    copy = tmp_path / name
    copy.write_bytes(export.read_bytes())
    store = tmp_path / "store"
    kg = KnowledgeGraph.open(store)
    try:
        kg.load([copy])
        assert f"{config.GRAPH_BASE}{source_name(copy)}" in kg.graphs()
        rows = kg.query(f"SELECT ?t WHERE {{ <{ID['work/lefebvre-2014']}> <{DCTERMS.title}> ?t }}")
        assert [row["t"].value for row in rows] == ["From the city to urban society"]
    finally:
        kg.close()
    return store, str(copy)


def validate(store: Path, path: Path | str) -> subprocess.CompletedProcess:
    """`urbankg validate PATH` on a store that is not empty (so the bundled data is not loaded first)."""
    command = [*URBANKG, "--store", str(store), "validate", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ})


def test_an_export_loads_into_a_store_and_validates_on_the_command_line(tmp_path):
    store, export = load_export(tmp_path, EXPORTS / "zotero-csl.csl.json", "my-library.csl.json")
    result = validate(store, export)
    assert result.returncode == 0 and "valid" in result.stderr, result.stderr
    broken = write_items(tmp_path, [{"id": "x-2019", "type": "book"}], "broken.csl.json")
    result = validate(store, broken)
    assert result.returncode == 1 and f"{broken}:2: item 1 (x-2019) has no title" in result.stderr


def test_a_url_the_store_would_refuse_is_reported_at_its_line(tmp_path):
    path = write_items(tmp_path, [{"id": "host-2019", "type": "webpage", "title": "W", "URL": "http://[x/"}])
    assert problems(path) == [
        (
            6,
            '"URL": "http://[x/" of item 1 (host-2019) is not a web address (it is not an IRI the store accepts: '
            'invalid character \'[\' in host): write it whole, e.g. "URL": "https://doi.org/10.1016/j.cities.2018.11.020"',
        )
    ]
