"""For the tests of the canned queries: the bundled ontology and corpus in a store on disk, and a
query of the catalogue run with its parameters, as rows of plain values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from urbankg.graph import KnowledgeGraph
from urbankg.queries.catalogue import Catalogue


def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph.open(tmp_path_factory.mktemp("store"))
    graph.ensure_bundled()
    yield graph
    graph.close()


def ask(kg: KnowledgeGraph, name: str, **params) -> list[dict]:
    result = Catalogue().run(kg, name, params)
    columns = [v.value for v in result.variables]
    return [{c: (s[c].value if s[c] is not None else None) for c in columns} for s in result]
