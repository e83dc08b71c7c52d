"""Importing rows from a JSONL or CSV file into a dataset, for any front end.

`read_rows` reads a file one row at a time (never the whole file): JSONL objects in the row
format of PostHog's export (`explorer.model.export.EXPORT_KEYS`, so an export imports back) or
with an item's field names of either API generation (``output`` and ``ref_*`` too), or a CSV
file whose header names the fields (``metadata.<key>`` sets one metadata key; cells are read by
`explorer.model.export.read_csv_cell`). A mapping renames columns or keys (``question`` →
``input``). `import_rows` creates one item per valid row and returns an `ImportReport`.

Running an import again creates nothing twice, even after ``kill -9``:

- Each row has a key: its own ``client_item_id``, else ``import:`` and the first 32 hex digits
  of the SHA-256 of its content's canonical JSON, followed by ``:2``, ``:3``... for the second
  and later rows of the file with the same content (identical rows are distinct items, and the
  key of a row does not change when other rows are added or removed).
- v2: the key is sent as the item's ``client_item_id``; the dataset's items (archived too) are
  listed first and rows whose key is there are skipped, and a create of unknown outcome is
  answered by the server with the item it made.
- Classic has no ``client_item_id``: the `ImportLedger` (SQLite beside the journal, owner-only)
  records per host, project, dataset and key when a create was sent (before it is sent) and
  the item it made (once known). Rows with an item are skipped; for a row sent but never
  answered the dataset's newest items are searched for one created since then with the same
  content that no other row claims, as the editor does for a create of unknown outcome
  (`explorer.model.saving`); only if there is none is the row sent again.

v2's limits are checked before sending (`ImportLimits`: 600 items per dataset counting archived
ones, 406,666 bytes of payload per item), so a dry run says which rows would be refused.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from explorer.api.errors import ApiError, Conflict, ValidationFailed
from explorer.model.export import EXPORT_KEYS, read_csv_cell
from explorer.model.jsontext import parse_timestamp, same_value
from explorer.model.notices import is_refusal
from explorer.model.saving import CLOCK_SKEW, LOOKUP_PAGES

if TYPE_CHECKING:
    from explorer.api import AsyncClient, Id
    from explorer.api.models import AnyItem

__all__ = [
    "IMPORT_FIELDS",
    "V2_LIMITS",
    "DatasetLedger",
    "ImportFileError",
    "ImportFormat",
    "ImportLedger",
    "ImportLimits",
    "ImportProgress",
    "ImportReport",
    "LedgerEntry",
    "RowProblem",
    "RowReader",
    "SourceRow",
    "import_rows",
    "parse_mapping",
    "read_rows",
    "row_key",
]

ImportFormat = Literal["jsonl", "csv"]

IMPORT_FIELDS: Final = (
    "input",
    "expected_output",
    "source_output",
    "metadata",
    "source_trace_id",
    "source_event_id",
    "source_timestamp",
    "client_item_id",
)
"""What a row holds, named as in the export's rows (v2's names)."""
JSON_FIELDS: Final = ("input", "expected_output", "source_output", "metadata")
TEXT_FIELDS: Final = ("source_trace_id", "source_event_id", "source_timestamp", "client_item_id")
ALIASES: Final = {
    "output": "expected_output",
    "ref_trace_id": "source_trace_id",
    "ref_source_id": "source_event_id",
    "ref_timestamp": "source_timestamp",
}
"""Classic field names, read as the v2 names of the same fields."""
IGNORED: Final = frozenset(EXPORT_KEYS) - frozenset(IMPORT_FIELDS)
"""Keys of an exported row that name where it came from, not what it holds."""
CLASSIC_NAMES: Final = {v: k for k, v in ALIASES.items()}
TEXT_MAX: Final = 255
MAX_PROBLEMS: Final = 1000
"""Row problems an `ImportReport` lists (it counts them all)."""
FILE_FORMATS: Final = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


class ImportFileError(ValueError):
    """The file cannot be read as rows at all (its format, its CSV header, a mapping)."""


@dataclass(frozen=True)
class ImportLimits:
    """The limits checked before sending (v2; PostHog's newest values by default)."""

    items: int = 600
    """Items per dataset, archived ones included."""
    payload_bytes: int = 406_666
    """Compact, sorted UTF-8 JSON of input, expected_output, source_output and metadata."""
    metadata_bytes: int = 1_000_000


V2_LIMITS: Final = ImportLimits()


# -- reading a file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One row of a file: the line it starts on, its values named by `IMPORT_FIELDS` (only
    those it sets), or why it cannot be read (``error``)."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["question=input", "notes="]`` as ``{"question": "input", "notes": ""}`` (an empty
    field drops the column). `ImportFileError` for a pair without ``=`` or an unknown field."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column:
            raise ImportFileError(f"--map takes COLUMN=FIELD (e.g. question=input), not {pair!r}")
        target = target.strip()
        if target and _target(target) is None:
            raise ImportFileError(f"--map {pair}: {target!r} is not a field. {_FIELDS_HINT}")
        mapping[column] = target
    return mapping


_FIELDS_HINT = (
    "Fields: input, expected_output (or output), source_output, metadata, metadata.<key>,"
    " source_trace_id, source_event_id, source_timestamp (or ref_trace_id, ref_source_id,"
    " ref_timestamp), client_item_id."
)


def _target(name: str) -> tuple[str, str | None] | None:
    """The field a column or key sets, with the metadata key for ``metadata.<key>``; None for
    a name that is no field."""
    name = ALIASES.get(name, name)
    if name in IMPORT_FIELDS:
        return (name, None)
    if name.startswith("metadata.") and len(name) > len("metadata."):
        return ("metadata", name[len("metadata.") :])
    return None


_DROP: Final = ("", None)


def _resolve(name: str, mapping: dict[str, str]) -> tuple[str, str | None] | None:
    """What a column sets: a field, `_DROP` (mapped to nothing, or an export's own key), or
    None when it is unknown."""
    target = mapping.get(name, name)
    if target == "" or (name not in mapping and target in IGNORED):
        return _DROP
    return _target(target)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _set(
    values: dict[str, Any],
    origin: dict[str, str],
    target: tuple[str, str | None],
    value: Any,
    name: str,
) -> str:
    """Put ``value`` where ``target`` says (``origin``: the column or key that set each
    field); an error when the row sets a field twice."""
    field_name, key = target
    if key is not None:
        if value is None:
            return ""  # an empty metadata.<key> cell: the key is left out
        metadata = values.get("metadata")
        if metadata is None:
            metadata = values["metadata"] = {}
        if not isinstance(metadata, dict):
            return f"metadata is {_kind(metadata)}, so {name} cannot set a key in it"
        metadata[key] = value
        return ""
    before = values.get(field_name)
    if before is not None and value is not None:
        if field_name == "metadata" and isinstance(value, dict) and isinstance(before, dict):
            values[field_name] = {**value, **before}  # metadata.<key> columns win
            return ""
        if field_name == "metadata":
            return f"metadata is {_kind(value)}, so metadata.<key> columns cannot set keys in it"
        return f"both {origin.get(field_name, field_name)} and {name} set {field_name}"
    if before is None:
        values[field_name] = value
        origin[field_name] = name
    return ""


class RowReader:
    """The rows of one file, read as they are iterated (`read_rows`); close it (or use it as
    a context manager) to close the file."""

    def __init__(self, path: Path, format: ImportFormat, mapping: dict[str, str]) -> None:
        self.path = path
        self.format = format
        self.mapping = mapping
        self.columns: tuple[str, ...] = ()
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            self._rows: Generator[SourceRow] = self._jsonl() if format == "jsonl" else self._csv()
            if format == "csv":
                next(self._rows)  # reads and checks the header now: a bad one raises here
        except BaseException:
            self._file.close()
            raise

    def __iter__(self) -> Iterator[SourceRow]:
        return self

    def __next__(self) -> SourceRow:
        return next(self._rows)

    def close(self) -> None:
        self._rows.close()
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- JSONL

    def _jsonl(self) -> Generator[SourceRow]:
        for number, raw in enumerate(self._file, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield SourceRow(number, error=f"not UTF-8 text (byte {exc.start + 1})")
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text, parse_constant=_no_constant)
            except ValueError as exc:
                yield SourceRow(number, error=f"not valid JSON: {_json_problem(exc)}")
                continue
            if not isinstance(value, dict):
                yield SourceRow(number, error=f"a row is a JSON object, not {_kind(value)}")
                continue
            yield self._jsonl_row(number, value)

    def _jsonl_row(self, number: int, row: dict[str, Any]) -> SourceRow:
        values: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for name, value in row.items():
            target = _resolve(name, self.mapping)
            if target is None:
                return SourceRow(number, error=_unknown(name, "key"))
            if target == _DROP:
                continue
            if target[0] in TEXT_FIELDS and value is not None and not isinstance(value, str):
                return SourceRow(number, error=f"{name} is text, not {_kind(value)}")
            problem = _set(values, origin, target, value, name)
            if problem:
                return SourceRow(number, error=problem)
        return SourceRow(number, values)

    # -- CSV

    def _csv(self) -> Generator[SourceRow]:
        # Cells of up to 1 GB (classic items can hold megabytes; the default stops at 128 KB).
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
        reader = csv.reader(self._lines())
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportFileError(f"{self.path}: line 1 is not a CSV header: {exc}") from None
        if header is None or not any(cell.strip() for cell in header):
            raise ImportFileError(
                f"{self.path} is empty: a CSV file starts with a line naming its columns"
            )
        targets = self._header(header)
        yield SourceRow(0)  # the header is read
        end = reader.line_num
        while True:
            start = end + 1
            try:
                cells = next(reader, None)
            except csv.Error as exc:
                raise ImportFileError(f"{self.path}: line {start} is not CSV: {exc}") from None
            end = reader.line_num
            if cells is None:
                return
            if not cells or all(cell == "" for cell in cells):
                continue
            if any(_undecodable(cell) for cell in cells):
                yield SourceRow(start, error="not UTF-8 text")
                continue
            if len(cells) != len(targets):
                yield SourceRow(
                    start,
                    error=f"{len(cells)} cells, but the header names {len(targets)} columns",
                )
                continue
            yield self._csv_row(start, header, targets, cells)

    def _lines(self) -> Iterator[str]:
        for number, raw in enumerate(self._file, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            # Bytes that are not UTF-8 survive as surrogates; their row is refused (below).
            yield raw.decode("utf-8", "surrogateescape")

    def _header(self, header: list[str]) -> list[tuple[str, str | None]]:
        self.columns = tuple(header)
        targets: list[tuple[str, str | None]] = []
        unknown: list[str] = []
        seen: dict[tuple[str, str | None], str] = {}
        for name in header:
            target = _resolve(name, self.mapping)
            if target is None:
                unknown.append(name)
                continue
            if target != _DROP:
                # e.g. output and expected_output both given: one field set twice
                if target in seen:
                    what = target[0] if target[1] is None else f"metadata.{target[1]}"
                    raise ImportFileError(
                        f"{self.path}: the columns {seen[target]!r} and {name!r} both set"
                        f" {what}; map one elsewhere (--map {name}=FIELD) or drop it"
                        f" (--map {name}=)"
                    )
                seen[target] = name
            targets.append(target)
        if unknown:
            names = ", ".join(repr(n) for n in unknown)
            verb = "is not a field" if len(unknown) == 1 else "are not fields"
            raise ImportFileError(
                f"{self.path}: {names} {verb}"
                f". Map a column with --map {unknown[0]}=FIELD, or drop it with"
                f" --map {unknown[0]}=. {_FIELDS_HINT}"
            )
        if ("input", None) not in seen:
            raise ImportFileError(
                f"{self.path}: no column holds the input (columns: {', '.join(header)}). Name one"
                " 'input', or map one with --map COLUMN=input."
            )
        return targets

    def _csv_row(
        self,
        number: int,
        header: list[str],
        targets: list[tuple[str, str | None]],
        cells: list[str],
    ) -> SourceRow:
        values: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for name, target, cell in zip(header, targets, cells, strict=True):
            if target == _DROP:
                continue
            if target[0] in TEXT_FIELDS:
                value: Any = cell if cell != "" else None
            else:
                value = read_csv_cell(cell)
            problem = _set(values, origin, target, value, name)
            if problem:
                return SourceRow(number, error=problem)
        return SourceRow(number, values)


def _undecodable(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)


def _unknown(name: str, what: str) -> str:
    shown = name if len(name) <= 60 else name[:57] + "..."
    return f"{shown!r} is not a field (map the {what} with --map {shown}=FIELD)"


def read_rows(
    path: str | os.PathLike[str],
    format: ImportFormat | None = None,
    mapping: dict[str, str] | None = None,
) -> RowReader:
    """The rows of a JSONL or CSV file (``format``, default: from the extension: ``.jsonl``,
    ``.ndjson``, ``.csv``), read one at a time as the reader is iterated. ``mapping`` renames
    columns (CSV) or keys (JSONL) to fields, ``""`` drops one (`parse_mapping`).

    A row that cannot be read (not JSON, not an object, a key that is no field, a cell count
    unlike the header's) is a `SourceRow` with its line and ``error``; the others carry their
    values. Raises `ImportFileError` for a file that cannot be read as rows at all (unknown
    format, a CSV header naming a column that is no field or none for the input), and
    `OSError` when it cannot be opened."""
    target = Path(path).expanduser()
    mapping = dict(mapping or {})
    for column, name in mapping.items():
        if name and _target(name) is None:
            raise ImportFileError(f"--map {column}={name}: {name!r} is not a field. {_FIELDS_HINT}")
    if format is None:
        found = FILE_FORMATS.get(target.suffix.lower())
        if found is None:
            raise ImportFileError(
                f"Cannot tell the format of {target.name} from its extension: name it .jsonl or"
                " .csv, or say --format jsonl|csv."
            )
        format = "jsonl" if found == "jsonl" else "csv"
    if format not in ("jsonl", "csv"):
        raise ImportFileError(f"Files are imported from jsonl or csv, not {format!r}.")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory: name the file to import.")
    return RowReader(target, format, mapping)


# -- checking a row ----------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _text_problem(name: str, value: Any) -> str:
    if not isinstance(value, str):
        return f"{name} is text, not {_kind(value)}"
    if not value.strip():
        return f"{name} is blank"
    if len(value) > TEXT_MAX:
        return f"{name} is {len(value)} characters long, more than {TEXT_MAX}"
    return ""


def _check(
    values: dict[str, Any], versioned: bool, limits: ImportLimits | None
) -> tuple[dict[str, Any], str]:
    """The fields to create the row's item with (wire names of the generation), or why it
    cannot be."""
    out: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        problem = _text_problem(name, value)
        if problem:
            return {}, problem
        if name == "source_timestamp":
            try:
                parse_timestamp(value)
            except ValueError:
                return {}, f"source_timestamp is not an ISO-8601 time: {value[:40]!r}"
        out[name] = value.strip() if name == "source_timestamp" else value
    if not versioned:
        if values.get("source_output") is not None:
            return {}, (
                "the classic API's items have no source_output (only input, output and"
                " metadata): leave it empty, or import into a v2 dataset"
            )
        out.pop("client_item_id", None)  # the ledger's key on classic, never sent
        fields = {CLASSIC_NAMES.get(name, name): value for name, value in out.items()}
        for name in ("input", "expected_output", "metadata"):
            if values.get(name) is not None:
                fields[CLASSIC_NAMES.get(name, name)] = values[name]
        return fields, ""
    if values.get("input") is None:
        return {}, "no input (a v2 item needs one: any JSON value but null)"
    metadata = values.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return {}, f"metadata is a JSON object in the v2 API, not {_kind(metadata)}"
    if out.get("source_trace_id") is None and (
        out.get("source_event_id") is not None or out.get("source_timestamp") is not None
    ):
        return {}, "a source_event_id or source_timestamp needs a source_trace_id"
    if out.get("source_trace_id") is not None and out.get("source_timestamp") is None:
        return {}, "a source_trace_id needs its source_timestamp"
    payload = {name: values.get(name) for name in JSON_FIELDS}
    payload["metadata"] = metadata
    if limits is not None:
        size = len(_canonical(payload).encode("utf-8"))
        if size > limits.payload_bytes:
            return {}, (
                f"the item is {size:,} bytes, more than the {limits.payload_bytes:,} a v2 item"
                " may hold (input, expected_output, source_output and metadata as compact JSON)"
            )
        meta_size = len(_canonical(metadata).encode("utf-8"))
        if meta_size > limits.metadata_bytes:
            return {}, (
                f"metadata is {meta_size:,} bytes, more than the {limits.metadata_bytes:,} a v2"
                " item may hold"
            )
    for name in JSON_FIELDS:
        if payload[name] is not None:
            out[name] = payload[name]
    return out, ""


def row_key(values: dict[str, Any], occurrence: int = 1) -> str:
    """The key of a row without a ``client_item_id`` of its own: ``import:`` and 32 hex digits
    of the SHA-256 of its content's canonical JSON, then ``:N`` for the N-th row (from 2) of
    the file with that content."""
    content = {name: values.get(name) for name in IMPORT_FIELDS if name != "client_item_id"}
    digest = hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()[:32]
    return f"import:{digest}" if occurrence == 1 else f"import:{digest}:{occurrence}"


class _Keys:
    """Gives each row its key; finds a ``client_item_id`` the file repeats."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}  # content digest -> rows so far
        self._given: dict[str, int] = {}  # the file's own client_item_id -> its first line

    def key(self, line: int, values: dict[str, Any]) -> tuple[str, bool, str]:
        """(key, whether the row gave it, problem)."""
        given = values.get("client_item_id")
        if given is not None:
            first = self._given.setdefault(given, line)
            if first != line:
                return given, True, f"client_item_id {given[:60]!r} is line {first}'s too"
            return given, True, ""
        digest = row_key(values)
        count = self._seen.get(digest, 0) + 1
        self._seen[digest] = count
        return row_key(values, count), False, ""


# -- the ledger --------------------------------------------------------------------------------

_LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS imported (
    host TEXT NOT NULL,
    project TEXT NOT NULL,
    dataset TEXT NOT NULL,
    row_key TEXT NOT NULL,
    sent_at TEXT,
    item_id TEXT,
    done_at TEXT,
    PRIMARY KEY (host, project, dataset, row_key)
);
CREATE INDEX IF NOT EXISTS imported_items ON imported (host, project, dataset, item_id);
"""


@dataclass(frozen=True)
class LedgerEntry:
    """A row of an import: when its create was first sent (None: never), and the item it made
    (None until known)."""

    key: str
    sent_at: datetime | None
    item_id: str | None


class ImportLedger:
    """What imports into classic datasets created, in ``imports.sqlite3`` beside the journal
    (``POSTHOG_EXPLORER_DATA_DIR`` or the user data dir) unless ``path`` is given; readable by
    its owner only. Every write is one transaction that survives a kill of the process.
    ``must_exist``: raise `FileNotFoundError` rather than make a new ledger (a dry run reads
    one if there is one). Raises `OSError` or ``sqlite3.Error`` when it cannot be opened."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, must_exist: bool = False
    ) -> None:
        if path is None:
            from explorer.paths import data_dir

            path = data_dir() / "imports.sqlite3"
        self.path = Path(path)
        if must_exist and not self.path.exists():
            raise FileNotFoundError(f"There is no import ledger at {self.path}.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            with suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10
        )
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_LEDGER_SCHEMA)
        except BaseException:
            self._conn.close()
            raise

    def for_dataset(self, host: str, project: int | str, dataset_id: Id) -> DatasetLedger:
        """The entries of one dataset of one PostHog host and project."""
        return DatasetLedger(self, host.rstrip("/").lower(), str(project), str(dataset_id))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class DatasetLedger:
    """The ledger's entries for one dataset (`ImportLedger.for_dataset`)."""

    def __init__(self, ledger: ImportLedger, host: str, project: str, dataset: str) -> None:
        self._conn = ledger._conn
        self._where = (host, project, dataset.lower())

    def get(self, key: str) -> LedgerEntry | None:
        row = self._conn.execute(
            "SELECT sent_at, item_id FROM imported"
            " WHERE host=? AND project=? AND dataset=? AND row_key=?",
            (*self._where, key),
        ).fetchone()
        if row is None:
            return None
        sent = datetime.fromisoformat(row[0]) if row[0] else None
        return LedgerEntry(key, sent, row[1])

    def sending(self, key: str) -> datetime:
        """Record that the row's create is about to be sent (before sending it); the time of
        its first attempt."""
        now = datetime.now(UTC).isoformat()
        self._conn.execute(
            "INSERT INTO imported (host, project, dataset, row_key, sent_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT (host, project, dataset, row_key) DO UPDATE"
            " SET sent_at = coalesce(sent_at, excluded.sent_at)",
            (*self._where, key, now),
        )
        entry = self.get(key)
        assert entry is not None and entry.sent_at is not None
        return entry.sent_at

    def created(self, key: str, item_id: str) -> None:
        """Record the item the row made."""
        self._conn.execute(
            "INSERT INTO imported (host, project, dataset, row_key, item_id, done_at)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT (host, project, dataset, row_key) DO UPDATE"
            " SET item_id = excluded.item_id, done_at = excluded.done_at",
            (*self._where, key, item_id, datetime.now(UTC).isoformat()),
        )

    def not_sent(self, key: str) -> None:
        """Forget a row whose create was refused: it made nothing."""
        self._conn.execute(
            "DELETE FROM imported WHERE host=? AND project=? AND dataset=? AND row_key=?"
            " AND item_id IS NULL",
            (*self._where, key),
        )

    def claims(self, item_id: str) -> bool:
        """Whether a row of an import into this dataset made the item."""
        row = self._conn.execute(
            "SELECT 1 FROM imported WHERE host=? AND project=? AND dataset=? AND item_id=?",
            (*self._where, item_id),
        ).fetchone()
        return row is not None

    def count(self) -> int:
        """How many rows have their item recorded."""
        row = self._conn.execute(
            "SELECT count(*) FROM imported WHERE host=? AND project=? AND dataset=?"
            " AND item_id IS NOT NULL",
            self._where,
        ).fetchone()
        return int(row[0])


# -- importing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A row not imported: the line it starts on and why (said as a user reads it)."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, ``dry_run``, would do). ``created``: rows made into items;
    ``already``: rows whose item was there (an earlier run made it); ``failed``: rows that could
    not be read, were invalid (``invalid`` of them, found before sending) or were refused by the
    server; ``problems``: the first `MAX_PROBLEMS` of them. ``stopped``: why the import ended
    before the end of the file (the server or the connection failed; the dataset is gone);
    running it again goes on from there."""

    dry_run: bool = False
    rows: int = 0
    created: int = 0
    already: int = 0
    failed: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    stopped: str | None = None
    stopped_at: int | None = None

    @property
    def ok(self) -> bool:
        """Every row imported or already there."""
        return self.failed == 0 and self.stopped is None

    def _fail(self, line: int, reason: str, *, invalid: bool) -> None:
        self.failed += 1
        if invalid:
            self.invalid += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RowProblem(line, reason))


@dataclass(frozen=True)
class ImportProgress:
    """Where an import stands after a row: ``line`` (its first line), and the counts so far."""

    line: int
    rows: int
    created: int
    already: int
    failed: int
    dry_run: bool

    @property
    def message(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{self.rows} {'row' if self.rows == 1 else 'rows'} read: {self.created} {verb},"
            f" {self.already} already there, {self.failed} failed"
        )


class _Stop(Exception):
    """The import cannot go on (the reason is the message)."""


def _reason(error: ApiError) -> str:
    detail = error.detail if isinstance(error, Conflict | ValidationFailed) else None
    text = (detail or error.message).rstrip(".")
    if isinstance(error, ValidationFailed) and error.attr and error.attr not in text:
        text = f"{error.attr}: {text}"
    return f"refused by the server: {text}"


class _Target:
    """Where rows go: one dataset of one API generation."""

    def __init__(self, client: AsyncClient, dataset_id: Id | None, dry_run: bool) -> None:
        self.client = client
        self.dataset_id = dataset_id
        self.dry_run = dry_run

    async def prepare(self) -> None:
        """Learn what is already there, before the first row."""

    async def put(self, key: str, own_key: bool, fields: dict[str, Any]) -> tuple[str, str]:
        """("created" | "already" | "failed", reason) for one valid row; `_Stop` when the
        import cannot go on."""
        raise NotImplementedError


class _V2Target(_Target):
    def __init__(
        self,
        client: AsyncClient,
        dataset_id: Id | None,
        dry_run: bool,
        limits: ImportLimits | None,
    ) -> None:
        super().__init__(client, dataset_id, dry_run)
        self.limits = limits
        self.keys: set[str] = set()
        self.count = 0  # items in the dataset, archived ones included
        self.full: str | None = None

    async def prepare(self) -> None:
        if self.dataset_id is None:
            return
        for archived in (False, True):
            items: AsyncIterator[AnyItem] = self.client.items.iter(
                self.dataset_id, page_size=100, archived=archived
            )
            async for item in items:
                self.count += 1
                key = getattr(item, "client_item_id", None)
                if key:
                    self.keys.add(key)

    async def put(self, key: str, own_key: bool, fields: dict[str, Any]) -> tuple[str, str]:
        if key in self.keys:
            return "already", ""
        if self.full is not None:
            return "failed", self.full
        if self.limits is not None and self.count >= self.limits.items:
            return "failed", (
                f"the dataset would hold more than {self.limits.items} items, the most a v2"
                f" dataset may hold (archived items count; it holds {self.count})"
            )
        if self.dry_run or self.dataset_id is None:
            self.keys.add(key)
            self.count += 1
            return "created", ""
        try:
            await self.client.items.create(self.dataset_id, **{**fields, "client_item_id": key})
        except Conflict as exc:
            if exc.code == "limit_reached":
                self.full = _reason(exc)
                return "failed", self.full
            if exc.code == "client_item_id_conflict" and not own_key:
                # Our own earlier import made it, and it was edited or archived since.
                self.keys.add(key)
                return "already", ""
            if exc.code == "client_item_id_conflict":
                return "failed", _reason(exc)
            raise _Stop(_reason(exc)) from exc
        except ValidationFailed as exc:
            return "failed", _reason(exc)
        except ApiError as exc:
            raise _Stop(exc.message.rstrip(".")) from exc
        self.keys.add(key)
        self.count += 1
        return "created", ""


class _ClassicTarget(_Target):
    def __init__(
        self,
        client: AsyncClient,
        dataset_id: Id | None,
        dry_run: bool,
        ledger: DatasetLedger | None,
    ) -> None:
        super().__init__(client, dataset_id, dry_run)
        self.ledger = ledger

    async def put(self, key: str, own_key: bool, fields: dict[str, Any]) -> tuple[str, str]:
        ledger = self.ledger
        entry = ledger.get(key) if ledger is not None else None
        if entry is not None and entry.item_id is not None:
            return "already", ""
        if self.dry_run or self.dataset_id is None or ledger is None:
            return "created", ""
        if entry is not None and entry.sent_at is not None:
            # Sent before, never answered (the process was killed, the connection dropped).
            found = await self._find(fields, entry.sent_at, ledger)
            if found is not None:
                ledger.created(key, found)
                return "already", ""
        since = ledger.sending(key)  # on disk before the request leaves
        try:
            item = await self.client.items.create(self.dataset_id, **fields)
        except ApiError as exc:
            if is_refusal(exc):
                ledger.not_sent(key)
                if isinstance(exc, ValidationFailed):
                    return "failed", _reason(exc)
                raise _Stop(exc.message.rstrip(".")) from exc
            found = await self._find(fields, since, ledger)
            if found is None:
                raise _Stop(
                    f"{exc.message.rstrip('.')}; the server may have created the row's item:"
                    " running the import again checks before sending it again"
                ) from exc
            ledger.created(key, found)
            return "created", ""
        ledger.created(key, str(item.id))
        return "created", ""

    async def _find(
        self, fields: dict[str, Any], since: datetime, ledger: DatasetLedger
    ) -> str | None:
        """The id of an item of the dataset created since ``since`` (less `CLOCK_SKEW`) with
        exactly these fields that no row of an import claims (`explorer.model.saving` does
        the same for the editor's creates); None when there is none or the list fails."""
        assert self.dataset_id is not None
        window = since - CLOCK_SKEW
        names = ("input", "output", "metadata", "ref_trace_id", "ref_source_id", "ref_timestamp")
        offset = 0
        try:
            for _ in range(LOOKUP_PAGES):
                page = await self.client.items.list(self.dataset_id, limit=100, offset=offset)
                for item in page.results:
                    if item.created_at < window:
                        return None
                    if ledger.claims(str(item.id)):
                        continue
                    if all(same_value(name, _wire(item, name), fields.get(name)) for name in names):
                        return str(item.id)
                if not page.has_next or not page.results:
                    return None
                offset += len(page.results)
        except ApiError:
            return None
        return None


def _wire(item: AnyItem, name: str) -> Any:
    value = getattr(item, name, None)
    return value.isoformat() if isinstance(value, datetime) else value


async def import_rows(
    client: AsyncClient,
    dataset_id: Id | None,
    rows: Iterable[SourceRow],
    *,
    ledger: ImportLedger | None,
    dry_run: bool = False,
    on_progress: Callable[[ImportProgress], None] | None = None,
    limits: ImportLimits | None = V2_LIMITS,
) -> ImportReport:
    """Create one item in ``dataset_id`` per valid row of ``rows`` (`read_rows`), in order, one
    request at a time; rows an earlier run imported are skipped (see the module's docstring).

    ``dry_run``: read and check every row and what is there, send nothing, and report what
    would happen (``dataset_id`` None: into a dataset still to be created). ``ledger`` keeps
    what classic imports made; it is required to import into a classic dataset (v2 needs
    none: the server keeps the keys). ``limits``: v2's limits checked before sending (None:
    leave them to the server). ``on_progress`` receives an `ImportProgress` after each row.

    Rows that cannot be read, are invalid or are refused are reported with their line and the
    others still imported. When the server or the connection fails (not a refusal of one row)
    or the rows cannot be read on, the import stops there (``stopped``); running it again goes
    on. Raises `ApiError` only when the dataset's items cannot be listed before the first row.
    """
    if dataset_id is None and not dry_run:
        raise ValueError("only a dry run imports into a dataset still to be created")
    versioned = await client.detect_generation() == "v2"
    report = ImportReport(dry_run=dry_run)
    target: _Target
    if versioned:
        target = _V2Target(client, dataset_id, dry_run, limits)
    else:
        if ledger is None and not dry_run:
            raise ValueError("an import into a classic dataset needs a ledger (ImportLedger)")
        scoped = None
        if ledger is not None and dataset_id is not None:
            settings = client.settings
            scoped = ledger.for_dataset(
                settings.host, settings.project_id, _dataset_key(dataset_id)
            )
        target = _ClassicTarget(client, dataset_id, dry_run, scoped)
    await target.prepare()
    keys = _Keys()
    iterator = iter(rows)
    line = 0
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            break
        except (ImportFileError, OSError) as exc:
            report.stopped, report.stopped_at = str(exc), line + 1
            break
        line = row.line
        try:
            outcome, reason, invalid = await _import_row(row, target, keys, versioned, limits)
        except _Stop as stop:
            report.stopped, report.stopped_at = str(stop), row.line
            break
        report.rows += 1
        if outcome == "created":
            report.created += 1
        elif outcome == "already":
            report.already += 1
        else:
            report._fail(row.line, reason, invalid=invalid)
        if on_progress is not None:
            on_progress(
                ImportProgress(
                    row.line, report.rows, report.created, report.already, report.failed, dry_run
                )
            )
    return report


async def _import_row(
    row: SourceRow, target: _Target, keys: _Keys, versioned: bool, limits: ImportLimits | None
) -> tuple[str, str, bool]:
    """(outcome, reason, whether the row was refused before sending) of one row."""
    if row.error is not None:
        return "failed", row.error, True
    fields, reason = _check(row.values, versioned, limits if versioned else None)
    if reason:
        return "failed", reason, True
    key, own, reason = keys.key(row.line, row.values)
    if reason:
        return "failed", reason, True
    outcome, reason = await target.put(key, own, fields)
    return outcome, reason, False


def _dataset_key(dataset_id: Id) -> str:
    try:
        return str(uuid.UUID(str(dataset_id)))
    except ValueError:
        return str(dataset_id)
