"""Pre-bound values on a remote store: pyoxigraph's ``substitutions``, written into the query.

An endpoint takes only query text, so each pre-bound variable (the catalogue's parameters)
becomes a ``VALUES`` block at the start of the query's outer group. Not a trailing VALUES
clause: Virtuoso applies that after LIMIT and ORDER BY (measured), which changes the
answer. The values are written as pyoxigraph writes terms, which cannot end the term
early; where they go is found by the lexical scan (:mod:`urbankg.sparql_scan`). Costs one
scan of the query's text.
"""

from __future__ import annotations

import pyoxigraph as ox

from urbankg.errors import StoreError
from urbankg.sparql_scan import QUERY_FORMS, Token, tokens
from urbankg.store import Substitutions


def prebind(sparql: str, substitutions: Substitutions) -> str:
    """The query with each variable bound to its value by a VALUES block at the start of the
    query's outer group, the remote equivalent of pyoxigraph's ``substitutions``."""
    names, values = [], []
    for key, term in substitutions.items():
        name = key.lstrip("?$")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise StoreError(f"?{name} can be bound only to an IRI or a literal on a remote store, not {term!r}")
        names.append(f"?{name}")
        values.append(str(term))
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(values)}) }} "
    found = tokens(sparql)
    form = next((i for i, t in enumerate(found) if t.is_keyword(*QUERY_FORMS)), None)
    if form is None:
        raise StoreError("cannot bind parameters: this is not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    groups = _outer_groups(found[form + 1 :])
    construct = found[form].text.upper() == "CONSTRUCT"
    short_construct = construct and not (form + 1 < len(found) and found[form + 1].text == "{")
    edits: list[tuple[int, str]] = []  # (position, text to insert)
    if construct and not short_construct:
        groups = groups[1:]  # the first group is the template
    if not groups:
        raise StoreError("cannot bind parameters: the query has no WHERE clause")
    opening, closing, first_inside = groups[0]
    if short_construct:  # CONSTRUCT WHERE { T } is CONSTRUCT { T } WHERE { T }
        edits.append((found[form].end, " " + sparql[opening.start : closing.end]))
    if first_inside is not None and first_inside.is_keyword("SELECT"):
        # A group holding a subquery may hold nothing else: wrap the subquery in its own group.
        edits += [(opening.end, block + "{ "), (closing.start, " } ")]
    else:
        edits.append((opening.end, block))
    for position, text in sorted(edits, reverse=True):
        sparql = sparql[:position] + text + sparql[position:]
    return sparql


def _outer_groups(body: list[Token]) -> list[tuple[Token, Token, Token | None]]:
    """(opening brace, closing brace, first token inside) of each top-level {...} group of
    ``body``, braces inside parentheses (EXISTS in a SELECT expression) not counted."""
    groups = []
    depth, parens = 0, 0
    opening: int | None = None
    for index, token in enumerate(body):
        if token.kind != "punct":
            continue
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            if depth == 0:
                opening = index
            depth += 1
        elif token.text == "}" and parens == 0:
            depth -= 1
            if depth == 0 and opening is not None:
                inside = body[opening + 1] if opening + 1 < index else None
                groups.append((body[opening], token, inside))
    return groups
