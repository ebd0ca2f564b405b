"""Hostile documents against the parsers (issue 21, findings 2, 3 and 4).

- Nothing is fetched while parsing: a remote JSON-LD context however it is hidden, an
  XML entity, DTD or base, a Turtle base, prefix or owl:imports. A canary HTTP server on
  127.0.0.1 fails the test if anything reaches it.
- A term the engine would refuse (an IRI with a space or a '>', a bad host, a bad
  language tag, half a surrogate pair) is refused when the file is parsed, at its line,
  and nothing is loaded.
- A document nested 100,000 levels deep, in every format, is a one-line error naming the
  limit, not a RecursionError (a 500 on the server) nor seconds of parsing.

Everything runs through the loaders (urbankg.loaders.load_file), a KnowledgeGraph on a
real on-disk store, and a real server over HTTP.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path

import pytest
import requests
from markupsafe import escape
from rdflib import Graph, Literal, URIRef

from endpoint import DATA, TOKEN, endpoint
from urbankg import config
from urbankg.errors import Problem, SourceError
from urbankg.loaders import load_file
from urbankg.loaders.nesting import MAX_DEPTH
from urbankg.server.settings import Settings

EX = "https://example.org/"
DEEP = 100_000
GOOD_GRAPH = config.graph_iri("good")  # tests/data/rdf/good.ttl, loaded first: the payloads aim to drop it
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/"'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> Problem:
    """The one problem the loader reports for the file."""
    with pytest.raises(SourceError) as caught:
        load_file(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    return problem


def line_with(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def kg(disk_kg, data_dir):
    """A knowledge graph on a real store that already holds graph/good."""
    disk_kg.load([data_dir / "rdf" / "good.ttl"])
    return disk_kg


def store_state(kg) -> tuple[list[str], int]:
    return kg.store.graphs(), len(kg.store)


def assert_refused_and_nothing_loaded(kg, path: Path, message: str) -> Problem:
    before = store_state(kg)
    with pytest.raises(SourceError) as caught:
        kg.load([path])
    assert store_state(kg) == before
    assert GOOD_GRAPH in kg.store.graphs()
    [problem] = caught.value.problems
    assert message in problem.message, problem.message
    return problem


# -- finding 2: remote JSON-LD contexts, at any depth ------------------------------------

REMOTE_CONTEXTS = {
    "in a nested list": lambda url: {"@context": [[url]], "@id": EX + "a", EX + "p": "v"},
    "deeper, after an inline context": lambda url: {"@context": [{"ex": EX}, [[[url]]]], "@id": EX + "a"},
    "in a node of @graph": lambda url: {"@graph": [{"@context": [[url]], "@id": EX + "a", EX + "p": "v"}]},
    "in a nested node object": lambda url: {"@id": EX + "a", EX + "p": {"@context": [[url]], "@id": EX + "b"}},
    "scoped to a term": lambda url: {
        "@context": {"p": {"@id": EX + "p", "@context": [[url]]}},
        "@id": EX + "a",
        "p": {"@id": EX + "b", EX + "q": "v"},
    },
    "scoped to a type": lambda url: {
        "@context": {"T": {"@id": EX + "T", "@context": url}},
        "@id": EX + "a",
        "@type": "T",
    },
    "imported": lambda url: {"@context": {"@version": 1.1, "@import": url}, "@id": EX + "a", EX + "p": "v"},
}


@pytest.mark.parametrize("where", list(REMOTE_CONTEXTS))
def test_a_remote_json_ld_context_anywhere_is_refused_and_never_fetched(canary, kg, tmp_path, where):
    url = f"{canary.url}/context-{where.replace(' ', '-')}"
    text = json.dumps(REMOTE_CONTEXTS[where](url), indent=2)
    path = write(tmp_path, "remote.jsonld", text)
    problem = assert_refused_and_nothing_loaded(
        kg,
        path,
        f"remote JSON-LD context '{url}' is not fetched (urbankg never fetches while parsing); "
        "put the context inline as a JSON object",
    )
    assert problem.line == line_with(text, url)
    # the canary fixture fails the test at teardown if the context was fetched


def test_a_file_context_is_refused_alike_whether_the_file_exists_or_not(kg, tmp_path):
    messages = []
    for url in ("file:///etc/passwd", f"file:///nonexistent/{uuid.uuid4().hex}"):
        path = write(tmp_path, "file-context.jsonld", json.dumps({"@context": [[url]], "@id": EX + "a"}))
        problem = assert_refused_and_nothing_loaded(kg, path, f"remote JSON-LD context '{url}' is not fetched")
        messages.append(str(problem).replace(url, "URL"))
    assert messages[0] == messages[1]  # the error tells nothing about the target


def test_open_and_closed_ports_get_the_same_refusal(canary, tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/c"
    messages = []
    for url in (canary.url + "/c", closed):
        path = write(tmp_path, "port.jsonld", json.dumps({"@context": [[url]], "@id": EX + "a"}))
        messages.append(str(refusal(path)).replace(url, "URL"))
    assert messages[0] == messages[1]


def test_no_json_ld_parse_in_the_process_fetches_a_context(canary):
    # The refusal is built into rdflib's context loader once urbankg's loader is imported,
    # not a scan of the document: a plain rdflib parse is refused too.
    import urbankg.loaders.rdf_file as rdf_file

    document = json.dumps({"@context": [[[canary.url + "/plain-rdflib"]]], "@id": EX + "a", EX + "p": "v"})
    with pytest.raises(rdf_file.RemoteContextRefused):
        Graph().parse(data=document, format="json-ld")


# -- finding 2: the other formats fetch nothing either -------------------------------------


def test_an_external_xml_entity_at_the_canary_is_refused(canary, tmp_path):
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY remote SYSTEM "{canary.url}/entity"> ]>\n'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="{EX}a"><ex:p>&remote;</ex:p></rdf:Description>'
        "</rdf:RDF>\n"
    )
    problem = refusal(write(tmp_path, "entity.rdf", text))
    assert problem.line == 2 and "external XML entities are not allowed" in problem.message


QUIET_XML = {  # name: (prologue, root element)
    "external DTD": ('<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">', "<rdf:RDF {ns}>"),
    "public DTD": ('<!DOCTYPE rdf:RDF PUBLIC "-//X//Y" "{url}/public">', "<rdf:RDF {ns}>"),
    "parameter entity": ('<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "{url}/pe"> %remote; ]>', "<rdf:RDF {ns}>"),
    "xml:base": ("", '<rdf:RDF {ns} xml:base="{url}/base/">'),
}


@pytest.mark.parametrize("name", list(QUIET_XML))
def test_rdf_xml_fetches_no_dtd_entity_or_base(canary, tmp_path, name):
    prologue, root = QUIET_XML[name]
    text = (
        f'<?xml version="1.0"?>\n{prologue.format(url=canary.url)}\n{root.format(ns=RDF_NS, url=canary.url)}'
        f'<rdf:Description rdf:about="{EX}a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>\n'
    )
    parsed = load_file(write(tmp_path, "quiet.rdf", text))
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")) in parsed.graph
    # and the canary fixture checks that nothing was fetched


NAMES_NOT_FETCHED = {
    "base.ttl": "@base <{url}/base/> .\n@prefix ex: <{url}/prefix#> .\n"
    "<a> <http://www.w3.org/2002/07/owl#imports> <{url}/imports> ; ex:p <b> .\n",
    "base.trig": "BASE <{url}/base/>\nPREFIX ex: <{url}/prefix#>\n<g> {{ <a> ex:p <b> . }}\n",
    "base.jsonld": '{{"@context": {{"@base": "{url}/base/", "@vocab": "{url}/vocab#"}}, "@id": "a", '
    '"p": {{"@id": "b"}}, "http://www.w3.org/2002/07/owl#imports": {{"@id": "{url}/imports"}}}}',
}


@pytest.mark.parametrize("name", list(NAMES_NOT_FETCHED))
def test_bases_prefixes_and_owl_imports_are_names_never_fetched(canary, tmp_path, name):
    parsed = load_file(write(tmp_path, name, NAMES_NOT_FETCHED[name].format(url=canary.url)))
    assert URIRef(f"{canary.url}/base/a") in set(parsed.graph.subjects())


# -- finding 3: terms the engine would refuse are refused at parse time -----------------------

# The datatype IRI closes the INSERT DATA it would have been written into and drops a graph.
ESCAPED_PAYLOAD = (
    "http://x\\u003E . } } \\u003B DROP GRAPH \\u003C" + GOOD_GRAPH + "\\u003E \\u003B "
    "LOAD \\u003Chttp://127.0.0.1:9/x\\u003E #"
)
PAYLOAD = f"http://x> . }} }} ; DROP GRAPH <{GOOD_GRAPH}> ;"
INJECTIONS = {
    "turtle.ttl": (
        f'@prefix ex: <{EX}> .\n\nex:a ex:label "fine" ;\n  ex:p "v"^^<{ESCAPED_PAYLOAD}> .\n',
        4,
        "the datatype IRI 'http://x> . } } ; DROP GRAPH <" + GOOD_GRAPH,
    ),
    "rdfxml.rdf": (
        f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS}>\n  <rdf:Description rdf:about="{EX}a">\n'
        f'    <ex:p rdf:datatype="{PAYLOAD.replace(">", "&gt;").replace("<", "&lt;")}">v</ex:p>\n'
        "  </rdf:Description>\n</rdf:RDF>\n",
        4,
        "the datatype IRI 'http://x> . } } ; DROP GRAPH <" + GOOD_GRAPH,
    ),
    "jsonld.jsonld": (
        json.dumps({"@id": EX + "a", EX + "label": "fine", EX + "p": {"@value": "v", "@type": PAYLOAD}}, indent=2),
        4,
        "the datatype IRI 'http://x> . } } ; DROP GRAPH <" + GOOD_GRAPH,
    ),
}


@pytest.mark.parametrize("name", list(INJECTIONS))
def test_an_injecting_datatype_iri_is_refused_at_its_line_and_nothing_is_loaded(kg, tmp_path, name):
    text, line, message = INJECTIONS[name]
    problem = assert_refused_and_nothing_loaded(kg, write(tmp_path, name, text), message)
    assert "contains '>', which no IRI may hold" in problem.message
    assert problem.line == line


REFUSED_TERMS = {  # name: (text, line, message)
    "space.ttl": (
        f'@prefix ex: <{EX}> .\nex:a ex:p "v"^^<urn:a b> .\n',
        2,
        "the datatype IRI 'urn:a b' contains a space, which no IRI may hold; a datatype is an IRI such "
        "as http://www.w3.org/2001/XMLSchema#decimal (xsd:decimal in Turtle)",
    ),
    "host.ttl": (
        f"@prefix ex: <{EX}> .\nex:a ex:p <http://[x> .\n",
        2,
        "the object IRI 'http://[x' is not an IRI the store accepts: invalid character '[' in host; write "
        'a full IRI, e.g. https://example.org/a-b, with spaces and the characters <>"{}|^`\\ '
        "percent-encoded (a space is %20)",
    ),
    "control.nt": (
        f"<{EX}a> <{EX}p> <urn:a\\u0000b> .\n",
        1,
        "the object IRI 'urn:a\\u0000b' contains the character U+0000, which no IRI may hold",
    ),
    "language.ttl": (
        f'@prefix ex: <{EX}> .\nex:a ex:p "v"@en-abcdefghi .\n',
        2,
        "the language tag 'en-abcdefghi' is not a BCP 47 tag: a subtag may be eight characters in "
        "length at maximum; write one such as en, zh-Hans or pt-BR",
    ),
    "surrogate.ttl": (
        f'@prefix ex: <{EX}> .\nex:a ex:p "a\\uD800b" .\n',
        2,
        "the text 'a\\uD800b' holds U+D800, half of a surrogate pair without its other half",
    ),
    "nested.ttl": (
        f'@prefix ex: <{EX}> .\nex:a ex:p [\n  ex:q "v"^^<urn:a b> ] .\n',
        2,
        "the datatype IRI 'urn:a b' contains a space",
    ),
    "graph.trig": (
        f'@prefix ex: <{EX}> .\n<urn:a\\u0020b> {{ ex:a ex:p "v" . }}\n',
        None,
        "the graph name IRI 'urn:a b' contains a space",
    ),
    "graph.nq": (
        f'<{EX}a> <{EX}p> "v" <{EX}g> .\n<{EX}a> <{EX}p> "w" <http://[x> .\n',
        2,
        "the graph name IRI 'http://[x' is not an IRI the store accepts: invalid character '[' in host",
    ),
    "blank.jsonld": (
        json.dumps({"@id": "_:a b", EX + "p": "v"}),
        None,
        "the blank node id 'a b' is not one the store accepts",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED_TERMS))
def test_terms_the_engine_rejects_are_refused_with_a_clear_message(kg, tmp_path, name):
    text, line, message = REFUSED_TERMS[name]
    problem = assert_refused_and_nothing_loaded(kg, write(tmp_path, name, text), message)
    assert problem.line == line


def test_unusual_iris_the_engine_takes_still_load(tmp_path):
    text = (
        f"@prefix ex: <{EX}> .\n"
        "ex:a ex:p <https://example.org/café> , <urn:isbn:978-0-19-850673-0> , <https://example.org/a%20b> ;\n"
        '  ex:q "v"@zh-Hans-CN , "w"^^<https://example.org/type#x> , "emoji 😀" .\n'
    )
    parsed = load_file(write(tmp_path, "unusual.ttl", text))
    assert len(parsed.graph) == 6
    assert Literal("v", lang="zh-Hans-CN") in set(parsed.graph.objects())


# -- finding 4: deep nesting in every format --------------------------------------------------

DEEP_DOCUMENTS = {
    "list.jsonld": ("[" * DEEP + "]" * DEEP, 1, DEEP),
    "object.jsonld": (
        '{"@id": "https://example.org/s",\n "https://example.org/p":' + '{"a":' * DEEP + "1" + "}" * DEEP + "}",
        2,
        DEEP + 1,
    ),
    "blank-nodes.ttl": (f"@prefix : <{EX}> .\n:s :p " + "[ :p " * DEEP + ":o" + " ]" * DEEP + " .\n", 2, DEEP),
    "collections.ttl": (f"@prefix : <{EX}> .\n:s :p " + "( " * DEEP + ":o" + " )" * DEEP + " .\n", 2, DEEP),
    "graph.trig": (f"@prefix : <{EX}> .\n:g {{ :s :p " + "[ :p " * DEEP + ":o" + " ]" * DEEP + " . }\n", 2, DEEP + 1),
    "formulas.n3": (f"@prefix : <{EX}> .\n:s :p " + "{ :a :b " * DEEP + ":o" + " }" * DEEP + " .\n", 2, DEEP),
    "nodes.rdf": (
        f'<rdf:RDF {RDF_NS}>\n<rdf:Description rdf:about="{EX}s">'
        + "<ex:p><rdf:Description>" * (DEEP // 2)
        + "<ex:p>v</ex:p>"
        + "</rdf:Description></ex:p>" * (DEEP // 2)
        + "</rdf:Description></rdf:RDF>",
        2,
        None,
    ),
    "flow.yaml": ("cases: " + "[" * DEEP + "]" * DEEP, 1, None),
    "block.yaml": ("cases:\n" + "- " * DEEP + "x\n", 2, None),
    "mapping.yaml": ("cases:\n- id: case/a\n  label: " + "{a: " * DEEP + "x" + "}" * DEEP + "\n", 3, None),
    "braces.bib": (
        "@article{a-2019,\n title = {" + "{" * DEEP + "x" + "}" * DEEP + "},\n year = {2019}\n}\n",
        2,
        DEEP + 2,
    ),
    "math.bib": ("@article{a-2019,\n title = {" + "$\\sqrt{" * DEEP + "x" + "}$" * DEEP + "},\n}\n", 2, DEEP + 2),
}


@pytest.mark.parametrize("name", list(DEEP_DOCUMENTS))
def test_a_document_nested_100000_deep_is_a_clear_error(tmp_path, name):
    text, line, depth = DEEP_DOCUMENTS[name]
    path = write(tmp_path, name, text)
    started = time.monotonic()
    problem = refusal(path)
    assert time.monotonic() - started < 5  # RDF/XML took 9 s at this depth before the limit
    how_deep = f"{depth} levels" if depth else f"more than {MAX_DEPTH} levels"
    assert problem.message.startswith(f"the document is nested {how_deep} deep; urbankg reads at most {MAX_DEPTH}: ")
    assert problem.line == line


def test_nesting_the_brace_count_cannot_see_is_the_same_clear_error(tmp_path):
    # LaTeX environments nest without braces around them; pylatexenc recurses into each.
    text = "@article{a-2019,\n title = {" + "\\begin{quote}" * 3000 + "x" + "\\end{quote}" * 3000 + "}\n}\n"
    problem = refusal(write(tmp_path, "environments.bib", text))
    assert problem.message.startswith(f"the document is nested more than {MAX_DEPTH} levels deep")


def _at_the_limit(depth: int) -> dict[str, str]:
    """A document of each format nested exactly ``depth`` levels, as the limit counts them."""
    return {
        "object.jsonld": f'{{"@context": {{"@vocab": "{EX}"}}, "@id": "{EX}s", "p":'
        + '{"p":' * (depth - 1)
        + '"v"'
        + "}" * (depth - 1)
        + "}",
        "list.jsonld": f'{{"@context": {{"@vocab": "{EX}"}}, "@id": "{EX}s", "p": {{"@list":'
        + "[" * (depth - 2)
        + '"v"'
        + "]" * (depth - 2)
        + "}}",
        "blank-nodes.ttl": f"@prefix : <{EX}> .\n:s :p " + "[ :p " * depth + ":o" + " ]" * depth + " .\n",
        "collections.ttl": f"@prefix : <{EX}> .\n:s :p " + "( " * depth + ":o" + " )" * depth + " .\n",
        "graph.trig": f"@prefix : <{EX}> .\n:g {{ :s :p "
        + "[ :p " * (depth - 1)
        + ":o"
        + " ]" * (depth - 1)
        + " . }\n",
        "formulas.n3": f"@prefix : <{EX}> .\n:s :p " + "{ :a :b " * depth + ":o" + " }" * depth + " .\n",
        "nodes.rdf": f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="{EX}s">'
        + "<ex:p><rdf:Description>" * ((depth - 3) // 2)
        + "<ex:p>v</ex:p>"
        + "</rdf:Description></ex:p>" * ((depth - 3) // 2)
        + "</rdf:Description></rdf:RDF>",
        "braces.bib": "@article{a-2019,\n title = {"
        + "{" * (depth - 2)
        + "x"
        + "}" * (depth - 2)
        + "},\n year = {2019}\n}\n",
        "math.bib": "@article{a-2019,\n title = {"
        + "$\\sqrt{" * (depth - 2)
        + "x"
        + "}$" * (depth - 2)
        + "},\n year = {2019}\n}\n",
    }


@pytest.mark.parametrize("name", list(_at_the_limit(MAX_DEPTH)))
def test_documents_at_the_limit_still_load(tmp_path, name):
    parsed = load_file(write(tmp_path, name, _at_the_limit(MAX_DEPTH)[name]))
    assert len(parsed.graph) > 0
    with pytest.raises(SourceError, match=f"urbankg reads at most {MAX_DEPTH}"):
        load_file(write(tmp_path, "over-" + name, _at_the_limit(MAX_DEPTH + 1)[name]))


# -- the same over HTTP -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with endpoint(
        tmp_path_factory.mktemp("parsers") / "store", Settings(token=TOKEN, workers=1), load=[DATA / "rdf" / "good.ttl"]
    ) as running:
        yield running


# 5,000 levels: far past what the parsers survive (a RecursionError, a 500, before the limit).
DEEP_OVER_HTTP = {
    ".jsonld": '{"@id": "https://example.org/s", "https://example.org/p":' + '{"a":' * 5000 + "1" + "}" * 5001,
    ".yaml": "cases:\n" + "- " * 5000 + "x\n",
    ".ttl": f"@prefix : <{EX}> .\n:s :p " + "[ :p " * 5000 + ":o" + " ]" * 5000 + " .\n",
}


@pytest.mark.parametrize("suffix", list(DEEP_OVER_HTTP))
def test_validate_page_reports_deep_documents_instead_of_failing(server, suffix):
    page = requests.post(
        server.url + "/validate", timeout=60, data={"text": DEEP_OVER_HTTP[suffix], "suffix": suffix, "name": "deep"}
    )
    assert page.status_code < 500
    assert f"levels deep; urbankg reads at most {MAX_DEPTH}" in page.text


def test_validate_page_fetches_no_remote_context(canary, server):
    text = json.dumps({"@context": [[canary.url + "/validate"]], "@id": EX + "a", EX + "p": "v"})
    page = requests.post(
        server.url + "/validate", data={"text": text, "suffix": ".jsonld", "name": "remote"}, timeout=60
    )
    assert page.status_code < 500
    assert "is not fetched (urbankg never fetches while parsing)" in page.text


@pytest.mark.parametrize("name", ["jsonld.jsonld", "rdfxml.rdf"])
def test_graph_store_put_of_an_injecting_datatype_is_400_and_changes_nothing(server, name):
    text, line, message = INJECTIONS[name]
    media = {".jsonld": "application/ld+json", ".rdf": "application/rdf+xml"}[Path(name).suffix]
    before = server.count()
    response = requests.put(
        server.url + "/graph/injected", data=text.encode(), headers={**server.auth, "Content-Type": media}, timeout=60
    )
    assert response.status_code == 400, response.text
    [problem] = response.json()["problems"]
    assert problem["line"] == line and message in problem["message"]
    assert server.count() == before
    assert requests.get(server.url + "/graph/good", timeout=30).status_code == 200


def test_graph_store_put_of_a_deep_document_is_400(server):
    response = requests.put(
        server.url + "/graph/deep",
        data=DEEP_OVER_HTTP[".jsonld"].encode(),
        headers={**server.auth, "Content-Type": "application/ld+json"},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert "nested 5001 levels deep" in response.json()["problems"][0]["message"]


# -- hostile YAML and XML: a 4xx naming the line, never a 500 ----------------------------------

HOSTILE_BODIES = {  # name: (suffix, media type, text, line, message)
    "half a surrogate pair in YAML": (
        ".yaml",
        "application/yaml",
        'places: [{id: "\\uD800"}]\n',
        1,
        "the text '\\uD800' holds U+D800, half of a surrogate pair without its other half",
    ),
    "a complex key in YAML": (  # ruamel failed hashing the key {complex: [a]}: a TypeError
        ".yaml",
        "application/yaml",
        "surveys:\n  - id: survey/a\n    ? complex: [a]\n    label: A\n",
        3,
        "a key is a plain name such as `id` or `name`; found a mapping written as a key",
    ),
    **{
        f"RDF/XML declared {encoding}": (  # expat followed the declaration: ValueError or LookupError
            ".rdf",
            "application/rdf+xml",
            f'<?xml version="1.0" encoding="{encoding}"?>\n<rdf:RDF {RDF_NS}>\n<rdf:Description rdf:about="{EX}s">'
            "<ex:p>日本語</ex:p></rdf:Description></rdf:RDF>\n",
            1,
            f"the XML declares the encoding '{encoding}', which urbankg does not read; save the file as UTF-8",
        )
        for encoding in ("utf-7", "bogus", "UTF-32")
    },
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_graph_store_put_of_a_hostile_body_is_400_at_its_line(server, name):
    suffix, media, text, line, message = HOSTILE_BODIES[name]
    before = server.count()
    response = requests.put(
        server.url + "/graph/hostile", data=text.encode(), headers={**server.auth, "Content-Type": media}, timeout=60
    )
    assert response.status_code == 400, response.text
    [problem] = response.json()["problems"]
    assert problem["line"] == line and message in problem["message"], problem
    assert server.count() == before


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_validate_page_reports_a_hostile_body_at_its_line(server, name):
    suffix, media, text, line, message = HOSTILE_BODIES[name]
    page = requests.post(server.url + "/validate", data={"text": text, "suffix": suffix, "name": "hostile"}, timeout=60)
    assert page.status_code < 500, page.text
    assert str(escape(f"line {line}: {message}")) in page.text


LONG_NT = f'<{EX}s> <{EX}p> "{"a" * 4_000_000}" .\n'


def test_validate_page_reads_a_long_n_triples_literal_in_linear_time(server):
    # The page takes files of up to 1 MB (URBANKG_MAX_VALIDATE_BYTES), over whose one line
    # rdflib's N-Triples parser took 4-4.5 s; pyoxigraph's takes 0.1 s.
    text = f'<{EX}s> <{EX}p> "{"a" * 999_900}" .\n'
    started = time.monotonic()
    page = requests.post(server.url + "/validate", data={"text": text, "suffix": ".nt", "name": "long"}, timeout=60)
    assert page.status_code == 200
    assert time.monotonic() - started < 2.5
    assert 'id="valid">Valid: no problems found.' in page.text


def test_graph_store_put_of_a_4_mb_n_triples_literal_is_read_in_linear_time(server):
    # 57-69 s with rdflib's N-Triples parser, a server thread held all along.
    started = time.monotonic()
    response = requests.put(
        server.url + "/graph/long",
        data=LONG_NT.encode(),
        headers={**server.auth, "Content-Type": "application/n-triples"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < 15
    assert response.json()["triples"] == 1
    stored = server.count(f"SELECT (STRLEN(?o) AS ?n) WHERE {{ GRAPH <{config.graph_iri('long')}> {{ ?s ?p ?o }} }}")
    assert stored == 4_000_000
