"""A dataset's revisions (API v2) and the comparison of two of them.

`RevisionsScreen` lists the open dataset's revisions newest first (``model.load_revisions``):
number, when, who, and the id of the highlighted one. Its first row is the current, editable
dataset; its last, while the server holds more, loads the next hundred. ``enter`` dismisses
with the revision to show (an ``int``, or ``"current"``): the items list then runs
``model.open_revision``. ``space`` marks a revision; ``c`` compares the marked one with the
highlighted one (none marked: the highlighted with the newest) in a `CompareScreen`; ``y``
copies the highlighted revision's number and id. On the classic API the server keeps no
revisions: the screen says so in place of the list.

`CompareScreen` shows ``model.compare_revisions``: the summary ("revision 3 → 9: 2 added, 1
changed, 1 archived"), the items that differ (kind, item, a preview of its input, what changed)
and the highlighted one's field-by-field diff, drawn by the save review's `DiffView`.

Every dataset and item text is drawn as plain ``Text`` (never markup).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import DataTable, Footer, Static

from explorer.api.models import short_id
from explorer.model import Change, salient
from explorer.model.history import ItemChange, RevisionEntry, RevisionsState
from explorer.tui.base import ModelScreen, cursor_row_key
from explorer.tui.components import preview, safe_text
from explorer.tui.dialogs import DiffRow, DiffView, diff_rows
from explorer.tui.header import AppHeader, update_label
from explorer.tui.when import ago

__all__ = ["CURRENT", "CompareScreen", "RevisionChoice", "RevisionsScreen"]

CURRENT: Literal["current"] = "current"
"""The row (and the dismiss value) of the current, editable dataset."""
MORE = "more"  # the row that loads the next revisions
_COLUMN_KEYS = ("revision", "when", "ago", "by")

RevisionChoice = int | Literal["current"]
"""What `RevisionsScreen` dismisses with: a revision to show read-only, or the current one."""


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _kv(text: Text, key: str, value: str | Text) -> None:
    """``key value`` with the key dim; a gap ends each run (SVG renderers draw a run's
    leading spaces after it)."""
    text.append(f"{key} ", "dim")
    if isinstance(value, Text):
        text.append_text(value)
    else:
        text.append(value)
    text.append("   ")


class RevisionsScreen(ModelScreen["RevisionChoice | None"]):
    """The open dataset's revisions, newest first; dismisses with the one to show."""

    HELP_TITLE = "revisions"
    AUTO_FOCUS = "#revisions-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="revisions.back"),
        Binding("enter", "open", "Show", id="revisions.open", priority=True),
        Binding("space", "mark", "Mark", id="revisions.mark"),
        Binding("c", "compare", "Compare", id="revisions.compare"),
        Binding("y", "copy", "Copy id", id="revisions.copy"),
        Binding("right_square_bracket", "more", "Load more", id="revisions.more"),
    ]

    DEFAULT_CSS = """
    RevisionsScreen #revisions-detail {
        height: 2;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, dataset_id: str, *, shown: int | None = None) -> None:
        super().__init__()
        self.dataset_id = dataset_id
        self.shown = shown  # the revision the items list shows (None: the current items)
        self.marked: int | None = None
        self._widths: tuple[int, ...] = ()
        self._rows_of: RevisionsState | None = None  # the state the rows were drawn from

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="revisions-bar", classes="toolbar"):
            yield Static("", id="revisions-title", classes="toolbar-label")
            yield Static("", id="revisions-count", classes="toolbar-label")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="revisions-table")
        yield Static("", id="revisions-empty", classes="empty-state")
        yield Static("", id="revisions-detail")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#revisions-table", DataTable)

    def on_mount(self) -> None:
        # ModelScreen.on_mount (follow the model, first redraw) runs too, after this one.
        self._set_columns(self.app.size.width)
        # always afresh: edits since the last look made new revisions
        self.run_model(self.model.load_revisions(self.dataset_id), group="revisions")

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            self._fill_table()

    # -- drawing -----------------------------------------------------------------------------

    def _set_columns(self, total: int) -> bool:
        usable = max(60, total - 2 - 2 * 5)
        number, when, since = 22, 19, 8  # "163 newest, ● marked"
        widths = (number, when, since, max(16, usable - number - when - since))
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        labels = ("revision", "when (UTC)", "", "by")
        for key, label, width in zip(_COLUMN_KEYS, labels, widths, strict=True):
            table.add_column(label, width=width, key=key)
        return True

    def _state(self) -> RevisionsState | None:
        revisions = self.model.state.revisions
        if revisions is None or revisions.dataset_id != self.dataset_id:
            return None
        return revisions

    def _number_cell(self, number: int) -> Text:
        """``163 newest, shown ● marked``: each gap ends a run (SVG renderers draw a run's
        leading spaces after it)."""
        revisions = self._state()
        cell = Text(no_wrap=True, end="")
        tags = []
        if revisions is not None and number == revisions.latest:
            tags.append("newest")
        if number == self.shown:
            tags.append("shown")
        marked = number == self.marked
        cell.append(f"{number} " if tags or marked else str(number), "bold")
        if tags:
            cell.append(", ".join(tags) + (" " if marked else ""), "dim")
        if marked:
            cell.append("● marked", "bold")
        return cell

    def _fill_table(self) -> None:
        table = self.table
        revisions = self._state()
        self._rows_of = revisions
        keep = self.highlighted_key()
        keep_row = table.cursor_row
        table.clear()
        if revisions is None or not revisions.supported:
            return
        now = self.app.clock()  # type: ignore[attr-defined]
        current = Text(no_wrap=True, end="")
        current.append("current " if self.shown is None else "current", "bold")
        if self.shown is None:
            current.append("shown", "dim")
        table.add_row(current, Text("now"), Text(""), Text("the live items, editable"), key=CURRENT)
        for entry in revisions.revisions:
            table.add_row(
                self._number_cell(entry.number),
                Text(_stamp(entry.when)),
                Text(ago(entry.when, now), "dim"),
                safe_text(entry.who, max_len=self._widths[-1] * 2),
                key=str(entry.number),
            )
        if revisions.has_more:
            left = revisions.total - len(revisions.revisions)
            more = Text(f"{left:,} older: enter loads more", "dim")
            table.add_row(Text("…", "dim"), more, Text(""), Text(""), key=MORE)
        keys = [CURRENT, *(str(e.number) for e in revisions.revisions)]
        if keep in keys:
            row = keys.index(keep)
        elif keep is None and self.shown is not None and str(self.shown) in keys:
            row = keys.index(str(self.shown))  # first drawn: on the revision shown
        else:
            row = min(max(keep_row, 0), table.row_count - 1)
        table.move_cursor(row=row, animate=False)

    def redraw(self, change: Change | None) -> None:
        if change is not None and not change.kinds & {"revisions", "notice", "busy"}:
            return
        revisions = self._state()
        if revisions is not self._rows_of or change is None or "revisions" in change:
            self._fill_table()
        name = revisions.dataset_name if revisions is not None else ""
        if not name and self.model.state.page.dataset is not None:
            name = self.model.state.page.dataset.name
        self.query_one(AppHeader).context = name
        title = Text(no_wrap=True, end="")
        title.append("Revisions of ")
        title.append_text(safe_text(name, max_len=60, style="bold"))
        update_label(self.query_one("#revisions-title", Static), title)
        self._draw_count(revisions)
        self._draw_empty(revisions)
        self._draw_detail()
        self.refresh_bindings()

    def _draw_count(self, revisions: RevisionsState | None) -> None:
        count = Text(no_wrap=True, end="")
        if self.marked is not None:
            count.append(f"marked {self.marked}   ", "bold")
        if revisions is not None and revisions.supported:
            count.append(f"{len(revisions.revisions):,} of {revisions.total:,} loaded")
        update_label(self.query_one("#revisions-count", Static), count)

    def _draw_empty(self, revisions: RevisionsState | None) -> None:
        state = self.model.state
        empty = self.query_one("#revisions-empty", Static)
        message: Text | None = None
        if revisions is not None and not revisions.supported:
            message = safe_text(revisions.message, multiline=True)
        elif revisions is None:
            notice = state.notice
            if state.busy.history or notice is None or notice.level != "error":
                message = Text("Loading revisions…", style="dim")
            else:
                message = safe_text(f"{notice.message}\n{notice.hint}", multiline=True)
        elif not revisions.revisions:
            message = Text("This dataset has no revision yet: its first item makes one.")
        empty.display = message is not None
        self.table.display = revisions is not None and revisions.supported
        if message is not None:
            empty.update(message)

    def _draw_detail(self) -> None:
        detail = Text(no_wrap=True, end="")
        key = self.highlighted_key()
        entry = self._entry(key)
        if entry is not None:
            _kv(detail, "revision", Text(str(entry.number), "bold"))
            _kv(detail, "id", entry.id)
            detail.append("(y copies both)", "dim")
            detail.append("\n")
            _kv(detail, "by", safe_text(entry.who, max_len=120))
            _kv(detail, "at", _stamp(entry.when) + " UTC")
        elif key == CURRENT:
            detail.append("The dataset as it is now: enter shows its live items (editable).")
        elif key == MORE:
            detail.append("enter loads the next hundred revisions.")
        self.query_one("#revisions-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#revisions-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._draw_detail()
        self.refresh_bindings()  # mark and copy need a revision highlighted

    # -- what is highlighted -----------------------------------------------------------------

    def highlighted_key(self) -> str | None:
        return cursor_row_key(self.table)

    def _entry(self, key: str | None) -> RevisionEntry | None:
        revisions = self._state()
        if revisions is None or key is None or not key.isdigit():
            return None
        number = int(key)
        return next((e for e in revisions.revisions if e.number == number), None)

    # -- actions -----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.run_worker(self.model.close_revisions(), exit_on_error=False)
        self.dismiss(None)

    @on(DataTable.RowSelected, "#revisions-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = self.highlighted_key()
        if key == MORE:
            self.action_more()
        elif key == CURRENT:
            self.dismiss(CURRENT)
        elif key is not None and key.isdigit():
            self.dismiss(int(key))

    def action_more(self) -> None:
        revisions = self._state()
        if revisions is None or not revisions.has_more:
            self.app.bell()
            return
        self.run_model(self.model.load_revisions(self.dataset_id, more=True), group="revisions")

    def action_mark(self) -> None:
        entry = self._entry(self.highlighted_key())
        if entry is None:
            self.app.bell()
            return
        before, self.marked = self.marked, None if self.marked == entry.number else entry.number
        for number in {before, entry.number} - {None}:
            key = str(number)
            if key in self.table.rows:
                self.table.update_cell(key, "revision", self._number_cell(int(key)))
        self._draw_count(self._state())

    def action_compare(self) -> None:
        key = self.highlighted_key()
        revisions = self._state()
        if revisions is None or not revisions.supported or key in (None, MORE):
            self.app.bell()
            return
        entry = self._entry(key)
        highlighted = entry.number if entry is not None else None  # None: the current
        if self.marked is None:
            if highlighted is None or highlighted == revisions.latest:
                self.notify(
                    "Highlight an older revision (c compares it with the newest), or mark one"
                    " with space and compare it with the highlighted one.",
                    severity="warning",
                    markup=False,
                )
                return
            older, newer = highlighted, None
        else:
            same = highlighted if highlighted is not None else revisions.latest
            if same == self.marked:
                self.notify(
                    f"Revision {self.marked} is marked: highlight another one to compare.",
                    severity="warning",
                    markup=False,
                )
                return
            older, newer = self.marked, highlighted
        self.app.push_screen(CompareScreen(self.dataset_id, older, newer))

    def action_copy(self) -> None:
        entry = self._entry(self.highlighted_key())
        if entry is None:
            self.app.bell()
            return
        self.app.copy_to_clipboard(f"revision {entry.number} {entry.id}")
        self.notify(f"Copied revision {entry.number} ({entry.id})", markup=False)

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if action in ("mark", "copy"):
            try:
                return True if self._entry(self.highlighted_key()) is not None else None
            except Exception:  # not composed yet
                return None
        if action == "more":
            revisions = self._state()
            return revisions is not None and revisions.has_more
        if action == "compare":
            revisions = self._state()
            return revisions is not None and revisions.supported and len(revisions.revisions) > 1
        return super().check_action(action, parameters)


class CompareScreen(ModelScreen[None]):
    """What changed between two revisions of a dataset: the items added, changed, archived
    and restored, and the highlighted one's diff."""

    HELP_TITLE = "compare revisions"
    AUTO_FOCUS = "#compare-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("tab", "switch_focus", "Table/diff", id="compare.switch_focus"),
    ]

    DEFAULT_CSS = """
    CompareScreen #compare-item {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    CompareScreen #compare-diff {
        height: 1fr;
    }
    """

    def __init__(self, dataset_id: str, older: int, newer: int | None = None) -> None:
        super().__init__()
        self.dataset_id = dataset_id
        self.older = older
        self.newer = newer  # None: the newest
        self._widths: tuple[int, ...] = ()
        self._changes: dict[str, ItemChange] = {}
        self._diffed: str | None = None  # the item whose diff is shown

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="compare-bar", classes="toolbar"):
            yield Static("", id="compare-summary", classes="toolbar-label")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="compare-table")
        yield Static("", id="compare-empty", classes="empty-state")
        yield Static("", id="compare-item")
        yield DiffView(id="compare-diff")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#compare-table", DataTable)

    def on_mount(self) -> None:
        # ModelScreen.on_mount (follow the model, first redraw) runs too, after this one.
        self._set_columns(self.app.size.width)
        command = self.model.compare_revisions(self.older, self.newer, self.dataset_id)
        self.run_model(command, group="compare")

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            self._fill_table()

    def _set_columns(self, total: int) -> bool:
        usable = max(60, total - 2 - 2 * 4)
        kind, item = 9, 8
        rest = usable - kind - item
        widths = (kind, item, rest * 11 // 20, rest - rest * 11 // 20)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        labels = ("change", "item", self.schema.label("input").lower(), "what changed")
        for label, width in zip(labels, widths, strict=True):
            table.add_column(label, width=width)
        return True

    def _compare(self) -> Any:
        compare = self.model.state.compare
        if compare is None or compare.dataset_id != self.dataset_id:
            return None
        return compare

    def _fill_table(self) -> None:
        table = self.table
        compare = self._compare()
        keep = table.cursor_row
        table.clear()
        self._changes = {}
        if compare is None:
            return
        input_w = self._widths[2]
        for change in compare.changes:
            self._changes[change.item_id] = change
            table.add_row(
                Text(change.kind, "bold"),
                Text(short_id(change.item_id), "dim"),
                preview(salient(change.after.input), input_w),
                Text(change.summary),
                key=change.item_id,
            )
        if compare.changes:
            table.move_cursor(row=min(max(keep, 0), len(compare.changes) - 1), animate=False)

    def redraw(self, change: Change | None) -> None:
        if change is not None and not change.kinds & {"compare", "notice", "busy"}:
            return
        if change is None or "compare" in change:
            self._fill_table()
            self._diffed = None
        state = self.model.state
        compare = self._compare()
        dataset = state.page.dataset
        revisions = state.revisions
        name = dataset.name if dataset is not None else ""
        if revisions is not None and revisions.dataset_id == self.dataset_id:
            name = revisions.dataset_name
        self.query_one(AppHeader).context = name
        newer = "the newest" if self.newer is None else str(self.newer)
        summary = Text(no_wrap=True, end="")
        if compare is not None:
            summary.append(compare.summary, "bold")
        else:
            summary.append(f"revision {self.older} → {newer}")
        update_label(self.query_one("#compare-summary", Static), summary)
        empty = self.query_one("#compare-empty", Static)
        message: Text | None = None
        if compare is None:
            notice = state.notice
            if state.busy.history or notice is None or notice.level == "info":
                message = Text(f"Comparing revision {self.older} with {newer}…", "dim")
            else:
                message = safe_text(f"{notice.message}\n{notice.hint}", multiline=True)
        elif not compare.changes:
            message = Text(f"No item changed between revision {compare.older} and {compare.newer}.")
        empty.display = message is not None
        if message is not None:
            empty.update(message)
        has_changes = compare is not None and bool(compare.changes)
        self.table.display = has_changes
        self.query_one("#compare-item", Static).display = has_changes
        self.query_one(DiffView).display = has_changes
        if has_changes:
            self._show_diff()

    @on(DataTable.RowHighlighted, "#compare-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_diff()

    def _highlighted(self) -> ItemChange | None:
        key = cursor_row_key(self.table)
        return None if key is None else self._changes.get(key)

    def _show_diff(self) -> None:
        change = self._highlighted()
        if change is None or change.item_id == self._diffed:
            return
        self._diffed = change.item_id
        label = Text(no_wrap=True, end="")
        # the gap ends the bold run: SVG renderers draw a run's leading spaces after it
        label.append(f"item {change.item_id}   ", "bold")
        # "v2 → v5: expected output" says "changed" by itself; the others name their kind
        label.append(f"changed {change.summary}" if change.kind == "changed" else change.summary)
        self.query_one("#compare-item", Static).update(label)
        # a big item's diff takes a while: worked out off the UI thread, the newest wins
        self.run_worker(self._diff(change), group="compare-diff", exclusive=True)

    async def _diff(self, change: ItemChange) -> None:
        diffs = await asyncio.to_thread(self.model.diff_change, change)
        rows: list[DiffRow] = []
        for name, diff in diffs.items():
            if rows:
                rows.append(("note", "", ()))
            rows.extend(diff_rows(diff, title=self.schema.label(name)))
        if not rows:
            what = "archived" if change.kind == "archived" else change.kind
            rows = [("note", f"(its content is the same: only {what})", ())]
        if self._diffed != change.item_id:
            return  # another row was highlighted meanwhile
        view = self.query_one(DiffView)
        view.set_rows(rows)
        view.scroll_home(animate=False, immediate=True)

    def action_switch_focus(self) -> None:
        view = self.query_one(DiffView)
        if view.has_focus:
            self.table.focus()
        else:
            view.focus()

    def action_back(self) -> None:
        self.app.run_worker(self.model.close_compare(), exit_on_error=False)
        self.dismiss(None)
