"""The selected item, read-only: Input, Output, Metadata and References as tabs.

JSON shows highlighted or as a collapsible tree, cut to a budget (a 5 MB item costs what a 5 KB
one does) with "Show all" to lift it. Only the visible tab is rendered.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.api.models import DatasetItem
from explorer.model import ModelState
from widgets._base import Part
from widgets._render import (
    badge_html,
    escape_text,
    has_trace,
    json_html,
    json_tree_html,
    refs_html,
    short_id,
)

__all__ = ["FULL_BUDGET", "TABS", "ItemView"]

TABS = ("input", "output", "metadata", "references")
_TITLES = ("Input", "Output", "Metadata", "References")
# "Show all": still bounded, so a click cannot send the browser a gigabyte.
FULL_BUDGET: dict[str, int] = {
    "max_string": 4_000_000,
    "max_items": 200_000,
    "max_chars": 8_000_000,
}
_MORE = 'class="dx-more"'


class ItemView(Part):
    def build(self) -> Any:
        self.title: Any = w.HTML()
        self.mode: Any = w.ToggleButtons(
            options=[("Highlighted", "pretty"), ("Tree", "tree")],
            value="pretty",
            tooltips=["pretty-printed JSON", "collapsible tree"],
        )
        self.mode.style.button_width = "auto"
        self.show_all: Any = w.ToggleButton(
            value=False,
            description="Show all",
            tooltip="show long values in full",
            disabled=True,
            layout=w.Layout(width="auto"),
        )
        self.panes: list[Any] = [w.HTML() for _ in TABS]
        self.tabs: Any = w.Tab(children=self.panes, titles=_TITLES)
        self.tabs.add_class("dx-item-tabs")
        self.observe(self.mode, lambda _: self._render(force=True), "value")
        self.observe(self.show_all, lambda _: self._render(force=True), "value")
        self.observe(self.tabs, lambda _: self._render(), "selected_index")
        self._shown: tuple[Any, ...] | None = None
        self._item: DatasetItem | None = None
        self.box: Any = w.VBox([self.title, w.HBox([self.mode, self.show_all]), self.tabs])
        self.box.add_class("dx-item-view")
        return self.box

    def redraw(self, state: ModelState) -> None:
        item = state.selection
        if item is None or self._item is None or item.id != self._item.id:
            with self.quiet():
                self.show_all.value = False
        self._item = item
        if item is None:
            self.title.value = ""
            for pane in self.panes:
                pane.value = ""
            self.panes[
                self.tabs.selected_index or 0
            ].value = '<div class="dx-note">Select a row above to see its item.</div>'
            self._shown = None
            self.show_all.disabled = True
            return
        badges = []
        if has_trace(item):
            badges.append(badge_html("trace", "trace"))
        if item.deleted:
            badges.append(badge_html("deleted", "error"))
        self.title.value = (
            f'<div class="dx-item-title">Item <code title="{escape_text(str(item.id))}">'
            f"{escape_text(short_id(item.id))}</code> · created "
            f"{item.created_at:%Y-%m-%d %H:%M} · updated {item.updated_at:%Y-%m-%d %H:%M} UTC"
            f" {' '.join(badges)}</div>"
        )
        self._render()

    def _render(self, *, force: bool = False) -> None:
        item = self._item
        if item is None:
            return
        index = self.tabs.selected_index or 0
        name = TABS[index]
        full = bool(self.show_all.value)
        key = (item.id, item.updated_at, index, self.mode.value, full, self._host)
        if key == self._shown and not force:
            return
        self._shown = key
        if name == "references":
            html = refs_html(item, self._host, self._project)
        else:
            value = getattr(item, name)
            budget = FULL_BUDGET if full else {}
            if self.mode.value == "tree":
                html = json_tree_html(value, **budget)
            else:
                html = json_html(value, **budget)
        for i, pane in enumerate(self.panes):
            if i != index and pane.value:
                pane.value = ""  # only the visible tab holds HTML: bounded browser memory
        self.panes[index].value = html
        self.show_all.disabled = not full and _MORE not in html

    @property
    def _host(self) -> str:
        return self.model.state.host

    @property
    def _project(self) -> str:
        return self.model.state.project_id
