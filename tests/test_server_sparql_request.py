"""The checking parser that decides what a request is, checked against the engine itself.

For each tricky text: would pyoxigraph call out when it runs it, and does the checking
parser either see that SERVICE or refuse the text? A text the engine would run with a
SERVICE while the parser saw none would slip past the guard: that must never happen.
The target is port 9 on loopback, which pyoxigraph's HTTP client refuses before any
connection ("port 9 is not allowed"), so the engine's attempt is visible and nothing
leaves the machine.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from urbankg.server.sparql_request import MAX_DEPTH, Refused, analyse

TARGET = "http://127.0.0.1:9/sparql"


@pytest.fixture(scope="module")
def engine():
    store = ox.Store()
    store.update("INSERT DATA { <http://s> <http://p> 1, true, 'x' }")
    return store


def calls_out(store: ox.Store, text: str) -> bool:
    try:
        result = store.query(text)
        list(result) if isinstance(result, ox.QuerySolutions) else bool(result)  # SERVICE runs when rows are read
    except OSError as exc:
        assert "port 9" in str(exc)
        return True
    except SyntaxError:
        return False
    return False


def seen(text: str, kind: str = "query") -> bool | None:
    """True: the parser found a SERVICE; False: none; None: the text is refused outright."""
    try:
        return bool(analyse(text, kind).services)
    except Refused:
        return None


CASES = [
    # (id, text, the engine calls out)
    ("plain", f"SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }}", True),
    ("lower case", f"select * where {{ service <{TARGET}> {{ }} }}", True),
    ("no space", f"SELECT * WHERE {{ BIND(1 AS ?x)SERVICE<{TARGET}>{{}} }}", True),
    ("in a comment", f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE <{TARGET}> {{}}", False),
    ("in a string", f'SELECT * WHERE {{ BIND("SERVICE <{TARGET}> {{}}" AS ?x) }}', False),
    ("in a string with an escaped quote", f'SELECT * WHERE {{ BIND("a\\" SERVICE <{TARGET}> {{}} " AS ?x) }}', False),
    ("in a long string", f"SELECT * WHERE {{ BIND('''a'' SERVICE <{TARGET}> {{}}''' AS ?x) }}", False),
    ("in a long double-quoted string", f'SELECT * WHERE {{ BIND("""a""\nSERVICE <{TARGET}> {{}}""" AS ?x) }}', False),
    ("an IRI naming it", "SELECT * WHERE { BIND(<http://example.org/SERVICE> AS ?x) }", False),
    (
        "a prefixed name with service in it",
        "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }",
        False,
    ),
    ("glued to a number", f"SELECT * WHERE {{ ?s ?p 1SERVICE <{TARGET}> {{}} }}", True),
    ("glued to true", f"SELECT * WHERE {{ ?s ?p trueSERVICE <{TARGET}> {{}} }}", True),
    (
        "after an escaped # in a prefixed name",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\# AS ?x) SERVICE <{TARGET}> {{}} }}",
        True,
    ),
    (
        "after an IRI with an escape and a #",
        f"SELECT * WHERE {{ BIND(<http://x/\\u0041#y> AS ?x) SERVICE <{TARGET}> {{}} }}",
        True,
    ),
    ("escaped keyword (a syntax error)", f"SELECT * WHERE {{ \\u0053ERVICE <{TARGET}> {{}} }}", False),
    ("prefixed target", "PREFIX t: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE t:sparql {} }", True),
    ("default prefix", "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE :sparql {} }", True),
    ("after a less-than", f"SELECT * WHERE {{ ?s ?p ?o FILTER(!(?o<?o))SERVICE <{TARGET}> {{}} }}", True),
    # The hostile tester's finding: a scanner read <'> as an IRI and the rest as a string.
    (
        "a less-than before a quote",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER(1 <'> 1) ' || true) SERVICE <{TARGET}> {{ ?a ?b ?c }} }} #'",
        True,
    ),
    (
        "a comment ended by a carriage return",
        f"SELECT * WHERE {{ ?s ?p ?o # c\r SERVICE <{TARGET}> {{ ?a ?b ?c }} }}",
        True,
    ),
    # rdflib expands \u escapes before parsing (as the specification says), the engine only
    # inside strings and IRIs: here the parser sees more than the engine, never less.
    (
        "an escaped quote in a string",
        f'SELECT * WHERE {{ BIND("a\\u0022 AS ?x) SERVICE <{TARGET}> {{}} BIND(" AS ?y) }}',
        False,
    ),
    ("in a subquery", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }} }} }}", True),
]


@pytest.mark.parametrize("text, engine_calls_out", [(t, e) for _, t, e in CASES], ids=[c[0] for c in CASES])
def test_a_service_the_engine_would_call_is_seen_or_the_text_refused(engine, text, engine_calls_out):
    assert calls_out(engine, text) is engine_calls_out  # the case still says what the engine does
    if engine_calls_out:
        assert seen(text) is not False, "the engine calls out and the parser saw no SERVICE"


def test_harmless_mentions_are_read_not_refused():
    for _, text, engine_calls_out in CASES:
        if not engine_calls_out and "\\u00" not in text:  # rdflib expands escapes first: see above
            assert seen(text) is False, text


def test_silent_variable_and_relative_services_are_seen():
    # The engine hides these from the cross-check: SILENT swallows the error, and pyoxigraph
    # 0.5 leaves a SERVICE variable unbound. The guard refuses them all the same.
    (silent,) = analyse(f"SELECT * WHERE {{ SERVICE SILENT <{TARGET}> {{}} }}", "query").services
    assert silent.target == TARGET
    (variable,) = analyse(f"SELECT * WHERE {{ VALUES ?e {{ <{TARGET}> }} SERVICE ?e {{}} }}", "query").services
    assert variable.target is None and "variable" in variable.problem
    (relative,) = analyse("BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> {} }", "query").services
    assert relative.target is None and "absolute" in relative.problem
    (in_exists,) = analyse(f"ASK {{ FILTER EXISTS {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }} }}", "query").services
    assert in_exists.target == TARGET  # the engine skips it on this data; on other data it would not
    (undeclared,) = analyse("SELECT * WHERE { SERVICE u:x {} }", "query").services
    assert undeclared.target is None and "'u:'" in undeclared.problem


def test_services_and_loads_in_updates_are_found():
    update = (
        f"PREFIX t: <http://127.0.0.1:9/> LOAD SILENT <{TARGET}.ttl> INTO GRAPH <http://g> ;\n"
        "INSERT { ?s ?p ?o } WHERE { SERVICE t:sparql { ?s ?p ?o } }"
    )
    request = analyse(update, "update")
    assert request.loads == (f"{TARGET}.ttl",)
    assert [call.target for call in request.services] == [TARGET]
    assert analyse("INSERT DATA { <http://a> <http://b> 'LOAD <x>' }", "update").loads == ()


@pytest.mark.parametrize(
    "text, form, dataset",
    [
        ("PREFIX a: <http://a/> SELECT * FROM <http://g> WHERE { { SELECT ?x WHERE {} } }", "SELECT", True),
        ("BASE <http://b/> ASK {}", "ASK", False),
        ("construct where { ?s ?p ?o }", "CONSTRUCT", False),
        ("DESCRIBE <http://x> FROM NAMED <http://g>", "DESCRIBE", True),
        ("SELECT * WHERE { ?s <http://x/from> ?o } # FROM <g>", "SELECT", False),
    ],
)
def test_query_form_and_dataset(text, form, dataset):
    request = analyse(text, "query")
    assert (request.form, request.names_dataset) == (form, dataset)


def test_an_update_that_names_its_dataset_is_noticed():
    assert analyse("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update").names_dataset
    assert analyse("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }", "update").names_dataset
    assert not analyse("DELETE { ?s <http://x/using> ?o } WHERE { ?s ?p 'WITH' }", "update").names_dataset


OVERFLOWING = {
    "100,000 nested groups": "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000,
    "100,000 nested parentheses": "SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
    "a chain of 1,000 ||": "SELECT * WHERE { VALUES ?a {1} FILTER(" + " || ".join(["?a"] * 1000) + ") }",
    "1,000 UNIONs": "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 1000) + " }",
    "a path of 1,000 steps": "SELECT * WHERE { ?s " + "/".join(["<x:p>"] * 1000) + " ?o }",
}


@pytest.mark.parametrize("name", OVERFLOWING)
def test_texts_built_to_overflow_the_engine_are_refused_quickly(name):
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        analyse(OVERFLOWING[name], "query")
    assert refused.value.reason == "depth"
    assert "deep" in str(refused.value)
    assert time.monotonic() - started < 15


def test_the_canned_queries_are_far_from_the_limit():
    from urbankg.queries.catalogue import Catalogue

    for query in Catalogue().queries.values():
        assert analyse(query.sparql, "query").depth < MAX_DEPTH / 4, query.name


def test_what_it_cannot_read_is_refused_with_a_line():
    with pytest.raises(Refused) as refused:
        analyse("SELECT * WHERE {\n ?s ?p trueSERVICE <http://x/> {} }", "query")
    assert refused.value.reason == "syntax"
    assert "line 2" in str(refused.value) and "refused" in str(refused.value)
