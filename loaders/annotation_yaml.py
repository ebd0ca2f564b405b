"""YAML annotation files -> RDF, driven by ontology/annotation-mapping.yaml.

ruamel.yaml keeps the line of every key and value, so each statement is recorded
with the line of the key that produced it and each problem is reported at the line
a scholar has to fix. Every problem of a file is collected before one SourceError is
raised: a scholar fixes them all in one pass.

What a key means is never decided here: sections, node kinds, fields, vocabularies
and defaults all come from the mapping (see loaders/annotation_mapping.py).
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.term import Node
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode

from urbankg.errors import Problem, SourceError
from urbankg.loaders import nesting
from urbankg.loaders.annotation_mapping import (
    COMPACT,
    ID,
    ID_KEY,
    NOT_IN_IRI,
    TYPE_KEY,
    FieldSpec,
    Mapping,
    NodeSpec,
    load_mapping,
)
from urbankg.parsed import Parsed, Positions, iri_fault, read_source_text, text_refusal

# Labels (of concepts, cases, stakeholders, measures ...) and definitions are written in
# English (the annotation format's language) and tagged so: the shapes require a language
# tag on every label and definition, and an exact label match must not depend on guessing
# whether a label is tagged.
LANGUAGE = "en"
TAGGED = frozenset({SKOS.prefLabel, SKOS.altLabel, SKOS.definition, RDFS.label})

YEAR_RANGE = (1800, 2100)
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
BARE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# A plain scalar as written in the source: up to a space, comma, bracket or comment.
RAW_TOKEN = re.compile(r"[^\s,\]\}#]+")
YAML_ESCAPE = "\\U0001F600 in a double-quoted YAML string"
PARAPHRASE = "paraphrase"  # the key that marks a quote field's value as a paraphrase (a node kind of its own)
KEY_HINT = "a key is a plain name such as `id` or `name`"

KIND_EXAMPLES = {
    "integer": "a whole number, e.g. `283`",
    "decimal": "a number, e.g. `212` or `60.1` (no thousands separators)",
    "year": f"a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}, e.g. `2016`",
    "date": "a date written YYYY-MM-DD, e.g. `2016-03-01`",
    "boolean": "`true` or `false`",
}


def parse(path: Path, source: str, mapping: Mapping | None = None) -> Parsed:
    path = Path(path)
    text = read_source_text(path)
    return parse_text(path, text, source, mapping)


def parse_text(path: Path, text: str, source: str, mapping: Mapping | None = None) -> Parsed:
    """Parse annotation text (the file at ``path`` need not exist: positions name it)."""
    reader = _Reader(Path(path), text, mapping or load_mapping())
    reader.read()
    if reader.problems:
        raise SourceError(sorted(reader.problems, key=lambda p: (p.line or 0, p.message)))
    return Parsed(path=Path(path), graph=reader.graph, positions=reader.positions, source=source)


class _Entry:
    """The keys of one entity with their lines: a YAML mapping, or a shorthand string.

    A shorthand (``quote: "..."`` for ``quote: {text: "..."}``) is held as its one
    (key, value) pair, every line of which is the entry's line.
    """

    def __init__(self, data: CommentedMap | tuple[str, object], line: int):
        self.data = data
        self.line = line

    def __iter__(self) -> Iterator:
        """The entity's keys, in the file's order."""
        return iter(list(self.data) if isinstance(self.data, CommentedMap) else [self.data[0]])

    def get(self, key):
        if isinstance(self.data, CommentedMap):
            return self.data.get(key)
        return self.data[1] if key == self.data[0] else None

    def key_line(self, key) -> int:
        if isinstance(self.data, CommentedMap):
            return _line(self.data.lc.key(key), self.line)
        return self.line

    def value_line(self, key, index: int | None = None) -> int:
        if not isinstance(self.data, CommentedMap):
            return self.line
        value = self.data[key]
        if index is not None and isinstance(value, CommentedSeq):
            return _line(value.lc.item(index), self.key_line(key))
        return _line(self.data.lc.value(key), self.key_line(key))

    def value_column(self, key, index: int | None = None) -> int | None:
        if not isinstance(self.data, CommentedMap):
            return None
        value = self.data[key]
        try:
            if index is not None and isinstance(value, CommentedSeq):
                return value.lc.item(index)[1]
            return self.data.lc.value(key)[1]
        except (KeyError, IndexError, TypeError):
            return None


def _line(position, fallback: int) -> int:
    try:
        return position[0] + 1
    except (TypeError, IndexError, KeyError):
        return fallback


class _KeyNotScalar(MarkedYAMLError):
    """A list or mapping written as a key (``? [a]``, ``[a, b]: v``, ``{a: b}: v``)."""


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, noting each scalar the store could not hold as text
    and refusing keys that are not scalars.

    A double-quoted escape makes any code point, half a surrogate pair too (``"\\uD800"``);
    no statement, message or HTTP answer can be written with one in it as UTF-8.

    YAML lets a list or a mapping be a key. ruamel turns one into a tuple or a stand-in
    mapping, which a message can only show as Python, or fails hashing one that holds a
    list (a TypeError, then a 500). No annotation key is a collection, so every mapping's keys
    are checked before ruamel builds it: sets (``!!set``) and ordered maps (``!!omap``,
    ``!!pairs``, sequences of one-key mappings) included.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: list[Problem] = []
        self.path = ""
        self.mark = None  # where the node built last starts: the place to point at if ruamel fails

    def construct_object(self, node, deep: bool = False):
        self.mark = node.start_mark
        if node not in self.constructed_objects:  # an alias is checked once, however often it is used
            if isinstance(node, ScalarNode):
                node.value = _join_surrogate_pairs(node.value)
                refusal = text_refusal(node.value, YAML_ESCAPE)
                if refusal:
                    self.refused.append(Problem(self.path, node.start_mark.line + 1, refusal))
            else:
                _refuse_collection_keys(node)
        return super().construct_object(node, deep)


def _refuse_collection_keys(node) -> None:
    mappings = (
        [node] if isinstance(node, MappingNode) else [item for item in node.value if isinstance(item, MappingNode)]
    )  # an !!omap's entries
    for mapping in mappings:
        for key, _ in mapping.value:
            if not isinstance(key, ScalarNode):
                what = "a mapping" if isinstance(key, MappingNode) else "a list"
                raise _KeyNotScalar(
                    problem=f"{KEY_HINT}; found {what} written as a key (put text that "
                    "starts with `?` or holds brackets in quotes)",
                    problem_mark=key.start_mark,
                )


def _join_surrogate_pairs(text: str) -> str:
    """``"\\uD83D\\uDE00"`` (JSON's way to escape 😀, which YAML 1.2 reads as JSON does) as the one character."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:  # a half without its other half: refused as it stands
        return text


class _Reader:
    def __init__(self, path: Path, text: str, mapping: Mapping):
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.mapping = mapping
        self.graph = mapping.new_graph()
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.header: dict[str, Node] = {}
        self.ids: dict[URIRef, int] = {}  # every entity of the file -> the line that names it

    # -- reporting ------------------------------------------------------------------

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    # -- the document ---------------------------------------------------------------

    def read(self) -> None:
        yaml = YAML(typ="rt")
        # ruamel's composer and constructor recurse per level: its own limit stops a deep
        # document as the parser reads it (the scalar inside the deepest collection is a level too).
        yaml.max_depth = nesting.MAX_DEPTH + 1
        yaml.Constructor = _Constructor
        yaml.constructor.path = str(self.path)
        try:
            document = yaml.load(self.text)
        except MaxDepthExceededError as exc:
            raise nesting.too_deep(self.path, _yaml_error_line(exc), None, nesting.YAML_HINT) from None
        except RecursionError:
            raise nesting.too_deep(self.path, None, None, nesting.YAML_HINT) from None
        except _KeyNotScalar as exc:
            self.problems.extend(yaml.constructor.refused)
            self.problem(_yaml_error_line(exc), exc.problem)
            return
        except MarkedYAMLError as exc:
            self.problems.extend(yaml.constructor.refused)
            self.problem(_yaml_error_line(exc), _yaml_error_message(exc))
            return
        except YAMLError as exc:
            self.problem(None, f"not valid YAML: {exc}")
            return
        except (TypeError, AssertionError) as exc:
            # ruamel fails unmarked where it meets what it did not expect (a key it cannot hash,
            # a key given twice in an !!omap): the node it was building is the place to look.
            mark = yaml.constructor.mark
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.problems.extend(yaml.constructor.refused)
            self.problem(
                mark.line + 1 if mark is not None else None,
                f"not valid YAML: ruamel.yaml cannot build this ({_escaped(reason)}); {KEY_HINT}, given once per entry",
            )
            return
        except ValueError as exc:  # ruamel builds dates as it reads, and a wrong one (2016-13-01) fails unmarked
            line, token = _impossible_date(self.lines)
            what = f"'{token}' is not a date that exists" if token else str(exc)
            self.problem(line, f"not valid YAML: {what}; write dates YYYY-MM-DD, or put the value in quotes")
            return
        if yaml.constructor.refused:  # every value read from here on would repeat the text
            self.problems.extend(yaml.constructor.refused)
            return
        top = ", ".join(f"`{k}:`" for k in self.mapping.top_level_keys)
        if document is None:
            self.problem(1, f"the file is empty: an annotation file holds sections such as {top}")
            return
        if not isinstance(document, CommentedMap):
            self.problem(1, f"an annotation file is a mapping of sections ({top}); found {_describe(document)}")
            return
        entry = _Entry(document, 1)
        for key in document:  # the header first: sections take defaults from it
            if key in self.mapping.header:
                spec = self.mapping.header[key]
                for value, line in self.values(entry, key, spec, "the file header"):
                    node = self.convert(spec, value, line, entry, key)
                    if node is not None:
                        self.header[str(key)] = node
        for key in document:
            if key in self.mapping.header:
                continue
            if key not in self.mapping.sections:
                self.unknown_key(entry.key_line(key), key, self.mapping.top_level_keys, "at the top of a file")
                continue
            self.read_section(key, document[key], entry.key_line(key))

    def read_section(self, name: str, items, line: int) -> None:
        spec = self.mapping.nodes[self.mapping.sections[name]]
        if items is None:
            return
        if not isinstance(items, CommentedSeq):
            self.problem(
                line,
                f"`{name}:` holds a list of entries, each starting with `- {ID_KEY}: "
                f"{spec.name}/...`; found {_describe(items)}",
            )
            return
        for index, item in enumerate(items):
            item_line = _line(items.lc.item(index), line)
            if not isinstance(item, CommentedMap):
                self.problem(
                    item_line,
                    f"each entry of `{name}:` is a set of keys starting with "
                    f"`- {ID_KEY}: {spec.name}/<slug>`; found {_describe(item)}",
                )
                continue
            self.read_entity(_Entry(item, item_line), spec, None, f"`{name}:`")

    # -- entities -------------------------------------------------------------------

    def read_entity(self, entry: _Entry, spec: NodeSpec, derived: URIRef | None, where: str) -> URIRef:
        """Emit one entity and everything nested in it; returns its IRI."""
        subject = self.entity_id(entry, spec, derived, where)
        self.positions.note_subject(subject, entry.line)
        self.graph.add((subject, RDF.type, spec.cls))
        self.positions.note_statement(subject, RDF.type, entry.line)
        present = set()
        for key in entry:
            if key == ID_KEY:
                continue
            if key == TYPE_KEY:
                self.read_types(entry, subject, spec)
                continue
            field = spec.fields.get(key)
            if field is None:
                self.unknown_key(entry.key_line(key), key, spec.keys, f"in {_a(spec.name)} entry")
                continue
            key_line = entry.key_line(key)
            # Even an empty value gets a position: a SHACL "missing" result then points at the key.
            self.positions.note_statement(subject, field.predicate, key_line)
            for index, (value, line) in enumerate(self.values(entry, key, field, _a(spec.name))):
                present.add(key)
                node = self.convert(field, value, line, entry, key, subject, index)
                if node is not None:
                    self.graph.add((subject, field.predicate, node))
        for field in spec.fields.values():
            if field.name not in present and field.default:
                self.apply_default(subject, field, entry.line, spec)
        return subject

    def entity_id(self, entry: _Entry, spec: NodeSpec, derived: URIRef | None, where: str) -> URIRef:
        value = entry.get(ID_KEY)
        line = entry.key_line(ID_KEY) if value is not None else entry.line
        subject = None
        match = ID.match(value) if isinstance(value, str) else None
        if value is None:
            if derived is None:
                self.problem(
                    entry.line,
                    f"every entry of {where} needs an id: add `{ID_KEY}: {spec.name}/<slug>` "
                    f"(a short readable name, e.g. `{spec.name}/lin-2019-...`)",
                )
        elif match is None:
            self.problem(
                line,
                f"`{ID_KEY}: {value}` is not an id: write `{spec.name}/<slug>` with letters, "
                "digits, '-', '_' or '.' (e.g. `case/lirendong`)",
            )
        else:
            kind = match.group(1)
            if derived is None and kind != spec.name:
                hint = self.section_of(kind)
                self.problem(
                    line,
                    f"an entry of {where} is {_a(spec.name)}, so its id starts `{spec.name}/`; "
                    f"found `{value}`" + (f" ({_a(kind)} belongs under `{hint}:`)" if hint else ""),
                )
            subject = self.mapping.expand_id(kind, match.group(2))
        if subject is None:  # keep reading the entity under a stand-in name, to find its other problems
            subject = derived or self.mapping.expand_id(spec.name, f"unnamed-line-{entry.line}")
        if subject in self.ids:
            self.problem(
                line,
                f"the id `{self.mapping.short(subject)}` is used twice in this file "
                f"(first on line {self.ids[subject]}): give each entity its own id",
            )
        else:
            self.ids[subject] = line
        return subject

    def section_of(self, kind: str) -> str | None:
        return next((s for s, k in self.mapping.sections.items() if k == kind), None)

    def read_types(self, entry: _Entry, subject: URIRef, spec: NodeSpec) -> None:
        vocabulary = self.mapping.types_of(spec)
        raw = entry.get(TYPE_KEY)
        values = list(raw) if isinstance(raw, CommentedSeq) else [raw]
        for index, value in enumerate(values):
            line = entry.value_line(TYPE_KEY, index if isinstance(raw, CommentedSeq) else None)
            self.positions.note_statement(subject, RDF.type, entry.key_line(TYPE_KEY))
            if isinstance(value, str) and value in vocabulary:
                self.graph.add((subject, RDF.type, vocabulary[value]))
                continue
            iri = self.compact(value, line, TYPE_KEY) if isinstance(value, str) and COMPACT.match(value) else None
            if iri is not None:
                self.graph.add((subject, RDF.type, iri))
            elif not (isinstance(value, str) and COMPACT.match(value)):  # an unknown prefix is already reported
                names = ", ".join(vocabulary)
                allowed = (
                    f"one of {names}, or a compact IRI such as `ukg:Layer`"
                    if names
                    else "a compact IRI such as `ukg:Layer`"
                )
                self.problem(
                    line,
                    f"`{TYPE_KEY}: {value}` is not a type {_a(spec.name)} can have: use {allowed}"
                    + _did_you_mean(str(value), list(vocabulary)),
                )

    def values(self, entry: _Entry, key, field: FieldSpec, what: str) -> Iterator[tuple[object, int]]:
        """The values of one key with their lines; a list only where the field takes many."""
        raw = entry.get(key)
        if raw is None:
            return
        if isinstance(raw, CommentedSeq):
            if not field.many and len(raw) > 1:
                self.problem(entry.key_line(key), f"`{key}` takes one value in {what}, not a list of {len(raw)}")
                return
            for index, value in enumerate(raw):
                if value is not None:
                    yield value, entry.value_line(key, index)
        else:
            yield raw, entry.value_line(key)

    def apply_default(self, subject: URIRef, field: FieldSpec, line: int, spec: NodeSpec) -> None:
        source = str(field.default).lstrip("$")
        value = self.header.get(source)
        if value is not None:
            self.graph.add((subject, field.predicate, value))
            self.positions.note_statement(subject, field.predicate, line)

    # -- values ---------------------------------------------------------------------

    def convert(
        self, field: FieldSpec, value, line: int, entry: _Entry, key, subject: URIRef | None = None, index: int = 0
    ) -> Node | None:
        """One YAML value as an RDF term, or None after reporting why it cannot be one."""
        kind = field.kind
        if kind in ("quote", "nested"):
            return self.nested(field, value, line, key, subject, index)
        if isinstance(value, (CommentedMap, CommentedSeq)):
            self.problem(line, f"`{key}` takes {_kind_phrase(field)}, not {_describe(value)}")
            return None
        if kind == "text":
            text = self.as_text(value, entry, key, index, field).rstrip("\n")
            return Literal(text, lang=LANGUAGE) if field.property in TAGGED else Literal(text)
        if kind in KIND_EXAMPLES:
            literal = self.typed_literal(kind, value, entry, key, index, field)
            if literal is None:
                self.bad_value(line, key, value, kind)
            return literal
        if not isinstance(value, str):
            self.problem(line, f"`{key}` takes {_kind_phrase(field)}; found {value!r}")
            return None
        value = value.strip()
        if kind == "iri":
            return self.external_iri(value, line, key)
        if kind == "ref":
            return self.reference(value, line, key)
        if kind == "vocab":
            return self.vocab(field, value, line, key)
        raise AssertionError(f"unhandled field kind {kind}")  # load_mapping admits only FIELD_KINDS

    def typed_literal(self, kind: str, value, entry: _Entry, key, index: int, field: FieldSpec) -> Literal | None:
        """A number, year, date or boolean as its typed literal; None if the value is not one."""
        if kind == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return Literal(int(value), datatype=XSD.integer)
            return None
        if kind == "decimal":
            number = self.as_decimal(value, entry, key, index, field)
            return Literal(number, datatype=XSD.decimal) if number is not None else None
        if kind == "year":
            year = value if isinstance(value, int) and not isinstance(value, bool) else None
            if isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
                year = int(value)
            if year is not None and YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                return Literal(f"{year:04d}", datatype=XSD.gYear)
            return None
        if kind == "date":
            day = value if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime) else None
            if isinstance(value, str):
                try:
                    day = datetime.date.fromisoformat(value.strip())
                except ValueError:
                    day = None
            return Literal(day.isoformat(), datatype=XSD.date) if day else None
        if kind == "boolean":
            return Literal(value) if isinstance(value, bool) else None
        raise AssertionError(f"{kind} has no typed literal")  # KIND_EXAMPLES names the kinds that have

    def bad_value(self, line: int, key, value, kind: str) -> None:
        self.problem(line, f"`{key}` must be {KIND_EXAMPLES[kind]}; found {_show(value)}")

    def raw(self, entry: _Entry, key, index: int | None) -> str | None:
        """A plain scalar as written in the file (`007`, `1.10`), where YAML would change it."""
        column = entry.value_column(key, index)
        line = entry.value_line(key, index)
        if column is None or not (0 < line <= len(self.lines)):
            return None
        match = RAW_TOKEN.match(self.lines[line - 1], column)
        return match.group(0) if match else None

    def as_text(self, value, entry: _Entry, key, index: int, field: FieldSpec) -> str:
        if isinstance(value, str):
            return str(value)
        # YAML read `volume: 007` as a number or `note: 2016-03-01` as a date; text keeps what was written.
        raw = self.raw(entry, key, index)
        if isinstance(value, bool):
            return raw or str(value).lower()
        return raw or str(value)

    def as_decimal(self, value, entry: _Entry, key, index: int, field: FieldSpec) -> Decimal | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, (int, float)):
            raw = self.raw(entry, key, index)
            text = (
                raw
                if raw and DECIMAL_TEXT.match(raw)
                else repr(float(value))
                if isinstance(value, float)
                else str(value)
            )
        elif isinstance(value, str) and DECIMAL_TEXT.match(value.strip()):
            text = value.strip()
        else:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None

    def nested(self, field: FieldSpec, value, line: int, key, parent: URIRef | None, index: int) -> URIRef | None:
        spec = self.mapping.node_of(field)
        # A quote written `{paraphrase: ...}` is the mapping's `paraphrase` node: evidence in the
        # annotator's words, which must never become a quote's oa:exact.
        if field.kind == "quote" and isinstance(value, CommentedMap) and PARAPHRASE in value:
            spec = self.mapping.nodes.get(PARAPHRASE, spec)
        derived = URIRef(f"{parent}/{key}-{index + 1}") if parent is not None else None
        if isinstance(value, CommentedMap):
            entry = _Entry(value, line)
        elif spec.shorthand and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            entry = _Entry((spec.shorthand, value), line)
        else:
            written = f"a mapping of its keys ({', '.join(spec.keys)})"
            if spec.shorthand:
                written = f"a plain string or {written}"
            self.problem(line, f"`{key}` is {_a(spec.name)}, written as {written}; found {_describe(value)}")
            return None
        return self.read_entity(entry, spec, derived, f"`{key}:`")

    def external_iri(self, value: str, line: int, key) -> URIRef | None:
        if value.startswith("<") and value.endswith(">"):
            return self.full_iri(value[1:-1], line, key)
        if BARE_URL.match(value):
            return self.full_iri(value, line, key)
        if COMPACT.match(value):
            return self.compact(value, line, key)
        self.problem(
            line,
            f"`{key}` takes a web address such as `https://doi.org/10.1016/...` or a compact IRI "
            f"such as `wd:Q16572`; found {_show(value)}",
        )
        return None

    def reference(self, value: str, line: int, key) -> URIRef | None:
        if value.startswith("<") and value.endswith(">"):
            return self.full_iri(value[1:-1], line, key)
        if BARE_URL.match(value):
            self.problem(line, f"`{key}`: a full IRI is written in angle brackets: `<{value}>`")
            return None
        if COMPACT.match(value):
            return self.compact(value, line, key)
        match = ID.match(value)
        kinds = list(self.mapping.nodes)
        if not match:
            self.problem(
                line,
                f"`{key}: {value}` is not an id: write `kind/slug` (e.g. `case/lirendong`, "
                "`work/lin-2019`), a compact IRI (`wd:Q16572`) or a full IRI in angle brackets",
            )
            return None
        if match.group(1) not in self.mapping.nodes:
            self.problem(
                line,
                f"`{key}: {value}`: '{match.group(1)}' is not a kind of entity; ids start with "
                f"one of {', '.join(kinds)}" + _did_you_mean(match.group(1), kinds),
            )
            return None
        return self.mapping.expand_id(match.group(1), match.group(2))

    def full_iri(self, iri: str, line: int, key) -> URIRef | None:
        if not ABSOLUTE_IRI.match(iri) or NOT_IN_IRI.search(iri):
            self.problem(
                line,
                f"`{key}`: '{iri}' is not a valid full IRI (it needs a scheme such as https: and no spaces or quotes)",
            )
            return None
        fault = iri_fault(iri)
        if fault:
            self.problem(
                line,
                f"`{key}`: '{iri}' is not a valid full IRI: it {fault}; write it whole, "
                "e.g. <https://doi.org/10.1016/j.cities.2018.11.020>",
            )
            return None
        return URIRef(iri)

    def compact(self, value: str, line: int, key) -> URIRef | None:
        match = COMPACT.match(value)
        if match is None:  # every caller matched COMPACT first
            raise AssertionError(f"{value!r} is not a compact IRI")
        prefix, local = match.groups()
        iri = self.mapping.expand_compact(prefix, local)
        if iri is None:
            known = ", ".join(self.mapping.prefixes)
            self.problem(
                line,
                f"`{key}: {value}`: unknown prefix '{prefix}:'; the known prefixes are {known}"
                + _did_you_mean(prefix, list(self.mapping.prefixes)),
            )
            return None
        if NOT_IN_IRI.search(str(iri)):
            self.problem(line, f"`{key}: {value}` holds characters an IRI cannot (spaces, quotes, brackets)")
            return None
        return iri

    def vocab(self, field: FieldSpec, value: str, line: int, key) -> URIRef | None:
        names = self.mapping.vocabulary_of(field)
        if value in names:
            return names[value]
        match = COMPACT.match(value)
        if match and match.group(1) in field.open_prefixes:
            return self.compact(value, line, key)
        also = "".join(f" (or any `{p}:...` term)" for p in field.open_prefixes)
        self.problem(
            line,
            f"`{key}: {value}` is not allowed: use one of {', '.join(names)}{also}" + _did_you_mean(value, list(names)),
        )
        return None

    def unknown_key(self, line: int, key, allowed: list[str], where: str) -> None:
        self.problem(
            line,
            f"unknown key `{key}` {where}"
            + _did_you_mean(str(key), allowed)
            + f"; the keys allowed here are {', '.join(allowed)}",
        )


# -- small helpers --------------------------------------------------------------------


def _a(noun: str) -> str:
    """The noun with its indefinite article, as the kind names are written in messages."""
    noun = noun.replace("_", " ")
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:  # a different case is a likely slip too
        close = [c for c in choices if c.lower() == word.lower()]
    return f" (did you mean `{close[0]}`?)" if close else ""


def _kind_phrase(field: FieldSpec) -> str:
    phrases = {
        "text": "text",
        "iri": "a web address or compact IRI",
        "ref": "an id such as `case/lirendong`",
        "vocab": f"a name from the `{field.vocabulary}` list",
    }
    one = phrases.get(field.kind) or KIND_EXAMPLES.get(field.kind, field.kind)
    return f"{one} (or a list of them)" if field.many else one


def _describe(value) -> str:
    if isinstance(value, CommentedMap):
        return "a mapping of keys"
    if isinstance(value, CommentedSeq):
        return "a list"
    return _show(value)


def _show(value) -> str:
    text = str(value)
    return f"'{text if len(text) <= 60 else text[:57] + '...'}'"


def _impossible_date(lines: list[str]) -> tuple[int | None, str | None]:
    """The first unquoted YYYY-MM-DD value that is no calendar date, with its line."""
    for number, line in enumerate(lines, 1):
        for match in re.finditer(r"(?<![\w\"'-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w\"'-])", line.split(" #")[0]):
            try:
                datetime.date(*map(int, match.groups()))
            except ValueError:
                return number, match.group(0)
    return None, None


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _yaml_error_line(exc: MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else None


def _yaml_error_message(exc: MarkedYAMLError) -> str:
    # ruamel quotes what it read (a duplicate key): half a surrogate pair there is escaped, as
    # every message must be writable as UTF-8.
    problem = _escaped(exc.problem or exc.context or "cannot be read")
    message = f"not valid YAML: {problem}"
    if "mapping values are not allowed" in problem:
        message += " (a value that contains ': ' must be put in quotes, and keys must line up under each other)"
    elif "unhashable key" in problem:
        message += f" ({KEY_HINT}, not a list or a mapping)"
    elif "duplicate key" in problem:
        message = f"not valid YAML: a key appears twice in one entry: {problem}"
    elif "found character '\\t'" in problem:
        message += " (indent with spaces, not tabs)"
    return message
