"""Named write tokens: one per writer, kept in a JSON file as SHA-256 digests, never in clear.

``urbankg tokens create alice`` draws 32 random bytes, shows them once (URL-safe base64)
and keeps only their SHA-256 digest with the name and the time of creation. The server
maps a presented token to its name (the *agent* recorded with every write) by hashing it
and comparing the digest with each stored one (``hmac.compare_digest``).

Why a fast hash is right here, unlike for passwords: a password is guessable, so it is
stored with a deliberately slow, salted hash (scrypt, Argon2) to make each guess costly.
A token is 256 bits from ``secrets``: nobody can enumerate them, so a reader of the file
would need a SHA-256 preimage, which no amount of hashing speed brings within reach.
A slow hash would only slow every write request down.

The file, by default ``<store dir>/tokens.json`` for the embedded store and wherever
``URBANKG_TOKENS_FILE`` says otherwise (a remote store has no directory of ours)::

    {"format": 1, "tokens": [{"name": "alice", "created": "2025-01-02T03:04:05+00:00",
                              "sha256": "<64 hex digits>"}]}

Permissions. It is written with mode 0600 (an existing file's group read bit is kept, so
a server running as another user of the same group can read it). A file that its group or
other users may *write* is refused, and so is one in a directory anyone may write without
the sticky bit: whoever can write or replace it can add a digest of a token of their own
and write to the graph under any name. A file others may *read* is accepted: it holds no
secret (digests of random tokens, names, dates) and refusing it would break the setup
above.

Writes are serialised by ``fcntl.flock`` on the file itself and made atomic by writing a
temporary file beside it and renaming it over the old one, so two ``urbankg tokens create``
at once both land and a reader never sees half a file. Because the rename puts a new file
(inode) in place, a writer that got the lock re-checks that the locked file is still the
one at the path, and tries again if not.

Readers (the server) keep the parsed entries and the file they were read from open;
before each use they ``stat`` the path and read it again when the file, its size or its
modification time changed, so tokens created or revoked while the server runs count at
the next request. Holding the old file open keeps its inode number from being reused by a
new file that could then look unchanged.

Costs: a check is a ``stat`` and one SHA-256 and one comparison per token (microseconds for
a few hundred writers); a change costs one read and parse of the file (a few hundred
bytes per token). Creating or revoking rewrites the whole file and syncs it to disk.
"""

from __future__ import annotations

import binascii
import errno
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from urbankg.errors import UrbankgError

FILE_NAME = "tokens.json"
ENV = "URBANKG_TOKENS_FILE"
FORMAT = 1
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
NAME_RULE = (
    "a name is 1 to 64 characters: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"
)
TOKEN_BYTES = 32


class TokenError(UrbankgError):
    """The token file cannot be used, or a request to change it cannot be done."""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise TokenError(f"{name!r} is not a token name: {NAME_RULE} (e.g. 'alice' or 'lab.zhang-2')")
    return name


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


@dataclass(frozen=True)
class Entry:
    name: str
    created: str
    sha256: bytes


class TokenRegistry:
    """The named tokens of one file. Safe to share between threads; several processes may
    change the file at once."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._guard = threading.Lock()
        self._held: int | None = None  # the file the cached entries were read from, kept open (see module doc)
        self._key: tuple | None = None
        self._entries: tuple[Entry, ...] = ()

    # -- reading ----------------------------------------------------------------------

    def names(self) -> list[tuple[str, str]]:
        """(name, created) of every token, by name."""
        return sorted((e.name, e.created) for e in self.entries())

    def has_tokens(self) -> bool:
        return bool(self.entries())

    def agent_for(self, token: str | None) -> str | None:
        """The name the token was created under, or None when it is none of this file's."""
        if not token:
            return None
        presented = digest(token)
        found = None
        # Every entry is compared, so the time taken says nothing about which one matched.
        for entry in self.entries():
            if hmac.compare_digest(presented, entry.sha256):
                found = entry.name
        return found

    def entries(self) -> tuple[Entry, ...]:
        """The file's entries, read again only when the file changed since the last call."""
        with self._guard:
            try:
                handle = open(self.path, "rb")  # noqa: SIM115 (kept open while cached)
            except FileNotFoundError:
                self._forget()
                return ()
            except OSError as exc:
                raise TokenError(f"cannot read the token file {self.path}: {exc.strerror}") from exc
            with handle:
                info = os.fstat(handle.fileno())
                key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
                if key == self._key:
                    return self._entries
                self._check_permissions(info)
                entries = _parse(handle.read(), self.path)
                self._forget()
                self._held, self._key, self._entries = os.dup(handle.fileno()), key, entries
                return entries

    def _forget(self) -> None:
        if self._held is not None:
            os.close(self._held)
        self._held, self._key, self._entries = None, None, ()

    def close(self) -> None:
        with self._guard:
            self._forget()

    def _check_permissions(self, info: os.stat_result) -> None:
        if info.st_mode & 0o022:
            raise TokenError(
                f"the token file {self.path} may be written by {_who(info.st_mode)} (mode "
                f"{stat.S_IMODE(info.st_mode):04o}): anyone who can write it can add a token of their own. "
                f"Make it writable by its owner only: chmod go-w {self.path}"
            )
        folder = os.stat(self.path.parent)
        if folder.st_mode & stat.S_IWOTH and not folder.st_mode & stat.S_ISVTX:
            raise TokenError(
                f"the token file {self.path} is in a folder anyone may write ({self.path.parent}, mode "
                f"{stat.S_IMODE(folder.st_mode):04o}), where anyone can replace it with one of their own. "
                f"Keep it in a folder only its owner may write (or set URBANKG_TOKENS_FILE to a path in one)"
            )

    # -- changing ---------------------------------------------------------------------

    def create(self, name: str) -> str:
        """A new token for ``name``, returned this once: only its digest is kept."""
        check_name(name)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        entry = Entry(name, datetime.now(UTC).isoformat(timespec="seconds"), digest(token))
        with self._locked() as (entries, info):
            if any(e.name == name for e in entries):
                raise TokenError(
                    f"{self.path} already holds a token named {name!r} (one token per name): "
                    f"revoke it first with `urbankg tokens revoke {name}`, or choose another name"
                )
            self._write([*entries, entry], info)
        return token

    def revoke(self, name: str) -> bool:
        """Remove ``name``'s token; False when there is none."""
        check_name(name)
        if not self.path.exists():
            return False  # nothing to revoke, and no empty file left behind
        with self._locked() as (entries, info):
            kept = [e for e in entries if e.name != name]
            if len(kept) == len(entries):
                return False
            self._write(kept, info)
        return True

    @contextmanager
    def _locked(self) -> Iterator[tuple[list[Entry], os.stat_result]]:
        """The file's entries under an exclusive lock held until the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                raise TokenError(f"cannot open the token file {self.path}: {exc.strerror}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                info = os.fstat(fd)
                try:
                    now = os.stat(self.path)
                except FileNotFoundError:
                    now = None
                if now is not None and (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                    break
            except BaseException:
                os.close(fd)
                raise
            # Another writer renamed a new file into place while we waited: lock that one.
            os.close(fd)
        try:
            self._check_permissions(info)
            with os.fdopen(os.dup(fd), "rb") as handle:
                entries = list(_parse(handle.read(), self.path))
            yield entries, info
        finally:
            os.close(fd)  # releases the lock, after the rename

    def _write(self, entries: list[Entry], old: os.stat_result) -> None:
        # One token a line, so a diff or a glance at the file shows who was added or removed.
        lines = [json.dumps({"name": e.name, "created": e.created, "sha256": e.sha256.hex()}) for e in entries]
        body = "\n" + ",\n".join(lines) + "\n" if lines else ""
        text = f'{{"format": {FORMAT}, "tokens": [{body}]}}\n'
        fd, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                # Owner read/write, plus the group read bit of the file it replaces.
                os.fchmod(out.fileno(), 0o600 | (stat.S_IMODE(old.st_mode) & stat.S_IRGRP))
                with suppress(OSError):  # not a member of that group: the file keeps ours
                    os.fchown(out.fileno(), -1, old.st_gid)
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _sync_folder(self.path.parent)


def _parse(raw: bytes, path: Path) -> tuple[Entry, ...]:
    if not raw.strip():
        return ()  # created empty by a writer that has not written yet, or emptied by hand
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TokenError(
            f"{path}: not UTF-8 text at byte {exc.start}; the file is written by `urbankg tokens`, "
            "restore it or create the tokens again"
        ) from None
    except json.JSONDecodeError as exc:
        raise TokenError(
            f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); the file is written by "
            "`urbankg tokens`, restore it or create the tokens again"
        ) from None
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or not isinstance(document.get("tokens"), list)
    ):
        raise TokenError(
            f"{path}: not a token file of format {FORMAT}: expected "
            '{"format": 1, "tokens": [{"name": ..., "created": ..., "sha256": ...}, ...]}'
        )
    entries: list[Entry] = []
    names: set[str] = set()
    digests: dict[bytes, str] = {}
    for number, item in enumerate(document["tokens"], 1):
        where = f"{path}: token {number}"
        if not isinstance(item, dict):
            raise TokenError(f"{where} is not an object with name, created and sha256")
        name, created, hexdigest = item.get("name"), item.get("created"), item.get("sha256")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise TokenError(f"{where} has the name {name!r}: {NAME_RULE}")
        if not isinstance(created, str):
            raise TokenError(f"{where} ({name}) has no 'created' time (ISO 8601 text)")
        try:
            value = binascii.unhexlify(hexdigest) if isinstance(hexdigest, str) else b""
        except binascii.Error:
            value = b""
        if len(value) != hashlib.sha256().digest_size:
            raise TokenError(f"{where} ({name}) has no valid 'sha256' (64 hexadecimal digits)")
        if name in names:
            raise TokenError(f"{where}: the name {name!r} is there twice; one token per name: remove one")
        if value in digests:
            raise TokenError(
                f"{where} ({name}) has the digest of {digests[value]!r}'s token: one token "
                "would write under two names; remove one"
            )
        names.add(name)
        digests[value] = name
        entries.append(Entry(name, created, value))
    return tuple(entries)


def _who(mode: int) -> str:
    return " and ".join(who for who, bit in (("its group", stat.S_IWGRP), ("other users", stat.S_IWOTH)) if mode & bit)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable: a crash right after must not bring back the old file."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):  # folders some file systems cannot sync
            raise
    finally:
        os.close(fd)


def default_file(store_dir: Path | str) -> Path:
    """Where the embedded store in ``store_dir`` keeps its tokens."""
    return Path(store_dir) / FILE_NAME


_shared: dict[Path, TokenRegistry] = {}
_shared_guard = threading.Lock()


def shared(path: Path | str) -> TokenRegistry:
    """One registry per file in this process, so its cache lasts from one request to the next."""
    key = Path(os.path.abspath(path))
    with _shared_guard:
        registry = _shared.get(key)
        if registry is None:
            registry = _shared[key] = TokenRegistry(key)
        return registry
