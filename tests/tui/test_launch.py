"""What ``dataset-explorer`` does before the app draws: the [keys]/[tui] tables, what counts as
configured, a wrong configuration reported without starting, profiles saved by the form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.api import ConfigError, Settings
from explorer.tui.connect import save_profile
from explorer.tui.keys import load_tui_config
from explorer.tui.launch import LaunchOptions, _nothing_configured, launch
from tests.tui._app_harness import isolate_env

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]


def test_keys_and_tui_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[keys]\n"items.next_page" = "n,]"\n"app.quit" = ["ctrl+q", "q"]\n'
        '[tui]\npage_size = 100\ntheme = "nord"\n'
        '[profiles.a]\nhost = "us"\nproject_id = 1\napi_key = "phx_x"\n'
    )
    path.chmod(0o600)
    config = load_tui_config(path)
    assert config.keymap == {"items.next_page": "n,]", "app.quit": "ctrl+q,q"}
    assert (config.page_size, config.theme) == (100, "nord")
    # the client's settings accept the app's tables beside the profiles
    assert Settings.resolve(profile="a", config_path=path, env={}).host == "https://us.posthog.com"


@pytest.mark.parametrize(
    "text, says",
    [
        ('[keys]\n"not an id" = "x"\n', "not a binding id"),
        ('[keys]\n"items.next_page" = 3\n', "must be keys"),
        ("[tui]\npage_size = 0\n", "1 to 500"),
        ("[tui]\ncolour = 1\n", "Unknown keys in [tui]"),
    ],
)
def test_bad_tables_are_reported(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=says.replace("[", r"\[").replace("]", r"\]")):
        load_tui_config(path)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_tui_config(tmp_path / "none.toml")
    assert (config.keymap, config.page_size, config.theme) == ({}, 50, None)


def test_nothing_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    assert _nothing_configured(LaunchOptions(), path)
    assert not _nothing_configured(LaunchOptions(host="us"), path)
    path.write_text("[keys]\n")
    assert _nothing_configured(LaunchOptions(), path)  # keys alone connect to nothing
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_x")
    assert not _nothing_configured(LaunchOptions(), path)


def test_a_wrong_configuration_is_reported_and_nothing_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert launch(LaunchOptions(profile="missing")) == 2
    err = capsys.readouterr().err
    assert "missing" in err and err.startswith("dataset-explorer: ")


@pytest.mark.parametrize("read_only", [True, False])
def test_read_only_reaches_the_app_when_nothing_is_configured(
    monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    """With nothing configured the app opens on the connection form; --read-only must still
    hold for whatever it connects to from there (the app applies it on connect)."""
    import explorer.tui.app as app_module

    made: dict[str, Any] = {}

    class NotRun:
        return_code = 0

        def run(self) -> None:
            pass

    def fake_make_app(settings: Settings | None, **kwargs: Any) -> NotRun:
        made.update(kwargs, settings=settings)
        return NotRun()

    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    monkeypatch.setattr("explorer.tui.launch._log_to_file", lambda: None)  # keep pytest's logs
    assert launch(LaunchOptions(read_only=read_only)) == 0
    assert made["settings"] is None  # the connection form
    assert made["read_only"] is read_only


def test_save_profile_creates_a_private_file_and_refuses_a_taken_name(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    settings = Settings(host="http://127.0.0.1:8010", project_id=1, api_key="phx_secret")
    save_profile(path, "local", settings)
    assert path.stat().st_mode & 0o077 == 0
    resolved = Settings.resolve(config_path=path, env={})
    assert (resolved.profile, resolved.host, resolved.api_key) == (
        "local", "http://127.0.0.1:8010", "phx_secret",
    )  # fmt: skip
    with pytest.raises(ConfigError, match="exists"):
        save_profile(path, "local", settings)
    save_profile(path, "second", settings)
    assert Settings.resolve(profile="second", config_path=path, env={}).profile == "second"
    with pytest.raises(ConfigError, match="letters"):
        save_profile(path, "bad name", settings)


@pytest.mark.parametrize(
    ("argv", "api"), [([], None), (["--api", "classic"], "classic"), (["--api", "v2"], "v2")]
)
def test_demo_api_reaches_the_demo_server(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], api: str | None
) -> None:
    """``dataset-explorer --demo [--api classic|v2]``: the embedded server speaks that API
    (`DEFAULT_DEMO_API` unless told), and its settings say so (no request to find it)."""
    import explorer.cli
    import explorer.tui.app as app_module
    import explorer.tui.launch as launch_module
    from explorer.tui.demo import DEFAULT_DEMO_API

    api = api or DEFAULT_DEMO_API  # one line in explorer/tui/demo.py
    started: dict[str, Any] = {}

    class Server:
        def stop(self) -> None:
            started["stopped"] = True

    def fake_start_demo(read_only: bool = False, api: Any = DEFAULT_DEMO_API) -> Any:
        started["api"] = api
        return Server(), Settings(
            host="http://127.0.0.1:1", project_id=1, api_key="k", generation=api
        )

    class NotRun:
        return_code = 0

        def run(self) -> None:
            pass

    def fake_make_app(settings: Settings | None, **kwargs: Any) -> NotRun:
        started["generation"] = settings.generation if settings is not None else None
        started["demo"] = kwargs["demo"]
        return NotRun()

    monkeypatch.setattr(launch_module, "start_demo", fake_start_demo)
    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    monkeypatch.setattr("explorer.tui.launch._log_to_file", lambda: None)
    monkeypatch.setattr(explorer.cli, "_in_terminal", lambda: True)
    assert explorer.cli.main(["--demo", *argv]) == 0
    assert started == {"api": api, "generation": api, "demo": True, "stopped": True}


def test_api_without_demo_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    import explorer.cli

    with pytest.raises(SystemExit) as exit_info:
        explorer.cli.main(["--api", "v2"])
    assert exit_info.value.code == 2
    assert "--demo" in capsys.readouterr().err
