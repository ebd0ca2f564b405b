"""What a SPARQL request is, decided by a real SPARQL parser before the engine sees it.

The server must know, for every query or update a client sends: its form (to negotiate
the response format), whether it names its own dataset (FROM, USING, WITH), every
SERVICE target and every LOAD (to refuse them), and that it is not built to crash the
engine. A lexical scan cannot know this safely: a scanner that tokenises differently
from the engine can be shown a SERVICE it does not see (``FILTER(1 <'> 1) ' ...``, where
a scanner reads ``<'>`` as an IRI and the engine reads ``<`` as less-than). So the text
is parsed by rdflib's implementation of the SPARQL 1.1 grammar and the parse tree is
walked; what that parser cannot read is refused, never passed on.

The two parsers can still disagree at the edges; where they were seen to (rdflib
expands ``\\u`` escapes everywhere, as the specification says, Oxigraph only in strings
and IRIs; Oxigraph reads glued keywords such as ``trueSERVICE`` and ends comments at a
carriage return), rdflib sees *more* code than the engine or none at all, so the
request is refused, not let through. Behind this check stand the walls that do not
depend on parsing: query processes and the update thread have no network
(``query_worker``, ``update_runner``).

Limits, checked here so that the engine never receives a text that overflows its
stack (a chain of 10,000 ``||`` or UNIONs, or 10,000 nested groups, crashes Oxigraph on
an 8 MB stack; 1,000 of each does not):

* nesting: rdflib's parser runs in a thread of its own with Python's recursion limit,
  so a deeply nested text raises RecursionError there, which is refused as too deep;
* operator chains: ``a || b || c``, UNION, property-path sequences and alternatives
  and the parts of a group become left-deep trees in the engine, as deep as the chain
  is long; the depth of the parse tree, counting such a chain by its length, must not
  pass MAX_DEPTH.

Cost: rdflib's parser takes 10-80 ms for the canned queries and about 0.6 ms per triple
of an INSERT DATA; verdicts are kept for the last CACHE_SIZE texts, so a repeated
request costs a dictionary look-up.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib import URIRef, Variable
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

from urbankg.errors import clipped

MAX_DEPTH = 400  # the engine survived 1,000 on an 8 MB stack; the canned queries stay under 40
CACHE_SIZE = 512
PARSER_STACK = 16 * 1024 * 1024  # bytes; Python's recursion limit ends the parse long before

QUERY_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE", "AskQuery": "ASK"}
# Lists whose items the engine folds into one left-deep tree (see the module docstring).
CHAIN_FIELDS = frozenset({"other", "part", "graph"})
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class Refused(Exception):
    """The request is refused before the engine sees it. ``reason``: syntax or depth (the parser);
    crash, timeout or unavailable (the update probe, see update_runner)."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class ServiceCall:
    """One SERVICE pattern: its endpoint IRI, or why no single endpoint can be known."""

    target: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Request:
    kind: str  # "query" or "update"
    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK for a query
    names_dataset: bool  # FROM / FROM NAMED (query), USING / USING NAMED / WITH (update)
    services: tuple[ServiceCall, ...]
    loads: tuple[str, ...]  # the document IRI of each LOAD
    depth: int


def analyse(text: str, kind: str) -> Request:
    """The request ``text`` (kind "query" or "update"), or :class:`Refused` saying why not."""
    verdict = _analyse_cached(text, kind)
    if isinstance(verdict, Refused):  # a fresh one: a kept exception would gather every traceback it was raised with
        raise Refused(verdict.reason, str(verdict))
    return verdict


@lru_cache(maxsize=CACHE_SIZE)
def _analyse_cached(text: str, kind: str) -> Request | Refused:
    # A fresh thread: its recursion budget does not depend on how deep the caller already is.
    outcome: list = []
    thread = threading.Thread(
        target=lambda: outcome.append(_analyse(text, kind)), name="urbankg-sparql-parse", daemon=True
    )
    with _stack_size_lock:  # the size is the process's setting, read when a thread starts
        previous = threading.stack_size(PARSER_STACK)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if not outcome:  # the thread died of something _analyse does not catch: a bug, not the client's
        raise RuntimeError("the SPARQL checking parser stopped without an answer")
    return outcome[0]


_stack_size_lock = threading.Lock()


def _analyse(text: str, kind: str) -> Request | Refused:
    try:
        tree = parser.parseQuery(text) if kind == "query" else parser.parseUpdate(text)
    except RecursionError:
        return Refused(
            "depth",
            f"the {kind} is nested too deeply for this endpoint to read safely; flatten its groups and parentheses",
        )
    except ParseException as exc:
        return Refused(
            "syntax",
            _unreadable(
                kind,
                f"at line {exc.lineno}, column {exc.column}: {clipped(exc.msg, 300)} "
                f"(found {clipped(exc.line[exc.column - 1 :], 60)!r})",
            ),
        )
    except Exception as exc:  # rdflib raises plain exceptions for some grammar checks (e.g. bad escapes)
        return Refused("syntax", _unreadable(kind, clipped(str(exc), 300)))
    try:
        return _describe(tree, kind)
    except _TooDeep as exc:
        return Refused(
            "depth",
            f"the {kind} chains or nests {exc.depth} operations deep (||, &&, UNION, "
            f"path steps, group parts); this endpoint reads at most {MAX_DEPTH}",
        )


def _unreadable(kind: str, detail: str) -> str:
    return (
        f"the {kind} was refused: this endpoint's checking parser cannot read it ({detail}). Write it in "
        "SPARQL 1.1 as the W3C grammar has it, with a space between keywords; the engine runs only what "
        "the checking parser could read"
    )


class _TooDeep(Exception):
    def __init__(self, depth: int):
        self.depth = depth


def _describe(tree, kind: str) -> Request:
    if kind == "query":
        prologue, body = tree[0], tree[1]
        form = QUERY_FORMS.get(body.name)
        names_dataset = "datasetClause" in body  # (CompValue.get answers a missing key with its name)
        prologues = [prologue]
    else:
        form = None
        operations = list(tree.request) if "request" in tree else []
        names_dataset = any("withClause" in op or "using" in op for op in operations)
        prologues = list(tree.prologue) if "prologue" in tree else []
    prefixes = _prefixes(prologues)
    services: list[ServiceCall] = []
    loads: list[str] = []
    deepest = 0
    pending: list[tuple[object, int]] = [(tree, 0)]
    while pending:  # iterative: the tree may be as deep as the parser allowed
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _TooDeep(depth)
        deepest = max(deepest, depth)
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                services.append(_service(node["term"], prefixes))
            elif node.name == "Load":
                loads.append(str(node["iri"]))
            for field, value in node.items():
                if field in CHAIN_FIELDS and isinstance(value, (list, ParseResults)) and len(value) > 1:
                    pending.extend((item, depth + len(value)) for item in value)
                else:
                    pending.append((value, depth + 1))
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend((item, depth) for item in node)
    return Request(kind, form, names_dataset, tuple(services), tuple(loads), deepest)


def _prefixes(prologues) -> dict[str, str]:
    """Prefix declarations (an update's operations share them, each adding its own)."""
    found: dict[str, str] = {}
    pending = list(prologues)
    while pending:
        node = pending.pop(0)
        if isinstance(node, CompValue) and node.name == "PrefixDecl":
            found[_field(node, "prefix")] = str(node["iri"])
        elif isinstance(node, (list, ParseResults)):
            pending[:0] = list(node)
    return found


def _service(term, prefixes: dict[str, str]) -> ServiceCall:
    if isinstance(term, Variable):
        return ServiceCall(None, f"SERVICE ?{term}: a variable target could name any endpoint")
    if isinstance(term, CompValue) and term.name == "pname":
        prefix, local = _field(term, "prefix"), _field(term, "localname")
        if prefix not in prefixes:
            return ServiceCall(None, f"SERVICE {prefix}:{local}: the prefix '{prefix}:' is not declared")
        target = prefixes[prefix] + local
    elif isinstance(term, URIRef):
        target = str(term)
    else:
        return ServiceCall(None, f"SERVICE followed by {term!r}, which is not an endpoint IRI")
    # A relative IRI or an escape is resolved by each parser in its own way; only a plain
    # absolute IRI names the same endpoint for both.
    if not ABSOLUTE_IRI.match(target) or "\\" in target:
        return ServiceCall(None, f"SERVICE <{target}>: the endpoint must be written as an absolute IRI")
    try:
        ox.NamedNode(target)
    except ValueError:
        return ServiceCall(None, f"SERVICE <{target}>: not an IRI the engine accepts")
    return ServiceCall(target)


def _field(node: CompValue, name: str) -> str:
    """A field that may be absent (an empty prefix or local name): CompValue.get would answer its name."""
    return str(node[name]) if name in node else ""
