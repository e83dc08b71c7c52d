"""The inspector: one item, read-only, at keyboard speed.

``InspectorScreen(item_id)`` shows ``model.state.selection`` (it awaits ``model.select(item_id)``
on mount when the selection is another item): id, version (v2: ``v3``, and the version's id),
dataset, created/updated and by whom, every link field of the item's API generation (classic
``ref_*``, v2 ``source_*``) and the item's trace in PostHog when they name one; then a tab per
JSON field of the server's item schema (classic: input, output, metadata; v2: input, expected
output, metadata, source output), each as a lazily expanded JSON tree or as pretty-printed
highlighted text (``t`` toggles; the text view is built the first time it is needed).

Keys: ``1``-``4`` show the fields (the schema's keys); ``t`` tree/text; ``y`` copies the value
under the cursor (the whole field in the text view), ``Y`` its JSON path (``$.input.messages[0]``)
through ``App.copy_to_clipboard`` (OSC 52); ``v`` copies the version id (v2; what PostHog's
offline experiments point at); ``E`` unfolds everything under the cursor in the tree (again:
folds it); ``/`` finds text in every field as its JSON text shows it, highlighting matches as
the query is typed (the search runs off the UI thread, so a 5 MB item never holds a key up);
``n``/``N`` step through every match of all the fields in tab order, switching to the field that
holds the next one ("match 4 of 9"); ``enter`` on a cut string shows it whole; ``o`` opens the
trace URL; ``e`` opens the editor on this item; ``escape`` goes back.

All item text reaches the screen through :mod:`explorer.tui.components` (never markup).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Input, Static, TabbedContent, TabPane
from textual.widgets.tree import TreeNode

from explorer.api.models import AnyItem, short_id
from explorer.model import Change, FieldSpec, ItemSchema
from explorer.tui.base import SCHEMAS, ModelScreen
from explorer.tui.components.footer import Footer
from explorer.tui.components.json_text import JsonText
from explorer.tui.components.json_tree import JsonNode, JsonTree
from explorer.tui.components.line_view import LineView
from explorer.tui.components.safe_text import preview, safe_text
from explorer.tui.when import updated_at

__all__ = [
    "FieldText",
    "FieldTree",
    "InspectorScreen",
    "field_tabs",
    "item_header",
    "trace_url",
]

STRING_LIMIT = 200  # characters of a string shown in the tree before it is cut
FIND_DEBOUNCE = 0.06  # seconds of quiet typing in the find box before the search starts
FIELD_KEY_IDS = {
    "1": "inspector.input",
    "2": "inspector.output",
    "3": "inspector.metadata",
    "4": "inspector.source_output",
}
"""The binding id of each field key (a ``[keys]`` entry moves the key of every generation)."""


def field_tabs(schema: ItemSchema) -> tuple[FieldSpec, ...]:
    """The fields the inspector shows as tabs: the schema's JSON fields that have a key, in
    key order."""
    return tuple(sorted((f for f in schema.fields if f.key), key=lambda f: f.key))


def _field_bindings() -> list[Binding]:
    """``1``-``4``: one binding per field of each schema (``2`` is ``output`` on classic and
    ``expected_output`` on v2, with their labels); `InspectorScreen.check_action` lets through
    those of the server's generation."""
    labels: dict[tuple[str, str], str] = {}
    for schema in SCHEMAS:
        for spec in field_tabs(schema):
            labels.setdefault((spec.key, spec.name), spec.label)
    # one footer entry for the keys ("1234 Field"): the tabs name the fields
    group = Binding.Group("Field", compact=True)
    return [
        Binding(key, f"show_field({name!r})", label, id=FIELD_KEY_IDS[key], group=group)
        for (key, name), label in sorted(labels.items())
    ]


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def trace_url(item: AnyItem, host: str, project_id: str | int) -> str | None:
    """The item's trace in PostHog (`DatasetItem.trace_url`, `VersionedItem.trace_url`) in the
    project the app is connected to; None unless the item's link fields name one."""
    project = int(project_id) if str(project_id).isdigit() else None
    return item.trace_url(host, project)


def _who(item: AnyItem) -> str:
    user = item.created_by
    if user is None:
        return "unknown"
    name = " ".join(p for p in (user.first_name, user.last_name or "") if p)
    if name and user.email:
        return f"{name} <{user.email}>"
    return name or user.email or str(user.uuid)


def item_header(
    item: AnyItem,
    dataset_name: str | None,
    url: str | None,
    schema: ItemSchema,
    *,
    copy_key: str = "v",
) -> Text:
    """The lines above the fields: id and version, dataset, times, the version id (v2), the
    link fields and the trace link (all safe). ``copy_key`` copies the version id."""
    muted = "dim"
    text = Text(no_wrap=True, end="")
    text.append("item ", muted)
    text.append(str(item.id), "bold")
    version = ItemSchema.version_label(item)
    if version:
        text.append("  ")
        text.append(version, "bold")
    # each gap ends a run, never starts a styled one: SVG renderers (rsvg: the snapshots) draw
    # a run's leading spaces after its text
    text.append("   ")
    text.append("dataset ", muted)
    if dataset_name:
        text.append_text(safe_text(dataset_name, max_len=80))
        text.append(" ")
        text.append(f"({short_id(item.dataset)})", muted)
    else:
        text.append(str(item.dataset))
    text.append("\ncreated ", muted)
    text.append(_timestamp(item.created_at))
    text.append(" ")
    text.append("by ", muted)
    text.append_text(safe_text(_who(item), max_len=80))
    text.append("   ")
    text.append("updated ", muted)
    text.append(_timestamp(updated_at(item)))
    version_id = ItemSchema.version_id(item)
    if version_id:
        text.append(f"\n{'version id':<19} ", muted)
        text.append(version_id)
        text.append("  ")
        text.append(f"({copy_key}: copy)", muted)
    missing: list[str] = []
    for name in schema.link_fields:
        value = ItemSchema.value(item, name)
        text.append(f"\n{name:<19} ", muted)
        if value is None or value == "":
            text.append("not set", muted)
            missing.append(name)
        elif isinstance(value, str | datetime):
            text.append_text(safe_text(_timestamp(value), max_len=300))
        else:
            text.append_text(preview(value, 120))
    text.append(f"\n{'trace':<19} ", muted)
    if url is None:
        why = f" (not set: {', '.join(missing)})" if missing else ""
        text.append(f"no link{why}", muted)
    else:
        # Every part is percent-encoded, so the URL holds no control or markup character.
        text.append(url, Style(underline=True, link=url))
        text.append("  ")
        text.append("(o: open)", muted)
    return text


class FieldTree(JsonTree):
    """A `JsonTree` of one item field whose paths start at the item: ``$.input.messages[0]``."""

    def __init__(self, field: str, value: Any = None, **kwargs: Any) -> None:
        super().__init__(value, label=field, string_limit=STRING_LIMIT, **kwargs)
        self.field = field

    def path_of(self, node: TreeNode[JsonNode]) -> str | None:
        path = super().path_of(node)
        if path is None:
            return None
        return f"$.{self.field}{path[1:]}"


class FieldText(JsonText):
    """The text view of one item field. ``n``/``N`` are the inspector's (they step through the
    matches of every field), so this view's own find keys stand aside."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False: not run, not listed; the key goes on to the screen's binding.
        return action not in ("next_match", "previous_match")


class InspectorScreen(ModelScreen[None]):
    """One item, read-only: header, links and trace link, then each JSON field of the server's
    schema as tree or text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="inspector.back"),
        Binding("t", "toggle_view", "Tree/text", id="inspector.toggle_view"),
        *_field_bindings(),
        Binding("slash", "find", "Find", id="inspector.find"),
        Binding("n", "next_match", "Next match", show=False, id="inspector.next_match"),
        Binding("N", "previous_match", "Previous match", show=False, id="inspector.prev_match"),
        Binding("y", "copy_value", "Copy value", id="inspector.copy_value"),
        Binding("Y", "copy_path", "Copy path", id="inspector.copy_path"),
        Binding("e", "edit", "Edit", id="inspector.edit"),
        Binding("o", "open_trace", "Open trace", id="inspector.open_trace"),
        Binding(
            "v", "copy_version_id", "Copy version id", id="inspector.copy_version_id", show=False
        ),
        # priority: the JSON tree's own h (fold) would take it first; left still folds
        Binding("h", "history", "History", id="inspector.history", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    InspectorScreen {
        layout: vertical;
    }
    InspectorScreen #inspector-header {
        height: auto;
        max-height: 10;
        padding: 0 1;
        background: $boost;
    }
    InspectorScreen TabbedContent {
        height: 1fr;
    }
    InspectorScreen TabPane {
        padding: 0;
        height: 1fr;
    }
    InspectorScreen ContentSwitcher {
        height: 1fr;
    }
    InspectorScreen FieldTree, InspectorScreen JsonText {
        height: 1fr;
    }
    InspectorScreen #inspector-find {
        display: none;
        dock: bottom;
    }
    InspectorScreen #inspector-find.-active {
        display: block;
    }
    InspectorScreen #inspector-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.mode: str = "tree"
        self._item: AnyItem | None = None
        self._fields: tuple[str, ...] = ()  # the fields shown as tabs, in order
        self._labels: dict[str, str] = {}
        self._find_counts: dict[str, int] = {}
        self._query = ""
        self._searched: str | None = None  # the query whose matches the views show
        self._current: tuple[str, int] | None = None  # the current match: field, index

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text("loading item " + self.item_id[:36]), id="inspector-header")
        tabs = field_tabs(self.schema)
        self._fields = tuple(spec.name for spec in tabs)
        self._labels = {spec.name: spec.label for spec in tabs}
        with TabbedContent(id="inspector-fields"):
            for spec in tabs:
                field = spec.name
                with (
                    TabPane(spec.label, id=f"pane-{field}"),
                    ContentSwitcher(initial=f"tree-{field}", id=f"switch-{field}"),
                ):
                    yield FieldTree(field, id=f"tree-{field}")
        yield Static("", id="inspector-status")
        yield Input(
            placeholder="find in this item (matches show as you type; enter: go; escape closes)",
            id="inspector-find",
        )
        yield Footer()

    def on_mount(self) -> None:
        # ModelScreen.on_mount (follow the model, first redraw) runs too: Textual calls the
        # handler of every class in the MRO.
        selection = self.model.state.selection
        if selection is None or str(selection.id) != self.item_id:
            self.run_model(self.model.select(self.item_id), group="inspector-select")

    # -- drawing -----------------------------------------------------------------------------

    def redraw(self, change: Change | None) -> None:
        state = self.model.state
        selection = state.selection
        if selection is not None and str(selection.id) == self.item_id:
            if selection is not self._item:
                self._show(selection)
        elif self._item is None and change is not None and "notice" in change.kinds:
            notice = state.notice
            if notice is not None and not state.busy.item:
                self.query_one("#inspector-header", Static).update(
                    safe_text(f"item {self.item_id}: {notice.message}")
                )

    def _show(self, item: AnyItem) -> None:
        self._item = item
        state = self.model.state
        dataset = state.page.dataset
        name = dataset.name if dataset is not None and dataset.id == item.dataset else None
        url = trace_url(item, state.host, state.project_id)
        copy_key = self._key_for("inspector.copy_version_id", "v")
        header = item_header(item, name, url, self.schema, copy_key=copy_key)
        self.query_one("#inspector-header", Static).update(header)
        self._current = None  # the views find again in the new text once it is laid out
        for field in self._fields:
            value = ItemSchema.value(item, field)
            self.query_one(f"#tree-{field}", FieldTree).load(value)
            texts = self.query(f"#text-{field}").results(JsonText)
            for view in texts:
                view.load(value)
        self._focus_current()

    def _current_field(self) -> str:
        active = self.query_one(TabbedContent).active or "pane-input"
        return active.removeprefix("pane-")

    def _text_view(self, field: str) -> JsonText:
        """The text view of ``field``, built on first use."""
        found = self.query(f"#text-{field}").results(JsonText)
        for view in found:
            return view
        value = ItemSchema.value(self._item, field) if self._item is not None else None
        view = FieldText(value, id=f"text-{field}")
        self.query_one(f"#switch-{field}", ContentSwitcher).mount(view)
        return view

    def _focus_current(self) -> None:
        if self.query_one("#inspector-find", Input).has_class("-active"):
            return  # the user is typing a query: the field shown changes, the focus stays
        field = self._current_field()
        if self.mode == "text":
            self._text_view(field).focus()
        else:
            self.query_one(f"#tree-{field}", FieldTree).focus()

    def _status(self, text: str | Text) -> None:
        self.query_one("#inspector-status", Static).update(text)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_current()

    # -- actions -----------------------------------------------------------------------------

    def action_back(self) -> None:
        find = self.query_one("#inspector-find", Input)
        if find.has_class("-active"):
            self._close_find()
            return
        self.app.pop_screen()

    def action_show_field(self, field: str) -> None:
        self.query_one(TabbedContent).active = f"pane-{field}"
        self._focus_current()

    def action_toggle_view(self) -> None:
        self._set_mode("text" if self.mode == "tree" else "tree")

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        for field in self._fields:
            switcher = self.query_one(f"#switch-{field}", ContentSwitcher)
            if mode == "text":
                self._text_view(field)
            switcher.current = f"{mode}-{field}"
        self._focus_current()
        self._status(f"{mode} view (t: {'tree' if mode == 'text' else 'text'})")

    def action_copy_value(self) -> None:
        # The tree handles y itself (value under the cursor); here: the field shown as text.
        if self._item is None:
            return
        field = self._current_field()
        value = ItemSchema.value(self._item, field)
        text = (
            value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, indent=2, default=repr)
        )
        self.app.copy_to_clipboard(text)
        self._status(f"copied the value of $.{field} ({len(text):,} characters)")

    def action_copy_path(self) -> None:
        field = self._current_field()
        self.app.copy_to_clipboard(f"$.{field}")
        self._status(Text.assemble("copied path ", (f"$.{field}", "bold")))

    @on(JsonTree.Copied)
    def _copied(self, event: JsonTree.Copied) -> None:
        if event.what == "path":
            self._status(Text.assemble("copied path ", safe_text(event.text, max_len=200)))
        else:
            self._status(f"copied the value ({len(event.text):,} characters)")

    def _key_for(self, binding_id: str, default: str) -> str:
        """The key bound to ``binding_id`` (after the config's keymap) for a hint."""
        key_for = getattr(self.app, "key_for", None)
        if callable(key_for):
            return str(key_for(binding_id, default))
        return self.app.get_key_display(Binding(default, ""))

    @on(JsonTree.ExpandedAll)
    def _expanded_all(self, event: JsonTree.ExpandedAll) -> None:
        where = safe_text(event.tree.path_of(event.node) or "$", max_len=120)
        key = self._key_for("json_tree.expand_all", "E")
        if event.folded:
            self._status(Text.assemble("folded everything under ", where))
        elif event.complete:
            self._status(
                Text.assemble(
                    "unfolded everything under ",
                    where,
                    "  ",
                    (f"({event.rows:,} rows; {key} again folds it)", "dim"),
                )
            )
        else:
            self._status(
                Text.assemble(
                    f"unfolded {event.rows:,} rows under ",
                    where,
                    "  ",
                    (f"({key} again goes deeper)", "dim"),
                )
            )

    def action_open_trace(self) -> None:
        if self._item is None:
            return
        state = self.model.state
        url = trace_url(self._item, state.host, state.project_id)
        if url is None:
            links = ", ".join(self.schema.link_fields)
            self._status(f"this item has no trace link (its {links} do not name one)")
            return
        self.app.open_url(url)
        self._status("opened the trace in the browser")

    def action_copy_version_id(self) -> None:
        """Copy the id of the version shown (v2: what PostHog's offline experiments point at)."""
        if self._item is None:
            return
        version_id = ItemSchema.version_id(self._item)
        if not version_id:
            self._status(f"items of the {self.schema.api_label} have no versions")
            return
        self.app.copy_to_clipboard(version_id)
        label = ItemSchema.version_label(self._item)
        self._status(f"copied the id of version {label}: {version_id}")
        self.notify(f"Copied version id {version_id} ({label})", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        model = self._model_or_none()
        if action == "edit" and model is not None and model.state.page_read_only:
            return False  # an item of a past revision, or an archived one: shown, not edited
        if action == "show_field":
            # the keys of the server's generation's fields (``2``: output or expected_output)
            return any(spec.name == parameters[0] for spec in field_tabs(self.schema))
        if action == "copy_version_id":
            return self.schema.versioned  # hidden (and refused) where items have no versions
        if action == "history":
            # not while typing a query: the h goes to the find box
            return not self.query_one("#inspector-find", Input).has_focus
        return super().check_action(action, parameters)

    def action_history(self) -> None:
        from explorer.tui.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.item_id))

    def action_edit(self) -> None:
        from explorer.tui.editor import EditorScreen

        async def open_editor() -> None:
            editor = self.model.state.editor
            if editor is None or editor.item_id != self.item_id:
                await self.model.select(self.item_id)
            editor = self.model.state.editor
            if editor is not None and editor.item_id == self.item_id:
                self.app.push_screen(EditorScreen())

        self.run_model(open_editor(), group="inspector-edit")

    # -- find --------------------------------------------------------------------------------

    def action_find(self) -> None:
        find = self.query_one("#inspector-find", Input)
        find.add_class("-active")
        find.value = self._query
        find.focus()

    def _close_find(self) -> None:
        self.query_one("#inspector-find", Input).remove_class("-active")
        self._focus_current()

    @on(Input.Changed, "#inspector-find")
    def _find_typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self._query:
            return  # the box was filled with the query shown (action_find)
        self._query = event.value
        self.run_worker(self._find(event.value, live=True), group="inspector-find", exclusive=True)

    @on(Input.Submitted, "#inspector-find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_find()
        self.run_worker(self.find(event.value), group="inspector-find", exclusive=True)

    async def find(self, query: str) -> dict[str, int]:
        """Find ``query`` (plain text, any case) in every field as the text view shows
        them, once they are laid out; go to the first match of the field shown, else of the
        first field that has one. Returns the count per field."""
        return await self._find(query, live=False)

    async def _find(self, query: str, *, live: bool) -> dict[str, int]:
        """The search behind the find box: ``live`` while typing (after a short pause, over
        what is laid out so far; each view searches again once it is whole), else after
        ``enter`` (over the whole text). Each view searches in a thread."""
        if live:
            await asyncio.sleep(FIND_DEBOUNCE)
        self._query = query
        if not query:
            self._clear_find()
            return {}
        if self.mode != "text":
            self._set_mode("text")
        views = {field: self._text_view(field) for field in self._fields}
        if not live:
            for view in views.values():
                await view.wait_loaded()
        if self._searched != query or self._current is None:
            self._searched = None
            self._current = None
            self._status(Text.assemble("finding ", safe_text(repr(query), max_len=60), " …"))
            for view in views.values():
                await view.find_async(query)
            self._searched = query
            self._find_counts = {field: view.match_count for field, view in views.items()}
            self._go_first()
        if not live:
            self._focus_current()
        self._find_counts = {field: view.match_count for field, view in views.items()}
        self._show_find_status()
        return dict(self._find_counts)

    def _clear_find(self) -> None:
        for view in self.query(FieldText).results(FieldText):
            view.clear_find()
        self._searched = None
        self._current = None
        self._find_counts = {}
        self._show_find_status()

    def _positions(self, field: str) -> int:
        """How many matches of the query ``n`` can reach in ``field``."""
        if self._searched is None:
            return 0
        for view in self.query(f"#text-{field}").results(FieldText):
            return view.match_positions
        return 0

    def _go_first(self) -> None:
        current = self._current_field()
        order = [current, *(f for f in self._fields if f != current)]
        for field in order:
            if self._positions(field):
                self._go_to(field, 0)
                return

    def _go_to(self, field: str, index: int) -> None:
        """Make match ``index`` of ``field`` the current one: its tab, scrolled to it."""
        previous = self._current
        if previous is not None and previous[0] != field:
            self._text_view(previous[0]).go_to_match(None)
        self._current = (field, index)
        if self._current_field() != field:
            self.query_one(TabbedContent).active = f"pane-{field}"
        self._text_view(field).go_to_match(index)
        self._focus_current()
        self._show_find_status()

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) match across the fields in tab order,
        wrapping round."""
        if not self._query or self._searched != self._query:
            self._status("nothing found yet: / finds text in this item")
            return
        if self.mode != "text":
            self._set_mode("text")
        order = list(self._fields)
        positions = {field: self._positions(field) for field in order}
        if not any(positions.values()):
            self._show_find_status()
            return
        if self._current is None:
            field = self._current_field()
            index = -1 if step > 0 else positions[field]
        else:
            field, index = self._current
            index = min(index, positions[field])
        index += step
        if 0 <= index < positions[field]:
            self._go_to(field, index)
            return
        at = order.index(field)
        for k in range(1, len(order) + 1):
            other = order[(at + step * k) % len(order)]
            if positions[other]:
                self._go_to(other, 0 if step > 0 else positions[other] - 1)
                return

    @on(LineView.FindChanged)
    def _find_changed(self, event: LineView.FindChanged) -> None:
        view = event.view
        if not self._query or not view.id or not view.id.startswith("text-"):
            return
        if event.query != self._query:
            return
        self._find_counts[view.id.removeprefix("text-")] = event.count
        self._show_find_status()

    def match_number(self) -> tuple[int, int] | None:
        """``(k, n)`` of "match k of n" across every field, or None with no current
        match; ``n`` counts every match (``k`` goes as far as `MAX_MATCH_POSITIONS` a field)."""
        if self._current is None:
            return None
        field, index = self._current
        before = 0
        for other in self._fields:
            if other == field:
                break
            before += self._positions(other)
        total = sum(self._find_counts.get(f, 0) for f in self._fields)
        return before + index + 1, total

    def _show_find_status(self) -> None:
        if not self._query:
            self._status("")
            return
        text = Text("find ", "dim")
        text.append_text(safe_text(repr(self._query), max_len=60))
        text.append(": ")
        text.append(
            ", ".join(
                f"{self._find_counts.get(f, 0):,} in {self._labels.get(f, f).lower()}"
                for f in self._fields
            )
        )
        number = self.match_number()
        if number is not None:
            # plain spaces between styled runs (SVG renderers glue a run's leading spaces)
            text.append("  ")
            text.append(f"match {number[0]:,} of {number[1]:,}", "bold")
            keys = "/".join(
                self._key_for(binding_id, default)
                for binding_id, default in (
                    ("inspector.next_match", "n"),
                    ("inspector.prev_match", "N"),
                )
            )
            text.append("  ")
            text.append(f"({keys})", "dim")
        elif self._searched == self._query and not any(self._find_counts.values()):
            text.append("  ")
            text.append("no match", "bold")
        self._status(text)
