"""What the editor and its dialogs show: SVG snapshots, accepted after looking at each one.

The editor runs on a demo server row that is only read (edits stay in the test's journal);
the conflict dialog is built from fixed data with the model's own conflict functions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App

from explorer.api.models import DatasetItem
from explorer.model import ExplorerModel
from explorer.model.editor import build_conflict, conflict_diffs, editor_from_item, set_field
from explorer.tui.dialogs import ConflictModal, DiffModal
from explorer.tui.editor import EditorScreen
from tests._emulator import RunningEmulator
from tests.tui._item_screens import ItemScreensApp, snapshot_ready, wait_for
from tests.tui.test_inspector import edge_item


def editor_app(server: RunningEmulator, tmp_path: Path, case: str) -> ItemScreensApp:
    item = edge_item(server, case)

    async def prepare(model: ExplorerModel) -> EditorScreen:
        await model.open_dataset(item["dataset"])
        await model.select(item["id"])
        return EditorScreen()

    return ItemScreensApp(server, tmp_path / "journal.sqlite3", prepare)


async def _break_json(pilot: Any) -> None:
    await snapshot_ready(pilot)
    area = pilot.app.screen.query_one("#area-input")
    area.move_cursor((2, 0))
    await pilot.press("x")  # a stray character on line 3
    await snapshot_ready(pilot)


def test_editor_with_a_json_error(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = editor_app(demo_server, tmp_path, "kitchen-sink")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_break_json)


def test_editor_80x24(snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = editor_app(demo_server, tmp_path, "zero-and-false")
    assert snap_compare(app, terminal_size=(80, 24), run_before=snapshot_ready)


def test_diff_before_saving(
    snap_compare: Any, demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = editor_app(demo_server, tmp_path, "kitchen-sink")

    async def edit_then_save(pilot: Any) -> None:
        await snapshot_ready(pilot)
        area = pilot.app.screen.query_one("#area-input")
        area.move_cursor((4, len(area.document.get_line(4)) - 1))
        await pilot.press(*" Be brief.")
        await snapshot_ready(pilot)
        await pilot.press("ctrl+s")  # the save worker now waits for the answer: no settle
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DiffModal))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=edit_then_save)


BASE = DatasetItem.model_validate(
    {
        "id": "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        "dataset": "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        "input": {"question": "What is the refund window?", "lang": "en"},
        "output": {"answer": "30 days", "citations": [1]},
        "metadata": {"difficulty": "easy"},
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
)


class ConflictHost(App[None]):
    def on_mount(self) -> None:
        editor = editor_from_item(BASE)
        set_field(
            editor, "output", '{\n  "answer": "30 days from delivery",\n  "citations": [1]\n}'
        )
        set_field(editor, "metadata", '{\n  "difficulty": "medium"\n}')
        theirs = BASE.model_copy(
            update={
                "output": {"answer": "14 days", "citations": [1, 2]},
                "metadata": {"difficulty": "easy", "reviewed": True},
                "updated_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            }
        )
        editor.conflict = build_conflict(editor, theirs)
        self.push_screen(ConflictModal(editor.conflict, conflict_diffs(editor)))


def test_conflict_dialog(snap_compare: Any) -> None:
    assert snap_compare(ConflictHost(), terminal_size=(120, 36), run_before=snapshot_ready)
