from urbankg import config
from urbankg.quotes import check_quotes, normalise, work_iri


def test_normalise_joins_line_break_hyphens_and_whitespace():
    assert normalise("the trans-\n  formation of\n\nvillages") == "the transformation of villages"
    assert normalise("\u201cvillages in the city\u201d \u2013 ViCs") == '"villages in the city" - ViCs'


def test_work_iri_accepts_slug_id_or_iri():
    assert work_iri("lin-2019") == work_iri("work/lin-2019") == config.ID_BASE + "work/lin-2019"
    assert work_iri("https://example.org/w") == "https://example.org/w"


def test_check_quotes_reports_found_missing_and_unchecked(disk_kg, tmp_path):
    annotation = tmp_path / "quotes.ttl"
    paper = config.ID_BASE + "work/p"
    other = config.ID_BASE + "work/other"
    annotation.write_text(f"""
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/q1> oa:exact "e-commerce has driven in-situ urbanization" ; dcterms:source <{paper}> .
<https://example.org/q2> oa:exact "the transformation of villages" ; dcterms:source <{paper}> .
<https://example.org/q3> oa:exact "a sentence the paper never wrote" ; dcterms:source <{paper}> .
<https://example.org/q4> oa:exact "anything" ; dcterms:source <{other}> .
<{paper}> a <http://purl.org/spar/fabio/Work> ; dcterms:title "P" .
<{other}> a <http://purl.org/spar/fabio/Work> ; dcterms:title "Other" .
""")
    disk_kg.load([annotation])
    text = tmp_path / "paper.txt"
    text.write_text("They argue that e-\ncommerce has driven in-situ\nurbanization; the trans-\nformation of villages.")
    results = {c.quote.rsplit("/", 1)[1]: c.found for c in check_quotes(disk_kg, {paper: text})}
    assert results == {"q1": True, "q2": True, "q3": False, "q4": None}
