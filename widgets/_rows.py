"""The open dataset's current page: one ``Select`` whose options are the rows, and the pager.

The columns follow ``state.schema``: the answer column is ``output`` (classic) or ``expected
output`` (v2), and a versioned item's row shows its version.

One listbox for the whole page, however many rows: the widget count never grows with the page
size, and a page swap is one ``options`` update.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from widgets._base import Part, button
from widgets._render import (
    ROWS_CLASS,
    escape_text,
    item_columns,
    items_select_header_html,
    items_select_options,
)

__all__ = ["PAGE_SIZES", "ItemRows"]

PAGE_SIZES = (10, 20, 50, 100, 200)
VISIBLE_ROWS = 12


class ItemRows(Part):
    def build(self) -> Any:
        self.title: Any = w.HTML()
        self.header: Any = w.HTML()
        self.rows: Any = w.Select(options=[], value=None, rows=VISIBLE_ROWS)
        self.rows.layout = w.Layout(width="100%")
        self.rows.add_class(ROWS_CLASS)
        self._options: list[tuple[str, str]] = []
        self.prev = button("‹ Previous", "previous page")
        self.next = button("Next ›", "next page")
        self.where: Any = w.HTML()
        self.size: Any = w.Dropdown(
            options=[(f"{n} per page", n) for n in PAGE_SIZES],
            value=50,
            layout=w.Layout(width="auto"),
        )
        self.reload = button("Refresh", "fetch this page again", icon="refresh")
        self.observe(self.rows, self._on_row, "value")
        self.observe(self.size, self._on_size, "value")
        self.on_click(self.prev, lambda: self.tasks.start("page", self.model.prev_page))
        self.on_click(self.next, lambda: self.tasks.start("page", self.model.next_page))
        self.on_click(self.reload, lambda: self.tasks.start("page", self.model.refresh))
        pager = w.HBox([self.prev, self.next, self.where, self.size, self.reload])
        pager.add_class("dx-pager")
        self.box: Any = w.VBox([self.title, self.header, self.rows, pager])
        self.box.add_class("dx-page")
        return self.box

    def _on_row(self, change: dict[str, Any]) -> None:
        if self.busy or not change["new"]:
            return
        item_id = str(change["new"])
        self.tasks.start("item", lambda: self.model.select(item_id))

    def _on_size(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        size = int(change["new"])
        self.tasks.start("page", lambda: self.model.set_page_size(size))

    def redraw(self, state: ModelState) -> None:
        page = state.page
        dataset = page.dataset
        self.box.layout.display = "none" if dataset is None else ""
        if dataset is None:
            with self.quiet():
                self._options = []
                self.rows.options = []
            return
        description = dataset.description or ""
        if len(description) > 300:
            description = description[:299] + "…"
        self.title.value = (
            f'<div class="dx-title"><b>{escape_text(dataset.name[:200])}</b>'
            f' <span class="dx-note">{escape_text(description)}</span></div>'
        )
        schema = state.schema
        columns = item_columns(schema)
        header = items_select_header_html(columns, schema=schema)
        if self.header.value != header:
            self.header.value = header
        options = items_select_options(page.items, columns=columns)
        selected = state.selected_id
        with self.quiet():
            on_page = selected is not None and page.index_of(selected) is not None
            with self.rows.hold_sync():
                if options != self._options:
                    self._options = options
                    self.rows.options = options
                self.rows.value = selected if on_page else None
            if self.size.value != page.page_size and page.page_size in PAGE_SIZES:
                self.size.value = page.page_size
        self.rows.rows = max(3, min(VISIBLE_ROWS, len(options)))
        self.prev.disabled = not page.has_previous
        self.next.disabled = not page.has_next
        if not page.loaded:
            where = "loading…"
        else:
            where = f"page {page.page_number:,} of {page.page_count:,} · {page.range_text}"
        self.where.value = f'<span class="dx-range">{escape_text(where)}</span>'
