"""Search (urbankg.search) on a real store holding the bundled ontology and corpus."""

import pytest

from canned import bundled_store
from urbankg import search
from urbankg.search import CONTAINS, EXACT, STARTS, WORD_STARTS, Hit

kg = pytest.fixture(scope="module", name="kg")(bundled_store)  # one store for the module


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


def test_an_alternative_label_finds_its_concept_whatever_the_spelling(kg):
    # The ontology writes "in-situ urbanization"; scholars write both.
    hits = search.search(kg.store, "in-situ urbanisation")
    hit = next(h for h in hits if h.id == "concept/rural-development")
    assert hit == Hit(
        iri="https://w3id.org/urbankg/id/concept/rural-development",
        id="concept/rural-development",
        label="rural development and poverty alleviation",
        kind="concept",
        matched="in-situ urbanization",
    )
    assert hits[0] == hit  # the concept's label is all the text; the work's title only contains it


def test_case_and_accents_do_not_matter(kg):
    for text in ("RESEAUX", "réseaux", "Réseaux"):
        hits = search.search(kg.store, text)
        framework = next(h for h in hits if h.id == "framework/network-urbanism")
        assert (framework.kind, framework.label, framework.matched) == (
            "framework",
            "Network urbanism",
            "L'urbanisme des réseaux",
        )


def test_exact_labels_first_then_starts_then_word_starts_then_contains(kg):
    hits = search.search(kg.store, "network urbanism", limit=50)
    assert ids(hits)[:2] == ["concept/network-urbanism", "framework/network-urbanism"]  # exact, concept first
    assert "work/dupuy-2008" in ids(hits)[2:]  # "Urban networks -- network urbanism" only contains it
    lin = search.search(kg.store, "Lin", kinds={"person", "claim"}, limit=100)
    starts = ids(lin).index("claim/lin-2019/proximity-drives-vic-taobao-villages")  # "Lin's villages ..."
    word = ids(lin).index("person/lin-y")  # "Yanliu Lin"
    assert starts < word


def test_a_preferred_label_comes_before_an_alternative_one_of_the_same_rank(kg):
    # "Taobao village location" is an alternative label; claims starting "Taobao villages" are preferred.
    hits = ids(search.search(kg.store, "taobao village", limit=100))
    assert hits[0] == "concept/taobao-village"
    assert hits.index("claim/lin-2019/agglomeration-of-e-tailers") < hits.index("concept/taobao-village-location")


def test_every_kind_is_found_and_kinds_filter(kg):
    found = {
        "case/xiniujiao": ("Taobao village in the city", "case"),
        "place/china": ("china", "place"),
        "work/lin-2019": ("E-urbanism: E-commerce, migration", "work"),
        "person/lin-y": ("Yanliu", "person"),
        "claim/lin-2019/development-issues": ("overcrowded roads", "claim"),
    }
    for id_, (text, kind) in found.items():
        assert (id_, kind) in [(h.id, h.kind) for h in search.search(kg.store, text, limit=100)], text
    only = search.search(kg.store, "network", kinds={"framework"})
    assert only and {h.kind for h in only} == {"framework"}
    both = search.search(kg.store, "network", kinds={"concept", "framework"}, limit=100)
    assert {h.kind for h in both} == {"concept", "framework"}
    with pytest.raises(ValueError, match="a kind is one of concept, framework, case"):
        search.search(kg.store, "network", kinds={"concepts"})


def test_query_syntax_is_just_text(kg):
    for hostile in ('"}) . ?s ?p ?o #', '") } UNION { ?iri ?p ?matched } #', "\\u0022 } #", "<x> ?s ?p"):
        assert search.search(kg.store, hostile) == []
    # A quote in the text is honest text: it finds the labels that have it, the exact one first.
    assert ids(search.search(kg.store, "Xi'niujiao")) == [
        "place/xiniujiao",
        "case/xiniujiao",
        "claim/lin-2019/taobao-villages-at-urban-fringe",
    ]


def test_short_text_finds_nothing_and_limit_is_kept(kg):
    assert search.search(kg.store, "") == []
    assert search.search(kg.store, " u ") == []
    assert len(search.search(kg.store, "ur", limit=5)) == 5
    assert search.search(kg.store, "ur", limit=0) == []


def test_rank_and_short_id():
    assert search.rank("network urbanism", "network urbanism") == EXACT
    assert search.rank("network urbanism", "netw") == STARTS
    assert search.rank("l'urbanizme dez rezeaux", "rezeaux") == WORD_STARTS
    assert search.rank("urban networks", "rban") == CONTAINS
    assert search.short_id("https://w3id.org/urbankg/id/concept/e-commerce") == "concept/e-commerce"
    assert search.short_id("http://example.org/x") == "http://example.org/x"
