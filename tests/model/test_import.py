"""`explorer.model.importing`: rows read from JSONL and CSV files, one at a time, and imported
into a dataset over real HTTP to the embedded server, on both API generations. What is checked
is what the server holds afterwards (every row once, even after a create whose answer was lost
or a process killed mid-request), what the report says row by row, and that a dry run sends no
write."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.api import Client
from explorer.model.export import EXPORT_KEYS, csv_cell, read_csv_cell
from explorer.model.importing import (
    ImportFileError,
    ImportLedger,
    ImportLimits,
    ImportProgress,
    SourceRow,
    import_rows,
    parse_mapping,
    read_rows,
    row_key,
)
from tests._emulator import RunningEmulator, start_emulator
from tests.model.conftest import Fields, ScriptedTransport, client_for, server_items

TIMESTAMP = "2025-09-05T12:34:56Z"


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_all(path: Path, **options: Any) -> list[SourceRow]:
    with read_rows(path, **options) as rows:
        return list(rows)


def ledger_at(tmp_path: Path) -> ImportLedger:
    return ImportLedger(tmp_path / "imports.sqlite3")


def contents(server: RunningEmulator, dataset_id: str, f: Fields) -> list[Any]:
    """(input, answer, metadata) of every live item, oldest first."""
    items = sorted(server_items(server, dataset_id), key=lambda i: (i.created_at, str(i.id)))
    return [(i.input, f.answer_of(i), i.metadata or {}) for i in items]


def new_dataset(server: RunningEmulator, name: str = "imported") -> str:
    with Client(server.url, server.api_key, server.project_id) as client:
        return str(client.datasets.create(name).id)


# -- reading JSONL ---------------------------------------------------------------------------


def test_jsonl_rows_by_export_row_by_v2_names_and_by_classic_names(tmp_path: Path) -> None:
    exported = dict.fromkeys(EXPORT_KEYS)
    exported |= {
        "dataset_id": "019cb059-c880-7604-a5c1-eba1c4247573",
        "dataset_revision": 7,
        "item_id": "019cb059-c880-7604-a5c1-eba1c4247574",
        "version": 3,
        "input": {"q": "Où ?\u2028"},
        "expected_output": "ici",
        "metadata": {"tags": ["a"]},
        "client_item_id": "case-1",
    }
    path = tmp_path / "rows.jsonl"
    lines = [
        json.dumps(exported, ensure_ascii=False),
        "",  # blank lines are no rows
        json.dumps({"input": "v2", "expected_output": [1], "source_output": "said"}),
        json.dumps({"input": "classic", "output": {"a": 1}, "ref_trace_id": "t"}),
        '{"input": "broken",',
        "[1, 2]",
        json.dumps({"question": "what?"}),
        json.dumps({"input": "x", "source_trace_id": 12}),
        json.dumps({"input": "x", "output": "a", "expected_output": "b"}),
        '{"input": NaN}',
        json.dumps({"input": "m", "metadata.topic": "billing", "metadata.n": None}),
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n\xff\xfe\n")
    rows = read_all(path)
    assert [(r.line, r.values, r.error) for r in rows] == [
        (
            1,
            {
                "client_item_id": "case-1",
                "input": {"q": "Où ?\u2028"},
                "expected_output": "ici",
                "source_output": None,
                "metadata": {"tags": ["a"]},
                "source_trace_id": None,
                "source_event_id": None,
                "source_timestamp": None,
            },
            None,
        ),
        (3, {"input": "v2", "expected_output": [1], "source_output": "said"}, None),
        (4, {"input": "classic", "expected_output": {"a": 1}, "source_trace_id": "t"}, None),
        (5, {}, "not valid JSON: Expecting property name enclosed in double quotes (column 20)"),
        (6, {}, "a row is a JSON object, not an array"),
        (7, {}, "'question' is not a field (map the key with --map question=FIELD)"),
        (8, {}, "source_trace_id is text, not a number"),
        (9, {}, "both output and expected_output set expected_output"),
        (10, {}, "not valid JSON: NaN is not a JSON value"),
        (11, {"input": "m", "metadata": {"topic": "billing"}}, None),
        (12, {}, "not UTF-8 text (byte 1)"),
    ]


def test_a_mapping_renames_keys_and_drops_some(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "qa.jsonl", [{"question": "q", "answer": "a", "id": 1}])
    mapping = parse_mapping(["question=input", "answer=expected_output", "id="])
    [row] = read_all(path, mapping=mapping)
    assert row.values == {"input": "q", "expected_output": "a"} and row.error is None


# -- reading CSV -----------------------------------------------------------------------------


def test_csv_cells_are_json_objects_arrays_or_text(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        ["question", "answer", "metadata", "metadata.topic", "client_item_id", "notes"],
        [
            ['{"q": 1}', "[1, 2]", '{"k": "v"}', "billing", "c-1", "ignored"],
            ["42", "true", "", "", "", "x"],
            ['"quoted"', "{broken", '{"k": 1}', '{"deep": [1]}', "", ""],
            ["two\nlines", "", "", "", "", ""],
            ["after", "", "", "", "", ""],
            ["short"],
        ],
    )
    mapping = parse_mapping(["question=input", "answer=expected_output", "notes="])
    with read_rows(path, mapping=mapping) as rows:
        assert rows.format == "csv"
        found = [(r.line, r.values, r.error) for r in rows]
    blank = {"expected_output": None, "metadata": None, "client_item_id": None}
    assert found == [
        (
            2,
            {
                "input": {"q": 1},
                "expected_output": [1, 2],
                "metadata": {"k": "v", "topic": "billing"},
                "client_item_id": "c-1",
            },
            None,
        ),
        (3, {**blank, "input": "42", "expected_output": "true"}, None),
        (
            4,
            {
                **blank,
                "input": "quoted",
                "expected_output": "{broken",
                "metadata": {"k": 1, "topic": {"deep": [1]}},
            },
            None,
        ),
        (5, {**blank, "input": "two\nlines"}, None),  # its cell spans lines 5 and 6
        (7, {**blank, "input": "after"}, None),
        (8, {}, "1 cells, but the header names 6 columns"),
    ]


@pytest.mark.parametrize(
    ("header", "mapping", "message"),
    [
        (["input", "answer"], [], "'answer' is not a field. Map a column with --map answer=FIELD"),
        (["question"], [], "'question' is not a field"),
        (
            ["expected_output", "notes"],
            ["notes="],
            "no column holds the input (columns: expected_output, notes)",
        ),
        (["input", "output", "expected_output"], [], "the columns 'output' and 'expected_output'"),
    ],
)
def test_a_csv_header_that_names_no_field_is_refused_before_any_row(
    tmp_path: Path, header: list[str], mapping: list[str], message: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", header, [["x"] * len(header)])
    with pytest.raises(ImportFileError) as caught:
        read_rows(path, mapping=parse_mapping(mapping))
    assert message in str(caught.value)


def test_files_that_cannot_be_read_as_rows(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ImportFileError, match="is empty: a CSV file starts with a line"):
        read_rows(tmp_path / "empty.csv")
    (tmp_path / "rows.txt").write_text("{}\n")
    with pytest.raises(ImportFileError, match=r"name it \.jsonl or \.csv, or say --format"):
        read_rows(tmp_path / "rows.txt")
    assert read_all(tmp_path / "rows.txt", format="jsonl") == [SourceRow(1, {})]
    with pytest.raises(ImportFileError, match="'inptu' is not a field"):
        parse_mapping(["q=inptu"])
    with pytest.raises(ImportFileError, match="--map takes COLUMN=FIELD"):
        parse_mapping(["question"])
    with pytest.raises(FileNotFoundError):
        read_rows(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "",
        " ",
        '{"looks": "like json"}',
        "[1, 2]",
        '"quoted"',
        "  {not json",
        'a, b "c"\nd',
        "日本\u2028",
        {"a": [1, "x"]},
        [],
        {},
        None,
    ],
)
def test_a_csv_cell_reads_back_as_the_value_written(value: Any) -> None:
    assert read_csv_cell(csv_cell("input", value)) == value


def test_numbers_and_booleans_read_back_as_text_in_csv() -> None:
    """CSV keeps no types: a bare number or true in a cell is text (JSONL keeps them)."""
    assert [read_csv_cell(csv_cell("input", v)) for v in (42, 1.5, True)] == ["42", "1.5", "true"]
    assert csv_cell("version", 3) == "3" and csv_cell("source_trace_id", None) == ""


def test_row_keys_are_stable_and_tell_identical_rows_apart() -> None:
    row = {"input": {"q": 1}, "expected_output": "a"}
    same = {"expected_output": "a", "input": {"q": 1}, "metadata": None}
    assert row_key(row) == row_key(same)  # key order and absent fields do not matter
    assert row_key(row).startswith("import:") and len(row_key(row)) == len("import:") + 32
    assert row_key(row, 2) == row_key(row) + ":2"
    assert row_key({"input": {"q": True}}) != row_key({"input": {"q": 1}})


# -- importing (both generations) ----------------------------------------------------------


async def test_an_import_run_again_creates_nothing_twice(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    dataset = new_dataset(empty_server)
    links = F.link_values("trace-1", "event-1")
    rows = [
        {"input": {"q": 0}, "expected_output": "a0", "metadata": {"tags": ["x"]}},
        {"input": {"q": 1}, "output": "a1"},
        {"input": {"q": 1}, "output": "a1"},  # the same row twice: two items
        {"input": "linked", **links},
    ]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    progress: list[ImportProgress] = []
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server) as client:
            with read_rows(path) as source:
                first = await import_rows(
                    client, dataset, source, ledger=ledger, on_progress=progress.append
                )
            assert (first.rows, first.created, first.already, first.failed) == (4, 4, 0, 0)
            assert first.ok and first.problems == []
            assert [p.message for p in progress][-1] == (
                "4 rows read: 4 imported, 0 already there, 0 failed"
            )
            for dry_run in (False, True):
                with read_rows(path) as source:
                    again = await import_rows(
                        client, dataset, source, ledger=ledger, dry_run=dry_run
                    )
                assert (again.rows, again.created, again.already, again.failed) == (4, 0, 4, 0)
    assert contents(empty_server, dataset, F) == [
        ({"q": 0}, "a0", {"tags": ["x"]}),
        ({"q": 1}, "a1", {}),
        ({"q": 1}, "a1", {}),
        ("linked", None, {}),
    ]
    [linked] = [i for i in server_items(empty_server, dataset) if i.input == "linked"]
    assert F.links_of(linked) == ("trace-1", "event-1")


async def test_a_dry_run_sends_no_write_and_reports_each_invalid_line(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    dataset = new_dataset(empty_server)
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"input": "ok 1"}\n'
        "not json\n"
        '{"input": "ok 2", "metadata": {"k": 1}}\n'
        '{"input": "x", "source_trace_id": "' + "t" * 256 + '"}\n'
        '{"input": "x", "source_timestamp": "yesterday"}\n'
    )
    transport = ScriptedTransport()
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=ledger, dry_run=True)
    assert report.dry_run and (report.created, report.already) == (2, 0)
    assert (report.failed, report.invalid) == (3, 3)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "not valid JSON: Expecting value (column 1)"),
        (4, "source_trace_id is 256 characters long, more than 255"),
        (5, "source_timestamp is not an ISO-8601 time: 'yesterday'"),
    ]
    assert set(transport.sent) <= {"GET"}
    assert server_items(empty_server, dataset) == []


async def test_rows_the_server_refuses_are_reported_and_the_others_imported(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    dataset = new_dataset(empty_server)
    path = write_jsonl(tmp_path / "rows.jsonl", [{"input": n} for n in ("a", "b", "c")])
    transport = ScriptedTransport()
    transport.script += [("POST", "skip"), ("POST", "400")]  # the second create is refused
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=ledger)
            assert (report.created, report.failed, report.invalid) == (2, 1, 0)
            assert [(p.line, p.reason) for p in report.problems] == [
                (2, "refused by the server: input: Refused by the test")
            ]
            assert not report.ok and report.stopped is None
            with read_rows(path) as source:  # once the cause is fixed, only that row goes
                again = await import_rows(client, dataset, source, ledger=ledger)
            assert (again.created, again.already, again.failed) == (1, 2, 0)
    assert sorted(i.input for i in server_items(empty_server, dataset)) == ["a", "b", "c"]


async def test_a_create_whose_answer_is_lost_is_made_once(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    """The create reaches the server, then the connection drops: v2's client sends it again
    with the same client_item_id; on classic the import finds the item it made."""
    dataset = new_dataset(empty_server)
    path = write_jsonl(tmp_path / "rows.jsonl", [{"input": n} for n in ("a", "b", "c")])
    transport = ScriptedTransport()
    transport.script += [("POST", "skip"), ("POST", "drop_after")]
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=ledger)
    assert (report.created, report.already, report.failed) == (3, 0, 0)
    assert sorted(i.input for i in server_items(empty_server, dataset)) == ["a", "b", "c"]


class Killed(BaseException):
    """The process dies: nothing after this runs (not an Exception: nothing catches it)."""


class DyingTransport(httpx.AsyncBaseTransport):
    """The real transport, until the ``nth`` item create: then the process "dies", either
    before the request leaves (``after=False``) or once the server has applied it."""

    def __init__(self, nth: int, after: bool) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.nth, self.after, self.creates = nth, after, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/dataset_items/"):
            self.creates += 1
            if self.creates == self.nth:
                if self.after:
                    response = await self._inner.handle_async_request(request)
                    await response.aread()
                raise Killed
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.mark.parametrize("after", [True, False], ids=["killed-after-apply", "killed-before"])
async def test_an_import_killed_mid_request_goes_on_without_duplicates(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path, after: bool
) -> None:
    dataset = new_dataset(empty_server)
    rows = [{"input": {"n": n}, "expected_output": "same"} for n in range(6)]
    rows.insert(3, dict(rows[2]))  # identical to the row before it: an item of its own
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server, transport=DyingTransport(4, after)) as dying:
            with read_rows(path) as source, pytest.raises(Killed):
                await import_rows(dying, dataset, source, ledger=ledger)
        made = len(server_items(empty_server, dataset))
        assert made == (4 if after else 3)
        async with client_for(empty_server) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=ledger)
    assert (report.created, report.already, report.failed) == (7 - made, made, 0)
    inputs = [i.input["n"] for i in server_items(empty_server, dataset)]
    assert sorted(inputs) == [0, 1, 2, 2, 3, 4, 5]


async def test_the_ledger_is_the_owners_and_per_dataset(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "rows.jsonl", [{"input": "a"}, {"input": "b"}])
    first, second = new_dataset(empty_server, "one"), new_dataset(empty_server, "two")
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server) as client:
            for dataset in (first, second):
                with read_rows(path) as source:
                    report = await import_rows(client, dataset, source, ledger=ledger)
                assert report.created == 2
        scoped = ledger.for_dataset(empty_server.url, empty_server.project_id, first)
        assert scoped.count() == (0 if F.versioned else 2)  # v2 needs no ledger
    assert stat.S_IMODE((tmp_path / "imports.sqlite3").stat().st_mode) == 0o600


async def test_what_an_import_needs(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    async with client_for(empty_server) as client:
        with pytest.raises(ValueError, match="only a dry run"):
            await import_rows(client, None, [], ledger=None)
        if F.classic:
            with pytest.raises(ValueError, match="needs a ledger"):
                await import_rows(client, new_dataset(empty_server), [], ledger=None)
        report = await import_rows(
            client, None, [SourceRow(1, {"input": "x"})], ledger=None, dry_run=True
        )
    assert (report.created, report.failed) == (1, 0)


# -- what one generation refuses ------------------------------------------------------------


async def test_classic_items_have_no_source_output(tmp_path: Path) -> None:
    running = start_emulator("none", api="classic")
    try:
        dataset = new_dataset(running)
        path = write_jsonl(tmp_path / "r.jsonl", [{"input": "a", "source_output": "said"}])
        with ledger_at(tmp_path) as ledger:
            async with client_for(running) as client:
                with read_rows(path) as source:
                    report = await import_rows(client, dataset, source, ledger=ledger)
    finally:
        running.server.stop()
    assert report.failed == 1 and report.problems[0].reason.startswith(
        "the classic API's items have no source_output"
    )


async def test_v2_limits_are_checked_before_sending(tmp_path: Path) -> None:
    running = start_emulator("none", api="v2", max_items=5)
    try:
        dataset = new_dataset(running)
        async with client_for(running) as client:
            await client.items.create(dataset, input="there")
            archived = await client.items.create(dataset, input="archived")
            await client.items.archive(archived.id, base_version=1)
        rows: list[Any] = [{"input": n} for n in range(5)]
        rows.insert(1, {"input": "x" * 406_667})
        rows.insert(2, {"input": "y", "metadata": [1]})
        rows.insert(3, {"input": None})
        path = write_jsonl(tmp_path / "r.jsonl", rows)
        transport = ScriptedTransport()
        async with client_for(running, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(
                    client, dataset, source, ledger=None, limits=ImportLimits(items=5)
                )
        assert (report.created, report.failed, report.invalid) == (3, 5, 3)
        assert [(p.line, p.reason) for p in report.problems] == [
            (
                2,
                "the item is 406,737 bytes, more than the 406,666 a v2 item may hold (input,"
                " expected_output, source_output and metadata as compact JSON)",
            ),
            (3, "metadata is a JSON object in the v2 API, not an array"),
            (4, "no input (a v2 item needs one: any JSON value but null)"),
            (
                7,
                "the dataset would hold more than 5 items, the most a v2 dataset may hold"
                " (archived items count; it holds 5)",
            ),
            (
                8,
                "the dataset would hold more than 5 items, the most a v2 dataset may hold"
                " (archived items count; it holds 5)",
            ),
        ]
        assert transport.sent.count("POST") == 3
    finally:
        running.server.stop()


async def test_a_limit_the_server_enforces_stops_the_creates(tmp_path: Path) -> None:
    """Without local limits the server's 409 says it, and no further create is sent."""
    running = start_emulator("none", api="v2", max_items=2)
    try:
        dataset = new_dataset(running)
        path = write_jsonl(tmp_path / "r.jsonl", [{"input": n} for n in range(4)])
        transport = ScriptedTransport()
        async with client_for(running, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=None, limits=None)
        reason = (
            "refused by the server: No more items can be added to this dataset. The limit is 2."
            " Contact support if you need more"
        )
        assert (report.created, report.failed) == (2, 2)
        assert [(p.line, p.reason) for p in report.problems] == [(3, reason), (4, reason)]
        assert transport.sent.count("POST") == 3
    finally:
        running.server.stop()


async def test_v2_client_item_ids_of_the_file_are_kept(tmp_path: Path) -> None:
    running = start_emulator("none", api="v2")
    try:
        dataset = new_dataset(running)
        path = write_jsonl(
            tmp_path / "r.jsonl",
            [
                {"input": "a", "client_item_id": "case-a"},
                {"input": "b", "client_item_id": "case-a"},
                {"input": "c"},
            ],
        )
        async with client_for(running) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=None)
            items = [i async for i in client.items.iter(dataset)]
    finally:
        running.server.stop()
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "client_item_id 'case-a' is line 1's too")
    ]
    keys = {i.input: getattr(i, "client_item_id", None) for i in items}
    assert keys["a"] == "case-a" and keys["c"] == row_key({"input": "c"})


async def test_a_stop_is_reported_and_the_rest_left_for_the_next_run(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    dataset = new_dataset(empty_server)
    path = write_jsonl(tmp_path / "r.jsonl", [{"input": n} for n in ("a", "b", "c")])
    transport = ScriptedTransport()
    # classic: the create fails with nothing applied (and the check finds nothing);
    # v2: the client's retries all fail too
    transport.script += [("POST", "skip")] + [("POST", "drop_before")] * 6
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server, transport=transport) as client:
            with read_rows(path) as source:
                report = await import_rows(client, dataset, source, ledger=ledger)
        assert (report.created, report.failed, report.stopped_at) == (1, 0, 2)
        assert report.stopped is not None and not report.ok
        async with client_for(empty_server) as client:
            with read_rows(path) as source:
                again = await import_rows(client, dataset, source, ledger=ledger)
    assert (again.created, again.already) == (2, 1)
    assert sorted(i.input for i in server_items(empty_server, dataset)) == ["a", "b", "c"]


async def test_rows_from_any_iterable(
    empty_server: RunningEmulator, F: Fields, tmp_path: Path
) -> None:
    """A front end passes rows of its own (here: one that cannot be read, one valid)."""
    dataset = new_dataset(empty_server)
    rows = [SourceRow(1, error="not valid JSON"), SourceRow(2, {"input": "ok"})]
    with ledger_at(tmp_path) as ledger:
        async with client_for(empty_server) as client:
            report = await import_rows(client, dataset, rows, ledger=ledger)
    assert (report.created, report.failed, report.invalid) == (1, 1, 1)
    assert [i.input for i in server_items(empty_server, dataset)] == ["ok"]
