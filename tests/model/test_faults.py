"""200 random edits, deletes, restores and creates with 20% of requests failing: afterwards the
server holds exactly the intended state, no item was created twice, and the journal holds a
draft for every edit that did not reach the server."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel
from tests.model.conftest import MakeModel, make_dataset, server_items

pytestmark = pytest.mark.slow

FAULTS = FaultConfig(
    seed=20,
    error_rate=0.08,
    error_statuses=(500, 502, 503),
    throttle_rate=0.04,
    throttle_wait_s=0,
    drop_before_rate=0.04,
    drop_after_rate=0.04,
)


class Intent:
    """What the user asked for, and what the model reported."""

    def __init__(self) -> None:
        self.live: dict[str, Any] = {}  # item id -> input the user wants on the server
        self.deleted: dict[str, Any] = {}  # deleted item id -> its input (for a restore)
        self.pending_edits: dict[str, Any] = {}  # reported not saved: item id -> wanted input
        self.pending_creates: list[Any] = []  # reported not saved: wanted input
        self.unsure: dict[str, str] = {}  # item id -> "delete"/"restore" with unknown outcome
        self.counts: Counter[str] = Counter()


async def edit(model: ExplorerModel, intent: Intent, rng: random.Random, op: int) -> None:
    choices = sorted(set(intent.live) - set(intent.unsure))
    item_id = rng.choice(choices)
    await model.select(item_id)
    editor = model.state.editor
    if editor is None or editor.item_id != item_id:
        intent.counts["edit: could not open"] += 1
        return
    value = {"edit": op}
    await model.edit_field("input", json.dumps(value))
    await model.save()
    status = editor.status
    assert status in ("saved", "not_saved"), (status, editor.reason)
    if status == "saved":
        intent.live[item_id] = value
        intent.pending_edits.pop(item_id, None)
    else:
        intent.pending_edits[item_id] = value
    intent.counts[f"edit: {status}"] += 1


async def delete(model: ExplorerModel, intent: Intent, rng: random.Random) -> None:
    choices = sorted(set(intent.live) - set(intent.pending_edits) - set(intent.unsure))
    item_id = rng.choice(choices)
    await model.delete_item(item_id)
    entry = model.journal.get_trash("item", item_id)
    if entry is None:
        intent.counts["delete: not done"] += 1
    elif entry.confirmed:
        intent.deleted[item_id] = intent.live.pop(item_id)
        intent.counts["delete: done"] += 1
    else:
        intent.unsure[item_id] = "delete"
        intent.counts["delete: unknown"] += 1


async def restore(model: ExplorerModel, intent: Intent, rng: random.Random) -> None:
    choices = sorted(set(intent.deleted) - set(intent.unsure))
    if not choices:
        return
    item_id = rng.choice(choices)
    await model.restore_item(item_id)
    if model.journal.get_trash("item", item_id) is None:
        intent.live[item_id] = intent.deleted.pop(item_id)
        intent.counts["restore: done"] += 1
    else:  # not restored, or unknown: the user will try again
        intent.unsure[item_id] = "restore"
        intent.counts["restore: not done"] += 1


async def create(model: ExplorerModel, intent: Intent, dataset_id: str, op: int) -> None:
    await model.new_item(dataset_id)
    value = {"created": op}
    await model.edit_field("input", json.dumps(value))
    await model.save()
    editor = model.state.editor
    assert editor is not None
    assert editor.status in ("saved", "not_saved"), (editor.status, editor.reason)
    if editor.status == "saved":
        assert editor.item_id is not None
        intent.live[editor.item_id] = value
    else:
        intent.pending_creates.append(value)
    intent.counts[f"create: {editor.status}"] += 1


async def test_random_writes_under_faults_reach_exactly_the_intended_state(
    emulator_factory: Any, make_model: MakeModel, journal_path: Path
) -> None:
    server = emulator_factory(seed="none")
    dataset = make_dataset(server, items=30)
    model = await make_model(server, page_size=200)
    notices: list[str] = []
    model.subscribe(lambda change: notices.append(str(model.state.notice)))
    await model.open_dataset(str(dataset.id))
    intent = Intent()
    intent.live = {str(item.id): item.input for item in model.state.page.items}
    assert len(intent.live) == 30
    rng = random.Random(7)

    server.server.set_faults(FAULTS)
    for op in range(200):
        roll = rng.random()
        if roll < 0.45:
            await edit(model, intent, rng, op)
        elif roll < 0.65:
            await delete(model, intent, rng)
        elif roll < 0.80:
            await restore(model, intent, rng)
        else:
            await create(model, intent, str(dataset.id), op)
    stats = server.server.fault_stats()
    server.server.clear_faults()
    injected = sum(stats["counts"][k] for k in stats["counts"] if k != "latency")
    assert injected / stats["requests"] > 0.15, stats["counts"]
    assert not [n for n in notices if "unexpectedly" in n], notices
    assert intent.counts["edit: not_saved"] + intent.counts["create: not_saved"] > 0, intent.counts

    # The journal holds a draft for every edit and create that did not reach the server.
    drafts = model.journal.drafts()
    by_item = {d.item_id: d for d in drafts if d.item_id is not None}
    for item_id, value in intent.pending_edits.items():
        assert json.loads(by_item[item_id].fields["input"]) == value
    new_inputs = sorted(
        json.dumps(json.loads(d.fields["input"])) for d in drafts if d.item_id is None
    )
    assert new_inputs == sorted(json.dumps(v) for v in intent.pending_creates)
    # What the model reported saved is on the server exactly.
    on_server = {str(i.id): i.input for i in server_items(server, str(dataset.id))}
    for item_id, value in intent.live.items():
        if item_id not in intent.pending_edits and item_id not in intent.unsure:
            assert on_server[item_id] == value
    for item_id in intent.deleted:
        if item_id not in intent.unsure:
            assert item_id not in on_server

    # The user retries what failed (faults over): everything lands, once.
    await model.retry_unsaved()
    for item_id, action in sorted(intent.unsure.items()):
        if action == "delete":
            await model.delete_item(item_id)
            intent.deleted[item_id] = intent.live.pop(item_id)
        else:
            await model.restore_item(item_id)
            intent.live[item_id] = intent.deleted.pop(item_id)
    intent.live.update(intent.pending_edits)
    assert model.journal.drafts() == []

    final = server_items(server, str(dataset.id))
    created = Counter(json.dumps(i.input) for i in final if "created" in (i.input or {}))
    assert all(n == 1 for n in created.values()), created
    expected_creates = {json.dumps(v) for v in intent.pending_creates} | {
        json.dumps(v) for v in intent.live.values() if "created" in v
    }
    assert set(created) == expected_creates
    by_id = {str(i.id): i.input for i in final if "created" not in (i.input or {})}
    wanted = {k: v for k, v in intent.live.items() if "created" not in (v or {})}
    assert by_id == wanted
    assert {t.object_id for t in model.journal.trash()} == set(intent.deleted)
    # The run met the hard case: a POST applied by the server whose answer was lost.
    posts = Counter(e["fault"] for e in stats["log"] if e["method"] == "POST")
    assert posts["drop_after"] >= 1, posts
