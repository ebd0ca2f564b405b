"""The YAML annotation loader: what each key becomes in RDF, and every problem at its line."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Literal, Namespace, URIRef

from urbankg.errors import SourceError
from urbankg.graph import expand_paths
from urbankg.loaders import load_file
from urbankg.loaders.annotation_mapping import load_mapping

ID = Namespace("https://w3id.org/urbankg/id/")
UKG = Namespace("https://w3id.org/urbankg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
CITO = Namespace("http://purl.org/spar/cito/")
C4O = Namespace("http://purl.org/spar/c4o/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
SCHEMA = Namespace("https://schema.org/")
OWL_SAME_AS = URIRef("http://www.w3.org/2002/07/owl#sameAs")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")


def write(tmp_path: Path, text: str, name: str = "note.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(SourceError) as caught:
        load_file(write(tmp_path, text))
    for p in caught.value.problems:
        assert p.file.endswith("note.yaml")
    return [(p.line, p.message) for p in caught.value.problems]


GOOD = """
paper: work/lin-2019

places:
  - id: place/lirendong
    name: Lirendong
    within: place/guangzhou
    same_as: [wd:Q123, <https://example.org/place/1>]

cases:
  - id: case/lirendong
    label: Lirendong
    place: place/lirendong
    studied_by: [work/lin-2019]
    evidence:
      - "A quoted sentence."
      - {text: "Another sentence.", source: work/other-2020, page: "12"}

observations:
  - id: observation/lin-2019/shops
    measure: measure/online-shop-count
    value: 60.10
    unit: percent
    period: 2016
    place: place/lirendong
    evidence: ["Sixty percent."]

papers:
  - id: work/lin-2019
    type: JournalArticle
    title: E-urbanism
    volume: 007
    year: 2019
    url: https://doi.org/10.1016/j.cities.2018.11.020

citations:
  - id: citation/lin-2019/001
    text: "Dupuy (2008)"
    denotes: [reference/lin-2019/dupuy-2008]
    sentence: "As Dupuy (2008) shows, networks matter."
    acts:
      - cites: work/dupuy-2008
        intent: [usesConceptualFrameworkFrom, cito:sharesAuthorsWith]
"""


def test_a_good_file_becomes_the_triples_the_mapping_names(tmp_path):
    parsed = load_file(write(tmp_path, GOOD))
    g = parsed.graph
    assert parsed.source == "note"
    case = ID["case/lirendong"]
    assert (case, RDF.type, UKG.Case) in g
    assert (case, UKG.locatedIn, ID["place/lirendong"]) in g
    assert (ID["place/lirendong"], SCHEMA.containedInPlace, ID["place/guangzhou"]) in g
    assert (ID["place/lirendong"], OWL_SAME_AS, URIRef("http://www.wikidata.org/entity/Q123")) in g
    assert (ID["place/lirendong"], OWL_SAME_AS, URIRef("https://example.org/place/1")) in g
    work = ID["work/lin-2019"]
    assert {FABIO.Work, FABIO.JournalArticle} <= set(g.objects(work, RDF.type))
    assert g.value(work, PRISM.volume) == Literal("007")  # text keeps what was written
    assert g.value(work, FABIO.hasPublicationYear) == Literal("2019", datatype=XSD.gYear)
    assert g.value(work, FABIO.hasURL) == URIRef("https://doi.org/10.1016/j.cities.2018.11.020")


def test_quotes_become_text_quote_selectors_with_the_paper_as_default_source(tmp_path):
    g = load_file(write(tmp_path, GOOD)).graph
    case = ID["case/lirendong"]
    first, second = ID["case/lirendong/evidence-1"], ID["case/lirendong/evidence-2"]
    assert set(g.objects(case, UKG.evidence)) == {first, second}
    assert (first, RDF.type, OA.TextQuoteSelector) in g
    assert g.value(first, OA.exact) == Literal("A quoted sentence.")
    assert g.value(first, DCTERMS.source) == ID["work/lin-2019"]
    assert g.value(second, DCTERMS.source) == ID["work/other-2020"]
    assert g.value(second, UKG.page) == Literal("12")


def test_nested_entities_get_derived_ids_and_defaults(tmp_path):
    g = load_file(write(tmp_path, GOOD)).graph
    citation = ID["citation/lin-2019/001"]
    act = ID["citation/lin-2019/001/acts-1"]
    assert g.value(citation, FRBR.partOf) == ID["work/lin-2019"]  # default: $paper
    assert g.value(citation, UKG.expressesCitation) == act
    assert g.value(act, CITO.hasCitingEntity) == ID["work/lin-2019"]
    assert set(g.objects(act, CITO.hasCitationCharacterization)) == {
        UKG.usesConceptualFrameworkFrom,
        CITO.sharesAuthorsWith,
    }
    sentence = g.value(citation, C4O.hasContext)
    assert sentence == ID["citation/lin-2019/001/sentence-1"]
    assert g.value(sentence, OA.exact) == Literal("As Dupuy (2008) shows, networks matter.")


def test_numbers_keep_their_written_precision(tmp_path):
    g = load_file(write(tmp_path, GOOD)).graph
    value = g.value(ID["observation/lin-2019/shops"], SDMX_MEASURE.obsValue)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("60.10")
    assert g.value(ID["observation/lin-2019/shops"], SDMX_DIMENSION.refPeriod) == Literal("2016", datatype=XSD.gYear)


def test_every_statement_and_subject_has_the_line_of_its_key(tmp_path):
    parsed = load_file(write(tmp_path, GOOD))
    lines = parsed.positions
    assert lines.line_of(ID["case/lirendong"]) == 10
    assert lines.line_of(ID["case/lirendong"], UKG.locatedIn) == 12
    assert lines.line_of(ID["case/lirendong/evidence-2"]) == 16
    assert lines.line_of(ID["observation/lin-2019/shops"], SDMX_MEASURE.obsValue) == 21
    assert lines.line_of(ID["citation/lin-2019/001/acts-1"], CITO.hasCitedEntity) == 41
    # every subject of the graph has a line
    assert all(lines.line_of(s) for s in parsed.graph.subjects())


def test_without_a_paper_header_no_default_is_invented(tmp_path):
    g = load_file(
        write(
            tmp_path,
            """
        claims:
          - id: claim/x
            statement: Something.
            asserted_by: paper
            evidence: ["A sentence."]
        """,
        )
    ).graph
    assert g.value(ID["claim/x"], URIRef("http://www.w3.org/ns/prov#wasAttributedTo")) is None
    assert g.value(ID["claim/x/evidence-1"], DCTERMS.source) is None


def test_malformed_yaml_is_reported_at_its_line(tmp_path):
    found = problems(
        tmp_path,
        """
        cases:
          - id: case/a
            label: Lirendong: a village
        """,
    )
    assert found[0][0] == 3 and "not valid YAML" in found[0][1] and "quotes" in found[0][1]


def test_unknown_section_and_key_name_the_allowed_keys_with_a_suggestion(tmp_path):
    found = problems(
        tmp_path,
        """
        paper: work/lin-2019
        caeses:
          - id: case/a
        places:
          - id: place/a
            name: A
            withn: place/b
        """,
    )
    assert found[0][0] == 2 and "unknown key `caeses`" in found[0][1] and "did you mean `cases`" in found[0][1]
    assert "observations" in found[0][1]  # the allowed keys are listed
    assert found[1][0] == 7 and "did you mean `within`" in found[1][1] and "admin_level" in found[1][1]


def test_unknown_prefix_names_it_and_the_known_ones(tmp_path):
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
            same_as: [wdt:Q1]
        """,
    )
    assert found == [(4, found[0][1])]
    assert "unknown prefix 'wdt:'" in found[0][1] and "wd, doi" in found[0][1]


def test_vocabulary_errors_list_the_allowed_values(tmp_path):
    found = problems(
        tmp_path,
        """
        paper: work/p
        claims:
          - id: claim/a
            statement: S.
            asserted_by: papers
            evidence: ["q"]
        citations:
          - id: citation/p/1
            text: T
            denotes: reference/p/r
            sentence: "s"
            acts:
              - cites: work/r
                intent: extend
        """,
    )
    assert found[0][0] == 5 and "`asserted_by: papers` is not allowed" in found[0][1]
    assert "paper, annotator" in found[0][1] and "did you mean `paper`" in found[0][1]
    assert found[1][0] == 14 and "citesAsAuthority" in found[1][1] and "any `cito:...` term" in found[1][1]


def test_typed_literals_are_checked_at_the_line_of_the_value(tmp_path):
    found = problems(
        tmp_path,
        """
        observations:
          - id: observation/a
            value: "1,200"
            period: 1750
            period_end: twenty
        surveys:
          - id: survey/a
            label: S
            valid: 28.3
        """,
    )
    assert [line for line, _ in found] == [3, 4, 5, 9]
    assert "`value` must be a number" in found[0][1] and "'1,200'" in found[0][1]
    assert "between 1800 and 2100" in found[1][1] and "'1750'" in found[1][1]
    assert "`valid` must be a whole number" in found[3][1]


def test_list_values_report_the_line_of_the_bad_item(tmp_path):
    found = problems(
        tmp_path,
        """
        cases:
          - id: case/a
            label: A
            place:
              - place/a
              - places/b
        """,
    )
    assert (
        found[0][0] == 6 and "'places' is not a kind of entity" in found[0][1] and "did you mean `place`" in found[0][1]
    )


def test_ids_duplicates_missing_ids_and_wrong_kinds(tmp_path):
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
          - id: place/a
            name: A again
          - name: No id
          - id: case/b
            name: B
          - id: "Lirendong village"
            name: C
        """,
    )
    messages = dict(found)
    assert "used twice in this file (first on line 2)" in messages[4]
    assert "needs an id" in messages[6]
    assert "its id starts `place/`" in messages[7] and "`cases:`" in messages[7]
    assert "is not an id" in messages[9]


def test_full_iris_without_brackets_and_bad_nested_values(tmp_path):
    found = problems(
        tmp_path,
        """
        cases:
          - id: case/a
            label: A
            place: https://example.org/p
            evidence:
              - [not, a, quote]
        """,
    )
    assert found[0][0] == 4 and "angle brackets" in found[0][1]
    assert found[1][0] == 6 and "plain string or a mapping" in found[1][1]


def test_a_full_iri_the_store_would_refuse_is_reported_at_its_line(tmp_path):
    # Each passes the old check (a scheme, no spaces or quotes) but not the engine's IRI parser.
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
            same_as:
              - <https://example.org/ok>
              - <http://[x>
              - <urn:a%zz>
        """,
    )
    assert found == [
        (
            6,
            "`same_as`: 'http://[x' is not a valid full IRI: it is not an IRI the store accepts: invalid character "
            "'[' in host; write it whole, e.g. <https://doi.org/10.1016/j.cities.2018.11.020>",
        ),
        (
            7,
            "`same_as`: 'urn:a%zz' is not a valid full IRI: it is not an IRI the store accepts: invalid IRI "
            "percent encoding '%zz'; write it whole, e.g. <https://doi.org/10.1016/j.cities.2018.11.020>",
        ),
    ]


def test_a_deeply_nested_file_is_one_error_naming_the_limit(tmp_path):
    # ruamel.yaml recursed per level: 100,000 levels raised RecursionError (a 500 on /validate).
    found = problems(tmp_path, "cases:\n" + "- " * 100_000 + "x\n")
    assert found == [
        (
            2,
            "the document is nested more than 50 levels deep; urbankg reads at most 50: write a deeply "
            "nested entry as an entry of its own, with an id, and refer to it by that id",
        )
    ]


SURROGATE_HINT = (
    "half of a surrogate pair without its other half; write the character itself (e.g. 😀, "
    "or \\U0001F600 in a double-quoted YAML string)"
)


def test_half_a_surrogate_pair_is_refused_at_its_line(tmp_path):
    # A double-quoted escape makes any code point, half a pair too: the store cannot hold it, and
    # the id message that repeated it could not be written as UTF-8 (a 500 on /validate).
    found = problems(
        tmp_path,
        r"""
        places:
          - id: "\uD800"
          - id: place/b
            name: "a\uDC00b"
        """,
    )
    assert found == [
        (2, f"the text '\\uD800' holds U+D800, {SURROGATE_HINT}"),
        (4, f"the text 'a\\uDC00b' holds U+DC00, {SURROGATE_HINT}"),
    ]
    for _, message in found:
        message.encode("utf-8")  # raises if a raw surrogate slipped through


def test_a_key_that_is_half_a_surrogate_pair_is_refused_even_when_repeated(tmp_path):
    # ruamel's duplicate-key message quotes the key as it read it.
    found = problems(
        tmp_path,
        r"""
        places:
          - id: place/a
            "\uD800": 1
            "\uD800": 2
        """,
    )
    assert (3, f"the text '\\uD800' holds U+D800, {SURROGATE_HINT}") in found
    assert any(line == 4 and "a key appears twice" in message and "\\ud800" in message for line, message in found)
    for _, message in found:
        message.encode("utf-8")


def test_a_surrogate_pair_written_as_two_escapes_is_the_one_character(tmp_path):
    # JSON writes 😀 as "\uD83D\uDE00", and YAML 1.2 reads JSON.
    parsed = load_file(
        write(
            tmp_path,
            r"""
        places:
          - id: place/a
            name: "\uD83D\uDE00 and \U0001F600"
        """,
        )
    )
    assert Literal("😀 and 😀") in set(parsed.graph.objects())


KEY_MESSAGE = (
    "a key is a plain name such as `id` or `name`; found {} written as a key (put text that starts "
    "with `?` or holds brackets in quotes)"
)
COLLECTION_KEYS = {  # name: (text, line, what the key is)
    # ruamel hashed the mapping {complex: [a]} and failed on its list: a TypeError, a 500.
    "complex key holding a list": ("places:\n  - id: place/a\n    ? complex: [a]\n    : v\n", 3, "a mapping"),
    "flow list": ("places:\n  - id: place/a\n    [a, b]: v\n", 3, "a list"),  # was "unknown key `('a', 'b')`"
    "flow mapping": ("places:\n  - id: place/a\n    {a: b}: v\n", 3, "a mapping"),
    "nested list": ("places:\n  - id: place/a\n    ? [[a]]\n    : v\n", 3, "a list"),
    "alias of a list": ("places:\n  - id: place/a\n    name: &n [a]\n    *n : v\n", 3, "a list"),
    "key of a set": ("places: !!set {? [[a]]}\n", 1, "a list"),
    "key of an ordered map": ("places: !!omap [{[a]: 1}]\n", 1, "a list"),
    "top-level key": ("? !!set {a}\n: 1\n", 1, "a mapping"),
}


@pytest.mark.parametrize("name", list(COLLECTION_KEYS))
def test_a_key_that_is_a_list_or_mapping_is_refused_at_its_line(tmp_path, name):
    text, line, what = COLLECTION_KEYS[name]
    assert problems(tmp_path, text) == [(line, KEY_MESSAGE.format(what))]


def test_what_ruamel_fails_on_unmarked_is_a_problem_at_the_line_it_was_building(tmp_path):
    # ruamel asserts that an !!omap holds each key once: an AssertionError, a 500 on /validate.
    found = problems(tmp_path, "places: !!omap\n  - a: 1\n  - a: 2\n")
    assert found == [
        (
            3,
            "not valid YAML: ruamel.yaml cannot build this (AssertionError); a key is a plain name "
            "such as `id` or `name`, given once per entry",
        )
    ]


def test_a_single_valued_key_refuses_a_list(tmp_path):
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
            within: [place/b, place/c]
        """,
    )
    assert found == [(4, "`within` takes one value in a place, not a list of 2")]


def test_empty_and_non_mapping_files(tmp_path):
    assert problems(tmp_path, "# only a comment\n")[0][1].startswith("the file is empty")
    assert problems(tmp_path, "- a\n- b\n")[0] == (1, problems(tmp_path, "- a\n")[0][1])
    assert "is a mapping of sections" in problems(tmp_path, "- a\n")[0][1]


def test_a_problem_in_one_entry_does_not_hide_the_next(tmp_path):
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
            admin_levle: village
          - id: place/b
            name: B
            within: nowhere
        """,
    )
    assert [line for line, _ in found] == [4, 7]


def test_the_bundled_mapping_declares_every_section_kind_and_the_corpus_parses():
    mapping = load_mapping()
    assert set(mapping.sections.values()) <= set(mapping.nodes)
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    for path in expand_paths([corpus]):
        assert len(load_file(path).graph) > 0, path


def test_a_key_given_twice_is_reported_at_the_second(tmp_path):
    found = problems(
        tmp_path,
        """
        places:
          - id: place/a
            name: A
            name: B
        """,
    )
    assert found[0][0] == 4 and "a key appears twice" in found[0][1]


def test_a_type_outside_the_vocabulary_lists_the_allowed_types(tmp_path):
    found = problems(
        tmp_path,
        """
        papers:
          - id: work/a
            title: A
            type: Article
        """,
    )
    assert found[0][0] == 4 and "JournalArticle" in found[0][1] and "not a type a work can have" in found[0][1]


def test_date_and_boolean_kinds_of_a_mapping_are_read_and_checked(tmp_path):
    """The loader is generic over the mapping: a mapping with date and boolean fields works unchanged."""
    from urbankg.loaders.annotation_yaml import parse_text

    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        textwrap.dedent("""
        base: https://example.org/id/
        graph_base: https://example.org/graph/
        prefixes: {ex: "https://example.org/ns#"}
        vocabularies: {}
        nodes:
          visit:
            class: ex:Visit
            fields:
              on: {property: ex:on, kind: date}
              paid: {property: ex:paid, kind: boolean}
        sections: {visits: visit}
        """),
        encoding="utf-8",
    )
    load_mapping.cache_clear()
    mapping = load_mapping(mapping_file)
    load_mapping.cache_clear()
    EX = Namespace("https://example.org/ns#")
    good = parse_text(
        tmp_path / "v.yaml", "visits:\n  - id: visit/a\n    on: 2016-03-01\n    paid: true\n", "v", mapping
    ).graph
    visit = URIRef("https://example.org/id/visit/a")
    assert good.value(visit, EX.on) == Literal("2016-03-01", datatype=XSD.date)
    assert good.value(visit, EX.paid) == Literal(True)
    with pytest.raises(SourceError) as caught:
        parse_text(tmp_path / "v.yaml", "visits:\n  - id: visit/a\n    on: 2016-31-01\n    paid: yes\n", "v", mapping)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (
            3,
            "not valid YAML: '2016-31-01' is not a date that exists; "
            "write dates YYYY-MM-DD, or put the value in quotes",
        )
    ]
    with pytest.raises(SourceError) as caught:
        parse_text(tmp_path / "v.yaml", 'visits:\n  - id: visit/a\n    on: "1 March"\n    paid: yes\n', "v", mapping)
    assert [(p.line, p.message.split(" must be ")[0]) for p in caught.value.problems] == [(3, "`on`"), (4, "`paid`")]
