"""Settings: explicit arguments, then environment, then the config file's profile."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from explorer.api import Client, ConfigError, InsecureConfigWarning, Settings
from explorer.api.settings import default_config_path, normalize_host

KEY = "phx_settings_secret_123"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write(
        tmp_path / "config.toml",
        f"""
default_profile = "us"

[profiles.us]
host = "us"
project_id = 111
api_key_env = "US_KEY"

[profiles.eu]
host = "https://eu.posthog.com/"
project_id = "222"
api_key = "{KEY}"
read_only = true

[profiles.local]
host = "localhost:8010"
project_id = "@current"
api_key = "phx_local"
api_prefix = "environments"
""",
    )


def test_explicit_arguments_win(config: Path) -> None:
    env = {"POSTHOG_HOST": "eu", "POSTHOG_PERSONAL_API_KEY": "phx_env", "US_KEY": "phx_us"}
    s = Settings.resolve("https://ph.example.com/", "phx_arg", 9, config_path=config, env=env)
    assert (s.host, s.api_key, s.project_id) == ("https://ph.example.com", "phx_arg", 9)


def test_environment_beats_the_default_profile(config: Path) -> None:
    env = {"POSTHOG_PROJECT_ID": "333", "US_KEY": "phx_us"}
    s = Settings.resolve(config_path=config, env=env)
    assert (s.host, s.api_key, s.project_id, s.profile) == (
        "https://us.posthog.com",
        "phx_us",
        333,
        "us",
    )


def test_environment_alone(tmp_path: Path) -> None:
    env = {
        "POSTHOG_HOST": "eu",
        "POSTHOG_PERSONAL_API_KEY": "phx_env",
        "POSTHOG_PROJECT_ID": "5",
    }
    s = Settings.resolve(config_path=tmp_path / "absent.toml", env=env)
    assert (s.host, s.api_key, s.project_id, s.profile) == (
        "https://eu.posthog.com",
        "phx_env",
        5,
        None,
    )


def test_profile_from_env_variable_and_explicit_profile(config: Path) -> None:
    s = Settings.resolve(config_path=config, env={"POSTHOG_EXPLORER_PROFILE": "eu"})
    assert (s.host, s.project_id, s.read_only, s.api_key) == (
        "https://eu.posthog.com",
        222,
        True,
        KEY,
    )
    # A profile named explicitly is itself explicit: it beats the environment.
    s = Settings.resolve(profile="local", config_path=config, env={"POSTHOG_HOST": "eu"})
    assert (s.host, s.project_id, s.api_prefix) == (
        "http://localhost:8010",
        "@current",
        "environments",
    )


def test_config_path_from_environment(config: Path) -> None:
    s = Settings.resolve(env={"POSTHOG_EXPLORER_CONFIG": str(config), "US_KEY": "phx_us"})
    assert s.profile == "us"


def test_missing_values_say_where_to_set_them(tmp_path: Path) -> None:
    absent = tmp_path / "none.toml"
    with pytest.raises(ConfigError, match="POSTHOG_PERSONAL_API_KEY"):
        Settings.resolve(config_path=absent, env={})
    with pytest.raises(ConfigError, match="POSTHOG_HOST"):
        Settings.resolve(api_key="phx_a", config_path=absent, env={})
    with pytest.raises(ConfigError, match="POSTHOG_PROJECT_ID"):
        Settings.resolve("us", "phx_a", config_path=absent, env={})
    with pytest.raises(ConfigError, match=r"No profile 'nope'.*profiles: none"):
        Settings.resolve(profile="nope", config_path=absent, env={})


def test_api_key_env_that_is_unset(config: Path) -> None:
    with pytest.raises(ConfigError, match="reads the API key from US_KEY, which is not set"):
        Settings.resolve(config_path=config, env={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[profiles.a]\nhost = 'us'\nkey = 'phx_x'\n", "Unknown keys in profile 'a'.*key"),
        ("default_profile = 'a'\n[profiles.a]\nproject_id = 'abc'\n", "project_id"),
        ("profiles = 3\n", "profiles must be tables"),
        ("[profiles.a\n", "not valid TOML"),
        ("colour = 'blue'\n", "Unknown keys"),
        ("[profiles.a]\napi_key = 'phx_1'\napi_key_env = 'K'\n", "both api_key and api_key_env"),
        ("[profiles.a]\nread_only = 'yes'\n", "read_only .* must be true or false"),
    ],
)
def test_config_file_is_validated_strictly(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError, match=message):
        Settings.resolve("us", "phx_a", 1, profile="a", config_path=path, env={})


def test_readable_config_with_a_key_warns(config: Path) -> None:
    os.chmod(config, 0o644)
    with pytest.warns(InsecureConfigWarning, match="chmod 600"):
        Settings.resolve(profile="eu", config_path=config, env={})
    os.chmod(config, 0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Settings.resolve(profile="eu", config_path=config, env={})


def test_readable_config_without_keys_does_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[profiles.a]\nhost='us'\napi_key_env='K'\n", 0o644)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Settings.resolve(project_id=1, profile="a", config_path=path, env={"K": "phx_k"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("us", "https://us.posthog.com"),
        ("EU", "https://eu.posthog.com"),
        ("https://us.posthog.com///", "https://us.posthog.com"),
        ("posthog.example.com", "https://posthog.example.com"),
        ("https://Example.com:8443/posthog/", "https://example.com:8443/posthog"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_hosts_are_normalised(given: str, expected: str) -> None:
    assert normalize_host(given) == expected


def test_http_refused_for_remote_hosts_unless_allowed() -> None:
    with pytest.raises(ConfigError, match=r"Refusing http:// to posthog.internal"):
        normalize_host("http://posthog.internal")
    assert normalize_host("http://posthog.internal", allow_http=True) == "http://posthog.internal"
    s = Settings("http://posthog.internal", 1, "phx_a", allow_http=True)
    assert s.host == "http://posthog.internal"


@pytest.mark.parametrize("host", ["us.i.posthog.com", "https://eu.i.posthog.com/"])
def test_ingestion_host_is_rejected_naming_the_app_host(host: str) -> None:
    region = "us" if host.startswith("us") else "eu"
    with pytest.raises(ConfigError, match=rf"ingestion host.*use https://{region}.posthog.com"):
        normalize_host(host)


def test_bad_hosts_and_keys() -> None:
    with pytest.raises(ConfigError, match="not a web address"):
        normalize_host("ftp://x")
    with pytest.raises(ConfigError, match="project API key"):
        Settings("us", 1, "phc_project_token")
    with pytest.raises(ConfigError, match="project_id must be a positive number"):
        Settings("us", "twelve", "phx_a")


def test_key_never_in_repr() -> None:
    s = Settings("us", 1, KEY)
    assert KEY not in repr(s) and KEY not in str(s)
    client = Client(settings=s)
    try:
        assert KEY not in repr(client)
    finally:
        client.close()


def test_client_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOG_HOST", "eu")
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_from_env")
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "42")
    with Client() as client:
        assert client.settings.host == "https://eu.posthog.com"
        assert client.settings.project_id == 42


def test_default_config_path_is_in_the_user_config_dir() -> None:
    path = default_config_path()
    assert path.name == "config.toml" and path.parent.name == "dataset-explorer"


def test_explicit_arguments_override_given_settings() -> None:
    base = Settings("us", 1, KEY)
    with Client(settings=base, read_only=True, project_id=2) as client:
        assert client.read_only and client.settings.project_id == 2
        assert client.settings.host == "https://us.posthog.com"
    with pytest.raises(ValueError, match="not both"):
        Client(settings=base, profile="x")


def test_surrounding_whitespace_in_the_key_is_dropped() -> None:
    assert Settings("us", 1, " phx_abc\n").api_key == "phx_abc"
    with pytest.raises(ConfigError, match="spaces"):
        Settings("us", 1, "phx_a bc")


def test_saving_a_profile_never_leaves_a_truncated_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from explorer.api.settings import save_profile

    path = tmp_path / "config.toml"
    first = Settings("http://127.0.0.1:8010", 1, "phx_first_key")
    save_profile(path, "first", first)
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("the disk went away mid-save")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_profile(path, "second", Settings("http://127.0.0.1:8011", 2, "phx_second_key"))
    assert path.read_bytes() == before  # the first profile is intact
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left
    monkeypatch.undo()
    save_profile(path, "second", Settings("http://127.0.0.1:8011", 2, "phx_second_key"))
    assert "[profiles.first]" in path.read_text() and "[profiles.second]" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
