"""What the trash and the drafts dialog show, from fixed journal records (SVG snapshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.api import short_id
from explorer.model import DraftRecord, ExplorerModel, TrashRecord
from explorer.tui.dialogs import DraftsModal
from explorer.tui.trash import TrashScreen
from tests._emulator import RunningEmulator
from tests.tui._item_screens import ItemScreensApp, snapshot_ready

TRASH = [
    TrashRecord(
        "item",
        "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        short_id("0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01"),  # the label the model writes
        {
            "id": "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
            "input": {"question": "What is the refund window? [bold]not markup[/bold]"},
            "output": {"answer": "30 days \x1b[31mred\x1b[0m"},
            "metadata": {"difficulty": "easy"},
        },
        "2026-03-02T10:15:00+00:00",
        True,
    ),
    TrashRecord(
        "dataset",
        "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a09",
        None,
        "old-evals",
        {"id": "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a09", "name": "old-evals", "description": ""},
        "2026-03-01T08:00:00+00:00",
        True,
    ),
]

DRAFTS = [
    DraftRecord(
        key="0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        item_id="0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        dataset_id="0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        base=None,
        base_updated_at=None,
        fields={"input": '{"q": 1}', "output": '"x"'},
        status="not_saved",
        reason="PostHog answered 503",
        started_at="2026-03-02T09:00:00+00:00",
        updated_at="2026-03-02T09:05:00+00:00",
    ),
    DraftRecord(
        key="new:1",
        item_id=None,
        dataset_id="0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        base=None,
        base_updated_at=None,
        fields={"input": "{}"},
        started_at="2026-03-02T09:10:00+00:00",
        updated_at="2026-03-02T09:11:00+00:00",
    ),
]


def test_trash(snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path) -> None:
    async def prepare(model: ExplorerModel) -> TrashScreen:
        model.state.trash = list(TRASH)  # fixed records: the journal would stamp "now"
        return TrashScreen()

    app = ItemScreensApp(demo_server, tmp_path / "journal.sqlite3", prepare)
    assert snap_compare(app, terminal_size=(120, 30), run_before=snapshot_ready)


def test_drafts_offered_back(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    async def prepare(model: ExplorerModel) -> DraftsModal:
        model.state.drafts = list(DRAFTS)
        return DraftsModal()

    app = ItemScreensApp(demo_server, tmp_path / "journal.sqlite3", prepare)
    assert snap_compare(app, terminal_size=(120, 30), run_before=snapshot_ready)
