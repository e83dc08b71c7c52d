"""What ``dataset-explorer`` runs to open the terminal app (the CLI parses, this decides).

- ``--demo``: the embedded server with demo data on 127.0.0.1 and a free port, in this
  process, speaking ``--api`` (classic or v2; `DEFAULT_DEMO_API` unless told); the app opens on
  it and the server stops when the app quits.
- otherwise the configured settings (arguments, environment, profile; see
  `explorer.api.Settings`); with nothing configured at all, the connection screen (demo or a
  short form). A configuration that is there but wrong is reported and nothing starts.

Logging goes to ``explorer.log`` in the data dir, never over the app.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import explorer.paths as paths
from explorer.api import ConfigError, Settings
from explorer.api.settings import ENV_HOST, ENV_KEY, ENV_PROFILE, ENV_PROJECT
from explorer.tui.demo import DEFAULT_DEMO_API, DemoApi, start_demo

if TYPE_CHECKING:
    from explorer.emulator import EmulatorServer

__all__ = ["LaunchOptions", "launch", "start_demo"]


@dataclass(frozen=True)
class LaunchOptions:
    demo: bool = False
    profile: str | None = None
    host: str | None = None
    project_id: str | None = None
    read_only: bool = False
    api_prefix: Literal["projects", "environments"] | None = None
    demo_api: DemoApi = DEFAULT_DEMO_API


def _log_to_file() -> None:
    directory = paths.log_dir()
    root = logging.getLogger()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(directory / "explorer.log", "a", "utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def _nothing_configured(options: LaunchOptions, config_file: Path) -> bool:
    if options.profile or options.host or options.project_id:
        return False
    if any(os.environ.get(name) for name in (ENV_HOST, ENV_KEY, ENV_PROJECT, ENV_PROFILE)):
        return False
    try:
        config = tomllib.loads(config_file.read_text("utf-8"))
    except FileNotFoundError:
        return True
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # let Settings.resolve say what is wrong
    return not config.get("profiles")


def launch(options: LaunchOptions) -> int:
    """Run the app in this terminal until it quits; the exit status."""
    from explorer.tui.app import make_app
    from explorer.tui.keys import config_path, load_tui_config

    config_file = config_path()
    try:
        tui_config = load_tui_config(config_file)
    except ConfigError as exc:
        print(f"dataset-explorer: {exc.message}", file=sys.stderr)
        return 2

    server: EmulatorServer | None = None
    settings: Settings | None = None
    if options.demo:
        try:
            server, settings = start_demo(read_only=options.read_only, api=options.demo_api)
        except OSError as exc:
            print(f"dataset-explorer: the demo server could not start: {exc}", file=sys.stderr)
            return 1
    elif not _nothing_configured(options, config_file):
        try:
            settings = Settings.resolve(
                host=options.host,
                project_id=options.project_id,
                profile=options.profile,
                api_prefix=options.api_prefix,
                read_only=True if options.read_only else None,
                config_path=config_file,
            )
        except ConfigError as exc:
            print(f"dataset-explorer: {exc.message}", file=sys.stderr)
            return 2

    _log_to_file()
    app = make_app(
        settings,
        tui_config=tui_config,
        config_file=config_file,
        read_only=options.read_only,
        demo=server is not None,
    )
    try:
        app.run()
    finally:
        if server is not None:
            server.stop()
    return app.return_code or 0
