"""The trash: what was deleted (archived, on API v2) from this machine, with its content;
``enter`` restores.

The server never lists a deleted (or archived) row again, so the journal's copy
(``model.state.trash``) is the only way back. ``TrashScreen()`` lists it newest first (kind,
label, when, a one-line preview of the content) beside the pretty-printed JSON of the
highlighted entry; ``enter`` runs ``model.restore_item(id)`` or ``model.restore_dataset(id)``;
``escape`` goes back. On API v2 the server keeps what was archived: ``A`` shows all of it (the
open dataset's archived items, or the archived datasets), not only what this machine archived.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from explorer.model import Change, TrashRecord, salient
from explorer.tui.base import ModelScreen
from explorer.tui.components import JsonText, preview, safe_text

__all__ = ["TrashScreen"]


def _option_id(record: TrashRecord) -> str:
    return f"{record.kind}:{record.object_id}"


class TrashScreen(ModelScreen[None]):
    """Items and datasets deleted (archived) from this machine; ``enter`` restores the
    highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="trash.back"),
        Binding("enter", "restore", "Restore", id="trash.restore", priority=True),
        # API v2 keeps what was archived: the items list (or the datasets) shows all of it
        Binding("A", "archived", "All archived", id="trash.archived"),
    ]

    DEFAULT_CSS = """
    TrashScreen #trash-title {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
    }
    TrashScreen #trash-body {
        height: 1fr;
    }
    TrashScreen #trash-list {
        width: 2fr;
        height: 1fr;
    }
    TrashScreen #trash-content {
        width: 3fr;
        height: 1fr;
        border-left: solid $panel;
    }
    TrashScreen #trash-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[str, TrashRecord] = {}
        self._shown: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Trash", id="trash-title")
        with Horizontal(id="trash-body"):
            yield OptionList(id="trash-list")
            yield JsonText(None, id="trash-content")
        yield Static("", id="trash-status")
        yield Footer()

    def redraw(self, change: Change | None) -> None:
        state = self.model.state
        if change is None or "trash" in change.kinds:
            records = sorted(state.trash, key=lambda r: r.deleted_at, reverse=True)
            self._records = {_option_id(r): r for r in records}
            options = self.query_one(OptionList)
            index = options.highlighted
            options.clear_options()
            options.add_options(Option(self._label(r), id=_option_id(r)) for r in records)
            if records:
                options.highlighted = min(index or 0, len(records) - 1)
                self._show(_option_id(records[min(index or 0, len(records) - 1)]))
            else:
                self._show(None)
            count = len(records)
            removed = self.schema.removed_word
            title = f"Trash: {count} {removed} from this machine" if count else "Trash is empty"
            self.query_one("#trash-title", Static).update(title)
        if change is None and self._archive_below() is not None:
            self.query_one("#trash-status", Static).update(
                "A shows everything archived on the server, not only from this machine."
            )
        if change is not None and "notice" in change.kinds and state.notice is not None:
            self.query_one("#trash-status", Static).update(
                safe_text(state.notice.message, max_len=300)
            )
        if state.busy.delete:
            self.query_one("#trash-status", Static).update("restoring…")

    def _label(self, record: TrashRecord) -> Text:
        label = Text(no_wrap=True, end="")
        label.append(f"{record.kind:<8}", "bold")
        label.append_text(safe_text(record.label, max_len=40))
        label.append("  ")  # a gap ends a run: SVG renderers draw leading spaces after the text
        when = record.deleted_at[:19].replace("T", " ")
        label.append(f"{when}  (unconfirmed)" if not record.confirmed else when, "dim")
        label.append("\n  ")
        content = record.content
        if record.kind == "item" and "input" in content:
            shown: Any = salient(content.get("input"))  # what tells the item apart
        else:
            keys = ("input", self.schema.answer_field, "name")
            shown = {k: content.get(k) for k in keys if k in content}
        label.append_text(preview(shown or content, 60))
        return label

    def _show(self, option_id: str | None) -> None:
        if option_id == self._shown:
            return
        self._shown = option_id
        record = self._records.get(option_id or "")
        self.query_one(JsonText).load(record.content if record is not None else None)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option.id)

    def action_restore(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option_id = options.get_option_at_index(options.highlighted).id
        record = self._records.get(option_id or "")
        if record is None:
            return
        if record.kind == "item":
            command = self.model.restore_item(record.object_id)
        else:
            command = self.model.restore_dataset(record.object_id)
        self._shown = None
        self.query_one("#trash-status", Static).update("restoring…")
        self.app.run_worker(command, group="trash-restore", exit_on_error=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _archive_below(self) -> Any:
        """On API v2, the screen under the trash that lists the archive (the items list: the
        dataset's archived items; the datasets: the archived datasets), else None."""
        if not self.schema.versioned:
            return None  # classic cannot list deleted rows: the trash is the only way back
        stack = self.app.screen_stack
        if len(stack) < 2 or stack[-1] is not self:
            return None
        below = stack[-2]
        return below if callable(getattr(below, "action_archived", None)) else None

    def action_archived(self) -> None:
        below = self._archive_below()
        if below is None:
            return
        self.app.pop_screen()
        below.action_archived(True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "archived":
            return self._archive_below() is not None
        return super().check_action(action, parameters)
