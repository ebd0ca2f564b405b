"""The pictures of the framework and paper pages, assembled from their queries' rows.

pictures.py draws; this module says what is drawn: a framework's crosswalks (its components
on the left, the components of other frameworks they correspond to on the right, grouped by
framework) and a paper's citation–concept network (the works it cites on the left, the
concepts it cites them for on the right). Each line's tooltip holds who asserts it and the
quote. An empty string when there is nothing to draw.

Costs one pass over the rows and the drawing (pictures.py): milliseconds for a paper's
hundreds of citation acts.
"""

from __future__ import annotations

from markupsafe import Markup

from urbankg.server.pictures import Edge, Node, two_column_svg
from urbankg.server.ui_display import Row, asserter, author_year, distinct, local_path, short, text


def labelled_node(row: Row, key: str, label: str, group: str = "") -> Node:
    """A picture's node for the resource ``row[key]``: its label (else its short name), linked to its page."""
    iri = text(row[key])
    return Node(iri, text(row[label]) or short(iri), local_path(iri) or "", group)


def crosswalks(info: Row, components: list[Row], links: list[Row]) -> Markup:
    """A framework's crosswalks, from its framework-list row and its components and links."""
    if not links:
        return Markup("")
    left = [
        labelled_node(c, "component", "label")
        for c in components
        if any(text(w["mine"]) == text(c["component"]) for w in links)
    ]
    others = distinct(sorted(links, key=lambda w: (text(w["other_scheme_label"]), text(w["other_label"]))), "other")
    right = [labelled_node(o, "other", "other_label", group=text(o["other_scheme_label"])) for o in others]
    edges = [
        Edge(
            text(w["mine"]),
            text(w["other"]),
            f"{short(text(w['relation']))} — {asserter(w)}: “{text(w['quote'])}”",
            short(text(w["relation"])),
            dashed=text(w["asserted_by"]).endswith("InferredByAnnotator"),
        )
        for w in links
    ]
    label = text(info["label"])
    return Markup(two_column_svg(left, right, edges, f"Crosswalks of {label}", label, "other frameworks"))


def citation_network(info: Row, acts: list[Row]) -> Markup:
    """A paper's citation–concept network, from its paper-list row and its citation acts."""
    if not acts:
        return Markup("")
    works = distinct(sorted(acts, key=lambda a: (text(a["year"]), text(a["work_title"]))), "work")
    concepts = distinct(sorted(acts, key=lambda a: text(a["concept_label"])), "concept")
    left = [Node(text(w["work"]), author_year(w), local_path(text(w["work"])) or "") for w in works]
    right = [labelled_node(c, "concept", "concept_label") for c in concepts]
    edges = [
        Edge(
            text(a["work"]),
            text(a["concept"]),
            f"{_intent(a)}: “{text(a['sentence'])}”",
            _intent(a),
        )
        for a in acts
    ]
    title = f"Citation–concept network of {text(info['title'])}"
    return Markup(two_column_svg(left, right, edges, title, "cited works", "concepts"))


def _intent(act: Row) -> str:
    """Why the work is cited (a CiTO property, shortened), or "" when the act does not say."""
    intent = act["intent"]
    return short(text(intent)) if intent else ""
