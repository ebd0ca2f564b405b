"""`urbankg serve` and the other commands as a user runs them: real processes, a real store on disk.

The server listens on a port the system chooses (``--port 0``); the tests find it where
every other command does, in the file it announces itself in (``<store>/urbankg-server.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

URBANKG = [shutil.which("urbankg")] if shutil.which("urbankg") else [sys.executable, "-m", "urbankg.cli"]
TOKEN = "test-cli-token-4b2e"


def run(store: Path, *args, check: bool = True, env: dict | None = None, timeout: float = 300):
    """One urbankg command; ``env`` is added to (or, with None values, removed from) this process's environment."""
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    result = subprocess.run(
        [*URBANKG, "--store", str(store), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"urbankg {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result


@dataclass
class Served:
    url: str
    pid: int
    process: subprocess.Popen
    store: Path

    def sparql_count(self, sparql: str) -> int:
        """A count asked of the server over HTTP (what a browser or a client sees)."""
        response = requests.get(
            self.url + "/sparql",
            params={"query": sparql},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        response.raise_for_status()
        return int(response.json()["results"]["bindings"][0]["n"]["value"])


@contextmanager
def serving(store: Path, token: str | None = TOKEN, env: dict | None = None, startup: float = 180):
    """`urbankg serve` on ``store`` until the block ends (SIGTERM, as systemd stops it)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("URBANKG_TOKEN", "URBANKG_TOKEN_FILE")}
    if token is not None:
        environment["URBANKG_TOKEN"] = token
    environment.update(env or {})
    announced = store / "urbankg-server.json"
    process = subprocess.Popen(
        [*URBANKG, "--store", str(store), "serve", "--port", "0", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        deadline = time.monotonic() + startup
        record = None
        while record is None:
            if process.poll() is not None:
                raise AssertionError(f"urbankg serve ended with {process.returncode}: {process.stderr.read()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"urbankg serve did not announce itself in {announced} within {startup} s")
            try:
                record = json.loads(announced.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
            if record is None or record.get("pid") != process.pid:  # none yet, or one left by another
                record = None
                time.sleep(0.1)
        while True:  # the file is written just before the server runs its loop
            try:
                requests.get(record["url"] + "/health", timeout=5).raise_for_status()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the announced server does not answer"
                time.sleep(0.1)
        yield Served(record["url"], record["pid"], process, store)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
