"""SQLite storage for datasets, items and users. All SQL of the emulator lives here.

Rows are tuples whose columns follow the API's field order (``DATASET_FIELDS``, ``ITEM_FIELDS``),
so serializing is a zip. JSON fields are stored as JSON text (SQL NULL for null). ``hidden`` is
``deleted IS 1``, kept by this module (a plain column, because SQLite does not treat an index on
a generated column as covering): the list indexes use an equality on it, and a row whose
``deleted`` is null stays listed, as PostHog excludes only ``deleted=True``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

SCHEMA_VERSION = "2"

DATASET_FIELDS = (
    "id",
    "name",
    "description",
    "metadata",
    "created_at",
    "updated_at",
    "deleted",
    "created_by",
    "team",
)
ITEM_FIELDS = (
    "id",
    "dataset",
    "input",
    "output",
    "metadata",
    "ref_trace_id",
    "ref_timestamp",
    "ref_source_id",
    "deleted",
    "created_at",
    "updated_at",
    "created_by",
    "team",
)
USER_FIELDS = (
    "id",
    "uuid",
    "distinct_id",
    "first_name",
    "last_name",
    "email",
    "is_email_verified",
    "hedgehog_config",
    "role_at_organization",
)
# Order keys a dataset list accepts, mapped to their column.
DATASET_ORDER_COLUMNS = {"created_at": "created_at", "updated_at": "updated_at"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, distinct_id TEXT, first_name TEXT NOT NULL,
    last_name TEXT NOT NULL, email TEXT NOT NULL, is_email_verified INTEGER,
    hedgehog_config TEXT, role_at_organization TEXT
);
CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, metadata TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER, created_by INTEGER,
    team INTEGER NOT NULL, hidden INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS datasets_by_created ON datasets (team, hidden, created_at, id);
CREATE INDEX IF NOT EXISTS datasets_by_updated ON datasets (team, hidden, updated_at, id);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, dataset TEXT NOT NULL, input TEXT, output TEXT, metadata TEXT,
    ref_trace_id TEXT, ref_timestamp TEXT, ref_source_id TEXT, deleted INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by INTEGER, team INTEGER NOT NULL,
    hidden INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_dataset
    ON items (team, dataset, hidden, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS items_by_team ON items (team, hidden, created_at DESC, id DESC);
"""

# SQLite cannot bind integers past 2**63; a limit or offset that large means "all".
_SQL_INT_MAX = 2**62

Row = tuple[Any, ...]


def _hidden(deleted: object) -> int:
    return 1 if deleted is True or (type(deleted) is int and deleted == 1) else 0


def _icontains(haystack: str | None, needle: str) -> bool:
    # Django's icontains on PostgreSQL: UPPER(col::text) LIKE UPPER('%needle%').
    return haystack is not None and needle.upper() in haystack.upper()


class Store:
    """One SQLite database (WAL). Safe to share between threads: calls are serialized."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=OFF")
        self._conn.create_function("icontains", 2, _icontains, deterministic=True)
        # List counts, reused until the data changes: counting 100k index entries costs more
        # than reading a page. Our own writes clear it; data_version tells other connections'.
        self._counts: dict[tuple[Any, ...], int] = {}
        self._counts_version: int | None = None
        with self._lock:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- meta and users ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def upsert_users(self, rows: Iterable[Row]) -> None:
        cols = ", ".join(USER_FIELDS)
        marks = ", ".join("?" for _ in USER_FIELDS)
        with self._lock:
            self._conn.executemany(
                f"INSERT OR REPLACE INTO users ({cols}) VALUES ({marks})", list(rows)
            )

    def users(self) -> list[Row]:
        with self._lock:
            return self._conn.execute(f"SELECT {', '.join(USER_FIELDS)} FROM users").fetchall()

    # -- bulk insert (seeding) --------------------------------------------------------------

    def insert_datasets(self, rows: Sequence[Row]) -> None:
        self._insert_many("datasets", DATASET_FIELDS, rows)

    def insert_items(self, rows: Sequence[Row]) -> None:
        self._insert_many("items", ITEM_FIELDS, rows)

    def _insert_many(self, table: str, fields: Sequence[str], rows: Sequence[Row]) -> None:
        columns = [*fields, "hidden"]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        deleted = fields.index("deleted")
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(sql, ((*row, _hidden(row[deleted])) for row in rows))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self._counts.clear()

    def _count(self, sql: str, params: Sequence[Any]) -> int:
        """``SELECT COUNT(*)`` through the cache (call with the lock held)."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._counts_version or len(self._counts) > 1000:
            self._counts.clear()
            self._counts_version = version
        key = (sql, *params)
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = int(self._conn.execute(sql, params).fetchone()[0])
        return count

    # -- single rows ------------------------------------------------------------------------

    def get_dataset(self, team: int, id_: str, *, include_deleted: bool = False) -> Row | None:
        return self._get("datasets", DATASET_FIELDS, team, id_, include_deleted)

    def get_item(self, team: int, id_: str, *, include_deleted: bool = False) -> Row | None:
        return self._get("items", ITEM_FIELDS, team, id_, include_deleted)

    def _get(
        self, table: str, fields: Sequence[str], team: int, id_: str, include_deleted: bool
    ) -> Row | None:
        sql = f"SELECT {', '.join(fields)} FROM {table} WHERE id = ? AND team = ?"
        if not include_deleted:
            sql += " AND hidden = 0"
        with self._lock:
            row: Row | None = self._conn.execute(sql, (id_, team)).fetchone()
        return row

    def update_dataset(self, team: int, id_: str, changes: dict[str, Any]) -> Row | None:
        return self._update("datasets", DATASET_FIELDS, team, id_, changes)

    def update_item(self, team: int, id_: str, changes: dict[str, Any]) -> Row | None:
        return self._update("items", ITEM_FIELDS, team, id_, changes)

    def _update(
        self, table: str, fields: Sequence[str], team: int, id_: str, changes: dict[str, Any]
    ) -> Row | None:
        unknown = set(changes) - set(fields)
        if unknown:
            raise ValueError(f"not columns of {table}: {sorted(unknown)}")
        if "deleted" in changes:
            changes = {**changes, "hidden": _hidden(changes["deleted"])}
        assignments = ", ".join(f"{col} = ?" for col in changes)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = ? AND team = ?",
                    (*changes.values(), id_, team),
                )
                row = self._get(table, fields, team, id_, True)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self._counts.clear()
        return row

    def dataset_in_project(self, team: int, id_: str) -> bool:
        """Whether the dataset exists in the project, soft-deleted or not."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM datasets WHERE id = ? AND team = ?", (id_, team)
            ).fetchone()
        return row is not None

    # -- lists ------------------------------------------------------------------------------

    def list_datasets(
        self,
        team: int,
        *,
        search: str | None,
        ids: Sequence[str] | None,
        order: Sequence[tuple[str, bool]],
        limit: int,
        offset: int,
    ) -> tuple[int, list[Row]]:
        """Count and one page of live datasets. ``order``: (key, descending) pairs."""
        where = ["team = ?", "hidden = 0"]
        params: list[Any] = [team]
        if search:
            where.append(
                "(icontains(name, ?) OR icontains(description, ?) OR icontains(metadata, ?))"
            )
            params += [search, search, search]
        if ids is not None:
            where.append(f"id IN ({', '.join('?' * len(ids))})")
            params += list(ids)
        terms = [f"{DATASET_ORDER_COLUMNS[key]} {'DESC' if desc else 'ASC'}" for key, desc in order]
        first_desc = order[0][1] if order else True
        terms.append(f"id {'DESC' if first_desc else 'ASC'}")
        where_sql = " AND ".join(where)
        with self._lock:
            count = self._count(f"SELECT COUNT(*) FROM datasets WHERE {where_sql}", params)
            if count == 0 or offset > count:
                return count, []
            rows = self._conn.execute(
                f"SELECT {', '.join(DATASET_FIELDS)} FROM datasets WHERE {where_sql}"
                f" ORDER BY {', '.join(terms)} LIMIT ? OFFSET ?",
                [*params, min(limit, _SQL_INT_MAX), min(offset, _SQL_INT_MAX)],
            ).fetchall()
        return count, rows

    def list_items(
        self, team: int, *, dataset: str | None, limit: int, offset: int
    ) -> tuple[int, list[Row]]:
        """Count and one page of live items, newest first (then id)."""
        where = "team = ? AND hidden = 0"
        params: list[Any] = [team]
        if dataset is not None:
            where = "team = ? AND dataset = ? AND hidden = 0"
            params.append(dataset)
        order = "created_at DESC, id DESC"
        with self._lock:
            count = self._count(f"SELECT COUNT(*) FROM items WHERE {where}", params)
            if count == 0 or offset > count:
                return count, []
            # Deferred join: page through the covering index, then read only the page's rows.
            rows = self._conn.execute(
                f"SELECT {', '.join(ITEM_FIELDS)} FROM items WHERE rowid IN"
                f" (SELECT rowid FROM items WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?)"
                f" ORDER BY {order}",
                [*params, min(limit, _SQL_INT_MAX), min(offset, _SQL_INT_MAX)],
            ).fetchall()
        return count, rows

    def insert_dataset(self, row: Row) -> None:
        self.insert_datasets([row])

    def insert_item(self, row: Row) -> None:
        self.insert_items([row])

    def explain(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """EXPLAIN QUERY PLAN, for tests that check the list queries use their index."""
        with self._lock:
            return self._conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()

    def checkpoint_to_single_file(self) -> None:
        """Fold the WAL back into the main file, so the database can be copied as one file."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.execute("PRAGMA journal_mode=DELETE")
