"""The open dataset's current page: the item grid (`widgets._grid.ItemGrid`) and the pager.

The columns follow ``state.schema``: the answer column is ``output`` (classic) or ``expected
output`` (v2), and a versioned item's row shows its version.

One grid widget for the whole page, however many rows: the widget count never grows with the
page size, and a page swap is one trait sync. The grid's keys come back as messages: moving the
selection selects in the model; ``e``, ``d``, ``u`` and ``/`` call ``on_edit``, ``on_delete``,
``on_undo`` and ``on_focus_search`` (the panel presses its Edit, Delete or Archive, and Undo
buttons, and focuses the dataset search); ``]`` and ``[`` and the grid's ‹ Previous / Next ›
buttons turn the page. The neighbouring pages the model holds (prefetched or recently shown)
are sent ahead, once the model is idle, so the browser shows a turned page without waiting for
the kernel.

Marks: the grid's checkbox column (unless the page is read-only) marks rows in the model
(``mark``, ``mark_range``, ``mark_page``; one at a time, in the order clicked); the grid shows
``state.marked`` for the rows it holds. What sits between the title and the grid (the search
box, the marks bar) is given to `ItemRows.build`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from explorer.model import ItemSchema, ModelState
from widgets._base import Part, button
from widgets._grid import ItemGrid
from widgets._render import escape_text, grid_columns, grid_rows, item_columns

__all__ = ["PAGE_SIZES", "ItemRows", "press"]

PAGE_SIZES = (10, 20, 50, 100, 200)


def _nothing() -> None:
    return None


def press(widget: Any) -> None:
    """What a user's click does, unless the widget is disabled: a button is clicked, a toggle
    button turned on."""
    if widget.disabled:
        return
    if isinstance(widget, w.ToggleButton):
        widget.value = True
    else:
        widget.click()


class ItemRows(Part):
    def build(self, above: list[Any] | None = None) -> Any:
        self.on_edit: Callable[[], None] = _nothing
        self.on_delete: Callable[[], None] = _nothing
        self.on_undo: Callable[[], None] = _nothing
        self.on_focus_search: Callable[[], None] = _nothing
        self.on_open: Callable[[], None] = _nothing
        self.title: Any = w.HTML()
        self.grid = ItemGrid()
        self.grid.layout = w.Layout(width="100%")
        self.grid.on_message(lambda message: self.tasks.call(self._on_message, message))
        self._rows_key: tuple[Any, ...] | None = None
        self._built: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self._ack = 0
        self._marking = asyncio.Lock()  # marks are settled one at a time, in order
        self._mark_tasks = 0
        self.where: Any = w.HTML()
        self.size: Any = w.Dropdown(
            options=[(f"{n} per page", n) for n in PAGE_SIZES],
            value=50,
            layout=w.Layout(width="auto"),
        )
        self.reload = button("Refresh", "fetch this page again", icon="refresh")
        self.observe(self.size, self._on_size, "value")
        self.on_click(self.reload, lambda: self.tasks.start("page", self.model.refresh))
        pager = w.HBox([self.where, self.size, self.reload])
        pager.add_class("dx-pager")
        pager.layout.flex_flow = "row wrap"
        self.box: Any = w.VBox([self.title, *(above or []), self.grid, pager])
        self.box.add_class("dx-page")
        return self.box

    # -- what the user does in the grid -----------------------------------------------------------

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind in ("select", "open"):
            self._select(message["id"], message["seq"], open_it=kind == "open")
            return
        if kind in ("mark", "mark_range", "mark_page"):
            self._mark(message)
            return
        action = message["action"]
        if action in ("next_page", "prev_page"):
            self.turn(forward=action == "next_page", seq=message["seq"])
        elif action == "search":
            self.on_focus_search()
        else:  # edit, delete, undo: on the row the user sees selected, once the model has it
            self.tasks.start("grid-key", lambda: self._act(action, message["id"]))

    def _select(self, item_id: str, seq: int, *, open_it: bool) -> None:
        async def work() -> None:
            try:
                if self.model.state.selected_id != item_id or open_it:
                    await self.model.select(item_id)
            finally:
                # settled (or failed): the grid may now show what the model holds
                self._ack = max(self._ack, seq)
                self._show_selection(self.model.state)
            if open_it:
                self.on_open()

        self.tasks.start("item", work)

    def _mark(self, message: dict[str, Any]) -> None:
        model, kind, seq = self.model, message["type"], message["seq"]

        async def change() -> None:
            if kind == "mark":
                await model.mark(message["id"], on=message["on"])
            elif kind == "mark_range":
                await model.mark_range(message["from"], message["id"])
            elif message["on"]:
                page = [str(item.id) for item in model.state.page.items]
                if message["ids"] == page:
                    await model.mark_page()
                else:  # a page sent ahead the model has not settled yet
                    for item_id in message["ids"]:
                        await model.mark(item_id, on=True)
            else:
                for item_id in message["ids"]:
                    if item_id in model.state.marked:
                        await model.mark(item_id, on=False)

        async def work() -> None:
            async with self._marking:
                try:
                    await change()
                finally:
                    if seq > self.grid.mark_ack:
                        with self.grid.hold_sync():
                            self.redraw_marks(model.state)
                            self.grid.mark_ack = seq

        # each change its own task (a newer one never cancels an older), run in order
        self._mark_tasks += 1
        self.tasks.start(f"mark:{self._mark_tasks}", work)

    def turn(self, *, forward: bool, seq: int = 0) -> None:
        """Turn the page (what ‹ Previous / Next › and ``[`` / ``]`` do); ``seq``: the browser's
        number for the turn, acknowledged once the model has settled it."""

        async def work() -> None:
            try:
                await (self.model.next_page() if forward else self.model.prev_page())
            finally:
                if seq > self.grid.turn_ack:
                    self.grid.turn_ack = seq  # the browser may show the model's page again

        self.tasks.start("page", work)

    async def _act(self, action: str, item_id: str) -> None:
        selecting = self.tasks.task("item")
        if selecting is not None:
            await asyncio.wait([selecting])
        if action != "undo" and (not item_id or self.model.state.selected_id != item_id):
            return  # the model did not select what the user saw: act on nothing rather
        {"edit": self.on_edit, "delete": self.on_delete, "undo": self.on_undo}[action]()

    def _on_size(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        size = int(change["new"])
        self.tasks.start("page", lambda: self.model.set_page_size(size))

    # -- drawing -----------------------------------------------------------------------------------

    def _show_selection(self, state: ModelState) -> None:
        selected = state.selected_id
        on_page = selected is not None and state.page.index_of(selected) is not None
        with self.grid.hold_sync():
            self.grid.selected_id = str(selected) if on_page else ""
            self.grid.ack = self._ack

    def redraw(self, state: ModelState) -> None:
        page = state.page
        dataset = page.dataset
        self.box.layout.display = "none" if dataset is None else ""
        if dataset is None:
            self._rows_key = None
            self._built.clear()
            with self.grid.hold_sync():
                self.grid.rows = []
                self.grid.page_key = ""
                self.grid.selected_id = ""
                self.grid.ahead = {}
                self.grid.has_prev = self.grid.has_next = False
                self.grid.marked = []
            return
        description = dataset.description or ""
        if len(description) > 300:
            description = description[:299] + "…"
        self.title.value = (
            f'<div class="dx-title"><b>{escape_text(dataset.name[:200])}</b>'
            f' <span class="dx-note">{escape_text(description)}</span></div>'
        )
        schema = state.schema
        # the grid leaves out when the item was updated: the item view beside it says so, and
        # the room goes to the input and the answer
        columns = tuple(c for c in item_columns(schema) if c != "updated")
        # the page's rows are rebuilt only when an item on it changed, not per selection move
        key = self._key(state, columns, page.items)
        with self.grid.hold_sync():
            self.grid.columns = grid_columns(columns, schema=schema)
            if key != self._rows_key:
                self._rows_key = key
                self.grid.rows = self._rows_for(key, state, columns, page.items)
            self.grid.page_key = self._page_key(state, page.page_number)
            self.grid.empty_text = "loading…" if not page.loaded else "No items on this page"
            self.grid.has_prev = page.has_previous
            self.grid.has_next = page.has_next
            # marks are for writes: not on a past revision, nor in read-only mode
            self.grid.markable = not state.read_only and page.revision is None
            self.redraw_marks(state)
            self._show_selection(state)
        with self.quiet():
            if self.size.value != page.page_size and page.page_size in PAGE_SIZES:
                self.size.value = page.page_size
        # the neighbouring pages, once the model holds them (the next one is being prefetched)
        self.tasks.start("grid-ahead", lambda: self._send_ahead(columns))
        if not page.loaded:
            where = "loading…"
        else:
            where = f"page {page.page_number:,} of {page.page_count:,} · {page.range_text}"
        self.where.value = f'<span class="dx-range">{escape_text(where)}</span>'

    def redraw_marks(self, state: ModelState) -> None:
        """The marked ids among the rows the grid holds (this page's and those sent ahead)."""
        marked = state.marked
        if not marked:
            wanted: list[str] = []
        else:
            held = [str(item.id) for item in state.page.items]
            for ahead in self.grid.ahead.values():
                held += [str(row["id"]) for row in ahead.get("rows", ())]
            wanted = [item_id for item_id in dict.fromkeys(held) if item_id in marked]
        if wanted != list(self.grid.marked):
            self.grid.marked = wanted

    @staticmethod
    def _page_key(state: ModelState, page_number: int) -> str:
        page = state.page
        return f"{page.dataset.id if page.dataset else ''}:{page_number}:{page.page_size}"

    @staticmethod
    def _key(state: ModelState, columns: tuple[str, ...], items: list[Any]) -> tuple[Any, ...]:
        schema = state.schema
        tokens = tuple((str(i.id), ItemSchema.token(i)) for i in items)
        return (columns, schema.answer_field, state.host, state.project_id, tokens)

    def _rows_for(
        self, key: tuple[Any, ...], state: ModelState, columns: tuple[str, ...], items: list[Any]
    ) -> list[dict[str, Any]]:
        """The grid rows of ``items``, built once per page content (a page sent ahead is not
        built again when it is shown)."""
        rows = self._built.get(key)
        if rows is None:
            rows = grid_rows(items, columns=columns, host=state.host, project_id=state.project_id)
            self._built[key] = rows
            while len(self._built) > 3:  # this page and its two neighbours
                del self._built[next(iter(self._built))]
        return rows

    async def _send_ahead(self, columns: tuple[str, ...]) -> None:
        await self.model.idle()  # the next page's prefetch
        state = self.model.state
        page = state.page
        if page.dataset is None or not page.loaded:
            return
        ahead: dict[str, Any] = {}
        for name, number, exists in (
            ("next", page.page_number + 1, page.has_next),
            ("prev", page.page_number - 1, page.has_previous),
        ):
            items = self.model.peek_page(number) if exists else None
            if items:
                key = self._key(state, columns, items)
                ahead[name] = {
                    "page_key": self._page_key(state, number),
                    "rows": self._rows_for(key, state, columns, items),
                }
        if ahead != self.grid.ahead:
            with self.grid.hold_sync():
                self.grid.ahead = ahead
                self.redraw_marks(state)
