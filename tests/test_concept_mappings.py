"""Issue 17: concepts live in the ontology, concepts the same idea are mapped (SKOS, with who
asserts it and the quote), concept-citations follows the mappings on request, and every label
and definition carries a language tag."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from urbankg import config
from urbankg.graph import KnowledgeGraph, expand_paths
from urbankg.loaders import load_file
from urbankg.queries.catalogue import Catalogue, ParameterError
from urbankg.quotes import normalise

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "urbankg.ttl"
CONCEPTS_MD = ROOT / "ontology" / "CONCEPTS.md"
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"
ID = config.ID_BASE
UKG = Namespace("https://w3id.org/urbankg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch, SKOS.narrowMatch)
# The concepts the annotators defined in corpus files before issue 17, and the paper each came from.
MOVED = {
    "network-society": "lin-2019",
    "territorialisation": "lin-2019",
    "relational-region": "lin-2019",
    "social-capital": "lin-2019",
    "taobao-village-elite": "elite-life-course",
    "mobilises": "sun-2025",
    "planetary-urbanisation": "sun-2025",
    "urban-society": "sun-2025",
    "asiatic-community": "sun-2025",
}
URBANKG = [shutil.which("urbankg")] if shutil.which("urbankg") else [sys.executable, "-m", "urbankg.cli"]


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    graph = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    graph.ensure_bundled()
    yield graph
    graph.close()


def concept(slug: str) -> URIRef:
    return URIRef(f"{ID}concept/{slug}")


# -- the nine concepts ----------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(MOVED))
def test_a_moved_concept_is_in_the_ontology_with_its_source_and_evidence(g, slug):
    c = concept(slug)
    assert (c, RDF.type, SKOS.Concept) in g, f"{ONTOLOGY}: concept/{slug} is not defined"
    assert URIRef(f"{ID}work/{MOVED[slug]}") in set(g.objects(c, PROV.wasDerivedFrom)), slug
    quotes = list(g.objects(c, UKG.evidence))
    assert quotes and all(g.value(q, OA.exact) and g.value(q, DCTERMS.source) for q in quotes), slug


def test_no_corpus_file_defines_a_concept():
    for path in expand_paths([CORPUS]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not re.match(r"concepts\s*:", line), f"{path}:{number}: concepts belong in {ONTOLOGY}"
        graph = load_file(path).graph
        defined = set(graph.subjects(RDF.type, SKOS.Concept))
        assert not defined, f"{path}: defines {sorted(defined)}"


def test_concepts_md_lists_every_concept_iri(g):
    listed = set(re.findall(r"`(concept/[^`]+)`", CONCEPTS_MD.read_text(encoding="utf-8")))
    defined = {str(c).removeprefix(ID) for c in g.subjects(RDF.type, SKOS.Concept)}
    assert defined - listed == set(), f"{CONCEPTS_MD}: missing {sorted(defined - listed)}"
    assert listed - defined == set(), f"{CONCEPTS_MD}: lists concepts the ontology lacks {sorted(listed - defined)}"


def test_concepts_md_lists_every_mapping(g):
    listed = set(re.findall(r"`(mapping/[^`]+)`", CONCEPTS_MD.read_text(encoding="utf-8")))
    recorded = {str(node).removeprefix(ID) for node, *_ in correspondences(g) if str(node).startswith(ID + "mapping/")}
    assert recorded and recorded == listed, f"{CONCEPTS_MD}: lists {sorted(listed)}, the ontology {sorted(recorded)}"


# -- mappings -------------------------------------------------------------------------------


def test_translocality_is_a_close_match_of_translocal_social_relations(g):
    a, b = concept("translocality"), concept("translocal-social-relations")
    assert (a, SKOS.closeMatch, b) in g and (b, SKOS.closeMatch, a) in g  # closeMatch is symmetric


def correspondences(g):
    for node in g.subjects(RDF.type, UKG.Correspondence):
        yield (
            node,
            g.value(node, UKG.subjectConcept),
            g.value(node, UKG.matchPredicate),
            g.value(node, UKG.objectConcept),
        )


def test_every_mapping_is_recorded_with_who_asserts_it_and_a_quote(g):
    recorded = {(s, p, o) for _node, s, p, o in correspondences(g)}
    mapped = [(s, p, o) for p in MAPPINGS for s, o in g.subject_objects(p)]
    assert mapped, "the ontology maps no concepts"
    for s, p, o in mapped:
        assert (s, p, o) in recorded or (o, p, s) in recorded, f"{ONTOLOGY}: {s} {p} {o} has no ukg:Correspondence"
    for node, s, p, o in correspondences(g):
        if not str(node).startswith(ID + "mapping/"):
            continue
        assert (s, p, o) in g, f"{node}: the mapping it records is not stated"
        agent = g.value(node, PROV.wasAttributedTo)
        assert agent is not None and (agent, RDF.type, PROV.Agent) in g, f"{node}: who asserts it?"
        assert g.value(node, UKG.assertionStatus) in (UKG.StatedByPaper, UKG.InferredByAnnotator), node
        sources = set()
        for quote in g.objects(node, UKG.evidence):
            source = g.value(quote, DCTERMS.source)
            sources.add(source)
            seeds = {f"{ID}work/lin-2019": "001", f"{ID}work/sun-2025": "002"}
            if str(source) in seeds and SEEDS.is_dir():
                (seed,) = SEEDS.glob(seeds[str(source)] + "_*.txt")
                text = normalise(seed.read_text(encoding="utf-8"))
                assert normalise(str(g.value(quote, OA.exact))) in text, f"{node}: quote not in {seed.name}"
        # grounded in each paper whose concept it maps
        assert sources >= set(g.objects(node, PROV.wasDerivedFrom)), node
        assert len(sources) >= 2, f"{node}: a quote from each side"


# -- concept-citations follows mappings on request ------------------------------------------


def citing_papers(kg, **params) -> set[str]:
    result = Catalogue().run(kg, "concept-citations", params)
    return {row["citing_paper"].value.removeprefix(ID) for row in result}


def test_concept_citations_follows_no_mapping_by_default(kg):
    assert citing_papers(kg, concept="translocality") == {"work/lin-2019"}
    assert citing_papers(kg, concept="translocality", mappings="none") == {"work/lin-2019"}


def test_concept_citations_with_close_mappings_shows_both_papers(kg):
    assert citing_papers(kg, concept="translocality", mappings="close") == {"work/lin-2019", "work/sun-2025"}
    assert citing_papers(kg, concept="translocality", mappings="all") == {"work/lin-2019", "work/sun-2025"}
    # and from the other side
    assert "work/lin-2019" in citing_papers(kg, concept="translocal-social-relations", mappings="close")
    assert "work/lin-2019" not in citing_papers(kg, concept="translocal-social-relations")


def test_the_mappings_parameter_takes_only_its_choices(kg):
    with pytest.raises(ParameterError, match="one of none, close, all"):
        Catalogue().run(kg, "concept-citations", {"concept": "translocality", "mappings": "close } #"})


def test_the_cli_follows_mappings_on_request(tmp_path):
    def papers(*extra):
        result = subprocess.run(
            [*URBANKG, "--store", str(tmp_path / "store"), "ask", "concept-citations", "--format", "json"]
            + ["--concept", "translocality", *extra],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)["results"]["bindings"]
        return {row["citing_paper"]["value"].removeprefix(ID) for row in rows}

    assert papers() == {"work/lin-2019"}
    assert papers("--mappings", "close") == {"work/lin-2019", "work/sun-2025"}


# -- language tags ----------------------------------------------------------------------------


def test_every_label_and_definition_of_the_ontology_has_a_language_tag(g):
    untagged = [
        (s, p)
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.definition)
        for s, o in g.subject_objects(p)
        if not o.language
    ]
    assert untagged == [], f"{ONTOLOGY}: untagged {untagged[:5]}"


def test_annotation_concepts_are_loaded_with_english_labels(tmp_path):
    path = tmp_path / "concept.yaml"
    path.write_text(
        "concepts:\n  - id: concept/x\n    label: x things\n    alt_labels: [an x]\n"
        "    definition: The things.\n    scheme: [framework/phenomena]\n",
        encoding="utf-8",
    )
    graph = load_file(path).graph
    c = concept("x")
    assert graph.value(c, SKOS.prefLabel) == Literal("x things", lang="en")
    assert graph.value(c, SKOS.altLabel) == Literal("an x", lang="en")
    assert graph.value(c, SKOS.definition) == Literal("The things.", lang="en")


def test_the_shapes_reject_an_untagged_label_at_its_line(kg, tmp_path):
    path = tmp_path / "concept.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"<{ID}concept/x> a skos:Concept ;\n"
        '    skos:prefLabel "x things" ;\n'
        '    skos:definition "The things."@en ;\n'
        f"    skos:inScheme <{ID}framework/phenomena> ; skos:topConceptOf <{ID}framework/phenomena> .\n",
        encoding="utf-8",
    )
    found = kg.validate([path])
    assert [p.message for p in found if "language tag" in p.message], found
    problem = next(p for p in found if "language tag" in p.message)
    assert problem.file == str(path) and problem.severity == "error"
    assert problem.line in (2, 3), problem
