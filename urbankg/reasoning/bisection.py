"""Narrowing an inconsistency down to a few data subjects, when explain() finds no cause.

Drops halves (then quarters ...) of the data's subjects while what is left stays inconsistent
for HermiT: a simplified delta debugging. Costs up to ``max_runs`` HermiT runs (12 by default),
each on a part of the data.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph
from rdflib.term import Node

from urbankg.names import short_name
from urbankg.reasoning.hermit import LOCK, merge, run_hermit
from urbankg.reasoning.result import Clash


def narrow_down(ontology: Graph, data: Graph, timeout: float, max_runs: int = 12) -> list[Clash]:
    """Find a small set of data subjects that HermiT alone finds inconsistent."""
    by_subject: dict[Node, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for triple in data:
        by_subject[triple[0]].append(triple)
    subjects = sorted(by_subject, key=str)

    def inconsistent(chosen: list[Node]) -> bool:
        part = Graph()
        for s in chosen:
            for triple in by_subject[s]:
                part.add(triple)
        with LOCK:
            return not run_hermit(merge(ontology, part), timeout).consistent

    runs = 0
    chunks = 2
    while len(subjects) > 1 and runs < max_runs:
        size = max(1, len(subjects) // chunks)
        pieces = [subjects[i : i + size] for i in range(0, len(subjects), size)]
        reduced = False
        for piece in pieces:
            rest = [s for s in subjects if s not in set(piece)]
            if not rest:
                continue
            runs += 1
            if inconsistent(rest):
                subjects, chunks, reduced = rest, max(chunks - 1, 2), True
                break
            if runs >= max_runs:
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(len(subjects), chunks * 2)
    if len(subjects) == len(by_subject) and len(subjects) > 20:
        return [Clash((), (), "HermiT finds the data inconsistent with the ontology, but no small cause was isolated")]
    names = ", ".join(short_name(ontology + data, s) for s in subjects)
    return [Clash(tuple(subjects), (), f"HermiT finds these together inconsistent with the ontology: {names}")]
