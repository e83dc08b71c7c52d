"""History through the model (v2): an item's versions and their diffs, restoring a version,
a dataset's revisions, the dataset as of a revision, comparing revisions, the archived views.
On classic each says plainly that the server keeps no history (the classic tests at the end)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api.errors import Conflict, ReadOnlyError, Unsupported
from explorer.api.models import VersionedItem
from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator, start_emulator
from tests.model.conftest import MakeModel, edit_elsewhere, make_dataset, sync_client


@pytest.fixture(scope="session", params=["v2"])
def generation(request: pytest.FixtureRequest) -> str:
    """Pins this module's servers to v2 (the classic tests start their own)."""
    return str(request.param)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[RunningEmulator]:
    """A v2 demo server of this module's own (the session's is keyed by the classic/v2
    parameter's index, which this module's pin would share)."""
    running = start_emulator("demo", api="v2")
    try:
        yield running
    finally:
        running.server.stop()


def versions_on_server(server: RunningEmulator, item_id: str) -> list[VersionedItem]:
    with sync_client(server) as client:
        page = client.items.versions(item_id, limit=100)
    return [v for v in page.results if isinstance(v, VersionedItem)]


def demo_item_with_history(server: RunningEmulator, name: str, at_least: int) -> VersionedItem:
    """An item of the v2 demo dataset ``name`` with ``at_least`` versions."""
    with sync_client(server) as client:
        dataset = next(d for d in client.datasets.list(search=name).results if d.name == name)
        for item in client.items.iter(dataset, archived=False):
            assert isinstance(item, VersionedItem)
            if item.version >= at_least:
                return item
    raise AssertionError(f"no item of {name} has {at_least} versions")


def new_item(server: RunningEmulator, versions: list[dict[str, Any]]) -> tuple[str, str]:
    """A fresh dataset with one item saved once per entry of ``versions`` (fields to set)."""
    dataset = make_dataset(server)
    with sync_client(server) as client:
        item = client.items.create(dataset, **versions[0])
        for fields in versions[1:]:
            assert isinstance(item, VersionedItem)
            item = client.items.update(item.id, item.version, **fields)
    return str(dataset.id), str(item.id)


async def test_history_of_a_demo_item_lists_every_version_newest_first(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    item = demo_item_with_history(demo_server, "customer-support-evals", 3)
    model = await make_model(demo_server)
    await model.load_history(str(item.id))

    history = model.state.history
    assert history is not None and history.supported
    numbers = [entry.version for entry in history.versions]
    assert numbers == list(range(item.version, 0, -1))
    assert history.versions[-1].change.startswith("created")
    server = {v.version: v for v in versions_on_server(demo_server, str(item.id))}
    for entry in history.versions:
        assert entry.version_id == str(server[entry.version].version_id)
        assert entry.revision == server[entry.version].dataset_revision
        assert entry.who and entry.when == server[entry.version].version_created_at
    # every later version says what it changed (or that it archived/restored)
    for entry in history.versions[:-1]:
        assert entry.change.startswith(("edited", "archived", "restored", "no change"))


async def test_diff_between_two_versions_names_the_changed_fields_and_words(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    long = "The refund was issued to the original card."
    _, item_id = new_item(
        demo_server,
        [
            {"input": {"q": "refund?"}, "expected_output": long},
            {"expected_output": long + " It takes 5 days to show."},
            {"metadata": {"reviewed": True}},
        ],
    )
    model = await make_model(demo_server)
    await model.load_history(item_id)
    history = model.state.history
    assert history is not None
    assert [e.change for e in history.versions] == [
        "edited metadata",
        "edited expected output",
        "created",
    ]

    diff = model.diff_versions(3, 1)  # either order: older first
    assert (diff.older.version, diff.newer.version) == (1, 3)
    assert list(diff.fields) == ["expected_output", "metadata"]
    added = [line for line in diff.fields["expected_output"].lines if line.kind == "added"]
    assert len(added) == 1
    start, end = added[0].spans[0]
    assert "It takes 5 days to show." in added[0].text[start:end]
    assert diff.summary == "v1 → v3: expected output, metadata changed"

    with pytest.raises(ValueError, match="no version 9"):
        model.diff_versions(1, 9)


async def test_restore_an_earlier_version_of_a_live_item_and_undo_it(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset_id, item_id = new_item(
        demo_server,
        [
            {"input": {"q": "a"}, "expected_output": "first answer"},
            {"expected_output": "a bad edit", "metadata": {"by": "bot"}},
        ],
    )
    model = await make_model(demo_server)
    await model.open_dataset(dataset_id)
    await model.select(item_id)
    await model.load_history()
    await model.restore_version(1)

    versions = versions_on_server(demo_server, item_id)
    assert [v.version for v in versions] == [3, 2, 1]
    assert versions[0].expected_output == "first answer" and versions[0].metadata == {}
    assert model.state.notice is not None
    assert model.state.notice.message == f"Restored v1 of item {item_id[-8:]}: it is v3 now."
    history = model.state.history
    assert history is not None and history.current is not None
    assert history.current.version == 3
    assert history.current.change == "edited expected output, metadata"
    selection = model.state.selection
    assert isinstance(selection, VersionedItem) and selection.version == 3
    assert model.state.page.items[0].version == 3  # type: ignore[union-attr]

    await model.undo()
    versions = versions_on_server(demo_server, item_id)
    assert versions[0].version == 4
    assert versions[0].expected_output == "a bad edit"
    assert versions[0].metadata == {"by": "bot"}


async def test_restore_refuses_when_the_item_changed_since_the_history_was_shown(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    _, item_id = new_item(
        demo_server,
        [{"input": {"q": "b"}, "expected_output": "one"}, {"expected_output": "two"}],
    )
    model = await make_model(demo_server)
    await model.load_history(item_id)
    edit_elsewhere(demo_server, item_id, answer="three (someone else)")

    with model.collect_notices() as notices:
        await model.restore_version(1)

    assert [v.version for v in versions_on_server(demo_server, item_id)] == [3, 2, 1]
    error = notices[-1].error
    assert isinstance(error, Conflict) and error.code == "stale_version"
    assert "changed since its history was shown (now v3" in notices[-1].message
    history = model.state.history
    assert history is not None and history.current is not None
    assert history.current.version == 3  # reloaded: the user sees the newer version


async def test_restore_a_version_of_an_archived_item_brings_it_back(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset_id, item_id = new_item(
        demo_server,
        [{"input": {"q": "c"}, "expected_output": "good"}, {"expected_output": "worse"}],
    )
    with sync_client(demo_server) as client:
        client.items.archive(item_id, 2)
    model = await make_model(demo_server)
    await model.load_history(item_id)
    history = model.state.history
    assert history is not None and history.versions[0].change == "archived"

    await model.restore_version(1)

    current = versions_on_server(demo_server, item_id)[0]
    assert (current.version, current.archived, current.expected_output) == (4, False, "good")
    await model.open_dataset(dataset_id)
    assert [str(i.id) for i in model.state.page.items] == [item_id]


async def test_restoring_over_unsaved_edits_is_refused(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset_id, item_id = new_item(
        demo_server, [{"input": {"q": "d"}, "expected_output": "x"}, {"expected_output": "y"}]
    )
    model = await make_model(demo_server)
    await model.open_dataset(dataset_id)
    await model.select(item_id)
    await model.edit_field("expected_output", '"my draft"')
    await model.load_history()
    with model.collect_notices() as notices:
        await model.restore_version(1)
    assert "unsaved edits" in notices[-1].message
    assert len(versions_on_server(demo_server, item_id)) == 2
    assert model.state.editor is not None and model.state.editor.dirty


async def test_revisions_open_read_only_and_compare(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(demo_server)
    with sync_client(demo_server) as client:
        first = client.items.create(dataset, input={"n": 1}, expected_output="one")  # r1
        second = client.items.create(dataset, input={"n": 2}, expected_output="two")  # r2
        assert isinstance(first, VersionedItem) and isinstance(second, VersionedItem)
        client.items.update(first.id, 1, expected_output="one, corrected")  # r3
        client.items.archive(second.id, 1)  # r4
        third = client.items.create(dataset, input={"n": 3})  # r5
    model = await make_model(demo_server)
    await model.open_dataset(str(dataset.id))

    await model.load_revisions()
    revisions = model.state.revisions
    assert revisions is not None and revisions.total == 5
    assert [r.number for r in revisions.revisions] == [5, 4, 3, 2, 1]
    assert all(r.id and r.who for r in revisions.revisions)

    await model.open_revision(2)
    page = model.state.page
    assert page.revision == 2 and page.view_label == "revision 2 (read-only)"
    assert model.state.page_read_only
    assert {str(i.id) for i in page.items} == {str(first.id), str(second.id)}
    await model.select(str(first.id))
    selection = model.state.selection
    assert isinstance(selection, VersionedItem) and selection.expected_output == "one"
    assert model.state.editor is not None and model.state.editor.read_only
    with model.collect_notices() as notices:
        await model.delete_item(str(first.id))
    assert isinstance(notices[-1].error, ReadOnlyError)
    assert "while revision 2 is shown" in notices[-1].message
    assert versions_on_server(demo_server, str(first.id))[0].archived is False

    await model.compare_revisions(2)  # to the newest
    compare = model.state.compare
    assert compare is not None and (compare.older, compare.newer) == (2, 5)
    kinds = {change.kind: change for change in compare.changes}
    assert str(kinds["added"].item_id) == str(third.id)
    assert str(kinds["changed"].item_id) == str(first.id)
    assert str(kinds["archived"].item_id) == str(second.id)
    assert compare.summary == "revision 2 → 5: 1 added, 1 changed, 1 archived"
    diff = model.diff_change(kinds["changed"])
    assert list(diff) == ["expected_output"]

    await model.open_revision(None)
    assert model.state.page.revision is None and not model.state.page_read_only
    assert {str(i.id) for i in model.state.page.items} == {str(first.id), str(third.id)}


async def test_archived_items_and_datasets_views_and_restore(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(demo_server, items=3)
    model = await make_model(demo_server)
    await model.open_dataset(str(dataset.id))
    gone = str(model.state.page.items[0].id)
    await model.delete_item(gone)

    await model.show_archived_items(True)
    assert model.state.page.archived and model.state.page_read_only
    assert [str(i.id) for i in model.state.page.items] == [gone]
    await model.restore_item(gone)
    with sync_client(demo_server) as client:
        assert client.items.get(gone).archived is False  # type: ignore[union-attr]
    await model.show_archived_items(False)
    assert len(model.state.page.items) == 3

    await model.delete_dataset(str(dataset.id))
    await model.show_archived_datasets(True)
    assert model.state.datasets.archived
    assert str(dataset.id) in {str(d.id) for d in model.state.datasets.datasets}
    await model.show_archived_datasets(False)
    assert str(dataset.id) not in {str(d.id) for d in model.state.datasets.datasets}


async def history_on_classic(model: ExplorerModel, item_id: str) -> None:
    with model.collect_notices() as notices:
        await model.load_history(item_id)
    history = model.state.history
    assert history is not None and not history.supported
    assert "classic datasets API keeps no history" in history.message
    assert isinstance(notices[-1].error, Unsupported)
    with model.collect_notices() as notices:
        await model.show_archived_items(True)
    assert isinstance(notices[-1].error, Unsupported)
    assert "trash" in notices[-1].message
    assert not model.state.page.archived
    with model.collect_notices() as notices:
        await model.load_revisions()
    assert model.state.revisions is not None and not model.state.revisions.supported


async def test_classic_says_there_is_no_history(make_model: MakeModel) -> None:
    server = start_emulator("none", api="classic")
    try:
        dataset = make_dataset(server, items=1)
        model = await make_model(server)
        await model.open_dataset(str(dataset.id))
        await history_on_classic(model, str(model.state.page.items[0].id))
    finally:
        server.server.stop()


async def test_export_through_the_model_reports_progress_and_writes_the_revision(
    demo_server: RunningEmulator, make_model: MakeModel, tmp_path: Path
) -> None:
    dataset_id, item_id = new_item(
        demo_server, [{"input": {"q": "e"}, "expected_output": "old"}, {"expected_output": "new"}]
    )
    model = await make_model(demo_server)
    seen: list[str] = []
    model.subscribe(lambda change: seen.append(change.command))
    await model.open_dataset(dataset_id)
    await model.open_revision(1)
    target = tmp_path / "pinned.jsonl"

    await model.export_dataset(target)  # pinned to the revision shown

    export = model.state.export
    assert export is not None and export.phase == "done" and export.revision == 1
    assert export.message == f"Wrote 1 row of revision 1 to {target}."
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(r["item_id"], r["expected_output"], r["version"]) for r in rows] == [
        (item_id, "old", 1)
    ]
    assert "export_progress" in seen and seen[-1] == "export_dataset"

    with model.collect_notices() as notices:
        await model.export_dataset(tmp_path / "missing" / "x.jsonl")
    assert notices[-1].level == "error" and notices[-1].error is not None
    assert "cannot write" in notices[-1].message and "journal" not in notices[-1].message
    assert model.state.export is not None and model.state.export.phase == "failed"


async def test_undo_a_restore_of_an_item_archived_elsewhere(
    demo_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(demo_server, items=2)
    with sync_client(demo_server) as client:
        item = client.items.list(dataset, limit=1).results[0]
        assert isinstance(item, VersionedItem)
        client.items.archive(item.id, item.version)  # by someone else: not in our trash
    model = await make_model(demo_server)
    await model.open_dataset(str(dataset.id))
    await model.show_archived_items(True)
    await model.restore_item(str(item.id))
    assert versions_on_server(demo_server, str(item.id))[0].archived is False

    await model.undo()

    assert versions_on_server(demo_server, str(item.id))[0].archived is True
    assert model.state.notice is not None and "Cannot undo" not in model.state.notice.message
