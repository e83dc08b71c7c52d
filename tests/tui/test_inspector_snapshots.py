"""What the inspector shows: SVG snapshots of the demo server's fixed, seeded rows (only read).

Accepted only after looking at each one (rendered to PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.model import ExplorerModel
from explorer.tui.inspector import InspectorScreen
from tests._emulator import RunningEmulator
from tests.tui._item_screens import (
    ItemScreensApp,
    find_dataset_id,
    raw_items,
    snapshot_ready,
)
from tests.tui.test_inspector import edge_item, inspector_app

HOST = "https://eu.posthog.com"  # shown instead of the test server's changing port


def test_inspector_tree(snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = inspector_app(
        demo_server, tmp_path, edge_item(demo_server, "kitchen-sink"), shown_host=HOST
    )
    keys = ["down", "right", "right", "right", "down", "down", "right"]
    assert snap_compare(app, press=keys, terminal_size=(120, 40), run_before=snapshot_ready)


def test_inspector_text(snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = inspector_app(
        demo_server, tmp_path, edge_item(demo_server, "kitchen-sink"), shown_host=HOST
    )
    assert snap_compare(app, press=["t"], terminal_size=(120, 40), run_before=snapshot_ready)


def test_inspector_hostile_text(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    # markup, ANSI and bidi overrides, shown literally in the tree and as escapes
    app = inspector_app(
        demo_server, tmp_path, edge_item(demo_server, "kitchen-sink"), shown_host=HOST
    )
    keys = ["down", "right", "right", "right", "down", "right", "down", "down", "right"]
    assert snap_compare(app, press=keys, terminal_size=(120, 40), run_before=snapshot_ready)


def test_inspector_ansi_escapes(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = inspector_app(
        demo_server, tmp_path, edge_item(demo_server, "ansi-escapes"), shown_host=HOST
    )
    assert snap_compare(app, terminal_size=(120, 30), run_before=snapshot_ready)


def test_inspector_deep_nesting(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = inspector_app(
        demo_server, tmp_path, edge_item(demo_server, "deep-nesting-mixed"), shown_host=HOST
    )
    keys = ["t"]  # 60 levels, indented as text
    assert snap_compare(app, press=keys, terminal_size=(120, 40), run_before=snapshot_ready)


def test_inspector_5mb_item(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    dataset_id = find_dataset_id(demo_server, "rag-answers-golden")
    sizes = {item["id"]: len(str(item["input"])) for item in raw_items(demo_server, dataset_id)}
    big = max(sizes, key=lambda i: sizes[i])
    assert sizes[big] > 4_000_000

    async def prepare(model: ExplorerModel) -> InspectorScreen:
        await model.open_dataset(dataset_id)
        await model.select(big)
        return InspectorScreen(big)

    app = ItemScreensApp(demo_server, tmp_path / "journal.sqlite3", prepare, shown_host=HOST)
    keys = ["down", "down", "right", "right", "down", "right"]
    assert snap_compare(app, press=keys, terminal_size=(120, 40), run_before=snapshot_ready)
