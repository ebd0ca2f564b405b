"""Every format urbankg reads or writes, defined once: its name, media types, file suffixes,
and what pyoxigraph and rdflib call it.

Three families: the SPARQL results documents (for SELECT and ASK), the RDF serialisations
(CONSTRUCT and DESCRIBE answers, Graph Store bodies, exports, files to load), and urbankg's
own source formats (annotation YAML, BibTeX, CSL-JSON, RIS), which only the loaders read; and HTML, which
the web UI's pages are. The server's
content negotiation, its result writers and its Service Description, the Graph Store's
reading of bodies and the UI's resource pages take their tables from here; so do the
command line, the stores and the loaders (which suffix each loader reads, and under which
parser's name).

A format answers to three kinds of media type, kept apart because reading and answering
differ: ``media_type`` is the registered one, sent in Content-Type; ``aliases`` are other
names of exactly this format (``application/x-turtle``), read as it and answered for;
``accepted`` are types a client may ask for and be served this format under, without a body
of that type being read as it (Turtle is N3, so ``Accept: text/n3`` may get Turtle, but an N3
body needs the N3 parser; ``application/json`` asks for any JSON).

Costs nothing: constant tables, made at import (pyoxigraph's format objects are constants).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    key: str  # urbankg's name: the query workers, writers and command line call it this
    media_type: str
    aliases: tuple[str, ...] = ()  # other media types of exactly this format: read and answered as it
    accepted: tuple[str, ...] = ()  # media types a client may ask for and be answered with it; never read as it
    names: tuple[str, ...] = ()  # values of format= (and ?format on the UI's pages) that pick it
    suffixes: tuple[str, ...] = ()  # file suffixes read as it; the first is the one to write
    rdf: ox.RdfFormat | None = None  # pyoxigraph's, for an RDF serialisation
    results: ox.QueryResultsFormat | None = None  # pyoxigraph's, for a SPARQL results document
    rdflib: str | None = None  # rdflib's parser name, for the RDF formats the loaders read with rdflib
    # A format of quads (TriG, N-Quads): triples are written as quads of the default graph. Not
    # pyoxigraph's supports_datasets, which JSON-LD has too and which takes triples as they are.
    quads: bool = False
    prefixed: bool = False  # it declares prefixes (Turtle, TriG): a writer may give it some
    # Its name under http://www.w3.org/ns/formats/ (the Service Description's sd:resultFormat);
    # written out, since pyoxigraph's own IRI for JSON-LD is not the registry's.
    w3c: str | None = None

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"  # every format here is UTF-8 text

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type a client may name it by, in a request's Accept or format=."""
        return (self.media_type, *self.aliases, *self.accepted)


# -- SPARQL results documents --------------------------------------------------------------

JSON = Format(
    "json",
    "application/sparql-results+json",
    accepted=("application/json",),
    names=("json", "srj"),
    suffixes=(".srj",),
    results=ox.QueryResultsFormat.JSON,
    w3c="SPARQL_Results_JSON",
)
XML = Format(
    "xml",
    "application/sparql-results+xml",
    accepted=("application/xml", "text/xml"),
    names=("xml", "srx"),
    suffixes=(".srx",),
    results=ox.QueryResultsFormat.XML,
    w3c="SPARQL_Results_XML",
)
CSV = Format(
    "csv", "text/csv", names=("csv",), suffixes=(".csv",), results=ox.QueryResultsFormat.CSV, w3c="SPARQL_Results_CSV"
)
TSV = Format(
    "tsv",
    "text/tab-separated-values",
    names=("tsv",),
    suffixes=(".tsv",),
    results=ox.QueryResultsFormat.TSV,
    w3c="SPARQL_Results_TSV",
)

# -- RDF serialisations --------------------------------------------------------------------

TURTLE = Format(
    "turtle",
    "text/turtle",
    aliases=("application/x-turtle",),
    accepted=("application/turtle", "text/n3", "text/rdf+n3"),
    names=("turtle", "ttl", "n3"),
    suffixes=(".ttl", ".turtle"),
    rdf=ox.RdfFormat.TURTLE,
    rdflib="turtle",
    prefixed=True,
    w3c="Turtle",
)
NTRIPLES = Format(
    "ntriples",
    "application/n-triples",
    accepted=("text/plain",),
    names=("ntriples", "n-triples", "nt"),
    suffixes=(".nt",),
    rdf=ox.RdfFormat.N_TRIPLES,
    rdflib="nt",
    w3c="N-Triples",
)
JSONLD = Format(
    "jsonld",
    "application/ld+json",
    accepted=("application/x-json+ld", "application/json"),
    names=("json-ld", "jsonld", "json"),
    suffixes=(".jsonld",),
    rdf=ox.RdfFormat.JSON_LD,
    rdflib="json-ld",
    w3c="JSON-LD",
)
RDFXML = Format(
    "rdfxml",
    "application/rdf+xml",
    accepted=("application/xml", "text/xml"),
    names=("rdf+xml", "rdfxml", "xml"),
    suffixes=(".rdf", ".owl", ".xml"),
    rdf=ox.RdfFormat.RDF_XML,
    rdflib="xml",
    w3c="RDF_XML",
)
TRIG = Format(
    "trig",
    "application/trig",
    names=("trig",),
    suffixes=(".trig",),
    rdf=ox.RdfFormat.TRIG,
    rdflib="trig",
    quads=True,
    prefixed=True,
    w3c="TriG",
)
NQUADS = Format(
    "nquads",
    "application/n-quads",
    names=("nquads", "n-quads", "nq"),
    suffixes=(".nq",),
    rdf=ox.RdfFormat.N_QUADS,
    rdflib="nquads",
    quads=True,
    w3c="N-Quads",
)
N3 = Format("n3", "text/n3", suffixes=(".n3",), rdf=ox.RdfFormat.N3, rdflib="n3", w3c="N3")  # read only

# -- the web UI's pages --------------------------------------------------------------------

HTML = Format("html", "text/html", names=("html",), suffixes=(".html",))

# -- urbankg's own source formats (the loaders read them) --------------------------------

YAML = Format("yaml", "application/yaml", aliases=("application/x-yaml", "text/yaml"), suffixes=(".yaml", ".yml"))
BIBTEX = Format("bibtex", "application/x-bibtex", aliases=("text/x-bibtex",), suffixes=(".bib",))
# CSL-JSON not as .json: that suffix says nothing of what the JSON is (loaders/csl_json.py says why).
CSL_JSON = Format("csl-json", "application/vnd.citationstyles.csl+json", suffixes=(".csljson", ".csl.json"))
RIS = Format("ris", "application/x-research-info-systems", suffixes=(".ris",))

# -- the tables ------------------------------------------------------------------------------

SOLUTIONS, BOOLEAN, GRAPH = "solutions", "boolean", "graph"  # the three kinds of query result

# What each kind of result can be answered in, in the server's order of preference (the first
# when anything goes). An ASK in CSV or TSV is a one-column table (see server/result_writers).
ANSWERS: dict[str, tuple[Format, ...]] = {
    SOLUTIONS: (JSON, XML, CSV, TSV),
    BOOLEAN: (JSON, XML, CSV, TSV),
    GRAPH: (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS),
}
RESULT_DOCUMENTS = (JSON, XML, CSV, TSV)
RDF_FORMATS = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, N3)
SOURCE_FORMATS = (*RDF_FORMATS, YAML, BIBTEX, CSL_JSON, RIS)  # every file a load reads
ALL = (*RESULT_DOCUMENTS, *SOURCE_FORMATS, HTML)


def by_key(key: str, among: Iterable[Format] = ALL) -> Format:
    """The format urbankg calls ``key`` (KeyError when none)."""
    for fmt in among:
        if fmt.key == key:
            return fmt
    raise KeyError(key)


def by_suffix(suffix: str, among: Iterable[Format] = SOURCE_FORMATS) -> Format | None:
    """The format a file with ``suffix`` (".ttl", any case) is read as, or None."""
    wanted = suffix.lower()
    return next((fmt for fmt in among if wanted in fmt.suffixes), None)


def by_media_type(media_type: str, among: Iterable[Format] = SOURCE_FORMATS) -> Format | None:
    """The format a body of ``media_type`` is read as (its own type or an alias), or None."""
    wanted = media_type.strip().lower()
    return next((fmt for fmt in among if wanted == fmt.media_type or wanted in fmt.aliases), None)
