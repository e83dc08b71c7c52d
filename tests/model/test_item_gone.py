"""Saving an item someone deleted meanwhile: a retry cannot work, so the model offers two real
choices, restore it and save (`restore_and_save`) or save the edit as a new item
(`save_as_new`), and keeps the draft until one of them succeeds. Against the embedded server;
what it holds afterwards is read with the blocking client."""

from __future__ import annotations

from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    Recorder,
    ScriptedTransport,
    delete_elsewhere,
    edit_elsewhere,
    fields_of,
    is_removed,
    make_dataset,
    restore_elsewhere,
    server_item,
    server_items,
    sync_client,
)


async def edit_then_deleted_elsewhere(
    server: RunningEmulator, model: ExplorerModel, dataset_id: str, answer: str = '"mine"'
) -> str:
    """Open the dataset's newest item, change its answer, have another client delete (v2:
    archive) it and save: the save fails because the item is gone. Returns the item's id."""
    await model.open_dataset(dataset_id)
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field(fields_of(server).answer, answer)
    delete_elsewhere(server, item_id)
    await model.save()
    return item_id


async def test_a_save_of_a_deleted_item_says_so_and_retrying_cannot_help(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server)
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved"
    assert model.item_gone
    assert model.journal.get_draft(item_id) is not None
    await model.save()  # the plain retry: still gone, still kept
    assert model.item_gone and model.journal.get_draft(item_id) is not None
    assert is_removed(empty_server, item_id)


async def test_restore_and_save_brings_the_item_back_with_the_edit(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server)
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    before = server_items(empty_server, str(dataset.id))
    assert item_id not in {str(i.id) for i in before}
    recorder = Recorder()
    model.subscribe(recorder)

    await model.restore_and_save()

    assert recorder.commands() == ["restore_and_save"]  # one change for the whole command
    assert {"editor", "page", "selection", "notice"} <= recorder.changes[0].kinds
    restored = server_item(empty_server, item_id)
    assert F.answer_of(restored) == "mine" and not is_removed(empty_server, item_id)
    assert restored.input == {"n": 1} and restored.metadata == {"k": 1}  # the rest untouched
    assert not model.item_gone
    assert model.journal.get_draft(item_id) is None and model.state.drafts == []
    assert model.state.page.index_of(item_id) is not None  # the row is back on the page
    assert model.state.selected_id == item_id
    notice = model.state.notice
    assert notice is not None and notice.level == "info"
    assert notice.message == f"Restored item {item_id[-8:]} and saved your edit."
    # undo reverts the save first, then the restore
    await model.undo()
    assert F.answer_of(server_item(empty_server, item_id)) == "out 1"
    await model.undo()
    assert is_removed(empty_server, item_id)


async def test_restore_and_save_after_someone_changed_the_item_shows_the_conflict(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field(F.answer, '"mine"')
    edit_elsewhere(empty_server, item_id, answer="theirs")
    delete_elsewhere(empty_server, item_id)
    await model.save()
    assert model.item_gone
    await model.restore_and_save()
    # restored, but the edit does not overwrite theirs without asking
    assert not is_removed(empty_server, item_id)
    assert F.answer_of(server_item(empty_server, item_id)) == "theirs"
    editor = model.state.editor
    assert editor is not None and editor.status == "conflict" and editor.conflict is not None
    assert F.answer in editor.conflict.fields
    assert model.journal.get_draft(item_id) is not None
    await model.resolve_conflict("mine")
    assert F.answer_of(server_item(empty_server, item_id)) == "mine"


async def test_a_500_during_the_restore_keeps_the_draft_and_sends_no_save(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=2)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    # the restore: classic PATCH {"deleted": false}, v2 POST .../restore/
    transport.script.append((F.remove_method, "500"))
    transport.sent.clear()

    await model.restore_and_save()

    assert "PATCH" not in transport.sent  # no save was sent after the failed restore
    assert is_removed(empty_server, item_id)
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert f"Item {item_id[-8:]} was not restored" in notice.message
    assert "your edit is kept" in notice.hint
    assert model.item_gone  # both choices are still offered
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.fields[F.answer] == '"mine"'
    # the server answers again: the same command now works
    await model.restore_and_save()
    assert F.answer_of(server_item(empty_server, item_id)) == "mine"
    assert not is_removed(empty_server, item_id)
    assert model.journal.get_draft(item_id) is None


async def test_restore_and_save_of_an_item_restored_elsewhere_only_saves(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    restore_elsewhere(empty_server, item_id)  # someone brings it back before we choose
    await model.restore_and_save()
    assert F.answer_of(server_item(empty_server, item_id)) == "mine"
    notice = model.state.notice
    assert notice is not None
    assert notice.message == (
        f"Item {item_id[-8:]} was restored elsewhere meanwhile; saved your edit."
    )
    assert model.state.undo_label == f"save item {item_id[-8:]}"
    await model.undo()  # reverts our save; there is no restore of ours to undo
    assert F.answer_of(server_item(empty_server, item_id)) == "out 0"
    assert not is_removed(empty_server, item_id)
    assert model.state.undo_label is None


async def test_save_as_new_creates_the_edited_item_and_the_old_stays_deleted(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    with sync_client(empty_server) as client:  # the newest item has a trace link
        link = F.link_values("trace-1", "event-1")
        item = F.item(input={"n": 1}, answer="out 1", metadata={"k": 1}, **link)
        client.items.create(dataset, **item)
    model = await make_model(empty_server)
    item_id = await edit_then_deleted_elsewhere(
        empty_server, model, str(dataset.id), '{"fixed": true}'
    )
    recorder = Recorder()
    model.subscribe(recorder)

    await model.save_as_new()

    assert recorder.commands() == ["save_as_new"]
    items = server_items(empty_server, str(dataset.id))
    assert len(items) == 2  # the untouched one and the new one
    [new] = [i for i in items if F.answer_of(i) == {"fixed": True}]
    assert str(new.id) != item_id
    assert new.input == {"n": 1} and new.metadata == {"k": 1}  # the editor's whole content
    assert F.links_of(new) == ("trace-1", "event-1")  # (v2: not in the editor, copied)
    assert is_removed(empty_server, item_id)  # the old one stays deleted
    assert model.state.drafts == [] and model.journal.get_draft(item_id) is None
    editor = model.state.editor
    assert editor is not None and editor.item_id == str(new.id) and editor.status == "saved"
    assert model.state.selected_id == str(new.id)
    assert model.state.page.index_of(str(new.id)) is not None
    notice = model.state.notice
    assert notice is not None
    assert notice.message == (
        f"Saved your edit as new item {str(new.id)[-8:]}; item {item_id[-8:]} stays"
        f" {F.schema.removed_word}."
    )


async def test_a_refused_save_as_new_keeps_the_draft_and_both_choices(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    transport.script.append(("POST", "400"))  # the server refuses the new item
    await model.save_as_new()
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert notice.message.startswith("No new item was created:")
    assert "Refused by the test" in notice.message
    assert model.item_gone  # both choices are still offered, on the same edit
    editor = model.state.editor
    assert editor is not None and editor.item_id == item_id
    assert editor.fields[F.answer].text == '"mine"'
    assert [d.item_id for d in model.state.drafts] == [item_id]  # no second copy kept
    assert server_items(empty_server, str(dataset.id)) == []
    await model.save_as_new()  # accepted this time
    assert [F.answer_of(i) for i in server_items(empty_server, str(dataset.id))] == ["mine"]
    assert model.state.drafts == []


async def test_save_as_new_whose_answer_is_lost_is_found_not_sent_twice(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    """Classic looks for the earlier attempt by content before sending again; v2 sends it
    again with the same client_item_id, which the server answers with the item it made."""
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    item_id = await edit_then_deleted_elsewhere(empty_server, model, str(dataset.id))
    transport.script.append(("POST", "drop_after"))  # created, but the answer is lost
    if F.classic:
        transport.script.append(("GET", "500"))  # and the lookup fails
    await model.save_as_new()
    editor = model.state.editor
    assert editor is not None and editor.is_new and editor.status == "not_saved"
    assert [d.item_id for d in model.state.drafts] == [None]  # the copy holds the edit now
    await model.save()  # classic: looks for the earlier attempt first; v2: the same key again
    created = server_items(empty_server, str(dataset.id))
    assert [F.answer_of(i) for i in created] == ["mine"]  # exactly one
    assert model.state.drafts == []
    assert is_removed(empty_server, item_id)
