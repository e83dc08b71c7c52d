"""``StringViewer``: a modal showing one (possibly very long) string whole, wrapped, safely."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from .line_view import LineView
from .safe_text import safe_text

__all__ = ["StringViewer"]


class StringViewer(ModalScreen[None]):
    """The whole of ``text`` in a soft-wrapped :class:`LineView`; ``escape`` or ``q`` closes.

    Control and bidi characters show as styled escapes; newlines break lines.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="string_viewer.close"),
    ]

    DEFAULT_CSS = """
    StringViewer {
        align: center middle;
        & > Vertical {
            width: 90%;
            height: 90%;
            border: round $primary;
            background: $surface;
        }
        & #string-viewer-title { color: $text-muted; height: 1; padding: 0 1; }
        & LineView { height: 1fr; }
    }
    """

    def __init__(self, text: str, *, title: str = "") -> None:
        super().__init__()
        self._body = text
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            caption = safe_text(self._title, max_len=200)
            caption.append(f"  {len(self._body):,} characters")
            yield Static(caption, id="string-viewer-title")
            yield LineView(self._body, soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one(LineView).focus()
