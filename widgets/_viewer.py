"""The selected item, read-only: a tab per JSON field of its API generation (classic: Input,
Output, Metadata; v2: Input, Expected output, Source output, Metadata) and References (its
link fields and the trace link). The tabs come from ``state.schema``.

JSON shows highlighted or as a collapsible tree, cut to a budget (a 5 MB item costs what a 5 KB
one does) with "Show all" to lift it. Only the visible tab is rendered. A versioned item's title
shows its version (``v3``) and the version's id as text that one click selects whole.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.api.models import AnyItem
from explorer.model import ItemSchema, ModelState
from widgets._base import Part
from widgets._render import (
    badge_html,
    escape_attr,
    escape_text,
    has_trace,
    json_html,
    json_tree_html,
    refs_html,
    short_id,
    updated_value,
)

__all__ = ["FULL_BUDGET", "LINKS_TAB", "ItemView", "tabs_of"]

LINKS_TAB = ("references", "References")
"""The last tab: the item's link fields and its trace link."""
# "Show all": still bounded, so a click cannot send the browser a gigabyte.
FULL_BUDGET: dict[str, int] = {
    "max_string": 4_000_000,
    "max_items": 200_000,
    "max_chars": 8_000_000,
}
_MORE = 'class="dx-more"'


def tabs_of(schema: ItemSchema) -> tuple[tuple[str, str], ...]:
    """(field name, title) per tab: the schema's JSON fields in its order, then References."""
    return (*((name, schema.label(name)) for name in schema.json_fields), LINKS_TAB)


def _when(value: Any) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def title_html(item: AnyItem, schema: ItemSchema) -> str:
    """The item's id (the full one on hover), its version and version id when versioned, when
    it was created and last changed, and badges (linked to a trace; removed)."""
    parts = [
        f'Item <code title="{escape_attr(str(item.id))}">{escape_text(short_id(item.id))}</code>'
    ]
    version = ItemSchema.version_label(item)
    if version:
        version_id = ItemSchema.version_id(item)
        parts.append(
            f'<span class="dx-version">{escape_text(version)}</span> · version id'
            f' <code class="dx-version-id" title="the id of this version (click to select it,'
            f' then copy)">{escape_text(version_id)}</code>'
        )
    parts.append(f"created {_when(item.created_at)}")
    parts.append(f"updated {_when(updated_value(item))} UTC")
    badges = []
    if has_trace(item):
        badges.append(badge_html("trace", "trace"))
    if ItemSchema.is_removed(item):
        badges.append(badge_html(schema.removed_word, "error"))
    return f'<div class="dx-item-title">{" · ".join(parts)} {" ".join(badges)}</div>'


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
        self.tabs: Any = None
        self.names: tuple[str, ...] = ()
        self.panes: list[Any] = []
        self._schema: ItemSchema | None = None
        self.box: Any = w.VBox([self.title, w.HBox([self.mode, self.show_all])])
        self.box.add_class("dx-item-view")
        self._set_tabs(self.model.state.schema)
        self.observe(self.mode, lambda _: self._render(force=True), "value")
        self.observe(self.show_all, lambda _: self._render(force=True), "value")
        self._shown: tuple[Any, ...] | None = None
        self._item: AnyItem | None = None
        return self.box

    def _set_tabs(self, schema: ItemSchema) -> None:
        """A tab per field of ``schema`` (the selected field stays selected). A new ``Tab``
        replaces the old one: a shown ``Tab`` whose children change can lose its titles in
        the browser (its view renders the new children and titles out of step)."""
        self._schema = schema
        tabs = tabs_of(schema)
        names = tuple(name for name, _ in tabs)
        if names == self.names:
            return
        old = self.tabs
        selected = self.names[old.selected_index or 0] if old is not None else names[0]
        self.names = names
        self.panes = [w.HTML() for _ in names]
        self.tabs = w.Tab(
            children=self.panes,
            titles=tuple(title for _, title in tabs),
            selected_index=names.index(selected) if selected in names else 0,
        )
        self.tabs.add_class("dx-item-tabs")
        self.observe(self.tabs, lambda _: self._render(), "selected_index")
        self.box.children = (*self.box.children[:2], self.tabs)
        if old is not None:
            for pane in old.children:
                pane.close()
            old.close()
        self._shown = None

    def redraw(self, state: ModelState) -> None:
        if state.schema is not self._schema:
            self._set_tabs(state.schema)
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
        self.title.value = title_html(item, state.schema)
        self._render()

    def _render(self, *, force: bool = False) -> None:
        item = self._item
        if item is None or self.busy:
            return
        index = self.tabs.selected_index or 0
        name = self.names[index]
        full = bool(self.show_all.value)
        key = (item.id, ItemSchema.token(item), index, self.mode.value, full, self._host)
        if key == self._shown and not force:
            return
        self._shown = key
        if name == LINKS_TAB[0]:
            html = refs_html(item, self._host, self._project)
        else:
            value = ItemSchema.value(item, name)
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
