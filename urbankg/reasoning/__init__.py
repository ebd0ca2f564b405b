"""OWL reasoning over ontology + data: consistency, and inferred class memberships.

``reason(ontology, data)`` runs HermiT (Java) on both rdflib graphs and returns a
:class:`ReasoningResult`:

* consistent: ``result.inferred`` holds every ``rdf:type`` triple the reasoner
  entails for a named individual that neither graph asserts (direct types and all
  their named superclasses), ready to be written into the named graph of
  inferences (:data:`INFERRED_GRAPH`, ``config.INFERRED_GRAPH``), so queries can
  opt in to inferences;
* inconsistent: ``result.clashes`` names the individuals and classes involved.

The jobs live in this package's modules: ``hermit`` runs HermiT through owlready2;
``clashes`` explains an inconsistency by reading the data against the ontology's
axioms with rdflib; ``bisection`` re-runs HermiT on parts of the data when that
finds nothing; ``owl_graph`` holds what they share (class hierarchy, skolem IRIs);
``result`` the returned types.

Blank nodes of the data (quotes, nested entities) are skolemised for the reasoner
and mapped back in clashes; no inferred triple is reported about them, since a
blank node cannot be referred to from another named graph. Costs one HermiT run
when consistent (seconds for a few thousand triples), up to 13 when not.
"""

from __future__ import annotations

import time

from rdflib import Graph

from urbankg.reasoning.bisection import narrow_down
from urbankg.reasoning.clashes import explain
from urbankg.reasoning.hermit import LOCK, merge, new_types, run_hermit
from urbankg.reasoning.owl_graph import skolemise, unskolemise_clash
from urbankg.reasoning.result import INFERRED_GRAPH, Clash, ReasoningError, ReasoningResult

__all__ = ["INFERRED_GRAPH", "Clash", "ReasoningError", "ReasoningResult", "reason"]


def reason(ontology: Graph, data: Graph, timeout: float = 300.0) -> ReasoningResult:
    """Check ontology + data for consistency with HermiT; return inferred memberships.

    ``ontology`` is the urbankg ontology (``ontology/urbankg.ttl`` parsed), ``data``
    any annotation data (one source's graph, or the union of the store's graphs).
    Neither graph is modified. Raises :class:`ReasoningError` when Java or HermiT
    fails for a reason other than inconsistency. ``timeout`` bounds each HermiT run
    in seconds.
    """
    started = time.monotonic()
    skolem_data, unskolem = skolemise(data)
    merged = merge(ontology, skolem_data)
    with LOCK:
        outcome = run_hermit(merged, timeout)
    if outcome.consistent:
        inferred = new_types(outcome.types, ontology, skolem_data)
        return ReasoningResult(
            consistent=True,
            inferred=inferred,
            unsatisfiable_classes=sorted(outcome.unsatisfiable),
            seconds=time.monotonic() - started,
        )
    clashes = explain(ontology, skolem_data)
    if not clashes:
        clashes = narrow_down(ontology, skolem_data, timeout)
    clashes = [unskolemise_clash(clash, unskolem) for clash in clashes]
    return ReasoningResult(consistent=False, clashes=clashes, seconds=time.monotonic() - started)
