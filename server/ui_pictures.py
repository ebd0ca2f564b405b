"""The pictures of the framework and paper pages, assembled from their queries' rows.

pictures.py draws; this module says what is drawn: a framework's crosswalks (its components
on the left, the components of other frameworks they correspond to on the right, grouped by
framework) and a paper's citation network (the concepts it cites works for, grouped by
framework, and the works clustered by the concept they are cited for most; network_picture
draws it), with the form that filters it by concept, framework and intent. Each line's
tooltip holds who asserts it and the quote, or the intent and the citing sentence. An empty
string when there is nothing to draw.

Costs one pass over the rows and the drawing (pictures.py): milliseconds for a paper's
hundreds of citation acts.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import has_request_context, render_template, request
from markupsafe import Markup

from urbankg import config
from urbankg.server.network_picture import Concept, Pair, Work, network_svg
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


def citation_network(info: Row, acts: list[Row], filters: Mapping[str, str] | None = None) -> Markup:
    """A paper's citation network (network_picture draws it) with the form that filters it.

    ``filters`` (``concept``, ``framework``, ``intent``: the tokens the form offers) keep only
    the citations that match, so that the page works without a script; on a page they are
    the request's query parameters. network.js filters the same picture in the browser.
    """
    if not acts:
        return Markup("")
    if filters is None:
        filters = request.args if has_request_context() else {}
    chosen = {key: filters.get(key, "") for key in NETWORK_FILTERS}
    works, concepts, pairs = network_parts(acts)
    options = _filter_options(concepts, pairs)
    kept = [p for p in pairs if _matches(p, concepts, chosen)]
    kept = [_only_intent(p, chosen["intent"]) for p in kept]
    title = f"Citation network of {text(info['title'])}"
    svg, clusters = network_svg(works, concepts, kept, title) if kept else ("", {})
    shown_works = len({p.work for p in kept})
    summary = (
        f"{shown_works} of {len(works)} cited works · {len(clusters)} clusters · "
        f"{len({p.concept for p in kept})} of {len(concepts)} concepts"
    )
    return Markup(
        render_template(
            "paper_network.html",
            options=options,
            chosen=chosen,
            summary=summary,
            svg=Markup(svg),
            total_works=len(works),
        )
    )


# The query parameters the network's form sends, in its order.
NETWORK_FILTERS = ("concept", "framework", "intent")


def network_parts(acts: list[Row]) -> tuple[dict[str, Work], dict[str, Concept], list[Pair]]:
    """The works, concepts and (work, concept) pairs of a paper's citation-act rows.

    A row is one act with one of its intents and one of its concept's frameworks: the pairs
    merge them, so that a work cited three times for a concept is one line.
    """
    works: dict[str, Work] = {}
    concepts: dict[str, Concept] = {}
    pairs: dict[tuple[str, str], Pair] = {}
    for row in acts:
        work, concept = _token(text(row["work"])), _token(text(row["concept"]))
        if work not in works:
            works[work] = Work(work, author_year(row), local_path(text(row["work"])) or "")
        if concept not in concepts:
            label = text(row["concept_label"]) or short(text(row["concept"]))
            concepts[concept] = Concept(concept, label, local_path(text(row["concept"])) or "")
        framework = row.get("framework")
        if framework is not None:
            entry = (_token(text(framework)), text(row.get("framework_label")) or short(text(framework)))
            if entry not in concepts[concept].frameworks:
                concepts[concept].frameworks.append(entry)
        pair = pairs.setdefault((work, concept), Pair(work, concept))
        pair.acts.add(text(row.get("act")) or f"{work} {text(row.get('sentence'))}")
        if row.get("intent") is not None:
            pair.intents.add(_intent(row))
        sentence = text(row.get("sentence"))
        if sentence and sentence not in pair.sentences:
            pair.sentences.append(sentence)
    for node in concepts.values():
        node.frameworks.sort(key=lambda f: f[1])
    return works, concepts, list(pairs.values())


def _token(iri: str) -> str:
    """What the form and the picture call a resource: its id under the base, else its IRI."""
    return iri.removeprefix(config.ID_BASE)


def _matches(pair: Pair, concepts: dict[str, Concept], chosen: dict[str, str]) -> bool:
    frameworks = {f for f, _ in concepts[pair.concept].frameworks}
    return (
        chosen["concept"] in ("", pair.concept)
        and (not chosen["framework"] or chosen["framework"] in frameworks)
        and (not chosen["intent"] or chosen["intent"] in pair.intents)
    )


def _only_intent(pair: Pair, intent: str) -> Pair:
    """A pair as the intent filter shows it: with that intent's colour alone."""
    if not intent:
        return pair
    return Pair(pair.work, pair.concept, pair.acts, {intent}, pair.sentences)


def _filter_options(concepts: dict[str, Concept], pairs: list[Pair]) -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices (token, label with the number of works), most cited first."""
    works_of: dict[str, set[str]] = {}
    for pair in pairs:
        works_of.setdefault("concept " + pair.concept, set()).add(pair.work)
        for framework, _ in concepts[pair.concept].frameworks:
            works_of.setdefault("framework " + framework, set()).add(pair.work)
        for intent in pair.intents:
            works_of.setdefault("intent " + intent, set()).add(pair.work)
    framework_labels = {f: label for c in concepts.values() for f, label in c.frameworks}
    labels = {
        "concept": {c.token: c.label for c in concepts.values()},
        "framework": framework_labels,
        "intent": {i: i for p in pairs for i in p.intents},
    }
    return {
        kind: [
            (token, f"{label} ({len(works_of[kind + ' ' + token])})")
            for token, label in sorted(labels[kind].items(), key=lambda t: (-len(works_of[kind + " " + t[0]]), t[1]))
        ]
        for kind in NETWORK_FILTERS
    }


def _intent(act: Row) -> str:
    """Why the work is cited (a CiTO property, shortened), or "" when the act does not say."""
    intent = act["intent"]
    return short(text(intent)) if intent else ""
