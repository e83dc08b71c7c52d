"""An item's history in the terminal app (API v2), driven with Pilot: ``h`` from the items list
and from the inspector, the versions as the server holds them, the diff of any two, restoring a
version and undoing it (checked on the server), copying the ids; on classic, the plain message
that there is no history; read-only, no restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Static

from explorer.api.models import VersionedItem, short_id
from explorer.model.history import NO_HISTORY, diff_versions
from explorer.tui.dialogs import ConfirmModal, DiffView
from explorer.tui.history import HistoryScreen
from explorer.tui.inspector import InspectorScreen
from explorer.tui.items import ItemsScreen
from explorer.tui.keys import TuiConfig
from explorer.tui.keys_help import screen_keys
from tests._emulator import RunningEmulator
from tests.tui._app_harness import build_app, cursor_key, isolate_env, settle, table_keys, wait_for
from tests.tui._v2 import (
    V2Factory,
    client,
    find_item,
    make_v2_dataset,
    v2_demo_server,
    v2_factory,
    v2_item,
)
from tests.tui.test_app import footer_text, notifications

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server", "v2_factory"]

SIZE = (120, 40)
SUPPORT = "customer-support-evals"
CASE = "support-case-01528"  # a demo item with six versions: edits, archived, restored


# -- helpers ----------------------------------------------------------------------------------


def server_versions(server: RunningEmulator, item_id: str) -> list[VersionedItem]:
    """Every version of the item on the server, newest first."""
    with client(server) as c:
        page = c.items.versions(item_id, limit=100)
    return sorted(page.results, key=lambda v: v.version, reverse=True)


def case_item(server: RunningEmulator) -> VersionedItem:
    return find_item(server, SUPPORT, lambda i: i.client_item_id == CASE)


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def version_rows(app: Any) -> list[list[str]]:
    """The history table as shown: each row's cells as text."""
    table = app.screen.query_one("#history-versions", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


def diff_text(app: Any) -> str:
    return app.screen.query_one("#history-diff", DiffView).text


async def open_dataset(pilot: Any, name: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ItemsScreen)


async def highlight_item(pilot: Any, item_id: str) -> None:
    """Arrow down the items list to the item's row, as a user would."""
    index = table_keys(pilot.app, "#items-table").index(item_id)
    await pilot.press(*["down"] * index)
    assert cursor_key(pilot.app, "#items-table") == item_id


async def open_history(pilot: Any, dataset: str, item_id: str, key: str = "h") -> HistoryScreen:
    await open_dataset(pilot, dataset)
    await highlight_item(pilot, item_id)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


async def go_to_version(pilot: Any, version: int) -> None:
    """Arrow up or down the history table to ``v{version}``."""
    table = pilot.app.screen.query_one("#history-versions", DataTable)
    rows = [str(row.key.value) for row in table.ordered_rows]
    step = rows.index(str(version)) - table.cursor_row
    await pilot.press(*(["down"] * step if step > 0 else ["up"] * -step))
    await settle(pilot)
    assert version_rows(pilot.app)[table.cursor_row][1] == f"v{version}"


# -- reading the history ----------------------------------------------------------------------


async def test_h_in_the_items_list_shows_every_version_of_the_highlighted_item(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    versions = server_versions(v2_demo_server, str(item.id))
    assert len(versions) == 6
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot, SUPPORT, str(item.id))

        title = text_of(app, "#history-title")
        assert f"item {short_id(item.id)}" in title and f"({CASE})" in title
        assert f"in {SUPPORT}" in title and "6 versions" in title
        rows = version_rows(app)
        assert [row[1] for row in rows] == [f"v{v.version}" for v in versions]
        assert [row[5] for row in rows] == [str(v.dataset_revision) for v in versions]
        assert all(row[3] == "Demo User" for row in rows)
        assert rows[0][0] == "current" and not any(row[0] for row in rows[1:])
        assert rows[0][2].startswith("2d ago") and "2026-03-02 18:44" in rows[0][2]
        assert [row[4] for row in rows] == [
            "edited metadata",
            "restored",
            "archived",
            "edited metadata",
            "edited expected output",
            "created",
        ]
        # the newest is highlighted: its ids, and what it changed from the one before
        detail = text_of(app, "#history-detail")
        assert str(versions[0].version_id) in detail
        assert str(versions[0].dataset_revision_id) in detail
        assert text_of(app, "#history-compare").startswith("v5 → v6: metadata changed")

        await go_to_version(pilot, 2)
        assert text_of(app, "#history-compare").startswith("v1 → v2: expected output changed")
        assert str(versions[4].version_id) in text_of(app, "#history-detail")
        diff = diff_text(app)
        assert "# expected_output: +1 -1" in diff
        assert '+  "content": "Sorry to hear that, Aisha. What\'s the order number' in diff

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert app.model.state.history is None


async def test_h_in_the_inspector_shows_the_items_history_and_escape_returns(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, SUPPORT)
        await highlight_item(pilot, str(item.id))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InspectorScreen))
        await settle(pilot)
        # while typing a query, h is a letter of the query
        await pilot.press("slash", "h")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        assert app.screen.query_one("#inspector-find", Input).value == "h"
        await pilot.press("escape")  # closes the find box; focus back on the field
        await settle(pilot)

        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await settle(pilot)
        assert app.screen.item_id == str(item.id)  # type: ignore[attr-defined]
        assert "6 versions" in text_of(app, "#history-title")
        assert [row[1] for row in version_rows(app)] == ["v6", "v5", "v4", "v3", "v2", "v1"]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)


async def test_space_marks_a_base_and_the_diff_follows_the_highlight(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    by_number = {v.version: v for v in server_versions(v2_demo_server, str(item.id))}
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, SUPPORT, str(item.id))
        await go_to_version(pilot, 2)
        await pilot.press("space")
        await settle(pilot)
        assert screen.base == 2
        assert version_rows(app)[4][0] == "base"

        await go_to_version(pilot, 5)
        expected = diff_versions(by_number[2], by_number[5]).summary
        assert expected == "v2 → v5: metadata changed"
        compare = text_of(app, "#history-compare")
        assert compare.startswith(expected) and "base v2" in compare
        diff = diff_text(app)
        assert "# metadata:" in diff
        assert '+  "reviewed_by": "s.ruiz"' in diff
        assert "expected_output" not in diff  # v2 and v5 have the same expected output

        await go_to_version(pilot, 6)
        assert text_of(app, "#history-compare").startswith("v2 → v6: metadata changed")

        # escape clears the mark first (each version against the one before it again)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and screen.base is None
        assert not any(row[0] == "base" for row in version_rows(app))
        assert text_of(app, "#history-compare").startswith("v5 → v6: metadata changed")

        # space on the marked version clears it too
        await go_to_version(pilot, 3)
        await pilot.press("space")
        await settle(pilot)
        assert screen.base == 3
        await pilot.press("space")
        await settle(pilot)
        assert screen.base is None
        await go_to_version(pilot, 1)
        assert text_of(app, "#history-compare").startswith("v1: created")


async def test_y_copies_the_version_id_and_Y_the_dataset_revision(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    v3 = {v.version: v for v in server_versions(v2_demo_server, str(item.id))}[3]
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot, SUPPORT, str(item.id))
        await go_to_version(pilot, 3)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == str(v3.version_id)
        assert any(str(v3.version_id) in message for _, message in notifications(app))
        assert f"copied the id of v3: {v3.version_id}" in text_of(app, "#history-status")

        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == f"{v3.dataset_revision} {v3.dataset_revision_id}"
        assert f"revision {v3.dataset_revision}" in text_of(app, "#history-status")


# -- restoring --------------------------------------------------------------------------------


async def test_r_restores_a_version_after_asking_and_u_undoes_it(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    _, (item_id,) = make_v2_dataset(
        server,
        [{"input": {"q": "how long is the warranty?"}, "expected_output": "one year"}],
        name="warranty-answers",
    )
    with client(server) as c:
        item = c.items.get(item_id)
        assert isinstance(item, VersionedItem)
        item = c.items.update(item.id, item.version, expected_output="two years")
        assert isinstance(item, VersionedItem)
        c.items.update(item.id, item.version, expected_output="three years")
    label = short_id(item_id)

    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot, "warranty-answers", item_id)
        assert [row[1] for row in version_rows(app)] == ["v3", "v2", "v1"]

        await go_to_version(pilot, 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        question = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert f"Restore v1 as the new current version of item {label}?" in question
        assert "Its input, expected output and metadata become v1's." in question
        await pilot.press("enter")
        await wait_for(pilot, lambda: v2_item(server, item_id).version == 4)
        await settle(pilot)

        restored = v2_item(server, item_id)
        assert restored.expected_output == "one year"
        assert restored.input == {"q": "how long is the warranty?"}
        assert isinstance(app.screen, HistoryScreen)
        rows = version_rows(app)
        assert [row[1] for row in rows] == ["v4", "v3", "v2", "v1"]
        assert rows[0][0] == "current"
        status = text_of(app, "#history-status")
        assert f"Restored v1 of item {label}: it is v4 now. Undo puts v3 back." in status
        # the cursor is on the new version: what the restore changed
        assert text_of(app, "#history-compare").startswith("v3 → v4: expected output changed")

        await pilot.press("u")
        await wait_for(pilot, lambda: v2_item(server, item_id).version == 5)
        await settle(pilot)
        assert v2_item(server, item_id).expected_output == "three years"
        assert [row[1] for row in version_rows(app)] == ["v5", "v4", "v3", "v2", "v1"]


async def test_restore_asks_and_cancel_leaves_the_server_alone(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    _, (item_id,) = make_v2_dataset(server, [{"input": "q", "expected_output": "a"}], name="one")
    with client(server) as c:
        item = c.items.get(item_id)
        assert isinstance(item, VersionedItem)
        c.items.update(item.id, item.version, expected_output="b")
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot, "one", item_id)
        await pilot.press("r")  # on the current version: nothing to restore, nothing asked
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "v2 is already the current version" in text_of(app, "#history-status")
        await go_to_version(pilot, 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    assert v2_item(server, item_id).version == 2


async def test_read_only_hides_restore_and_refuses_it(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    app = build_app(v2_demo_server, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot, SUPPORT, str(item.id))
        footer = footer_text(app).split()
        assert "Restore" not in footer and "Undo" not in footer
        assert "Back" in footer
        await go_to_version(pilot, 2)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    assert v2_item(v2_demo_server, str(item.id)).version == 6


# -- keys and the classic API -----------------------------------------------------------------


async def test_the_history_keys_can_be_rebound_and_are_listed(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    config = TuiConfig(keymap={"items.history": "H"})
    app = build_app(v2_demo_server, tmp_path, tui_config=config)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, SUPPORT)
        assert "items.history" in {row[2] for row in screen_keys(app.screen)}
        await highlight_item(pilot, str(item.id))
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)  # h is no longer the key
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await settle(pilot)
        ids = {row[2] for row in screen_keys(app.screen)}
        assert {"history.mark", "history.restore", "history.copy_version_id"} <= ids


async def test_on_classic_h_says_the_server_keeps_no_history(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, SUPPORT)
        item_id = cursor_key(app, "#items-table")
        assert item_id is not None
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await settle(pilot)
        message = app.screen.query_one("#history-message", Static)
        assert message.display and str(message.render()).startswith(
            "The classic datasets API keeps no history"
        )
        assert str(message.render()) == str(Text(NO_HISTORY))
        assert not app.screen.query_one("#history-body").display
        footer = footer_text(app).split()
        assert "Restore" not in footer and "Back" in footer
        await pilot.press("r", "y", "space")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)


async def test_a_wide_terminal_puts_the_diff_beside_the_versions(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    item = case_item(v2_demo_server)
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=(170, 40)) as pilot:
        screen = await open_history(pilot, SUPPORT, str(item.id))
        table = screen.query_one("#history-versions", DataTable)
        pane = screen.query_one("#history-diff-pane")
        assert screen.has_class("-side")
        assert pane.region.x >= table.region.right and pane.region.y == table.region.y
        assert "2026-03-02 18:44" in version_rows(app)[0][2]

        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not screen.has_class("-side")
        assert pane.region.y > table.region.bottom and pane.region.width == 120
        assert text_of(app, "#history-compare").startswith("v5 → v6: metadata changed")
