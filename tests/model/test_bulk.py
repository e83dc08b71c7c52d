"""Bulk actions through the model, on both API generations: marks, the plan shown before
starting (PostHog's v2 limits), archive/metadata/copy of many items with one undo, and a retry
after a failure half way that does nothing twice. What is asserted is what the server holds."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import httpx
import pytest

from explorer.api.errors import ReadOnlyError
from explorer.api.models import AnyDataset, AnyItem
from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel
from explorer.model.bulk import BulkFailed, BulkRefused, PostHogLimits
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    Recorder,
    delete_elsewhere,
    edit_elsewhere,
    fields_of,
    is_removed,
    make_dataset,
    requests_seen,
    server_items,
    sync_client,
)


def tagged_dataset(server: RunningEmulator, tags: list[str]) -> tuple[AnyDataset, list[AnyItem]]:
    """A dataset with one item per tag: input ``{"n": i}``, metadata ``{"tags": [tag]}``."""
    f = fields_of(server)
    with sync_client(server) as client:
        dataset = client.datasets.create(f"bulk-{len(tags)}-{tags[0]}")
        items = [
            client.items.create(
                dataset, **f.item(input={"n": i}, answer=f"out {i}", metadata={"tags": [tag]})
            )
            for i, tag in enumerate(tags)
        ]
    return dataset, items


def metadata_by_input(server: RunningEmulator, dataset_id: str) -> dict[int, Any]:
    return {item.input["n"]: item.metadata for item in server_items(server, dataset_id)}


def notice_of(model: ExplorerModel) -> Any:
    notice = model.state.notice
    assert notice is not None
    return notice


async def test_marks_survive_page_turns_and_are_cleared_by_another_dataset(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=7)
    other = make_dataset(empty_server, items=1)
    model = await make_model(empty_server, page_size=3)
    await model.open_dataset(str(dataset.id))
    first = [str(i.id) for i in model.state.page.items]
    await model.mark_range(first[2], first[0])  # either order: the rows between
    assert list(model.state.marked) == first
    await model.mark(first[1])  # toggles off
    assert list(model.state.marked) == [first[0], first[2]]
    await model.next_page()
    await model.mark_page()
    second = [str(i.id) for i in model.state.page.items]
    assert list(model.state.marked) == [first[0], first[2], *second]
    assert model.state.marked[second[0]].input == model.state.page.items[0].input
    await model.mark_all_results()  # every live item, beyond the pages shown
    assert len(model.state.marked) == 7
    await model.open_dataset(str(dataset.id))  # the same dataset: kept
    assert len(model.state.marked) == 7
    await model.open_dataset(str(other.id))
    assert model.state.marked == {}
    await model.mark_page()
    await model.clear_marks()
    assert model.state.marked == {}


async def test_archive_the_matches_of_a_search_then_undo_all_of_them(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    tags = ["refunds", "billing"] * 4 + ["refunds"]  # 5 refunds among 9 items
    dataset, items = tagged_dataset(empty_server, tags)
    refunds = {str(i.id) for i, tag in zip(items, tags, strict=True) if tag == "refunds"}
    model = await make_model(empty_server, page_size=2)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(str(dataset.id))
    await model.search_items("metadata.tags:refunds")
    assert model.state.page.total == 5 and len(model.state.page.items) == 2
    await model.mark_all_results()
    assert set(model.state.marked) == refunds

    plan = await model.bulk_plan("archive")
    verb = model.state.schema.remove_label  # Archive (v2) or Delete (classic)
    assert plan.allowed and plan.count == 5 and plan.skipped == ()
    assert plan.description == f"{verb} 5 items of {dataset.name}"

    recorder.clear()
    await model.bulk_archive()
    assert all(is_removed(empty_server, i) for i in refunds)
    assert {str(i.id) for i in server_items(empty_server, str(dataset.id))} == (
        {str(i.id) for i in items} - refunds
    )
    bulk = model.state.bulk
    assert bulk is not None and not bulk.running
    assert (bulk.total, bulk.done, bulk.succeeded) == (5, 5, 5)
    assert recorder.commands().count("bulk_progress") >= 5
    assert recorder.commands()[-1] == "bulk_archive"
    notice = notice_of(model)
    assert notice.message == f"{model.state.schema.removed_label} 5 items." and notice.error is None
    assert {t.object_id for t in model.state.trash} == refunds  # each kept, as a delete does
    assert model.state.marked == {}  # they left the view
    assert model.state.page.total == 0  # the search shows no live match now
    assert model.state.undo_label == f"{model.state.schema.remove_verb} 5 items"

    await model.undo()
    assert not any(is_removed(empty_server, i) for i in refunds)
    assert len(server_items(empty_server, str(dataset.id))) == 9
    assert model.state.trash == []
    assert notice_of(model).message.startswith("Undid the ")
    assert model.state.bulk is not None and model.state.bulk.succeeded == 5
    assert model.state.page.total == 5
    assert model.state.undo_label is None


async def test_set_and_remove_metadata_with_one_undo_each(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=4)  # metadata {"k": n}
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    by_n = {item.input["n"]: str(item.id) for item in model.state.page.items}
    edit_elsewhere(empty_server, by_n[0], metadata={"k": 0, "reviewed": True})
    await model.refresh()
    await model.mark_page()

    plan = await model.bulk_plan("set_metadata", key="reviewed", value=True)
    assert plan.count == 3 and [s.item_id for s in plan.skipped] == [by_n[0]]
    assert plan.skipped[0].reason == "metadata.reviewed already set"
    assert plan.description == f"Set metadata.reviewed to true on 3 items of {dataset.name}"
    await model.bulk_set_metadata("reviewed", True)
    assert metadata_by_input(empty_server, str(dataset.id)) == {
        n: {"k": n, "reviewed": True} for n in range(4)
    }
    assert notice_of(model).message == (
        "Set metadata.reviewed on 3 of 4 items; 1 skipped: metadata.reviewed already set."
    )
    assert model.state.undo_label == "set metadata.reviewed on 3 items"
    assert model.state.marked[by_n[1]].metadata == {"k": 1, "reviewed": True}  # last seen

    # someone changes one of them meanwhile: the undo leaves their value alone
    edit_elsewhere(empty_server, by_n[3], metadata={"k": 3, "reviewed": "no"})
    await model.undo()
    assert metadata_by_input(empty_server, str(dataset.id)) == {
        0: {"k": 0, "reviewed": True},  # it had it before
        1: {"k": 1},
        2: {"k": 2},
        3: {"k": 3, "reviewed": "no"},
    }
    bulk = model.state.bulk
    assert bulk is not None and (bulk.succeeded, bulk.skipped) == (2, 1)
    assert [r.reason for r in bulk.results if r.outcome == "skipped"] == [
        "metadata.reviewed changed since"
    ]

    await model.bulk_remove_metadata("k", ids=[by_n[1], by_n[2]])
    after = metadata_by_input(empty_server, str(dataset.id))
    assert (after[1], after[2], after[3]) == ({}, {}, {"k": 3, "reviewed": "no"})
    await model.undo()
    after = metadata_by_input(empty_server, str(dataset.id))
    assert (after[1], after[2]) == ({"k": 1}, {"k": 2})


async def test_move_restore_and_undo_in_bulk(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    source = make_dataset(empty_server, items=4)
    target = make_dataset(empty_server)
    model = await make_model(empty_server)
    await model.open_dataset(str(source.id))
    by_n = {item.input["n"]: str(item.id) for item in model.state.page.items}
    for n in (0, 1, 2):
        await model.mark(by_n[n])

    plan = await model.bulk_plan("move", dataset_id=str(target.id))
    assert plan.description == f"Move 3 items of {source.name} to {target.name}"
    assert bool(plan.warnings) == F.versioned  # v2: a copy and an archive each
    await model.bulk_move(str(target.id))
    assert [i.input["n"] for i in server_items(empty_server, str(source.id))] == [3]
    assert sorted(i.input["n"] for i in server_items(empty_server, str(target.id))) == [0, 1, 2]
    assert notice_of(model).message == f"Moved 3 items to {target.name}."
    assert model.state.undo_label == f"move 3 items to {target.name}"
    assert model.state.marked == {}
    await model.undo()
    assert len(server_items(empty_server, str(source.id))) == 4
    assert server_items(empty_server, str(target.id)) == []
    assert all(not is_removed(empty_server, by_n[n]) for n in range(4))  # the originals

    await model.bulk_archive(ids=[by_n[0], by_n[1]])
    assert {t.object_id for t in model.state.trash} == {by_n[0], by_n[1]}
    await model.bulk_restore(ids=[t.object_id for t in model.state.trash] + [by_n[2]])
    bulk = model.state.bulk
    assert bulk is not None and (bulk.succeeded, bulk.skipped) == (2, 1)  # item 2 was live
    assert len(server_items(empty_server, str(source.id))) == 4
    assert model.state.trash == []
    assert model.state.undo_label == "restore 2 items"
    await model.undo()  # archives (deletes) them again
    assert sorted(i.input["n"] for i in server_items(empty_server, str(source.id))) == [2, 3]


async def test_one_bulk_action_at_a_time(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    await model.mark_page()
    first = asyncio.create_task(model.bulk_set_metadata("a", 1))
    await asyncio.sleep(0)  # it starts
    with model.collect_notices() as notices:
        await model.bulk_set_metadata("b", 2)
    assert [n.level for n in notices] == ["warning"]
    assert isinstance(notices[0].error, BulkRefused) and "still running" in notices[0].message
    await first
    assert metadata_by_input(empty_server, str(dataset.id)) == {
        n: {"k": n, "a": 1} for n in range(3)
    }


class CutTransport(httpx.AsyncBaseTransport):
    """The real transport until ``posts`` POSTs went through; the next POST reaches the server
    but its answer is lost, and from then on nothing gets through (the connection is down)
    until ``cut`` is set False. ``sent`` counts the POSTs that reached the server."""

    def __init__(self, posts: int) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.posts = posts
        self.cut = False
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("test: the connection is down", request=request)
        if request.method != "POST":
            return await self._inner.handle_async_request(request)
        self.sent += 1
        if self.posts > 0:
            self.posts -= 1
            return await self._inner.handle_async_request(request)
        self.cut = True
        response = await self._inner.handle_async_request(request)
        await response.aread()
        raise httpx.ReadError("test: the connection dropped", request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_copy_cut_off_half_way_and_run_again_copies_each_item_once(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    source = make_dataset(empty_server, items=8)
    target = make_dataset(empty_server)
    transport = CutTransport(posts=3)
    model = await make_model(empty_server, client_options={"transport": transport})
    await model.open_dataset(str(source.id))
    await model.mark_page()

    await model.bulk_copy(str(target.id))
    notice = notice_of(model)
    assert notice.level == "error" and isinstance(notice.error, BulkFailed)
    assert notice.message.startswith(f"Copied 3 of 8 items to {target.name}; 5 failed: ")
    assert len(server_items(empty_server, str(target.id))) == 4  # one made, its answer lost

    transport.cut, transport.posts, transport.sent = False, 1000, 0
    await model.bulk_copy(str(target.id))
    notice = notice_of(model)
    assert notice.level == "info", notice
    bulk = model.state.bulk
    assert bulk is not None and (bulk.succeeded, bulk.skipped, bulk.failed) == (5, 3, 0)
    assert all(r.reason.startswith("already copied to") for r in bulk.results[:3])
    # classic looked for the lost create and found it; v2 sent it again with the same key
    assert transport.sent == (5 if F.versioned else 4)
    copies = server_items(empty_server, str(target.id))
    inputs = Counter(json.dumps(item.input) for item in copies)
    assert inputs == Counter(json.dumps({"n": n}) for n in range(8))
    assert Counter(F.answer_of(item) for item in copies) == Counter(f"out {n}" for n in range(8))

    assert model.state.undo_label == f"copy 5 items to {target.name}"
    await model.undo()  # the second run's copies
    assert len(server_items(empty_server, str(target.id))) == 3
    await model.undo()  # the first run's
    assert server_items(empty_server, str(target.id)) == []
    assert len(server_items(empty_server, str(source.id))) == 8
    await model.bulk_copy(str(target.id))  # undone copies may be made again
    assert len(server_items(empty_server, str(target.id))) == 8


async def test_a_copy_into_a_dataset_without_room_is_refused_before_starting_on_v2(
    emulator_factory: Any, make_model: MakeModel, F: Fields
) -> None:
    server = emulator_factory(max_items=6)
    source = make_dataset(server, items=4)
    target = make_dataset(server, items=3)
    delete_elsewhere(server, str(server_items(server, str(target.id))[0].id))
    model = await make_model(server)
    model.limits = PostHogLimits(items=6)
    await model.open_dataset(str(source.id))
    await model.mark_page()

    plan = await model.bulk_plan("copy", dataset_id=str(target.id))
    assert plan.description == f"Copy 4 items of {source.name} to {target.name}"
    if not F.versioned:  # the classic API has no such limit
        assert plan.allowed
        await model.bulk_copy(str(target.id))
        assert len(server_items(server, str(target.id))) == 2 + 4
        return
    # 2 live + 1 archived: room for 3
    assert plan.refusal.startswith(f"{target.name} has room for 3 items, not 4")
    assert "archived ones included" in plan.refusal
    before = requests_seen(server)
    await model.bulk_copy(str(target.id))
    notice = notice_of(model)
    assert notice.level == "warning" and isinstance(notice.error, BulkRefused)
    assert "room for 3 items" in notice.message
    assert requests_seen(server) - before == 3  # the plan's reads: the target, two counts
    assert len(server_items(server, str(target.id))) == 2
    await model.clear_marks()
    await model.mark(str(model.state.page.items[0].id))
    plan = await model.bulk_plan("copy", dataset_id=str(target.id))
    assert plan.allowed and plan.count == 1


async def test_items_at_the_version_limit_are_skipped_with_the_reason(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=3)
    items = {item.input["n"]: str(item.id) for item in server_items(empty_server, str(dataset.id))}
    if F.versioned:  # item 0 at 40 versions, item 1 at 39
        with sync_client(empty_server) as client:
            for n, versions in ((0, 40), (1, 39)):
                for v in range(1, versions):
                    client.items.update(items[n], v, metadata={"k": n, "edit": v})
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    await model.mark_page()

    archive = await model.bulk_plan("archive")
    if F.versioned:
        assert sorted(archive.item_ids) == [items[2]]
        reasons = {s.item_id: s.reason for s in archive.skipped}
        assert reasons[items[1]] == (
            "at 39 versions it cannot be archived: PostHog keeps the last of its 40 versions"
            " for a restore"
        )
    else:
        assert len(archive.item_ids) == 3

    await model.bulk_set_metadata("reviewed", True)
    bulk = model.state.bulk
    assert bulk is not None
    edited = {n for n, i in items.items() if server_item_metadata(empty_server, i).get("reviewed")}
    if F.versioned:
        assert edited == {1, 2}
        skipped = [r for r in bulk.results if r.outcome == "skipped"]
        assert skipped == [
            (items[0], "skipped", "at PostHog's limit of 40 versions it cannot be edited")
        ]
        assert "1 skipped: at PostHog's limit of 40 versions" in notice_of(model).message
        assert notice_of(model).error is None
    else:
        assert edited == {0, 1, 2} and bulk.succeeded == 3


def server_item_metadata(server: RunningEmulator, item_id: str) -> dict[str, Any]:
    with sync_client(server) as client:
        item = client.items.get(item_id)
    assert isinstance(item.metadata, dict)
    return item.metadata


async def test_a_bulk_action_in_read_only_mode_is_refused_before_any_request(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server, read_only=True)
    await model.open_dataset(str(dataset.id))
    await model.mark_page()  # marking is not a write
    assert len(model.state.marked) == 3
    plan = await model.bulk_plan("archive")
    assert not plan.allowed and "read-only" in plan.refusal
    before = requests_seen(empty_server)
    for run in (
        model.bulk_archive(),
        model.bulk_set_metadata("k", 1),
        model.bulk_copy(str(dataset.id)),
    ):
        await run
        notice = notice_of(model)
        assert notice.level == "warning" and isinstance(notice.error, ReadOnlyError)
    assert requests_seen(empty_server) == before
    assert len(server_items(empty_server, str(dataset.id))) == 3


@pytest.mark.slow
async def test_bulk_copy_and_archive_under_faults_lose_and_duplicate_nothing(
    emulator_factory: Any, make_model: MakeModel
) -> None:
    server = emulator_factory(seed="none")
    source = make_dataset(server, items=12)
    target = make_dataset(server)
    model = await make_model(server)
    await model.open_dataset(str(source.id))
    await model.mark_page()
    ids = set(model.state.marked)
    faults = FaultConfig(
        seed=30,
        error_rate=0.12,
        throttle_rate=0.04,
        throttle_wait_s=0,
        drop_before_rate=0.07,
        drop_after_rate=0.07,
    )
    server.server.set_faults(faults)
    levels: list[str] = []
    for command in (lambda: model.bulk_copy(str(target.id)), model.bulk_archive):
        for _ in range(12):  # the user runs it again until it says all is done
            await command()
            levels.append(notice_of(model).level)
            if notice_of(model).level == "info":
                break
        assert notice_of(model).level == "info", notice_of(model)
    stats = server.server.fault_stats()
    server.server.clear_faults()
    injected = sum(n for kind, n in stats["counts"].items() if kind != "latency")
    # enough faults to matter (the share varies with the order concurrent requests arrive in)
    assert injected >= 8 and injected / stats["requests"] > 0.1, stats
    assert "error" in levels  # the faults did cut some runs short
    assert not [n for n in model.state.notices if "unexpectedly" in n.message]

    copies = Counter(json.dumps(i.input) for i in server_items(server, str(target.id)))
    assert copies == Counter(json.dumps({"n": n}) for n in range(12))  # each once
    assert server_items(server, str(source.id)) == []
    assert all(is_removed(server, i) for i in ids)
    assert {t.object_id for t in model.journal.trash() if t.confirmed} == ids
