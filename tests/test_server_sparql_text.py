"""The rewrites of an update's text that the protocol's parameters ask for (USING, CLEAR SILENT).

What a request contains for security's sake (SERVICE, LOAD, depth) is not the scan's
business: see test_server_sparql_request.py.
"""

from __future__ import annotations

import pyoxigraph as ox

from urbankg.server.sparql_text import scan


def test_using_clauses_go_before_every_where():
    update = (
        "PREFIX ex: <http://e/> CLEAR ALL ; INSERT DATA { ex:a ex:b ex:c } ;\n"
        "INSERT { GRAPH <t> { ?s a ex:Copy } } WHERE { ?s a ex:Thing } ;\n"
        "DELETE WHERE { ?s ex:gone ?o } ;\n"
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { { ?s ?p ?o } UNION { ?s ?p ?o } }"
    )
    rewritten = scan(update).with_using(["http://d/"], ["http://n/"])
    clause = "USING <http://d/> USING NAMED <http://n/>"
    assert rewritten.count(clause) == 3
    assert f"INSERT {{ GRAPH <t> {{ ?s a ex:Copy }} }} {clause} WHERE {{ ?s a ex:Thing }}" in rewritten
    assert f"DELETE {{ ?s ex:gone ?o }} {clause} WHERE {{ ?s ex:gone ?o }}" in rewritten
    assert "INSERT DATA { ex:a ex:b ex:c }" in rewritten  # no WHERE, untouched
    ox.Store().update(rewritten, base_iri="http://b/")  # and it is still valid SPARQL Update


def test_clear_becomes_silent():
    assert scan("CLEAR GRAPH <g> ; clear silent all").with_silent_clear() == "CLEAR SILENT GRAPH <g> ; clear silent all"
