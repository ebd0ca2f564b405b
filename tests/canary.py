"""A canary HTTP server: proof that the server under test fetched nothing.

Tests of hostile input point every URL-shaped value (a SERVICE endpoint, a LOAD source,
a JSON-LD ``@context``, an XML entity, a base IRI) at a canary, then assert that it
heard nothing. The canary listens on 127.0.0.1 only (never any other address), on a free
port, in a daemon thread, and records every connection and every request: method, path,
headers and the first bytes of the body. It answers everything with ``200 {}``, so a
fetcher that does get through sees an ordinary answer and goes on (its hit is what
counts).

Two fixtures; import the one you need into your test module (they are not in conftest)::

    from canary import canary  # noqa: F401 (a fixture)

    def test_nested_remote_context_is_not_fetched(canary, server):
        body = {"@context": [[canary.url + "/ctx"]], "@id": "https://example.org/a"}
        response = requests.post(server + "/validate", ...)
        assert response.status_code == 200
        # nothing else: ``canary`` fails the test at teardown if it got any hit

- ``canary``: a fresh Canary per test that FAILS the test at teardown if it received any
  connection or request, listing them (method, path, User-Agent).
- ``canary_server``: the same, without the teardown check, for tests that look at
  ``hits`` themselves (e.g. that an allow-listed SERVICE endpoint *was* called).

For a canary shared by a module- or session-scoped server, use the class directly::

    with Canary() as canary:
        ...  settings = Settings(service_allow=(canary.url + "/sparql",)) ...
        canary.assert_untouched()

Give each probe its own path (``canary.url + "/probe-17"``) and ``hits_for("probe-17")``
tells which input got through. Hits can arrive after the response that caused them (a
worker still running, a fetch in the background): ``wait_for_hit(seconds)`` waits for one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

BODY_KEPT = 4096  # bytes of each request body kept for the report


@dataclass(frozen=True)
class Hit:
    method: str  # "" for a connection that never sent a request line
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __str__(self) -> str:
        if not self.method:
            return "a connection that sent no HTTP request"
        agent = self.headers.get("User-Agent", "no User-Agent")
        return f"{self.method} {self.path} ({agent})"


class _Handler(BaseHTTPRequestHandler):
    timeout = 5  # a client that connects and says nothing must not hold a thread forever
    protocol_version = "HTTP/1.1"

    def handle(self):
        self._requests = 0
        try:
            super().handle()
        finally:
            if self._requests == 0:  # a bare connection is a hit too: it tells open ports from closed
                self.server.canary._record(Hit("", ""))

    def parse_request(self):
        ok = super().parse_request()
        self._requests += 1
        method = self.command or self.requestline or "?"
        body = b""
        if ok:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, BODY_KEPT)) if length > 0 else b""
            if length > BODY_KEPT:
                self.rfile.read(length - BODY_KEPT)
        headers = dict(self.headers.items()) if self.headers else {}
        self.server.canary._record(Hit(method, self.path if ok else "", headers, body))
        return ok

    def __getattr__(self, name):
        if name.startswith("do_"):  # every method, PROPFIND as much as GET
            return self._answer
        raise AttributeError(name)

    def _answer(self):
        body = b"" if self.command == "HEAD" else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # the hits are the log
        pass


class Canary:
    """An HTTP server on 127.0.0.1:<free port> that records every hit (see the module docstring)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.canary = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"canary-{self.port}", daemon=True)
        self._thread.start()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    @property
    def hits(self) -> list[Hit]:
        """Every hit so far, oldest first (a copy)."""
        with self._lock:
            return list(self._hits)

    def hits_for(self, token: str) -> list[Hit]:
        """The hits whose path or body carries ``token`` (give each probe its own path)."""
        return [h for h in self.hits if token in h.path or token.encode() in h.body]

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def wait_for_hit(self, seconds: float, after: int = 0) -> bool:
        """True as soon as there are more than ``after`` hits; False if none came within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.hits) > after:
                return True
            time.sleep(0.02)
        return len(self.hits) > after

    def report(self) -> str:
        """What reached the canary, for a failure message ("" if nothing did)."""
        hits = self.hits
        if not hits:
            return ""
        listed = "\n".join(f"  {hit}" for hit in hits[:20])
        return (
            f"the canary at {self.url} was reached {len(hits)} time(s): the server fetched something on a "
            f"caller's behalf:\n{listed}"
        )

    def assert_untouched(self) -> None:
        if self.hits:
            raise AssertionError(self.report())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Canary:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


@pytest.fixture
def canary_server():
    """A Canary for this test; the test inspects ``hits`` itself."""
    with Canary() as server:
        yield server


@pytest.fixture
def canary():
    """A Canary for this test that fails it at teardown if anything reached it."""
    with Canary() as server:
        yield server
        time.sleep(0.05)  # let a request already on its way be recorded
        if server.hits:
            pytest.fail(server.report(), pytrace=False)
