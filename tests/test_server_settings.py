"""Settings from the environment and from `urbankg serve` options."""

import os

import pytest

from urbankg.errors import UrbankgError
from urbankg.server.settings import Settings


def test_defaults_are_read_only_with_the_documented_limits():
    settings = Settings.from_env({})
    assert settings.read_only and settings.token is None
    assert (settings.query_timeout, settings.max_rows, settings.max_body) == (30.0, 10000, 10 * 1024 * 1024)
    assert settings.service_allow == () and settings.cors_origins == ()
    assert settings.max_result_bytes == 16 * 1024 * 1024
    assert (settings.client_queries, settings.reserve_seconds, settings.queue_seconds) == (2, 3.0, 10.0)


def test_a_query_process_gets_its_share_of_the_machines_memory_unless_told():
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert Settings.from_env({}).worker_memory_bytes() == physical // 3  # two processes and the server
    assert Settings.from_env({"URBANKG_WORKERS": "3"}).worker_memory_bytes() == physical // 4
    assert Settings.from_env({"URBANKG_WORKER_MEMORY_MB": "512"}).worker_memory_bytes() == 512 * 1024 * 1024
    assert Settings.from_env({"URBANKG_WORKER_MEMORY_MB": "0"}).worker_memory_bytes() is None


def test_environment_variables(tmp_path):
    env = {
        "URBANKG_TOKEN": "abc",
        "URBANKG_QUERY_TIMEOUT": "2.5",
        "URBANKG_MAX_ROWS": "50",
        "URBANKG_MAX_BODY": "1000",
        "URBANKG_SERVICE_ALLOW": "https://query.wikidata.org/sparql, https://dbpedia.org/sparql",
        "URBANKG_CORS_ORIGINS": "https://a.example https://b.example",
        "URBANKG_WORKERS": "3",
        "URBANKG_MAX_RESULT_BYTES": "5000000",
        "URBANKG_CLIENT_QUERIES": "4",
        "URBANKG_RESERVE_SECONDS": "1.5",
        "URBANKG_QUEUE_SECONDS": "20",
    }
    settings = Settings.from_env(env)
    assert (settings.max_result_bytes, settings.client_queries, settings.reserve_seconds, settings.queue_seconds) == (
        5000000,
        4,
        1.5,
        20.0,
    )
    assert settings.token == "abc" and not settings.read_only
    assert (settings.query_timeout, settings.max_rows, settings.max_body, settings.workers) == (2.5, 50, 1000, 3)
    assert settings.service_allow == ("https://query.wikidata.org/sparql", "https://dbpedia.org/sparql")
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_token_file_from_env_or_option(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    assert Settings.from_env({"URBANKG_TOKEN_FILE": str(token_file)}).token == "s3cret"
    assert Settings.from_env({"URBANKG_TOKEN": "from-env"}, token_file=token_file).token == "s3cret"  # option wins
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(UrbankgError, match="empty"):
        Settings.from_env({"URBANKG_TOKEN_FILE": str(tmp_path / "empty")})
    with pytest.raises(UrbankgError, match="cannot read the token file"):
        Settings.from_env({"URBANKG_TOKEN_FILE": str(tmp_path / "missing")})


def test_options_override_and_none_means_not_given():
    settings = Settings.from_env({"URBANKG_MAX_ROWS": "50"}, max_rows=None, query_timeout=3.0, workers=None)
    assert settings.max_rows == 50 and settings.query_timeout == 3.0 and settings.workers == 2


@pytest.mark.parametrize(
    "env, message",
    [
        ({"URBANKG_MAX_ROWS": "lots"}, "URBANKG_MAX_ROWS='lots' is not a whole number"),
        ({"URBANKG_QUERY_TIMEOUT": "-1"}, "must be positive"),
        ({"URBANKG_WORKERS": "0"}, "at least one query worker"),
        ({"URBANKG_MAX_RESULT_BYTES": "100"}, "URBANKG_MAX_RESULT_BYTES must be at least 1024"),
        ({"URBANKG_MAX_RESULT_BYTES": "16MB"}, "URBANKG_MAX_RESULT_BYTES='16MB' is not a whole number"),
        ({"URBANKG_WORKER_MEMORY_MB": "64"}, "URBANKG_WORKER_MEMORY_MB must be 0 .no limit. or at least 256"),
        ({"URBANKG_CLIENT_QUERIES": "0"}, "URBANKG_CLIENT_QUERIES must be at least 1"),
        ({"URBANKG_RESERVE_SECONDS": "0"}, "URBANKG_RESERVE_SECONDS and URBANKG_QUEUE_SECONDS must be positive"),
        ({"URBANKG_QUEUE_SECONDS": "-2"}, "URBANKG_RESERVE_SECONDS and URBANKG_QUEUE_SECONDS must be positive"),
    ],
)
def test_bad_values_say_what_is_wrong(env, message):
    with pytest.raises(UrbankgError, match=message):
        Settings.from_env(env)
