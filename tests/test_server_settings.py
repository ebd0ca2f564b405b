"""Settings from the environment and from `urbankg serve` options."""

import pytest

from urbankg.errors import UrbankgError
from urbankg.server.settings import Settings


def test_defaults_are_read_only_with_the_documented_limits():
    settings = Settings.from_env({})
    assert settings.read_only and settings.token is None
    assert (settings.query_timeout, settings.max_rows, settings.max_body) == (30.0, 10000, 10 * 1024 * 1024)
    assert settings.service_allow == () and settings.cors_origins == ()


def test_environment_variables(tmp_path):
    env = {"URBANKG_TOKEN": "abc", "URBANKG_QUERY_TIMEOUT": "2.5", "URBANKG_MAX_ROWS": "50", "URBANKG_MAX_BODY": "1000",
           "URBANKG_SERVICE_ALLOW": "https://query.wikidata.org/sparql, https://dbpedia.org/sparql",
           "URBANKG_CORS_ORIGINS": "https://a.example https://b.example", "URBANKG_WORKERS": "3"}
    settings = Settings.from_env(env)
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


@pytest.mark.parametrize("env, message", [
    ({"URBANKG_MAX_ROWS": "lots"}, "URBANKG_MAX_ROWS='lots' is not a whole number"),
    ({"URBANKG_QUERY_TIMEOUT": "-1"}, "must be positive"),
    ({"URBANKG_WORKERS": "0"}, "at least one query worker"),
])
def test_bad_values_say_what_is_wrong(env, message):
    with pytest.raises(UrbankgError, match=message):
        Settings.from_env(env)
