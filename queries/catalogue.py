"""The catalogue of canned queries: one .rq file per question, described by its header.

The header is YAML in comment lines starting with ``#+`` (as grlc does), so the file
stays a plain SPARQL query any tool can run:

    #+ title: Village counts
    #+ description: The number of Taobao villages per year, by source.
    #+ parameters:
    #+   survey: {type: iri, prefix: survey/, default: lin-2019-migrant-survey,
    #+            class: ukg:Survey, description: The survey whose table to show}
    #+ columns:
    #+   year: The year counted

Parameters are bound as pre-bound values (pyoxigraph ``substitutions``, SEP-0007),
never spliced into the query text; a bound variable must appear in the SELECT clause.
This module is the only list of queries: the CLI, the HTTP API and the OpenAPI document
all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from urbankg import config
from urbankg.errors import SourceError, UrbankgError

XSD = "http://www.w3.org/2001/XMLSchema#"
# What a parameter's value becomes: an IRI or a typed literal, bound as a pre-bound value.
Term = ox.NamedNode | ox.Literal
PARAMETER_TYPES = {"iri", "string", "integer", "decimal", "year"}
# The prefixes a parameter's class may be written with (class: ukg:Case).
PREFIXES = {
    "ukg": config.ONTOLOGY_NS,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "fabio": "http://purl.org/spar/fabio/",
    "mp": "http://purl.org/mp/",
    "qb": "http://purl.org/linked-data/cube#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
# Instances of a class and of its subclasses (a fabio:JournalArticle is a fabio:Work), as the
# ontology says. ?class (and ?v, to test one value) are bound, so both are projected. The
# direct type apart from the path: Virtuoso 7.2 at times answers the zero-length step of
# `a/rdfs:subClassOf*` with both ends bound with nothing, after a large load
# (tests/test_sparql_store.py saw it); `+` and a plain pattern it answers.
INSTANCES = (
    "SELECT DISTINCT ?v ?class WHERE { { ?v a ?class } UNION "
    "{ ?v a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?class } } ORDER BY ?v"
)


class ParameterError(UrbankgError):
    """A parameter value the query cannot take; names the parameter and what it accepts."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"parameter '{parameter}': {message}")


@dataclass
class Parameter:
    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    prefix: str = ""  # for iri: a bare value v means <id base><prefix>v
    allowed: list[str] | None = None  # fixed choices
    rdf_class: str | None = None  # for iri: the value must be an instance of this class

    @property
    def required(self) -> bool:
        return self.default is None

    def accepts(self) -> str:
        if self.allowed:
            return "one of " + ", ".join(self.allowed)
        if self.type == "iri":
            kind = f"an id like {self.prefix}<slug> or just <slug>" if self.prefix else "an id or IRI"
            return kind + (f" of a {self.rdf_class}" if self.rdf_class else "")
        return {
            "string": "text",
            "integer": "a whole number",
            "decimal": "a number",
            "year": "a year between 1800 and 2100",
        }[self.type]

    def term(self, value: str) -> Term:
        """The RDF term for a value given as text, or ParameterError."""
        value = value.strip()
        if self.allowed and value not in self.allowed:
            raise ParameterError(self.name, f"{shown(value)} is not allowed; expected {self.accepts()}")
        if self.type == "iri":
            if not value:
                raise ParameterError(self.name, f"is empty; expected {self.accepts()}")
            slug = value if not self.prefix or value.startswith(self.prefix) else self.prefix + value
            try:
                # The engine's own IRI parser: what it accepts here, it accepts when the query runs.
                return ox.NamedNode(value if "://" in value else config.ID_BASE + slug)
            except ValueError as exc:
                raise ParameterError(
                    self.name, f"{shown(value)} is not an id or IRI ({exc}); expected {self.accepts()}"
                ) from None
        if self.type == "string":
            return ox.Literal(value)
        if self.type == "integer" or self.type == "year":
            try:
                number = int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else None
            except ValueError:  # more digits than Python's int() will read
                number = None
            if number is None or (self.type == "year" and not 1800 <= number <= 2100):
                raise ParameterError(self.name, f"{shown(value)} is not {self.accepts()}")
            return ox.Literal(str(number), datatype=ox.NamedNode(XSD + ("gYear" if self.type == "year" else "integer")))
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", value):
            raise ParameterError(self.name, f"{shown(value)} is not {self.accepts()}")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))


def shown(value: str, width: int = 60) -> str:
    """A value quoted for an error message: control characters visible, long values clipped."""
    return repr(value if len(value) <= width else value[:width] + "…")


@dataclass
class CannedQuery:
    name: str
    title: str
    description: str
    sparql: str
    path: Path
    parameters: dict[str, Parameter] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    picture: dict[str, str] = field(default_factory=dict)  # how the UI draws the result, if it helps

    def substitutions(self, given: dict[str, str]) -> dict[str, Term]:
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            known = ", ".join(self.parameters) or "none"
            raise ParameterError(unknown[0], f"'{self.name}' has no such parameter; its parameters: {known}")
        bound: dict[str, Term] = {}
        for name, parameter in self.parameters.items():
            value = given.get(name, parameter.default)
            if value is None or value == "":
                raise ParameterError(name, f"is required; expected {parameter.accepts()}")
            bound[name] = parameter.term(str(value))
        return bound


class Catalogue:
    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else config.bundled("queries")

    @cached_property
    def queries(self) -> dict[str, CannedQuery]:
        return {q.name: q for q in (parse_query_file(p) for p in sorted(self.folder.glob("*.rq")))}

    def get(self, name: str) -> CannedQuery:
        if name not in self.queries:
            raise UrbankgError(
                f"no canned query named '{name}'; `urbankg queries` lists them: " + ", ".join(self.queries)
            )
        return self.queries[name]

    def run(self, kg, name: str, params: dict[str, str]):
        query = self.get(name)
        bound = query.substitutions(params)
        for pname, term in bound.items():
            check_class(kg, query.parameters[pname], term)
        return kg.query(query.sparql, substitutions=bound)

    def allowed_values(self, kg, parameter: Parameter) -> list[str]:
        """Values a parameter can take: its fixed list, or the instances of its class in the store."""
        if parameter.allowed:
            return list(parameter.allowed)
        if not parameter.rdf_class:
            return []
        rows = kg.query(INSTANCES, substitutions={"class": ox.NamedNode(expand(parameter.rdf_class))})
        values = []
        for row in rows:
            iri = row["v"].value
            prefixed = config.ID_BASE + parameter.prefix
            values.append(iri[len(prefixed) :] if parameter.prefix and iri.startswith(prefixed) else iri)
        return values


def check_class(kg, parameter: Parameter, term) -> None:
    if parameter.rdf_class and isinstance(term, ox.NamedNode):
        bound = {"v": term, "class": ox.NamedNode(expand(parameter.rdf_class))}
        if not list(kg.query(INSTANCES, substitutions=bound)):
            raise ParameterError(
                parameter.name,
                f"{shown(term.value)} is not a known {parameter.rdf_class}; expected {parameter.accepts()}",
            )


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and "://" not in curie:
        return PREFIXES[prefix] + local
    return curie


def parse_query_file(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    header_lines = [
        (n, line[2:].removeprefix(" ")) for n, line in enumerate(text.splitlines(), 1) if line.startswith("#+")
    ]
    try:
        header = YAML(typ="safe").load("\n".join(line for _n, line in header_lines)) or {}
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = header_lines[mark.line][0] if mark is not None and mark.line < len(header_lines) else None
        raise SourceError.single(path, line, f"the #+ header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or "title" not in header:
        raise SourceError.single(path, 1, "a canned query needs a '#+ title:' header line")
    parameters = {}
    for name, spec in (header.get("parameters") or {}).items():
        spec = spec or {}
        ptype = spec.get("type", "string")
        if ptype not in PARAMETER_TYPES:
            raise SourceError.single(
                path,
                _line_of(header_lines, name),
                f"parameter '{name}' has type '{ptype}'; use one of {sorted(PARAMETER_TYPES)}",
            )
        if not re.search(rf"SELECT[^{{]*\?{re.escape(name)}\b", text, re.IGNORECASE | re.DOTALL):
            raise SourceError.single(
                path,
                _line_of(header_lines, name),
                f"parameter '{name}' must be projected in the SELECT clause (?{name}) to be bound",
            )
        rdf_class = spec.get("class")
        if rdf_class is not None:
            try:
                ox.NamedNode(expand(str(rdf_class)))
            except ValueError as exc:
                raise SourceError.single(
                    path,
                    _line_of(header_lines, name),
                    f"parameter '{name}' has class '{rdf_class}', which is not a prefixed name "
                    f"({', '.join(PREFIXES)}) or an IRI: {exc}",
                ) from None
        default = spec.get("default")
        parameters[name] = Parameter(
            name=name,
            type=ptype,
            description=str(spec.get("description", "")),
            default=None if default is None else str(default),
            prefix=str(spec.get("prefix", "")),
            allowed=[str(v) for v in spec["allowed"]] if spec.get("allowed") else None,
            rdf_class=None if rdf_class is None else str(rdf_class),
        )
    return CannedQuery(
        name=path.stem,
        title=str(header["title"]),
        description=str(header.get("description", "")).strip(),
        sparql=text,
        path=path,
        parameters=parameters,
        columns={str(k): str(v) for k, v in (header.get("columns") or {}).items()},
        picture={str(k): str(v) for k, v in (header.get("picture") or {}).items()},
    )


def _line_of(header_lines: list[tuple[int, str]], key: str) -> int | None:
    return next((n for n, line in header_lines if re.match(rf"\s*{re.escape(key)}\s*:", line)), None)
