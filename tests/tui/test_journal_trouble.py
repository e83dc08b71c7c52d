"""The terminal app with a broken journal: a file that is not a journal is moved aside and
the app starts, saying where the old file went; a data folder where no journal can be made
gives a session journal in a temporary folder and says what that means. Never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.api import Settings
from explorer.tui.app import make_app
from tests._emulator import RunningEmulator
from tests.tui._app_harness import FAST_RETRIES, isolate_env, settle

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]


def notifications(app: Any) -> list[tuple[str, str]]:
    return [(n.severity, n.message) for n in app._notifications]


def _app(server: RunningEmulator) -> Any:
    settings = Settings(host=server.url, project_id=server.project_id, api_key=server.api_key)
    return make_app(settings, retries=FAST_RETRIES, offer_demo=False)


async def test_a_file_that_is_not_a_journal_is_moved_aside_and_the_app_starts(
    demo_server: RunningEmulator, isolate_env: Path
) -> None:
    data = isolate_env / "data"
    data.mkdir()
    (data / "journal.sqlite3").write_bytes(b"<html>not a journal</html>" * 50)
    app = _app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.model.state.datasets.total > 0  # browsing works
        said = [str(n) for n in app.model.state.notices]
        assert any("journal.sqlite3.broken-" in n for n in said), said
    (aside,) = data.glob("journal.sqlite3.broken-*")
    assert aside.read_bytes() == b"<html>not a journal</html>" * 50


async def test_no_journal_where_it_belongs_gives_a_session_journal(
    demo_server: RunningEmulator, isolate_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = isolate_env / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(blocker / "data"))
    app = _app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.model.state.datasets.total > 0
        errors = [m for severity, m in notifications(app) if severity == "error"]
        assert any("could not be opened" in m and "next start will not read" in m for m in errors)


async def test_drafts_left_by_an_earlier_session_open_in_the_editor(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    from explorer.tui.dialogs import DraftsModal
    from explorer.tui.editor import EditorScreen
    from tests.tui._app_harness import build_app, wait_for
    from tests.tui._item_screens import make_dataset
    from tests.tui.test_dialogs import write_drafts

    _, ids = make_dataset(empty_server, [{"input": {"n": 0}}])
    await write_drafts(empty_server, tmp_path / "journal.sqlite3", ids)
    app = build_app(empty_server, tmp_path)  # the real app, on the same journal
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsModal))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.model.state.editor is not None
        assert app.model.state.editor.item_id == ids[0]
