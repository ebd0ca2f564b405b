"""The server's configuration: one dataclass, filled from environment variables and CLI options.

Environment variables (CLI options of `urbankg serve` override them):

  URBANKG_TOKEN          the bearer token that allows writes (updates, Graph Store writes)
  URBANKG_TOKEN_FILE     a file holding that token (first line); used when URBANKG_TOKEN is unset
  URBANKG_TOKEN_NAME     the writer that token's writes are recorded as (default "admin")
  URBANKG_TOKENS_FILE    the named tokens, one per writer (`urbankg tokens create NAME`; see
                         urbankg.tokens); default: tokens.json in the embedded store's folder.
                         A remote store has no folder of ours: name a file for it
  URBANKG_QUERY_TIMEOUT  seconds a query may run before it is stopped (default 30)
  URBANKG_MAX_ROWS       rows (or triples) a query result may hold; more are cut off (default 10000)
  URBANKG_MAX_BODY       bytes a request body may hold (default 10 MB)
  URBANKG_SERVICE_ALLOW  endpoint IRIs SERVICE may call, separated by spaces or commas (default: none)
  URBANKG_CORS_ORIGINS   origins allowed to call the API from a browser ("*" for any; default: none)
  URBANKG_WORKERS        query processes (default 2)
  URBANKG_RESULT_CACHE_MB  megabytes of query answers kept until the store changes (default 64; 0: none)
  URBANKG_MAX_VALIDATE_BYTES  bytes of a file the /validate page reads (it needs no token; the
                         validation gate reads about 8,000 statements a second: default 1 MB, a
                         few seconds; larger files go through the Graph Store or `urbankg load`)
  URBANKG_MAX_RESULT_BYTES  bytes a query result may hold; rows (triples) past it are cut off, never
                         half a row (default 16 MB)
  URBANKG_WORKER_MEMORY_MB  megabytes of memory one query process may allocate; a query that needs more
                         is stopped and refused (default: the machine's memory shared among the query
                         processes and the server, i.e. divided by workers + 1; 0: no limit)

Fair admission to the query processes (see query_runner). A query whose answer is kept or
already running is never refused; these limits count only the queries that must run:

  URBANKG_CLIENT_QUERIES   queries one client may have running or waiting at once; one more is
                           answered 429 with Retry-After (default 2). A client is one IP address
                           (an IPv6 /64); holders of the write token form one class, not limited.
  URBANKG_RESERVE_SECONDS  with two or more query processes, long queries may hold all but one of
                           them: a query running on the last one is stopped after this many seconds
                           when a client with no query running waits for a process, so its short
                           queries are answered even while others run to the time limit (default 3)
  URBANKG_QUEUE_SECONDS    seconds a request may wait for a free query process (default 10). One
                           that would wait longer, by the server's estimate from how long recent
                           queries held a process, is answered 503 with Retry-After at once, as is
                           one that finds twice as many requests as processes waiting; one that
                           waits and gets none in time is answered 503 then

With neither a token nor a token file holding at least one named token the server is
read-only; a token created or revoked while it runs counts from the next request. The token is never taken from a
command-line argument, where other users of the machine could read it (ps): pass it
in the environment or in a file only its owner can read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from urbankg.errors import UrbankgError
from urbankg.tokens import NAME, NAME_RULE, TokenError, default_file, shared


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    token_name: str = "admin"  # the agent of the single token's writes
    tokens_file: Path | None = None  # the named tokens; None: see for_store
    annotations: Path | None = None  # where /papers/new writes papers' annotation folders; None: see for_store
    query_timeout: float = 30.0
    max_rows: int = 10000
    max_body: int = 10 * 1024 * 1024
    service_allow: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    workers: int = 2
    result_cache_mb: int = 64
    max_result_bytes: int = 16 * 1024 * 1024
    max_validate_bytes: int = 1024 * 1024
    worker_memory_mb: int | None = None  # None: the machine's memory divided by workers + 1
    client_queries: int = 2
    reserve_seconds: float = 3.0
    queue_seconds: float = 10.0

    @property
    def read_only(self) -> bool:
        """Neither the single token nor a named one: every write is refused (403).

        Asks the token file when one is set: revoking the last named token makes the
        server read-only, creating one makes it writable, while it runs."""
        if self.token:
            return False
        if self.tokens_file is None:
            return True
        try:
            return not shared(self.tokens_file).has_tokens()
        except TokenError:
            return False  # tokens are configured; the write requests say what is wrong with the file

    def for_store(self, store) -> Settings:
        """These settings with the token file of the embedded ``store`` (in its folder) when no
        file is named, and the annotations folder beside it (``<store>-annotations``) when none
        is; a remote or in-memory store has neither unless URBANKG_TOKENS_FILE and
        URBANKG_ANNOTATIONS name them."""
        from urbankg.oxigraph_store import OxigraphStore  # pyoxigraph, only when a store is at hand

        settings = self
        if isinstance(store, OxigraphStore) and store.path is not None:
            if settings.tokens_file is None:
                settings = replace(settings, tokens_file=default_file(store.path))
            if settings.annotations is None:  # beside the store, not in it: a restore swaps the store folder
                path = Path(store.path)
                settings = replace(settings, annotations=path.parent / f"{path.name}-annotations")
        return settings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from the environment, then ``overrides`` (CLI options; None means 'not given')."""
        env = os.environ if environ is None else environ
        token = env.get("URBANKG_TOKEN") or None
        if token is None and env.get("URBANKG_TOKEN_FILE"):
            token = read_token_file(Path(env["URBANKG_TOKEN_FILE"]))
        settings = cls(
            token=token,
            token_name=env.get("URBANKG_TOKEN_NAME") or cls.token_name,
            tokens_file=Path(env["URBANKG_TOKENS_FILE"]) if env.get("URBANKG_TOKENS_FILE") else None,
            annotations=Path(env["URBANKG_ANNOTATIONS"]) if env.get("URBANKG_ANNOTATIONS") else None,
            query_timeout=_number(env, "URBANKG_QUERY_TIMEOUT", float, cls.query_timeout),
            max_rows=_number(env, "URBANKG_MAX_ROWS", int, cls.max_rows),
            max_body=_number(env, "URBANKG_MAX_BODY", int, cls.max_body),
            service_allow=_list(env.get("URBANKG_SERVICE_ALLOW", "")),
            cors_origins=_list(env.get("URBANKG_CORS_ORIGINS", "")),
            workers=_number(env, "URBANKG_WORKERS", int, cls.workers),
            result_cache_mb=_number(env, "URBANKG_RESULT_CACHE_MB", int, cls.result_cache_mb),
            max_result_bytes=_number(env, "URBANKG_MAX_RESULT_BYTES", int, cls.max_result_bytes),
            max_validate_bytes=_number(env, "URBANKG_MAX_VALIDATE_BYTES", int, cls.max_validate_bytes),
            worker_memory_mb=_number(env, "URBANKG_WORKER_MEMORY_MB", int, cls.worker_memory_mb),
            client_queries=_number(env, "URBANKG_CLIENT_QUERIES", int, cls.client_queries),
            reserve_seconds=_number(env, "URBANKG_RESERVE_SECONDS", float, cls.reserve_seconds),
            queue_seconds=_number(env, "URBANKG_QUEUE_SECONDS", float, cls.queue_seconds),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        if "token_file" in given:
            given["token"] = read_token_file(Path(given.pop("token_file")))
        if "tokens_file" in given:
            given["tokens_file"] = Path(given["tokens_file"])
        settings = replace(settings, **given)
        settings.check()
        return settings

    def check(self) -> None:
        if not NAME.fullmatch(self.token_name):
            raise UrbankgError(f"URBANKG_TOKEN_NAME={self.token_name!r} cannot name a writer: {NAME_RULE}")
        if self.query_timeout <= 0:
            raise UrbankgError(f"the query timeout must be positive, not {self.query_timeout}")
        if self.max_rows < 1 or self.max_body < 1:
            raise UrbankgError("URBANKG_MAX_ROWS and URBANKG_MAX_BODY must be at least 1")
        if self.result_cache_mb < 0:
            raise UrbankgError(f"URBANKG_RESULT_CACHE_MB must be 0 (no cache) or more, not {self.result_cache_mb}")
        if self.workers < 1:
            raise UrbankgError(f"at least one query worker is needed, not {self.workers}")
        if self.max_validate_bytes < 1:
            raise UrbankgError(f"URBANKG_MAX_VALIDATE_BYTES must be at least 1, not {self.max_validate_bytes}")
        if self.max_result_bytes < 1024:
            raise UrbankgError(f"URBANKG_MAX_RESULT_BYTES must be at least 1024 (bytes), not {self.max_result_bytes}")
        if self.worker_memory_mb is not None and self.worker_memory_mb != 0 and self.worker_memory_mb < 256:
            raise UrbankgError(
                f"URBANKG_WORKER_MEMORY_MB must be 0 (no limit) or at least 256: a query process "
                f"needs about 100 MB to start, not {self.worker_memory_mb}"
            )
        if self.client_queries < 1:
            raise UrbankgError(f"URBANKG_CLIENT_QUERIES must be at least 1, not {self.client_queries}")
        if self.reserve_seconds <= 0 or self.queue_seconds <= 0:
            raise UrbankgError(
                "URBANKG_RESERVE_SECONDS and URBANKG_QUEUE_SECONDS must be positive, not "
                f"{self.reserve_seconds:g} and {self.queue_seconds:g}"
            )

    def worker_memory_bytes(self) -> int | None:
        """What one query process may allocate (None: no limit)."""
        if self.worker_memory_mb == 0:
            return None
        if self.worker_memory_mb is not None:
            return self.worker_memory_mb * 1024 * 1024
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return physical // (self.workers + 1)


def read_token_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UrbankgError(f"cannot read the token file {path}: {exc.strerror}") from exc
    token = lines[0].strip() if lines else ""
    if not token:
        raise UrbankgError(f"the token file {path} is empty: put the token on its first line")
    return token


def _number(env: Mapping[str, str], name: str, kind: type, default):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise UrbankgError(f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number") from None


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item for item in re.split(r"[\s,]+", raw) if item)
