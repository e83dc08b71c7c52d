"""What an item's history looks like (API v2): SVG snapshots of a v2 demo item with six versions
(edits, archived, restored), the same fixed, seeded rows every run (only read), accepted after
looking at each one.

The versions newest first beside the diff of the highlighted one against the version before it
(changed words marked); then two versions picked with ``space``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests._emulator import RunningEmulator
from tests.tui._app_harness import SHOWN_HOST, build_app, isolate_env, settle, snapshot_ready
from tests.tui._v2 import find_item, v2_demo_server

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server"]

SUPPORT = "customer-support-evals"
CASE = "support-case-01528"  # six versions: created, expected output edited, metadata edited,
# archived, restored, metadata edited


def _history_of_case(server: RunningEmulator, then: list[str]) -> Any:
    """``run_before``: open the support dataset, arrow down to the case, ``h``, then ``then``."""
    item = find_item(server, SUPPORT, lambda i: i.client_item_id == CASE)

    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await settle(pilot)
        await pilot.press("slash", *SUPPORT, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        page = app.model.state.page
        index = page.index_of(str(item.id))
        assert index is not None
        await pilot.press(*["down"] * index, "h")
        await settle(pilot)
        for key in then:
            await pilot.press(key)
            await settle(pilot)
        await snapshot_ready(pilot)

    return run_before


def test_history_with_the_diff_of_a_version(
    snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    """v2 highlighted: the expected output it changed from v1, the changed words marked."""
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)
    run_before = _history_of_case(v2_demo_server, ["down"] * 4)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_history_comparing_two_picked_versions(
    snap_compare: Any, v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    """v2 marked as the base with space, v5 highlighted: what changed between them."""
    app = build_app(v2_demo_server, tmp_path, shown_host=SHOWN_HOST)
    run_before = _history_of_case(v2_demo_server, [*["down"] * 4, "space", "up", "up", "up"])
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
