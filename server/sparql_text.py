"""A lexical scan of SPARQL text, for rewriting it: never for deciding what it may do.

Two rewrites need to know where tokens are: the protocol's ``using-graph-uri`` puts a
USING clause before the WHERE of every update operation, and CLEAR becomes CLEAR SILENT;
a remote store needs a query's form and where to put pre-bound VALUES. What a request
contains for the server's safety (SERVICE, LOAD, nesting) is decided by a real parser
(``sparql_request``) on the final text, after these rewrites. The scan follows
Oxigraph's lexical rules, which were checked by experiment (pyoxigraph 0.5):

* strings ('...', "...", '''...''', \"\"\"...\"\"\") and IRIs (<...>, which may contain
  \\u escapes) are opaque; ``#`` outside them starts a comment to the end of the line;
* ``\\u`` escapes are decoded only inside strings and IRIs, never in keywords, so an
  escaped ``\\u0053ERVICE`` is a syntax error, not a SERVICE;
* keywords need no space around them: ``?o trueSERVICE <x> {}`` and ``1SERVICE`` are
  read as ``true SERVICE`` and ``1 SERVICE``. Numbers are therefore split from what
  follows them, and a bare word (no colon: in SPARQL only keywords are bare) is
  searched for glued keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# One alternative per token kind; order matters (strings before punctuation, long
# strings before short ones, numbers before words).
_PN_CHARS = r"A-Za-z0-9_\u00B7-\uFFFF"
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
             | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '(?:[^'\\\r\n]|\\.)*'
             | "(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][%(pn)s]+)
  | (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))
  | (?P<word>(?:[%(pn)s:\-]|\\[_~.\-!$&'()*+,;=/?#@%%]|%%[0-9A-Fa-f]{2}|\.(?=[%(pn)s:\-\\%%]))+)
  | (?P<punct>.)
    """
    % {"pn": _PN_CHARS},
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@dataclass(frozen=True)
class Token:
    kind: str  # string, iri, var, number, word, punct (spaces and comments are dropped)
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def bare(self) -> bool:
        """A word without a colon: in SPARQL that can only be keywords (or ``a``)."""
        return self.kind == "word" and ":" not in self.text and not self.text.startswith("_")

    def is_keyword(self, *keywords: str) -> bool:
        return self.bare and self.text.upper() in keywords


@dataclass
class Scan:
    text: str
    tokens: list[Token]
    prefixes: dict[str, str] = field(default_factory=dict)

    # -- queries -------------------------------------------------------------------

    def query_form(self) -> str | None:
        """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword (subqueries come later)."""
        for token in self.tokens:
            if token.is_keyword(*QUERY_FORMS):
                return token.text.upper()
        return None

    # -- updates -------------------------------------------------------------------

    def operations(self) -> list[list[Token]]:
        """The tokens of each update operation: split at ';' outside braces."""
        operations: list[list[Token]] = [[]]
        depth = 0
        for token in self.tokens:
            if token.kind == "punct" and token.text == "{":
                depth += 1
            elif token.kind == "punct" and token.text == "}":
                depth -= 1
            if token.kind == "punct" and token.text == ";" and depth == 0:
                operations.append([])
            else:
                operations[-1].append(token)
        return [op for op in operations if op]

    def with_using(self, default_graphs: list[str], named_graphs: list[str]) -> str:
        """The update text with ``USING <g>`` / ``USING NAMED <g>`` before the WHERE of every
        DELETE/INSERT ... WHERE operation, and ``DELETE WHERE {P}`` spelled out as
        ``DELETE {P} USING ... WHERE {P}`` (its documented equivalent), so the protocol's
        using-graph-uri and using-named-graph-uri set the dataset of every WHERE clause."""
        clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
        for operation in self.operations():
            body = _without_prologue(operation)
            if len(body) < 2 or not body[0].is_keyword("DELETE", "INSERT"):
                continue  # not a DELETE/INSERT (WITH is a conflict the caller refuses first)
            if body[1].is_keyword("DATA"):
                continue  # INSERT DATA / DELETE DATA have no WHERE
            if body[0].is_keyword("DELETE") and body[1].is_keyword("WHERE"):
                pattern = _braced(body, 2)
                if pattern is not None:
                    block = self.text[pattern[0] : pattern[1]]
                    edits.append((body[0].start, pattern[1], f"DELETE {block} {clause} WHERE {block}"))
                continue
            where = _top_level_where(body)
            if where is not None:
                edits.append((where.start, where.start, clause + " "))
        text = self.text
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text

    def with_silent_clear(self) -> str:
        """The update text with CLEAR made CLEAR SILENT: clearing a graph that does not exist
        succeeds, as in stores that keep no empty graphs (Jena, Virtuoso) and as the W3C
        protocol tests expect; Oxigraph, which records graphs, would fail it."""
        edits = [
            t.end
            for i, t in enumerate(self.tokens)
            if t.is_keyword("CLEAR") and not (i + 1 < len(self.tokens) and self.tokens[i + 1].is_keyword("SILENT"))
        ]
        text = self.text
        for position in reversed(edits):
            text = text[:position] + " SILENT" + text[position:]
        return text


def scan(text: str) -> Scan:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        tokens.append(Token(kind, match.group(), match.start()))
    return Scan(text, tokens)


def _next(tokens: list[Token], index: int, kind: str) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1].kind == kind


def _without_prologue(tokens: list[Token]) -> list[Token]:
    """The tokens after the BASE and PREFIX declarations."""
    index = 0
    while index < len(tokens):
        if tokens[index].is_keyword("BASE"):
            index += 2
        elif tokens[index].is_keyword("PREFIX"):
            index += 3
        else:
            break
    return tokens[index:]


def _braced(tokens: list[Token], index: int) -> tuple[int, int] | None:
    """Character span of the {...} block that starts at tokens[index]."""
    if index >= len(tokens) or tokens[index].text != "{":
        return None
    depth = 0
    for token in tokens[index:]:
        if token.kind == "punct" and token.text == "{":
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
            if depth == 0:
                return tokens[index].start, token.end
    return None


def _top_level_where(tokens: list[Token]) -> Token | None:
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.text == "{":
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
        elif depth == 0 and token.is_keyword("WHERE"):
            return token
    return None
