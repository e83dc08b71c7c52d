"""What a dataset's revisions look like in the terminal app: SVG snapshots of the v2 demo
server's datasets (fixed, seeded ids, times and histories; only read), accepted after looking at
each one.

The revisions of edge-cases (a revision marked, the highlighted one's id), the comparison of
customer-support-evals' revisions 598 and 610 (found after loading more: items added, changed
and archived; a corrected answer's diff, wrapped, its changed words marked) and its items as of
revision 610 (the REVISION · READ-ONLY badge, the keys of a past revision)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from explorer.tui.revisions import CompareScreen, RevisionsScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import SHOWN_HOST, build_app, isolate_env, settle, table_keys
from tests.tui._app_harness import snapshot_ready as app_ready
from tests.tui._v2 import v2_demo_server

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server"]

SIZE = (120, 40)


async def _revisions(pilot: Pilot[Any], dataset: str) -> None:
    """The revisions of the demo dataset whose name starts with ``dataset``."""
    await settle(pilot)
    await pilot.press("slash", *dataset, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("R")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RevisionsScreen)


async def _highlight(pilot: Pilot[Any], key: str) -> None:
    table = pilot.app.screen.query_one("#revisions-table", DataTable)
    table.move_cursor(row=table_keys(pilot.app, "#revisions-table").index(key), animate=False)
    await pilot.pause()


def test_revisions_list(snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _revisions(pilot, "edge")
        await _highlight(pilot, "159")
        await pilot.press("space")
        await _highlight(pilot, "156")
        await app_ready(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_compare_two_revisions_with_a_diff(
    snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _revisions(pilot, "customer")
        await pilot.press("right_square_bracket")  # 739-640 are loaded: the next hundred
        await settle(pilot)
        await _highlight(pilot, "610")
        await pilot.press("space")
        await _highlight(pilot, "598")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("down", "down", "down")  # a reviewer's corrected answer
        await app_ready(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_items_at_a_past_revision(
    snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _revisions(pilot, "customer")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await _highlight(pilot, "610")
        await pilot.press("enter")
        await app_ready(pilot)
        app.clear_notifications()  # "Showing … as of revision 610": the badge says it here
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
