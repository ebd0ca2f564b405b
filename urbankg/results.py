"""Writing query results: SPARQL result formats via pyoxigraph, and a plain table for people."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

import pyoxigraph as ox

from urbankg import config, formats
from urbankg.errors import UrbankgError, clipped
from urbankg.store import QueryResult

# The formats the command line writes, named as urbankg.formats names them.
SOLUTION_FORMATS = {f.key: f.results for f in (formats.JSON, formats.CSV, formats.TSV, formats.XML) if f.results}
GRAPH_FORMATS = {f.key: f.rdf for f in (formats.TURTLE, formats.NTRIPLES) if f.rdf}
RESULT_FORMATS = ["table", *SOLUTION_FORMATS, *GRAPH_FORMATS]

# Shown shortened in tables; the full IRIs are what the machine formats give.
TABLE_PREFIXES = {
    "id:": config.ID_BASE,
    "ukg:": config.ONTOLOGY_NS,
    "graph:": config.GRAPH_BASE,
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "cito:": "http://purl.org/spar/cito/",
    "fabio:": "http://purl.org/spar/fabio/",
    "rdf:": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "owl:": "http://www.w3.org/2002/07/owl#",
    "xsd:": "http://www.w3.org/2001/XMLSchema#",
    "dcterms:": "http://purl.org/dc/terms/",
    "prov:": "http://www.w3.org/ns/prov#",
    "foaf:": "http://xmlns.com/foaf/0.1/",
    "schema:": "https://schema.org/",
    "mp:": "http://purl.org/mp/",
    "oa:": "http://www.w3.org/ns/oa#",
    "c4o:": "http://purl.org/spar/c4o/",
    "biro:": "http://purl.org/spar/biro/",
    "frbr:": "http://purl.org/vocab/frbr/core#",
    "qb:": "http://purl.org/linked-data/cube#",
    "prism:": "http://prismstandard.org/namespaces/basic/2.0/",
    "sdmx-measure:": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-dimension:": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-attribute:": "http://purl.org/linked-data/sdmx/2009/attribute#",
}


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph


def write_result(result: QueryResult, fmt: str, out: TextIO) -> None:
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            _write_table([v.value for v in result.variables], ([s[v] for v in result.variables] for s in result), out)
        elif fmt in SOLUTION_FORMATS:
            out.write(_decoded(result.serialize(format=SOLUTION_FORMATS[fmt])))
        else:
            raise UrbankgError(f"a SELECT result cannot be written as {fmt}: use table, json, csv, tsv or xml")
    elif isinstance(result, ox.QueryBoolean):
        if fmt in ("json", "xml"):
            out.write(_decoded(result.serialize(format=SOLUTION_FORMATS[fmt])))
        else:
            out.write(("true" if bool(result) else "false") + "\n")
    else:  # QueryTriples from CONSTRUCT / DESCRIBE
        if fmt == "table":
            _write_table(["subject", "predicate", "object"], ([t.subject, t.predicate, t.object] for t in result), out)
        elif fmt in GRAPH_FORMATS:
            out.write(_decoded(result.serialize(format=GRAPH_FORMATS[fmt])))
        else:
            raise UrbankgError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}: use table, turtle or ntriples")
    if fmt != "table":
        out.write("" if fmt in ("csv", "tsv", "turtle", "ntriples") else "\n")


def _decoded(data: bytes | None) -> str:
    """What serialize() returned, as text: it returns None only when given an output, which no caller does."""
    return (data or b"").decode("utf-8")


def show_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in TABLE_PREFIXES.items():
            if term.value.startswith(namespace):
                return prefix + term.value[len(namespace) :]
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _write_table(headers: list[str], rows: Iterable[Sequence[Term | None]], out: TextIO, max_width: int = 60) -> None:
    cells = [[clipped(show_term(term), max_width) for term in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out.write(line.rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(cells)} row{'s' if len(cells) != 1 else ''})\n")
