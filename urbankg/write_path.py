"""The one write path: every write of urbankg goes through :class:`WritePath`.

``urbankg load``, the Graph Store's PUT, POST and DELETE, SPARQL Update, the
validate-and-load page: each is one method here, and each

1. takes the store's write lock (one per store object, whatever the number of WritePath
   or KnowledgeGraph objects over it), so writers of one process never interleave from the
   moment they read (a POST reads the graph it merges into) to their commit;
2. checks claims: a graph's catalogue entry names the agent that created it, kept across
   replacements. Replacing or removing a graph another agent created (or nobody known)
   raises :class:`ClaimConflict` unless the caller passes ``replace=True``; merging into
   it (POST) and triple-level INSERT/DELETE are edits, allowed and recorded;
3. validates the resulting state of every graph it touches with the SHACL gate of
   ``urbankg load`` (:class:`Validator`, with the types of what each graph mentions from
   the store and from the other graphs of the same write);
4. commits the graphs' content, their catalogue entries and one history record per
   touched graph (:class:`WriteRecord`) in one store commit (the embedded store's
   journal: all or nothing, even if the process is killed).

A :class:`SourceError` or :class:`ClaimConflict` means nothing was written.

A bulk load (``urbankg load --bulk``, :meth:`WritePath.bulk_load`) takes the lock, checks the
claim and records its history like a load, but skips the gate and is not one commit: it is
for large trusted dumps (see its docstring).

Costs. The lock is held while the write validates: writers wait for each other's SHACL
(a file of a few thousand triples: tenths of a second; the bundled corpus: about 5 s).
A POST revalidates the whole merged graph. An update costs a scratch copy (on disk a
RocksDB checkpoint: milliseconds; in memory a copy of every quad), rdflib's reading of
its text (about 0.6 ms a triple of INSERT DATA), and a validation of the whole new
content of each graph it changed, as if the graph were loaded again.

SPARQL Update. The update runs on the scratch copy; the graphs it touched are found from
its text (:mod:`urbankg.update_scope`) and, of those, the ones whose content changed are
validated, checked for claims (where the update drops, clears, overwrites or empties
them), and committed whole with history. Where a template writes ``GRAPH ?g`` (or rdflib
cannot read the text), and for DROP/CLEAR ALL or NAMED, the touched graphs are found by
comparing every graph of the copy with the store: time and memory in proportion to the store. An update that writes the
default graph (the catalogue) is refused; ``DROP ALL`` and ``CLEAR ALL`` mean the named
graphs. A graph an update leaves empty stays, empty (as after an empty PUT); one it drops
is dropped with its catalogue entry. ``LOAD`` is refused (it fetches from the network).

On a remote store (SparqlStore) the same is done on an in-memory copy of only the graphs
the update names: it must name every graph it reads and writes (no ``GRAPH ?g``, no
pattern reading the endpoint's default graph, no ALL or NAMED), or it is refused with a
message saying so. What was validated is what is written: the touched graphs are
replaced with their content on the copy (the store's staged replacement for large ones).
The lock serialises the writers of this process only: another client writing the same
remote graph between the copy and the commit loses its write.
"""

from __future__ import annotations

import gzip
import io
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import replace as replaced
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef

from urbankg import config, formats
from urbankg.errors import ClaimConflict, Problem, SourceError, StoreError, clipped
from urbankg.identity import review
from urbankg.identity.decisions import IDENTITIES_GRAPH, Decision, Decisions
from urbankg.identity.decisions import from_graph as decisions_from_graph
from urbankg.identity.decisions import to_graph as decisions_to_graph
from urbankg.identity.resolution import Incoming, minted, query_text, resolve
from urbankg.parsed import Parsed, Positions
from urbankg.store import GraphReplacement, LocalStore, WriteRecord, solutions, triples
from urbankg.update_scope import Scope, scope_of
from urbankg.validation import mentioned_iris

if TYPE_CHECKING:
    from urbankg.graph import KnowledgeGraph, LoadReport

__all__ = ["WritePath", "WriteRecord", "UpdateReport", "ACTIONS"]

Progress = Callable[[Iterable], Iterable]
ACTIONS = ("load", "put", "post", "delete", "update", "drop", "restore", "merge", "unmerge")
# What Oxigraph's bulk loader reads, by the suffixes urbankg names them with (urbankg.formats).
BULK_SUFFIXES = (".nt", ".nq", ".ttl", ".trig", ".rdf", ".owl")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
OTHER_WRITES_HINT = "Write to another graph, or ask to replace it (replace; --replace on the command line)."

# One lock per store object: every WritePath (and KnowledgeGraph) over one store shares it.
_LOCKS: weakref.WeakKeyDictionary[object, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def store_lock(store) -> threading.RLock:
    """The write lock of ``store`` (re-entrant: ensure_bundled inside a load is one writer)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(store)
        if lock is None:
            lock = _LOCKS[store] = threading.RLock()
        return lock


@dataclass
class UpdateReport:
    """What a SPARQL update did: one record per graph it changed (none if it changed nothing)."""

    records: list[WriteRecord]
    warnings: list[Problem] = field(default_factory=list)


class WritePath:
    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.store = kg.store
        self.lock = store_lock(kg.store)

    # -- files ---------------------------------------------------------------------------

    def load(
        self,
        paths: Iterable[Path | str],
        agent: str,
        *,
        replace: bool = False,
        graph: str | None = None,
        progress: Progress | None = None,
        origin: Callable[[Path], str] | None = None,
    ) -> LoadReport:
        """Parse and validate files, then replace each file's graph, all in one commit.

        Each file's graph is named after it (``lin-2019.yaml`` -> <base>graph/lin-2019);
        ``graph`` (a name or a full IRI) names the graph of a single file instead. Raises
        SourceError listing every problem of every file, or ClaimConflict for the first
        graph another agent created (unless ``replace``); then nothing is written.
        ``origin`` says where a file came from, for the history and the catalogue (a server
        loads uploads from a temporary folder whose path would tell a reader nothing).
        """
        from urbankg.graph import LoadReport, expand_paths, resolve_graph
        from urbankg.loaders import source_name

        files = expand_paths(paths)
        if graph is not None and len(files) != 1:
            raise SourceError(
                [
                    Problem(
                        str(f),
                        None,
                        f"--graph names the graph of one file, and this load has "
                        f"{len(files)} files; load them one by one, or drop --graph",
                    )
                    for f in files[:1]
                ]
                or [Problem(str(graph), None, "--graph needs one file to load")]
            )
        targets = [resolve_graph(graph)] if graph is not None else [config.graph_iri(source_name(f)) for f in files]
        with self.lock:
            # Claims first: a refusal should not wait for SHACL over the whole load.
            for path, target in zip(files, targets, strict=True):
                self.check_claim(target, agent, replace, doing=f"loading {path} would replace it")
            parsed, problems = self.kg.check(files, progress, targets=targets)
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise SourceError(errors)
            now = now_iso()
            # Identity: the works and people the files describe meet those of the graph
            # (renamed in place where the matcher is sure; pairs it is not, for review).
            incoming = [Incoming(t, p.graph, p.positions, str(p.path)) for p, t in zip(parsed, targets, strict=True)]
            resolution = resolve(incoming, self.store, self.identities(), now)
            if resolution.problems:
                raise SourceError(resolution.problems)
            creator = config.agent_iri(agent)
            replacements, records = [], []
            for item, target in zip(parsed, targets, strict=True):
                source = origin(Path(item.path)) if origin is not None else str(item.path)
                replacements.append(GraphReplacement(target, item.graph, source, creator))
                records.append(
                    WriteRecord(target, agent, now, "load", source, self.store.graph_size(target) or 0, len(item.graph))
                )
            if resolution.changed:
                self._add_identities(resolution.decisions, agent, now, "load", replacements, records)
            self.store.write(replacements, records=records)
        return LoadReport({r.iri: len(r.graph) for r in replacements}, [p for p in problems if p.severity != "error"])

    def bulk_load(self, path: Path | str, agent: str, *, replace: bool = False) -> str:
        """Load a large, trusted RDF dump with the store's bulk loader: no SHACL, not
        transactional; the IRI of its graph (named after the file, as a load names it).

        For machine-generated data (an OpenAlex export, a benchmark graph) that would take
        hours through the validation gate. The file's graph is dropped first; if the
        bulk load fails half way, or its process is killed, the store drops the graph again
        (at once, or when it is next opened), so a failed load leaves no half graph behind
        — but readers may see a partial graph while it runs. Embedded store only.

        A dump compressed with gzip (``dump.nt.gz``) is read as it is decompressed: dumps
        are mostly shipped that way, and a 20 GB file need not sit on the disk beside the
        store it goes into.

        Claims hold as for a load (ClaimConflict for a graph another agent created, unless
        ``replace``), under the lock; the history records the load.
        """
        from urbankg.loaders import source_name

        path = Path(path)
        compressed = path.suffix.lower() == ".gz"
        inner = Path(path.stem) if compressed else path
        rdf_format = _bulk_format(inner.suffix.lower())
        store = self.store
        if rdf_format is None or not isinstance(store, LocalStore):
            raise SourceError.single(
                path,
                None,
                "bulk loading takes .nt, .nq, .ttl, .trig or .rdf files "
                "(or any of them compressed with gzip, e.g. dump.nt.gz) "
                "into the embedded store",
            )
        iri = config.graph_iri(source_name(inner))
        with self.lock:
            self.check_claim(iri, agent, replace, doing=f"bulk loading {path} would replace it")
            before = store.graph_size(iri) or 0
            entry = store.catalogue_entry(iri)
            # The creator is kept across replacements, as a load keeps it.
            creator = entry.creator if entry is not None and entry.creator else config.agent_iri(agent)
            store.drop_graph(iri)
            try:
                if compressed:
                    with gzip.open(path) as data:
                        # typeshed's GzipFile is no IO[bytes], though it reads as one
                        after = store.bulk_load(cast(IO[bytes], data), rdf_format, iri, str(path), creator)
                else:
                    after = store.bulk_load(path, rdf_format, iri, str(path), creator)
            except (OSError, EOFError, SyntaxError, ValueError) as exc:
                raise SourceError.single(
                    path, getattr(exc, "line", None), f"bulk load failed, nothing kept: {exc}"
                ) from exc
            store.write([], records=[WriteRecord(iri, agent, now_iso(), "load", f"{path} (bulk)", before, after)])
        return iri

    # -- Graph Store -----------------------------------------------------------------------

    def put(self, parsed: Parsed, graph_iri: str, agent: str, *, origin: str, replace: bool = False) -> LoadReport:
        """Replace ``graph_iri`` with an already-parsed source, validated as a file would be.
        An empty source leaves the graph existing and empty, with its catalogue entry."""
        with self.lock:
            self.check_claim(graph_iri, agent, replace, doing=f"{origin} would replace it", hint=OTHER_WRITES_HINT)
            return self._replace(parsed, graph_iri, agent, origin, "put")

    def put_derived(self, graph: Graph, graph_iri: str, agent: str, *, origin: str) -> LoadReport:
        """Replace a graph of derived statements (the reasoner's entailed types) without the
        SHACL gate: they follow from graphs the gate has passed, and judged alone (a type
        without the properties its shape asks for, which live in the asserted graphs) they
        would be refused. Anyone may recompute them, so no claim is checked; the write is
        recorded like any other."""
        from urbankg.graph import LoadReport

        with self.lock:
            record = WriteRecord(
                graph_iri, agent, now_iso(), "put", origin, self.store.graph_size(graph_iri) or 0, len(graph)
            )
            self.store.write([GraphReplacement(graph_iri, graph, origin, config.agent_iri(agent))], records=[record])
        return LoadReport({graph_iri: len(graph)}, [])

    def post(self, parsed: Parsed, graph_iri: str, agent: str, *, origin: str) -> LoadReport:
        """Merge an already-parsed source into ``graph_iri`` (created if missing): the graph
        read back from the store plus the source, validated whole, replace the graph. An
        edit, not a replacement: allowed whoever created the graph."""
        from urbankg.loaders.rdf_file import add_ntriples

        with self.lock:
            merged = Graph()
            for triple in parsed.graph:
                merged.add(triple)
            if self.store.graph_size(graph_iri):
                add_ntriples(merged, self._graph_as_ntriples(graph_iri))
            source = Parsed(parsed.path, merged, parsed.positions, parsed.source)
            return self._replace(source, graph_iri, agent, origin, "post")

    def drop(self, graph_iri: str, agent: str, *, origin: str, replace: bool = False, action: str = "drop") -> bool:
        """Remove a graph and its catalogue entry (its history stays); False when there was
        none. ``action``: "drop", or "delete" for a Graph Store DELETE."""
        with self.lock:
            before = self.store.graph_size(graph_iri)
            if before is None and self.store.catalogue_entry(graph_iri) is None:
                return False
            self.check_claim(graph_iri, agent, replace, doing=f"{origin} would remove it", hint=OTHER_WRITES_HINT)
            record = WriteRecord(graph_iri, agent, now_iso(), action, origin, before or 0, 0)
            self.store.write([], drops=[graph_iri], records=[record])
        return True

    def _replace(self, parsed: Parsed, graph_iri: str, agent: str, origin: str, action: str) -> LoadReport:
        from urbankg.graph import LoadReport

        problems = self._validate(parsed, [graph_iri]) if len(parsed.graph) else []
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise SourceError(errors)
        record = WriteRecord(
            graph_iri, agent, now_iso(), action, origin, self.store.graph_size(graph_iri) or 0, len(parsed.graph)
        )
        self.store.write([GraphReplacement(graph_iri, parsed.graph, origin, config.agent_iri(agent))], records=[record])
        return LoadReport({graph_iri: len(parsed.graph)}, [p for p in problems if p.severity != "error"])

    # -- SPARQL Update ---------------------------------------------------------------------

    def update(self, sparql: str, agent: str, *, origin: str = "SPARQL update", replace: bool = False) -> UpdateReport:
        """Run a SPARQL update on a scratch copy, validate the graphs it changed, commit them
        with history (see the module docstring). Raises SourceError (the shapes' messages,
        each naming its graph and node), ClaimConflict, or StoreError (the text, or what
        it would write, is refused); then nothing is written."""
        origin = _update_origin(origin, sparql)
        scope = scope_of(sparql)
        remote = not self.store.copies_whole_store
        if scope is not None:
            _refuse_unsafe(scope)
            if remote:
                _refuse_unnamed(scope)
        elif remote:
            raise StoreError(
                "urbankg cannot read this update to find the graphs it touches (rdflib's SPARQL "
                "parser refuses it), which a remote store needs: rewrite it with plain syntax, "
                "or send it to the store directly"
            )
        with self.lock:
            wanted = scope.touched | scope.reads if remote and scope is not None else None
            with self.store.scratch(wanted) as copy:
                candidates = None
                if scope is not None and not scope.variable_writes:
                    candidates = set(scope.touched)
                    if scope.every_graph:
                        candidates |= {g.value for g in copy.named_graphs() if isinstance(g, ox.NamedNode)}
                    candidates = {g for g in candidates if _is_iri(g)}
                earlier = {g: _graph_quads(copy, g) for g in candidates} if candidates is not None else None
                _run(copy, sparql)
                if earlier is not None:
                    changed = {g for g, quads in earlier.items() if quads != _graph_quads(copy, g)}
                else:
                    changed = self.store.changed_graphs(copy)
                    if "" in changed:
                        raise StoreError(_default_graph_refusal("it changes the default graph"))
                contents = {g: _as_rdflib(copy, g) for g in sorted(changed)}
            sizes = {g: self.store.graph_size(g) for g in contents}
            wholesale = scope.touched - scope.writes if scope is not None else set()
            for graph, content in contents.items():
                before = sizes[graph]
                gone = content is None
                emptied = content is not None and len(content) == 0 and bool(before)
                named_whole = graph in wholesale or (scope is not None and scope.every_graph)
                if before is not None and (gone or emptied or named_whole):
                    verb = "drop" if gone else "clear" if named_whole else "empty"
                    self.check_claim(
                        graph, agent, replace, doing=f"this SPARQL update would {verb} it", hint=OTHER_WRITES_HINT
                    )
            problems = self._validate_graphs({g: c for g, c in contents.items() if c is not None and len(c)})
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise SourceError(errors)
            now = now_iso()
            creator = config.agent_iri(agent)
            replacements = [
                GraphReplacement(g, c, origin, creator, fresh_blank_nodes=False)
                for g, c in contents.items()
                if c is not None
            ]
            drops = [
                g for g, c in contents.items() if c is None and (sizes[g] is not None or self.store.catalogue_entry(g))
            ]
            records = [
                WriteRecord(g, agent, now, "update", origin, sizes[g] or 0, len(c) if c is not None else 0)
                for g, c in contents.items()
            ]
            self.store.write(replacements, drops=drops, records=records)
        return UpdateReport(records, [p for p in problems if p.severity != "error"])

    # -- identity ------------------------------------------------------------------------

    def identities(self) -> Decisions:
        """Every identity decision (graph/identities)."""
        graph = self._graph_content(IDENTITIES_GRAPH)
        return decisions_from_graph(graph) if graph is not None else Decisions()

    def merge_identities(
        self, alias: str, canonical: str, agent: str, *, evidence: str, kind: str | None = None
    ) -> Decision:
        """A reviewer's merge of two IRIs: ``alias`` is renamed to ``canonical`` in every graph
        that writes it, in one commit with the decision (see identity.review). Raises
        StoreError when the pair cannot be merged (distinct kinds, a chain of merges)."""
        with self.lock:
            decisions = self.identities()
            aliases = decisions.aliases()
            if alias == canonical:
                raise StoreError(f"{alias} and {canonical} are one IRI already")
            for iri in (alias, canonical):
                if iri in aliases:
                    raise StoreError(f"{iri} is merged into {aliases[iri]} already: name {aliases[iri]} instead")
            if decisions.merged_into(alias):
                raise StoreError(
                    f"other IRIs are merged into {alias}: keep it (merge {canonical} into {alias}), "
                    "or undo those merges first"
                )
            known = decisions.get(alias, canonical)
            if known is not None and known.status == "merged":
                raise StoreError(f"{alias} and {canonical} are merged already ({known.key})")
            kind = kind or (known.kind if known else "person" if "/person/" in alias else "work")
            decision = Decision(
                kind,  # type: ignore[arg-type]
                alias,
                canonical,
                "merged",
                known.score if known else 1.0,
                evidence or (known.evidence if known else "a reviewer's decision"),
                agent,
                now_iso(),
            )
            contents = {g: c for g in self._graphs_mentioning(alias) if (c := self._graph_content(g)) is not None}
            decision = review.merge(contents, decision)
            decisions.put(decision)
            decisions.settle()
            self._commit_identity_edit(contents, decisions, agent, decision.time, "merge", f"identity {decision.key}")
            return decision

    def decide_identity(
        self, key: str, accept: bool, agent: str, *, evidence: str = "", keep: str | None = None
    ) -> Decision:
        """Accept (merge) or reject a listed pair; rejecting a merge undoes it. ``key``: the
        decision's short id (or a prefix of it). ``keep``: which IRI a merge keeps."""
        with self.lock:
            decisions = self.identities()
            decision = decisions.find(key)
            if decision is None:
                raise StoreError(f"no identity decision {key}: `urbankg identities` lists them")
            if accept:
                if decision.status == "merged":
                    raise StoreError(f"{decision.key} is merged already")
                alias, canonical = decision.alias, decision.canonical
                if keep == alias or (keep is None and _prefer(alias, canonical, decisions)):
                    alias, canonical = canonical, alias
                elif keep not in (None, canonical):
                    raise StoreError(f"the IRI to keep, {keep}, is not one of the pair {alias}, {canonical}")
                return self.merge_identities(alias, canonical, agent, evidence=evidence, kind=decision.kind)
            now = now_iso()
            distinct = replaced(
                decision, status="distinct", agent=agent, time=now, renamings=(), evidence=evidence or decision.evidence
            )
            contents: dict[str, Graph] = {}
            if decision.status == "merged":
                decisions.put(distinct)  # undo reads the merges still in force
                contents = {r.graph: c for r in decision.renamings if (c := self._graph_content(r.graph)) is not None}
                review.undo(contents, decision, decisions)
            decisions.put(distinct)
            self._commit_identity_edit(contents, decisions, agent, now, "unmerge", f"identity {decision.key}")
            return distinct

    def mark_distinct(self, a: str, b: str, agent: str, *, evidence: str) -> Decision:
        """A reviewer's word that two IRIs are not one work or person (undoing their merge, if merged)."""
        with self.lock:
            decisions = self.identities()
            known = decisions.get(a, b)
            if known is not None and known.status != "possible":
                if known.status == "merged":
                    return self.decide_identity(known.key, False, agent, evidence=evidence)
                return known
            kind = known.kind if known else "person" if "/person/" in a else "work"
            decision = Decision(kind, a, b, "distinct", known.score if known else 0.0, evidence, agent, now_iso())
            decisions.put(decision)
            self._commit_identity_edit({}, decisions, agent, decision.time, "unmerge", f"identity {decision.key}")
            return decision

    def apply_reviews(self, path: Path | str, agent: str) -> list[Decision]:
        """Apply a file of reviewed decisions (identity.reviews_file), entry by entry, each in
        its commit; every id is checked first, so a file naming an unknown id changes nothing.
        Applying a file twice changes nothing the second time."""
        from urbankg.identity import reviews_file

        reviews = reviews_file.read(Path(path))
        done = []
        with self.lock:
            unknown = [
                Problem(str(path), r.line, f"{iri} is in no graph: check the id (`urbankg identities` lists pairs)")
                for r in reviews
                for iri in (r.alias, r.canonical)
                if not self._graphs_mentioning(iri) and iri not in self.identities().aliases()
            ]
            if unknown:
                raise SourceError(unknown)
            for review_entry in reviews:
                known = self.identities().get(review_entry.alias, review_entry.canonical)
                try:
                    if review_entry.action == "merge":
                        if known is not None and known.status == "merged":
                            done.append(known)
                            continue
                        done.append(
                            self.merge_identities(
                                review_entry.alias, review_entry.canonical, agent, evidence=review_entry.evidence
                            )
                        )
                    else:
                        done.append(
                            self.mark_distinct(
                                review_entry.alias, review_entry.canonical, agent, evidence=review_entry.evidence
                            )
                        )
                except StoreError as error:
                    raise SourceError.single(path, review_entry.line, str(error)) from None
        return done

    def _graph_content(self, graph_iri: str) -> Graph | None:
        from urbankg.loaders.rdf_file import add_ntriples

        if self.store.graph_size(graph_iri) is None:
            return None
        graph = Graph()
        add_ntriples(graph, self._graph_as_ntriples(graph_iri))
        return graph

    def _graphs_mentioning(self, iri: str) -> list[str]:
        rows = solutions(self.store.query(query_text("graphs-mentioning"), substitutions={"iri": ox.NamedNode(iri)}))
        return sorted(
            row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode) and row["g"].value != IDENTITIES_GRAPH
        )

    def _commit_identity_edit(
        self, contents: dict[str, Graph], decisions: Decisions, agent: str, now: str, action: str, origin: str
    ) -> None:
        present = contents
        problems = self._validate_graphs({g: c for g, c in present.items() if len(c)})
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise SourceError(errors)
        replacements = [GraphReplacement(g, c, origin, config.agent_iri(agent)) for g, c in present.items()]
        records = [
            WriteRecord(g, agent, now, action, origin, self.store.graph_size(g) or 0, len(c))
            for g, c in present.items()
        ]
        self._add_identities(decisions, agent, now, action, replacements, records)
        self.store.write(replacements, records=records)

    def _add_identities(
        self,
        decisions: Decisions,
        agent: str,
        now: str,
        action: str,
        replacements: list[GraphReplacement],
        records: list[WriteRecord],
    ) -> None:
        content = decisions_to_graph(decisions)
        origin = "identity decisions"
        replacements.append(GraphReplacement(IDENTITIES_GRAPH, content, origin, config.agent_iri(config.BUNDLED_AGENT)))
        records.append(
            WriteRecord(
                IDENTITIES_GRAPH, agent, now, action, origin, self.store.graph_size(IDENTITIES_GRAPH) or 0, len(content)
            )
        )

    # -- reading ---------------------------------------------------------------------------

    def owner(self, graph_iri: str) -> str | None:
        """The name of the agent that created the graph (None: no graph, or not recorded)."""
        entry = self.store.catalogue_entry(graph_iri)
        if entry is None or entry.creator is None:
            return None
        return config.agent_name(entry.creator)

    def history(self, graph: str | None = None, limit: int | None = None) -> list[WriteRecord]:
        """The history records, newest first: of one graph (name or IRI), or of all."""
        from urbankg.graph import resolve_graph

        return self.store.history(resolve_graph(graph) if graph is not None else None, limit)

    # -- helpers ---------------------------------------------------------------------------

    def check_claim(self, graph_iri: str, agent: str, replace: bool, *, doing: str, hint: str | None = None) -> None:
        """ClaimConflict when ``graph_iri`` exists and another agent (or nobody known) created it;
        ``hint`` says what to do instead (the default: the command line's options of a load)."""
        if replace:
            return
        entry = self.store.catalogue_entry(graph_iri)
        if entry is None and self.store.graph_size(graph_iri) is None:
            return  # a new graph: the writer will be its creator
        creator = entry.creator if entry is not None else None
        if creator == config.agent_iri(agent):
            return
        options = {"hint": hint} if hint is not None else {}
        raise ClaimConflict(
            graph_iri,
            config.agent_name(creator) if creator else None,
            source=entry.source if entry else None,
            written=entry.written if entry else None,
            doing=doing,
            **options,
        )

    def _validate(self, parsed: Parsed, replaced: list[str]) -> list[Problem]:
        """The SHACL problems of one source about to replace ``replaced`` (as load_parsed did)."""
        context = self.kg.store_types(mentioned_iris(parsed.graph), exclude_graphs=replaced)
        return self.kg.validator.validate(parsed, context)

    def _validate_graphs(self, contents: dict[str, Graph]) -> list[Problem]:
        """The SHACL problems of graphs' new content, each named by its graph (no line: an
        update has none). Context: as a load of several files, the store's types without
        these graphs plus theirs."""
        batch_types: dict = {}
        for content in contents.values():
            for subject, _p, cls in content.triples((None, RDF.type, None)):
                batch_types.setdefault(subject, set()).add(cls)
        problems: list[Problem] = []
        for graph, content in contents.items():
            mentioned = mentioned_iris(content)
            context = self.kg.store_types(mentioned, exclude_graphs=list(contents))
            for iri in mentioned & batch_types.keys():
                for cls in batch_types[iri]:
                    context.add((iri, RDF.type, cls))
            parsed = Parsed(Path("update"), content, Positions(), graph.rsplit("/", 1)[-1])
            label = f"graph <{graph}>"
            problems.extend(replaced(p, file=label) for p in self.kg.validator.validate(parsed, context))
        return problems

    def _graph_as_ntriples(self, graph_iri: str) -> str:
        found = self.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions={"g": ox.NamedNode(graph_iri)}
        )
        text = io.BytesIO()
        ox.serialize(triples(found), text, format=ox.RdfFormat.N_TRIPLES)
        return text.getvalue().decode("utf-8")


def _bulk_format(suffix: str) -> ox.RdfFormat | None:
    """The format Oxigraph's bulk loader reads a file of this suffix as; None for one it does not take."""
    found = formats.by_suffix(suffix, formats.RDF_FORMATS) if suffix in BULK_SUFFIXES else None
    return found.rdf if found is not None else None


def _default_graph_refusal(what: str) -> str:
    example = config.GRAPH_BASE + "my-notes"
    return (
        f"the update is refused: {what}, which holds urbankg's catalogue and is written by urbankg alone. "
        f"Name a graph: INSERT DATA {{ GRAPH <{example}> {{ ... }} }}, or "
        f"WITH <{example}> DELETE {{ ... }} INSERT {{ ... }} WHERE {{ ... }}"
    )


def _refuse_unsafe(scope: Scope) -> None:
    if scope.default_writes:
        raise StoreError(
            _default_graph_refusal(f"it writes the default graph ({', '.join(dict.fromkeys(scope.default_writes))})")
        )
    if scope.loads:
        raise StoreError(
            f"the update is refused: LOAD <{scope.loads[0]}> would fetch data from the network. "
            "Download the file and load it with `urbankg load FILE --graph NAME` (or a Graph Store PUT)"
        )


def _refuse_unnamed(scope: Scope) -> None:
    """On a remote store, an update must name every graph it reads and writes."""
    why = (
        "a template writes GRAPH ?g"
        if scope.variable_writes
        else "it reads GRAPH ?g"
        if scope.reads_variable
        else "a WHERE pattern outside GRAPH reads the endpoint's default graph (the union of all graphs)"
        if scope.reads_default
        else "DROP/CLEAR ALL or NAMED"
        if scope.every_graph
        else None
    )
    if why:
        raise StoreError(
            f"on a remote store urbankg validates an update on a copy of the graphs it names, and "
            f"this one does not name them all ({why}): name each graph with GRAPH <...>, WITH <...> "
            "or USING <...>"
        )


def _run(copy: ox.Store, sparql: str) -> None:
    try:
        copy.update(sparql)
    except SyntaxError as exc:
        raise StoreError(f"SPARQL update syntax error: {exc}") from exc
    except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist
        raise StoreError(f"the update cannot be applied, nothing was changed: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"the update could not be tried on a scratch copy of the store: {exc}") from exc


def _graph_quads(copy: ox.Store, graph: str) -> frozenset | None:
    name = ox.NamedNode(graph)
    if not copy.contains_named_graph(name):
        return None
    return frozenset(copy.quads_for_pattern(None, None, None, name))


def _as_rdflib(copy: ox.Store, graph: str) -> Graph | None:
    """A graph of the copy as an rdflib graph, blank nodes keeping their labels (they may be
    shared with other graphs of the store); None when the copy holds no such graph."""
    name = ox.NamedNode(graph)
    if not copy.contains_named_graph(name):
        return None
    content = Graph()
    for quad in copy.quads_for_pattern(None, None, None, name):
        content.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    return content


def _term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"the update made a term urbankg cannot hold ({term!r}, RDF 1.2): state the triple itself")


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _update_origin(origin: str, sparql: str) -> str:
    """``origin`` and the update's first line that says something (not a PREFIX or BASE)."""
    for line in sparql.splitlines():
        text = line.strip()
        if text and not text.upper().startswith(("PREFIX", "BASE", "#")):
            return f"{origin}: {clipped(text, 120)}"
    return origin


def _prefer(alias: str, canonical: str, decisions: Decisions) -> bool:
    """Whether a merge of the pair should keep ``alias`` rather than ``canonical``: an IRI an
    annotator wrote over one a loader minted, one others are merged into over one none are."""
    if minted(canonical) != minted(alias):
        return minted(canonical)
    return bool(decisions.merged_into(alias)) and not decisions.merged_into(canonical)


def now_iso() -> str:
    """The time of a write, as history records it."""
    # As the store gives an xsd:dateTime back: UTC written Z.
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
