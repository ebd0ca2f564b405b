"""How the command line reaches the embedded store: alone, beside a running server, or through it.

One process may open a store directory for writing (RocksDB locks it). While `urbankg serve`
runs, the server is that process, and it says so in ``<store>/urbankg-server.json``: its
URL, pid and start time, written when it starts listening and removed when it stops. A
file whose pid is gone (a server killed with SIGKILL) is stale and ignored.

* Reading commands (query, validate, export, stats, graphs, history, ask, verify-quotes,
  backup) open the store read-only when a server (or any other process) holds it:
  :meth:`OxigraphStore.read_only` takes a shared lock against a half-applied write, then
  RocksDB replays the committed log, so the command sees every write committed before it
  opened the store and none after (a fixed view: a backup is consistent). When nobody
  holds the store it is opened for writing, so a fresh store can be filled with the
  bundled data first.
* Writing commands (load, drop) send the write to the server holding the store, with a
  write token (:class:`ServerClient`): the server runs it on its writer thread, through
  the same write path as a local load, and answers what was written or every problem.

Costs: reading the small JSON file and one ``kill(pid, 0)`` per command; a read-only open
replays the write-ahead log (milliseconds for the corpus; the log is at most RocksDB's
memtable, tens of MB, a second or two). A write sent to the server costs one HTTP round
trip plus the upload of the files, which the server parses and validates as a local load
would.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from urbankg.errors import Problem, StoreError, StoreLocked, UrbankgError

SERVER_FILE = "urbankg-server.json"


@dataclass(frozen=True)
class RunningServer:
    url: str  # e.g. http://127.0.0.1:8080, reachable from this machine
    pid: int
    started: str  # ISO 8601, UTC
    file: Path  # where it was announced


def server_file(store_dir: Path) -> Path:
    return Path(store_dir) / SERVER_FILE


def announce(store_dir: Path, url: str) -> Path:
    """Say that this process serves the store at ``url``: written whole (temp file, rename),
    so a reader never sees half of it."""
    target = server_file(store_dir)
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    record = {"url": url, "pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
    part.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    part.replace(target)
    return target


def withdraw(store_dir: Path) -> None:
    """Remove the announcement, if it is this process's (never another server's)."""
    target = server_file(store_dir)
    found = _read(target)
    if found is not None and found.pid == os.getpid():
        target.unlink(missing_ok=True)


def running_server(store_dir: Path | None) -> RunningServer | None:
    """The server that holds the store, or None (no file, an unreadable one, or its process is gone)."""
    if store_dir is None:
        return None
    found = _read(server_file(store_dir))
    if found is None or not _alive(found.pid):
        return None
    return found


def _read(path: Path) -> RunningServer | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return RunningServer(str(record["url"]).rstrip("/"), int(record["pid"]), str(record["started"]), path)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def reachable_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server listening on ``host``: the
    wildcard addresses are reached over loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


# -- opening the store ----------------------------------------------------------------


def open_for_reading(store_dir: Path):
    """The embedded store, and whether it is read-only: read-only when a server or another
    process holds it (see the module docstring), for writing otherwise."""
    from urbankg.oxigraph_store import OxigraphStore

    if running_server(store_dir) is not None:
        return OxigraphStore.read_only(store_dir), True
    try:
        return OxigraphStore(store_dir), False
    except StoreError as exc:
        if not held_by_another_process(exc):
            raise
    # A process that did not announce itself (a long `urbankg load`) holds it: read beside it.
    return OxigraphStore.read_only(store_dir), True


def held_by_another_process(error: StoreError) -> bool:
    """Whether opening failed only because another process holds RocksDB's lock."""
    return isinstance(error, StoreLocked)


def held_message(store_dir: Path, server: RunningServer | None) -> str:
    """What to do when a write needs the store and someone else holds it."""
    if server is not None:
        return (
            f"the server at {server.url} (pid {server.pid}) holds the store {store_dir}; set URBANKG_TOKEN "
            f"to a write token (urbankg tokens create NAME) or stop the server"
        )
    return (
        f"another urbankg process holds the store {store_dir} (a load, or a server started without "
        f"announcing itself); wait for it to finish or stop it"
    )


# -- writing through the server ---------------------------------------------------------


class ServerRefused(UrbankgError):
    """The server refused a write; ``problems`` holds the problems by file and line, if any."""

    def __init__(self, message: str, problems: list[Problem] | None = None, status: int | None = None):
        super().__init__(message)
        self.problems = problems or []
        self.status = status


@dataclass
class ServerLoad:
    graphs: dict[str, int]  # graph IRI -> triples loaded
    warnings: list[Problem]
    agent: str | None

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


class ServerClient:
    """Sends a load or a drop to the server holding the store (``POST /load``, ``POST /drop``).

    urllib, not a client library: the CLI needs two POSTs, and the server is on this
    machine. Problems come back with the upload's file name and are put back under the
    path the user gave, so they print as ``FILE:LINE: message`` exactly as a local load's do.
    """

    def __init__(self, server: RunningServer, token: str, timeout: float = 600.0):
        self.server = server
        self.token = token
        self.timeout = timeout

    def load(self, files: list[Path], *, replace: bool = False, graph: str | None = None) -> ServerLoad:
        names: dict[str, Path] = {}  # the name each file is uploaded under -> the path given
        for path in files:
            if path.name in names and names[path.name].resolve() != path.resolve():
                raise ServerRefused(
                    f"{path} and {names[path.name]} have the same file name, which names the "
                    "graph each loads into: rename one of them"
                )
            names[path.name] = path
        fields = {"replace": "true" if replace else "false"}
        if graph is not None:
            fields["graph"] = graph
        body, content_type = _multipart(fields, list(names.items()))
        answer = self._post("/load", body, content_type, names)
        return ServerLoad(
            {str(k): int(v) for k, v in answer.get("graphs", {}).items()},
            [_problem(item, names) for item in answer.get("warnings", [])],
            answer.get("agent"),
        )

    def drop(self, graph: str, *, replace: bool = False) -> bool:
        body = urllib.parse.urlencode({"graph": graph, "replace": "true" if replace else "false"}).encode("utf-8")
        try:
            answer = self._post("/drop", body, "application/x-www-form-urlencoded", {})
        except ServerRefused as refusal:
            if refusal.status == 404:  # no such graph: the caller says so, as a local drop does
                return False
            raise
        return bool(answer.get("dropped"))

    def identities(self, status: str = "possible", kind: str = "all") -> list[dict]:
        """The identity decisions the server lists (``GET /identities``), as its JSON gives them:
        key, kind, status, alias, canonical, their labels, score, evidence, agent, time."""
        query = urllib.parse.urlencode({"status": status, "kind": kind})
        return list(self._get("/identities?" + query).get("decisions", []))

    def decide_identity(self, key: str, accept: bool, evidence: str = "", keep: str | None = None) -> dict:
        """Accept (merge) or reject a listed pair on the server (``POST /identities/decide``):
        ``{key, status, alias, canonical}``. A refusal (no such key, a pair merged already) is
        a ServerRefused with the server's message."""
        fields = {"key": key, "action": "accept" if accept else "reject", "evidence": evidence, "keep": keep or ""}
        body = json.dumps(fields).encode("utf-8")
        return self._post("/identities/decide", body, "application/json", {})

    def _get(self, route: str) -> dict:
        """A GET with the token, answered in JSON; refused or unanswered as _post is."""
        request = urllib.request.Request(
            self.server.url + route,
            method="GET",
            headers={"Accept": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # as _post: no proxy sees the token
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc, {}, 0) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerRefused(
                f"the server at {self.server.url} (pid {self.server.pid}) does not answer: {reason}"
            ) from None

    def _post(self, route: str, body: bytes, content_type: str, names: dict[str, Path]) -> dict:
        request = urllib.request.Request(
            self.server.url + route,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        # Straight to the server on this machine: a proxy from the environment must not see the token.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc, names, len(body)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerRefused(
                f"the server at {self.server.url} (pid {self.server.pid}, announced in "
                f"{self.server.file}) does not answer: {reason}. If no server runs on this "
                "store, remove that file."
            ) from None

    def _refusal(self, exc: urllib.error.HTTPError, names: dict[str, Path], sent: int) -> ServerRefused:
        raw = exc.read().decode("utf-8", errors="replace")
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = {"error": raw.strip() or exc.reason}
        if exc.code == 413 and not isinstance(answer.get("problems"), list):
            # Far over the limit, waitress answers before the application can say which limit.
            answer = {
                "error": f"the request ({sent} bytes) is larger than the server takes (URBANKG_MAX_BODY): "
                "send fewer files at once, or stop the server and load them here"
            }
        message = str(answer.get("error") or exc.reason)
        problems = [_problem(item, names) for item in answer.get("problems", [])]
        return ServerRefused(f"the server at {self.server.url} answered {exc.code}: {message}", problems, exc.code)


def _problem(item: dict, names: dict[str, Path]) -> Problem:
    file = str(item.get("file") or "")
    local = names.get(file)
    return Problem(
        str(local) if local is not None else file,
        item.get("line"),
        str(item.get("message", "")),
        str(item.get("severity", "error")),
    )


def _multipart(fields: dict[str, str], files: list[tuple[str, Path]]) -> tuple[bytes, str]:
    """A multipart/form-data body: the fields, then each file as a part named ``file``."""
    boundary = f"urbankg-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for filename, path in files:
        # The name names the graph, so it must arrive unchanged whatever it holds (quotes, line
        # breaks, non-ASCII): percent-encoded in filename* (RFC 5987), which werkzeug reads
        # first. RFC 7578 discourages filename*, so a plain filename stands beside it for
        # other parsers.
        plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "-" for c in filename)
        encoded = urllib.parse.quote(filename, safe="")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{plain}"; '
            f"filename*=UTF-8''{encoded}\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
