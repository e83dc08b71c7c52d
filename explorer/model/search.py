"""Search inside a dataset's items: a local index and its query language (both API generations).

PostHog's API cannot search items. `ItemIndex` keeps each indexed dataset's items in SQLite
beside the journal (``index.sqlite3``): the item's JSON, a full-text index (FTS5) of every field,
and the facts a filter asks about (metadata leaves, nulls, links, version, archived), so a query
over 100,000 items answers from indexes, not by reading every item. `refresh_index` fills it from
the server one page at a time (never more than a page of JSON in memory), and again later only
where something changed: on v2 nothing is fetched when the dataset's revision is the one indexed;
otherwise rows are rewritten only when their version (v2) or ``updated_at`` (classic) changed,
and rows the server no longer lists are dropped.

Queries (`parse_query`), terms combined with AND:

- words: full text over every field, each word a prefix (``refund escal``); ``"a phrase"``;
- ``field:word`` in one field: ``input``, ``output`` / ``expected_output`` / ``source_output``,
  ``metadata``, ``trace`` (the link fields);
- ``metadata.tags:refunds``: a metadata value (a list matches any element; ``.`` walks objects);
- ``expected_output:null`` (also ``output:null``, ``metadata.key:null``): null or missing;
- ``has:trace``, ``has:expected_output``, ``has:metadata.reviewer``: present and not null;
- ``archived:true`` / ``archived:false`` (the default: live items) / ``archived:any``;
- ``version>1`` (also ``>=``, ``<``, ``<=``, ``=``; classic items have no version);
- ``id:0a1b2c3d`` (the end or start of the item id);
- ``-term``: not.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.api.models import AnyItem, VersionedDataset, VersionedItem

__all__ = [
    "IndexProgress",
    "ItemIndex",
    "Query",
    "QueryError",
    "SearchPage",
    "parse_query",
    "refresh_index",
]

TEXT_COLUMNS = ("input", "expected_output", "source_output", "output", "metadata", "links")
"""The full-text columns; classic items fill ``output``, v2 items the two others."""
LINK_FIELDS = (
    "ref_trace_id",
    "ref_source_id",
    "source_trace_id",
    "source_event_id",
)
JSON_FIELDS = ("input", "expected_output", "source_output", "output", "metadata")
MAX_TEXT = 1_000_000
"""Characters of one field put in the full-text index (a 5 MB item is found by its first MB)."""
MAX_FACTS = 500
"""Metadata facts kept per item (deeply nested or huge metadata is found by its text)."""
MAX_DEPTH = 6
BATCH = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    scope TEXT NOT NULL, dataset TEXT NOT NULL, generation TEXT NOT NULL,
    revision INTEGER, indexed_at REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (scope, dataset)
);
CREATE TABLE IF NOT EXISTS items (
    n INTEGER PRIMARY KEY,
    scope TEXT NOT NULL, dataset TEXT NOT NULL, id TEXT NOT NULL,
    created_at TEXT NOT NULL, token TEXT NOT NULL, version INTEGER,
    archived INTEGER NOT NULL, seen INTEGER NOT NULL DEFAULT 0,
    UNIQUE (scope, dataset, id)
);
CREATE TABLE IF NOT EXISTS bodies (n INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_order ON items (scope, dataset, archived, created_at, id);
CREATE TABLE IF NOT EXISTS facts (n INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facts_lookup ON facts (key, value, n);
CREATE INDEX IF NOT EXISTS facts_item ON facts (n);
CREATE VIRTUAL TABLE IF NOT EXISTS items_text USING fts5 (
    input, expected_output, source_output, output, metadata, links,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
"""


class QueryError(ValueError):
    """A query that cannot be understood; the message says where and what is expected."""


# -- the query language ------------------------------------------------------------------------

_FIELD_ALIASES = {
    "input": "input",
    "output": "output",
    "expected_output": "expected_output",
    "expected": "expected_output",
    "source_output": "source_output",
    "metadata": "metadata",
    "meta": "metadata",
    "trace": "links",
    "links": "links",
}
_TERM = re.compile(
    r"""\s*(?P<neg>-)?(?:
        (?P<key>[A-Za-z_][\w.\-]*)(?P<op>:|>=|<=|>|<|=)(?P<value>"(?:[^"\\]|\\.)*"|\S+)
      | "(?P<phrase>(?:[^"\\]|\\.)*)"
      | (?P<word>\S+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Query:
    """A parsed query: SQL conditions on ``items`` (alias ``i``) with their arguments, the FTS5
    match expression ("" for none), and which archived state it asks for (None: any)."""

    text: str
    where: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()
    match: str = ""
    archived: bool | None = False

    @property
    def empty(self) -> bool:
        return not self.where and not self.match


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_words(text: str, column: str | None = None, prefix: bool = True) -> str:
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return ""  # punctuation alone: nothing to look for
    star = "*" if prefix else ""
    parts = [_fts_string(w.lower()) + star for w in words]
    expr = " ".join(parts) if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
    if len(parts) > 1 and not prefix:
        expr = _fts_string(" ".join(w.lower() for w in words))  # a phrase
    return f"{{{column}}} : {expr}" if column else expr


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _fact_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value).casefold()


def _query_fact(value: str) -> str:
    """A value typed in a query, as `_fact_value` stores it (numbers keep their spelling)."""
    lowered = value.casefold()
    try:
        number = json.loads(value)
    except ValueError:
        return lowered
    if isinstance(number, bool) or number is None:
        return lowered
    if isinstance(number, int | float):
        return json.dumps(number)
    return lowered


def parse_query(text: str) -> Query:
    """Parse a query (see the module's docstring); `QueryError` says what is wrong."""
    where: list[str] = []
    args: list[Any] = []
    matches: list[str] = []
    archived: bool | None = False
    position = 0
    text = text.strip()
    while position < len(text):
        m = _TERM.match(text, position)
        if m is None or m.end() == position:
            raise QueryError(f"Cannot read the query from {text[position:]!r}.")
        position = m.end()
        negate = bool(m.group("neg"))
        if m.group("phrase") is not None:
            phrase = _unquote('"' + m.group("phrase") + '"')
            expr = _fts_words(phrase, prefix=False)
            if expr:
                matches.append(f"NOT {expr}" if negate else expr)
            continue
        if m.group("word") is not None:
            expr = _fts_words(m.group("word"))
            if expr:
                matches.append(f"NOT {expr}" if negate else expr)
            continue
        key, op, raw = m.group("key"), m.group("op"), m.group("value")
        value = _unquote(raw)
        lowered = key.lower()
        condition: str
        params: list[Any]
        if lowered == "archived" and op == ":":
            choice = value.lower()
            if choice not in ("true", "false", "any", "yes", "no"):
                raise QueryError("archived: takes true, false or any.")
            archived = None if choice == "any" else choice in ("true", "yes")
            if negate and archived is not None:
                archived = not archived
            continue
        if lowered == "version":
            try:
                number = int(value)
            except ValueError:
                raise QueryError(f"version{op} takes a whole number, not {value!r}.") from None
            sql_op = {":": "=", "=": "="}.get(op, op)
            condition, params = f"i.version {sql_op} ?", [number]
        elif lowered == "id" and op == ":":
            condition = "(i.id LIKE ? OR i.id LIKE ?)"
            params = [f"%{value.lower()}", f"{value.lower()}%"]
        elif lowered == "has" and op == ":":
            target = value.lower()
            target = {"expected": "expected_output", "meta": "metadata"}.get(target, target)
            condition, params = (
                "i.n IN (SELECT n FROM facts WHERE key = 'has' AND value = ?)",
                [target],
            )
        elif op != ":":
            raise QueryError(f"{key}{op} compares numbers: only version{op} does.")
        elif lowered.startswith("metadata."):
            path = key[len("metadata.") :]
            if value.lower() == "null":
                condition = "i.n NOT IN (SELECT n FROM facts WHERE key = 'has' AND value = ?)"
                params = [f"metadata.{path}"]
            else:
                condition = "i.n IN (SELECT n FROM facts WHERE key = ? AND value = ?)"
                params = [f"metadata.{path}", _query_fact(value)]
        elif lowered in _FIELD_ALIASES:
            column = _FIELD_ALIASES[lowered]
            if value.lower() == "null" and column != "links":
                condition = "i.n NOT IN (SELECT n FROM facts WHERE key = 'has' AND value = ?)"
                params = [column]
            else:
                expr = _fts_words(value, column)
                if not expr:
                    raise QueryError(f"{key}: needs a word to look for in {key}.")
                matches.append(f"NOT {expr}" if negate else expr)
                continue
        else:
            known = ", ".join(
                sorted({*_FIELD_ALIASES, "metadata.<key>", "has", "archived", "version", "id"})
            )
            raise QueryError(f"{key}: is not a field to search; use one of {known}.")
        where.append(f"NOT ({condition})" if negate else condition)
        args.extend(params)
    match = ""
    positive = [m for m in matches if not m.startswith("NOT ")]
    negative = [m[4:] for m in matches if m.startswith("NOT ")]
    if positive:
        match = " AND ".join(positive)
        for expr in negative:
            match = f"({match}) NOT {expr}"
    elif negative:
        where.append("i.n NOT IN (SELECT rowid FROM items_text WHERE items_text MATCH ?)")
        args.append(" OR ".join(negative))
    return Query(text, tuple(where), tuple(args), match, archived)


# -- what an item contributes ------------------------------------------------------------------


def _text(value: Any) -> str:
    """The words of a JSON value: its strings (keys too) and scalars, cut to `MAX_TEXT`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    parts: list[str] = []
    size = 0
    stack: list[Any] = [value]
    while stack and size < MAX_TEXT:
        current = stack.pop()
        if isinstance(current, dict):
            for key, inner in current.items():
                parts.append(str(key))
                stack.append(inner)
        elif isinstance(current, list):
            stack.extend(reversed(current))
        elif current is not None:
            part = str(current)
            parts.append(part)
            size += len(part) + 1
    return " ".join(parts)[:MAX_TEXT]


def _metadata_facts(metadata: Any) -> Iterator[tuple[str, str]]:
    """``("metadata.tags", "refunds")`` for each leaf (list elements each), and
    ``("has", "metadata.tags")`` for each key present and not null."""
    if not isinstance(metadata, dict):
        return
    count = 0
    stack: list[tuple[str, Any, int]] = [("metadata", metadata, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                continue
            for key, inner in value.items():
                child = f"{path}.{key}"
                if inner is not None:
                    yield ("has", child)
                    count += 1
                stack.append((child, inner, depth + 1))
        elif isinstance(value, list):
            for element in value[:MAX_FACTS]:
                if isinstance(element, dict | list):
                    if depth < MAX_DEPTH:
                        stack.append((path, element, depth + 1))
                else:
                    yield (path, _fact_value(element))
                    count += 1
        else:
            yield (path, _fact_value(value))
            count += 1
        if count >= MAX_FACTS:
            return


def _row(item: AnyItem) -> tuple[dict[str, Any], list[tuple[str, str]], dict[str, str]]:
    body = item.model_dump(mode="json")
    facts: list[tuple[str, str]] = []
    for name in JSON_FIELDS:
        if name in body and body[name] not in (None, {}):
            facts.append(("has", name))
    links = [str(body[name]) for name in LINK_FIELDS if body.get(name)]
    if body.get("ref_trace_id") or body.get("source_trace_id"):
        facts.append(("has", "trace"))
    facts.extend(_metadata_facts(body.get("metadata")))
    texts = {name: _text(body.get(name)) for name in TEXT_COLUMNS if name != "links"}
    texts["links"] = " ".join(links)
    return body, facts, texts


def _token(item: AnyItem) -> str:
    if isinstance(item, VersionedItem):
        return f"v{item.version}"
    return item.updated_at.isoformat()


# -- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """One page of a query's results: the items' JSON (newest first), and how many match."""

    rows: list[dict[str, Any]]
    total: int


@dataclass
class IndexProgress:
    """How far an indexing run got: ``fetched`` of ``total`` items, ``changed`` rewritten."""

    dataset_id: str
    fetched: int = 0
    total: int = 0
    changed: int = 0
    removed: int = 0
    skipped: bool = False  # v2: the dataset's revision was already indexed
    done: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def message(self) -> str:
        if self.skipped:
            return "The index is up to date (same revision)."
        if self.done:
            return (
                f"Indexed {self.total:,} items: {self.changed:,} new or changed,"
                f" {self.removed:,} gone."
            )
        return f"Indexing: {self.fetched:,} of {self.total:,} items."


class ItemIndex:
    """The search index: one SQLite file (thread-safe: one connection behind a lock)."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from explorer.paths import data_dir

            path = data_dir() / "index.sqlite3"
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if str(path) != ":memory:":
            self.path.chmod(0o600)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    # -- what is indexed

    def indexed(self, scope: str, dataset_id: str) -> tuple[int | None, int] | None:
        """(revision, count) of an indexed dataset, None when it was never indexed."""
        rows = self._query(
            "SELECT revision, count FROM datasets WHERE scope = ? AND dataset = ?",
            (scope, dataset_id),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def forget(self, scope: str, dataset_id: str) -> None:
        with self._transaction() as conn:
            self._delete_rows(
                conn, "SELECT n FROM items WHERE scope = ? AND dataset = ?", (scope, dataset_id)
            )
            conn.execute(
                "DELETE FROM datasets WHERE scope = ? AND dataset = ?", (scope, dataset_id)
            )

    @staticmethod
    def _delete_rows(conn: sqlite3.Connection, select: str, args: tuple[Any, ...]) -> int:
        numbers = [row[0] for row in conn.execute(select, args).fetchall()]
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM facts WHERE n IN ({marks})", chunk)
            conn.execute(f"DELETE FROM items_text WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM bodies WHERE n IN ({marks})", chunk)
            conn.execute(f"DELETE FROM items WHERE n IN ({marks})", chunk)
        return len(numbers)

    # -- writing

    def put(self, scope: str, items: Iterable[AnyItem], *, mark: int | None = None) -> int:
        """Add or update items (a page, or an item just saved); returns how many rows changed.
        Rows whose token (version or updated_at) is unchanged are only marked seen."""
        changed = 0
        with self._transaction() as conn:
            for item in items:
                dataset_id, item_id = str(item.dataset), str(item.id)
                token = _token(item)
                found = conn.execute(
                    "SELECT n, token FROM items WHERE scope = ? AND dataset = ? AND id = ?",
                    (scope, dataset_id, item_id),
                ).fetchone()
                if found is not None and found[1] == token:
                    if mark is not None:
                        conn.execute("UPDATE items SET seen = ? WHERE n = ?", (mark, found[0]))
                    continue
                if found is not None:
                    self._delete_rows(conn, "SELECT ?", (found[0],))
                body, facts, texts = _row(item)
                cursor = conn.execute(
                    "INSERT INTO items (scope, dataset, id, created_at, token, version,"
                    " archived, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        scope,
                        dataset_id,
                        item_id,
                        body["created_at"],
                        token,
                        body.get("version"),
                        1 if (body.get("archived") or body.get("deleted")) else 0,
                        mark or 0,
                    ),
                )
                n = cursor.lastrowid
                conn.execute(
                    "INSERT INTO bodies (n, body) VALUES (?, ?)",
                    (n, json.dumps(body, ensure_ascii=False, separators=(",", ":"))),
                )
                conn.executemany(
                    "INSERT INTO facts (n, key, value) VALUES (?, ?, ?)",
                    [(n, key, value) for key, value in facts],
                )
                conn.execute(
                    "INSERT INTO items_text (rowid, input, expected_output, source_output, output,"
                    " metadata, links) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (n, *(texts[c] for c in TEXT_COLUMNS)),
                )
                changed += 1
        return changed

    def remove_id(self, scope: str, item_id: str) -> None:
        """Drop one item wherever it is indexed (a classic delete, or an item moved away; v2
        archives are put as archived versions)."""
        with self._transaction() as conn:
            self._delete_rows(
                conn, "SELECT n FROM items WHERE scope = ? AND id = ?", (scope, item_id)
            )

    def _finish(
        self, scope: str, dataset_id: str, generation: str, revision: int | None, mark: int
    ) -> tuple[int, int]:
        """After a full pass: drop rows not seen in it; record what was indexed."""
        with self._transaction() as conn:
            removed = self._delete_rows(
                conn,
                "SELECT n FROM items WHERE scope = ? AND dataset = ? AND seen != ?",
                (scope, dataset_id, mark),
            )
            count = conn.execute(
                "SELECT count(*) FROM items WHERE scope = ? AND dataset = ?", (scope, dataset_id)
            ).fetchone()[0]
            conn.execute(
                "INSERT OR REPLACE INTO datasets (scope, dataset, generation, revision,"
                " indexed_at, count) VALUES (?, ?, ?, ?, ?, ?)",
                (scope, dataset_id, generation, revision, time.time(), count),
            )
        return removed, count

    # -- reading

    def search(
        self, scope: str, dataset_id: str, query: Query | str, limit: int = 50, offset: int = 0
    ) -> SearchPage:
        """A page of the items matching ``query``, newest first (as the dataset's own list)."""
        if isinstance(query, str):
            query = parse_query(query)
        where = ["i.scope = ?", "i.dataset = ?", *query.where]
        args: list[Any] = [scope, dataset_id, *query.args]
        if query.archived is not None:
            where.append("i.archived = ?")
            args.append(1 if query.archived else 0)
        source = "items AS i"
        if query.match:
            # a subquery, evaluated once: a join would run the full-text query once per row
            where.append("i.n IN (SELECT rowid FROM items_text WHERE items_text MATCH ?)")
            args.append(query.match)
        condition = " AND ".join(where)
        try:
            total = self._query(f"SELECT count(*) FROM {source} WHERE {condition}", args)[0][0]
            rows = self._query(
                f"SELECT b.body FROM bodies AS b WHERE b.n IN (SELECT i.n FROM {source}"
                f" WHERE {condition} ORDER BY i.created_at DESC, i.id ASC LIMIT ? OFFSET ?)",
                [*args, limit, offset],
            )
        except sqlite3.OperationalError as exc:
            raise QueryError(f"Cannot search for {query.text!r}: {exc}.") from None
        return SearchPage([json.loads(row[0]) for row in rows], total)


# -- filling the index -------------------------------------------------------------------------

Progress = Callable[[IndexProgress], None]


async def refresh_index(
    index: ItemIndex,
    client: Any,
    scope: str,
    dataset: Any,
    *,
    on_progress: Progress | None = None,
    page_size: int = 100,
) -> IndexProgress:
    """Bring a dataset's index up to date from the server (``client``: an `AsyncClient`).

    v2: nothing is fetched when the dataset's current revision is the one indexed; otherwise
    its live and archived items. Classic: its live items. Only rows whose version or
    ``updated_at`` changed are rewritten; rows the server no longer lists are dropped. Pages
    are written as they arrive (one page of JSON in memory at a time)."""
    dataset_id = str(dataset.id)
    progress = IndexProgress(dataset_id)
    versioned = isinstance(dataset, VersionedDataset)
    revision = dataset.current_revision if versioned else None
    known = index.indexed(scope, dataset_id)
    if versioned and known is not None and revision is not None and known[0] == revision:
        progress.skipped, progress.done, progress.total = True, True, known[1]
        if on_progress is not None:
            on_progress(progress)
        return progress
    mark = int(time.time() * 1000) % 2_000_000_000 or 1
    states = (False, True) if versioned else (False,)
    for archived in states:
        first = (
            await client.items.list(dataset_id, limit=1, archived=archived)
            if versioned
            else (await client.items.list(dataset_id, limit=1))
        )
        progress.total += first.count
    if on_progress is not None:
        on_progress(progress)
    for archived in states:
        batch: list[AnyItem] = []
        kwargs: Mapping[str, Any] = {"archived": True} if archived else {}
        async for item in client.items.iter(dataset_id, page_size=page_size, **kwargs):
            batch.append(item)
            if len(batch) >= BATCH:
                progress.changed += await asyncio.to_thread(index.put, scope, batch, mark=mark)
                progress.fetched += len(batch)
                batch = []
                if on_progress is not None:
                    on_progress(progress)
        if batch:
            progress.changed += await asyncio.to_thread(index.put, scope, batch, mark=mark)
            progress.fetched += len(batch)
    generation = "v2" if versioned else "classic"
    progress.removed, progress.total = index._finish(scope, dataset_id, generation, revision, mark)
    progress.done = True
    if on_progress is not None:
        on_progress(progress)
    return progress
