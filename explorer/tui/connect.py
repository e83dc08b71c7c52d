"""The first-run screen, shown when no host, project or key is configured: try the demo, or
connect with host, project id and a personal API key (masked), saved as a profile only if
asked."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from explorer.api import ConfigError, Settings
from explorer.api.settings import save_profile
from explorer.tui.keys import config_path

__all__ = ["ConnectScreen", "save_profile"]


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
        from explorer.tui.demo import start_demo

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
