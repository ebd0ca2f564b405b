"""Full text: a PDF generated here with fpdf2 is read with pypdf, its reference list found and
split, its citations resolved; reference-list layouts and sentences on short texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbankg.errors import SourceError
from urbankg.loaders.extraction.extractor import extract
from urbankg.loaders.extraction.fulltext import analyse, read_text, strip_markup

fpdf = pytest.importorskip("fpdf", reason="[component] fpdf2 generates the test PDF (pip install fpdf2)")

BODY = [
    "1. Introduction",
    "Market villages have spread along the urban fringe of many cities in the last decade (Castell, Dorn, "
    "& Evers, 2011). Brandt (2006) argues that everyday networks shape these places. Parcels and platforms "
    "now link them to distant buyers (e.g. Castell & Ito, 2016; Adler, 2004).",
    "2. Method",
    "We walked the streets and counted shops, following the approach of Holm and Ruiz (2015, p. 12).",
]
REFERENCES = [
    "Adler, K. (2004). Harbours and hinterlands: the long history of port regions and the towns that "
    "serve them. London: Verso.",
    "Brandt, M. (2006). Networks of the everyday. Amsterdam: Techne Press.",
    "Castell, R., Dorn, S., & Evers, T. (2011). Market villages at the urban fringe: informal trade, "
    "migrant labour and the making of a new periphery. Urban Studies, 48(2), 100-120.",
    "Castell, R., & Ito, M. (2016). Parcels and platforms. Cities, 50, 1-10.",
    "Holm, E., & Ruiz, A. (2015). Shops in the village. Rural Studies, 9(1), 5-25.",
]


def make_pdf(path: Path) -> Path:
    pdf = fpdf.FPDF(format=(148, 210))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for paragraph in BODY:
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.add_page()  # the reference list on a page of its own, as papers often do
    pdf.multi_cell(0, 5, "References", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for entry in REFERENCES:  # long entries wrap over several lines in the PDF
        pdf.multi_cell(0, 5, entry, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("pdf") / "paper.pdf")


def test_pdf_text_is_read_with_its_pages(pdf_path):
    text = read_text(pdf_path, progress=False)
    assert "Market villages have spread" in text
    assert "Holm, E., & Ruiz, A. (2015)" in text


def test_pdf_reference_list_wrapped_over_lines_is_split_into_entries(pdf_path):
    doc = analyse(pdf_path, progress=False)
    assert doc.style == "author-year"
    assert [e.text.split(" ", 1)[0] for e in doc.entries] == ["Adler,", "Brandt,", "Castell,", "Castell,", "Holm,"]
    assert doc.entries[2].text.endswith("Urban Studies, 48(2), 100-120.")
    assert "\n" not in doc.entries[0].text


def test_pdf_citations_resolve_end_to_end(pdf_path):
    ex = extract(pdf_path, "work/test-2024", progress=False)
    found = {
        (c.citation.text, ex.references[w.entry].key)
        for c in ex.citations
        for w in c.citation.works
        if w.status == "resolved"
    }
    assert found == {
        ("(Castell, Dorn, & Evers, 2011)", "castell-2011"),
        ("Brandt (2006)", "brandt-2006"),
        ("(e.g. Castell & Ito, 2016; Adler, 2004)", "castell-2016"),
        ("(e.g. Castell & Ito, 2016; Adler, 2004)", "adler-2004"),
        ("Holm and Ruiz (2015, p. 12)", "holm-2015"),
    }
    holm = next(c for c in ex.citations if c.citation.text.startswith("Holm"))
    assert holm.section == "2. Method" and holm.citation.locator == "p. 12"


def test_numbered_list_starts_an_entry_only_at_the_next_number():
    text = (
        "Intro [1].\n\nREFERENCES\n\n1. Brenner N. Urban theory. City. 2015;\n19(2): 151–82.\n"
        "2. Lefebvre H. The urban revolution.\n2003 printing. Minneapolis: University Press; 2003.\n"
    )
    doc = analyse(Path("t.txt"), text=text)
    assert doc.style == "numbered"
    assert [e.number for e in doc.entries] == [1, 2]
    assert doc.entries[0].text == "Brenner N. Urban theory. City. 2015; 19(2): 151–82."


def test_markdown_bullets_and_emphasis_are_removed_from_entries():
    text = (
        "Body.\n\n## References\n\n- Harvey, D. (1973). *Social justice and the city*. London: Arnold.\n"
        "- Lai, Y. (2016). Villages. *Urban Studies*. <https://doi.org/10.1177/00420980>.\n"
    )
    doc = analyse(Path("t.md"), text=text)
    assert [e.text for e in doc.entries] == [
        "Harvey, D. (1973). Social justice and the city. London: Arnold.",
        "Lai, Y. (2016). Villages. Urban Studies. https://doi.org/10.1177/00420980.",
    ]
    assert strip_markup("**Layer 1:** ICT") == "Layer 1: ICT"


def test_sentences_ignore_abbreviations_and_cross_page_breaks():
    text = (
        "1. Intro\n\nAs shown (e.g. Smith et al., 2001) and in Fig. 2 the town grew.\n\n"
        "It kept\n\ngrowing. Then it stopped."
    )
    doc = analyse(Path("t.txt"), text=text)
    sentences = [" ".join(doc.text[a:b].split()) for a, b in doc.sentences]
    assert "As shown (e.g. Smith et al., 2001) and in Fig. 2 the town grew." in sentences
    assert "It kept growing." in sentences


def test_unreadable_files_name_the_file_and_what_would_work(tmp_path):
    odd = tmp_path / "paper.docx"
    odd.write_bytes(b"PK")
    with pytest.raises(SourceError) as caught:
        read_text(odd)
    assert caught.value.problems[0].file.endswith("paper.docx")
    assert ".txt (UTF-8) or .pdf" in caught.value.problems[0].message
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(SourceError, match="broken.pdf"):
        read_text(bad)


def test_numbered_list_in_a_narrow_column_is_numbered_however_long_its_entries():
    # each entry wraps over three or four lines, so numbered lines are fewer than a third of the list
    text = (
        "Body [1], [2].\n\nReferences\n[1] Okafor N: Street trade\nand the informal city: a\nstudy of markets.\n"
        "Urban Stud 1999,\n5:3–18.\n[2] Lind P, Moreau A: Walking\nto work in small towns\nof the north. "
        "J Transp\nGeogr 2004, 12:7–10.\n[3] Abe K: Ferry\nports and their\nhinterlands. Cities\n2010, 3:1–9.\n"
    )
    doc = analyse(Path("t.txt"), text=text)
    assert doc.style == "numbered"
    assert [e.number for e in doc.entries] == [1, 2, 3]
    assert doc.entries[1].text == (
        "Lind P, Moreau A: Walking to work in small towns of the north. J Transp Geogr 2004, 12:7–10."
    )


def test_running_header_and_page_number_at_a_page_break_stay_out_of_entries():
    header = "Town Review | Markets at the fringe"
    pages = [
        f"{header}\nMarkets grew [1].\n1",
        f"{header}\nThey kept growing [2].\n2",
        f"{header}\nAnd then stopped.\n\nReferences\n1. Okafor N. Street trade and the\ninformal city. Urban Stud.\n3",
        f"{header}\n1999;5:3–18.\n2. Lind P. Walking to work. J Transp Geogr. 2004;12:7–10. doi:10.1/abc.1-\n2\n"
        "3. Abe K. Ferry ports. Cities. 2010;3:1–9.\n4",
    ]
    doc = analyse(Path("t.pdf"), text="\n\n".join(pages))
    assert [e.text for e in doc.entries] == [
        "Okafor N. Street trade and the informal city. Urban Stud. 1999;5:3–18.",
        # a number inside an entry, away from a page break, stays
        "Lind P. Walking to work. J Transp Geogr. 2004;12:7–10. doi:10.1/abc.1- 2",
        "Abe K. Ferry ports. Cities. 2010;3:1–9.",
    ]
    assert header in doc.text  # the text itself is kept as read


def test_author_year_entries_wrapped_in_a_narrow_column():
    # lines wrapped at the column's edge: inside a long author list (between a family name and its
    # initials), after a lowercase word, inside a journal's name; a corporate author; a journal
    # name that reads like "Family, Given"
    text = (
        "Body.\n\nReferences\n"
        "Okafor N, Lind P, Moreau A, Sato R, Abe K, Novak\n"
        "E, Pires L. 2011. Street trade and the night\n"
        "economy. Urban Stud 48:1–9.\n"
        "Quint A. 1985. La ville et les marchés chez les\n"
        "Pêcheurs II. Annales de Géographie Urbaine et\n"
        "Rurale 7:23–40.\n"
        "City Data Team. 2012. Town census tables.\n"
        "Ruiz T. 2010. Ferry ports of the southern coast.\n"
        "Palaeogeography, Geography, Topography Review\n"
        "Quarterly 35:1–20. doi:10.1000/xyz.2010.1\n"
        "Sato R. 2004. Parcel lockers. Cities 3:4–5.\n"
    )
    doc = analyse(Path("t.txt"), text=text)
    assert [e.text.split(".")[0] for e in doc.entries] == [
        "Okafor N, Lind P, Moreau A, Sato R, Abe K, Novak E, Pires L",
        "Quint A",
        "City Data Team",
        "Ruiz T",
        "Sato R",
    ]
    assert doc.entries[1].text.endswith("Annales de Géographie Urbaine et Rurale 7:23–40.")


def test_the_sentences_around_an_offset():
    text = "First sentence here. Second one (Lin, 2019) follows. Third closes it.\n"
    doc = analyse(Path("neighbours.txt"), text=text, progress=False)
    at = text.index("(Lin")
    before, after = doc.sentence_before(at), doc.sentence_after(at)
    assert before is not None and text[before[0] : before[1]] == "First sentence here."
    assert after is not None and text[after[0] : after[1]] == "Third closes it."
    assert doc.sentence_after(text.index("closes")) is None  # the last sentence has none after it
