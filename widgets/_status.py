"""The header (host, project, API generation, READ-ONLY, a past revision or the archived items
shown) and the status area (progress, notices, errors)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from widgets._render import badge_html, escape_text, status_html

__all__ = ["Header", "StatusArea"]

_BUSY_TEXT = {
    "datasets": "Loading the datasets…",
    "page": "Loading the page…",
    "item": "Opening the item…",
    "save": "Saving…",
    "delete": "Working on the trash…",
    "history": "Loading the history…",
    "export": "Exporting…",
    "search": "Searching…",
    "bulk": "Working on the marked items…",
}


class Header:
    """One line: what this panel is connected to (and which API generation the server speaks,
    once its first answer told). The key is never shown."""

    def __init__(self, demo: bool) -> None:
        self.demo = demo
        self.widget: Any = w.HTML()
        self.widget.add_class("dx-header")

    def redraw(self, state: ModelState, *, generation_known: bool = True) -> None:
        parts = [
            "<b>PostHog datasets</b>",
            f'<span class="dx-host">{escape_text(state.host)}</span>',
            f"project {escape_text(state.project_id)}",
        ]
        if generation_known:
            parts.append(f'<span class="dx-api">{escape_text(state.schema.api_label)}</span>')
        if state.read_only:
            parts.append(badge_html("READ-ONLY", "warning"))
        view = state.page.view_label  # a past revision (read-only) or the archived items
        if view and state.page.dataset is not None:
            kind = "warning" if state.page.revision is not None else "info"
            parts.append(badge_html(f"{state.page.dataset.name[:60]}: {view}", kind))
        if self.demo:
            parts.append(badge_html("demo server", "info"))
        value = f'<div class="dx-head">{" · ".join(parts)}</div>'
        if self.widget.value != value:
            self.widget.value = value


class StatusArea:
    """What is in flight and the latest notice (what happened, what to do).

    Failures of the panel itself (a bug in a callback) show here too, as errors: a callback's
    ``print`` would vanish in a notebook.
    """

    def __init__(self) -> None:
        self.widget: Any = w.HTML()
        self.widget.add_class("dx-status-area")
        self.error: str | None = None
        self._shown_notice: object = None
        self._hidden: object = None

    def settled(self, state: ModelState, command: str) -> None:
        """``command`` ran again without a new notice: a problem it reported before is over
        (a refresh that works after one that failed), so its notice is no longer shown."""
        notice = state.notice
        if notice is not None and notice.command == command and notice.level != "info":
            self._hidden = notice

    def redraw(self, state: ModelState) -> None:
        lines: list[str] = []
        busy = state.busy
        for kind, text in _BUSY_TEXT.items():
            if getattr(busy, kind):
                lines.append(status_html("busy", text))
                break
        notice = state.notice
        if notice is not self._shown_notice:
            self._shown_notice = notice
            self.error = None  # a newer notice replaces a panel error
        if self.error is not None:
            lines.append(status_html("error", self.error))
        elif notice is not None and notice is not self._hidden:
            text = notice.message + (f"\n{notice.hint}" if notice.hint else "")
            kind = notice.level if notice.level != "info" else "ok"
            done = ("Saved", "Created", "Moved", "Restored", "Undid", "Discarded", "Wrote")
            if notice.level == "info" and not notice.message.startswith(
                (*done, state.schema.removed_label)
            ):
                kind = "info"
            lines.append(status_html(kind, text))
        if not lines:
            lines.append(status_html("info", "Ready."))
        self.widget.value = "".join(lines)

    def show_error(self, message: str, state: ModelState) -> None:
        self.error = message
        self.redraw(state)
