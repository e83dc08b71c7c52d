"""The inspector, driven with Pilot against the embedded demo server (its rows are only read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from textual.widgets import ContentSwitcher, Static

from explorer.model import ExplorerModel
from explorer.tui.components import JsonText, LineView, StringViewer
from explorer.tui.inspector import FieldTree, InspectorScreen
from tests._emulator import RunningEmulator
from tests.tui._item_screens import ItemScreensApp, find_dataset_id, raw_items, settle, wait_for


def edge_item(server: RunningEmulator, case: str) -> dict[str, Any]:
    dataset_id = find_dataset_id(server, "edge-cases")
    for item in raw_items(server, dataset_id):
        for field in ("metadata", "input"):
            value = item[field]
            if isinstance(value, dict) and value.get("case") == case:
                return item
    raise LookupError(case)


def inspector_app(
    server: RunningEmulator,
    tmp_path: Path,
    item: dict[str, Any],
    *,
    select: bool = True,
    shown_host: str | None = None,
) -> ItemScreensApp:
    async def prepare(model: ExplorerModel) -> InspectorScreen:
        await model.open_dataset(item["dataset"])
        if select:
            await model.select(item["id"])
        return InspectorScreen(item["id"])

    return ItemScreensApp(server, tmp_path / "journal.sqlite3", prepare, shown_host=shown_host)


def header_text(app: ItemScreensApp) -> str:
    return str(app.screen.query_one("#inspector-header", Static).render())


def status_text(app: ItemScreensApp) -> str:
    return str(app.screen.query_one("#inspector-status", Static).render())


async def test_header_shows_ids_refs_and_the_encoded_trace_url(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "ref-url-special-characters")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        header = header_text(app)
        assert item["id"] in header
        assert "edge-cases" in header
        for name in ("ref_trace_id", "ref_timestamp", "ref_source_id"):
            assert name in header
        expected = (
            f"{demo_server.url}/project/{demo_server.project_id}/llm-analytics/traces/"
            f"{quote(item['ref_trace_id'], safe='')}?event={quote(item['ref_source_id'], safe='')}"
            f"&timestamp="
        )
        assert expected in header
        await pilot.press("o")
        assert len(app.opened) == 1 and app.opened[0].startswith(expected)


async def test_no_trace_link_without_all_three_refs(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "ref-only-trace-id")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert "no link (needs ref_trace_id, ref_source_id and ref_timestamp)" in header_text(app)
        await pilot.press("o")
        assert app.opened == []
        assert "no trace link" in status_text(app)


async def test_selects_the_item_itself_when_the_selection_differs(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "zero-and-false")
    app = inspector_app(demo_server, tmp_path, item, select=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: app.model.state.selected_id == item["id"])
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        assert tree.value == item["input"]


async def test_toggle_between_tree_and_text(demo_server: RunningEmulator, tmp_path: Path) -> None:
    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        switcher = app.screen.query_one("#switch-input", ContentSwitcher)
        assert switcher.current == "tree-input"
        await pilot.press("t")
        assert switcher.current == "text-input"
        view = app.screen.query_one("#text-input", JsonText)
        await view.wait_loaded()
        assert json.loads(view.text) == item["input"]
        assert app.focused is view
        await pilot.press("3")
        assert app.focused is app.screen.query_one("#text-metadata", JsonText)
        await pilot.press("t")
        assert switcher.current == "tree-input"
        focused: object = app.focused
        assert focused is app.screen.query_one("#tree-metadata", FieldTree)


async def test_copy_value_and_path_in_the_tree(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        assert app.focused is tree
        # root -> messages -> unfold -> first message -> unfold -> its role
        await pilot.press("down", "right", "right", "right", "right")
        assert tree.path_at_cursor() == "$.input.messages[0].role"
        await pilot.press("y", "Y")
        assert app.copied == [item["input"]["messages"][0]["role"], "$.input.messages[0].role"]
        await pilot.press("left", "left")  # to messages[0], folded; then y copies the object
        await pilot.press("y")
        assert json.loads(app.copied[-1]) == item["input"]["messages"][0]
        assert "copied the value" in status_text(app)


async def test_copy_in_the_text_view_takes_the_whole_field(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "t", "y", "Y")
        assert json.loads(app.copied[0]) == item["output"] or app.copied[0] == item["output"]
        assert app.copied[1] == "$.output"


async def test_find_counts_every_field_and_goes_to_the_first_match(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"kitchen-sink", "enter")
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, InspectorScreen)
        for field in ("input", "output", "metadata"):
            await screen.query_one(f"#text-{field}", JsonText).wait_loaded()
        await pilot.pause()
        expected = {
            f: json.dumps(item[f], ensure_ascii=False).lower().count("kitchen-sink")
            for f in ("input", "output", "metadata")
        }
        assert expected["metadata"] >= 1
        status = status_text(app)
        for field, count in expected.items():
            assert f"{count} in {field}" in status
        first = next(f for f, n in expected.items() if n)
        view = screen.query_one(f"#text-{first}", JsonText)
        assert app.focused is view and view.match_index == 0


async def test_enter_on_a_cut_string_shows_it_whole(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "long-line-200k")  # input: {"text": <200,000 characters>}
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        await pilot.press("down")
        node = tree.cursor_node
        assert node is not None and tree.path_at_cursor() == "$.input.text"
        label = tree.render_label(node, tree.rich_style, tree.rich_style).plain
        assert "… +199,800 chars (enter: view all)" in label
        await pilot.press("enter")
        await pilot.pause()
        viewer = app.screen
        assert isinstance(viewer, StringViewer)
        assert viewer.query_one(LineView).text == item["input"]["text"]
        await pilot.press("escape")
        assert isinstance(app.screen, InspectorScreen)


async def test_escape_goes_back(demo_server: RunningEmulator, tmp_path: Path) -> None:
    item = edge_item(demo_server, "zero-and-false")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorScreen)


@pytest.mark.parametrize(
    ("case", "key", "shown"),
    [
        ("rich-markup", "bold", '"[bold red]alert[/]: your order failed"'),
        ("ansi-escapes", "colors", '"\\x1b[31mred\\x1b[0m'),
    ],
)
async def test_hostile_text_is_shown_literally(
    demo_server: RunningEmulator, tmp_path: Path, case: str, key: str, shown: str
) -> None:
    item = edge_item(demo_server, case)
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        node = next(n for n in tree.root.children if n.data is not None and n.data.key == key)
        label = tree.render_label(node, tree.rich_style, tree.rich_style)
        assert shown in label.plain
        assert "\x1b" not in label.plain


async def test_e_opens_the_editor_on_the_item(demo_server: RunningEmulator, tmp_path: Path) -> None:
    from explorer.tui.editor import EditorScreen

    item = edge_item(demo_server, "zero-and-false")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.model.state.editor
        assert editor is not None and editor.item_id == item["id"]
        await settle(pilot)
        await pilot.press("escape")  # nothing changed: straight back
        await wait_for(pilot, lambda: isinstance(app.screen, InspectorScreen))
