"""The panel's scripting API fails loudly: a call that did not do what it was asked raises (a
ValueError for a bad argument, the client's ApiError for the server's refusal or failure) and
the status line says the same; clicks never raise. Both modes: no loop running (the call raises)
and a kernel's running loop (the awaited task raises)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client
from explorer.api.errors import Conflict, NotFound, ReadOnlyError, Unreachable
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    answer_of,
    client_for,
    dataset_id,
    make_panel,
    text_of,
    update_on_server,
)
from widgets import DatasetPanel


@pytest.fixture
def running(emulator_factory: Any, generation: str) -> RunningEmulator:
    return emulator_factory("demo", api=generation)


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path, retries=0)
    yield built
    built.close()


@pytest.fixture
def client(running: RunningEmulator) -> Iterator[Client]:
    with client_for(running) as c:
        yield c


def _status(panel: DatasetPanel) -> str:
    return text_of(panel._status.widget.value)


# -- open ----------------------------------------------------------------------------------------


def test_open_an_unknown_name_raises_with_the_closest_names(panel: DatasetPanel):
    panel.open("edge-cases")
    with pytest.raises(ValueError) as raised:
        panel.open("customer-support-eval")
    message = "No dataset named 'customer-support-eval' (did you mean 'customer-support-evals'?)"
    assert str(raised.value) == message
    assert message in _status(panel) and panel.notice == message
    assert panel.dataset is not None and panel.dataset.name == "edge-cases"  # still open
    with pytest.raises(ValueError, match=r"^No dataset named 'zzz'\.$"):
        panel.open("zzz")


def test_open_by_exact_name_searches_beyond_the_listed_page(panel: DatasetPanel, client: Client):
    panel.search_datasets("sql")  # the picker lists sql-generation only
    assert [d.name for d in panel.datasets] == ["sql-generation"]
    panel.open("customer-support-evals")
    assert panel.dataset is not None and panel.dataset.name == "customer-support-evals"
    assert len(panel.items) == 50
    assert panel._picker.search.value == "sql"  # the user's search is left alone
    # ids and Dataset objects still work; an id the server does not know is its NotFound
    edge = client.datasets.list(search="edge-cases").results[0]
    panel.open(str(edge.id))
    assert panel.dataset.name == "edge-cases"
    panel.open(client.datasets.list(search="rag").results[0])
    assert panel.dataset.name == "rag-answers-golden"
    with pytest.raises(NotFound):
        panel.open("00000000-0000-4000-8000-000000000000")
    assert "Opening the dataset failed" in _status(panel)
    assert panel.dataset.name == "rag-answers-golden"


# -- paging and selecting ------------------------------------------------------------------------


def test_paging_out_of_range_and_without_a_dataset_raise(panel: DatasetPanel):
    with pytest.raises(ValueError, match="No dataset is open"):
        panel.next_page()
    panel.open("customer-support-evals")
    pages = panel.state.page.page_count
    panel.go_to_page(2)
    assert panel.state.page.page_number == 2
    for wrong in (0, pages + 1):
        with pytest.raises(ValueError, match=f"There is no page {wrong}: .* has {pages} pages"):
            panel.go_to_page(wrong)
        assert f"There is no page {wrong}" in panel.notice
    assert panel.state.page.page_number == 2  # where it was
    panel.go_to_page(pages)  # a good call clears the refusal from the status line
    assert panel.state.page.page_number == pages
    assert "There is no page" not in _status(panel)


def test_select_and_delete_raise_what_went_wrong(panel: DatasetPanel):
    panel.open("edge-cases")
    with pytest.raises(ValueError, match="No item is selected"):
        panel.delete()
    with pytest.raises(NotFound):
        panel.select("00000000-0000-4000-8000-000000000000")
    assert "no longer exists" in panel.notice
    with pytest.raises(ValueError):  # InvalidId: not an id at all
        panel.select("not-an-id")
    assert panel.item is None


# -- editing -------------------------------------------------------------------------------------


def test_edit_refuses_unknown_fields_and_invalid_values_changing_nothing(
    panel: DatasetPanel, client: Client
):
    schema = panel.state.schema
    with pytest.raises(ValueError, match="Nothing is open in the editor"):
        panel.edit(input={"a": 1})
    panel.open("edge-cases")
    item = panel.items[0]
    panel.select(item.id)
    editor = panel.state.editor
    assert editor is not None
    before = {name: field.text for name, field in editor.fields.items()}
    editable = ", ".join(editor.fields)
    with pytest.raises(ValueError) as raised:
        panel.edit(metadata={"ok": 1}, outptu="typo")
    message = str(raised.value)
    assert message.startswith(f"'outptu' is not a field of {schema.api_label} items")
    assert f"did you mean '{schema.answer_field}'?" in message
    assert message.endswith(f"the editable fields are {editable}.")
    assert message in _status(panel)
    with pytest.raises(ValueError, match=r"Invalid input: NaN is not valid JSON \(line 1"):
        panel.edit(metadata={"ok": 1}, input=float("nan"))
    after = panel.state.editor
    assert after is not None and {n: f.text for n, f in after.fields.items()} == before
    assert client.items.get(item.id).metadata == item.metadata  # nothing was sent


def test_a_stale_save_raises_conflict_after_the_choice_is_shown(
    panel: DatasetPanel, client: Client
):
    answer = panel.state.schema.answer_field
    panel.open("edge-cases")
    item = panel.items[0]
    panel.select(item.id)
    panel.edit(**{answer: "mine"})
    update_on_server(client, item.id, **{answer: "theirs"})
    with pytest.raises(Conflict) as raised:
        panel.save()
    assert raised.value.code == "stale_version"
    editor = panel.state.editor
    assert editor is not None and editor.status == "conflict"
    assert panel._editor.conflict.layout.display == ""  # Keep mine / Take theirs are shown
    assert "Not saved" in _status(panel)
    assert answer_of(client.items.get(item.id)) == "theirs"
    with pytest.raises(Conflict, match="Resolve the conflict first"):
        panel.save()


@pytest.mark.parametrize("generation", ["v2"], indirect=True)  # PostHog's limits are v2's
def test_a_limit_reached_raises_conflict(panel: DatasetPanel, client: Client, generation: str):
    panel.open("edge-cases")
    full = next(i for i in panel.items if getattr(i, "version", 0) >= 40)  # at the 40 versions
    panel.select(full.id)
    panel.edit(expected_output="one more")
    with pytest.raises(Conflict) as raised:
        panel.save()
    assert raised.value.code == "limit_reached" and raised.value.limit == 40
    assert "PostHog keeps 40 versions of an item" in panel.notice
    assert client.items.get(full.id).version == full.version  # nothing was saved


def test_a_read_only_panel_raises_read_only_error(running: RunningEmulator, tmp_path: Path):
    panel = make_panel(running, tmp_path, read_only=True)
    try:
        panel.open("edge-cases")
        panel.select(panel.items[0].id)
        with pytest.raises(ReadOnlyError):
            panel.delete()
        assert "read-only mode" in panel.notice
    finally:
        panel.close()


def test_a_server_that_is_gone_raises_unreachable(panel: DatasetPanel, running: RunningEmulator):
    panel.open("edge-cases")
    running.server.stop()
    with pytest.raises(Unreachable):
        panel.refresh()
    assert "Loading the page failed" in _status(panel)


def test_success_raises_nothing(panel: DatasetPanel, client: Client):
    answer = panel.state.schema.answer_field
    panel.open("edge-cases")
    item = next(i for i in panel.items if getattr(i, "version", 1) < 30)  # room for versions
    assert panel.select(item.id) is None
    assert panel.edit(**{answer: "fixed"}) is None
    assert panel.save() is None
    assert answer_of(client.items.get(item.id)) == "fixed"
    assert panel.undo() is None and panel.undo() is None  # the second: nothing to undo


# -- in a kernel: the awaited task raises, clicks never do ----------------------------------------


async def test_in_a_running_loop_the_awaited_task_raises(
    running: RunningEmulator, tmp_path: Path
) -> None:
    panel = make_panel(running, tmp_path, retries=0)
    try:
        await panel.wait_idle()
        task = panel.open("customer-support-eval")
        assert isinstance(task, asyncio.Task)
        with pytest.raises(ValueError, match="did you mean 'customer-support-evals'"):
            await task
        await panel.open("customer-support-evals")
        await panel.select(panel.items[0].id)
        with pytest.raises(ValueError, match="the editable fields are"):
            await panel.edit(outptu=1)
        with pytest.raises(ValueError, match="There is no page 999"):
            await panel.go_to_page(999)
        # a click that fails shows it in the status line and raises nothing into the kernel
        running.server.stop()
        panel._picker.sort.value = "created_at"  # a user's change: the list is fetched again
        await panel.wait_idle()
        assert "Loading the datasets failed" in _status(panel)
        with pytest.raises(Unreachable):
            await panel.refresh()
    finally:
        panel.close()
        await asyncio.sleep(0.05)  # the client closes on the loop


# -- the demo: one at a time ---------------------------------------------------------------------


def _demo_servers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "emulator" and t.is_alive()]


def _port(panel: DatasetPanel) -> int:
    return int(panel.settings.host.rsplit(":", 1)[1])


def test_a_new_demo_closes_the_one_before():
    before = len(_demo_servers())
    panels = [DatasetPanel.demo() for _ in range(3)]
    try:
        first, second, last = panels
        assert first.closed and second.closed and not last.closed
        assert len(_demo_servers()) == before + 1
        for earlier in (first, second):
            with (
                pytest.raises(OSError),
                socket.create_connection(("127.0.0.1", _port(earlier)), timeout=1),
            ):
                pass
            with pytest.raises(RuntimeError, match="closed"):
                earlier.open("edge-cases")
        last.open("edge-cases")  # the newest works
        assert last.dataset is not None and last.dataset.name == "edge-cases"
        assert "edge-cases" in {d.name for d in last.datasets}
        assert dataset_id(last, "edge-cases")
    finally:
        for panel in panels:
            panel.close()
    assert len(_demo_servers()) == before
