"""Refuse what would make the server reach out to the network on a caller's behalf.

pyoxigraph executes every SERVICE pattern it is given (an HTTP request from the server
to any host, including the machine's own private network), and SPARQL Update's LOAD
fetches any URL. What a request contains is decided by the checking parser
(:mod:`sparql_request`), never by a scan of the text; this module is the policy. In a
query, a SERVICE is allowed only when its target is on the allow-list
(URBANKG_SERVICE_ALLOW, empty by default); a variable target, an undeclared prefix, a
relative IRI or anything else that does not pin one endpoint is refused. An update
never calls out: SERVICE and LOAD are refused in every update, allowed endpoints
included (run the federated query, then write what it found); data enters through the
validation gate (Graph Store PUT, `urbankg load`).

The query processes apply it too, so it imports nothing of Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from urbankg.server.sparql_request import ServiceCall


@dataclass(frozen=True)
class Refusal:
    reason: str  # "service" or "load"
    message: str


def query_refusal(services: Iterable[ServiceCall], allow: Iterable[str]) -> Refusal | None:
    allow = tuple(allow)
    for call in services:
        if call.target is None:
            return Refusal(
                "service",
                f"SERVICE refused: {call.problem}. This endpoint calls other SPARQL endpoints "
                f"only when the query names one that is allowed{_allowed(allow)}.",
            )
        if call.target not in allow:
            return Refusal(
                "service",
                f"SERVICE <{call.target}> refused: this endpoint does not call other SPARQL "
                f"endpoints on a caller's behalf{_allowed(allow)}. Query that endpoint "
                "directly, or ask the operator to add it to URBANKG_SERVICE_ALLOW.",
            )
    return None


def update_refusal(services: Iterable[ServiceCall], loads: Iterable[str]) -> Refusal | None:
    for call in services:
        target = f"<{call.target}>" if call.target else "(no single endpoint)"
        return Refusal(
            "service",
            f"SERVICE {target} refused in an update: updates never call other endpoints. "
            "Run the federated part as a query, then write what it found.",
        )
    for target in loads:
        return Refusal(
            "load",
            f"LOAD <{target}> refused: urbankg does not fetch documents from the web. "
            "Send the data with a Graph Store PUT or POST (it is validated like "
            "`urbankg load`), or load the file with `urbankg load`.",
        )
    return None


def _allowed(allow: tuple[str, ...]) -> str:
    return f" (allowed: {', '.join(allow)})" if allow else " (none is allowed on this server)"
