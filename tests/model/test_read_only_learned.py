"""A key without dataset:write is learned from its first refusal: from then on the model is
read-only (the front ends hide writes), says so, and refuses further writes before sending."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from explorer.emulator import ApiKey
from tests.model.conftest import MakeModel, Recorder, make_dataset


async def test_the_first_refused_write_makes_the_model_read_only(
    emulator_factory: Any, make_model: MakeModel
) -> None:
    server = emulator_factory(
        "none", api_keys=["phx_writer", ApiKey("phx_reader", frozenset({"dataset:read"}))]
    )
    dataset = make_dataset(replace(server, api_key="phx_writer"), items=2)
    reader = replace(server, api_key="phx_reader")
    model = await make_model(reader)
    assert not model.state.read_only  # nothing tells a key's scopes before it is refused
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(str(dataset.id))
    first, second = (str(item.id) for item in model.state.page.items)
    await model.delete_item(first)
    change = recorder.changes[-1]
    assert "access" in change and model.state.read_only
    assert model.state.notice is not None and "read-only from now on" in str(model.state.notice)
    server.server.reset_fault_counts()
    await model.delete_item(second)  # refused here, before any request
    assert server.server.fault_stats()["requests"] == 0
    assert "read-only" in str(model.state.notice)
