"""Searching and marking in the items list (`ItemsScreen`): the search input, the status line
and the mark symbols.

``/`` shows the search input above the table (the datasets screen's look); ``enter`` runs
``model.search_items`` (the query language of `explorer.model.search`), an empty query or
``escape`` in the input shows the dataset's own list again. The status line under it says
where indexing stands (``state.search.message`` while ``indexing``), the query's error in plain
text (``state.search.error``), how many items are marked and how a bulk action goes
(``state.bulk``: done of total, skipped, failed).

Marked rows show `MARK` before their id. Everything here draws item text as rich `Text`,
never markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from explorer.api.models import short_id
from explorer.tui.header import update_label

__all__ = ["MARK", "SearchMarks", "marked_id_cell", "status_text"]

MARK = "●"


def marked_id_cell(item_id: str) -> Text:
    """The id cell of a marked row: the mark, then the short id (cropped by the column)."""
    cell = Text(MARK, style="bold")
    cell.append(" " + short_id(item_id), style="dim")
    return cell


def status_text(state: Any) -> Text:
    """The status line: search progress or error, marks, the bulk action's progress."""
    line = Text(no_wrap=True, end="")
    parts: list[Text] = []
    search = state.search
    page = state.page
    dataset = page.dataset
    here = search is not None and dataset is not None and search.dataset_id == str(dataset.id)
    if here and search.indexing and search.message:
        parts.append(Text(search.message))
    if here and search.error:
        parts.append(Text(f"Query error: {search.error}", style="bold"))
    elif page.query and page.loaded:
        n = page.total
        parts.append(Text(f"{n:,} result{'s' if n != 1 else ''} for {page.query}"))
    marked = len(state.marked)
    if marked:
        parts.append(Text(f"{marked:,} marked", style="bold"))
    bulk = state.bulk
    if bulk is not None:
        if bulk.running:
            width = 20
            filled = width * bulk.done // bulk.total if bulk.total else width
            bar = "█" * filled + "░" * (width - filled)
            parts.append(Text(f"{bulk.action}: {bar} {bulk.done}/{bulk.total}"))
        elif bulk.total:
            parts.append(
                Text(
                    f"{bulk.action}: {bulk.succeeded} done, {bulk.skipped} skipped,"
                    f" {bulk.failed} failed"
                )
            )
    for n, part in enumerate(parts):
        if n:
            line.append("   ")
        line.append_text(part)
    return line


class SearchMarks:
    """What `ItemsScreen` mixes in: the search input, the status line, the marks drawn."""

    # the screen gives ``model``, ``table`` and ``query_one``
    _marks_drawn: set[str]
    model: Any
    query_one: Any

    @property
    def search_input(self) -> Input:
        found: Input = self.query_one("#items-search", Input)
        return found

    def _draw_search(self) -> None:
        """Show the input while a query is shown or it has focus; keep its text in step."""
        state = self.model.state
        page = state.page
        error = bool(state.search and state.search.error)
        box = self.search_input
        typing = getattr(self, "_typing", False)
        if not typing:
            box.display = bool(page.query) or error
            if not error and box.value != page.query:
                box.value = page.query  # what is shown (a refresh, a reopened dataset)
        status = self.query_one("#items-status", Static)
        text = status_text(self.model.state)
        status.display = bool(text.plain)
        update_label(status, text)

    def _keep_focus(self) -> None:
        """Hiding the table (a page loading, no results) moves focus to the search input: the
        keys of the list would then type into it. Give focus back to the table, or to nothing
        while the table is hidden (the screen's keys still work), unless the user is typing."""
        if getattr(self, "_typing", False):
            return
        table = self.table  # type: ignore[attr-defined]
        focused = self.app.focused  # type: ignore[attr-defined]
        if focused is self.search_input or (focused is None and table.display):
            if table.display:
                table.focus()
            else:
                self.set_focus(None)  # type: ignore[attr-defined]

    def _draw_marks(self, refill: bool = False) -> None:
        """The mark before the id of each marked row of the page shown."""
        if refill:
            self._marks_drawn = set()
        table: DataTable[Text] = self.table  # type: ignore[attr-defined]
        page = self.model.state.page
        marked = self.model.state.marked
        drawn: set[str] = getattr(self, "_marks_drawn", set())
        for row, item in enumerate(page.items):
            if row >= table.row_count:
                break
            item_id = str(item.id)
            on = item_id in marked
            if on == (item_id in drawn):
                continue
            if on:
                table.update_cell_at(Coordinate(row, 0), marked_id_cell(item_id))
                drawn.add(item_id)
            else:
                table.update_cell_at(Coordinate(row, 0), Text(short_id(item_id), style="dim"))
                drawn.discard(item_id)
        self._marks_drawn = drawn
