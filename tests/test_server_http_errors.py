"""Error answers are delivered whatever their message repeats (issue 21: a 500 instead of a 400).

A message may quote what a request held, and a request can carry half a surrogate pair (a
YAML or JSON escape such as "\\uD800"), which UTF-8 cannot encode: the answer failed while
being written and the client got a 500 in place of the refusal. Served by waitress over
real HTTP, as the server is.
"""

from __future__ import annotations

import json

import pytest
import requests
from flask import Flask

from serving import served
from urbankg.server import http_errors
from urbankg.server.http_errors import HttpError

HALF = "\ud800"


ERRORS = {
    "json": HttpError(400, f"the id '{HALF}' is wrong", body={"problems": [{"line": 1, "message": f"é {HALF}"}]}),
    "text": HttpError(400, f"cannot read '{HALF}x'"),
}


@pytest.fixture(scope="module")
def url():
    app = Flask(__name__)
    http_errors.register(app)

    @app.get("/fail/<kind>")
    def fail(kind):
        raise ERRORS[kind]

    with served(app) as base:
        yield base


def test_a_json_error_holding_half_a_surrogate_pair_is_delivered_as_valid_json(url):
    response = requests.get(url + "/fail/json", timeout=30)
    assert response.status_code == 400
    # \ud800 is JSON's escape of that very character: a client reads back what the server meant.
    assert json.loads(response.content) == {
        "error": f"the id '{HALF}' is wrong",
        "status": 400,
        "problems": [{"line": 1, "message": f"é {HALF}"}],
    }
    assert "é".encode() in response.content  # other text stays as it is, not escaped


def test_a_plain_text_error_holding_half_a_surrogate_pair_is_delivered_escaped(url):
    response = requests.get(url + "/fail/text", timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"cannot read '\\ud800x'\n"
