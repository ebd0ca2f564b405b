"""Query results to bytes, in the negotiated format, cut at the row cap.

pyoxigraph serialises a whole result, with no way to stop after N rows, so the four
SPARQL result formats for SELECT are written here (they are small, fixed formats).
Graphs are cut to N triples and then serialised by pyoxigraph. A truncated result says
so inside the document where the format has a place for it: the ``link`` of the SPARQL
JSON and XML heads (both standard), and the server adds a response header.

Runs inside the query worker processes, so it imports nothing heavy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
QUAD_FORMATS = {"trig", "nquads"}


def truncation_link(max_rows: int) -> str:
    """The IRI put in a truncated result's head: it says what happened, in the result itself."""
    return f"urn:urbankg:truncated:max-rows={max_rows}"


@dataclass
class Written:
    kind: str  # solutions, boolean, graph
    body: bytes
    rows: int
    truncated: bool


class FormatMismatch(Exception):
    """The chosen format does not fit the kind of result the query gave."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


def write(result, formats: dict[str, str], max_rows: int | None, prefixes: dict[str, str] | None = None) -> Written:
    """Serialise ``result`` in ``formats[kind]`` (kind: solutions, boolean or graph)."""
    if isinstance(result, ox.QuerySolutions):
        fmt = _format_for("solutions", formats)
        variables = [v.value for v in result.variables]
        rows, truncated = _take(([solution[v] for v in variables] for solution in result), max_rows)
        body = SOLUTION_WRITERS[fmt](variables, rows, truncation_link(max_rows) if truncated else None)
        return Written("solutions", body, len(rows), truncated)
    if isinstance(result, ox.QueryBoolean):
        fmt = _format_for("boolean", formats)
        return Written("boolean", BOOLEAN_WRITERS[fmt](bool(result)), 1, False)
    fmt = _format_for("graph", formats)
    triples, truncated = _take(iter(result), max_rows)
    if fmt in QUAD_FORMATS:
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    options = {"prefixes": _used(prefixes, triples)} if prefixes and fmt in ("turtle", "trig") else {}
    body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], **options)
    return Written("graph", body, len(triples), truncated)


def _used(prefixes: dict[str, str], statements: list) -> dict[str, str]:
    """Only the prefixes the statements use: pyoxigraph would declare every one it is given."""
    iris = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def _format_for(kind: str, formats: dict[str, str]) -> str:
    if not formats.get(kind):
        raise FormatMismatch(kind)
    return formats[kind]


def _take(items, limit: int | None) -> tuple[list, bool]:
    taken = []
    for item in items:
        if limit is not None and len(taken) >= limit:
            return taken, True
        taken.append(item)
    return taken, False


# -- SPARQL 1.1 Query Results JSON -------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF 1.2 triple terms
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _json_solutions(variables: list[str], rows: list, link: str | None) -> bytes:
    head: dict = {"vars": variables}
    if link:
        head["link"] = [link]
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": head, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")


def _json_boolean(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode("utf-8")


# -- SPARQL Query Results XML ------------------------------------------------------------

XML_START = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_solutions(variables: list[str], rows: list, link: str | None) -> bytes:
    parts = [XML_START, "<head>"]
    parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
    if link:
        parts.append(f"<link href={quoteattr(link)}/>")
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row) if t is not None]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts).encode("utf-8")


def _xml_boolean(value: bool) -> bytes:
    return f"{XML_START}<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n".encode("utf-8")


# -- SPARQL 1.1 Query Results CSV and TSV ------------------------------------------------


def _csv_field(term) -> str:
    if term is None:
        text = ""
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _csv_solutions(variables: list[str], rows: list, link: str | None) -> bytes:
    lines = [",".join(variables)]
    lines += [",".join(_csv_field(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _nt_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _tsv_field(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{_nt_string(term.value)}@{term.language}"
        if term.datatype.value != XSD_STRING:
            return f"{_nt_string(term.value)}^^<{term.datatype.value}>"
        return _nt_string(term.value)
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_field(term.subject)} {_tsv_field(term.predicate)} {_tsv_field(term.object)} )>>"
    raise TypeError(f"not an RDF term: {term!r}")


def _tsv_solutions(variables: list[str], rows: list, link: str | None) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_field(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


SOLUTION_WRITERS = {"json": _json_solutions, "xml": _xml_solutions, "csv": _csv_solutions, "tsv": _tsv_solutions}
BOOLEAN_WRITERS = {"json": _json_boolean, "xml": _xml_boolean}
