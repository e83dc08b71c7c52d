"""The editor and the journal at size: field texts printed only when read (identical to eager
printing), values compared without canonical forms when they plainly differ, and drafts written
incrementally (the base once per draft, then only the texts that changed) yet read back whole."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import explorer.model.state as state_module
from explorer.api.models import DatasetItem
from explorer.model import DraftRecord, Journal
from explorer.model.editor import editor_from_item, set_field, to_draft
from explorer.model.journal import ProjectJournal
from explorer.model.jsontext import value_to_text
from explorer.model.schema import CLASSIC
from tests._emulator import RunningEmulator
from tests.model.conftest import MakeModel, make_dataset


def _item(**fields: Any) -> DatasetItem:
    now = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)
    return DatasetItem.model_validate(
        {
            "id": str(uuid.uuid4()),
            "dataset": str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
            **fields,
        }
    )


ITEM_FIELDS: dict[str, Any] = {
    "input": {"question": "Où est ma commande ? 📦", "docs": [{"id": i} for i in range(50)]},
    "output": "plain text\nwith two lines",
    "metadata": {"n": 1, "f": 1.0, "t": True, "nested": {"b": [1, 2], "a": None}},
    "ref_trace_id": "trace-1",
    "ref_timestamp": "2025-09-05T12:34:56.123456Z",
    "ref_source_id": None,
}


def test_lazy_field_texts_are_the_eagerly_printed_ones() -> None:
    item = _item(**ITEM_FIELDS)
    editor = editor_from_item(item)
    for name in CLASSIC.editable_fields:
        field = editor.fields[name]
        value = getattr(item, name)
        expected = value_to_text(name, value)
        assert field.text == expected and field.base_text == expected
        assert not field.changed and field.error is None and not field.edited
    assert to_draft(editor) is None


def test_opening_an_editor_prints_no_field_until_one_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed: list[str] = []
    real = value_to_text

    def counting(name: str, value: Any) -> str:
        printed.append(name)
        return real(name, value)

    monkeypatch.setattr(state_module, "value_to_text", counting)
    editor = editor_from_item(_item(**ITEM_FIELDS))
    assert printed == []
    assert editor.fields["output"].text == '"plain text\\nwith two lines"'
    assert printed == ["output"]
    set_field(editor, "input", '{"question": "changed"}')  # a value that plainly differs
    assert editor.fields["input"].changed and printed == ["output"]
    assert editor.fields["input"].base_text.startswith("{\n")  # printed now, when asked
    assert printed == ["output", "input"]


@pytest.mark.parametrize(
    ("text", "changed"),
    [
        ('{"nested": {"a": null, "b": [1, 2]}, "t": true, "f": 1.0, "n": 1}', False),  # order
        ('{"n": 1.0, "f": 1.0, "t": true, "nested": {"b": [1, 2], "a": null}}', True),  # 1 -> 1.0
        ('{"n": 1, "f": 1, "t": true, "nested": {"b": [1, 2], "a": null}}', True),  # 1.0 -> 1
        ('{"n": 1, "f": 1.0, "t": 1, "nested": {"b": [1, 2], "a": null}}', True),  # true -> 1
        ('{"n": true, "f": 1.0, "t": true, "nested": {"b": [1, 2], "a": null}}', True),
        ('{"n": 1, "f": 1.0, "t": true, "nested": {"b": [1, 2]}}', True),
        ('{"n": 1, "f": 1.0, "t": true, "nested": {"b": [2, 1], "a": null}}', True),
        ("[1, 2", True),  # invalid: differs from the base text
    ],
)
def test_changed_means_the_server_would_store_something_else(text: str, changed: bool) -> None:
    editor = editor_from_item(_item(**ITEM_FIELDS))
    set_field(editor, "metadata", text)
    assert editor.fields["metadata"].changed is changed
    set_field(editor, "metadata", editor.fields["metadata"].base_text)
    assert not editor.fields["metadata"].changed and not editor.dirty


def test_a_timestamp_spelt_otherwise_is_the_same_instant() -> None:
    editor = editor_from_item(_item(**ITEM_FIELDS))
    set_field(editor, "ref_timestamp", "2025-09-05T14:34:56.123456+02:00")
    assert not editor.fields["ref_timestamp"].changed


# -- the journal -----------------------------------------------------------------------------


def _statements(journal: Journal) -> list[str]:
    seen: list[str] = []
    journal._conn.set_trace_callback(seen.append)
    return seen


def _project(tmp_path: Path) -> tuple[Journal, ProjectJournal]:
    journal = Journal(tmp_path / "j.sqlite3")
    return journal, journal.for_project("http://127.0.0.1:1", 1)


BASE = {"id": "item-1", "input": {"big": "x" * 100_000}}


def _draft(fields: dict[str, str], base: dict[str, Any] = BASE, **kw: Any) -> DraftRecord:
    kw.setdefault("started_at", "2025-09-05T12:00:00+00:00")
    kw.setdefault("updated_at", "2025-09-05T12:00:01+00:00")
    return DraftRecord("item-1", "item-1", "ds", base, "t0", fields, **kw)


def test_a_keystroke_writes_only_the_changed_text_not_the_base(tmp_path: Path) -> None:
    journal, project = _project(tmp_path)
    project.put_draft(_draft({"input": "a", "metadata": "m"}))
    seen = _statements(journal)
    project.put_draft(_draft({"input": "ab", "metadata": "m"}, status="editing"), durable=False)
    writes = [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 2
    assert writes[0].startswith("UPDATE drafts SET") and "x" * 1000 not in writes[0]
    assert writes[1].startswith("INSERT INTO draft_fields") and "'ab'" in writes[1]
    assert project.get_draft("item-1") == _draft({"input": "ab", "metadata": "m"})
    journal.close()
    # read back by another process, after this one is gone
    again = Journal(tmp_path / "j.sqlite3").for_project("http://127.0.0.1:1", 1)
    [draft] = again.drafts()
    assert draft.base == BASE and draft.fields == {"input": "ab", "metadata": "m"}


def test_a_field_back_to_its_base_leaves_the_draft(tmp_path: Path) -> None:
    _journal, project = _project(tmp_path)
    project.put_draft(_draft({"input": "a", "metadata": "m"}))
    project.put_draft(_draft({"metadata": "m2"}, status="not_saved", reason="r"), durable=False)
    draft = project.get_draft("item-1")
    assert draft is not None and draft.fields == {"metadata": "m2"}
    assert (draft.status, draft.reason) == ("not_saved", "r")


def test_fields_come_back_in_editor_order_whatever_order_they_were_typed(tmp_path: Path) -> None:
    _journal, project = _project(tmp_path)
    project.put_draft(_draft({"ref_trace_id": "t"}))
    project.put_draft(_draft({"ref_trace_id": "t", "metadata": "m", "input": "i"}))
    draft = project.get_draft("item-1")
    assert draft is not None and list(draft.fields) == ["input", "metadata", "ref_trace_id"]


def test_another_base_or_a_dropped_row_is_written_whole(tmp_path: Path) -> None:
    _journal, project = _project(tmp_path)
    project.put_draft(_draft({"input": "a"}))
    # another connection (another process) drops the draft: the next keystroke writes it all
    other = sqlite3.connect(tmp_path / "j.sqlite3")
    other.execute("DELETE FROM drafts")
    other.execute("DELETE FROM draft_fields")
    other.commit()
    project.put_draft(_draft({"input": "ab"}), durable=False)
    assert project.get_draft("item-1") == _draft({"input": "ab"})
    # a new base (a rebase after a conflict, say) is written, even at the same version
    newer = {"id": "item-1", "input": {"big": "y"}}
    project.put_draft(_draft({"input": "abc"}, base=newer), durable=False)
    assert project.get_draft("item-1") == _draft({"input": "abc"}, base=newer)
    # an equal but rebuilt base dict is written again (identity, not a deep comparison)
    project.put_draft(_draft({"input": "abc"}, base=dict(newer)))
    assert project.get_draft("item-1") == _draft({"input": "abc"}, base=newer)
    project.drop_draft("item-1")
    assert project.drafts() == []
    project.put_draft(_draft({"input": "again"}), durable=False)
    assert project.get_draft("item-1") == _draft({"input": "again"})


def test_drafts_of_journals_before_draft_fields_are_read(tmp_path: Path) -> None:
    journal, project = _project(tmp_path)
    journal._conn.execute(
        "INSERT INTO drafts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            project.host,
            project.project,
            "old",
            "old",
            "ds",
            json.dumps(BASE),
            "t0",
            json.dumps({"input": "typed long ago"}),
            "editing",
            None,
            "[]",
            "{}",
            "s",
            "u",
        ),
    )
    [draft] = project.drafts()
    assert draft.fields == {"input": "typed long ago"} and draft.base == BASE
    project.put_draft(
        DraftRecord("old", "old", "ds", BASE, "t0", {"input": "and now"}), durable=False
    )
    assert project.drafts()[0].fields == {"input": "and now"}


def test_keystrokes_sync_to_disk_at_least_every_sync_every(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, project = _project(tmp_path)
    seen = _statements(journal)
    clock = [1000.0]
    monkeypatch.setattr("explorer.model.journal.time.monotonic", lambda: clock[0])
    project.put_draft(_draft({"input": "a"}))  # durable: FULL
    project.put_draft(_draft({"input": "ab"}), durable=False)  # NORMAL
    clock[0] += 0.5
    project.put_draft(_draft({"input": "abc"}), durable=False)  # still NORMAL
    clock[0] += 0.6
    project.put_draft(_draft({"input": "abcd"}), durable=False)  # > 1 s since FULL: FULL
    project.put_trash("item", "x", {}, dataset_id=None, label="x", confirmed=False)  # FULL
    pragmas = [s for s in seen if s.startswith("PRAGMA synchronous")]
    assert pragmas == ["PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL"]
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


async def test_a_session_of_keystrokes_is_one_base_and_the_texts(
    empty_server: RunningEmulator, make_model: MakeModel, journal_path: Path
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    seen = _statements(model.journal.journal)
    text = '{"n": 1}'
    for key in "23456789":
        text = text[:-1] + key + "}"
        await model.edit_field("input", text)
    base_writes = [s for s in seen if s.startswith("INSERT OR REPLACE INTO drafts")]
    assert len(base_writes) == 1  # the first keystroke; the others write the text only
    [draft] = model.journal.drafts()
    assert draft.fields == {"input": '{"n": 123456789}'} and draft.base is not None
    assert draft.base["id"] == item_id
    assert model.state.drafts == [draft]
