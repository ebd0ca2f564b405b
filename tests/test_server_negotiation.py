"""Choosing a response format from Accept (with q-values) or format=."""

import pytest

from urbankg.server.negotiation import BOOLEAN, GRAPH, SOLUTIONS, NotAcceptable, choose, parse_accept, quality


@pytest.mark.parametrize(
    "kind, accept, expected",
    [
        (SOLUTIONS, None, "json"),
        (SOLUTIONS, "", "json"),
        (SOLUTIONS, "*/*", "json"),
        (SOLUTIONS, "text/csv", "csv"),
        (SOLUTIONS, "application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.9", "tsv"),
        (SOLUTIONS, "text/*", "xml"),  # text/xml is an alias of the XML results; the server's order breaks the tie
        (SOLUTIONS, "text/*, text/xml;q=0", "csv"),  # the most specific range decides
        (SOLUTIONS, "application/json", "json"),
        (GRAPH, "application/turtle,text/turtle", "turtle"),  # SPARQLWrapper's Turtle
        (GRAPH, "application/ld+json,application/x-json+ld", "jsonld"),
        (GRAPH, "application/rdf+xml", "rdfxml"),
        (GRAPH, "text/plain", "ntriples"),
        (GRAPH, "application/sparql-results+xml, application/rdf+xml;q=0.5", "rdfxml"),
        (BOOLEAN, "application/sparql-results+xml, */*;q=0.1", "xml"),
        (BOOLEAN, "text/csv", "csv"),  # Jena's one-column table (result_writers)
        (BOOLEAN, "text/tab-separated-values", "tsv"),
    ],
)
def test_accept(kind, accept, expected):
    assert choose(kind, accept).key == expected


@pytest.mark.parametrize(
    "kind, accept",
    [
        (SOLUTIONS, "image/png"),
        (SOLUTIONS, "text/csv;q=0, application/sparql-results+json;q=0"),
        (BOOLEAN, "text/turtle"),
        (GRAPH, "application/sparql-results+json"),
    ],
)
def test_nothing_fits(kind, accept):
    with pytest.raises(NotAcceptable) as raised:
        choose(kind, accept)
    assert "can be had as" in str(raised.value)


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        (SOLUTIONS, "csv", "csv"),
        (SOLUTIONS, "XML", "xml"),
        (GRAPH, "xml", "rdfxml"),
        (GRAPH, "json", "jsonld"),
        (GRAPH, "n3", "turtle"),
        (SOLUTIONS, "text/tab-separated-values", "tsv"),
        (GRAPH, "application/rdf+xml", "rdfxml"),
    ],
)
def test_format_parameter(kind, value, expected):
    assert choose(kind, "image/png", value).key == expected  # it wins over Accept


def test_malformed_accept_ranges_are_skipped():
    assert parse_accept("garbage, text/csv;q=abc, text/tsv;q=2") == [("text", "csv", 0.0), ("text", "tsv", 1.0)]
    assert quality("text/csv", parse_accept("text/*;q=0.4, */*;q=0.9")) == 0.4
