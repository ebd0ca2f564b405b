"""A paper's citation network drawn as clusters, readable at hundreds of references.

Three columns: the concepts the paper cites works for, grouped under the framework each
belongs to (with the number of works cited for it), and on the right the cited works,
clustered under the concept each is cited for most. A line joins a concept and a work for
every pair the paper cites together, coloured by the intent; since a work sits in the
cluster of its main concept, most lines stay short and horizontal, and only works cited for
several concepts cross to another cluster.

A cluster of many works is drawn as a grid of dots (the title on hover) instead of a column
of labels, so that 200 references still fit a screen's height; the cluster's heading keeps
the count. Every node and line carries the tokens of its concepts, frameworks and intents
(``data-*``): network.js filters and highlights with them, and the server draws the same
picture filtered when the page is asked with ``?concept=``, ``?framework=``, ``?intent=``.

Costs one pass over the pairs and the string building: a few milliseconds at 200 references
(tests/test_citation_network.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from urbankg.server.pictures import PALETTE

CONCEPT_X = 330  # right edge of the concept labels; their dots sit just right of it
WORK_X = 540  # the works' dots
ROW = 18
TOP = 56
LABELLED_MAX = 5  # a cluster with more works than this is a grid of dots when the picture is large
LARGE = 80  # works: above this, big clusters become grids
GRID_COLUMNS = 24
GRID_STEP = 16
WIDTH = 1100


@dataclass
class Work:
    token: str
    label: str
    href: str = ""


@dataclass
class Concept:
    token: str
    label: str
    href: str = ""
    frameworks: list[tuple[str, str]] = field(default_factory=list)  # (token, label)


@dataclass
class Pair:
    """Every citation of one work for one concept: its intents and citing sentences."""

    work: str
    concept: str
    acts: set[str] = field(default_factory=set)
    intents: set[str] = field(default_factory=set)
    sentences: list[str] = field(default_factory=list)


def network_svg(
    works: dict[str, Work], concepts: dict[str, Concept], pairs: list[Pair], title: str
) -> tuple[str, dict[str, int]]:
    """The picture, and the number of works in each concept's cluster (by concept token)."""
    intents = sorted({i for p in pairs for i in p.intents})
    colour = {intent: PALETTE[i % len(PALETTE)] for i, intent in enumerate(intents)}
    by_concept: dict[str, list[Pair]] = {}
    by_work: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_concept.setdefault(pair.concept, []).append(pair)
        by_work.setdefault(pair.work, []).append(pair)
    # Concepts grouped by their first framework; within it, the most cited first.
    order = sorted(
        (c for c in concepts.values() if c.token in by_concept),
        key=lambda c: (_framework_label(c) == "", _framework_label(c), -len(by_concept[c.token]), c.label),
    )
    rank = {c.token: i for i, c in enumerate(order)}
    # A work's cluster: the concept it is cited for most (on a tie the one drawn higher).
    home = {work: min(ps, key=lambda p: (-len(p.acts), rank[p.concept])).concept for work, ps in by_work.items()}
    clusters: dict[str, list[str]] = {c.token: [] for c in order}
    for work in sorted(by_work, key=lambda w: works[w].label.lower()):
        clusters[home[work]].append(work)
    large = len(by_work) > LARGE
    parts: list[str] = []
    concept_y: dict[str, float] = {}
    y: float = TOP
    framework = None
    for concept in order:
        if _framework_label(concept) != framework:
            framework = _framework_label(concept)
            y += 6
            heading = escape(framework or "no framework")
            parts.append(f'<text x="{CONCEPT_X}" y="{y}" text-anchor="end" class="group">{heading}</text>')
            y += ROW
        concept_y[concept.token] = y
        cited = len({p.work for p in by_concept[concept.token]})
        label = f"{_clip(concept.label, 40)} · {cited}"
        tokens = _tokens(f for f, _ in concept.frameworks)
        text = (
            f'<text x="{CONCEPT_X}" y="{y}" text-anchor="end" class="node">'
            f"<title>{escape(concept.label)}: cited for {cited} works</title>{escape(label)}</text>"
        )
        parts.append(
            f'<g class="concept" data-concept="{escape(concept.token)}" data-frameworks="{tokens}">'
            + (f'<a href="{escape(concept.href)}">{text}</a>' if concept.href else text)
            + f'<circle cx="{CONCEPT_X + 10}" cy="{y - 4}" r="5"/></g>'
        )
        y += ROW
    left_bottom = y
    work_xy: dict[str, tuple[float, float]] = {}
    gridded: set[str] = set()  # the concepts whose cluster is a grid of dots
    bundles: list[str] = []
    y = TOP
    cluster_counts: dict[str, int] = {}
    for concept in order:
        members = clusters[concept.token]
        if not members:
            continue
        cluster_counts[concept.token] = len(members)
        # The cluster starts level with its concept where the clusters above leave room: its
        # own lines are then short and flat.
        y = max(y + 6, concept_y[concept.token] - ROW)
        parts.append(
            f'<text x="{WORK_X - 8}" y="{y}" class="group" data-cluster="{escape(concept.token)}">'
            f"{escape(_clip(concept.label, 60))} — {len(members)} work{'s' if len(members) != 1 else ''}</text>"
        )
        y += ROW
        grid = large and len(members) > LABELLED_MAX
        if grid:
            # One line of the cluster's width joins it to its concept; each work's own line to
            # that concept shows on hover only (network.css), instead of a fan along the row.
            gridded.add(concept.token)
            width = min(2 + len(members) / 3, 12)
            cy = concept_y[concept.token] - 4
            mid = (CONCEPT_X + 15 + WORK_X - 10) / 2
            bundles.append(
                f'<path class="bundle" data-concept="{escape(concept.token)}" stroke-width="{width:.1f}" '
                f'd="M{CONCEPT_X + 15},{cy} C{mid},{cy} {mid},{y - 4} {WORK_X - 10},{y - 4}">'
                f"<title>{len(members)} works cited for {escape(concept.label)} most</title></path>"
            )
        for i, work in enumerate(members):
            if grid:
                x, wy = WORK_X + (i % GRID_COLUMNS) * GRID_STEP, y + (i // GRID_COLUMNS) * GRID_STEP
            else:
                x, wy = WORK_X, y + i * ROW
            work_xy[work] = (x, wy)
            parts.append(_work_node(works[work], by_work[work], concepts, x, wy, labelled=not grid))
        rows = -(-len(members) // GRID_COLUMNS) if grid else len(members)
        y += rows * (GRID_STEP if grid else ROW) + (4 if grid else 0)
    height = max(left_bottom, y) + 24 + 18 * (-(-len(intents) // 4))
    edges = []
    for pair in pairs:
        (x2, y2), y1 = work_xy[pair.work], concept_y[pair.concept] - 4
        x1, y2 = CONCEPT_X + 15, y2 - 4
        mid = (x1 + x2) / 2
        first = sorted(pair.intents)[0] if pair.intents else ""
        tooltip = f"{works[pair.work].label} — cited for {concepts[pair.concept].label}"
        if pair.intents:
            tooltip += f" ({', '.join(sorted(pair.intents))})"
        tooltip += "".join(f"\n“{_clip(s, 200)}”" for s in pair.sentences[:2])
        frameworks = _tokens(f for f, _ in concepts[pair.concept].frameworks)
        kind = "edge home" if pair.concept in gridded and home[pair.work] == pair.concept else "edge"
        edges.append(
            f'<path class="{kind}" data-work="{escape(pair.work)}" data-concept="{escape(pair.concept)}" '
            f'data-intents="{_tokens(pair.intents)}" data-frameworks="{frameworks}" '
            f'd="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2 - 6},{y2}" stroke="{colour.get(first, "#777")}">'
            f"<title>{escape(tooltip)}</title></path>"
        )
    legend_y = height - 18 * (-(-len(intents) // 4)) - 4
    legend = [
        f'<line x1="{10 + (i % 4) * 270}" y1="{legend_y + (i // 4) * 18}" x2="{34 + (i % 4) * 270}" '
        f'y2="{legend_y + (i // 4) * 18}" stroke="{colour[intent]}" stroke-width="3"/>'
        f'<text x="{40 + (i % 4) * 270}" y="{legend_y + (i // 4) * 18 + 4}" class="legend">{escape(intent)}</text>'
        for i, intent in enumerate(intents)
    ]
    headings = (
        f'<text x="{CONCEPT_X}" y="24" text-anchor="end" class="heading">cited for (works)</text>'
        f'<text x="{WORK_X - 8}" y="24" class="heading">cited works, by the concept they are cited for most</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" class="picture network" '
        f'id="citation-network" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
        f'<title>{escape(title)}</title>{headings}<g class="edges">{"".join(bundles)}{"".join(edges)}</g>'
        + "".join(parts)
        + "".join(legend)
        + "</svg>"
    )
    return svg, cluster_counts


def _work_node(work: Work, pairs: list[Pair], concepts: dict[str, Concept], x: float, y: float, labelled: bool) -> str:
    """One cited work: a dot, and its label when there is room (the full title on hover always)."""
    frameworks = {f for p in pairs for f, _ in concepts[p.concept].frameworks}
    label = f'<text x="{x + 10}" y="{y}" class="node">{escape(_clip(work.label, 70))}</text>' if labelled else ""
    body = f'<circle cx="{x}" cy="{y - 4}" r="5"/>{label}'
    if work.href:
        body = f'<a href="{escape(work.href)}">{body}</a>'
    return (
        f'<g class="work" data-work="{escape(work.token)}" data-concepts="{_tokens(p.concept for p in pairs)}" '
        f'data-frameworks="{_tokens(frameworks)}" data-intents="{_tokens(i for p in pairs for i in p.intents)}">'
        f"<title>{escape(work.label)}</title>{body}</g>"
    )


def _framework_label(concept: Concept) -> str:
    return concept.frameworks[0][1] if concept.frameworks else ""


def _tokens(values) -> str:
    return escape(" ".join(sorted(set(values))))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
