"""/sparql over real HTTP with real clients: SPARQLWrapper in every return format, rdflib's
SPARQLStore, and plain requests for the protocol's edge cases, limits and refusals."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
import requests
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from endpoint import DATA, TOKEN, endpoint
from urbankg.server.settings import Settings

EX = Namespace("https://example.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
VILLAGES = DATA / "server" / "villages.ttl"
LABELS = """PREFIX ex: <https://example.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?village ?label ?shops WHERE { ?village a ex:Village ; rdfs:label ?label ; ex:onlineShops ?shops
FILTER(lang(?label) = "") } ORDER BY ?label"""
EXPECTED_LABELS = [
    ("https://example.org/lirendong", "Lirendong", 5000),
    ("https://example.org/xiniujiao", "Xi'niujiao", 300),
    ("https://example.org/yushatan", "Yushatan", 120),
]
CONSTRUCT = """PREFIX ex: <https://example.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?v rdfs:label ?l ; ex:shops ?n } WHERE { ?v a ex:Village ; rdfs:label ?l ; ex:onlineShops ?n }"""
CORS_ORIGIN = "https://scholar.example"


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    settings = Settings(token=TOKEN, max_rows=8, max_body=20_000, cors_origins=(CORS_ORIGIN,), workers=2)
    with endpoint(tmp_path_factory.mktemp("main") / "store", settings, load=[VILLAGES]) as running:
        yield running


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    with endpoint(
        tmp_path_factory.mktemp("ro") / "store", Settings(token=None, workers=1), load=[DATA / "rdf" / "good.ttl"]
    ) as running:
        yield running


def expected_construct() -> Graph:
    graph = Graph()
    graph.add((EX.lirendong, RDFS.label, Literal("里仁洞", lang="zh")))
    for village, label, shops in EXPECTED_LABELS:
        graph.add((URIRef(village), RDFS.label, Literal(label)))
        graph.add((URIRef(village), EX.shops, Literal(shops)))
    return graph


def wrapper(url: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def rows_of(body: bytes, fmt: str) -> list[tuple]:
    """Parse a SPARQL result document with rdflib's parsers (not ours) into plain tuples."""
    result = Result.parse(io.BytesIO(body), format=fmt)
    return [tuple(term.toPython() if isinstance(term, Literal) else str(term) for term in row) for row in result]


# -- every return format, with real clients ------------------------------------------------


@pytest.mark.parametrize("fmt, parser", [(JSON, "json"), (XML, "xml"), (CSV, "csv"), (TSV, "tsv")])
def test_sparqlwrapper_select_in_every_result_format(main, fmt, parser):
    response = wrapper(main.sparql, LABELS, fmt).query()
    body = response.response.read()
    expected_type = {
        JSON: "application/sparql-results+json",
        XML: "application/sparql-results+xml",
        CSV: "text/csv",
        TSV: "text/tab-separated-values",
    }[fmt]
    assert response.info()["content-type"].startswith(expected_type)
    rows = rows_of(body, parser)
    if parser == "csv":  # CSV carries no types: every value is a string
        assert rows == [(v, label, str(shops)) for v, label, shops in EXPECTED_LABELS]
    else:
        assert rows == EXPECTED_LABELS


def test_sparqlwrapper_json_result_converts(main):
    bindings = wrapper(main.sparql, LABELS, JSON).query().convert()["results"]["bindings"]
    assert bindings[0]["shops"] == {"type": "literal", "datatype": str(XSD.integer), "value": "5000"}
    assert [b["label"]["value"] for b in bindings] == ["Lirendong", "Xi'niujiao", "Yushatan"]


@pytest.mark.parametrize("parser", ["csv", "tsv", "json", "xml"])
def test_awkward_literals_survive_every_result_format(main, parser):
    query = (
        "SELECT ?c ?zh WHERE { <https://example.org/xiniujiao> <http://www.w3.org/2000/01/rdf-schema#comment> ?c . "
        "<https://example.org/lirendong> <http://www.w3.org/2000/01/rdf-schema#label> ?zh FILTER(lang(?zh) = 'zh') }"
    )
    body = requests.get(main.sparql, params={"query": query, "format": parser}, timeout=30).content
    [(comment, chinese)] = rows_of(body, parser)
    assert comment == 'Shops, "e-tailers",\tcouriers\nand villagers'
    assert chinese == "里仁洞"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(main, fmt):
    result = wrapper(main.sparql, "ASK { <https://example.org/yushatan> ?p ?o }", fmt).query().convert()
    value = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


@pytest.mark.parametrize("fmt, rdflib_format", [(TURTLE, "turtle"), (N3, "turtle"), (JSONLD, None), (RDFXML, None)])
def test_sparqlwrapper_construct_in_every_graph_format(main, fmt, rdflib_format):
    result = wrapper(main.sparql, CONSTRUCT, fmt).query()
    converted = result.convert()
    if isinstance(converted, Graph):  # SPARQLWrapper parses JSON-LD and RDF/XML itself
        graph = converted
    else:
        graph = Graph().parse(data=converted.decode("utf-8"), format=rdflib_format)
    assert isomorphic(graph, expected_construct())


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [("application/n-triples", "nt"), ("application/trig", "trig"), ("application/ld+json", "json-ld")],
)
def test_construct_by_accept_header(main, accept, rdflib_format):
    response = requests.get(main.sparql, params={"query": CONSTRUCT}, headers={"Accept": accept}, timeout=30)
    assert response.headers["Content-Type"].startswith(accept)
    if rdflib_format == "trig":
        graph = Graph()
        for s, p, o, _g in Dataset().parse(data=response.text, format="trig").quads():
            graph.add((s, p, o))
    else:
        graph = Graph().parse(data=response.text, format=rdflib_format)
    assert isomorphic(graph, expected_construct())


def test_sparqlwrapper_describe(main):
    graph = Graph().parse(
        data=wrapper(main.sparql, "DESCRIBE <https://example.org/lirendong>", TURTLE).query().convert().decode("utf-8"),
        format="turtle",
    )
    assert (EX.lirendong, EX.onlineShops, Literal(5000)) in graph


def test_rdflib_sparqlstore_queries_the_endpoint(main):
    graph = Graph(SPARQLStore(main.sparql, returnFormat="json"))
    rows = [(str(v), str(label), shops.toPython()) for v, label, shops in graph.query(LABELS)]
    assert rows == EXPECTED_LABELS
    assert graph.query("ASK { <https://example.org/lirendong> a <https://example.org/Village> }").askAnswer is True
    xml_store = Graph(SPARQLStore(main.sparql))  # its default: SPARQL XML results, RDF/XML graphs
    assert isomorphic(xml_store.query(CONSTRUCT).graph, expected_construct())


# -- negotiation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*;q=0.3, text/csv;q=0, */*;q=0.1", "application/sparql-results+xml"),  # text/xml; csv refused
        ("text/csv;q=0, text/tab-separated-values;q=0.2, */*;q=0.1", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values_picks_the_format(main, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(main.sparql, params={"query": "SELECT (1 AS ?x) {}"}, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert response.headers["Vary"] == "Accept"


def test_nothing_acceptable_is_406_with_what_would_do(main):
    response = requests.get(
        main.sparql, params={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": "image/png"}, timeout=30
    )
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and "text/csv" in response.text
    graph = requests.get(main.sparql, params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}, timeout=30)
    assert graph.status_code == 406 and "text/turtle" in graph.text
    ask = requests.get(main.sparql, params={"query": "ASK {}"}, headers={"Accept": "text/turtle"}, timeout=30)
    assert ask.status_code == 406 and "text/csv" in ask.text


@pytest.mark.parametrize(
    "accept, body",
    [
        # SPARQL 1.1 Results CSV/TSV define no boolean: Jena's one-column table, which Jena reads back.
        ("text/csv", "_askResult\r\ntrue\r\n"),
        ("text/tab-separated-values", "?_askResult\ntrue\n"),
    ],
)
def test_ask_in_csv_and_tsv_is_a_one_column_table(main, accept, body):
    response = requests.get(main.sparql, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    assert response.text == body
    empty = requests.get(main.sparql, params={"query": "ASK { <urn:x:nothing> ?p ?o }", "format": accept}, timeout=30)
    assert empty.text == body.replace("true", "false")


def test_format_parameter_wins_over_accept(main):
    response = requests.get(
        main.sparql,
        params={"query": LABELS, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
        timeout=30,
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "village,label,shops"
    assert requests.get(main.sparql, params={"query": LABELS, "format": "bogus"}, timeout=30).status_code == 406


# -- errors -------------------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parsers_message(main):
    response = requests.get(main.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.startswith("SPARQL syntax error: error at 1:")


@pytest.mark.parametrize(
    "request_args, complaint",
    [
        ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, "not both"),
        ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, "2 query parameters"),
        ({"method": "POST", "data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, "text/plain is not"),
        ({"method": "POST", "data": b"ASK {}"}, "needs a Content-Type"),
        ({"method": "GET", "params": {"query": "  "}}, "empty"),
        (
            {"method": "GET", "params": {"query": "ASK {}", "using-graph-uri": "http://g"}},
            "for a query use default-graph-uri",
        ),
        (
            {
                "method": "POST",
                "params": {"default-graph-uri": "http://g"},
                "data": {"update": "CLEAR ALL"},
                "headers": {"Authorization": f"Bearer {TOKEN}"},
            },
            "for an update use using-graph-uri",
        ),
        ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, "not an absolute IRI"),
        ({"method": "POST", "data": {"nothing": "here"}}, "neither query= nor update="),
    ],
)
def test_protocol_violations_are_400_and_say_why(main, request_args, complaint):
    request_args = dict(request_args)
    method = request_args.pop("method")
    response = requests.request(method, main.sparql, timeout=30, **request_args)
    assert response.status_code == 400
    assert complaint in response.text


# -- the row cap ---------------------------------------------------------------------------------


def test_row_cap_marks_json_results_truncated_and_keeps_them_valid(main):
    response = requests.get(main.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    assert response.headers["X-Urbankg-Truncated"] == "true"
    assert response.headers["X-Urbankg-Max-Rows"] == "8"
    document = response.json()
    assert document["head"]["link"] == ["urn:urbankg:truncated:max-rows=8"]
    assert len(document["results"]["bindings"]) == 8
    assert len(Result.parse(io.BytesIO(response.content), format="json")) == 8  # still valid SPARQL JSON


def test_row_cap_in_xml_csv_and_graphs(main):
    xml = requests.get(main.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "xml"}, timeout=30)
    head = ElementTree.fromstring(xml.content).find("{http://www.w3.org/2005/sparql-results#}head")
    assert head.find("{http://www.w3.org/2005/sparql-results#}link").get("href") == "urn:urbankg:truncated:max-rows=8"
    csv = requests.get(main.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"}, timeout=30)
    assert csv.headers["X-Urbankg-Truncated"] == "true" and len(csv.text.splitlines()) == 1 + 8
    graph = requests.get(main.sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, timeout=30)
    assert graph.headers["X-Urbankg-Truncated"] == "true"
    assert len(Graph().parse(data=graph.text, format="turtle")) == 8


def test_a_result_within_the_cap_is_not_marked(main):
    response = requests.get(main.sparql, params={"query": LABELS}, timeout=30)
    assert "X-Urbankg-Truncated" not in response.headers
    assert "link" not in response.json()["head"]
    assert response.headers["X-Urbankg-Rows"] == "3"


# -- the byte cap ---------------------------------------------------------------------------------

CAP = 100_000
CELL = 10 * 2**12  # characters in each cell of doubling(rows, 12)


def doubling(rows: int, doublings: int, seed: str = "0123456789") -> str:
    """Rows whose cell doubles a ten-character string: a few bytes of query, an answer as large as asked."""
    binds = f'BIND("{seed}" AS ?x0) ' + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(doublings))
    values = " ".join(str(i) for i in range(rows))
    return f"SELECT ?i ?x{doublings} WHERE {{ VALUES ?i {{ {values} }} {binds} }} ORDER BY ?i"


def doubling_graph(triples: int, doublings: int) -> str:
    # Characters every graph format escapes (RDF/XML to four or five bytes): the document is
    # longer than its terms, and must still fit.
    select = doubling(triples, doublings, seed=r"<&>\"<&>\"<&")
    where = select[select.index("WHERE") : select.index(" ORDER BY")]
    return (
        f"CONSTRUCT {{ ?s <https://example.org/cell> ?x{doublings} }} {where[:-1]} "
        "BIND(IRI(CONCAT('https://example.org/row', STR(?i))) AS ?s) }"
    )


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    with endpoint(
        tmp_path_factory.mktemp("capped") / "store", Settings(token=TOKEN, workers=1, max_result_bytes=CAP)
    ) as running:
        yield running


def test_ten_rows_of_doubled_strings_are_cut_at_the_default_byte_cap(main):
    # Issue 21, finding 7: this answered 105 MB (84 MB under main's cap of 8 rows).
    response = requests.get(main.sparql, params={"query": doubling(10, 20)}, timeout=60)
    assert response.status_code == 200
    assert len(response.content) <= 16 * 2**20
    assert response.headers["X-Urbankg-Truncated"] == "true"
    assert response.headers["X-Urbankg-Max-Bytes"] == str(16 * 2**20)
    assert "X-Urbankg-Max-Rows" not in response.headers  # the bytes cut it, not the rows
    document = response.json()
    assert document["head"]["link"] == [f"urn:urbankg:truncated:max-bytes={16 * 2**20}"]
    assert len(document["results"]["bindings"]) == 1 == int(response.headers["X-Urbankg-Rows"])
    assert len(document["results"]["bindings"][0]["x20"]["value"]) == 10 * 2**20  # whole, not cut


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_byte_cap_keeps_every_result_format_valid_with_whole_rows(capped, fmt):
    response = requests.get(capped.sparql, params={"query": doubling(10, 12), "format": fmt}, timeout=30)
    assert response.status_code == 200
    assert len(response.content) <= CAP
    assert response.headers["X-Urbankg-Truncated"] == "true" and response.headers["X-Urbankg-Max-Bytes"] == str(CAP)
    rows = Result.parse(io.BytesIO(response.content), format=fmt)  # rdflib's parsers, not ours
    cells = [str(row[1]) for row in rows]
    assert len(cells) == 2 == int(response.headers["X-Urbankg-Rows"])  # two of 10 whole rows fit in 100 kB
    assert all(len(cell) == CELL for cell in cells)
    if fmt == "xml":
        head = ElementTree.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}head")
        assert (
            head.find("{http://www.w3.org/2005/sparql-results#}link").get("href")
            == f"urn:urbankg:truncated:max-bytes={CAP}"
        )


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_byte_cap_keeps_every_graph_format_valid(capped, accept, rdflib_format):
    response = requests.get(
        capped.sparql, params={"query": doubling_graph(10, 11)}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert len(response.content) <= CAP
    assert response.headers["X-Urbankg-Truncated"] == "true" and response.headers["X-Urbankg-Max-Bytes"] == str(CAP)
    graph = Dataset() if rdflib_format in ("trig", "nquads") else Graph()
    graph.parse(data=response.content, format=rdflib_format)
    objects = (
        [str(o) for o in graph.objects(None, EX.cell)]
        if isinstance(graph, Graph)
        else [str(q[2]) for q in graph.quads((None, EX.cell, None, None))]
    )
    assert 1 <= len(objects) == int(response.headers["X-Urbankg-Rows"]) < 10
    assert all(len(cell) == CELL // 2 for cell in objects)


def test_a_single_value_larger_than_the_byte_cap_ends_the_result_before_its_row(capped):
    response = requests.get(capped.sparql, params={"query": doubling(3, 14)}, timeout=30)  # 164 kB cells
    assert response.status_code == 200
    assert response.headers["X-Urbankg-Truncated"] == "true" and response.headers["X-Urbankg-Max-Bytes"] == str(CAP)
    assert response.headers["X-Urbankg-Rows"] == "0"
    assert response.json() == {
        "head": {"vars": ["i", "x14"], "link": [f"urn:urbankg:truncated:max-bytes={CAP}"]},
        "results": {"bindings": []},
    }


# -- the service description ---------------------------------------------------------------------


def test_service_description_with_void_statistics(main):
    response = requests.get(main.sparql, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(main.sparql)
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in graph  # a token is configured
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph  # no SERVICE allow-list
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(dataset, VOID.triples).toPython() == main.count()
    named = [graph.value(n, SD.name) for n in graph.objects(dataset, SD.namedGraph)]
    assert named == [URIRef("https://w3id.org/urbankg/graph/villages")]
    classes = {
        graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert classes[EX.Village] == 3


def test_service_description_is_negotiated(main):
    as_jsonld = requests.get(main.sparql, headers={"Accept": "application/ld+json"}, timeout=30)
    graph = Graph().parse(data=as_jsonld.text, format="json-ld")
    assert (URIRef(main.sparql), SD.endpoint, URIRef(main.sparql)) in graph
    browser = requests.get(
        main.sparql, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, allow_redirects=False, timeout=30
    )
    assert browser.status_code == 302 and browser.headers["Location"].endswith("/query")  # the query editor
    assert requests.get(main.sparql, headers={"Accept": "image/png"}, timeout=30).status_code == 406


def test_read_only_service_description_offers_no_update(read_only):
    graph = Graph().parse(data=requests.get(read_only.sparql, timeout=30).text, format="turtle")
    assert (URIRef(read_only.sparql), SD.supportedLanguage, SD.SPARQL11Update) not in graph
    assert (URIRef(read_only.sparql), SD.supportedLanguage, SD.SPARQL11Query) in graph


# -- updates and the token -------------------------------------------------------------------------

INSERT = (
    "INSERT DATA { GRAPH <https://example.org/g/notes> { <https://example.org/note> <https://example.org/says> 'hi' } }"
)
NOTE_EXISTS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://example.org/note> ?p ?o } }"


def test_update_without_the_token_is_401_and_changes_nothing(main):
    before = main.count()
    missing = requests.post(main.sparql, data={"update": INSERT}, timeout=30)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in missing.text
    wrong = requests.post(
        main.sparql,
        data=INSERT.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer guess"},
        timeout=30,
    )
    assert wrong.status_code == 401 and "not the server's write token" in wrong.text
    assert main.count() == before and main.count(NOTE_EXISTS) == 0


def test_update_with_the_token_is_read_back_at_once(main):
    client = SPARQLWrapper(main.url + "/sparql")
    client.setMethod("POST")
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(INSERT)
    assert client.query().response.status == 204
    # The very next query sees it: the worker reopens a fresh snapshot after a write.
    answer = requests.get(main.sparql, params={"query": NOTE_EXISTS}, timeout=30).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "1"
    basic = requests.post(
        main.sparql, data={"update": "DROP GRAPH <https://example.org/g/notes>"}, auth=("anyone", TOKEN), timeout=30
    )  # HTTP Basic with the token as password
    assert basic.status_code == 204 and main.count(NOTE_EXISTS) == 0
    assert basic.content == b"" and "Content-Type" not in basic.headers  # a 204 said text/html


def test_update_errors_from_the_text_are_400(main):
    response = requests.post(
        main.sparql, data={"update": "DROP GRAPH <https://example.org/never>"}, headers=main.auth, timeout=30
    )
    assert response.status_code == 400 and "does not exist" in response.text
    syntax = requests.post(main.sparql, data={"update": "INSERT DATA {\n <a> <b> }"}, headers=main.auth, timeout=30)
    assert syntax.status_code == 400 and "error at 2:" in syntax.text  # the line of the client's text


def test_read_only_server_refuses_updates_with_403(read_only):
    before = read_only.count()
    response = requests.post(
        read_only.sparql, data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 403
    assert "read-only" in response.text and "URBANKG_TOKEN" in response.text
    assert read_only.count() == before > 0


# -- what would reach out of the server -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <{target}> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <{target}> { ?s ?p ?o } }",
        "PREFIX r: <{target_base}> SELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <{target}> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p trueSERVICE <{target}> { ?a ?b ?c } }",
        "# SERVICE in a comment is fine, this one is not\nSELECT * WHERE { ?s ?p 1SERVICE <{target}> {} }",
    ],
)
def test_service_is_refused_before_the_engine_calls_out(main, read_only, query):
    query = query.replace("{target}", read_only.sparql).replace("{target_base}", read_only.url + "/")
    calls_before = _sparql_requests(read_only)
    response = requests.get(main.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text and "refused" in response.text
    assert _sparql_requests(read_only) == calls_before  # the other endpoint never heard from us


def test_harmless_mentions_of_service_are_not_refused(main):
    query = (
        "PREFIX schema: <https://schema.org/> # SERVICE <http://evil.example/> {}\n"
        'SELECT ?x WHERE { BIND("SERVICE <http://evil.example/> {}" AS ?x) OPTIONAL { ?x schema:serviceType ?t } }'
    )
    assert requests.get(main.sparql, params={"query": query}, timeout=30).status_code == 200


def test_load_is_refused(main):
    response = requests.post(
        main.sparql, data={"update": "LOAD <http://127.0.0.1:1/data.ttl>"}, headers=main.auth, timeout=30
    )
    assert response.status_code == 400 and "LOAD" in response.text and "Graph Store" in response.text


def test_service_on_the_allow_list_is_called(tmp_path, read_only):
    settings = Settings(token=None, workers=1, service_allow=(read_only.sparql,))
    with endpoint(tmp_path / "store", settings) as federating:
        label = "<http://www.w3.org/2000/01/rdf-schema#label>"
        query = f"SELECT ?label WHERE {{ SERVICE <{read_only.sparql}> {{ ?v {label} ?label }} }}"
        response = requests.get(federating.sparql, params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        assert [b["label"]["value"] for b in response.json()["results"]["bindings"]] == ["Lirendong"]
        other = requests.get(
            federating.sparql, params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/sparql> {} }"}, timeout=30
        )
        assert other.status_code == 400 and read_only.sparql in other.text  # says what is allowed


def test_no_parameter_points_the_server_at_another_endpoint(main, read_only):
    calls_before = _sparql_requests(read_only)
    params = {
        "query": f"ASK FROM <{read_only.sparql}> {{ ?s ?p ?o }}",
        "endpoint": read_only.sparql,
        "service": read_only.sparql,
        "default-graph-uri": read_only.sparql,
    }
    response = requests.get(main.sparql, params=params, timeout=30)
    assert response.status_code == 200 and response.json()["boolean"] is False  # named, never fetched
    assert _sparql_requests(read_only) == calls_before


def _sparql_requests(server) -> int:
    text = requests.get(server.url + "/metrics", timeout=30).text
    return sum(
        int(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('urbankg_http_requests_total{route="/sparql"')
    )


# -- body size and CORS -------------------------------------------------------------------------------


def test_oversized_body_is_413_and_never_run(main):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    response = requests.post(
        main.sparql, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert response.status_code == 413
    assert "20000 bytes" in response.text and "URBANKG_MAX_BODY" in response.text

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(30):
            yield b"#" + b"x" * 999

    chunked = requests.post(
        main.sparql, data=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert chunked.status_code == 413


def test_cors_only_for_configured_origins(main, read_only):
    preflight = requests.options(
        main.sparql,
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
        timeout=30,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    answer = requests.get(main.sparql, params={"query": "ASK {}"}, headers={"Origin": CORS_ORIGIN}, timeout=30)
    assert answer.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
    assert "X-Urbankg-Truncated" in answer.headers["Access-Control-Expose-Headers"]
    stranger = requests.get(
        main.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}, timeout=30
    )
    assert "Access-Control-Allow-Origin" not in stranger.headers
    default = requests.get(read_only.sparql, params={"query": "ASK {}"}, headers={"Origin": CORS_ORIGIN}, timeout=30)
    assert "Access-Control-Allow-Origin" not in default.headers  # none configured: same origin only


def test_turtle_results_declare_only_the_prefixes_they_use(main):
    text = requests.get(main.sparql, params={"query": CONSTRUCT}, headers={"Accept": "text/turtle"}, timeout=30).text
    assert "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ." in text
    assert "skos:" not in text and "rdfs:label" in text
