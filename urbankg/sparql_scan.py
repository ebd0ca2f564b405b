"""A lexical scan of SPARQL text, for rewriting it and reading its shape: never for deciding
what it may do.

The remote store needs a query's form (which result format to ask for), where its groups
open (to pre-bind values) and the expressions it binds (to repair Virtuoso's booleans); the
server rewrites an update's text for the protocol's parameters (server/sparql_text.py).
What a request contains for the server's safety (SERVICE, LOAD, nesting) is decided by a
real parser (``server/sparql_request.py``) on the final text, after any rewrite. The scan
follows Oxigraph's lexical rules, which were checked by experiment (pyoxigraph 0.5):

* strings ('...', "...", '''...''', \"\"\"...\"\"\") and IRIs (<...>, which may contain
  \\u escapes) are opaque; ``#`` outside them starts a comment to the end of the line;
* ``\\u`` escapes are decoded only inside strings and IRIs, never in keywords, so an
  escaped ``\\u0053ERVICE`` is a syntax error, not a SERVICE;
* keywords need no space around them: ``?o trueSERVICE <x> {}`` and ``1SERVICE`` are
  read as ``true SERVICE`` and ``1 SERVICE``. Numbers are therefore split from what
  follows them, and a bare word (no colon: in SPARQL only keywords are bare) is
  searched for glued keywords.

Costs one regular-expression pass over the text; the tokens are kept in a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The characters of SPARQL's PN_CHARS production (names, prefixes, variables), in a class.
_PN_CHARS = r"A-Za-z0-9_\u00B7-\uFFFF"
# One alternative per token kind; order matters (strings before punctuation, long
# strings before short ones, numbers before words). PN_CHARS stands for _PN_CHARS.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
             | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '(?:[^'\\\r\n]|\\.)*'
             | "(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][PN_CHARS]+)
  | (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))
  | (?P<word>(?:[PN_CHARS:\-]|\\[_~.\-!$&'()*+,;=/?#@%]|%[0-9A-Fa-f]{2}|\.(?=[PN_CHARS:\-\\%]))+)
  | (?P<punct>.)
    """.replace("PN_CHARS", _PN_CHARS),
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

    def query_form(self) -> str | None:
        """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword (subqueries come later)."""
        for token in self.tokens:
            if token.is_keyword(*QUERY_FORMS):
                return token.text.upper()
        return None


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, spaces and comments left out."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None or kind in ("space", "comment"):  # every match names its group
            continue
        found.append(Token(kind, match.group(), match.start()))
    return found


def scan(text: str) -> Scan:
    return Scan(text, tokens(text))
