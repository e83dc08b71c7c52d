"""Search, marks and bulk actions in the panel, pure Python against the embedded server, on both
API generations: typing a query shows its matches in the grid (a bad one says why under the box,
in plain text); the grid's checkbox column marks rows (click, shift-click, the header, "Mark all N
results"); a bulk action asks once, showing the model's plan, runs with a progress bar and one
Undo reverts it; a DataFrame of the results edited and applied back, conflict-checked; Import…
and Export… of the search results. What is asserted is what a user sees and what the server holds.

A message "from the browser" goes in where ipywidgets hands a custom message to a widget
(``_handle_custom_msg``), as the kernel does when the grid's JavaScript calls ``model.send``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client
from explorer.model import Change
from explorer.model.bulk import BulkRefused
from explorer.model.frames import ApplyFailed
from explorer.model.search import QueryError
from tests._emulator import RunningEmulator
from tests.widgets._panel_helpers import (
    client_for,
    dataset_id,
    descendants,
    is_removed,
    make_panel,
    row_ids,
    text_of,
    turn_page,
    update_on_server,
)
from widgets import DatasetPanel
from widgets._bulk_api import FrameChanges

pandas = pytest.importorskip("pandas")

SUPPORT = "customer-support-evals"
REFUNDS = "metadata.tags:refunds"


@pytest.fixture
def running(emulator_factory: Any, generation: str) -> RunningEmulator:
    started: RunningEmulator = emulator_factory("demo", api=generation)
    return started


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path, retries=0)
    yield built
    built.close()


@pytest.fixture
def client(running: RunningEmulator) -> Iterator[Client]:
    with client_for(running) as c:
        yield c


def refund_ids(client: Client, dataset: str) -> set[str]:
    """The live items of ``dataset`` tagged ``refunds``, as the server holds them."""
    return {
        str(item.id)
        for item in client.items.iter(dataset=dataset)
        if isinstance(item.metadata, dict) and "refunds" in (item.metadata.get("tags") or [])
    }


def from_browser(panel: DatasetPanel, **content: Any) -> None:
    """The grid's JavaScript sent ``content``; then the panel's tasks run."""
    panel._rows.grid._handle_custom_msg(content, [])
    panel.wait()


def type_query(panel: DatasetPanel, text: str) -> None:
    """Typing in the search box over the grid, then a pause (the debounce runs out)."""
    panel._search.text.value = text
    panel.wait()


def message(panel: DatasetPanel) -> str:
    return text_of(panel._search.message.value)


def open_support(panel: DatasetPanel) -> str:
    found = dataset_id(panel, SUPPORT)
    panel._picker.choice.value = found
    panel.wait()
    return found


# -- searching -----------------------------------------------------------------------------------


def test_typing_a_query_shows_its_matches_and_the_grid_pages_them(
    panel: DatasetPanel, client: Client
) -> None:
    support = open_support(panel)
    assert not panel._bulk.built  # nothing marked yet: the bar is one empty box
    live = client.items.list(dataset=support, limit=1).count
    expected = refund_ids(client, support)
    progress: list[str] = []

    def seen(change: Change) -> None:  # after the panel redrew: what the user sees then
        if change.command == "search_progress":
            progress.append(message(panel))

    panel.model.subscribe(seen)
    type_query(panel, REFUNDS)
    assert any(line.startswith("… Indexing:") for line in progress), progress  # as it went
    assert panel.state.page.query == REFUNDS and panel.state.page.total == len(expected)
    first = row_ids(panel)
    assert len(first) == 50 and set(first) <= expected
    assert f"{len(expected):,} items match {REFUNDS}" in message(panel)
    assert panel._search.mark_all.description == f"Mark all {len(expected):,} results"
    turn_page(panel, forward=True)  # the results page as the dataset's list does
    assert set(row_ids(panel)) <= expected and not set(row_ids(panel)) & set(first)
    assert panel.state.page.page_number == 2

    # Enter searches at once (the box's view sends "submit")
    with panel._search.quiet():
        panel._search.text.value = f"{REFUNDS} -escalation"
    panel._search.text._handle_custom_msg({"event": "submit"}, [])
    panel.wait()
    assert panel.state.page.query == f"{REFUNDS} -escalation"
    assert 0 < panel.state.page.total < len(expected)

    # a query that cannot be read: why, under the box, and the results stay
    shown = row_ids(panel)
    type_query(panel, 'metadata.tags:refunds version>"<b>1</b>"')
    said = message(panel)
    assert "Cannot search: version> takes a whole number, not '<b>1</b>'." in said
    assert "<b>" in said  # the user's text as text, never markup
    type_query(panel, "metadata.tags:refunds nosuch:field")
    assert "Cannot search: nosuch: is not a field to search; use one of" in message(panel)
    assert row_ids(panel) == shown and panel._search.text.value.startswith(REFUNDS)
    assert panel._search.mark_all.layout.display == "none"

    # × shows the dataset's own list again
    panel._search.clear.click()
    panel.wait()
    assert panel.state.page.query == "" and panel.state.page.total == live
    assert panel._search.text.value == "" and message(panel) == ""
    help_line = text_of(panel._search.help.value)
    for example in ("metadata.tags:refunds", "expected_output:null", "has:trace"):
        assert example in help_line
    assert "archived:true" in help_line and "version>1" in help_line and "-term" in help_line


def test_search_scripting_raises_what_went_wrong(panel: DatasetPanel, client: Client) -> None:
    with pytest.raises(ValueError, match="No dataset is open"):
        panel.search(REFUNDS)
    support = open_support(panel)
    panel.search(REFUNDS)
    assert panel._search.text.value == REFUNDS  # the box shows what the grid shows
    assert {str(i.id) for i in panel.items} <= refund_ids(client, support)
    with pytest.raises(QueryError, match="archived: takes true, false or any"):
        panel.search("archived:maybe")
    assert "archived: takes true" in message(panel)
    panel.clear_search()
    assert panel.state.page.query == ""
    with pytest.raises(BulkRefused, match="Nothing is marked"):
        panel.bulk_archive()


# -- marks -----------------------------------------------------------------------------------------


def test_marks_by_click_shift_click_the_header_and_all_results(
    panel: DatasetPanel, client: Client
) -> None:
    support = open_support(panel)
    grid = panel._rows.grid
    assert grid.markable
    ids = row_ids(panel)
    from_browser(panel, type="mark", id=ids[1], on=True, seq=1)
    assert panel.marked == [ids[1]] and grid.marked == [ids[1]] and grid.mark_ack == 1
    assert panel._bulk.built and "1 marked" in text_of(panel._bulk.count.value)
    from_browser(panel, type="mark_range", **{"from": ids[1]}, id=ids[4], seq=2)  # shift-click
    assert panel.marked == ids[1:5] and grid.marked == ids[1:5] and grid.mark_ack == 2
    from_browser(panel, type="mark", id=ids[2], on=False, seq=3)  # a click unticks
    assert panel.marked == [ids[1], ids[3], ids[4]]
    from_browser(panel, type="mark_page", ids=ids, on=True, seq=4)  # the header's checkbox
    assert set(panel.marked) == set(ids) and grid.marked == ids
    assert "50 marked" in text_of(panel._bulk.count.value)
    from_browser(panel, type="mark_page", ids=ids, on=False, seq=5)
    assert panel.marked == [] and grid.marked == []
    assert panel._bulk.bar.layout.display == "none"

    expected = refund_ids(client, support)
    type_query(panel, REFUNDS)
    panel._search.mark_all.click()  # "Mark all N results"
    panel.wait()
    assert set(panel.marked) == expected
    assert f"{len(expected):,} marked" in text_of(panel._bulk.count.value)
    assert set(row_ids(panel)) <= set(grid.marked)  # every row shown is ticked
    ahead = {row["id"] for row in grid.ahead["next"]["rows"]}
    assert ahead <= set(grid.marked)  # and those of the page sent ahead
    panel._bulk.clear.click()
    panel.wait()
    assert panel.marked == [] and panel._bulk.box.layout.display == "none"


def test_the_widget_count_stays_flat_whatever_is_marked(panel: DatasetPanel) -> None:
    open_support(panel)
    panel._rows.size.value = 10
    panel.wait()
    from_browser(panel, type="mark_page", ids=row_ids(panel), on=True, seq=1)
    count = len(descendants(panel.widget))
    panel._rows.size.value = 200
    panel.wait()
    from_browser(panel, type="mark_page", ids=row_ids(panel), on=True, seq=2)
    assert len(panel.marked) == 200 and len(descendants(panel.widget)) == count


# -- bulk actions ----------------------------------------------------------------------------------


def test_archive_the_results_of_a_search_after_one_confirmation_and_undo_it_whole(
    panel: DatasetPanel, client: Client
) -> None:
    support = open_support(panel)
    expected = refund_ids(client, support)
    n = len(expected)
    type_query(panel, REFUNDS)
    panel._search.mark_all.click()
    panel.wait()
    bulk = panel._bulk
    bulk.archive.click()
    panel.wait()
    plan = text_of(bulk.plan_html.value)
    verb = panel.state.schema.remove_label  # Archive on v2, Delete on classic
    assert f"{verb} {n:,} items of {SUPPORT}" in plan
    assert bulk.confirming.layout.display == "" and not bulk.confirm.disabled
    assert f"{n:,} items" in bulk.confirm.description
    assert not any(is_removed(client, i) for i in list(expected)[:5])  # nothing sent yet
    bulk.confirm.click()
    panel.wait()
    assert all(is_removed(client, i) for i in expected)  # the server holds them archived
    assert refund_ids(client, support) == set()
    result = text_of(bulk.result.value)
    assert f"{n:,} done, 0 skipped, 0 failed" in result
    assert bulk.progress.value == n and bulk.progress.max == n  # the bar went to the end
    assert panel.state.page.total == 0 and row_ids(panel) == []  # no match left
    assert panel.marked == []  # archived: they left the view they were marked in
    undo = panel._actions.undo
    assert undo.description == f"Undo {panel.state.schema.remove_verb} {n:,} items"
    undo.click()  # the panel's Undo: the whole batch
    panel.wait()
    assert refund_ids(client, support) == expected
    assert not any(is_removed(client, i) for i in expected)
    assert f"{n:,} done" in text_of(bulk.result.value)
    assert panel.state.page.total == n  # the search shows them again


def test_set_metadata_on_marked_rows_and_a_refused_plan_cannot_be_confirmed(
    panel: DatasetPanel, client: Client, generation: str
) -> None:
    open_support(panel)
    ids = row_ids(panel)
    from_browser(panel, type="mark_range", **{"from": ids[0]}, id=ids[0], seq=1)
    from_browser(panel, type="mark", id=ids[0], on=True, seq=2)
    from_browser(panel, type="mark_range", **{"from": ids[0]}, id=ids[2], seq=3)
    assert panel.marked == ids[:3]
    bulk = panel._bulk
    bulk.set_metadata.click()
    panel.wait()
    assert bulk.form.layout.display == "" and bulk.value.layout.display == ""
    bulk.review.click()  # no key yet: it says so, nothing planned
    panel.wait()
    assert "Type the metadata key first" in text_of(bulk.prompt.value)
    bulk.key.value = "reviewed"
    bulk.value.value = "true"
    bulk.review.click()
    panel.wait()
    assert "Set metadata.reviewed to true on 3 items" in text_of(bulk.plan_html.value)
    bulk.confirm.click()
    panel.wait()
    for item_id in ids[:3]:
        assert client.items.get(item_id).metadata["reviewed"] is True
    assert "reviewed" not in client.items.get(ids[3]).metadata
    assert "3 done, 0 skipped, 0 failed" in text_of(bulk.result.value)
    panel._actions.undo.click()
    panel.wait()
    assert all("reviewed" not in client.items.get(i).metadata for i in ids[:3])

    if generation == "v2":  # PostHog's limit: 600 items per dataset, archived ones counted
        panel.open("rag-answers-golden")
        panel.mark_all()
        bulk.copy.click()
        panel.wait()
        bulk.target.value = dataset_id(panel, SUPPORT)
        bulk.review.click()
        panel.wait()
        shown = text_of(bulk.plan_html.value)
        assert "Refused:" in shown and "has room for" in shown and "600 items per dataset" in shown
        assert bulk.confirm.disabled
        bulk.cancel.click()
        panel.wait()
        assert bulk.confirming.layout.display == "none"


# -- DataFrames ------------------------------------------------------------------------------------


def test_the_results_as_a_dataframe_edited_and_applied_back_with_a_conflict(
    panel: DatasetPanel, client: Client
) -> None:
    support = open_support(panel)
    page = panel.to_pandas()  # the page, at once
    assert list(page.index) == row_ids(panel)
    panel.search(REFUNDS)
    frame = panel.to_pandas(all=True)  # every match, not one page
    assert set(frame.index) == refund_ids(client, support)
    assert all("refunds" in tags for tags in frame["metadata.tags"])
    assert {"input", "metadata", "updated_at", "archived"} <= set(frame.columns)
    mine, theirs = frame.index[0], frame.index[1]
    frame.loc[[mine, theirs], "metadata.reviewed"] = True
    update_on_server(client, theirs, metadata={"someone": "else"})  # meanwhile

    shown = panel.apply(frame)  # a dry run: the diff, nothing sent
    assert isinstance(shown, FrameChanges) and shown.dry_run
    outcomes = {r.item_id: r.outcome for r in shown.results}
    assert outcomes[mine] == "changed" and outcomes[theirs] == "conflict"
    html = shown._repr_html_()
    assert "Metadata" in text_of(html) and '+ "reviewed": true' in text_of(html)
    assert "Nothing was sent" in text_of(html)
    assert "reviewed" not in client.items.get(mine).metadata

    with pytest.raises(ApplyFailed) as raised:
        panel.apply(frame, confirm=True)
    report = raised.value.report
    assert {r.item_id: r.outcome for r in report.changed} == {mine: "saved", theirs: "conflict"}
    assert client.items.get(mine).metadata["reviewed"] is True
    assert client.items.get(theirs).metadata == {"someone": "else"}  # never overwritten
    assert "1 conflict" in panel.notice
    again = panel.apply(frame.loc[[mine]], confirm=True)  # the saved row, once more
    assert again.summary == "Nothing to save: 1 row holds what the server holds."


# -- import and export -----------------------------------------------------------------------------


def test_import_a_csv_dry_run_first_then_for_real_and_export_the_results(
    panel: DatasetPanel, client: Client, tmp_path: Path
) -> None:
    sql = str(client.datasets.create("zebras").id)
    client.items.create(sql, input={"q": "the one already there"})
    panel.open(sql)
    before = client.items.list(dataset=sql, limit=1).count
    source = tmp_path / "new.csv"
    with source.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["input", "metadata.tags", "metadata.batch"])
        writer.writerow(['{"q": "zebra one"}', '["imported"]', "b7"])
        writer.writerow(['{"q": "zebra two"}', '["imported"]', "b7"])
        writer.writerow(["", "", ""])  # a blank line
    bar = panel._bar
    bar.import_on.value = True
    panel.wait()
    view = bar.importing
    view.path.value = str(source)
    assert view.dry_run.value and view.go.description == "Check file"
    view.go.click()
    panel.wait()
    assert "Would import 2 rows into zebras (0 already there, 0 failed)." in text_of(
        view.progress.value
    )
    assert client.items.list(dataset=sql, limit=1).count == before  # nothing sent
    view.dry_run.value = False
    assert view.go.description == "Import"
    view.go.click()
    panel.wait()
    assert "Imported 2 rows into zebras" in text_of(view.progress.value)
    assert client.items.list(dataset=sql, limit=1).count == before + 2
    view.go.click()  # again: nothing twice
    panel.wait()
    assert "Imported 0 rows into zebras (2 already there" in text_of(view.progress.value)
    assert client.items.list(dataset=sql, limit=1).count == before + 2
    report = panel.import_file(source, dry_run=True)
    assert report.already == 2 and report.created == 0

    panel.search("metadata.batch:b7")
    assert panel.state.page.total == 2  # the imported items, found
    bar.export_on.value = True
    panel.wait()
    export = bar.export
    export.format.value = "csv"
    assert export.path.value.endswith(".csv") and not export.results_only.disabled
    export.results_only.value = True
    target = tmp_path / "zebras.csv"
    export.path.value = str(target)
    export.go.click()
    panel.wait()
    assert "Wrote 2 rows matching metadata.batch:b7" in text_of(export.progress.value)
    with target.open(newline="") as written:
        rows = list(csv.DictReader(written))
    assert sorted(json.loads(r["input"])["q"] for r in rows) == ["zebra one", "zebra two"]
