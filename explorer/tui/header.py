"""The header every screen shows: host, project, the server's API generation (``classic API`` or
``API v2``, once its first answer told), a READ-ONLY badge, where you are, what is loading; and
below it a banner while the server cannot be reached.

`AppHeader` follows the app's model by itself, so any screen can ``yield AppHeader()`` and set
``header.context`` (e.g. the open dataset's name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from explorer.model import Change
from explorer.tui.components import safe_text

__all__ = ["AppHeader", "update_label"]


def _busy_text(app: Any) -> str:
    busy = app.model.state.busy
    if busy.save:
        return "saving…"
    if busy.delete:
        return "working…"
    if busy.export:
        return "exporting…"
    if busy.datasets or busy.page or busy.item or busy.history:
        return "loading…"
    return ""


class AppHeader(Vertical):
    """Header line and unreachable banner; redraws itself after every model change."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: auto;
        & > Horizontal { height: 1; background: $panel; }
        & Static { width: auto; height: 1; padding: 0 1; }
        & #header-title { text-style: bold; color: $accent; }
        & #header-context { width: 1fr; text-style: bold; }
        & #header-api { color: $text-muted; }
        & #header-readonly { background: $warning; color: $background; text-style: bold;
                             display: none; }
        & #header-readonly.-on { display: block; }
        & #header-view { background: $warning; color: $background; text-style: bold;
                         display: none; margin-left: 1; }
        & #header-view.-on { display: block; }
        & #header-busy { color: $text-muted; }
        & #header-banner { width: 1fr; background: $error; color: $text; display: none; }
        & #header-banner.-on { display: block; }
    }
    """

    def __init__(self, context: str = "") -> None:
        super().__init__()
        self._where_text = context
        self._unsubscribe: Callable[[], None] | None = None
        self._shown: dict[str, object] = {}  # selector: what it shows (see _update)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("PostHog datasets", id="header-title")
            yield Static("", id="header-where")
            yield Static("", id="header-api")
            yield Static("READ-ONLY", id="header-readonly")
            yield Static("", id="header-view")
            yield Static("", id="header-context")
            yield Static("", id="header-busy")
        yield Static("", id="header-banner")

    @property
    def context(self) -> str:
        return self._where_text

    @context.setter
    def context(self, value: str) -> None:
        self._where_text = value
        if self.is_mounted:
            self.redraw()

    def on_mount(self) -> None:
        model = getattr(self.app, "model_or_none", None)
        if model is not None:
            self._unsubscribe = model.subscribe(self._on_change)
        self.redraw()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_change(self, change: Change) -> None:
        self.call_next(self.redraw)

    def redraw(self) -> None:
        app: Any = self.app
        model = getattr(app, "model_or_none", None)
        if model is None:
            self._update("#header-where", "not connected", lambda: "not connected")
            return
        state = model.state
        host, project = state.host, str(state.project_id)
        self._update("#header-where", (host, project), lambda: _where(host, project))
        # the server's generation is None until its first answer told
        api = state.schema.api_label if state.generation is not None else ""
        if self._shown.get("#header-api", _NOTHING) != api:
            self.query_one("#header-api", Static).display = bool(api)
            self._update("#header-api", api, lambda: api)
        self.query_one("#header-readonly", Static).set_class(state.read_only, "-on")
        view = _view_badge(state.page)  # a past revision, the archived items
        self.query_one("#header-view", Static).set_class(bool(view), "-on")
        self._update("#header-view", view, lambda: view)
        # The context may be a dataset name: untrusted text, shown plain.
        context = self._where_text
        self._update("#header-context", context, lambda: safe_text(context, max_len=120))
        busy = _busy_text(app)
        self._update("#header-busy", busy, lambda: busy)
        banner = self.query_one("#header-banner", Static)
        unreachable = bool(getattr(app, "unreachable", False))
        banner.set_class(unreachable, "-on")
        if unreachable:
            self._update("#header-banner", host, lambda: _banner(host))

    def _update(self, selector: str, key: object, content: Callable[[], RenderableType]) -> None:
        """Update one part only when what it shows changed: an update of an auto-width label
        costs a layout of the whole screen, and the header redraws after every model change."""
        if self._shown.get(selector, _NOTHING) == key:
            return
        self._shown[selector] = key
        self.query_one(selector, Static).update(content())


_NOTHING = object()


def _view_badge(page: Any) -> str:
    """``"REVISION 12 · READ-ONLY"``, ``"ARCHIVED ITEMS"``: what the open dataset shows when not
    its live items; "" for the live items (or no dataset open)."""
    if page.dataset is None:
        return ""
    parts = []
    if page.revision is not None:
        parts.append(f"REVISION {page.revision}")
    if page.archived:
        parts.append("ARCHIVED ITEMS")
    if page.revision is not None:
        parts.append("READ-ONLY")
    return " · ".join(parts)


def update_label(label: Static, content: str | Text) -> None:
    """``label.update(content)`` unless it already shows that (same text and spans): an update
    of an auto-width label costs a layout of the whole screen, even when nothing changed; and
    without that layout when the new text is exactly as wide (a page range, a count)."""
    shown = label.content
    if isinstance(content, Text):
        same = isinstance(shown, Text) and shown == content and shown.style == content.style
    else:
        same = isinstance(shown, str) and shown == content
    if same:
        return
    single_line = isinstance(shown, str | Text) and "\n" not in str(shown) + str(content)
    as_wide = single_line and _cells(shown) == _cells(content)  # type: ignore[arg-type]
    label.update(content, layout=not as_wide)


def _cells(content: str | Text) -> int:
    return content.cell_len if isinstance(content, Text) else cell_len(content)


def _where(host: str, project: str) -> Text:
    where = Text(no_wrap=True, end="")
    # Gaps end a run, never start a styled one: the text is the same either way, but SVG
    # renderers (rsvg: snapshots, the README's picture) draw a run's leading spaces after it,
    # which glued "…:8010project".
    where.append("host ", style="dim")
    where.append_text(safe_text(host, max_len=80))
    where.append("  ")
    where.append("project ", style="dim")
    where.append_text(safe_text(project, max_len=40))
    return where


def _banner(host: str) -> Text:
    text = Text(f"Cannot reach {host}. ", style="bold")
    text.append("Showing what was loaded last; check the network, then refresh.")
    return text
