"""The editor, driven with Pilot against a fresh embedded server per test."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static, TextArea

from explorer.model import ExplorerModel
from explorer.tui.dialogs import ConflictModal, DiffModal, DiffView, LeaveEditorModal
from explorer.tui.editor import HIGHLIGHT_LIMIT, EditorScreen, JsonArea
from tests._emulator import RunningEmulator
from tests.tui._item_screens import (
    ItemScreensApp,
    make_dataset,
    server_item,
    settle,
    sync_client,
    wait_for,
)

ITEM = {"input": {"n": 1}, "output": {"answer": "yes"}, "metadata": {"k": "v"}}


def editor_app(
    server: RunningEmulator, tmp_path: Path, *, item: dict[str, Any] | None = None
) -> tuple[ItemScreensApp, str, str]:
    dataset_id, ids = make_dataset(server, [item or ITEM])

    async def prepare(model: ExplorerModel) -> EditorScreen:
        await model.open_dataset(dataset_id)
        await model.select(ids[0])
        return EditorScreen()

    return ItemScreensApp(server, tmp_path / "journal.sqlite3", prepare), dataset_id, ids[0]


def label(app: App[Any], field: str) -> str:
    return str(app.screen.query_one(f"#label-{field}", Static).render())


def status(app: App[Any]) -> str:
    return str(app.screen.query_one("#editor-status", Static).render())


async def type_at_end_of_line(pilot: Any, area: TextArea, row: int, *keys: str) -> None:
    area.focus()
    area.move_cursor((row, len(area.document.get_line(row))))
    await pilot.press(*keys)


class _AreaApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield JsonArea("input", self.text)


async def test_json_area_builds_with_tree_sitter_json() -> None:
    # tree-sitter 0.26 crashed Python 3.11.7 here: keep building one (see docs/testing.md)
    app = _AreaApp('{\n  "a": [1, 2]\n}')
    async with app.run_test() as pilot:
        area = app.query_one(JsonArea)
        assert area.language == "json"
        assert area.is_syntax_aware
        await pilot.pause()
    big = '"' + "x" * (HIGHLIGHT_LIMIT + 1) + '"'
    app = _AreaApp(big)
    async with app.run_test():
        assert app.query_one(JsonArea).language is None


async def test_invalid_json_shows_line_and_column_and_blocks_save(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        area = app.screen.query_one("#area-input", JsonArea)
        await type_at_end_of_line(pilot, area, 1, ",")  # {"n": 1,}
        await settle(pilot)
        assert "line 3, column 1" in label(app, "input")
        assert app.model.state.editor is not None
        assert app.model.state.editor.fields["input"].text == area.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DiffModal)
        assert "before saving" in status(app)
        assert app.focused is area and area.cursor_location == (2, 0)
        assert server_item(empty_server, item_id).input == {"n": 1}
        # fix it and save: the diff first, then the server holds it
        await type_at_end_of_line(pilot, area, 1, "backspace")
        await pilot.press("0")  # {"n": 10}
        await settle(pilot)
        assert "✗" not in label(app, "input") and "changed" in label(app, "input")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        diff = app.screen.query_one(DiffView).text
        assert '-  "n": 1' in diff and '+  "n": 10' in diff
        assert "output" not in diff
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert server_item(empty_server, item_id).input == {"n": 10}
        assert app.model.state.editor is not None
        assert app.model.state.editor.status == "saved"
        assert app.model.state.drafts == []


async def test_diff_escape_goes_back_to_editing_without_saving(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_at_end_of_line(
            pilot, app.screen.query_one("#area-output", JsonArea), 1, "backspace"
        )
        await pilot.press(*'no"')
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert server_item(empty_server, item_id).output == {"answer": "yes"}
        assert "back to editing" in status(app)


async def test_ref_fields_are_inputs_validated_and_saved(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#input-ref_timestamp", Input)
        box.focus()
        await pilot.press(*"not a time")
        await settle(pilot)
        assert box.has_class("-invalid")
        assert "ref_timestamp" in str(app.screen.query_one("#ref-errors", Static).render())
        box.value = ""
        await pilot.press(*"2025-01-02T03:04:05Z")
        trace = app.screen.query_one("#input-ref_trace_id", Input)
        trace.focus()
        await pilot.press(*"trace-1")
        await settle(pilot)
        assert not box.has_class("-invalid")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await settle(pilot)
        saved = server_item(empty_server, item_id)
        assert saved.ref_trace_id == "trace-1"
        assert saved.ref_timestamp is not None and saved.ref_timestamp.year == 2025


async def _start_conflict(
    pilot: Any, app: ItemScreensApp, server: RunningEmulator, item_id: str, **theirs: Any
) -> None:
    await settle(pilot)
    await type_at_end_of_line(pilot, app.screen.query_one("#area-input", JsonArea), 1, "0")
    await type_at_end_of_line(pilot, app.screen.query_one("#area-output", JsonArea), 1, "backspace")
    await pilot.press(*'!"')
    await settle(pilot)
    with sync_client(server) as client:  # a second client edits the item meanwhile
        client.items.update(item_id, **theirs)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictModal))


THEIRS = {"input": {"n": 2}, "output": {"answer": "maybe"}}


async def test_conflict_keep_mine(empty_server: RunningEmulator, tmp_path: Path) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start_conflict(pilot, app, empty_server, item_id, **THEIRS)
        modal = app.screen
        assert isinstance(modal, ConflictModal)
        mine = modal.query_one("#conflict-mine", DiffView).text
        theirs = modal.query_one("#conflict-theirs", DiffView).text
        assert '+  "n": 10' in mine and '+  "n": 2' in theirs
        await pilot.press("m")
        await settle(pilot)
        saved = server_item(empty_server, item_id)
        assert saved.input == {"n": 10} and saved.output == {"answer": "yes!"}


async def test_conflict_take_theirs(empty_server: RunningEmulator, tmp_path: Path) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start_conflict(pilot, app, empty_server, item_id, **THEIRS)
        await pilot.press("t")
        await settle(pilot)
        saved = server_item(empty_server, item_id)
        assert saved.input == {"n": 2} and saved.output == {"answer": "maybe"}
        # the editor now shows the server's version
        area = app.screen.query_one("#area-input", JsonArea)
        assert '"n": 2' in area.text
        assert app.model.state.drafts == []


async def test_conflict_per_field(empty_server: RunningEmulator, tmp_path: Path) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start_conflict(pilot, app, empty_server, item_id, **THEIRS)
        modal = app.screen
        assert isinstance(modal, ConflictModal)
        assert modal.choices == {"input": "mine", "output": "mine"}
        await pilot.press("down", "space")  # output: theirs
        assert modal.choices == {"input": "mine", "output": "theirs"}
        await pilot.press("enter")
        await settle(pilot)
        saved = server_item(empty_server, item_id)
        assert saved.input == {"n": 10} and saved.output == {"answer": "maybe"}


async def test_leaving_with_unsaved_changes_asks(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_at_end_of_line(pilot, app.screen.query_one("#area-input", JsonArea), 1, "5")
        await settle(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaveEditorModal))
        await pilot.press("escape")  # stay
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaveEditorModal))
        await pilot.press("k")  # keep the draft
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen | LeaveEditorModal))
        await settle(pilot)
        assert [d.item_id for d in app.model.state.drafts] == [item_id]
        assert app.model.state.drafts[0].fields["input"].endswith('"n": 15\n}')
        # open again and discard
        await app.push_screen(EditorScreen())
        await settle(pilot)
        assert '"n": 15' in app.screen.query_one("#area-input", JsonArea).text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaveEditorModal))
        await pilot.press("d")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen | LeaveEditorModal))
        await settle(pilot)
        assert app.model.state.drafts == []
        assert server_item(empty_server, item_id).input == {"n": 1}


async def test_leaving_without_changes_does_not_ask(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    app, _, _ = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EditorScreen | LeaveEditorModal)


async def test_new_item_save_and_add_another(empty_server: RunningEmulator, tmp_path: Path) -> None:
    dataset_id, _ = make_dataset(empty_server, [])

    async def prepare(model: ExplorerModel) -> EditorScreen:
        await model.open_dataset(dataset_id)
        await model.new_item(dataset_id)
        return EditorScreen()

    app = ItemScreensApp(empty_server, tmp_path / "journal.sqlite3", prepare)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first_key = app.model.state.editor.key if app.model.state.editor else None
        assert "new item" in str(app.screen.query_one("#editor-title", Static).render())
        await pilot.press(*'{"q": 1}')
        await settle(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await settle(pilot)
        with sync_client(empty_server) as client:
            items = list(client.items.iter(dataset_id))
        assert [i.input for i in items] == [{"q": 1}]
        editor = app.model.state.editor
        assert editor is not None and editor.is_new and editor.key != first_key
        assert app.screen.query_one("#area-input", JsonArea).text == ""


async def test_not_saved_status_and_retry(emulator_factory: Any, tmp_path: Path) -> None:
    server = emulator_factory()
    app, _, item_id = editor_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_at_end_of_line(pilot, app.screen.query_one("#area-input", JsonArea), 1, "7")
        await settle(pilot)
        server.server.set_faults(error_rate=1.0, error_statuses=(503,))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.press("enter")
        await settle(pilot)
        assert "not saved: " in status(app) and "503" in status(app)
        assert "ctrl+r" in status(app)
        server.server.set_faults()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert server_item(server, item_id).input == {"n": 17}
        assert "saved" in status(app)


async def test_external_editor_cannot_suspend_here(
    empty_server: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.delenv("VISUAL", raising=False)
    app, _, _ = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")  # the headless driver, like textual-serve, cannot suspend
        await settle(pilot)
        assert "$EDITOR cannot run here" in status(app)


async def test_external_editor_rewrites_the_field(
    empty_server: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "fake-editor.sh"
    script.write_text('#!/bin/sh\nprintf \'{"from": "editor"}\\n\' > "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)

    @contextlib.contextmanager
    def suspend(self: App[Any]) -> Iterator[None]:
        yield

    monkeypatch.setattr(App, "suspend", suspend)
    app, _, _ = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert app.screen.query_one("#area-input", JsonArea).text == '{"from": "editor"}\n'
        editor = app.model.state.editor
        assert editor is not None and editor.fields["input"].changed
        assert editor.fields["input"].text == '{"from": "editor"}\n'
        assert "edited in $EDITOR" in status(app)
    assert os.environ["EDITOR"] == str(script)


async def _save_after_deleted_elsewhere(pilot: Any, app: ItemScreensApp, item_id: str) -> None:
    from explorer.tui.editor import ItemGoneModal

    area = app.screen.query_one("#area-output", JsonArea)
    await type_at_end_of_line(pilot, area, 1, *', "fixed": true')  # after "answer": "yes"
    await settle(pilot)
    with sync_client(app.server) as other:
        other.items.delete(item_id)  # someone else deletes it meanwhile
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ItemGoneModal))


EDITED_OUTPUT = {"answer": "yes", "fixed": True}


async def test_saving_an_item_deleted_elsewhere_offers_restore_or_save_as_new(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    from explorer.api.errors import NotFound
    from explorer.tui.editor import ItemGoneModal

    app, _, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _save_after_deleted_elsewhere(pilot, app, item_id)
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "was deleted on the server" in shown
        assert "restore the item, then save your edit" in shown
        assert "save your edit as a new item" in shown
        await pilot.press("escape")  # decide later: nothing is lost
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert "ctrl+r: restore or save as new" in status(app)
        assert app.model.journal.get_draft(item_id) is not None
        with sync_client(empty_server) as client, pytest.raises(NotFound):
            client.items.get(item_id)
        await pilot.press("ctrl+r")  # offers the choice again (a plain retry cannot work)
        await wait_for(pilot, lambda: isinstance(app.screen, ItemGoneModal))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        restored = server_item(empty_server, item_id)
        assert restored.deleted is False and restored.output == EDITED_OUTPUT
        assert restored.input == ITEM["input"] and restored.metadata == ITEM["metadata"]
        assert app.model.journal.get_draft(item_id) is None
        assert status(app).startswith("saved")


async def test_save_as_new_creates_the_edited_item_and_the_deleted_one_stays_deleted(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    from explorer.api.errors import NotFound

    app, dataset_id, item_id = editor_app(empty_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _save_after_deleted_elsewhere(pilot, app, item_id)
        await pilot.press("n")
        await settle(pilot)
        with sync_client(empty_server) as client:
            [created] = list(client.items.iter(dataset_id))
            with pytest.raises(NotFound):
                client.items.get(item_id)  # the old one stays deleted
        assert str(created.id) != item_id
        assert created.output == EDITED_OUTPUT
        assert created.input == ITEM["input"] and created.metadata == ITEM["metadata"]
        assert app.model.state.drafts == []
        title = str(app.screen.query_one("#editor-title", Static).render())
        assert f"editing item {created.id}" in title  # the editor is on the new item now


async def test_a_failed_restore_keeps_the_draft_and_the_choice(
    emulator_factory: Any, tmp_path: Path
) -> None:
    from explorer.tui.editor import ItemGoneModal

    server = emulator_factory()
    app, _, item_id = editor_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _save_after_deleted_elsewhere(pilot, app, item_id)
        server.server.set_faults(error_rate=1.0, error_statuses=(500,))
        await pilot.press("r")
        await settle(pilot)
        server.server.set_faults()
        notice = app.model.state.notice
        assert notice is not None and notice.level == "error"
        assert "was not restored" in notice.message
        draft = app.model.journal.get_draft(item_id)
        assert draft is not None and '"fixed": true' in draft.fields["output"]
        assert "ctrl+r: restore or save as new" in status(app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ItemGoneModal))
        await pilot.press("r")
        await settle(pilot)
        assert server_item(server, item_id).output == EDITED_OUTPUT
        assert app.model.journal.get_draft(item_id) is None
