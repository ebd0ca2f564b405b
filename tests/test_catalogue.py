import pytest

from urbankg import config
from urbankg.catalogue import Catalogue, ParameterError, parse_query_file
from urbankg.errors import SourceError

EXPECTED = {"framework-crosswalk", "triad-coverage", "concept-citations", "shared-sources", "competing-explanations",
            "claims-in-tension", "case-evidence", "survey-table", "village-counts", "legacy-impacts",
            "stakeholder-relations"}


def test_the_catalogue_holds_every_question_with_title_and_columns():
    queries = Catalogue().queries
    assert EXPECTED <= set(queries)
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


@pytest.mark.parametrize("value", ["a b", "<x>", "x\"y", ""])
def test_bad_iri_values_are_refused_naming_the_parameter(value):
    query = Catalogue().get("case-evidence")
    with pytest.raises(ParameterError) as caught:
        query.substitutions({"case": value})
    assert caught.value.parameter == "case"


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
