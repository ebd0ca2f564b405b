"""SPARQL over a corpus file's graph, as the corpus tests write it: prefixes, and `id:kind/slug` for ids."""

from __future__ import annotations

import re

from rdflib import Graph

ID = "https://w3id.org/urbankg/id/"
PREFIXES = """
PREFIX ukg: <https://w3id.org/urbankg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX mp: <http://purl.org/mp/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX biro: <http://purl.org/spar/biro/>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


def sparql(query: str) -> str:
    """Prefixes added, and `id:kind/slug` written out as a full IRI (SPARQL local names have no '/')."""
    return PREFIXES + re.sub(r"\bid:([\w./-]*\w)", lambda m: f"<{ID}{m.group(1)}>", query)


def rows(graph: Graph, query: str, **bindings) -> list[tuple]:
    """The rows of ``query``; ``bindings`` are terms bound to its variables (never written into it)."""
    return [tuple(row) for row in graph.query(sparql(query), initBindings=bindings or None)]


def ask(graph: Graph, query: str) -> bool:
    return bool(graph.query(sparql(query)).askAnswer)


def iri(local: str) -> str:
    return ID + local
