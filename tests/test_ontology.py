"""The ontology: it parses, declares the annotation contract's terms, documents every
term, holds every framework of the seed papers with its components, and HermiT finds
it consistent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "urbankg.ttl"
MAPPING = ROOT / "ontology" / "annotation-mapping.yaml"

UKG = Namespace("https://w3id.org/urbankg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ID = "https://w3id.org/urbankg/id/"
WORKS = {URIRef(ID + "work/" + w) for w in ("lin-2019", "sun-2025", "elite-life-course")}
ONTOLOGY_IRI = URIRef("https://w3id.org/urbankg/ontology")
OWL_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}


@pytest.fixture(scope="module")
def g() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY, format="turtle")
    return graph


@pytest.fixture(scope="module")
def mapping() -> dict:
    return YAML(typ="safe").load(MAPPING.read_text(encoding="utf-8"))


def concept(slug: str) -> URIRef:
    return URIRef(ID + "concept/" + slug)


def framework(slug: str) -> URIRef:
    return URIRef(ID + "framework/" + slug)


def expand(curie: str, prefixes: dict) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(prefixes[prefix] + local)


def label_of(g: Graph, node) -> str | None:
    value = g.value(node, SKOS.prefLabel) or g.value(node, RDFS.label)
    return None if value is None else str(value)


# -- parsing and the annotation contract -------------------------------------------------


def test_parses_and_is_an_owl_ontology(g):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert len(g) > 2000


def test_every_ukg_term_of_the_annotation_mapping_is_declared(g):
    used = set(re.findall(r"\bukg:([A-Za-z]+)", MAPPING.read_text(encoding="utf-8")))
    assert len(used) > 60
    missing = sorted(t for t in used if not set(g.objects(UKG[t], RDF.type)))
    assert not missing, f"ukg terms used in annotation-mapping.yaml but not declared: {missing}"


def test_every_class_and_property_of_the_mapping_is_declared_with_its_owl_kind(g, mapping):
    prefixes = mapping["prefixes"]
    for kind, spec in mapping["nodes"].items():
        cls = expand(spec["class"], prefixes)
        assert (cls, RDF.type, OWL.Class) in g, f"node {kind}: class {spec['class']} not declared"
        for field, fspec in spec["fields"].items():
            prop = expand(fspec["property"], prefixes)
            if prop in (RDFS.label, OWL.sameAs):
                continue  # built into OWL
            declared = set(g.objects(prop, RDF.type)) & OWL_KINDS
            assert declared, f"{kind}.{field}: property {fspec['property']} not declared"
            if fspec["kind"] in ("ref", "nested", "quote", "vocab", "iri"):
                assert OWL.DatatypeProperty not in declared, f"{kind}.{field}: {fspec['property']} takes IRIs"
            elif fspec["kind"] in ("text", "integer", "decimal", "year", "date", "boolean"):
                assert OWL.ObjectProperty not in declared, f"{kind}.{field}: {fspec['property']} takes literals"


def test_every_vocabulary_value_of_the_mapping_is_declared(g, mapping):
    prefixes = mapping["prefixes"]
    for name, values in mapping["vocabularies"].items():
        for key, curie in values.items():
            iri = expand(curie, prefixes)
            assert set(g.objects(iri, RDF.type)), f"vocabulary {name}: {key} -> {curie} not declared"
    for key, curie in mapping["vocabularies"]["unit"].items():
        iri = expand(curie, prefixes)
        if str(iri).startswith(str(UKG)):
            assert (iri, RDF.type, UKG.Unit) in g, f"unit {key} ({curie}) is not a ukg:Unit"


# -- documentation of every term ----------------------------------------------------------


def _terms(g: Graph):
    """Every ukg: term, every external term declared, and every id/ individual."""
    for s in set(g.subjects(RDF.type, None)):
        if not isinstance(s, URIRef) or s == ONTOLOGY_IRI:
            continue
        yield s


def test_every_term_has_a_label_a_definition_and_a_source(g):
    problems = []
    for term in _terms(g):
        text = str(term)
        if not label_of(g, term):
            problems.append(f"{text}: no rdfs:label / skos:prefLabel")
        if g.value(term, SKOS.definition) is None and g.value(term, RDFS.comment) is None:
            problems.append(f"{text}: no skos:definition / rdfs:comment")
        if not (
            set(g.objects(term, RDFS.isDefinedBy))
            | set(g.objects(term, PROV.wasDerivedFrom))
            | set(g.objects(term, DCTERMS.source))
        ):
            problems.append(f"{text}: no rdfs:isDefinedBy / prov:wasDerivedFrom / dcterms:source")
        # Who asserts a mapping (a prov:Agent) is not read from a paper; everything else in id/ is.
        agent = (term, RDF.type, PROV.Agent) in g
        if text.startswith(ID) and not agent and not set(g.objects(term, PROV.wasDerivedFrom)) & WORKS:
            problems.append(f"{text}: not derived from a seed paper")
    assert not problems, "\n".join(problems[:30])


def test_concepts_are_complete_skos(g):
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 100
    for c in concepts:
        assert str(c).startswith(ID + "concept/"), c
        assert len(set(g.objects(c, SKOS.prefLabel))) == 1, f"{c}: one skos:prefLabel per concept"
        assert not set(g.objects(c, SKOS.prefLabel)) & set(g.objects(c, SKOS.altLabel)), c
        schemes = set(g.objects(c, SKOS.inScheme))
        assert schemes and all((s, RDF.type, SKOS.ConceptScheme) in g for s in schemes), c
        tops = set(g.objects(c, SKOS.topConceptOf))
        assert tops or set(g.objects(c, SKOS.broader)), f"{c}: neither a top concept nor narrower of one"
        assert tops <= schemes, c
    for s in g.subjects(RDF.type, SKOS.ConceptScheme):
        assert str(s).startswith(ID + "framework/"), s
        assert g.value(s, SKOS.prefLabel) is not None and g.value(s, SKOS.definition) is not None, s


def test_no_phrase_labels_two_concepts(g):
    """Labels drive concept suggestion: one phrase, one concept."""
    owners: dict[str, set] = {}
    for c in g.subjects(RDF.type, SKOS.Concept):
        for label in set(g.objects(c, SKOS.prefLabel)) | set(g.objects(c, SKOS.altLabel)):
            owners.setdefault(str(label).lower(), set()).add(c)
    shared = {label: sorted(cs) for label, cs in owners.items() if len(cs) > 1}
    assert not shared, shared


def test_preferred_labels_are_unique_within_a_scheme(g):
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        labels = [str(g.value(c, SKOS.prefLabel)).lower() for c in g.subjects(SKOS.inScheme, scheme)]
        assert len(labels) == len(set(labels)), f"{scheme}: duplicate preferred labels"


def test_no_dangling_references_to_ids(g):
    defined = set(g.subjects(RDF.type, None))
    for s, p, o in g:
        if isinstance(o, URIRef) and str(o).startswith(ID) and "/work/" not in str(o):
            assert o in defined, f"{s} {p} {o}: {o} is not defined"


# -- the frameworks of the seed papers -----------------------------------------------------

FRAMEWORKS = {
    "planetary-urbanisation": [
        "concentrated-urbanisation",
        "extended-urbanisation",
        "differential-urbanisation",
        "borrowed-size",
        "agglomeration-economies",
        "proximity-to-cities",
    ],
    "spatial-triad": ["spatial-practice", "representations-of-space", "representational-spaces"],
    "e-urbanism": [
        "ict-infrastructure-and-production-networks",
        "social-networks-and-power-relations",
        "urban-form-and-land-use",
        "e-commerce-platform",
        "internet",
        "wi-fi",
        "broadband",
        "social-media",
        "smartphone",
        "retail-and-wholesale-systems",
        "local-industry",
        "online-payment-system",
        "express-delivery-system",
        "e-commerce-services",
        "household-social-networks",
        "power-relations",
        "location",
        "proximity",
        "physical-form",
        "street-pattern",
        "building-pattern",
        "land-ownership-and-property-rights",
    ],
    "network-urbanism": [
        "technical-networks",
        "production-consumption-networks",
        "household-networks",
        "geographical-features",
        "location",
        "proximity",
        "distance",
    ],
    "historical-legacies": [
        "collective-production-practices",
        "translocal-social-relations",
        "adaptive-livelihood-customs",
    ],
    "human-urbanisation-dynamics": [
        "human-demand-hierarchy",
        "pre-internet-era",
        "traditional-internet-era",
        "mobile-internet-era",
        "economic-development-demand",
        "family-reunion-demand",
        "diversified-demands",
    ],
    "theories-of-urbanism": [
        "everyday-urbanism",
        "enclave-urbanism",
        "splintering-urbanism",
        "smart-urbanism",
        "network-urbanism",
        "e-urbanism",
        "urbanism-as-surplus-circulation",
    ],
}
VOCABULARIES = {
    "stakeholder-roles": [
        "government",
        "town-government",
        "district-government",
        "municipal-government",
        "state",
        "village-collective-organisation",
        "indigenous-villagers",
        "rural-migrants",
        "migrant-elites",
        "migrant-entrepreneurs",
        "e-tailers",
        "couriers",
        "platform-firms",
        "universities",
    ],
    "relation-kinds": [
        "rents-housing-to",
        "regulates",
        "leases-collective-land-to",
        "supports",
        "competes-with",
        "trains",
    ],
    "topics": ["taobao-village-formation", "taobao-village-location"],
    "phenomena": ["taobao-village", "village-in-the-city", "taobao-town"],
}


@pytest.mark.parametrize("slug", sorted(FRAMEWORKS))
def test_framework_exists_with_its_components(g, slug):
    scheme = framework(slug)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert (scheme, RDF.type, UKG.Framework) in g
    members = set(g.subjects(SKOS.inScheme, scheme))
    missing = [c for c in FRAMEWORKS[slug] if concept(c) not in members]
    assert not missing, f"{slug} lacks {missing}"
    assert set(g.subjects(SKOS.topConceptOf, scheme)), f"{slug} has no top concept"


@pytest.mark.parametrize("slug", sorted(VOCABULARIES))
def test_vocabulary_exists_with_its_concepts(g, slug):
    scheme = framework(slug)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    members = set(g.subjects(SKOS.inScheme, scheme))
    assert not [c for c in VOCABULARIES[slug] if concept(c) not in members]


def test_e_urbanism_has_three_layers_and_the_lists_of_components(g):
    layers = set(g.subjects(SKOS.topConceptOf, framework("e-urbanism")))
    assert layers == {concept(c) for c in FRAMEWORKS["e-urbanism"][:3]}
    assert all((layer, RDF.type, UKG.Layer) in g for layer in layers)
    layer1 = concept("ict-infrastructure-and-production-networks")
    assert len(set(g.objects(layer1, UKG.hasComponent))) == 11  # the eleven items of Layer 1 in Lin (2019)


def test_spatial_triad_pairs_each_moment_with_perceived_conceived_lived(g):
    alts = {c: {str(a) for a in g.objects(concept(c), SKOS.altLabel)} for c in FRAMEWORKS["spatial-triad"]}
    assert "perceived space" in alts["spatial-practice"]
    assert "conceived space" in alts["representations-of-space"]
    assert "lived space" in alts["representational-spaces"]


@pytest.mark.parametrize(
    "legacy,characteristics",
    [("collective-production-practices", 3), ("translocal-social-relations", 2), ("adaptive-livelihood-customs", 2)],
)
def test_each_legacy_has_its_characteristics_and_potential_impacts(g, legacy, characteristics):
    node = concept(legacy)
    assert (node, RDF.type, UKG.Legacy) in g
    chars = set(g.objects(node, UKG.hasCharacteristic))
    impacts = set(g.objects(node, UKG.hasPotentialImpact))
    assert len(chars) == characteristics and len(impacts) == characteristics
    for c in chars:
        assert (c, SKOS.broader, node) in g and (c, RDF.type, UKG.LegacyCharacteristic) in g
        assert set(g.objects(c, UKG.hasPotentialImpact)) <= impacts  # each characteristic -> its impact
    for i in impacts:
        assert (i, SKOS.broader, node) in g and (i, RDF.type, UKG.PotentialImpact) in g


def test_borrowed_size_contrasts_with_differential_urbanisation(g):
    assert (concept("borrowed-size"), UKG.contrastsWith, concept("differential-urbanisation")) in g


def test_alternative_labels_carry_the_papers_phrases(g):
    def alts(slug):
        return {str(a) for a in g.objects(concept(slug), SKOS.altLabel)}

    assert "ViCs" in alts("village-in-the-city")
    assert "Trans local Social Relations" in alts("translocal-social-relations")
    assert "logic of borrowed size" in alts("borrowed-size")
    assert "pre-interconnected era" in alts("pre-internet-era")


MEASURES = [
    "taobao-village-count",
    "taobao-town-count",
    "internet-penetration",
    "online-shop-count",
    "e-commerce-share-of-manufacturing-revenue",
    "population",
    "internet-user-count",
    "online-shopper-count",
    "tertiary-sector-share-of-gdp",
    "smartphone-user-share",
]


def test_the_measures_the_corpus_needs_exist(g):
    for slug in MEASURES:
        measure = URIRef(ID + "measure/" + slug)
        assert (measure, RDF.type, UKG.Measure) in g, slug
        assert g.value(measure, RDFS.label) is not None and g.value(measure, SKOS.definition) is not None


# -- axioms ---------------------------------------------------------------------------------


def _disjoint(g: Graph, a: URIRef, b: URIRef) -> bool:
    if (a, OWL.disjointWith, b) in g or (b, OWL.disjointWith, a) in g:
        return True
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = set(Collection(g, g.value(axiom, OWL.members)))
        if a in members and b in members:
            return True
    return False


def test_disjointness_lets_the_reasoner_catch_nonsense(g):
    FOAF = Namespace("http://xmlns.com/foaf/0.1/")
    MP = Namespace("http://purl.org/mp/")
    FABIO = Namespace("http://purl.org/spar/fabio/")
    SCHEMA = Namespace("https://schema.org/")
    assert (UKG.Informant, RDFS.subClassOf, FOAF.Person) in g and (FOAF.Person, RDFS.subClassOf, FOAF.Agent) in g
    assert _disjoint(g, UKG.Case, FOAF.Agent)  # hence Case vs Person
    assert _disjoint(g, MP.Claim, FABIO.Work)
    assert _disjoint(g, UKG.Case, SCHEMA.Place)
    assert _disjoint(g, SKOS.Concept, SKOS.ConceptScheme)
    assert (FABIO.JournalArticle, RDFS.subClassOf, FABIO.Work) in g


def test_hermit_finds_the_ontology_consistent(g):
    if shutil.which("java") is None:
        pytest.skip("[component] java is not installed (needed by HermiT)")
    from urbankg.reasoning import reason

    result = reason(g, Graph())
    assert result.consistent, result.summary()
    assert result.unsatisfiable_classes == []
