"""Lin (2019) "E-urbanism", as annotated in corpus/lin-2019: facts read from the paper,
asserted by SPARQL over what the project's loaders make of the annotation files.

The expected values below are read from the paper (shared/seeds/001_*.txt), not from
the annotation files: Table 1, the Taobao-village counts and their sources, the three
cases and their places, the informant Mr. L, the claim paper 002's annotation refers to.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from corpus_sparql import ID, ask, iri, rows
from urbankg.errors import SourceError
from urbankg.loaders import load_file
from urbankg.quotes import normalise

pytest.importorskip("urbankg.loaders.annotation_yaml", reason="the annotation YAML loader has not landed yet")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
LIN_FILES = [CORPUS / "lin-2019" / "lin-2019.yaml", CORPUS / "lin-2019" / "lin-2019-cases.yaml"]
SEEDS = ROOT.parent / "shared" / "seeds"


# Table 1 "Basic information of the sample" (n = 283), in the printed order. In the
# plain text the label "Smartphone" stands on the row "Other 11.8", which closes
# Occupation (the shares of each variable sum to 100).
TABLE_1 = [
    ("Gender", [("Male", "60.1"), ("Female", "39.9")]),
    (
        "Education",
        [
            ("Primary school", "6.5"),
            ("Junior middle school", "31.2"),
            ("Senior high school", "37.7"),
            ("University and above", "24.6"),
        ],
    ),
    (
        "Age distribution",
        [("Under 15", "3.6"), ("15–25", "39.3"), ("25–35", "42.9"), ("35–45", "12.4"), ("Above 45", "1.8")],
    ),
    (
        "Occupation",
        [
            ("Shop owner", "14.2"),
            ("Entrepreneur", "3.3"),
            ("E-tailer", "25.9"),
            ("Courier", "3.3"),
            ("Worker", "41.5"),
            ("Other", "11.8"),
        ],
    ),
    ("Smartphone", [("Smartphone user", "89.0"), ("Non-smartphone user", "11.0")]),
]


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in LIN_FILES:
        g += load_file(path).graph
    return g


# --------------------------------------------------------------------------- the paper


def test_paper_record(graph):
    [(title, year, doi, venue, author)] = rows(
        graph,
        """
        SELECT ?title ?year ?doi ?venue ?author WHERE {
          id:work/lin-2019 a fabio:JournalArticle ; dcterms:title ?title ;
              fabio:hasPublicationYear ?year ; prism:doi ?doi ; frbr:partOf ?venue ;
              dcterms:creator ?author .
        }""",
    )
    assert str(title).startswith("E-urbanism: E-commerce, migration, and the transformation of Taobao villages")
    assert str(year) == "2019"
    assert str(doi) == "10.1016/j.cities.2018.11.020"
    assert str(venue) == iri("venue/cities")
    assert str(author) == iri("person/lin-y")
    [(affiliation,)] = rows(graph, "SELECT ?o WHERE { id:person/lin-y schema:affiliation ?o }")
    assert str(affiliation) == iri("organisation/utrecht-university")
    keywords = {str(k) for (k,) in rows(graph, "SELECT ?k WHERE { id:work/lin-2019 prism:keyword ?k }")}
    assert keywords == {"Urbanism", "E-commerce", "Rural migrants", "Taobao village"}
    [(framework,)] = rows(graph, "SELECT ?f WHERE { id:work/lin-2019 ukg:proposesFramework ?f }")
    assert str(framework) == iri("framework/e-urbanism")
    used = {str(f) for (f,) in rows(graph, "SELECT ?f WHERE { id:work/lin-2019 ukg:usesFramework ?f }")}
    assert iri("framework/network-urbanism") in used


# --------------------------------------------------------------------------- Table 1


def test_survey_sample(graph):
    [(distributed, valid, period)] = rows(
        graph,
        """
        SELECT ?d ?v ?p WHERE {
          id:survey/lin-2019-migrant-survey a ukg:Survey ; ukg:questionnairesDistributed ?d ;
              ukg:validResponses ?v ; sdmx-dimension:refPeriod ?p ; prov:wasDerivedFrom id:work/lin-2019 .
        }""",
    )
    assert (int(distributed), int(valid), str(period)) == (288, 283, "2016")
    cases = {str(c) for (c,) in rows(graph, "SELECT ?c WHERE { id:survey/lin-2019-migrant-survey ukg:aboutCase ?c }")}
    assert cases == {iri("case/lirendong"), iri("case/xiniujiao"), iri("case/yushatan")}


def test_table_1_row_by_row(graph):
    found = rows(
        graph,
        """
        SELECT ?variable ?category ?percent WHERE {
          id:survey/lin-2019-migrant-survey ukg:hasVariable ?v .
          ?v rdfs:label ?variable ; ukg:order ?vo ; ukg:hasCategory ?c .
          ?c rdfs:label ?category ; ukg:order ?co ; ukg:percentage ?percent .
        } ORDER BY ?vo ?co""",
    )
    expected = [
        (variable, category, Decimal(percent)) for variable, categories in TABLE_1 for category, percent in categories
    ]
    assert [(str(v), str(c), Decimal(str(p))) for v, c, p in found] == expected


@pytest.mark.parametrize("variable,categories", TABLE_1, ids=[v for v, _ in TABLE_1])
def test_table_1_variable_sums_to_100(graph, variable, categories):
    [(total,)] = rows(
        graph,
        """
        SELECT (SUM(?p) AS ?total) WHERE {
          id:survey/lin-2019-migrant-survey ukg:hasVariable ?v .
          ?v rdfs:label ?label ; ukg:hasCategory/ukg:percentage ?p .
        }""",
        label=Literal(variable, lang="en"),
    )
    assert abs(Decimal(str(total)) - 100) <= Decimal("0.5")
    assert Decimal(str(total)) == sum(Decimal(p) for _, p in categories)


# --------------------------------------------------------------------------- numbers


def observations(graph: Graph, measure: str) -> set[tuple]:
    """(value, qualifier, period, place, original source) per observation of a measure by Lin 2019."""
    found = rows(
        graph,
        f"""
        SELECT ?value ?qualifier ?period ?place ?source WHERE {{
          ?o a qb:Observation ; ukg:measure id:measure/{measure} ; sdmx-measure:obsValue ?value ;
             prov:wasDerivedFrom id:work/lin-2019 ; ukg:evidence/oa:exact ?quote .
          OPTIONAL {{ ?o ukg:qualifier ?qualifier }}
          OPTIONAL {{ ?o sdmx-dimension:refPeriod ?period }}
          OPTIONAL {{ ?o sdmx-dimension:refArea ?place }}
          OPTIONAL {{ ?o ukg:originalSource ?source }}
        }}""",
    )
    return {
        (
            Decimal(str(v)),
            str(q) if q is not None else None,
            str(p) if p is not None else None,
            str(pl).removeprefix(ID) if pl is not None else None,
            str(s).removeprefix(ID) if s is not None else None,
        )
        for v, q, p, pl, s in found
    }


def test_taobao_village_counts_with_sources(graph):
    assert observations(graph, "taobao-village-count") == {
        (Decimal(3), None, "2009", "place/china", "work/aliresearch-2017"),
        (Decimal(2100), "more than", "2017", "place/china", "work/aliresearch-2017"),
        (Decimal(106), None, "2017", "place/guangzhou", "work/aliresearch-2017"),
    }


def test_taobao_village_counts_are_in_villages(graph):
    units = {
        str(u)
        for (u,) in rows(
            graph,
            """
        SELECT DISTINCT ?u WHERE { ?o ukg:measure id:measure/taobao-village-count ; sdmx-attribute:unitMeasure ?u }""",
        )
    }
    assert units == {"https://w3id.org/urbankg/ontology#Villages"}


def test_internet_use_in_china(graph):
    assert observations(graph, "internet-penetration") == {
        (Decimal("1.8"), None, "2000", "place/china", "work/internet-live-stats-2016"),
        (Decimal("52.2"), None, "2016", "place/china", "work/internet-live-stats-2016"),
        (Decimal(50), "about", "2008", "place/guangdong", "work/chen-2008"),
    }
    assert observations(graph, "internet-user-count") == {
        (Decimal(721000000), None, "2016", "place/china", "work/internet-live-stats-2016"),
        (Decimal(4000000), "more than", "2008", "place/guangzhou", "work/han-2008"),
    }
    assert observations(graph, "mobile-internet-user-share") == {
        (Decimal("95.1"), None, "2016", "place/china", "work/cnnic-2017")
    }
    assert {v for v, *_ in observations(graph, "social-media-usage-rate")} == {
        Decimal("85.8"),
        Decimal("67.8"),
        Decimal("37.1"),
    }
    assert observations(graph, "online-shopper-count") == {
        (Decimal(467000000), None, "2016", "place/china", "work/cnnic-2017")
    }


def test_guangzhou_and_us_figures(graph):
    assert observations(graph, "tertiary-sector-share-of-gdp") == {
        (Decimal("70.6"), None, "2015", "place/guangzhou", "work/guangzhou-statistical-bureau-2016")
    }
    shares = observations(graph, "e-commerce-share-of-manufacturing-revenue")
    assert {(v, p, pl, s) for v, _, p, pl, s in shares} == {
        (Decimal(19), "2002", "place/united-states", "work/unctad-2015"),
        (Decimal(50), "2012", "place/united-states", "work/unctad-2015"),
    }


# --------------------------------------------------------------------------- cases and places


@pytest.mark.parametrize(
    "case,place", [("lirendong", "Lirendong"), ("xiniujiao", "Xi'niujiao"), ("yushatan", "Yushatan")]
)
def test_cases_in_guangzhou(graph, case, place):
    found = rows(
        graph,
        f"""
        SELECT ?name ?city ?province ?country WHERE {{
          id:case/{case} a ukg:Case ; ukg:locatedIn ?place ; ukg:studiedBy id:work/lin-2019 ;
              ukg:caseOf id:concept/taobao-village-in-the-city ; ukg:evidence/oa:exact ?quote .
          ?place schema:name ?name ; schema:containedInPlace ?city .
          ?city schema:name ?city_name ; schema:containedInPlace ?province .
          ?province schema:containedInPlace ?country .
        }}""",
    )
    assert {(str(n), str(c), str(p), str(k)) for n, c, p, k in found} == {
        (place, iri("place/guangzhou"), iri("place/guangdong"), iri("place/china"))
    }
    assert ask(graph, f"ASK {{ id:work/lin-2019 ukg:studiesCase id:case/{case} }}")


def test_three_cases_studied(graph):
    cases = {str(c) for (c,) in rows(graph, "SELECT ?c WHERE { id:work/lin-2019 ukg:studiesCase ?c }")}
    assert cases == {iri("case/lirendong"), iri("case/xiniujiao"), iri("case/yushatan")}


def test_lirendong_power_relations(graph):
    found = {
        (str(f).removeprefix(ID), str(k).removeprefix(ID), str(t).removeprefix(ID))
        for f, k, t in rows(
            graph,
            """
        SELECT ?from ?kind ?to WHERE {
          ?r a ukg:PowerRelation ; ukg:relationFrom ?from ; ukg:relationKind ?kind ; ukg:relationTo ?to ;
             ukg:assertionStatus ukg:StatedByPaper ; ukg:evidence/oa:exact ?quote .
          { ?r ukg:relationIn id:case/lirendong } UNION { ?from ukg:stakeholderIn id:case/lirendong }
        }""",
        )
    }
    assert (
        "stakeholder/guangzhou/municipal-government",
        "concept/requisitions-land-from",
        "stakeholder/lirendong/village-collective",
    ) in found
    assert (
        "stakeholder/lirendong/villagers",
        "concept/rents-housing-to",
        "stakeholder/guangzhou-taobao-villages/rural-migrants",
    ) in found
    assert (
        "stakeholder/lirendong/migrant-elites",
        "concept/represents",
        "stakeholder/lirendong/village-collective",
    ) in found
    assert (
        "stakeholder/lirendong/village-collective",
        "concept/obstructs",
        "stakeholder/lirendong/migrant-elites",
    ) in found


# --------------------------------------------------------------------------- informants


def test_mr_l_of_lin_2019(graph):
    [(label, case)] = rows(
        graph,
        """
        SELECT ?label ?case WHERE {
          id:informant/lin-2019-mr-l a ukg:Informant ; ukg:pseudonym "Mr. L" ; rdfs:label ?label ;
              ukg:describedIn id:work/lin-2019 ; ukg:informantIn ?case .
        }""",
    )
    assert str(case) == iri("case/lirendong")
    roles = {str(r) for (r,) in rows(graph, "SELECT ?r WHERE { id:informant/lin-2019-mr-l ukg:hasRole ?r }")}
    assert iri("concept/migrant-elites") in roles


def test_two_mr_l_are_two_informants():
    """The "Mr. L" of paper 000 and the one of Lin 2019 are two individuals."""
    others = [
        p for p in CORPUS.rglob("*.y*ml") if p.parent.name != "lin-2019" and "Mr. L" in p.read_text(encoding="utf-8")
    ]
    if not others:
        pytest.skip("no annotation of paper 000's Mr. L in corpus/ yet")
    g = Graph()
    try:
        for path in LIN_FILES + others:
            g += load_file(path).graph
    except SourceError as exc:
        pytest.skip(f"an annotation naming Mr. L does not load yet: {exc}")
    informants = rows(
        g,
        """
        SELECT ?i ?paper WHERE { ?i a ukg:Informant ; ukg:pseudonym "Mr. L" ; ukg:describedIn ?paper }""",
    )
    by_paper = {str(p): str(i) for i, p in informants}
    assert len(by_paper) >= 2, "expected a Mr. L in Lin 2019 and one in another paper"
    assert len(set(by_paper.values())) == len(by_paper), "one informant described in two papers"
    assert by_paper[iri("work/lin-2019")] == iri("informant/lin-2019-mr-l")
    same = ask(
        g,
        """
        ASK { ?a ukg:pseudonym "Mr. L" . ?b ukg:pseudonym "Mr. L" . FILTER(?a != ?b)
              { ?a owl:sameAs ?b } UNION { ?b owl:sameAs ?a } }""",
    )
    assert not same


# --------------------------------------------------------------------------- claims and crosswalks


def test_required_proximity_claim(graph):
    """Paper 002's annotation refers to this claim by its id."""
    [(topic, asserted)] = rows(
        graph,
        """
        SELECT DISTINCT ?topic ?asserted WHERE {
          id:claim/lin-2019/proximity-drives-vic-taobao-villages a mp:Claim ; mp:statement ?s ;
              prov:wasAttributedTo id:work/lin-2019 ; ukg:explains ?topic ; ukg:assertionStatus ?asserted ;
              ukg:evidence/oa:exact ?quote .
        }""",
    )
    assert str(topic) == iri("concept/taobao-village-formation")
    assert str(asserted) == "https://w3id.org/urbankg/ontology#StatedByPaper"
    factors = {
        str(f)
        for (f,) in rows(
            graph,
            """
        SELECT ?f WHERE { id:claim/lin-2019/proximity-drives-vic-taobao-villages ukg:explanatoryFactor ?f }""",
        )
    }
    assert {iri("concept/proximity"), iri("concept/proximity-to-cities")} <= factors


def test_formation_is_explained_by_ict_networks_and_proximity(graph):
    factors = {
        str(f)
        for (f,) in rows(
            graph,
            """
        SELECT ?f WHERE { ?c a mp:Claim ; prov:wasAttributedTo id:work/lin-2019 ;
                          ukg:explains id:concept/taobao-village-formation ; ukg:explanatoryFactor ?f }""",
        )
    }
    assert {
        iri("concept/ict-infrastructure-and-production-networks"),
        iri("concept/household-social-networks"),
        iri("concept/proximity"),
    } <= factors


def test_crosswalks_to_network_urbanism_are_stated(graph):
    found = {
        (str(a).removeprefix(ID), str(m).rsplit("#", 1)[-1], str(b).removeprefix(ID))
        for a, m, b in rows(
            graph,
            """
        SELECT ?a ?m ?b WHERE {
          ?x a ukg:Correspondence ; ukg:subjectConcept ?a ; ukg:matchPredicate ?m ; ukg:objectConcept ?b ;
             ukg:assertionStatus ukg:StatedByPaper ; prov:wasDerivedFrom id:work/lin-2019 ;
             ukg:evidence/oa:exact ?quote .
        }""",
        )
    }
    assert ("concept/ict-infrastructure-and-production-networks", "narrowMatch", "concept/technical-networks") in found
    assert (
        "concept/ict-infrastructure-and-production-networks",
        "narrowMatch",
        "concept/production-consumption-networks",
    ) in found
    assert ("concept/social-networks-and-power-relations", "narrowMatch", "concept/household-networks") in found
    assert ("concept/urban-form-and-land-use", "relatedMatch", "concept/geographical-features") in found


def test_triad_links_are_the_annotators(graph):
    found = rows(
        graph,
        """
        SELECT ?status ?confidence WHERE {
          ?x a ukg:Correspondence ; ukg:objectConcept ?moment ; ukg:assertionStatus ?status .
          OPTIONAL { ?x ukg:confidence ?confidence }
          VALUES ?moment { id:concept/spatial-practice id:concept/representations-of-space
                           id:concept/representational-spaces }
        }""",
    )
    assert len(found) >= 3
    for status, confidence in found:
        assert str(status) == "https://w3id.org/urbankg/ontology#InferredByAnnotator"
        assert confidence is not None and 0 < float(confidence) <= 1


# --------------------------------------------------------------------------- quotes


def test_every_quote_is_in_the_paper(graph):
    seeds = sorted(SEEDS.glob("001_*.txt"))
    if not seeds:
        pytest.skip("the seed text of Lin 2019 is not available")
    text = normalise(seeds[0].read_text(encoding="utf-8"))
    unhyphenated = text.replace("-", "")
    quotes = {str(q) for (q,) in rows(graph, "SELECT DISTINCT ?q WHERE { ?s oa:exact ?q }")}
    assert len(quotes) > 100
    missing = [q for q in quotes if normalise(q) not in text and normalise(q).replace("-", "") not in unhyphenated]
    assert missing == []
