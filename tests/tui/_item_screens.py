"""A small app for testing the item screens (inspector, editor, trash, dialogs) on the
embedded server: an `App` with a ``.model`` (ExplorerModel on an AsyncClient, journal in a
temporary directory) that pushes the screen under test once the model has started."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from explorer.api import AsyncClient, Client, RetryPolicy
from explorer.api.models import DatasetItem
from explorer.model import ExplorerModel, Journal
from tests._emulator import RunningEmulator

FAST_RETRIES = RetryPolicy(retries=2, backoff=0.005, backoff_max=0.02, rate_limit_max_wait=2)

Prepare = Callable[[ExplorerModel], Awaitable[Screen[Any] | None]]


class ItemScreensApp(App[None]):
    """Starts the model, runs ``prepare(model)`` and pushes the screen it returns."""

    def __init__(
        self,
        server: RunningEmulator,
        journal_path: Path,
        prepare: Prepare,
        *,
        shown_host: str | None = None,
    ) -> None:
        super().__init__()
        # snapshots: the header names the host, and the test server's port changes per run
        self._shown_host = shown_host
        self.server = server
        self._journal_path = journal_path
        self._prepare = prepare
        self._model: ExplorerModel | None = None
        self._client: AsyncClient | None = None
        self.ready = asyncio.Event()
        self.copied: list[str] = []
        self.opened: list[str] = []

    @property
    def model(self) -> ExplorerModel:
        assert self._model is not None
        return self._model

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        super().copy_to_clipboard(text)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)

    def action_open_editor(self) -> None:
        """As `ExplorerApp.action_open_editor`: the editor on the model's editor state."""
        from explorer.tui.editor import EditorScreen

        self.push_screen(EditorScreen())

    async def on_mount(self) -> None:
        self._client = AsyncClient(
            host=self.server.url,
            api_key=self.server.api_key,
            project_id=self.server.project_id,
            retries=FAST_RETRIES,
        )
        self._model = ExplorerModel(self._client, Journal(self._journal_path))
        await self._model.start()
        if self._shown_host is not None:
            self._model.state.host = self._shown_host
        screen = await self._prepare(self._model)
        if screen is not None:
            await self.push_screen(screen)
        self.ready.set()

    async def on_unmount(self) -> None:
        if self._model is not None:
            await self._model.close()
        if self._client is not None:
            await self._client.aclose()


def sync_client(server: RunningEmulator) -> Client:
    return Client(host=server.url, api_key=server.api_key, project_id=server.project_id)


def server_item(server: RunningEmulator, item_id: str) -> DatasetItem:
    with sync_client(server) as client:
        return client.items.get(item_id)


def make_dataset(server: RunningEmulator, items: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """A fresh dataset holding ``items`` (field dicts); returns its id and the item ids."""
    with sync_client(server) as client:
        dataset = client.datasets.create(f"tui-test-{uuid.uuid4().hex[:8]}")
        ids = [str(client.items.create(dataset, **fields).id) for fields in items]
    return str(dataset.id), ids


def find_dataset_id(server: RunningEmulator, name: str) -> str:
    with sync_client(server) as client:
        for dataset in client.datasets.iter():
            if dataset.name == name:
                return str(dataset.id)
    raise LookupError(name)


def raw_items(server: RunningEmulator, dataset_id: str) -> list[dict[str, Any]]:
    """Every item of a dataset as the server sends it (JSON), newest first."""
    out: list[dict[str, Any]] = []
    offset = 0
    while True:
        response = httpx.get(
            server.api("dataset_items"),
            params={"dataset": dataset_id, "limit": 500, "offset": offset},
            headers=server.headers,
        )
        response.raise_for_status()
        page = response.json()["results"]
        out.extend(page)
        if len(page) < 500:
            return out
        offset += 500


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], within: float = 10) -> None:
    """Pause until ``condition()`` holds, or fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the app to be ready, the model idle and every worker finished."""
    app = pilot.app
    assert isinstance(app, ItemScreensApp)
    await asyncio.wait_for(app.ready.wait(), 10)
    await wait_for(pilot, lambda: not app.model.state.busy.any)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def snapshot_ready(pilot: Pilot[Any]) -> None:
    """``run_before`` for snapshots: model idle, workers done, text laid out, no blinking."""
    from textual.widgets import Input, TextArea

    from explorer.tui.components import JsonText

    app = pilot.app
    if isinstance(app, ItemScreensApp):
        await settle(pilot)
    for screen in app.screen_stack:
        for view in screen.query(JsonText):
            await view.wait_loaded()
        for area in screen.query(TextArea):
            area.cursor_blink = False
        for box in screen.query(Input):
            box.cursor_blink = False
    await app.workers.wait_for_complete()
    await pilot.pause()
