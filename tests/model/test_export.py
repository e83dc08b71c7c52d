"""`explorer.model.export`: a dataset written to a JSONL file, over real HTTP to the embedded
server. What is checked is the file a user gets: on v2 PostHog's export, equal row by row to
the items the server lists at that revision; on classic the live items in the same format; and
nothing written at all when the export fails."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import (
    ApiError,
    AsyncClient,
    Conflict,
    DatasetItem,
    Id,
    NotFound,
    Unsupported,
    VersionedItem,
)
from explorer.model.export import (
    EXPORT_KEYS,
    ExportProgress,
    _write_atomically,
    default_filename,
    export_dataset,
    read_csv_cell,
    slugify,
)
from explorer.model.search import QueryError
from tests._emulator import RunningEmulator, start_emulator
from tests.model.conftest import client_for, requests_seen

TIMESTAMP = "2025-09-05T12:34:56Z"


@pytest.fixture(scope="module")
def v2_demo() -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api="v2")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="module")
def classic_demo() -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api="classic")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def v2_empty() -> Iterator[RunningEmulator]:
    running = start_emulator("none", api="v2")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def classic_empty() -> Iterator[RunningEmulator]:
    running = start_emulator("none", api="classic")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(params=["classic", "v2"])
def any_empty(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    running = start_emulator("none", api=request.param)
    try:
        yield running
    finally:
        running.server.stop()


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The file's rows, after checking each line is one compact JSON object with the export's
    keys in order (split on "\\n" only: U+2028 inside a string is not a line break)."""
    text = path.read_text("utf-8")
    if not text:
        return []
    assert text.endswith("\n")
    rows = []
    for line in text[:-1].split("\n"):
        row = json.loads(line)
        assert json.dumps(row, ensure_ascii=False, separators=(",", ":")) == line
        assert tuple(row) == EXPORT_KEYS
        rows.append(row)
    return rows


def stamp(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def v2_row(item: VersionedItem, revision: int) -> dict[str, Any]:
    return {
        "dataset_id": str(item.dataset),
        "dataset_revision": revision,
        "item_id": str(item.id),
        "client_item_id": item.client_item_id,
        "version": item.version,
        "input": item.input,
        "expected_output": item.expected_output,
        "source_output": item.source_output,
        "metadata": item.metadata,
        "source_trace_id": item.source_trace_id,
        "source_event_id": item.source_event_id,
        "source_timestamp": stamp(item.source_timestamp),
    }


def classic_expected(item: DatasetItem) -> dict[str, Any]:
    return {
        "dataset_id": str(item.dataset),
        "dataset_revision": None,
        "item_id": str(item.id),
        "client_item_id": None,
        "version": None,
        "input": item.input,
        "expected_output": item.output,
        "source_output": None,
        "metadata": item.metadata,
        "source_trace_id": item.ref_trace_id,
        "source_event_id": item.ref_source_id,
        "source_timestamp": stamp(item.ref_timestamp),
    }


async def items_at(
    client: AsyncClient, dataset: Id, revision: int, archived: bool = False
) -> list[VersionedItem]:
    """Every item the server lists at ``revision``, page by page, oldest first (then id)."""
    found: list[VersionedItem] = []
    offset = 0
    while True:
        page = await client.items.list(
            dataset, limit=100, offset=offset, revision=revision, archived=archived
        )
        found += [i for i in page.results if isinstance(i, VersionedItem)]
        if not page.has_next:
            break
        offset += len(page.results)
    return sorted(found, key=lambda i: (i.created_at, str(i.id)))


def leftovers(folder: Path, keep: Path | None = None) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != keep)


# -- v2 ------------------------------------------------------------------------------------


async def test_v2_export_is_the_dataset_at_its_revision(
    v2_demo: RunningEmulator, tmp_path: Path
) -> None:
    archived_seen = 0
    async with client_for(v2_demo) as client:
        datasets = [d async for d in client.datasets.iter()]
        assert len(datasets) == 4
        for dataset in datasets:
            path = tmp_path / default_filename(dataset.name, None)
            result = await export_dataset(client, dataset.id, path)
            assert result.revision == getattr(dataset, "current_revision", None)
            assert result.export_id is not None and result.path == path
            rows = read_rows(path)
            active = await items_at(client, dataset.id, result.revision)
            assert rows == [v2_row(item, result.revision) for item in active]
            assert result.rows == len(rows) > 0
            archived = await items_at(client, dataset.id, result.revision, archived=True)
            assert {str(i.id) for i in archived}.isdisjoint(r["item_id"] for r in rows)
            archived_seen += len(archived)
    assert archived_seen > 0  # the demo holds archived items, and none was exported


async def test_an_export_pinned_to_an_older_revision_keeps_the_old_content(
    v2_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("pinned")
        a = await client.items.create(ds, input="a", expected_output="a1")  # revision 1
        b = await client.items.create(ds, input="b", expected_output="b1")  # revision 2
        first = await export_dataset(client, ds.id, tmp_path / "first.jsonl")
        assert (first.revision, first.rows) == (2, 2)

        await client.items.update(a.id, base_version=1, expected_output="a2")  # revision 3
        await client.items.archive(b.id, base_version=1)  # revision 4
        c = await client.items.create(ds, input="c", expected_output="c1")  # revision 5

        again = await export_dataset(client, ds.id, tmp_path / "again.jsonl", revision=2)
        assert again.revision == 2 and again.export_id != first.export_id
        assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()
        old = read_rows(tmp_path / "again.jsonl")
        assert [(r["item_id"], r["version"], r["expected_output"]) for r in old] == [
            (str(a.id), 1, "a1"),
            (str(b.id), 1, "b1"),
        ]
        assert {r["dataset_revision"] for r in old} == {2}

        newest = await export_dataset(client, ds.id, tmp_path / "newest.jsonl")
        assert newest.revision == 5
        rows = read_rows(tmp_path / "newest.jsonl")
        assert [(r["item_id"], r["version"], r["expected_output"]) for r in rows] == [
            (str(a.id), 2, "a2"),
            (str(c.id), 1, "c1"),
        ]


async def test_v2_rows_carry_the_source_fields(v2_empty: RunningEmulator, tmp_path: Path) -> None:
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("sources")
        item = await client.items.create(
            ds,
            input=[{"role": "user", "content": "Où est ma commande ?\u2028"}],
            expected_output={"answer": "demain", "n": 12345678901234567890},
            source_output="I don't know.",
            metadata={"tag": "日本"},
            source_trace_id="trace-1",
            source_event_id="event-1",
            source_timestamp=TIMESTAMP,
            client_item_id="case-1",
        )
        path = tmp_path / "out.jsonl"
        await export_dataset(client, ds.id, path)
    [row] = read_rows(path)
    assert row == {
        "dataset_id": str(ds.id),
        "dataset_revision": 1,
        "item_id": str(item.id),
        "client_item_id": "case-1",
        "version": 1,
        "input": [{"role": "user", "content": "Où est ma commande ?\u2028"}],
        "expected_output": {"answer": "demain", "n": 12345678901234567890},
        "source_output": "I don't know.",
        "metadata": {"tag": "日本"},
        "source_trace_id": "trace-1",
        "source_event_id": "event-1",
        "source_timestamp": "2025-09-05T12:34:56+00:00",  # isoformat, as PostHog writes it
    }
    assert "日本" in path.read_text("utf-8")  # ensure_ascii=False


async def test_progress_arrives_in_order(tmp_path: Path) -> None:
    running = start_emulator("none", api="v2", export_delay_s=0.5)  # a few status reads
    try:
        events: list[ExportProgress] = []
        async with client_for(running) as client:
            ds = await client.datasets.create("progress")
            for n in range(3):
                await client.items.create(ds, input=n)
            result = await export_dataset(
                client, ds.id, tmp_path / "p.jsonl", on_progress=events.append
            )
    finally:
        running.server.stop()
    phases = [e.phase for e in events]
    collapsed = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert collapsed == ["creating", "waiting", "downloading", "writing", "done"]
    assert phases.count("waiting") >= 2
    assert (events[0].export_id, events[0].revision) == (None, None)
    assert events[0].message == "Creating an export of the newest revision"
    for event in events[1:]:
        assert (event.export_id, event.revision) == (result.export_id, 3)
    waiting = [e.message for e in events if e.phase == "waiting"]
    for message in waiting:
        assert re.fullmatch(rf"Export {result.export_id} of revision 3: waiting \(\d+ s\)", message)
    assert waiting[0].endswith("(0 s)")
    assert (events[-2].rows, events[-1].rows) == (3, 3) == (result.rows, result.rows)
    assert events[-1].message == f"Wrote 3 rows of revision 3 to {tmp_path / 'p.jsonl'}"


async def test_an_empty_snapshot_is_an_empty_file(
    v2_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("emptied")
        item = await client.items.create(ds, input="x")
        await client.items.archive(item.id, base_version=1)
        path = tmp_path / "empty.jsonl"
        result = await export_dataset(client, ds.id, path)
    assert (result.rows, result.revision) == (0, 2)
    assert path.read_bytes() == b""


async def test_a_dataset_without_items_cannot_be_exported(
    v2_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("never-filled")
        with pytest.raises(Conflict, match="Add an item before exporting this dataset"):
            await export_dataset(client, ds.id, tmp_path / "x.jsonl")
    assert leftovers(tmp_path) == []


# -- failures leave the file system as it was ---------------------------------------------


async def test_a_revision_that_does_not_exist_leaves_the_existing_file(
    v2_empty: RunningEmulator, tmp_path: Path
) -> None:
    target = tmp_path / "keep.jsonl"
    target.write_text("precious\n")
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("r")
        await client.items.create(ds, input="x")
        with pytest.raises(Conflict, match="This dataset revision does not exist") as caught:
            await export_dataset(client, ds.id, target, revision=7)
    assert isinstance(caught.value, ApiError) and v2_empty.api_key not in str(caught.value)
    assert target.read_text() == "precious\n"
    assert leftovers(tmp_path) == ["keep.jsonl"]


async def test_an_export_that_never_completes_writes_nothing(tmp_path: Path) -> None:
    running = start_emulator("none", api="v2", export_delay_s=None)  # stays pending
    target = tmp_path / "keep.jsonl"
    target.write_text("precious\n")
    try:
        async with client_for(running) as client:
            ds = await client.datasets.create("slow")
            await client.items.create(ds, input="x")
            with pytest.raises(ApiError, match="still pending when the wait ran out"):
                await export_dataset(client, ds.id, target, wait=0.5)
    finally:
        running.server.stop()
    assert target.read_text() == "precious\n"
    assert leftovers(tmp_path) == ["keep.jsonl"]


async def test_an_unknown_dataset_is_not_found(any_empty: RunningEmulator, tmp_path: Path) -> None:
    target = tmp_path / "keep.jsonl"
    target.write_text("precious\n")
    async with client_for(any_empty) as client:
        with pytest.raises(NotFound):
            await export_dataset(client, "019cb059-c880-7604-a5c1-eba1c4247573", target)
    assert target.read_text() == "precious\n"
    assert leftovers(tmp_path) == ["keep.jsonl"]


async def test_a_missing_directory_is_refused_before_anything_is_sent(
    any_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(any_empty) as client:
        ds = await client.datasets.create("d")
        before = requests_seen(any_empty)
        with pytest.raises(FileNotFoundError) as caught:
            await export_dataset(client, ds.id, tmp_path / "missing" / "x.jsonl")
        assert requests_seen(any_empty) == before
    assert str(caught.value) == (
        f"There is no directory {tmp_path / 'missing'} to write x.jsonl into: create it first,"
        " or choose another file."
    )
    with pytest.raises(IsADirectoryError, match="is a directory"):
        async with client_for(any_empty) as client:
            await export_dataset(client, ds.id, tmp_path)
    assert leftovers(tmp_path) == []


async def test_success_replaces_an_existing_file(
    any_empty: RunningEmulator, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old content\n" * 1000)
    async with client_for(any_empty) as client:
        ds = await client.datasets.create("replace")
        await client.items.create(ds, input="only")
        result = await export_dataset(client, ds.id, target)
    assert [r["input"] for r in read_rows(target)] == ["only"] and result.rows == 1
    assert leftovers(tmp_path) == ["out.jsonl"]


def test_a_write_that_fails_half_way_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.jsonl"
    target.write_text("precious\n")

    def lines() -> Iterator[str]:
        yield '{"a":1}\n'
        yield '{"a":2}\n'
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _write_atomically(target, lines())
    assert target.read_text() == "precious\n"
    assert leftovers(tmp_path) == ["keep.jsonl"]


# -- classic -------------------------------------------------------------------------------


async def test_classic_export_is_the_live_items(
    classic_demo: RunningEmulator, tmp_path: Path
) -> None:
    events: list[ExportProgress] = []
    async with client_for(classic_demo) as client:
        datasets = {d.name: d async for d in client.datasets.iter()}
        for name in ("edge-cases", "customer-support-evals"):
            dataset = datasets[name]
            path = tmp_path / default_filename(name, None)
            events.clear()
            result = await export_dataset(client, dataset.id, path, on_progress=events.append)
            items = [i async for i in client.items.iter(dataset.id) if isinstance(i, DatasetItem)]
            items.sort(key=lambda i: (i.created_at, str(i.id)))
            assert read_rows(path) == [classic_expected(i) for i in items]
            assert (result.rows, result.revision, result.export_id) == (len(items), None, None)
            phases = [e.phase for e in events]
            assert phases[0] == "downloading" and phases[-2:] == ["writing", "done"]
            assert set(phases) == {"downloading", "writing", "done"}


async def test_classic_leaves_deleted_items_out_and_maps_the_links(
    classic_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(classic_empty) as client:
        ds = await client.datasets.create("classic")
        first = await client.items.create(
            ds,
            input={"q": 1},
            output="one",
            metadata={"k": 1},
            ref_trace_id="trace-1",
            ref_source_id="event-1",
            ref_timestamp=TIMESTAMP,
        )
        gone = await client.items.create(ds, input={"q": 2}, output="two")
        last = await client.items.create(ds, input={"q": 3})
        await client.items.delete(gone.id)
        path = tmp_path / "c.jsonl"
        result = await export_dataset(client, ds.id, path)
    rows = read_rows(path)
    assert result.rows == 2
    assert rows[0] == {
        "dataset_id": str(ds.id),
        "dataset_revision": None,
        "item_id": str(first.id),
        "client_item_id": None,
        "version": None,
        "input": {"q": 1},
        "expected_output": "one",
        "source_output": None,
        "metadata": {"k": 1},
        "source_trace_id": "trace-1",
        "source_event_id": "event-1",
        "source_timestamp": "2025-09-05T12:34:56+00:00",
    }
    assert [r["item_id"] for r in rows] == [str(first.id), str(last.id)]


async def test_a_revision_on_classic_is_refused(
    classic_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(classic_empty) as client:
        ds = await client.datasets.create("classic")
        await client.items.create(ds, input="x")
        with pytest.raises(Unsupported, match="classic datasets API keeps no revisions"):
            await export_dataset(client, ds.id, tmp_path / "x.jsonl", revision=1)
    assert leftovers(tmp_path) == []


# -- file names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "revision", "expected"),
    [
        ("customer-support-evals", 739, "customer-support-evals-r739.jsonl"),
        ("Support Answers (EU)", 1, "support-answers-eu-r1.jsonl"),
        ("Café données", None, "cafe-donnees.jsonl"),
        ("日本語", 3, "dataset-r3.jsonl"),
        ("../../etc/passwd", 2, "etcpasswd-r2.jsonl"),
        ("x" * 400, 5, "x" * 200 + "-r5.jsonl"),
    ],
)
def test_default_file_names_follow_posthog(name: str, revision: int | None, expected: str) -> None:
    assert default_filename(name, revision) == expected


def test_slugify_is_djangos() -> None:
    assert slugify("  Hello, World -- again_ ") == "hello-world-again"


# -- CSV -----------------------------------------------------------------------------------


def read_csv_rows(path: Path) -> list[dict[str, Any]]:
    """The CSV file's rows as the JSONL rows they hold (header checked, cells read back)."""
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        assert tuple(next(reader)) == EXPORT_KEYS
        return [dict(zip(EXPORT_KEYS, map(read_csv_cell, cells), strict=True)) for cells in reader]


def as_text(row: dict[str, Any]) -> dict[str, Any]:
    """A JSONL row as CSV gives it back: revision and version as text (CSV keeps no types)."""
    return {
        k: (str(v) if k in ("dataset_revision", "version") and v is not None else v)
        for k, v in row.items()
    }


async def test_csv_holds_the_jsonl_rows(any_empty: RunningEmulator, tmp_path: Path) -> None:
    v2 = any_empty.server.api == "v2"
    answer = "expected_output" if v2 else "output"
    tricky = [
        "plain, with a comma",
        'quotes "inside"\nand a new line',
        "",
        '{"looks": "like json"}',
        "[1, 2]",
        '"quoted"',
        "日本\u2028",
        {"nested": {"list": [1, "two", None], "n": 12345678901234567890}},
        [],
    ]
    async with client_for(any_empty) as client:
        ds = await client.datasets.create("csv")
        for n, value in enumerate(tricky):
            await client.items.create(ds, input=value, **{answer: {"n": n}}, metadata={"k": n})
        jsonl = await export_dataset(client, ds.id, tmp_path / "rows.jsonl")
        events: list[ExportProgress] = []
        result = await export_dataset(
            client, ds.id, tmp_path / "rows.csv", format="csv", on_progress=events.append
        )
    assert result.rows == jsonl.rows == len(tricky)
    assert events[-1].message.startswith(f"Wrote {len(tricky)} rows")
    rows = read_rows(tmp_path / "rows.jsonl")
    assert read_csv_rows(tmp_path / "rows.csv") == [as_text(r) for r in rows]
    assert [r["input"] for r in rows] == tricky
    text = (tmp_path / "rows.csv").read_bytes()
    assert text.count(b"\r\n") >= len(tricky) + 1 and "日本".encode() in text


def test_csv_file_names() -> None:
    assert default_filename("Support Answers", 3, "csv") == "support-answers-r3.csv"
    assert default_filename("Support Answers", None, "csv") == "support-answers.csv"


# -- a query keeps the items it matches ------------------------------------------------------


def tagged(metadata: Any, tag: str) -> bool:
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return isinstance(tags, list) and any(str(t).casefold() == tag for t in tags)


@pytest.mark.parametrize("api", ["v2", "classic"])
async def test_a_query_keeps_exactly_the_items_it_matches(
    api: str, v2_demo: RunningEmulator, classic_demo: RunningEmulator, tmp_path: Path
) -> None:
    running = v2_demo if api == "v2" else classic_demo
    async with client_for(running) as client:
        [dataset] = [d async for d in client.datasets.iter() if d.name == "customer-support-evals"]
        everything = await export_dataset(client, dataset.id, tmp_path / "all.jsonl")
        events: list[ExportProgress] = []
        result = await export_dataset(
            client,
            dataset.id,
            tmp_path / "refunds.jsonl",
            revision=everything.revision,
            query="metadata.tags:refunds",
            on_progress=events.append,
        )
    rows = read_rows(tmp_path / "all.jsonl")
    expected = [r for r in rows if tagged(r["metadata"], "refunds")]
    assert 0 < len(expected) < len(rows)
    assert read_rows(tmp_path / "refunds.jsonl") == expected and result.rows == len(expected)
    [filtering] = [e for e in events if e.phase == "filtering"]
    assert filtering.message == (
        f"{len(expected)} of {len(rows)} items match the query: metadata.tags:refunds"
    )


async def test_a_query_sees_the_items_as_they_were_at_the_pinned_revision(
    v2_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(v2_empty) as client:
        ds = await client.datasets.create("tags")
        a = await client.items.create(ds, input="a", metadata={"tags": ["refunds"]})  # r1
        await client.items.create(ds, input="b", metadata={"tags": ["shipping"]})  # r2
        await client.items.update(a.id, base_version=1, metadata={"tags": ["billing"]})  # r3
        await client.items.create(ds, input="c", metadata={"tags": ["refunds"]})  # r4
        query = "metadata.tags:refunds"
        old = await export_dataset(
            client, ds.id, tmp_path / "old.csv", revision=2, query=query, format="csv"
        )
        new = await export_dataset(client, ds.id, tmp_path / "new.jsonl", query=query)
        await export_dataset(client, ds.id, tmp_path / "w.jsonl", query="-shipping")
    assert (old.revision, new.revision) == (2, 4)
    assert [(r["input"], r["metadata"]) for r in read_csv_rows(tmp_path / "old.csv")] == [
        ("a", {"tags": ["refunds"]})
    ]
    assert [r["input"] for r in read_rows(tmp_path / "new.jsonl")] == ["c"]
    assert [r["input"] for r in read_rows(tmp_path / "w.jsonl")] == ["a", "c"]


async def test_a_query_that_cannot_be_read_is_refused_before_anything_is_sent(
    any_empty: RunningEmulator, tmp_path: Path
) -> None:
    async with client_for(any_empty) as client:
        ds = await client.datasets.create("q")
        before = requests_seen(any_empty)
        with pytest.raises(QueryError, match="is not a field to search"):
            await export_dataset(client, ds.id, tmp_path / "x.jsonl", query="colour:red")
        with pytest.raises(ValueError, match="jsonl or csv"):
            await export_dataset(client, ds.id, tmp_path / "x.jsonl", format="xml")  # type: ignore[arg-type]
        assert requests_seen(any_empty) == before
    assert leftovers(tmp_path) == []
