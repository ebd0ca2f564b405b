"""Pictures as SVG, drawn on the server so they need no script and no CDN.

Two layouts cover what scholars would rather see than read:

- a crosswalk: the components of one framework in a column on the left, those of the
  frameworks it corresponds to on the right, one line per correspondence — solid when
  the paper states it, dashed when an annotator infers it — with the asserter and the
  quote in the line's tooltip;
- a bipartite network: cited works on the left, concepts on the right, one line per
  citation act (the citation–concept network of a paper), or any two-sided relation.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

ROW = 26
COLUMN_WIDTH = 300
GAP = 260
TOP = 40
PALETTE = ["#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#7f8c8d"]


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    href: str = ""
    group: str = ""  # e.g. the framework a component belongs to


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""  # shown on hover, e.g. "closeMatch — stated by the paper: “...”"
    kind: str = ""  # colours the line (a relation or an intent)
    dashed: bool = False


def two_column_svg(
    left: list[Node], right: list[Node], edges: list[Edge], title: str, left_heading: str = "", right_heading: str = ""
) -> str:
    """Draw nodes in two columns and edges between them; groups on the right get headings."""
    kinds = sorted({e.kind for e in edges if e.kind})
    colour = {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(kinds)}
    left_y = {n.key: TOP + 30 + i * ROW for i, n in enumerate(left)}
    right_y: dict[str, int] = {}
    parts: list[str] = []
    y = TOP + 30
    group = None
    x_right = COLUMN_WIDTH + GAP
    for node in right:
        if node.group != group:
            group = node.group
            if group:
                parts.append(f'<text x="{x_right}" y="{y}" class="group">{escape(group)}</text>')
                y += ROW
        right_y[node.key] = y
        y += ROW
    height = max([TOP + 60] + list(left_y.values()) + list(right_y.values())) + 30 + 20 * ((len(kinds) + 2) // 3)
    width = 2 * COLUMN_WIDTH + GAP
    for edge in edges:
        if edge.source not in left_y or edge.target not in right_y:
            continue
        y1, y2 = left_y[edge.source] - 5, right_y[edge.target] - 5
        stroke = colour.get(edge.kind, "#555")
        dash = ' stroke-dasharray="6 4"' if edge.dashed else ""
        mid = COLUMN_WIDTH + GAP / 2
        parts.append(
            f'<path class="edge" d="M{COLUMN_WIDTH - 5},{y1} C{mid},{y1} {mid},{y2} {x_right - 10},{y2}" '
            f'stroke="{stroke}" fill="none" stroke-width="2"{dash}><title>{escape(edge.label)}</title></path>'
        )
    for nodes, ys, x, anchor in ((left, left_y, COLUMN_WIDTH - 12, "end"), (right, right_y, x_right, "start")):
        for node in nodes:
            text = escape(_clip(node.label, 44))
            label = (
                f'<text x="{x}" y="{ys[node.key]}" text-anchor="{anchor}" class="node">'
                f"<title>{escape(node.label)}</title>{text}</text>"
            )
            parts.append(f'<a href="{escape(node.href)}">{label}</a>' if node.href else label)
    parts.insert(
        0,
        f'<text x="{COLUMN_WIDTH - 12}" y="{TOP}" text-anchor="end" class="heading">{escape(left_heading)}</text>'
        f'<text x="{x_right}" y="{TOP}" class="heading">{escape(right_heading)}</text>',
    )
    legend_y = height - 20 * ((len(kinds) + 2) // 3) - 5
    for i, kind in enumerate(kinds):
        lx, ly = 10 + (i % 3) * 280, legend_y + (i // 3) * 20
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour[kind]}" stroke-width="3"/>'
            f'<text x="{lx + 30}" y="{ly + 4}" class="legend">{escape(kind)}</text>'
        )
    if any(e.dashed for e in edges):
        parts.append(
            f'<text x="{width - 10}" y="{height - 5}" text-anchor="end" class="legend">'
            "solid: stated by the paper · dashed: inferred by an annotator</text>"
        )
    return _svg(
        width,
        height,
        title,
        parts,
        ".node{font:13px sans-serif;fill:#222}.group{font:bold 13px sans-serif;fill:#444}"
        ".heading{font:bold 14px sans-serif}.legend{font:12px sans-serif;fill:#333}"
        "a .node{fill:#1b4f72}.edge:hover{stroke-width:4}",
    )


def _svg(width: float, height: float, title: str, parts: list[str], style: str) -> str:
    """The picture's frame: an accessible, titled SVG of the given size with its own style."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" class="picture" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{escape(title)}</title>'
        f"<style>{style}</style>" + "".join(parts) + "</svg>"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def matrix_svg(row_labels: list[str], column_labels: list[str], cells: dict[tuple[str, str], str], title: str) -> str:
    """A grid: one row per row label, one column per column label, the relation written in each filled cell."""
    cell_w, cell_h, left, top = 120, 28, 260, 170
    kinds = sorted(set(cells.values()))
    colour = {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(kinds)}
    width = left + cell_w * max(len(column_labels), 1) + 20
    height = top + cell_h * max(len(row_labels), 1) + 30
    parts = []
    for j, column in enumerate(column_labels):
        x = left + j * cell_w + cell_w / 2
        parts.append(
            f'<text transform="translate({x},{top - 8}) rotate(-40)" class="node"><title>{escape(column)}</title>'
            f"{escape(_clip(column, 30))}</text>"
        )
    for i, row in enumerate(row_labels):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 4}" text-anchor="end" class="node"><title>{escape(row)}</title>'
            f"{escape(_clip(row, 36))}</text>"
        )
        for j, column in enumerate(column_labels):
            x = left + j * cell_w
            kind = cells.get((row, column))
            fill = colour[kind] if kind else "#f4f6f8"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}" '
                f'fill-opacity="{0.85 if kind else 1}" class="cell">'
                f"<title>{escape(row)} — {escape(kind or 'no link')} — {escape(column)}</title></rect>"
            )
            if kind:
                parts.append(
                    f'<text x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" text-anchor="middle" '
                    f'class="celltext">{escape(_clip(kind, 16))}</text>'
                )
    return _svg(
        width, height, title, parts, ".node{font:12px sans-serif;fill:#222}.celltext{font:11px sans-serif;fill:#fff}"
    )


def bars_svg(bars: list[tuple[str, float, str]], title: str) -> str:
    """Bars per label (e.g. a year), one per (label, value, series); series share a colour."""
    series = sorted({s for _l, _v, s in bars})
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    labels = list(dict.fromkeys(label for label, _v, _s in bars))
    top_value = max([v for _l, v, _s in bars] + [1])
    bar_w, gap, left, plot_h, top = 22, 18, 60, 240, 20
    group_w = bar_w * max(len(series), 1) + gap
    width = left + group_w * max(len(labels), 1) + 40
    height = top + plot_h + 60 + 18 * len(series)
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 20}" y2="{top + plot_h}" stroke="#999"/>']
    for i, label in enumerate(labels):
        x0 = left + i * group_w
        parts.append(
            f'<text x="{x0 + group_w / 2 - gap / 2}" y="{top + plot_h + 16}" text-anchor="middle" class="node">'
            f"{escape(label)}</text>"
        )
        for k, s in enumerate(series):
            for bl, value, bs in bars:
                if bl == label and bs == s:
                    h = plot_h * value / top_value
                    x = x0 + k * bar_w
                    parts.append(
                        f'<rect x="{x}" y="{top + plot_h - h}" width="{bar_w - 3}" height="{h}" fill="{colour[s]}">'
                        f"<title>{escape(label)}: {value:g} ({escape(s)})</title></rect>"
                        f'<text x="{x + bar_w / 2}" y="{top + plot_h - h - 3}" text-anchor="middle" class="small">'
                        f"{value:g}</text>"
                    )
    for k, s in enumerate(series):
        y = top + plot_h + 36 + 18 * k
        parts.append(
            f'<rect x="{left}" y="{y - 10}" width="14" height="10" fill="{colour[s]}"/>'
            f'<text x="{left + 20}" y="{y}" class="node">{escape(s)}</text>'
        )
    return _svg(
        width, height, title, parts, ".node{font:12px sans-serif;fill:#222}.small{font:10px sans-serif;fill:#333}"
    )
