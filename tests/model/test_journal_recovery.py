"""A broken journal never stops the explorer and never loses its bytes: a file that is not a
journal, a truncated one, one damaged while open, one deleted while open; the file is private;
what went wrong is said, with where the old file went."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from explorer.model import Journal
from explorer.model.context import journal_trouble
from explorer.model.journal import DraftRecord, JournalReset
from tests.model.conftest import MakeModel, make_dataset

HOST, PROJECT = "http://127.0.0.1:1", "1"


def _draft(key: str, text: str = '{"a": 1}') -> DraftRecord:
    return DraftRecord(
        key=key,
        item_id=None,
        dataset_id="0199a3c4-0000-7000-8000-000000000000",
        base=None,
        base_updated_at=None,
        fields={"input": text},
        status="editing",
        reason=None,
        attempts=(),
        sent={},
        started_at="2026-12-06T00:00:00+00:00",
        updated_at="2026-12-06T00:00:00+00:00",
    )


def _aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.broken-"))


def test_a_new_journal_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    journal.for_project(HOST, PROJECT).put_draft(_draft("new:a"))
    journal.close()
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all\n" * 100, b""],
    ids=["not-a-database", "empty"],
)
def test_a_file_that_is_not_a_journal_is_moved_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(content)
    journal = Journal(path)
    journal.for_project(HOST, PROJECT).put_draft(_draft("new:a"))
    assert journal.for_project(HOST, PROJECT).drafts()[0].key == "new:a"
    problems = journal.take_problems()
    if content:
        (aside,) = _aside(path)
        assert aside.read_bytes() == content  # kept as it was
        assert str(aside) in problems[0] and str(path) in problems[0]
    else:
        assert problems == []  # an empty file is simply a new journal
    assert journal.take_problems() == []  # said once
    journal.close()


def test_a_truncated_journal_is_moved_aside_with_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    project = journal.for_project(HOST, PROJECT)
    for i in range(200):
        project.put_draft(_draft(f"new:{i}", "x" * 2000))
    journal.close()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    Path(f"{path}-wal").unlink(missing_ok=True)
    again = Journal(path)
    (aside,) = _aside(path)
    assert aside.read_bytes() == whole[: len(whole) // 2]
    assert again.for_project(HOST, PROJECT).drafts() == []
    assert "could not be used" in again.take_problems()[0]
    again.close()


def _damage(path: Path) -> None:
    """Overwrite the pages after the first with garbage, as a failing disk would."""
    with open(path, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(4096 * 6))


def _damaged_journal(tmp_path: Path) -> tuple[Path, Journal]:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    project = journal.for_project(HOST, PROJECT)
    for i in range(50):
        project.put_draft(_draft(f"new:{i}", "y" * 3000))
    journal._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    journal._conn.execute("PRAGMA cache_size=1")  # read pages from the disk, not memory
    journal._conn.execute("PRAGMA cache_spill=1")
    journal._conn.execute("PRAGMA mmap_size=0")
    _damage(path)
    return path, journal


def test_a_write_that_meets_damage_says_so_and_the_next_write_lands(tmp_path: Path) -> None:
    path, journal = _damaged_journal(tmp_path)
    project = journal.for_project(HOST, PROJECT)
    with pytest.raises(JournalReset) as info:
        for i in range(50):  # rewriting the drafts reaches the damaged pages
            project.drop_draft(f"new:{i}")
    assert "moved to" in str(info.value) and str(path) in str(info.value)
    project.put_draft(_draft("new:after"))
    assert [d.key for d in project.drafts()] == ["new:after"]
    assert _aside(path)
    journal.close()


def test_a_read_that_meets_damage_goes_on_with_a_fresh_journal(tmp_path: Path) -> None:
    path, journal = _damaged_journal(tmp_path)
    project = journal.for_project(HOST, PROJECT)
    assert project.drafts() == []
    assert "found damaged" in journal.take_problems()[0]
    assert _aside(path)
    journal.close()


def test_a_journal_deleted_while_open_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    project = journal.for_project(HOST, PROJECT)
    project.put_draft(_draft("new:a"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    project.put_draft(_draft("new:b"))
    assert path.exists()
    assert [d.key for d in project.drafts()] == ["new:b"]
    assert "was deleted while the explorer ran" in journal.take_problems()[0]
    journal.close()
    reopened = Journal(path)  # what was written after is on disk
    assert [d.key for d in reopened.for_project(HOST, PROJECT).drafts()] == ["new:b"]
    reopened.close()


async def test_the_model_says_where_the_broken_journal_went(
    empty_server: Any, make_model: MakeModel, tmp_path: Path
) -> None:
    make_dataset(empty_server, items=1)
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    model = await make_model(empty_server, journal=Journal(path))
    said = [str(n) for n in model.state.notices]
    assert any("could not be used" in n and "broken.sqlite3.broken-" in n for n in said), said
    assert model.state.datasets.total == 1  # browsing goes on


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (sqlite3.OperationalError("database or disk is full"), "disk holding the local journal"),
        (PermissionError(13, "Permission denied"), "cannot be written"),
        (sqlite3.OperationalError("database is locked"), "another program"),
    ],
)
def test_journal_errors_say_what_is_really_wrong(
    error: Exception, says: str, tmp_path: Path
) -> None:
    names = {"full": "SQLITE_FULL", "locked": "SQLITE_BUSY"}
    for word, name in names.items():
        if word in str(error):
            error.sqlite_errorname = name  # type: ignore[attr-defined]
    message, hint = journal_trouble(error, tmp_path / "journal.sqlite3")
    assert says in message and hint
    assert "free space" not in message or "full" in str(error)


def test_the_default_journal_follows_the_data_dir_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(tmp_path / "data"))
    journal = Journal()
    assert journal.path == tmp_path / "data" / "journal.sqlite3" and journal.path.exists()
    journal.close()
