"""The RIS loader: the same RDF as BibTeX for the same work, keys made when an entry has no ID,
and errors at their line saying what to write."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rdflib import RDF, XSD, Literal
from rdflib.compare import isomorphic

from test_csl_json import BIB, DCTERMS, EXPORTS, FABIO, FOAF, FRBR, ID, PRISM, UKG, load_export, problems, validate
from urbankg import formats
from urbankg.loaders import load_file, source_name

RIS = """
TY  - JOUR
ID  - lin-2019
AU  - Lin, Yanliu
TI  - E-urbanism: E-commerce, migration, and the transformation of Taobao villages
JO  - Cities
PY  - 2019///
VL  - 91
IS  - 2-3
SP  - 202
EP  - 212
DO  - https://doi.org/10.1016/j.cities.2018.11.020
LA  - en
ER  -

TY  - CHAP
ID  - lefebvre-2014
AU  - Lefebvre, Henri
A2  - Brenner, Neil
ED  - van der Berg, J. R.
T1  - From the city to urban society
T2  - Implosions/Explosions
PB  - Jovis
Y1  - 2014
ER  -

TY  - ELEC
ID  - aliresearch-2014
AU  - Ali Research Institute
TI  - National Taobao villages
UR  - http://www.aliresearch.com/ch/info?code=1&type=%E6%96%B0
DA  - 2014/05/01
ER  -

TY  - BOOK
AU  - Harvey, David
AU  - Smith, John, Jr.
TI  - Social justice
  and the city
PY  - 1973
ER  -
"""


def write(tmp_path: Path, text: str, name: str = "refs.ris") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_the_same_works_give_the_same_graph_as_bibtex(tmp_path):
    bib = load_file(write(tmp_path, BIB, "refs.bib")).graph
    ris = load_file(write(tmp_path, RIS)).graph
    assert isomorphic(bib, ris), set(bib) ^ set(ris)
    work = ID["work/lin-2019"]
    assert FABIO.JournalArticle in set(ris.objects(work, RDF.type))
    assert ris.value(work, FABIO.hasPublicationYear) == Literal("2019", datatype=XSD.gYear)
    assert ris.value(work, PRISM.pageRange) == Literal("202–212") and ris.value(work, PRISM.issueIdentifier) == Literal(
        "2–3"
    )
    assert ris.value(work, PRISM.doi) == Literal("10.1016/j.cities.2018.11.020")
    assert ris.value(work, FRBR.partOf) == ID["venue/cities"]
    chapter = ID["work/lefebvre-2014"]
    assert ris.value(chapter, UKG.containerTitle) == Literal("Implosions/Explosions")
    assert set(ris.objects(chapter, UKG.editor)) == {
        ID["person/brenner-n/lefebvre-2014"],
        ID["person/van-der-berg-jr/lefebvre-2014"],
    }
    assert FABIO.WebPage in set(ris.objects(ID["work/aliresearch-2014"], RDF.type))
    assert ris.value(ID["organisation/ali-research-institute"], FOAF.name) == Literal("Ali Research Institute")
    # a continuation line belongs to the tag above; a suffix is part of the full name
    assert ris.value(ID["work/harvey-1973"], DCTERMS.title) == Literal("Social justice and the city")
    assert ris.value(ID["person/smith-j/harvey-1973"], FOAF.name) == Literal("John Jr. Smith")


def test_a_zotero_export_is_the_same_bibliography_as_its_bibtex():
    bib = load_file(EXPORTS / "zotero-bibtex.bib")
    ris = load_file(EXPORTS / "zotero-ris.ris")  # CRLF line ends, as Zotero writes them
    assert isomorphic(bib.graph, ris.graph)
    g = ris.graph
    works = set(g.subjects(RDF.type, FABIO.Work))
    keys = ("lin-2019", "lefebvre-2014", "brenner-2014", "ali-research-institute-2014")
    assert works == {ID[f"work/{key}"] for key in keys}
    assert g.value(ID["work/lefebvre-2014"], UKG.editor) == ID["person/brenner-n/lefebvre-2014"]  # A2
    assert g.value(ID["work/brenner-2014"], UKG.editor) == ID["person/brenner-n/brenner-2014"]  # ED
    assert FABIO.Report in set(g.objects(ID["work/ali-research-institute-2014"], RDF.type))
    assert g.value(ID["work/ali-research-institute-2014"], DCTERMS.creator) == ID["organisation/ali-research-institute"]
    lines = ris.positions
    assert lines.line_of(ID["work/lefebvre-2014"]) == 20  # TY  - CHAP
    assert lines.line_of(ID["work/lefebvre-2014"], UKG.editor) == 24  # A2  - Brenner, Neil
    assert lines.line_of(ID["work/lin-2019"], FRBR.partOf) == 4  # T2  - Cities
    assert lines.line_of(ID["work/lin-2019"], PRISM.pageRange) == 11  # SP


def test_keys_are_usable_ids_else_family_year_with_letters_when_taken(tmp_path):
    text = """
    TY  - BOOK
    ID  - harvey-1973
    TI  - Social justice
    ER  -
    TY  - BOOK
    ID  - 17
    AU  - Harvey, D.
    TI  - A
    PY  - 1973
    ER  -
    TY  - BOOK
    AU  - Harvey, David
    TI  - B
    PY  - 1973
    ER  -
    TY  - RPRT
    AU  - UN-Habitat
    TI  - C
    ER  -
    """
    g = load_file(write(tmp_path, text)).graph
    assert set(g.subjects(RDF.type, FABIO.Work)) == {
        ID["work/harvey-1973"],
        ID["work/harvey-1973a"],  # ID 17 is EndNote's record number, not a key
        ID["work/harvey-1973b"],
        ID["work/un-habitat-nd"],
    }


def test_problems_are_at_their_line_and_say_what_to_write(tmp_path):
    text = """
    TY  - JOUR
    TI  - Fine
    ID  - good-2019
    PY  - 2019
    ER  -
    stray text
    TY  - JOUR
    ID  - good-2019
    PY  - 2019a
    AU  - , Yanliu
    ER  -
    TY  - ELEC
    TI - Bad tag
    UR  - not a url
    TI  - W
    TY  - BOOK
    TI  - Next
    ER  -
    TY  - BOOK
    TI  - Never ends
    """
    found = problems(write(tmp_path, text))
    assert [line for line, _ in found] == [6, 7, 8, 9, 10, 13, 14, 16, 19], found
    assert found[0][1].startswith("'stray text' is outside any entry: an entry starts with 'TY  - JOUR'")
    assert found[1][1] == "the entry starting here has no title: add a line 'TI  - ...'"
    assert found[2][1].startswith("the ID 'good-2019' is used twice (first on line 3)")
    assert found[3][1].startswith("'2019a' is not a year between 1800 and 2100: write four digits, e.g. 'PY  - 2019'")
    assert found[4][1] == "'AU  - , Yanliu' has no family name: write 'AU  - Lin, Yanliu'"
    assert found[5][1] == (
        "'TI - Bad tag' is not written as a tag: write the tag, two spaces, a hyphen and a space, e.g. 'TI  - ...'"
    )
    assert found[6][1].startswith("'UR  - not a url' is not a web address (it needs a scheme such as https://)")
    assert found[7][1] == "a new entry starts before the entry of line 12 ends: add a line 'ER  - ' above this one"
    assert found[8][1] == "the entry starting here has no end: add a line 'ER  - ' after its last tag"


def test_an_entry_without_type_or_title(tmp_path):
    assert problems(write(tmp_path, "TY  - \nAU  - Lin, Y.\nER  - \n")) == [
        (1, "the entry has no type: write 'TY  - JOUR' (or BOOK, CHAP, CONF, RPRT, THES, ELEC, GEN)"),
        (1, "the entry starting here has no title: add a line 'TI  - ...'"),
    ]


def test_the_ris_suffix_and_its_source_name(tmp_path):
    assert formats.by_suffix(".RIS") is formats.RIS
    assert formats.by_media_type("application/x-research-info-systems") is formats.RIS
    assert source_name(Path("My Library.ris")) == "My-Library"


def test_an_export_loads_into_a_store_and_validates_on_the_command_line(tmp_path):
    store, export = load_export(tmp_path, EXPORTS / "zotero-ris.ris", "my-library.ris")
    result = validate(store, export)
    assert result.returncode == 0 and "valid" in result.stderr, result.stderr
    broken = write(tmp_path, "TY  - BOOK\nAU  - Lin, Y.\nPY  - 19\nER  - \n", "broken.ris")
    result = validate(store, broken)
    assert result.returncode == 1
    assert f"{broken}:1: the entry starting here has no title" in result.stderr
    assert f"{broken}:3: '19' is not a year" in result.stderr


def test_a_line_continuing_no_tag_of_its_entry_is_an_error_not_a_crash(tmp_path):
    # rispy would add it to the last tag of the entry before (LA), which this entry lacks: KeyError
    path = write(tmp_path, "TY  - JOUR\nTI  - X\nLA  - en\nER  - \nTY  - BOOK\ncontinued text\nTI  - Y\nER  - \n")
    assert problems(path) == [
        (6, "'continued text' continues no tag of its entry: start it with a tag, e.g. 'N1  - continued text'")
    ]
