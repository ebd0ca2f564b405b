"""How the web UI shows what its queries return: terms as links or text, and query rows made
into what the page templates show (a resource's statements, a paper's cited works, a file's
lines beside their problems).

Links are where the pages defend themselves: only this server's own pages and http(s) IRIs
become links (see :func:`href`); every other term is escaped text (markupsafe).

No requests, no queries: plain functions of terms and rows, except :func:`view`, which asks
Flask for the URL of a framework's or paper's page. Costs what building the strings costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import url_for
from markupsafe import Markup

from urbankg import config
from urbankg.errors import Problem
from urbankg.results import show_term

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, Term | None]  # one solution of a page's query: variable -> term, None when unbound

LABEL_PREDICATES = [
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "https://schema.org/name",
    "http://purl.org/mp/statement",
]
DEFINITION_PREDICATES = [
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FRBR_PART_OF = "http://purl.org/vocab/frbr/core#partOf"


# -- how terms look -------------------------------------------------------------------


def local_path(iri: str) -> str | None:
    """The path on this server that resolves an IRI under the base, or None for foreign IRIs."""
    if iri.startswith(config.ID_BASE):
        return "/id/" + iri[len(config.ID_BASE) :]
    if iri.startswith(config.ONTOLOGY_NS):
        return "/ontology#" + iri[len(config.ONTOLOGY_NS) :]
    if iri.startswith(config.GRAPH_BASE):
        return "/id/graph?" + urlencode({"iri": iri})
    return None


def href(iri: str) -> str | None:
    """Where a link to an IRI may point, or None when it must be shown as text.

    Only this server's own pages and http(s) IRIs: a javascript:, data: or vbscript: IRI
    (in any case) in a link runs in this server's origin when clicked. The scheme is read
    from the IRI as given, so " javascript:" and "java<TAB>script:", which browsers read
    as javascript:, are text; so is any IRI holding whitespace or control characters,
    which no valid IRI holds.
    """
    local = local_path(iri)
    if local is not None:
        return local
    if re.match(r"https?://", iri, re.IGNORECASE) and not re.search(r"[\x00-\x20\x7f]", iri):
        return iri
    return None


def short(iri: str) -> str:
    """An IRI as the command line's tables show it: prefixed when a known prefix fits."""
    return show_term(ox.NamedNode(iri))


def link(term: Term | None, label: str | None = None) -> Markup:
    """A term as HTML: IRIs as links (local when under the base, see href), literals as text."""
    if term is None:
        return Markup("")
    if isinstance(term, ox.NamedNode):
        target = href(term.value)
        shown = label or short(term.value)
        if target is None:
            return Markup('<span class="iri" title="{}">{}</span>').format(term.value, shown)
        return Markup('<a href="{}" title="{}">{}</a>').format(target, term.value, shown)
    if isinstance(term, ox.Literal):
        return Markup("{}").format(term.value)
    return Markup("<span class=bnode>{}</span>").format(label or str(term))


def text(term: Term | None) -> str:
    """A term's value as plain text ("" when unbound; a triple term as N-Triples)."""
    if term is None:
        return ""
    return str(term) if isinstance(term, ox.Triple) else term.value


def view(term: Term | None, label: str | None = None) -> Markup:
    """A framework or paper as a link to its page here (/frameworks/<slug>, /papers/<slug>)
    when it is one of the graph's own; any other IRI or a blank node as link() shows it."""
    if isinstance(term, ox.NamedNode):
        for kind, endpoint in (("framework/", "ui.framework"), ("work/", "ui.paper")):
            slug = term.value.removeprefix(config.ID_BASE + kind)
            if slug and slug != term.value:
                return Markup('<a href="{}">{}</a>').format(url_for(endpoint, slug=slug), label or short(term.value))
    return link(term, label)


# -- a resource's page ----------------------------------------------------------------


@dataclass
class Statement:
    predicate: Term | None
    value: Term | None
    label: str | None = None
    quote: str | None = None
    quote_source: Term | None = None
    predicate_label: str | None = None  # the ontology's rdfs:label of the predicate ("case of")


@dataclass
class Resource:
    """What the page of one IRI shows, from its resource-out and resource-in rows."""

    label: str
    definition: str | None
    types: list[Term | None]
    statements: list[Statement]  # rdf:type left out: the types are shown apart
    inbound: list[Row]
    type_labels: dict[str, str] = field(default_factory=dict)  # a type's IRI -> its label


def resource_page(iri: str, outgoing: list[Row], incoming: list[Row]) -> Resource:
    # One statement per predicate and value; of several rows for one, the first with a label.
    kept: dict[tuple[str, str], Statement] = {}
    for row in outgoing:
        key = (text(row["p"]), str(row["o"]))
        if key not in kept or (row["label"] is not None and kept[key].label is None):
            kept[key] = Statement(
                row["p"],
                row["o"],
                text(row["label"]) or None,
                text(row["quote"]) or None,
                row["quote_source"],
                text(row.get("p_label")) or None,
            )
    out = sorted(kept.values(), key=lambda s: (short(text(s.predicate)), s.label or str(s.value)))
    inbound = sorted(
        {(text(r["p"]), str(r["s"])): r for r in incoming}.values(),
        key=lambda r: (short(text(r["p"])), text(r["label"])),
    )
    return Resource(
        label=_first(out, LABEL_PREDICATES) or short(iri),
        definition=_first(out, DEFINITION_PREDICATES),
        types=[s.value for s in out if text(s.predicate) == RDF_TYPE],
        statements=[s for s in out if text(s.predicate) != RDF_TYPE],
        inbound=inbound,
        type_labels={text(s.value): s.label for s in out if text(s.predicate) == RDF_TYPE and s.label},
    )


def is_annotated_paper(page: Resource, incoming: list[Row]) -> bool:
    """A work (a type of FaBiO's) that has parts, its references: one with a paper page."""
    return any("fabio" in text(t) for t in page.types) and any(text(r["p"]) == FRBR_PART_OF for r in incoming)


def _first(statements: list[Statement], predicates: list[str]) -> str | None:
    for predicate in predicates:
        for s in statements:
            if text(s.predicate) == predicate and isinstance(s.value, ox.Literal):
                return s.value.value
    return None


# -- rows of the other pages ------------------------------------------------------------


def distinct(items: list[Row], key: str) -> list[Row]:
    """The first row of each value of ``key``, in order."""
    seen, out = set(), []
    for item in items:
        value = str(item.get(key))
        if value not in seen:
            seen.add(value)
            out.append(item)
    return out


def asserter(row: Row) -> str:
    """Who says a crosswalk holds: the paper, or an annotator (and the source, when known)."""
    status = text(row.get("asserted_by"))
    who = "stated by the paper" if status.endswith("StatedByPaper") else "inferred by an annotator"
    source = row.get("source")
    return who + (f" ({short(text(source))})" if source is not None else "")


def author_year(row: Row) -> str:
    """A cited work as "title (year)", its id when it has no title."""
    title = text(row.get("work_title")) or short(text(row["work"]))
    year = text(row.get("year"))
    return f"{title} ({year})" if year else title


def numbered_lines(source_text: str, problems: list[Problem] | None) -> list[tuple[int, str, list[Problem]]]:
    """Each line of a checked file with its problems; problems of no line first, as line 0."""
    by_line: dict[int, list[Problem]] = {}
    for problem in problems or []:
        by_line.setdefault(problem.line or 0, []).append(problem)
    numbered = [(n, line, by_line.get(n, [])) for n, line in enumerate(source_text.splitlines(), 1)]
    if by_line.get(0):
        numbered.insert(0, (0, "", by_line[0]))
    return numbered
