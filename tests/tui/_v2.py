"""Helpers for the terminal app's tests on the versioned API (``serve --api v2``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from explorer.api import Client
from explorer.api.models import VersionedItem
from tests._emulator import RunningEmulator, start_emulator

V2Factory = Callable[..., RunningEmulator]


@pytest.fixture(scope="module")
def v2_demo_server() -> Iterator[RunningEmulator]:
    """A v2 server with the demo data, shared by a module's tests that only read it."""
    running = start_emulator("demo", api="v2")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def v2_factory(emulator_factory: Callable[..., RunningEmulator]) -> V2Factory:
    """``v2_factory(seed="none", **options)``: a fresh v2 server, stopped at teardown."""

    def factory(seed: str = "none", **options: Any) -> RunningEmulator:
        return emulator_factory(seed, api="v2", **options)

    return factory


def client(server: RunningEmulator) -> Client:
    return Client(host=server.url, api_key=server.api_key, project_id=server.project_id)


def v2_item(server: RunningEmulator, item_id: str) -> VersionedItem:
    with client(server) as c:
        item = c.items.get(item_id)
    assert isinstance(item, VersionedItem)
    return item


def live_count(server: RunningEmulator, dataset_id: str) -> int:
    """Items listed (the archived ones are not)."""
    with client(server) as c:
        return c.items.list(dataset=dataset_id, limit=1).count


def dataset_named(server: RunningEmulator, name: str) -> str:
    with client(server) as c:
        for dataset in c.datasets.iter():
            if dataset.name == name:
                return str(dataset.id)
    raise LookupError(name)


def make_v2_dataset(
    server: RunningEmulator, items: list[dict[str, Any]], name: str | None = None
) -> tuple[str, list[str]]:
    """A fresh dataset holding ``items`` (v2 field dicts); its id and the item ids (in the order
    given; the list shows the newest first)."""
    with client(server) as c:
        dataset = c.datasets.create(name or f"tui-v2-{uuid.uuid4().hex[:8]}")
        ids = [str(c.items.create(dataset, **fields).id) for fields in items]
    return str(dataset.id), ids


def find_item(
    server: RunningEmulator, dataset: str, condition: Callable[[VersionedItem], bool]
) -> VersionedItem:
    """The first item of the named dataset (newest first) for which ``condition`` holds."""
    with client(server) as c:
        for item in c.items.iter(dataset_named(server, dataset)):
            if isinstance(item, VersionedItem) and condition(item):
                return item
    raise LookupError(dataset)
