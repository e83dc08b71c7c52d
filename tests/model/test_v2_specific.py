"""What only the versioned API (v2) has, through the model: versions that make a concurrent save
fail at the server (``stale_version``), creates made idempotent by ``client_item_id``, fields set
only on create, limits, and a move that is a copy plus an archive. v2 only by nature: every test
here runs on a v2 server (the ``generation`` fixture is pinned to "v2")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from explorer.api.models import VersionedItem
from explorer.emulator import FaultConfig
from explorer.model import CLASSIC, V2, ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    MakeModel,
    ScriptedTransport,
    edit_elsewhere,
    make_dataset,
    requests_seen,
    server_item,
    server_items,
    sync_client,
)


@pytest.fixture(scope="session", params=["v2"])
def generation(request: pytest.FixtureRequest) -> str:
    """Pins this module's servers to v2 (overrides the conftest's classic/v2 parameter)."""
    return str(request.param)


async def open_first(model: ExplorerModel, dataset_id: str) -> str:
    await model.open_dataset(dataset_id)
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    return item_id


def versioned(item: object) -> VersionedItem:
    assert isinstance(item, VersionedItem)
    return item


class HookTransport(httpx.AsyncBaseTransport):
    """The real transport; ``before[method]`` runs once, just before the next request of that
    method leaves (in a thread, so a blocking client can play another user)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.before: dict[str, Callable[[], Any]] = {}
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        hook = self.before.pop(request.method, None)
        if hook is not None:
            await asyncio.to_thread(hook)
        self.sent.append(request.method)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_state_names_v2_once_started(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server, start=False)
    assert model.state.generation is None  # until the server has answered
    assert model.state.schema is CLASSIC  # the fields shown meanwhile
    await model.start()
    assert model.state.generation == "v2" and model.state.schema is V2
    assert model.state.schema.answer_field == "expected_output"


async def test_a_new_item_holds_the_create_fields_an_existing_one_the_editable_ones(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await open_first(model, str(dataset.id))
    editor = model.state.editor
    assert editor is not None and not editor.is_new
    assert tuple(editor.fields) == ("input", "expected_output", "metadata")
    await model.new_item()
    editor = model.state.editor
    assert editor is not None and editor.is_new
    key = editor.key
    assert tuple(editor.fields) == (
        "input",
        "expected_output",
        "source_output",
        "metadata",
        "source_trace_id",
        "source_event_id",
        "source_timestamp",
    )
    await model.edit_field("input", '{"q": "linked"}')
    await model.edit_field("source_output", '"what the model said"')
    await model.edit_field("source_trace_id", "trace-9")
    await model.edit_field("source_timestamp", "2025-09-05T12:34:56Z")
    await model.save()
    assert editor.status == "saved" and editor.item_id is not None
    created = versioned(server_item(empty_server, editor.item_id))
    assert created.source_output == "what the model said"
    assert created.source_trace_id == "trace-9" and created.source_timestamp is not None
    assert created.client_item_id == key  # the draft's key: a repeated create is answered
    # Saved, the editor holds the item's editable fields only: the rest is fixed.
    assert tuple(editor.fields) == ("input", "expected_output", "metadata")


async def test_a_save_made_stale_between_the_check_and_the_patch_opens_the_conflict(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """The model checks the version, then PATCHes naming it. Another user saving in between
    makes the server refuse the PATCH (409 ``stale_version``): nothing is overwritten and the
    save stops in the conflict, with both versions."""
    dataset = make_dataset(empty_server, items=1)
    transport = HookTransport()
    model = await make_model(empty_server, client_options={"transport": transport})
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field("expected_output", '"mine"')
    transport.before["PATCH"] = lambda: edit_elsewhere(empty_server, item_id, answer="theirs")
    transport.sent.clear()

    await model.save()

    assert transport.sent == ["GET", "PATCH", "GET"]  # check, refused PATCH, their version
    on_server = versioned(server_item(empty_server, item_id))
    assert on_server.expected_output == "theirs" and on_server.version == 2  # not overwritten
    editor = model.state.editor
    assert editor is not None and editor.status == "conflict" and editor.conflict is not None
    assert versioned(editor.base).version == 1
    assert versioned(editor.conflict.theirs).version == 2
    field = editor.conflict.fields["expected_output"]
    assert (field.base, field.mine, field.theirs) == ("out 0", "mine", "theirs")
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.status == "conflict"
    notice = model.state.notice
    assert notice is not None and notice.level == "warning"
    await model.resolve_conflict("mine")  # now based on version 2
    on_server = versioned(server_item(empty_server, item_id))
    assert (on_server.expected_output, on_server.version) == ("mine", 3)


async def test_a_save_whose_answer_was_lost_and_whose_retry_is_stale_is_saved(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """The PATCH lands, its answer is lost, and the client sends it again: the server refuses
    the repeat as stale (the version moved: by our own PATCH). That is a save, not a conflict."""
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"transport": transport})
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field("expected_output", '"mine"')
    transport.script.append(("PATCH", "drop_after"))
    await model.save()
    assert transport.sent.count("PATCH") == 2  # the client's retry
    editor = model.state.editor
    assert editor is not None and editor.status == "saved" and editor.conflict is None
    assert versioned(editor.base).version == 2
    on_server = versioned(server_item(empty_server, item_id))
    assert (on_server.expected_output, on_server.version) == ("mine", 2)
    assert model.journal.get_draft(item_id) is None
    await model.undo()  # the save is undoable as any other
    assert versioned(server_item(empty_server, item_id)).expected_output == "out 0"


async def test_an_ambiguous_create_is_sent_again_and_makes_one_item(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """The create lands and its answer is lost: the client sends it again with the same
    ``client_item_id`` (the draft's key), which the server answers with the item it made."""
    dataset = make_dataset(empty_server)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"transport": transport})
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    assert model.state.editor is not None
    key = model.state.editor.key
    await model.edit_field("input", '{"q": "once"}')
    transport.script.append(("POST", "drop_after"))  # created, but the answer is lost
    await model.save()
    assert model.state.editor.status == "saved"
    assert transport.sent.count("POST") == 2
    [item] = server_items(empty_server, str(dataset.id))
    assert item.input == {"q": "once"} and versioned(item).client_item_id == key
    assert versioned(item).version == 1  # the repeat made no second version either
    assert model.state.page.range_text == "1-1 of 1"


async def test_an_unconfirmed_create_is_sent_again_and_makes_one_item(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """With no retries in the client, the model reports the create's outcome unknown and keeps
    the draft; saving again sends it again, and the server keeps one item per draft."""
    dataset = make_dataset(empty_server)
    model = await make_model(empty_server, client_options={"retries": 0})
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    await model.edit_field("input", '{"q": "once"}')
    empty_server.server.set_faults(FaultConfig(drop_after_rate=1.0))
    try:
        await model.save()  # POST applied, answer lost
    finally:
        empty_server.server.clear_faults()
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved" and editor.attempts
    assert "sends it once more" in (editor.reason or "")
    assert len(server_items(empty_server, str(dataset.id))) == 1
    await model.save()
    assert editor.status == "saved"
    assert len(server_items(empty_server, str(dataset.id))) == 1
    assert model.state.drafts == []


async def test_an_item_needs_an_input_and_empty_metadata_is_an_empty_object(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """v2 items always have an input (any JSON but null) and an object for metadata. A new
    item without input is refused before anything is sent; clearing metadata saves ``{}``."""
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field("metadata", "")
    await model.save()
    assert model.state.editor.status == "saved"  # type: ignore[union-attr]
    assert server_item(empty_server, item_id).metadata == {}

    await model.new_item()
    await model.edit_field("expected_output", '"an answer to nothing"')
    before = requests_seen(empty_server)
    await model.save()
    assert requests_seen(empty_server) == before
    editor = model.state.editor
    assert editor is not None and editor.is_new and editor.status == "editing"
    assert editor.fields["input"].error is not None
    notice = model.state.notice
    assert notice is not None and notice.level == "error" and "input" in notice.message
    assert "unexpectedly" not in notice.message
    await model.edit_field("input", "null")  # null is no input either
    await model.save()
    assert requests_seen(empty_server) == before and editor.fields["input"].error is not None
    await model.edit_field("input", "0")  # any other JSON is
    await model.save()
    assert editor.status == "saved" and len(server_items(empty_server, str(dataset.id))) == 2


async def test_the_item_limit_is_named_in_the_notice(
    emulator_factory: Any, make_model: MakeModel
) -> None:
    server = emulator_factory(max_items=2)
    dataset = make_dataset(server, items=2)
    model = await make_model(server)
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    await model.edit_field("input", '{"q": "third"}')
    await model.save()
    editor = model.state.editor
    assert editor is not None and editor.is_new and editor.status == "not_saved"
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert "limit is 2" in notice.message, notice
    assert "2 items per dataset, archived ones included" in notice.hint, notice
    assert model.journal.get_draft(editor.key) is not None  # the edit is kept
    assert len(server_items(server, str(dataset.id))) == 2


async def test_move_and_undo_leave_the_original_alone_in_the_source(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """A v2 item cannot change dataset: a move creates a copy in the target and archives the
    original; undo restores the original and archives the copy."""
    source = make_dataset(empty_server, items=1)
    target = make_dataset(empty_server)
    model = await make_model(empty_server)
    item_id = await open_first(model, str(source.id))
    original = versioned(server_item(empty_server, item_id))

    await model.move_item(str(target.id))
    assert server_items(empty_server, str(source.id)) == []
    [copy] = server_items(empty_server, str(target.id))
    assert str(copy.id) != item_id
    assert (copy.input, versioned(copy).expected_output, copy.metadata) == (
        original.input,
        original.expected_output,
        original.metadata,
    )
    assert versioned(server_item(empty_server, item_id)).archived

    await model.undo()
    [back] = server_items(empty_server, str(source.id))
    assert str(back.id) == item_id and not versioned(back).archived
    assert back.input == original.input
    assert server_items(empty_server, str(target.id)) == []
    with sync_client(empty_server) as client:
        archived = client.items.list(target.id, archived=True).results
    assert [str(i.id) for i in archived] == [str(copy.id)]
    assert model.state.page.range_text == "1-1 of 1"


class EveryTime(dict[str, Callable[[], Any]]):
    """``HookTransport.before`` whose hooks run before every request of their method."""

    def pop(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self.get(key, default)


async def test_an_archive_that_meets_a_newer_version_at_every_try_says_so(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """Someone saves the item just before each of the model's archive requests: after three
    tries (each on the version it just read) the model says the archive failed, and nothing
    claims the item is archived: the server has it live, the page keeps it, the trash is empty."""
    dataset = make_dataset(empty_server, items=1)
    transport = HookTransport()
    model = await make_model(empty_server, client_options={"transport": transport})
    item_id = await open_first(model, str(dataset.id))
    edits = iter(range(100))
    transport.before = EveryTime(
        POST=lambda: edit_elsewhere(empty_server, item_id, input={"n": f"theirs {next(edits)}"})
    )
    await model.delete_item()
    notice = model.state.notice
    assert notice is not None and notice.level == "error", notice
    assert "changed after it was loaded" in notice.message, notice
    assert transport.sent.count("POST") == 3  # three tries, each refused as stale
    current = versioned(server_item(empty_server, item_id))
    assert not current.archived and current.input == {"n": "theirs 2"}
    assert model.state.trash == []
    assert model.state.page.index_of(item_id) is not None
