"""The fault soak of the model: 1,000 mixed operations (edit and save, create, delete, restore,
retry what failed, refresh) against the embedded server with 10%, 30% and 50% of the API
requests failing (500/502/503, 429, connections dropped before or after the server applied
them) and a few ms of latency on each, on both API generations (classic and v2).

It builds on ``tests/model/test_faults.py`` (200 operations at one rate) and asserts more:

- every operation whose outcome was a failure left a warning or error notice from its command
  (what the front ends show), and a failed save also the editor's "not saved: ..." status;
- while faults are on, the journal holds exactly the edits and creates that were reported not
  saved, and its trash exactly the deleted items (plus the deletes of unknown outcome);
- the server's database (soft-deleted rows included) holds what was reported saved, deleted
  and restored, and no item the model did not report created, except, one at most per draft,
  those of creates that were reported "may have been created" and are still in the journal;
- after the user retries what failed (faults off), the server equals the intended state
  exactly: every item's content and deleted flag, one item per create, none extra, and a GET
  of each deleted item answers 404.

On v2 "deleted" is "archived": the database is read for each item's current version and its
``archived`` flag, archived items count among the dataset's items, and a GET of an archived item
answers it with ``archived: true``. v2 is also checked for what only it can show: every item
created carries its draft's key as ``client_item_id`` (so one item per key, and an item of
unknown outcome is the journal's draft's), and every edit reported saved is among its item's
versions. The v2 server allows more than PostHog's 40 versions per item (`soak_server_options`):
each edit, archive and restore makes a version (the busiest item reaches about 15 today), and
the version limit is not what this tests.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from explorer.api import NotFound
from explorer.model import ExplorerModel, ItemSchema
from tests._emulator import RunningEmulator
from tests.model.conftest import MakeModel, make_dataset, sync_client
from tests.reliability._soak import (
    GENERATIONS,
    RATES,
    SOAK_RETRIES,
    NoticeLog,
    Reference,
    injected_share,
    key,
    missing_versions,
    soak_faults,
    soak_server_options,
    stored_items,
)

pytestmark = pytest.mark.slow

OPERATIONS = 1000
INITIAL_ITEMS = 30


class Soak:
    """One model, its reference, and the operations a user performs."""

    def __init__(self, model: ExplorerModel, dataset_id: str, rng: random.Random) -> None:
        self._mark = 0
        self.op = -1
        self.model = model
        self.dataset_id = dataset_id
        self.rng = rng
        self.ref = Reference()
        self.log = NoticeLog(model)
        self.failures = 0  # operations whose outcome was a failure
        self.unexplained: list[str] = []  # failures the user was not told about
        self.trail: dict[str, list[str]] = {}  # item id -> what happened to it (for failures)

    def note(self, item_id: str, what: str) -> None:
        notices = [f"{n.command}: {n}" for n in self.log.since(self._mark)]
        self.trail.setdefault(item_id, []).append(f"{what} {notices}")

    def told(self, mark: int, what: str, *commands: str) -> None:
        """A failure of ``what``: the user must have been told by one of ``commands``."""
        self.failures += 1
        if not self.log.failures_since(mark, *commands):
            self.unexplained.append(f"{what}: {[str(n) for n in self.log.since(mark)]}")

    # -- operations ------------------------------------------------------------------------

    async def edit(self, op: int) -> None:
        choices = self.ref.editable()
        if not choices:
            return
        item_id = self.rng.choice(choices)
        if not await self.open(item_id, "edit"):
            return
        value = {"edit": op, "of": item_id[-6:]}
        await self.model.edit_field("input", json.dumps(value))
        await self.save_open(item_id, value, "edit")

    async def open(self, item_id: str, what: str) -> bool:
        mark = self.log.mark()
        await self.model.select(item_id)
        editor = self.model.state.editor
        if editor is None or editor.item_id != item_id:
            self.ref.counts[f"{what}: could not open"] += 1
            self.told(mark, f"{what}: select {item_id}", "select")
            return False
        return True

    async def save_open(self, item_id: str, value: Any, what: str) -> None:
        mark = self.log.mark()
        await self.model.save()
        editor = self.model.state.editor
        assert editor is not None and editor.item_id == item_id
        status = editor.status
        assert status in ("saved", "not_saved"), (status, editor.reason)
        self.ref.counts[f"{what}: {status}"] += 1
        self.note(item_id, f"{self.op} {what}: {status}")
        if status == "saved":
            self.ref.live[item_id] = value
            self.ref.saved.append((item_id, value))
            self.ref.pending_edits.pop(item_id, None)
            return
        self.ref.pending_edits[item_id] = value
        assert editor.status_text.startswith("not saved: "), editor.status_text
        self.told(mark, f"{what}: save {item_id}", "save")

    async def create(self, op: int) -> None:
        await self.model.new_item(self.dataset_id)
        value = {"created": op}
        await self.model.edit_field("input", json.dumps(value))
        editor = self.model.state.editor
        assert editor is not None and editor.is_new
        await self.save_new(editor.key, value, "create")

    async def save_new(self, draft_key: str, value: Any, what: str) -> None:
        mark = self.log.mark()
        await self.model.save()
        editor = self.model.state.editor
        assert editor is not None
        assert editor.status in ("saved", "not_saved"), (editor.status, editor.reason)
        self.ref.counts[f"{what}: {editor.status}"] += 1
        if editor.status == "saved":
            assert editor.item_id is not None and editor.item_id not in self.ref.live
            self.note(editor.item_id, f"{self.op} {what}: created {value}")
            self.ref.live[editor.item_id] = value
            self.ref.saved.append((editor.item_id, value))
            self.ref.created_keys[editor.item_id] = draft_key
            self.ref.creates_done += 1
            self.ref.pending_creates.pop(draft_key, None)
            return
        assert editor.key == draft_key and editor.status_text.startswith("not saved: ")
        self.ref.pending_creates[draft_key] = value
        self.told(mark, f"{what}: save new {value}", "save")

    async def delete(self, item_id: str | None = None, what: str = "delete") -> None:
        if item_id is None:
            choices = self.ref.deletable()
            if not choices:
                return
            item_id = self.rng.choice(choices)
        mark = self.log.mark()
        await self.model.delete_item(item_id)
        entry = self.model.journal.get_trash("item", item_id)
        self.note(item_id, f"{self.op} {what}: {entry}")
        if entry is not None and entry.confirmed:
            self.ref.deleted[item_id] = self.ref.live.pop(item_id)
            self.ref.unsure.pop(item_id, None)
            self.ref.counts[f"{what}: done"] += 1
            return
        if entry is None:
            self.ref.counts[f"{what}: not done"] += 1
            assert item_id not in self.ref.unsure  # an unknown delete keeps its trash entry
        else:
            self.ref.unsure[item_id] = "delete"
            self.ref.counts[f"{what}: unknown"] += 1
        self.told(mark, f"{what} {item_id}", "delete_item")

    async def restore(self, item_id: str | None = None, what: str = "restore") -> None:
        if item_id is None:
            choices = self.ref.restorable()
            if not choices:
                return
            item_id = self.rng.choice(choices)
        mark = self.log.mark()
        await self.model.restore_item(item_id)
        self.note(item_id, f"{self.op} {what}: {self.model.journal.get_trash('item', item_id)}")
        if self.model.journal.get_trash("item", item_id) is None:
            self.ref.live[item_id] = self.ref.deleted.pop(item_id)
            self.ref.unsure.pop(item_id, None)
            self.ref.counts[f"{what}: done"] += 1
            return
        # not restored, or unknown: either way the user is told and will try again
        self.ref.unsure[item_id] = "restore"
        self.ref.counts[f"{what}: not done"] += 1
        self.told(mark, f"{what} {item_id}", "restore_item")

    async def retry(self) -> None:
        """The user tries again one thing that failed, faults still on."""
        ref = self.ref
        pending: list[tuple[str, str]] = [("edit", i) for i in sorted(ref.pending_edits)]
        pending += [("create", k) for k in sorted(ref.pending_creates)]
        pending += [(action, i) for i, action in sorted(ref.unsure.items())]
        if not pending:
            return
        kind, target = self.rng.choice(pending)
        if kind == "edit":
            if await self.open(target, "retry edit"):
                editor = self.model.state.editor
                assert editor is not None and editor.dirty  # the draft came back
                await self.save_open(target, ref.pending_edits[target], "retry edit")
        elif kind == "create":
            mark = self.log.mark()
            await self.model.open_draft(target)
            editor = self.model.state.editor
            if editor is None or editor.key != target:
                self.told(mark, f"retry create: open draft {target}", "open_draft")
                return
            await self.save_new(target, ref.pending_creates[target], "retry create")
        elif kind == "delete":
            await self.delete(target, "retry delete")
        else:
            await self.restore(target, "retry restore")

    async def refresh(self) -> None:
        mark = self.log.mark()
        before = self.model.state.page.fetched_at
        await self.model.refresh()
        if self.model.state.page.fetched_at == before:
            self.ref.counts["refresh: failed"] += 1
            self.told(mark, "refresh", "refresh")
        else:
            self.ref.counts["refresh: done"] += 1

    async def step(self, op: int) -> None:
        self._mark = self.log.mark()
        self.op = op
        roll = self.rng.random()
        if roll < 0.35:
            await self.edit(op)
        elif roll < 0.47:
            await self.create(op)
        elif roll < 0.60:
            await self.delete()
        elif roll < 0.70:
            await self.restore()
        elif roll < 0.85:
            await self.retry()
        else:
            await self.refresh()


def check_while_faulty(soak: Soak, server: RunningEmulator) -> None:
    """Faults are off but nothing was retried: journal and server against the reference."""
    ref, journal = soak.ref, soak.model.journal
    drafts = journal.drafts()
    # Every edit and create reported not saved is in the journal, as typed; nothing else is.
    edits = {d.item_id: json.loads(d.fields["input"]) for d in drafts if d.item_id is not None}
    assert edits == ref.pending_edits
    creates = {d.key: json.loads(d.fields["input"]) for d in drafts if d.item_id is None}
    assert creates == ref.pending_creates
    # The trash holds every deleted item; a delete of unknown outcome stays unconfirmed.
    trash = {t.object_id: t for t in journal.trash()}
    unsure_deletes = {i for i, a in ref.unsure.items() if a == "delete"}
    assert set(trash) == set(ref.deleted) | unsure_deletes
    assert all(not trash[i].confirmed for i in unsure_deletes)

    stored = stored_items(server, soak.dataset_id)
    for item_id, value in ref.live.items():
        row = stored[item_id]
        if item_id in ref.unsure:  # a delete of unknown outcome: either
            continue
        assert not row.deleted, soak.trail.get(item_id)
        if item_id not in ref.pending_edits:
            assert row.input == value, (item_id, row.input, value)
    for item_id, value in ref.deleted.items():
        row = stored[item_id]
        assert row.input == value, item_id
        if item_id not in ref.unsure:
            assert row.deleted, item_id
    # Items nobody reported created: only creates the journal still holds with an attempt
    # whose answer was lost, each at most once.
    extra = Counter(key(row.input) for i, row in stored.items() if i not in ref.live | ref.deleted)
    attempted = {
        key(json.loads(d.fields["input"])) for d in drafts if d.item_id is None and d.attempts
    }
    assert all(n == 1 for n in extra.values()), extra
    assert set(extra) <= attempted, set(extra) - attempted
    assert len(stored) == INITIAL_ITEMS + ref.creates_done + sum(extra.values())
    if server.server.api == "v2":
        attempts = {
            d.key: json.loads(d.fields["input"]) for d in drafts if d.item_id is None and d.attempts
        }
        check_v2_keys(soak, server, attempts, all_made=False)


def check_v2_keys(
    soak: Soak, server: RunningEmulator, unreported: dict[str, Any], *, all_made: bool
) -> None:
    """v2: every item created carries its create's draft key, one item per key: those the model
    reported created their draft's; any other the key of one of ``unreported`` (draft key ->
    input sent, creates not reported created), with that content (``all_made``: every one of
    them). And every edit and create reported saved is among the item's versions: none was
    lost, even if a later save replaced it."""
    ref = soak.ref
    stored = stored_items(server, soak.dataset_id)
    # (the client gives a key of its own to a create without one: the test's initial items)
    keys = Counter(row.client_item_id for row in stored.values())
    assert None not in keys and all(n == 1 for n in keys.values()), keys
    for item_id, draft_key in ref.created_keys.items():
        assert stored[item_id].client_item_id == draft_key, (item_id, soak.trail.get(item_id))
    others = {
        str(row.client_item_id): row.input
        for i, row in stored.items()
        if i not in ref.created_keys and i not in ref.initial
    }
    assert set(others) <= set(unreported), set(others) - set(unreported)
    if all_made:
        assert set(others) == set(unreported), set(unreported) - set(others)
    for other, value in others.items():
        assert value == unreported[other], (other, value, unreported[other])
    lost = missing_versions(server, soak.dataset_id, ref.saved)
    assert not lost, [(i, v, soak.trail.get(i)) for i, v in lost[:3]]


async def retry_everything(soak: Soak) -> dict[str, Any]:
    """Faults off: the user retries each failure once, as the notices told them to. Returns the
    creates that `retry_unsaved` saved, draft key -> input (it does not say under which ids)."""
    model, ref = soak.model, soak.ref
    await model.retry_unsaved()
    assert model.journal.drafts() == [], [str(n) for n in soak.log.seen[-3:]]
    assert model.state.notice is not None and "still not saved" not in model.state.notice.message
    retried = dict(ref.pending_creates)
    ref.creates_done += len(retried)
    ref.pending_creates.clear()
    ref.live.update(ref.pending_edits)
    ref.pending_edits.clear()
    for item_id, action in sorted(ref.unsure.items()):
        if action == "delete":
            await soak.delete(item_id, "final delete")
        else:
            await soak.restore(item_id, "final restore")
    assert ref.unsure == {}, (ref.unsure, [str(n) for n in soak.log.seen[-5:]])
    return retried


def check_final(soak: Soak, server: RunningEmulator, retried: dict[str, Any]) -> None:
    """The server equals the intended state exactly."""
    ref = soak.ref
    stored = stored_items(server, soak.dataset_id)
    # One row per item reported created, none more.
    assert len(stored) == INITIAL_ITEMS + ref.creates_done
    created = Counter(key(row.input) for row in stored.values() if "created" in (row.input or {}))
    assert all(n == 1 for n in created.values()), [k for k, n in created.items() if n > 1]
    # Every item whose id the model reported: its content and deleted flag.
    wanted = {i: (v, False) for i, v in ref.live.items()} | {
        i: (v, True) for i, v in ref.deleted.items()
    }
    held = {i: (row.input, row.deleted) for i, row in stored.items()}
    assert {i: held.get(i) for i in wanted} == wanted
    # The rest: exactly the creates saved by the final retry, live.
    rest = sorted(key(held[i]) for i in held if i not in wanted)
    assert rest == sorted(key((v, False)) for v in retried.values())
    v2 = server.server.api == "v2"
    if v2:  # and each of those under its draft's key
        check_v2_keys(soak, server, retried, all_made=True)
    with sync_client(server) as client:
        for item_id in ref.deleted:
            if v2:  # an archived item is still answered, archived
                assert ItemSchema.is_removed(client.items.get(item_id)), item_id
            else:
                with pytest.raises(NotFound):
                    client.items.get(item_id)
        listed = {str(i.id) for i in client.items.iter(soak.dataset_id)}
    assert listed == {i for i, (_, deleted) in held.items() if not deleted}


@pytest.mark.parametrize("rate", RATES, ids=[f"{int(r * 100)}pct" for r in RATES])
@pytest.mark.parametrize("api", GENERATIONS)
async def test_model_soak_reaches_exactly_the_intended_state(
    api: str, rate: float, emulator_factory: Any, make_model: MakeModel, journal_path: Path
) -> None:
    server = emulator_factory(seed="none", **soak_server_options(api))
    dataset = make_dataset(server, items=INITIAL_ITEMS)
    model = await make_model(
        server, page_size=200, client_options={"retries": SOAK_RETRIES}, stale_after=3600
    )
    await model.open_dataset(str(dataset.id))
    soak = Soak(model, str(dataset.id), random.Random(int(rate * 100)))
    soak.ref.live = {str(item.id): item.input for item in model.state.page.items}
    soak.ref.initial = set(soak.ref.live)
    assert len(soak.ref.live) == INITIAL_ITEMS

    server.server.set_faults(soak_faults(rate, seed=int(rate * 1000)))
    for op in range(OPERATIONS):
        await soak.step(op)
    stats = server.server.fault_stats()
    server.server.clear_faults()

    counts = soak.ref.counts
    assert abs(injected_share(stats) - rate) < 0.05, stats["counts"]
    assert not soak.unexplained, soak.unexplained[:5]
    assert not [str(n) for n in soak.log.seen if "unexpectedly" in n.message]
    assert soak.failures > OPERATIONS * rate / 4, (soak.failures, counts)
    for outcome in ("edit: saved", "edit: not_saved", "create: saved", "create: not_saved"):
        assert counts[outcome] > 0, counts
    # The hard case was met: a POST the server applied whose answer was lost.
    posts = Counter(e["fault"] for e in stats["log"] if e["method"] == "POST")
    assert posts["drop_after"] >= 1, posts

    check_while_faulty(soak, server)
    retried = await retry_everything(soak)
    check_final(soak, server, retried)
