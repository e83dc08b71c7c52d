"""Where the client finds host, project and API key: arguments, environment, config file.

Each value is taken from the first of:

1. an explicit argument (``Client(host=..., api_key=..., project_id=...)``);
2. a profile named explicitly (``Client(profile="eu")``);
3. the environment: ``POSTHOG_HOST``, ``POSTHOG_PERSONAL_API_KEY``, ``POSTHOG_PROJECT_ID``;
4. the profile named by ``POSTHOG_EXPLORER_PROFILE``, else the file's ``default_profile``
   (else a profile called ``default``).

The config file is TOML, at ``default_config_path()`` (the platform's user config dir), or at
``POSTHOG_EXPLORER_CONFIG``, or at ``config_path=``::

    default_profile = "us"

    [profiles.us]
    host = "us"                      # us, eu, or a URL such as https://posthog.example.com
    project_id = 12345               # or "@current": the key's current project
    api_key_env = "POSTHOG_US_KEY"   # read the key from this variable...
    # api_key = "phx_..."            # ...or store it here (then chmod 600 the file)
    read_only = true                 # optional: refuse every write
    api_prefix = "projects"          # optional: or "environments"
    allow_http = false               # optional: allow http:// to a non-local host
    generation = "v2"                # optional: "classic" or "v2" (default: found on first use)
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import stat
import tempfile
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import explorer.paths as paths
from explorer.api.errors import ConfigError

__all__ = [
    "ENV_CONFIG",
    "ENV_HOST",
    "ENV_KEY",
    "ENV_PROFILE",
    "ENV_PROJECT",
    "InsecureConfigWarning",
    "Settings",
    "default_config_path",
    "normalize_host",
]

ENV_KEY = "POSTHOG_PERSONAL_API_KEY"
ENV_HOST = "POSTHOG_HOST"
ENV_PROJECT = "POSTHOG_PROJECT_ID"
ENV_PROFILE = "POSTHOG_EXPLORER_PROFILE"
ENV_CONFIG = paths.ENV_CONFIG

APP_NAME = paths.APP_NAME
HOST_SHORTCUTS = {"us": "https://us.posthog.com", "eu": "https://eu.posthog.com"}
_PROFILE_KEYS = {"host", "project_id", "api_key", "api_key_env", "read_only", "api_prefix"}
_PROFILE_KEYS |= {"allow_http", "generation"}

ApiPrefix = Literal["projects", "environments"]
Generation = Literal["classic", "v2"]
"""PostHog's datasets API generation: "classic" (older self-hosted) or "v2" (versioned, Cloud)."""


class InsecureConfigWarning(UserWarning):
    """A config file holding an API key can be read by other users."""


def default_config_path() -> Path:
    """The config file in the platform's user config dir (``.../dataset-explorer/config.toml``)."""
    return paths.config_file(env={})


@dataclass(frozen=True)
class Settings:
    """Everything needed to reach one PostHog project. The key never shows in ``repr``."""

    host: str
    project_id: int | str
    api_key: str = field(repr=False)
    api_prefix: ApiPrefix = "projects"
    read_only: bool = False
    allow_http: bool = False
    profile: str | None = None
    generation: Generation | None = None  # None: found from the server's answers

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", normalize_host(self.host, allow_http=self.allow_http))
        object.__setattr__(self, "project_id", _project_id(self.project_id, "project_id"))
        _check_key(self.api_key, "api_key")
        object.__setattr__(self, "api_key", self.api_key.strip())  # a pasted newline is no typo
        if self.api_prefix not in ("projects", "environments"):
            raise ConfigError(
                f"api_prefix must be 'projects' or 'environments', not {self.api_prefix!r}"
            )
        if self.generation not in (None, "classic", "v2"):
            raise ConfigError(
                f"generation must be 'classic' or 'v2' (or left out to detect it), not"
                f" {self.generation!r}"
            )

    @classmethod
    def resolve(
        cls,
        host: str | None = None,
        api_key: str | None = None,
        project_id: int | str | None = None,
        *,
        profile: str | None = None,
        api_prefix: ApiPrefix | None = None,
        read_only: bool | None = None,
        allow_http: bool | None = None,
        config_path: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        generation: Generation | None = None,
    ) -> Settings:
        """Settings from arguments, then environment, then the config file's profile.

        ``env`` replaces ``os.environ`` (tests). Raises `ConfigError` naming what is missing
        or wrong and where to set it.
        """
        env = os.environ if env is None else env
        path = Path(config_path or env.get(ENV_CONFIG) or default_config_path()).expanduser()
        config = _read_config(path)
        profiles: dict[str, Any] = config.get("profiles", {})

        explicit_profile = profile is not None
        name = profile or env.get(ENV_PROFILE) or config.get("default_profile")
        if name is None and "default" in profiles:
            name = "default"
        chosen: dict[str, Any] = {}
        if name is not None:
            if name not in profiles:
                known = ", ".join(sorted(profiles)) or "none"
                raise ConfigError(
                    f"No profile {name!r} in {path} (profiles: {known}). Use one of those, or"
                    f" add a [profiles.{name}] table to the file."
                )
            chosen = _check_profile(profiles[name], name, path)

        profile_key: str | None = chosen.get("api_key")
        if "api_key_env" in chosen:
            variable = chosen["api_key_env"]
            profile_key = env.get(variable)
            if not profile_key:
                raise ConfigError(
                    f"Profile {name!r} in {path} reads the API key from {variable}, which is"
                    f" not set. Set {variable} to your personal API key (phx_...)."
                )

        def pick(arg: Any, env_name: str | None, profile_value: Any) -> Any:
            if arg is not None:
                return arg
            env_value = env.get(env_name) if env_name else None
            if explicit_profile and profile_value is not None:
                return profile_value
            return env_value if env_value else profile_value

        source = f" (profile {name!r} in {path})" if name else ""
        final_host = pick(host, ENV_HOST, chosen.get("host"))
        final_key = pick(api_key, ENV_KEY, profile_key)
        final_project = pick(project_id, ENV_PROJECT, chosen.get("project_id"))
        if not final_key:
            raise ConfigError(
                f"No PostHog API key: pass api_key=, set {ENV_KEY}, or add api_key_env to a"
                f" profile in {path}. Create a personal API key with the dataset:read and"
                " dataset:write scopes in PostHog under Settings > Personal API keys."
            )
        if not final_host:
            raise ConfigError(
                f"No PostHog host: pass host=, set {ENV_HOST} (us, eu or your PostHog's URL),"
                f" or add host to a profile in {path}."
            )
        if final_project is None or final_project == "":
            raise ConfigError(
                f"No project id: pass project_id=, set {ENV_PROJECT} (the number after"
                f" /project/ in PostHog's web addresses, or @current), or add project_id to a"
                f" profile in {path}."
            )
        if project_id is None and final_project == env.get(ENV_PROJECT):
            _project_id(final_project, ENV_PROJECT)  # name the variable the bad value came from
        try:
            return cls(
                host=final_host,
                project_id=final_project,
                api_key=final_key,
                api_prefix=pick(api_prefix, None, chosen.get("api_prefix")) or "projects",
                read_only=bool(pick(read_only, None, chosen.get("read_only"))),
                allow_http=bool(pick(allow_http, None, chosen.get("allow_http"))),
                profile=name,
                generation=pick(generation, None, chosen.get("generation")),
            )
        except ConfigError as exc:
            exc.message += source
            raise


def normalize_host(host: str, *, allow_http: bool = False) -> str:
    """``https://app.host`` from ``us``, ``eu``, a bare name or a URL; refuses unsafe ones.

    Raises `ConfigError` for an ingestion host (``*.i.posthog.com``), for ``http://`` to a host
    that is not this machine (unless ``allow_http``), and for anything that is not a web address.
    """
    raw = host.strip()
    if raw.lower() in HOST_SHORTCUTS:
        return HOST_SHORTCUTS[raw.lower()]
    if "://" not in raw:
        raw = ("http://" if _is_loopback(raw.split("/")[0].rsplit(":", 1)[0]) else "https://") + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    hostname = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not hostname:
        raise ConfigError(
            f"Host {host!r} is not a web address. Use us, eu, or your PostHog's address such as"
            " https://posthog.example.com."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"Host {_no_credentials(host)!r} must be a plain address, no query.")
    if hostname.endswith(".i.posthog.com"):
        region = hostname.removesuffix(".i.posthog.com")
        raise ConfigError(
            f"{hostname} is PostHog's ingestion host (for sending events); the API is on the app"
            f" host: use https://{region}.posthog.com."
        )
    if scheme == "http" and not allow_http and not _is_loopback(hostname):
        raise ConfigError(
            f"Refusing http:// to {hostname}: the API key would travel unencrypted. Use"
            " https://, or allow_http=True if this network is trusted."
        )
    netloc = hostname if parts.port is None else f"{hostname}:{parts.port}"
    if ":" in hostname:  # IPv6 literal
        netloc = f"[{hostname}]" + ("" if parts.port is None else f":{parts.port}")
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _no_credentials(host: str) -> str:
    parts = urlsplit(host)
    return host.replace(parts.netloc, parts.hostname or "") if parts.password else host


def _is_loopback(hostname: str) -> bool:
    hostname = hostname.strip("[]").lower()
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _project_id(value: object, where: str) -> int | str:
    if isinstance(value, bool):
        raise ConfigError(f"{where} must be a number or '@current', not {value!r}.")
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        if text == "@current":
            return text
        if text.isdigit() and int(text) > 0:
            return int(text)
    raise ConfigError(
        f"{where} must be a positive number (the one after /project/ in PostHog's web"
        f" addresses) or '@current', not {value!r}."
    )


def _check_key(key: object, where: str) -> None:
    # Messages name the problem, never the key itself.
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(f"{where} is empty. Set it to a personal API key (phx_...).")
    if key.startswith("phc_"):
        raise ConfigError(
            f"{where} is a project API key (phc_..., for sending events). The datasets API needs"
            " a personal API key (phx_...) with the dataset:read scope (dataset:write to edit)."
        )
    if any(c.isspace() for c in key.strip()) or not key.strip().isprintable():
        raise ConfigError(f"{where} contains spaces or control characters; check for a typo.")


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}.") from None
    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"The config file {path} is not valid TOML: {exc}. Fix the file (UTF-8 TOML with"
            " [profiles.NAME] tables)."
        ) from None
    # [keys] and [tui] belong to the terminal app (explorer.tui.keys reads them).
    unknown = set(config) - {"default_profile", "profiles", "keys", "tui"}
    if unknown:
        raise ConfigError(
            f"Unknown keys in {path}: {', '.join(sorted(unknown))}. Fix the spelling, or remove"
            " them (known: default_profile, profiles, keys, tui)."
        )
    profiles = config.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise ConfigError(f"In {path}, profiles must be tables: [profiles.NAME].")
    if not isinstance(config.get("default_profile", ""), str):
        raise ConfigError(f"In {path}, default_profile must be a profile name.")
    if any("api_key" in p for p in profiles.values()):
        _warn_if_readable(path)
    return config


def _check_profile(profile: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    where = f"profile {name!r} in {path}"
    unknown = set(profile) - _PROFILE_KEYS
    if unknown:
        raise ConfigError(
            f"Unknown keys in {where}: {', '.join(sorted(unknown))} (known:"
            f" {', '.join(sorted(_PROFILE_KEYS))}). Fix the spelling, or remove them."
        )
    if "api_key" in profile and "api_key_env" in profile:
        raise ConfigError(f"{where} sets both api_key and api_key_env; keep one.")
    for key in ("host", "api_key", "api_key_env", "api_prefix", "generation"):
        if key in profile and not isinstance(profile[key], str):
            raise ConfigError(f"{key} in {where} must be a string.")
    for key in ("read_only", "allow_http"):
        if key in profile and not isinstance(profile[key], bool):
            raise ConfigError(f"{key} in {where} must be true or false.")
    if "project_id" in profile:
        _project_id(profile["project_id"], f"project_id in {where}")
    return profile


def _warn_if_readable(path: Path) -> None:
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.warn(
            f"{path} holds an API key and other users can read it; run: chmod 600 {path}",
            InsecureConfigWarning,
            stacklevel=4,
        )


_BARE_KEY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_profile(path: Path, name: str, settings: Settings) -> None:
    """Add ``[profiles.NAME]`` (host, project_id, api_key) to the config file, creating it with
    ``default_profile = NAME`` when missing; the file is made readable by its owner only.
    Raises `ConfigError` when the name is taken or not a plain word."""
    if not name or not set(name) <= _BARE_KEY:
        raise ConfigError("A profile name is letters, digits, - and _ only.")
    existing = path.read_text("utf-8") if path.exists() else ""
    if existing:
        try:
            profiles = tomllib.loads(existing).get("profiles", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
        if name in profiles:
            raise ConfigError(f"A profile {name!r} exists in {path}; choose another name.")
    lines = [] if existing else [f"default_profile = {_toml_string(name)}", ""]
    lines += [
        f"[profiles.{name}]",
        f"host = {_toml_string(settings.host)}",
        f"project_id = {settings.project_id!r}"
        if isinstance(settings.project_id, int)
        else f"project_id = {_toml_string(str(settings.project_id))}",
        f"api_key = {_toml_string(settings.api_key)}",
    ]
    if settings.read_only:
        lines.append("read_only = true")
    text = existing + ("\n" if existing and not existing.endswith("\n") else "")
    text += ("\n" if existing else "") + "\n".join(lines) + "\n"
    write_private(path, text)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, readable by its owner only: a crash leaves
    the old file or the new one, never a truncated one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
