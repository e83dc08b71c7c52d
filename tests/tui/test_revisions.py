"""A dataset's revisions, comparing two, the archived items and datasets, and export, in the
terminal app, driven with Pilot on a v2 server (and the plain notices on classic).

Each test makes a dataset with a known history through the sync client:

    r1  create item 1 {"n": 1} "one"
    r2  create item 2 {"n": 2} "two"
    r3  edit item 1: "one, corrected"
    r4  archive item 2
    r5  create item 3 {"n": 3} "three"
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.widgets import DataTable, Input, Static

from explorer.api.models import VersionedItem
from explorer.model.history import NO_HISTORY
from explorer.tui.datasets import DatasetsScreen
from explorer.tui.dialogs import DiffView
from explorer.tui.editor import EditorScreen
from explorer.tui.export_dialog import ExportDialog
from explorer.tui.header import AppHeader
from explorer.tui.inspector import InspectorScreen
from explorer.tui.items import ItemsScreen
from explorer.tui.revisions import CompareScreen, RevisionsScreen
from explorer.tui.trash import TrashScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import build_app, isolate_env, settle, table_keys, wait_for
from tests.tui._item_screens import make_dataset
from tests.tui._v2 import V2Factory, client, dataset_named, v2_demo_server, v2_factory
from tests.tui.test_app import footer_text, notifications

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_demo_server", "v2_factory"]

SIZE = (120, 40)


@dataclass(frozen=True)
class History:
    dataset_id: str
    name: str
    first: str  # edited at r3
    second: str  # archived at r4
    third: str  # added at r5


def make_history(server: RunningEmulator) -> History:
    name = f"history-{uuid.uuid4().hex[:8]}"
    with client(server) as c:
        dataset = c.datasets.create(name)
        first = c.items.create(dataset, input={"n": 1}, expected_output="one")
        second = c.items.create(dataset, input={"n": 2}, expected_output="two")
        assert isinstance(first, VersionedItem) and isinstance(second, VersionedItem)
        c.items.update(first.id, 1, expected_output="one, corrected")
        c.items.archive(second.id, 1)
        third = c.items.create(dataset, input={"n": 3}, expected_output="three")
    return History(str(dataset.id), name, str(first.id), str(second.id), str(third.id))


def versions_of(server: RunningEmulator, item_id: str) -> list[int]:
    with client(server) as c:
        return [v.version for v in c.items.versions(item_id).results]


def ids_at(server: RunningEmulator, dataset_id: str, revision: int | None) -> list[str]:
    with client(server) as c:
        return [str(i.id) for i in c.items.iter(dataset_id, revision=revision)]


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def badge(app: Any) -> str:
    """The view badge of the header, "" when it is not shown."""
    label = app.screen.query_one(AppHeader).query_one("#header-view", Static)
    return str(label.render()) if label.has_class("-on") else ""


async def open_dataset(pilot: Any, name: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ItemsScreen)


async def open_revisions(pilot: Any) -> RevisionsScreen:
    await pilot.press("R")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RevisionsScreen)
    return screen


async def highlight(pilot: Any, key: str) -> None:
    """Move the revisions table's cursor to the row ``key`` ("current", "5", ...)."""
    keys = table_keys(pilot.app, "#revisions-table")
    table = pilot.app.screen.query_one("#revisions-table", DataTable)
    table.move_cursor(row=keys.index(key), animate=False)
    await pilot.pause()


# -- revisions --------------------------------------------------------------------------------


async def test_the_revisions_list_matches_the_server(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    history = make_history(server)
    with client(server) as c:
        on_server = c.datasets.revisions(history.dataset_id).results
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await open_revisions(pilot)
        # the current dataset first, then every revision newest first
        assert table_keys(app, "#revisions-table") == ["current", "5", "4", "3", "2", "1"]
        assert [r.revision for r in on_server] == [5, 4, 3, 2, 1]
        assert "5 of 5 loaded" in text_of(app, "#revisions-count")
        for revision in on_server:
            await highlight(pilot, str(revision.revision))
            detail = text_of(app, "#revisions-detail")
            assert f"revision {revision.revision}" in detail and str(revision.id) in detail
        # y copies the number and the id, and says so
        await highlight(pilot, "3")
        await pilot.press("y")
        third = next(r for r in on_server if r.revision == 3)
        assert app.clipboard == f"revision 3 {third.id}"
        assert ("information", f"Copied revision 3 ({third.id})") in notifications(app)
        assert "Compare" in footer_text(app) and "Mark" in footer_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ItemsScreen)
        assert app.model.state.page.revision is None


async def test_more_revisions_load_a_hundred_at_a_time(
    v2_demo_server: RunningEmulator, tmp_path: Path
) -> None:
    with client(v2_demo_server) as c:
        dataset_id = dataset_named(v2_demo_server, "edge-cases")
        total = c.datasets.revisions(dataset_id, limit=1).count
    assert total == 163  # the demo's edge-cases: 74 items, 89 later versions
    app = build_app(v2_demo_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, "edge-cases")
        await open_revisions(pilot)
        keys = table_keys(app, "#revisions-table")
        assert keys == ["current", *(str(n) for n in range(163, 63, -1)), "more"]
        assert "100 of 163 loaded" in text_of(app, "#revisions-count")
        assert "Load more" in footer_text(app)
        await highlight(pilot, "more")
        await pilot.press("enter")
        await settle(pilot)
        keys = table_keys(app, "#revisions-table")
        assert keys == ["current", *(str(n) for n in range(163, 0, -1))]
        assert "163 of 163 loaded" in text_of(app, "#revisions-count")
        assert "Load more" not in footer_text(app)


async def test_a_past_revision_is_shown_read_only_and_writes_do_nothing(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    history = make_history(server)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        assert "Edit" in footer_text(app) and badge(app) == ""
        await open_revisions(pilot)
        await highlight(pilot, "2")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        # the items as of revision 2: item 2 live, item 1 not yet corrected
        assert sorted(table_keys(app, "#items-table")) == sorted(
            ids_at(server, history.dataset_id, 2)
        )
        assert set(table_keys(app, "#items-table")) == {history.first, history.second}
        assert badge(app) == "REVISION 2 · READ-ONLY"
        assert "revision 2 (read-only)" in text_of(app, "#items-dataset")
        offered = footer_text(app)
        assert "Current revision" in offered
        for write in ("Edit", "Add", "Archive", "Undo"):
            assert write not in offered.split(), write
        # d and e do nothing to the server (and open no editor)
        table = app.screen.query_one("#items-table", DataTable)
        table.move_cursor(row=table_keys(app, "#items-table").index(history.first))
        await pilot.press("d", "e", "a")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert versions_of(server, history.first) == [2, 1]
        assert versions_of(server, history.second) == [2, 1]
        # inspecting works as usual: the version of then, and no edit key
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        selection = app.model.state.selection
        assert isinstance(selection, VersionedItem) and selection.expected_output == "one"
        assert "Edit" not in footer_text(app).split()
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, EditorScreen)
        await pilot.press("escape")
        await settle(pilot)
        # escape goes back to the current revision, editable again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert app.model.state.page.revision is None and badge(app) == ""
        assert set(table_keys(app, "#items-table")) == {history.first, history.third}
        assert "Edit" in footer_text(app)


async def test_the_current_entry_of_the_revisions_goes_back_to_the_live_items(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    history = make_history(server)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await open_revisions(pilot)
        await highlight(pilot, "4")
        await pilot.press("enter")
        await settle(pilot)
        assert badge(app) == "REVISION 4 · READ-ONLY"
        assert set(table_keys(app, "#items-table")) == {history.first}
        await open_revisions(pilot)
        # the revision shown is highlighted and said so
        assert (
            table_keys(app, "#revisions-table")[app.screen.query_one(DataTable).cursor_row] == "4"
        )
        await highlight(pilot, "current")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen) and badge(app) == ""
        assert set(table_keys(app, "#items-table")) == {history.first, history.third}


async def test_compare_shows_the_counts_and_a_changed_items_diff(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    history = make_history(server)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await open_revisions(pilot)
        # none marked: the highlighted revision with the newest
        await highlight(pilot, "2")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert text_of(app, "#compare-summary") == "revision 2 → 5: 1 added, 1 changed, 1 archived"
        table = app.screen.query_one("#compare-table", DataTable)
        kinds = {str(table.get_row(key)[0]): key for key in table_keys(app, "#compare-table")}
        assert kinds == {
            "added": history.third,
            "changed": history.first,
            "archived": history.second,
        }
        # the changed item's diff, its changed words marked
        table.move_cursor(row=table_keys(app, "#compare-table").index(history.first))
        view = app.screen.query_one(DiffView)
        await wait_for(pilot, lambda: '+"one, corrected"' in view.text)
        assert view.text.splitlines() == [
            "# Expected output: +1 -1",
            "@@ -1 +1 @@",
            '-"one"',
            '+"one, corrected"',
        ]
        await app.workers.wait_for_complete()
        await pilot.pause()
        mark = view.get_component_rich_style("diff-view--added-word", partial=True)
        marked = [
            segment.text
            for y in range(view.scrollable_content_region.height)
            for segment in view.render_line(y)
            if (segment.style or Style()).bgcolor == mark.bgcolor and segment.text.strip()
        ]
        assert "".join(marked).strip() == ", corrected"
        assert history.first in text_of(app, "#compare-item")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RevisionsScreen)
        # a marked revision with the highlighted one
        await highlight(pilot, "3")
        await pilot.press("space")
        assert "marked 3" in text_of(app, "#revisions-count")
        await highlight(pilot, "4")
        await pilot.press("c")
        await settle(pilot)
        assert text_of(app, "#compare-summary") == "revision 3 → 4: 1 archived"
        assert table_keys(app, "#compare-table") == [history.second]


# -- the archived items and datasets ----------------------------------------------------------


async def test_the_archived_items_are_listed_and_restore_brings_one_back(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    history = make_history(server)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await pilot.press("A")
        await settle(pilot)
        assert table_keys(app, "#items-table") == [history.second]
        assert "archived items" in text_of(app, "#items-dataset")
        assert badge(app) == "ARCHIVED ITEMS"
        offered = footer_text(app).split()
        assert "Restore" in offered and "Live" in offered
        for write in ("Edit", "Add", "Archive"):
            assert write not in offered, write
        await pilot.press("e", "d")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen) and versions_of(server, history.second) == [2, 1]
        await pilot.press("U")
        await settle(pilot)
        with client(server) as c:
            restored = c.items.get(history.second)
        assert isinstance(restored, VersionedItem) and not restored.archived
        assert history.second in ids_at(server, history.dataset_id, None)
        await wait_for(pilot, lambda: table_keys(app, "#items-table") == [])
        # escape: the live items again, the restored one among them
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen) and badge(app) == ""
        assert set(table_keys(app, "#items-table")) == {
            history.first,
            history.second,
            history.third,
        }


async def test_the_archived_datasets_are_listed_and_restore_brings_one_back(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    with client(server) as c:
        kept = c.datasets.create("kept")
        gone = c.datasets.create("gone")
        c.datasets.archive(gone.id)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_keys(app, "#datasets-table") == [str(kept.id)]
        await pilot.press("A")
        await settle(pilot)
        assert table_keys(app, "#datasets-table") == [str(gone.id)]
        assert app.screen.query_one(AppHeader).context == "Archived datasets"
        offered = footer_text(app).split()
        assert "Restore" in offered and "Create" not in offered and "Archive" not in offered
        await pilot.press("U")
        await settle(pilot)
        with client(server) as c:
            assert str(gone.id) in {str(d.id) for d in c.datasets.iter()}
            assert list(c.datasets.iter(archived=True)) == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        assert set(table_keys(app, "#datasets-table")) == {str(kept.id), str(gone.id)}


async def test_the_v2_trash_jumps_to_everything_archived(
    v2_factory: V2Factory, tmp_path: Path
) -> None:
    server = v2_factory()
    history = make_history(server)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        # item 2 was archived elsewhere: not in this machine's trash, but on the server
        assert "A shows everything archived on the server" in text_of(app, "#trash-status")
        assert "All archived" in footer_text(app)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert table_keys(app, "#items-table") == [history.second]


# -- export -----------------------------------------------------------------------------------


def rows_in(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def exported_files(folder: Path) -> list[str]:
    """The export files in ``folder``, whole (``.jsonl``) or partial (``.part``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".jsonl", ".part")))


async def test_export_writes_the_items_of_the_revision_shown(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    history = make_history(server)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await open_revisions(pilot)
        await highlight(pilot, "3")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path", Input)
        revision = app.screen.query_one("#export-revision", Input)
        assert path.value == f"{history.name}-r3.jsonl" and revision.value == "3"
        # a missing directory is said in the dialog, and what was typed stays
        path.value = "missing/x.jsonl"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert f"There is no directory {out / 'missing'}" in text_of(app, "#export-status")
        assert path.value == "missing/x.jsonl" and revision.value == "3"
        path.value = f"{history.name}-r3.jsonl"
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
        written = out / f"{history.name}-r3.jsonl"
        rows = rows_in(written)
        with client(server) as c:
            at_3 = {str(i.id): i for i in c.items.iter(history.dataset_id, revision=3)}
        assert {row["item_id"] for row in rows} == set(at_3) == {history.first, history.second}
        for row in rows:
            item = at_3[row["item_id"]]
            assert row["dataset_revision"] == 3
            assert (row["input"], row["expected_output"]) == (item.input, item.expected_output)
        assert not (out / "missing").exists()
        assert (
            "information",
            f"Wrote 2 rows of revision 3 to {written}.",
        ) in notifications(app)


async def test_export_defaults_to_the_newest_revision(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    history = make_history(server)
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path", Input)
        revision = app.screen.query_one("#export-revision", Input)
        assert (path.value, revision.value) == (f"{history.name}-r5.jsonl", "5")
        # another revision typed renames the file (while it has its default name)
        revision.value = "2"
        await pilot.pause()
        assert path.value == f"{history.name}-r2.jsonl"
        # empty: the newest when exported
        revision.value = ""
        await pilot.pause()
        assert path.value == f"{history.name}-r5.jsonl"
        await pilot.click("#export")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
        rows = rows_in(tmp_path / path.value)
        assert {row["item_id"] for row in rows} == {history.first, history.third}
        assert {row["dataset_revision"] for row in rows} == {5}


async def test_export_shows_its_progress_and_escape_stops_it(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory(export_delay_s=1.0)  # PostHog makes the file in the background
    history = make_history(server)
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "waiting" in text_of(app, "#export-status"))
        assert "of revision 5" in text_of(app, "#export-status")
        header = app.screen_stack[-2].query_one(AppHeader)
        assert str(header.query_one("#header-busy", Static).render()) == "exporting…"
        await pilot.press("escape")  # stops it: no file, no partial file
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
        assert exported_files(tmp_path) == []
        # again, to the end
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
        assert len(rows_in(tmp_path / f"{history.name}-r5.jsonl")) == 2


async def test_export_works_in_read_only_mode(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    history = make_history(server)
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, history.name)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)  # offered: exporting only reads
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
        rows = rows_in(tmp_path / f"{history.name}-r5.jsonl")
        assert {row["item_id"] for row in rows} == {history.first, history.third}


# -- classic ----------------------------------------------------------------------------------


async def test_classic_says_plainly_there_is_no_history_or_archive_and_exports(
    emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = emulator_factory("none")
    dataset_id, ids = make_dataset(server, [{"input": {"q": "a"}, "output": "b"}])
    with client(server) as c:
        name = c.datasets.get(dataset_id).name
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path, read_only=True)  # export reads: offered all the same
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await settle(pilot)
        assert (
            "information",
            "The classic API cannot list deleted datasets; the trash lists those deleted from"
            " this machine.",
        ) in notifications(app)
        await open_dataset(pilot, name)
        await pilot.press("A")
        await settle(pilot)
        assert (
            "information",
            "The classic API cannot list deleted items; the trash lists those deleted from"
            " this machine.",
        ) in notifications(app)
        assert not app.model.state.page.archived and badge(app) == ""
        await open_revisions(pilot)
        assert text_of(app, "#revisions-empty") == NO_HISTORY
        assert not app.screen.query_one("#revisions-table", DataTable).display
        await pilot.press("escape")
        await pilot.press("T")
        await settle(pilot)
        assert "All archived" not in footer_text(app)
        await pilot.press("escape")
        # export: the live items, no revision
        await pilot.press("x")
        await settle(pilot)
        path = app.screen.query_one("#export-path", Input)
        assert path.value == f"{name}.jsonl"
        assert app.screen.query_one("#export-revision", Input).disabled
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
        rows = rows_in(tmp_path / f"{name}.jsonl")
        assert [row["item_id"] for row in rows] == ids
        assert rows[0]["dataset_revision"] is None and rows[0]["expected_output"] == "b"
