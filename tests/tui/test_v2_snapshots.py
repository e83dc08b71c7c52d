"""What the main screens look like on the versioned API (``serve --api v2``): SVG snapshots of the
v2 demo server's fixed, seeded rows (only read), accepted after looking at each one.

The items list (the version column, expected output), the inspector (version and its id, the
source links and trace, four tabs) and the editor (source output and links read-only; a new
item's editor holds them all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from explorer.model import ExplorerModel
from explorer.tui.editor import EditorScreen
from explorer.tui.inspector import InspectorScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import SHOWN_HOST, build_app, isolate_env, settle
from tests.tui._app_harness import snapshot_ready as app_ready
from tests.tui._item_screens import ItemScreensApp, snapshot_ready
from tests.tui._v2 import dataset_named, find_item, v2_demo_server

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server"]

HOST = "https://eu.posthog.com"  # shown instead of the test server's changing port


def _reviewed(server: RunningEmulator) -> str:
    """A support item with history and a full source link (the same row every run)."""
    item = find_item(
        server,
        "customer-support-evals",
        lambda i: i.version > 1 and bool(i.source_trace_id and i.source_event_id),
    )
    return str(item.id)


def _item_app(server: RunningEmulator, tmp_path: Path, item_id: str, screen: str) -> Any:
    async def prepare(model: ExplorerModel) -> Any:
        await model.open_dataset(dataset_named(server, "customer-support-evals"))
        if screen == "new":
            await model.new_item()
            return EditorScreen()
        await model.select(item_id)
        return InspectorScreen(item_id) if screen == "inspector" else EditorScreen()

    return ItemScreensApp(server, tmp_path / "journal.sqlite3", prepare, shown_host=HOST)


def test_v2_items_page(snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)

    async def open_it(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"customer", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await app_ready(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_it)


def test_v2_inspector(snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = _item_app(v2_demo_server, tmp_path, _reviewed(v2_demo_server), "inspector")
    assert snap_compare(app, press=["2"], terminal_size=(120, 40), run_before=snapshot_ready)


def test_v2_editor(snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = _item_app(v2_demo_server, tmp_path, _reviewed(v2_demo_server), "editor")
    assert snap_compare(app, terminal_size=(120, 40), run_before=snapshot_ready)


def test_v2_new_item_editor_80x24(
    snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = _item_app(v2_demo_server, tmp_path, "", "new")
    assert snap_compare(app, terminal_size=(80, 24), run_before=snapshot_ready)
