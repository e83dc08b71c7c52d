"""The demo's drafts come back at the next demo, though its server listens on another port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.model import Journal
from tests.model.conftest import MakeModel


async def _leave_a_draft(server: Any, make_model: MakeModel, journal: Journal) -> str:
    model = await make_model(server, journal=journal, journal_scope="demo")
    await model.open_dataset(str(model.state.datasets.datasets[0].id))
    item = model.state.page.items[0]
    await model.select(str(item.id))
    await model.edit_field("metadata", '{"note": "left for next time"}')
    return str(item.id)


async def test_the_next_demo_offers_the_draft_back(
    emulator_factory: Any, make_model: MakeModel, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    first, second = emulator_factory("demo"), emulator_factory("demo")
    assert first.url != second.url  # another port, the same demo data
    item_id = await _leave_a_draft(first, make_model, journal)
    again = await make_model(second, journal=journal, journal_scope="demo")
    assert [d.item_id for d in again.state.drafts] == [item_id]
    elsewhere = await make_model(second, journal=journal)  # a real host keeps its own
    assert elsewhere.state.drafts == []
