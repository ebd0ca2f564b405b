"""Query results to bytes, in the negotiated format, cut at the row cap and at the byte cap.

pyoxigraph serialises a whole result, with no way to stop after N rows or N bytes, so the
four SPARQL result formats for SELECT are written here (they are small, fixed formats),
row by row: the writer stops pulling solutions from the engine at the first row that would
take the document past either cap, so a result is never built whole and cut afterwards.
A row is never cut in half: a single value larger than the byte cap ends the result
before its row (a truncated result with the rows before it, possibly none).

Graphs are cut to N triples, and to the triples whose terms fit in the byte cap, and then
serialised by pyoxigraph; a format that spells triples longer than their terms (RDF/XML,
JSON-LD) is serialised again with fewer triples until it fits. A truncated result says so
inside the document where the format has a place for it: the ``link`` of the SPARQL JSON
and XML heads (both standard), and the server adds a response header.

Runs inside the query worker processes, so it imports nothing heavy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from urbankg import formats

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def truncation_link(limit: str, value: int) -> str:
    """The IRI put in a truncated result's head: it says what happened, in the result itself."""
    return f"urn:urbankg:truncated:max-{limit}={value}"


@dataclass
class Written:
    kind: str  # solutions, boolean, graph
    body: bytes
    rows: int
    truncated: bool
    limit: str | None = None  # the cap that cut the result: "rows" or "bytes"

    def reply(self) -> dict:
        """The answer as a query process sends it over its pipe (and the in-process runner returns it)."""
        return {
            "status": "ok",
            "kind": self.kind,
            "body": self.body,
            "rows": self.rows,
            "truncated": self.truncated,
            "limit": self.limit,
        }


class FormatMismatch(Exception):
    """The chosen format does not fit the kind of result the query gave."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


def write(
    result,
    chosen: dict[str, str],
    max_rows: int | None,
    prefixes: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> Written:
    """Serialise ``result`` in ``chosen[kind]``, a format's key (kind: solutions, boolean or graph)."""
    if isinstance(result, ox.QuerySolutions):
        return _write_solutions(result, _format_for("solutions", chosen), max_rows, max_bytes)
    if isinstance(result, ox.QueryBoolean):
        fmt = _format_for("boolean", chosen)
        return Written("boolean", BOOLEAN_WRITERS[fmt](bool(result)), 1, False)
    return _write_graph(result, _format_for("graph", chosen), max_rows, prefixes, max_bytes)


def _write_solutions(result: ox.QuerySolutions, fmt: str, max_rows: int | None, max_bytes: int | None) -> Written:
    writer = SOLUTION_WRITERS[fmt]
    variables = [v.value for v in result.variables]
    # Room for the head as it would be with the longest link, so the finished document fits.
    longest_link = truncation_link("bytes" if max_bytes is not None else "rows", max(max_bytes or 0, max_rows or 0))
    room = None if max_bytes is None else max_bytes - len(writer.head(variables, longest_link)) - len(writer.tail)
    rows: list[bytes] = []
    size, limit = 0, None
    for solution in result:
        if max_rows is not None and len(rows) >= max_rows:
            limit = "rows"
            break
        row = [solution[v] for v in variables]
        left = None if room is None else room - size - len(writer.separator)
        if left is not None and sum(_length_at_least(term) for term in row) > left:  # a huge value is never copied
            limit = "bytes"
            break
        encoded = writer.row(variables, row).encode("utf-8")
        if left is not None and len(encoded) > left:
            limit = "bytes"
            break
        rows.append(encoded)
        size += len(encoded) + len(writer.separator)
    cap = max_rows if limit == "rows" else max_bytes  # set whenever it cut the result
    link = None if limit is None or cap is None else truncation_link(limit, cap)
    body = b"".join(
        [
            writer.head(variables, link).encode("utf-8"),
            writer.separator.encode("utf-8").join(rows),
            writer.tail.encode("utf-8"),
        ]
    )
    return Written("solutions", body, len(rows), limit is not None, limit)


def _write_graph(
    result: Iterable, fmt: str, max_rows: int | None, prefixes: dict[str, str] | None, max_bytes: int | None
) -> Written:
    triples: list = []
    size, limit = 0, None
    for triple in result:
        if max_rows is not None and len(triples) >= max_rows:
            limit = "rows"
            break
        if max_bytes is not None:
            size += _length_at_least(triple)
            if size > max_bytes:
                limit = "bytes"
                break
        triples.append(triple)
    body = _serialize_graph(triples, fmt, prefixes)
    while max_bytes is not None and len(body) > max_bytes and triples:
        # The format spells triples longer than their terms: keep the share that fits, a little less
        # so that one more round is rare.
        triples = triples[: min(len(triples) - 1, int(len(triples) * max_bytes / len(body) * 0.98))]
        limit = "bytes"
        body = _serialize_graph(triples, fmt, prefixes)
    return Written("graph", body, len(triples), limit is not None, limit)


def _serialize_graph(triples: list[ox.Triple], key: str, prefixes: dict[str, str] | None) -> bytes:
    fmt = formats.by_key(key, formats.ANSWERS[formats.GRAPH])
    return serialize_triples(triples, fmt, _used(prefixes, triples) if fmt.prefixed else None)


def serialize_triples(triples: list[ox.Triple], fmt: formats.Format, prefixes: dict[str, str] | None) -> bytes:
    """Triples in an RDF format: as quads of the default graph in TriG and N-Quads, and with
    ``prefixes`` declared in Turtle and TriG."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.key} is not an RDF format")
    statements: list[ox.Triple] | list[ox.Quad] = triples
    if fmt.quads:
        statements = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    declared = prefixes if fmt.prefixed else None
    return ox.serialize(statements, format=fmt.rdf, prefixes=declared) or b""  # None only when given an output


def _length_at_least(term) -> int:
    """Bytes the term takes in any format, at least (its value in UTF-8), without encoding a long value."""
    if term is None:
        return 0
    if isinstance(term, ox.Triple):
        return sum(_length_at_least(t) for t in (term.subject, term.predicate, term.object))
    value = term.value
    # A character is at least one byte: a value longer in characters than anything allowed is
    # refused before another copy of it is made.
    return len(value) if value.isascii() or len(value) > 1 << 24 else len(value.encode("utf-8"))


def _used(prefixes: dict[str, str] | None, statements: list[ox.Triple]) -> dict[str, str] | None:
    """Only the prefixes the statements use: pyoxigraph would declare every one it is given."""
    if not prefixes:
        return None
    iris = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def _format_for(kind: str, chosen: dict[str, str]) -> str:
    if not chosen.get(kind):
        raise FormatMismatch(kind)
    return chosen[kind]


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
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _json_head(variables: list[str], link: str | None) -> str:
    head: dict = {"vars": variables}
    if link:
        head["link"] = [link]
    return '{"head": ' + json.dumps(head, ensure_ascii=False) + ', "results": {"bindings": ['


def _json_row(variables: list[str], row: list) -> str:
    return json.dumps(
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}, ensure_ascii=False
    )


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
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_head(variables: list[str], link: str | None) -> str:
    parts = [XML_START, "<head>"]
    parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
    if link:
        parts.append(f"<link href={quoteattr(link)}/>")
    parts.append("</head>\n<results>\n")
    return "".join(parts)


def _xml_row(variables: list[str], row: list) -> str:
    bindings = "".join(
        f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
        for v, t in zip(variables, row, strict=True)
        if t is not None
    )
    return f"<result>{bindings}</result>\n"


def _xml_boolean(value: bool) -> bytes:
    return f"{XML_START}<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n".encode()


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


def _csv_row(variables: list[str], row: list) -> str:
    return ",".join(_csv_field(t) for t in row) + "\r\n"


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


def _tsv_row(variables: list[str], row: list) -> str:
    return "\t".join(_tsv_field(t) for t in row) + "\n"


@dataclass(frozen=True)
class _SolutionWriter:
    """A results document as its head (given the truncation link, if any), rows joined by a separator, and tail."""

    head: Callable[[list[str], str | None], str]
    row: Callable[[list[str], list], str]
    separator: str
    tail: str


SOLUTION_WRITERS = {
    formats.JSON.key: _SolutionWriter(_json_head, _json_row, ", ", "]}}"),
    formats.XML.key: _SolutionWriter(_xml_head, _xml_row, "", "</results>\n</sparql>\n"),
    # CSV and TSV have no place for a link: the response header says it.
    formats.CSV.key: _SolutionWriter(lambda variables, link: ",".join(variables) + "\r\n", _csv_row, "", ""),
    formats.TSV.key: _SolutionWriter(
        lambda variables, link: "\t".join(f"?{v}" for v in variables) + "\n", _tsv_row, "", ""
    ),
}


def _csv_boolean(value: bool) -> bytes:
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()


def _tsv_boolean(value: bool) -> bytes:
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


# SPARQL 1.1 Results CSV/TSV define no boolean. Jena writes an ASK as a one-column table,
# _askResult, and reads that back; Oxigraph writes the bare word. The table is what a
# spreadsheet or pandas reads as CSV, so urbankg writes Jena's form.
BOOLEAN_WRITERS = {
    formats.JSON.key: _json_boolean,
    formats.XML.key: _xml_boolean,
    formats.CSV.key: _csv_boolean,
    formats.TSV.key: _tsv_boolean,
}
