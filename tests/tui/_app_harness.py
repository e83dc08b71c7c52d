"""Building the whole app (`make_app`) against the embedded server for Pilot and snapshot tests.

- ``isolate_env``: config and data dir in tmp, no POSTHOG_* variables from the machine.
- `build_app`: the app on a server, journal in tmp, a fixed clock, quick retries; with
  ``shown_host`` the header shows that host while requests still reach the server (snapshots
  must not depend on the server's free port).
- `settle` / `snapshot_ready`: wait for the model to be idle and every worker finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from explorer.api import Client, RetryPolicy, Settings
from explorer.model import Journal
from explorer.tui.app import ExplorerApp, make_app
from explorer.tui.keys import TuiConfig
from tests._emulator import RunningEmulator

FIXED_NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
FAST_RETRIES = RetryPolicy(retries=1, backoff=0.005, backoff_max=0.01, rate_limit_max_wait=1)
SHOWN_HOST = "http://127.0.0.1:8010"


@pytest.fixture
def isolate_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in (
        "POSTHOG_HOST",
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path


class RedirectTransport(httpx.AsyncBaseTransport):
    """Sends every request to ``target`` (scheme, host, port), whatever host it names."""

    def __init__(self, target: str) -> None:
        self.target = target  # may be changed while the app runs
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = httpx.URL(self.target)
        request.url = request.url.copy_with(
            scheme=target.scheme, host=target.host, port=target.port
        )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def build_app(
    server: RunningEmulator,
    tmp_path: Path,
    *,
    api_key: str | None = None,
    read_only: bool = False,
    shown_host: str | None = None,
    tui_config: TuiConfig | None = None,
    clock: Callable[[], datetime] = lambda: FIXED_NOW,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ExplorerApp:
    settings = Settings(
        host=shown_host or server.url,
        project_id=server.project_id,
        api_key=api_key or server.api_key,
        read_only=read_only,
    )
    return make_app(
        settings,
        journal=Journal(tmp_path / "journal.sqlite3"),
        tui_config=tui_config,
        clock=clock,
        retries=FAST_RETRIES,
        transport=transport or (RedirectTransport(server.url) if shown_host else None),
        offer_demo=False,
    )


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], within: float = 10) -> None:
    """Pause until ``condition()`` holds, or fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[Any]) -> None:
    """Model idle, every worker finished, the screen redrawn."""
    app = pilot.app
    await wait_for(pilot, lambda: app.model_or_none is not None)
    for _ in range(3):
        await wait_for(pilot, lambda: not app.model.state.busy.any)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def snapshot_ready(pilot: Pilot[Any]) -> None:
    """``run_before`` for snapshots: settled, no blinking cursor."""
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def table_keys(app: ExplorerApp, selector: str) -> list[str]:
    table = app.screen.query_one(selector, DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


def cursor_key(app: ExplorerApp, selector: str) -> str | None:
    table = app.screen.query_one(selector, DataTable)
    if table.row_count == 0:
        return None
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def sync_client(server: RunningEmulator) -> Client:
    return Client(host=server.url, api_key=server.api_key, project_id=server.project_id)


def dataset_id_named(server: RunningEmulator, name: str) -> str:
    with sync_client(server) as client:
        for dataset in client.datasets.iter():
            if dataset.name == name:
                return str(dataset.id)
    raise LookupError(name)
