"""The lexical scan of SPARQL text (urbankg.sparql_scan): a query's form, as the remote store
reads it, and Oxigraph's lexical rules (glued keywords, escapes only inside strings and IRIs).

The rewrites built on it are tested in test_server_sparql_text.py (updates) and
test_sparql_store.py (pre-bound values).
"""

from __future__ import annotations

import pytest

from urbankg.sparql_scan import scan, tokens


@pytest.mark.parametrize(
    "query, form",
    [
        ("PREFIX a: <http://a/> SELECT * FROM <g> WHERE { { SELECT ?x WHERE {} } }", "SELECT"),
        ("BASE <http://b/> ASK {}", "ASK"),
        ("construct where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <x> FROM NAMED <g>", "DESCRIBE"),
        ("SELECT * WHERE { ?s <http://x/from> ?o } # FROM <g>", "SELECT"),
    ],
)
def test_query_form(query, form):
    assert scan(query).query_form() == form


def test_numbers_split_from_what_follows_and_escapes_make_no_keyword():
    found = tokens("SELECT * { ?o trueSERVICE <x> {} 1SERVICE \\u0053ERVICE }")
    texts = [t.text for t in found]
    assert texts[texts.index("1") + 1] == "SERVICE"  # 1SERVICE is read as 1 SERVICE
    assert "trueSERVICE" in texts  # one bare word: the request parser searches it for keywords
    assert [t.text for t in found if t.is_keyword("SERVICE")] == ["SERVICE"]  # not the escaped one
    assert not any(t.is_keyword("SERVICE") for t in tokens('ASK { ?s ?p "SERVICE" . <SERVICE> ?p ?o }'))


def test_comments_and_strings_hide_what_they_hold():
    assert scan('# SELECT\nASK { ?s ?p "CONSTRUCT" }').query_form() == "ASK"
