"""Every command emits exactly one change event naming what changed, and never raises for an
expected failure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from explorer.emulator import FaultConfig
from explorer.model import CHANGE_KINDS, ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import Fields, MakeModel, Recorder, make_dataset, server_item


async def test_each_command_emits_exactly_one_change(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=3)
    other = make_dataset(empty_server)
    model = await make_model(empty_server)
    recorder = Recorder()
    model.subscribe(recorder)
    ds, to = str(dataset.id), str(other.id)

    def item(index: int) -> str:
        return str(model.state.page.items[index].id)

    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("refresh_datasets", lambda: model.refresh_datasets()),
        ("search_datasets", lambda: model.search_datasets("model-test")),
        ("sort_datasets", lambda: model.sort_datasets("updated_at")),
        ("go_to_datasets_page", lambda: model.go_to_datasets_page(1)),
        ("next_datasets_page", lambda: model.next_datasets_page()),
        ("prev_datasets_page", lambda: model.prev_datasets_page()),
        ("open_dataset", lambda: model.open_dataset(ds)),
        ("next_page", lambda: model.next_page()),
        ("prev_page", lambda: model.prev_page()),
        ("go_to_page", lambda: model.go_to_page(1)),
        ("set_page_size", lambda: model.set_page_size(2)),
        ("set_page_size", lambda: model.set_page_size(50)),
        ("refresh", lambda: model.refresh()),
        ("select", lambda: model.select(item(0))),
        ("edit_field", lambda: model.edit_field(F.answer, '"x"')),
        ("edit_field", lambda: model.edit_field("nope", "1")),
        ("save", lambda: model.save()),
        ("discard", lambda: model.discard()),
        ("new_item", lambda: model.new_item()),
        ("edit_field", lambda: model.edit_field("input", "1")),
        ("save", lambda: model.save(add_another=True)),
        ("drop_draft", lambda: model.drop_draft("new:none")),
        ("clear_selection", lambda: model.clear_selection()),
        ("duplicate_item", lambda: model.duplicate_item(to, item(0))),
        ("move_item", lambda: model.move_item(to, item(0))),
        ("delete_item", lambda: model.delete_item(item(0))),
        ("undo", lambda: model.undo()),
        ("restore_item", lambda: model.restore_item("0199a3c4-0000-7000-8000-000000000000")),
        ("resolve_conflict", lambda: model.resolve_conflict("mine")),
        ("retry_unsaved", lambda: model.retry_unsaved()),
        ("create_dataset", lambda: model.create_dataset("events")),
        ("update_dataset", lambda: model.update_dataset(to, description="d")),
        ("delete_dataset", lambda: model.delete_dataset(to)),
        ("restore_dataset", lambda: model.restore_dataset(to)),
        ("dismiss_notice", lambda: model.dismiss_notice()),
        ("load_history", lambda: model.load_history(item(0))),
        ("close_history", lambda: model.close_history()),
        ("load_revisions", lambda: model.load_revisions()),
        ("close_revisions", lambda: model.close_revisions()),
        ("show_archived_items", lambda: model.show_archived_items(False)),
        ("show_archived_datasets", lambda: model.show_archived_datasets(False)),
        ("close_compare", lambda: model.close_compare()),
        ("mark", lambda: model.mark(item(0))),
        ("mark_page", lambda: model.mark_page()),
        ("clear_marks", lambda: model.clear_marks()),
        ("close_dataset", lambda: model.close_dataset()),
    ]
    for command, run in steps:
        recorder.clear()
        await run()
        assert recorder.commands() == [command], (command, recorder.changes)
        assert recorder.changes[0].kinds <= CHANGE_KINDS
        if command != "dismiss_notice":
            assert not model.state.busy.any, command
    errors = [n for n in model.state.notices if "unexpectedly" in n.message]
    assert errors == []


async def test_a_subscriber_that_fails_does_not_break_commands(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    recorder = Recorder()

    def broken(_: object) -> None:
        raise RuntimeError("front-end bug")

    model.subscribe(broken)
    unsubscribe = model.subscribe(recorder)
    await model.refresh_datasets()
    assert recorder.commands() == ["refresh_datasets"]
    unsubscribe()
    await model.refresh_datasets()
    assert recorder.commands() == ["refresh_datasets"]


async def test_busy_flag_is_visible_while_a_command_runs(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=2)
    model = await make_model(empty_server)
    empty_server.server.set_faults(latency_ms=100)
    try:
        task = asyncio.create_task(model.open_dataset(str(dataset.id)))
        await asyncio.sleep(0.02)
        assert model.state.busy.page
        await task
    finally:
        empty_server.server.clear_faults()
    assert not model.state.busy.page and model.state.page.range_text == "1-2 of 2"


@pytest.mark.parametrize(
    "faults",
    [
        FaultConfig(error_rate=1.0, error_statuses=(500,)),
        FaultConfig(error_rate=1.0, error_statuses=(503,)),
        FaultConfig(throttle_rate=1.0, throttle_wait_s=0),
        FaultConfig(drop_before_rate=1.0),
    ],
    ids=["500", "503", "429", "network"],
)
async def test_a_failed_save_keeps_the_draft_marked_with_the_reason(
    empty_server: RunningEmulator, make_model: MakeModel, faults: FaultConfig, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server, client_options={"retries": 0})
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field(F.answer, '"kept"')
    empty_server.server.set_faults(faults)
    try:
        await model.save()  # does not raise
    finally:
        empty_server.server.clear_faults()
    editor = model.state.editor
    assert editor is not None and editor.status == "not_saved" and editor.reason
    notice = model.state.notice
    assert notice is not None and notice.level == "error" and "kept" in notice.hint
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.fields == {F.answer: '"kept"'}
    await model.save()
    assert editor.status == "saved" and F.answer_of(server_item(empty_server, item_id)) == "kept"


async def test_typing_during_a_save_is_not_lost(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model: ExplorerModel = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field(F.answer, '"first"')
    empty_server.server.set_faults(latency_ms=80)
    try:
        saving = asyncio.create_task(model.save())
        await asyncio.sleep(0.03)
        await model.edit_field("metadata", '{"typed": "meanwhile"}')
        await saving
    finally:
        empty_server.server.clear_faults()
    editor = model.state.editor
    assert editor is not None and editor.status == "editing"
    assert F.answer_of(server_item(empty_server, item_id)) == "first"
    assert editor.fields["metadata"].changed and not editor.fields[F.answer].changed
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.fields == {"metadata": '{"typed": "meanwhile"}'}
    await model.save()
    assert server_item(empty_server, item_id).metadata == {"typed": "meanwhile"}


async def test_long_commands_report_progress_then_one_final_change(
    empty_server: RunningEmulator, make_model: MakeModel, tmp_path: Path
) -> None:
    """Indexing and exporting say how far they got as they go (``search_progress``,
    ``export_progress``), then end with the one change every command emits."""
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(str(dataset.id))
    for command, run, progress in [
        ("search_items", lambda: model.search_items("out"), "search_progress"),
        ("export_dataset", lambda: model.export_dataset(tmp_path / "x.jsonl"), "export_progress"),
    ]:
        recorder.clear()
        await run()
        commands = recorder.commands()
        assert commands[-1] == command and set(commands[:-1]) == {progress}, commands
        assert all(change.kinds <= CHANGE_KINDS for change in recorder.changes)
