"""The trash screen against a fresh embedded server: restore puts the row back on the server."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import OptionList

from explorer.model import ExplorerModel
from explorer.tui.components import JsonText
from explorer.tui.trash import TrashScreen
from tests._emulator import RunningEmulator
from tests.tui._item_screens import ItemScreensApp, make_dataset, settle, sync_client, wait_for


async def test_trash_shows_content_and_enter_restores(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    dataset_id, ids = make_dataset(
        empty_server,
        [{"input": {"q": "first"}, "output": "a"}, {"input": {"q": "second"}, "output": "b"}],
    )

    async def prepare(model: ExplorerModel) -> TrashScreen:
        await model.open_dataset(dataset_id)
        await model.delete_item(ids[0])
        await model.delete_item(ids[1])
        return TrashScreen()

    app = ItemScreensApp(empty_server, tmp_path / "journal.sqlite3", prepare)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        with sync_client(empty_server) as client:
            assert list(client.items.iter(dataset_id)) == []
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        view = app.screen.query_one(JsonText)
        await view.wait_loaded()
        # newest first: the second item is highlighted and shown whole
        assert json.loads(view.text)["input"] == {"q": "second"}
        await pilot.press("down")
        await view.wait_loaded()
        assert json.loads(view.text)["input"] == {"q": "first"}
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: options.option_count == 1)
        with sync_client(empty_server) as client:
            assert [str(i.id) for i in client.items.iter(dataset_id)] == [ids[0]]
        assert [r.object_id for r in app.model.state.trash] == [ids[1]]
        await pilot.press("escape")
        assert not isinstance(app.screen, TrashScreen)


async def test_empty_trash(empty_server: RunningEmulator, tmp_path: Path) -> None:
    async def prepare(model: ExplorerModel) -> TrashScreen:
        return TrashScreen()

    app = ItemScreensApp(empty_server, tmp_path / "journal.sqlite3", prepare)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(OptionList).option_count == 0
        await pilot.press("enter")  # nothing to restore: no error
        await settle(pilot)
        assert "Trash is empty" in str(app.screen.query_one("#trash-title").render())
