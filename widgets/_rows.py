"""The open dataset's current page: the item grid (`widgets._grid.ItemGrid`) and the pager.

The columns follow ``state.schema``: the answer column is ``output`` (classic) or ``expected
output`` (v2), and a versioned item's row shows its version.

One grid widget for the whole page, however many rows: the widget count never grows with the
page size, and a page swap is one trait sync. The grid's keys come back as messages: moving the
selection selects in the model; ``e``, ``d``, ``u`` and ``/`` call ``on_edit``, ``on_delete``,
``on_undo`` and ``on_focus_search`` (the panel presses its Edit, Delete or Archive, and Undo
buttons, and focuses the dataset search); ``]`` and ``[`` turn the page as the pager does.
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
    def build(self) -> Any:
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
        self._ack = 0
        self.prev = button("‹ Previous", "previous page ([ in the grid)")
        self.next = button("Next ›", "next page (] in the grid)")
        self.where: Any = w.HTML()
        self.size: Any = w.Dropdown(
            options=[(f"{n} per page", n) for n in PAGE_SIZES],
            value=50,
            layout=w.Layout(width="auto"),
        )
        self.reload = button("Refresh", "fetch this page again", icon="refresh")
        self.observe(self.size, self._on_size, "value")
        self.on_click(self.prev, lambda: self.tasks.start("page", self.model.prev_page))
        self.on_click(self.next, lambda: self.tasks.start("page", self.model.next_page))
        self.on_click(self.reload, lambda: self.tasks.start("page", self.model.refresh))
        pager = w.HBox([self.prev, self.next, self.where, self.size, self.reload])
        pager.add_class("dx-pager")
        pager.layout.flex_flow = "row wrap"
        self.box: Any = w.VBox([self.title, self.grid, pager])
        self.box.add_class("dx-page")
        return self.box

    # -- what the user does in the grid -----------------------------------------------------------

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind in ("select", "open"):
            self._select(message["id"], message["seq"], open_it=kind == "open")
            return
        action = message["action"]
        if action == "next_page":
            press(self.next)
        elif action == "prev_page":
            press(self.prev)
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
            with self.grid.hold_sync():
                self.grid.rows = []
                self.grid.page_key = ""
                self.grid.selected_id = ""
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
        key = (
            columns,
            schema.answer_field,
            state.host,
            state.project_id,
            tuple((str(i.id), ItemSchema.token(i)) for i in page.items),
        )
        with self.grid.hold_sync():
            self.grid.columns = grid_columns(columns, schema=schema)
            if key != self._rows_key:
                self._rows_key = key
                self.grid.rows = grid_rows(
                    page.items, columns=columns, host=state.host, project_id=state.project_id
                )
            self.grid.page_key = f"{dataset.id}:{page.page_number}:{page.page_size}"
            self.grid.empty_text = "loading…" if not page.loaded else "No items on this page"
            self._show_selection(state)
        with self.quiet():
            if self.size.value != page.page_size and page.page_size in PAGE_SIZES:
                self.size.value = page.page_size
        self.prev.disabled = not page.has_previous
        self.next.disabled = not page.has_next
        if not page.loaded:
            where = "loading…"
        else:
            where = f"page {page.page_number:,} of {page.page_count:,} · {page.range_text}"
        self.where.value = f'<span class="dx-range">{escape_text(where)}</span>'
