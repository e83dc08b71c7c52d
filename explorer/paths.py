"""Where the explorer keeps its files: one name, one place.

Every folder uses the app name ``dataset-explorer`` (the command's) under the platform's user
folders (``platformdirs``): the config file in the config dir, the journal in the data dir, the
terminal app's log in the log dir, the embedded server's seeded databases in the cache dir.
``POSTHOG_EXPLORER_CONFIG`` names another config file and ``POSTHOG_EXPLORER_DATA_DIR`` another
data folder (the log goes there too). Earlier versions kept the journal under
``posthog-dataset-explorer``; `legacy_data_dir` names it so the journal can be moved once.

Only the standard library and platformdirs: the embedded server uses this module too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "ENV_CONFIG",
    "ENV_DATA_DIR",
    "cache_dir",
    "config_file",
    "data_dir",
    "legacy_data_dir",
    "log_dir",
]

APP_NAME = "dataset-explorer"
LEGACY_NAME = "posthog-dataset-explorer"
ENV_CONFIG = "POSTHOG_EXPLORER_CONFIG"
ENV_DATA_DIR = "POSTHOG_EXPLORER_DATA_DIR"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """The config file: ``POSTHOG_EXPLORER_CONFIG``, else ``config.toml`` in the config dir."""
    configured = _env(env).get(ENV_CONFIG)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The journal's folder: ``POSTHOG_EXPLORER_DATA_DIR``, else the user data dir."""
    configured = _env(env).get(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def legacy_data_dir() -> Path:
    """Where earlier versions kept the journal (moved from there once, see the journal)."""
    return platformdirs.user_data_path(LEGACY_NAME, appauthor=False)


def log_dir(env: Mapping[str, str] | None = None) -> Path:
    """The terminal app's log: the data folder when one is named, else the user log dir."""
    configured = _env(env).get(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Caches (the embedded server's seeded databases go in ``emulator/`` below it)."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)
