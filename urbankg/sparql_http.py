"""HTTP with a SPARQL endpoint: which authentication it asks for, and its failures in words.

SPARQLWrapper must be told Basic or Digest before it sends credentials (:func:`challenge`);
when a request fails, it keeps the endpoint's answer only inside its message, from which
:func:`http_failure` takes the status and text, and :func:`explain` says what went wrong and
what to do (Virtuoso's /sparql-auth, its SR186 "No permission"). Costs one request without
credentials per store, when it first connects.
"""

from __future__ import annotations

import ast
import re
import urllib.error
import urllib.request

from SPARQLWrapper import BASIC, DIGEST


def challenge(endpoint: str, realm: str) -> tuple[str, str]:
    """How the endpoint wants credentials: (BASIC or DIGEST, realm). Asked with one request
    without credentials, because a server that wants Digest may answer a Basic attempt with a
    bare 401 (Virtuoso's /sparql-auth does), and SPARQLWrapper must be told the scheme."""
    request = urllib.request.Request(endpoint, data=b"", method="POST")
    try:
        urllib.request.build_opener().open(request, timeout=30).close()
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") or ""
        if exc.code == 401 and challenge.lower().startswith("digest"):
            found = re.search(r'realm="([^"]*)"', challenge)
            return DIGEST, found.group(1) if found else realm
    except OSError:
        pass  # unreachable: the request itself will say so
    return BASIC, realm


def http_failure(exc: Exception) -> tuple[int | None, str]:
    """HTTP status and the endpoint's error text, from what SPARQLWrapper raised (it keeps
    the body only inside its message, as a bytes repr)."""
    http_error = exc if isinstance(exc, urllib.error.HTTPError) else exc.__context__
    status = getattr(http_error, "code", None)
    if isinstance(exc, urllib.error.HTTPError):
        body = exc.read() or b""
    else:
        message = str(exc)
        _, _, raw = message.partition("\n\nResponse:\n")
        try:
            body = ast.literal_eval(raw) if raw else b""
        except (ValueError, SyntaxError):
            body = raw.encode()
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    # Virtuoso repeats the whole request after its message: keep the message.
    text = text.split("\n\nSPARQL query:")[0].split("\nSPARQL query:")[0]
    if text.lstrip().startswith("<"):  # an HTML error page: its text is enough
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return status, (text[:500] + "…" if len(text) > 500 else text)


def explain(endpoint: str, what: str, status: int | None, detail: str, user: str | None) -> str:
    """The failure in words, with what to do where we know it."""
    said = f": {detail}" if detail else ""
    if status == 401:
        who = f"the credentials of user '{user}'" if user else "this request without credentials"
        return (
            f"the SPARQL endpoint {endpoint} refused {who} (HTTP 401){said}. Pass --user and --password "
            f"(or --token) that the store accepts; on Virtuoso updates go to /sparql-auth."
        )
    if status == 403:
        return f"the SPARQL endpoint {endpoint} does not allow this {what} (HTTP 403){said}"
    if status == 404:
        return f"there is no SPARQL endpoint at {endpoint} (HTTP 404): check the URL{said}"
    if "SR186" in detail or "No permission" in detail:
        return (
            f"the SPARQL endpoint {endpoint} does not let this user write (HTTP {status}){said}. On Virtuoso, "
            f"send updates to http://HOST:PORT/sparql-auth with --update-endpoint, --user and --password, "
            f"or grant SPARQL_UPDATE to the SPARQL user."
        )
    if status == 400:
        return f"the SPARQL endpoint {endpoint} rejected the {what} as invalid (HTTP 400){said}"
    return f"the SPARQL endpoint {endpoint} failed the {what} (HTTP {status}){said}"
