"""HTML documentation of the urbankg ontology, built with pyLODE, offline.

``build_docs(ontology_path, out_html_path)`` parses the ontology with rdflib (so
pyLODE is never handed a URL to fetch) and writes one self-contained HTML page
(pyLODE's OntPub profile, CSS inlined): the ontology's metadata, every class and
property with its label, definition, domain and range. OntPub documents no
individuals, and urbankg's frameworks are SKOS concept schemes of individuals, so
the page gets three more sections in pyLODE's markup and style: frameworks and
vocabularies with their concepts (labels, synonyms, definitions, hierarchy,
source paper), measures, and units.

pyLODE 3.4 reads its own version from a ``pyproject.toml`` that is not shipped in
its wheel, so importing it fails; we give it its version from the installed
distribution's metadata before the import. Nothing else of pyLODE is patched:
when pyLODE chokes on the ontology, fix the ontology.
"""

from __future__ import annotations

import html
import logging
import sys
import types
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.term import Node

from urbankg import config
from urbankg.errors import UrbankgError


class DocsError(UrbankgError):
    """The ontology documentation could not be built."""


UKG = Namespace(config.ONTOLOGY_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")
ID_BASE = config.ID_BASE


@contextmanager
def _root_logger_kept():
    """Undo what pyLODE does to the root logger.

    Importing pyLODE calls ``logging.basicConfig(level=DEBUG)`` (in its supermodel
    profile) and OntPub logs with ``logging.info``, which installs a root handler
    when there is none; the root logger is put back as it was.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def _import_ontpub():
    """pyLODE's OntPub class, working around pyLODE's missing pyproject.toml."""
    if "pylode.version" not in sys.modules:
        try:
            import pylode.version  # noqa: F401  (works when pyLODE is packaged correctly)
        except (FileNotFoundError, OSError):
            for name in [n for n in sys.modules if n == "pylode" or n.startswith("pylode.")]:
                del sys.modules[name]  # a half-imported package
            stub = types.ModuleType("pylode.version")
            try:
                version = metadata.version("pylode")
            except metadata.PackageNotFoundError:
                version = "unknown"
            vars(stub)["__version__"] = version
            sys.modules["pylode.version"] = stub
        except ImportError as exc:
            raise DocsError(f"pyLODE is not installed (pip install pylode): {exc}") from exc
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise DocsError(f"pyLODE is not installed (pip install pylode): {exc}") from exc
    return OntPub


def build_docs(ontology_path: str | Path, out_html_path: str | Path) -> Path:
    """Write the HTML documentation of the ontology at ``ontology_path`` (Turtle).

    Returns the path written. Creates the parent folder of ``out_html_path`` if
    needed. Raises :class:`DocsError` when the ontology does not parse or pyLODE
    fails on it. Works offline: the ontology is parsed locally and the CSS is
    inlined into the page.
    """
    ontology_path = Path(ontology_path)
    out = Path(out_html_path)
    graph = Graph()
    try:
        graph.parse(ontology_path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise DocsError(f"{ontology_path}: the ontology does not parse: {exc}") from exc
    with _root_logger_kept():
        OntPub = _import_ontpub()
    with _root_logger_kept():
        try:
            page = OntPub(ontology=_tbox_view(graph), sort_subjects=True).make_html(include_css=True)
        except Exception as exc:  # pyLODE's own errors and whatever it trips on
            raise DocsError(f"pyLODE could not document {ontology_path}: {exc}") from exc
    page = _add_concept_sections(page, graph)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def _tbox_view(graph: Graph) -> Graph:
    """The graph pyLODE's OntPub gets: the ontology without the skos:ConceptScheme typing.

    OntPub documents classes and properties only, and takes the page title from the
    last ``owl:Ontology`` *or* ``skos:ConceptScheme`` it meets, so with eleven schemes
    in the file the page would be titled after one of them. The schemes and their
    concepts are documented by :func:`_concept_sections` instead.
    """
    view = Graph()
    for prefix, namespace in graph.namespaces():
        view.bind(prefix, namespace)
    for triple in graph:
        if triple[1] == RDF.type and triple[2] == SKOS.ConceptScheme:
            continue
        view.add(triple)
    return view


# -- the SKOS part: frameworks, concepts, measures, units ------------------------------


def _add_concept_sections(page: str, graph: Graph) -> str:
    """Insert the frameworks/measures/units sections and their TOC entries."""
    sections, toc = _concept_sections(graph)
    marker = '<div id="namespaces">'
    if marker in page:
        page = page.replace(marker, sections + marker, 1)
    else:
        page = page.replace("</body>", sections + "</body>", 1)
    toc_marker = '<a href="#namespaces">'
    at = page.find(toc_marker)
    if at != -1:
        item_start = page.rfind("<li>", 0, at)
        if item_start != -1:
            page = page[:item_start] + toc + page[item_start:]
    return page


def _concept_sections(graph: Graph) -> tuple[str, str]:
    schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=lambda s: (_kind(graph, s), _label(graph, s)))
    parts = ['<div class="section" id="frameworks">', "<h2>Frameworks and vocabularies</h2>"]
    parts.append(
        "<p>Each framework is a <code>skos:ConceptScheme</code> (and a <code>ukg:Framework</code>); its components "
        "are <code>skos:Concept</code>s. Alternative labels are the phrases the papers use.</p>"
    )
    toc = ['<li><h4><a href="#frameworks">Frameworks and vocabularies</a></h4><ul class="second">']
    for scheme in schemes:
        anchor = _anchor(scheme)
        toc.append(f'<li><a href="#{anchor}">{_e(_label(graph, scheme))}</a></li>')
        parts.append(f'<div class="property entity" id="{anchor}">')
        parts.append(
            f'<h3>{_e(_label(graph, scheme))} <sup class="sup-c" title="{_kind(graph, scheme)}">'
            f"{'fw' if _kind(graph, scheme) == 'framework' else 'v'}</sup></h3>"
        )
        parts.append("<table>")
        parts.append(_row("IRI", f"<code>{_e(str(scheme))}</code>"))
        parts.append(_row("Kind", _kind(graph, scheme)))
        parts += _common_rows(graph, scheme)
        for who in sorted(graph.objects(scheme, UKG.proposedBy), key=str):
            parts.append(_row("Proposed by", _link(graph, who)))
        concepts = _ordered_concepts(graph, scheme)
        items = "".join(f"<li>{_link(graph, c)}</li>" for c in concepts)
        parts.append(_row("Concepts", f"<ul>{items}</ul>"))
        parts.append("</table></div>")
        for concept in concepts:
            parts.append(_concept_block(graph, concept, scheme))
    toc.append("</ul></li>")
    parts.append("</div>")

    measures = sorted(graph.subjects(RDF.type, UKG.Measure), key=lambda m: _label(graph, m))
    if measures:
        parts.append('<div class="section" id="measures"><h2>Measures</h2>')
        toc.append('<li><h4><a href="#measures">Measures</a></h4></li>')
        for measure in measures:
            heading = f"<h3>{_e(_label(graph, measure))}</h3>"
            parts.append(f'<div class="property entity" id="{_anchor(measure)}">{heading}<table>')
            parts.append(_row("IRI", f"<code>{_e(str(measure))}</code>"))
            parts += _common_rows(graph, measure)
            unit = graph.value(measure, UKG.typicalUnit)
            if unit is not None:
                parts.append(_row("Typical unit", _link(graph, unit)))
            parts.append("</table></div>")
        parts.append("</div>")
    units = sorted(graph.subjects(RDF.type, UKG.Unit), key=lambda u: _label(graph, u))
    if units:
        parts.append('<div class="section" id="units"><h2>Units</h2>')
        toc.append('<li><h4><a href="#units">Units</a></h4></li>')
        for unit in units:
            parts.append(f'<div class="property entity" id="{_anchor(unit)}"><h3>{_e(_label(graph, unit))}</h3><table>')
            parts.append(_row("IRI", f"<code>{_e(str(unit))}</code>"))
            parts += _common_rows(graph, unit)
            parts.append("</table></div>")
        parts.append("</div>")
    return "\n".join(parts), "\n".join(toc)


def _concept_block(graph: Graph, concept: Node, scheme: Node) -> str:
    rows = [_row("IRI", f"<code>{_e(str(concept))}</code>")]
    alts = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
    if alts:
        rows.append(_row("Alternative labels", "; ".join(_e(a) for a in alts)))
    rows += _common_rows(graph, concept)
    types = sorted((t for t in graph.objects(concept, RDF.type) if t != SKOS.Concept), key=str)
    if types:
        rows.append(_row("Types", ", ".join(_link(graph, t) for t in types)))
    for title, prop in (
        ("Broader", SKOS.broader),
        ("Characteristics", UKG.hasCharacteristic),
        ("Potential impacts", UKG.hasPotentialImpact),
        ("Components", UKG.hasComponent),
        ("Contrasts with", UKG.contrastsWith),
        ("Related", SKOS.related),
    ):
        values = sorted(graph.objects(concept, prop), key=str)
        if values:
            rows.append(_row(title, ", ".join(_link(graph, v) for v in values)))
    other = sorted((s for s in graph.objects(concept, SKOS.inScheme) if s != scheme), key=str)
    if other:
        rows.append(_row("Also in", ", ".join(_link(graph, s) for s in other)))
    anchor = _anchor(concept) if _first_scheme(graph, concept) == scheme else ""
    id_attr = f' id="{anchor}"' if anchor else ""
    return (
        f'<div class="property entity"{id_attr}><h4>{_e(_label(graph, concept))}</h4>'
        f"<table>{''.join(rows)}</table></div>"
    )


def _common_rows(graph: Graph, node: Node) -> list[str]:
    rows = []
    for definition in graph.objects(node, SKOS.definition):
        rows.append(_row("Definition", f"<p>{_e(str(definition))}</p>"))
    for note in graph.objects(node, SKOS.scopeNote):
        rows.append(_row("Scope note", f"<p>{_e(str(note))}</p>"))
    sources = sorted(graph.objects(node, PROV.wasDerivedFrom), key=str)
    if sources:
        rows.append(_row("Derived from", ", ".join(_link(graph, s) for s in sources)))
    return rows


def _ordered_concepts(graph: Graph, scheme: Node) -> list[Node]:
    """Top concepts first, each followed by its narrower concepts (depth first)."""
    members = set(graph.subjects(SKOS.inScheme, scheme))
    tops = sorted((c for c in members if (c, SKOS.topConceptOf, scheme) in graph), key=lambda c: _label(graph, c))
    ordered: list[Node] = []

    def visit(concept: Node) -> None:
        if concept in ordered:
            return
        ordered.append(concept)
        for child in sorted(graph.subjects(SKOS.broader, concept), key=lambda c: _label(graph, c)):
            if child in members:
                visit(child)

    for top in tops:
        visit(top)
    for rest in sorted(members - set(ordered), key=lambda c: _label(graph, c)):
        visit(rest)
    return ordered


def _first_scheme(graph: Graph, concept: Node) -> Node | None:
    schemes = sorted(graph.objects(concept, SKOS.inScheme), key=lambda s: (_kind(graph, s), _label(graph, s)))
    return schemes[0] if schemes else None


def _kind(graph: Graph, scheme: Node) -> str:
    return "framework" if (scheme, RDF.type, UKG.Framework) in graph else "vocabulary"


def _label(graph: Graph, node: Node) -> str:
    label = graph.value(node, SKOS.prefLabel) or graph.value(node, RDFS.label)
    return str(label) if label is not None else _short(node)


def _short(node: Node) -> str:
    text = str(node)
    if text.startswith(ID_BASE):
        return text[len(ID_BASE) :]
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _anchor(node: Node) -> str:
    text = str(node)
    if text.startswith(ID_BASE):
        return text[len(ID_BASE) :].replace("/", "-")
    return "ukg-" + _short(node)


def _link(graph: Graph, node: Node) -> str:
    if not isinstance(node, URIRef):
        return _e(str(node))
    described = (
        (node, SKOS.prefLabel, None) in graph
        or (node, RDF.type, UKG.Measure) in graph
        or (node, RDF.type, UKG.Unit) in graph
    )
    target = f"#{_anchor(node)}" if described else str(node)
    return f'<a href="{_e(target)}" title="{_e(str(node))}">{_e(_label(graph, node))}</a>'


def _row(title: str, value: str) -> str:
    return f"<tr><th>{_e(title)}</th><td>{value}</td></tr>"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
