"""Searching the items list, marking and bulk actions in the terminal app, driven with Pilot on
the embedded server (v2 and classic).

Each test makes a small fresh dataset with known metadata tags through the sync client:
three items tagged ``refunds`` (one also ``billing``), two that are not.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from explorer.tui.bulk_dialog import BulkDialog
from explorer.tui.items import ItemsScreen
from explorer.tui.search_bar import MARK
from tests._emulator import RunningEmulator
from tests.tui._app_harness import build_app, isolate_env, settle, sync_client, table_keys
from tests.tui._v2 import V2Factory, v2_factory
from tests.tui.test_app import footer_text

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_factory"]

SIZE = (120, 40)
TAGS = [["refunds"], ["shipping"], ["refunds", "billing"], [], ["refunds"]]


def make_tagged(server: RunningEmulator, versioned: bool) -> tuple[str, str, list[str]]:
    """A fresh dataset of five items tagged as `TAGS`; its name, id and the item ids."""
    answer = "expected_output" if versioned else "output"
    name = f"tags-{uuid.uuid4().hex[:8]}"
    with sync_client(server) as c:
        dataset = c.datasets.create(name)
        ids = [
            str(
                c.items.create(
                    dataset,
                    input={"question": f"q{n}"},
                    **{answer: f"a{n}"},
                    metadata={"tags": tags, "n": n},
                ).id
            )
            for n, tags in enumerate(TAGS)
        ]
    return name, str(dataset.id), ids


def tagged_on_server(server: RunningEmulator, dataset_id: str, tag: str) -> set[str]:
    """The live items the server holds with ``tag`` in their metadata tags."""
    with sync_client(server) as c:
        return {
            str(item.id)
            for item in c.items.iter(dataset_id)
            if tag in ((item.metadata or {}).get("tags") or [])
        }


def live_ids(server: RunningEmulator, dataset_id: str) -> set[str]:
    with sync_client(server) as c:
        return {str(item.id) for item in c.items.iter(dataset_id)}


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_dataset(pilot: Any, name: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ItemsScreen)


async def search(pilot: Any, query: str) -> None:
    await pilot.press("slash")
    box = pilot.app.screen.query_one("#items-search", Input)
    assert box.has_focus and box.display
    box.value = ""
    await pilot.press(*query, "enter")
    await settle(pilot)


def id_cells(app: Any) -> list[str]:
    table = app.screen.query_one("#items-table")
    return [str(table.get_cell_at((row, 0))) for row in range(table.row_count)]


@pytest.mark.parametrize("versioned", [True, False], ids=["v2", "classic"])
async def test_a_tag_query_shows_exactly_the_tagged_items(
    versioned: bool, v2_factory: V2Factory, emulator_factory: Any, tmp_path: Path
) -> None:
    server = v2_factory() if versioned else emulator_factory("none")
    name, dataset_id, ids = make_tagged(server, versioned)
    expected = tagged_on_server(server, dataset_id, "refunds")
    assert expected == {ids[0], ids[2], ids[4]}
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        assert set(table_keys(app, "#items-table")) == set(ids)
        await search(pilot, "metadata.tags:refunds")
        assert set(table_keys(app, "#items-table")) == expected
        label = app.model.state.page.view_label
        assert "metadata.tags:refunds" in label and label in text_of(app, "#items-dataset")
        assert "3 results" in text_of(app, "#items-status")
        assert app.screen.query_one("#items-table").has_focus  # the results, to open and mark
        # escape clears the search: the whole dataset again
        await pilot.press("escape")
        await settle(pilot)
        assert set(table_keys(app, "#items-table")) == set(ids)
        assert "search" not in text_of(app, "#items-dataset")
        assert isinstance(app.screen, ItemsScreen)


async def test_a_bad_query_says_why_in_plain_text(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    name, _, ids = make_tagged(server, True)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await search(pilot, "version>x")
        error = app.model.state.search.error
        assert error
        status = text_of(app, "#items-status")
        assert "Query error" in status and error[:30] in status
        # the list is left as it was, the query kept to fix
        assert set(table_keys(app, "#items-table")) == set(ids)
        assert app.screen.query_one("#items-search", Input).value == "version>x"
        # escape in the input clears it
        await pilot.press("escape")
        await settle(pilot)
        assert not app.model.state.search.error
        assert not app.screen.query_one("#items-status", Static).display


async def test_space_marks_and_the_count_shows(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    name, _, _ = make_tagged(server, True)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        first = table_keys(app, "#items-table")[0]
        assert "marked" not in text_of(app, "#items-range")
        assert "Bulk" not in footer_text(app)  # nothing marked
        await pilot.press("space")
        await settle(pilot)
        assert set(app.model.state.marked) == {first}
        assert "1 marked" in text_of(app, "#items-range")
        assert id_cells(app)[0].startswith(MARK)
        assert not any(cell.startswith(MARK) for cell in id_cells(app)[1:])
        assert "Bulk" in footer_text(app)
        await pilot.press("V")  # the page
        await settle(pilot)
        assert "5 marked" in text_of(app, "#items-range")
        assert all(cell.startswith(MARK) for cell in id_cells(app))
        # escape clears the marks first, and stays in the list
        await pilot.press("escape")
        await settle(pilot)
        assert not app.model.state.marked
        assert isinstance(app.screen, ItemsScreen)
        assert not any(cell.startswith(MARK) for cell in id_cells(app))
        assert "marked" not in text_of(app, "#items-range")


@pytest.mark.parametrize("versioned", [True, False], ids=["v2", "classic"])
async def test_archive_every_refund_in_one_query_one_selection_one_confirmation(
    versioned: bool, v2_factory: V2Factory, emulator_factory: Any, tmp_path: Path
) -> None:
    server = v2_factory() if versioned else emulator_factory("none")
    name, dataset_id, ids = make_tagged(server, versioned)
    refunds = tagged_on_server(server, dataset_id, "refunds")
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await search(pilot, "metadata.tags:refunds")  # one query
        await pilot.press("asterisk")  # one selection
        await settle(pilot)
        assert set(app.model.state.marked) == refunds
        assert "3 marked" in text_of(app, "#items-range")
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BulkDialog)
        await pilot.press("enter")  # the first action: Archive (Delete on classic)
        await settle(pilot)
        plan = str(dialog.query_one("#bulk-plan", Static).render())
        verb = "Archive" if versioned else "Delete"
        assert verb in plan and "3 items to act on" in plan
        assert not dialog.query_one("#confirm", Button).disabled
        assert live_ids(server, dataset_id) == set(ids)  # nothing sent before the confirmation
        await pilot.press("y")  # one confirmation
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert live_ids(server, dataset_id) == set(ids) - refunds
        if versioned:
            with sync_client(server) as c:
                assert all(c.items.get(i).archived for i in refunds)  # type: ignore[union-attr]
        bulk = app.model.state.bulk
        assert bulk is not None and bulk.succeeded == 3 and not bulk.running
        assert "3 done, 0 skipped, 0 failed" in text_of(app, "#items-status")
        # u brings them all back
        await pilot.press("u")
        await settle(pilot)
        assert live_ids(server, dataset_id) == set(ids)


async def test_set_metadata_on_the_marked_items(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    name, _, ids = make_tagged(server, True)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("space", "down", "space", "b")
        await settle(pilot)
        marked = set(app.model.state.marked)
        assert len(marked) == 2
        dialog = app.screen
        assert isinstance(dialog, BulkDialog)
        await pilot.press("down", "down", "enter")  # Set metadata key…
        await pilot.press(*"reviewed", "enter", *"true", "enter")
        await settle(pilot)
        plan = str(dialog.query_one("#bulk-plan", Static).render())
        assert "2 items to act on" in plan and "reviewed" in plan
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        with sync_client(server) as c:
            for item_id in ids:
                metadata = c.items.get(item_id).metadata or {}
                assert metadata.get("reviewed") is (True if item_id in marked else None)


async def test_a_refused_plan_cannot_be_confirmed(v2_factory: V2Factory, tmp_path: Path) -> None:
    from explorer.model.bulk import PostHogLimits

    server = v2_factory()
    name, dataset_id, ids = make_tagged(server, True)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        app.model.limits = PostHogLimits(items=6)  # room for one more item
        await pilot.press("V", "b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BulkDialog)
        await pilot.press("down", "down", "down", "down", "down", "enter")  # Copy to…
        await settle(pilot)
        await pilot.press(*name)  # the picker: the same dataset
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is dialog
        plan = str(dialog.query_one("#bulk-plan", Static).render())
        assert "Cannot run" in plan and "room for" in plan
        assert dialog.query_one("#confirm", Button).disabled
        await pilot.press("y")  # refused: nothing happens
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert live_ids(server, dataset_id) == set(ids)


async def test_read_only_hides_the_bulk_key(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    name, dataset_id, ids = make_tagged(server, True)
    app = build_app(server, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("space")
        await settle(pilot)
        assert app.model.state.marked  # marking only reads
        assert "Bulk" not in footer_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert live_ids(server, dataset_id) == set(ids)
