"""Datasets list, item pager, selection: against the embedded server, without any UI."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

from explorer.api._v2 import PAGE_CAPS as V2_PAGE_CAPS
from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    Recorder,
    delete_elsewhere,
    edit_elsewhere,
    live_count,
    make_dataset,
    requests_seen,
)


def dataset_id(model: ExplorerModel, name: str) -> str:
    for dataset in model.state.datasets.datasets:
        if dataset.name == name:
            return str(dataset.id)
    raise AssertionError(f"{name} not listed: {[d.name for d in model.state.datasets.datasets]}")


def rows(first: int, last: int, total: int) -> str:
    """A page's range text: ``1,001-1,050 of 1,200``."""
    return f"{first:,}-{min(last, total):,} of {total:,}"


def pages(total: int, size: int) -> int:
    return -(-total // size)


async def test_start_lists_datasets_with_one_event(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server, start=False)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.start()
    state = model.state
    assert state.host == demo_server.url and state.project_id == "1" and not state.read_only
    names = {d.name for d in state.datasets.datasets}
    assert {"customer-support-evals", "rag-answers-golden", "sql-generation"} <= names
    assert state.datasets.range_text.startswith("1-")
    assert recorder.commands() == ["start"]
    assert "datasets" in recorder.changes[0]
    assert not state.busy.any and state.notice is None


async def test_search_and_sort_datasets(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    first = make_dataset(empty_server, name="alpha evals")
    second = make_dataset(empty_server, name="beta golden")
    model = await make_model(empty_server)
    assert [d.name for d in model.state.datasets.datasets] == ["beta golden", "alpha evals"]
    await model.sort_datasets("created_at")
    assert [d.name for d in model.state.datasets.datasets] == ["alpha evals", "beta golden"]
    await model.search_datasets("GOLD")
    assert [d.id for d in model.state.datasets.datasets] == [second.id]
    assert model.state.datasets.search == "GOLD"
    await model.search_datasets("")
    assert {d.id for d in model.state.datasets.datasets} == {first.id, second.id}
    await model.sort_datasets("name")
    assert model.state.notice is not None and "Unknown sort order" in model.state.notice.message


async def test_dataset_list_pages(emulator_factory: Any, make_model: MakeModel) -> None:
    server = emulator_factory(max_datasets=40)  # v2 allows 20 by default; 35 make two pages
    for i in range(35):
        make_dataset(server, name=f"ds {i:02d}")
    model = await make_model(server)
    lists = model.state.datasets
    assert (lists.range_text, lists.page_count, lists.has_next) == ("1-30 of 35", 2, True)
    await model.next_datasets_page()
    assert lists.range_text == "31-35 of 35" and [d.name for d in lists.datasets][-1] == "ds 00"
    await model.prev_datasets_page()
    await model.go_to_datasets_page(9)
    assert lists.page_number == 2


async def test_create_edit_delete_restore_a_dataset(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(empty_server)
    created = await model.create_dataset("my evals", "first", '{"owner": "me"}')
    assert created is not None and created.metadata == {"owner": "me"}
    assert [d.name for d in model.state.datasets.datasets] == ["my evals"]

    refused = await model.create_dataset("   ")
    assert refused is None and "blank" in model.state.notice.message  # type: ignore[union-attr]
    await model.create_dataset("x", metadata="[1, 2]")
    assert "JSON object" in model.state.notice.message  # type: ignore[union-attr]

    updated = await model.update_dataset(str(created.id), name="renamed", metadata="")
    no_metadata = {} if F.versioned else None  # empty clears it; a v2 dataset's is an object
    assert updated is not None and (updated.name, updated.metadata) == ("renamed", no_metadata)
    assert model.state.datasets.datasets[0].name == "renamed"
    await model.undo()
    assert model.state.datasets.datasets[0].name == "my evals"
    assert model.state.datasets.datasets[0].metadata == {"owner": "me"}

    await model.delete_dataset(str(created.id))
    assert model.state.datasets.datasets == []
    assert [(t.kind, t.label) for t in model.state.trash] == [("dataset", "my evals")]
    await model.restore_dataset(str(created.id))
    assert [d.name for d in model.state.datasets.datasets] == ["my evals"]
    assert model.state.trash == []


async def test_pages_ranges_and_navigation(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    ds = dataset_id(model, "customer-support-evals")
    total = live_count(demo_server, ds)  # classic 1,200; v2 591 (600 less the archived)
    last = pages(total, 50)
    assert total > 500 and last >= 4
    await model.open_dataset(ds)
    page = model.state.page
    assert (page.range_text, page.page_count, page.page_size) == (rows(1, 50, total), last, 50)
    await model.next_page()
    await model.next_page()
    assert page.range_text == rows(101, 150, total) and page.has_previous
    await model.prev_page()
    assert page.range_text == rows(51, 100, total)
    await model.go_to_page(last)
    assert page.range_text == rows((last - 1) * 50 + 1, last * 50, total) and not page.has_next
    await model.next_page()
    assert page.page_number == last
    await model.go_to_page(100)
    assert page.page_number == last
    assert model.state.notice is not None
    assert model.state.notice.message == (
        f"There is no page 100 (this dataset has {last} pages); showing page {last}."
    )
    await model.go_to_page(0)
    assert page.page_number == 1
    assert model.state.notice.message.startswith("There is no page 0 ")
    await model.go_to_page(last)
    await model.set_page_size(500)  # the page of 500 holding the first row shown
    big = (last - 1) * 50 // 500 + 1
    assert page.range_text == rows((big - 1) * 500 + 1, big * 500, total)
    assert page.page_number == big
    await model.set_page_size(1000)
    assert page.page_size == 500
    assert model.state.notice.message == "Pages hold 1 to 500 items, not 1,000; showing 500."
    # the page of 7 holding the first row shown (pages start at multiples of 7)
    small = (big - 1) * 500 // 7 + 1
    await model.set_page_size(7)
    assert page.range_text == rows((small - 1) * 7 + 1, small * 7, total)


async def test_next_page_is_prefetched_and_served_without_a_request(
    demo_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(demo_server)
    ds = dataset_id(model, "customer-support-evals")
    total = live_count(demo_server, ds)
    await model.open_dataset(ds)
    await model.idle()
    assert model.state.page.next_ready
    before = requests_seen(demo_server)
    await model.next_page()
    assert model.state.page.range_text == rows(51, 100, total)
    # One page of 50 is one request, or on v2 two (its item lists answer at most 25 a request)
    per_page = pages(50, V2_PAGE_CAPS["items"]) if F.versioned else 1
    assert requests_seen(demo_server) - before <= per_page  # at most the prefetch of page 3
    await model.idle()
    assert requests_seen(demo_server) - before == per_page


async def test_peek_page_reads_the_cache_without_a_request_or_event(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    assert model.peek_page(1) is None  # no dataset open
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    await model.idle()
    recorder = Recorder()
    model.subscribe(recorder)
    before = requests_seen(demo_server)
    shown = model.state.page.items
    assert model.peek_page(1) == shown
    upcoming = model.peek_page(2)
    assert upcoming is not None and len(upcoming) == 50
    assert not {i.id for i in upcoming} & {i.id for i in shown}
    assert model.peek_page(3) is None and model.peek_page(0) is None  # not fetched / no page
    assert requests_seen(demo_server) == before and recorder.changes == []
    await model.next_page()
    assert model.state.page.items == upcoming  # what was peeked is what shows
    model._pager.cache_max_age = 0  # a stale page is not offered
    assert model.peek_page(2) is None


async def test_page_cache_stays_bounded(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server, page_size=10)
    ds = dataset_id(model, "sql-generation")
    total = live_count(demo_server, ds)
    assert total >= 410  # 41 pages of 10: every press moves to a page not seen yet
    await model.open_dataset(ds)
    for _ in range(40):
        await model.next_page()
    await model.idle()
    assert model._pager.cached_page_count <= 4
    gc.collect()
    assert model.state.page.range_text == rows(401, 410, total)


async def test_newer_page_request_cancels_older(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    recorder = Recorder()
    model.subscribe(recorder)
    ds = dataset_id(model, "customer-support-evals")
    total = live_count(demo_server, ds)
    assert total >= 500
    await model.open_dataset(ds)
    demo_server.server.set_faults(latency_ms=150)
    try:
        older = asyncio.create_task(model.go_to_page(5))
        await asyncio.sleep(0.05)
        newer = asyncio.create_task(model.go_to_page(10))
        await asyncio.gather(older, newer)
    finally:
        demo_server.server.clear_faults()
    page = model.state.page
    assert page.page_number == 10 and page.range_text == rows(451, 500, total)
    assert json.loads(json.dumps(page.items[0].input)) is not None
    events = [c for c in recorder.changes if c.command == "go_to_page"]
    assert len(events) == 2 and "page" not in events[0] and "page" in events[1]
    assert not model.state.busy.page


async def test_cancelling_a_page_command_leaves_state_consistent(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    ds = dataset_id(model, "customer-support-evals")
    total = live_count(demo_server, ds)
    await model.open_dataset(ds)
    demo_server.server.set_faults(latency_ms=300)
    try:
        task = asyncio.create_task(model.go_to_page(5))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        demo_server.server.clear_faults()
    page = model.state.page
    assert page.page_number == 1 and page.range_text == rows(1, 50, total)
    assert not model.state.busy.page
    await model.next_page()
    assert page.page_number == 2


async def test_rapid_next_presses_each_go_one_further(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    ds = dataset_id(model, "customer-support-evals")
    assert pages(live_count(demo_server, ds), 50) >= 10
    await model.open_dataset(ds)
    demo_server.server.set_faults(latency_ms=80)
    try:
        tasks = []
        for _ in range(3):
            tasks.append(asyncio.create_task(model.go_to_page(model._pager.target_page + 3)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
    finally:
        demo_server.server.clear_faults()
    assert model.state.page.page_number == 10


async def test_refresh_keeps_the_selection(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=5)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    target = model.state.page.items[2]
    await model.select(str(target.id))
    await model.refresh()
    assert model.state.selected_id == str(target.id)
    # Deleted (archived) elsewhere: a clean selection goes away on refresh.
    delete_elsewhere(empty_server, str(target.id))
    await model.refresh()
    assert model.state.selection is None and model.state.editor is None
    assert model.state.page.range_text == "1-4 of 4"


async def test_select_fetches_the_item_when_the_page_copy_is_stale(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server, stale_after=3600)
    await model.open_dataset(str(dataset.id))
    item = model.state.page.items[0]
    edit_elsewhere(empty_server, str(item.id), answer="changed elsewhere")
    await model.select(str(item.id))  # fresh page: its copy is used
    selection = model.state.selection
    assert selection is not None and F.answer_of(selection) == F.answer_of(item)
    model.stale_after = 0.0
    await model.select(str(item.id))
    assert F.answer_of(model.state.selection) == "changed elsewhere"
    assert F.answer_of(model.state.page.items[0]) == "changed elsewhere"
    assert model.state.editor is not None
    assert model.state.editor.fields[F.answer].text == '"changed elsewhere"'


async def test_a_failed_page_fetch_becomes_a_notice(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=60)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    empty_server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
    try:
        await model.next_page()
        model.state.page.items = model.state.page.items  # still readable
        model._pager.invalidate()
        await model.go_to_page(2)
    finally:
        empty_server.server.clear_faults()
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert notice.message.startswith("Loading the page failed")
    assert notice.hint == "Retry in a moment."
    assert model.state.page.page_number in (1, 2) and not model.state.busy.page
