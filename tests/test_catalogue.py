from pathlib import Path

import pytest

from urbankg import config
from urbankg.errors import SourceError
from urbankg.queries.catalogue import CannedQuery, Catalogue, Parameter, ParameterError, parse_query_file

EXPECTED = {
    "framework-crosswalk",
    "triad-coverage",
    "concept-citations",
    "shared-sources",
    "competing-explanations",
    "claims-in-tension",
    "case-evidence",
    "survey-table",
    "village-counts",
    "legacy-impacts",
    "stakeholder-relations",
}


def test_the_catalogue_holds_every_question_with_title_and_columns():
    queries = Catalogue().queries
    assert set(queries) >= EXPECTED
    for query in queries.values():
        assert query.title and query.description and query.columns, query.name


def test_every_parameter_has_a_default_and_a_type():
    for query in Catalogue().queries.values():
        for parameter in query.parameters.values():
            assert parameter.default and parameter.type in {"iri", "string", "integer", "decimal", "year"}


def test_iri_parameters_expand_slugs_and_accept_full_iris():
    parameter = Catalogue().get("case-evidence").parameters["case"]
    assert parameter.term("lirendong").value == config.ID_BASE + "case/lirendong"
    assert parameter.term("case/lirendong").value == config.ID_BASE + "case/lirendong"
    assert parameter.term("https://example.org/c").value == "https://example.org/c"


# What the engine's IRI parser rejects (an unclosed IPv6 host, bad percent-encoding, control
# characters) once reached the store as a ValueError: a 500 from the API.
@pytest.mark.parametrize(
    "value",
    [
        "a b",
        "<x>",
        'x"y',
        "",
        "http://[x",
        "http://[::1",
        "%zz://x",
        "a\x00b",
        "case/a\x01b",
        "http://a/\x7f",
        "é://x",
        "x%zz",
    ],
)
def test_bad_iri_values_are_refused_naming_the_parameter(value):
    query = Catalogue().get("case-evidence")
    with pytest.raises(ParameterError) as caught:
        query.substitutions({"case": value})
    assert caught.value.parameter == "case" and "expected an id like case/<slug>" in str(caught.value)


# Past 4300 digits Python's int() raises ValueError (a 500); \d also matched other scripts' digits.
@pytest.mark.parametrize(
    "ptype, value",
    [(t, v) for t in ("integer", "year") for v in ("1" * 5000, "٣", "12a", "1e3")]
    + [("decimal", v) for v in ("٣.5", "1e3", ".", "1..2")],
    ids=lambda v: str(v)[:12],
)
def test_bad_numbers_are_refused_naming_the_parameter(ptype, value):
    query = CannedQuery("q", "t", "d", "SELECT ?n {}", Path("q.rq"), {"n": Parameter("n", ptype)})
    with pytest.raises(ParameterError) as caught:
        query.substitutions({"n": value})
    assert caught.value.parameter == "n" and "is not a" in str(caught.value)


def test_long_values_are_clipped_in_the_message():
    with pytest.raises(ParameterError) as caught:
        Catalogue().get("case-evidence").substitutions({"case": "x y" * 2000})
    assert len(str(caught.value)) < 300


def test_unknown_parameters_are_refused_with_the_known_ones():
    with pytest.raises(ParameterError, match="its parameters: case"):
        Catalogue().get("case-evidence").substitutions({"place": "x"})


def test_a_value_of_the_wrong_class_is_refused(disk_kg):
    with pytest.raises(ParameterError, match="not a known ukg:Case"):
        Catalogue().run(disk_kg, "case-evidence", {"case": "atlantis"})


def test_unknown_query_name_lists_the_catalogue():
    with pytest.raises(Exception, match="no canned query named 'nope'.*survey-table"):
        Catalogue().get("nope")


def test_values_are_bound_not_spliced(tmp_path, disk_kg):
    """A value that would break out of a spliced query is just an unknown literal when bound."""
    (tmp_path / "q.rq").write_text(
        "#+ title: Label lookup\n#+ description: d\n#+ parameters:\n#+   label: {type: string, default: x}\n"
        "#+ columns: {s: subject}\n"
        "SELECT ?label ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n"
    )
    (tmp_path / "data.ttl").write_text('<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n')
    disk_kg.load([tmp_path / "data.ttl"])
    catalogue = Catalogue(tmp_path)
    assert [r["s"].value for r in catalogue.run(disk_kg, "q", {"label": "A"})] == ["https://example.org/a"]
    assert list(catalogue.run(disk_kg, "q", {"label": '" } ?s ?p ?o { "'})) == []


def test_header_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ title: T\n#+ parameters:\n#+   x: {type: colour}\nSELECT ?x WHERE {}\n")
    with pytest.raises(SourceError) as caught:
        parse_query_file(bad)
    assert (caught.value.problems[0].line, "type 'colour'" in caught.value.problems[0].message) == (3, True)
    unprojected = tmp_path / "unprojected.rq"
    unprojected.write_text("#+ title: T\n#+ parameters:\n#+   x: {type: string}\nSELECT ?y WHERE { ?y ?p ?x }\n")
    with pytest.raises(SourceError, match="must be projected"):
        parse_query_file(unprojected)


def test_a_class_that_is_not_an_iri_is_a_header_error_at_its_line(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ title: T\n#+ parameters:\n#+   x: {type: iri, class: 'ukg:A B'}\nSELECT ?x WHERE {}\n")
    with pytest.raises(SourceError) as caught:
        parse_query_file(bad)
    assert caught.value.problems[0].line == 3 and "class 'ukg:A B'" in caught.value.problems[0].message


def test_the_class_check_binds_the_value_and_counts_subclasses(tmp_path, disk_kg):
    (tmp_path / "data.ttl").write_text(
        "@prefix ukg: <https://w3id.org/urbankg/ontology#> .\n"
        "ukg:Hamlet <http://www.w3.org/2000/01/rdf-schema#subClassOf> ukg:Case .\n"
        "<https://w3id.org/urbankg/id/case/xintang> a ukg:Hamlet .\n"
    )
    disk_kg.load([tmp_path / "data.ttl"])
    catalogue = Catalogue()
    parameter = catalogue.get("case-evidence").parameters["case"]
    assert catalogue.allowed_values(disk_kg, parameter) == ["xintang"]
    assert list(catalogue.run(disk_kg, "case-evidence", {"case": "xintang"})) is not None
    with pytest.raises(ParameterError, match="not a known ukg:Case"):
        catalogue.run(disk_kg, "case-evidence", {"case": "https://w3id.org/urbankg/ontology#Hamlet"})
