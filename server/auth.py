"""Who may write, and under which name: the holders of named tokens and of the server's token.

A writer proves it holds a token with ``Authorization: Bearer <token>``. HTTP Basic with
the token as the password (any user name) is accepted too, because some SPARQL clients
can only do Basic (rdflib's SPARQLUpdateStore, many notebook tools). Over anything but
loopback, put the server behind HTTPS.

Two kinds of token:

- named tokens, one per writer, made with ``urbankg tokens create NAME`` and kept as
  digests in the token file (``urbankg.tokens``; ``Settings.tokens_file``, by default
  ``tokens.json`` in the embedded store's folder). The file is read again when it
  changes, so a token created or revoked while the server runs counts at the next request;
- the single token of ``URBANKG_TOKEN`` / ``URBANKG_TOKEN_FILE`` / ``--token-file``, kept for
  the setups that have one; its writes are recorded as ``URBANKG_TOKEN_NAME`` ("admin").

``require_write_token`` returns the writer's name (the *agent* recorded with the write)
and keeps it for the request (``current_agent``). With neither kind configured the server
is read-only (403). A missing or wrong token is a 401 with two challenges, ``Bearer`` and
``Basic``, as two ``WWW-Authenticate`` headers: clients that send credentials only after a
challenge of a scheme they know (Python's urllib handlers, ``curl --anyauth``) look for
Basic. Comparisons take constant time (``hmac.compare_digest``).

Costs: the single token is one comparison; a named token is a ``stat`` of the token file,
one SHA-256 and one comparison per named token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from pathlib import Path

from flask import Response, g, request

from urbankg.server.http_errors import HttpError
from urbankg.server.services import services
from urbankg.tokens import TokenError, TokenRegistry, digest, shared

CHALLENGE = 'Bearer realm="urbankg"'
BASIC_CHALLENGE = 'Basic realm="urbankg", charset="UTF-8"'
HOW = "send the header 'Authorization: Bearer <token>' (or HTTP Basic with the token as the password)"

log = logging.getLogger(__name__)


class Unauthorized(HttpError):
    """A 401 that challenges both schemes the server takes, as two headers (a header of
    one value per scheme is what every client parses; HttpError's headers hold one value
    per name)."""

    def __init__(self, message: str, *, invalid: bool, as_json: bool):
        super().__init__(401, message, refusal="token", as_json=as_json)
        self.invalid = invalid

    def response(self) -> Response:
        response = super().response()
        response.headers.add("WWW-Authenticate", CHALLENGE + (', error="invalid_token"' if self.invalid else ""))
        response.headers.add("WWW-Authenticate", BASIC_CHALLENGE)
        return response


def presented_token() -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def tokens_file() -> Path | None:
    """The token file of the app being served: the settings' own, else the embedded store's."""
    return services().settings.tokens_file


def registry() -> TokenRegistry | None:
    path = tokens_file()
    return shared(path) if path is not None else None


def _single_agent(token: str) -> str | None:
    settings = services().settings
    if settings.token and hmac.compare_digest(token.encode("utf-8"), settings.token.encode("utf-8")):
        return settings.token_name
    return None


def agent_for_token(token: str | None) -> str | None:
    """The writer a token belongs to, or None (for pages and admission, which only ask;
    a token file that cannot be read is logged and counts as no match)."""
    if not token:
        return None
    agent = _single_agent(token)
    if agent is not None:
        return agent
    tokens = registry()
    try:
        return tokens.agent_for(token) if tokens is not None else None
    except TokenError as exc:
        log.error("named tokens are not accepted: %s", exc)
        return None


def writes_allowed() -> bool:
    """Whether any token may write: the single one, or a named one in the token file."""
    if services().settings.token:
        return True
    tokens = registry()
    try:
        return tokens is not None and tokens.has_tokens()
    except TokenError:
        return True  # configured, but broken: the write requests say what is wrong


def require_write_token(action: str, *, as_json: bool = False) -> str:
    """The name of the writer whose token the request carries; 403 when the server is
    read-only, 401 when the token is missing or nobody's."""
    token = presented_token()
    agent = _single_agent(token) if token is not None else None
    if agent is None:
        tokens = registry()
        named, any_named = None, False
        if tokens is not None:
            try:
                named = tokens.agent_for(token)
                any_named = named is not None or tokens.has_tokens()
            except TokenError as exc:
                log.error("%s refused: %s", action, exc)
                # The path stays in the log: a client learns neither it nor the file's state.
                raise HttpError(
                    500,
                    f"{action} cannot be checked: the server's token file ({tokens.path.name}) cannot be "
                    "used; its operator finds why in the server's log",
                    refusal="token-file",
                    as_json=as_json,
                ) from None
        if not any_named and not services().settings.token:
            raise HttpError(
                403,
                f"{action} refused: this server is read-only because no write token is configured. "
                "Create a named token with `urbankg tokens create NAME` (the server reads it at the next "
                "request), or start the server with URBANKG_TOKEN set (or URBANKG_TOKEN_FILE / "
                "`urbankg serve --token-file FILE`), to allow writes.",
                refusal="read-only",
                as_json=as_json,
            )
        if token is None:
            raise Unauthorized(f"{action} needs a write token: {HOW}.", invalid=False, as_json=as_json)
        if named is None:
            raise Unauthorized(
                f"{action} refused: the token sent is not the server's write token, nor one of "
                "its named tokens (revoked, mistyped, or made for another server).",
                invalid=True,
                as_json=as_json,
            )
        agent = named
    g.urbankg_agent = agent
    return agent


def current_agent() -> str | None:
    """The writer of the request being answered, once ``require_write_token`` let it write."""
    return g.get("urbankg_agent")


def require_form_or_header_token(action: str, *, as_json: bool = False) -> str:
    """The writer of a browser form's write: its ``token`` field (a form cannot send a
    header), else the Authorization header, as :func:`require_write_token` reads it."""
    typed = request.form.get("token", "").strip() if not request.is_json else ""
    if not typed:
        return require_write_token(action, as_json=as_json)
    agent = agent_for_token(typed)
    if agent is None:
        if not writes_allowed():
            raise HttpError(
                403,
                f"{action} refused: this server is read-only (no write token is configured)",
                refusal="read-only",
                as_json=as_json,
            )
        raise HttpError(
            401,
            f"{action} refused: the token typed is not the server's write token, nor one of its named tokens",
            headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'},
            refusal="token",
            as_json=as_json,
        )
    g.urbankg_agent = agent
    return agent


def agent_for_digest(token_digest: bytes) -> str | None:
    """The writer whose token has this SHA-256 digest, if that token is still valid: a
    review session (server/review_session.py) keeps the digest, never the token, and ends
    when the token is revoked."""
    settings = services().settings
    found = None
    if settings.token and hmac.compare_digest(token_digest, digest(settings.token)):
        found = settings.token_name
    tokens = registry()
    try:
        entries = tokens.entries() if tokens is not None else ()
    except TokenError as exc:
        log.error("named tokens are not accepted: %s", exc)
        entries = ()
    for entry in entries:
        if hmac.compare_digest(token_digest, entry.sha256):
            found = entry.name
    return found
