"""Edit mode: a text box per field, live validation, a diff to review before saving, conflicts.

The boxes are the editor's fields (``state.editor.fields``: what a save of this item may change,
or what a create sets), labelled from ``state.schema``; fields of the item that its API
generation never changes after creation (v2's source output and source link) are shown under
them, read-only. Typing is debounced per field (``edit:<field>``) into ``model.edit_field``,
which validates and writes the draft to the journal. Save stays disabled while a field is
invalid or an edit is still on its way to the model; "Save…" shows the diff first and "Confirm
save" sends it. When the item changed on the server meanwhile, the model stops in a conflict
and this part offers "Keep mine" and "Take theirs" with both diffs, or a choice per field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from explorer.api import short_id
from explorer.api.models import AnyItem
from explorer.model import CLASSIC, JSON_FIELDS, EditorState, ItemSchema, ModelState
from explorer.model.jsontext import parse_field, value_to_text
from explorer.model.schema import schema_of
from widgets._base import Part, button
from widgets._render import diff_html, escape_text, json_html, status_html
from widgets._render._fields import timestamp_text

__all__ = ["EDIT_DEBOUNCE", "EditorView", "conflict_html", "field_label", "review_html"]

EDIT_DEBOUNCE = 0.15  # seconds of quiet typing before a field is validated and journalled
LIVE_LIMIT = 200_000  # characters above which a text box reports only when it loses focus
FIXED_BUDGET = {"max_chars": 20_000}  # a read-only value is shown cut (the viewer shows all)


def _is_json(schema: ItemSchema, name: str) -> bool:
    spec = schema.spec(name)
    return spec.kind == "json" if spec is not None else name in JSON_FIELDS


def field_label(schema: ItemSchema, name: str) -> str:
    """A field's label for an editor box: ``Expected output (JSON)``, ``source_trace_id``."""
    label = schema.label(name)
    return f"{label} (JSON)" if _is_json(schema, name) else label


def display_text(name: str, text: str) -> str:
    """What a field's text will be stored as, pretty-printed (as typed when it is invalid)."""
    if name not in JSON_FIELDS:
        return text
    value, error = parse_field(name, text)
    return text if error is not None else value_to_text(name, value)


def _schema_of(editor: EditorState, schema: ItemSchema | None) -> ItemSchema:
    if schema is not None:
        return schema
    return CLASSIC if editor.base is None else schema_of(editor.base)


def fixed_fields(editor: EditorState, schema: ItemSchema) -> tuple[str, ...]:
    """The fields of the item that the editor does not hold: shown read-only (v2's source
    output and link, set when the item was created); none for a new item."""
    if editor.base is None:
        return ()
    return tuple(name for name in schema.names if name not in editor.fields)


def _fixed_html(schema: ItemSchema, name: str, item: AnyItem) -> str:
    value = ItemSchema.value(item, name)
    if _is_json(schema, name):
        shown = json_html(value, **FIXED_BUDGET)
    elif value is None or value == "":
        shown = '<span class="dx-none">not set</span>'
    else:
        shown = escape_text(timestamp_text(value)[:2000])
    return f'<div class="dx-fixed-value">{shown}</div>'


def fixed_note(schema: ItemSchema, names: tuple[str, ...]) -> str:
    """What the read-only fields below the boxes are."""
    specs = [schema.spec(name) for name in names]
    if all(spec is not None and spec.on_create and not spec.editable for spec in specs):
        return "Read-only: set when the item was created, never changed."
    return "Read-only."


_MINE_OR_THEIRS = (("mine", "mine"), ("theirs", "theirs"))
_THEIRS_OR_BEFORE = (("theirs", "theirs"), ("as before", "mine"))


def _nothing() -> None:
    return None


class EditorView(Part):
    def build(self) -> Any:
        self.active = False
        # Called after a save or discard leaves the editor clean (the panel leaves edit mode).
        self.on_done: Callable[[], None] = _nothing
        # The open editor's fields: name -> text box (and its error line). Boxes are made when a
        # field is first needed and kept, so the widget count is bounded by the schemas' fields.
        self.inputs: dict[str, Any] = {}
        self.errors: dict[str, Any] = {}
        self._boxes: dict[str, Any] = {}
        self._labels: dict[str, Any] = {}
        self._rows: dict[str, Any] = {}
        # read-only fields of the item (v2's source output and link): name -> HTML
        self.fixed: dict[str, Any] = {}
        self._fixed_rows: dict[str, Any] = {}
        self.fixed_names: tuple[str, ...] = ()  # the read-only fields shown now
        self.fixed_head: Any = w.HTML()
        self._layout: tuple[Any, ...] = ()
        self._fixed_shown: tuple[AnyItem | None, tuple[str, ...]] = (None, ())
        self.state_line: Any = w.HTML()
        self.save = button("Save…", "review the changes, then save", icon="save", style="primary")
        self.discard = button("Discard", "drop the unsaved changes", icon="undo")
        self.close = button("Close editor", "back to the item (the draft is kept)")
        self.on_click(self.save, lambda: self.tasks.start("review", self._review))
        self.on_click(self.discard, lambda: self.tasks.write(self._discard))
        self.on_click(self.close, lambda: self.on_done())
        # the review: the diff of every changed field, then Confirm
        self.diff: Any = w.HTML()
        self.confirm = button("Confirm save", "send the changes", icon="check", style="success")
        self.another = button(
            "Save and add another", "create this item, then start another in the same dataset"
        )
        self.back = button("Back to editing")
        self.on_click(self.confirm, lambda: self.tasks.write(self._save))
        self.on_click(self.another, lambda: self.tasks.write(self._save_and_add_another))
        self.on_click(self.back, lambda: self._show_review(False))
        self.review: Any = w.VBox([self.diff, w.HBox([self.confirm, self.another, self.back])])
        self.review.add_class("dx-review")
        # a conflict: both sides, then a choice
        self.conflict_html: Any = w.HTML()
        self.mine = button(
            "Keep mine", "your edited fields overwrite the server's", style="warning"
        )
        self.theirs = button("Take theirs", "drop your edits, take the server's version")
        self.on_click(self.mine, lambda: self.tasks.write(self._resolve("mine")))
        self.on_click(self.theirs, lambda: self.tasks.write(self._resolve("theirs")))
        # per field: a row per conflicting field (made when first needed, then kept)
        self.choices: dict[str, Any] = {}
        self.choice_rows: dict[str, Any] = {}
        self.choice_labels: dict[str, Any] = {}
        self.pick = button("Save with these choices", "per field: mine or theirs")
        self.on_click(self.pick, lambda: self.tasks.write(self._resolve_per_field))
        self._conflict_head = [self.conflict_html, w.HBox([self.mine, self.theirs])]
        self.conflict: Any = w.VBox([*self._conflict_head, self.pick])
        self.conflict.add_class("dx-conflict")
        self.fields: Any = w.VBox([])
        self.fields.add_class("dx-editor-fields")
        actions = w.HBox([self.save, self.discard, self.close])
        # the item was removed (here or elsewhere) while it was edited: a plain save cannot
        # work, so two real choices; the draft stays until one succeeds
        self.gone_html: Any = w.HTML()
        self.restore_save = button(
            "Restore and save",
            "bring the item back, then save your edit to it",
            icon="reply",
            style="primary",
        )
        self.save_new = button(
            "Save as new item",
            "create a new item in this dataset with your edit (the removed one stays removed)",
            icon="plus",
        )
        self.on_click(self.restore_save, lambda: self.tasks.write(self._restore_and_save))
        self.on_click(self.save_new, lambda: self.tasks.write(self._save_as_new))
        self.gone: Any = w.VBox([self.gone_html, w.HBox([self.restore_save, self.save_new])])
        self.gone.add_class("dx-gone")
        self.gone.layout.display = "none"
        # the buttons, the diff and the conflict first: a long JSON field cannot push them
        # out of sight
        self.box: Any = w.VBox(
            [self.state_line, actions, self.gone, self.review, self.conflict, self.fields]
        )
        self.box.add_class("dx-editor")
        self._show_review(False)
        self.conflict.layout.display = "none"
        self._key: str | None = None
        return self.box

    # -- the field boxes -------------------------------------------------------------------------

    def _field_row(self, schema: ItemSchema, name: str) -> Any:
        """The row (label, box, error line) of an editable field, made once per field name."""
        row = self._rows.get(name)
        if row is None:
            if _is_json(schema, name):
                box = w.Textarea(rows=8, layout=w.Layout(width="100%"))
            else:
                box = w.Text(layout=w.Layout(width="100%"))
            box.add_class(f"dx-edit-{name}")
            self.observe(box, self._typed(name), "value")
            error = w.HTML()
            error.add_class(f"dx-error-{name}")
            label = w.HTML()
            self._boxes[name], self.errors[name], self._labels[name] = box, error, label
            row = self._rows[name] = w.VBox([label, box, error])
        label_html = f'<div class="dx-field-label">{escape_text(field_label(schema, name))}</div>'
        if self._labels[name].value != label_html:
            self._labels[name].value = label_html
        return row

    def _fixed_row(self, schema: ItemSchema, name: str) -> Any:
        """The row of a read-only field (label, value), made once per field name."""
        row = self._fixed_rows.get(name)
        if row is None:
            label = w.HTML()
            value = w.HTML()
            value.add_class(f"dx-fixed-{name}")
            self.fixed[name] = value
            row = self._fixed_rows[name] = w.VBox([label, value])
        label = f'<div class="dx-field-label">{escape_text(schema.label(name))}</div>'
        row.children[0].value = label
        return row

    def _lay_out(self, editor: EditorState, schema: ItemSchema) -> None:
        """The boxes of the editor's fields, then its item's read-only fields."""
        names = tuple(editor.fields)
        fixed = fixed_fields(editor, schema)
        layout = (schema.generation, names, fixed)
        if layout != self._layout:
            self._layout = layout
            rows = [self._field_row(schema, name) for name in names]
            if fixed:
                note = escape_text(fixed_note(schema, fixed))
                self.fixed_head.value = f'<div class="dx-note dx-fixed-head">{note}</div>'
                rows += [self.fixed_head, *(self._fixed_row(schema, name) for name in fixed)]
            self.inputs = {name: self._boxes[name] for name in names}
            self.fixed_names = fixed
            self.fields.children = rows
        base = editor.base
        if base is not None and (base is not self._fixed_shown[0] or fixed != self._fixed_shown[1]):
            self._fixed_shown = (base, fixed)
            for name in fixed:
                self.fixed[name].value = _fixed_html(schema, name, base)

    # -- typing ----------------------------------------------------------------------------------

    def _typed(self, name: str) -> Callable[[dict[str, Any]], None]:
        def observe(change: dict[str, Any]) -> None:
            if self.busy or not self.active:
                return
            text = str(change["new"])
            self.save.disabled = True  # until the model has validated this text
            self._show_review(False)
            self.tasks.start(
                f"edit:{name}", lambda: self.model.edit_field(name, text), delay=EDIT_DEBOUNCE
            )

        return observe

    async def flush(self) -> None:
        """Hand every edit still waiting in its debounce to the model now."""
        editor = self.model.state.editor
        if editor is None:
            return
        for name, box in self.inputs.items():
            if self.tasks.pending(f"edit:{name}"):
                self.tasks.cancel(f"edit:{name}")
                if editor.fields[name].text != box.value:
                    await self.model.edit_field(name, str(box.value))

    # -- commands --------------------------------------------------------------------------------

    async def _review(self) -> None:
        await self.flush()
        editor = self.model.state.editor
        if editor is None or not self.can_save(editor):
            self.redraw(self.model.state)
            return
        self.diff.value = review_html(editor, self.model.state.schema)
        self.another.layout.display = "" if editor.is_new else "none"
        self._show_review(True)

    async def _save(self) -> None:
        await self.flush()
        self._show_review(False)
        await self.model.save()
        editor = self.model.state.editor
        if editor is None or (not editor.dirty and editor.status == "saved"):
            self.on_done()

    async def _save_and_add_another(self) -> None:
        await self.flush()
        self._show_review(False)
        await self.model.save(add_another=True)  # then a blank editor in the same dataset

    async def _restore_and_save(self) -> None:
        await self.flush()
        self._show_review(False)
        await self.model.restore_and_save()
        self._leave_when_saved()

    async def _save_as_new(self) -> None:
        await self.flush()
        self._show_review(False)
        await self.model.save_as_new()
        self._leave_when_saved()

    def _leave_when_saved(self) -> None:
        editor = self.model.state.editor
        if editor is not None and not editor.dirty and editor.status == "saved":
            self.on_done()

    async def _discard(self) -> None:
        self.tasks.cancel_prefix("edit:")
        self._show_review(False)
        await self.model.discard()
        self.on_done()

    def _resolve(self, choice: str | dict[str, str]) -> Callable[[], Any]:
        async def work() -> None:
            await self.flush()
            await self.model.resolve_conflict(choice)  # type: ignore[arg-type]
            editor = self.model.state.editor
            if editor is not None and not editor.dirty and editor.conflict is None:
                self.on_done()

        return work

    async def _resolve_per_field(self) -> None:
        editor = self.model.state.editor
        if editor is None or editor.conflict is None:
            return
        picked = {name: str(self.choices[name].value) for name in editor.conflict.fields}
        await self._resolve(picked)()

    # -- drawing ---------------------------------------------------------------------------------

    def _show_review(self, on: bool) -> None:
        self.review.layout.display = "" if on else "none"

    def can_save(self, editor: EditorState) -> bool:
        return (
            editor.dirty
            and not editor.errors
            and not editor.read_only
            and editor.conflict is None
            and editor.status != "saving"
            and not any(self.tasks.pending(f"edit:{n}") for n in self.inputs)
        )

    def open(self, on: bool) -> None:
        """Show (and fill) the text boxes, or empty them (a 5 MB value stays off the page)."""
        self.active = on
        self._key = None
        if not on:
            with self.quiet():
                for box in self._boxes.values():
                    box.value = ""
            for html in self.fixed.values():
                html.value = ""
            self._fixed_shown = (None, ())
            self._show_review(False)
        self.redraw(self.model.state)

    def redraw(self, state: ModelState) -> None:
        editor = state.editor
        if not self.active or editor is None:
            self.save.disabled = True
            return
        schema = state.schema
        self._lay_out(editor, schema)
        fresh = editor.key != self._key
        self._key = editor.key
        with self.quiet():
            for name, box in self.inputs.items():
                fs = editor.fields[name]
                if fresh or (not self.tasks.pending(f"edit:{name}") and box.value != fs.text):
                    box.continuous_update = len(fs.text) <= LIVE_LIMIT
                    box.value = fs.text
                box.disabled = editor.read_only or editor.status == "saving"
        for name in self.inputs:
            html = self.errors[name]
            error = editor.fields[name].error
            if error is None:
                html.value = ""
                continue
            where = f"line {error.line}, column {error.column}: " if error.line is not None else ""
            html.value = status_html("error", f"{where}{error.message}")
        self.save.disabled = not self.can_save(editor)
        self.discard.disabled = not editor.dirty or editor.read_only
        self._draw_gone(editor, schema)
        title = "New item" if editor.is_new else f"Editing item {short_id(editor.item_id)}"
        version = "" if editor.base is None else ItemSchema.version_label(editor.base)
        if version:
            title += f" ({version})"
        self.state_line.value = (
            f'<div class="dx-editor-state"><b>{escape_text(title)}</b> · '
            f'<span class="dx-editor-status">{escape_text(editor.status_text)}</span></div>'
        )
        if editor.conflict is not None:
            self.conflict_html.value = conflict_html(editor, schema)
            self.conflict.layout.display = ""
            self._show_review(False)
            self._draw_choices(editor, schema)
        else:
            self.conflict.layout.display = "none"

    def _choice_row(self, name: str) -> Any:
        """The per-field choice of a conflicting field, made once per field name."""
        row = self.choice_rows.get(name)
        if row is None:
            choice = w.ToggleButtons(options=_MINE_OR_THEIRS)
            choice.style.button_width = "auto"
            self.choices[name] = choice
            self.choice_labels[name] = w.HTML()
            row = self.choice_rows[name] = w.HBox([self.choice_labels[name], choice])
        return row

    def _draw_choices(self, editor: EditorState, schema: ItemSchema) -> None:
        """A row per conflicting field: mine or theirs (or theirs / as before)."""
        assert editor.conflict is not None
        fields = editor.conflict.fields
        rows = [self._choice_row(name) for name in fields]
        children = (*self._conflict_head, *rows, self.pick)
        if tuple(self.conflict.children) != children:
            self.conflict.children = children
        for name, cf in fields.items():
            # a field you did not edit has no "mine": its other choice is the value from
            # before the server's change
            options = _MINE_OR_THEIRS if cf.mine_changed else _THEIRS_OR_BEFORE
            choice = self.choices[name]
            if tuple(choice.options) != options:
                choice.options = options
            choice.value = cf.choice
            label = schema.label(name)
            if not cf.mine_changed:
                label += " (not edited by you)"
            shown = f'<span class="dx-field-label">{escape_text(label)}</span>'
            self.choice_labels[name].value = shown

    def _draw_gone(self, editor: EditorState, schema: ItemSchema) -> None:
        gone = self.model.item_gone
        self.gone.layout.display = "" if gone else "none"
        if not gone:
            return
        removed = schema.removed_word
        self.gone_html.value = status_html(
            "warning",
            f"Item {short_id(editor.item_id or '')} no longer exists on the server: it was"
            f" {removed} (here or by someone else) after you started editing, so saving again"
            " cannot work. Your edit is kept until one of these succeeds. Restore and save:"
            " bring the item back, then save your edit to it. Save as new item: create a new"
            f" item in this dataset with your edit; the {removed} one stays {removed}.",
        )
        blocked = editor.read_only or self.model.state.busy.save or bool(editor.errors)
        self.restore_save.disabled = blocked
        self.save_new.disabled = blocked


def review_html(editor: EditorState, schema: ItemSchema | None = None) -> str:
    """The diff of every changed field, server's version to the draft, as it will be stored.
    Fields are labelled by ``schema`` (default: the generation of the item edited)."""
    schema = _schema_of(editor, schema)
    parts: list[str] = []
    for name, fs in editor.fields.items():
        if fs.changed:
            parts.append(f'<div class="dx-field-label">{escape_text(schema.label(name))}</div>')
            parts.append(diff_html(fs.base_text, display_text(name, fs.text)))
    if not parts:
        return status_html("info", "No field differs from the server's version.")
    return "".join(parts)


def conflict_html(editor: EditorState, schema: ItemSchema | None = None) -> str:
    """Per conflicting field, what each side did. A field you edited shows the server's version
    now (theirs) against your draft (mine): what Keep mine writes over it. A field you did not
    edit is never shown as yours: only what the server changed (base to theirs), which every
    choice but an explicit per-field "as before" keeps. Fields are labelled by ``schema``
    (default: the generation of the item edited)."""
    assert editor.conflict is not None
    schema = _schema_of(editor, schema)
    parts = [
        status_html(
            "warning",
            "This item changed on the server since you started editing. Keep mine: your edited"
            " fields overwrite the server's. Take theirs: your edits are dropped.",
        )
    ]
    for name, cf in editor.conflict.fields.items():
        label = escape_text(schema.label(name))
        theirs = value_to_text(name, cf.theirs)
        if cf.mine_changed:
            mine = display_text(name, editor.fields[name].text)
            parts.append(f'<div class="dx-field-label">{label}: theirs → mine</div>')
            if not cf.theirs_changed:
                parts.append(
                    '<div class="dx-conflict-side">The server did not change this field;'
                    " only you did.</div>"
                )
            parts.append(diff_html(theirs, mine))
        else:
            base = value_to_text(name, cf.base)
            parts.append(f'<div class="dx-field-label">{label}: changed on the server</div>')
            parts.append(
                '<div class="dx-conflict-side">You did not edit this field: the server\'s'
                " version (theirs) is kept.</div>"
            )
            parts.append(diff_html(base, theirs))
    return "".join(parts)
