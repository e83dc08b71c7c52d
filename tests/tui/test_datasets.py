"""The datasets screen, driven by keys against the embedded server: search, sort, open, create,
edit, delete, undo, refresh, paging."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from explorer.tui.dataset_form import DatasetForm
from explorer.tui.datasets import DatasetsScreen
from explorer.tui.dialogs import ConfirmModal
from explorer.tui.items import ItemsScreen
from tests._emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.tui._app_harness import (
    build_app,
    cursor_key,
    isolate_env,
    settle,
    sync_client,
    table_keys,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]

DEMO_NAMES = ["edge-cases", "customer-support-evals", "rag-answers-golden", "sql-generation"]


def names(server: RunningEmulator, app_keys: list[str]) -> list[str]:
    with sync_client(server) as client:
        return [client.datasets.get(key).name for key in app_keys]


def server_names(server: RunningEmulator) -> list[str]:
    with sync_client(server) as client:
        return [d.name for d in client.datasets.iter()]


async def test_lists_datasets_newest_first(demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        shown = names(demo_server, table_keys(app, "#datasets-table"))
        # other tests may add datasets to the shared server; the demo ones keep their order
        assert [n for n in shown if n in DEMO_NAMES] == DEMO_NAMES
        assert app.screen.has_focus_within
        bar = app.screen.query_one("#datasets-range", Static)
        assert "of" in str(bar.render())


async def test_the_screen_follows_the_model_once(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # the app (notices), the screen and its header: one subscription each
        callbacks = app.model._ctx.subscribers._callbacks
        assert len(callbacks) == 3
        # a dialog on the model (the create form) follows it once, and stops when closed
        await pilot.press("c")
        await settle(pilot)
        assert len(callbacks) == 4
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        assert len(callbacks) == 3


async def test_search_debounces_enter_returns_to_table_escape_clears(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        search = app.screen.query_one("#datasets-search", Input)
        assert search.has_focus
        await pilot.press(*"sql")
        # typing alone searches once the typing pauses
        await wait_for(pilot, lambda: app.model.state.datasets.search == "sql")
        await settle(pilot)
        assert names(server, table_keys(app, "#datasets-table")) == ["sql-generation"]
        await pilot.press("enter")
        assert app.screen.query_one("#datasets-table").has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert search.value == ""
        assert names(server, table_keys(app, "#datasets-table")) == DEMO_NAMES


async def test_search_enter_applies_at_once(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"rag", "enter")
        await settle(pilot)
        assert names(server, table_keys(app, "#datasets-table")) == ["rag-answers-golden"]
        await pilot.press("slash")
        app.screen.query_one("#datasets-search", Input).value = ""
        await pilot.press(*"nothing-like-this", "enter")
        await settle(pilot)
        assert table_keys(app, "#datasets-table") == []
        empty = app.screen.query_one("#datasets-empty", Static)
        assert empty.display and "No dataset matches nothing-like-this" in str(empty.render())


async def test_sort_cycles_through_the_orders(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            await pilot.press("s")
            await settle(pilot)
            seen.append(app.model.state.datasets.order_by)
            if app.model.state.datasets.order_by == "created_at":
                shown = names(server, table_keys(app, "#datasets-table"))
                assert shown == list(reversed(DEMO_NAMES))
        assert seen == ["created_at", "-updated_at", "updated_at", "-created_at"]
        sort = app.screen.query_one("#datasets-sort", Static)
        assert "newest first" in str(sort.render())


async def test_enter_opens_the_highlighted_dataset(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"customer-support", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        page = app.model.state.page
        assert page.dataset is not None and page.dataset.name == "customer-support-evals"
        assert page.total == 1200 and len(table_keys(app, "#items-table")) == 50


async def test_create_dataset_with_metadata(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("none")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        empty = app.screen.query_one("#datasets-empty", Static)
        assert "No datasets in this project yet" in str(empty.render())
        await pilot.press("c")
        assert isinstance(app.screen, DatasetForm)
        await pilot.press(*"evals-v2", "tab", *"second round", "tab")
        app.screen.query_one("#form-metadata", TextArea).text = '{"owner": "ml"}'
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        with sync_client(server) as client:
            [dataset] = list(client.datasets.iter())
        assert (dataset.name, dataset.description, dataset.metadata) == (
            "evals-v2",
            "second round",
            {"owner": "ml"},
        )
        assert table_keys(app, "#datasets-table") == [str(dataset.id)]


async def test_create_dialog_shows_local_errors_and_sends_nothing(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("none")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c", "ctrl+s")
        error = app.screen.query_one("#form-error", Static)
        assert "name: may not be blank" in str(error.render())
        await pilot.press(*"x")
        area = app.screen.query_one("#form-metadata", TextArea)
        area.text = '{\n  "a": 1,\n  "b": }'
        await pilot.press("ctrl+s")
        assert "line 3, column" in str(error.render())
        assert area.has_focus and area.cursor_location[0] == 2
        assert isinstance(app.screen, DatasetForm)
        await pilot.press("escape")
        assert isinstance(app.screen, DatasetsScreen)
    assert server_names(server) == []


async def test_edit_then_undo(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = cursor_key(app, "#datasets-table")
        assert first is not None
        await pilot.press("e")
        assert isinstance(app.screen, DatasetForm)
        name = app.screen.query_one("#form-name", Input)
        assert name.value == "edge-cases"
        app.screen.query_one("#form-description", Input).value = "renamed description"
        await pilot.press("ctrl+s")
        await settle(pilot)
        with sync_client(server) as client:
            assert client.datasets.get(first).description == "renamed description"
        await pilot.press("u")
        await settle(pilot)
        with sync_client(server) as client:
            assert client.datasets.get(first).description.startswith("Items that stress")


async def test_delete_asks_then_undo_restores(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert server_names(server) == DEMO_NAMES
        await pilot.press("d", "y")
        await settle(pilot)
        assert server_names(server) == DEMO_NAMES[1:]
        assert names(server, table_keys(app, "#datasets-table")) == DEMO_NAMES[1:]
        await pilot.press("u")
        await settle(pilot)
        assert server_names(server) == DEMO_NAMES


async def test_refresh_shows_changes_made_elsewhere(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("none")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with sync_client(server) as client:
            client.datasets.create("made-elsewhere")
        assert table_keys(app, "#datasets-table") == []
        await pilot.press("r")
        await settle(pilot)
        assert len(table_keys(app, "#datasets-table")) == 1


async def test_more_than_a_page_of_datasets_pages_with_brackets(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("none")
    with sync_client(server) as client:
        for i in range(35):
            client.datasets.create(f"ds-{i:02d}")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#datasets-range", Static)
        assert "1-30 of 35" in str(bar.render()) and "page 1/2" in str(bar.render())
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "31-35 of 35" in str(bar.render())
        assert len(table_keys(app, "#datasets-table")) == 5
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "1-30 of 35" in str(bar.render())
