"""``g`` on the items screen: type a page number, ``enter`` goes there, ``escape`` cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Input, Static

__all__ = ["PagePrompt"]


class PagePrompt(ModalScreen[int | None]):
    """Dismisses with the page number (1 to ``page_count``) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="page_prompt.cancel"),
    ]

    def __init__(self, current: int, page_count: int) -> None:
        super().__init__()
        self.current = current
        self.page_count = page_count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="page-prompt"):
            yield Static(Text("Go to page", style="bold"), classes="dialog-title")
            yield Input(
                placeholder=f"1-{self.page_count:,}",
                type="integer",
                validators=[Integer(minimum=1, maximum=self.page_count)],
                validate_on=["submitted"],
                id="page-prompt-input",
            )
            yield Static(
                Text(f"now on page {self.current:,} of {self.page_count:,}", style="dim"),
                id="page-prompt-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        hint = self.query_one("#page-prompt-hint", Static)
        if not event.value.strip():
            self.dismiss(None)
            return
        if event.validation_result is not None and not event.validation_result.is_valid:
            hint.update(Text(f"Type a page from 1 to {self.page_count:,}.", style="bold"))
            return
        self.dismiss(int(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
