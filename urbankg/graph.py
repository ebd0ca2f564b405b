"""The KnowledgeGraph facade: load, validate and query, whatever the store.

Data flows one way (docs/architecture.md): file -> loader -> validation gate -> store. A load
of several files lands whole or not at all: every file is parsed and validated
first, then all their graphs are replaced in one commit (see the store). Every write
goes through :class:`urbankg.write_path.WritePath` (:attr:`KnowledgeGraph.writes`): claims
on graph names, the SHACL gate, history; the write methods here are its short forms,
writing as :func:`config.local_agent` unless told who writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from urbankg import config
from urbankg.errors import Problem, SourceError
from urbankg.loaders import load_file, source_name, supported
from urbankg.oxigraph_store import OxigraphStore
from urbankg.parsed import Parsed
from urbankg.store import QueryResult, Store, StoreStats, Substitutions, triples
from urbankg.validation import Validator, mentioned_iris

if TYPE_CHECKING:
    from urbankg.reasoning import ReasoningResult
    from urbankg.write_path import UpdateReport, WritePath

Progress = Callable[[Iterable], Iterable]


@dataclass
class LoadReport:
    graphs: dict[str, int]  # graph IRI -> triples loaded
    warnings: list[Problem]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


class KnowledgeGraph:
    def __init__(self, store: Store, validator: Validator | None = None):
        self.store = store
        self.validator = validator or Validator(config.shapes_file(), config.ontology_file())

    @classmethod
    def open(cls, store_dir: Path | str | None = None) -> KnowledgeGraph:
        """The embedded store on disk (default directory: see :func:`config.default_store_dir`)."""
        return cls(OxigraphStore(Path(store_dir) if store_dir else config.default_store_dir()))

    @classmethod
    def in_memory(cls) -> KnowledgeGraph:
        return cls(OxigraphStore(None))

    def close(self) -> None:
        self.store.close()

    @cached_property
    def writes(self) -> WritePath:
        """The write path over this graph's store."""
        from urbankg.write_path import WritePath

        return WritePath(self)

    # -- loading -------------------------------------------------------------------

    def validate(self, paths: Iterable[Path | str], progress: Progress | None = None) -> list[Problem]:
        """Every problem in the files (syntax and SHACL), warnings included. Never writes."""
        try:
            _parsed, problems = self.check(expand_paths(paths), progress)
        except SourceError as error:
            return error.problems
        return problems

    def load(
        self,
        paths: Iterable[Path | str],
        progress: Progress | None = None,
        *,
        agent: str | None = None,
        replace: bool = False,
        graph: str | None = None,
    ) -> LoadReport:
        """Parse, validate, then replace each file's graph, all in one commit (WritePath.load).

        Raises SourceError listing every problem of every file, or ClaimConflict; then
        nothing is written.
        """
        return self.writes.load(paths, agent or config.local_agent(), replace=replace, graph=graph, progress=progress)

    def load_parsed(
        self, parsed: Parsed, graph_iri: str, origin: str = "", *, agent: str | None = None, replace: bool = False
    ) -> LoadReport:
        """Validate one already-parsed source through the same gate as files, then replace
        the graph ``graph_iri`` with it (WritePath.put).

        Raises SourceError listing every SHACL error, or ClaimConflict; then nothing is written.
        """
        return self.writes.put(
            parsed, graph_iri, agent or config.local_agent(), origin=origin or str(parsed.path), replace=replace
        )

    def bulk_load(self, path: Path | str, *, agent: str | None = None, replace: bool = False) -> str:
        """Load a large, trusted RDF dump with the store's bulk loader, no SHACL
        (WritePath.bulk_load): the graph's IRI."""
        return self.writes.bulk_load(path, agent or config.local_agent(), replace=replace)

    def check(
        self, files: list[Path], progress: Progress | None, targets: list[str] | None = None
    ) -> tuple[list[Parsed], list[Problem]]:
        """Parse and validate ``files`` about to replace ``targets`` (their graphs, one a file;
        default: each file's own graph name)."""
        _refuse_duplicate_sources(files)
        parsed: list[Parsed] = []
        problems: list[Problem] = []
        steps = progress(files) if progress else files
        for path in steps:
            try:
                parsed.append(load_file(path))
            except SourceError as error:
                problems.extend(error.problems)
        if problems:  # syntax errors first: SHACL on half the files would mislead
            raise SourceError(problems)
        # The context of each file is only the types of the IRIs it mentions (from the
        # other files of this load and the store; the validator adds the ontology's):
        # shapes then judge the
        # file's own nodes, not hundreds of context nodes whose results would be dropped.
        batch_types: dict = {}
        for item in parsed:
            for subject, _p, cls in item.graph.triples((None, RDF.type, None)):
                batch_types.setdefault(subject, set()).add(cls)
        replaced = targets if targets is not None else [config.graph_iri(p.source) for p in parsed]
        for item in parsed:
            mentioned = mentioned_iris(item.graph)
            context = self.store_types(mentioned, exclude_graphs=replaced)
            for iri in mentioned & batch_types.keys():
                for cls in batch_types[iri]:
                    context.add((iri, RDF.type, cls))
            problems.extend(self.validator.validate(item, context))
        return parsed, problems

    def store_types(self, iris: set[URIRef], exclude_graphs: list[str]) -> Graph:
        """rdf:type of the given IRIs in the store, ignoring the graphs about to be replaced."""
        context = Graph()
        if not iris or self.store.is_empty():
            return context
        # The IRIs come from the file being checked: they reach the store as terms, never
        # as query text, where one holding `>` could rewrite the query (SERVICE, from /validate).
        for iri, classes in self.store.types_of(sorted(iris), exclude_graphs).items():
            for cls in classes:
                context.add((URIRef(iri), RDF.type, URIRef(cls)))
        return context

    # -- the rest of the API ---------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Substitutions | None = None,
    ) -> QueryResult:
        """Run a SPARQL query on the store; without ``default_graph`` the default graph is the
        union of all graphs. Read-only: no gate, no lock."""
        return self.store.query(
            sparql, default_graph=default_graph, named_graphs=named_graphs, substitutions=substitutions
        )

    def update(self, sparql: str, *, agent: str | None = None, replace: bool = False) -> UpdateReport:
        """A SPARQL update through the SHACL gate (WritePath.update): its UpdateReport."""
        return self.writes.update(sparql, agent or config.local_agent(), replace=replace)

    def reason(self, announce: Callable[[str], None] | None = None) -> ReasoningResult:
        """OWL reasoning (HermiT) over the ontology and every asserted graph; last run's
        inferences (graph/inferred) are left out, being recomputed. Writes nothing."""
        from urbankg.reasoning import reason as run_reasoner

        ontology = Graph().parse(config.ontology_file(), format="turtle")
        data = Graph()
        asserted = [g for g in self.graphs() if g != config.INFERRED_GRAPH]
        if asserted:  # the dataset names the graphs: no IRI is written into the query
            answer = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=asserted)
            data.parse(data=ox.serialize(triples(answer), format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
        if announce is not None:
            announce(f"Reasoning over {len(ontology)} ontology and {len(data)} data triples with HermiT...")
        return run_reasoner(ontology, data)

    def write_inferred(self, result: ReasoningResult, *, agent: str | None = None) -> LoadReport:
        """Replace graph/inferred with a consistent result's entailed types (WritePath.put_derived)."""
        return self.writes.put_derived(
            result.inferred, config.INFERRED_GRAPH, agent or config.local_agent(), origin="urbankg reason"
        )

    def drop(self, graph: str, *, agent: str | None = None, replace: bool = False) -> bool:
        return self.writes.drop(
            resolve_graph(graph), agent or config.local_agent(), origin="urbankg drop", replace=replace
        )

    def graphs(self) -> list[str]:
        return self.store.graphs()

    def stats(self) -> StoreStats:
        return self.store.stats()

    def export(self, output: BinaryIO, fmt: str) -> None:
        self.store.export(output, fmt)

    def ensure_bundled(self, progress: Progress | None = None) -> LoadReport | None:
        """On an empty store, load the bundled ontology and corpus once, as the agent
        config.BUNDLED_AGENT (so a scholar's file of the same name is refused without
        replace); else do nothing."""
        with self.writes.lock:  # two first commands at once load it once
            if not self.store.is_empty():
                return None
            report = self.writes.load(bundled_sources(), config.BUNDLED_AGENT, progress=progress)
            self.writes.apply_reviews(config.bundled("corpus") / IDENTITY_REVIEWS, CORPUS_EDITORS)
            return report


IDENTITY_REVIEWS = "identity-reviews.yaml"  # in corpus/, not an annotation: applied after the corpus loads
CORPUS_EDITORS = "urbankg corpus editors"  # the agent of the bundled reviews


def bundled_sources() -> list[Path]:
    """The ontology and every corpus file shipped with urbankg."""
    sources = [config.ontology_file()] if config.ontology_file().exists() else []
    return sources + expand_paths([config.bundled("corpus")])


def resolve_graph(name: str) -> str:
    """A graph given by full IRI or by source name (``lin-2019`` -> <base>graph/lin-2019)."""
    return name if ":" in name else config.graph_iri(name)


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and every loadable file under each directory, in a stable order (a
    folder's identity-reviews.yaml is decisions, applied by `urbankg identities apply`, not loaded)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and supported(p) and p.name != IDENTITY_REVIEWS)
            )
        else:
            files.append(path)
    return files


def _refuse_duplicate_sources(files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    problems = []
    for path in files:
        name = source_name(path)
        if name in seen and seen[name].resolve() != path.resolve():
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"has the same source name '{name}' as {seen[name]}: both would load into graph "
                    f"{config.graph_iri(name)}; rename one of them",
                )
            )
        seen.setdefault(name, path)
    if problems:
        raise SourceError(problems)
