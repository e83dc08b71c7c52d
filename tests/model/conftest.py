"""Fixtures for the model tier: a model on the embedded server with a journal in tmp_path.

Every model test runs on both API generations: ``demo_server``, ``empty_server`` and
``emulator_factory`` are overridden here to start a classic or a v2 server (the ``generation``
parameter). Tests name item fields through ``F`` (`fields_of`): the answer field is ``output``
on classic and ``expected_output`` on v2, and so on.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.api import AsyncClient, Client, RetryPolicy
from explorer.api.errors import NotFound
from explorer.api.models import AnyDataset, AnyItem, VersionedItem
from explorer.model import Change, ExplorerModel, ItemSchema, Journal, schema_for
from tests._emulator import RunningEmulator, start_emulator

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


GENERATIONS = ("classic", "v2")


@pytest.fixture(scope="session", params=GENERATIONS)
def generation(request: pytest.FixtureRequest) -> str:
    """The API generation of the servers this test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def demo_server(generation: str) -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api=generation)
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def empty_server(generation: str) -> Iterator[RunningEmulator]:
    running = start_emulator("none", api=generation)
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def emulator_factory(generation: str) -> Iterator[Callable[..., RunningEmulator]]:
    started: list[RunningEmulator] = []

    def factory(seed: str = "none", **options: Any) -> RunningEmulator:
        options.setdefault("api", generation)
        running = start_emulator(seed, **options)
        started.append(running)
        return running

    try:
        yield factory
    finally:
        for running in started:
            running.server.stop()


class Fields:
    """Item field names of one generation, for tests written once for both."""

    def __init__(self, schema: ItemSchema) -> None:
        self.schema = schema
        self.answer = schema.answer_field  # output | expected_output
        self.links = schema.link_fields
        self.versioned = schema.versioned

        self.classic = not schema.versioned
        self.remove_method = "POST" if schema.versioned else "PATCH"
        """The method that archives/restores (v2: POST .../archive/) or deletes (classic)."""

    def item(
        self, *, input: Any = None, answer: Any = None, metadata: Any = None, **links: Any
    ) -> dict[str, Any]:
        """Keyword arguments of ``client.items.create`` for this generation (``links``: the
        generation's own link fields, e.g. from `link_values`)."""
        out: dict[str, Any] = {"input": input, self.answer: answer}
        if metadata is not None:
            out["metadata"] = metadata
        out.update(links)
        return out

    def answer_of(self, item: AnyItem) -> Any:
        """The item's answer (``output`` or ``expected_output``)."""
        return getattr(item, self.answer)

    def link_values(self, trace: str, source: str) -> dict[str, Any]:
        """A trace link: classic ``ref_trace_id``/``ref_source_id``; v2 ``source_trace_id``,
        ``source_event_id`` and the ``source_timestamp`` a trace needs."""
        if self.classic:
            return {"ref_trace_id": trace, "ref_source_id": source}
        return {
            "source_trace_id": trace,
            "source_event_id": source,
            "source_timestamp": "2025-09-05T12:34:56Z",
        }

    def links_of(self, item: AnyItem) -> tuple[Any, Any]:
        """(trace, source) of an item, as `link_values` named them."""
        if self.classic:
            return (getattr(item, "ref_trace_id", None), getattr(item, "ref_source_id", None))
        return (getattr(item, "source_trace_id", None), getattr(item, "source_event_id", None))


def fields_of(server: RunningEmulator) -> Fields:
    return Fields(schema_for(server.server.api))


@pytest.fixture
def F(generation: str) -> Fields:
    """Field names of the generation the test runs on."""
    return Fields(schema_for(generation))


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


def make_dataset(server: RunningEmulator, items: int = 0, name: str | None = None) -> AnyDataset:
    """A fresh dataset with ``items`` items, input ``{"n": i}``, answer (``output`` or
    ``expected_output``) ``"out {i}"``, metadata ``{"k": i}`` (the newest has the highest n)."""
    f = fields_of(server)
    with sync_client(server) as client:
        dataset = client.datasets.create(name or f"model-test-{uuid.uuid4().hex[:8]}")
        for i in range(items):
            client.items.create(
                dataset, **f.item(input={"n": i}, answer=f"out {i}", metadata={"k": i})
            )
    return dataset


def live_count(server: RunningEmulator, dataset_id: str) -> int:
    """How many live (not deleted, not archived) items the dataset holds on the server."""
    with sync_client(server) as client:
        return client.items.list(dataset_id, limit=1).count


def edit_elsewhere(
    server: RunningEmulator, item_id: str, *, answer: Any = ..., **fields: Any
) -> AnyItem:
    """Another user saves ``fields`` (and ``answer=``, the generation's answer field) to an
    item. On v2 the save names the current version (``base_version``), as any v2 client must."""
    f = fields_of(server)
    if answer is not ...:
        fields[f.answer] = answer
    with sync_client(server) as client:
        if f.versioned:
            current = client.items.get(item_id)
            assert isinstance(current, VersionedItem)
            return client.items.update(item_id, current.version, **fields)
        return client.items.update(item_id, **fields)


def delete_elsewhere(server: RunningEmulator, item_id: str) -> AnyItem:
    """Another user deletes (classic) or archives (v2, naming the current version) an item."""
    with sync_client(server) as client:
        if fields_of(server).versioned:
            current = client.items.get(item_id)
            assert isinstance(current, VersionedItem)
            return client.items.archive(item_id, current.version)
        return client.items.delete(item_id)


def restore_elsewhere(server: RunningEmulator, item_id: str) -> AnyItem:
    """Another user restores a deleted (classic) or archived (v2) item."""
    with sync_client(server) as client:
        if fields_of(server).versioned:
            current = client.items.get(item_id)
            assert isinstance(current, VersionedItem)
            return client.items.restore(item_id, current.version)
        return client.items.restore(item_id)


def is_removed(server: RunningEmulator, item_id: str) -> bool:
    """Whether the item is deleted (classic: it answers 404) or archived (v2: it is still
    returned, with ``archived``). An item that never existed raises `NotFound` on v2."""
    with sync_client(server) as client:
        try:
            item = client.items.get(item_id)
        except NotFound:
            if fields_of(server).versioned:
                raise
            return True
    return ItemSchema.is_removed(item)


def server_items(server: RunningEmulator, dataset_id: str) -> list[AnyItem]:
    with sync_client(server) as client:
        return list(client.items.iter(dataset_id))


def server_item(server: RunningEmulator, item_id: str) -> AnyItem:
    with sync_client(server) as client:
        return client.items.get(item_id)


def requests_seen(server: RunningEmulator) -> int:
    return int(server.server.fault_stats()["requests"])


class ScriptedTransport(httpx.AsyncBaseTransport):
    """The real transport, with scripted failures for chosen requests.

    ``script.append(("PATCH", "drop_after"))``: the next PATCH reaches the server and is applied,
    then the client sees the connection drop. ``"drop_before"``: never sent (connect error).
    ``"500"``: answered 500 without reaching the server; ``"400"``: refused as invalid (a
    validation error on ``input``) without reaching it; ``"skip"``: sent as usual (to script the
    request after it). Each entry is used once, in order.
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
