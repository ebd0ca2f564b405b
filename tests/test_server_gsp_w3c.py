"""The W3C Graph Store Protocol tests, read from their manifests and sent over real HTTP.

Sources (see tests/data/w3c-gsp/README.md): w3c/rdf-tests
``sparql/sparql11/graph-store-protocol/manifest.ttl`` (it includes manifest-direct.ttl and
manifest-indirect.ttl; 13 entries, plus head_non_existing_direct, which manifest-direct.ttl
defines but leaves out of its list: it is run too), and ``http-rdf-update.ttl``, the 18
entries of the deprecated ``sparql/sparql11/http-rdf-update`` manifest, whose prose we wrote
down in the same ``ht:`` vocabulary. Each entry becomes one test: its requests are sent in
order to a real server (tests/endpoint.py: an on-disk store, waitress on a loopback port),
and each response is checked for its status (``mf:expectedStatus``: any of the codes
given), the header values given (media type and parameters), its body (parsed by its
Content-Type and compared to the expected graph by isomorphism: blank nodes may differ) and
a Location (``mf:expectedLocation`` names a template variable that later requests use).

How the manifests' server maps onto urbankg (a mapping, not a change of the tests):

* The manifests' graph store is ``http://www.example/gsp``. Its paths become ours:
  ``/gsp/X`` (direct identification) is ``/graph/X``, and ``/gsp?...`` (indirect) is
  ``/rdf-graphs?...``. urbankg names a directly identified graph ``config.GRAPH_BASE + X``
  (``/graph/person/1.ttl`` is ``https://w3id.org/urbankg/graph/person/1.ttl``, an IRI that
  redirects to this server), so in ``?graph=`` the manifests' ``http://www.example/gsp/``
  becomes ``config.GRAPH_BASE``: direct and indirect requests then name the same graph,
  as the http-rdf-update entries need. The value is decoded once, as the server will.
* A Location is the new graph's IRI (Graph Store Protocol, section 5.5). A request to that
  IRI itself (http-rdf-update's ``GET $NEWPATH$``) goes to the path that serves it here.
* Every request carries the write token (``Authorization: Bearer``): writes need it, and a
  test then fails for the protocol reason it tests, not for a missing token.
* The server validates every write with SHACL. It runs with the test shapes
  (tests/data/rdf/shapes.ttl), which say nothing about FOAF; urbankg's own shapes want a
  ``foaf:name`` on every ``foaf:Person``, and would refuse most of the manifests' bodies
  with 422 (the gate is the design: tests/test_server_graph_store.py tests it).

Entries that contradict a documented design choice are expected to fail (strictly: one
that starts passing fails the suite, so this list stays true). There is one such choice:
the default graph is the union of all graphs, the one queries see, and it is read-only
(the Service Description and docs/architecture.md say so; writes go to named graphs).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF

from endpoint import TOKEN, endpoint
from urbankg import config

DATA = Path(__file__).parent / "data" / "w3c-gsp"
MANIFESTS = [DATA / "manifest.ttl", DATA / "http-rdf-update.ttl"]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = Namespace("http://www.w3.org/2011/content#")
UKGT = Namespace("https://w3id.org/urbankg/test#")
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
THEIR_GRAPHS = "http://www.example/gsp/"  # the manifests' connection authority and graph store path

READ_ONLY_DEFAULT = (
    "the default graph is the union of all graphs, the one queries see, and is read-only "
    "(Service Description; docs/architecture.md): PUT to it answers 405, and GET gives the union"
)
EXPECTED_TO_FAIL = {
    "put_get_default": READ_ONLY_DEFAULT,
    "put__default_graph": READ_ONLY_DEFAULT,
    "get_of_put__default_graph": READ_ONLY_DEFAULT,
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: str | None
    statuses: list[URIRef]
    response_headers: list[tuple[str, str]]
    response_body: str | None
    location_variable: str | None


@dataclass
class Entry:
    name: str  # the entry IRI's local name, e.g. put_get_repeat_direct
    label: str
    manifest: str
    exchanges: list[Exchange]
    earlier: list[Entry] = field(default_factory=list)  # steps to replay first (a sequence manifest)


def manifest_entries() -> list[Entry]:
    entries = []
    for path in MANIFESTS:
        graph = Graph()
        manifest = URIRef(path.resolve().as_uri())
        graph.parse(path, format="turtle", publicID=str(manifest))
        entries += _entries_of(graph, manifest, path)
    return entries


def _entries_of(graph: Graph, manifest: URIRef, path: Path) -> list[Entry]:
    found = []
    for include in graph.objects(manifest, MF.include):
        for included in Collection(graph, include):
            child = path.parent / Path(urlsplit(str(included)).path).name
            sub = Graph()
            sub.parse(child, format="turtle", publicID=str(included))
            found += _entries_of(sub, URIRef(str(included)), child)
    listed = [node for head in graph.objects(manifest, MF.entries) for node in Collection(graph, head)]
    unlisted = sorted(set(graph.subjects(RDF.type, MF.GraphStoreProtocolTest)) - set(listed))
    sequence = bool(graph.value(manifest, UKGT.stepsOfOneSequence))
    for node in listed + unlisted:
        entry = Entry(_local(node), str(graph.value(node, MF.name)), path.name, _exchanges(graph, node))
        if sequence:
            entry.earlier = list(found)
        found.append(entry)
    return found


def _exchanges(graph: Graph, node) -> list[Exchange]:
    action = graph.value(node, MF.action)
    exchanges = []
    for request in Collection(graph, graph.value(action, HT.requests)):
        response = graph.value(request, HT.resp)
        exchanges.append(
            Exchange(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=_headers(graph, request),
                body=_body(graph, request),
                statuses=sorted(graph.objects(response, MF.expectedStatus)),
                response_headers=_headers(graph, response),
                response_body=_body(graph, response),
                location_variable=_optional(graph.value(response, MF.expectedLocation)),
            )
        )
    return exchanges


def _headers(graph: Graph, node) -> list[tuple[str, str]]:
    head = graph.value(node, HT.headers)
    if head is None:
        return []
    return [
        (str(graph.value(h, HT.fieldName)).lower(), str(graph.value(h, HT.fieldValue))) for h in Collection(graph, head)
    ]


def _body(graph: Graph, node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def _optional(value) -> str | None:
    return None if value is None else str(value)


def _local(node) -> str:
    return re.split(r"[#/]", str(node))[-1]


# -- sending -------------------------------------------------------------------------------


def our_path(path: str) -> str:
    """A manifest's request target as a path of this server (see the module docstring)."""
    if path.startswith(config.GRAPH_BASE):  # a graph's IRI, e.g. a Location: where it is served
        return "/graph/" + path[len(config.GRAPH_BASE) :]
    target = urlsplit(path)
    if target.path.startswith("/gsp/"):
        return "/graph/" + path[len("/gsp/") :]
    if target.path != "/gsp":
        raise AssertionError(f"the manifest's path {path!r} is neither /gsp/... nor /gsp?...")
    if not target.query:
        return "/rdf-graphs"
    params = []
    for name, value in parse_qsl(target.query, keep_blank_values=True):
        if name == "graph" and value.startswith(THEIR_GRAPHS):
            value = config.GRAPH_BASE + value[len(THEIR_GRAPHS) :]
        params.append(quote(name, safe="") + ("=" + quote(value, safe="") if value or name == "graph" else ""))
    return "/rdf-graphs?" + "&".join(params)


def send(base: str, exchange: Exchange, variables: dict[str, str]) -> http.client.HTTPResponse:
    path, body = exchange.path, exchange.body
    for name, value in variables.items():
        path = path.replace(name, value)
        body = body.replace(name, value) if body is not None else None
    # http.client sends the target exactly as given (requests would re-quote %31 in it).
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    headers = {name: value for name, value in exchange.headers}
    headers["Authorization"] = f"Bearer {TOKEN}"
    connection.request(
        exchange.method, our_path(path), body=body.encode("utf-8") if body is not None else None, headers=headers
    )
    response = connection.getresponse()
    response.content = response.read()
    connection.close()
    return response


# -- checking ------------------------------------------------------------------------------


def status_matches(status: int, expected: URIRef) -> bool:
    name = str(expected)[len(HTS) :]
    klass = re.fullmatch(r"StatusCode(\d)xx", name)
    if klass:
        return status // 100 == int(klass.group(1))
    code = HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()]  # NoContent -> NO_CONTENT
    return status == code


def media(value: str) -> tuple[str, dict[str, str]]:
    kind, *params = [part.strip() for part in value.split(";")]
    pairs = (p.partition("=") for p in params if p)
    return kind.lower(), {name.strip().lower(): v.strip().strip('"').lower() for name, _, v in pairs}


def check(response: http.client.HTTPResponse, exchange: Exchange, where: str) -> None:
    text = response.content.decode("utf-8", errors="replace")
    assert any(status_matches(response.status, s) for s in exchange.statuses), (
        f"{where}: {response.status} {text[:300]!r}, expected one of {[_local(s) for s in exchange.statuses]}"
    )
    for name, value in exchange.response_headers:
        got = response.getheader(name)
        assert got is not None, f"{where}: no {name} header, expected {value!r}"
        if name == "content-type":
            assert media(got) == media(value), f"{where}: {name}: {got!r}, expected {value!r}"
        else:
            assert got == value, f"{where}: {name}: {got!r}, expected {value!r}"
    if exchange.response_body is not None:
        expected_type = media(dict(exchange.response_headers).get("content-type", "text/turtle"))[0]
        expected = Graph().parse(data=exchange.response_body, format=RDF_FORMATS[expected_type])
        got_type = media(response.getheader("Content-Type", ""))[0]
        assert got_type in RDF_FORMATS, f"{where}: a body of {got_type!r}, expected RDF"
        actual = Graph().parse(data=text, format=RDF_FORMATS[got_type])
        assert isomorphic(actual, expected), (
            f"{where}: the graph differs.\nexpected:\n{_nt(expected)}\ngot:\n{_nt(actual)}"
        )
    if exchange.location_variable:
        assert response.getheader("Location"), f"{where}: no Location header"


def _nt(graph: Graph) -> str:
    return "\n".join(sorted(to_isomorphic(graph).serialize(format="nt").splitlines()))


def run(base: str, entry: Entry, variables: dict[str, str], checked: bool) -> None:
    for n, exchange in enumerate(entry.exchanges, 1):
        response = send(base, exchange, variables)
        if checked:
            check(response, exchange, f"{entry.name}, request {n} ({exchange.method} {exchange.path})")
        if exchange.location_variable and response.getheader("Location"):
            variables[exchange.location_variable] = response.getheader("Location")


ENTRIES = manifest_entries()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with endpoint(tmp_path_factory.mktemp("w3c-gsp") / "store") as running:
        yield running


@pytest.fixture
def fresh(server):
    """The server over an empty store: each entry starts from nothing, as the manifests assume."""
    server.kg.update("DROP SILENT ALL", replace=True)  # the graphs the last entry's requests created
    return server


def test_the_manifests_are_all_read():
    names = [e.name for e in ENTRIES]
    assert len(names) == len(set(names)) == 14 + 18
    assert all(e.exchanges and all(x.statuses for x in e.exchanges) for e in ENTRIES)


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(
            e,
            id=f"{e.manifest}:{e.name}",
            marks=[pytest.mark.xfail(strict=True, reason=EXPECTED_TO_FAIL[e.name])]
            if e.name in EXPECTED_TO_FAIL
            else [],
        )
        for e in ENTRIES
    ],
)
def test_w3c_graph_store_protocol(fresh, entry):
    variables: dict[str, str] = {}
    for step in entry.earlier:  # the steps before this one, as they were (their own tests check them)
        run(fresh.url, step, variables, checked=False)
    run(fresh.url, entry, variables, checked=True)
