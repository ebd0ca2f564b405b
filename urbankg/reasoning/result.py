"""What a reasoning run returns: ReasoningResult and its Clashes, and ReasoningError. Plain data, no cost."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Node

from urbankg.config import INFERRED_GRAPH as _INFERRED_GRAPH
from urbankg.errors import UrbankgError

INFERRED_GRAPH = URIRef(_INFERRED_GRAPH)
"""The named graph inferred memberships are meant to be written into."""


class ReasoningError(UrbankgError):
    """The reasoner could not run (no Java, a Java error, a timeout)."""


@dataclass(frozen=True)
class Clash:
    """One reason the data is inconsistent with the ontology."""

    individuals: tuple[Node, ...]
    """The individuals involved (IRIs; blank nodes as they are in the data)."""
    classes: tuple[URIRef, ...] = ()
    """The classes involved (e.g. the two disjoint classes), if any."""
    message: str = ""
    """What is wrong, in words."""

    def __str__(self) -> str:
        return self.message


@dataclass
class ReasoningResult:
    """What ``reason`` found.

    ``consistent`` — whether ontology + data are consistent (HermiT's verdict).
    ``inferred`` — if consistent, the entailed ``rdf:type`` triples about named
    individuals that neither input graph asserts; empty otherwise. Write it into
    :data:`INFERRED_GRAPH`.
    ``clashes`` — if inconsistent, why, with the individuals and classes involved.
    ``unsatisfiable_classes`` — named classes that can have no member (a modelling
    error in the ontology, reported even when the data is consistent).
    ``seconds`` — wall time spent.
    """

    consistent: bool
    inferred: Graph = field(default_factory=Graph)
    clashes: list[Clash] = field(default_factory=list)
    unsatisfiable_classes: list[URIRef] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def individuals(self) -> list[Node]:
        """Every individual named by a clash, in a stable order."""
        seen: dict[Node, None] = {}
        for clash in self.clashes:
            for individual in clash.individuals:
                seen.setdefault(individual, None)
        return list(seen)

    @property
    def classes(self) -> list[URIRef]:
        """Every class named by a clash, in a stable order."""
        seen: dict[URIRef, None] = {}
        for clash in self.clashes:
            for cls in clash.classes:
                seen.setdefault(cls, None)
        return list(seen)

    def summary(self) -> str:
        """One paragraph for a terminal."""
        if self.consistent:
            text = f"consistent; {len(self.inferred)} inferred class memberships ({self.seconds:.1f} s)"
            if self.unsatisfiable_classes:
                text += "; unsatisfiable classes: " + ", ".join(self.unsatisfiable_classes)
            return text
        lines = [f"inconsistent ({self.seconds:.1f} s):"]
        lines += [f"  - {clash.message}" for clash in self.clashes] or ["  - (no explanation found)"]
        return "\n".join(lines)

    def __bool__(self) -> bool:  # `if reason(...):` reads as "if consistent"
        return self.consistent
