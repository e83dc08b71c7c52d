"""A dataset as a DataFrame and an edited DataFrame written back (`explorer.model.frames`), on both
API generations: the frame holds the server's items (a search's matches with a query), a dry run
sends nothing, applying saves only what changed (what the server holds afterwards is asserted),
a row someone else changed meanwhile is a conflict and never overwritten."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from explorer.api import AsyncClient
from explorer.api.models import AnyItem
from explorer.model.frames import ApplyFailed, apply_frame, items_frame
from explorer.model.search import QueryError
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    client_for,
    edit_elsewhere,
    make_dataset,
    requests_seen,
    server_item,
    server_items,
    sync_client,
)

pandas = pytest.importorskip("pandas")


def tagged(server: RunningEmulator, f: Fields) -> tuple[str, list[AnyItem]]:
    """A dataset of 4 items: input ``{"n": i}``, answer ``"out i"``, metadata with ``tags``
    (``refunds`` for the even ones) and ``k``."""
    with sync_client(server) as client:
        dataset = client.datasets.create("frames")
        items = [
            client.items.create(
                dataset,
                **f.item(
                    input={"n": i},
                    answer=f"out {i}",
                    metadata={"tags": ["refunds" if i % 2 == 0 else "shipping"], "k": i},
                ),
            )
            for i in range(4)
        ]
    return str(dataset.id), items


@pytest.fixture
async def client(empty_server: RunningEmulator) -> Any:
    async with client_for(empty_server) as opened:
        yield opened


async def test_the_frame_holds_the_items_and_a_query_keeps_its_matches(
    empty_server: RunningEmulator, client: AsyncClient, F: Fields
) -> None:
    dataset_id, items = tagged(empty_server, F)
    frame = await items_frame(client, dataset_id)
    assert frame.index.name == "id"
    assert sorted(frame.index) == sorted(str(i.id) for i in items)
    newest = str(items[-1].id)
    assert frame.index[0] == newest  # newest first, as the dataset's list
    row = frame.loc[newest]
    assert row["input"] == {"n": 3} and row[F.answer] == "out 3"
    assert row["metadata"] == {"tags": ["shipping"], "k": 3}
    assert row["metadata.tags"] == ["shipping"] and row["metadata.k"] == 3  # a list stays a list
    assert not row["archived"] and row["updated_at"].tzinfo is not None
    assert ("version" in frame.columns) == F.versioned
    assert ("version_id" in frame.columns) == F.versioned
    if F.versioned:
        assert row["version"] == 1
    refunds = frame[frame["metadata.tags"].map(lambda tags: "refunds" in tags)]
    assert sorted(refunds["metadata.k"]) == [0, 2]

    matches = await items_frame(client, dataset_id, query="metadata.tags:refunds")
    assert sorted(matches.index) == sorted(str(items[i].id) for i in (0, 2))
    assert list(matches["metadata.k"]) == [2, 0]
    assert list((await items_frame(client, dataset_id, query="-refunds k"))["metadata.k"]) == [
        3,
        1,
    ]
    before = requests_seen(empty_server)
    with pytest.raises(QueryError, match="nosuchfield: is not a field"):
        await items_frame(client, dataset_id, query="nosuchfield:x")
    assert requests_seen(empty_server) == before  # refused before anything was sent


async def test_apply_saves_only_what_changed_and_a_second_apply_saves_nothing(
    empty_server: RunningEmulator, client: AsyncClient, F: Fields
) -> None:
    dataset_id, items = tagged(empty_server, F)
    frame = await items_frame(client, dataset_id)
    first, second = str(items[0].id), str(items[1].id)
    frame.at[first, F.answer] = "corrected"
    frame.loc[second, "metadata.reviewed"] = True  # a new key: a new column
    frame.at[second, "metadata.k"] = float("nan")  # NaN: the key is removed

    before = requests_seen(empty_server)
    preview = await apply_frame(client, frame)  # a dry run by default
    assert requests_seen(empty_server) - before == 4  # one read per row, no write
    assert preview.dry_run and preview.count("changed") == 2 and preview.count("unchanged") == 2
    assert preview.summary == "2 of 4 rows would change; 2 unchanged."
    by_id = {r.item_id: r for r in preview.results}
    assert [(c.field, c.before, c.after) for c in by_id[first].changes] == [
        (F.answer, "out 0", "corrected")
    ]
    change = by_id[second].changes[0]
    assert change.field == "metadata" and change.after == {"tags": ["shipping"], "reviewed": True}
    assert F.answer_of(server_item(empty_server, first)) == "out 0"  # nothing sent

    report = await apply_frame(client, frame, dry_run=False)
    assert report.ok and report.summary == "Saved 2 of 4 rows; 2 unchanged."
    assert F.answer_of(server_item(empty_server, first)) == "corrected"
    assert server_item(empty_server, second).metadata == {"tags": ["shipping"], "reviewed": True}
    assert server_item(empty_server, str(items[2].id)).metadata == {"tags": ["refunds"], "k": 2}
    if F.versioned:
        assert {r.item_id: r.version for r in report.changed} == {first: 2, second: 2}

    again = await apply_frame(client, frame, dry_run=False)  # the same frame once more
    assert again.summary == "Nothing to save: 4 rows hold what the server holds."
    if F.versioned:
        versions = [getattr(i, "version", None) for i in server_items(empty_server, dataset_id)]
        assert versions == [1, 1, 2, 2]


async def test_a_row_changed_on_the_server_meanwhile_is_a_conflict_never_overwritten(
    empty_server: RunningEmulator, client: AsyncClient, F: Fields
) -> None:
    dataset_id, items = tagged(empty_server, F)
    frame = await items_frame(client, dataset_id)
    theirs, mine = str(items[0].id), str(items[1].id)
    edit_elsewhere(empty_server, theirs, answer="their answer")
    frame.at[theirs, F.answer] = "my answer"
    frame.at[mine, F.answer] = "my other answer"
    report = await apply_frame(client, frame, dry_run=False)
    assert not report.ok
    results = {r.item_id: r for r in report.results}
    assert results[theirs].outcome == "conflict"
    assert "changed on the server since the frame was read" in results[theirs].reason
    assert results[mine].outcome == "saved"  # the others are saved
    assert F.answer_of(server_item(empty_server, theirs)) == "their answer"  # kept
    assert F.answer_of(server_item(empty_server, mine)) == "my other answer"
    assert "Saved 1 of 4 rows; 2 unchanged; 1 conflict: changed on the server" in report.summary
    failed = ApplyFailed(report)
    assert failed.report is report and str(failed) == report.summary

    fresh = await items_frame(client, dataset_id)  # read again, edit again: it saves
    fresh.at[theirs, F.answer] = "my answer"
    assert (await apply_frame(client, fresh, dry_run=False)).ok
    assert F.answer_of(server_item(empty_server, theirs)) == "my answer"


async def test_rows_that_cannot_be_saved_say_why(
    empty_server: RunningEmulator, client: AsyncClient, F: Fields
) -> None:
    dataset_id, items = tagged(empty_server, F)
    frame = await items_frame(client, dataset_id)
    first, second = str(items[0].id), str(items[1].id)
    frame.at[first, "metadata"] = {"whole": "new"}  # the whole cell edited: taken as it is
    edited = pandas.concat([frame, frame.loc[[second]]])  # the same item twice
    edited = edited.drop(columns=["updated_at", "version"], errors="ignore")
    report = await apply_frame(client, edited)
    reasons = [r.reason for r in report.results]
    assert "the frame holds this item twice (first in row 3)" in reasons[-1]
    first_result = next(r for r in report.results if r.item_id == first)
    assert first_result.outcome == "refused"  # no version or updated_at to check against
    assert "the row has no" in first_result.reason and first_result.changes

    report = await apply_frame(client, frame, dry_run=False)
    assert server_item(empty_server, first).metadata == {"whole": "new"}
    if F.versioned:  # set when the item is made, never changed
        frame = await items_frame(client, dataset_id)
        frame.at[second, "source_output"] = "rewritten"
        refused = (await apply_frame(client, frame)).results
        problem = next(r for r in refused if r.item_id == second)
        assert problem.outcome == "refused" and "source_output cannot be edited" in problem.reason
    else:
        frame = await items_frame(client, dataset_id)
        frame.at[second, "ref_trace_id"] = "trace-1"  # classic links are editable
        assert (await apply_frame(client, frame, dry_run=False)).ok
        assert server_item(empty_server, second).ref_trace_id == "trace-1"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="no item ids"):
        await apply_frame(client, frame.reset_index(drop=True).set_index(pandas.Index([""] * 4)))


async def test_an_empty_dataset_is_an_empty_frame_with_its_columns(
    empty_server: RunningEmulator, client: AsyncClient, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=0)
    frame = await items_frame(client, str(dataset.id))
    assert len(frame) == 0 and {"input", F.answer, "metadata", "archived"} <= set(frame.columns)
    assert (await apply_frame(client, frame)).results == []


def test_without_pandas_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.model import frames
    from explorer.model.schema import V2

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"posthog-dataset-explorer\[pandas\]"):
        frames.items_to_frame([], V2)
