"""Search the graph by the words scholars use: concepts and frameworks by every label and
alternative label (any language), cases, places, works by title, people by name, claims by
statement; for `urbankg search`, the search box and ``GET /search``.

The query is a data file (``search.rq``) with the text as a bound value, never written into
the query. It matches case- and accent-insensitively, and reads "urbanisation" and
"urbanization" as one word (its comments say how and what that costs). Hits are ranked here:
the label equal to the text first, then labels that start with it, then labels with a word
that starts with it, then labels that merely contain it; a preferred label before an
alternative one at the same rank; then by kind (concepts before claims), shorter labels first.
Each resource is one hit, by the best of its labels.

Costs one query, which reads every label of the seven kinds (search.rq), and a sort of the
labels that matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox

from urbankg import config
from urbankg.store import Store, solutions

# The kinds of hit, in the order that breaks a tie of rank.
KINDS = ("concept", "framework", "case", "place", "work", "person", "claim")
MIN_LENGTH = 2  # characters: one letter is in most labels, and tells nothing yet
MAX_LENGTH = 200  # characters of text searched; past that nobody is typing a label
DEFAULT_LIMIT = 20
LANGUAGES = ("en", "")  # the preferred label shown, by its language tag, when there are several

# A rank and its name (for tests and readers), best first.
EXACT, STARTS, WORD_STARTS, CONTAINS = range(4)


@dataclass(frozen=True)
class Hit:
    iri: str
    id: str  # the short id, as annotations write it (concept/e-commerce), or the IRI itself
    label: str  # the preferred label, title, name or statement
    kind: str  # one of KINDS
    matched: str  # the label that matched: the preferred one, or an alternative label


def query_text() -> str:
    return (resources.files("urbankg") / "search.rq").read_text(encoding="utf-8")


def cleaned(text: str) -> str:
    """The text as searched: spaces collapsed, cut at MAX_LENGTH; "" when too short to search."""
    words = " ".join(text.split())[:MAX_LENGTH]
    return words if len(words) >= MIN_LENGTH else ""


def bindings(text: str) -> dict[str, ox.Literal] | None:
    """The values search.rq is run with, or None when the text is too short to search."""
    words = cleaned(text)
    return {"text": ox.Literal(words)} if words else None


def check_kinds(kinds: Iterable[str] | None) -> frozenset[str]:
    """The kinds asked for (all when None or empty); ValueError naming the known ones otherwise."""
    asked = frozenset(kinds or ())
    unknown = sorted(asked - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {', '.join(unknown)}: a kind is one of {', '.join(KINDS)}")
    return asked or frozenset(KINDS)


def search(store: Store, text: str, kinds: Iterable[str] | None = None, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The best ``limit`` hits for ``text`` among the ``kinds`` asked for (all by default)."""
    wanted = check_kinds(kinds)
    bound = bindings(text)
    if bound is None:
        return []
    rows = solutions(store.query(query_text(), substitutions=bound))
    return ranked(({v.value: row[v.value] for v in rows.variables} for row in rows), wanted, limit)


def ranked(rows: Iterable[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode | None]], kinds, limit) -> list[Hit]:
    """The hits of search.rq's rows, best first: one for each resource, by its best label."""
    best: dict[str, tuple[tuple, Hit]] = {}
    labels: dict[str, list[ox.Literal]] = {}
    for row in rows:
        iri, kind, matched = row["iri"], row["kind"], row["matched"]
        if not isinstance(iri, ox.NamedNode) or kind is None or matched is None or kind.value not in kinds:
            continue
        folded, needle = value(row["folded"]), value(row["needle"])
        preferred = value(row["preferred"]) == "1"  # an integer, not a boolean: Virtuoso writes those as 1 and 0
        label = row["label"]
        if isinstance(label, ox.Literal):
            labels.setdefault(iri.value, []).append(label)
        key = (rank(folded, needle), not preferred, KINDS.index(kind.value), len(matched.value), matched.value)
        hit = Hit(iri.value, short_id(iri.value), "", kind.value, matched.value)
        if iri.value not in best or key < best[iri.value][0]:
            best[iri.value] = (key, hit)
    hits = sorted(best.values(), key=lambda pair: (pair[0], pair[1].iri))[: max(limit, 0)]
    return [_with_label(hit, labels.get(hit.iri, [])) for _, hit in hits]


def rank(folded: str, needle: str) -> int:
    """How well a folded label matches the folded text: EXACT, STARTS, WORD_STARTS or CONTAINS."""
    if folded == needle:
        return EXACT
    if folded.startswith(needle):
        return STARTS
    if re.search(r"(?<![^\W_])" + re.escape(needle), folded):
        return WORD_STARTS
    return CONTAINS


def short_id(iri: str) -> str:
    """The id as annotations write it (config.id_iri's inverse), or the IRI when not under the id base."""
    return iri[len(config.ID_BASE) :] if iri.startswith(config.ID_BASE) else iri


def value(term) -> str:
    return term.value if term is not None else ""


def _with_label(hit: Hit, labels: list[ox.Literal]) -> Hit:
    # A concept may have a preferred label in several languages: English, then untagged, then any.
    def order(literal: ox.Literal) -> tuple:
        language = (literal.language or "").lower()
        return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), literal.value)

    label = min(labels, key=order).value if labels else hit.matched
    return Hit(hit.iri, hit.id, label, hit.kind, hit.matched)
