"""Who may write, under which name, and the 401 every client understands.

Real servers (tests/endpoint.py: an on-disk store, waitress on a loopback port), the token
file changed beside them as `urbankg tokens` changes it, and real clients: requests,
Python's urllib with its Basic handler, and curl --anyauth.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
import requests

from endpoint import TOKEN, endpoint
from urbankg.errors import UrbankgError
from urbankg.server.auth import current_agent, require_write_token
from urbankg.server.http_errors import HttpError
from urbankg.server.settings import Settings
from urbankg.tokens import TokenRegistry

INSERT = (
    b"INSERT DATA { GRAPH <https://example.org/g/notes> { <https://example.org/note> <https://example.org/by> 'x' } }"
)
NOTES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g/notes> { ?s ?p ?o } }"
UPDATE = {"Content-Type": "application/sparql-update"}


NOTES_GRAPH = "https://example.org/g/notes"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A server with the single token (URBANKG_TOKEN) and the store's token file."""
    with endpoint(tmp_path_factory.mktemp("mixed") / "store", Settings(token=TOKEN, workers=1)) as ep:
        yield ep


@pytest.fixture
def tokens(mixed):
    """The token file of ``mixed``'s store, as `urbankg tokens` writes it; emptied after the test,
    and the notes the test wrote dropped."""
    path = mixed.kg.store.path / "tokens.json"
    yield TokenRegistry(path)
    path.unlink(missing_ok=True)
    mixed.kg.store.drop_graph(NOTES_GRAPH)


def delete_missing(ep, token: str | None = None, **kwargs) -> requests.Response:
    """A write that changes nothing once let through: a Graph Store DELETE of a graph that
    does not exist answers 404 after the token is checked, 401 or 403 before."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.delete(ep.url + "/graph/never-made", headers=headers, timeout=30, **kwargs)


def challenges(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("WWW-Authenticate")


def test_tokens_created_and_revoked_while_the_server_runs_count_at_the_next_request(tmp_path):
    store = tmp_path / "store"
    with endpoint(store, Settings(workers=1)) as ep:
        tokens = TokenRegistry(store / "tokens.json")  # where `urbankg tokens` writes for this store
        refused = delete_missing(ep, TOKEN)
        assert refused.status_code == 403 and "urbankg tokens create NAME" in refused.json()["error"]
        assert challenges(refused) == []  # no token would help
        assert requests.get(ep.url + "/health", timeout=30).json()["read_only"] is True
        alice = tokens.create("alice")
        assert delete_missing(ep, alice).status_code == 404
        assert requests.get(ep.url + "/health", timeout=30).json()["read_only"] is False  # a named token writes
        assert delete_missing(ep).status_code == 401
        assert delete_missing(ep, alice + "x").status_code == 401
        bob = tokens.create("bob")
        assert tokens.revoke("alice")
        assert delete_missing(ep, alice).status_code == 401
        assert delete_missing(ep, bob).status_code == 404
        assert delete_missing(ep, auth=("anyone", bob)).status_code == 404  # Basic, the token as password
        assert tokens.revoke("bob")
        assert delete_missing(ep, bob).status_code == 403  # no token left: read-only again


def test_a_401_challenges_bearer_and_basic_in_two_headers(mixed, tokens):
    missing = delete_missing(mixed)
    assert missing.status_code == 401 and missing.headers["Content-Type"] == "application/json"
    assert challenges(missing) == ['Bearer realm="urbankg"', 'Basic realm="urbankg", charset="UTF-8"']
    assert "Authorization: Bearer <token>" in missing.json()["error"] and "HTTP Basic" in missing.json()["error"]
    wrong = requests.post(mixed.sparql, data=INSERT, headers={**UPDATE, "Authorization": "Bearer nope"}, timeout=30)
    assert wrong.status_code == 401 and wrong.headers["Content-Type"].startswith("text/plain")
    assert challenges(wrong) == [
        'Bearer realm="urbankg", error="invalid_token"',
        'Basic realm="urbankg", charset="UTF-8"',
    ]
    assert mixed.count(NOTES) == 0


def urllib_update(url: str, password: str | None) -> int:
    """What a Python client does that sends credentials only once challenged for Basic."""
    opener = urllib.request.build_opener()
    if password is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, "scholar", password)
        opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
    request = urllib.request.Request(url, data=INSERT, headers=UPDATE, method="POST")
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("named", [False, True], ids=["single token", "named token"])
def test_pythons_urllib_basic_handler_authenticates_once_challenged(mixed, tokens, named):
    token = tokens.create("alice") if named else TOKEN
    assert urllib_update(mixed.sparql, None) == 401
    assert urllib_update(mixed.sparql, token + "-wrong") == 401 and mixed.count(NOTES) == 0
    assert urllib_update(mixed.sparql, token) == 204
    assert mixed.count(NOTES) == 1


def test_curl_anyauth_authenticates_once_challenged(mixed, tokens):
    if shutil.which("curl") is None:
        pytest.skip("[component] curl is not installed (apt-get install curl)")
    token = tokens.create("alice")

    def curl(password: str) -> str:
        command = ["curl", "--silent", "--show-error", "--anyauth", "--user", f"scholar:{password}"]
        command += ["--header", "Content-Type: application/sparql-update", "--data-binary", INSERT.decode()]
        command += ["--output", os.devnull, "--write-out", "%{http_code}", mixed.sparql]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout

    assert curl("wrong") == "401" and mixed.count(NOTES) == 0
    assert curl(token) == "204"
    assert mixed.count(NOTES) == 1


def test_require_write_token_names_the_writer(mixed, tokens):
    alice = tokens.create("alice")
    for token, agent in ((TOKEN, "admin"), (alice, "alice")):
        for header in (f"Bearer {token}", "Basic " + base64.b64encode(f"scholar:{token}".encode()).decode()):
            with mixed.app.test_request_context(headers={"Authorization": header}):
                assert current_agent() is None
                assert require_write_token("a test write") == agent
                assert current_agent() == agent
    with mixed.app.test_request_context():
        with pytest.raises(HttpError) as refusal:
            require_write_token("a test write")
        assert refusal.value.status == 401 and current_agent() is None


def test_a_token_file_others_may_write_stops_named_writes_not_the_single_token(mixed, tokens):
    alice = tokens.create("alice")
    tokens.path.chmod(0o666)
    refused = delete_missing(mixed, alice)
    assert refused.status_code == 500
    message = refused.json()["error"]
    assert "token file (tokens.json) cannot be used" in message and str(tokens.path.parent) not in message
    assert delete_missing(mixed, TOKEN).status_code == 404
    tokens.path.chmod(0o600)
    assert delete_missing(mixed, alice).status_code == 404


def test_a_named_file_is_used_instead_of_the_stores_and_the_single_token_named(tmp_path):
    elsewhere = tmp_path / "secrets" / "tokens.json"
    store = tmp_path / "store"
    settings = Settings(tokens_file=elsewhere, token=TOKEN, token_name="lab-admin", workers=1)
    with endpoint(store, settings) as ep:
        in_store = TokenRegistry(store / "tokens.json").create("alice")
        assert delete_missing(ep, in_store).status_code == 401  # the store's file is not read
        bob = TokenRegistry(elsewhere).create("bob")
        assert delete_missing(ep, bob).status_code == 404
        with ep.app.test_request_context(headers={"Authorization": f"Bearer {TOKEN}"}):
            assert require_write_token("a test write") == "lab-admin"


def test_settings_of_named_tokens(tmp_path):
    settings = Settings.from_env({"URBANKG_TOKENS_FILE": str(tmp_path / "t.json"), "URBANKG_TOKEN_NAME": "ops"})
    assert settings.tokens_file == tmp_path / "t.json" and settings.token_name == "ops"
    assert settings.read_only  # the file holds no token yet
    TokenRegistry(tmp_path / "t.json").create("alice")
    assert not settings.read_only  # read when asked: no restart
    assert Settings.from_env({}, tokens_file=str(tmp_path / "o.json")).tokens_file == tmp_path / "o.json"
    assert Settings.from_env({}).token_name == "admin" and Settings.from_env({}).tokens_file is None
    with pytest.raises(UrbankgError, match="URBANKG_TOKEN_NAME='Root Admin' cannot name a writer"):
        Settings.from_env({"URBANKG_TOKEN_NAME": "Root Admin"})


def test_the_embedded_stores_folder_holds_its_tokens_unless_a_file_is_named(tmp_path):
    from urbankg.oxigraph_store import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    try:
        assert Settings().for_store(store).tokens_file == tmp_path / "store" / "tokens.json"
        assert Settings(tokens_file=tmp_path / "x.json").for_store(store).tokens_file == tmp_path / "x.json"
    finally:
        store.close()
    memory = OxigraphStore()
    try:
        assert Settings().for_store(memory).tokens_file is None
    finally:
        memory.close()
