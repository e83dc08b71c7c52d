"""Commands that browse: start, the dataset list and its writes, the item pages, selection."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from explorer.api import short_id
from explorer.api.errors import ApiError, NotFound
from explorer.model.base import ModelBase
from explorer.model.context import Changes, UndoEntry
from explorer.model.datasets import DATASET_ORDERS, validate_dataset_fields
from explorer.model.editor import editor_from_draft, editor_from_item
from explorer.model.jsontext import same_value
from explorer.model.pager import MAX_PAGE_SIZE, Superseded
from explorer.model.schema import ItemSchema

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = ["BrowsingCommands"]


class BrowsingCommands(ModelBase):
    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the first page of datasets, the trash and the drafts left from earlier sessions
        (offered back with a notice)."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            ctx.reload_drafts(changes)
            ctx.reload_trash(changes)
            ctx.created_ids.update(
                r.object_id for r in ctx.journal.history(limit=1000, action="create")
            )
            drafts = self.state.drafts
            if drafts:
                ctx.notice(
                    changes,
                    "info",
                    f"{len(drafts)} unsaved edit(s) from an earlier session are kept.",
                    "Open them from the drafts list to save or discard them.",
                    "start",
                )
            with contextlib.suppress(Superseded):
                await self._datasets.load(changes, page_number=1)
            if ctx.client.raw.generation is None:
                # An empty list does not tell which API the server speaks: ask (one request),
                # so the state names it (and a new item's editor has its fields) from the
                # start. If that fails, the next request tells instead.
                with contextlib.suppress(ApiError):
                    await ctx.client.raw.detect_generation()

        await ctx.run("start", body, doing="Loading the datasets", busy="datasets")

    async def close(self) -> None:
        """Cancel background work (the prefetch). Does not close the client."""
        self._pager.invalidate()

    async def idle(self) -> None:
        """Wait for background work (the next page's prefetch) to finish."""
        await self._pager.prefetched()

    def peek_page(self, page_number: int) -> list[AnyItem] | None:
        """The items of page ``page_number`` (1-based) of the open dataset if it would show
        without a request (prefetched or recently shown), else None. Sends nothing, emits
        nothing: a front end can prepare the rows of the next page while it is idle."""
        return self._pager.peek(page_number)

    async def dismiss_notice(self) -> None:
        """Clear the current notice."""
        self.state.notice = None
        self._ctx.emit("dismiss_notice", {"notice"})

    # -- the dataset list --------------------------------------------------------------------

    async def _load_datasets(self, command: str, **kwargs: Any) -> None:
        async def body(changes: Changes) -> None:
            with contextlib.suppress(Superseded):
                await self._datasets.load(changes, **kwargs)

        await self._ctx.run(command, body, doing="Loading the datasets", busy="datasets")

    async def refresh_datasets(self) -> None:
        """Fetch the current page of the dataset list again."""
        await self._load_datasets("refresh_datasets")

    async def search_datasets(self, text: str) -> None:
        """Filter datasets by ``text`` (name, description, metadata; empty: all); back to page 1.
        Debounce in the front end; a newer search cancels an older one in flight."""
        await self._load_datasets("search_datasets", search=text, page_number=1)

    async def sort_datasets(self, order_by: str) -> None:
        """Sort by ``-created_at`` (newest first, the default), ``created_at``, ``-updated_at``
        or ``updated_at``; back to page 1."""
        if order_by not in DATASET_ORDERS:
            changes: Changes = set()
            self._ctx.notice(
                changes,
                "error",
                f"Unknown sort order {order_by!r}.",
                f"Use one of {', '.join(DATASET_ORDERS)}.",
                "sort_datasets",
                error=ValueError(
                    f"Unknown sort order {order_by!r}: use one of {', '.join(DATASET_ORDERS)}."
                ),
            )
            self._ctx.emit("sort_datasets", changes)
            return
        await self._load_datasets("sort_datasets", order_by=order_by, page_number=1)

    async def go_to_datasets_page(self, page_number: int) -> None:
        """Show page ``page_number`` (1-based) of the dataset list."""
        count = self.state.datasets.page_count
        page_number = max(1, min(page_number, count)) if self.state.datasets.loaded else page_number
        await self._load_datasets("go_to_datasets_page", page_number=page_number)

    async def next_datasets_page(self) -> None:
        await self._load_datasets(
            "next_datasets_page", page_number=self.state.datasets.page_number + 1
        )

    async def prev_datasets_page(self) -> None:
        await self._load_datasets(
            "prev_datasets_page", page_number=max(1, self.state.datasets.page_number - 1)
        )

    # -- dataset writes ----------------------------------------------------------------------

    async def create_dataset(
        self, name: str, description: str = "", metadata: str = ""
    ) -> AnyDataset | None:
        """Create a dataset (``metadata``: JSON object text, or empty). Returns it, or None with
        a notice. An unknown outcome is checked (by name and time) before reporting failure."""
        ctx = self._ctx
        created: list[AnyDataset] = []

        async def body(changes: Changes) -> None:
            values, error = validate_dataset_fields(name, metadata)
            if error is not None:
                ctx.notice(
                    changes,
                    "error",
                    f"Not created: {error}.",
                    "Nothing was sent.",
                    "create_dataset",
                    error=ValueError(f"Not created: {error}."),
                )
                return
            dataset, failure = await self._datasets.create(
                values["name"], description or None, values["metadata"]
            )
            if dataset is None:
                assert failure is not None
                ctx.fail(changes, failure, "Creating the dataset", "create_dataset")
                return
            created.append(dataset)
            ctx.journal.add_history(
                "create", "dataset", str(dataset.id), dataset_id=str(dataset.id)
            )
            ctx.notice(changes, "info", f"Created dataset {dataset.name}.", "", "create_dataset")
            with contextlib.suppress(Superseded, ApiError):
                await self._datasets.load(changes)

        await ctx.run(
            "create_dataset", body, doing="Creating the dataset", busy="datasets", write=True
        )
        return created[0] if created else None

    async def update_dataset(
        self,
        dataset_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        metadata: str | None = None,
    ) -> AnyDataset | None:
        """Change a dataset's name, description and/or metadata (JSON object text or empty).
        Refused (with a notice, nothing sent) if the dataset changed on the server since it
        was loaded and the server's values of those fields differ from what was loaded."""
        ctx = self._ctx
        done: list[AnyDataset] = []

        async def body(changes: Changes) -> None:
            values, error = validate_dataset_fields(name, metadata)
            if error is not None:
                ctx.notice(
                    changes,
                    "error",
                    f"Not saved: {error}.",
                    "Nothing was sent.",
                    "update_dataset",
                    error=ValueError(f"Not saved: {error}."),
                )
                return
            if description is not None:
                values["description"] = description or None
            known = self._datasets.find(dataset_id)
            current = await ctx.client.datasets.get(dataset_id)
            if known is not None and current.updated_at != known.updated_at:
                moved = [
                    f
                    for f in values
                    if not same_value("metadata", getattr(current, f), getattr(known, f))
                ]
                if moved:
                    ctx.notice(
                        changes,
                        "warning",
                        f"Not saved: {', '.join(moved)} changed on the server since the list"
                        " was loaded.",
                        "The list is reloaded; check and apply your edit again.",
                        "update_dataset",
                    )
                    await self._datasets.load(changes)
                    return
            before = {f: getattr(current, f) for f in values}
            updated = await ctx.client.datasets.update(dataset_id, **values)
            done.append(updated)
            ctx.journal.add_history(
                "save",
                "dataset",
                dataset_id,
                dataset_id=dataset_id,
                before=before,
                after=dict(values),
            )
            ctx.push_undo(
                changes,
                UndoEntry(
                    "save", "dataset", dataset_id, updated.name, before=before, after=updated
                ),
            )
            self._replace_dataset(updated, changes)
            ctx.notice(changes, "info", f"Saved dataset {updated.name}.", "", "update_dataset")

        await ctx.run(
            "update_dataset", body, doing="Saving the dataset", busy="datasets", write=True
        )
        return done[0] if done else None

    # -- the open dataset's pages ------------------------------------------------------------

    async def open_dataset(self, dataset_id: str) -> None:
        """Open a dataset: its first page of items (the selection and editor are cleared;
        unsaved edits stay in the journal's drafts)."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            dataset = self._datasets.find(dataset_id)
            if dataset is None:
                dataset = await ctx.client.datasets.get(dataset_id)
            page = self.state.page
            self._pager.invalidate()
            page.dataset = dataset
            page.revision, page.archived, page.query = None, False, ""
            page.items, page.total, page.page_number = [], 0, 1
            page.loaded, page.fetched_at = False, None
            self.state.selection = None
            self.state.editor = None
            changes.update({"dataset", "page", "selection", "editor"})
            try:
                await self._pager.show(1)
            except Superseded:
                return

        await ctx.run("open_dataset", body, doing="Opening the dataset", busy="page")

    async def close_dataset(self) -> None:
        """Back to the dataset list (unsaved edits stay in the journal's drafts)."""
        changes: Changes = {"dataset", "page", "selection", "editor"}
        self._pager.invalidate()
        page = self.state.page
        page.dataset, page.items, page.total, page.loaded = None, [], 0, False
        page.revision, page.archived, page.query = None, False, ""
        self.state.selection = None
        self.state.editor = None
        self._ctx.emit("close_dataset", changes)

    async def _show(
        self, command: str, page_number: int, *, fresh: bool = False, adjusted: str = ""
    ) -> None:
        async def body(changes: Changes) -> None:
            if self.state.page.dataset is None:
                self._ctx.notice(
                    changes,
                    "warning",
                    "No dataset is open.",
                    "Open one.",
                    command,
                    error=ValueError("No dataset is open: open one first."),
                )
                return
            if adjusted:
                self._ctx.notice(changes, "info", adjusted, "", command)
            try:
                await self._pager.show(page_number, fresh=fresh)
            except Superseded:
                return
            changes.add("page")
            self._sync_selection(changes)

        await self._ctx.run(command, body, doing="Loading the page", busy="page")

    async def next_page(self) -> None:
        """The next page (shown at once when prefetched). Pressed repeatedly while a page is
        loading, each press goes one further; the newest request cancels the older."""
        page = self.state.page
        target = self._pager.target_page + 1
        if page.loaded and target > page.page_count:
            target = page.page_count
        await self._show("next_page", target)

    async def prev_page(self) -> None:
        await self._show("prev_page", max(1, self._pager.target_page - 1))

    async def go_to_page(self, page_number: int) -> None:
        """Page ``page_number`` (1-based, clamped to the pages there are)."""
        page = self.state.page
        wanted = page_number
        if page.loaded:
            page_number = min(page_number, page.page_count)
        page_number = max(1, page_number)
        adjusted = ""
        if page_number != wanted:
            pages = f"{page.page_count:,} page{'s' if page.page_count != 1 else ''}"
            adjusted = f"There is no page {wanted:,} (this dataset has {pages}); showing page"
            adjusted += f" {page_number:,}."
        await self._show("go_to_page", page_number, adjusted=adjusted)

    async def set_page_size(self, size: int) -> None:
        """Rows per page (1-500); stays on the page holding the first row shown."""
        page = self.state.page
        wanted = size
        size = max(1, min(MAX_PAGE_SIZE, size))
        adjusted = ""
        if size != wanted:
            adjusted = f"Pages hold 1 to {MAX_PAGE_SIZE} items, not {wanted:,}; showing {size}."
        first = page.offset
        page.page_size = size
        self._pager.invalidate()
        await self._show("set_page_size", first // size + 1, adjusted=adjusted)

    async def refresh(self) -> None:
        """Fetch the current page again; the selection stays when its item is still there."""
        self._pager.invalidate()
        await self._show("refresh", self.state.page.page_number, fresh=True)

    # -- selection ---------------------------------------------------------------------------

    async def select(self, item_id: str) -> None:
        """Select an item and open it in the editor. The full item is fetched when the page's
        copy is stale (older than ``stale_after`` seconds) or the item is not on the page.
        A draft of it in the journal is restored into the editor."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            item = self._find_item(item_id)
            page = self.state.page
            if item is None or self._page_is_stale():
                try:
                    item = await ctx.client.items.get(
                        item_id, page.revision, archived=page.archived
                    )
                except NotFound as exc:
                    ctx.notice(
                        changes,
                        "warning",
                        f"Item {short_id(item_id)} no longer exists (deleted elsewhere?).",
                        "Refresh the page.",
                        "select",
                        error=exc,
                    )
                    return
                if self._pager.replace_item(item):
                    changes.add("page")
            self.state.selection = item
            changes.add("selection")
            editor = self.state.editor
            if editor is not None and editor.item_id == item_id and editor.dirty:
                return  # keep the editor (and its draft) as it is
            if self.state.page_read_only and not self.state.read_only:
                # a past revision or an archived item: shown, not edited (its draft waits)
                self._set_editor(editor_from_item(item, read_only=True), changes)
                return
            draft = ctx.journal.get_draft(item_id)
            if draft is None:
                self._set_editor(editor_from_item(item, read_only=self.state.read_only), changes)
                return
            restored = editor_from_draft(
                draft, read_only=self.state.read_only, schema=self.state.schema
            )
            self._set_editor(restored, changes)
            hint = ""
            if draft.base_updated_at != ItemSchema.token(item):
                hint = "The item changed on the server since; saving will show both versions."
            ctx.notice(
                changes,
                "info",
                f"Restored unsaved edits of item {short_id(item_id)} ({draft.updated_at[:19]}).",
                hint,
                "select",
            )

        await ctx.run("select", body, doing="Opening the item", busy="item")

    async def clear_selection(self) -> None:
        """Select nothing (unsaved edits stay in the journal's drafts)."""
        self.state.selection = None
        self.state.editor = None
        self._ctx.emit("clear_selection", {"selection", "editor"})
