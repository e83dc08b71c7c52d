"""SQLite storage of the versioned API: datasets, revisions, items, immutable versions, exports.

``V2Store`` extends the classic ``Store`` (same connection, lock, users and meta tables) with the
``v2_*`` tables. Every read returns rows in the order of ``DATASET_COLUMNS``, ``ITEM_COLUMNS``
(one version of an item, joined to its stable item), ``REVISION_COLUMNS`` and
``EXPORT_COLUMNS``. JSON columns hold compact JSON text, spliced into responses unparsed.

PostHog's database rules are kept as constraints and triggers, so a test can prove them as
PostHog's own tests do: versions are immutable, a version or revision cannot be deleted while its
dataset exists, deleting a dataset removes its history, metadata is a JSON object, and a trace
reference needs its timestamp. Reads never return a version whose team or dataset disagrees
with its item's, and resolve a missing ``current_*`` pointer to the newest row (writes repair it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.emulator.store import Row, Store

DATASET_COLUMNS = (
    "id",
    "name",
    "description",
    "metadata",
    "archived",
    "current_revision",
    "current_revision_id",
    "created_at",
    "updated_at",
    "created_by",
    "team",
)
ITEM_COLUMNS = (
    "id",
    "dataset",
    "client_item_id",
    "version",
    "version_id",
    "dataset_revision",
    "dataset_revision_id",
    "archived",
    "input",
    "expected_output",
    "source_output",
    "metadata",
    "source_trace_id",
    "source_event_id",
    "source_timestamp",
    "created_at",
    "updated_at",
    "created_by",
    "version_created_at",
    "version_created_by",
    "team",
)
REVISION_COLUMNS = ("id", "dataset_id", "revision", "created_at", "created_by", "team")
EXPORT_COLUMNS = (
    "id",
    "team",
    "user_id",
    "dataset_id",
    "revision",
    "filename",
    "created_at",
    "expires_after",
    "exception",
    "completed_at",
)
DATASET_ORDER_COLUMNS = {"created_at": "d.created_at", "updated_at": "d.updated_at"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS v2_datasets (
    id TEXT PRIMARY KEY, team INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    metadata TEXT NOT NULL CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    archived INTEGER NOT NULL, current_revision_id TEXT, created_at TEXT NOT NULL,
    updated_at TEXT, created_by INTEGER, UNIQUE (team, name)
);
CREATE INDEX IF NOT EXISTS v2_datasets_by_created ON v2_datasets (team, archived, created_at);
CREATE TABLE IF NOT EXISTS v2_revisions (
    id TEXT PRIMARY KEY, team INTEGER NOT NULL, dataset_id TEXT NOT NULL,
    revision INTEGER NOT NULL, created_at TEXT NOT NULL, created_by INTEGER,
    UNIQUE (dataset_id, revision)
);
CREATE TABLE IF NOT EXISTS v2_items (
    id TEXT PRIMARY KEY, team INTEGER NOT NULL, dataset_id TEXT NOT NULL,
    client_item_id TEXT, current_version_id TEXT, created_at TEXT NOT NULL, updated_at TEXT,
    created_by INTEGER, UNIQUE (dataset_id, client_item_id)
);
CREATE INDEX IF NOT EXISTS v2_items_by_dataset ON v2_items (dataset_id, created_at DESC, id);
CREATE TABLE IF NOT EXISTS v2_versions (
    id TEXT PRIMARY KEY, team INTEGER NOT NULL, item_id TEXT NOT NULL, dataset_id TEXT NOT NULL,
    version INTEGER NOT NULL, revision_id TEXT NOT NULL, revision INTEGER NOT NULL,
    archived INTEGER NOT NULL, input TEXT NOT NULL, expected_output TEXT, source_output TEXT,
    metadata TEXT NOT NULL CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    source_trace_id TEXT, source_event_id TEXT, source_timestamp TEXT,
    created_at TEXT NOT NULL, created_by INTEGER,
    CHECK (source_trace_id IS NULL OR source_timestamp IS NOT NULL),
    CHECK (source_trace_id IS NOT NULL OR (source_event_id IS NULL AND source_timestamp IS NULL)),
    UNIQUE (item_id, version)
);
CREATE INDEX IF NOT EXISTS v2_versions_by_revision ON v2_versions (item_id, revision, version);
CREATE TABLE IF NOT EXISTS v2_exports (
    id INTEGER PRIMARY KEY AUTOINCREMENT, team INTEGER NOT NULL, user_id INTEGER NOT NULL,
    dataset_id TEXT NOT NULL, revision INTEGER NOT NULL, filename TEXT NOT NULL,
    created_at TEXT NOT NULL, expires_after TEXT NOT NULL, exception TEXT, completed_at TEXT
);
CREATE TRIGGER IF NOT EXISTS v2_versions_immutable BEFORE UPDATE ON v2_versions
BEGIN SELECT RAISE(ABORT, 'dataset item versions are immutable'); END;
CREATE TRIGGER IF NOT EXISTS v2_versions_restricted BEFORE DELETE ON v2_versions
WHEN EXISTS (SELECT 1 FROM v2_datasets WHERE id = OLD.dataset_id)
BEGIN SELECT RAISE(ABORT, 'restricted: delete the dataset to delete its history'); END;
CREATE TRIGGER IF NOT EXISTS v2_revisions_restricted BEFORE DELETE ON v2_revisions
WHEN EXISTS (SELECT 1 FROM v2_datasets WHERE id = OLD.dataset_id)
BEGIN SELECT RAISE(ABORT, 'restricted: delete the dataset to delete its history'); END;
CREATE TRIGGER IF NOT EXISTS v2_datasets_cascade AFTER DELETE ON v2_datasets
BEGIN
    DELETE FROM v2_versions WHERE dataset_id = OLD.id;
    DELETE FROM v2_items WHERE dataset_id = OLD.id;
    DELETE FROM v2_revisions WHERE dataset_id = OLD.id;
    DELETE FROM v2_exports WHERE dataset_id = OLD.id;
END;
"""

_DATASET_SELECT = """
SELECT d.id, d.name, d.description, d.metadata, d.archived, r.revision, r.id, d.created_at,
       d.updated_at, d.created_by, d.team
FROM v2_datasets d LEFT JOIN v2_revisions r ON r.id = COALESCE(
    d.current_revision_id,
    (SELECT id FROM v2_revisions WHERE dataset_id = d.id ORDER BY revision DESC LIMIT 1))
"""
_ITEM_FIELDS = """
SELECT i.id, i.dataset_id, i.client_item_id, v.version, v.id, v.revision, v.revision_id,
       v.archived, v.input, v.expected_output, v.source_output, v.metadata, v.source_trace_id,
       v.source_event_id, v.source_timestamp, i.created_at, i.updated_at, i.created_by,
       v.created_at, v.created_by, i.team
"""
# The version an item shows: its current one, or the newest at a revision (``:revision``).
_CURRENT_VERSION = """COALESCE(i.current_version_id,
    (SELECT id FROM v2_versions WHERE item_id = i.id ORDER BY version DESC LIMIT 1))"""
_VERSION_AT = """(SELECT id FROM v2_versions
    WHERE item_id = i.id AND revision <= :revision ORDER BY version DESC LIMIT 1)"""
# Only versions whose ownership agrees with their item's are ever read.
_CONSISTENT = "v.item_id = i.id AND v.dataset_id = i.dataset_id AND v.team = i.team"

# SQLite integers stop at 2**63; larger numbers from a request match nothing.
SQL_INT_MAX = 2**62


@dataclass(frozen=True)
class VersionContent:
    """What one version carries, JSON fields as stored text."""

    input: str
    expected_output: str | None
    source_output: str | None
    metadata: str
    source_trace_id: str | None
    source_event_id: str | None
    source_timestamp: str | None


@dataclass(frozen=True)
class NewVersion:
    """One version to commit, with the revision it makes."""

    team: int
    dataset_id: str
    item_id: str
    version: int
    archived: bool
    content: VersionContent
    revision_id: str
    version_id: str
    when: str
    user: int | None


def content_of(row: Row) -> VersionContent:
    """The content of an ``ITEM_COLUMNS`` row."""
    return VersionContent(*row[8:15])


class V2Store(Store):
    """The classic store's database, with the versioned tables beside it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        with self._lock:
            self._conn.executescript(_SCHEMA)

    # -- datasets ---------------------------------------------------------------------------

    def get_v2_dataset(self, team: int, id_: str) -> Row | None:
        with self._lock:
            row: Row | None = self._conn.execute(
                f"{_DATASET_SELECT} WHERE d.id = ? AND d.team = ?", (id_, team)
            ).fetchone()
        return row

    def count_datasets(self, team: int) -> int:
        with self._lock:
            sql = "SELECT COUNT(*) FROM v2_datasets WHERE team = ?"
            return int(self._conn.execute(sql, (team,)).fetchone()[0])

    def list_v2_datasets(
        self,
        team: int,
        *,
        archived: bool,
        search: str | None,
        ids: Sequence[str] | None,
        order: tuple[str, bool],
        limit: int,
        offset: int,
    ) -> tuple[int, list[Row]]:
        """Count and one page. ``order``: (key, descending); then id ascending."""
        where = ["d.team = ?", "d.archived = ?"]
        params: list[Any] = [team, int(archived)]
        if search is not None:
            where.append(
                "(icontains(d.name, ?) OR icontains(d.description, ?) OR icontains(d.metadata, ?))"
            )
            params += [search, search, search]
        if ids is not None:
            where.append(f"d.id IN ({', '.join('?' * len(ids))})")
            params += list(ids)
        key, desc = order
        order_sql = f"{DATASET_ORDER_COLUMNS[key]} {'DESC' if desc else 'ASC'}, d.id ASC"
        where_sql = " AND ".join(where)
        with self._lock:
            count = int(
                self._conn.execute(
                    f"SELECT COUNT(*) FROM v2_datasets d WHERE {where_sql}", params
                ).fetchone()[0]
            )
            rows = self._conn.execute(
                f"{_DATASET_SELECT} WHERE {where_sql} ORDER BY {order_sql} LIMIT ? OFFSET ?",
                [*params, min(limit, SQL_INT_MAX), min(offset, SQL_INT_MAX)],
            ).fetchall()
        return count, rows

    def insert_v2_dataset(self, row: Row) -> None:
        """(id, team, name, description, metadata, archived, created_at, updated_at, created_by).

        Raises sqlite3.IntegrityError when the name is taken in the team.
        """
        with self._lock:
            self._conn.execute(
                "INSERT INTO v2_datasets (id, team, name, description, metadata, archived,"
                " current_revision_id, created_at, updated_at, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                row,
            )

    def update_v2_dataset(self, team: int, id_: str, changes: dict[str, Any]) -> None:
        """Set columns of one dataset. Raises sqlite3.IntegrityError on a taken name."""
        allowed = {"name", "description", "metadata", "archived", "updated_at"}
        if set(changes) - allowed:
            raise ValueError(f"not settable: {sorted(set(changes) - allowed)}")
        assignments = ", ".join(f"{col} = ?" for col in changes)
        with self._lock:
            self._conn.execute(
                f"UPDATE v2_datasets SET {assignments} WHERE id = ? AND team = ?",
                (*changes.values(), id_, team),
            )

    def revisions(
        self, team: int, dataset_id: str, *, limit: int, offset: int
    ) -> tuple[int, list[Row]]:
        """Count and one page of a dataset's revisions, newest first."""
        with self._lock:
            count = int(
                self._conn.execute(
                    "SELECT COUNT(*) FROM v2_revisions WHERE dataset_id = ? AND team = ?",
                    (dataset_id, team),
                ).fetchone()[0]
            )
            rows = self._conn.execute(
                f"SELECT {', '.join(REVISION_COLUMNS)} FROM v2_revisions"
                " WHERE dataset_id = ? AND team = ?"
                " ORDER BY revision DESC LIMIT ? OFFSET ?",
                (dataset_id, team, min(limit, SQL_INT_MAX), min(offset, SQL_INT_MAX)),
            ).fetchall()
        return count, rows

    def revision_exists(self, dataset_id: str, revision: int) -> bool:
        if revision > SQL_INT_MAX:
            return False
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM v2_revisions WHERE dataset_id = ? AND revision = ?",
                (dataset_id, revision),
            ).fetchone()
        return row is not None

    # -- items ------------------------------------------------------------------------------

    def get_v2_item(self, team: int, id_: str, *, revision: int | None = None) -> Row | None:
        """The item's current version, or the newest version at ``revision`` (None if none)."""
        chosen = _CURRENT_VERSION if revision is None else _VERSION_AT
        sql = (
            f"{_ITEM_FIELDS} FROM v2_items i JOIN v2_versions v ON v.id = {chosen}"
            f" AND {_CONSISTENT} WHERE i.id = :id AND i.team = :team"
        )
        params = {"id": id_, "team": team, "revision": min(revision or 0, SQL_INT_MAX)}
        with self._lock:
            row: Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def list_v2_items(
        self,
        team: int,
        dataset_id: str,
        *,
        archived: bool,
        revision: int | None,
        limit: int,
        offset: int,
        newest_first: bool = True,
    ) -> tuple[int, list[Row]]:
        """Count and one page of a dataset's items as they stand now or at ``revision``."""
        chosen = _CURRENT_VERSION if revision is None else _VERSION_AT
        base = (
            f"FROM v2_items i JOIN v2_versions v ON v.id = {chosen} AND {_CONSISTENT}"
            " WHERE i.dataset_id = :dataset AND i.team = :team AND v.archived = :archived"
        )
        params = {
            "dataset": dataset_id,
            "team": team,
            "archived": int(archived),
            "revision": min(revision or 0, SQL_INT_MAX),
            "limit": min(limit, SQL_INT_MAX),
            "offset": min(offset, SQL_INT_MAX),
        }
        order = "i.created_at DESC, i.id ASC" if newest_first else "i.created_at ASC, i.id ASC"
        with self._lock:
            count = int(self._conn.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0])
            rows = self._conn.execute(
                f"{_ITEM_FIELDS} {base} ORDER BY {order} LIMIT :limit OFFSET :offset", params
            ).fetchall()
        return count, rows

    def iter_snapshot(self, team: int, dataset_id: str, revision: int) -> Iterator[Row]:
        """Every item active at ``revision``, oldest item first, read in pages of 50."""
        offset = 0
        while True:
            _, rows = self.list_v2_items(
                team,
                dataset_id,
                archived=False,
                revision=revision,
                limit=50,
                offset=offset,
                newest_first=False,
            )
            yield from rows
            if len(rows) < 50:
                return
            offset += 50

    def versions(
        self, team: int, item_id: str, *, limit: int, offset: int
    ) -> tuple[int, list[Row]]:
        """Count and one page of an item's versions, newest first."""
        base = (
            f"FROM v2_items i JOIN v2_versions v ON {_CONSISTENT}"
            " WHERE i.id = :id AND i.team = :team"
        )
        params = {
            "id": item_id,
            "team": team,
            "limit": min(limit, SQL_INT_MAX),
            "offset": min(offset, SQL_INT_MAX),
        }
        with self._lock:
            count = int(self._conn.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0])
            rows = self._conn.execute(
                f"{_ITEM_FIELDS} {base} ORDER BY v.version DESC LIMIT :limit OFFSET :offset",
                params,
            ).fetchall()
        return count, rows

    def version_of(self, team: int, item_id: str, version: int) -> Row | None:
        """One numbered version of an item."""
        if version > SQL_INT_MAX:
            return None
        with self._lock:
            row: Row | None = self._conn.execute(
                f"{_ITEM_FIELDS} FROM v2_items i JOIN v2_versions v ON {_CONSISTENT}"
                " WHERE i.id = ? AND i.team = ? AND v.version = ?",
                (item_id, team, version),
            ).fetchone()
        return row

    def item_by_client_id(self, dataset_id: str, client_item_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id FROM v2_items WHERE dataset_id = ? AND client_item_id = ?",
                (dataset_id, client_item_id),
            ).fetchone()
        return None if row is None else str(row[0])

    def count_items(self, dataset_id: str) -> int:
        with self._lock:
            sql = "SELECT COUNT(*) FROM v2_items WHERE dataset_id = ?"
            return int(self._conn.execute(sql, (dataset_id,)).fetchone()[0])

    def count_versions(self, item_id: str) -> int:
        with self._lock:
            sql = "SELECT COUNT(*) FROM v2_versions WHERE item_id = ?"
            return int(self._conn.execute(sql, (item_id,)).fetchone()[0])

    def commit_version(self, new: NewVersion, *, client_item_id: str | None = None) -> None:
        """Commit one version and the revision it makes; version 1 creates the item too.

        Moves the item's and the dataset's pointers and bumps both ``updated_at``.
        """
        self.commit_versions([(new, client_item_id)])

    def commit_versions(self, batch: Sequence[tuple[NewVersion, str | None]]) -> None:
        """``commit_version`` for many, in one transaction (seeding)."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                for new, client_item_id in batch:
                    self._commit(new, client_item_id)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _commit(self, new: NewVersion, client_item_id: str | None) -> None:
        conn = self._conn
        if new.version == 1:
            conn.execute(
                "INSERT INTO v2_items (id, team, dataset_id, client_item_id, current_version_id,"
                " created_at, updated_at, created_by) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
                (
                    new.item_id,
                    new.team,
                    new.dataset_id,
                    client_item_id,
                    new.when,
                    new.when,
                    new.user,
                ),
            )
        number = int(
            conn.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM v2_revisions WHERE dataset_id = ?",
                (new.dataset_id,),
            ).fetchone()[0]
        )
        conn.execute(
            "INSERT INTO v2_revisions (id, team, dataset_id, revision, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (new.revision_id, new.team, new.dataset_id, number, new.when, new.user),
        )
        c = new.content
        conn.execute(
            "INSERT INTO v2_versions (id, team, item_id, dataset_id, version, revision_id,"
            " revision, archived, input, expected_output, source_output, metadata,"
            " source_trace_id, source_event_id, source_timestamp, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.version_id, new.team, new.item_id, new.dataset_id, new.version,
                new.revision_id, number, int(new.archived), c.input, c.expected_output,
                c.source_output, c.metadata, c.source_trace_id, c.source_event_id,
                c.source_timestamp, new.when, new.user,
            ),
        )  # fmt: skip
        conn.execute(
            "UPDATE v2_items SET current_version_id = ?, updated_at = ? WHERE id = ?",
            (new.version_id, new.when, new.item_id),
        )
        conn.execute(
            "UPDATE v2_datasets SET current_revision_id = ?, updated_at = ? WHERE id = ?",
            (new.revision_id, new.when, new.dataset_id),
        )

    # -- exports ----------------------------------------------------------------------------

    def insert_export(self, row: Row) -> int:
        """(team, user_id, dataset_id, revision, filename, created_at, expires_after) -> id."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO v2_exports (team, user_id, dataset_id, revision, filename,"
                " created_at, expires_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def get_export(self, id_: int) -> Row | None:
        if id_ > SQL_INT_MAX:
            return None
        with self._lock:
            row: Row | None = self._conn.execute(
                f"SELECT {', '.join(EXPORT_COLUMNS)} FROM v2_exports WHERE id = ?", (id_,)
            ).fetchone()
        return row

    def settle_export(self, id_: int, *, completed_at: str | None, exception: str | None) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE v2_exports SET completed_at = ?, exception = ? WHERE id = ?",
                (completed_at, exception, id_),
            )
