"""Which format to answer in: the ``format=`` parameter, else the Accept header with q-values.

A result is one of three kinds (solutions of a SELECT, the boolean of an ASK, the
triples of a CONSTRUCT or DESCRIBE) and each kind has its own formats. An ASK can be had
in CSV and TSV too, although SPARQL 1.1 Results CSV/TSV define no boolean: as Jena writes
it, a one-column table ``_askResult`` holding ``true`` or ``false`` (see result_writers). Accept is read
as RFC 9110 says: the most specific media range that matches a format gives its
quality (``text/*;q=0.5, text/csv;q=0`` refuses CSV), q=0 means "not acceptable", and
among equal qualities the server's order (the first format listed) wins. No Accept
header means anything is acceptable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str  # what the worker and the writers call it
    media_type: str  # what the response says it is
    also: tuple[str, ...] = ()  # other media types clients send for it
    names: tuple[str, ...] = ()  # values of format= that pick it

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"  # every format here is UTF-8 text


SOLUTIONS, BOOLEAN, GRAPH = "solutions", "boolean", "graph"

JSON = Format("json", "application/sparql-results+json", ("application/json",), ("json", "srj"))
XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx"))
CSV = Format("csv", "text/csv", (), ("csv",))
TSV = Format("tsv", "text/tab-separated-values", (), ("tsv",))
TURTLE = Format(
    "turtle",
    "text/turtle",
    ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
    ("turtle", "ttl", "n3"),
)
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",), ("ntriples", "n-triples", "nt"))
JSONLD = Format(
    "jsonld", "application/ld+json", ("application/x-json+ld", "application/json"), ("json-ld", "jsonld", "json")
)
RDFXML = Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf+xml", "rdfxml", "xml"))
TRIG = Format("trig", "application/trig", (), ("trig",))
NQUADS = Format("nquads", "application/n-quads", (), ("nquads", "n-quads", "nq"))

# Listed in order of preference: the first is the default when anything goes.
FORMATS: dict[str, list[Format]] = {
    SOLUTIONS: [JSON, XML, CSV, TSV],
    BOOLEAN: [JSON, XML, CSV, TSV],
    GRAPH: [TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS],
}


class NotAcceptable(Exception):
    def __init__(self, kind: str, asked: str):
        self.kind = kind
        offered = ", ".join(f.media_type for f in FORMATS[kind])
        what = {SOLUTIONS: "a SELECT result", BOOLEAN: "an ASK result", GRAPH: "an RDF graph"}.get(kind, kind)
        super().__init__(
            f"cannot answer {asked} with {what}: it can be had as {offered} "
            f"(or with format= one of {', '.join(n for f in FORMATS[kind] for n in f.names[:1])})"
        )


def choose(
    kind: str, accept: str | None, format_param: str | None = None, formats: list[Format] | None = None
) -> Format:
    """The format to answer a result of ``kind`` in; raises NotAcceptable when none fits."""
    offered = formats if formats is not None else FORMATS[kind]
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in fmt.names or wanted == fmt.media_type or wanted in fmt.also:
                return fmt
        raise NotAcceptable(kind, f"format={format_param}")
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for fmt in offered:
        q = max(quality(media_type, ranges) for media_type in (fmt.media_type, *fmt.also))
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable(kind, f"Accept: {accept}")
    return best


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """(type, subtype, q) for each media range; malformed ranges are skipped, as servers do."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media, _, subtype = fields[0].lower().partition("/")
        if not media or not subtype:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, subtype, q))
    return ranges


def quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none matches)."""
    media, _, subtype = media_type.lower().partition("/")
    best_specificity, q = -1, 0.0
    for range_type, range_subtype, range_q in ranges:
        if range_type == media and range_subtype == subtype:
            specificity = 2
        elif range_type == media and range_subtype == "*":
            specificity = 1
        elif range_type == "*" and range_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, q = specificity, range_q
    return q
