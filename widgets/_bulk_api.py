"""The panel's scripting API for searching, marking and changing many items at once, and for
DataFrames: `search` the open dataset, `mark` / `mark_all` / `clear_marks`, the bulk actions
(`bulk_archive`, `bulk_restore`, `bulk_set_metadata`, `bulk_remove_metadata`, `bulk_move`,
`bulk_copy`, and `bulk_plan` to see one first), `to_pandas` (the page, or ``all=True``: every
item of the view), `apply` (an edited DataFrame written back), `import_file`.

`BulkScripting` is a part of `DatasetPanel` (which it is mixed into): every method follows the
panel's scripting rules (a failure shows in the status line and raises: `QueryError` for a
query it cannot read, `BulkRefused` for a bulk action refused before anything was sent,
`BulkFailed` when some items failed, `ApplyFailed` when some rows were not saved; in a kernel
the call returns a task to await). The bulk actions run with no confirmation: a script
confirms by calling them. One ``panel.undo()`` reverts a whole bulk action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from explorer.model import ExplorerModel, ItemSchema
from explorer.model.bulk import BulkAction
from explorer.model.frames import ApplyFailed, ApplyReport, FieldChange, RowResult
from explorer.model.jsontext import pretty_json
from widgets._render import (
    diff_html,
    escape_attr,
    escape_text,
    make_visible,
    panel_html,
    short_id,
    status_html,
)

if TYPE_CHECKING:
    import pandas

    from explorer.api.models import AnyDataset
    from widgets._status import StatusArea
    from widgets._tasks import TaskRunner

__all__ = ["BulkScripting", "FrameChanges"]

T = TypeVar("T")
_SHOWN_ROWS = 100  # rows a FrameChanges draws (the rest counted)


class FrameChanges:
    """A DataFrame compared with the server by `DatasetPanel.apply`: in a notebook it shows as
    a diff per changed item (field by field, changed words marked) under a summary; ``str()``
    is the same as text. ``report`` is the model's `ApplyReport` (``results``: one `RowResult`
    per row, ``problems``: the rows not saved and why); ``dry_run`` says whether anything was
    sent."""

    def __init__(self, report: ApplyReport, schema: ItemSchema) -> None:
        self.report = report
        self.dry_run = report.dry_run
        self.summary = report.summary
        self.results: list[RowResult] = report.results
        self._schema = schema

    @property
    def changed(self) -> list[RowResult]:
        """The rows that differ from the server (saved or not)."""
        return self.report.changed

    @property
    def problems(self) -> list[RowResult]:
        return self.report.problems

    @property
    def ok(self) -> bool:
        return self.report.ok

    def __str__(self) -> str:
        return make_visible(str(self.report), multiline=True)

    def __repr__(self) -> str:
        return f"<FrameChanges {make_visible(self.summary)}>"

    def _field_html(self, change: FieldChange) -> str:
        label = self._schema.label(change.field)
        before = pretty_json(_json_safe(change.before))
        after = pretty_json(_json_safe(change.after))
        return f'<div class="dx-field-label">{escape_text(label)}</div>' + diff_html(before, after)

    def _repr_html_(self) -> str:
        if self.report.ok:
            kind = "info" if self.dry_run else "ok"
        else:
            kind = "warning" if self.dry_run else "error"
        hint = " Nothing was sent: apply it with confirm=True." if self.dry_run else ""
        parts = [status_html(kind, self.summary + (hint if self.changed else ""))]
        shown = [r for r in self.results if r.outcome != "unchanged"]
        for result in shown[:_SHOWN_ROWS]:
            version = f" (v{result.version})" if result.version is not None else ""
            head = f"item {short_id(result.item_id)}{version}: {result.outcome}"
            if result.reason:
                head += f": {result.reason}"
            parts.append(
                f'<div class="dx-diff-title" title="{escape_attr(result.item_id)}">'
                f"{escape_text(head)}</div>"
            )
            parts.extend(self._field_html(change) for change in result.changes)
        more = len(shown) - _SHOWN_ROWS
        if more > 0:
            parts.append(f'<div class="dx-more">… {more:,} more rows (print() lists them)</div>')
        return panel_html('<div class="dx-frame-changes">' + "".join(parts) + "</div>")


def _json_safe(value: Any) -> Any:
    from explorer.model.frames import _ABSENT

    return None if value is _ABSENT else value


class BulkScripting:
    """Search, marks, bulk actions and DataFrames for scripts (mixed into `DatasetPanel`)."""

    model: ExplorerModel
    _tasks: TaskRunner
    _status: StatusArea

    if TYPE_CHECKING:

        def _script(
            self, concern: str, work: Callable[[], Awaitable[None]]
        ) -> asyncio.Task[None] | None: ...

        def _script_write(
            self, work: Callable[[], Awaitable[None]]
        ) -> asyncio.Task[None] | None: ...

        def _script_value(self, concern: str, work: Callable[[], Awaitable[T]]) -> Any: ...

        def _refuse(self, error: Exception) -> NoReturn: ...

        async def _dataset_id(self, dataset: str | AnyDataset) -> str: ...

    # -- search ----------------------------------------------------------------------------------

    def search(self, query: str) -> Any:
        """Show the open dataset's items matching ``query`` in the grid (what typing in the
        search box over it does, without the wait): words search every field;
        ``metadata.tags:refunds``, ``expected_output:null``, ``has:trace``, ``archived:true``,
        ``version>1``, ``-term`` filter (`explorer.model.search`). ``panel.items`` is then the
        first page of matches, ``panel.state.page.total`` how many. The dataset is indexed
        first (its progress in the box). An empty query shows the dataset's own list. Raises
        `QueryError` (a ValueError) for a query it cannot read (the page stays as it was),
        ValueError when no dataset is open."""
        text = str(query)
        return self._script("script:search", lambda: self.model.search_items(text))

    def clear_search(self) -> Any:
        """The dataset's own list again (what × in the search box does)."""
        return self._script("script:search", self.model.clear_search)

    # -- marks -----------------------------------------------------------------------------------

    @property
    def marked(self) -> list[str]:
        """The ids of the marked items, in the order they were marked."""
        return list(self.model.state.marked)

    def mark(self, *item_ids: str, on: bool = True) -> Any:
        """Mark items by id (any of the open dataset), or unmark them with ``on=False``."""

        async def work() -> None:
            for item_id in item_ids:
                await self.model.mark(str(item_id), on=on)

        return self._script("script:marks", work)

    def mark_all(self) -> Any:
        """Mark every item of the view: all matches of the search shown, else every item of
        the open dataset (at most 10,000). Raises ValueError when no dataset is open."""
        return self._script("script:marks", self.model.mark_all_results)

    def clear_marks(self) -> Any:
        """Unmark every item."""
        return self._script("script:marks", self.model.clear_marks)

    # -- bulk actions ----------------------------------------------------------------------------

    def bulk_plan(
        self, action: BulkAction, *, key: str = "", value: Any = None, dataset: Any = None
    ) -> Any:
        """What ``action`` (``"archive"``, ``"restore"``, ``"set_metadata"``,
        ``"remove_metadata"``, ``"move"``, ``"copy"``) would do to the marked items: the
        model's `BulkPlan` (``description``, ``count``, ``skipped`` with reasons,
        ``warnings``, ``refusal``), what the panel's confirmation shows. Sends only reads."""

        async def work() -> Any:
            target = None if dataset is None else await self._dataset_id(dataset)
            return await self.model.bulk_plan(action, dataset_id=target, key=key, value=value)

        return self._script_value("script:bulk-plan", work)

    def bulk_archive(self) -> Any:
        """Archive (classic: delete) the marked items; `undo` brings them all back. Raises
        `BulkRefused` when nothing is marked (or in read-only mode), `BulkFailed` when some
        failed (the others are archived; running it again does nothing twice)."""
        return self._script_write(lambda: self.model.bulk_archive())

    def bulk_restore(self) -> Any:
        """Restore the marked archived items (mark them in ``show_archived()``)."""
        return self._script_write(lambda: self.model.bulk_restore())

    def bulk_set_metadata(self, key: str, value: Any) -> Any:
        """Set top-level metadata ``key`` to ``value`` (any JSON) on the marked items (items
        already holding it are skipped)."""
        return self._script_write(lambda: self.model.bulk_set_metadata(key, value))

    def bulk_remove_metadata(self, key: str) -> Any:
        """Remove top-level metadata ``key`` from the marked items."""
        return self._script_write(lambda: self.model.bulk_remove_metadata(key))

    def bulk_move(self, dataset: Any) -> Any:
        """Move the marked items to ``dataset`` (its id, a `Dataset` or its exact name; v2:
        each is copied there and the original archived)."""

        async def work() -> None:
            await self.model.bulk_move(await self._dataset_id(dataset))

        return self._script_write(work)

    def bulk_copy(self, dataset: Any) -> Any:
        """Copy the marked items into ``dataset`` (its id, a `Dataset` or its exact name);
        running it again copies only what was not copied yet."""

        async def work() -> None:
            await self.model.bulk_copy(await self._dataset_id(dataset))

        return self._script_write(work)

    # -- DataFrames ------------------------------------------------------------------------------

    def to_pandas(self, all: bool = False) -> Any:
        """The items as a ``pandas.DataFrame`` indexed by item id (`explorer.model.frames`):
        ``version`` and ``version_id`` (v2), a column per field of the server's generation
        (JSON values as Python objects), ``metadata.<key>`` per metadata key (a list stays a
        list: ``df[df["metadata.tags"].map(lambda t: "refunds" in t)]``), then
        ``created_at``, ``updated_at`` and ``archived``.

        The current page, returned at once; ``all=True``: every item of the view, read from
        the server (the search's matches while a search is shown, else the whole dataset),
        returned as the value with no loop running and as a task in a kernel
        (``df = await panel.to_pandas(all=True)``). Edit it and write it back with `apply`.
        Raises ImportError without pandas (the ``pandas`` extra), ValueError for ``all=True``
        when no dataset is open."""
        from explorer.model.frames import items_frame, items_to_frame

        state = self.model.state
        if not all:
            return items_to_frame(state.page.items, state.schema)

        async def work() -> pandas.DataFrame:
            page = self.model.state.page
            if page.dataset is None:
                self._refuse(ValueError("No dataset is open: open one first."))
            query = page.query
            if page.archived:
                query = f"archived:true {query}".strip()
            return await items_frame(self.model.client, str(page.dataset.id), query=query)

        return self._script_value("script:frame", work)

    def apply(self, frame: pandas.DataFrame, *, confirm: bool = False) -> Any:
        """Write an edited DataFrame (from `to_pandas`; filtered, columns dropped, cells
        changed) back. Each row is compared with its item on the server: a `FrameChanges`
        shows the diff of every row that differs (in a notebook, as the panel's diffs).
        Nothing is sent unless ``confirm=True``: then each changed row is saved as any save is,
        checked against the version it was read at (v2: ``base_version``; classic: its
        ``updated_at``), and the page shows the result. A row whose item changed on the server
        since is a conflict, never overwritten.

        ``changes = await panel.apply(df)`` (look), then ``await panel.apply(df,
        confirm=True)``. Raises `ApplyFailed` (its ``report`` says per row) when some rows were
        not saved, the others being saved; applying the same frame again saves nothing
        twice."""
        from explorer.model.frames import apply_frame

        async def work() -> FrameChanges:
            report = await apply_frame(self.model.client, frame, dry_run=not confirm)
            if confirm and report.count("saved"):
                await self._reread()
            changes = FrameChanges(report, self.model.state.schema)
            if confirm and not report.ok:
                self._refuse(ApplyFailed(report))
            return changes

        return self._script_value("script:apply", work)

    async def _reread(self) -> None:
        """After writes the model did not make: the page, and the search index of the open
        dataset when it was searched this session."""
        state = self.model.state
        search, page = state.search, state.page
        searched = (
            search is not None
            and page.dataset is not None
            and search.dataset_id == str(page.dataset.id)
        )
        if searched and not page.query:
            await self.model.index_dataset()
        await self.model.refresh()

    # -- import ----------------------------------------------------------------------------------

    def import_file(
        self, path: str | Path, *, format: str | None = None, dry_run: bool = True
    ) -> Any:
        """Import a JSONL or CSV file into the open dataset (`explorer.model.importing`): with
        ``dry_run`` (the default) every row is read and checked and nothing is sent. Returns
        the `ImportReport` (``created``, ``already``, ``failed``, ``problems`` with each row's
        line and reason; in a kernel a task). Running it again creates nothing twice. Raises
        ValueError when no dataset is open, `ImportFileError` (a ValueError) for a file that
        cannot be read as rows, OSError when it cannot be opened."""
        from widgets._import import import_file

        async def work() -> Any:
            try:
                return await import_file(self.model, path, format=format, dry_run=dry_run)
            except (ValueError, OSError) as exc:
                self._refuse(exc)

        return self._script_value("script:import", work)
