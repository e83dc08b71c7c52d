"""The items screen against the embedded server: paging, go to page, cursor kept on refresh,
inspect/edit/add open the item screens, duplicate and move through the picker, delete with
undo, back; and item text never reaching the terminal as markup or control sequences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, OptionList, Static

from explorer.tui.components.safe_text import unsafe_char_pattern
from explorer.tui.dataset_picker import DatasetPicker
from explorer.tui.datasets import DatasetsScreen
from explorer.tui.items import ItemsScreen
from explorer.tui.page_prompt import PagePrompt
from tests._emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.tui._app_harness import (
    ExplorerApp,
    build_app,
    cursor_key,
    dataset_id_named,
    isolate_env,
    settle,
    sync_client,
    table_keys,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]


async def open_dataset(pilot: Any, name: str) -> None:
    app = pilot.app
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ItemsScreen)


def range_text(app: ExplorerApp) -> str:
    return str(app.screen.query_one("#items-range", Static).render())


def item_count(server: RunningEmulator, dataset_id: str) -> int:
    with sync_client(server) as client:
        return client.items.list(dataset=dataset_id, limit=1).count


async def test_pages_forward_back_and_go_to(demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "customer-support-evals")
        first_page = table_keys(app, "#items-table")
        assert len(first_page) == 50
        assert "1-50 of 1,200" in range_text(app) and "page 1/24" in range_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "51-100 of 1,200" in range_text(app)
        second = table_keys(app, "#items-table")
        assert len(second) == 50 and not set(second) & set(first_page)
        assert cursor_key(app, "#items-table") == second[0]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table_keys(app, "#items-table") == first_page
        await pilot.press("g")
        assert isinstance(app.screen, PagePrompt)
        await pilot.press(*"99", "enter")  # out of range: said so, the prompt stays
        assert isinstance(app.screen, PagePrompt)
        assert "from 1 to 24" in str(app.screen.query_one("#page-prompt-hint", Static).render())
        app.screen.query_one(Input).value = "24"
        await pilot.press("enter")
        await settle(pilot)
        assert "1,151-1,200 of 1,200" in range_text(app)
        await pilot.press("g", "escape")
        assert isinstance(app.screen, ItemsScreen)


async def test_page_size_comes_from_config(demo_server: RunningEmulator, tmp_path: Path) -> None:
    from explorer.tui.keys import TuiConfig

    app = build_app(demo_server, tmp_path, tui_config=TuiConfig(page_size=20))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        assert len(table_keys(app, "#items-table")) == 20
        assert "1-20 of 300" in range_text(app)


async def test_refresh_keeps_the_cursor_on_the_same_item(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "sql-generation")
        await pilot.press("down", "down", "down")
        before = cursor_key(app, "#items-table")
        assert before == table_keys(app, "#items-table")[3]
        await pilot.press("r")
        await settle(pilot)
        assert cursor_key(app, "#items-table") == before


async def test_escape_goes_back_and_closes_the_dataset(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        assert app.model.state.page.dataset is None


async def test_delete_offers_undo_and_undo_restores(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    dataset_id = dataset_id_named(server, "rag-answers-golden")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        await pilot.press("down")
        victim = cursor_key(app, "#items-table")
        assert victim is not None
        await pilot.press("d")
        await settle(pilot)
        assert victim not in table_keys(app, "#items-table")
        assert item_count(server, dataset_id) == 299
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Deleted item") and m.endswith("u to undo") for m in messages)
        await pilot.press("u")
        await settle(pilot)
        assert item_count(server, dataset_id) == 300
        assert victim in table_keys(app, "#items-table")


async def test_duplicate_and_move_through_the_picker(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    source = dataset_id_named(server, "rag-answers-golden")
    target = dataset_id_named(server, "edge-cases")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        item_id = cursor_key(app, "#items-table")
        await pilot.press("D")
        assert isinstance(app.screen, DatasetPicker)
        await settle(pilot)
        await pilot.press(*"edge")
        await wait_for(pilot, lambda: app.model.state.datasets.search == "edge")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert item_count(server, target) == 64
        assert item_count(server, source) == 300
        # the picker put the dataset list's search back as it was
        assert app.model.state.datasets.search == "rag-answers-golden"

        await pilot.press("m")
        assert isinstance(app.screen, DatasetPicker)
        await settle(pilot)
        picker_ids = [
            options_id
            for options_id in (
                app.screen.query_one(OptionList).get_option_at_index(i).id
                for i in range(app.screen.query_one(OptionList).option_count)
            )
        ]
        assert source not in picker_ids  # a move never offers the item's own dataset
        await pilot.press(*"edge")
        await wait_for(pilot, lambda: app.model.state.datasets.search == "edge")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert item_count(server, source) == 299 and item_count(server, target) == 65
        with sync_client(server) as client:
            assert str(client.items.get(item_id).dataset) == target
        assert item_id not in table_keys(app, "#items-table")
        await pilot.press("u")
        await settle(pilot)
        with sync_client(server) as client:
            assert str(client.items.get(item_id).dataset) == source


async def test_picker_escape_cancels(demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)


async def test_enter_inspects_e_edits_a_adds(demo_server: RunningEmulator, tmp_path: Path) -> None:
    from explorer.tui.editor import EditorScreen
    from explorer.tui.inspector import InspectorScreen

    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "rag-answers-golden")
        await pilot.press("down")
        item_id = cursor_key(app, "#items-table")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InspectorScreen))
        assert app.model.state.selected_id == item_id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ItemsScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.model.state.editor
        assert editor is not None and editor.item_id == item_id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ItemsScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.model.state.editor
        assert editor is not None and editor.is_new
        assert editor.dataset_id == dataset_id_named(demo_server, "rag-answers-golden")


def _cells(app: ExplorerApp) -> list[Text]:
    table = app.screen.query_one("#items-table", DataTable)
    return [cell for row in table.ordered_rows for cell in table.get_row(row.key)]


async def test_edge_case_items_are_plain_text(demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(demo_server, tmp_path)
    unsafe = unsafe_char_pattern()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_dataset(pilot, "edge-cases")
        seen_brackets = False
        for _ in range(app.model.state.page.page_count):
            for cell in _cells(app):
                assert isinstance(cell, Text)
                assert not unsafe.search(cell.plain), cell.plain
                assert all("link" not in str(span.style) for span in cell.spans)
                seen_brackets |= "[/" in cell.plain or "[bold" in cell.plain
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert seen_brackets  # markup-looking text was shown as it is, not interpreted


async def test_each_change_redraws_once_and_leaving_unsubscribes(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        subscribers = app.model._ctx.subscribers._callbacks
        before = len(subscribers)
        await open_dataset(pilot, "sql-generation")
        screen = app.screen
        assert isinstance(screen, ItemsScreen)
        assert len(subscribers) == before + 2  # the screen and its header, once each
        redraws: list[Any] = []
        original = screen.redraw
        screen.redraw = lambda change: (redraws.append(change), original(change))  # type: ignore[method-assign]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [c.command for c in redraws if c is not None] == ["next_page"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(subscribers) == before


async def test_the_next_pages_rows_are_ready_before_the_turn(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "sql-generation")
        screen = app.screen
        assert isinstance(screen, ItemsScreen)
        upcoming = app.model.peek_page(2)
        assert upcoming
        assert all(screen.row_cache.has(item, screen._widths) for item in upcoming)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table_keys(app, "#items-table") == [str(i.id) for i in upcoming]
        assert all(
            screen.row_cache.has(item, screen._widths) for item in app.model.peek_page(3) or []
        )


def test_row_cache_reuses_cells_of_the_same_item_only() -> None:
    from datetime import UTC, datetime

    from explorer.api.models import DatasetItem
    from explorer.tui.items import RowCache, column_widths, item_cells

    now = datetime(2026, 3, 5, tzinfo=UTC)
    fields = {
        "id": "0195a3c0-0000-7000-8000-000000000001",
        "team": 1,
        "dataset": "0195a3c0-0000-7000-8000-0000000000aa",
        "input": {"q": "x" * 500},
        "output": "answer",
        "metadata": None,
        "created_at": "2026-03-01T00:00:00Z",
        "updated_at": "2026-03-02T00:00:00Z",
    }
    item = DatasetItem.model_validate(fields)
    from rich.console import Console

    cache = RowCache(Console(), size=2)
    wide, narrow = column_widths(120), column_widths(80)
    first = cache.cells(item, wide, now)
    assert [c.plain for c in first] == [c.plain for c in item_cells(item, wide, now)]
    again = cache.cells(item, wide, now)
    assert again[1] is first[1]  # the preview is built once
    assert cache.cells(item, narrow, now)[1] is not first[1]  # other widths, other cells
    edited = item.model_copy(update={"output": "changed"})
    assert cache.cells(edited, wide, now)[2].plain == '"changed"'
    later = datetime(2026, 3, 9, tzinfo=UTC)
    assert cache.cells(edited, wide, later)[5].plain == item_cells(edited, wide, later)[5].plain
    assert len(cache) == 2  # bounded


@pytest.mark.parametrize(
    "value",
    [
        {"q": "plain words " * 20},
        "日本語のテキスト、絵文字 🎉 と right-to-left עברית " * 3,
        "escapes \x1b[31m \x07 \u202e [bold]not markup[/bold]",
        None,
        [1, 2.5, True, {"nested": ["deep"] * 30}],
    ],
)
def test_a_drawn_cell_draws_what_its_text_draws(value: Any) -> None:
    from rich.console import Console
    from rich.padding import Padding
    from textual.renderables.styled import Styled

    from explorer.tui.components import preview
    from explorer.tui.items import DrawnText, cell_options

    console = Console(width=120, color_system="truecolor", force_terminal=True)
    for width in (2, 9, 34):
        text = preview(value, width)
        drawn = DrawnText(text, console, cell_options(console, width))
        assert isinstance(drawn, Text) and drawn.plain == text.plain and drawn.spans == text.spans
        # as DataTable renders a cell: padded by one cell each side, styles layered around it
        table_options = console.options.update_dimensions(width + 2, 1).update(no_wrap=True)
        for cell in (text, drawn):
            assert console.measure(cell).maximum == console.measure(text).maximum

        def lines(cell: Text, options: Any = table_options) -> Any:
            styled = Styled(Padding(cell, (0, 1)), pre_style="on blue", post_style="bold")
            return console.render_lines(styled, options)

        assert lines(drawn) == lines(text)
        wider = console.options.update_dimensions(width + 6, 1).update(no_wrap=True)
        assert lines(drawn, wider) == lines(text, wider)  # other width: laid out again


async def test_the_items_table_draws_drawn_cells_as_the_stock_table_does() -> None:
    from rich.console import Console
    from textual.app import App, ComposeResult

    from explorer.tui.components import preview
    from explorer.tui.items import DrawnText, ItemsTable, cell_options

    values = ["plain", {"k": "日本語 🎉 " * 9}, "esc \x1b[31m [b]x[/b]", None, [1, 2.5]]

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield ItemsTable(cursor_type="row", zebra_stripes=True)

    app = Harness()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(ItemsTable)
        console: Console = app.console
        widths = (4, 30, 9)
        for width in widths:
            table.add_column(str(width), width=width)
        for n, value in enumerate(values):
            cells = [preview(value, w) for w in widths]
            drawn = [
                DrawnText(c, console, cell_options(console, w))
                for c, w in zip(cells, widths, strict=True)
            ]
            table.add_row(*drawn, key=str(n))
        await pilot.pause()
        base = table.rich_style
        for row in range(len(values)):
            for column, width in enumerate(widths):
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    args = (row, column, base, width + 2, cursor, hover)
                    fast = table._drawn_cell(*args)
                    assert fast is not None
                    table._cell_render_cache.clear()
                    stock = DataTable._render_cell(table, *args)
                    table._cell_render_cache.clear()
                    assert fast == stock, (row, column, cursor, hover)


def _columns(app: ExplorerApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#items-table", DataTable)
    rows = [[cell.plain for cell in table.get_row(row.key)] for row in table.ordered_rows]
    return {
        "input": [row[1] for row in rows],
        "output": [row[2] for row in rows],
        "metadata": [row[3] for row in rows],
    }


async def test_row_previews_tell_the_demo_items_apart(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        seen: dict[str, dict[str, list[str]]] = {}
        for name in ("customer-support-evals", "rag-answers-golden", "sql-generation"):
            await open_dataset(pilot, name)
            seen[name] = _columns(app)
            await pilot.press("escape")
            await settle(pilot)
        await open_dataset(pilot, "edge-cases")
        seen["edge-cases"] = _columns(app)

    support = seen["customer-support-evals"]
    # the last user message, not the system prompt every row starts with
    assert all(cell.startswith("user: ") for cell in support["input"]), support["input"]
    assert len(set(support["input"])) >= 0.9 * len(support["input"])
    assert not any(cell.startswith('{"role"') for cell in support["output"])
    assert any(cell.startswith("→ lookup_order(") for cell in support["output"])
    assert support["metadata"][0].startswith('{"tags":[')  # metadata stays compact JSON

    rag = seen["rag-answers-golden"]
    assert not any(cell.startswith('{"question"') for cell in rag["input"])
    # (the cell is 34 wide: some questions share their first words, "According to our docs")
    assert len(set(rag["input"])) >= 0.75 * len(rag["input"])
    assert not any(cell.startswith('{"answer"') for cell in rag["output"])

    sql = seen["sql-generation"]
    assert not any(cell.startswith('{"question"') for cell in sql["input"])
    assert all(cell.upper().startswith(("SELECT", "WITH")) for cell in sql["output"])

    edge = seen["edge-cases"]
    assert any(cell.startswith("user: Why is my terminal \\x1b[") for cell in edge["input"])
    assert '"legacy"' in edge["input"]  # a bare string stays a quoted JSON string
    assert any(cell.startswith('{"spaces":"     "') for cell in edge["input"])  # unknown: JSON


def test_a_salient_preview_is_escaped_like_any_item_text() -> None:
    from datetime import UTC, datetime

    from explorer.api.models import DatasetItem
    from explorer.tui.items import column_widths, item_cells

    hostile = "\x1b[2J[bold red]x[/] \u202eevil\u202c\nnext"
    item = DatasetItem.model_validate(
        {
            "id": "0195a3c0-0000-7000-8000-000000000001",
            "dataset": "0195a3c0-0000-7000-8000-0000000000aa",
            "input": {"messages": [{"role": "user", "content": hostile}]},
            "output": {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"function": {"name": "\x07ring", "arguments": "{}"}}],
            },
            "created_at": "2026-03-01T00:00:00Z",
            "updated_at": "2026-03-02T00:00:00Z",
        }
    )
    widths = column_widths(200)
    cells = item_cells(item, widths, datetime(2026, 3, 5, tzinfo=UTC))
    assert cells[1].plain == "user: \\x1b[2J[bold red]x[/] \\u202eevil\\u202c\\nnext"
    assert cells[2].plain == "→ \\x07ring({})"
    assert not unsafe_char_pattern().search(cells[1].plain + cells[2].plain)
    assert all(span.style for span in cells[1].spans)  # only the escapes are styled (dim)
    assert cells[0].plain == "00000001"  # the short id: the tail of the UUIDv7


def _svg_runs_starting_with_a_gap(svg: str, rows: set[int]) -> list[str]:
    """The text runs of the given screen rows (0-based) that start with two or more spaces:
    SVG renderers such as rsvg draw those spaces after the run, gluing it to the one before."""
    import html
    import re

    runs = re.findall(
        r'<text [^>]*clip-path="url\(#terminal-[^)]*?line-(\d+)\)">([^<]*)</text>', svg
    )
    return [
        html.unescape(text)
        for line, text in runs
        if int(line) in rows and re.match(r"(&#160;){2,}\S", text)
    ]


async def test_header_range_trace_column_and_footer_read_well_at_120_columns(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    from tests.tui.test_components import screen_lines

    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "customer-support-evals")
        lines = screen_lines(app)
        assert f"host {demo_server.url}  project 1" in lines[0]
        assert "1-50 of 1,200   page 1/24" in lines[1]
        header_row = lines[2].split()
        assert header_row[:6] == ["id", "input", "output", "metadata", "trace", "updated"]
        assert lines[3].split()[-3] == "⤷"  # the mark, under its readable header
        footer = lines[-1]
        assert "q Quit" in footer and "? Keys" in footer, footer  # nothing cut at 120
        assert "D Duplicate" not in footer  # the rarer keys are in ? and the palette
        # every renderer draws the gaps where they are (the README's picture is an SVG)
        svg = app.export_screenshot()
        assert _svg_runs_starting_with_a_gap(svg, {0, 1}) == []


async def test_undo_puts_the_cursor_on_the_restored_row_so_d_deletes_it_again(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory()
    with sync_client(server) as client:
        dataset = client.datasets.create("undo-cursor")
        for n in range(4):
            client.items.create(dataset, input={"n": n}, output=f"out {n}")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dataset(pilot, "undo-cursor")
        rows = table_keys(app, "#items-table")
        await pilot.press("down")
        victim = cursor_key(app, "#items-table")
        assert victim == rows[1]
        await pilot.press("d")
        await settle(pilot)
        assert cursor_key(app, "#items-table") == rows[2]  # its neighbour took its place
        await pilot.press("u")
        await settle(pilot)
        assert table_keys(app, "#items-table") == rows
        assert cursor_key(app, "#items-table") == victim  # back on the restored row
        await pilot.press("d")  # so this deletes the restored item, not the neighbour
        await settle(pilot)
        with sync_client(server) as client:
            live = {str(i.id) for i in client.items.iter(dataset=dataset.id)}
        assert live == set(rows) - {victim}
