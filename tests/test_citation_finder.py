"""Each in-text citation form of the issue, on short texts written here, found and resolved
against a reference list parsed by the real CRF model."""

from __future__ import annotations

from pathlib import Path

from urbankg.loaders.extraction.citation_finder import entry_keys, find_citations, known_families, resolve
from urbankg.loaders.extraction.fulltext import analyse
from urbankg.loaders.extraction.reference_parser import default_parser

AUTHOR_YEAR_REFERENCES = """
References

Adler, K. (2004). Harbours and hinterlands. London: Verso.
Brandt, M. (1991). Wires under the city. Paris: Seuil.
Brandt, M. (2006). Networks of the everyday. Amsterdam: Techne Press.
Castell, R., Dorn, S., & Evers, T. (2011). Market villages at the urban fringe. Urban Studies, 48(2), 100–120.
Castell, R., & Ito, M. (2016). Parcels and platforms. Cities, 50, 1–10.
Fenwick, J. (2008). A short history of the arcade. Journal of Urban History, 12, 33–50.
Gale, P. (2009). Roads without maps. Geography Review, 3, 4–9.
Gale, P. (2012). Maps without roads. Geography Review, 6, 7–19.
Holm, E., & Ruiz, A. (2015). Shops in the village. Rural Studies, 9(1), 5–25.
Statistical Office of Lisbon (2016). Annual report on commerce. Lisbon: SOL.
"""


def cite(body: str, references: str = AUTHOR_YEAR_REFERENCES):
    doc = analyse(Path("synthetic.txt"), text="1. Introduction\n\n" + body + "\n" + references)
    parser = default_parser()
    parsed = [parser.parse(e.text) for e in doc.entries]
    citations = find_citations(doc, known_families(parsed))
    resolve(citations, entry_keys(parsed, [e.number for e in doc.entries]))
    return doc, parsed, citations


def targets(parsed, citation):
    """(first author, year) of each resolved work, or the status when not resolved."""
    out = []
    for w in citation.works:
        if w.entry is None:
            out.append(w.status)
        else:
            out.append((parsed[w.entry].authors[0].family, parsed[w.entry].year))
    return out


def test_parenthetical_with_two_years_of_one_author():
    _, parsed, [c] = cite("Cities are wired (Brandt, 1991, 2006).")
    assert c.form == "parenthetical" and c.text == "(Brandt, 1991, 2006)"
    assert targets(parsed, c) == [("Brandt", 1991), ("Brandt", 2006)]


def test_narrative_with_page_locator():
    _, parsed, [c] = cite("According to the geographer Adler (2004, 251), ports make regions.")
    assert c.form == "narrative" and c.text == "Adler (2004, 251)"
    assert c.locator == "251"
    assert targets(parsed, c) == [("Adler", 2004)]


def test_et_al_parenthetical_and_narrative():
    _, parsed, cs = cite("Villages grow (Castell et al., 2011). Castell et al. (2011) say so too.")
    assert [c.form for c in cs] == ["parenthetical", "narrative"]
    assert cs[1].text == "Castell et al. (2011)"
    assert all(targets(parsed, c) == [("Castell", 2011)] for c in cs)


def test_several_works_separated_by_semicolons_with_eg_prefix():
    _, parsed, [c] = cite("Clusters help (e.g. Fenwick, 2008; Holm & Ruiz, 2015; Statistical Office of Lisbon, 2016).")
    assert c.prefix == "e.g."
    assert targets(parsed, c) == [("Fenwick", 2008), ("Holm", 2015), ("Statistical Office of Lisbon", 2016)]


def test_page_locator_in_parenthetical():
    _, parsed, [c] = cite("Homes are networks (Brandt, 2006, p.47).")
    assert c.locator == "p.47"
    assert targets(parsed, c) == [("Brandt", 2006)]


def test_narrative_list_of_authors_takes_every_name_but_not_the_sentence_opening():
    _, parsed, cs = cite(
        "Similarly, Holm and Ruiz (2015) indicate growth. In Lisbon, Castell, Dorn, and Evers (2011) agree."
    )
    assert [c.text for c in cs] == ["Holm and Ruiz (2015)", "Castell, Dorn, and Evers (2011)"]
    assert targets(parsed, cs[1]) == [("Castell", 2011)]


def test_co_authors_pick_between_entries_of_one_first_author():
    _, parsed, cs = cite("Parcels move (Castell & Ito, 2016). Markets move (Castell, Dorn, & Evers, 2011).")
    assert targets(parsed, cs[0]) == [("Castell", 2016)]
    assert targets(parsed, cs[1]) == [("Castell", 2011)]


def test_ibid_refers_to_the_work_cited_just_before():
    _, parsed, cs = cite("Arcades spread (Fenwick, 2008). They closed later (ibid).")
    assert targets(parsed, cs[1]) == [("Fenwick", 2008)]
    assert "ibid" in cs[1].works[0].note


def test_missing_entry_is_unresolved_not_guessed():
    _, parsed, [c] = cite("Nobody wrote this (Quint, 1999).")
    w = c.works[0]
    assert (w.status, w.entry) == ("unresolved", None)
    assert "Quint" in w.note


def test_year_not_in_list_with_one_entry_by_author_is_linked_and_flagged():
    _, parsed, [c] = cite("Harbours matter (Adler, 2005).")
    w = c.works[0]
    assert w.status == "year-mismatch" and parsed[w.entry].year == 2004
    assert "2005" in w.note and "2004" in w.note


def test_year_not_in_list_with_two_entries_by_author_is_ambiguous():
    _, parsed, [c] = cite("Roads matter (Gale, 2010).")
    w = c.works[0]
    assert (w.status, w.entry) == ("ambiguous", None)
    assert sorted(parsed[k].year for k in w.candidates) == [2009, 2012]


def test_parentheses_that_are_not_citations_are_ignored():
    _, _, cs = cite(
        "We met them (Interview on December 2015) in shops (with 5–7 floors) and cafés (ViCs) (Fig. 2) "
        "from 2002 to 2012 (2016–2017)."
    )
    assert cs == []


def test_citation_across_a_page_break():
    _, parsed, [c] = cite("Everyday life (Castell, Dorn, &\n\nEvers, 2011), as it is lived.")
    assert c.text == "(Castell, Dorn, & Evers, 2011)"
    assert targets(parsed, c) == [("Castell", 2011)]


NUMBERED_REFERENCES = """
REFERENCES

1. Brenner N, Schmid C. Towards a new urban theory. City. 2015; 19(2): 151–82.
2. Lefebvre H. The urban revolution. Minneapolis: University of Minnesota Press; 2003.
3. Moss T. Water and the city. Urban Stud. 2017; 54(1): 1–20.
4. Ortiz M. Villages online. J Rural Stud. 2020; 80: 10–20.
5. Park S. Platform towns and the making of rural markets. Cities. 2021; 110: 1–9.
6. Quinn D. Rural logistics after the parcel boom. Geoforum. 2019; 99: 5–15.
7. Roy A. Informal urbanism. Planning Theory. 2005; 4(2): 147–58.
"""


def test_numbered_ranges_lists_and_narrative_numbers():
    _, parsed, cs = cite(
        "Introduced by Brenner and Schmid [1], building upon Lefebvre's [2] work. Villages revive [4–7]. "
        "It is planetary [1, 3, 5]. See [9] too.",
        NUMBERED_REFERENCES,
    )
    assert [c.text for c in cs] == ["[1]", "[2]", "[4–7]", "[1, 3, 5]", "[9]"]
    assert [w.number for w in cs[2].works] == [4, 5, 6, 7]
    assert [parsed[w.entry].authors[0].family for w in cs[3].works] == ["Brenner", "Moss", "Park"]
    assert all(w.status == "resolved" for c in cs[:4] for w in c.works)
    assert cs[4].works[0].status == "unresolved" and "1–7" in cs[4].works[0].note


def test_numbered_locator():
    _, _, [c] = cite("As argued [3, p. 12].", NUMBERED_REFERENCES)
    assert c.locator == "p. 12" and c.works[0].number == 3


def test_a_name_that_is_also_a_pronoun_cites_when_listed():
    references = (
        AUTHOR_YEAR_REFERENCES + "He, S. J. (2013). Evolving enclave urbanism. Social Geography, 14, 243–275.\n"
    )
    _, parsed, cs = cite(
        "In China, villages are enclaves. He (2013) argues that they are mobile. He left (1999).", references
    )
    assert [c.text for c in cs] == ["He (2013)"]
    assert targets(parsed, cs[0]) == [("He", 2013)]


def test_source_without_a_year_after_based_on_is_linked_and_flagged():
    _, parsed, cs = cite(
        "Fig. 3. Shops per village (based on Fenwick). Fig. 4. Roads (based on Gale). Fig. 5. Towns (based on Nobody)."
    )
    assert [c.text for c in cs] == ["(based on Fenwick)", "(based on Gale)"]
    fenwick, gale = cs[0].works[0], cs[1].works[0]
    assert fenwick.status == "no-year" and parsed[fenwick.entry].year == 2008 and "without a year" in fenwick.note
    assert gale.status == "ambiguous" and gale.entry is None and len(gale.candidates) == 2


def test_numbered_range_across_brackets_and_a_statistic_in_brackets():
    _, parsed, cs = cite(
        "Villages revive [2]–[5], [7]. The effect held (F[1,12] = 8.42, p < 0.05) and [x2] [6] = 3.",
        NUMBERED_REFERENCES,
    )
    assert [c.text for c in cs] == ["[2]–[5]", "[7]"]
    assert [w.number for w in cs[0].works] == [2, 3, 4, 5]
    assert all(w.status == "resolved" for w in cs[0].works)


def test_prose_and_figures_beside_citations_keep_the_group():
    _, parsed, cs = cite(
        "Arcades closed (reviewed in Fenwick, 2008; see also Holm and Ruiz, 2015 for a survey). "
        "Shops moved (Figure 2A; Adler, 2004) and roads (measured in 2010; Interview, 2011)."
    )
    assert [targets(parsed, c) for c in cs] == [[("Fenwick", 2008), ("Holm", 2015)], [("Adler", 2004)]]


def test_author_year_citation_in_square_brackets():
    _, parsed, [c] = cite("Markets grew [Castell et al., 2011; Gale, 2012].")
    assert targets(parsed, c) == [("Castell", 2011), ("Gale", 2012)]


SAME_AUTHOR_AND_YEAR = """
References

Novak, E., & Pires, L. (2010). Ferry towns. Island Studies, 4, 1–9.
Novak, E., & Pires, L. (2010). Harbour markets. Island Studies, 4, 10–19.
Novak, E., Pires, L., Sato, R., & Quint, A. (2010). Ports and parcels. Island Studies, 4, 20–29.
"""


def test_et_al_prefers_three_authors_and_year_letters_follow_the_list_order():
    _, parsed, cs = cite(
        "Ports changed (Novak et al., 2010). Ferries came first (Novak and Pires, 2010a; Novak and Pires, 2010b).",
        SAME_AUTHOR_AND_YEAR,
    )
    assert [w.entry for c in cs for w in c.works] == [2, 0, 1]
    assert all(w.status == "resolved" for c in cs for w in c.works)


def test_numbered_citation_at_the_start_of_a_wrapped_line_after_a_short_word():
    _, _, cs = cite("Markets grow, as shown in\n[3] and as\n[5, 6] say.", NUMBERED_REFERENCES)
    assert [[w.number for w in c.works] for c in cs] == [[3], [5, 6]]


def test_narrative_with_colleagues_or_et_al_without_its_full_stop():
    _, parsed, cs = cite("Castell and colleagues (2011) counted shops. Castell et al (2011) counted again.")
    assert [c.text for c in cs] == ["Castell and colleagues (2011)", "Castell et al (2011)"]
    assert all(targets(parsed, c) == [("Castell", 2011)] and c.works[0].et_al for c in cs)
