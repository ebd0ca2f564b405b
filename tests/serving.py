"""Serve a Flask app over real HTTP (waitress on a loopback port) for the duration of a test."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import waitress

from urbankg.server.services import EXTENSION, services


@contextmanager
def served(app):
    """Yield the base URL of `app` served by waitress in a background thread."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)
        # Query processes and the update probe must not outlive the test (a bare Flask app has none).
        if EXTENSION in app.extensions:
            services(app).close()
