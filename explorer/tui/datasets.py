"""The datasets screen: a table of one server page of datasets, searched and sorted on the server.

Keys: ``/`` search (debounced as you type; ``enter`` applies and returns to the table,
``escape`` clears), ``s`` sort, ``enter`` open, ``c`` create, ``e`` edit, ``d`` delete (on API
v2: archive; asks; ``u`` or the trash restores), ``u`` undo, ``r`` refresh, ``]``/``[``
next/previous page.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.timer import Timer
from textual.types import NoActiveAppError
from textual.widgets import DataTable, Footer, Input, Static

from explorer.model import Change
from explorer.tui.base import ModelScreen, cursor_row_key, remove_bindings
from explorer.tui.components import safe_text
from explorer.tui.header import AppHeader, update_label
from explorer.tui.when import ago

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset

__all__ = ["SORTS", "DatasetsScreen", "listed_dataset"]

SORTS: dict[str, str] = {
    "-created_at": "newest first",
    "created_at": "oldest first",
    "-updated_at": "recently updated",
    "updated_at": "least recently updated",
}
SEARCH_DEBOUNCE = 0.3
PREVIEW_PAINT_WAIT = 1.0
"""Seconds the model's first page waits, at most, for its rows to be drawn from the answer."""

Cells = tuple[str, str, datetime, datetime, str]
"""What a row shows of a dataset: name, description, updated, created, creator."""


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def listed_dataset(raw: object) -> tuple[str, Cells] | None:
    """The id and cells of a dataset of a list answer as the server sent it (untrusted, not
    yet typed; either API generation), read as `Dataset` and `VersionedDataset` read it; None
    when it lacks what a row shows."""
    if not isinstance(raw, dict):
        return None
    dataset_id, name, description = raw.get("id"), raw.get("name"), raw.get("description")
    created, updated = _when(raw.get("created_at")), _when(raw.get("updated_at"))
    if not isinstance(dataset_id, str) or not isinstance(name, str) or created is None:
        return None
    if description is not None and not isinstance(description, str):
        return None
    if raw.get("updated_at") is not None and updated is None:
        return None
    user = raw.get("created_by")
    by = ""
    if isinstance(user, dict):  # as `UserBasic.display_name`
        first, last, email = user.get("first_name"), user.get("last_name"), user.get("email")
        parts = [p for p in (first, last) if isinstance(p, str) and p]
        by = " ".join(parts) or (email if isinstance(email, str) else "")
    elif user is not None:
        return None
    return dataset_id, (name, description or "", updated or created, created, by)


async def _painted(done: asyncio.Future[None]) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done, PREVIEW_PAINT_WAIT)


def fit(text: Text, width: int) -> Text:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if text.cell_len > width:
        text = text.copy()
        text.truncate(max(1, width - 1), overflow="crop")
        text.append("…", style="dim")
    return text


class DatasetsScreen(ModelScreen[None]):
    """Every dataset of the project, one server page at a time."""

    HELP_TITLE = "datasets"
    # the table has focus from the start (focusing the first focusable widget, then the
    # table, restyled the screen twice)
    AUTO_FOCUS = "#datasets-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        # the archived datasets (API v2): escape goes back to the live ones
        Binding("escape", "archived(False)", "Live datasets", id="datasets.live"),
        Binding("enter", "open", "Open", id="datasets.open"),
        # priority: handled before the next key is passed on, so "/rag" typed fast all lands
        # in the box (check_action lets "/" through to the box once it has focus)
        Binding("slash", "focus_search", "Search", id="datasets.search", priority=True),
        Binding("s", "cycle_sort", "Sort", id="datasets.sort"),
        Binding("c", "create", "Create", id="datasets.create"),
        Binding("e", "edit", "Edit", id="datasets.edit"),
        *remove_bindings("d", "datasets.delete"),
        Binding("U", "restore", "Restore", id="datasets.restore"),  # the archived ones only
        Binding("u", "undo", "Undo", id="datasets.undo"),
        Binding("r", "refresh", "Refresh", id="datasets.refresh"),
        Binding("A", "archived", "Archived datasets", id="datasets.archived", show=False),
        Binding(
            "right_square_bracket", "next_page", "Next page", id="datasets.next_page", show=False
        ),
        Binding(
            "left_square_bracket", "prev_page", "Prev page", id="datasets.prev_page", show=False
        ),
        Binding("escape", "clear_search", "Clear search", id="datasets.clear_search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None
        self._widths: tuple[int, ...] = ()
        self._had_rows = False
        self._mounted: bool | None = False  # None once unmounted
        # The model's first page as the answer arrived, until the typed page is in the model;
        # and what the model waits for: those rows on screen.
        self._preview_rows: list[tuple[str, Cells]] | None = None
        self._preview_drawn: asyncio.Future[None] | None = None
        # Armed now rather than at mount: the first answer may come before the screen mounts.
        with contextlib.suppress(NoActiveAppError):
            model = self._model_or_none()
            if model is not None and not model.state.datasets.loaded:
                model.client.datasets.preview = self._preview

    def compose(self) -> ComposeResult:
        yield AppHeader("Datasets")
        with Horizontal(id="datasets-bar", classes="toolbar"):
            yield Input(placeholder="/ to search datasets", id="datasets-search")
            yield Static("", id="datasets-sort", classes="toolbar-label")
            yield Static("", id="datasets-range", classes="toolbar-label")
        table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, id="datasets-table"
        )
        yield table
        yield Static("", id="datasets-empty", classes="empty-state")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#datasets-table", DataTable)

    def on_mount(self) -> None:
        # Textual calls ModelScreen.on_mount (follow the model, first redraw) after this one
        # by itself: calling it here too would subscribe twice and redraw every change twice.
        self._set_columns(self.app.size.width)
        self.table.focus()
        self._mounted = True
        if self._preview_rows is not None:  # arrived first: ModelScreen.on_mount draws it
            self._after_preview_drawn()

    def on_unmount(self) -> None:
        self._mounted = None
        model = self._model_or_none()
        if model is not None and model.client.datasets.preview == self._preview:
            model.client.datasets.preview = None

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            self._fill_table()

    # -- drawing -----------------------------------------------------------------------------

    def _set_columns(self, total: int) -> bool:
        """(Re)build the columns for a terminal ``total`` cells wide; False if unchanged."""
        usable = max(40, total - 2 - 2 * 5)  # scrollbar, one cell of padding each side
        when, by = 10, (16 if usable >= 90 else 12)
        name = max(16, min(36, usable * 3 // 10))
        description = max(8, usable - name - 2 * when - by)
        widths = (name, description, when, when, by)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        for label, width in zip(
            ("name", "description", "updated", "created", "created by"), widths, strict=True
        ):
            table.add_column(label, width=width)
        return True

    def _row(self, dataset: AnyDataset) -> list[Text]:
        by = dataset.created_by.display_name if dataset.created_by is not None else ""
        # a v2 dataset's updated_at may be missing: it was not changed since created
        updated = dataset.updated_at or dataset.created_at
        return self._cells(
            (dataset.name, dataset.description or "", updated, dataset.created_at, by)
        )

    def _cells(self, cells: Cells) -> list[Text]:
        name, description, updated, created, by = cells
        name_w, desc_w, _, _, by_w = self._widths
        now = self.app.clock()  # type: ignore[attr-defined]
        return [
            fit(safe_text(name, max_len=name_w * 2), name_w),
            fit(safe_text(description, max_len=desc_w * 2), desc_w),
            Text(ago(updated, now)),
            Text(ago(created, now)),
            fit(safe_text(by, max_len=by_w * 2), by_w),
        ]

    def _preview(self, page: dict[str, Any]) -> Awaitable[None] | None:
        """Show the model's first page from the answer as it arrived, before it is typed
        (typing loads the wire models: a tenth of a second at launch); the typed page replaces
        it. Called by the client in the model's command, which then waits (a second at most)
        until these rows are on screen, so that the typing does not hold them back."""
        model = self._model_or_none()
        if model is None:
            return None
        model.client.datasets.preview = None  # the first page only
        results = page.get("results")
        if self._mounted is None or model.state.datasets.loaded or not isinstance(results, list):
            return None
        rows = [listed_dataset(raw) for raw in results]
        if not rows or any(row is None for row in rows):
            return None  # an empty list or an odd answer: the typed page tells
        self._preview_rows = [row for row in rows if row is not None]
        self._preview_drawn = drawn = asyncio.get_running_loop().create_future()
        if self._mounted:
            self._fill_table()
            self._draw_empty()
            self._after_preview_drawn()
        return _painted(drawn)

    def _after_preview_drawn(self) -> None:
        def drawn() -> None:
            if self._preview_drawn is not None and not self._preview_drawn.done():
                self._preview_drawn.set_result(None)

        self.call_after_refresh(drawn)

    def _fill_table(self) -> None:
        table = self.table
        state = self.model.state.datasets
        keep = self.highlighted_id()
        keep_row = table.cursor_row
        table.clear()
        if not state.loaded and self._preview_rows is not None:
            for key, cells in self._preview_rows:
                table.add_row(*self._cells(cells), key=key)
            return
        for dataset in state.datasets:
            table.add_row(*self._row(dataset), key=str(dataset.id))
        if not state.datasets:
            return
        ids = [str(d.id) for d in state.datasets]
        row = ids.index(keep) if keep in ids else min(max(keep_row, 0), len(ids) - 1)
        table.move_cursor(row=row, animate=False)

    def redraw(self, change: Change | None) -> None:
        if change is not None and not change.kinds & {"datasets", "notice", "busy"}:
            return
        state = self.model.state.datasets
        if change is not None and self._preview_rows is not None:
            # the first command's end: its typed page is in the model, or it failed
            self._preview_rows = None
            self._fill_table()
        elif change is None or "datasets" in change:
            self._fill_table()
        search = self.query_one("#datasets-search", Input)
        if not search.has_focus and search.value != state.search:
            search.value = state.search
        header = self.query_one(AppHeader)
        if header.context != ("Archived datasets" if state.archived else "Datasets"):
            header.context = "Archived datasets" if state.archived else "Datasets"
            self.refresh_bindings()  # the archived datasets have their own keys
        update_label(
            self.query_one("#datasets-sort", Static),
            Text.assemble(
                ("sort ", "dim"), SORTS.get(state.order_by, state.order_by), no_wrap=True, end=""
            ),
        )
        span = state.range_text if state.loaded else ""
        if state.loaded and state.total > state.page_size:
            span += f"  page {state.page_number}/{state.page_count}  [ ]"
        update_label(self.query_one("#datasets-range", Static), Text(span, no_wrap=True, end=""))
        self._draw_empty()
        # Which keys apply depends only on whether a row is highlighted; refreshing the footer
        # costs more than drawing a page, so only when that changes.
        has_rows = self.table.row_count > 0
        if has_rows != self._had_rows:
            self._had_rows = has_rows
            self.refresh_bindings()

    def _draw_empty(self) -> None:
        state = self.model.state
        lists = state.datasets
        empty = self.query_one("#datasets-empty", Static)
        message: Text | None = None
        if not lists.loaded and self._preview_rows is not None:
            message = None  # the first page, shown from the answer until it is typed
        elif not lists.loaded:
            notice = state.notice
            if state.busy.datasets or notice is None or notice.level != "error":
                message = Text("Loading datasets…", style="dim")
            else:
                message = Text(f"{notice.message}\n{notice.hint}\nr retries.")
        elif not lists.datasets and lists.search:
            message = Text("No dataset matches ")
            message.append_text(safe_text(lists.search, max_len=80))
            message.append(". escape clears the search.")
        elif not lists.datasets and lists.archived:
            message = Text("No archived datasets. escape goes back to the live ones.")
        elif not lists.datasets:
            message = Text("No datasets in this project yet. c creates one.")
        empty.display = message is not None
        self.table.display = message is None or bool(lists.datasets)
        if message is not None:
            empty.update(message)

    # -- what is highlighted -----------------------------------------------------------------

    def highlighted_id(self) -> str | None:
        return cursor_row_key(self.table)

    def highlighted(self) -> AnyDataset | None:
        dataset_id = self.highlighted_id()
        for dataset in self.model.state.datasets.datasets:
            if str(dataset.id) == dataset_id:
                return dataset
        return None

    # -- search ------------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        # At once (not at the next idle, as Widget.focus does), so keys typed right after
        # the slash already land in the box.
        self.set_focus(self.query_one("#datasets-search", Input))

    @on(Input.Changed, "#datasets-search")
    def _search_typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        if event.value == self.model.state.datasets.search:
            return
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self._search(event.value))

    @on(Input.Submitted, "#datasets-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        if event.value != self.model.state.datasets.search:
            self._search(event.value)
        self.table.focus()

    def _search(self, text: str) -> None:
        self.run_model(self.model.search_datasets(text), group="datasets")

    def action_clear_search(self) -> None:
        search = self.query_one("#datasets-search", Input)
        if self._debounce is not None:
            self._debounce.stop()
        if search.value or self.model.state.datasets.search:
            search.value = ""
            self._search("")
        self.table.focus()

    # -- list commands -----------------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        orders = list(SORTS)
        current = self.model.state.datasets.order_by
        following = (
            orders[(orders.index(current) + 1) % len(orders)] if current in orders else orders[0]
        )
        self.run_model(self.model.sort_datasets(following), group="datasets")

    def action_refresh(self) -> None:
        self.run_model(self.model.refresh_datasets(), group="datasets")

    def action_next_page(self) -> None:
        if self.model.state.datasets.has_next:
            self.run_model(self.model.next_datasets_page(), group="datasets")

    def action_prev_page(self) -> None:
        if self.model.state.datasets.has_previous:
            self.run_model(self.model.prev_datasets_page(), group="datasets")

    # -- one dataset -------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#datasets-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from explorer.tui.items import ItemsScreen

        dataset = self.highlighted()
        if dataset is not None:
            self.app.push_screen(ItemsScreen(str(dataset.id)))

    def action_create(self) -> None:
        from explorer.tui.dataset_form import DatasetForm

        self.app.push_screen(DatasetForm(None))

    def action_edit(self) -> None:
        from explorer.tui.dataset_form import DatasetForm

        dataset = self.highlighted()
        if dataset is not None:
            self.app.push_screen(DatasetForm(dataset))

    def action_delete(self, verb: str = "") -> None:
        from explorer.tui.dialogs import ConfirmModal

        dataset = self.highlighted()
        if dataset is None:
            return
        dataset_id = str(dataset.id)

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_model(
                    self.model.delete_dataset(dataset_id), group="write", exclusive=False
                )

        label = self.schema.remove_label
        self.app.push_screen(
            ConfirmModal(
                f"{label} dataset {dataset.name}?",
                "Its items stay on the server. u undoes; the trash (T) restores it later.",
                label,
            ),
            answered,
        )

    def action_undo(self) -> None:
        self.run_model(self.model.undo(), group="write", exclusive=False)

    def action_archived(self, on: bool | None = None) -> None:
        """Show the archived datasets (``on``), the live ones, or toggle (None)."""
        show = not self.model.state.datasets.archived if on is None else on
        self.run_model(self.model.show_archived_datasets(show), group="datasets")

    def action_restore(self) -> None:
        dataset = self.highlighted()
        if dataset is not None:
            command = self.model.restore_dataset(str(dataset.id))
            self.run_model(command, group="write", exclusive=False)

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if not super().check_action(action, parameters):  # read-only hides writes
            return False
        archived = self.model.state.datasets.archived
        if action == "archived" and parameters:  # escape: back to the live datasets
            return archived
        if not archived and action == "restore":
            return False
        if archived and action in ("create", "edit", "delete"):
            return False  # an archived dataset is restored first
        if action == "focus_search":
            try:
                return not self.query_one("#datasets-search", Input).has_focus
            except Exception:  # not composed yet
                return True
        if action in ("edit", "delete", "open", "restore"):
            try:
                return True if self.highlighted_id() is not None else None
            except Exception:  # not composed yet
                return None
        return True
