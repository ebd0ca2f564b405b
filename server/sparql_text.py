"""The rewrites of an update's text that the SPARQL protocol's parameters ask for.

The protocol's ``using-graph-uri`` puts a USING clause before the WHERE of every update
operation, and CLEAR becomes CLEAR SILENT. Both edit the text where the lexical scan of
:mod:`urbankg.sparql_scan` finds the tokens: never to decide what a request may do, which a
real parser decides on the final text (``sparql_request``). Costs one scan of the text.
"""

from __future__ import annotations

from urbankg.sparql_scan import Scan, Token, tokens


class UpdateScan(Scan):
    """A scanned update, with the protocol's rewrites of its text."""

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


def scan(text: str) -> UpdateScan:
    return UpdateScan(text, tokens(text))


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
