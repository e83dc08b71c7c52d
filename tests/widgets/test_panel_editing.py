"""Writes through the panel: edit with live validation, the diff, save, conflicts, new items,
duplicate, move, soft delete with undo, the trash. Each test has a server of its own, and reads
what the server holds afterwards with the blocking client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client, NotFound
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import client_for, dataset_id, make_panel, text_of
from widgets import DatasetPanel


@pytest.fixture
def running(emulator_factory: Any) -> RunningEmulator:
    return emulator_factory("demo")


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path)
    built.open("customer-support-evals")
    yield built
    built.close()


@pytest.fixture
def client(running: RunningEmulator) -> Iterator[Client]:
    with client_for(running) as c:
        yield c


def _select_first(panel: DatasetPanel) -> str:
    item_id = str(panel.items[0].id)
    panel._rows.rows.value = item_id
    panel.wait()
    return item_id


def _edit_mode(panel: DatasetPanel) -> None:
    panel._actions.edit.value = True
    assert panel._editor.box.layout.display == ""
    assert panel._viewer.box.layout.display == "none"


def _save(panel: DatasetPanel) -> None:
    editor = panel._editor
    assert not editor.save.disabled
    editor.save.click()
    panel.wait()
    assert editor.review.layout.display == "", "Save… shows the diff first"
    editor.confirm.click()
    panel.wait()


def test_invalid_json_disables_save_then_the_fix_saves(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    _edit_mode(panel)
    editor = panel._editor
    output = editor.inputs["output"]
    assert json.loads(output.value) == panel.item.output  # filled from the item
    assert editor.save.disabled  # nothing changed yet
    bad = '{"role": "assistant", "content": "Fixed answer",}'
    output.value = bad
    assert editor.save.disabled  # at once, before the model has validated it
    panel.wait()
    error = text_of(editor.errors["output"].value)
    assert f"line 1, column {bad.rindex('}') + 1}" in error  # where a key was expected
    assert editor.save.disabled
    output.value = '{"role": "assistant", "content": "Fixed <b>answer</b>"}'
    panel.wait()
    assert editor.errors["output"].value == ""
    assert not editor.save.disabled
    assert "unsaved changes" in text_of(editor.state_line.value)
    editor.save.click()
    panel.wait()
    diff = editor.diff.value
    assert 'class="dx-diff"' in diff and "&lt;b&gt;answer&lt;/b&gt;" in diff
    assert "Fixed <b>answer</b>" in text_of(diff)
    assert client.items.get(item_id).output != {
        "role": "assistant",
        "content": "Fixed <b>answer</b>",
    }
    editor.confirm.click()
    panel.wait()
    saved = client.items.get(item_id)
    assert saved.output == {"role": "assistant", "content": "Fixed <b>answer</b>"}
    assert panel._editor.box.layout.display == "none"  # back to the item
    assert panel.item is not None and panel.item.output == saved.output
    assert "Saved item" in text_of(panel._status.widget.value)
    assert "&lt;b&gt;answer" in panel._viewer.panes[panel._viewer.tabs.selected_index].value or (
        panel._viewer.tabs.selected_index == 0
    )


def test_typing_again_before_validation_is_not_lost(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    _edit_mode(panel)
    editor = panel._editor
    for text in ('"a', '"ab', '"abc"'):
        editor.inputs["output"].value = text
    assert editor.save.disabled
    panel.wait()
    assert [c for c in panel.state.notices if c.command == "edit_field"] == []
    _save(panel)
    assert client.items.get(item_id).output == "abc"


def test_discard_puts_the_server_version_back(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    original = client.items.get(item_id).metadata
    _edit_mode(panel)
    editor = panel._editor
    editor.inputs["metadata"].value = '{"tags": []}'
    panel.wait()
    assert not editor.discard.disabled
    editor.discard.click()
    panel.wait()
    assert panel.state.drafts == []
    assert client.items.get(item_id).metadata == original
    assert editor.box.layout.display == "none"


def test_conflict_keep_mine(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    _edit_mode(panel)
    editor = panel._editor
    editor.inputs["output"].value = '"mine"'
    panel.wait()
    client.items.update(item_id, output="theirs", metadata={"edited": "elsewhere"})
    _save(panel)
    assert editor.conflict.layout.display == ""
    shown = text_of(editor.conflict_html.value)
    assert "changed on the server" in shown and "output: theirs → mine" in shown
    assert client.items.get(item_id).output == "theirs"  # nothing overwritten yet
    editor.mine.click()
    panel.wait()
    on_server = client.items.get(item_id)
    assert on_server.output == "mine"
    assert on_server.metadata == {"edited": "elsewhere"}  # their other change kept


def test_conflict_take_theirs(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    _edit_mode(panel)
    panel._editor.inputs["output"].value = '"mine"'
    panel.wait()
    client.items.update(item_id, output="theirs")
    _save(panel)
    panel._editor.theirs.click()
    panel.wait()
    assert client.items.get(item_id).output == "theirs"
    assert panel.item is not None and panel.item.output == "theirs"
    assert panel.state.drafts == []


def test_new_item_is_created(panel: DatasetPanel, client: Client):
    ds = str(panel.dataset.id)
    before = client.items.list(dataset=ds, limit=1).count
    panel._actions.new.click()
    panel.wait()
    editor = panel._editor
    assert panel._actions.edit.value is True
    assert "New item" in text_of(editor.state_line.value)
    assert all(box.value == "" for box in editor.inputs.values())
    editor.inputs["input"].value = '{"question": "created from the panel"}'
    editor.inputs["output"].value = '"an answer"'
    editor.inputs["ref_trace_id"].value = "trace-from-panel"
    panel.wait()
    _save(panel)
    assert client.items.list(dataset=ds, limit=1).count == before + 1
    created = [
        i
        for i in client.items.iter(dataset=ds)
        if i.input == {"question": "created from the panel"}
    ]
    assert len(created) == 1 and created[0].ref_trace_id == "trace-from-panel"


def test_duplicate_and_move_to_another_dataset(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    source = client.items.get(item_id)
    other = dataset_id(panel, "edge-cases")
    actions = panel._actions
    actions.target.value = other
    actions.duplicate.click()
    panel.wait()
    copies = [i for i in client.items.iter(dataset=other) if i.input == source.input]
    assert len(copies) == 1 and copies[0].id != source.id
    actions.move.click()
    panel.wait()
    assert str(client.items.get(item_id).dataset) == other
    assert item_id not in {str(i.id) for i in panel.items}  # left this page
    actions.undo.click()  # undo the move
    panel.wait()
    assert str(client.items.get(item_id).dataset) == str(panel.dataset.id)


def test_delete_then_undo(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    actions = panel._actions
    assert actions.undo.disabled
    actions.delete.click()
    panel.wait()
    assert item_id not in {value for _, value in panel._rows.rows.options}
    with pytest.raises(NotFound):
        client.items.get(item_id)
    assert not actions.undo.disabled and "delete item" in actions.undo.description
    assert actions.trash.description == "Trash (1)"
    actions.undo.click()
    panel.wait()
    assert client.items.get(item_id).deleted is False
    assert item_id in {value for _, value in panel._rows.rows.options}
    assert actions.trash.description == "Trash"


def test_trash_view_restores(panel: DatasetPanel, client: Client):
    first = _select_first(panel)
    panel._actions.delete.click()
    panel.wait()
    panel.select(panel.items[0].id)
    second = str(panel.item.id)
    panel.delete()
    panel._actions.trash.value = True
    trash = panel._trash
    assert trash.box.layout.display == ""
    keys = [value for _, value in trash.list.options]
    assert keys == [f"item:{second}", f"item:{first}"] or set(keys) == {
        f"item:{first}",
        f"item:{second}",
    }
    assert "2 soft-deleted" in text_of(trash.info.value)
    assert trash.restore.disabled
    trash.list.value = f"item:{first}"
    assert not trash.restore.disabled
    trash.restore.click()
    panel.wait()
    assert client.items.get(first).deleted is False
    with pytest.raises(NotFound):
        client.items.get(second)
    assert [value for _, value in trash.list.options] == [f"item:{second}"]


def test_scripted_edit_save_delete_restore(panel: DatasetPanel, client: Client):
    target = panel.items[2]
    panel.select(target.id)
    panel.edit(output={"role": "assistant", "content": "scripted"})
    assert panel.state.editor is not None and panel.state.editor.dirty
    panel.save()
    assert client.items.get(target.id).output == {"role": "assistant", "content": "scripted"}
    panel.delete()
    with pytest.raises(NotFound):
        client.items.get(target.id)
    panel.restore(str(target.id))
    assert client.items.get(target.id).output == {"role": "assistant", "content": "scripted"}
    panel.undo()  # undo the restore: deleted again
    with pytest.raises(NotFound):
        client.items.get(target.id)


def test_demo_journal_is_kept_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The demo's trash lives in a temporary journal, never in the user data dir.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    panel = DatasetPanel.demo()
    try:
        panel.open("edge-cases")
        panel.select(panel.items[0].id)
        panel.delete()
        assert len(panel.state.trash) == 1
    finally:
        panel.close()
    assert not (tmp_path / "data").exists()


def test_conflict_per_field_choice(panel: DatasetPanel, client: Client):
    item_id = _select_first(panel)
    _edit_mode(panel)
    editor = panel._editor
    editor.inputs["output"].value = '"my output"'
    editor.inputs["metadata"].value = '{"mine": true}'
    panel.wait()
    client.items.update(item_id, output="their output", metadata={"theirs": True})
    _save(panel)
    shown = [
        n
        for n, row in zip(editor.choices, editor.choice_rows, strict=True)
        if row.layout.display == ""
    ]
    assert shown == ["output", "metadata"]
    assert editor.choices["output"].value == "mine"  # the default: mine where I edited
    editor.choices["metadata"].value = "theirs"
    editor.pick.click()
    panel.wait()
    on_server = client.items.get(item_id)
    assert on_server.output == "my output"
    assert on_server.metadata == {"theirs": True}


def test_undo_of_a_delete_selects_the_restored_row_and_delete_acts_on_it(
    panel: DatasetPanel, client: Client
):
    victim = str(panel.items[1].id)
    neighbour = str(panel.items[2].id)
    panel._rows.rows.value = victim
    panel.wait()
    actions = panel._actions
    actions.delete.click()
    panel.wait()
    assert panel._rows.rows.value is None and actions.delete.disabled
    actions.undo.click()
    panel.wait()
    assert panel._rows.rows.value == victim  # the restored row is the one selected
    assert panel.item is not None and str(panel.item.id) == victim
    assert not actions.delete.disabled
    actions.delete.click()
    panel.wait()
    with pytest.raises(NotFound):
        client.items.get(victim)
    assert client.items.get(neighbour).deleted is False


def _save_after_deleted_elsewhere(panel: DatasetPanel, client: Client, output: str) -> str:
    item_id = _select_first(panel)
    _edit_mode(panel)
    editor = panel._editor
    assert editor.gone.layout.display == "none"
    editor.inputs["output"].value = output
    panel.wait()
    client.items.delete(item_id)
    _save(panel)
    return item_id


def test_saving_an_item_deleted_elsewhere_offers_restore_and_save(
    panel: DatasetPanel, client: Client
):
    editor = panel._editor
    item_id = _save_after_deleted_elsewhere(panel, client, '"fixed in the panel"')
    assert editor.gone.layout.display == ""
    shown = text_of(editor.gone_html.value)
    assert "no longer exists on the server" in shown and "Your edit is kept" in shown
    assert not editor.restore_save.disabled and not editor.save_new.disabled
    assert [d.item_id for d in panel.state.drafts] == [item_id]
    with pytest.raises(NotFound):
        client.items.get(item_id)
    editor.restore_save.click()
    panel.wait()
    on_server = client.items.get(item_id)
    assert on_server.deleted is False and on_server.output == "fixed in the panel"
    assert panel.state.drafts == []
    assert editor.box.layout.display == "none"  # saved: back to the item
    assert item_id in {value for _, value in panel._rows.rows.options}
    assert "Restored item" in panel.notice and "saved your edit" in panel.notice


def test_saving_an_item_deleted_elsewhere_offers_save_as_new(panel: DatasetPanel, client: Client):
    editor = panel._editor
    ds = str(panel.dataset.id)
    item_id = _save_after_deleted_elsewhere(panel, client, '"kept as a new item"')
    original_input = panel.item.input if panel.item is not None else None
    editor.save_new.click()
    panel.wait()
    created = [i for i in client.items.iter(dataset=ds) if i.output == "kept as a new item"]
    assert len(created) == 1 and str(created[0].id) != item_id
    assert created[0].input == original_input
    with pytest.raises(NotFound):
        client.items.get(item_id)  # the deleted one stays deleted
    assert panel.state.drafts == []
    assert panel.item is not None and panel.item.id == created[0].id
    assert editor.gone.layout.display == "none"
    assert "stays deleted" in panel.notice
