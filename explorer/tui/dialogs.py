"""Dialogs of the terminal app: confirmations, the save diff, conflicts, drafts offered back.

- :class:`ConfirmModal` (``ModalScreen[bool]``): a yes/no question; ``enter``/``y`` confirm,
  ``escape``/``n`` cancel.

Every text that may come from a dataset is drawn as plain ``Text`` (``safe_text``), never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from explorer.tui.components import safe_text

__all__ = ["ConfirmModal"]


class ConfirmModal(ModalScreen[bool]):
    """Ask one question; dismisses with True (confirm) or False (cancel).

    ``title`` and ``message`` are shown literally (no markup), so they may quote item text.
    """

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
    }
    ConfirmModal > Vertical {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    ConfirmModal .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ConfirmModal .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmModal Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Confirm", id="confirm.confirm"),
    ]

    def __init__(self, title: str, message: str, confirm_label: str = "OK") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self._title), classes="dialog-title")
            yield Static(safe_text(self._message, multiline=True), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self._confirm_label, id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
