"""Errors that become HTTP answers: a status, a message that says what is wrong and what would be right.

The SPARQL endpoint answers errors in plain text (what SPARQL clients show their users
as is); the Graph Store answers in JSON, because a validation report is structured
(``problems``: file, line, message). Refusals carry a reason that /metrics counts.
The success without a body, 204, is made here too: it must say nothing, not even a type.
"""

from __future__ import annotations

from flask import Flask, Response, g, json


class HttpError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict | None = None,
        body: dict | None = None,
        refusal: str | None = None,
        as_json: bool = False,
        page: str | None = None,
    ):
        super().__init__(message)
        self.page = page  # an HTML page to answer with instead of the message (a sign-in form)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.body = body  # extra JSON members (a validation report)
        self.refusal = refusal  # e.g. "service", "token", "body-size": counted by /metrics
        self.as_json = as_json or body is not None

    def response(self) -> Response:
        # A message may repeat what the request held, half a surrogate pair too, which UTF-8
        # cannot hold: it is written as \\udXXX (in JSON, the escape of that very character), so
        # the answer is delivered whatever it repeats instead of failing as a 500.
        if self.page is not None:
            response = Response(self.page, self.status, mimetype="text/html")
        elif self.as_json:
            payload = {"error": self.message, "status": self.status, **(self.body or {})}
            text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
            response = Response(_utf8(text), self.status, mimetype="application/json")
        else:
            response = Response(_utf8(self.message.rstrip("\n") + "\n"), self.status, mimetype="text/plain")
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def no_content() -> Response:
    """204 No Content without a Content-Type: there is no content to have a type (Flask's
    Response would say text/html)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", errors="backslashreplace")


def register(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def http_error(error: HttpError):
        if error.refusal:
            g.refusal = error.refusal
        return error.response()
