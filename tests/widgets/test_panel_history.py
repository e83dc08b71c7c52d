"""History in the notebook panel (v2): an item's versions in the item view's History tab, the
diff of two versions, restoring one with a confirm step and undo; a dataset's revisions, the
dataset as of a revision (read-only), comparing revisions, the archived items, export; and the
scripting calls. On classic the tab says plainly that the server keeps no history and the calls
raise `Unsupported`.

Buttons are clicked as a user would (``.click()``, ``.value = ...``); the assertions read the
HTML the panel shows and what the server holds afterwards."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client
from explorer.api.errors import ReadOnlyError, Unsupported
from explorer.api.models import VersionedItem
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    click_row,
    client_for,
    descendants,
    make_panel,
    row_ids,
    text_of,
)
from widgets import DatasetPanel

LONG = "The refund was issued to the original card."
MORE = " It takes 5 days to show."


@pytest.fixture
def running(emulator_factory: Any) -> RunningEmulator:
    return emulator_factory("none", api="v2")


@pytest.fixture
def client(running: RunningEmulator) -> Iterator[Client]:
    with client_for(running) as c:
        yield c


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path)
    yield built
    built.close()


def _v2(item: object) -> VersionedItem:
    assert isinstance(item, VersionedItem)
    return item


def item_with_versions(client: Client, name: str = "history") -> tuple[str, str]:
    """A dataset holding one item saved three times: v1 an answer, v2 the answer with a
    sentence added, v3 metadata."""
    dataset = client.datasets.create(name)
    item = _v2(client.items.create(dataset, input={"q": "refund?"}, expected_output=LONG))
    item = _v2(client.items.update(item.id, item.version, expected_output=LONG + MORE))
    item = _v2(client.items.update(item.id, item.version, metadata={"reviewed": True}))
    return str(dataset.id), str(item.id)


def versions(client: Client, item_id: str) -> list[VersionedItem]:
    return [_v2(v) for v in client.items.versions(item_id, limit=100).results]


def open_history(panel: DatasetPanel, dataset_id: str, item_id: str) -> Any:
    """Open the dataset, click the item's row, click History: the History tab's part."""
    panel.open(dataset_id)
    click_row(panel, item_id)
    panel.wait()
    viewer = panel._viewer
    viewer.mode.value = "history"
    panel.wait()
    return viewer.history


def diff_text(view: Any) -> str:
    return text_of(view.diff.value)


def parts_of(line: str) -> tuple[str, str, str, str]:
    """A line of the version list: (version, what changed, who, revision)."""
    found = re.fullmatch(r"(v\d+) +\S+ \S+  (.+?)  ·  (.+?)  ·  (r\d+)", line)
    assert found is not None, line
    version, change, who, revision = found.groups()
    return version, change, who, revision


# -- an item's versions ----------------------------------------------------------------------------


def test_history_lists_the_versions_of_a_demo_item_newest_first(
    emulator_factory: Any, tmp_path: Path
) -> None:
    demo = emulator_factory("demo", api="v2")
    with client_for(demo) as client, make_panel(demo, tmp_path) as panel:
        panel.open("customer-support-evals")
        item = next(_v2(i) for i in panel.items if _v2(i).version >= 3)
        # built when first opened: no history widgets until History is clicked
        assert not any("dx-history" in d._dom_classes for d in descendants(panel.widget))
        view = open_history(panel, str(item.dataset), str(item.id))
        assert any("dx-history" in d._dom_classes for d in descendants(panel.widget))
        assert panel._viewer.body.layout.display == "none"  # the tab in place of the values

        server = versions(client, str(item.id))
        head = text_of(view.head.value)
        assert f"{len(server)} versions, newest first" in head
        lines = [label for label, _ in view.list.options]
        assert [int(v) for _, v in view.list.options] == [v.version for v in server]
        for line, version in zip(lines, server, strict=True):
            number, _, who, revision = parts_of(line)
            assert number == f"v{version.version}"
            assert revision == f"r{version.dataset_revision}"
            assert who == "Demo User"
        assert parts_of(lines[-1])[1] == "created"
        # the newest is picked, against the one before it: who, when, its ids
        newest, before = server[0], server[1]
        assert view.list.value == str(newest.version)
        assert view.base.value == str(before.version)
        shown = diff_text(view)
        assert f"v{before.version} → v{newest.version}" in shown
        assert str(newest.version_id) in shown and str(newest.dataset_revision_id) in shown
        assert '<code class="dx-version-id"' in view.diff.value  # selected whole by a click


def test_two_versions_show_their_diff_with_the_changed_words_marked(
    panel: DatasetPanel, client: Client
) -> None:
    dataset_id, item_id = item_with_versions(client)
    view = open_history(panel, dataset_id, item_id)
    assert [parts_of(label)[1] for label, _ in view.list.options] == [
        "edited metadata",
        "edited expected output",
        "created",
    ]
    view.list.value = "2"  # the answer's edit, against v1 (the one before)
    panel.wait()
    assert view.base.value == "1"
    html = view.diff.value
    assert "v1 → v2: expected output changed" in text_of(html)
    assert "Expected output: v1 → v2" in text_of(html)
    assert '<mark class="dx-word">' in html
    marked = html.split('<div class="dx-line dx-add">')[1].split("</div>")[0]
    assert "It takes 5 days to show." in text_of(marked.split('<mark class="dx-word">')[1])
    assert "Metadata" not in text_of(html)  # an unchanged field is not shown

    view.list.value = "3"
    panel.wait()
    view.base.value = "1"  # compare with another version than the one before
    panel.wait()
    shown = diff_text(view)
    assert "v1 → v3: expected output, metadata changed" in shown
    assert "Metadata: v1 → v3" in shown and "Expected output: v1 → v3" in shown

    view.list.value = "1"  # the first: what it was created with
    panel.wait()
    assert view.base.value == "0"
    assert "v1 as created" in diff_text(view)


def test_restore_with_confirm_makes_a_new_version_and_undo_puts_it_back(
    panel: DatasetPanel, client: Client
) -> None:
    dataset_id, item_id = item_with_versions(client)
    view = open_history(panel, dataset_id, item_id)
    assert view.restore.disabled  # the current version: nothing to restore
    view.list.value = "1"
    panel.wait()
    assert not view.restore.disabled and view.restore.description == "Restore v1…"
    view.restore.click()
    panel.wait()
    assert view.confirm_row.layout.display == ""
    assert "Restore v1 of item" in text_of(view.ask.value)
    assert "(v4)" in text_of(view.ask.value) and "Undo puts v3 back" in text_of(view.ask.value)
    assert len(versions(client, item_id)) == 3  # nothing sent before the confirm

    view.confirm.click()
    panel.wait()
    server = versions(client, item_id)
    assert [v.version for v in server] == [4, 3, 2, 1]
    first = server[-1]
    assert server[0].expected_output == first.expected_output == LONG
    assert server[0].input == first.input and server[0].metadata == first.metadata == {}
    assert f"Restored v1 of item {item_id[-8:]}: it is v4 now." in panel.notice
    assert f"Restored v1 of item {item_id[-8:]}" in text_of(panel._status.widget.value)
    # the list follows: the new version is the newest, picked, with what it changed
    assert view.list.options[0][1] == "4" and view.list.value == "4"
    assert "v3 → v4: expected output, metadata changed" in diff_text(view)
    assert view.confirm_row.layout.display == "none"
    assert _v2(panel.item).version == 4

    assert not panel._actions.undo.disabled
    panel._actions.undo.click()  # the panel's own undo
    panel.wait()
    server = versions(client, item_id)
    assert server[0].version == 5
    assert server[0].expected_output == LONG + MORE
    assert server[0].metadata == {"reviewed": True}
    assert view.list.options[0][1] == "5"  # the history reloaded for the new version


def test_cancel_restores_nothing_and_another_row_shows_its_history(
    panel: DatasetPanel, client: Client
) -> None:
    dataset_id, item_id = item_with_versions(client)
    view = open_history(panel, dataset_id, item_id)
    view.list.value = "2"
    panel.wait()
    view.restore.click()
    view.cancel.click()
    panel.wait()
    assert view.confirm_row.layout.display == "none"
    assert len(versions(client, item_id)) == 3
    # another row while the tab is open: its history, from the server
    other = _v2(client.items.create(dataset_id, input={"q": "another"}, expected_output="x"))
    panel.refresh()
    click_row(panel, other.id)
    panel.wait()
    assert f"History of item {str(other.id)[-8:]}: 1 version," in text_of(view.head.value)
    assert [v for _, v in view.list.options] == ["1"]


def test_item_text_in_the_diff_is_escaped(panel: DatasetPanel, client: Client) -> None:
    dataset = client.datasets.create("untrusted")
    evil = '<img src=x onerror="alert(1)"> \x1b[31m'
    item = _v2(client.items.create(dataset, input={"q": "x"}, expected_output="fine"))
    item = _v2(client.items.update(item.id, item.version, expected_output=evil))
    view = open_history(panel, str(dataset.id), str(item.id))
    html = view.diff.value
    assert "<img" not in html and "&lt;img" in html
    assert "\x1b" not in html
    assert "<img" not in view.list.options[0][0]


def test_a_history_that_fails_to_load_says_so_and_reload_tries_again(
    running: RunningEmulator, client: Client, tmp_path: Path
) -> None:
    dataset_id, item_id = item_with_versions(client)
    with make_panel(running, tmp_path, retries=0) as panel:
        panel.open(dataset_id)
        click_row(panel, item_id)
        panel.wait()
        running.server.set_faults(error_rate=1.0, error_statuses=(503,))
        before = running.server.fault_stats()["requests"]
        panel._viewer.mode.value = "history"
        panel.wait()
        view = panel._viewer.history
        assert "could not be loaded" in text_of(view.head.value)
        assert "503" in text_of(panel._status.widget.value)
        assert view.failed_reload.layout.display == ""
        # one request, not one per redraw: a failure is not retried on its own
        assert running.server.fault_stats()["requests"] - before == 1
        running.server.clear_faults()
        view.failed_reload.click()
        panel.wait()
        assert "3 versions, newest first" in text_of(view.head.value)
        assert view.failed_reload.layout.display == "none"


# -- scripting -------------------------------------------------------------------------------------


def test_history_frame_equals_the_servers_versions(panel: DatasetPanel, client: Client) -> None:
    dataset_id, item_id = item_with_versions(client)
    panel.open(dataset_id)
    panel.select(item_id)
    frame = panel.history()
    assert list(frame.columns) == [
        "version",
        "version_id",
        "revision",
        "revision_id",
        "created_at",
        "created_by",
        "change",
        "archived",
        "input",
        "expected_output",
        "metadata",
    ]
    server = versions(client, item_id)
    assert list(frame["version"]) == [v.version for v in server]
    assert list(frame["version_id"]) == [str(v.version_id) for v in server]
    assert list(frame["revision"]) == [v.dataset_revision for v in server]
    assert list(frame["revision_id"]) == [str(v.dataset_revision_id) for v in server]
    assert list(frame["created_at"]) == [v.version_created_at for v in server]
    assert list(frame["expected_output"]) == [v.expected_output for v in server]
    assert list(frame["metadata"]) == [v.metadata for v in server]
    assert list(frame["input"]) == [v.input for v in server]
    assert list(frame["archived"]) == [False, False, False]
    assert list(frame["change"]) == ["edited metadata", "edited expected output", "created"]
    # another item by id
    other = _v2(client.items.create(dataset_id, input={"q": "other"}))
    assert list(panel.history(str(other.id))["version"]) == [1]


def test_diff_text_and_html(panel: DatasetPanel, client: Client) -> None:
    dataset_id, item_id = item_with_versions(client)
    panel.open(dataset_id)
    panel.select(item_id)
    diff = panel.diff(3, 1)  # either order: older first
    text = str(diff)
    assert text.startswith("v1 → v3: expected output, metadata changed")
    assert "--- v1 expected_output\n+++ v3 expected_output\n@@" in text
    assert f'-"{LONG}"' in text and f'+"{LONG}{MORE}"' in text
    assert "--- v1 metadata" in text and '+  "reviewed": true' in text
    html = diff._repr_html_()
    assert html.startswith('<div class="dx-panel"><style>')
    assert '<mark class="dx-word">' in html and "Expected output: v1 → v3" in text_of(html)
    with pytest.raises(ValueError, match="no version 9"):
        panel.diff(1, 9)
    assert "no version 9" in panel.notice
    with pytest.raises(ValueError, match="number from 1"):
        panel.diff(0, 1)


def test_restore_version_from_a_script_and_undo(panel: DatasetPanel, client: Client) -> None:
    dataset_id, item_id = item_with_versions(client)
    panel.open(dataset_id)
    panel.select(item_id)
    panel.restore_version(2)
    server = versions(client, item_id)
    assert server[0].version == 4 and server[0].expected_output == LONG + MORE
    assert server[0].metadata == {}
    panel.undo()
    assert versions(client, item_id)[0].metadata == {"reviewed": True}


def test_history_without_pandas_names_the_extra(
    panel: DatasetPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"posthog-dataset-explorer\[pandas\]"):
        panel.history()
    with pytest.raises(ImportError, match=r"\[pandas\]"):
        panel.revisions()


# -- a dataset's revisions -------------------------------------------------------------------------


def five_revisions(client: Client) -> tuple[str, VersionedItem, VersionedItem, VersionedItem]:
    dataset = client.datasets.create("revisions")
    first = _v2(client.items.create(dataset, input={"n": 1}, expected_output="one"))  # r1
    second = _v2(client.items.create(dataset, input={"n": 2}, expected_output="two"))  # r2
    client.items.update(first.id, 1, expected_output="one, corrected")  # r3
    client.items.archive(second.id, 1)  # r4
    third = _v2(client.items.create(dataset, input={"n": 3}))  # r5
    return str(dataset.id), first, second, third


def test_a_past_revision_is_read_only_and_back_to_current(
    panel: DatasetPanel, client: Client
) -> None:
    dataset_id, first, second, third = five_revisions(client)
    panel.open(dataset_id)
    bar = panel._bar
    bar.revisions_on.value = True
    panel.wait()
    view = bar.revisions
    assert "5 revisions, newest first" in text_of(view.head.value)
    assert [v for _, v in view.list.options] == ["5", "4", "3", "2", "1"]
    view.list.value = "2"
    assert view.open.description == "Open as of r2"
    view.open.click()
    panel.wait()

    # clearly marked: the header, the banner above the grid; the items as they were at r2
    assert "revision 2 (read-only)" in text_of(panel._header.widget.value)
    assert "as of revision 2: read-only" in text_of(bar.banner_text.value)
    assert bar.banner.layout.display == ""
    assert set(row_ids(panel)) == {str(first.id), str(second.id)}
    click_row(panel, first.id)
    panel.wait()
    assert _v2(panel.item).expected_output == "one"
    actions = panel._actions
    for write in (actions.new, actions.delete, actions.duplicate, actions.move, actions.undo):
        assert write.disabled, write.description
    assert panel._editor.save.disabled
    with pytest.raises(ReadOnlyError, match="while revision 2 is shown"):
        panel.delete(str(first.id))
    with pytest.raises(ReadOnlyError):
        panel.edit(expected_output="changed in the past")
        panel.save()
    assert not _v2(client.items.get(first.id)).archived
    assert _v2(client.items.get(first.id)).expected_output == "one, corrected"
    # the History tab of an item shown at a past revision: it can be read, not restored
    panel._viewer.mode.value = "history"
    panel.wait()
    history = panel._viewer.history
    history.list.value = "1"
    panel.wait()
    assert history.restore.disabled

    bar.back.click()
    panel.wait()
    assert panel.state.page.revision is None and not panel.state.page_read_only
    assert bar.banner.layout.display == "none"
    assert "read-only" not in text_of(panel._header.widget.value)
    assert set(row_ids(panel)) == {str(first.id), str(third.id)}
    assert not actions.new.disabled


def test_compare_two_revisions_lists_the_changes_and_diffs_the_picked_one(
    panel: DatasetPanel, client: Client
) -> None:
    dataset_id, first, second, third = five_revisions(client)
    panel.open(dataset_id)
    panel._bar.revisions_on.value = True
    panel.wait()
    view = panel._bar.revisions
    view.list.value = "2"
    assert view.other.value == "5"  # with the newest by default
    view.compare.click()
    panel.wait()
    assert "Revision 2 → 5: 1 added, 1 changed, 1 archived" in text_of(view.summary.value)
    kinds = {value: label.split()[0] for label, value in view.changes.options}
    assert kinds == {str(third.id): "added", str(first.id): "changed", str(second.id): "archived"}
    view.changes.value = str(first.id)
    panel.wait()
    shown = text_of(view.change_diff.value)
    assert "Expected output: r2 → r5" in shown
    assert '<mark class="dx-word">' in view.change_diff.value

    comparison = panel.compare(2)
    assert comparison.summary == "revision 2 → 5: 1 added, 1 changed, 1 archived"
    assert '+"one, corrected"' in str(comparison.diff(str(first.id)))
    assert str(first.id) in comparison._repr_html_()

    frame = panel.revisions()
    assert list(frame["revision"]) == [5, 4, 3, 2, 1]
    panel.open_revision(3)
    assert panel.state.page.revision == 3 and panel.state.page_read_only
    panel.open_revision(None)
    assert not panel.state.page_read_only


def test_show_archived_items_and_restore_one(panel: DatasetPanel, client: Client) -> None:
    dataset_id, _, second, _ = five_revisions(client)
    panel.open(dataset_id)
    bar = panel._bar
    bar.archived_on.value = True
    panel.wait()
    assert panel.state.page.archived
    assert row_ids(panel) == [str(second.id)]
    assert "archived items of revisions" in text_of(bar.banner_text.value)
    assert "archived items" in text_of(panel._header.widget.value)
    click_row(panel, second.id)
    panel.wait()
    assert panel._actions.delete.disabled and panel._actions.new.disabled
    assert not bar.restore_item.disabled
    bar.restore_item.click()
    panel.wait()
    assert not _v2(client.items.get(second.id)).archived
    assert "Restored item" in panel.notice

    bar.live.click()
    panel.wait()
    assert not panel.state.page.archived and not bar.archived_on.value
    assert str(second.id) in row_ids(panel)


def test_show_archived_datasets_and_restore_one(panel: DatasetPanel, client: Client) -> None:
    dataset = client.datasets.create("gone-for-now")
    client.datasets.archive(dataset.id)
    panel.refresh()
    picker = panel._picker
    assert all(value != str(dataset.id) for _, value in picker.choice.options)
    picker.archived.value = True
    panel.wait()
    assert any(value == str(dataset.id) for _, value in picker.choice.options)
    picker.choice.value = str(dataset.id)
    panel.wait()
    assert picker.restore.layout.display == ""
    picker.restore.click()
    panel.wait()
    assert not client.datasets.get(dataset.id).archived  # type: ignore[union-attr]
    assert not picker.archived.value  # back among the live datasets, the restored one open
    assert picker.choice.value == str(dataset.id)
    assert picker.restore.layout.display == "none"


def test_export_writes_the_file_with_the_rows(
    panel: DatasetPanel, client: Client, tmp_path: Path
) -> None:
    dataset_id, first, second, third = five_revisions(client)
    panel.open(dataset_id)
    bar = panel._bar
    bar.export_on.value = True
    panel.wait()
    view = bar.export
    assert view.path.value == "revisions-r5.jsonl"  # PostHog's name: <slug>-r<N>.jsonl
    target = tmp_path / "out" / "revisions.jsonl"
    target.parent.mkdir()
    view.path.value = str(target)
    view.go.click()
    panel.wait()
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert {row["item_id"] for row in rows} == {str(first.id), str(third.id)}
    assert {row["dataset_revision"] for row in rows} == {5}
    done = text_of(view.progress.value)
    assert "Wrote 2 rows of revision 5" in done and str(target) in done
    assert "Wrote 2 rows" in panel.notice

    # as of a past revision: the name and the rows follow it
    panel.open_revision(2)
    assert view.path.value == str(target)  # a name the user typed is kept
    written = panel.export(tmp_path / "r2.jsonl")
    assert written == tmp_path / "r2.jsonl"
    rows = [json.loads(line) for line in written.read_text().splitlines()]
    assert {row["item_id"] for row in rows} == {str(first.id), str(second.id)}
    assert {row["expected_output"] for row in rows} == {"one", "two"}


# -- classic ---------------------------------------------------------------------------------------


def test_classic_says_the_server_keeps_no_history(emulator_factory: Any, tmp_path: Path) -> None:
    classic = emulator_factory("none", api="classic")
    with client_for(classic) as client:
        dataset = client.datasets.create("classic")
        item = client.items.create(dataset, input={"q": 1}, output="a")
    with make_panel(classic, tmp_path) as panel:
        view = open_history(panel, str(dataset.id), str(item.id))
        shown = text_of(view.head.value)
        assert "The classic datasets API keeps no history" in shown
        assert view.body.layout.display == "none"
        panel._bar.revisions_on.value = True
        panel.wait()
        assert "keeps no history" in text_of(panel._bar.revisions.head.value)
        panel._bar.archived_on.value = True
        panel.wait()
        assert not panel._bar.archived_on.value and "trash" in panel.notice
        for call in (
            panel.history,
            lambda: panel.diff(1, 1),
            lambda: panel.restore_version(1),
            panel.revisions,
            lambda: panel.open_revision(1),
            lambda: panel.compare(1),
            panel.show_archived,
        ):
            with pytest.raises(Unsupported) as raised:
                call()
            assert "classic" in str(raised.value)
        # export needs no history: the items as they are now, in the same rows
        written = panel.export(tmp_path / "classic.jsonl")
        assert json.loads(written.read_text())["expected_output"] == "a"
        with pytest.raises(Unsupported):
            panel.export(tmp_path / "r1.jsonl", revision=1)


def test_the_default_export_name_follows_a_save_and_names_what_is_written(
    panel: DatasetPanel, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset_id, first, _, _ = five_revisions(client)
    panel.open(dataset_id)
    panel._bar.export_on.value = True
    panel.wait()
    view = panel._bar.export
    assert view.path.value == "revisions-r5.jsonl"
    panel.select(str(first.id))
    panel.edit(expected_output="one, corrected twice")
    panel.save()  # revision 6: the dataset as listed still says 5
    assert view.path.value == "revisions-r6.jsonl"
    client.items.create(dataset_id, input={"n": 4})  # revision 7, made elsewhere
    monkeypatch.chdir(tmp_path)
    view.go.click()
    panel.wait()
    assert view.path.value == "revisions-r7.jsonl", panel.notice  # the newest, asked for now
    rows = [json.loads(line) for line in (tmp_path / "revisions-r7.jsonl").read_text().splitlines()]
    assert {row["dataset_revision"] for row in rows} == {7} and len(rows) == 3
