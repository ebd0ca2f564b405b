"""How deeply a document nests, checked before any parser sees it.

The parsers urbankg reads files with recurse once or more per level of nesting: rdflib's
JSON-LD, Turtle, TriG and N3 parsers, ruamel.yaml's composer, pylatexenc (BibTeX
fields). A document nested 100,000 levels deep exhausts Python's stack
(RecursionError, a 500 on the server), and rdflib's RDF/XML parser, which does not
recurse, slows down with depth (100,000 levels: 9 s). So every document is measured
first, by a scan that reads the format's strings exactly (a bracket inside a string
is no nesting), and refused past MAX_DEPTH.

Why 50: the bundled corpus nests at most 7 levels (YAML) and the ontology 3 (Turtle),
while rdflib's Turtle parser survives only about 120 levels of ``[ :p [ ...`` from the
top of the stack, and 84 under a caller 300 frames deep (N3 formulas: 97 and 67). A
limit of 50 is seven times what real files use and leaves the parsers a margin.
Callers still catch RecursionError (a construct the scans do not count, such as LaTeX
environments) and report it with the same message.
"""

from __future__ import annotations

import re
from pathlib import Path

from urbankg.errors import SourceError

MAX_DEPTH = 50

# Every string pattern below also ends at the end of the text (and a short Turtle string
# at the end of its line), so an unterminated string is consumed once rather than rescanned
# from each quote inside it: the scans stay linear in the text, whatever it holds.
# A JSON string (escapes included), or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)|[\[\]{}]', re.DOTALL)
# Turtle, TriG and N3: long and short strings, IRIs, comments and escaped characters
# (a prefixed name may hold an escaped bracket, ex:a\( ), or a bracket.
_TURTLE_TOKEN = re.compile(
    r'"""[^"\\]*(?:(?:\\.?|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'''[^'\\]*(?:(?:\\.?|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"[^"\\\n]*(?:\\.?[^"\\\n]*)*(?:"|(?=\n)|\Z)'
    r"|'[^'\\\n]*(?:\\.?[^'\\\n]*)*(?:'|(?=\n)|\Z)"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*"
    r"|\\."
    r"|[\[\](){}]",
    re.DOTALL,
)
# BibTeX: an escaped brace (\{ is a literal brace in LaTeX), or a brace.
_BIBTEX_TOKEN = re.compile(r"\\.|[{}]", re.DOTALL)
_OPENING = frozenset("[({")
_CLOSING = frozenset("])}")


RDF_HINT = "give deeply nested nodes ids of their own and refer to them by id"
YAML_HINT = "write a deeply nested entry as an entry of its own, with an id, and refer to it by that id"
BIBTEX_HINT = "remove the extra braces: one pair keeps capitals as written, e.g. title = {The {Taobao} village}"


def too_deep(path: Path | str, line: int | None, depth: int | None, hint: str = RDF_HINT) -> SourceError:
    """The one message for every format, whether a scan or the parser's stack found the depth."""
    how_deep = f"{depth} levels" if depth else f"more than {MAX_DEPTH} levels"
    return SourceError.single(
        path, line, f"the document is nested {how_deep} deep; urbankg reads at most {MAX_DEPTH}: {hint}"
    )


def check_json(path: Path | str, text: str) -> None:
    _check(path, text, _JSON_TOKEN)


def check_turtle(path: Path | str, text: str) -> None:
    """Turtle, TriG and N3: ``[ ]`` blank nodes, ``( )`` collections and ``{ }`` graphs and formulas."""
    _check(path, text, _TURTLE_TOKEN)


def check_bibtex(path: Path | str, text: str) -> None:
    _check(path, text, _BIBTEX_TOKEN, BIBTEX_HINT)


def _check(path: Path | str, text: str, tokens: re.Pattern, hint: str = RDF_HINT) -> None:
    depth = deepest = 0
    first_too_deep = None
    for match in tokens.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > MAX_DEPTH and first_too_deep is None:
                    first_too_deep = match.start()
        elif token in _CLOSING:
            depth = max(depth - 1, 0)  # an unbalanced closer is the parser's to report
    if first_too_deep is not None:
        raise too_deep(path, text.count("\n", 0, first_too_deep) + 1, deepest, hint)
