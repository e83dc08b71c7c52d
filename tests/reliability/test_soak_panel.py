"""The fault soak through the notebook panel's save path, pure Python (no kernel): select an
item, Edit, type into the input's text box, Save…, Confirm save; at 10%, 30% and 50% of the API
requests failing (5xx, 429, dropped before or after being applied).

40 saves per rate, not 1,000: the 1,000 mixed operations per rate run at the model level
(``test_soak_model.py``); this proves the same save path behaves through the panel. After each
save: "saved" means the server holds the text typed; otherwise the panel's status area says
"Not saved: ..." (and the editor's line "not saved: ..."), and the draft stays in the journal.
Faults off, the user retries: the server equals the intended state.

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

from explorer.api import Client
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
from tests.widgets._panel_helpers import make_panel, text_of

pytestmark = pytest.mark.slow

SAVES = 40
ITEMS = 6


@pytest.mark.parametrize("rate", RATES, ids=[f"{int(r * 100)}pct" for r in RATES])
@pytest.mark.parametrize("api", GENERATIONS)
def test_panel_saves_under_faults(
    api: str, rate: float, emulator_factory: Any, tmp_path: Path
) -> None:
    server = emulator_factory(seed="none", **soak_server_options(api))
    dataset = make_dataset(server, items=0)
    with Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as c:
        for n in range(ITEMS):
            c.items.create(dataset, input={"v": f"item{n}"})
    ref = Reference()
    ref.live = {i: row.input for i, row in stored_items(server, str(dataset.id)).items()}
    panel = make_panel(server, tmp_path, retries=SOAK_RETRIES)
    try:
        panel.open(str(dataset.id))
        assert len(panel.items) == ITEMS
        rng = random.Random(int(rate * 100))
        editor = panel._editor
        failures = 0
        unexplained: list[str] = []
        server.server.set_faults(soak_faults(rate, seed=int(rate * 1000) + 2))
        for op in range(SAVES):
            item_id = rng.choice(ref.editable())
            panel.select(item_id)
            panel.wait()
            status = text_of(panel._status.widget.value)
            if panel.item is None or str(panel.item.id) != item_id:
                failures += 1
                if "Opening the item failed" not in status:
                    unexplained.append(f"open {item_id}: {status}")
                continue
            panel._actions.edit.value = True
            panel.wait()
            box = editor.inputs["input"]
            value = json.loads(box.value)
            value["v"] += f"x{op}"
            box.value = json.dumps(value)
            panel.wait()
            assert not editor.save.disabled
            editor.save.click()
            panel.wait()
            assert editor.review.layout.display == "", "Save… shows the diff first"
            editor.confirm.click()
            panel.wait()
            state = panel.model.state.editor
            assert state is not None and state.item_id == item_id
            assert state.status in ("saved", "not_saved"), (state.status, state.reason)
            ref.counts[f"save: {state.status}"] += 1
            status = text_of(panel._status.widget.value)
            if state.status == "saved":
                ref.live[item_id] = value
                ref.saved.append((item_id, value))
                ref.pending_edits.pop(item_id, None)
                assert "Saved item" in status, status
                assert editor.box.layout.display == "none"  # back to the item
                continue
            failures += 1
            ref.pending_edits[item_id] = value
            if "Not saved:" not in status:
                unexplained.append(f"save {item_id}: {status}")
            assert "not saved: " in text_of(editor.state_line.value)
            editor.close.click()  # back to the item; the draft is kept
            panel.wait()
        stats = server.server.fault_stats()
        server.server.clear_faults()
        assert abs(injected_share(stats) - rate) < 0.1, stats["counts"]
        assert not unexplained, unexplained
        assert ref.counts["save: saved"] > 0, ref.counts
        # At 10% a short run may meet no failure that outlasts the retries; from 30% it must.
        assert failures > 0 or rate < 0.3, ref.counts
        drafts = panel.model.journal.drafts()
        assert {d.item_id: json.loads(d.fields["input"]) for d in drafts} == ref.pending_edits
        # Faults off, the user retries: everything lands.
        panel._script_write(panel.model.retry_unsaved)
        panel.wait()
        assert panel.model.journal.drafts() == []
    finally:
        panel.close()
    ref.live.update(ref.pending_edits)
    ref.saved += ref.pending_edits.items()
    stored = stored_items(server, str(dataset.id))
    assert {i: (row.input, row.deleted) for i, row in stored.items()} == {
        i: (v, False) for i, v in ref.live.items()
    }
    # v2: every save reported done is in its item's history, even if a later one replaced it.
    assert missing_versions(server, str(dataset.id), ref.saved) == []
