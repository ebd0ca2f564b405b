"""Who may write: the holder of the server's token, nobody when none is configured.

A client proves it holds the token with ``Authorization: Bearer <token>``. HTTP Basic
with the token as the password (any user name) is accepted too, because some SPARQL
clients can only do Basic (rdflib's SPARQLUpdateStore, many notebook tools). Tokens are
compared in constant time. Over anything but loopback, put the server behind HTTPS.

The token lives in ``app.config["URBANKG_WRITE_TOKEN"]``, set from the settings, and
is shared with the web UI's validate-and-load page.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import current_app, request

from urbankg.server.http_errors import HttpError

CHALLENGE = 'Bearer realm="urbankg"'


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


def require_write_token(action: str, *, as_json: bool = False) -> None:
    """Raise 403 when the server is read-only, 401 when the token is missing or wrong."""
    expected = current_app.config.get("URBANKG_WRITE_TOKEN")
    if not expected:
        raise HttpError(
            403,
            f"{action} refused: this server is read-only because no write token is configured. "
            "Start it with URBANKG_TOKEN set (or URBANKG_TOKEN_FILE / `urbankg serve --token-file FILE`) "
            "to allow writes.",
            refusal="read-only", as_json=as_json,
        )
    token = presented_token()
    if token is None:
        raise HttpError(401, f"{action} needs the write token: send the header 'Authorization: Bearer <token>'.",
                        headers={"WWW-Authenticate": CHALLENGE}, refusal="token", as_json=as_json)
    if not hmac.compare_digest(token.encode("utf-8"), str(expected).encode("utf-8")):
        raise HttpError(401, f"{action} refused: the token sent is not the server's write token.",
                        headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'},
                        refusal="token", as_json=as_json)
