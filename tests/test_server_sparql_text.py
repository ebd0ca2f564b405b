"""The lexical scan that guards SERVICE, checked against the engine itself.

For each tricky text the test asks two questions: does the scan see a SERVICE, and does
pyoxigraph actually try to call out when it runs the text? They must agree, or a
SERVICE could slip past the guard. The target is port 9 on loopback, which pyoxigraph's
HTTP client refuses before any connection ("port 9 is not allowed"), so the engine's
attempt is visible and nothing leaves the machine.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from urbankg.server.sparql_text import scan

TARGET = "http://127.0.0.1:9/sparql"


@pytest.fixture(scope="module")
def engine():
    store = ox.Store()
    store.update("INSERT DATA { <http://s> <http://p> 1, true, 'x' }")
    return store


def calls_out(store: ox.Store, query: str) -> bool:
    try:
        result = store.query(query)
        list(result) if isinstance(result, ox.QuerySolutions) else bool(result)  # SERVICE runs when rows are read
    except OSError as exc:
        assert "port 9" in str(exc)
        return True
    except SyntaxError:
        return False
    return False


def flagged(query: str) -> bool:
    return bool(scan(query).service_calls())


CASES = [
    # (id, query, the scan and the engine both see a SERVICE)
    ("plain", f"SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }}", True),
    ("lower case", f"select * where {{ service <{TARGET}> {{ }} }}", True),
    ("no space", f"SELECT * WHERE {{ BIND(1 AS ?x)SERVICE<{TARGET}>{{}} }}", True),
    ("in a comment", f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE <{TARGET}> {{}}", False),
    ("in a string", f"SELECT * WHERE {{ BIND(\"SERVICE <{TARGET}> {{}}\" AS ?x) }}", False),
    ("in a string with an escaped quote", f"SELECT * WHERE {{ BIND(\"a\\\" SERVICE <{TARGET}> {{}} \" AS ?x) }}", False),
    ("in a long string", f"SELECT * WHERE {{ BIND('''a'' SERVICE <{TARGET}> {{}}''' AS ?x) }}", False),
    ("in a long double-quoted string", f'SELECT * WHERE {{ BIND("""a""\nSERVICE <{TARGET}> {{}}""" AS ?x) }}', False),
    ("an IRI naming it", "SELECT * WHERE { BIND(<http://example.org/SERVICE> AS ?x) }", False),
    ("a prefixed name with service in it", "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }", False),
    ("glued to a number", f"SELECT * WHERE {{ ?s ?p 1SERVICE <{TARGET}> {{}} }}", True),
    ("glued to true", f"SELECT * WHERE {{ ?s ?p trueSERVICE <{TARGET}> {{}} }}", True),
    ("after an escaped # in a prefixed name", f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\# AS ?x) SERVICE <{TARGET}> {{}} }}", True),
    ("after an IRI with an escape and a #", f"SELECT * WHERE {{ BIND(<http://x/\\u0041#y> AS ?x) SERVICE <{TARGET}> {{}} }}", True),
    ("escaped keyword (a syntax error)", f"SELECT * WHERE {{ \\u0053ERVICE <{TARGET}> {{}} }}", False),
    ("prefixed target", "PREFIX t: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE t:sparql {} }", True),
    ("after a less-than", f"SELECT * WHERE {{ ?s ?p ?o FILTER(!(?o<?o))SERVICE <{TARGET}> {{}} }}", True),
    ("in an update", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }}", True),
]


@pytest.mark.parametrize("query, expected", [(q, e) for _, q, e in CASES], ids=[c[0] for c in CASES])
def test_the_scan_sees_service_exactly_when_the_engine_would_call_out(engine, query, expected):
    assert flagged(query) is expected
    if not query.startswith("INSERT"):
        assert calls_out(engine, query) is expected


def test_silent_and_variable_services_are_seen_too():
    # The engine hides these from the cross-check: SILENT swallows the error, and pyoxigraph
    # 0.5 leaves a SERVICE variable unbound. The guard refuses them all the same.
    assert flagged(f"SELECT * WHERE {{ SERVICE SILENT <{TARGET}> {{}} }}")
    assert flagged(f"SELECT * WHERE {{ VALUES ?e {{ <{TARGET}> }} SERVICE ?e {{}} }}")


def test_service_targets_are_resolved():
    calls = scan(f"BASE <http://base.example/a/> PREFIX t: <sub/> SELECT * WHERE {{ SERVICE t:x {{}} "
                 f"SERVICE <rel> {{}} SERVICE <{TARGET}> {{}} SERVICE ?v {{}} SERVICE u:x {{}} }}").service_calls()
    assert [c.target for c in calls] == ["http://base.example/a/sub/x", "http://base.example/a/rel", TARGET, None, None]
    assert "variable" in calls[3].problem and "'u:' is not declared" in calls[4].problem
    assert scan("SELECT * { SERVICE <http://x/> {} }").service_calls("http://endpoint/sparql")[0].target == "http://x/"


def test_load_is_found():
    assert scan("LOAD <http://example.org/data.ttl> INTO GRAPH <g>").loads() == ["<http://example.org/data.ttl> INTO"]
    assert scan("INSERT DATA { <a> <b> 'LOAD <x>' }").loads() == []


@pytest.mark.parametrize("query, form, dataset", [
    ("PREFIX a: <http://a/> SELECT * FROM <g> WHERE { { SELECT ?x WHERE {} } }", "SELECT", True),
    ("BASE <http://b/> ASK {}", "ASK", False),
    ("construct where { ?s ?p ?o }", "CONSTRUCT", False),
    ("DESCRIBE <x> FROM NAMED <g>", "DESCRIBE", True),
    ("SELECT * WHERE { ?s <http://x/from> ?o } # FROM <g>", "SELECT", False),
])
def test_query_form_and_dataset_clause(query, form, dataset):
    assert scan(query).query_form() == form
    assert scan(query).names_dataset() is dataset


def test_using_clauses_go_before_every_where():
    update = ("PREFIX ex: <http://e/> CLEAR ALL ; INSERT DATA { ex:a ex:b ex:c } ;\n"
              "INSERT { GRAPH <t> { ?s a ex:Copy } } WHERE { ?s a ex:Thing } ;\n"
              "DELETE WHERE { ?s ex:gone ?o } ;\n"
              "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { { ?s ?p ?o } UNION { ?s ?p ?o } }")
    rewritten = scan(update).with_using(["http://d/"], ["http://n/"])
    clause = "USING <http://d/> USING NAMED <http://n/>"
    assert rewritten.count(clause) == 3
    assert f"INSERT {{ GRAPH <t> {{ ?s a ex:Copy }} }} {clause} WHERE {{ ?s a ex:Thing }}" in rewritten
    assert f"DELETE {{ ?s ex:gone ?o }} {clause} WHERE {{ ?s ex:gone ?o }}" in rewritten
    assert "INSERT DATA { ex:a ex:b ex:c }" in rewritten  # no WHERE, untouched
    ox.Store().update(rewritten, base_iri="http://b/")  # and it is still valid SPARQL Update


def test_an_update_that_names_its_dataset_is_noticed():
    assert scan("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").names_update_dataset()
    assert scan("DELETE { ?s ?p ?o } USING <g> WHERE { ?s ?p ?o }").names_update_dataset()
    assert not scan("DELETE { ?s <http://x/using> ?o } WHERE { ?s ?p 'WITH' }").names_update_dataset()


def test_clear_becomes_silent():
    assert scan("CLEAR GRAPH <g> ; clear silent all").with_silent_clear() == "CLEAR SILENT GRAPH <g> ; clear silent all"
