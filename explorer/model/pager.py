"""The item pager: one server page of the open dataset at a time, the next one prefetched, a
few recent pages cached (least recently used first out), and a newer request cancelling an older.

Memory stays flat: at most ``cache_pages`` pages are held, plus the page on screen.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from explorer.model.gateway import Gateway
from explorer.model.state import PageState

if TYPE_CHECKING:
    from explorer.api.models import AnyItem, Page

__all__ = ["MAX_PAGE_SIZE", "ItemPager", "Superseded"]

MAX_PAGE_SIZE: Final = 500
CACHE_PAGES: Final = 4
# A cached page older than this is fetched again rather than shown.
CACHE_MAX_AGE: Final = 300.0

# dataset, page size, offset, revision, archived, search query
PageKey = tuple[str, int, int, int | None, bool, str]


@dataclass(frozen=True)
class CachedPage:
    items: list[AnyItem]
    total: int
    fetched_at: float  # time.monotonic()


class Superseded(Exception):
    """A newer page request replaced this one before it finished (internal)."""


class ItemPager:
    """Fetches pages into ``state`` (a `PageState`); owns the cache and the prefetch task."""

    def __init__(
        self,
        client: Gateway,
        state: PageState,
        *,
        cache_pages: int = CACHE_PAGES,
        cache_max_age: float = CACHE_MAX_AGE,
    ) -> None:
        self._client = client
        self.state = state
        self.cache_pages = cache_pages
        self.cache_max_age = cache_max_age
        self._cache: OrderedDict[PageKey, CachedPage] = OrderedDict()
        self._inflight: dict[PageKey, asyncio.Task[CachedPage]] = {}
        self._generation = 0
        self._showing: PageKey | None = None  # the key the newest show() is waiting for
        self._target: int | None = None  # the page number the newest show() goes to
        self.on_loaded: Callable[[list[AnyItem]], None] | None = None
        # answers a page of a search from the local index (set by the model)
        self.search: Callable[[str, str, int, int], Awaitable[Page[AnyItem]]] | None = None

    # -- the cache ---------------------------------------------------------------------------

    def _key(self, page_number: int) -> PageKey:
        dataset = self.state.dataset
        assert dataset is not None
        size = self.state.page_size
        offset = (page_number - 1) * size
        state = self.state
        return (str(dataset.id), size, offset, state.revision, state.archived, state.query)

    def cached(self, page_number: int) -> bool:
        """Whether that page of the open dataset would show without a request."""
        return self.state.dataset is not None and self._fresh(self._key(page_number)) is not None

    def peek(self, page_number: int) -> list[AnyItem] | None:
        """The items of that page of the open dataset when cached and fresh, else None; no
        request, and the cache's order is left as it is."""
        if self.state.dataset is None or page_number < 1:
            return None
        page = self._cache.get(self._key(page_number))
        if page is None or time.monotonic() - page.fetched_at > self.cache_max_age:
            return None
        return list(page.items)

    def _fresh(self, key: PageKey) -> CachedPage | None:
        page = self._cache.get(key)
        if page is None:
            return None
        if time.monotonic() - page.fetched_at > self.cache_max_age:
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return page

    def _store(self, key: PageKey, page: CachedPage) -> None:
        self._cache[key] = page
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_pages:
            self._cache.popitem(last=False)

    def invalidate(self) -> None:
        """Forget every cached page and cancel every fetch (the open dataset changed on the
        server, or another dataset is opened)."""
        self._cache.clear()
        for task in self._inflight.values():
            task.cancel()
        self._inflight.clear()
        self.state.next_ready = False

    @property
    def cached_page_count(self) -> int:
        return len(self._cache)

    # -- fetching ----------------------------------------------------------------------------

    def _fetch(self, key: PageKey) -> asyncio.Task[CachedPage]:
        task = self._inflight.get(key)
        if task is not None:
            return task
        task = asyncio.get_running_loop().create_task(self._load(key))
        self._inflight[key] = task

        def done(t: asyncio.Task[CachedPage]) -> None:
            if self._inflight.get(key) is t:
                del self._inflight[key]
            if not t.cancelled():
                t.exception()  # a failed prefetch is not worth a warning; show() reports

        task.add_done_callback(done)
        return task

    async def _load(self, key: PageKey) -> CachedPage:
        dataset_id, size, offset, revision, archived, query = key
        if query and self.search is not None:
            page = await self.search(dataset_id, query, size, offset)
        else:
            page = await self._client.items.list(
                dataset=dataset_id, limit=size, offset=offset, revision=revision, archived=archived
            )
        cached = CachedPage(list(page.results), page.count, time.monotonic())
        self._store(key, cached)
        if self.on_loaded is not None:
            self.on_loaded(cached.items)
        return cached

    def _prefetch_next(self) -> None:
        state = self.state
        if state.dataset is None or not state.has_next:
            return
        key = self._key(state.page_number + 1)
        if self._fresh(key) is None:
            self._fetch(key)

    async def prefetched(self) -> None:
        """Wait until the background prefetch (if any) has finished; for tests and benchmarks."""
        for task in list(self._inflight.values()):
            await asyncio.wait([task])
        self.state.next_ready = self.state.has_next and self.cached(self.state.page_number + 1)

    # -- showing -----------------------------------------------------------------------------

    @property
    def target_page(self) -> int:
        """The page the newest request goes to (the page shown when none is in flight)."""
        return self._target if self._target is not None else self.state.page_number

    async def show(self, page_number: int, *, fresh: bool = False) -> None:
        """Show a page (1-based) of the open dataset, from the cache when it can.

        ``fresh`` fetches it again. Raises `Superseded` when a newer request replaced this one
        (state is then left to the newer one), `ApiError` when the fetch failed (state still
        shows the previous page).
        """
        if self.state.dataset is None:
            return
        page_number = max(1, page_number)
        self._generation += 1
        generation = self._generation
        key = self._key(page_number)
        # A newer request cancels an older one still fetching another page.
        if self._showing is not None and self._showing != key:
            older = self._inflight.get(self._showing)
            if older is not None:
                older.cancel()
        self._showing, self._target = key, page_number
        try:
            if fresh:
                self._cache.pop(key, None)
                stale = self._inflight.pop(key, None)
                if stale is not None:
                    stale.cancel()
            page = self._fresh(key)
            if page is None:
                task = self._fetch(key)
                try:
                    page = await task
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    if current is not None and current.cancelling():
                        raise
                    raise Superseded() from None
            if generation != self._generation:
                raise Superseded()
            if not page.items and page.total > 0 and page_number > 1:
                # Past the end (rows were deleted): show the last page instead.
                last = -(-page.total // self.state.page_size)
                if last < page_number:
                    self._showing = None
                    await self.show(last, fresh=fresh)
                    return
            self._apply(page_number, page)
        finally:
            if generation == self._generation:
                self._showing, self._target = None, None

    def _apply(self, page_number: int, page: CachedPage) -> None:
        state = self.state
        state.page_number = page_number
        state.items = list(page.items)
        state.total = page.total
        state.fetched_at = page.fetched_at
        state.loaded = True
        # Drop fetches that no longer matter (only the next page is worth prefetching).
        wanted = {self._key(page_number), self._key(page_number + 1)}
        for key, task in list(self._inflight.items()):
            if key not in wanted:
                task.cancel()
        self._prefetch_next()
        state.next_ready = state.has_next and self.cached(page_number + 1)

    # -- local changes -----------------------------------------------------------------------

    def replace_item(self, item: AnyItem) -> bool:
        """Put a newer copy of an item in the page (and cached pages) where it is shown."""
        found = False
        item_id = str(item.id)
        index = self.state.index_of(item_id)
        if index is not None:
            items = list(self.state.items)
            items[index] = item
            self.state.items = items
            found = True
        for page in self._cache.values():
            for i, cached in enumerate(page.items):
                if str(cached.id) == item_id:
                    page.items[i] = item
        return found

    def remove_item(self, item_id: str) -> bool:
        """Take a row off the page shown (it was deleted or moved away) and forget the cache,
        whose offsets no longer hold."""
        index = self.state.index_of(item_id)
        if index is None:
            return False
        self.invalidate()
        self.state.items = [item for item in self.state.items if str(item.id) != item_id]
        self.state.total = max(0, self.state.total - 1)
        return True
