"""Refuse what would make the server reach out to the network on a caller's behalf.

pyoxigraph executes every SERVICE pattern it is given (an HTTP request from the server
to any host, including the machine's own private network), and SPARQL Update's LOAD
fetches any URL. Both are checked here, on the lexical scan of :mod:`sparql_text`,
before the text reaches the engine: a SERVICE is allowed only when its target is on the
allow-list (URBANKG_SERVICE_ALLOW, empty by default); a variable target, an undeclared
prefix or anything else the scan cannot pin to one IRI is refused. LOAD is always
refused: data enters through the validation gate (Graph Store PUT, `urbankg load`).
"""

from __future__ import annotations

from urbankg.server.http_errors import HttpError
from urbankg.server.sparql_text import Scan


def check(scan: Scan, allow: tuple[str, ...], base_iri: str | None, *, update: bool = False) -> None:
    for call in scan.service_calls(base_iri):
        if call.target is None:
            raise HttpError(400, f"SERVICE refused: {call.problem}. This endpoint calls other SPARQL endpoints "
                                 f"only when the query names one that is allowed{_allowed(allow)}.",
                            refusal="service")
        if call.target not in allow:
            raise HttpError(400, f"SERVICE <{call.target}> refused: this endpoint does not call other SPARQL "
                                 f"endpoints on a caller's behalf{_allowed(allow)}. Query that endpoint directly, "
                                 "or ask the operator to add it to URBANKG_SERVICE_ALLOW.",
                            refusal="service")
    if update:
        for target in scan.loads():
            raise HttpError(400, f"LOAD {target} refused: urbankg does not fetch documents from the web. "
                                 "Send the data with a Graph Store PUT or POST (it is validated like "
                                 "`urbankg load`), or load the file with `urbankg load`.",
                            refusal="load")


def _allowed(allow: tuple[str, ...]) -> str:
    return f" (allowed: {', '.join(allow)})" if allow else " (none is allowed on this server)"
