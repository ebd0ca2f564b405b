"""Named write tokens: the file keeps digests only, one token per name, several writers at once.

Real files in tmp_path, real processes for the concurrency tests, the `tokens` click group
through CliRunner (with the CLI's own Context object) and as a subprocess.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from urbankg.cli import Context
from urbankg.cli_tokens import tokens
from urbankg.tokens import TokenError, TokenRegistry, check_name, default_file

# Each process waits for the go file, so all of them run their creates at the same time.
RACER = """
import os, sys, time
from urbankg.tokens import TokenRegistry, TokenError
path, go, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
while not os.path.exists(go):
    time.sleep(0.001)
registry = TokenRegistry(path)
made = 0
for i in range(count):
    try:
        registry.create(prefix if count == 1 else f"{prefix}-{i}")
        made += 1
    except TokenError as exc:
        print(exc, file=sys.stderr)
print(made)
"""


def race(path: Path, go: Path, jobs: list[tuple[str, int]]) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), str(go), prefix, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix, count in jobs
    ]
    time.sleep(1.0)  # every interpreter started and waiting
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_a_token_is_shown_once_and_only_its_digest_is_kept(tmp_path):
    path = tmp_path / "tokens.json"
    registry = TokenRegistry(path)
    token = registry.create("alice")
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 random bits, URL-safe
    text = path.read_text()
    assert token not in text
    assert json.loads(text)["tokens"] == [
        {"name": "alice", "created": registry.names()[0][1], "sha256": hashlib.sha256(token.encode()).hexdigest()}
    ]
    assert registry.agent_for(token) == "alice"
    assert registry.agent_for(token[:-1]) is None and registry.agent_for("") is None
    assert registry.agent_for(None) is None
    assert registry.create("bob") != token


def test_one_token_per_name_revoke_first(tmp_path):
    registry = TokenRegistry(tmp_path / "tokens.json")
    first = registry.create("alice")
    with pytest.raises(TokenError, match=r"already holds a token named 'alice'.*urbankg tokens revoke alice"):
        registry.create("alice")
    assert registry.agent_for(first) == "alice"  # the refusal changed nothing
    assert registry.revoke("alice") is True and registry.agent_for(first) is None
    assert registry.revoke("alice") is False
    second = registry.create("alice")
    assert registry.agent_for(second) == "alice" and registry.agent_for(first) is None
    assert [name for name, _ in registry.names()] == ["alice"]


def test_revoking_in_a_missing_file_leaves_no_file(tmp_path):
    path = tmp_path / "tokens.json"
    assert TokenRegistry(path).revoke("alice") is False and not path.exists()
    assert TokenRegistry(path).names() == [] and not TokenRegistry(path).has_tokens()


@pytest.mark.parametrize(
    "name", ["", "Alice", ".hidden", "-dash", "a b", "a/b", "zoë", "a" * 65, "alice\n", "../x", "a:b"]
)
def test_names_are_plain(tmp_path, name):
    with pytest.raises(TokenError, match="is not a token name: a name is 1 to 64 characters"):
        TokenRegistry(tmp_path / "tokens.json").create(name)
    assert not (tmp_path / "tokens.json").exists() or TokenRegistry(tmp_path / "tokens.json").names() == []


@pytest.mark.parametrize("name", ["a", "alice", "lab.zhang-2", "x_y", "0", "a" * 64])
def test_names_that_are_taken(name):
    assert check_name(name) == name


def test_the_file_is_private_and_a_group_read_bit_is_kept(tmp_path):
    path = tmp_path / "tokens.json"
    registry = TokenRegistry(path)
    registry.create("alice")
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)  # a server running as another user of the file's group reads it
    registry.create("bob")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [n for n, _ in TokenRegistry(path).names()] == ["alice", "bob"]


@pytest.mark.parametrize("mode, who", [(0o620, "its group"), (0o602, "other users"), (0o666, "its group and other")])
def test_a_file_others_may_write_is_refused(tmp_path, mode, who):
    path = tmp_path / "tokens.json"
    registry = TokenRegistry(path)
    token = registry.create("alice")
    path.chmod(mode)
    reader = TokenRegistry(path)
    with pytest.raises(TokenError, match=f"may be written by {who}.*chmod go-w {path}"):
        reader.agent_for(token)
    with pytest.raises(TokenError, match="chmod go-w"):
        registry.create("mallory")
    path.chmod(0o600)
    assert reader.agent_for(token) == "alice" and [n for n, _ in reader.names()] == ["alice"]


def test_a_file_in_a_folder_anyone_may_write_is_refused_unless_sticky(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    registry = TokenRegistry(folder / "tokens.json")
    token = registry.create("alice")
    folder.chmod(0o777)
    with pytest.raises(TokenError, match=r"in a folder anyone may write .*mode 0777"):
        TokenRegistry(folder / "tokens.json").agent_for(token)
    folder.chmod(0o1777)  # like /tmp: nobody may replace another user's file
    assert TokenRegistry(folder / "tokens.json").agent_for(token) == "alice"


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"format": 1, "tokens": [\n{"name": "a",}\n]}', r"tokens.json:2:\d+: not JSON"),
        ('{"tokens": []}', "not a token file of format 1"),
        ('{"format": 1, "tokens": [{"name": "A", "created": "x", "sha256": "' + "0" * 64 + '"}]}', "token 1 has"),
        ('{"format": 1, "tokens": [{"name": "a", "created": "x", "sha256": "abc"}]}', r"token 1 \(a\) has no valid"),
        ('{"format": 1, "tokens": [{"name": "a", "sha256": "' + "0" * 64 + '"}]}', "no 'created' time"),
        (
            '{"format": 1, "tokens": [{"name": "a", "created": "x", "sha256": "' + "0" * 64 + '"},'
            ' {"name": "a", "created": "x", "sha256": "' + "1" * 64 + '"}]}',
            "token 2: the name 'a' is there twice",
        ),
        (
            '{"format": 1, "tokens": [{"name": "a", "created": "x", "sha256": "' + "0" * 64 + '"},'
            ' {"name": "b", "created": "x", "sha256": "' + "0" * 64 + '"}]}',
            r"token 2 \(b\) has the digest of 'a'",
        ),
    ],
)
def test_a_damaged_file_is_named_with_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "tokens.json"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(TokenError, match=message) as refusal:
        TokenRegistry(path).names()
    assert str(path) in str(refusal.value)
    with pytest.raises(TokenError):  # nor is it rewritten, losing what it held
        TokenRegistry(path).create("c")
    assert path.read_text() == text


def test_a_reader_sees_every_create_and_revoke_at_once(tmp_path):
    """The server's registry caches the file; each change is seen at the next use, also when
    the file's size comes back to what it was."""
    path = tmp_path / "tokens.json"
    server, cli = TokenRegistry(path), TokenRegistry(path)
    assert not server.has_tokens()
    for i in range(50):
        name = f"w{i % 10}"  # same length each time: the file's size repeats
        token = cli.create(name)
        assert server.agent_for(token) == name
        assert cli.revoke(name)
        assert server.agent_for(token) is None
    assert not server.has_tokens()


def test_a_reader_never_sees_half_a_file(tmp_path):
    path = tmp_path / "tokens.json"
    writer, reader = TokenRegistry(path), TokenRegistry(path)
    seen, failures, done = set(), [], threading.Event()

    def read():
        while not done.is_set():
            try:
                seen.add(len(reader.names()))
            except TokenError as exc:  # a torn or empty-by-accident file
                failures.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(100):
            writer.create(f"n{i}")
    finally:
        done.set()
        thread.join()
    assert failures == []
    assert len(reader.names()) == 100 and len(seen) > 2  # it read while the file changed


def test_concurrent_creates_in_several_processes_all_land(tmp_path):
    path, go = tmp_path / "tokens.json", tmp_path / "go"
    results = race(path, go, [(f"p{k}", 25) for k in range(6)])
    assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results]
    assert [r.stdout.strip() for r in results] == ["25"] * 6
    names = [name for name, _ in TokenRegistry(path).names()]
    assert len(names) == 150 and set(names) == {f"p{k}-{i}" for k in range(6) for i in range(25)}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_the_same_names_created_at_once_by_several_processes_go_to_one_each(tmp_path):
    path, go = tmp_path / "tokens.json", tmp_path / "go"
    results = race(path, go, [("alice", 20)] * 6)  # each process tries alice-0 ... alice-19
    assert [r.returncode for r in results] == [0] * 6
    assert sum(int(r.stdout) for r in results) == 20  # each name made once, by one of them
    assert sum(r.stderr.count("already holds a token named 'alice-") for r in results) == 100
    assert [name for name, _ in TokenRegistry(path).names()] == sorted(f"alice-{i}" for i in range(20))


# -- the command line ---------------------------------------------------------------------------------------


def invoke(store_dir: Path | None, *args: str, remote: dict | None = None, env: dict | None = None):
    return CliRunner().invoke(tokens, list(args), obj=Context(store_dir, remote), env=env or {})


def test_create_list_revoke_in_the_stores_folder(tmp_path):
    store = tmp_path / "store"
    made = invoke(store, "create", "alice")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()  # the token alone on standard output, for $(urbankg tokens create x)
    assert "\n" not in token and len(token) == 43
    assert "will not be shown again" in made.stderr and str(default_file(store)) in made.stderr
    assert TokenRegistry(store / "tokens.json").agent_for(token) == "alice"
    listed = invoke(store, "list")
    assert listed.exit_code == 0 and listed.stdout.startswith("alice  20") and token not in listed.output
    again = invoke(store, "create", "alice")
    assert again.exit_code == 1 and "already holds a token named 'alice'" in again.stderr
    revoked = invoke(store, "revoke", "alice")
    assert revoked.exit_code == 0 and "Revoked alice's token" in revoked.stderr
    assert TokenRegistry(store / "tokens.json").agent_for(token) is None
    missing = invoke(store, "revoke", "alice")
    assert missing.exit_code == 1 and "holds no token named 'alice'" in missing.stderr
    empty = invoke(store, "list")
    assert empty.exit_code == 0 and empty.stdout == "" and "No named tokens" in empty.stderr


def test_the_file_option_and_variable_name_another_file(tmp_path):
    store, elsewhere, by_env = tmp_path / "store", tmp_path / "a" / "t.json", tmp_path / "env.json"
    assert invoke(store, "create", "bob", "--file", str(elsewhere)).exit_code == 0
    assert invoke(store, "create", "carol", env={"URBANKG_TOKENS_FILE": str(by_env)}).exit_code == 0
    assert [n for n, _ in TokenRegistry(elsewhere).names()] == ["bob"]
    assert [n for n, _ in TokenRegistry(by_env).names()] == ["carol"]
    assert not (store / "tokens.json").exists()


def test_a_remote_store_needs_a_named_file(tmp_path):
    remote = {"query_endpoint": "http://127.0.0.1:1/sparql"}
    refused = invoke(tmp_path / "store", "create", "alice", remote=remote)
    assert refused.exit_code == 2 and "a remote store has no folder" in refused.stderr and "--file" in refused.stderr
    made = invoke(None, "create", "alice", "--file", str(tmp_path / "t.json"), remote=remote)
    assert made.exit_code == 0 and TokenRegistry(tmp_path / "t.json").has_tokens()


def test_a_bad_name_and_a_damaged_file_are_errors_not_tracebacks(tmp_path):
    bad = invoke(tmp_path, "create", "Alice")
    assert bad.exit_code == 1 and "'Alice' is not a token name" in bad.stderr and bad.exception is not None
    assert isinstance(bad.exception, SystemExit)
    (tmp_path / "tokens.json").write_text("{")
    damaged = invoke(tmp_path, "list")
    assert damaged.exit_code == 1 and "tokens.json:1:2: not JSON" in damaged.stderr


def test_command_line_creates_started_at_once_all_land(tmp_path):
    """The command itself, in processes started together. Their writes overlap: without the
    lock, this test lost tokens in 3 runs of 3 (as did the two races above)."""
    path = tmp_path / "tokens.json"
    env = {**os.environ, "URBANKG_TOKENS_FILE": str(path)}
    names = [f"scholar-{i}" for i in range(8)]
    commands = [[sys.executable, "-m", "urbankg.cli_tokens", "create", name] for name in names]
    processes = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, outputs
    registry = TokenRegistry(path)
    assert [registry.agent_for(out.strip()) for out, _ in outputs] == names
