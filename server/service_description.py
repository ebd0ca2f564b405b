"""What GET /sparql without a query answers: a SPARQL Service Description with VoID statistics.

The description (sd: vocabulary) says what the endpoint speaks (query, update when a
token is configured, result formats, the union default graph, federation only when an
allow-list exists) and its limits; the VoID part says what the store holds: triples per
named graph, instances per class, uses per property. The statistics are SPARQL queries
themselves, run through the query runner (so a huge store cannot stall the server) and
kept until the store changes.
"""

from __future__ import annotations

import json
import threading
import time

import pyoxigraph as ox

from urbankg import formats
from urbankg.server.query_runner import QueryError
from urbankg.server.query_worker import QueryJob

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
FORMATS_NS = "http://www.w3.org/ns/formats/"
# Every format a query's answer can be had in (urbankg.formats): SELECT and ASK's, then CONSTRUCT's.
RESULT_FORMATS = [f.w3c for f in (*formats.ANSWERS[formats.SOLUTIONS], *formats.ANSWERS[formats.GRAPH]) if f.w3c]
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

STATISTICS = {
    "graphs": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None),
    "default": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", [""]),
    "classes": ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c", None),
    "properties": ("SELECT ?c (COUNT(*) AS ?n) WHERE { ?s ?c ?o } GROUP BY ?c", None),
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


class Statistics:
    """VoID numbers, computed through the runner and kept until the store's next write."""

    def __init__(self, runner, timeout: float):
        self.runner = runner
        self.timeout = timeout
        self._lock = threading.Lock()
        self._cached: tuple[object, dict | None] | None = None

    def get(self) -> dict | None:
        """{"graphs": {iri: n}, "default": n, "classes": {iri: n}, "properties": {iri: n}}, or None if too slow."""
        generation = self.runner.generation
        with self._lock:
            if self._cached is not None and generation is not None and self._cached[0] == generation:
                return self._cached[1]
            numbers = self._compute()
            self._cached = (generation, numbers)
            return numbers

    def _compute(self) -> dict | None:
        numbers: dict = {}
        deadline = time.monotonic() + self.timeout  # one limit for all the counting, not one per query
        for name, (sparql, default_graphs) in STATISTICS.items():
            job = QueryJob(
                sparql,
                {formats.SOLUTIONS: formats.JSON.key},
                None,
                default_graphs=default_graphs,
                named_graphs=[] if default_graphs is not None else None,
            )
            try:
                outcome = self.runner.run(job, max(deadline - time.monotonic(), 0.001))
            except QueryError:
                return None  # a store too big to count within the limit: describe it without numbers
            rows = json.loads(outcome.body)["results"]["bindings"]
            if name == "default":
                numbers[name] = int(rows[0]["n"]["value"]) if rows else 0
            else:
                key = "g" if name == "graphs" else "c"
                numbers[name] = {row[key]["value"]: int(row["n"]["value"]) for row in rows if key in row}
        return numbers


def describe(endpoint: str, settings, statistics: dict | None) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default_graph = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(service, RDFS_COMMENT, ox.Literal(_limits(settings))),
    ]
    triples += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in RESULT_FORMATS]
    if not settings.read_only:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if settings.service_allow:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    triples += [
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, DCT_TITLE, ox.Literal("urbankg: the knowledge graph of the urbanisation literature")),
        ox.Triple(dataset, _void("sparqlEndpoint"), service),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(
            default_graph,
            RDFS_COMMENT,
            ox.Literal(
                "The default graph of a query, and the Graph Store's /rdf-graphs?default, is the union "
                "of all named graphs and urbankg's catalogue of sources. It is read-only: a Graph Store "
                "PUT, POST or DELETE of it answers 405, and an update names the graph it writes "
                "(write into a named graph)."
            ),
        ),
    ]
    if statistics is None:
        triples.append(
            ox.Triple(
                dataset,
                RDFS_COMMENT,
                ox.Literal("Statistics are left out: counting the store took longer than the query time limit."),
            )
        )
        return triples
    graphs = statistics["graphs"]
    triples += [
        ox.Triple(dataset, _void("triples"), _count(sum(graphs.values()) + statistics["default"])),
        ox.Triple(dataset, _void("classes"), _count(len(statistics["classes"]))),
        ox.Triple(dataset, _void("properties"), _count(len(statistics["properties"]))),
        ox.Triple(default_graph, _void("triples"), _count(sum(graphs.values()) + statistics["default"])),
    ]
    for iri, n in sorted(graphs.items()):
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(iri)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _count(n)),
        ]
    for kind, predicate, measure in (("classes", "class", "entities"), ("properties", "property", "triples")):
        for iri, n in sorted(statistics[kind].items()):
            partition = ox.BlankNode()
            triples += [
                ox.Triple(dataset, _void(f"{predicate}Partition"), partition),
                ox.Triple(partition, _void(predicate), ox.NamedNode(iri)),
                ox.Triple(partition, _void(measure), _count(n)),
            ]
    return triples


def _limits(settings) -> str:
    writes = (
        "Updates and Graph Store writes need the bearer token."
        if not settings.read_only
        else "This server is read-only (no write token is configured)."
    )
    service = (
        f"SERVICE may call only: {', '.join(settings.service_allow)}."
        if settings.service_allow
        else "SERVICE is refused (no endpoint is allowed)."
    )
    return (
        f"Queries are stopped after {settings.query_timeout:g} s. Results are cut at {settings.max_rows} rows "
        f"(then the response has the header X-Urbankg-Truncated: true). Request bodies may hold "
        f"{settings.max_body} bytes. {service} {writes}"
    )
