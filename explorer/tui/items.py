"""The items of one dataset: one server page in a table, paged with ``]``/``[`` and ``g``.

Rows are keyed by item id; a new page replaces the rows (``clear`` + ``add_row``) and the
cursor stays on the same item when it is still there (else on the same row number). The columns
come from the server's item schema: its input, answer (``output`` on classic, ``expected
output`` on v2) and metadata, and on v2 the version of each item (``v3``) after its id.

On v2 ``R`` lists the dataset's revisions (`RevisionsScreen`): one chosen is shown read-only,
the header's badge saying so, until ``escape`` goes back to the current revision; ``A`` lists
the archived items (``U`` restores one, ``escape`` goes back). ``x`` exports the dataset, at the
revision shown, to a JSONL or CSV file (`ExportDialog`); ``I`` imports a JSONL or CSV file's rows
into it (`ImportDialog`).

``/`` searches the dataset's items (`explorer.tui.search_bar`); ``space`` marks the highlighted
row, ``V`` the page, ``*`` every result of the view; ``b`` runs a bulk action on the marked
items after one confirmation (`BulkDialog`); ``u`` undoes the whole batch; ``escape`` clears
the marks first, then the search.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus, Resize
from textual.widgets import DataTable, Footer, Input, Static

from explorer.api.models import AnyItem, short_id
from explorer.model import CLASSIC, Change, ItemSchema, salient
from explorer.model.schema import schema_of
from explorer.tui.base import WRITE_ACTIONS, ModelScreen, cursor_row_key, remove_bindings
from explorer.tui.components import preview
from explorer.tui.header import AppHeader, update_label
from explorer.tui.search_bar import SearchMarks
from explorer.tui.textual_hooks import DrawnText, ItemsTable, cell_options
from explorer.tui.when import ago, updated_at

__all__ = [
    "COLUMNS",
    "DrawnText",
    "ItemsScreen",
    "ItemsTable",
    "RowCache",
    "column_widths",
    "columns",
    "item_cells",
]

TRACE_MARK = "⤷"
PREPARE_BATCH = 10  # rows built between two looks at the event loop
VERSION_WIDTH = 4  # "v40"


def _content_fields(schema: ItemSchema) -> tuple[str, str, str]:
    """The fields the table previews: the input, the answer and the metadata."""

    def by_role(role: str) -> str:
        return next(f.name for f in schema.fields if f.role == role)

    return by_role("input"), schema.answer_field, by_role("metadata")


def columns(schema: ItemSchema) -> tuple[str, ...]:
    """The column labels for items of ``schema``: id, the version (versioned APIs), input,
    the answer, metadata, trace, updated."""
    version = ("ver",) if schema.versioned else ()
    content = tuple(schema.label(name).lower() for name in _content_fields(schema))
    return ("id", *version, *content, "trace", "updated")


COLUMNS = columns(CLASSIC)
"""The classic API's columns (`columns` gives any schema's)."""


def column_widths(total: int, schema: ItemSchema = CLASSIC) -> tuple[int, ...]:
    """The width of each of `columns` for a terminal ``total`` cells wide (fixed, so the table
    never measures its cells to size them)."""
    version = (VERSION_WIDTH,) if schema.versioned else ()
    usable = max(40, total - 2 - 2 * (6 + len(version)))
    id_w, trace, when = 8, 5, 10
    rest = max(24, usable - id_w - trace - when - sum(version))
    input_w = rest * 2 // 5
    answer_w = rest * 7 // 20
    metadata_w = rest - input_w - answer_w
    return (id_w, *version, input_w, answer_w, metadata_w, trace, when)


def item_cells(
    item: AnyItem, widths: tuple[int, ...], now: datetime, schema: ItemSchema | None = None
) -> list[Text]:
    """The cells of one item's row for columns of ``widths`` (``schema``: the item's own
    unless given)."""
    schema = schema or schema_of(item)
    return [*_fixed_cells(item, widths, schema), Text(ago(updated_at(item), now))]


def _fixed_cells(item: AnyItem, widths: tuple[int, ...], schema: ItemSchema) -> list[Text]:
    """The cells that depend only on the item and the widths (all but "updated")."""
    input_w, answer_w, metadata_w = widths[-5:-2]
    input_name, answer, metadata = _content_fields(schema)
    value = ItemSchema.value
    # the first link field names the trace (ref_trace_id, source_trace_id)
    traced = bool(schema.link_fields and value(item, schema.link_fields[0]))
    # uuid7 ids start with their creation time; the tail tells rows apart
    cells = [Text(short_id(item.id), style="dim")]
    if schema.versioned:
        cells.append(Text(ItemSchema.version_label(item), style="dim"))
    return [
        *cells,
        # what tells rows apart (the user's question, the answer, the tool called), not the
        # system prompt every row starts with; metadata stays compact JSON
        preview(salient(value(item, input_name)), input_w),
        preview(salient(value(item, answer)), answer_w),
        preview(value(item, metadata), metadata_w),
        # at the column's start: an indent would merge into the cursor row's bold run, and SVG
        # renderers draw a run's leading spaces after it
        Text(TRACE_MARK if traced else "", style="bold"),
    ]


class RowCache:
    """Row cells per item, built once: previews are most of the cost of drawing a page, and the
    same items come back (page turns, the prefetched next page prepared while idle, refreshes).

    Keyed by item id and column widths, and kept only while the cached item is the very object
    asked for (items are immutable; an edited item is a new object). At most ``size`` rows, the
    least recently used dropped first. Cells are `DrawnText` for ``console``, laid out when first
    drawn (the rows of a page below the screen cost only their previews).
    """

    def __init__(self, console: Console, size: int = 1000) -> None:
        self.console = console
        self.size = size
        self._rows: OrderedDict[tuple[str, tuple[int, ...]], tuple[AnyItem, list[Text]]] = (
            OrderedDict()
        )
        self._when: dict[tuple[str, int], Text] = {}  # "updated" cells by text and width
        self._options: dict[int, ConsoleOptions] = {}  # cell options by width

    def __len__(self) -> int:
        return len(self._rows)

    def has(self, item: AnyItem, widths: tuple[int, ...]) -> bool:
        hit = self._rows.get((str(item.id), widths))
        return hit is not None and hit[0] is item

    def cells(
        self,
        item: AnyItem,
        widths: tuple[int, ...],
        now: datetime,
        schema: ItemSchema | None = None,
    ) -> list[Text]:
        """The row's cells (the same `Text` objects each time: never modify them)."""
        key = (str(item.id), widths)
        hit = self._rows.get(key)
        if hit is not None and hit[0] is item:
            self._rows.move_to_end(key)
            fixed = hit[1]
        else:
            cells = _fixed_cells(item, widths, schema or schema_of(item))
            fixed = [self._draw(cell, width) for cell, width in zip(cells, widths, strict=False)]
            self._rows[key] = (item, fixed)
            if len(self._rows) > self.size:
                self._rows.popitem(last=False)
        return [*fixed, self._when_cell(ago(updated_at(item), now), widths[-1])]

    def _draw(self, text: Text, width: int) -> Text:
        options = self._options.get(width)
        if options is None:
            # made once per width: ``console.options`` builds new options (and looks at the
            # environment and the terminal) each time, a quarter of drawing a row
            options = self._options[width] = cell_options(self.console, width)
        return DrawnText(text, self.console, options)

    def _when_cell(self, when: str, width: int) -> Text:
        cell = self._when.get((when, width))
        if cell is None:
            if len(self._when) > self.size:
                self._when.clear()
            cell = self._when[when, width] = self._draw(Text(when), width)
        return cell


class ItemsScreen(SearchMarks, ModelScreen[None]):
    """The open dataset's items; ``escape`` goes back to the datasets."""

    HELP_TITLE = "items"
    # the table has focus from the start (focusing the first focusable widget, then the
    # table, restyled the screen twice)
    AUTO_FOCUS = "#items-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        # marks, then a search, are cleared first; then a past revision or the archived
        # items: escape goes back to the live items
        Binding("escape", "clear_marks", "Clear marks", id="items.clear_marks"),
        Binding("escape", "clear_search", "Clear search", id="items.clear_search"),
        Binding("escape", "current_revision", "Current revision", id="items.current_revision"),
        Binding("escape", "archived(False)", "Live items", id="items.live_items"),
        Binding("escape", "back", "Back", id="items.back"),
        Binding("enter", "inspect", "Inspect", id="items.inspect"),
        Binding("e", "edit", "Edit", id="items.edit"),
        Binding("a", "add", "Add", id="items.add"),
        # less common keys: in ? and the palette, not the footer (so it fits 120 columns)
        Binding("D", "duplicate", "Duplicate", id="items.duplicate", show=False),
        Binding("m", "move", "Move", id="items.move", show=False),
        *remove_bindings("d", "items.delete"),
        Binding("U", "restore", "Restore", id="items.restore"),  # the archived items only
        Binding("u", "undo", "Undo", id="items.undo"),
        Binding("right_square_bracket", "next_page", "Next page", id="items.next_page"),
        Binding("left_square_bracket", "prev_page", "Prev page", id="items.prev_page"),
        Binding("g", "go_to_page", "Go to page", id="items.go_to_page", show=False),
        Binding("r", "refresh", "Refresh", id="items.refresh", show=False),
        Binding("R", "revisions", "Revisions", id="items.revisions", show=False),
        Binding("A", "archived", "Archived items", id="items.archived", show=False),
        Binding("x", "export", "Export", id="items.export", show=False),
        Binding("I", "import_file", "Import", id="items.import", show=False),
        Binding("h", "history", "History", id="items.history", show=False),
        Binding("slash", "focus_search", "Search", id="items.search", show=False),
        Binding("space", "mark", "Mark", id="items.mark", show=False),
        Binding("V", "mark_page", "Mark page", id="items.mark_page", show=False),
        Binding("asterisk", "mark_all", "Mark all results", id="items.mark_all", show=False),
        Binding("b", "bulk", "Bulk", id="items.bulk"),
    ]

    def __init__(self, dataset_id: str) -> None:
        super().__init__()
        self.dataset_id = dataset_id
        self._widths: tuple[int, ...] = ()
        self._schema: ItemSchema | None = None  # the schema the columns were made for
        self._had_rows: tuple[bool, ...] = ()  # rows, marks, query: what the keys depend on
        self._shown_page: tuple[int, int] | None = None  # (page number, row count) drawn
        self._rows: RowCache | None = None  # made when first needed (for the app's console)
        self._marks_drawn: set[str] = set()  # the rows drawn with the mark
        self._typing = False  # the search input has focus because the user is typing a query

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="items-bar", classes="toolbar"):
            yield Static("", id="items-dataset", classes="toolbar-label")
            yield Static("", id="items-range", classes="toolbar-label")
        yield Input(
            placeholder="search: words, metadata.tags:refunds, has:trace, -term", id="items-search"
        )
        yield Static("", id="items-status")
        yield ItemsTable(cursor_type="row", zebra_stripes=True, id="items-table")
        yield Static("", id="items-empty", classes="empty-state")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        found: DataTable[Text] = self.query_one("#items-table", DataTable)
        return found

    @property
    def row_cache(self) -> RowCache:
        if self._rows is None:
            self._rows = RowCache(self.app.console)
        return self._rows

    def on_mount(self) -> None:
        # Textual calls ModelScreen.on_mount (follow the model, first redraw) after this one
        # by itself: calling it here too would subscribe twice and redraw every change twice.
        self._set_columns(self.app.size.width)
        self.table.focus()
        page = self.model.state.page
        if page.dataset is None or str(page.dataset.id) != self.dataset_id:
            self.run_model(self.model.open_dataset(self.dataset_id), group="page")

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            self._fill_table()

    # -- drawing -----------------------------------------------------------------------------

    def _set_columns(self, total: int) -> bool:
        schema = self.schema
        widths = column_widths(total, schema)
        if widths == self._widths and schema is self._schema:
            return False
        self._widths, self._schema = widths, schema
        table = self.table
        table.clear(columns=True)
        for label, width in zip(columns(schema), widths, strict=True):
            table.add_column(label, width=width)
        return True

    def _fill_table(self) -> None:
        table = self.table
        page = self.model.state.page
        keep = self.highlighted_id()
        keep_row = table.cursor_row
        same_page = self._shown_page is not None and self._shown_page[0] == page.page_number
        now = self.app.clock()  # type: ignore[attr-defined]
        rows, widths, schema = self.row_cache, self._widths, self._schema
        table.clear()
        for item in page.items:
            table.add_row(*rows.cells(item, widths, now, schema), key=str(item.id))
        self._draw_marks(refill=True)
        self._shown_page = (page.page_number, len(page.items))
        if page.has_next:
            # once this page is on screen, build the next one's rows while nothing happens
            self.call_after_refresh(self._prepare_next_page)
        if not page.items:
            return
        index = page.index_of(keep) if keep is not None else None
        if index is None:
            # A new page starts at its top; a reload of the same page keeps the row number.
            index = min(max(keep_row, 0), len(page.items) - 1) if same_page else 0
        table.move_cursor(row=index, animate=False)

    def _prepare_next_page(self) -> None:
        self.run_worker(self._prepare_rows(), group="prepare-rows", exclusive=True)

    async def _prepare_rows(self) -> None:
        """Build the rows of the page after the one shown once it is prefetched, a few at a
        time so keys are still handled at once; the page turn then only swaps rows."""
        await self.model.idle()
        page = self.model.state.page
        items = self.model.peek_page(page.page_number + 1) or []
        widths, now = self._widths, self.app.clock()  # type: ignore[attr-defined]
        schema = self._schema
        for n, item in enumerate(items, 1):
            if not self.row_cache.has(item, widths):
                for cell in self.row_cache.cells(item, widths, now, schema):
                    if isinstance(cell, DrawnText):
                        cell.draw()  # laid out now, not when the turn draws it
            if n % PREPARE_BATCH == 0:
                await asyncio.sleep(0)

    def redraw(self, change: Change | None) -> None:
        if change is not None and not change.kinds & {
            "page",
            "dataset",
            "notice",
            "busy",
            "access",
            "search",
            "marks",
            "bulk",
        }:
            return
        state = self.model.state
        page = state.page
        # the server's generation became known: its columns (set_columns is a no-op otherwise)
        refill = self._set_columns(self.app.size.width)
        if refill or change is None or "page" in change or "dataset" in change:
            self._fill_table()
        self._draw_search()
        if change is not None and "marks" in change:
            self._draw_marks()
        if change is not None and change.command == "undo" and "selection" in change:
            # an undone delete: the cursor goes to the restored row, not the one that took its
            # place (the next d must delete the row the user brought back)
            self._highlight_selected()
        name = page.dataset.name if page.dataset is not None else ""
        self.query_one(AppHeader).context = name
        label = self.query_one("#items-dataset", Static)
        if page.dataset is not None:
            from explorer.tui.components import safe_text

            title = safe_text(page.dataset.name, max_len=60, style="bold")
            if page.view_label:  # "revision 12 (read-only)", "archived items"
                title.append("   ")
                title.append(page.view_label, "italic")
            update_label(label, title)
        span = Text(no_wrap=True, end="")
        if page.loaded:
            # the gap ends the plain run: a styled run starting with spaces is drawn glued
            # ("1,200page 1/24") by SVG renderers (rsvg: snapshots, the README's picture)
            span.append(page.range_text + "   ")
            span.append(f"page {page.page_number:,}/{page.page_count:,}", style="dim")
        if state.marked:
            span.append(f"   {len(state.marked):,} marked", style="bold")
        update_label(self.query_one("#items-range", Static), span)
        self._draw_empty()
        self._keep_focus()
        # Which keys apply depends only on whether a row is highlighted; refreshing the footer
        # costs more than drawing a page, so only when that changes.
        has_rows = self.table.row_count > 0
        bindings = (has_rows, bool(state.marked), bool(page.query))
        if bindings != self._had_rows:
            self._had_rows = bindings
            self.refresh_bindings()

    def _draw_empty(self) -> None:
        state = self.model.state
        page = state.page
        empty = self.query_one("#items-empty", Static)
        message: Text | None = None
        if not page.loaded:
            notice = state.notice
            if state.busy.page or notice is None or notice.level != "error":
                message = Text("Loading items…", style="dim")
            else:
                message = Text(f"{notice.message}\n{notice.hint}\nr retries, escape goes back.")
        elif not page.items and page.query:
            message = Text("No items match the search. escape clears it.")
        elif not page.items and page.archived:
            message = Text("No archived items here. escape goes back to the live items.")
        elif not page.items and page.revision is not None:
            message = Text(f"The dataset had no items at revision {page.revision}.")
        elif not page.items:
            message = Text("This dataset has no items yet. a adds one.")
        empty.display = message is not None
        self.table.display = message is None
        if message is not None:
            empty.update(message)

    # -- the highlighted item ----------------------------------------------------------------

    def _highlight_selected(self) -> None:
        selected = self.model.state.selected_id
        index = self.model.state.page.index_of(selected) if selected is not None else None
        if index is not None and index < self.table.row_count:
            self.table.move_cursor(row=index, animate=False)

    def highlighted_id(self) -> str | None:
        return cursor_row_key(self.table)

    # -- paging ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.run_model(self.model.close_dataset(), group="page")
        self.dismiss()

    def action_next_page(self) -> None:
        page = self.model.state.page
        if page.loaded and not page.has_next:
            self.app.bell()
            return
        self.run_model(self.model.next_page(), group="page")

    def action_prev_page(self) -> None:
        if self.model.state.page.page_number <= 1:
            self.app.bell()
            return
        self.run_model(self.model.prev_page(), group="page")

    def action_go_to_page(self) -> None:
        from explorer.tui.page_prompt import PagePrompt

        page = self.model.state.page

        def chosen(number: int | None) -> None:
            if number is not None:
                self.run_model(self.model.go_to_page(number), group="page")

        self.app.push_screen(PagePrompt(page.page_number, page.page_count), chosen)

    def action_refresh(self) -> None:
        self.run_model(self.model.refresh(), group="page")

    # -- one item ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#items-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_inspect()

    def action_inspect(self) -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            self.run_worker(self._open(item_id, "inspect"), group="item", exclusive=True)

    def action_edit(self) -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            self.run_worker(self._open(item_id, "edit"), group="item", exclusive=True)

    async def _open(self, item_id: str, how: str) -> None:
        await self.model.select(item_id)
        if self.model.state.selected_id != item_id:
            return  # the model said why (deleted elsewhere, unreachable...)
        if how == "inspect":
            from explorer.tui.inspector import InspectorScreen

            self.app.push_screen(InspectorScreen(item_id))
        else:
            from explorer.tui.editor import EditorScreen

            self.app.push_screen(EditorScreen())

    def action_history(self) -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            from explorer.tui.history import HistoryScreen

            self.app.push_screen(HistoryScreen(item_id))

    def action_add(self) -> None:
        self.run_worker(self._add(), group="item", exclusive=True)

    async def _add(self) -> None:
        await self.model.new_item(self.dataset_id)
        editor = self.model.state.editor
        if editor is None or not editor.is_new:
            return  # refused (read-only) with a notice
        from explorer.tui.editor import EditorScreen

        self.app.push_screen(EditorScreen())

    def _pick_target(self, verb: str, then: Any) -> None:
        from explorer.tui.dataset_picker import DatasetPicker

        item_id = self.highlighted_id()
        if item_id is None:
            return

        def chosen(dataset_id: str | None) -> None:
            if dataset_id is not None:
                then(dataset_id, item_id)

        exclude = self.dataset_id if verb == "Move" else None
        title = f"{verb} item {short_id(item_id)} to which dataset?"
        self.app.push_screen(DatasetPicker(title, exclude=exclude), chosen)

    def action_duplicate(self) -> None:
        self._pick_target(
            "Duplicate",
            lambda target, item_id: self.run_model(
                self.model.duplicate_item(target, item_id), group="write", exclusive=False
            ),
        )

    def action_move(self) -> None:
        self._pick_target(
            "Move",
            lambda target, item_id: self.run_model(
                self.model.move_item(target, item_id), group="write", exclusive=False
            ),
        )

    def action_delete(self, verb: str = "") -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            self.run_model(self.model.delete_item(item_id), group="write", exclusive=False)

    def action_undo(self) -> None:
        self.run_model(self.model.undo(), group="write", exclusive=False)

    # -- views: a past revision, the archived items; export -------------------------------

    def action_revisions(self) -> None:
        from explorer.tui.revisions import CURRENT, RevisionChoice, RevisionsScreen

        def chosen(choice: RevisionChoice | None) -> None:
            if choice is None:
                return
            revision = None if choice == CURRENT else int(choice)
            if revision != self.model.state.page.revision:
                self.run_model(self.model.open_revision(revision), group="page")

        shown = self.model.state.page.revision
        self.app.push_screen(RevisionsScreen(self.dataset_id, shown=shown), chosen)

    def action_current_revision(self) -> None:
        self.run_model(self.model.open_revision(None), group="page")

    def action_archived(self, on: bool | None = None) -> None:
        """Show the archived items (``on``), the live ones, or toggle (None)."""
        show = not self.model.state.page.archived if on is None else on
        self.run_model(self.model.show_archived_items(show), group="page")

    def action_restore(self) -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            self.run_model(self.model.restore_item(item_id), group="write", exclusive=False)

    # -- search, marks, bulk actions ---------------------------------------------------------

    def action_focus_search(self) -> None:
        box = self.search_input
        box.display = True
        self._typing = True
        box.focus()
        box.cursor_position = len(box.value)

    @on(Input.Submitted, "#items-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self._search(event.value), group="page", exclusive=True)

    async def _search(self, text: str) -> None:
        await self.model.search_items(text)
        search = self.model.state.search
        if search is None or not search.error:
            self._typing = False
            self.table.focus()  # the results, to page, open and mark
        # else the query stays in the input to fix
        self._draw_search()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # focus falls to the input when the table is hidden (loading, no results)
        if event.widget is self.search_input and not self._typing:
            self.call_after_refresh(self._keep_focus)

    def action_clear_search(self) -> None:
        box = self.search_input
        box.value = ""
        self._typing = False
        self.table.focus()
        if self.model.state.page.query or (
            self.model.state.search and self.model.state.search.error
        ):
            self.run_worker(self._search(""), group="page", exclusive=True)
        else:
            self._draw_search()

    def action_mark(self) -> None:
        item_id = self.highlighted_id()
        if item_id is not None:
            self.run_model(self.model.mark(item_id), group="marks", exclusive=False)

    def action_mark_page(self) -> None:
        self.run_model(self.model.mark_page(), group="marks", exclusive=False)

    def action_mark_all(self) -> None:
        self.run_model(self.model.mark_all_results(), group="marks", exclusive=False)

    def action_clear_marks(self) -> None:
        self.run_model(self.model.clear_marks(), group="marks", exclusive=False)

    def action_bulk(self) -> None:
        from explorer.tui.bulk_dialog import BulkChoice, BulkDialog

        def chosen(choice: BulkChoice | None) -> None:
            if choice is None:
                return
            model = self.model
            runs = {
                "archive": lambda: model.bulk_archive(),
                "restore": lambda: model.bulk_restore(),
                "set_metadata": lambda: model.bulk_set_metadata(choice.key, choice.value),
                "remove_metadata": lambda: model.bulk_remove_metadata(choice.key),
                "move": lambda: model.bulk_move(str(choice.dataset_id)),
                "copy": lambda: model.bulk_copy(str(choice.dataset_id)),
            }
            self.run_model(runs[choice.action](), group="write", exclusive=False)

        self.app.push_screen(BulkDialog(), chosen)

    def action_export(self) -> None:
        from explorer.tui.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog())

    def action_import_file(self) -> None:
        from explorer.tui.import_dialog import ImportDialog

        if self.model.state.page_read_only or not self.writes_allowed():
            return
        self.app.push_screen(ImportDialog())

    def _allowed_in_view(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """What a past revision or the archived items allow (None: as the live items do).
        Both are shown read-only (``page_read_only``); archived items can be restored."""
        state = self.model.state
        page = state.page
        searching = self._search_focused()
        if action == "clear_marks":
            return bool(state.marked) and not searching
        if action == "clear_search":
            return searching or bool(page.query) or bool(state.search and state.search.error)
        if action in ("current_revision", "archived", "back") and (searching or page.query):
            return False  # escape clears the search first
        if action == "bulk":
            # the archived items are read-only but can be restored (in bulk too)
            view_ok = not state.page_read_only or (page.archived and page.revision is None)
            return bool(state.marked) and view_ok and self.writes_allowed()
        if action == "current_revision":
            return page.revision is not None
        if action == "archived" and parameters:  # escape: back to the live items
            return page.archived and page.revision is None
        if action == "back":
            return page.revision is None and not page.archived
        if action == "restore":
            if not page.archived or page.revision is not None:
                return False
            try:
                return self.highlighted_id() is not None
            except Exception:  # not composed yet
                return False
        if action == "undo":
            return page.revision is None  # undoing a restore in the archived items is fine
        if action in WRITE_ACTIONS and state.page_read_only:
            return False  # the items shown cannot be changed
        if action == "import_file":
            return not state.page_read_only and self.writes_allowed()
        return None

    def _search_focused(self) -> bool:
        try:
            return self.search_input.has_focus
        except Exception:  # not composed yet
            return False

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if not super().check_action(action, parameters):  # read-only hides writes
            return False
        allowed = self._allowed_in_view(action, parameters)
        if allowed is not None:
            return allowed
        if action in ("inspect", "edit", "duplicate", "move", "delete", "history", "mark"):
            try:
                return True if self.highlighted_id() is not None else None
            except Exception:  # not composed yet
                return None
        return True
