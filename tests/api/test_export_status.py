"""``datasets.export(..., on_status=)``: both clients report the export as created and after each
status read, then download it (the embedded v2 server, completing after a short delay)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from explorer.api import AsyncClient, Client, DatasetExport
from tests._emulator import RunningEmulator

Factory = Callable[..., RunningEmulator]


def test_sync_export_reports_each_status(emulator_factory: Factory) -> None:
    running = emulator_factory("none", api="v2", export_delay_s=0.3)
    seen: list[DatasetExport] = []
    with Client(running.url, running.api_key, running.project_id) as client:
        ds = client.datasets.create("status")
        client.items.create(ds, input="q")
        rows = client.datasets.export(ds.id, on_status=seen.append)
    assert [r["input"] for r in rows] == ["q"]
    assert seen[0].status == "pending" and seen[-1].status == "complete"
    assert {e.id for e in seen} == {seen[0].id} and {e.dataset_revision for e in seen} == {1}
    assert all(e.status == "pending" for e in seen[1:-1])
    assert len(seen) >= 3  # created, at least one pending read, the complete one


async def test_async_export_reports_each_status(emulator_factory: Factory) -> None:
    running = emulator_factory("none", api="v2", export_delay_s=0.3)
    seen: list[str] = []
    async with AsyncClient(running.url, running.api_key, running.project_id) as client:
        ds = await client.datasets.create("status")
        await client.items.create(ds, input="q")
        rows = await client.datasets.export(ds.id, on_status=lambda e: seen.append(e.status))
    assert [r["input"] for r in rows] == ["q"]
    assert seen[0] == "pending" and seen[-1] == "complete" and len(seen) >= 3


def test_a_read_only_client_may_export_but_not_write(emulator_factory: Factory) -> None:
    """Creating an export is a POST that changes no data (``dataset:read`` is enough)."""
    from explorer.api.errors import ReadOnlyError

    running = emulator_factory("none", api="v2")
    with Client(running.url, running.api_key, running.project_id) as client:
        ds = client.datasets.create("read-only export")
        client.items.create(ds, input="q")
    with Client(running.url, running.api_key, running.project_id, read_only=True) as client:
        assert [r["input"] for r in client.datasets.export(ds.id)] == ["q"]
        with pytest.raises(ReadOnlyError):
            client.items.create(ds, input="no")
