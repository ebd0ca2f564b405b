"""The depth scans: brackets count only where the format nests, never inside strings, IRIs or comments."""

from __future__ import annotations

import time

import pytest

from urbankg.errors import SourceError
from urbankg.loaders import nesting
from urbankg.loaders.nesting import MAX_DEPTH

OVER = MAX_DEPTH + 1


def depth_error(check, text: str) -> str | None:
    try:
        check("doc", text)
    except SourceError as error:
        [problem] = error.problems
        return str(problem)
    return None


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "' + "[" * 1000 + '"}',  # in a string
        '{"a": "\\"' + "{" * 1000 + '"}',  # after an escaped quote, still in the string
        '["\\\\", "' + "[" * 1000 + '"]',  # an escaped backslash ends before the quote
        "[" * MAX_DEPTH + "]" * MAX_DEPTH,  # at the limit
    ],
)
def test_json_brackets_in_strings_do_not_count(text):
    assert depth_error(nesting.check_json, text) is None


def test_json_past_the_limit_names_the_line_and_the_depth():
    text = '{\n  "a": "[[[[",\n  "b": ' + "[" * OVER + "]" * OVER + "\n}"
    assert depth_error(nesting.check_json, text) == (
        f"doc:3: the document is nested {OVER + 1} levels deep; urbankg reads at most {MAX_DEPTH}: "
        "give deeply nested nodes ids of their own and refer to them by id"
    )


@pytest.mark.parametrize(
    "text",
    [
        '<s> <p> "' + "[" * 1000 + '" .',
        "<s> <p> '" + "(" * 1000 + "' .",
        '<s> <p> """a "quoted" ' + "{" * 1000 + '\n""" .',
        "<s> <p> '''it's " + "[" * 1000 + "''' .",
        "<s> <p> <http://[::1]/" + "(" * 1000 + "> .",  # an IPv6 host, and brackets in an IRI
        "# " + "[" * 1000 + "\n<s> <p> <o> .",
        "<s> <p> ex:a\\(" + "\\(" * 1000 + " .",  # escaped in a prefixed name
        "<s> <p> " + "[ <p> " * MAX_DEPTH + "<o>" + " ]" * MAX_DEPTH + " .",
    ],
)
def test_turtle_brackets_in_strings_iris_comments_and_escapes_do_not_count(text):
    assert depth_error(nesting.check_turtle, text) is None


def test_turtle_blank_nodes_collections_and_graphs_count_together():
    text = "<g> {\n <s> <p> " + "[ <p> ( " * (MAX_DEPTH // 2) + "<o>" + " ) ]" * (MAX_DEPTH // 2) + " .\n}"
    assert depth_error(nesting.check_turtle, text).startswith(f"doc:2: the document is nested {MAX_DEPTH + 1} levels")


@pytest.mark.parametrize(
    "text",
    [
        "@article{a, title = {" + "\\{" * 1000 + "}}",  # a literal brace
        "@article{a, title = {" + "{" * (MAX_DEPTH - 2) + "x" + "}" * (MAX_DEPTH - 2) + "}}",
    ],
)
def test_bibtex_escaped_braces_do_not_count(text):
    assert depth_error(nesting.check_bibtex, text) is None


def test_bibtex_braces_past_the_limit_point_at_the_field():
    text = "@article{a,\n  year = {2019},\n  title = {" + "{" * MAX_DEPTH + "x" + "}" * MAX_DEPTH + "}\n}"
    assert depth_error(nesting.check_bibtex, text).startswith(
        f"doc:3: the document is nested {MAX_DEPTH + 2} levels deep; urbankg reads at most {MAX_DEPTH}: "
        "remove the extra braces"
    )


@pytest.mark.parametrize(
    "check, text",
    [
        (nesting.check_json, '["' + '\\"' * 40_000 + "\\"),  # a string never closed, full of escaped quotes
        (nesting.check_turtle, '<s> <p> "' + '\\"' * 40_000 + "\\"),
        (nesting.check_turtle, '<s> <p> """' + '\\"' * 40_000),
        (nesting.check_turtle, '"""' * 40_000),
    ],
    ids=["json", "turtle-short", "turtle-long", "turtle-quotes"],
)
def test_the_scans_stay_linear_on_unterminated_strings(check, text):
    # The first JSON pattern rescanned an unterminated string from each quote in it: 4,000 took 0.4 s.
    started = time.monotonic()
    depth_error(check, text)
    assert time.monotonic() - started < 1
