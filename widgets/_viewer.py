"""The selected item, read-only, its question beside its answer: the input on the left, the
answer (v2: the expected output, then the recorded source output) on the right, the metadata and
References (its link fields and the trace link) below. Which field goes where comes from the roles
in ``state.schema`` (`FieldSpec.role`), never from field names; the two columns stack when the
view is narrow (CSS flex-wrap).

Three ways to show the values, one click apart: **Read** (a conversation as messages, text with
its line breaks: `read_html`), **JSON** (highlighted) and **Tree** (collapsible); a fourth tab,
**History**, shows the item's versions instead (`widgets._history`, built when first opened).
Everything is cut to one budget shared by the fields (a 5 MB item costs what a 5 KB one does: at
most about `ITEM_BUDGET` characters of HTML), with "Show all" to lift it. A versioned item's title
shows its version (``v3``) and the version's id as text that one click selects whole.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.api.models import AnyItem
from explorer.model import ItemSchema, ModelState
from widgets._base import Part
from widgets._history import HistoryView
from widgets._render import (
    badge_html,
    escape_attr,
    escape_text,
    has_trace,
    json_html,
    json_tree_html,
    read_html,
    refs_html,
    short_id,
    updated_value,
)

__all__ = [
    "FULL_BUDGET",
    "ITEM_BUDGET",
    "MODES",
    "ItemView",
    "body_html",
    "columns_of",
    "title_html",
]

MODES = (("Read", "read"), ("JSON", "json"), ("Tree", "tree"), ("History", "history"))
"""(label, value) of the view's toggle: read as text and conversation, highlighted JSON, tree;
and the item's history (its versions, their diffs, restore)."""
ITEM_BUDGET = 160_000
"""Characters of HTML the fields share (about 160 KiB: the whole view stays under 200 KiB)."""
# "Show all": still bounded, so a click cannot send the browser a gigabyte.
FULL_BUDGET: dict[str, int] = {
    "max_string": 4_000_000,
    "max_items": 200_000,
    "max_chars": 8_000_000,
}
_MORE = 'class="dx-more"'
_LEFT_ROLES = ("input",)
_RIGHT_ROLES = ("answer", "output")


def columns_of(schema: ItemSchema) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The JSON fields of ``schema`` by where they show: (left: the input; right: the answer,
    then the recorded output; below: the rest, the metadata), each in the schema's order."""
    json_specs = [f for f in schema.fields if f.kind == "json"]
    left = tuple(f.name for f in json_specs if f.role in _LEFT_ROLES)
    right = tuple(f.name for role in _RIGHT_ROLES for f in json_specs if f.role == role)
    below = tuple(f.name for f in json_specs if f.name not in left + right)
    return left, right, below


def _value_html(value: Any, mode: str, budget: dict[str, int]) -> str:
    if mode == "tree":
        return json_tree_html(value, **budget)
    if mode == "json":
        return json_html(value, **budget)
    if value is None:
        return '<div class="dx-read"><span class="dx-none">not set</span></div>'
    return read_html(value, **budget)


def _values_html(
    values: dict[str, Any], mode: str, full: bool, total: int | None = None
) -> dict[str, str]:
    """Each value's HTML, the fields sharing ``total`` characters: a fair share each, then
    what the short ones left over goes to the ones that were cut."""
    extra = {k: v for k, v in FULL_BUDGET.items() if k != "max_chars"} if full else {}
    total = total or (FULL_BUDGET["max_chars"] if full else ITEM_BUDGET)
    share = total // max(1, len(values))
    out = {name: _value_html(v, mode, {**extra, "max_chars": share}) for name, v in values.items()}
    cut = [name for name, html in out.items() if _MORE in html]
    spare = total - sum(len(html) for name, html in out.items() if name not in cut)
    if cut and spare > share * len(cut):
        bigger = {**extra, "max_chars": spare // len(cut)}
        for name in cut:
            out[name] = _value_html(values[name], mode, bigger)
    return out


def _field_html(schema: ItemSchema, name: str, content: str) -> str:
    spec = schema.spec(name)
    note = ""
    if spec is not None and not spec.editable:
        note = ' <span class="dx-note">(read-only)</span>'
    return (
        f'<div class="dx-field dx-field-{name}">'
        f'<div class="dx-field-label">{escape_text(schema.label(name))}{note}</div>'
        f"{content}</div>"
    )


def body_html(
    item: AnyItem,
    schema: ItemSchema,
    *,
    mode: str = "read",
    full: bool = False,
    host: str = "",
    project: str = "",
) -> str:
    """The item's fields in two columns (``dx-col-input``, ``dx-col-answer``) and below them
    (``dx-item-below``) the rest and References; ``mode`` ``read``, ``json`` or ``tree``;
    ``full`` lifts the cut (to `FULL_BUDGET`). Every value is escaped."""
    left, right, below = columns_of(schema)
    values = {name: ItemSchema.value(item, name) for name in (*left, *right, *below)}
    shown = _values_html(values, mode, full)

    def fields(names: tuple[str, ...]) -> str:
        return "".join(_field_html(schema, name, shown[name]) for name in names)

    refs = (
        '<div class="dx-field dx-field-references"><div class="dx-field-label">References</div>'
        f"{refs_html(item, host, project)}</div>"
    )
    return (
        '<div class="dx-item-cols">'
        f'<div class="dx-item-col dx-col-input">{fields(left)}</div>'
        f'<div class="dx-item-col dx-col-answer">{fields(right)}</div>'
        f'</div><div class="dx-item-below">{fields(below)}{refs}</div>'
    )


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
            options=list(MODES),
            value="read",
            tooltips=[
                "conversations as messages, text with its line breaks",
                "pretty-printed JSON",
                "collapsible tree",
                "every version: who changed what, when; restore an earlier one",
            ],
        )
        self.mode.style.button_width = "auto"
        self.mode.add_class("dx-item-mode")
        self.show_all: Any = w.ToggleButton(
            value=False,
            description="Show all",
            tooltip="show long values in full",
            disabled=True,
            layout=w.Layout(width="auto"),
        )
        self.body: Any = w.HTML()
        self.body.add_class("dx-item-body")
        tools = w.HBox([self.mode, self.show_all])
        tools.add_class("dx-item-tools")
        self.box: Any = w.VBox([self.title, tools, self.body])
        self.box.add_class("dx-item-view")
        self.observe(self.mode, lambda _: self._render(force=True), "value")
        self.observe(self.show_all, lambda _: self._render(force=True), "value")
        self._shown: tuple[Any, ...] | None = None
        self._item: AnyItem | None = None
        self._schema: ItemSchema = self.model.state.schema
        self.history = HistoryView(self.model, self.tasks)
        return self.box

    @property
    def showing_history(self) -> bool:
        return bool(self.mode.value == "history")

    def _show_history(self, on: bool) -> None:
        """The History tab in place of the values (its widgets made the first time)."""
        if on and not self.history.built:
            self.box.children = (*self.box.children, self.history.build())
        if self.history.built:
            self.history.box.layout.display = "" if on else "none"
        self.body.layout.display = "none" if on else ""
        self.show_all.layout.display = "none" if on else ""

    def redraw_history(self, state: ModelState) -> None:
        """Redraw the History tab when it is shown (after any change of the model)."""
        if self.showing_history:
            self.history.redraw(state)

    def redraw(self, state: ModelState) -> None:
        item = state.selection
        if item is None or self._item is None or item.id != self._item.id:
            with self.quiet():
                self.show_all.value = False
        if state.schema is not self._schema:
            self._schema = state.schema
            self._shown = None
        self._item = item
        if item is None:
            self.title.value = ""
            self.body.value = '<div class="dx-note">Select a row to see its item.</div>'
            self._show_history(False)
            self._shown = None
            self.show_all.disabled = True
            return
        self.title.value = title_html(item, state.schema)
        self._render()

    def _render(self, *, force: bool = False) -> None:
        item = self._item
        if item is None or self.busy:
            return
        mode = str(self.mode.value)
        self._show_history(mode == "history")
        if mode == "history":
            self._shown = None
            self.history.redraw(self.model.state)
            return
        full = bool(self.show_all.value)
        key = (item.id, ItemSchema.token(item), mode, full, self._host, self._schema)
        if key == self._shown and not force:
            return
        self._shown = key
        html = body_html(
            item, self._schema, mode=mode, full=full, host=self._host, project=self._project
        )
        self.body.value = html
        self.show_all.disabled = not full and _MORE not in html

    @property
    def _host(self) -> str:
        return self.model.state.host

    @property
    def _project(self) -> str:
        return self.model.state.project_id
