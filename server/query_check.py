"""What the query editor asks the server: is this query well formed, and which names it may offer.

``POST /query/check`` (form field ``query``) answers ``{"valid", "line", "column", "message"}``:
where a parser stops on the text (the engine's, else the checking parser's), its 1-based line
and column (in characters) and its message; ``valid`` true and the rest null when it reads the whole text. The text is
never run. It is read by the endpoint's checking parser (rdflib, ``sparql_request``), which
/sparql applies too: what it reads is valid. What it refuses is given to the engine's parser in
a query process, without network and under the time limit (``query_worker.refusal``), which
answers with the engine's message and position and never runs a refused text on the store; the checker's own
message and position stand when there is none. The engine is never asked in this process: it
evaluates an ASK, an aggregate or an ORDER BY as it parses them (an ORDER BY over a cross
product of VALUES took 9 s on an empty store, measured), and a SERVICE in an ASK would be called.

``GET /query/terms`` answers the editor's completion lists: the prefixes it offers (the
vocabularies of ``static/prefixes.rq`` and one prefix per kind of id under
``config.ID_BASE``, since a slash may not stand in a prefixed name's local part, so
``id:case/yushatan`` is no SPARQL but ``case:yushatan`` is) and the ontology's classes and
properties as the store holds them (``ui_queries/query-terms.rq``).

Costs: a check is one rdflib parse (10-80 ms for the canned queries) and, for a text it
refuses, one job in a query process; the terms are one query through the runner, answered
from the result cache until a write.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, jsonify, request

from urbankg import config, formats
from urbankg.server.query_runner import QueryError, QuerySyntaxError
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import requesting_client
from urbankg.server.services import services
from urbankg.server.sparql_request import Refused, analyse
from urbankg.server.ui_data import rows
from urbankg.server.ui_display import text as term_text

bp = Blueprint("query_check", __name__)

HERE = Path(__file__).parent
# The kinds of id urbankg mints (config.ID_BASE + kind + "/" + local): each gets a prefix of its name.
ID_KINDS = (
    "case",
    "work",
    "concept",
    "framework",
    "place",
    "claim",
    "person",
    "observation",
    "measure",
    "reference",
    "citation",
    "stakeholder",
    "relation",
    "survey",
    "informant",
    "crosswalk",
    "venue",
    "organisation",
)
# "error at 2:20: ..." (the engine) or "at line 2, column 20: ..." (the checking parser).
POSITION = re.compile(r"(?:error at (\d+):(\d+)|at line (\d+), column (\d+))")


def id_prefixes() -> dict[str, str]:
    """One prefix per kind of id, under the base this server mints (URBANKG_BASE moves it)."""
    return {kind: config.ID_BASE + kind + "/" for kind in ID_KINDS}


@cache
def vocabulary_prefixes() -> dict[str, str]:
    """The vocabularies' prefixes, as ``static/prefixes.rq`` declares them."""
    text = (HERE / "static" / "prefixes.rq").read_text(encoding="utf-8")
    return {name: iri for name, iri in re.findall(r"^PREFIX\s+([\w-]*):\s*<([^>]*)>", text, re.MULTILINE)}


def default_prefixes() -> str:
    """The PREFIX lines the editor starts a query with: vocabularies first, then the id kinds."""
    prefixes = {**vocabulary_prefixes(), **id_prefixes()}
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


def position(message: str) -> tuple[int | None, int | None]:
    """The line and column a parser's message names, or (None, None)."""
    found = POSITION.search(message)
    if not found:
        return None, None
    line, column = (int(n) for n in (found.group(1, 2) if found.group(1) else found.group(3, 4)))
    return line, column


def check(query: str) -> tuple[str | None, int | None, int | None]:
    """(message, line, column) of the first error in ``query``; message None when it reads."""
    try:
        analyse(query, "query")
    except Refused as refused:
        if refused.reason != "syntax":
            return str(refused), None, None
        return _engine_in_worker(query) or (str(refused), *position(str(refused)))
    return None, None, None


def _engine_in_worker(text: str) -> tuple[str, int | None, int | None] | None:
    """The engine's message on a text the checking parser refused, from a query process (which
    parses it without network and never runs a refused text on the store); None when it has none."""
    settings = services().settings
    job = QueryJob(
        text, {formats.SOLUTIONS: formats.JSON.key}, 1, base_iri=config.ID_BASE, service_allow=settings.service_allow
    )
    try:
        services().runner.run(job, settings.query_timeout, client=requesting_client())
    except QuerySyntaxError as exc:
        return str(exc), *position(str(exc))
    except QueryError:  # refused by the checker alone (no isolation), or the server is busy
        return None
    return None


@bp.post("/query/check")
def query_check():
    text = request.form.get("query", "")
    if not text.strip():
        empty = "the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        return jsonify(valid=False, line=1, column=1, message=empty)
    message, line, column = check(text)
    return jsonify(valid=message is None, line=line, column=column, message=message)


@bp.get("/query/terms")
def query_terms():
    terms = [
        {
            "name": "ukg:" + term_text(row["term"]).removeprefix(config.ONTOLOGY_NS),
            "kind": term_text(row["kind"]),
            "label": term_text(row["label"]),
        }
        for row in rows("query-terms")
    ]
    return jsonify(prefixes={**vocabulary_prefixes(), **id_prefixes()}, id_kinds=list(ID_KINDS), terms=terms)
