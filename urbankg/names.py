"""Short names for RDF terms in messages people read, one definition for the validator and the reasoner.

``short_name(graph, node)``: ``kind/slug`` for urbankg data (under ``config.ID_BASE``), a CURIE
for vocabulary terms the graph binds a prefix for, ``(unnamed node)`` for a blank node or a
skolem IRI standing for one, a quoted literal clipped to 80 characters. Costs a prefix lookup.
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from urbankg import config

SKOLEM_BASE = config.BASE + ".well-known/genid/"
"""Where urbankg mints IRIs for blank nodes that a tool cannot take as blank nodes (RDF 1.1 skolem IRIs)."""

UNNAMED = "(unnamed node)"
LITERAL_WIDTH = 80


def short_name(graph: Graph, node: Node | None) -> str:
    """``node`` as a message names it; ``?`` for no node."""
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        text = str(node)
        if text.startswith(SKOLEM_BASE):
            return UNNAMED
        if text.startswith(config.ID_BASE):
            return text[len(config.ID_BASE) :]
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib raises several kinds for an IRI it cannot split into prefix and name
            return f"<{text}>"
    if isinstance(node, BNode):
        return UNNAMED
    text = str(node)
    return repr(text) if len(text) < LITERAL_WIDTH else repr(text[: LITERAL_WIDTH - 3] + "...")
