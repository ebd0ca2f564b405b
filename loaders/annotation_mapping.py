"""The annotation format's contract, ontology/annotation-mapping.yaml, read into objects.

The mapping is data: sections, node kinds, their fields and vocabularies all come from
the YAML file. The YAML and BibTeX loaders, the documentation script and the tests
read it through this module, so no second list of keys lives in code.
"""

from __future__ import annotations

import builtins
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from ruamel.yaml import YAML

from urbankg import config

FIELD_KINDS = ("text", "integer", "decimal", "year", "date", "boolean", "iri", "ref", "vocab", "quote", "nested")

# The two keys of the format itself that every entity may carry (see the mapping's header comment).
ID_KEY = "id"
TYPE_KEY = "type"

# A compact IRI: a prefix, a colon, then anything but whitespace.
COMPACT = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")
# An id: kind/slug, the slug one or more path segments of IRI-safe characters.
ID = re.compile(r"^([a-z][a-z_]*)/([A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9][A-Za-z0-9._~-]*)*)$")
# Characters an IRI may not hold (RFC 3987, plus what breaks N-Triples).
NOT_IN_IRI = re.compile(r"[\s<>\"{}|\\^`]")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    property: URIRef | None  # None for header fields: they emit nothing themselves
    many: bool = False
    required: bool = False
    default: str | None = None  # "$paper": the header key it comes from
    vocabulary: str | None = None
    open_prefixes: tuple[str, ...] = ()
    node: str | None = None  # nested / quote: the node kind written inline
    comment: str = ""  # the mapping's end-of-line comment, for the docs

    @builtins.property  # the field above named `property` hides the builtin in this class
    def predicate(self) -> URIRef:
        """The property the field's values are written with; only header fields have none."""
        if self.property is None:
            raise ValueError(f"`{self.name}` is a header field: it reaches the graph only as a default")
        return self.property


@dataclass(frozen=True)
class NodeSpec:
    name: str
    cls: URIRef
    fields: dict[str, FieldSpec]
    types: str | None = None  # name of the vocabulary `type:` takes
    shorthand: str | None = None  # field a plain string fills
    comment: str = ""

    @property
    def keys(self) -> list[str]:
        """Every key an entity of this kind may carry, in the mapping's order."""
        return [ID_KEY, TYPE_KEY, *self.fields]


@dataclass
class Mapping:
    path: Path
    base: str
    graph_base: str
    prefixes: dict[str, str]
    vocabularies: dict[str, dict[str, URIRef]]
    header: dict[str, FieldSpec]
    nodes: dict[str, NodeSpec]
    sections: dict[str, str]  # section name -> node kind
    section_comments: dict[str, str] = field(default_factory=dict)

    @property
    def top_level_keys(self) -> list[str]:
        return [*self.header, *self.sections]

    def new_graph(self) -> Graph:
        """An empty graph that writes the mapping's prefixes (so Turtle and messages read well)."""
        graph = Graph(bind_namespaces="core")
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        return graph

    def expand_compact(self, prefix: str, local: str) -> URIRef | None:
        namespace = self.prefixes.get(prefix)
        return URIRef(namespace + local) if namespace is not None else None

    def node_of(self, field: FieldSpec) -> NodeSpec:
        """The node kind a nested or quote field writes inline (load_mapping checked it is declared)."""
        if field.node is None:
            raise ValueError(f"{self.path}: `{field.name}` is a {field.kind} field: it writes no node")
        return self.nodes[field.node]

    def vocabulary_of(self, field: FieldSpec) -> dict[str, URIRef]:
        """The names a vocab field takes, each with its IRI (load_mapping checked the list is declared)."""
        if field.vocabulary is None:
            raise ValueError(f"{self.path}: `{field.name}` is a {field.kind} field: it names no vocabulary")
        return self.vocabularies[field.vocabulary]

    def types_of(self, node: NodeSpec) -> dict[str, URIRef]:
        """The names `type:` takes on a node kind, each with its class; none if the kind has no list."""
        return self.vocabularies.get(node.types, {}) if node.types else {}

    def expand_id(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}{kind}/{slug}")

    def short(self, iri: URIRef) -> str:
        """An IRI as a scholar would write it: kind/slug, prefix:local, or <iri>."""
        text = str(iri)
        if text.startswith(self.base):
            return text[len(self.base) :]
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda item: -len(item[1])):
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"


def default_path() -> Path:
    return config.bundled("ontology") / "annotation-mapping.yaml"


@lru_cache(maxsize=4)
def load_mapping(path: Path | None = None) -> Mapping:
    """Read the mapping. Errors here are the mapping author's, so they name the mapping file."""
    path = Path(path or default_path())
    data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    prefixes = {str(k): str(v) for k, v in data["prefixes"].items()}

    def curie(text: str, where: str) -> URIRef:
        match = COMPACT.match(str(text))
        if not match or match.group(1) not in prefixes:
            raise ValueError(f"{path}: {where}: '{text}' is not a compact IRI with a declared prefix")
        return URIRef(prefixes[match.group(1)] + match.group(2))

    vocabularies = {
        str(name): {str(key): curie(value, f"vocabularies.{name}.{key}") for key, value in values.items()}
        for name, values in data["vocabularies"].items()
    }

    def field_spec(name: str, spec, where: str) -> FieldSpec:
        kind = spec["kind"]
        if kind not in FIELD_KINDS:
            raise ValueError(f"{path}: {where}: kind '{kind}' is not one of {', '.join(FIELD_KINDS)}")
        if kind == "vocab" and spec.get("vocabulary") not in vocabularies:
            raise ValueError(f"{path}: {where}: vocabulary '{spec.get('vocabulary')}' is not declared")
        if kind == "nested" and "node" not in spec:
            raise ValueError(f"{path}: {where}: a nested field names the node kind it holds (node: ...)")
        return FieldSpec(
            name=name,
            kind=kind,
            property=curie(spec["property"], where) if "property" in spec else None,
            many=bool(spec.get("many", False)),
            required=bool(spec.get("required", False)),
            default=spec.get("default"),
            vocabulary=spec.get("vocabulary"),
            open_prefixes=tuple(spec.get("open_prefixes", ())),
            node=spec.get("node", "quote" if kind == "quote" else None),
            comment=_end_comment(spec, data, where),
        )

    nodes = {}
    for name, spec in data["nodes"].items():
        fields = {str(f): field_spec(str(f), fs, f"nodes.{name}.{f}") for f, fs in spec["fields"].items()}
        for f in fields.values():
            if f.node is not None and f.node not in data["nodes"]:
                raise ValueError(f"{path}: nodes.{name}.{f.name}: node kind '{f.node}' is not declared")
        nodes[str(name)] = NodeSpec(
            name=str(name),
            cls=curie(spec["class"], f"nodes.{name}.class"),
            fields=fields,
            types=spec.get("types"),
            shorthand=spec.get("shorthand"),
            comment=_key_comment(data["nodes"], name),
        )
    header = {str(k): field_spec(str(k), v, f"header.{k}") for k, v in (data.get("header") or {}).items()}
    sections = {str(k): str(v) for k, v in data["sections"].items()}
    for section, kind in sections.items():
        if kind not in nodes:
            raise ValueError(f"{path}: sections.{section}: node kind '{kind}' is not declared")
    base = str(data["base"])
    graph_base = str(data["graph_base"])
    if os.environ.get("URBANKG_BASE"):  # the deployment moved every minted IRI (see urbankg.config)
        base, graph_base = config.ID_BASE, config.GRAPH_BASE
    return Mapping(path, base, graph_base, prefixes, vocabularies, header, nodes, sections)


def _end_comment(spec, data, where: str) -> str:
    """The comment at the end of a field's line (`# in the annotator's own words`)."""
    parts = where.split(".")
    container = data
    for part in parts[:-1]:
        container = container[part]
        if part == parts[1] and parts[0] == "nodes":
            container = container["fields"]
    return _key_comment(container, parts[-1])


def _key_comment(container, key) -> str:
    tokens = getattr(container, "ca", None)
    entry = tokens.items.get(key) if tokens is not None else None
    if not entry:
        return ""
    text = " ".join(t.value for t in entry if t is not None and hasattr(t, "value"))
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first.lstrip("#").strip()
