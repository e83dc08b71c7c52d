"""Dialogs: confirm, drafts offered back at start (open, drop)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import OptionList

from explorer.api import AsyncClient
from explorer.model import ExplorerModel, Journal
from explorer.tui.dialogs import ConfirmModal, DraftsModal
from explorer.tui.editor import EditorScreen, JsonArea
from tests._emulator import RunningEmulator
from tests.tui._item_screens import ItemScreensApp, make_dataset, settle, wait_for


async def test_confirm_modal_answers() -> None:
    answers: list[bool | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ConfirmModal("Leave?", "[b]not markup[/b]", "Leave"), answers.append)

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        message = str(app.screen.query_one(".dialog-message").render())
        assert message == "[b]not markup[/b]"
        await pilot.press("enter")
        app.push_screen(ConfirmModal("Sure?", "x"), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        app.push_screen(ConfirmModal("Sure?", "x"), answers.append)
        await pilot.pause()
        await pilot.press("y")
    assert answers == [True, False, True]


async def write_drafts(server: RunningEmulator, journal_path: Path, item_ids: list[str]) -> None:
    """An earlier session that left unsaved drafts in the journal."""
    client = AsyncClient(host=server.url, api_key=server.api_key, project_id=server.project_id)
    journal = Journal(journal_path)
    model = ExplorerModel(client, journal)
    try:
        await model.start()
        for n, item_id in enumerate(item_ids):
            await model.select(item_id)
            await model.edit_field("input", f'{{"draft": {n}}}')
    finally:
        await model.close()
        await client.aclose()
        journal.close()


def drafts_app(server: RunningEmulator, journal_path: Path) -> ItemScreensApp:
    async def prepare(model: ExplorerModel) -> Any:
        assert model.state.drafts  # found at start
        return DraftsModal()

    return ItemScreensApp(server, journal_path, prepare)


async def test_drafts_are_offered_back_and_open_in_the_editor(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    _, ids = make_dataset(empty_server, [{"input": {"n": 0}}, {"input": {"n": 1}}])
    journal_path = tmp_path / "journal.sqlite3"
    await write_drafts(empty_server, journal_path, ids)
    app = drafts_app(empty_server, journal_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DraftsModal)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        labels = [str(options.get_option_at_index(i).prompt) for i in range(2)]
        assert {lbl.split()[1] for lbl in labels} == {i[-8:] for i in ids}
        key = options.get_option_at_index(0).id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot)
        editor = app.model.state.editor
        assert editor is not None and editor.key == key
        area = app.screen.query_one("#area-input", JsonArea)
        assert area.text == editor.fields["input"].text and '"draft"' in area.text


async def test_drafts_modal_drops_a_draft_after_asking(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    _, ids = make_dataset(empty_server, [{"input": {"n": 0}}])
    journal_path = tmp_path / "journal.sqlite3"
    await write_drafts(empty_server, journal_path, ids)
    app = drafts_app(empty_server, journal_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await settle(pilot)
        assert app.model.state.drafts == []
        await wait_for(pilot, lambda: not isinstance(app.screen, DraftsModal | ConfirmModal))
