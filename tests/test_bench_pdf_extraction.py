"""bench/pdf_extraction.py: the gold builder, the scoring and the renderer, on the committed sample (no fetch)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "pdf_extraction"


@pytest.fixture(scope="module")
def pe():
    spec = importlib.util.spec_from_file_location("pdf_extraction", ROOT / "bench" / "pdf_extraction.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pdf_extraction"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def article(pe):
    return pe.build_article(SAMPLE / "journal.pone.0042593-excerpt.xml", "PLOS")


def test_gold_references(pe, article):
    assert article.style == "numbered"
    assert len(article.references) == 10  # the excerpt keeps the first ten of 39
    third = article.references[2]
    assert third.number == 3
    assert third.authors == ["Swami", "Tovée"]
    assert third.title == "Does hunger influence judgements of female physical attractiveness?"
    assert (third.container, third.year, third.volume, third.pages) == ("Br J Psychol", "2006", "97", "353–363")
    assert third.text.startswith("Swami V, Tovée MJ (2006) Does hunger")
    # the committed gold of the whole article agrees with the builder on the excerpt
    gold = json.loads((SAMPLE / "journal.pone.0042593-gold.json").read_text(encoding="utf-8"))
    assert len(gold["references"]) == 39
    assert gold["references"][2] == {k: v for k, v in vars(third).items()}


def test_gold_citations(article):
    by_text = {(c.text, tuple(c.refs)) for c in article.citations}
    assert ("[3]", ("pone.0042593-Swami1",)) in by_text
    # "[6]–[9]" denotes 6, 7, 8 and 9: the second xref carries 7 to 9
    ranged = next(c for c in article.citations if c.text == "[9]")
    assert ranged.refs == ["pone.0042593-Swami3", "pone.0042593-Swami4", "pone.0042593-Swami5"]
    assert "[6]–[9]" in article.sentences[ranged.sentence]
    first = article.citations[0]
    assert first.refs == ["pone.0042593-Anderson1"]
    assert article.sentences[first.sentence].startswith("It is now widely-acknowledged that body size ideals")


def test_prf_and_field_counts(pe):
    assert pe.prf(3, 4, 6) == {
        "precision": 0.75,
        "recall": 0.5,
        "f1": 0.6,
        "correct": 3,
        "extracted": 4,
        "gold": 6,
    }
    assert pe.prf(0, 0, 2)["f1"] == 0.0
    gold = pe.GoldReference("r1", 1, "", ["Harvey", "Smith"], "Social Justice", "", "1973", "5", "1–10", "10.1/X")
    got = {
        "author": ["Harvey"],
        "title": "Social justice.",
        "container": "Antipode",
        "year": "1973",
        "volume": "6",
        "pages": "1-10",
        "doi": "10.1/x",
    }
    counts = pe.field_counts(gold, got)
    assert counts["author"] == (1, 1, 2)
    assert counts["title"] == (1, 1, 1)  # case and punctuation do not count
    assert counts["container"] == (0, 1, 0)  # extracted where the gold has none: a false positive
    assert counts["volume"] == (0, 1, 1)
    assert counts["pages"] == (1, 1, 1)  # en dash and hyphen are the same
    assert counts["doi"] == (1, 1, 1)


def test_match_references_by_number_and_text(pe):
    gold = [
        pe.GoldReference("a", 1, "Harvey D (1973) Social justice and the city."),
        pe.GoldReference("b", 2, "Lin G (2011) Urban China."),
    ]
    assert pe.match_references(gold, [(2, "x"), (1, "y")], "numbered") == {0: 1, 1: 0}
    extracted = [(None, "Lin, G. (2011). Urban China."), (None, "Harvey, D. (1973). Social justice and the city.")]
    assert pe.match_references(gold, extracted, "author-year") == {0: 1, 1: 0}


def test_locate_sentence(pe):
    sentences = [
        pe.key("Average Linkage (AL) [17] is constructed in the same way as the SL, with Eq. 1 replaced by:"),
        pe.key("Complete Linkage (CL) [17] is another variant of SL."),
        pe.key("Another variant, not associated to a spanning tree, is the Complete Linkage (CL) [17]."),
    ]
    assert pe.locate_sentence("a spanning tree, is the Complete Linkage (CL) ", "[17]", ".", "", sentences) == 2
    # the text before crosses into the previous sentence (a paragraph break lost in a PDF): the text after decides
    before = "with Eq. 1 replaced by:\nComplete Linkage (CL) "
    assert pe.locate_sentence(before, "[17]", " is another variant of SL.", "", sentences) == 1


def test_render_text_and_pdf(pe, article, tmp_path):
    from pypdf import PdfReader

    text = pe.render_text(article)
    assert "\nReferences\n" in text
    assert "\n3. Swami V, Tovée MJ (2006)" in text
    pdf = tmp_path / "a.pdf"
    pe.render_pdf(article, text, pdf)
    read = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "\nReferences\n" in read
    assert pe.key("Br J Psychol 97: 353–363") in pe.key(read)  # lines wrap anywhere in an entry
    assert "PLOS |" in read  # the running header
