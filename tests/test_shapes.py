"""ontology/shapes.ttl: a good and a bad example of every annotation kind, end to end.

Each example under tests/data/annotations/ goes through the real gate
(KnowledgeGraph.validate: loader, ontology context, pyshacl); a bad example must be
reported with the scholar's message at the line of the key to fix.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, SH, Graph, URIRef
from rdflib.collection import Collection

from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.loaders.annotation_mapping import load_mapping

DATA = Path(__file__).resolve().parent / "data" / "annotations"
SHAPES = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "urbankg.ttl"

# file -> every problem expected: (line, words the message must contain)
BAD = {
    "work.yaml": [
        (3, "A work needs a title"),
        (6, "A DOI is written without `https://doi.org/`"),
    ],
    "reference.yaml": [
        (4, "A reference entry needs its text as printed"),
        (6, "is not a known work: add it under `works:` (or load the bibliography first)"),
    ],
    "citation.yaml": [
        (7, "An in-text citation needs the citing sentence as a quote"),
        (9, "This is not a known reference entry: load the paper's reference list first"),
        (11, "A citation act needs its intent"),
        (12, "This is not a known concept or framework"),
    ],
    "quote.yaml": [
        (8, "A quote is empty"),
        (8, "A quote must say which work it is from"),
        (9, "A quote must say which work it is from"),
    ],
    "claim.yaml": [
        (4, "A claim is grounded in a quote"),
        (4, "Say who asserts this claim"),
        (6, "A claim cannot both support and challenge the same thing"),
        (7, "A claim challenges a known claim (claim/...) or concept"),
    ],
    "case.yaml": [
        (4, "A case names the works that study it"),
        (4, "A case needs at least one place"),
    ],
    "place.yaml": [
        (3, "A place needs a name"),
        (5, "`within:` is not a known place"),
        (6, "Coordinates are Well-Known Text"),
    ],
    "observation.yaml": [
        (7, "A percentage lies between 0 and 100"),
        (10, "The period ends (2014) before it starts"),
        (12, "An observation needs one unit"),
        (13, "This is not a known measure"),
    ],
    "observation-turtle.ttl": [
        (9, "An observation is grounded in a quote"),
        (13, "A percentage lies between 0 and 100"),
    ],
    "survey.yaml": [
        (7, "A survey cannot have more valid responses than questionnaires distributed"),
        (10, "The categories of this variable add up to 90%, not 100% (± 0.5)"),
        (15, "A share is a percentage between 0 and 100"),
        (16, "A share is a percentage between 0 and 100"),
    ],
    "crosswalk.yaml": [
        (4, "A crosswalk is grounded in a quote"),
        (4, "Say who asserts this crosswalk"),
        (5, "A crosswalk relates two different concepts"),
        (8, "Confidence is one number between 0 and 1"),
    ],
    "relation.yaml": [
        (5, "A stakeholder needs a role"),
        (8, "A relation needs one kind"),
        (10, "The `to:` of a relation is not a known stakeholder"),
    ],
    "concept.yaml": [
        (3, "A framework needs a definition"),
        (6, "A concept belongs to a framework or vocabulary"),
        (6, "A concept needs a definition in your own words"),
        (8, "`broader:` names a known concept"),
    ],
    "informant.yaml": [
        (3, "An informant names the paper that describes them"),
        (3, "An informant needs a label that says whose informant it is"),
        (6, "A person needs a name"),
    ],
}


@pytest.fixture(scope="module")
def kg():
    """A store holding the papers the examples annotate: each id an example points at exists."""
    graph = KnowledgeGraph.in_memory()
    graph.load([DATA / "known.yaml", DATA / "good" / "work.yaml"])
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def test_shapes_conform_to_the_w3c_shapes_for_shacl_graph(shapes):
    conforms, _report, text = pyshacl.validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_the_gate_uses_these_shapes():
    assert config.shapes_file().resolve() == SHAPES.resolve()


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "good").iterdir()))
def test_a_good_example_passes(kg, name):
    assert kg.validate([DATA / "good" / name]) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_example_is_reported_with_message_and_line(kg, name):
    path = DATA / "bad" / name
    found = kg.validate([path])
    assert all(p.file == str(path) and p.severity == "error" for p in found)
    unmatched = list(found)
    for line, words in BAD[name]:
        match = next((p for p in unmatched if p.line == line and words in p.message), None)
        assert match, f"{name}: expected at line {line}: {words!r}; got:\n" + "\n".join(map(str, found))
        unmatched.remove(match)
    assert not unmatched, f"{name}: unexpected problems:\n" + "\n".join(map(str, unmatched))


def test_every_bad_example_file_is_checked():
    assert {p.name for p in (DATA / "bad").iterdir()} == set(BAD)


def test_a_long_quote_is_a_warning_not_an_error(kg, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(
        "paper: work/example-2019\nmeasures:\n  - id: measure/long\n    label: L\n"
        "claims:\n  - id: claim/long\n    statement: S.\n    asserted_by: paper\n"
        '    evidence: ["' + "word " * 150 + '"]\n',
        encoding="utf-8",
    )
    found = kg.validate([path])
    assert [(p.line, p.severity) for p in found] == [(9, "warning")]
    assert "This quote is long" in found[0].message


def test_a_reference_to_an_entity_of_another_file_of_the_same_load_is_known(kg, tmp_path):
    places = tmp_path / "places.yaml"
    places.write_text("places:\n  - id: place/elsewhere\n    name: Elsewhere\n", encoding="utf-8")
    case = tmp_path / "case.yaml"
    case.write_text(
        "cases:\n  - id: case/elsewhere\n    label: E\n    place: place/elsewhere\n    studied_by: work/example-2019\n",
        encoding="utf-8",
    )
    assert [p.message.split(";")[0] for p in kg.validate([case])] == [
        "case/elsewhere: The place of a case is not a known place: define it under `places:` or check the id. "
        "(found: place/elsewhere"
    ]
    assert kg.validate([places, case]) == []


def test_every_required_field_of_the_mapping_has_a_min_count_shape(shapes):
    """The mapping says what is required; the shapes must say it too (for Turtle and JSON-LD)."""
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    mapping = load_mapping()
    missing = []
    for node in mapping.nodes.values():
        classes = {node.cls} | set(ontology.transitive_objects(node.cls, RDFS.subClassOf))
        targeted = {s for c in classes for s in shapes.subjects(SH.targetClass, c)}
        # shapes with a SPARQL target that selects instances of the class (ukgsh:Person)
        curies = {mapping.short(c) for c in classes}
        targeted |= {
            s
            for s, target in shapes.subject_objects(SH.target)
            if any(f"a/rdfs:subClassOf* {c} " in str(shapes.value(target, SH.select)) for c in curies)
        }
        required = {
            shapes.value(ps, SH.path)
            for s in targeted
            for ps in shapes.objects(s, SH.property)
            if shapes.value(ps, SH.minCount) is not None and int(shapes.value(ps, SH.minCount)) >= 1
        }
        for field in node.fields.values():
            if field.required and field.property not in required:
                missing.append(f"{node.name}.{field.name} ({field.property})")
    assert not missing, "required in the mapping but no sh:minCount 1 shape: " + ", ".join(missing)


def test_every_shape_speaks_to_the_scholar(shapes):
    """Every node shape and property shape carries an English sh:message."""
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.objects(None, SH.property))
    assert len(shape_nodes) > 100
    silent = [s for s in shape_nodes if shapes.value(s, SH.message) is None]
    assert not silent, f"{len(silent)} shapes without sh:message, e.g. {silent[0]}"
    for shape in shape_nodes:
        message = str(shapes.value(shape, SH.message))
        assert message[0].isupper() or message[0] == "`", message
        assert "sh:" not in message and "rdf:" not in message, message


def test_enumerations_in_shapes_match_the_mapping_vocabularies(shapes):
    """sh:in lists of assertion status, match and mismatch carry exactly the mapping's values."""
    mapping = load_mapping()
    lists = {}
    for ps in shapes.objects(None, SH.property):
        members = shapes.value(ps, SH["in"])
        if members is not None:
            lists.setdefault(shapes.value(ps, SH.path), set(Collection(shapes, members)))
    ukg = "https://w3id.org/urbankg/ontology#"
    assert lists[URIRef(ukg + "assertionStatus")] == set(mapping.vocabularies["asserted_by"].values())
    assert lists[URIRef(ukg + "matchPredicate")] == set(mapping.vocabularies["match"].values())
    assert lists[URIRef(ukg + "mismatchKind")] == set(mapping.vocabularies["mismatch"].values())


def test_a_case_label_without_a_language_tag_is_refused_at_its_line(tmp_path):
    """Labels of urbankg's entities are tagged (YAML tags them @en); an RDF file must say so."""
    from urbankg.graph import KnowledgeGraph

    path = tmp_path / "untagged.ttl"
    path.write_text(
        "@prefix ukg: <https://w3id.org/urbankg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/urbankg/id/stakeholder/x> a ukg:Stakeholder ;\n"
        '    rdfs:label "Villagers" .\n',
        encoding="utf-8",
    )
    kg = KnowledgeGraph.in_memory()
    problems = [p for p in kg.validate([path]) if "language tag" in p.message]
    assert problems and problems[0].line == 4, problems
    assert '`rdfs:label "Lirendong village"@en`' in problems[0].message
