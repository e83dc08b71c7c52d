"""The pieces without a server: JSON text validation, diffs, the journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from explorer.model import DraftRecord, Journal
from explorer.model.diff import diff_draft, diff_values
from explorer.model.jsontext import canonical, parse_field, same_value, value_to_text


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"a": 1,\n}', 2, 1),  # trailing comma
        ('{\n  "a": [1, 2\n}', 3, 1),  # unclosed list
        ('{"a": 1} x', 1, 10),  # extra data
        ("[1, NaN]", 1, 5),  # not JSON, though Python accepts it
        ("{\n  \"a\": 'b'\n}", 2, 8),  # single quotes
    ],
)
def test_json_errors_name_line_and_column(text: str, line: int, column: int) -> None:
    value, error = parse_field("input", text)
    assert value is None and error is not None
    assert (error.line, error.column) == (line, column)
    assert f"line {line}, column {column}" in str(error)


def test_json_values_and_empty_text() -> None:
    assert parse_field("output", '  {"a": [1, "é"]} ') == ({"a": [1, "é"]}, None)
    assert parse_field("metadata", "   ") == (None, None)
    assert parse_field("input", '"just a string"') == ("just a string", None)


def test_ref_fields_are_checked_as_the_server_does() -> None:
    assert parse_field("ref_timestamp", "2025-09-05T12:34:56Z") == ("2025-09-05T12:34:56Z", None)
    assert parse_field("ref_timestamp", "2025-09-05 12:34:56") == ("2025-09-05T12:34:56Z", None)
    assert parse_field("ref_timestamp", "yesterday")[1] is not None
    assert parse_field("ref_trace_id", "") == (None, None)
    assert parse_field("ref_trace_id", "t" * 255) == ("t" * 255, None)
    error = parse_field("ref_source_id", "s" * 256)[1]
    assert error is not None and "255" in error.message


def test_canonical_tells_true_from_one_and_ignores_key_order() -> None:
    assert not same_value("input", {"a": True}, {"a": 1})
    assert not same_value("input", 1, 1.0)
    assert same_value("input", {"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert canonical("ref_timestamp", "2025-01-01T01:00:00+01:00") == "2025-01-01T00:00:00Z"


def test_diff_of_pretty_printed_json_ignores_reindenting() -> None:
    assert not diff_draft("input", {"a": [1, 2]}, '{"a":[1,2]}').changed
    diff = diff_draft("input", {"a": [1, 2], "b": "x"}, '{"a": [1, 3], "b": "x"}')
    assert diff.changed
    removed = [line.text.strip() for line in diff.lines if line.kind == "removed"]
    added = [line.text.strip() for line in diff.lines if line.kind == "added"]
    assert (removed, added) == (["2"], ["3"])
    assert "-    2\n+    3" in diff.as_text()
    assert diff_values("output", "a", "b").changed
    assert value_to_text("ref_trace_id", None) == ""


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_diff_lines_split_only_at_newlines(separator: str) -> None:
    # These characters stay raw inside pretty-printed JSON strings; a diff must not split there.
    diff = diff_values("output", {"a": f"x{separator}y"}, {"a": f"x{separator}z"})
    removed = [line.text for line in diff.lines if line.kind == "removed"]
    added = [line.text for line in diff.lines if line.kind == "added"]
    assert removed == [f'  "a": "x{separator}y"']
    assert added == [f'  "a": "x{separator}z"']


def test_journal_keeps_drafts_trash_and_history_per_host_and_project(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    mine = journal.for_project("http://127.0.0.1:1/", 1)
    other = journal.for_project("http://127.0.0.1:1", 2)
    draft = DraftRecord("item-1", "item-1", "ds", {"id": "item-1"}, "t0", {"input": "{\n}"})
    mine.put_draft(draft)
    mine.put_trash(
        "item", "item-2", {"id": "item-2", "input": 5}, dataset_id="ds", label="i2", confirmed=False
    )
    mine.add_history("save", "item", "item-1", before={"input": 1}, after={"input": 2})
    assert other.drafts() == [] and other.trash() == [] and other.history() == []
    journal.close()

    again = Journal(path).for_project("http://127.0.0.1:1", 1)
    assert again.drafts()[0].fields == {"input": "{\n}"}
    assert again.get_draft("item-1") is not None
    trash = again.trash()
    assert [(t.object_id, t.content["input"], t.confirmed) for t in trash] == [("item-2", 5, False)]
    again.confirm_trash("item", "item-2")
    assert again.get_trash("item", "item-2").confirmed  # type: ignore[union-attr]
    assert again.history()[0].after == {"input": 2}
    again.drop_draft("item-1")
    assert again.drafts() == []


def test_journal_runs_in_wal_mode(tmp_path: Path) -> None:
    Journal(tmp_path / "j.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "j.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_journal_default_path_is_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("POSTHOG_EXPLORER_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    journal = Journal()
    assert journal.path == tmp_path / "data" / "dataset-explorer" / "journal.sqlite3"
    assert journal.path.exists()
    journal.close()


def test_a_journal_under_the_old_folder_name_is_moved_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("POSTHOG_EXPLORER_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    old = Journal(tmp_path / "data" / "posthog-dataset-explorer" / "journal.sqlite3")
    old.for_project("http://h", "1").put_trash(
        "item", "0199a3c4-0000-7000-8000-000000000000", {"input": 1}, dataset_id=None,
        label="kept", confirmed=True,
    )  # fmt: skip
    old.close()
    journal = Journal()  # the default place: the old file moves there, trash and all
    assert journal.path == tmp_path / "data" / "dataset-explorer" / "journal.sqlite3"
    assert [r.label for r in journal.for_project("http://h", "1").trash()] == ["kept"]
    assert not (tmp_path / "data" / "posthog-dataset-explorer" / "journal.sqlite3").exists()
    journal.close()
