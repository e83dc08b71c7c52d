"""The fault soak through the terminal app's save path, driven with Pilot: open an item from
the items table (``e``), type into the input's TextArea, ``ctrl+s``, confirm the diff; at 10%,
30% and 50% of the API requests failing (5xx, 429, dropped before or after being applied).

Through Pilot a save costs a few hundred ms, so this runs 20 saves per rate, not 1,000: the
1,000 mixed operations per rate run at the model level (``test_soak_model.py``), and this
proves the same save path behaves through the app. After each save: "saved" means the server
holds the text typed; otherwise the editor's status line says "not saved: ..." and the app showed
a notification, and the draft stays in the journal (reopening the item brings it back, and the
next save of it sends it). Faults off, the user retries: the server equals the intended state.

On both API generations (classic and v2); on v2 every save reported done must also be among
its item's versions, and the server allows more than PostHog's 40 versions per item
(`soak_server_options`), so that the version limit, not tested here, never refuses a save.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from explorer.api import Client, Settings
from explorer.model import Journal
from explorer.tui.app import ExplorerApp, make_app
from explorer.tui.dialogs import DiffModal, LeaveEditorModal
from explorer.tui.editor import EditorScreen, JsonArea
from explorer.tui.items import ItemsScreen
from tests._emulator import RunningEmulator
from tests.model.conftest import make_dataset
from tests.reliability._soak import (
    GENERATIONS,
    RATES,
    SOAK_RETRIES,
    Reference,
    injected_share,
    missing_versions,
    soak_faults,
    soak_server_options,
    stored_items,
)
from tests.tui._app_harness import settle, wait_for

pytestmark = pytest.mark.slow

SAVES = 20
ITEMS = 6


def build(server: RunningEmulator, tmp_path: Path, shown: list[str]) -> ExplorerApp:
    settings = Settings(host=server.url, project_id=server.project_id, api_key=server.api_key)
    app = make_app(
        settings,
        journal=Journal(tmp_path / "journal.sqlite3"),
        retries=SOAK_RETRIES,
        offer_demo=False,
    )
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        shown.append(message)
        notify(message, **options)

    app.notify = record  # type: ignore[method-assign]
    return app


async def idle(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: not app.model.state.busy.any, within=60)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("rate", RATES, ids=[f"{int(r * 100)}pct" for r in RATES])
@pytest.mark.parametrize("api", GENERATIONS)
async def test_tui_saves_under_faults(
    api: str, rate: float, emulator_factory: Any, tmp_path: Path
) -> None:
    server = emulator_factory(seed="none", **soak_server_options(api))
    dataset = make_dataset(server, items=0)
    with Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as c:
        for n in range(ITEMS):
            c.items.create(dataset, input={"v": f"item{n}"})
    ref = Reference()
    ref.live = {i: row.input for i, row in stored_items(server, str(dataset.id)).items()}
    shown: list[str] = []
    app = build(server, tmp_path, shown)
    rng = random.Random(int(rate * 100))
    failures = unexplained = 0
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ItemsScreen(str(dataset.id)))
        await wait_for(pilot, lambda: app.model.state.page.total == ITEMS)
        await idle(pilot)
        server.server.set_faults(soak_faults(rate, seed=int(rate * 1000) + 1))
        for op in range(SAVES):
            item_id = rng.choice(ref.editable())
            items = app.screen
            assert isinstance(items, ItemsScreen)
            table = items.query_one("#items-table", DataTable)
            table.move_cursor(row=table.get_row_index(item_id))
            mark = len(shown)
            await pilot.press("e")
            await idle(pilot)
            if not isinstance(app.screen, EditorScreen):
                ref.counts["open: failed"] += 1
                failures += 1
                unexplained += not any("Opening the item failed" in m for m in shown[mark:])
                continue
            editor_screen = app.screen
            area = editor_screen.query_one("#area-input", JsonArea)
            line = area.document.get_line(1)  # '  "v": "item3..."'
            area.focus()
            area.move_cursor((1, len(line) - 1))
            await pilot.press(*f"x{op}")
            await editor_screen.flush()
            wanted = json.loads(area.text)
            editor = app.model.state.editor
            assert editor is not None and editor.fields["input"].text == area.text
            mark = len(shown)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            await idle(pilot)
            editor = app.model.state.editor
            assert editor is not None and editor.item_id == item_id
            assert editor.status in ("saved", "not_saved"), (editor.status, editor.reason)
            ref.counts[f"save: {editor.status}"] += 1
            if editor.status == "saved":
                ref.live[item_id] = wanted
                ref.saved.append((item_id, wanted))
                ref.pending_edits.pop(item_id, None)
                await pilot.press("escape")
            else:
                failures += 1
                ref.pending_edits[item_id] = wanted
                status = str(editor_screen.query_one("#editor-status", Static).render())
                assert status.startswith("not saved: "), status
                unexplained += not any(m.startswith("Not saved:") for m in shown[mark:])
                await pilot.press("escape")  # leave, keeping the draft
                await wait_for(pilot, lambda: isinstance(app.screen, LeaveEditorModal))
                await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(app.screen, ItemsScreen))
            await idle(pilot)
        stats = server.server.fault_stats()
        server.server.clear_faults()
        assert abs(injected_share(stats) - rate) < 0.1, stats["counts"]
        assert unexplained == 0, (failures, ref.counts, shown[-5:])
        assert ref.counts["save: saved"] > 0, ref.counts
        # At 10% a short run may meet no failure that outlasts the retries; from 30% it must.
        assert failures > 0 or rate < 0.3, ref.counts
        # The journal holds every edit reported not saved, as typed.
        drafts = app.model.journal.drafts()
        assert {d.item_id: json.loads(d.fields["input"]) for d in drafts} == ref.pending_edits
        # Faults off, the user retries: everything lands.
        await app.model.retry_unsaved()
        await idle(pilot)
        assert app.model.journal.drafts() == []
    ref.live.update(ref.pending_edits)
    ref.saved += ref.pending_edits.items()
    stored = stored_items(server, str(dataset.id))
    assert {i: (row.input, row.deleted) for i, row in stored.items()} == {
        i: (v, False) for i, v in ref.live.items()
    }
    # v2: every save reported done is in its item's history, even if a later one replaced it.
    assert missing_versions(server, str(dataset.id), ref.saved) == []
