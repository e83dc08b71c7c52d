"""What the panel shows and does only on the versioned API (v2): versions and their ids, the
fields set at creation shown read-only, archive (not delete) with undo, and a save that a newer
version made stale. Each test has a v2 demo server of its own; the rest of the panel's tests run
on both generations (test_panel.py, test_panel_editing.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client
from explorer.api.models import VersionedItem
from explorer.model import V2
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    click_row,
    client_for,
    make_panel,
    row_ids,
    row_text,
    text_of,
    update_on_server,
)
from widgets import DatasetPanel
from widgets._status import Header


@pytest.fixture
def running(emulator_factory: Any) -> RunningEmulator:
    return emulator_factory("demo", api="v2")


@pytest.fixture
def client(running: RunningEmulator) -> Iterator[Client]:
    with client_for(running) as c:
        yield c


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path)
    built.open("rag-answers-golden")
    yield built
    built.close()


def _v2(item: object) -> VersionedItem:
    assert isinstance(item, VersionedItem)
    return item


def _select(panel: DatasetPanel, item_id: str) -> VersionedItem:
    click_row(panel, item_id)
    panel.wait()
    assert panel.item is not None and str(panel.item.id) == item_id
    return _v2(panel.item)


def _row_label(panel: DatasetPanel, item_id: str) -> str:
    return row_text(panel, item_id)


def test_the_header_names_the_generation_once_known(panel: DatasetPanel) -> None:
    assert panel.state.generation == "v2" and panel.state.schema is V2
    assert "API v2" in text_of(panel._header.widget.value)
    header = Header(demo=False)
    header.redraw(panel.state, generation_known=False)  # before the server's first answer
    assert "API v2" not in text_of(header.widget.value)
    assert "classic API" not in text_of(header.widget.value)


def test_items_show_their_version_and_its_id(panel: DatasetPanel, client: Client) -> None:
    # an item with a history: its version is its number of versions
    item = next(_v2(i) for i in panel.items if _v2(i).version > 1)
    item_id = str(item.id)
    assert f"v{item.version}" in _row_label(panel, item_id).split()
    selected = _select(panel, item_id)
    title = panel._viewer.title.value
    assert f"v{selected.version}" in text_of(title)
    # the version id is the whole text of one element that selects all on a click
    code = '<code class="dx-version-id"'
    assert code in title and f">{selected.version_id}</code>" in title
    versions = client.items.versions(item_id).results
    assert versions[0].version_id == selected.version_id
    # a save makes a new version: the title and the row follow
    panel.edit(metadata={"reviewed": True})
    panel.save()
    assert "Saved item" in panel.notice
    saved = _v2(client.items.get(item_id))
    assert saved.version == selected.version + 1 and saved.version_id != selected.version_id
    assert _v2(panel.item).version == saved.version
    assert f">{saved.version_id}</code>" in panel._viewer.title.value
    assert f"v{saved.version}" in _row_label(panel, item_id).split()


def test_source_output_and_link_are_shown_read_only(panel: DatasetPanel, client: Client) -> None:
    item = next(_v2(i) for i in panel.items if _v2(i).source_output is not None)
    item_id = str(item.id)
    _select(panel, item_id)
    viewer = panel._viewer
    # the recorded output under the expected one, beside the input; shown read-only
    answer = viewer.body.value.split('<div class="dx-item-col dx-col-answer">')[1]
    answer = answer.split('<div class="dx-item-below">')[0]
    assert text_of(answer).startswith("Expected output")
    assert "Source output (read-only)" in text_of(answer)
    panel._actions.edit.value = True
    editor = panel._editor
    assert tuple(editor.inputs) == ("input", "expected_output", "metadata")
    assert editor.fixed_names == (
        "source_output",
        "source_trace_id",
        "source_event_id",
        "source_timestamp",
    )
    fixed = text_of(editor.fixed["source_output"].value)
    assert fixed and '"' in fixed  # the recorded output, as JSON text
    head = text_of(editor.fields.children[3].value)
    assert head == "Read-only: set when the item was created, never changed."
    assert text_of(editor.fields.children[4].children[0].value) == "Source output"
    assert item.source_trace_id is not None
    assert item.source_trace_id in text_of(editor.fixed["source_trace_id"].value)
    assert "not edited" not in text_of(editor.state_line.value)
    assert f"(v{item.version})" in text_of(editor.state_line.value)
    # scripting it raises, the status line says why, and nothing is sent
    with pytest.raises(ValueError, match="'source_output' cannot be edited"):
        panel.edit(source_output="changed")
    assert "the editable fields are input, expected_output, metadata" in panel.notice
    assert _v2(client.items.get(item_id)).source_output == item.source_output
    # closing the editor empties the read-only values too (a large one stays off the page)
    panel._actions.edit.value = False
    assert editor.fixed["source_output"].value == ""


def test_archive_and_undo(panel: DatasetPanel, client: Client) -> None:
    actions = panel._actions
    item_id = str(panel.items[0].id)
    before = _select(panel, item_id)
    assert actions.delete.description == "Archive"
    assert "Archive the item" in actions.delete.tooltip
    actions.delete.click()
    panel.wait()
    archived = _v2(client.items.get(item_id))  # still there, archived: a new version
    assert archived.archived and archived.version == before.version + 1
    assert item_id not in row_ids(panel)
    status = panel._status.widget.value
    assert "Archived item" in text_of(status) and "dx-status-ok" in status
    assert actions.trash.description == "Trash (1)"
    assert "1 archived from this machine" in text_of(panel._trash.info.value)
    actions.undo.click()
    panel.wait()
    restored = _v2(client.items.get(item_id))
    assert not restored.archived and restored.version == before.version + 2
    assert restored.expected_output == before.expected_output
    assert panel._rows.grid.selected_id == item_id
    assert [v.archived for v in client.items.versions(item_id).results[:2]] == [False, True]


def test_a_newer_version_stops_the_save_in_a_conflict(panel: DatasetPanel, client: Client) -> None:
    item_id = str(panel.items[1].id)
    before = _select(panel, item_id)
    panel._actions.edit.value = True
    editor = panel._editor
    editor.inputs["expected_output"].value = '"mine"'
    panel.wait()
    update_on_server(client, item_id, expected_output="theirs", metadata={"by": "someone"})
    editor.save.click()
    panel.wait()
    editor.confirm.click()
    panel.wait()
    assert editor.conflict.layout.display == ""
    shown = text_of(editor.conflict_html.value)
    assert "Expected output: theirs → mine" in shown
    assert "Metadata: changed on the server" in shown
    assert _v2(client.items.get(item_id)).expected_output == "theirs"  # nothing overwritten
    editor.mine.click()
    panel.wait()
    saved = _v2(client.items.get(item_id))
    assert saved.expected_output == "mine" and saved.metadata == {"by": "someone"}
    assert saved.version == before.version + 2  # theirs, then mine on top of it
    assert panel.state.drafts == []
