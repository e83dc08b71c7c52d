"""The item grid from Python: what its traits hold once the model opened a page (the strings
the browser shows), and what the browser's messages do to the model (select, open, the keys).

A message "from the browser" goes in where ipywidgets hands a custom message to a widget
(``_handle_custom_msg``), as the kernel does when the grid's JavaScript calls ``model.send``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.model.untrusted import ONE_LINE_UNSAFE
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    client_for,
    dataset_id,
    descendants,
    is_removed,
    make_panel,
)
from widgets import DatasetPanel
from widgets._grid import GRID_CLASS, ItemGrid, parse_message


@pytest.fixture
def any_panel(any_demo_server: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(any_demo_server, tmp_path)
    yield built
    built.close()


def _open(panel: DatasetPanel, name: str) -> ItemGrid:
    panel._picker.choice.value = dataset_id(panel, name)
    panel.wait()
    return panel._rows.grid


def from_browser(panel: DatasetPanel, **content: Any) -> None:
    """The grid's JavaScript sent ``content``; then the panel's tasks run."""
    panel._rows.grid._handle_custom_msg(content, [])
    panel.wait()


def _row(grid: ItemGrid, item_id: str) -> dict[str, Any]:
    return next(row for row in grid.rows if row["id"] == item_id)


def _cell(grid: ItemGrid, row: dict[str, Any], key: str) -> str:
    keys = [column["key"] for column in grid.columns]
    return str(row["cells"][keys.index(key)])


def _case_id(panel: DatasetPanel, case: str) -> str:
    for item in panel.items:
        if isinstance(item.metadata, dict) and item.metadata.get("case") == case:
            return str(item.id)
    raise AssertionError(f"no {case} item on this page")


def test_the_grid_holds_the_page_as_plain_strings(any_panel: DatasetPanel):
    panel = any_panel
    grid = _open(panel, "customer-support-evals")
    schema = panel.state.schema
    assert GRID_CLASS in grid._dom_classes
    assert grid._esm.strip() and "textContent" in grid._esm and "innerHTML" not in grid._esm
    assert "table-layout: fixed" in grid._css and "text-overflow: ellipsis" in grid._css
    keys = [column["key"] for column in grid.columns]
    titles = [column["title"] for column in grid.columns]
    versioned = ["version"] if schema.versioned else []
    assert keys == ["id", *versioned, "input", "answer", "metadata", "trace"]
    assert titles[keys.index("answer")] == schema.label(schema.answer_field).lower()
    assert [row["id"] for row in grid.rows] == [str(item.id) for item in panel.items]
    assert all(len(row["cells"]) == len(keys) for row in grid.rows)
    assert all(isinstance(c, str) for row in grid.rows for c in row["cells"])
    first = panel.items[0]
    assert _cell(grid, grid.rows[0], "id") == str(first.id)[-8:]
    # a trace link only where the item has one, and only to the panel's http(s) host
    host = panel.state.host
    linked = [row for row in grid.rows if row["trace"]]
    assert linked and all(row["trace"].startswith(f"{host}/project/1/") for row in linked)
    for row in grid.rows:
        item = next(i for i in panel.items if str(i.id) == row["id"])
        assert bool(row["trace"]) == bool(item.trace_url(host, 1))
        assert (_cell(grid, row, "trace") == "trace") == bool(row["trace"])
    assert grid.selected_id == "" and grid.page_key.endswith(":1:50")


def test_select_and_open_messages_select_in_the_model(any_panel: DatasetPanel):
    panel = any_panel
    grid = _open(panel, "customer-support-evals")
    opened: list[str] = []
    panel._rows.on_open = lambda: opened.append(str(panel.state.selected_id))
    target = grid.rows[5]["id"]
    from_browser(panel, type="select", id=target, seq=1)
    assert panel.item is not None and str(panel.item.id) == target
    assert grid.selected_id == target and grid.ack == 1
    assert opened == []
    assert target[-8:] in panel._viewer.title.value  # the item view shows it
    # Enter (or a double click) on another row: selected, then on_open
    other = grid.rows[61 % len(grid.rows)]["id"]
    from_browser(panel, type="open", id=other, seq=2)
    assert str(panel.state.selected_id) == other and opened == [other]
    assert grid.selected_id == other and grid.ack == 2
    # an item the model cannot select (gone): the grid springs back to the model's selection
    gone = "00000000-0000-4000-8000-000000000000"
    from_browser(panel, type="select", id=gone, seq=3)
    assert grid.ack == 3 and grid.selected_id == other
    assert "no longer exists" in panel.notice


def test_keys_turn_pages_and_focus_the_search(
    any_panel: DatasetPanel, monkeypatch: pytest.MonkeyPatch
):
    panel = any_panel
    grid = _open(panel, "customer-support-evals")
    first_page = [row["id"] for row in grid.rows]
    from_browser(panel, type="select", id=first_page[3], seq=1)
    before = grid.page_key
    from_browser(panel, type="key", action="next_page", id=first_page[3])
    assert panel.state.page.page_number == 2 and grid.page_key != before
    assert not {row["id"] for row in grid.rows} & set(first_page)
    assert grid.selected_id == ""  # the selected item is not on this page
    from_browser(panel, type="key", action="prev_page", id="")
    assert panel.state.page.page_number == 1
    assert grid.selected_id == (panel.state.selected_id or "")  # as the model has it
    from_browser(panel, type="key", action="prev_page", id="")  # no page before: stays
    assert panel.state.page.page_number == 1
    sent: list[Any] = []
    monkeypatch.setattr(panel._picker.search, "send", sent.append)
    from_browser(panel, type="key", action="search", id="")
    assert sent == [{"do": "focus"}]  # what ipywidgets' Text view takes as "focus"


def test_neighbouring_pages_go_ahead_and_each_turn_is_acknowledged(any_panel: DatasetPanel):
    """The browser shows a turned page at once from ``ahead`` (the page the model holds), and
    ``turn_ack`` tells it when the model has settled the turn (a refused one springs back)."""
    panel = any_panel
    grid = _open(panel, "customer-support-evals")
    assert grid.has_next and not grid.has_prev
    assert set(grid.ahead) == {"next"}  # page 2 was prefetched; there is no page 0
    page_two = grid.ahead["next"]
    from_browser(panel, type="key", action="next_page", id="", seq=1)
    assert grid.turn_ack == 1 and panel.state.page.page_number == 2
    # what the browser showed at once is what the model then shows
    assert grid.page_key == page_two["page_key"] and grid.rows == page_two["rows"]
    assert grid.has_prev and set(grid.ahead) == {"next", "prev"}
    page_one = panel.model.peek_page(1)
    assert page_one is not None
    assert [row["id"] for row in grid.ahead["prev"]["rows"]] == [str(i.id) for i in page_one]
    from_browser(panel, type="key", action="prev_page", id="", seq=2)
    from_browser(panel, type="key", action="prev_page", id="", seq=3)  # nothing before page 1
    assert grid.turn_ack == 3 and panel.state.page.page_number == 1
    assert grid.page_key.endswith(":1:50") and not grid.has_prev


def test_one_grid_whatever_the_page_size(any_panel: DatasetPanel):
    panel = any_panel
    grid = _open(panel, "sql-generation")
    count = len(descendants(panel.widget))
    panel._rows.size.value = 200
    panel.wait()
    assert len(grid.rows) == 200 and len(descendants(panel.widget)) == count
    assert sum(isinstance(w, ItemGrid) for w in descendants(panel.widget)) == 1


def test_hostile_item_text_arrives_as_plain_text(any_panel: DatasetPanel):
    panel = any_panel
    grid = _open(panel, "edge-cases")
    cells = [c for row in grid.rows for c in row["cells"]]
    assert not [c for c in cells if ONE_LINE_UNSAFE.search(c)]  # no control or bidi character
    html = _row(grid, _case_id(panel, "html-injection"))
    shown = _cell(grid, html, "input")
    assert '"script":"<script>alert(1)</script>"' in shown  # the markup, as text
    assert "<img src=x onerror=" in shown
    ansi = _row(grid, _case_id(panel, "ansi-escapes"))
    assert "\\u001b[31mred" in _cell(grid, ansi, "input")
    bidi = _row(grid, _case_id(panel, "bidi-controls"))
    assert "\\u202euser\\u202c admin" in _cell(grid, bidi, "input")
    rtl = _row(grid, _case_id(panel, "rtl-arabic"))
    assert "مرحبا" in _cell(grid, rtl, "input")  # right-to-left letters kept as they are
    assert all(row["trace"] == "" or row["trace"].startswith("http://") for row in grid.rows)


def test_parse_message_takes_only_the_grids_messages():
    assert parse_message({"type": "select", "id": "x", "seq": 4}) == {
        "type": "select",
        "id": "x",
        "seq": 4,
    }
    assert parse_message({"type": "select", "id": "x", "seq": True})["seq"] == 0  # type: ignore[index]
    assert parse_message({"type": "select", "id": ""}) is None
    assert parse_message({"type": "select", "id": 5}) is None
    assert parse_message({"type": "key", "action": "rm -rf"}) is None
    assert parse_message({"do": "focus"}) is None
    assert parse_message(["select"]) is None
    assert parse_message({"type": "key", "action": "undo"}) == {
        "type": "key",
        "action": "undo",
        "id": "",
        "seq": 0,
    }
    assert parse_message({"type": "key", "action": "next_page", "seq": 7})["seq"] == 7  # type: ignore[index]


@pytest.fixture
def writable(emulator_factory: Any, generation: str, tmp_path: Path) -> Iterator[DatasetPanel]:
    running = emulator_factory("demo", api=generation)
    built = make_panel(running, tmp_path)
    built._test_server = running  # type: ignore[attr-defined]
    yield built
    built.close()


def test_edit_delete_and_undo_keys(writable: DatasetPanel):
    panel = writable
    grid = _open(panel, "sql-generation")
    running = panel._test_server  # type: ignore[attr-defined]
    victim, other = grid.rows[2]["id"], grid.rows[3]["id"]
    from_browser(panel, type="select", id=victim, seq=1)
    # a key naming another row than the model's selection does nothing (it lags the keys)
    from_browser(panel, type="key", action="delete", id=other)
    assert any(row["id"] == other for row in grid.rows)
    from_browser(panel, type="key", action="edit", id=victim)
    assert panel._actions.edit.value and panel._editor.box.layout.display == ""
    panel._actions.edit.value = False
    panel.wait()
    from_browser(panel, type="key", action="delete", id=victim)
    assert all(row["id"] != victim for row in grid.rows)
    with client_for(running) as client:
        assert is_removed(client, victim)
    from_browser(panel, type="key", action="undo", id="")
    assert any(row["id"] == victim for row in grid.rows)
    with client_for(running) as client:
        assert not is_removed(client, victim)
