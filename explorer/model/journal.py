"""The local journal: what this machine must remember because the server cannot.

One SQLite file (the platform's user data dir unless a path is given) holds, per host and
project:

- **trash**: every item and dataset soft-deleted from this machine, with its last-known content.
  The server never lists a deleted row again, so this is the only way back to it.
- **drafts**: unsaved edits, one row per item (or per new item), rewritten on every change in its
  own transaction, so a crash or ``kill -9`` loses nothing; offered back at the next start.
- **history**: the saves, creates, moves, deletes and restores made from this machine, with the
  values before and after.

Every write is one transaction; the database runs in WAL mode with ``synchronous=FULL`` so a
committed draft survives a crash of the process and of the machine.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs

__all__ = [
    "APP_NAME",
    "DraftRecord",
    "HistoryRecord",
    "Journal",
    "ProjectJournal",
    "TrashRecord",
]

APP_NAME = "posthog-dataset-explorer"

ObjectKind = Literal["item", "dataset"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trash (
    host TEXT NOT NULL,
    project TEXT NOT NULL,
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    dataset_id TEXT,
    label TEXT NOT NULL,
    content TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    PRIMARY KEY (host, project, kind, object_id)
);
CREATE TABLE IF NOT EXISTS drafts (
    host TEXT NOT NULL,
    project TEXT NOT NULL,
    draft_key TEXT NOT NULL,
    item_id TEXT,
    dataset_id TEXT NOT NULL,
    base TEXT,
    base_updated_at TEXT,
    fields TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    attempts TEXT NOT NULL,
    sent TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (host, project, draft_key)
);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    project TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    dataset_id TEXT,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS history_by_project ON history (host, project, seq);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class TrashRecord:
    """One soft-deleted object. ``confirmed`` is False while the delete has not been confirmed by
    the server (written before the request; kept if the outcome is unknown)."""

    kind: ObjectKind
    object_id: str
    dataset_id: str | None
    label: str
    content: dict[str, Any]
    deleted_at: str
    confirmed: bool


@dataclass(frozen=True)
class DraftRecord:
    """Unsaved edits of one item, or of a new item (``item_id`` None, ``key`` ``new:<uuid>``).

    ``fields`` maps each edited field to its text. ``base`` is the item (JSON) the edit started
    from and ``base_updated_at`` its version; ``attempts`` lists when a create was sent without
    the server confirming it (the model looks for the item before sending it again); ``sent``
    the values of a save whose outcome is unknown (if the server shows exactly those, it was ours).
    ``status``: ``editing``, ``saving``, ``not_saved``, ``conflict`` (see ``reason``).
    """

    key: str
    item_id: str | None
    dataset_id: str
    base: dict[str, Any] | None
    base_updated_at: str | None
    fields: dict[str, str]
    status: str = "editing"
    reason: str | None = None
    attempts: tuple[str, ...] = ()
    sent: dict[str, Any] = field(default_factory=dict)
    started_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass(frozen=True)
class HistoryRecord:
    """One write made from this machine: ``before`` and ``after`` hold the fields it changed."""

    seq: int
    at: str
    action: str
    kind: ObjectKind
    object_id: str
    dataset_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Journal:
    """The SQLite journal file. Open it once per process; share it between models.

    ``path`` defaults to ``journal.sqlite3`` in ``platformdirs.user_data_dir(APP_NAME)``. Raises
    ``sqlite3.Error`` (or ``OSError``) when the file cannot be opened or created.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            path = Path(platformdirs.user_data_dir(APP_NAME)) / "journal.sqlite3"
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10
        )
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        with self._lock:
            self._conn.executescript(_SCHEMA)

    @classmethod
    def default_path(cls) -> Path:
        """Where the journal lives when no path is given."""
        return Path(platformdirs.user_data_dir(APP_NAME)) / "journal.sqlite3"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def for_project(self, host: str, project_id: int | str) -> ProjectJournal:
        """The part of the journal for one PostHog host and project."""
        return ProjectJournal(self, host.rstrip("/").lower(), str(project_id))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class ProjectJournal:
    """Trash, drafts and history of one host and project. Every method is one transaction."""

    def __init__(self, journal: Journal, host: str, project: str) -> None:
        self.journal = journal
        self.host = host
        self.project = project

    # -- trash -------------------------------------------------------------------------------

    def put_trash(
        self,
        kind: ObjectKind,
        object_id: str,
        content: dict[str, Any],
        *,
        dataset_id: str | None,
        label: str,
        confirmed: bool,
    ) -> TrashRecord:
        """Record (or update) a soft-deleted object with its content."""
        record = TrashRecord(kind, object_id, dataset_id, label, content, _now(), confirmed)
        with self.journal._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO trash VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    self.host,
                    self.project,
                    kind,
                    object_id,
                    dataset_id,
                    label,
                    _dumps(content),
                    record.deleted_at,
                    int(confirmed),
                ),
            )
        return record

    def confirm_trash(self, kind: ObjectKind, object_id: str) -> None:
        """Mark a trash entry as deleted on the server."""
        with self.journal._transaction() as conn:
            conn.execute(
                "UPDATE trash SET confirmed=1"
                " WHERE host=? AND project=? AND kind=? AND object_id=?",
                (self.host, self.project, kind, object_id),
            )

    def drop_trash(self, kind: ObjectKind, object_id: str) -> None:
        """Forget a trash entry (after a confirmed restore, or a delete that did not happen)."""
        with self.journal._transaction() as conn:
            conn.execute(
                "DELETE FROM trash WHERE host=? AND project=? AND kind=? AND object_id=?",
                (self.host, self.project, kind, object_id),
            )

    def get_trash(self, kind: ObjectKind, object_id: str) -> TrashRecord | None:
        rows = self.journal._query(
            "SELECT kind, object_id, dataset_id, label, content, deleted_at, confirmed FROM trash"
            " WHERE host=? AND project=? AND kind=? AND object_id=?",
            (self.host, self.project, kind, object_id),
        )
        return _trash(rows[0]) if rows else None

    def trash(self, kind: ObjectKind | None = None) -> list[TrashRecord]:
        """Every trash entry of this project, most recently deleted first."""
        sql = (
            "SELECT kind, object_id, dataset_id, label, content, deleted_at, confirmed FROM trash"
            " WHERE host=? AND project=?"
        )
        args: tuple[Any, ...] = (self.host, self.project)
        if kind is not None:
            sql += " AND kind=?"
            args += (kind,)
        rows = self.journal._query(sql + " ORDER BY deleted_at DESC", args)
        return [_trash(row) for row in rows]

    # -- drafts ------------------------------------------------------------------------------

    def put_draft(self, draft: DraftRecord) -> None:
        """Write a draft (replacing the previous one for the same key) in one transaction."""
        with self.journal._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self.host,
                    self.project,
                    draft.key,
                    draft.item_id,
                    draft.dataset_id,
                    None if draft.base is None else _dumps(draft.base),
                    draft.base_updated_at,
                    _dumps(draft.fields),
                    draft.status,
                    draft.reason,
                    _dumps(list(draft.attempts)),
                    _dumps(draft.sent),
                    draft.started_at,
                    draft.updated_at,
                ),
            )

    def get_draft(self, key: str) -> DraftRecord | None:
        rows = self.journal._query(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE host=? AND project=? AND draft_key=?",
            (self.host, self.project, key),
        )
        return _draft(rows[0]) if rows else None

    def drafts(self) -> list[DraftRecord]:
        """Every unsaved draft of this project, oldest first."""
        rows = self.journal._query(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE host=? AND project=?"
            " ORDER BY started_at, draft_key",
            (self.host, self.project),
        )
        return [_draft(row) for row in rows]

    def drop_draft(self, key: str) -> None:
        with self.journal._transaction() as conn:
            conn.execute(
                "DELETE FROM drafts WHERE host=? AND project=? AND draft_key=?",
                (self.host, self.project, key),
            )

    # -- history -----------------------------------------------------------------------------

    def add_history(
        self,
        action: str,
        kind: ObjectKind,
        object_id: str,
        *,
        dataset_id: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        with self.journal._transaction() as conn:
            conn.execute(
                "INSERT INTO history (host, project, at, action, kind, object_id, dataset_id,"
                " before, after) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    self.host,
                    self.project,
                    _now(),
                    action,
                    kind,
                    object_id,
                    dataset_id,
                    None if before is None else _dumps(before),
                    None if after is None else _dumps(after),
                ),
            )

    def history(
        self, limit: int = 100, object_id: str | None = None, action: str | None = None
    ) -> list[HistoryRecord]:
        """The latest writes from this machine, newest first."""
        sql = (
            "SELECT seq, at, action, kind, object_id, dataset_id, before, after FROM history"
            " WHERE host=? AND project=?"
        )
        args: tuple[Any, ...] = (self.host, self.project)
        if object_id is not None:
            sql += " AND object_id=?"
            args += (object_id,)
        if action is not None:
            sql += " AND action=?"
            args += (action,)
        rows = self.journal._query(sql + " ORDER BY seq DESC LIMIT ?", (*args, limit))
        return [
            HistoryRecord(
                seq=row[0],
                at=row[1],
                action=row[2],
                kind=row[3],
                object_id=row[4],
                dataset_id=row[5],
                before=None if row[6] is None else json.loads(row[6]),
                after=None if row[7] is None else json.loads(row[7]),
            )
            for row in rows
        ]


_DRAFT_COLUMNS = (
    "draft_key, item_id, dataset_id, base, base_updated_at, fields, status, reason, attempts,"
    " sent, started_at, updated_at"
)


def _trash(row: tuple[Any, ...]) -> TrashRecord:
    return TrashRecord(
        kind=row[0],
        object_id=row[1],
        dataset_id=row[2],
        label=row[3],
        content=json.loads(row[4]),
        deleted_at=row[5],
        confirmed=bool(row[6]),
    )


def _draft(row: tuple[Any, ...]) -> DraftRecord:
    return DraftRecord(
        key=row[0],
        item_id=row[1],
        dataset_id=row[2],
        base=None if row[3] is None else json.loads(row[3]),
        base_updated_at=row[4],
        fields=json.loads(row[5]),
        status=row[6],
        reason=row[7],
        attempts=tuple(json.loads(row[8])),
        sent=json.loads(row[9]),
        started_at=row[10],
        updated_at=row[11],
    )
