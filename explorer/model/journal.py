"""The local journal: what this machine must remember because the server cannot.

One SQLite file (the platform's user data dir unless a path is given) holds, per host and
project:

- **trash**: every item and dataset soft-deleted from this machine, with its last-known content.
  The server never lists a deleted row again, so this is the only way back to it.
- **drafts**: unsaved edits, one row per item (or per new item) and one row per edited field,
  written on every change in its own transaction, so a crash or ``kill -9`` loses nothing;
  offered back at the next start. A change writes only what changed: the base item (megabytes,
  maybe) once per draft, then only the text of the fields that differ from the last write.
- **history**: the saves, creates, moves, deletes and restores made from this machine, with the
  values before and after.

Every write is one transaction in WAL mode. Trash, history and whole drafts are written with
``synchronous=FULL``: once committed they survive a crash of the process and of the machine.
Keystrokes (``put_draft(..., durable=False)``) are written with ``synchronous=NORMAL``, which in
WAL mode still survives a crash or kill of the process (the commit is in the WAL file before
the call returns); only a crash of the machine can lose them, and then at most the last
`SYNC_EVERY` seconds of typing, since a keystroke commits durably when the last durable commit
is older than that.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import explorer.paths as paths
from explorer.model.jsontext import FIELD_ORDER

__all__ = [
    "APP_NAME",
    "DraftRecord",
    "HistoryRecord",
    "Journal",
    "JournalReset",
    "ProjectJournal",
    "TrashRecord",
]

APP_NAME = paths.APP_NAME
ENV_DATA_DIR = paths.ENV_DATA_DIR
log = logging.getLogger(__name__)

SYNC_EVERY = 1.0
"""Seconds of keystrokes a crash of the machine (not of the process) may lose at most."""

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
CREATE TABLE IF NOT EXISTS draft_fields (
    host TEXT NOT NULL,
    project TEXT NOT NULL,
    draft_key TEXT NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (host, project, draft_key, field)
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


class JournalReset(sqlite3.DatabaseError):
    """A write met a damaged journal: the file was moved aside (its bytes kept) and a fresh one
    started; the write itself did not happen. The message says where the old file went."""


_UNREADABLE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _unreadable(exc: sqlite3.DatabaseError) -> bool:
    """Whether the file itself is broken (not full, locked or unwritable)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_UNREADABLE):
        return True
    return not isinstance(exc, sqlite3.OperationalError | sqlite3.IntegrityError) and (
        "malformed" in str(exc) or "not a database" in str(exc) or "damaged" in str(exc)
    )


def _move_legacy_journal(path: Path) -> None:
    legacy = paths.legacy_data_dir() / "journal.sqlite3"
    if path.exists() or not legacy.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{legacy}{suffix}")
            if source.exists():
                os.replace(source, f"{path}{suffix}")
    except OSError:
        log.warning("could not move the journal from %s to %s", legacy, path, exc_info=True)
        return
    log.warning("moved the journal from %s to %s", legacy, path)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


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


@dataclass
class _Written:
    """What this process last wrote of a draft: the base by identity (the editor keeps one dict
    per base, so ``is`` tells it was already written), the version it guards, and the texts."""

    base: dict[str, Any] | None
    base_updated_at: str | None
    fields: dict[str, str]


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

    ``path`` defaults to `default_path` (``POSTHOG_EXPLORER_DATA_DIR`` or the user data dir); a new
    file is made readable by its owner only (it holds drafts and deleted content). A file that
    is not a readable journal (corrupt, truncated, something else) is moved aside, kept as it
    was, and a fresh journal started; so is one found damaged later, and one deleted while the
    process runs is made again. Each time, `take_problems` says what happened and where the old
    file went. Raises ``sqlite3.Error`` or ``OSError`` when no journal can be made at the path
    (a read-only directory, say).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else self.default_path()
        self._lock = threading.RLock()
        self._problems: list[str] = []
        # (host, project, draft key) -> what this process last wrote of that draft
        self._written: dict[tuple[str, str, str], _Written] = {}
        try:
            self._connect()
        except sqlite3.DatabaseError as exc:
            if not _unreadable(exc):
                raise
            self._set_aside(f"it is not a readable journal: {exc}")
            self._connect()

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Made here, owner-only, before SQLite opens it (its -wal and -shm take this mode).
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10
        )
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            (verdict,) = self._conn.execute("PRAGMA quick_check(1)").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"damaged ({verdict})")
        except BaseException:
            self._conn.close()
            raise
        self._synchronous = "FULL"
        self._synced_at = time.monotonic()
        self._inode = _inode(self.path)

    def _set_aside(self, reason: str) -> None:
        """Move the journal (and its -wal and -shm) aside, keeping their bytes."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.broken-{stamp}-{n}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, f"{aside}{suffix}")
        self._written.clear()
        self._problems.append(
            f"The local journal {self.path} could not be used ({reason}). It was moved to"
            f" {aside}, unchanged, and a new journal was started: drafts and trash recorded in"
            " the old file are still in it."
        )
        log.warning("journal %s set aside as %s: %s", self.path, aside, reason)

    def take_problems(self) -> list[str]:
        """What went wrong with the journal file since the last call (each said once)."""
        with self._lock:
            problems, self._problems = self._problems, []
        return problems

    def _check_present(self) -> None:
        """Make the journal again if its file was deleted (or replaced) while open: writes to
        the deleted file would be lost when the process ends."""
        if _inode(self.path) == self._inode:
            return
        self._conn.close()
        self._written.clear()
        self._connect()
        self._problems.append(
            f"The local journal {self.path} was deleted while the explorer ran; a new one was"
            " started. Drafts being edited are written to it again with their next change;"
            " the trash and drafts of earlier sessions were in the deleted file."
        )
        log.warning("journal %s vanished; made again", self.path)

    @classmethod
    def default_path(cls) -> Path:
        """Where the journal lives when no path is given: ``journal.sqlite3`` in
        ``POSTHOG_EXPLORER_DATA_DIR`` when that is set, else in the user data dir (a journal
        that an earlier version kept under its old folder name is moved there first)."""
        path = paths.data_dir() / "journal.sqlite3"
        if not os.environ.get(ENV_DATA_DIR):
            _move_legacy_journal(path)
        return path

    @contextmanager
    def _transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction. ``durable=False``: commit with ``synchronous=NORMAL`` (survives a
        kill of the process, not of the machine) unless the last durable commit is older than
        `SYNC_EVERY`."""
        with self._lock:
            self._check_present()
            now = time.monotonic()
            durable = durable or now - self._synced_at >= SYNC_EVERY
            synchronous = "FULL" if durable else "NORMAL"
            if synchronous != self._synchronous:
                self._conn.execute(f"PRAGMA synchronous={synchronous}")
                self._synchronous = synchronous
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if not _unreadable(exc):
                    raise
                # Damaged while open: keep its bytes aside, go on with a fresh one. This write
                # is lost; the caller says so, and a draft's next change writes all of it again.
                self._conn.close()
                self._set_aside(f"it was found damaged: {exc}")
                self._connect()
                raise JournalReset(self._problems[-1]) from exc
            if durable:
                self._synced_at = now

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            self._check_present()
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                if not _unreadable(exc):
                    raise
                self._conn.close()
                self._set_aside(f"it was found damaged: {exc}")
                self._connect()
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

    def put_draft(self, draft: DraftRecord, *, durable: bool = True) -> None:
        """Write a draft (replacing the previous one for the same key) in one transaction.

        When this process wrote the same draft last, on the same base (the same ``base`` dict,
        by identity, and version), only the draft's own columns and the texts that changed are
        written. ``durable=False`` is for keystrokes (see the module docstring)."""
        cache_key = (self.host, self.project, draft.key)
        written = self.journal._written.pop(cache_key, None)
        with self.journal._transaction(durable) as conn:
            if written is None or not self._update_draft(conn, draft, written):
                self._replace_draft(conn, draft)
        self.journal._written[cache_key] = _Written(
            draft.base, draft.base_updated_at, dict(draft.fields)
        )

    def _where(self, key: str) -> tuple[str, str, str]:
        return (self.host, self.project, key)

    def _update_draft(
        self, conn: sqlite3.Connection, draft: DraftRecord, written: _Written
    ) -> bool:
        if written.base is not draft.base or written.base_updated_at != draft.base_updated_at:
            return False
        updated = conn.execute(
            "UPDATE drafts SET item_id=?, dataset_id=?, status=?, reason=?, attempts=?, sent=?,"
            " started_at=?, updated_at=?"
            " WHERE host=? AND project=? AND draft_key=? AND base_updated_at IS ?",
            (
                draft.item_id,
                draft.dataset_id,
                draft.status,
                draft.reason,
                _dumps(list(draft.attempts)),
                _dumps(draft.sent),
                draft.started_at,
                draft.updated_at,
                *self._where(draft.key),
                draft.base_updated_at,
            ),
        )
        if updated.rowcount != 1:
            return False  # dropped (or replaced) since: write it whole
        for name in written.fields.keys() - draft.fields.keys():
            conn.execute(
                "DELETE FROM draft_fields WHERE host=? AND project=? AND draft_key=? AND field=?",
                (*self._where(draft.key), name),
            )
        for name, text in draft.fields.items():
            before = written.fields.get(name)
            if before is not text and before != text:
                conn.execute(
                    "INSERT INTO draft_fields VALUES (?,?,?,?,?) ON CONFLICT"
                    " (host, project, draft_key, field) DO UPDATE SET text=excluded.text",
                    (*self._where(draft.key), name, text),
                )
        return True

    def _replace_draft(self, conn: sqlite3.Connection, draft: DraftRecord) -> None:
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
                "{}",  # the texts are rows of draft_fields (journals before them kept them here)
                draft.status,
                draft.reason,
                _dumps(list(draft.attempts)),
                _dumps(draft.sent),
                draft.started_at,
                draft.updated_at,
            ),
        )
        conn.execute(
            "DELETE FROM draft_fields WHERE host=? AND project=? AND draft_key=?",
            self._where(draft.key),
        )
        conn.executemany(
            "INSERT INTO draft_fields VALUES (?,?,?,?,?)",
            [(*self._where(draft.key), name, text) for name, text in draft.fields.items()],
        )

    def get_draft(self, key: str) -> DraftRecord | None:
        drafts = self._read_drafts(" AND draft_key=?", (key,))
        return drafts[0] if drafts else None

    def drafts(self) -> list[DraftRecord]:
        """Every unsaved draft of this project, oldest first."""
        return self._read_drafts("", ())

    def _read_drafts(self, where: str, args: tuple[Any, ...]) -> list[DraftRecord]:
        with self.journal._lock:
            rows = self.journal._query(
                f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE host=? AND project=?{where}"
                " ORDER BY started_at, draft_key",
                (self.host, self.project, *args),
            )
            texts: dict[str, dict[str, str]] = {}
            for draft_key, name, text in self.journal._query(
                "SELECT draft_key, field, text FROM draft_fields WHERE host=? AND project=?"
                f"{where}",
                (self.host, self.project, *args),
            ):
                texts.setdefault(draft_key, {})[name] = text
        return [_draft(row, texts.get(row[0], {})) for row in rows]

    def drop_draft(self, key: str) -> None:
        self.journal._written.pop((self.host, self.project, key), None)
        with self.journal._transaction() as conn:
            conn.execute(
                "DELETE FROM drafts WHERE host=? AND project=? AND draft_key=?",
                self._where(key),
            )
            conn.execute(
                "DELETE FROM draft_fields WHERE host=? AND project=? AND draft_key=?",
                self._where(key),
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


def _field_order(name: str) -> tuple[int, str]:
    return (FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER), name)


def _draft(row: tuple[Any, ...], texts: dict[str, str]) -> DraftRecord:
    fields = json.loads(row[5])  # empty, but for drafts written before draft_fields
    fields.update(texts)
    fields = {name: fields[name] for name in sorted(fields, key=_field_order)}
    return DraftRecord(
        key=row[0],
        item_id=row[1],
        dataset_id=row[2],
        base=None if row[3] is None else json.loads(row[3]),
        base_updated_at=row[4],
        fields=fields,
        status=row[6],
        reason=row[7],
        attempts=tuple(json.loads(row[8])),
        sent=json.loads(row[9]),
        started_at=row[10],
        updated_at=row[11],
    )
