"""Reasoning with HermiT (through owlready2): inferred memberships, and inconsistencies
reported with the individuals involved."""

from __future__ import annotations

import io
import shutil
import sys
import time
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Namespace

from urbankg.reasoning import INFERRED_GRAPH, ReasoningResult, reason

ROOT = Path(__file__).resolve().parent.parent
UKG = Namespace("https://w3id.org/urbankg/ontology#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")
MP = Namespace("http://purl.org/mp/")
ID = Namespace("https://w3id.org/urbankg/id/")

PREFIXES = """
@prefix ukg: <https://w3id.org/urbankg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix mp: <http://purl.org/mp/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@base <https://w3id.org/urbankg/id/> .
"""

GOOD = """
<case/lirendong> a ukg:Case ;
    ukg:locatedIn <place/lirendong> ;
    ukg:studiedBy <work/lin-2019> ;
    ukg:caseOf <concept/taobao-village> ;
    ukg:evidence [ a oa:TextQuoteSelector ; oa:exact "Lirendong village is a good example" ;
                   dcterms:source <work/lin-2019> ] .
<work/lin-2019> a fabio:Work , fabio:JournalArticle ; dcterms:title "E-urbanism" ;
    fabio:hasPublicationYear "2019"^^xsd:gYear .
<informant/mr-l-lin-2019> a ukg:Informant ; ukg:pseudonym "Mr. L" ;
    ukg:hasRole <concept/migrant-elites> ; ukg:describedIn <work/lin-2019> .
<citation/lin-2019-dupuy> cito:hasCitingEntity <work/lin-2019> ; cito:hasCitedEntity <work/dupuy-1991> ;
    cito:hasCitationCharacterization cito:extends , ukg:usesConceptualFrameworkFrom ;
    ukg:citedForConcept <concept/network-urbanism> .
<observation/taobao-villages-2017> a qb:Observation ; ukg:measure <measure/taobao-village-count> ;
    sdmx-measure:obsValue 2100.0 ; sdmx-attribute:unitMeasure ukg:Villages ;
    sdmx-dimension:refPeriod "2017"^^xsd:gYear ; ukg:qualifier "more than" ;
    prov:wasDerivedFrom <work/lin-2019> .
<crosswalk/borrowed-size-proximity> a ukg:Correspondence ;
    ukg:subjectConcept <concept/borrowed-size> ; ukg:matchPredicate skos:relatedMatch ;
    ukg:objectConcept <concept/proximity> ; ukg:confidence 0.8 ;
    ukg:assertionStatus ukg:InferredByAnnotator .
<category/male> a ukg:SurveyCategory ; ukg:percentage 60.1 ; ukg:count 170 .
"""


def needs_java():
    if shutil.which("java") is None:
        pytest.skip("[component] java is not installed (needed by HermiT)")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "urbankg.ttl", format="turtle")


def data(text: str) -> Graph:
    """Turtle written with the prefixes and base of PREFIXES."""
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_consistent_data_gets_inferred_memberships(ontology):
    needs_java()
    good = data(GOOD)
    result = reason(ontology, good)
    assert isinstance(result, ReasoningResult)
    assert result.consistent and result, result.summary()
    assert result.clashes == [] and result.individuals == []
    inferred = result.inferred
    assert (ID["place/lirendong"], RDF.type, SCHEMA.Place) in inferred  # range of ukg:locatedIn
    assert (ID["informant/mr-l-lin-2019"], RDF.type, FOAF.Person) in inferred  # Informant ⊑ Person
    assert (ID["informant/mr-l-lin-2019"], RDF.type, FOAF.Agent) in inferred
    assert (ID["citation/lin-2019-dupuy"], RDF.type, CITO.Citation) in inferred  # domain of cito:hasCitingEntity
    assert (ID["concept/migrant-elites"], RDF.type, UKG.StakeholderRole) not in inferred  # asserted already
    for triple in inferred:
        assert triple[1] == RDF.type
        assert triple not in good and triple not in ontology, triple
        assert not isinstance(triple[0], BNode)
    assert str(INFERRED_GRAPH) == "https://w3id.org/urbankg/graph/inferred"


def test_the_inputs_are_not_modified(ontology):
    needs_java()
    good = data(GOOD)
    before_data, before_onto = len(good), len(ontology)
    reason(ontology, good)
    assert len(good) == before_data and len(ontology) == before_onto


def test_an_individual_in_two_disjoint_classes_is_reported_with_its_iri(ontology):
    needs_java()
    bad = data(GOOD + "<case/lirendong> a foaf:Person .")
    result = reason(ontology, bad)
    assert not result.consistent and not result
    assert ID["case/lirendong"] in result.individuals
    assert UKG.Case in result.classes and FOAF.Person in result.classes
    assert len(result.inferred) == 0
    assert "case/lirendong" in result.summary() and "disjoint" in result.summary()


def test_a_clash_through_domain_and_range_names_the_individual(ontology):
    needs_java()
    # A case used as the party of a power relation: the range of ukg:relationFrom is foaf:Agent.
    bad = data(GOOD + "<relation/r1> ukg:relationFrom <case/lirendong> .")
    result = reason(ontology, bad)
    assert not result.consistent
    assert result.individuals == [ID["case/lirendong"]]
    assert "ukg:relationFrom" in result.clashes[0].message


def test_a_claim_typed_as_a_paper_is_inconsistent(ontology):
    needs_java()
    result = reason(ontology, data("<claim/c1> a mp:Claim , fabio:JournalArticle ."))
    assert not result.consistent
    assert result.individuals == [ID["claim/c1"]]


def test_functional_property_and_datatype_range_violations_are_named(ontology):
    needs_java()
    wrong = """
        <claim/c1> a mp:Claim ; ukg:assertionStatus ukg:StatedByPaper , ukg:InferredByAnnotator .
        <category/c> a ukg:SurveyCategory ; ukg:percentage 120.5 .
    """
    result = reason(ontology, data(wrong))
    assert not result.consistent
    assert set(result.individuals) == {ID["claim/c1"], ID["category/c"]}


def test_a_blank_node_is_reported_as_the_blank_node_of_the_data(ontology):
    needs_java()
    bad = data('<claim/c1> a mp:Claim ; ukg:evidence [ a mp:Claim ; oa:exact "x" ] .')
    result = reason(ontology, bad)
    assert not result.consistent
    quote = bad.value(ID["claim/c1"], UKG.evidence)
    assert isinstance(quote, BNode) and quote in result.individuals


def test_an_inconsistency_only_hermit_sees_is_narrowed_down_to_its_subject(ontology):
    needs_java()
    cases = "".join(f"<case/c{i}> a ukg:Case .\n" for i in range(6))
    bad = data(cases + "<case/c2> owl:sameAs <case/c3> ; owl:differentFrom <case/c3> .")
    result = reason(ontology, bad)
    assert not result.consistent
    assert result.individuals == [ID["case/c2"]]


def test_a_few_thousand_triples_in_well_under_a_minute(ontology):
    needs_java()
    sys.path.insert(0, str(ROOT / "bench"))
    import generate  # the benchmark's synthetic literature, in urbankg's vocabulary

    out = io.StringIO()
    generate.generate(30, 1, out, progress=False)
    big = Graph().parse(data=out.getvalue(), format="nt")
    assert len(big) > 3000
    started = time.monotonic()
    result = reason(ontology, big)
    assert time.monotonic() - started < 60
    assert result.consistent, result.summary()
    assert len(result.inferred) > 100


def test_no_temporary_file_is_left_behind(ontology, tmp_path, monkeypatch):
    needs_java()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    reason(ontology, data(GOOD))
    reason(ontology, data(GOOD + "<case/lirendong> a foaf:Person ."))  # owlready2 leaks its file on this path
    assert list(tmp_path.iterdir()) == []
