"""The inspector, driven with Pilot against the embedded demo server (its rows are only read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from textual.widgets import ContentSwitcher, Input, Static, TabbedContent

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
        assert "no link (not set: ref_timestamp, ref_source_id)" in header_text(app)
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


def screen_segments(app: ItemScreensApp, text: str) -> list[Any]:
    """The styles of every segment on screen whose text is exactly ``text``."""
    strips = app.screen._compositor.render_strips()
    return [segment.style for strip in strips for segment in strip if segment.text == text]


def find_box(app: ItemScreensApp) -> Input:
    return app.screen.query_one("#inspector-find", Input)


async def test_matches_show_as_the_query_is_typed(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "emoji")  # "emoji": twice in input and metadata, not output
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"emoji")
        await app.workers.wait_for_complete()
        await pilot.pause()
        box = find_box(app)
        assert app.focused is box and box.value == "emoji"  # still typing: no enter yet
        view = app.screen.query_one("#text-input", JsonText)
        assert view.match_count == 2
        status = status_text(app)
        assert "2 in input, 0 in output, 2 in metadata" in status
        assert "match 1 of 4" in status
        current = view.get_component_rich_style("line-view--match-current")
        other = view.get_component_rich_style("line-view--match")
        assert current.bgcolor != other.bgcolor
        styles = screen_segments(app, "emoji")
        assert [s.bgcolor for s in styles].count(current.bgcolor) == 1  # the first, apart
        assert [s.bgcolor for s in styles].count(other.bgcolor) == 1  # the other one
        # one more key narrows it at once: "emoji " only in the input's key and value
        await pilot.press("space", "k")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 in input, 0 in output, 0 in metadata" in status_text(app)
        assert "match 1 of 1" in status_text(app)


async def test_n_walks_every_match_of_every_field_and_wraps(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "emoji")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"emoji", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InspectorScreen)
        texts = {f: screen.query_one(f"#text-{f}", JsonText) for f in ("input", "metadata")}

        async def at(field: str, index: int, k: int) -> None:
            await pilot.pause()
            view = texts[field]
            assert screen.query_one(TabbedContent).active == f"pane-{field}"
            assert app.focused is view and view.match_index == index
            assert f"match {k} of 4" in status_text(app)
            line = view.get_line(view.text.count("\n", 0, view._match_starts[index]))
            assert "emoji" in line.lower()
            assert any("emoji" in row.lower() for row in visible_rows(app))

        await at("input", 0, 1)
        await pilot.press("n")
        await at("input", 1, 2)
        await pilot.press("n")  # input has no more: the metadata tab, its first match
        await at("metadata", 0, 3)
        assert texts["input"].match_index is None  # one current match in all the fields
        await pilot.press("n")
        await at("metadata", 1, 4)
        await pilot.press("n")  # wraps round to the first field
        await at("input", 0, 1)
        await pilot.press("N")  # and back
        await at("metadata", 1, 4)
        await pilot.press("t")  # in the tree, n goes on from there (in the text view)
        await pilot.press("n")
        await at("input", 0, 1)


def visible_rows(app: ItemScreensApp) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


async def test_E_unfolds_everything_under_the_cursor_and_folds_it_again(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        assert app.focused is tree and tree.cursor_node is tree.root
        assert not any("role:" in row for row in visible_rows(app))  # messages folded
        await pilot.press("E")
        await pilot.pause()

        def containers(node: Any) -> list[Any]:
            out = [node] if node.allow_expand else []
            for child in node.children:
                out += containers(child)
            return out

        every = containers(tree.root)
        assert len(every) > 3 and all(n.is_expanded for n in every)
        rows = visible_rows(app)
        assert any('role: "system"' in row for row in rows)  # a leaf two levels down
        assert "unfolded everything under $.input" in status_text(app)
        assert tree.cursor_node is tree.root
        await pilot.press("E")  # all open already: folds it all
        await pilot.pause()
        assert not any(n.is_expanded for n in containers(tree.root))
        assert "folded everything under $.input" in status_text(app)


async def test_expand_all_is_listed_and_can_be_remapped(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    from explorer.tui.keys_help import screen_keys

    item = edge_item(demo_server, "kitchen-sink")
    app = inspector_app(demo_server, tmp_path, item)
    app.set_keymap({"json_tree.expand_all": "asterisk"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = {binding_id: (keys, what) for keys, what, binding_id in screen_keys(app.screen)}
        keys, what = rows["json_tree.expand_all"]
        assert keys == "*" and "Unfold all under the cursor" in what
        for binding_id in ("inspector.next_match", "inspector.prev_match"):
            assert binding_id in rows
        tree = app.screen.query_one("#tree-input", FieldTree)
        await pilot.press("E")  # remapped: E does nothing now
        await pilot.pause()
        assert not all(n.is_expanded for n in tree.root.children if n.allow_expand)
        await pilot.press("asterisk")
        await pilot.pause()
        assert all(n.is_expanded for n in tree.root.children if n.allow_expand)


async def test_E_on_a_big_item_opens_a_bounded_number_of_rows_per_press(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    from explorer.tui.components.json_tree import EXPAND_ALL_ROWS

    dataset_id = find_dataset_id(demo_server, "rag-answers-golden")
    sizes = {i["id"]: len(str(i["input"])) for i in raw_items(demo_server, dataset_id)}
    big = max(sizes, key=lambda i: sizes[i])

    async def prepare(model: ExplorerModel) -> InspectorScreen:
        await model.open_dataset(dataset_id)
        await model.select(big)
        return InspectorScreen(big)

    app = ItemScreensApp(demo_server, tmp_path / "journal.sqlite3", prepare)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree-input", FieldTree)
        await pilot.press("E")
        await pilot.pause()
        assert 0 < tree.last_line + 1 <= EXPAND_ALL_ROWS + 1 + 1000  # a budget, not all
        assert "again goes deeper" in status_text(app)
        lines = tree.last_line
        await pilot.press("E")
        await pilot.pause()
        assert tree.last_line > lines
