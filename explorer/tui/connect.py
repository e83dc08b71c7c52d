"""The first-run screen, shown when no host, project or key is configured: try the demo, or
connect with host, project id and a personal API key (masked), saved as a profile only if
asked."""

from __future__ import annotations

import asyncio
import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from explorer.api import ConfigError, Settings
from explorer.tui.keys import config_path

__all__ = ["ConnectScreen", "save_profile"]

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)


class ConnectScreen(Screen[None]):
    """Nothing is configured yet: the demo, or a short form."""

    HELP_TITLE = "connect"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "demo", "Try the demo", id="connect.demo", priority=True),
        Binding("ctrl+s", "connect", "Connect", id="connect.connect", priority=True),
        Binding("ctrl+q", "app.quit", "Quit", id="connect.quit", priority=True),
    ]

    def __init__(self, *, offer_demo: bool = True) -> None:
        super().__init__()
        self.offer_demo = offer_demo
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="connect"):
            yield Static(Text("PostHog datasets explorer", style="bold"), id="connect-title")
            yield Static(
                "No PostHog connection is configured. Try the built-in demo, or connect to"
                " your PostHog with a personal API key (scopes dataset:read, and dataset:write"
                " to edit).",
                id="connect-intro",
                markup=False,
            )
            if getattr(self.app, "read_only", False):
                yield Static(
                    "Read-only (--read-only): whichever way you connect, nothing is written.",
                    id="connect-readonly",
                    markup=False,
                )
            if self.offer_demo:
                yield Button("Try the demo (ctrl+d)", id="connect-demo", variant="primary")
            yield Label("Host")
            yield Input(placeholder="us, eu, or https://posthog.example.com", id="connect-host")
            yield Label("Project id")
            yield Input(placeholder="the number after /project/ in PostHog's URLs",
                        id="connect-project")  # fmt: skip
            yield Label("Personal API key")
            yield Input(placeholder="phx_…", password=True, id="connect-key")
            with Horizontal(id="connect-save-row"):
                yield Checkbox("Save as profile", id="connect-save")
                yield Input("default", id="connect-profile", placeholder="profile name")
            yield Static("", id="connect-error")
            yield Button("Connect (ctrl+s)", id="connect-go")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#connect-host", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#connect-error", Static).update(Text(text))

    @on(Button.Pressed, "#connect-demo")
    def action_demo(self) -> None:
        if not self.offer_demo or self._busy:
            return
        self._busy = True
        self._error("Starting the demo server…")
        self.run_worker(self._start_demo(), exclusive=True, exit_on_error=False)

    async def _start_demo(self) -> None:
        from explorer.tui.launch import start_demo

        app: Any = self.app
        try:
            server, settings = await asyncio.to_thread(start_demo)
        except OSError as exc:
            self._busy = False
            self._error(f"The demo server could not start: {exc}.")
            return
        app.on_stop(server.stop)
        app.connect(settings, demo=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#connect-go")
    def action_connect(self) -> None:
        if self._busy:
            return
        host = self.query_one("#connect-host", Input).value.strip()
        project = self.query_one("#connect-project", Input).value.strip()
        key = self.query_one("#connect-key", Input).value.strip()
        missing = [n for n, v in (("host", host), ("project id", project), ("key", key)) if not v]
        if missing:
            self._error(f"Fill in the {', '.join(missing)}.")
            return
        try:
            settings = Settings(host=host, project_id=project, api_key=key)
        except ConfigError as exc:
            self._error(exc.message)
            return
        app: Any = self.app
        if self.query_one("#connect-save", Checkbox).value:
            name = self.query_one("#connect-profile", Input).value.strip()
            path = app.config_file or config_path()
            try:
                save_profile(path, name, settings)
            except (ConfigError, OSError) as exc:
                self._error(str(exc))
                return
            settings = Settings(
                host=settings.host, project_id=settings.project_id, api_key=key, profile=name
            )
            app.notify(f"Saved profile {name} in {path}.", markup=False)
        app.connect(settings)
