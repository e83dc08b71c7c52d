"""The editor: drafts, validation, minimal saves, failures kept as drafts, creates, copies, moves,
read-only refusals. Against the embedded server."""

from __future__ import annotations

import json

import pytest

from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    Recorder,
    ScriptedTransport,
    delete_elsewhere,
    is_removed,
    make_dataset,
    requests_seen,
    server_item,
    server_items,
)


async def open_first(model: ExplorerModel, dataset_id: str) -> str:
    await model.open_dataset(dataset_id)
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    return item_id


async def test_edit_validates_persists_and_saves_only_changed_fields(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server)
    recorder = Recorder()
    model.subscribe(recorder)
    item_id = await open_first(model, str(dataset.id))
    editor = model.state.editor
    assert editor is not None and editor.status == "clean" and not editor.dirty

    await model.edit_field("input", '{"n": 1,\n  "extra": [1, 2,]\n}')
    field = editor.fields["input"]
    assert field.error is not None and (field.error.line, field.error.column) == (2, 18)
    assert model.journal.get_draft(item_id) is not None  # an invalid draft is still kept
    await model.save()
    assert "nothing was sent" in model.state.notice.hint.lower()  # type: ignore[union-attr]

    await model.edit_field("input", '{"n": 1, "extra": [1, 2]}')
    # A second field of another kind: classic's ref_timestamp; a v2 item's links are fixed at
    # create (its editor has none), so there the metadata.
    if F.classic:
        second, text = "ref_timestamp", "2025-09-05T12:34:56Z"
    else:
        assert not set(F.links) & set(editor.fields)
        second, text = "metadata", '{"k": 1, "reviewed": true}'
    await model.edit_field(second, text)
    assert field.error is None and editor.status == "editing"
    diffs = model.diffs()
    assert set(diffs) == {"input", second}
    assert '+  "extra": [' in diffs["input"].as_text()
    draft = model.journal.get_draft(item_id)
    assert draft is not None and set(draft.fields) == {"input", second}

    # Someone else changes output meanwhile? No: this test is about a minimal PATCH; the other
    # fields on the server stay exactly as they were.
    recorder.clear()
    await model.save()
    assert recorder.commands() == ["save"]
    assert editor.status == "saved" and model.journal.get_draft(item_id) is None
    on_server = server_item(empty_server, item_id)
    assert on_server.input == {"n": 1, "extra": [1, 2]}
    assert F.answer_of(on_server) == "out 1"  # untouched
    if F.classic:
        timestamp = getattr(on_server, "ref_timestamp", None)
        assert timestamp is not None and timestamp.year == 2025
        assert on_server.metadata == {"k": 1}
    else:
        assert on_server.metadata == {"k": 1, "reviewed": True}
    history = model.journal.history(limit=1)[0]
    assert history.action == "save" and set(history.before or {}) == {"input", second}
    assert model.state.page.items[0].input == {"n": 1, "extra": [1, 2]}


async def test_ref_fields_are_validated_locally(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    """The link fields (classic ``ref_*``, v2 ``source_*``) are checked before anything is
    sent. Classic edits them on any item; v2 sets them only when an item is created, so there
    they are tried in a new item's editor, and an existing item's editor has none."""
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await open_first(model, str(dataset.id))
    if F.classic:
        trace, timestamp = "ref_trace_id", "ref_timestamp"
    else:
        trace, timestamp = "source_trace_id", "source_timestamp"
        editor = model.state.editor
        assert editor is not None and not set(F.links) & set(editor.fields)
        await model.edit_field(timestamp, "2025-09-05T12:34:56Z")
        notice = model.state.notice
        assert notice is not None and notice.message == f"{timestamp!r} is not an editable field."
        assert not editor.dirty and model.journal.get_draft(str(editor.item_id)) is None
        await model.new_item()
    await model.edit_field(timestamp, "last tuesday")
    await model.edit_field(trace, "x" * 300)
    errors = {e.field for e in model.state.editor.errors}  # type: ignore[union-attr]
    assert errors == {timestamp, trace}
    before = requests_seen(empty_server)
    await model.save()
    assert requests_seen(empty_server) == before
    assert model.state.notice is not None and model.state.notice.level == "error"


async def test_failed_save_keeps_the_draft_and_retry_succeeds(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field(F.answer, '"better answer"')
    empty_server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
    try:
        await model.save()
    finally:
        empty_server.server.clear_faults()
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved"
    assert editor.status_text.startswith("not saved: ")
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.status == "not_saved"
    assert draft.fields[F.answer] == '"better answer"'
    assert F.answer_of(server_item(empty_server, item_id)) == "out 0"
    assert "save again" in model.state.notice.hint  # type: ignore[union-attr]
    await model.save()
    assert editor.status == "saved" and model.journal.get_draft(item_id) is None
    assert F.answer_of(server_item(empty_server, item_id)) == "better answer"


async def test_a_save_whose_answer_was_lost_is_not_a_conflict(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field(F.answer, '"v2"')
    # The PATCH is applied but its answer lost; the GET that would check fails too.
    transport.script += [("PATCH", "drop_after"), ("GET", "skip"), ("GET", "500")]
    await model.save()
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved"
    assert "may or may not" in (editor.reason or "")
    assert F.answer_of(server_item(empty_server, item_id)) == "v2"  # it did land
    await model.save()  # the server shows exactly what we sent: saved, no conflict
    assert editor.status == "saved" and editor.conflict is None
    assert model.journal.get_draft(item_id) is None


async def test_an_unknown_save_outcome_is_checked_before_reporting(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field(F.answer, '"v2"')
    transport.script += [("PATCH", "drop_after")]
    await model.save()  # the GET after the drop sees our values: saved
    assert model.state.editor.status == "saved"  # type: ignore[union-attr]
    assert F.answer_of(server_item(empty_server, item_id)) == "v2"


async def test_switching_items_keeps_unsaved_drafts(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server)
    first = await open_first(model, str(dataset.id))
    await model.edit_field("metadata", '{"k": "edited"}')
    second = str(model.state.page.items[1].id)
    await model.select(second)
    assert model.state.editor is not None and model.state.editor.item_id == second
    assert [d.key for d in model.state.drafts] == [first]
    await model.select(first)
    assert model.state.editor.fields["metadata"].text == '{"k": "edited"}'  # type: ignore[union-attr]
    assert "Restored unsaved edits" in model.state.notice.message  # type: ignore[union-attr]
    await model.discard()
    assert model.state.drafts == [] and not model.state.editor.dirty  # type: ignore[union-attr]


async def test_create_and_save_and_add_another(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    assert model.state.editor is not None and model.state.editor.is_new
    await model.edit_field("input", '{"q": "first"}')
    await model.save(add_another=True)
    editor = model.state.editor
    assert editor is not None and editor.is_new and not editor.dirty
    await model.edit_field("input", '{"q": "second"}')
    await model.edit_field(F.answer, '"a2"')
    await model.save()
    assert model.state.editor.status == "saved" and not model.state.editor.is_new  # type: ignore[union-attr]
    items = server_items(empty_server, str(dataset.id))
    assert sorted(json.dumps(i.input) for i in items) == ['{"q": "first"}', '{"q": "second"}']
    assert model.state.page.range_text == "1-2 of 2"
    assert model.state.drafts == []


# Classic only: an ambiguous create is looked up by content. v2 creates are idempotent by
# client_item_id: test_v2_specific.test_an_ambiguous_create_is_sent_again_and_makes_one_item
@pytest.mark.parametrize("generation", ["classic"])
async def test_ambiguous_create_is_found_not_sent_twice(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"transport": transport})
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    await model.edit_field("input", '{"q": "once"}')
    transport.script.append(("POST", "drop_after"))  # created, but the answer is lost
    await model.save()
    assert model.state.editor.status == "saved"  # type: ignore[union-attr]
    assert transport.sent.count("POST") == 1
    assert [i.input for i in server_items(empty_server, str(dataset.id))] == [{"q": "once"}]
    assert model.state.page.range_text == "1-1 of 1"


async def test_a_create_that_never_left_is_sent_again_on_retry(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    await model.edit_field("input", '{"n": 0}')  # the same content as the existing item
    await model.edit_field(F.answer, '"out 0"')
    await model.edit_field("metadata", '{"k": 0}')
    transport.script.append(("POST", "500"))  # never reached the server
    await model.save()
    assert model.state.editor.status == "not_saved"  # type: ignore[union-attr]
    await model.save()  # looks (the older identical item is not ours), then POSTs
    assert model.state.editor.status == "saved"  # type: ignore[union-attr]
    assert len(server_items(empty_server, str(dataset.id))) == 2


# Classic only: an unconfirmed create is looked up by content. A v2 create is sent again with
# the same client_item_id:
# test_v2_specific.test_an_unconfirmed_create_is_sent_again_and_makes_one_item
@pytest.mark.parametrize("generation", ["classic"])
async def test_unconfirmed_create_is_looked_up_before_sending_again(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server)
    model = await make_model(empty_server, client_options={"retries": 0})
    await model.open_dataset(str(dataset.id))
    await model.new_item()
    await model.edit_field("input", '{"q": "once"}')
    empty_server.server.set_faults(FaultConfig(drop_after_rate=1.0))
    try:
        await model.save()  # POST applied, answer lost, the lookup fails too
    finally:
        empty_server.server.clear_faults()
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved" and editor.attempts
    assert len(server_items(empty_server, str(dataset.id))) == 1
    await model.save()  # looks first, finds it, does not POST again
    assert editor.status == "saved"
    assert len(server_items(empty_server, str(dataset.id))) == 1


async def test_duplicate_into_another_dataset_and_move_with_undo(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    source = make_dataset(empty_server, items=2)
    target = make_dataset(empty_server)
    model = await make_model(empty_server)
    item_id = await open_first(model, str(source.id))
    await model.duplicate_item(str(target.id))
    copies = server_items(empty_server, str(target.id))
    original = server_item(empty_server, item_id)

    def content(item: object) -> tuple[object, ...]:
        return tuple(getattr(item, name, None) for name in F.schema.create_fields)

    assert len(copies) == 1 and copies[0].id != original.id
    assert content(copies[0]) == content(original)
    assert model.state.editor is not None and model.state.editor.item_id == item_id
    [duplicate] = copies

    await model.move_item(str(target.id))
    assert model.state.page.range_text == "1-1 of 1"
    in_target = server_items(empty_server, str(target.id))
    if F.classic:  # the item itself changes dataset
        assert server_item(empty_server, item_id).dataset == target.id
        assert {i.id for i in in_target} == {duplicate.id, original.id}
    else:  # v2: a copy in the target, the original archived
        assert is_removed(empty_server, item_id)
        [moved] = [i for i in in_target if i.id != duplicate.id]
        assert len(in_target) == 2 and content(moved) == content(original)
    await model.undo()
    assert server_item(empty_server, item_id).dataset == source.id
    assert not is_removed(empty_server, item_id)
    assert [i.id for i in server_items(empty_server, str(target.id))] == [duplicate.id]
    assert model.state.page.range_text == "1-2 of 2"


async def test_read_only_refuses_every_write_before_any_request(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server, read_only=True)
    assert model.state.read_only
    item_id = await open_first(model, str(dataset.id))
    before = requests_seen(empty_server)
    writes = [
        model.edit_field("input", "1"),
        model.save(),
        model.new_item(),
        model.delete_item(item_id),
        model.restore_item(item_id),
        model.duplicate_item(str(dataset.id), item_id),
        model.move_item(str(dataset.id), item_id),
        model.create_dataset("x"),
        model.update_dataset(str(dataset.id), name="y"),
        model.delete_dataset(str(dataset.id)),
        model.restore_dataset(str(dataset.id)),
        model.undo(),
        model.retry_unsaved(),
        model.resolve_conflict("mine"),
        model.restore_and_save(),
        model.save_as_new(),
    ]
    for write in writes:
        await write
        notice = model.state.notice
        assert notice is not None and "read-only" in notice.message
    assert requests_seen(empty_server) == before
    assert model.journal.drafts() == []


async def test_a_read_only_client_makes_a_read_only_model(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server, read_only=False, client_options={"read_only": True})
    assert model.state.read_only


async def test_save_of_an_item_deleted_elsewhere_keeps_the_draft(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    item_id = await open_first(model, str(dataset.id))
    await model.edit_field(F.answer, '"mine"')
    delete_elsewhere(empty_server, item_id)
    await model.save()
    assert model.state.editor.status == "not_saved"  # type: ignore[union-attr]
    assert "no longer exists" in (model.state.editor.reason or "")  # type: ignore[union-attr]
    assert model.journal.get_draft(item_id) is not None
