"""The panel's scripting API for history (v2): an item's versions as a DataFrame, the diff of two
versions (HTML in a notebook, unified text with ``print``), restoring a version, a dataset's
revisions, the dataset as of a revision, comparing two revisions, the archived items, export.

`HistoryScripting` is a part of `DatasetPanel` (which it is mixed into): every method follows
the panel's scripting rules (a failure shows in the status line and raises; in a kernel the call
returns a task to await). Those that answer with a value (`history`, `diff`, `revisions`,
`compare`, `export`) return it with no loop running, and in a kernel a task whose result it is:
``frame = await panel.history()``. On the classic API, which keeps no history, each raises the
model's `Unsupported` error saying so (`export` works there: the items as they are now).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from explorer.api.models import VersionedItem, short_id
from explorer.model import ExplorerModel, FieldDiff, ItemSchema
from explorer.model.history import (
    CONTENT_FIELDS,
    HistoryState,
    ItemChange,
    RevisionCompare,
    RevisionsState,
    VersionDiff,
    VersionEntry,
)
from widgets._history import version_diff_html
from widgets._render import escape_text, make_visible, panel_html
from widgets._revisions import change_html
from widgets._tasks import TaskRunner

if TYPE_CHECKING:
    import pandas

    from explorer.model import ModelState

__all__ = [
    "HISTORY_COLUMNS",
    "REVISION_COLUMNS",
    "HistoryScripting",
    "RevisionComparison",
    "VersionsDiff",
]

T = TypeVar("T")

HISTORY_COLUMNS = (
    "version",
    "version_id",
    "revision",
    "revision_id",
    "created_at",
    "created_by",
    "change",
    "archived",
    *CONTENT_FIELDS,
)
"""The columns of `DatasetPanel.history`: one row per version, newest first."""
REVISION_COLUMNS = ("revision", "revision_id", "created_at", "created_by")
"""The columns of `DatasetPanel.revisions`: one row per revision, newest first."""


def _pandas(call: str) -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            f"{call} needs pandas: pip install 'posthog-dataset-explorer[pandas]'"
        ) from None
    return pandas


def _fields_text(fields: dict[str, FieldDiff], older: str, newer: str) -> str:
    parts: list[str] = []
    for name, diff in fields.items():
        parts.append(f"--- {older} {name}\n+++ {newer} {name}\n{diff.as_text()}")
    return make_visible("\n".join(parts), multiline=True)


class VersionsDiff:
    """Two versions of an item compared: in a notebook it shows as the panel's diff (who made
    the newer one and when, then each changed field, wrapped, changed words marked); ``str()``
    is a unified diff per field. ``fields`` holds the model's `FieldDiff` per changed field."""

    def __init__(
        self, diff: VersionDiff, newer: VersionEntry, older: VersionEntry, schema: ItemSchema
    ) -> None:
        self.older: VersionedItem = diff.older
        self.newer: VersionedItem = diff.newer
        self.fields: dict[str, FieldDiff] = diff.fields
        self.summary: str = diff.summary
        """``"v1 → v3: expected output, metadata changed"``."""
        self._diff = diff
        self._entries = (newer, older)
        self._schema = schema

    def __str__(self) -> str:
        body = _fields_text(self.fields, f"v{self.older.version}", f"v{self.newer.version}")
        return f"{self.summary}\n{body}" if body else self.summary

    def _repr_html_(self) -> str:
        newer, older = self._entries
        return panel_html(version_diff_html(self._schema, newer, older, self._diff))

    def __repr__(self) -> str:
        return f"<VersionsDiff item {short_id(self.newer.id)} {make_visible(self.summary)}>"


class RevisionComparison:
    """A dataset at two revisions compared: ``summary``, ``changes`` (the model's `ItemChange`
    per item added, changed, archived or restored), ``diff(item_id)`` for one of them. In a
    notebook it shows as a table of the changes."""

    def __init__(self, compare: RevisionCompare, model: ExplorerModel) -> None:
        self.older = compare.older
        self.newer = compare.newer
        self.summary = compare.summary
        self.changes: list[ItemChange] = list(compare.changes)
        self._compare = compare
        self._model = model
        self._state: ModelState = model.state

    def diff(self, item_id: str) -> FieldsDiff:
        """How one item of ``changes`` differs between the two revisions. Raises KeyError for an
        item that did not change."""
        for change in self.changes:
            if change.item_id == str(item_id):
                fields = self._model.diff_change(change)
                return FieldsDiff(self._compare, change, fields, self._state)
        raise KeyError(f"Item {item_id} did not change between r{self.older} and r{self.newer}.")

    def __str__(self) -> str:
        lines = [self.summary]
        lines += [f"{c.kind:<9}{c.item_id}  {make_visible(c.summary)}" for c in self.changes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape_text(c.kind)}</td>"
            f'<td><code class="dx-version-id">{escape_text(c.item_id)}</code></td>'
            f"<td>{escape_text(c.summary)}</td></tr>"
            for c in self.changes[:500]
        )
        more = len(self.changes) - 500
        cut = f'<div class="dx-more">… {more:,} more</div>' if more > 0 else ""
        table = (
            '<table class="dx-items"><thead><tr><th style="width:6em">change</th>'
            '<th style="width:24em">item</th><th>what</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        head = f'<div class="dx-diff-title">{escape_text(self.summary)}</div>'
        return panel_html(head + (table if self.changes else "") + cut)

    def __repr__(self) -> str:
        return f"<RevisionComparison {self.summary}>"


class FieldsDiff:
    """One item between two revisions: HTML in a notebook, a unified diff per field as text."""

    def __init__(
        self,
        compare: RevisionCompare,
        change: ItemChange,
        fields: dict[str, FieldDiff],
        state: ModelState,
    ) -> None:
        self.change = change
        self.fields = fields
        self._compare = compare
        self._state = state

    def __str__(self) -> str:
        head = f"item {self.change.item_id}: {self.change.kind} ({self.change.summary})"
        body = _fields_text(self.fields, f"r{self._compare.older}", f"r{self._compare.newer}")
        return make_visible(head) + ("\n" + body if body else "")

    def _repr_html_(self) -> str:
        return panel_html(change_html(self._state, self._compare, self.change, list(self.fields)))


def _versions_frame(history: HistoryState) -> pandas.DataFrame:
    pandas = _pandas("history()")
    rows = [
        {
            "version": e.version,
            "version_id": e.version_id,
            "revision": e.revision,
            "revision_id": e.revision_id,
            "created_at": e.when,
            "created_by": e.who,
            "change": e.change,
            "archived": e.archived,
            **{name: getattr(e.item, name) for name in CONTENT_FIELDS},
        }
        for e in history.versions
    ]
    return pandas.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def _revisions_frame(revisions: RevisionsState) -> pandas.DataFrame:
    pandas = _pandas("revisions()")
    rows = [
        {"revision": r.number, "revision_id": r.id, "created_at": r.when, "created_by": r.who}
        for r in revisions.revisions
    ]
    return pandas.DataFrame(rows, columns=list(REVISION_COLUMNS))


def _number(what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"A {what} is a number from 1, not {value!r}.")
    return value


class HistoryScripting:
    """What happened to items and datasets, for scripts (mixed into `DatasetPanel`)."""

    model: ExplorerModel
    _tasks: TaskRunner

    if TYPE_CHECKING:

        def _script(
            self, concern: str, work: Callable[[], Awaitable[None]]
        ) -> asyncio.Task[None] | None: ...

        def _script_write(
            self, work: Callable[[], Awaitable[None]]
        ) -> asyncio.Task[None] | None: ...

        def _scripted(
            self, work: Callable[[], Awaitable[None]]
        ) -> Callable[[], Coroutine[Any, Any, None]]: ...

        def _refuse(self, error: Exception) -> NoReturn: ...

    def _script_value(self, concern: str, work: Callable[[], Awaitable[T]]) -> Any:
        """Run ``work`` as a scripting call that answers: its value with no loop running, a task
        whose result it is in a kernel; a failure raises as for every scripting call. Its
        ``concern`` is the script's own: a click (which redraws after the call's change) never
        cancels it, only a newer call of the same kind does."""
        result: list[T] = []

        async def run() -> None:
            result.append(await work())

        task = self._tasks.start(concern, self._scripted(run), propagate=True)
        if self._tasks.run(task) is None:  # ran here, to the end (a failure raised)
            if not result:
                raise RuntimeError("a newer call of the same kind cancelled this one")
            return result[0]

        async def value() -> T:
            await task
            return result[0]

        answer = self._tasks.loop.create_task(value())
        answer.add_done_callback(lambda t: t.cancelled() or t.exception())
        return answer

    def _check(self, what: str, value: Any) -> int:
        """``value`` as a version or revision number; inside a scripting call's work only (a
        refusal shows in the status line, and the call raises ValueError)."""
        try:
            return _number(what, value)
        except ValueError as exc:
            self._refuse(exc)

    # -- an item's versions ----------------------------------------------------------------------

    def history(self, item_id: str | None = None) -> Any:
        """The versions of the shown item (or of ``item_id``) as a ``pandas.DataFrame``, newest
        first, one row per version: ``version``, ``version_id``, ``revision``, ``revision_id``,
        ``created_at``, ``created_by``, ``change`` (what it changed), ``archived``, ``input``,
        ``expected_output``, ``metadata``. In a kernel: ``await panel.history()``. Raises
        ImportError without pandas (the ``pandas`` extra), ValueError when no item is shown,
        `NotFound`, and `Unsupported` on the classic API (it keeps no history)."""
        _pandas("history()")

        async def work() -> Any:
            await self.model.load_history(item_id)
            history = self.model.state.history
            if history is None or not history.supported:
                return None  # the model's notice says why: the call raises it
            return _versions_frame(history)

        return self._script_value("script:history", work)

    def diff(self, a: int, b: int, item_id: str | None = None) -> Any:
        """Versions ``a`` and ``b`` of the shown item (or of ``item_id``) compared, older to
        newer whichever comes first: a `VersionsDiff` that a notebook shows as the panel's diff
        (who, when, each changed field with its changed words marked) and ``print`` as a
        unified diff per field. In a kernel: ``await panel.diff(1, 3)``. Raises ValueError for
        a version the item does not have (naming those it has), `Unsupported` on classic."""

        async def work() -> Any:
            first, second = self._check("version", a), self._check("version", b)
            await self.model.load_history(item_id)
            history = self.model.state.history
            if history is None or not history.supported:
                return None
            try:
                diff = self.model.diff_versions(first, second)
            except ValueError as exc:
                self._refuse(exc)
            newer = history.entry(diff.newer.version)
            older = history.entry(diff.older.version)
            assert newer is not None and older is not None
            return VersionsDiff(diff, newer, older, self.model.state.schema)

        return self._script_value("script:history", work)

    def restore_version(self, version: int, item_id: str | None = None) -> Any:
        """Make version ``version`` of the shown item (or of ``item_id``) its content again, as
        a new version (an archived item comes back with it); `undo` puts the replaced version
        back. Raises ValueError for a version it does not have or over unsaved edits, `Conflict`
        when the item changed since its history was loaded (the history is reloaded),
        `ReadOnlyError` (read-only mode or a past revision shown), `Unsupported` on classic."""

        async def work() -> None:
            number = self._check("version", version)
            await self.model.restore_version(number, item_id)

        return self._script_write(work)

    # -- a dataset's revisions -------------------------------------------------------------------

    def revisions(self) -> Any:
        """The open dataset's revisions as a ``pandas.DataFrame``, newest first: ``revision``,
        ``revision_id``, ``created_at``, ``created_by``. In a kernel: ``await
        panel.revisions()``. Raises ValueError when no dataset is open, `Unsupported` on
        classic, ImportError without pandas."""
        _pandas("revisions()")

        async def work() -> Any:
            await self.model.load_revisions()
            state = self.model.state
            while state.revisions is not None and state.revisions.has_more:
                before = len(state.revisions.revisions)
                await self.model.load_revisions(more=True)
                if state.revisions is None or len(state.revisions.revisions) <= before:
                    break
            if state.revisions is None or not state.revisions.supported:
                return None
            return _revisions_frame(state.revisions)

        return self._script_value("script:revisions", work)

    def open_revision(self, revision: int | None) -> Any:
        """Show the open dataset as of ``revision``, read-only (the header and a banner say so;
        every write is refused with `ReadOnlyError`), or its current items again with None.
        Raises ValueError for a revision it does not have, `Unsupported` on classic."""

        async def work() -> None:
            number = None if revision is None else self._check("revision", revision)
            await self.model.open_revision(number)

        return self._script("page", work)

    def compare(self, a: int, b: int | None = None) -> Any:
        """The open dataset at revisions ``a`` and ``b`` (default: its newest) compared: a
        `RevisionComparison` (``summary``, ``changes``, ``diff(item_id)``; a table in a
        notebook). In a kernel: ``await panel.compare(3)``. Raises ValueError when no dataset
        is open, `Unsupported` on classic."""

        async def work() -> Any:
            older = self._check("revision", a)
            newer = None if b is None else self._check("revision", b)
            await self.model.compare_revisions(older, newer)
            compare = self.model.state.compare
            return None if compare is None else RevisionComparison(compare, self.model)

        return self._script_value("script:compare", work)

    def show_archived(self, on: bool = True) -> Any:
        """List the open dataset's archived items (read-only; `restore` brings one back), or
        its live items again with ``on=False``. Raises `Unsupported` on classic (the trash
        lists the items deleted from this machine)."""
        return self._script("page", lambda: self.model.show_archived_items(on))

    def export(
        self,
        path: str | Path,
        revision: int | None = None,
        *,
        format: str = "jsonl",
        query: str | None = None,
    ) -> Any:
        """Write the open dataset to ``path`` (PostHog's export: one row per item) as JSONL,
        or CSV with ``format="csv"`` (a header, one column per key), pinned to ``revision``
        (default: the revision shown, else the newest); ``query`` (the search language:
        ``panel.state.page.query`` is the search shown) keeps the items it matches. Returns
        the `Path` written (in a kernel: ``await panel.export("evals.csv", format="csv")``).
        On classic the items as they are now (a ``revision`` raises `Unsupported`). Raises
        ValueError when no dataset is open or for an unknown format, `QueryError` for a query
        it cannot read, OSError when the file cannot be written, the client's `ApiError`."""
        from explorer.api.errors import ApiError
        from widgets._export import export_view_of

        async def work() -> Any:
            number = None if revision is None else self._check("revision", revision)
            if format not in ("jsonl", "csv"):
                self._refuse(ValueError(f"An export is jsonl or csv, not {format!r}."))
            if format == "jsonl" and not query:
                await self.model.export_dataset(path, number)
                export = self.model.state.export
                if export is None or export.phase != "done":
                    return None
                return Path(export.path)
            try:
                result = await export_view_of(
                    self.model,
                    path,
                    revision=number,
                    format="csv" if format == "csv" else "jsonl",
                    query=query,
                )
            except (OSError, ValueError, ApiError) as exc:
                self._refuse(exc)
            return result.path

        return self._script_value("script:export", work)
