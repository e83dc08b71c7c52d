"""The panel in pure Python: built on the embedded server, clicked, typed into; what it shows.

No kernel: the panel owns its loop, widget events queue tasks, ``panel.wait()`` runs them.
Browsing only here (the session's demo servers are never modified); writes are in
test_panel_editing.py on servers of their own. Tests on ``any_panel`` run on the classic API
and on v2 (the field names and words from the server's schema).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client, ConfigError
from explorer.api.errors import PermissionDenied
from explorer.emulator import ApiKey
from explorer.model import Journal
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    answer_of,
    click_row,
    client_for,
    dataset_id,
    descendants,
    labels,
    make_panel,
    row_ids,
    row_text,
    schema_of_server,
    text_of,
    turn_page,
)
from widgets import DatasetPanel
from widgets._grid import GRID_CLASS
from widgets._panel import DEMO_API
from widgets._render import PANEL_CLASS
from widgets._viewer import columns_of


@pytest.fixture
def panel(demo_server: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(demo_server, tmp_path)
    yield built
    built.close()


@pytest.fixture
def any_panel(any_demo_server: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    """A panel on the demo server of each generation."""
    built = make_panel(any_demo_server, tmp_path)
    yield built
    built.close()


def _count(running: RunningEmulator, name: str) -> int:
    """How many live items the server holds in the dataset ``name``."""
    with client_for(running) as client:
        dataset = next(d for d in client.datasets.iter() if d.name == name)
        return client.items.list(dataset=dataset.id, limit=1).count


def _where(page: int, size: int, total: int) -> str:
    pages = -(-total // size)
    first = (page - 1) * size
    return f"page {page} of {pages} · {first + 1:,}-{min(total, first + size):,} of {total:,}"


def _open(panel: DatasetPanel, name: str) -> None:
    panel._picker.choice.value = dataset_id(panel, name)
    panel.wait()


def _find(panel: DatasetPanel, case: str) -> str:
    for item in panel.items:
        if isinstance(item.metadata, dict) and item.metadata.get("case") == case:
            return str(item.id)
    raise AssertionError(f"no {case} item on this page")


def test_header_status_and_dataset_picker(
    any_panel: DatasetPanel, any_demo_server: RunningEmulator
):
    panel = any_panel
    header = text_of(panel._header.widget.value)
    assert any_demo_server.url in header and "project 1" in header
    assert schema_of_server(any_demo_server).api_label in header  # classic API, or API v2
    assert "READ-ONLY" not in header
    assert PANEL_CLASS in panel.widget._dom_classes
    names = labels(panel._picker.choice.options)[1:]
    # newest first; the deleted (or archived) archive is not listed
    assert names == ["edge-cases", "customer-support-evals", "rag-answers-golden", "sql-generation"]
    assert "4 datasets" in text_of(panel._picker.range.value)
    assert panel.dataset is None and panel.items == [] and panel.item is None
    assert panel._rows.box.layout.display == "none"


def test_search_is_debounced_and_sort_reorders(any_panel: DatasetPanel):
    panel = any_panel
    searches: list[str] = []
    panel.model.subscribe(lambda c: searches.append(c.command))
    for text in ("s", "sq", "sql"):  # typed quickly: one search goes out, for "sql"
        panel._picker.search.value = text
    panel.wait()
    assert searches.count("search_datasets") == 1
    assert labels(panel._picker.choice.options)[1:] == ["sql-generation"]
    assert panel.state.datasets.search == "sql"
    panel._picker.search.value = ""
    panel.wait()
    panel._picker.sort.value = "created_at"
    panel.wait()
    assert labels(panel._picker.choice.options)[1:] == [
        "sql-generation",
        "rag-answers-golden",
        "customer-support-evals",
        "edge-cases",
    ]


def test_open_page_and_page_size(any_panel: DatasetPanel, any_demo_server: RunningEmulator):
    panel = any_panel
    total = _count(any_demo_server, "customer-support-evals")  # 1,200 classic; 591 v2
    schema = panel.state.schema
    _open(panel, "customer-support-evals")
    rows = panel._rows
    assert panel.dataset is not None and panel.dataset.name == "customer-support-evals"
    assert "customer-support-evals" in text_of(rows.title.value)
    assert len(rows.grid.rows) == 50 and GRID_CLASS in rows.grid._dom_classes
    assert text_of(rows.where.value) == _where(1, 50, total)
    assert row_ids(panel) == [str(i.id) for i in panel.items]
    header = " ".join(column["title"] for column in rows.grid.columns)
    assert header.startswith("id ") and " input " in header and header.endswith(" trace")
    assert schema.label(schema.answer_field).lower() in header  # output / expected output
    assert ("ver" in header.split()) == schema.versioned
    assert not rows.grid.has_prev and rows.grid.has_next  # the grid's Previous / Next
    first_page = [str(i.id) for i in panel.items]
    turn_page(panel, forward=True)
    assert text_of(rows.where.value) == _where(2, 50, total)
    assert not set(first_page) & {str(i.id) for i in panel.items}
    assert rows.grid.has_prev
    rows.size.value = 100
    panel.wait()
    assert text_of(rows.where.value) == _where(1, 100, total)
    assert len(rows.grid.rows) == 100
    turn_page(panel, forward=False)  # already on page 1: stays
    assert panel.state.page.page_number == 1


def test_select_shows_fields_tree_and_trace_link(any_panel: DatasetPanel):
    panel = any_panel
    host, schema = panel.state.host, panel.state.schema
    _open(panel, "customer-support-evals")
    linked = next(i for i in panel.items if i.trace_url(host, 1))
    click_row(panel, linked.id)
    panel.wait()
    view = panel._viewer
    assert panel.item is not None and panel.item.id == linked.id
    assert str(linked.id)[-8:] in text_of(view.title.value) and "trace" in text_of(view.title.value)
    # every JSON field at once (classic: Input, Output, Metadata; v2: Input, Expected output,
    # Source output, Metadata), the input beside the answer, then References
    left, right, below = columns_of(schema)
    assert left == ("input",) and right[0] == schema.answer_field
    assert sorted((*left, *right, *below)) == sorted(schema.json_fields)
    shown = text_of(view.body.value)
    labels = [schema.label(name) for name in (*left, *right, *below)] + ["References"]
    assert [shown.index(label) for label in labels] == sorted(shown.index(x) for x in labels)
    assert 'class="dx-chat"' in view.body.value  # Read: the conversation as messages
    view.mode.value = "json"
    assert '<span class="dx-k">"role"</span>' in view.body.value
    view.mode.value = "tree"
    assert '<div class="dx-tree">' in view.body.value
    refs = view.body.value
    assert "Open trace in PostHog" in refs
    assert all(name in text_of(refs) for name in schema.link_fields)
    url = linked.trace_url(host, int(panel.state.project_id))
    assert url is not None and url.replace("&", "&amp;") in refs
    # an item without the link fields it needs has no link, and says why
    bare = next(i for i in panel.items if not i.trace_url(host, 1))
    panel.select(str(bare.id))
    assert "No trace link" in text_of(view.body.value)


def test_html_injection_is_shown_as_text(any_panel: DatasetPanel):
    panel = any_panel
    _open(panel, "edge-cases")
    click_row(panel, _find(panel, "html-injection"))
    panel.wait()
    for mode in ("read", "json"):
        panel._viewer.mode.value = mode
        pane = panel._viewer.body.value
        assert "<script>" not in pane and "<img" not in pane and "<svg" not in pane
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pane
        assert "<script>alert(1)</script>" in text_of(pane)  # what the reader sees
        assert "&lt;b&gt;bold?&lt;/b&gt; &amp; &lt;i&gt;" in pane
    label = row_text(panel, panel.item.id)
    assert "<script>" in label  # a grid cell is text (textContent), shown as typed


def test_long_values_are_cut_and_show_all_lifts_the_cut(panel: DatasetPanel):
    _open(panel, "rag-answers-golden")
    client = panel.model.client
    assert client is not None
    panel.go_to_page(1)
    big = None
    for page in range(1, 8):
        panel.go_to_page(page)
        sizes = {str(i.id): len(str(i.input)) for i in panel.items}
        largest = max(sizes, key=sizes.__getitem__)
        if sizes[largest] > 4_000_000:
            big = largest
            break
    assert big is not None, "the 5 MB item was not found"
    panel.select(big)
    view = panel._viewer
    for mode in ("read", "json", "tree"):
        view.mode.value = mode
        pane = view.body.value
        assert len(pane.encode()) < 200 * 1024 and 'class="dx-more"' in pane, mode
    assert not view.show_all.disabled
    view.show_all.value = True
    assert len(view.body.value) > 1_000_000
    panel.select(panel.items[0].id)  # another item: the cut is back
    assert view.show_all.value is False


def test_scripting_api(any_panel: DatasetPanel):
    panel = any_panel
    schema = panel.state.schema
    assert panel.open("sql-generation") is None  # no loop running: ran to completion
    assert panel.dataset is not None and panel.dataset.name == "sql-generation"
    assert len(panel.items) == 50
    target = panel.items[3]
    panel.select(target.id)
    assert panel.item is not None and panel.item.id == target.id
    assert panel._rows.grid.selected_id == str(target.id)
    frame = panel.to_pandas()
    assert list(frame.index) == [str(i.id) for i in panel.items]
    assert frame.loc[str(target.id), schema.answer_field] == answer_of(target)
    assert {*schema.names, "updated_at"} <= set(frame.columns)
    assert ("version_id" in frame.columns) == schema.versioned
    panel.next_page()
    assert panel.state.page.page_number == 2
    panel.refresh()
    assert panel.state.page.page_number == 2 and len(panel.items) == 50
    with pytest.raises(ValueError, match="No dataset named 'no-such-dataset'"):
        panel.open("no-such-dataset")
    assert "No dataset named 'no-such-dataset'" in panel.notice
    assert panel.dataset.name == "sql-generation"  # the one open before stays open
    assert "panel" in repr(panel).lower()


def test_widget_count_does_not_grow_with_page_size(any_panel: DatasetPanel):
    panel = any_panel
    _open(panel, "sql-generation")
    panel._rows.size.value = 10
    panel.wait()
    small = len(descendants(panel.widget))
    panel._rows.size.value = 200
    panel.wait()
    assert len(panel.items) == 200
    assert len(descendants(panel.widget)) == small


def test_a_failing_callback_reports_in_the_status_area(
    panel: DatasetPanel, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    async def broken(dataset_id: str) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(panel.model, "open_dataset", broken)
    panel._picker.choice.value = dataset_id(panel, "edge-cases")
    panel.wait()
    assert "The panel failed: ValueError: boom" in text_of(panel._status.widget.value)
    assert 'role="alert"' in panel._status.widget.value
    captured = capsys.readouterr()
    assert "boom" not in captured.out


def test_server_errors_show_in_the_status_area(emulator_factory, tmp_path: Path):
    running = emulator_factory("demo")
    panel = make_panel(running, tmp_path, retries=0)
    try:
        _open(panel, "edge-cases")
        running.server.set_faults(error_rate=1.0, error_statuses=(503,))
        panel._rows.reload.click()
        panel.wait()
        status = text_of(panel._status.widget.value)
        assert "Loading the page failed" in status and "503" in status
        assert len(panel.items) == 50  # the rows stay as they were
        running.server.clear_faults()
        panel._rows.reload.click()
        panel.wait()
        assert "failed" not in text_of(panel._status.widget.value)
    finally:
        panel.close()


def test_read_only_panel_offers_no_writes(any_demo_server: RunningEmulator, tmp_path: Path):
    panel = make_panel(any_demo_server, tmp_path, read_only=True)
    try:
        assert "READ-ONLY" in text_of(panel._header.widget.value)
        _open(panel, "edge-cases")
        panel.select(panel.items[0].id)
        actions = panel._actions
        assert actions.delete.disabled and actions.new.disabled and actions.move.disabled
        actions.edit.value = True
        assert all(box.disabled for box in panel._editor.inputs.values())
        assert panel._editor.save.disabled
    finally:
        panel.close()


def test_a_key_that_cannot_write_turns_the_panel_read_only(
    emulator_factory: Any, tmp_path: Path, generation: str
) -> None:
    reader = ApiKey("phx_reader", frozenset({"dataset:read"}))
    server = emulator_factory("demo", api_keys=[reader], api=generation)
    panel = make_panel(server, tmp_path)
    try:
        assert "READ-ONLY" not in text_of(panel._header.widget.value)
        _open(panel, "edge-cases")
        panel.select(panel.items[0].id)
        assert not panel._actions.delete.disabled  # not knowable before a refusal
        with pytest.raises(PermissionDenied) as refused:  # a script's call raises the refusal
            panel.delete()
        assert refused.value.scope == "dataset:write"
        assert "read-only from now on" in panel.notice
        assert "READ-ONLY" in text_of(panel._header.widget.value)
        actions = panel._actions
        assert actions.delete.disabled and actions.new.disabled and actions.move.disabled
    finally:
        panel.close()


async def test_in_a_running_loop_methods_return_tasks(demo_server: RunningEmulator, tmp_path):
    panel = make_panel(demo_server, tmp_path)  # built inside the test's loop: borrows it
    try:
        assert not panel._tasks.owns_loop
        await panel.wait_idle()
        task = panel.open("edge-cases")
        assert isinstance(task, asyncio.Task)
        await task
        assert panel.dataset is not None and panel.dataset.name == "edge-cases"
        await panel.select(panel.items[0].id)
        assert panel.item is not None
        with pytest.raises(RuntimeError, match="wait_idle"):
            panel.wait()
        # a click starts a task on the running loop; the loop is free meanwhile
        turn_page(panel, forward=True, wait=False)
        await panel.wait_idle()
        assert panel.state.page.page_number == 2
    finally:
        panel.close()
        await asyncio.sleep(0.05)  # the client closes on the loop


def test_demo_starts_and_stops_its_server(generation: str):
    panel = DatasetPanel.demo(api=generation)
    try:
        assert "demo server" in text_of(panel._header.widget.value)
        assert panel.state.generation == generation
        assert panel.state.schema.api_label in text_of(panel._header.widget.value)
        assert "edge-cases" in labels(panel._picker.choice.options)
        url = panel.settings.host
        journal = panel.model.journal.journal.path
        assert "dataset-panel-demo-" in str(journal)
        with Client(settings=panel.settings) as client:
            assert client.datasets.list().count == 4
    finally:
        panel.close()
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert not journal.exists()


def test_demo_speaks_v2_unless_told():
    # PostHog Cloud's generation; DatasetPanel.demo(api="classic") is the test above
    assert DEMO_API == "v2"
    panel = DatasetPanel.demo()
    try:
        assert panel.state.generation == "v2"
        assert "API v2" in text_of(panel._header.widget.value)
    finally:
        panel.close()


def test_the_client_sees_what_the_panel_shows(panel: DatasetPanel, demo_server):
    panel.open("edge-cases")
    with client_for(demo_server) as client:
        page = client.items.list(dataset=panel.dataset.id, limit=50)
    assert [str(i.id) for i in page.results] == [str(i.id) for i in panel.items]


async def test_a_callback_from_another_thread_runs_on_the_panels_loop(
    demo_server: RunningEmulator, tmp_path: Path
):
    # JupyterLab 4.4+ delivers widget messages on a kernel subshell: another thread, another
    # loop. The command must still run on the panel's loop (the client lives there).
    panel = make_panel(demo_server, tmp_path)
    try:
        await panel.wait_idle()
        threads: list[int] = []
        panel.model.subscribe(lambda change: threads.append(threading.get_ident()))
        target = dataset_id(panel, "edge-cases")

        def user_picks() -> None:
            asyncio.run(_set(panel._picker.choice, target))

        worker = threading.Thread(target=user_picks)
        worker.start()
        await asyncio.to_thread(worker.join)
        for _ in range(200):
            if panel.dataset is not None and panel.state.page.loaded:
                break
            await asyncio.sleep(0.02)
        await panel.wait_idle()
        assert panel.dataset is not None and panel.dataset.name == "edge-cases"
        assert threads and set(threads) == {threading.get_ident()}
        assert "page 1 of 2" in text_of(panel._rows.where.value)
    finally:
        panel.close()
        await asyncio.sleep(0.05)


async def _set(widget: object, value: str) -> None:
    widget.value = value  # type: ignore[attr-defined]  # inside that thread's own loop


async def test_open_by_name_right_after_building_waits_for_the_list(
    demo_server: RunningEmulator, tmp_path: Path
):
    # In a notebook: `panel = DatasetPanel.demo()` in one cell, `await panel.open("name")` in
    # the next, before the first dataset list has arrived. The name is found in that list; the
    # picker's search box is left alone.
    panel = make_panel(demo_server, tmp_path)
    try:
        await panel.open("rag-answers-golden")
        assert panel.dataset is not None and panel.dataset.name == "rag-answers-golden"
        assert panel._picker.search.value == ""
        assert len(panel.datasets) == 4
    finally:
        panel.close()
        await asyncio.sleep(0.05)


def test_settings_come_from_the_environment(
    demo_server: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POSTHOG_HOST", demo_server.url)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", demo_server.api_key)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", str(demo_server.project_id))
    panel = DatasetPanel(journal=Journal(tmp_path / "journal.sqlite3"))
    try:
        assert demo_server.url in text_of(panel._header.widget.value)
        assert demo_server.api_key not in panel._header.widget.value
        assert demo_server.api_key not in repr(panel) + repr(panel.settings)
        assert len(panel.datasets) == 4
    finally:
        panel.close()


def test_no_settings_points_to_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("POSTHOG_HOST", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("POSTHOG_EXPLORER_PROFILE", raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ConfigError, match=r"POSTHOG_PERSONAL_API_KEY.*DatasetPanel\.demo\(\)"):
        DatasetPanel()
