"""A dataset as a pandas DataFrame, and an edited DataFrame written back (both API generations).

`items_frame` reads a dataset's items, or the items a search query matches, into a DataFrame:
one row per item, indexed by item id (the index is named ``id``), with

- ``version`` and ``version_id`` (v2 only): the version the row was read at;
- one column per field of the generation (`explorer.model.schema`): ``input``, ``output`` or
  ``expected_output`` (and ``source_output``), ``metadata``, the link fields; JSON fields hold
  the JSON value as Python objects (dicts, lists, strings...), never text;
- ``metadata.<key>`` for each top-level metadata key any row has (a list stays a list, so
  ``frame[frame["metadata.tags"].map(lambda t: "refunds" in t)]`` works); a row without that
  key holds NaN;
- ``created_at``, ``updated_at`` (UTC timestamps) and ``archived`` (v2: archived; classic:
  soft-deleted).

`apply_frame` compares each row of such a frame (all of it, a filtered part, edited) with the
item on the server and reports what would change (``dry_run``, the default) or saves it. Every
save is checked as any save is: on v2 it names the row's ``version`` as ``base_version`` (the
server refuses it when someone saved a newer one); on classic the row's ``updated_at`` must be
the server's. A row whose item changed on the server since the frame was read, and that
differs from it, is a ``conflict``: never overwritten, read the frame again. Columns left out
of the frame are left as they are. Metadata is the ``metadata`` cell with the
``metadata.<key>`` cells on top: a key cell holding NaN removes that key, one holding None sets
it to null; edit either the key cells or the whole ``metadata`` cell. Fields the server never
changes after creation (v2's ``source_output`` and links) cannot be edited: such a row is
``refused``. The index, ``version``, ``version_id``, ``created_at``, ``updated_at`` and
``archived`` say what the row was read as: editing them changes nothing (archive and restore
items with the bulk actions). Applying the same frame again saves nothing twice (its rows then
hold what the server holds).

pandas is imported when a function needs it: install the ``pandas`` extra
(``pip install 'posthog-dataset-explorer[pandas]'``).
"""

from __future__ import annotations

import asyncio
import copy
import math
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from explorer.api.errors import ApiError, Conflict, NotFound, ValidationFailed
from explorer.model.diff import diff_values
from explorer.model.jsontext import format_timestamp, parse_timestamp, same_value
from explorer.model.notices import is_refusal
from explorer.model.schema import ItemSchema, item_from_record, schema_for

if TYPE_CHECKING:
    import pandas

    from explorer.api import AsyncClient, Id
    from explorer.api.models import AnyItem
    from explorer.model.search import ItemIndex

__all__ = [
    "CONCURRENCY",
    "META_PREFIX",
    "ApplyFailed",
    "ApplyReport",
    "FieldChange",
    "RowOutcome",
    "RowResult",
    "apply_frame",
    "frame_columns",
    "items_frame",
    "items_to_frame",
]

META_PREFIX: Final = "metadata."
CONCURRENCY: Final = 4
"""Rows read or saved at once (as bulk actions do: well inside PostHog's rate limits)."""
SEARCH_PAGE: Final = 500

RowOutcome = Literal["unchanged", "changed", "saved", "conflict", "refused", "failed", "missing"]
"""What became of a row: ``unchanged`` (it holds what the server holds), ``changed`` (a dry run:
it would be saved), ``saved``, ``conflict`` (the item changed on the server since the frame was
read: nothing sent), ``refused`` (the row cannot be saved as it is, or the server refused it),
``failed`` (the server or the connection failed; running it again is safe), ``missing`` (no
such item on the server, or deleted)."""
_PROBLEMS: Final = ("conflict", "refused", "failed", "missing")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "DataFrames need pandas: pip install 'posthog-dataset-explorer[pandas]'"
        ) from None
    return pandas


# -- reading -----------------------------------------------------------------------------------


def frame_columns(schema: ItemSchema, metadata_keys: Sequence[str] = ()) -> list[str]:
    """The columns of a frame of ``schema``'s items (the index, ``id``, apart)."""
    versioned = ["version", "version_id"] if schema.versioned else []
    fields: list[str] = []
    for name in schema.names:
        fields.append(name)
        if name == "metadata":
            fields.extend(META_PREFIX + key for key in metadata_keys)
    return [*versioned, *fields, "created_at", "updated_at", "archived"]


def items_to_frame(items: Iterable[AnyItem], schema: ItemSchema) -> pandas.DataFrame:
    """A frame of ``items`` (any iterable of one generation's items), in their order; see the
    module's docstring for its columns."""
    pandas = _pandas()
    items = list(items)
    keys: dict[str, None] = {}
    for item in items:
        if isinstance(item.metadata, dict):
            keys.update(dict.fromkeys(str(k) for k in item.metadata))
    columns = frame_columns(schema, list(keys))
    data: dict[str, list[Any]] = {name: [] for name in columns}
    nan = float("nan")
    for item in items:
        metadata = item.metadata if isinstance(item.metadata, dict) else {}
        for name in columns:
            if name.startswith(META_PREFIX) and name not in schema.names:
                key = name[len(META_PREFIX) :]
                data[name].append(copy.deepcopy(metadata[key]) if key in metadata else nan)
            elif name == "archived":
                data[name].append(ItemSchema.is_removed(item))
            elif name == "version_id":
                data[name].append(ItemSchema.version_id(item))
            else:
                data[name].append(copy.deepcopy(getattr(item, name, None)))
    index = pandas.Index([str(item.id) for item in items], name="id", dtype=object)
    series: dict[str, Any] = {}
    for name in columns:
        spec = schema.spec(name)
        if name in ("created_at", "updated_at") or (spec is not None and spec.kind == "timestamp"):
            series[name] = pandas.Series(
                pandas.to_datetime(data[name], utc=True), index=index, name=name
            )
        elif name == "version":
            series[name] = pandas.Series(data[name], index=index, dtype="int64")
        elif name == "archived":
            series[name] = pandas.Series(data[name], index=index, dtype=bool)
        else:  # JSON values stay Python objects: 1 stays 1, not 1.0 beside a missing value
            series[name] = pandas.Series(data[name], index=index, dtype=object)
    return pandas.DataFrame(series, index=index, columns=columns)


async def items_frame(
    client: AsyncClient,
    dataset_id: Id,
    *,
    query: str | None = None,
    index: ItemIndex | None = None,
    scope: str = "frames",
) -> pandas.DataFrame:
    """Every live item of a dataset as a DataFrame (see the module's docstring), newest first;
    with ``query`` (the search language of `explorer.model.search`: ``metadata.tags:refunds``,
    ``archived:true``...) the items it matches. A query is answered from a search index brought
    up to date from the server first: ``index`` (an `ItemIndex` holding the dataset under
    ``scope``), else a temporary one, removed afterwards.

    Raises `explorer.model.search.QueryError` (a ValueError) for a query it cannot read, before
    anything is sent; the client's `ApiError` when the server fails (`NotFound` for an unknown
    dataset); ImportError without pandas."""
    _pandas()
    from explorer.model.search import ItemIndex, parse_query, refresh_index

    text = (query or "").strip()
    parsed = parse_query(text) if text else None  # a bad query is refused before any request
    schema = schema_for(await client.detect_generation())
    if parsed is None:
        items = [item async for item in client.items.iter(dataset_id, page_size=100)]
        return items_to_frame(items, schema)
    folder = None
    if index is None:
        folder = tempfile.TemporaryDirectory(prefix="dataset-explorer-frame-")
        index = ItemIndex(Path(folder.name) / "index.sqlite3")
    try:
        dataset = await client.datasets.get(dataset_id)
        await refresh_index(index, client, scope, dataset)
        rows: list[dict[str, Any]] = []
        while True:
            page = await asyncio.to_thread(
                index.search, scope, str(dataset.id), parsed, SEARCH_PAGE, len(rows)
            )
            rows.extend(page.rows)
            if not page.rows or len(rows) >= page.total:
                break
    finally:
        if folder is not None:
            index.close()
            folder.cleanup()
    return items_to_frame([item_from_record(row) for row in rows], schema)


# -- writing back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of a row that differs from the server: ``before`` (the server's value) and
    ``after`` (the row's)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RowResult:
    """What `apply_frame` found or did for one row: its `RowOutcome`, the fields that differ
    from the server (``changes``), why (``reason``) when it is not saved or unchanged, and on
    v2 the item's ``version`` (the new one once saved)."""

    item_id: str
    outcome: RowOutcome
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""
    version: int | None = None


@dataclass
class ApplyReport:
    """What `apply_frame` found (``dry_run``) or did, one `RowResult` per row in the frame's
    order."""

    dry_run: bool
    results: list[RowResult] = field(default_factory=list)

    def count(self, outcome: RowOutcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def changed(self) -> list[RowResult]:
        """The rows that differ from the server (whatever became of them)."""
        return [r for r in self.results if r.changes]

    @property
    def problems(self) -> list[RowResult]:
        """The rows not saved for a reason: conflicts, refusals, failures, missing items."""
        return [r for r in self.results if r.outcome in _PROBLEMS]

    @property
    def ok(self) -> bool:
        """Every row is unchanged, or saved (a dry run: would be)."""
        return not self.problems

    @property
    def summary(self) -> str:
        """One line: ``"2 of 150 rows would change; 1 conflict: <reason>."`` (a dry run),
        ``"Saved 2 of 150 rows; 148 unchanged."``."""
        total = len(self.results)
        rows = f"{total:,} row" if total == 1 else f"{total:,} rows"
        unchanged = self.count("unchanged")
        if unchanged == total:
            holds = "holds" if total == 1 else "hold"
            return f"Nothing to save: {rows} {holds} what the server holds."
        if self.dry_run:
            n = self.count("changed")
            line = f"{n:,} of {rows} would change" if n else f"None of {rows} would change"
        else:
            n = self.count("saved")
            line = f"Saved {n:,} of {rows}" if n else f"Saved none of {rows}"
        if unchanged:
            line += f"; {unchanged:,} unchanged"
        for outcome in _PROBLEMS:
            group = [r for r in self.results if r.outcome == outcome]
            if group:
                word = "conflicts" if outcome == "conflict" and len(group) > 1 else outcome
                more = f" (and {len(group) - 1:,} more)" if len(group) > 1 else ""
                line += f"; {len(group):,} {word}: {group[0].reason.rstrip('.')}{more}"
        return line + "."

    def __str__(self) -> str:
        lines = [self.summary]
        for result in self.results:
            if result.outcome == "unchanged":
                continue
            head = f"{result.outcome:<9} {result.item_id}"
            if result.reason:
                head += f"  {result.reason}"
            lines.append(head)
            for change in result.changes:
                diff = diff_values(change.field, _shown(change.before), _shown(change.after))
                lines.append(f"--- {change.field} (server)\n+++ {change.field} (frame)")
                lines.append(diff.as_text())
        return "\n".join(lines)


class ApplyFailed(Exception):
    """Some rows of an applied frame were not saved (conflicts, refusals, failures); ``report``
    is the whole `ApplyReport`. The other rows were saved: running it again (after reading the
    frame again for the conflicts) saves only what still differs."""

    def __init__(self, report: ApplyReport) -> None:
        super().__init__(report.summary)
        self.report = report


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Final = _Absent()


def _shown(value: Any) -> Any:
    return None if value is _ABSENT else value


def _missing(value: Any) -> bool:
    """NaN, pandas' NA or NaT: a cell with nothing in it (None is JSON's null)."""
    if isinstance(value, float):
        return math.isnan(value)
    kind = type(value).__name__
    return kind in ("NAType", "NaTType") or (kind.startswith("float") and value != value)


def _plain(value: Any) -> Any:
    """A cell's value as plain JSON: numpy scalars and arrays, pandas timestamps and missing
    values inside lists or objects made Python's (a missing value inside is null)."""
    if value is None or isinstance(value, str | bool):
        return value
    if _missing(value):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        return _plain(tolist())
    return value


def _timestamp(value: Any) -> datetime | None:
    if value is None or _missing(value):
        return None
    if isinstance(value, datetime):
        return value
    return parse_timestamp(str(value))


def _frame_rows(frame: Any) -> list[tuple[str, dict[str, Any]]]:
    """(item id, cells by column) per row: the id from an ``id`` column, else the index."""
    records = frame.to_dict(orient="records")
    if "id" in frame.columns:
        ids = [str(r.pop("id")) for r in records]
    else:
        ids = [str(i) for i in frame.index]
    return list(zip(ids, records, strict=True))


def _row_changes(
    schema: ItemSchema, current: AnyItem, cells: dict[str, Any], at_base: bool
) -> tuple[list[FieldChange], str]:
    """The fields where the row differs from ``current`` (the server's item), or why it cannot
    be saved; ``at_base``: the row was read at the server's version."""
    changes: list[FieldChange] = []
    for name in schema.names:
        if name == "metadata" or name not in cells:
            continue
        spec = schema.spec(name)
        assert spec is not None
        have = getattr(current, name, None)
        want: Any
        if spec.kind == "timestamp":
            try:
                want = _timestamp(cells[name])
            except ValueError:
                return [], f"{name} is not a time: {str(cells[name])[:40]!r}"
        else:
            want = None if _missing(cells[name]) else _plain(cells[name])
        if same_value(name, have, want):
            continue
        if not spec.editable:
            return [], (
                f"{name} cannot be edited ({schema.api_label}: it is set when the item is made)"
            )
        changes.append(FieldChange(name, have, want))
    metadata = _metadata_change(current.metadata, cells, at_base)
    if isinstance(metadata, str):
        return [], metadata
    if metadata is not None:
        changes.append(metadata)
    return changes, ""


def _metadata_change(base: Any, cells: dict[str, Any], at_base: bool) -> FieldChange | str | None:
    """The row's metadata (the ``metadata`` cell, or the server's without one, with the
    ``metadata.<key>`` cells on top), or a reason when it cannot be; None when unchanged. A row
    read at the server's version whose key cells still hold the server's values but whose
    ``metadata`` cell does not had that cell edited: it is taken as it is."""
    keys = {
        column[len(META_PREFIX) :]: (_ABSENT if _missing(cell) else _plain(cell))
        for column, cell in cells.items()
        if column.startswith(META_PREFIX)
    }
    whole = base
    if "metadata" in cells:
        whole = None if _missing(cells["metadata"]) else _plain(cells["metadata"])
    if at_base and "metadata" in cells and _agree(keys, base) and not _agree(keys, whole):
        wanted = whole  # the whole cell was edited, the key cells were not
    elif _agree(keys, whole):
        wanted = whole
    elif whole is not None and not isinstance(whole, dict):
        return "metadata is not a JSON object, so metadata.<key> cells cannot set keys in it"
    else:
        wanted = dict(whole or {})
        for key, want in keys.items():
            if want is _ABSENT:
                wanted.pop(key, None)
            else:
                wanted[key] = want
    if same_value("metadata", base, wanted):
        return None
    return FieldChange("metadata", base, wanted)


def _agree(keys: dict[str, Any], metadata: Any) -> bool:
    """Whether the ``metadata.<key>`` cells hold what ``metadata`` holds."""
    inside = metadata if isinstance(metadata, dict) else {}
    for key, want in keys.items():
        have = inside.get(key, _ABSENT)
        if want is _ABSENT or have is _ABSENT:
            if want is not have:
                return False
        elif not same_value("metadata", have, want):
            return False
    return True


def _base_problem(schema: ItemSchema, current: AnyItem, cells: dict[str, Any]) -> tuple[bool, str]:
    """(whether the row was read at the server's version, or why that cannot be told)."""
    from explorer.api.models import VersionedItem

    if isinstance(current, VersionedItem):
        if "version" not in cells or _missing(cells["version"]):
            return False, "the row has no version (read the frame with items_frame)"
        try:
            version = int(_plain(cells["version"]))
        except (TypeError, ValueError):
            return False, f"the row's version is not a number: {cells['version']!r}"
        return version == current.version, ""
    if "updated_at" not in cells:
        return False, "the row has no updated_at (read the frame with items_frame)"
    try:
        seen = _timestamp(cells["updated_at"])
    except ValueError:
        return False, f"the row's updated_at is not a time: {str(cells['updated_at'])[:40]!r}"
    if seen is None:
        return False, "the row has no updated_at (read the frame with items_frame)"
    return format_timestamp(seen) == format_timestamp(current.updated_at), ""


def _wire(change: FieldChange, schema: ItemSchema) -> Any:
    spec = schema.spec(change.field)
    if spec is not None and spec.kind == "timestamp" and isinstance(change.after, datetime):
        return format_timestamp(change.after)
    return change.after


def _reason(error: ApiError) -> str:
    detail = error.detail if isinstance(error, Conflict | ValidationFailed) else None
    text = (detail or error.message).rstrip(".")
    if isinstance(error, ValidationFailed) and error.attr and error.attr not in text:
        text = f"{error.attr}: {text}"
    return text


async def _apply_row(
    client: AsyncClient, schema: ItemSchema, item_id: str, cells: dict[str, Any], dry_run: bool
) -> RowResult:
    from explorer.api.models import VersionedItem

    try:
        current = await client.items.get(item_id)
    except NotFound:
        return RowResult(item_id, "missing", reason="no such item on the server (or deleted)")
    version = current.version if isinstance(current, VersionedItem) else None
    at_base, base_problem = _base_problem(schema, current, cells)
    changes, problem = _row_changes(schema, current, cells, at_base)
    if problem:
        return RowResult(item_id, "refused", reason=problem, version=version)
    if not changes:
        return RowResult(item_id, "unchanged", version=version)
    found = tuple(changes)
    if base_problem:
        return RowResult(item_id, "refused", found, base_problem, version)
    if not at_base:
        since = f" (now v{version})" if version is not None else ""
        reason = f"changed on the server since the frame was read{since}: read it again"
        return RowResult(item_id, "conflict", found, reason, version)
    if ItemSchema.is_removed(current):
        return RowResult(
            item_id, "refused", found, f"{schema.removed_word}: restore it first", version
        )
    if dry_run:
        return RowResult(item_id, "changed", found, version=version)
    fields = {c.field: _wire(c, schema) for c in changes}
    try:
        saved = await client.items.update(item_id, base_version=version, **fields)
    except Conflict as exc:
        if exc.code == "stale_version":
            reason = "changed on the server meanwhile: read the frame again"
            return RowResult(item_id, "conflict", found, reason, exc.current_version)
        return RowResult(item_id, "refused", found, _reason(exc), version)
    except NotFound:
        return RowResult(item_id, "missing", found, "deleted or archived meanwhile", version)
    except ApiError as exc:
        if is_refusal(exc):
            return RowResult(item_id, "refused", found, _reason(exc), version)
        return await _unknown_outcome(client, item_id, found, exc, version)
    saved_version = saved.version if isinstance(saved, VersionedItem) else None
    return RowResult(item_id, "saved", found, version=saved_version)


async def _unknown_outcome(
    client: AsyncClient,
    item_id: str,
    found: tuple[FieldChange, ...],
    error: ApiError,
    version: int | None,
) -> RowResult:
    """The save's answer was lost: the row is saved when the server now holds it."""
    from explorer.api.models import VersionedItem

    try:
        now = await client.items.get(item_id)
    except ApiError:
        now = None
    if now is not None and all(
        same_value(c.field, getattr(now, c.field, None), c.after) for c in found
    ):
        saved = now.version if isinstance(now, VersionedItem) else None
        return RowResult(item_id, "saved", found, version=saved)
    reason = f"{_reason(error)}; running it again is safe"
    return RowResult(item_id, "failed", found, reason, version)


async def apply_frame(
    client: AsyncClient,
    frame: pandas.DataFrame,
    *,
    dry_run: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> ApplyReport:
    """Compare each row of ``frame`` (as `items_frame` made it, filtered or edited) with its
    item on the server; with ``dry_run=False`` save the rows that differ, each checked as any
    save (see the module's docstring). Returns an `ApplyReport`: per row what differs and what
    became of it; rows not saved are in ``report.problems`` with the reason (nothing is raised
    for them: `ApplyFailed` is for callers that want to). ``on_progress(done, total)`` after
    each row. Raises ValueError for a frame without item ids, and the client's `ApiError` only
    when the server cannot be reached at all."""
    rows = _frame_rows(frame)
    schema = schema_for(await client.detect_generation())
    report = ApplyReport(dry_run)
    results: dict[int, RowResult] = {}
    seen: dict[str, int] = {}
    limit = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(position: int, item_id: str, cells: dict[str, Any]) -> None:
        nonlocal done
        if not item_id or item_id in ("nan", "None"):
            results[position] = RowResult(item_id, "refused", reason="the row has no item id")
        elif seen.setdefault(item_id, position) != position:
            first = seen[item_id] + 1
            reason = f"the frame holds this item twice (first in row {first})"
            results[position] = RowResult(item_id, "refused", reason=reason)
        else:
            async with limit:
                try:
                    results[position] = await _apply_row(client, schema, item_id, cells, dry_run)
                except ApiError as exc:
                    results[position] = RowResult(item_id, "failed", reason=_reason(exc))
        done += 1
        if on_progress is not None:
            on_progress(done, len(rows))

    if rows and not any(item_id for item_id, _ in rows):
        raise ValueError("the frame has no item ids: keep its index (id) or an id column")
    await asyncio.gather(*(one(i, item_id, cells) for i, (item_id, cells) in enumerate(rows)))
    report.results = [results[i] for i in range(len(rows))]
    return report
