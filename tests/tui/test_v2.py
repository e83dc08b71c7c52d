"""The terminal app on the versioned API (``serve --api v2``), driven with Pilot: the same screens
as on classic, drawn from the v2 item schema (expected output, source output and links, versions,
archive instead of delete)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent

from explorer.api.models import VersionedItem
from explorer.model import ExplorerModel
from explorer.tui.app import demo_scope
from explorer.tui.dataset_picker import DatasetPicker
from explorer.tui.datasets import DatasetsScreen
from explorer.tui.dialogs import ConflictModal, DiffModal, DiffView, DraftsModal
from explorer.tui.editor import EditorScreen, JsonArea
from explorer.tui.header import AppHeader
from explorer.tui.inspector import InspectorScreen
from explorer.tui.items import ItemsScreen
from explorer.tui.keys_help import screen_keys
from explorer.tui.trash import TrashScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import (
    build_app,
    cursor_key,
    isolate_env,
    settle,
    table_keys,
    wait_for,
)
from tests.tui._item_screens import ItemScreensApp
from tests.tui._item_screens import settle as settle_screens
from tests.tui._v2 import (
    V2Factory,
    client,
    dataset_named,
    find_item,
    live_count,
    make_v2_dataset,
    v2_demo_server,
    v2_factory,
    v2_item,
)
from tests.tui.test_app import footer_text, notifications

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server", "v2_factory"]

SIZE = (120, 40)
V2_ITEM = {
    "input": {"q": "how long is the warranty?"},
    "expected_output": "two years",
    "source_output": "one year",
    "metadata": {"k": "v"},
    "source_trace_id": "trace-1",
    "source_event_id": "event-1",
    "source_timestamp": "2026-03-01T10:00:00Z",
}


async def open_dataset(pilot: Any, name: str) -> None:
    app = pilot.app
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ItemsScreen)


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def column_labels(app: Any) -> list[str]:
    table = app.screen.query_one("#items-table", DataTable)
    return [str(column.label) for column in table.columns.values()]


def editor_app(server: RunningEmulator, tmp_path: Path, item_id: str) -> ItemScreensApp:
    async def prepare(model: ExplorerModel) -> EditorScreen:
        item = v2_item(server, item_id)
        await model.open_dataset(str(item.dataset))
        await model.select(item_id)
        return EditorScreen()

    return ItemScreensApp(server, tmp_path / "journal.sqlite3", prepare)


# -- browsing -------------------------------------------------------------------------------------


async def test_lists_searches_sorts_and_pages_with_the_v2_columns(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        header = app.screen.query_one(AppHeader)
        assert str(header.query_one("#header-api", Static).render()) == "API v2"
        # the archived old-prompts-archive is not listed; removing says archive
        names = table_keys(app, "#datasets-table")
        assert len(names) == 4
        offered = footer_text(app).split()
        assert "Archive" in offered and "Delete" not in offered
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Archive" in commands and "Delete" not in commands
        await pilot.press("s")  # oldest first
        await settle(pilot)
        assert table_keys(app, "#datasets-table") == names[::-1]
        await open_dataset(pilot, "rag-answers-golden")
        assert column_labels(app) == [
            "id", "ver", "input", "expected output", "metadata", "trace", "updated",
        ]  # fmt: skip
        assert text_of(app, "#items-range").startswith("1-50 of 296")
        first_page = table_keys(app, "#items-table")
        assert len(first_page) == 50  # two requests of 25 (the server's cap), joined
        table = app.screen.query_one("#items-table", DataTable)
        versions = {str(table.get_row_at(n)[1]) for n in range(table.row_count)}
        assert "v1" in versions and len(versions) > 1  # some items have history
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert text_of(app, "#items-range").startswith("51-100 of 296")
        assert not set(table_keys(app, "#items-table")) & set(first_page)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table_keys(app, "#items-table") == first_page


async def test_inspector_shows_the_version_tabs_of_the_schema_and_copies_the_version_id(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = find_item(
        v2_demo_server,
        "customer-support-evals",
        lambda i: i.version > 1 and bool(i.source_trace_id and i.source_timestamp),
    )

    async def prepare(model: ExplorerModel) -> InspectorScreen:
        await model.open_dataset(str(item.dataset))
        await model.select(str(item.id))
        return InspectorScreen(str(item.id))

    app = ItemScreensApp(v2_demo_server, tmp_path / "journal.sqlite3", prepare)
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        header = text_of(app, "#inspector-header")
        assert f"{item.id}  v{item.version} " in header
        assert f"version id          {item.version_id}  (v: copy)" in header
        for name in ("source_trace_id", "source_event_id", "source_timestamp"):
            assert name in header
        url = item.trace_url(v2_demo_server.url, v2_demo_server.project_id)
        assert url is not None and url in header
        tabs = app.screen.query_one(TabbedContent)
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        assert labels == ["Input", "Expected output", "Metadata", "Source output"]
        await pilot.press("4")
        assert tabs.active == "pane-source_output"
        await pilot.press("2")
        assert tabs.active == "pane-expected_output"
        await pilot.press("v")
        await pilot.pause()
        assert app.copied[-1] == str(item.version_id)
        assert any(
            f"Copied version id {item.version_id}" in n.message
            for n in app._notifications  # type: ignore[attr-defined]
        )
        keys = {binding_id: keys for keys, _, binding_id in screen_keys(app.screen)}
        assert keys["inspector.copy_version_id"] == "v"
        assert keys["inspector.source_output"] == "4"
        await pilot.press("o")
        assert app.opened == [url]


async def test_on_classic_there_is_no_version_to_copy(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    from tests.tui.test_inspector import edge_item, inspector_app

    app = inspector_app(demo_server, tmp_path, edge_item(demo_server, "kitchen-sink"))
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        screen = app.screen
        assert screen.check_action("copy_version_id", ()) is False
        assert screen.check_action("show_field", ("source_output",)) is False
        ids = {binding_id for _, _, binding_id in screen_keys(screen)}
        assert "inspector.copy_version_id" not in ids and "inspector.source_output" not in ids
        await pilot.press("v", "4")
        await pilot.pause()
        assert app.copied == []
        assert "version id" not in text_of(app, "#inspector-header")
        labels = [str(tab.label) for tab in screen.query_one(TabbedContent).query("Tab")]
        assert labels == ["Input", "Output", "Metadata"]


# -- editing --------------------------------------------------------------------------------------


async def test_edit_and_save_makes_a_new_version_and_leaves_the_read_only_fields(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    _, ids = make_v2_dataset(server, [V2_ITEM])
    app = editor_app(server, tmp_path, ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        assert "v1 in " in text_of(app, "#editor-title")
        source = screen.query_one("#area-source_output", JsonArea)
        assert source.read_only and source.text == '"one year"'
        assert "read-only" in text_of(app, "#label-source_output")
        for name in ("source_trace_id", "source_event_id", "source_timestamp"):
            box = screen.query_one(f"#input-{name}", Input)
            assert box.disabled
        assert screen.query_one("#input-source_trace_id", Input).value == "trace-1"
        area = screen.query_one("#area-expected_output", JsonArea)
        assert not area.read_only
        area.load_text('"three years"')
        await settle_screens(pilot)
        assert "changed" in text_of(app, "#label-expected_output")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        diff = app.screen.query_one(DiffView).text
        assert '-"two years"' in diff and '+"three years"' in diff
        assert "source_output" not in diff
        await pilot.press("enter")
        await settle_screens(pilot)
        saved = v2_item(server, ids[0])
        assert saved.version == 2 and saved.expected_output == "three years"
        assert saved.source_output == "one year" and saved.source_trace_id == "trace-1"
        assert "v2 in " in text_of(app, "#editor-title")


async def test_a_second_clients_save_opens_the_conflict_dialog(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    _, ids = make_v2_dataset(server, [V2_ITEM])
    app = editor_app(server, tmp_path, ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        with client(server) as other:
            other.items.update(ids[0], base_version=1, expected_output="theirs")
        app.screen.query_one("#area-input", JsonArea).load_text('{"q": "mine"}')
        await settle_screens(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictModal))
        options = app.screen.query_one(OptionList)
        names = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert names == ["input", "expected_output"]  # mine and theirs disagree
        await pilot.press("enter")  # per field: my input, their expected output
        await settle_screens(pilot)
        saved = v2_item(server, ids[0])
        assert saved.version == 3
        assert saved.input == {"q": "mine"} and saved.expected_output == "theirs"


async def test_a_new_item_sets_the_source_fields_and_ctrl_n_starts_another(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    dataset_id, _ = make_v2_dataset(server, [], name="new-items")
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "new-items")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot)
        screen = app.screen
        editor = app.model.state.editor
        assert editor is not None and editor.is_new
        assert set(editor.fields) == set(V2_ITEM)
        for name in ("source_trace_id", "source_event_id", "source_timestamp"):
            assert not screen.query_one(f"#input-{name}", Input).disabled
        assert not screen.query_one("#area-source_output", JsonArea).read_only
        for name in ("input", "expected_output", "source_output", "metadata"):
            screen.query_one(f"#area-{name}", JsonArea).load_text(json.dumps(V2_ITEM[name]))
        for name in ("source_trace_id", "source_event_id", "source_timestamp"):
            screen.query_one(f"#input-{name}", Input).value = str(V2_ITEM[name])
        await settle(pilot)
        first_key = editor.key
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: live_count(server, dataset_id) == 1)
        with client(server) as c:
            (created,) = list(c.items.iter(dataset_id))
        assert isinstance(created, VersionedItem)
        assert created.source_output == "one year" and created.source_event_id == "event-1"
        assert created.source_trace_id == "trace-1" and created.expected_output == "two years"
        # a blank editor for the next one
        assert isinstance(app.screen, EditorScreen)
        editor = app.model.state.editor
        assert editor is not None and editor.is_new and editor.key != first_key
        assert app.screen.query_one("#area-input", JsonArea).text == ""


# -- archive, undo, trash, move -------------------------------------------------------------------


async def test_archive_offers_undo_and_the_trash_restores(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory("demo")
    dataset_id = dataset_named(server, "rag-answers-golden")
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        await pilot.press("down")
        victim = cursor_key(app, "#items-table")
        assert victim is not None
        await pilot.press("d")
        await settle(pilot)
        assert v2_item(server, victim).archived
        assert live_count(server, dataset_id) == 295
        assert victim not in table_keys(app, "#items-table")
        assert any(
            m.startswith("Archived item") and m.endswith("u to undo") for _, m in notifications(app)
        )
        await pilot.press("u")
        await settle(pilot)
        assert not v2_item(server, victim).archived
        assert victim in table_keys(app, "#items-table")
        # archive again, then restore from the trash
        await pilot.press("d")
        await settle(pilot)
        assert v2_item(server, victim).archived
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        assert text_of(app, "#trash-title") == "Trash: 1 archived from this machine"
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: not v2_item(server, victim).archived)
        assert live_count(server, dataset_id) == 296


async def test_duplicate_and_move_copy_into_the_target_move_archives_undo_restores(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory("demo")
    source = dataset_named(server, "rag-answers-golden")
    target = dataset_named(server, "edge-cases")
    before = live_count(server, target)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        item_id = cursor_key(app, "#items-table")
        assert item_id is not None
        original = v2_item(server, item_id)
        # duplicate: a copy in the target (content and source link), the original stays
        await pilot.press("D")
        assert isinstance(app.screen, DatasetPicker)
        await settle(pilot)
        await pilot.press(*"edge")
        await wait_for(pilot, lambda: app.model.state.datasets.search == "edge")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert live_count(server, target) == before + 1 and live_count(server, source) == 296
        with client(server) as c:
            duplicate = next(iter(c.items.iter(target)))
        assert isinstance(duplicate, VersionedItem) and duplicate.input == original.input
        assert duplicate.source_output == original.source_output
        before += 1
        # move: a copy in the target, the original archived
        await pilot.press("m")
        assert isinstance(app.screen, DatasetPicker)
        await settle(pilot)
        await pilot.press(*"edge")
        await wait_for(pilot, lambda: app.model.state.datasets.search == "edge")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert v2_item(server, item_id).archived  # the original, archived in its dataset
        assert live_count(server, source) == 295 and live_count(server, target) == before + 1
        with client(server) as c:
            copy = next(iter(c.items.iter(target)))
        assert isinstance(copy, VersionedItem) and copy.input == original.input
        assert copy.source_trace_id == original.source_trace_id
        assert item_id not in table_keys(app, "#items-table")
        await pilot.press("u")
        await settle(pilot)
        assert not v2_item(server, item_id).archived
        assert live_count(server, target) == before
        assert item_id in table_keys(app, "#items-table")


async def test_read_only_hides_archive_edit_and_add(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(v2_demo_server, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        assert app.screen.query_one("#header-readonly").display
        assert not {"Archive", "Delete", "Edit", "Add"} & set(footer_text(app).split())
        await pilot.press("d", "a", "e")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
    assert live_count(v2_demo_server, dataset_named(v2_demo_server, "rag-answers-golden")) == 296


# -- drafts and limits ----------------------------------------------------------------------------


async def test_a_draft_left_in_the_journal_is_offered_back_with_the_v2_fields(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    _, ids = make_v2_dataset(server, [V2_ITEM])
    app = editor_app(server, tmp_path, ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        app.screen.query_one("#area-metadata", JsonArea).load_text('{"k": "draft"}')
        await settle_screens(pilot)
    # a new session on the same journal: the draft is offered back and opens in the editor
    app2 = build_app(server, tmp_path)  # the same journal file
    async with app2.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app2.screen, DraftsModal))
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app2.screen, EditorScreen))
        await settle(pilot)
        screen = app2.screen
        assert screen.query_one("#area-metadata", JsonArea).text == '{"k": "draft"}'
        assert screen.query_one("#area-source_output", JsonArea).read_only
        assert screen.query_one("#input-source_event_id", Input).value == "event-1"


async def test_a_limit_refusal_is_shown(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory(max_items=1)
    make_v2_dataset(server, [V2_ITEM], name="full")
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "full")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot)
        app.screen.query_one("#area-input", JsonArea).load_text('{"q": 2}')
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await settle(pilot)
        errors = [m for severity, m in notifications(app) if severity == "error"]
        assert any("limit" in m for m in errors), notifications(app)
        editor = app.model.state.editor
        assert editor is not None and editor.status == "not_saved"


def test_the_v2_demo_keeps_its_drafts_apart_from_the_classic_demos() -> None:
    from explorer.api import Settings

    classic = Settings(host="http://127.0.0.1:1", project_id=1, api_key="k")
    v2 = Settings(host="http://127.0.0.1:1", project_id=1, api_key="k", generation="v2")
    assert demo_scope(classic) == "demo" and demo_scope(v2) == "demo-v2"


async def test_without_the_feature_flag_the_refusal_is_shown(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory("demo", datasets_flag=False)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        errors = [m for severity, m in notifications(app) if severity == "error"]
        assert errors
        assert errors[0].split(".")[0] in text_of(app, "#datasets-empty")


async def test_the_editor_recomposes_for_an_editor_of_other_fields(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    """An existing item's editor holds three fields (the rest read-only); when the model's
    editor becomes a new item's (save as new, a draft), the screen shows its seven, editable."""
    server = v2_factory()
    dataset_id, ids = make_v2_dataset(server, [V2_ITEM])
    app = editor_app(server, tmp_path, ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle_screens(pilot)
        screen = app.screen
        assert screen.query_one("#area-source_output", JsonArea).read_only
        await app.model.new_item(dataset_id)
        await settle_screens(pilot)
        await wait_for(pilot, lambda: not screen.query_one("#area-source_output").read_only)
        assert not screen.query_one("#input-source_trace_id", Input).disabled
        assert screen.query_one("#area-input", JsonArea).text == ""
        assert "new item" in text_of(app, "#editor-title")
        screen.query_one("#area-expected_output", JsonArea).load_text('"typed"')
        await settle_screens(pilot)
        editor = app.model.state.editor
        assert editor is not None and editor.fields["expected_output"].text == '"typed"'
