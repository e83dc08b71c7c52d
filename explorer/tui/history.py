"""An item's history (API v2): every version, who made it and when, what it changed, and a way
back to any of them.

``HistoryScreen(item_id)`` runs ``model.load_history(item_id)`` and draws
``model.state.history``: a table of the versions, newest first (``v7``, when, who, what changed,
the dataset revision; the newest marked "current"), and the diff of the highlighted version
against the one before it, field by field, wrapped, changed words marked (the save review's
`DiffView`). Below the table wide terminals put the diff on the right; narrow ones below.

Keys: ``space`` marks the highlighted version as the base, so the diff shows base → highlighted
(``space`` on the base, or ``escape``, clears it); ``r`` restores the highlighted version as a
new version (asks first; hidden while read-only); ``u`` undoes; ``y`` copies the version id,
``Y`` the dataset revision's number and id; ``escape`` goes back. From an item: ``h``, arrows,
``r``, ``enter``: who changed it, when, from what to what, and put back.

On the classic API there is no history: the screen shows the model's message instead. Item text
reaches the screen as plain ``Text`` (``safe_text``, `DiffView`), never markup.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import DataTable, Static

from explorer.api.models import short_id
from explorer.model import Change
from explorer.model.history import (
    CONTENT_FIELDS,
    HistoryState,
    VersionDiff,
    VersionEntry,
    diff_items,
    diff_versions,
)
from explorer.tui.base import ModelScreen
from explorer.tui.components import Footer, safe_text
from explorer.tui.dialogs import ConfirmModal, DiffRow, DiffView, diff_rows
from explorer.tui.header import AppHeader, update_label
from explorer.tui.when import ago

__all__ = ["SIDE_BY_SIDE_WIDTH", "HistoryScreen", "version_columns"]

SIDE_BY_SIDE_WIDTH = 160
"""From this many columns the diff sits right of the table; below it, under the table."""

_COLUMNS = ("", "ver", "when", "who", "what changed", "rev")
DETAIL_LINES = 3
LIST_SHARE = (11, 20)
"""Side by side, the table's share of the width (the diff has the rest)."""


def _fit(text: Text, width: int) -> Text:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if text.cell_len > width:
        text = text.copy()
        text.truncate(max(1, width - 1), overflow="crop")
        text.append("…", style="dim")
    return text


def _absolute(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _who(entry: VersionEntry) -> str:
    """The name (else the email) of who made a version, for the table; the detail line has
    both."""
    user = entry.item.version_created_by
    return user.display_name if user is not None else entry.who


def version_columns(total: int, who_len: int = 20) -> tuple[int, ...]:
    """The widths of the table's columns (mark, version, when, who, what changed, revision)
    for a table ``total`` cells wide whose longest who is ``who_len``: fixed, so the table
    never measures its cells."""
    usable = max(40, total - 2 - 2 * len(_COLUMNS))  # scrollbar, a cell of padding each side
    mark, version, revision = 7, 4, 6
    # "2d ago  2026-03-02 18:44" where it fits beside a readable who and change, else "2d ago"
    # (or "2026-03-02" past a month)
    when = 24 if usable >= 77 else 10
    who = max(6, min(20, who_len, (usable - mark - version - revision - when) // 2))
    change = max(12, usable - mark - version - revision - when - who)
    return (mark, version, when, who, change, revision)


class HistoryScreen(ModelScreen[None]):
    """Every version of one item; pick two to compare, restore one (v2)."""

    HELP_TITLE = "item history"
    AUTO_FOCUS = "#history-versions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("space", "mark", "Compare from here", id="history.mark"),
        Binding("r", "restore", "Restore", id="history.restore"),
        Binding("u", "undo", "Undo", id="history.undo"),
        Binding("y", "copy_version_id", "Copy version id", id="history.copy_version_id"),
        Binding("Y", "copy_revision", "Copy revision", id="history.copy_revision"),
    ]

    DEFAULT_CSS = """
    HistoryScreen #history-title {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    HistoryScreen #history-body {
        height: 1fr;
        layout: vertical;
    }
    HistoryScreen #history-list {
        height: auto;
    }
    HistoryScreen #history-detail {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    HistoryScreen #history-diff-pane {
        height: 1fr;
        border-top: solid $panel;
    }
    HistoryScreen.-side #history-body {
        layout: horizontal;
    }
    HistoryScreen.-side #history-list {
        width: 11fr;
        height: 1fr;
    }
    HistoryScreen.-side #history-diff-pane {
        width: 9fr;
        border-top: none;
        border-left: solid $panel;
    }
    HistoryScreen #history-compare {
        height: auto;
        padding: 0 1;
    }
    HistoryScreen #history-diff {
        height: 1fr;
    }
    HistoryScreen #history-message {
        height: auto;
        padding: 1 2;
        display: none;
    }
    HistoryScreen.-unsupported #history-message {
        display: block;
        height: 1fr;
    }
    HistoryScreen.-unsupported #history-body {
        display: none;
    }
    HistoryScreen #history-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.base: int | None = None
        """The version marked with ``space``: the diff shows it against the highlighted one."""
        self._entries: list[VersionEntry] = []  # as the table shows them, newest first
        self._drawn: list[VersionEntry] | None = None  # the model's list they were taken from
        self._newest: int | None = None  # the current version when the table was filled
        self._widths: tuple[int, ...] = ()
        self._table_width = 120
        self._shown_diff: tuple[int | None, int | None] | None = None

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(Text(f"History of item {short_id(self.item_id)}"), id="history-title")
        yield Static("", id="history-message")
        with Horizontal(id="history-body"):
            with Vertical(id="history-list"):
                table: DataTable[Text] = DataTable(
                    cursor_type="row", zebra_stripes=True, id="history-versions"
                )
                yield table
                yield Static("", id="history-detail")
            with Vertical(id="history-diff-pane"):
                yield Static("", id="history-compare")
                yield DiffView(id="history-diff")
        yield Static("", id="history-status")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#history-versions", DataTable)

    def on_mount(self) -> None:
        # ModelScreen.on_mount (follow the model, first redraw) runs after this one by itself.
        self._set_layout(self.app.size.width, self.app.size.height)
        self.run_model(self.model.load_history(self.item_id), group="history")

    def on_resize(self, event: Resize) -> None:
        if self._set_layout(event.size.width, event.size.height):
            self._fill_table()

    def _set_layout(self, total: int, height: int) -> bool:
        """Put the diff beside or below the table for a terminal ``total`` cells wide and
        ``height`` rows, and size the columns; False when the columns did not change."""
        side = total >= SIDE_BY_SIDE_WIDTH
        self.set_class(side, "-side")
        table = self.table
        # inline: the app's stylesheet gives every DataTable 1fr, over any DEFAULT_CSS. Above
        # the diff the table is as tall as its rows, up to two fifths of the screen with the
        # detail lines under it (the diff keeps the rest)
        table.styles.height = "1fr" if side else "auto"
        table.styles.max_height = None if side else max(4, height * 2 // 5 - DETAIL_LINES)
        share, parts = LIST_SHARE
        self._table_width = total * share // parts if side else total
        return self._set_columns()

    def _set_columns(self) -> bool:
        """Columns for the table's width and the names shown; False when unchanged."""
        table = self.table
        who_len = max((len(_who(e)) for e in self._entries), default=20)
        widths = version_columns(self._table_width, who_len)
        if widths == self._widths:
            return False
        self._widths = widths
        table.clear(columns=True)
        for label, width in zip(_COLUMNS, widths, strict=True):
            if label == "when" and width >= 24:
                label = "when (UTC)"
            table.add_column(label, width=width)
        return True

    # -- drawing -----------------------------------------------------------------------------

    def _history(self) -> HistoryState | None:
        history = self.model.state.history
        return history if history is not None and history.item_id == self.item_id else None

    def redraw(self, change: Change | None) -> None:
        state = self.model.state
        kinds = change.kinds if change is not None else None
        if kinds is None or kinds & {"history", "page", "dataset", "access"}:
            self._draw_history()
        if kinds is None or kinds & {"busy", "history"}:
            self.table.loading = state.busy.history and not self._entries
            if state.busy.save:
                self._status(Text("restoring…", style="italic"))
        notice = state.notice
        history = self._history()
        if notice is not None and history is not None and not history.supported:
            notice = None  # it says what the message in place of the table says
        if change is not None and "notice" in change.kinds and notice is not None:
            text = Text()
            text.append_text(safe_text(notice.message, max_len=300))
            if notice.hint:
                text.append(" ")
                text.append_text(safe_text(notice.hint, max_len=200))
            if notice.command == "restore_version" and notice.level == "info":
                text.append("  ")
                text.append(f"({self._key_for('history.undo', 'u')}: undo)", "dim")
            self._status(text)

    def _draw_history(self) -> None:
        history = self._history()
        if history is None:
            self._draw_title(None)
            return
        self.set_class(not history.supported, "-unsupported")
        if not history.supported:
            self._entries, self._drawn = [], None
            self.query_one("#history-message", Static).update(
                safe_text(history.message, multiline=True)
            )
            self._draw_title(history)
            self.refresh_bindings()
            return
        if history.versions is not self._drawn:  # the model gives a new list when it changes
            newer = (
                self._newest is not None
                and history.current is not None
                and history.current.version > self._newest
            )
            kept = self.highlighted()
            self._drawn = history.versions
            self._entries = list(history.versions)
            self._newest = history.current.version if history.current is not None else None
            if self.base is not None and history.entry(self.base) is None:
                self.base = None
            self._fill_table(keep=kept.version if kept is not None and not newer else None)
            self.refresh_bindings()
        self._draw_title(history)

    def _draw_title(self, history: HistoryState | None) -> None:
        title = Text(no_wrap=True, end="")
        title.append("History of ", "dim")
        title.append(f"item {short_id(self.item_id)}", "bold")
        current = history.current if history is not None else None
        client_id = getattr(current.item, "client_item_id", None) if current else None
        if client_id:
            # each gap ends a run, never starts one: SVG renderers draw leading spaces late
            title.append("  ")
            title.append_text(safe_text(f"({client_id})", max_len=60, style="dim"))
        title.append("  ")
        title.append("in ", "dim")
        title.append_text(safe_text(self._dataset_name(history), max_len=60))
        if history is not None and history.supported:
            count = len(history.versions)
            title.append("   ")
            title.append(f"{count} version{'s' if count != 1 else ''}", "bold")
        update_label(self.query_one("#history-title", Static), title)
        self.query_one(AppHeader).context = f"history of item {short_id(self.item_id)}"

    def _dataset_name(self, history: HistoryState | None) -> str:
        state = self.model.state
        dataset_id = history.dataset_id if history is not None else ""
        dataset = state.page.dataset
        if dataset is not None and (not dataset_id or str(dataset.id) == dataset_id):
            return dataset.name
        for listed in state.datasets.datasets:
            if str(listed.id) == dataset_id:
                return listed.name
        return f"dataset {short_id(dataset_id)}" if dataset_id else "its dataset"

    def _fill_table(self, *, keep: int | None = -1) -> None:
        """The rows of ``self._entries``; the cursor goes to version ``keep`` (-1: the one it
        is on), else to the newest (after a restore or an undo: the version it just made)."""
        table = self.table
        if keep == -1:
            highlighted = self.highlighted()
            keep = highlighted.version if highlighted is not None else None
        self._set_columns()
        table.clear()
        now = self.app.clock()  # type: ignore[attr-defined]
        for entry in self._entries:
            table.add_row(*self._row(entry, now), key=str(entry.version))
        if not self._entries:
            self._show_highlighted()
            return
        index = next((n for n, e in enumerate(self._entries) if e.version == keep), 0)
        table.move_cursor(row=index, animate=False)
        self._shown_diff = None
        self._show_highlighted()

    def _row(self, entry: VersionEntry, now: datetime) -> list[Text]:
        mark_w, _, when_w, who_w, change_w, _ = self._widths
        marks = []
        if self._entries and entry is self._entries[0]:
            marks.append("current")
        if entry.version == self.base:
            marks.append("base")
        mark = Text(no_wrap=True, end="")
        if marks:
            mark.append("+".join(marks) if len(marks) > 1 else marks[0], "bold")
        version = Text(f"v{entry.version}")
        when = Text(no_wrap=True, end="")
        relative = ago(entry.when, now)
        if not relative.endswith(("ago", "now")):
            # past a month (or ahead of the clock) `ago` gives the date: the time beside it
            when.append(_absolute(entry.when) if when_w >= 24 else relative)
        elif when_w >= 24:
            when.append(relative)
            # the gap ends the plain run: SVG renderers draw a styled run's leading spaces late
            when.append(" " * max(2, 8 - when.cell_len))
            when.append(_absolute(entry.when), "dim")
        else:
            when.append(relative)
        change = Text(entry.change)
        return [
            _fit(mark, mark_w),
            version,
            when,
            _fit(safe_text(_who(entry), max_len=who_w * 2), who_w),
            _fit(change, change_w),
            Text(str(entry.revision), style="dim"),
        ]

    def highlighted(self) -> VersionEntry | None:
        """The version under the cursor."""
        table = self.table
        if not self._entries or table.row_count == 0:
            return None
        row = table.cursor_row
        if 0 <= row < len(self._entries):
            return self._entries[row]
        return None

    def _before(self, entry: VersionEntry) -> VersionEntry | None:
        """The version before ``entry`` (the next older one listed)."""
        older = [e for e in self._entries if e.version < entry.version]
        return max(older, key=lambda e: e.version) if older else None

    @on(DataTable.RowHighlighted, "#history-versions")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_highlighted()

    def _show_highlighted(self) -> None:
        """The detail line and the diff of the highlighted version: against the base when one
        is marked, else against the version before it."""
        entry = self.highlighted()
        self._draw_detail(entry)
        other: VersionEntry | None = None
        if entry is not None:
            if self.base is not None and self.base != entry.version:
                other = next((e for e in self._entries if e.version == self.base), None)
            else:
                other = self._before(entry)
        key = (
            entry.version if entry is not None else None,
            other.version if other is not None else None,
        )
        if key == self._shown_diff:
            return
        self._shown_diff = key
        compare = self.query_one("#history-compare", Static)
        view = self.query_one("#history-diff", DiffView)
        if entry is None:
            compare.update("")
            view.set_rows([])
            return
        rows: list[DiffRow] = []
        line = Text()
        if other is None:
            # the first version: everything it holds is new
            fields = diff_items(None, entry.item)
            line.append(f"v{entry.version}: {entry.change}", "bold")
            line.append("  ")
            line.append("(the first version: what it was created with)", "dim")
            archived = ""
        else:
            diff: VersionDiff = diff_versions(other.item, entry.item)
            fields = diff.fields
            archived = diff.archived_change
            line.append(diff.summary, "bold")
            line.append("  ")
            if self.base is not None and self.base != entry.version:
                mark = self._key_for("history.mark", "space")
                line.append(f"(compared with the base v{self.base}; {mark} clears it)", "dim")
            else:
                line.append(f"(v{entry.version} against the version before it)", "dim")
            if entry.version == self.base:
                line.append("  ")
                line.append("(base: move to another version to compare)", "dim")
        compare.update(line)
        for name in CONTENT_FIELDS:
            field = fields.get(name)
            if field is None:
                continue
            if rows:
                rows.append(("note", "", ()))
            rows.extend(diff_rows(field))
        if archived:
            if rows:
                rows.append(("note", "", ()))
            older = other.version if other is not None else entry.version
            rows.append(("title", f"# {archived} (v{older} → v{entry.version})", ()))
        if not rows:
            rows.append(("note", "(the same content: no field differs)", ()))
        view.set_rows(rows)
        view.scroll_home(animate=False, immediate=True)

    def _draw_detail(self, entry: VersionEntry | None) -> None:
        """Three lines under the table: the highlighted version's who, when and what, then its
        version id and its dataset revision's id, as text (to read or select)."""
        detail = Text(end="")
        if entry is not None:
            detail.append(f"v{entry.version}", "bold")
            # each gap ends a run, never starts a styled one (SVG renderers draw it late)
            detail.append("  ")
            detail.append(f"{_absolute(entry.when)} UTC  ", "dim")
            detail.append_text(safe_text(entry.who, max_len=120))
            detail.append(": ")
            detail.append(entry.change)
            detail.append("\n")
            detail.append(f"{'version id':<13}", "dim")
            detail.append(entry.version_id)
            detail.append("  ")
            detail.append(f"({self._key_for('history.copy_version_id', 'y')}: copy)", "dim")
            detail.append("\n")
            detail.append(f"{'revision id':<13}", "dim")
            detail.append(entry.revision_id)
            detail.append("  ")
            key = self._key_for("history.copy_revision", "Y")
            detail.append(f"(revision {entry.revision}; {key}: copy both)", "dim")
        update_label(self.query_one("#history-detail", Static), detail)

    def _status(self, text: str | Text) -> None:
        self.query_one("#history-status", Static).update(text)

    def _key_for(self, binding_id: str, default: str) -> str:
        """The key bound to ``binding_id`` (after the config's keymap) for a hint."""
        key_for = getattr(self.app, "key_for", None)
        if callable(key_for):
            return str(key_for(binding_id, default))
        return self.app.get_key_display(Binding(default, ""))

    # -- actions -----------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.base is not None:  # escape first clears the mark
            self.action_mark(clear=True)
            return
        self.app.run_worker(self.model.close_history(), exit_on_error=False)
        self.app.pop_screen()

    def action_mark(self, clear: bool = False) -> None:
        """Mark the highlighted version as the base of the diff; on the base: clear it."""
        entry = self.highlighted()
        if clear or entry is None or entry.version == self.base:
            self.base = None
            self._status("no base: each version is compared with the one before it")
        else:
            self.base = entry.version
            key = self._key_for("history.mark", "space")
            self._status(
                Text.assemble(
                    (f"compare against v{entry.version}", "bold"),
                    "  ",
                    (f"(move to a version to see its diff with it; {key} clears)", "dim"),
                )
            )
        self._fill_table()

    def action_restore(self) -> None:
        entry = self.highlighted()
        history = self._history()
        if entry is None or history is None or history.current is None:
            return
        current = history.current
        label = short_id(self.item_id)
        if entry.version == current.version:
            self.app.bell()
            self._status(f"v{entry.version} is already the current version of item {label}")
            return
        schema = self.schema
        names = [schema.label(name).lower() for name in CONTENT_FIELDS]
        fields = ", ".join(names[:-1]) + f" and {names[-1]}"
        message = f"Its {fields} become v{entry.version}'s."
        if current.archived:
            message += " The item comes back from the archive."
        message += f" v{current.version} stays in the history; undo puts it back."
        version = entry.version

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._status(Text("restoring…", style="italic"))
                self.run_model(
                    self.model.restore_version(version, self.item_id), group="history-write"
                )

        self.app.push_screen(
            ConfirmModal(
                f"Restore v{version} as the new current version of item {label}?",
                message,
                "Restore",
            ),
            answered,
        )

    def action_undo(self) -> None:
        async def undo_then_reload() -> None:
            await self.model.undo()
            # the undo made a new version (or removed nothing): show the history as it is now
            await self.model.load_history(self.item_id)

        self.run_model(undo_then_reload(), group="history-write")

    def action_copy_version_id(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        self.app.copy_to_clipboard(entry.version_id)
        self._status(f"copied the id of v{entry.version}: {entry.version_id}")
        self.notify(f"Copied version id {entry.version_id} (v{entry.version})", markup=False)

    def action_copy_revision(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        self.app.copy_to_clipboard(f"{entry.revision} {entry.revision_id}")
        what = f"revision {entry.revision} ({entry.revision_id})"
        self._status(f"copied the dataset {what}, made by v{entry.version}")
        self.notify(f"Copied dataset {what}", markup=False)

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if action in ("restore", "undo"):
            model = self._model_or_none()
            if model is not None and model.state.page_read_only:
                return False  # read-only, a past revision, the archived view: no writes
        if not super().check_action(action, parameters):
            return False
        if action in ("mark", "restore", "copy_version_id", "copy_revision"):
            history = self._history() if self._model_or_none() is not None else None
            return history is not None and history.supported
        return True
