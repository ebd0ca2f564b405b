"""A reviewer's decisions on a pair: merge two IRIs everywhere, or undo a merge exactly.

Pure transforms of graph contents; the write path reads the graphs, calls these, and
commits the result with graph/identities in one commit.

Merge ``alias`` into ``canonical``: in each graph that mentions the alias, every statement
with it as subject or object is written with the canonical IRI instead; what the graph said
about both before is kept on the decision (:class:`Renaming`).

Undo: in each graph the merge renamed, the statements about the canonical IRI are replaced
by those it held before, with the merges still in force applied to them (so a statement
linking the alias to another merged IRI comes back linked to that IRI's canonical). Exact
when the graph has not been replaced since by a write that bypasses identity (a Graph Store
PUT, an update): such a renaming is left as it is, and said. Undo is refused while another
merge into the same canonical IRI renamed one of the same graphs later (undo that first).
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from urbankg.errors import StoreError
from urbankg.identity.decisions import Decision, Decisions, Renaming, statements_about


def rename(graph: Graph, old: URIRef, new: URIRef) -> int:
    """Rename ``old`` to ``new`` in ``graph`` (subjects and objects); statements renamed."""
    moved = 0
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o if o != old else new))
        moved += 1
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))
        moved += 1
    return moved


def mentions(graph: Graph, iri: URIRef) -> bool:
    return (iri, None, None) in graph or (None, None, iri) in graph


def merge(contents: dict[str, Graph], decision: Decision) -> Decision:
    """Rename the alias in every graph of ``contents`` (changed in place); the decision
    with a renaming record per graph changed."""
    old, new = URIRef(decision.alias), URIRef(decision.canonical)
    for name, graph in sorted(contents.items()):
        if not mentions(graph, old):
            continue
        decision = decision.with_renaming(Renaming(name, statements_about(graph, {old, new})))
        rename(graph, old, new)
    return decision


def undo(contents: dict[str, Graph], decision: Decision, decisions: Decisions) -> list[str]:
    """Put back what each renamed graph of ``contents`` held (changed in place); the names
    of the graphs left as they are, because they changed since in a way the record cannot
    undo. ``decisions`` must no longer count ``decision`` as a merge."""
    later = [
        other
        for other in decisions.merged_into(decision.canonical)
        if other.time > decision.time and {r.graph for r in other.renamings} & {r.graph for r in decision.renamings}
    ]
    if later:
        raise StoreError(
            f"undo the later merge {later[0].key} ({later[0].alias} into {later[0].canonical}) first: "
            "it renamed the same graphs after this one"
        )
    aliases = decisions.aliases()
    canonical = URIRef(decision.canonical)
    left = []
    for renaming in decision.renamings:
        graph = contents.get(renaming.graph)
        if graph is None:
            continue  # dropped since: nothing to put back
        before = Graph().parse(data=renaming.before, format="nt")  # a record of a few statements
        for alias in sorted(aliases):
            rename(before, URIRef(alias), URIRef(aliases[alias]))
        expected = {(s, p, o) for s, p, o in before}
        now = set(graph.triples((canonical, None, None))) | set(graph.triples((None, None, canonical)))
        renamed = Graph()
        for triple in expected:
            renamed.add(triple)
        rename(renamed, URIRef(decision.alias), canonical)
        if not set(renamed) <= now | expected:
            left.append(renaming.graph)
            continue
        for triple in now:
            graph.remove(triple)
        for triple in expected:
            graph.add(triple)
    return left
