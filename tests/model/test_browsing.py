"""Datasets list, item pager, selection: against the embedded server, without any UI."""

from __future__ import annotations

import asyncio
import gc
import json

from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import MakeModel, Recorder, make_dataset, requests_seen


def dataset_id(model: ExplorerModel, name: str) -> str:
    for dataset in model.state.datasets.datasets:
        if dataset.name == name:
            return str(dataset.id)
    raise AssertionError(f"{name} not listed: {[d.name for d in model.state.datasets.datasets]}")


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


async def test_dataset_list_pages(empty_server: RunningEmulator, make_model: MakeModel) -> None:
    for i in range(35):
        make_dataset(empty_server, name=f"ds {i:02d}")
    model = await make_model(empty_server)
    lists = model.state.datasets
    assert (lists.range_text, lists.page_count, lists.has_next) == ("1-30 of 35", 2, True)
    await model.next_datasets_page()
    assert lists.range_text == "31-35 of 35" and [d.name for d in lists.datasets][-1] == "ds 00"
    await model.prev_datasets_page()
    await model.go_to_datasets_page(9)
    assert lists.page_number == 2


async def test_create_edit_delete_restore_a_dataset(
    empty_server: RunningEmulator, make_model: MakeModel
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
    assert updated is not None and (updated.name, updated.metadata) == ("renamed", None)
    assert model.state.datasets.datasets[0].name == "renamed"
    await model.undo()
    assert model.state.datasets.datasets[0].name == "my evals"

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
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    page = model.state.page
    assert (page.range_text, page.page_count, page.page_size) == ("1-50 of 1,200", 24, 50)
    await model.next_page()
    await model.next_page()
    assert page.range_text == "101-150 of 1,200" and page.has_previous
    await model.prev_page()
    assert page.range_text == "51-100 of 1,200"
    await model.go_to_page(24)
    assert page.range_text == "1,151-1,200 of 1,200" and not page.has_next
    await model.next_page()
    assert page.page_number == 24
    await model.go_to_page(100)
    assert page.page_number == 24
    assert model.state.notice is not None
    assert model.state.notice.message == (
        "There is no page 100 (this dataset has 24 pages); showing page 24."
    )
    await model.go_to_page(0)
    assert page.page_number == 1
    assert model.state.notice.message.startswith("There is no page 0 ")
    await model.go_to_page(24)
    await model.set_page_size(500)
    assert page.range_text == "1,001-1,200 of 1,200" and page.page_number == 3
    await model.set_page_size(1000)
    assert page.page_size == 500
    assert model.state.notice.message == "Pages hold 1 to 500 items, not 1,000; showing 500."
    await model.set_page_size(7)  # the page holding row 1,001 (pages start at multiples of 7)
    assert page.range_text == "995-1,001 of 1,200"


async def test_next_page_is_prefetched_and_served_without_a_request(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    await model.idle()
    assert model.state.page.next_ready
    before = requests_seen(demo_server)
    await model.next_page()
    assert model.state.page.range_text == "51-100 of 1,200"
    assert requests_seen(demo_server) - before <= 1  # at most the prefetch of page 3
    await model.idle()
    assert requests_seen(demo_server) - before == 1


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
    model = await make_model(demo_server, page_size=25)
    await model.open_dataset(dataset_id(model, "sql-generation"))
    for _ in range(40):
        await model.next_page()
    await model.idle()
    assert model._pager.cached_page_count <= 4
    gc.collect()
    assert model.state.page.range_text == "1,001-1,025 of 5,000"


async def test_newer_page_request_cancels_older(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    recorder = Recorder()
    model.subscribe(recorder)
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    demo_server.server.set_faults(latency_ms=150)
    try:
        older = asyncio.create_task(model.go_to_page(10))
        await asyncio.sleep(0.05)
        newer = asyncio.create_task(model.go_to_page(20))
        await asyncio.gather(older, newer)
    finally:
        demo_server.server.clear_faults()
    page = model.state.page
    assert page.page_number == 20 and page.range_text == "951-1,000 of 1,200"
    assert json.loads(json.dumps(page.items[0].input)) is not None
    events = [c for c in recorder.changes if c.command == "go_to_page"]
    assert len(events) == 2 and "page" not in events[0] and "page" in events[1]
    assert not model.state.busy.page


async def test_cancelling_a_page_command_leaves_state_consistent(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    demo_server.server.set_faults(latency_ms=300)
    try:
        task = asyncio.create_task(model.go_to_page(5))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        demo_server.server.clear_faults()
    page = model.state.page
    assert page.page_number == 1 and page.range_text == "1-50 of 1,200"
    assert not model.state.busy.page
    await model.next_page()
    assert page.page_number == 2


async def test_rapid_next_presses_each_go_one_further(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(demo_server)
    await model.open_dataset(dataset_id(model, "customer-support-evals"))
    demo_server.server.set_faults(latency_ms=80)
    try:
        tasks = []
        for _ in range(3):
            tasks.append(asyncio.create_task(model.go_to_page(model._pager.target_page + 5)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
    finally:
        demo_server.server.clear_faults()
    assert model.state.page.page_number == 16


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
    # Deleted elsewhere: a clean selection goes away on refresh.
    from tests.model.conftest import sync_client

    with sync_client(empty_server) as other:
        other.items.delete(target.id)
    await model.refresh()
    assert model.state.selection is None and model.state.editor is None
    assert model.state.page.range_text == "1-4 of 4"


async def test_select_fetches_the_item_when_the_page_copy_is_stale(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=3)
    model = await make_model(empty_server, stale_after=3600)
    await model.open_dataset(str(dataset.id))
    item = model.state.page.items[0]
    from tests.model.conftest import sync_client

    with sync_client(empty_server) as other:
        other.items.update(item.id, output="changed elsewhere")
    await model.select(str(item.id))  # fresh page: its copy is used
    assert model.state.selection is not None and model.state.selection.output == item.output
    model.stale_after = 0.0
    await model.select(str(item.id))
    assert model.state.selection.output == "changed elsewhere"  # type: ignore[union-attr]
    assert model.state.page.items[0].output == "changed elsewhere"
    assert model.state.editor is not None
    assert model.state.editor.fields["output"].text == '"changed elsewhere"'


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
