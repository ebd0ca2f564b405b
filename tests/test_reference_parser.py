"""The CRF reference parser: the shipped model on strings written here, name splitting,
the training script on a tiny data set, and the field scores the benchmark reports."""

from __future__ import annotations

import pytest

from urbankg.loaders.extraction import reference_training as training
from urbankg.loaders.extraction.reference_parser import (
    ReferenceParser,
    ascii_key,
    default_model_path,
    default_parser,
    split_authors,
    tokenize,
)


@pytest.fixture(scope="module")
def parser() -> ReferenceParser:
    return default_parser()


def test_the_model_ships_as_package_data_and_is_small():
    path = default_model_path()
    assert path.is_file(), "train it: python -m urbankg.loaders.extraction.reference_training"
    assert path.stat().st_size < 5_000_000


def test_journal_article_in_author_year_style(parser):
    ref = parser.parse(
        "Moreau, P., & Nakamura, K. (2012). Informal markets and the shape of the periphery. "
        "Journal of Urban Change, 41(3), 211–239."
    )
    f = ref.fields
    assert f["year"] == "2012"
    assert f["title"] == "Informal markets and the shape of the periphery"
    assert f["container"] == "Journal of Urban Change"
    assert (f["volume"], f["issue"], f["pages"]) == ("41", "3", "211–239")
    assert [n.family for n in ref.authors] == ["Moreau", "Nakamura"]
    assert ref.year == 2012


def test_book_with_place_and_publisher(parser):
    ref = parser.parse("Okafor, T. (1998). Streets of the market town. London: Routledge.")
    assert ref.fields["title"] == "Streets of the market town"
    assert ref.fields["publisher"] == "London: Routledge"
    assert "container" not in ref.fields


def test_doi_and_url_are_normalised(parser):
    ref = parser.parse(
        "Berg, A. (2019). Couriers at the urban edge. Urban Studies. https://doi.org/10.1177/0042098019999999."
    )
    assert ref.fields["doi"] == "10.1177/0042098019999999"
    assert ref.fields["url"] == "https://doi.org/10.1177/0042098019999999"


def test_labels_cover_every_token(parser):
    text = "Moreau, P. (2012). A title. City, 4, 1-9."
    ref = parser.parse(text)
    assert len(ref.labels) == len(tokenize(text)) == len(ref.tokens)


@pytest.mark.parametrize(
    "value, families, et_al",
    [
        ("Lin, Y. L., De Meulder, B., & Wang, S. F.", ["Lin", "De Meulder", "Wang"], False),
        ("Brenner N, Schmid C.", ["Brenner", "Schmid"], False),
        ("Zhou J, Yu L, Choguill CL", ["Zhou", "Yu", "Choguill"], False),
        ("L. L. Lee, W. E. Howard, and R. E. Marsh.", ["Lee", "Howard", "Marsh"], False),
        ("Qian, Q., Chen, Y., Liu, S., Zhang, J., et al.", ["Qian", "Chen", "Liu", "Zhang"], True),
        ("Alibaba Group", ["Alibaba Group"], False),
        ("Okafor N, Lind K-M, Sato S-G.", ["Okafor", "Lind", "Sato"], False),
    ],
)
def test_split_authors(value, families, et_al):
    names, found_et_al = split_authors(value)
    assert [n.family for n in names] == families
    assert found_et_al is et_al


def test_corporate_acronym_is_kept():
    names, _ = split_authors("Research Team of China Association of Employment Promotion (RTCAEP).")
    assert names[0].acronym == "RTCAEP"
    assert names[0].family.startswith("Research Team")


def test_ascii_key_folds_accents_and_particles():
    assert ascii_key("Lü") == "lu"
    assert ascii_key("De Meulder") == "demeulder"


TINY = """<?xml version="1.0" encoding="UTF-8"?>
<dataset>
  <sequence><author>Adams, J.</author><date>(2001).</date><title>Towns.</title>
    <location>London:</location><publisher>Verso.</publisher></sequence>
  <sequence><author>Baker, K.</author><date>(2003).</date><title>Roads and rivers.</title>
    <journal>Urban Review,</journal><volume>3(2),</volume><pages>1-9.</pages></sequence>
  <sequence><author>Clark, M.</author><date>(2005).</date><title>Markets.</title>
    <journal>City Studies,</journal><volume>7,</volume><pages>10-20.</pages></sequence>
  <sequence><citation-number>[4]</citation-number><author>Dunn P.</author><title>Ports.</title>
    <journal>Geogr J.</journal><date>2010;</date><volume>5:</volume><pages>3-4.</pages>
    <note>In Chinese.</note></sequence>
</dataset>
"""


def test_training_maps_labels_splits_deterministically_and_trains_a_model(tmp_path):
    data = tmp_path / "tiny.xml"
    data.write_text(TINY, encoding="utf-8")
    examples = training.load_dataset(data)
    assert [e.labels[0] for e in examples] == ["author", "author", "author", "number"]
    assert "container" in examples[1].labels and "other" in examples[3].labels
    first, second = training.split(examples), training.split(list(reversed(examples)))
    assert {e.text for e in first[1]} == {e.text for e in second[1]}  # order-independent held-out set
    model = training.train(examples, tmp_path / "tiny.model", {"c1": 0.0, "c2": 0.01, "max_iterations": 50})
    tiny = ReferenceParser(model)
    assert tiny.label(examples[0].tokens) == examples[0].labels


def test_unknown_label_is_reported_with_file_and_sequence(tmp_path):
    data = tmp_path / "bad.xml"
    data.write_text("<dataset><sequence><author>A.</author><colour>red</colour></sequence></dataset>", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.xml: sequence 1: unknown label <colour>"):
        training.load_dataset(data)


def test_missing_model_says_how_to_train_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="reference_training"):
        ReferenceParser(tmp_path / "none.model")


def test_field_scores_count_tokens_and_exact_spans():
    gold = [["author", "author", "title", "title", "year"]]
    predicted = [["author", "title", "title", "title", "year"]]
    scores = training.field_scores(gold, predicted, labels=("author", "title", "year"))
    assert scores["author"]["precision"] == 1.0 and scores["author"]["recall"] == 0.5
    assert scores["title"]["precision"] == pytest.approx(2 / 3) and scores["title"]["recall"] == 1.0
    assert scores["title"]["exact"] == 0.0 and scores["year"]["exact"] == 1.0


@pytest.mark.parametrize(
    "container,expected",
    [
        ("J Struct Biol 157:250–61", {"container": "J Struct Biol", "volume": "157", "pages": "250–61"}),
        (
            "Am J Public Health. 1964;54:1741–4",
            {"container": "Am J Public Health", "volume": "54", "pages": "1741–4", "year": "1964"},
        ),
        (
            "PLoS ONE 2012;7(8):e42593",
            {"container": "PLoS ONE", "volume": "7", "issue": "8", "pages": "e42593", "year": "2012"},
        ),
        ("Cities", {"container": "Cities"}),
    ],
)
def test_a_locator_written_without_spaces_is_split_into_volume_and_pages(container, expected):
    from urbankg.loaders.extraction.reference_parser import ParsedReference, _split_locator

    out = {"container": container}
    parsed = ParsedReference(text=container, tokens=[], labels=[])
    _split_locator(out, parsed)
    assert out == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Okafor N, Lind P. Street vendors and the night economy. Urban Geogr. 2011;32(4):455–71. "
            "Epub 2011/05/02. 21554433.",
            {"container": "Urban Geogr", "year": "2011", "volume": "32", "issue": "4", "pages": "455–71"},
        ),
        (
            "Abe K. Do ferry towns keep their markets? Cities. 2008;25:e1003. Epub 2008/01/09.",
            {"title": "Do ferry towns keep their markets?", "container": "Cities", "volume": "25", "pages": "e1003"},
        ),
        (
            "Moreau P, Sato R. 2004. Parcel lockers in dense districts. J Transp Geogr 12:301–19.",
            {"container": "J Transp Geogr", "volume": "12", "pages": "301–19", "year": "2004"},
        ),
    ],
)
def test_a_compact_journal_locator_token_gives_volume_pages_and_ends_the_journal(parser, text, expected):
    fields = parser.parse(text).fields
    assert {k: fields.get(k) for k in expected} == expected


def test_a_doi_after_a_locator_and_a_pubmed_note_is_found(parser):
    ref = parser.parse(
        "Okafor N, Lind P. Street vendors at night. Urban Geogr. 2011;32(4):455–71. Epub 2011/05/02. "
        "doi: 10.1000/ug.2011.5 21554433; PubMed Central PMCID: PMC3001."
    )
    assert ref.fields["doi"] == "10.1000/ug.2011.5"
    assert ref.fields["container"] == "Urban Geogr"


@pytest.mark.parametrize(
    "text,labels,container,title",
    [
        # the title ran on through the journal; its last sentence ends with an acronym
        (
            "Lind P. Markets and the spread of GIS. Cities 11:641–648.",
            "aatttttttp",
            "Cities",
            "Markets and the spread of GIS",
        ),
        # the CRF read the journal as a note
        ("Abe K. Ferry ports. JAMA. 2001;285(18):2329.", "aattop", "JAMA", "Ferry ports"),
    ],
)
def test_the_sentence_before_a_compact_locator_is_the_journal(text, labels, container, title):
    from urbankg.loaders.extraction.reference_parser import ParsedReference, clean_fields

    names = {"a": "author", "t": "title", "o": "other", "p": "pages"}
    tokens = tokenize(text)
    parsed = ParsedReference(text=text, tokens=tokens, labels=[names[c] for c in labels])
    clean_fields(parsed)
    assert parsed.fields.get("container") == container
    assert parsed.fields.get("title", "") == title


@pytest.mark.parametrize(
    "text,labels,expected",
    [
        # a quote opened and closed inside the title does not end it
        (
            "Abe K. 2008. Night ‘cry wolf’ calls of town birds. Ecol Lett 11:24–34.",
            "aaytttccccccp",
            {"title": "Night ‘cry wolf’ calls of town birds", "container": "Ecol Lett", "volume": "11"},
        ),
        # an edited book's title glued to the chapter's pages, then the imprint
        (
            "Ruiz T. 1992. Toward market towns. Rural markets of the south:426–449. Chicago: Lake Press.",
            "aayttttttttluu",
            {"title": "Toward market towns", "container": "Rural markets of the south", "pages": "426–449"},
        ),
    ],
)
def test_inner_quotes_and_book_pages_bound_title_and_container(text, labels, expected):
    from urbankg.loaders.extraction.reference_parser import ParsedReference, clean_fields

    names = {
        "a": "author",
        "y": "year",
        "t": "title",
        "c": "container",
        "p": "pages",
        "l": "location",
        "u": "publisher",
    }
    tokens = tokenize(text)
    assert len(tokens) == len(labels)
    parsed = ParsedReference(text=text, tokens=tokens, labels=[names[c] for c in labels])
    clean_fields(parsed)
    assert {k: parsed.fields.get(k) for k in expected} == expected
