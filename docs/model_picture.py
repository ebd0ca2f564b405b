"""Draw the picture of the model in docs/querying.md: docs/images/model.svg.

Run from the repository: ``python docs/model_picture.py``. The boxes are the kinds of thing a
scholar asks about, each with its class; the arrows the properties that link them, pointing
from the subject of the triple to its object. Placed by hand on a grid (no Graphviz needed), so
the picture stays the same from one run to the next; tests/test_querying_doc.py checks that the
file is what this script writes.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

OUT = Path(__file__).parent / "images" / "model.svg"
WIDTH, HEIGHT = 1240, 960
BOX_W, BOX_H = 190, 54

# name: (x, y of the centre, what it is, its class)
NODES: dict[str, tuple[int, int, str, str]] = {
    "person": (110, 70, "person", "foaf:Person"),
    "paper": (470, 70, "paper (annotated)", "fabio:Work"),
    "work": (1000, 70, "cited work", "fabio:Work"),
    "citation": (470, 220, "citation (in the text)", "c4o:InTextReferencePointer"),
    "reference": (1000, 220, "reference", "biro:BibliographicReference"),
    "quote": (130, 370, "quote", "oa:TextQuoteSelector"),
    "act": (720, 370, "citation act", "cito:Citation"),
    "framework": (1110, 370, "framework", "ukg:Framework"),
    "claim": (300, 520, "claim", "mp:Claim"),
    "concept": (930, 520, "concept", "skos:Concept"),
    "observation": (130, 650, "observation (a fact)", "qb:Observation"),
    "case": (640, 680, "case", "ukg:Case"),
    "crosswalk": (1110, 650, "crosswalk", "ukg:Correspondence"),
    "measure": (130, 830, "measure", "ukg:Measure"),
    "stakeholder": (380, 830, "stakeholder", "ukg:Stakeholder"),
    "relation": (800, 830, "power relation", "ukg:PowerRelation"),
    "place": (1110, 830, "place", "schema:Place"),
}

# (from, to, property label, where along the arrow the label sits: 0 start .. 1 end)
EDGES: list[tuple[str, str, str, float]] = [
    ("paper", "person", "dcterms:creator", 0.5),
    ("reference", "paper", "frbr:partOf", 0.4),
    ("reference", "work", "biro:references", 0.5),
    ("citation", "paper", "frbr:partOf", 0.5),
    ("citation", "reference", "c4o:denotes", 0.5),
    ("citation", "act", "ukg:expressesCitation", 0.5),
    ("citation", "quote", "c4o:hasContext (the sentence)", 0.5),
    ("act", "paper", "cito:hasCitingEntity", 0.3),
    ("act", "work", "cito:hasCitedEntity", 0.72),
    ("act", "concept", "ukg:citedForConcept", 0.5),
    ("concept", "framework", "skos:inScheme", 0.5),
    ("framework", "paper", "ukg:proposedBy", 0.12),
    ("crosswalk", "concept", "ukg:subjectConcept, ukg:objectConcept", 0.45),
    ("claim", "concept", "ukg:explains, ukg:explanatoryFactor, mp:supports, mp:challenges", 0.5),
    ("claim", "quote", "ukg:evidence", 0.5),
    ("case", "concept", "ukg:caseOf", 0.5),
    ("case", "place", "ukg:locatedIn", 0.45),
    ("stakeholder", "case", "ukg:stakeholderIn", 0.5),
    ("relation", "stakeholder", "ukg:relationFrom, ukg:relationTo", 0.5),
    ("relation", "case", "ukg:relationIn", 0.5),
    ("observation", "case", "ukg:aboutCase", 0.5),
    ("observation", "measure", "ukg:measure", 0.5),
    ("observation", "place", "sdmx-dimension:refArea", 0.3),
    ("observation", "quote", "ukg:evidence", 0.5),
]

# What would cross the picture as long arrows, said below it instead.
NOTES = [
    "Every claim is prov:wasAttributedTo its paper; observations, stakeholders, relations, crosswalks and concepts "
    "are prov:wasDerivedFrom it; a case is ukg:studiedBy it.",
    "A citation act's intent is cito:hasCitationCharacterization (cito:extends ...); concepts nest by skos:broader; "
    "a stakeholder's role is ukg:hasRole (a concept); places nest by schema:containedInPlace.",
    "Most things carry ukg:evidence (a quote: oa:exact is its text). Ids: case:, work:, concept: ... under "
    "https://w3id.org/urbankg/id/.",
]


def border(x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from a box's centre (x, y) in direction (dx, dy) leaves the box."""
    scale = min(
        (BOX_W / 2) / abs(dx) if dx else math.inf,
        (BOX_H / 2) / abs(dy) if dy else math.inf,
    )
    return x + dx * scale, y + dy * scale


def picture() -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" role="img" '
        'aria-labelledby="title">',
        '<title id="title">urbankg\'s model: what a scholar asks about and how it is linked</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#52606d"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    labels = []
    for start, end, name, at in EDGES:
        x1, y1 = NODES[start][:2]
        x2, y2 = NODES[end][:2]
        dx, dy = x2 - x1, y2 - y1
        sx, sy = border(x1, y1, dx, dy)
        ex, ey = border(x2, y2, -dx, -dy)
        parts.append(
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#9aa5b1" '
            'stroke-width="1.4" marker-end="url(#arrow)"/>'
        )
        lx, ly = sx + (ex - sx) * at, sy + (ey - sy) * at
        width = 6.2 * len(name) + 8
        labels.append(
            f'<rect x="{lx - width / 2:.1f}" y="{ly - 9:.1f}" width="{width:.1f}" height="16" rx="3" '
            'fill="#ffffff" fill-opacity="0.9"/>'
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" font-size="11" text-anchor="middle" fill="#3e4c59">'
            f"{escape(name)}</text>"
        )
    parts.extend(labels)  # over every line, so no line crosses a label
    for x, y, title, cls in NODES.values():
        parts.append(
            f'<g><rect x="{x - BOX_W / 2}" y="{y - BOX_H / 2}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            'fill="#eef3f8" stroke="#1b4f72" stroke-width="1.5"/>'
            f'<text x="{x}" y="{y - 4}" font-size="15" font-weight="bold" text-anchor="middle" '
            f'fill="#1f2933">{escape(title)}</text>'
            f'<text x="{x}" y="{y + 15}" font-size="12" text-anchor="middle" fill="#1b4f72">{escape(cls)}</text></g>'
        )
    for i, note in enumerate(NOTES):
        parts.append(f'<text x="20" y="{895 + 20 * i}" font-size="12" fill="#3e4c59">{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(picture(), encoding="utf-8")
    print(f"wrote {OUT} ({len(NODES)} kinds, {len(EDGES)} properties)")


if __name__ == "__main__":
    main()
