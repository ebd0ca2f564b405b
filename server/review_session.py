"""A reviewer's session: the write token typed once, then a cookie, for the review pages.

A review takes many small saves (accept a concept, add a fact), and its pages show the
paper's full text, which only writers may read. Typing the token into every form would be
the price of neither; so ``POST /papers/review/session`` takes the token once and answers
with a cookie that holds the writer's name and the token's SHA-256 digest (never the token),
signed with a key this server process drew at start (itsdangerous, Flask's own signer).

The cookie is HttpOnly and SameSite=Strict: another site's page can neither read it nor make
the browser send it with a form it posts, which is what makes a cookie safe for writes here.
It lasts REVIEW_HOURS, ends when the server restarts (a new key) and stops working at once
when its token is revoked (the digest is checked against the token file at every request).
Scripts need none of this: every review form also takes the token as a form field or the
Authorization header.
"""

from __future__ import annotations

import secrets

from flask import current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from urbankg.server.auth import agent_for_digest, agent_for_token, require_form_or_header_token
from urbankg.server.http_errors import HttpError
from urbankg.tokens import digest

COOKIE = "urbankg_review"
REVIEW_HOURS = 12
KEY = "urbankg-review-key"


def _signer() -> URLSafeTimedSerializer:
    key = current_app.extensions.setdefault(KEY, secrets.token_bytes(32))
    return URLSafeTimedSerializer(key, salt="urbankg-review")


def session_cookie(token: str) -> tuple[str, str] | None:
    """(agent, cookie value) for a valid token; None for any other."""
    agent = agent_for_token(token)
    if agent is None:
        return None
    return agent, _signer().dumps({"agent": agent, "digest": digest(token).hex()})


def set_cookie(response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=REVIEW_HOURS * 3600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/papers/",
    )


def reviewer() -> str | None:
    """The writer of this request's review session, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _signer().loads(raw, max_age=REVIEW_HOURS * 3600)
        token_digest = bytes.fromhex(data["digest"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    agent = agent_for_digest(token_digest)
    return agent if agent == data.get("agent") else None


def require_reviewer(action: str) -> str:
    """The writer: the session's, else a token in the form or the Authorization header."""
    agent = reviewer()
    if agent is not None:
        return agent
    return require_form_or_header_token(action)


def require_reviewer_page() -> str:
    """The writer of a review page's session; a reader without one gets the sign-in form (401)."""
    agent = reviewer()
    if agent is None:
        page = render_template("review_sign_in.html", target=request.full_path.rstrip("?"), error=None)
        raise HttpError(401, "sign in with your write token", page=page)
    return agent
