"""Commands that search inside the open dataset, through the local index (`explorer.model.search`).

The results are a view of the open dataset's page, as a revision or the archived items are:
``state.page.query`` is set and the pager answers its pages from the index, so the results page,
open, edit and refresh like the dataset's own list. Writes made through the model update the
index as they land; `refresh` while searching brings the index up to date from the server
(v2: nothing is fetched at the same revision).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from explorer.model.base import ModelBase
from explorer.model.context import Changes
from explorer.model.pager import Superseded
from explorer.model.state import SearchState

if TYPE_CHECKING:
    from explorer.api.models import AnyItem, Page
    from explorer.model.search import IndexProgress, ItemIndex

__all__ = ["SearchCommands"]


class SearchCommands(ModelBase):
    _index: ItemIndex | None = None
    _indexed_now: set[str]

    # -- the index ---------------------------------------------------------------------------

    def _item_index(self) -> ItemIndex:
        """The index file beside the journal (made on the first search)."""
        if self._index is None:
            from explorer.model.search import ItemIndex

            journal_path = self._ctx.journal.journal.path
            self._index = ItemIndex(journal_path.parent / "index.sqlite3")
            self._indexed_now = set()
            self._ctx.client.items.on_written = self._index_written
            self._pager.search = self._search_page
        return self._index

    def _index_written(self, item: AnyItem | None, item_id: str) -> None:
        """A write landed: the index holds the item as the server returned it (a classic
        delete, which returns nothing, drops it)."""
        index = self._index
        if index is None:
            return
        if item is None:
            index.remove_id(self._ctx.scope, item_id)
        elif index.indexed(self._ctx.scope, str(item.dataset)) is not None:
            index.put(self._ctx.scope, [item])

    async def _search_page(self, dataset_id: str, query: str, limit: int, offset: int) -> Page[Any]:
        import asyncio

        from explorer.api.models import Page
        from explorer.model.schema import item_from_record

        index = self._item_index()
        found = await asyncio.to_thread(
            index.search, self._ctx.scope, dataset_id, query, limit, offset
        )
        items = [item_from_record(row) for row in found.rows]
        return Page[Any](count=found.total, results=items, limit=limit, offset=offset)

    async def _refresh_index(self, dataset_id: str, changes: Changes) -> None:
        from explorer.model.search import refresh_index

        ctx = self._ctx
        index = self._item_index()
        search = self.state.search
        if search is None or search.dataset_id != dataset_id:
            search = self.state.search = SearchState(dataset_id)
        dataset = await ctx.client.datasets.get(dataset_id, archived=True)
        search.indexing = True
        changes.add("search")

        def progress(step: IndexProgress) -> None:
            search.message, search.fetched, search.total = step.message, step.fetched, step.total
            ctx.emit("search_progress", {"search"})

        try:
            result = await refresh_index(
                index, ctx.client.raw, ctx.scope, dataset, on_progress=progress
            )
        finally:
            search.indexing = False
        search.indexed, search.message = result.total, result.message
        self._indexed_now.add(dataset_id)

    async def index_dataset(self, dataset_id: str | None = None) -> None:
        """Bring the local search index of a dataset (default: the open one) up to date:
        ``state.search.message`` follows it (a ``Change`` with command ``search_progress`` at
        each batch)."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            wanted = self._wanted_dataset(dataset_id, changes, "index_dataset")
            if wanted is None:
                return
            await self._refresh_index(wanted, changes)

        await ctx.run("index_dataset", body, doing="Indexing the dataset", busy="search")

    # -- searching ---------------------------------------------------------------------------

    async def search_items(self, query: str, *, refresh: bool = False) -> None:
        """Show the open dataset's items matching ``query`` (see `explorer.model.search` for
        the language: words, ``metadata.tags:refunds``, ``expected_output:null``,
        ``has:trace``, ``archived:true``, ``version>1``, ``-term``), newest first, paged as the
        dataset's list. The dataset is indexed first when this session has not yet (v2: a
        revision already indexed costs one request), or with ``refresh``. An empty query shows
        the dataset's own list again. A query that cannot be read leaves the page as it was and
        says why (``state.search.error``)."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            from explorer.model.search import QueryError, parse_query

            dataset_id = self._wanted_dataset(None, changes, "search_items")
            if dataset_id is None:
                return
            text = query.strip()
            search = self.state.search
            if search is None or search.dataset_id != dataset_id:
                search = self.state.search = SearchState(dataset_id)
            changes.add("search")
            try:
                parse_query(text)
            except QueryError as exc:
                search.error = str(exc)
                ctx.notice(
                    changes, "warning", str(exc), "Fix the query.", "search_items", error=exc
                )
                return
            search.error = ""
            if text:
                self._item_index()
                if refresh or dataset_id not in self._indexed_now:
                    await self._refresh_index(dataset_id, changes)
            search.query = text
            await self._show_query(text, changes)

        await ctx.run("search_items", body, doing="Searching", busy="search")

    async def clear_search(self) -> None:
        """The dataset's own list again."""
        await self.search_items("")

    async def _show_query(self, text: str, changes: Changes) -> None:
        page = self.state.page
        self._pager.invalidate()
        if page.revision is not None or page.archived:
            # the index holds the dataset as it is now: a search leaves a past revision or
            # the archived view (``archived:true`` finds archived items)
            page.revision, page.archived = None, False
            changes.add("access")
        page.query = text
        page.items, page.total, page.page_number = [], 0, 1
        page.loaded, page.fetched_at = False, None
        changes.update({"dataset", "page"})
        with contextlib.suppress(Superseded):
            await self._pager.show(1)
        self._sync_selection(changes)

    def _close_index(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
