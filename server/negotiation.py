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

from collections.abc import Sequence

# The formats of each kind of result, best first, are urbankg.formats.ANSWERS: one table for
# the whole package.
from urbankg.formats import ANSWERS, BOOLEAN, GRAPH, SOLUTIONS, Format


class NotAcceptable(Exception):
    def __init__(self, kind: str, asked: str):
        self.kind = kind
        offered = ", ".join(f.media_type for f in ANSWERS[kind])
        what = {SOLUTIONS: "a SELECT result", BOOLEAN: "an ASK result", GRAPH: "an RDF graph"}.get(kind, kind)
        super().__init__(
            f"cannot answer {asked} with {what}: it can be had as {offered} "
            f"(or with format= one of {', '.join(n for f in ANSWERS[kind] for n in f.names[:1])})"
        )


def choose(
    kind: str, accept: str | None, format_param: str | None = None, formats: Sequence[Format] | None = None
) -> Format:
    """The format to answer a result of ``kind`` in; raises NotAcceptable when none fits."""
    offered = formats if formats is not None else ANSWERS[kind]
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in fmt.names or wanted in fmt.media_types:
                return fmt
        raise NotAcceptable(kind, f"format={format_param}")
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for fmt in offered:
        q = max(quality(media_type, ranges) for media_type in fmt.media_types)
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
