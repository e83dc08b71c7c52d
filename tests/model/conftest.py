"""Fixtures for the model tier: a model on the embedded server with a journal in tmp_path."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.api import AsyncClient, Client, RetryPolicy
from explorer.api.models import Dataset, DatasetItem
from explorer.model import Change, ExplorerModel, Journal
from tests._emulator import RunningEmulator

# Quick retries: the fault tests inject thousands of failures.
FAST_RETRIES = RetryPolicy(retries=3, backoff=0.005, backoff_max=0.02, rate_limit_max_wait=2)

MakeModel = Callable[..., Awaitable[ExplorerModel]]


class Recorder:
    """Collects the change events a model emits."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)

    def commands(self) -> list[str]:
        return [c.command for c in self.changes]

    def clear(self) -> None:
        self.changes.clear()


def client_for(server: RunningEmulator, **options: Any) -> AsyncClient:
    options.setdefault("retries", FAST_RETRIES)
    return AsyncClient(
        host=server.url, api_key=server.api_key, project_id=server.project_id, **options
    )


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
async def make_model(journal_path: Path) -> AsyncIterator[MakeModel]:
    """``await make_model(server, read_only=False, page_size=50, journal=None, start=True)``."""
    opened: list[tuple[ExplorerModel, AsyncClient, Journal]] = []

    async def make(
        server: RunningEmulator,
        *,
        journal: Journal | None = None,
        start: bool = True,
        client_options: dict[str, Any] | None = None,
        **model_options: Any,
    ) -> ExplorerModel:
        client = client_for(server, **(client_options or {}))
        journal = journal or Journal(journal_path)
        model = ExplorerModel(client, journal, **model_options)
        opened.append((model, client, journal))
        if start:
            await model.start()
        return model

    yield make
    for model, client, journal in opened:
        await model.close()
        await client.aclose()
        journal.close()


def sync_client(server: RunningEmulator) -> Client:
    return Client(host=server.url, api_key=server.api_key, project_id=server.project_id)


def make_dataset(server: RunningEmulator, items: int = 0, name: str | None = None) -> Dataset:
    """A fresh dataset with ``items`` items, input ``{"n": i}`` (the newest has the highest n)."""
    with sync_client(server) as client:
        dataset = client.datasets.create(name or f"model-test-{uuid.uuid4().hex[:8]}")
        for i in range(items):
            client.items.create(dataset, input={"n": i}, output=f"out {i}", metadata={"k": i})
    return dataset


def server_items(server: RunningEmulator, dataset_id: str) -> list[DatasetItem]:
    with sync_client(server) as client:
        return list(client.items.iter(dataset_id))


def server_item(server: RunningEmulator, item_id: str) -> DatasetItem:
    with sync_client(server) as client:
        return client.items.get(item_id)


def requests_seen(server: RunningEmulator) -> int:
    return int(server.server.fault_stats()["requests"])


class ScriptedTransport(httpx.AsyncBaseTransport):
    """The real transport, with scripted failures for chosen requests.

    ``script.append(("PATCH", "drop_after"))``: the next PATCH reaches the server and is applied,
    then the client sees the connection drop. ``"drop_before"``: never sent (connect error).
    ``"500"``: answered 500 without reaching the server; ``"400"``: refused as invalid (a
    validation error on ``input``) without reaching it. Each entry is used once, in order.
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.script: list[tuple[str, str]] = []
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        action = None
        for index, (method, what) in enumerate(self.script):
            if method == request.method:
                action = what
                del self.script[index]
                break
        if action == "drop_before":
            raise httpx.ConnectError("scripted: refused", request=request)
        if action == "500":
            body = (
                b'{"type":"server_error","code":"error",'
                b'"detail":"A server error occurred.","attr":null}'
            )
            return httpx.Response(
                500, content=body, request=request, headers={"content-type": "application/json"}
            )
        if action == "400":
            body = (
                b'{"type":"validation_error","code":"invalid",'
                b'"detail":"Refused by the test.","attr":"input"}'
            )
            return httpx.Response(
                400, content=body, request=request, headers={"content-type": "application/json"}
            )
        self.sent.append(request.method)
        response = await self._inner.handle_async_request(request)
        if action == "drop_after":
            await response.aread()
            raise httpx.ReadError("scripted: connection dropped", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
