"""The embedded store: Oxigraph (pyoxigraph), on disk or in memory.

Why Oxigraph: a real SPARQL 1.1 engine with transactions in a pip-installable wheel,
fast enough for a field's literature on one machine, and its results serialise to
every SPARQL result format natively.

Atomicity: replacing graphs is one SPARQL update request (DROP + INSERT DATA for
every graph, plus the catalogue entries), which Oxigraph applies in one transaction,
so readers see the old graphs or the new ones, never half a load. One process may
open the directory for writing (RocksDB holds a lock); within it a lock keeps a
single writer.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Literal

from urbankg.errors import StoreError
from urbankg.store import GraphReplacement, StoreStats

CATALOGUE_PREFIXES = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

EXPORT_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


class OxigraphStore:
    def __init__(self, path: Path | str | None = None):
        """Open the store at ``path`` (created if missing); ``None`` keeps it in memory."""
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.path}: {exc}. Is another urbankg process using it? "
                "Stop it or pass another --store directory."
            ) from exc
        self._write_lock = threading.Lock()
        # Counts writes, so readers elsewhere (the server's query processes, which see a
        # snapshot) can tell that what they see is stale.
        self.generation = 0

    # -- writing -----------------------------------------------------------------

    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        if not replacements:
            return
        now = datetime.now(timezone.utc).isoformat()
        operations = []
        data_blocks = []
        for replacement in replacements:
            iri = _iri(replacement.iri)
            operations.append(f"DROP SILENT GRAPH {iri}")
            operations.append(f"DELETE WHERE {{ {iri} ?p ?o }}")  # its catalogue entry
            body = replacement.graph.serialize(format="nt")
            data_blocks.append(f"GRAPH {iri} {{\n{body}\n}}")
            data_blocks.append(
                f"{iri} a void:Dataset ; void:triples {len(replacement.graph)} ; "
                f"dcterms:source {Literal(replacement.origin).n3()} ; "
                f'prov:generatedAtTime "{now}"^^xsd:dateTime .'
            )
        update = CATALOGUE_PREFIXES + " ;\n".join(operations) + " ;\nINSERT DATA {\n" + "\n".join(data_blocks) + "\n}"
        self.update(update)

    def drop_graph(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        if not self._store.contains_named_graph(node):
            return False
        self.update(f"DROP GRAPH {_iri(iri)} ; DELETE WHERE {{ {_iri(iri)} ?p ?o }}")
        return True

    def update(self, sparql: str) -> None:
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise StoreError(f"SPARQL update syntax error: {exc}") from exc
            except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist
                raise StoreError(f"the update cannot be applied, nothing was changed: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"the store could not apply the update: {exc}") from exc
            finally:
                self.generation += 1

    def bulk_load(self, source: Path | BinaryIO, fmt: ox.RdfFormat, graph_iri: str) -> None:
        """Fast, non-transactional load of a large file (or a binary stream) into one graph.

        Then compacted: the bulk loader leaves many overlapping files, which every later read
        has to look through (at 100k papers, queries ran 1.4-13x slower on an uncompacted
        store than on a compacted one: BENCHMARKS.md)."""
        with self._write_lock:
            try:
                data = {"path": str(source)} if isinstance(source, (str, Path)) else {"input": source}
                self._store.bulk_load(format=fmt, to_graph=ox.NamedNode(graph_iri), **data)
                self._store.optimize()
            finally:
                self.generation += 1

    def snapshot(self, target: Path | str) -> None:
        """Write a consistent copy of the on-disk store to ``target`` (a new directory).

        RocksDB makes it a checkpoint of hard links, so it costs milliseconds, not a copy
        of the data. Other processes may open it with ``pyoxigraph.Store.read_only``:
        unlike the live directory, nobody writes to it.
        """
        if self.path is None:
            raise StoreError("an in-memory store has no snapshot on disk")
        self._store.backup(str(target))

    # -- reading -----------------------------------------------------------------

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph Store itself, for callers that need its own query options
        (the server: FROM must win over the union default graph, base IRIs)."""
        return self._store

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None):
        options: dict = {}
        if default_graph:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the query failed: {exc}") from exc

    def export(self, output: BinaryIO, fmt: str) -> None:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"cannot export as '{fmt}': choose one of {', '.join(EXPORT_FORMATS)}")
        self._store.dump(output, EXPORT_FORMATS[fmt])

    def stats(self) -> StoreStats:
        per_graph = {"": _count(self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))}
        for row in self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            per_graph[row["g"].value] = int(row["n"].value)
        classes = {
            row["c"].value: int(row["n"].value)
            for row in self._store.query(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c",
                use_default_graph_as_union=True,
            )
        }
        properties = {
            row["p"].value: int(row["n"].value)
            for row in self._store.query(
                "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p", use_default_graph_as_union=True
            )
        }
        return StoreStats(sum(per_graph.values()), per_graph, classes, properties)

    def is_empty(self) -> bool:
        # len() counts every quad; one quad is enough to know.
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
        self._store = None


def _iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ '):
        raise StoreError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def _count(solutions) -> int:
    return int(next(iter(solutions))["n"].value)
