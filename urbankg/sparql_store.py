"""The store over any SPARQL 1.1 endpoint: for a graph that has outgrown one machine.

urbankg never runs a home-made server for that: it talks SPARQL 1.1 Protocol (through
SPARQLWrapper) to a proven store — Virtuoso, GraphDB, Fuseki, QLever, Neptune. Results
come back as the same pyoxigraph objects the embedded store returns (``QuerySolutions``,
``QueryBoolean``, ``QueryTriples``), so nothing above the store can tell the difference.
docs/scaling.md says what differs from store to store; the points that shape this code:

* **Replacing graphs.** Where the endpoint applies a whole update request in one
  transaction, a small load is one request: ``DROP SILENT GRAPH`` + ``INSERT DATA`` for
  every graph and its catalogue entry. Virtuoso 7 does not (it commits each operation of a
  request on its own, measured: a failing second operation leaves the first one applied),
  and no store takes a graph of millions of triples in one request. Then the load is
  *staged*: every graph is written in batches into a fresh staging graph
  (``urn:urbankg:staging:...``), with a progress bar; only when all of them are complete
  does one last request ``MOVE`` each into place and rewrite the catalogue. A failure while
  staging drops the staging graphs and leaves every graph as it was. Each MOVE is atomic;
  on a store without atomic requests, readers may, for the milliseconds between two MOVEs,
  see one graph of a multi-file load replaced and the next not yet — and while staging,
  FROM-less queries also see the staged copies (queries that name graphs do not).
* **Blank nodes.** A label such as ``_:b1`` names one node within one operation only, so the
  triples of a blank-node cluster always go into the same batch. Virtuoso refuses blank nodes
  in ``INSERT DATA``; they go in ``INSERT { ... } WHERE {}``, which every store accepts.
* **The catalogue.** The embedded store describes each graph (size, source file, time,
  creator) and keeps the history of writes in its default graph. A remote store may have no
  writable default graph (Virtuoso has none), so here both live in the named graph
  :data:`CATALOGUE_GRAPH`; ``graphs()`` leaves it out, ``stats()`` counts it as the default
  graph, ``export()`` writes it as the default graph. FROM-less queries see it in both
  stores; ``GRAPH ?g`` patterns see it only here.
* **Empty graphs.** Virtuoso has no graph without triples: a graph replaced by an empty one
  exists by its catalogue entry (``void:triples 0``), which ``graphs()`` lists and a drop
  removes.
* **The union default graph.** A FROM-less query reads the union of all graphs, as on the
  embedded store, where the endpoint's default graph is that union (Virtuoso, GraphDB,
  QLever, Neptune; Fuseki with ``unionDefaultGraph``). Virtuoso's union also holds its own
  graphs (RDF-view metadata, about 2,500 triples, and its service description). They are
  left out of ``graphs()``, ``stats()``, ``export()`` and ``is_empty()``, but not out of
  FROM-less queries: Virtuoso 7.2's pragmas for that (``define
  input:default-graph-exclude``) make ``GRAPH <iri>`` patterns and ASK over ``*`` paths
  answer wrongly (measured), which is worse than a few foreign triples in a count of all.
* **Pre-bound values** (the catalogue's parameters; pyoxigraph's ``substitutions``) are
  written into the query as a ``VALUES`` block (:mod:`urbankg.sparql_prebind`).
* **Time limits.** The client waits ``timeout`` seconds (plus a margin); Virtuoso is also
  asked to stop the query itself (its ``timeout`` parameter, in ms). Virtuoso then answers
  200 with *partial* results and an ``X-SQL-State: S1TAT`` header: that is an error here,
  never a silently short answer.
* **Answers** are read into pyoxigraph results, repaired where Virtuoso breaks the result
  formats (:mod:`urbankg.sparql_answers`).
* **Authentication and failures**: Basic or Digest as the endpoint asks, and a refused or
  failed request said in plain words (:mod:`urbankg.sparql_http`).

Costs: one HTTP request per query, update or batch of a staged load; the first operation
meets the endpoint (two or three requests more).
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import urllib.error
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node
from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
from tqdm import tqdm

from urbankg import config
from urbankg.errors import StoreError, UnstorableTerm
from urbankg.oxigraph_store import CATALOGUE_PREFIXES, EXPORT_FORMATS, PROV_ACTIVITY, history_quads, record_of
from urbankg.sparql_answers import BLANK_LABEL, boolean_variables, read_solutions, read_triples
from urbankg.sparql_http import challenge, explain, http_failure
from urbankg.sparql_prebind import prebind
from urbankg.sparql_scan import scan
from urbankg.store import (
    CatalogueEntry,
    GraphReplacement,
    QueryResult,
    StoreStats,
    Substitutions,
    WriteRecord,
    solutions,
    triples,
)

# A statement of an rdflib graph.
Triple = tuple[Node, Node, Node]

# The named graph holding the catalogue entries (the embedded store's default graph).
CATALOGUE_GRAPH = config.BASE + "catalogue"
# Staging graphs of a load in progress; never listed, dropped when the load ends.
STAGING_PREFIX = "urn:urbankg:staging:"

# Virtuoso's own graphs: its RDF-view metadata and LDP vocabulary. Its service
# description graph (named after its host) is found when connecting.
VIRTUOSO_SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#")
SERVICE_CLASS = "http://www.w3.org/ns/sparql-service-description#Service"

VOID = "http://rdfs.org/ns/void#"
SOLUTIONS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
TRIPLES_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
# Triples per INSERT { ... } WHERE {} (blank nodes): Virtuoso 7.2 compiles it to far more SQL
# than INSERT DATA and refuses between 1,000 and 1,500 ("generated SQL text has exceeded
# 10000 lines"); 500 is also the fastest size (measured: 4,500 triples/s, INSERT DATA 16,000).
BLANK_BATCH = 500
# IRIs per VALUES block: a size every SPARQL store accepts.
VALUES_CHUNK = 500

# SPARQLWrapper's digest authentication installs a process-wide urllib opener on every
# request; requests with digest credentials take turns so one store's opener is the one in
# place when its request is sent.
_DIGEST_LOCK = threading.Lock()


class RemoteStoreError(StoreError):
    """The endpoint refused or failed a request: ``status`` is its HTTP status (None when it
    could not be reached or gave no answer in time), so a server can pass a 400 on as a 400."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class SparqlStore:
    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
        update_timeout: float = 600.0,
        batch_size: int = 2000,
        atomic_requests: bool | None = None,
    ):
        """A store behind ``query_endpoint`` (updates go to ``update_endpoint``, default the same).

        ``user``/``password`` authenticate with HTTP Basic, or Digest when the endpoint asks for
        it (Virtuoso's /sparql-auth); ``token`` is sent as ``Authorization: Bearer``.
        ``timeout``: seconds a query may run; ``update_timeout``: the same for one update request.
        ``batch_size``: triples per update request when loading. ``atomic_requests``: whether
        the endpoint applies an update request as one transaction (default: yes, except Virtuoso).
        Nothing is sent before the first operation.
        """
        if (user is None) != (password is None):
            raise StoreError("give both a user and a password for the SPARQL endpoint, or neither")
        if token and user:
            raise StoreError("give either a user and password or a token for the SPARQL endpoint, not both")
        if batch_size < 1:
            raise StoreError("the batch size must be at least one triple")
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.user, self.password, self.token = user, password, token
        self.timeout = timeout
        self.update_timeout = update_timeout
        self.batch_size = batch_size
        self._atomic_requests = atomic_requests
        self._auth = BASIC
        self._realm = "SPARQL"
        self._server: str | None = None  # the Server header, once connected
        self._hidden: list[str] = []  # the endpoint's own graphs, left out of every answer

    def __repr__(self) -> str:
        return f"SparqlStore({self.query_endpoint!r})"

    # -- connecting --------------------------------------------------------------------

    @property
    def is_virtuoso(self) -> bool:
        self._connect()
        return "virtuoso" in (self._server or "").lower()

    @property
    def atomic_requests(self) -> bool:
        if self._atomic_requests is None:
            return not self.is_virtuoso
        return self._atomic_requests

    def _connect(self) -> None:
        """Meet the endpoint once: check it answers, learn what it is, find its own graphs."""
        if self._server is not None:
            return
        if self.user is not None:
            self._auth, self._realm = challenge(self.update_endpoint, self._realm)
        _body, headers = self._send("ASK {}", update=False, accept=SOLUTIONS_ACCEPT, what="first query")
        self._server = headers.get("server", "") or "unknown"
        if "virtuoso" in self._server.lower():
            found = self._select(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s a <{SERVICE_CLASS}> }} }} GROUP BY ?g")
            own = [
                row["g"].value
                for row in found
                if not row["g"].value.startswith(config.BASE) and isinstance(row["g"], ox.NamedNode)
            ]
            self._hidden = list(VIRTUOSO_SYSTEM_GRAPHS) + own

    # -- writing -----------------------------------------------------------------------

    def replace_graphs(self, replacements: list[GraphReplacement]) -> None:
        self.write(replacements)

    def write(
        self, replacements: list[GraphReplacement], drops: Iterable[str] = (), records: Iterable[WriteRecord] = ()
    ) -> None:
        """Replace graphs, drop graphs and add history records: one request where the store
        applies a request whole and the load is small, else staged (see the module
        docstring), the drops and records going with the last request. A replaced graph
        keeps the creator the catalogue names."""
        drops, records = list(drops), list(records)
        if not replacements and not drops and not records:
            return
        named = [_ref(r.iri) for r in replacements] + [_ref(iri) for iri in drops]
        if len(set(named)) < len(named):
            raise StoreError(
                "a write names the same graph twice: " + ", ".join(sorted({g for g in named if named.count(g) > 1}))
            )
        history = [q for record in records for q in history_quads(record)]  # terms checked before sending
        self._connect()
        creators = self._creators([r.iri for r in replacements])
        last = [
            op
            for iri in drops
            for op in (
                f"DROP SILENT GRAPH {_ref(iri)}",
                f"DELETE WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ {_ref(iri)} ?p ?o }} }}",
            )
        ]
        if history:
            lines = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in history)
            last.append(f"INSERT DATA {{ GRAPH <{CATALOGUE_GRAPH}> {{\n{lines}\n}} }}")
        total = sum(len(r.graph) for r in replacements)
        if self.atomic_requests and total <= self.batch_size:
            operations = [f"DROP SILENT GRAPH {_ref(r.iri)}" for r in replacements]
            operations += _catalogue_operations(replacements, creators) if replacements else []
            for replacement in replacements:
                operations += _insert_operations(replacement.iri, list(replacement.graph))
            self._update(operations + last)
        else:
            self._replace_staged(replacements, total, creators, last)

    def _creators(self, graphs: list[str]) -> dict[str, str]:
        """The creator the catalogue names for each of ``graphs`` that has one."""
        found: dict[str, str] = {}
        for start in range(0, len(graphs), VALUES_CHUNK):
            values = " ".join(_ref(g) for g in graphs[start : start + VALUES_CHUNK])
            rows = self._select(
                f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }} GRAPH <{CATALOGUE_GRAPH}> "
                "{ ?g <http://purl.org/dc/terms/creator> ?c } }"
            )
            found.update({row["g"].value: row["c"].value for row in rows if isinstance(row["c"], ox.NamedNode)})
        return found

    def _replace_staged(
        self, replacements: list[GraphReplacement], total: int, creators: dict[str, str], last: list[str]
    ) -> None:
        load = uuid.uuid4().hex
        staging = {r.iri: f"{STAGING_PREFIX}{load}:{index}" for index, r in enumerate(replacements)}
        progress = tqdm(
            total=total,
            desc="writing",
            unit="triple",
            unit_scale=True,
            file=sys.stderr,
            disable=None if total > self.batch_size else True,
        )
        try:
            with progress:
                for replacement in replacements:
                    for batch in _batches(replacement.graph, self.batch_size, min(self.batch_size, BLANK_BATCH)):
                        self._update(_insert_operations(staging[replacement.iri], batch))
                        progress.update(len(batch))
        except BaseException as error:  # includes Ctrl-C: no staging graph may stay behind
            self._drop_quietly(staging.values())
            if isinstance(error, StoreError):
                raise StoreError(f"{error}. Nothing was replaced.") from error
            raise
        moves = [
            f"MOVE {_ref(staging[r.iri])} TO {_ref(r.iri)}" if len(r.graph) else f"DROP SILENT GRAPH {_ref(r.iri)}"
            for r in replacements
        ]
        catalogue = _catalogue_operations(replacements, creators) if replacements else []
        try:
            self._update(moves + catalogue + last)
        except StoreError as error:
            self._drop_quietly(staging.values())
            if self.atomic_requests:
                raise StoreError(f"{error}. Nothing was replaced.") from error
            raise StoreError(
                f"{error}. The store applies the operations of a request one by one, so some of "
                f"the graphs may already be replaced: load the same files again to finish."
            ) from error

    def drop_graph(self, iri: str) -> bool:
        if self.graph_size(iri) is None and self.catalogue_entry(iri) is None:
            return False
        self._update(
            [f"DROP SILENT GRAPH {_ref(iri)}", f"DELETE WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ {_ref(iri)} ?p ?o }} }}"]
        )
        return True

    # -- the catalogue and the history ---------------------------------------------------

    def catalogue_entry(self, iri: str) -> CatalogueEntry | None:
        rows = self._select(f"SELECT ?p ?o WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ {_ref(iri)} ?p ?o }} }}")
        values = {row["p"].value: row["o"].value for row in rows}
        if not values:
            return None
        triples = values.get(VOID + "triples")
        return CatalogueEntry(
            iri,
            int(triples) if triples and triples.isdigit() else None,
            values.get("http://purl.org/dc/terms/source"),
            values.get("http://www.w3.org/ns/prov#generatedAtTime"),
            values.get("http://purl.org/dc/terms/creator"),
        )

    def graph_size(self, iri: str) -> int | None:
        """Triples in the graph; 0 for a graph that exists only by its catalogue entry (an
        empty one, see the module docstring); None when there is neither."""
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_ref(iri)} {{ ?s ?p ?o }} }}")
        size = int(next(iter(rows))["n"].value)
        if size:
            return size
        listed = self._ask(f"ASK {{ GRAPH <{CATALOGUE_GRAPH}> {{ {_ref(iri)} a <{VOID}Dataset> }} }}")
        return 0 if listed else None

    def history(self, graph: str | None = None, limit: int | None = None) -> list[WriteRecord]:
        """The history records of the catalogue graph, newest first."""
        where = _ref(graph) if graph is not None else "?g"
        rows = self._select(
            f"SELECT ?r ?p ?o WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ ?r a <{PROV_ACTIVITY.value}> ; "
            f"<{config.ONTOLOGY_NS}graph> {where} ; ?p ?o }} }}"
        )
        nodes: dict[str, dict] = {}
        for row in rows:
            nodes.setdefault(row["r"].value, {})[ox.NamedNode(row["p"].value)] = row["o"]
        records = sorted(
            ((r.time, node, r) for node, values in nodes.items() if (r := record_of(values)) is not None), reverse=True
        )
        found = [record for _time, _node, record in records]
        return found[:limit] if limit is not None else found

    # -- scratch copies ------------------------------------------------------------------

    copies_whole_store = False

    @contextmanager
    def scratch(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Store]:
        """An in-memory copy of ``graphs`` (those the store holds; an empty one as an empty
        graph), to try an update on. The whole store is not copied over HTTP: ``graphs``
        is required. Costs one CONSTRUCT per graph, and memory for its triples."""
        if graphs is None:
            raise StoreError("a remote store copies only the graphs an update names")
        copy = ox.Store()
        for graph in sorted(set(graphs)):
            expected = self.graph_size(graph)
            if expected is None:
                continue
            name = ox.NamedNode(graph)
            copy.add_graph(name)
            content = self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_ref(graph)} {{ ?s ?p ?o }} }}")
            if len(content) != expected:
                raise StoreError(
                    f"the SPARQL endpoint returned {len(content)} of the {expected} triples of "
                    f"<{graph}>: it caps the size of results, so the update cannot be checked"
                )
            copy.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in content)
        yield copy

    def changed_graphs(self, copy: ox.Store) -> set[str]:
        raise StoreError(
            "a remote store cannot compare a copy with the whole store: name every graph the "
            "update writes with GRAPH <...> or WITH <...>"
        )

    def update(self, sparql: str) -> None:
        self._connect()
        self._send(sparql, update=True, what="update")

    def _update(self, operations: list[str]) -> None:
        self.update(CATALOGUE_PREFIXES + " ;\n".join(operations))

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        # The load has failed already: that error is the one to report, not this one.
        with contextlib.suppress(StoreError):
            self._update([f"DROP SILENT GRAPH {_ref(g)}" for g in graphs])

    # -- reading -----------------------------------------------------------------------

    def graphs(self) -> list[str]:
        # GROUP BY, not DISTINCT: the same answer, but Virtuoso 7.2 takes seconds over DISTINCT ?g
        # on a graph of only 10,000 triples, and milliseconds over GROUP BY (measured).
        rows = self._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        found = {row["g"].value for row in rows if _is_data_graph(row["g"]) and row["g"].value not in self._hidden}
        # Empty graphs exist by their catalogue entries only.
        empty = self._select(
            f"SELECT ?g WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ ?g a <{VOID}Dataset> ; <{VOID}triples> 0 }} }}"
        )
        found.update(row["g"].value for row in empty if _is_data_graph(row["g"]))
        return sorted(found)

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Substitutions | None = None,
    ) -> QueryResult:
        if substitutions:
            sparql = prebind(sparql, substitutions)
        return self._query_raw(sparql, default_graph=default_graph, named_graphs=named_graphs)

    def _select(self, sparql: str) -> ox.QuerySolutions:
        return solutions(self._query_raw(sparql))

    def _construct(self, sparql: str) -> list[ox.Triple]:
        return list(triples(self._query_raw(sparql)))

    def _ask(self, sparql: str) -> bool:
        return bool(self._query_raw(sparql))

    def _query_raw(
        self, sparql: str, default_graph: list[str] | None = None, named_graphs: list[str] | None = None
    ) -> QueryResult:
        self._connect()
        tokens = scan(sparql)
        form = tokens.query_form() or "SELECT"  # not a query: the endpoint will say why
        text = sparql
        accept = TRIPLES_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SOLUTIONS_ACCEPT
        body, headers = self._send(
            text, update=False, accept=accept, what="query", default_graph=default_graph, named_graphs=named_graphs
        )
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                return read_triples(body, media_type)
            booleans = boolean_variables(tokens.tokens) if self.is_virtuoso else set()
            return read_solutions(body, media_type, ask=form == "ASK", booleans=booleans)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"the SPARQL endpoint {self.query_endpoint} sent an answer that cannot be read "
                f"({media_type or 'no content type'}): {exc}"
            ) from exc

    def types_of(self, iris: Iterable[str], exclude_graphs: Iterable[str]) -> dict[str, set[str]]:
        """The rdf:type of each IRI in the data graphs, leaving out ``exclude_graphs``.

        An endpoint takes only query text: each IRI goes into it as pyoxigraph writes the term,
        which refuses any IRI that could end the term early (one holding `>`); the graphs to
        leave out are left out here, not in the query."""
        excluded = set(exclude_graphs) | set(self._hidden)
        terms = []
        for iri in iris:
            try:
                terms.append(str(ox.NamedNode(iri)))
            except ValueError:
                continue  # no store holds it, so none knows its type
        found: dict[str, set[str]] = {}
        for start in range(0, len(terms), VALUES_CHUNK):
            values = " ".join(terms[start : start + VALUES_CHUNK])
            for row in self._select(f"SELECT ?s ?t ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?t }} }}"):
                graph, cls = row["g"], row["t"]
                if _is_data_graph(graph) and graph.value not in excluded and isinstance(cls, ox.NamedNode):
                    found.setdefault(row["s"].value, set()).add(cls.value)
        return found

    def export(self, output: BinaryIO, fmt: str) -> None:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"cannot export as '{fmt}': choose one of {', '.join(EXPORT_FORMATS)}")
        sizes = self._graph_sizes()
        order = [CATALOGUE_GRAPH] + [g for g in sorted(sizes) if g != CATALOGUE_GRAPH]
        ox.serialize(self._quads(order, sizes), output, EXPORT_FORMATS[fmt])

    def _quads(self, graphs: list[str], sizes: dict[str, int]) -> Iterator[ox.Quad]:
        for graph in graphs:
            if graph not in sizes:
                continue
            content = self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_ref(graph)} {{ ?s ?p ?o }} }}")
            if len(content) != sizes[graph]:
                raise StoreError(
                    f"the SPARQL endpoint returned {len(content)} of the {sizes[graph]} triples of <{graph}>: it "
                    "caps the size of results (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                    "virtuoso.ini). Raise the cap, or export with the store's own dump tool."
                )
            name = ox.DefaultGraph() if graph == CATALOGUE_GRAPH else ox.NamedNode(graph)
            for triple in content:
                yield ox.Quad(triple.subject, triple.predicate, triple.object, name)

    def _graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, the catalogue included, the endpoint's and staging graphs not."""
        rows = self._select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {
            row["g"].value: int(row["n"].value)
            for row in rows
            if row["g"].value not in self._hidden and (_is_data_graph(row["g"]) or row["g"].value == CATALOGUE_GRAPH)
        }

    def stats(self) -> StoreStats:
        sizes = self._graph_sizes()
        per_graph = {"": sizes.pop(CATALOGUE_GRAPH, 0), **sizes}
        ours = self._only_our_graphs()
        classes = {
            row["c"].value: int(row["n"].value)
            for row in self._select(
                f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(isIRI(?c)) {ours} }} "
                "GROUP BY ?c"
            )
        }
        properties = {
            row["p"].value: int(row["n"].value)
            for row in self._select(
                f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }} GROUP BY ?p"
            )
        }
        return StoreStats(sum(per_graph.values()), per_graph, classes, properties)

    def is_empty(self) -> bool:
        return not self._ask(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {self._only_our_graphs()} }}")

    def _only_our_graphs(self) -> str:
        """A filter leaving the endpoint's own graphs out of ``GRAPH ?g`` (none where it has none)."""
        self._connect()
        if not self._hidden:
            return ""
        return "FILTER(?g NOT IN (" + ", ".join(_ref(g) for g in self._hidden) + "))"

    def close(self) -> None:
        """Nothing to release: every request is its own HTTP exchange."""

    def problem(self) -> None:
        """None: the endpoint's state is its own, and each request reports its failure."""

    # -- HTTP --------------------------------------------------------------------------

    def _send(
        self, text: str, *, update: bool, what: str, accept: str | None = None, default_graph=None, named_graphs=None
    ) -> tuple[bytes, dict]:
        """One request through SPARQLWrapper; the answer's body and headers, or StoreError in plain words."""
        endpoint = self.update_endpoint if update else self.query_endpoint
        wrapper = SPARQLWrapper(self.query_endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)  # the Accept header only: no format=xml parameter that overrides it
        with warnings.catch_warnings():
            # SPARQLWrapper guesses the form with a regular expression (and warns when it
            # cannot); we know whether it is an update and say so below.
            warnings.simplefilter("ignore")
            wrapper.setQuery(text)
        wrapper.queryType = "INSERT" if update else "SELECT"
        seconds = self.update_timeout if update else self.timeout
        wrapper.setTimeout(math.ceil(seconds) + 5)  # the store's own limit should strike first
        if accept:
            wrapper.addCustomHttpHeader("Accept", accept)
        if not update and self._server and "virtuoso" in self._server.lower():
            wrapper.addParameter("timeout", str(int(seconds * 1000)))
        for graph in default_graph or []:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or []:
            wrapper.addNamedGraph(graph)
        if self.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        if self.user is not None:
            wrapper.setHTTPAuth(self._auth)
            wrapper.setCredentials(self.user, self.password, realm=self._realm)
        lock = _DIGEST_LOCK if self.user is not None and self._auth == DIGEST else nullcontext()
        try:
            with lock:
                result = wrapper.query()
            body = result.response.read()
            headers = {key.lower(): value for key, value in result.info().items()}
        except (SPARQLWrapperException, urllib.error.HTTPError) as exc:
            status, detail = http_failure(exc)
            raise RemoteStoreError(explain(endpoint, what, status, detail, self.user), status) from exc
        except urllib.error.URLError as exc:
            raise RemoteStoreError(
                f"cannot reach the SPARQL endpoint {endpoint} ({exc.reason}): is the store "
                f"running, and is the URL right?"
            ) from exc
        except (TimeoutError, OSError) as exc:
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                raise RemoteStoreError(
                    f"the SPARQL endpoint {endpoint} did not answer the {what} within {math.ceil(seconds)} s"
                ) from exc
            raise RemoteStoreError(
                f"the connection to the SPARQL endpoint {endpoint} failed during the {what}: {exc}"
            ) from exc
        if headers.get("x-sql-state") == "S1TAT":
            raise RemoteStoreError(
                f"the {what} ran out of its time limit of {math.ceil(seconds)} s at the SPARQL "
                f"endpoint {endpoint}, which stopped it (only part of the answer was ready)"
            )
        return body, headers


# -- writing helpers --------------------------------------------------------------------


def _catalogue_operations(replacements: list[GraphReplacement], creators: dict[str, str]) -> list[str]:
    """Delete the old catalogue entries of these graphs and write the new ones, each with the
    creator it had (``creators``), else its replacement's."""
    now = datetime.now(UTC).isoformat()
    operations = [f"DELETE WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ {_ref(r.iri)} ?p ?o }} }}" for r in replacements]

    def creator(r: GraphReplacement) -> str:
        iri = creators.get(r.iri) or r.creator
        return f" ; dcterms:creator {_ref(iri)}" if iri else ""

    entries = "\n".join(
        f"{_ref(r.iri)} a void:Dataset ; void:triples {len(r.graph)} ; "
        f'dcterms:source {RdfLiteral(r.origin).n3()} ; prov:generatedAtTime "{now}"^^xsd:dateTime{creator(r)} .'
        for r in replacements
    )
    operations.append(f"INSERT DATA {{ GRAPH <{CATALOGUE_GRAPH}> {{\n{entries}\n}} }}")
    return operations


def _insert_operations(graph: str, statements: list[Triple]) -> list[str]:
    """Operations writing ``statements`` into ``graph``: INSERT DATA for those without blank
    nodes, INSERT ... WHERE {} for the others (Virtuoso refuses blank nodes in INSERT DATA)."""
    plain: list[str] = []
    blank: list[str] = []
    for triple in statements:
        (blank if isinstance(triple[0], BNode) or isinstance(triple[2], BNode) else plain).append(_nt(triple))
    operations = []
    if plain:
        operations.append(f"INSERT DATA {{ GRAPH {_ref(graph)} {{\n" + "\n".join(plain) + "\n} }")
    if blank:
        operations.append(f"INSERT {{ GRAPH {_ref(graph)} {{\n" + "\n".join(blank) + "\n} } WHERE {}")
    return operations


def _batches(graph: Graph, size: int, blank_size: int) -> Iterator[list[Triple]]:
    """The triples of ``graph`` in batches: ``size`` triples without blank nodes, or about
    ``blank_size`` with them. The triples of one blank-node cluster (blank nodes linked to
    each other) stay in one batch, because a blank node label names the same node only
    within one operation; a cluster larger than ``blank_size`` makes a batch of its own."""
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[Triple] = []
    blank: list[tuple[Triple, BNode]] = []  # each with a blank node of its cluster
    for triple in graph:
        subject, _, obj = triple
        nodes = [n for n in (subject, obj) if isinstance(n, BNode)]
        if nodes:
            blank.append((triple, nodes[0]))
            if len(nodes) == 2:
                parent[root(nodes[0])] = root(nodes[1])
            else:
                root(nodes[0])
        else:
            plain.append(triple)
    for start in range(0, len(plain), size):
        yield plain[start : start + size]
    clusters: dict[BNode, list[Triple]] = {}
    for triple, node in blank:
        clusters.setdefault(root(node), []).append(triple)
    batch: list[Triple] = []
    for cluster in clusters.values():
        if batch and len(batch) + len(cluster) > blank_size:
            yield batch
            batch = []
        batch.extend(cluster)
    if batch:
        yield batch


def _nt(triple: Triple) -> str:
    """One triple in N-Triples syntax (also valid SPARQL), through pyoxigraph's terms."""
    return " ".join(str(_ox_term(term)) for term in triple) + " ."


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            label = str(term)
            return ox.BlankNode(
                label if BLANK_LABEL.fullmatch(label) else "b" + uuid.uuid5(uuid.NAMESPACE_OID, label).hex
            )
        if not isinstance(term, RdfLiteral):
            raise UnstorableTerm(f"cannot write the term {term!r} to the store: not an RDF term")
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    except ValueError as exc:
        raise UnstorableTerm(f"cannot write the term {term!r} to the store: {exc}") from exc


def _ref(iri: str) -> str:
    """``iri`` as the engine's own parser takes and its serialiser writes it (``<...>``): the
    one way an IRI from data enters the text this store sends, so none can end the ``<...>``
    it is written into, and none is written unchecked."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise UnstorableTerm(f"not a valid IRI: {iri!r} ({exc})") from exc


def _is_data_graph(term: object) -> bool:
    return (
        isinstance(term, ox.NamedNode) and term.value != CATALOGUE_GRAPH and not term.value.startswith(STAGING_PREFIX)
    )


# -- reading helpers --------------------------------------------------------------------
