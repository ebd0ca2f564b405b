"""The identity matcher (urbankg/identity/matching.py), one case per variation a second paper's
reference list shows, the similar works it must keep apart, DOIs deciding both ways, and people:
namesakes are never merged without shared evidence."""

import pytest

from urbankg.identity.matching import (
    PersonRecord,
    WorkRecord,
    compare_people,
    compare_works,
    compatible_given,
    normal_doi,
)

LIN = WorkRecord(
    "work/lin-2019",
    "E-urbanism: E-commerce, migration, and the transformation of Taobao villages in urban China",
    2019,
    ("Lin",),
    "10.1016/j.cities.2018.11.020",
)
LEFEBVRE = WorkRecord("work/lefebvre-2003", "The urban revolution: A critique of everyday life", 2003, ("Lefebvre",))


def work(base: WorkRecord, **changes) -> WorkRecord:
    fields = {"iri": base.iri + "#b", "title": base.title, "year": base.year, "authors": base.authors, "doi": base.doi}
    fields.update(changes)
    return WorkRecord(**fields)


NO_DOI = work(LIN, iri="work/lin-2019#a", doi=None)

SAME_WORK = {
    # the matcher reads family names: "Lin, Yanliu" and "Lin, Y." are both "Lin"
    "initials": (NO_DOI, work(NO_DOI, authors=("Lin",))),
    "diacritics": (
        LEFEBVRE,
        work(LEFEBVRE, authors=("Lefèbvre",), title="The urban révolution: A critique of everyday life"),
    ),
    "and-ampersand": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace(" and ", " & "))),
    "subtitle-full-stop": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace(": ", ". ", 1))),
    "subtitle-dash": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace(": ", " - ", 1))),
    "case": (NO_DOI, work(NO_DOI, title=NO_DOI.title.upper())),
    "subtitle-dropped": (LEFEBVRE, work(LEFEBVRE, title="The urban revolution")),
    "year-off-by-one": (NO_DOI, work(NO_DOI, year=2018)),
    "doi-one-side": (LIN, work(LIN, doi=None)),
    "doi-prefix": (LIN, work(LIN, doi="https://doi.org/10.1016/J.CITIES.2018.11.020")),
    "doi-colon": (LIN, work(LIN, doi="doi:10.1016/j.cities.2018.11.020.")),
    "trailing-stop": (NO_DOI, work(NO_DOI, title=NO_DOI.title + ".")),
    "markup": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace("Taobao", "<i>Taobao</i>"))),
    "markdown-markup": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace("Taobao", "*Taobao*"))),
    "typo": (NO_DOI, work(NO_DOI, title=NO_DOI.title.replace("migration", "migartion"))),
    "no-authors": (
        WorkRecord("work/a", "China's Taobao village: a report", 2015),
        WorkRecord("work/b", "China's Taobao Village. A Report.", 2015),
    ),
}


@pytest.mark.parametrize("kind", sorted(SAME_WORK))
def test_variations_of_one_work_are_the_same(kind):
    a, b = SAME_WORK[kind]
    assert compare_works(a, b).verdict == "same"
    assert compare_works(b, a).verdict == "same"  # the order of the records does not matter


def test_a_year_apart_and_a_typo_goes_to_review():
    # either alone is "same"; together the matcher asks a reviewer
    varied = work(NO_DOI, year=2018, title=NO_DOI.title.replace("migration", "migartion"))
    assert compare_works(NO_DOI, varied).verdict == "possible"


DIFFERENT_WORKS = {
    "same-author-year-other-title": (
        NO_DOI,
        work(NO_DOI, title="Taobao practices, everyday life and emerging hybrid rurality in contemporary China"),
    ),
    "same-author-next-year": (
        LEFEBVRE,
        work(LEFEBVRE, year=2004, title="Rhythmanalysis: Space, time and everyday life"),
    ),
    "two-years-apart": (NO_DOI, work(NO_DOI, year=2017)),
    "same-title-other-author-and-year": (
        WorkRecord("work/r1", "Urbanization in China: a review", 2010, ("Chen",)),
        WorkRecord("work/r2", "Urbanization in China: a review", 2016, ("Wang",)),
    ),
}


@pytest.mark.parametrize("kind", sorted(DIFFERENT_WORKS))
def test_similar_works_are_not_merged(kind):
    a, b = DIFFERENT_WORKS[kind]
    assert compare_works(a, b).verdict != "same"


def test_same_title_same_year_other_author_goes_to_review():
    a = WorkRecord("work/r1", "Urbanization in China: a review", 2016, ("Chen",))
    b = WorkRecord("work/r2", "Urbanization in China: a review", 2016, ("Wang",))
    assert compare_works(a, b).verdict == "possible"


@pytest.mark.parametrize("parts", [("Part 1", "Part 2"), ("Part I", "Part II"), ("Volume 1", "Volume 2")])
def test_parts_of_a_series_are_not_merged(parts):
    a = work(LEFEBVRE, title=f"The urban revolution: {parts[0]}")
    b = work(LEFEBVRE, title=f"The urban revolution: {parts[1]}")
    assert compare_works(a, b).verdict != "same"


def test_a_long_shared_prefix_with_another_ending_is_not_merged():
    a = work(NO_DOI, title=NO_DOI.title + ": the case of Shenzhen")
    b = work(NO_DOI, title=NO_DOI.title + ": evidence from Jiangsu")
    assert compare_works(a, b).verdict != "same"


def test_equal_dois_decide_same_whatever_the_metadata():
    other = WorkRecord(
        "work/x", "Something else entirely", 1990, ("Nobody",), "https://doi.org/10.1016/J.CITIES.2018.11.020"
    )
    match = compare_works(LIN, other)
    assert match.verdict == "same"
    assert "10.1016/j.cities.2018.11.020" in match.evidence


def test_different_dois_decide_different_whatever_the_metadata():
    match = compare_works(LIN, work(LIN, doi="10.1016/j.cities.2018.11.021"))
    assert match.verdict == "different"
    assert match.score == 0.0


def test_a_malformed_doi_is_no_doi():
    assert normal_doi("not a doi") is None
    assert normal_doi("http://dx.doi.org/10.1080/714005045.") == "10.1080/714005045"
    # one record's DOI unreadable: the metadata decides
    assert compare_works(LIN, work(LIN, doi="n/a")).verdict == "same"


# ---------------------------------------------------------------- people


def person(iri, family, given="", works=(), identifiers=()):
    return PersonRecord(iri, family, given, frozenset(works), frozenset(identifiers))


ORCID = "https://orcid.org/0000-0002-1825-0097"


def test_namesakes_without_evidence_are_only_possible():
    # "Chen, Y." of Qian et al. 2017 and of Zhao et al. 2021
    a = person("person/1", "Chen", "Y.", ["work/qian-2017"])
    b = person("person/2", "Chen", "Y.", ["work/zhao-2021"])
    assert compare_people(a, b).verdict == "possible"


def test_namesakes_with_full_given_names_are_still_only_possible():
    a = person("person/1", "Lin", "Yanliu", ["work/lin-2019"])
    b = person("person/2", "Lin", "Yanliu", ["work/lin-2011"])
    assert compare_people(a, b).verdict == "possible"


def test_one_sided_identifier_is_no_shared_evidence():
    a = person("person/1", "Lin", "Y.", ["work/lin-2019"], [ORCID])
    b = person("person/2", "Lin", "Y.", ["work/lin-2011"])
    assert compare_people(a, b).verdict == "possible"


def test_different_identifiers_are_different_people():
    a = person("person/1", "Chen", "Y.", ["work/qian-2017"], [ORCID])
    b = person("person/2", "Chen", "Y.", ["work/zhao-2021"], ["https://orcid.org/0000-0001-5109-3700"])
    assert compare_people(a, b).verdict == "different"


def test_a_shared_identifier_is_the_same_person_even_misprinted():
    # sun-2025 prints Lefebvre as "Henri L"
    a = person("person/1", "Lefebvre", "H.", ["work/lefebvre-1991"], [ORCID])
    b = person("person/2", "L", "Henri", ["work/lefebvre-2003"], [ORCID])
    assert compare_people(a, b).verdict == "same"


def test_the_author_of_one_work_in_two_records_is_the_same_person():
    a = person("person/1", "Lin", "Yanliu", ["work/lin-2019"])
    b = person("person/2", "Lin", "Y.", ["work/lin-2019"])
    assert compare_people(a, b).verdict == "same"
    c = person("person/3", "Lefèbvre", "Henri", ["work/lefebvre-1991"])
    d = person("person/4", "Lefebvre", "H.", ["work/lefebvre-1991"])
    assert compare_people(c, d).verdict == "same"


def test_incompatible_initials_on_one_work_are_different_people():
    a = person("person/1", "Chen", "J. Y.", ["work/x"])
    b = person("person/2", "Chen", "Y.", ["work/x"])
    assert compare_people(a, b).verdict == "different"


@pytest.mark.parametrize(
    "a, b, compatible",
    [
        ("Yanliu", "Y.", True),
        ("Y. L.", "Yan Li", True),
        ("Y.", "Y. L.", True),
        ("J. Y.", "Y.", False),
        ("Yanliu", "Yuting", False),
        ("", "Y.", True),
    ],
)
def test_compatible_given_names(a, b, compatible):
    assert compatible_given(a, b) is compatible
