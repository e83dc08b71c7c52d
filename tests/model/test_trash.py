"""Soft delete with undo, and the local trash that restores rows the server can no longer list."""

from __future__ import annotations

from explorer.emulator import FaultConfig
from explorer.model import Journal
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    Recorder,
    ScriptedTransport,
    is_removed,
    make_dataset,
    server_item,
    server_items,
)


async def test_delete_trash_first_row_leaves_page_undo_restores(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(str(dataset.id))
    victim = model.state.page.items[1]
    await model.select(str(victim.id))
    recorder.clear()
    await model.delete_item()
    assert recorder.commands() == ["delete_item"]
    assert {"trash", "page", "selection", "undo"} <= recorder.changes[0].kinds
    assert model.state.page.index_of(str(victim.id)) is None
    assert model.state.page.range_text == "1-2 of 2"
    assert model.state.selection is None and model.state.editor is None
    assert is_removed(empty_server, str(victim.id))
    [entry] = model.state.trash
    assert (entry.object_id, entry.confirmed) == (str(victim.id), True)
    assert entry.content["input"] == victim.input
    assert entry.content[F.answer] == F.answer_of(victim)
    verb = model.state.schema.remove_verb  # delete (classic), archive (v2)
    assert model.state.undo_label == f"{verb} item {str(victim.id)[-8:]}"

    await model.undo()
    assert server_item(empty_server, str(victim.id)).input == victim.input
    assert not is_removed(empty_server, str(victim.id))
    assert model.state.page.range_text == "1-3 of 3" and model.state.trash == []


async def test_undo_of_a_delete_selects_the_restored_item(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(str(dataset.id))
    victim, neighbour = (str(i.id) for i in model.state.page.items[1:3])
    await model.select(victim)
    await model.delete_item()
    assert model.state.selection is None
    recorder.clear()

    await model.undo()

    assert recorder.commands() == ["undo"]
    assert {"page", "selection", "editor"} <= recorder.changes[0].kinds
    assert model.state.selected_id == victim
    selection = model.state.selection
    assert selection is not None
    assert selection is model.state.page.items[1]  # the fresh copy from the reloaded page
    editor = model.state.editor
    assert editor is not None and editor.item_id == victim
    # what acts on the selection now acts on the restored item, not its neighbour
    await model.delete_item()
    ids = {str(i.id) for i in server_items(empty_server, str(dataset.id))}
    assert victim not in ids and neighbour in ids and len(ids) == 2


async def test_trash_survives_restart_and_restores(
    empty_server: RunningEmulator, make_model: MakeModel, journal_path: object
) -> None:
    dataset = make_dataset(empty_server, items=2)
    first = await make_model(empty_server)
    await first.open_dataset(str(dataset.id))
    victim = first.state.page.items[0]
    await first.delete_item(str(victim.id))
    assert len(server_items(empty_server, str(dataset.id))) == 1

    # A new session (new model, new journal handle on the same file) offers it back.
    second = await make_model(empty_server, journal=Journal(journal_path))  # type: ignore[arg-type]
    assert [t.object_id for t in second.state.trash] == [str(victim.id)]
    await second.open_dataset(str(dataset.id))
    await second.restore_item(str(victim.id))
    assert second.state.trash == []
    assert len(server_items(empty_server, str(dataset.id))) == 2
    assert second.state.page.range_text == "1-2 of 2"
    await second.undo()  # undo of a restore deletes again
    assert len(server_items(empty_server, str(dataset.id))) == 1
    assert [t.object_id for t in second.state.trash] == [str(victim.id)]


async def test_a_delete_whose_answer_was_lost_is_confirmed_by_a_get(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    transport.script.append((F.remove_method, "drop_after"))  # PATCH, or v2's POST .../archive/
    await model.delete_item(item_id)
    notice = model.state.notice
    assert notice is not None and notice.message.startswith(F.schema.removed_label)  # Deleted
    assert model.state.trash[0].confirmed
    assert is_removed(empty_server, item_id)


async def test_a_delete_with_unknown_outcome_stays_restorable(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server, client_options={"retries": 0})
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    empty_server.server.set_faults(FaultConfig(drop_after_rate=1.0))
    try:
        await model.delete_item(item_id)
    finally:
        empty_server.server.clear_faults()
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert "Could not tell" in notice.message and "restored" in notice.hint
    [entry] = model.state.trash
    assert entry.object_id == item_id and not entry.confirmed
    await model.restore_item(item_id)
    assert server_item(empty_server, item_id).id is not None
    assert not is_removed(empty_server, item_id)


async def test_a_delete_failing_with_500_is_kept_unconfirmed(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    empty_server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
    try:
        await model.delete_item(item_id)
    finally:
        empty_server.server.clear_faults()
    # 500 leaves the outcome unknown, and the GET failed too: kept, unconfirmed.
    assert [t.confirmed for t in model.state.trash] == [False]
    await model.delete_item(item_id)  # trying again works and confirms
    assert [t.confirmed for t in model.state.trash] == [True]
    assert is_removed(empty_server, item_id)


async def test_a_throttled_delete_leaves_no_trash(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server, client_options={"retries": 0})
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    empty_server.server.set_faults(FaultConfig(throttle_rate=1.0, throttle_wait_s=3))
    try:
        await model.delete_item(item_id)
    finally:
        empty_server.server.clear_faults()
    notice = model.state.notice
    assert notice is not None
    assert notice.message.startswith(f"{F.schema.removing_label} the item failed")  # Deleting
    assert "wait 3 s" in notice.hint
    assert model.state.trash == [] and model.state.page.index_of(item_id) is not None


async def test_deleting_the_open_dataset_closes_it_and_undo_brings_it_back(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    await model.delete_dataset(str(dataset.id))
    assert model.state.page.dataset is None and model.state.datasets.datasets == []
    assert model.state.trash[0].kind == "dataset"
    await model.undo()
    assert [d.id for d in model.state.datasets.datasets] == [dataset.id]
    assert model.state.trash == []


async def test_undo_with_nothing_to_undo(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    await model.undo()
    assert model.state.notice is not None and model.state.notice.message == "Nothing to undo."


async def test_the_row_leaves_the_page_even_when_the_page_cannot_be_fetched(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=3)
    transport = ScriptedTransport()
    model = await make_model(empty_server, client_options={"retries": 0, "transport": transport})
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[1].id)
    if F.versioned:
        transport.script.append(("GET", "skip"))  # v2's archive first reads the version
    transport.script.append(("GET", "500"))  # the page reload after the delete fails
    await model.delete_item(item_id)
    assert model.state.trash[0].confirmed
    assert model.state.page.index_of(item_id) is None
    assert model.state.page.range_text == "1-2 of 2"
