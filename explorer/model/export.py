"""Exporting a dataset to a JSONL or CSV file, in PostHog's export format, for any front end.

On v2 the file is PostHog's own export (``POST datasets/{id}/exports/``, pinned to a revision,
waited for, downloaded). The classic API has no exports and no revisions: the dataset's live
items are read page by page and written in the same row format (`EXPORT_KEYS`), with the
fields classic lacks set to null. The file is written whole or not at all.

CSV holds the same rows: a header of `EXPORT_KEYS`, one column each (`csv_cell` says how a value
is written, `read_csv_cell` reads it back). A query (`explorer.model.search`'s language) keeps
only the items it matches: they are indexed in a temporary search index as they stood in the
export (v2: at its pinned revision), so the query sees exactly what the file holds.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from explorer.api import AsyncClient, DatasetExport, DatasetItem, Id, Unsupported

if TYPE_CHECKING:
    from explorer.api.models import AnyItem
    from explorer.model.search import ItemIndex, Query

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_KEYS",
    "ExportFormat",
    "ExportPhase",
    "ExportProgress",
    "ExportResult",
    "classic_row",
    "csv_cell",
    "default_filename",
    "export_dataset",
    "read_csv_cell",
    "slugify",
]

EXPORT_KEYS: Final = (
    "dataset_id",
    "dataset_revision",
    "item_id",
    "client_item_id",
    "version",
    "input",
    "expected_output",
    "source_output",
    "metadata",
    "source_trace_id",
    "source_event_id",
    "source_timestamp",
)
"""The keys of a row of PostHog's v2 JSONL export, in order (contract §9.5)."""

JSON_KEYS: Final = frozenset({"input", "expected_output", "source_output", "metadata"})
"""The keys of `EXPORT_KEYS` that hold any JSON value (the others are text, numbers or null)."""

ExportPhase = Literal["creating", "waiting", "downloading", "filtering", "writing", "done"]
ExportFormat = Literal["jsonl", "csv"]
EXPORT_FORMATS: Final = ("jsonl", "csv")
CLASSIC_PAGE: Final = 100
INDEX_BATCH: Final = 200  # items put in the query's index at once
CLASSIC_REPORT_EVERY: Final = 1000  # rows read between two "downloading" reports on classic
SLUG_MAX: Final = 200  # file names stop at 255 bytes on most file systems


@dataclass(frozen=True)
class ExportProgress:
    """Where an export stands. ``message`` is a line a UI can show as it is, e.g.
    "Export 12 of revision 7: waiting (2 s)". ``rows`` counts rows read (downloading), rows
    matching the query (filtering, only with a query) or rows written (writing, done);
    ``revision`` and ``export_id`` are None until known (and always on classic)."""

    phase: ExportPhase
    message: str
    rows: int = 0
    revision: int | None = None
    export_id: int | None = None


@dataclass(frozen=True)
class ExportResult:
    """A finished export: the file written, its row count, the revision it holds (None on
    classic) and PostHog's export id (None on classic)."""

    path: Path
    rows: int
    revision: int | None
    export_id: int | None


def slugify(text: str) -> str:
    """Django's ``slugify`` (PostHog names export files with it): ASCII, lower case, words
    joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def default_filename(
    dataset_name: str, revision: int | None, format: ExportFormat = "jsonl"
) -> str:
    """PostHog's export file name without its timestamp: ``<slug of name>-r<N>.jsonl``, or
    ``<slug of name>.jsonl`` without a revision (classic); ``.csv`` for the CSV format. A name
    with nothing left after slugifying gives ``dataset``."""
    name = slugify(dataset_name)[:SLUG_MAX].strip("-_") or "dataset"
    if revision is None:
        return f"{name}.{format}"
    return f"{slugify(f'{name}-r{revision}')}.{format}"


def read_csv_cell(text: str) -> Any:
    """The JSON value a CSV cell stands for: empty is null; a cell that parses as a JSON object
    or array is that value, and one that parses as a JSON string (``"..."``, quotes included)
    is that string; anything else is the text itself (so ``42`` and ``true`` are text)."""
    if text == "":
        return None
    stripped = text.strip()
    if stripped[:1] in ("{", "[", '"'):
        try:
            value = json.loads(stripped, parse_constant=_refuse_constant)
        except ValueError:
            return text
        if isinstance(value, dict | list) or (isinstance(value, str) and stripped[0] == '"'):
            return value
    return text


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def csv_cell(key: str, value: Any) -> str:
    """How a row's value is written in a CSV cell, so that `read_csv_cell` reads it back: null
    is empty; objects and arrays are compact JSON; text is written as it is, unless it would
    read back as something else (empty, or text that parses as JSON), then as a JSON string.
    A number or true/false of a JSON field is written as JSON and reads back as text: CSV keeps
    no types, JSONL does. Other keys (ids, revision, version, timestamps) are their text."""
    if value is None:
        return ""
    if key not in JSON_KEYS:
        return str(value)
    if isinstance(value, str):
        back = read_csv_cell(value)
        if isinstance(back, str) and back == value:
            return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def classic_row(item: DatasetItem) -> dict[str, Any]:
    """A classic item as a row of the v2 export: ``output`` is the expected output, the
    ``ref_*`` link the source; what classic does not have (revision, version,
    ``client_item_id``, ``source_output``) is null."""
    stamp = item.ref_timestamp.isoformat() if item.ref_timestamp is not None else None
    return {
        "dataset_id": str(item.dataset),
        "dataset_revision": None,
        "item_id": str(item.id),
        "client_item_id": None,
        "version": None,
        "input": item.input,
        "expected_output": item.output,
        "source_output": None,
        "metadata": item.metadata,
        "source_trace_id": item.ref_trace_id,
        "source_event_id": item.ref_source_id,
        "source_timestamp": stamp,
    }


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv_line(cells: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)  # RFC 4180
    return out.getvalue()


def _csv_lines(jsonl_lines: Iterable[str]) -> Iterable[str]:
    """The CSV file of these JSONL rows, header first (rows decoded one at a time)."""
    yield _csv_line(EXPORT_KEYS)
    for line in jsonl_lines:
        row = json.loads(line)
        yield _csv_line(csv_cell(key, row.get(key)) for key in EXPORT_KEYS)


def _check_target(path: str | os.PathLike[str]) -> Path:
    """The file to write, refused before anything is sent when it cannot be written there."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory: name the file to write the export to.")
    folder = target.parent
    if not folder.exists():
        raise FileNotFoundError(
            f"There is no directory {folder} to write {target.name} into: create it first,"
            " or choose another file."
        )
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a directory: cannot write {target.name} in it.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"The directory {folder} is not writable: cannot write {target}.")
    return target


def _write_atomically(target: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` to a temporary file beside ``target``, then put it in place; on any
    failure the temporary file goes and ``target`` is as it was. The number of lines."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    # O_EXCL: never write through a file (or link) already there; 0o666 lets umask decide.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    count = 0
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(line)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


class _Reporter:
    """Sends `ExportProgress` to the caller's callback, if any."""

    def __init__(self, on_progress: Callable[[ExportProgress], None] | None) -> None:
        self._on_progress = on_progress
        self.revision: int | None = None
        self.export_id: int | None = None

    def __call__(self, phase: ExportPhase, message: str, rows: int = 0) -> None:
        if self._on_progress is not None:
            self._on_progress(ExportProgress(phase, message, rows, self.revision, self.export_id))


async def _v2_rows(
    client: AsyncClient,
    dataset_id: Id,
    revision: int | None,
    wait: float,
    report: _Reporter,
) -> list[dict[str, Any]]:
    at = f"revision {revision}" if revision is not None else "the newest revision"
    report("creating", f"Creating an export of {at}")
    started = time.monotonic()

    def on_status(export: DatasetExport) -> None:
        report.revision, report.export_id = export.dataset_revision, export.id
        name = f"Export {export.id} of revision {export.dataset_revision}"
        if export.status == "complete":
            report("downloading", f"{name}: downloading")
        elif export.status != "failed":  # a failure raises next, with PostHog's reason
            report("waiting", f"{name}: waiting ({time.monotonic() - started:.0f} s)")

    return await client.datasets.export(dataset_id, revision, wait=wait, on_status=on_status)


class _Matcher:
    """The items a query matches, from a temporary search index (removed by `close`) that the
    export's items are put in as they are read."""

    SCOPE: Final = "export"

    def __init__(self, query: Query) -> None:
        from explorer.model.search import ItemIndex

        self.query = query
        self._folder = tempfile.TemporaryDirectory(prefix="dataset-explorer-export-")
        self._index: ItemIndex = ItemIndex(Path(self._folder.name) / "index.sqlite3")
        self._batch: list[AnyItem] = []
        self.indexed = 0

    async def add(self, item: AnyItem) -> None:
        self._batch.append(item)
        if len(self._batch) >= INDEX_BATCH:
            await self.flush()

    async def flush(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            await asyncio.to_thread(self._index.put, self.SCOPE, batch)
            self.indexed += len(batch)

    async def ids(self, dataset_id: str) -> set[str]:
        """The ids of the indexed items of ``dataset_id`` the query matches."""
        await self.flush()
        found: set[str] = set()
        offset = 0
        while True:
            page = await asyncio.to_thread(
                self._index.search, self.SCOPE, dataset_id, self.query, 500, offset
            )
            found.update(str(body["id"]) for body in page.rows)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                return found

    def close(self) -> None:
        self._index.close()
        self._folder.cleanup()


def _parse_query(query: str | None) -> Query | None:
    if query is None or not query.strip():
        return None
    from explorer.model.search import parse_query

    parsed = parse_query(query)
    return None if parsed.empty and parsed.archived is False else parsed


async def _v2_matches(
    client: AsyncClient, dataset_id: Id, revision: int, matcher: _Matcher
) -> set[str]:
    """The ids of the items active at ``revision`` that the query matches, as they were then."""
    dataset = None
    async for item in client.items.iter(dataset_id, page_size=CLASSIC_PAGE, revision=revision):
        dataset = str(item.dataset)
        await matcher.add(item)
    return set() if dataset is None else await matcher.ids(dataset)


async def _classic_lines(
    client: AsyncClient, dataset_id: Id, report: _Reporter, matcher: _Matcher | None = None
) -> list[str]:
    dataset = await client.datasets.get(dataset_id)  # NotFound for an unknown or deleted one
    report("downloading", "Reading the dataset's items (the classic API keeps no revisions)")
    # Each item kept as its line only: 100,000 items take 140 MB so, 560 MB as item objects.
    found: dict[str, tuple[datetime, str]] = {}
    async for item in client.items.iter(dataset.id, page_size=CLASSIC_PAGE):
        # Offset pages may repeat an item when others add items meanwhile: keep one of each.
        if isinstance(item, DatasetItem) and not item.deleted and item.dataset == dataset.id:
            found[str(item.id)] = (item.created_at, _line(classic_row(item)))
            if matcher is not None:
                await matcher.add(item)
            if len(found) % CLASSIC_REPORT_EVERY == 0:
                report("downloading", f"Read {len(found)} items", len(found))
    keep = None if matcher is None else await matcher.ids(str(dataset.id))
    # PostHog's export order: oldest item first, then by id.
    order = sorted(found, key=lambda id_: (found[id_][0], id_))
    return [found[id_][1] for id_ in order if keep is None or id_ in keep]


async def export_dataset(
    client: AsyncClient,
    dataset_id: Id,
    path: str | os.PathLike[str],
    *,
    revision: int | None = None,
    on_progress: Callable[[ExportProgress], None] | None = None,
    wait: float = 600.0,
    format: ExportFormat = "jsonl",
    query: str | None = None,
) -> ExportResult:
    """Export a dataset to ``path``, one row per item (`EXPORT_KEYS`): JSONL (the default),
    or CSV (``format="csv"``: a header, then one column per key, see `csv_cell`).

    v2: PostHog's export pinned to ``revision`` (default: the newest when the export is
    created), of the items active at it, waited for up to ``wait`` seconds. Classic: the live
    items as they are now, oldest first; ``revision`` raises `Unsupported` (the classic API
    keeps no revisions). ``query`` (the search language of `explorer.model.search`, e.g.
    ``metadata.tags:refunds``) keeps only the items it matches as they are in the file (v2: at
    the pinned revision). ``on_progress`` receives an `ExportProgress` at each step.

    The file is written to a temporary file beside ``path`` and then moved in place, so a
    failed export leaves no partial file and an existing file untouched. Raises
    `FileNotFoundError` (or another `OSError`) when ``path`` cannot be written, and
    `explorer.model.search.QueryError` (a `ValueError`) for a query it cannot read, before
    anything is sent; every failure of the server or the connection is an
    `explorer.api.errors.ApiError` (`Conflict` when the revision does not exist or the dataset
    has no item yet, `NotFound` for an unknown dataset).
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"an export is written as jsonl or csv, not {format!r}")
    target = _check_target(path)
    parsed = _parse_query(query)
    report = _Reporter(on_progress)
    matcher = _Matcher(parsed) if parsed is not None else None
    try:
        if await client.detect_generation() == "classic":
            if revision is not None:
                raise Unsupported(
                    "The classic datasets API keeps no revisions: export without a revision to"
                    " get the items as they are now."
                )
            lines = await _classic_lines(client, dataset_id, report, matcher)
            if matcher is not None:
                report("filtering", _matched(len(lines), matcher.indexed, query), len(lines))
        else:
            rows = await _v2_rows(client, dataset_id, revision, wait, report)
            if matcher is not None and report.revision is not None:
                keep = await _v2_matches(client, dataset_id, report.revision, matcher)
                total = len(rows)
                rows = [row for row in rows if row.get("item_id") in keep]
                report("filtering", _matched(len(rows), total, query), len(rows))
            rows.reverse()
            lines = []
            while rows:  # each row let go once it is a line: up to 250 MB of them
                lines.append(_line(rows.pop()))
    finally:
        if matcher is not None:
            matcher.close()
    report("writing", f"Writing {_count(len(lines))} to {target}", len(lines))
    content = _csv_lines(lines) if format == "csv" else lines
    written = await asyncio.to_thread(_write_atomically, target, content)
    if format == "csv":
        written -= 1  # the header
    at = f" of revision {report.revision}" if report.revision is not None else ""
    report("done", f"Wrote {_count(written)}{at} to {target}", written)
    return ExportResult(target, written, report.revision, report.export_id)


def _matched(kept: int, total: int, query: str | None) -> str:
    return f"{kept} of {total} items match the query: {query}"


def _count(rows: int) -> str:
    return f"{rows} row" if rows == 1 else f"{rows} rows"
