"""The item editor: each JSON field in a TextArea with live validation, link fields as inputs.

The fields are the server's item schema's (classic: input, output, metadata and three ``ref_*``
links; v2: input, expected output, source output, metadata and three ``source_*`` links). Those
the editor holds (``editor.fields``) are edited; the others are shown read-only, from the item
(v2's source output and links are set when an item is created and never change after).

``EditorScreen()`` edits ``model.state.editor``; whoever pushes it opens the editor first:

- an existing item: ``await model.select(item_id)`` (select opens the editor on the item, or
  on its draft from the journal when there is one);
- a new item: ``await model.new_item(dataset_id)``;
- a draft offered back: ``await model.open_draft(key)`` (what `DraftsModal` does).

Every change of a field goes to ``model.edit_field(name, text)``, which validates it and writes
the draft to the journal before returning. Calls are not debounced but coalesced: while one is
running, further keystrokes only mark the field, and the next call sends its latest text, so the
journal always ends up with the last text typed and a slow write never queues up keystrokes.

``ctrl+s`` shows the diff (``model.diffs()``) in a `DiffModal`; confirming runs
``model.save()``. A conflict (``editor.status == "conflict"``) opens a `ConflictModal`, whose
answer goes to ``model.resolve_conflict(...)``. A save that fails because the item was deleted
(``model.item_gone``) opens an `ItemGoneModal` instead of offering a retry that cannot work:
``r`` restores the item and saves (``model.restore_and_save()``), ``n`` saves the edit as a new
item (``model.save_as_new()``); the draft is kept until one of them succeeds. ``ctrl+n``
saves a new item and opens a blank one (``model.save(add_another=True)``); ``ctrl+r`` saves
again after "not saved: ..." (or offers that choice again);
``ctrl+e`` edits the focused field in ``$VISUAL``/``$EDITOR`` (a message says so where the app
cannot hand the terminal over, as under textual-serve); ``escape`` leaves, asking first when
there are unsaved changes (keep the draft, discard it, or stay). Saves and resolutions run as
app workers, so leaving the screen never cancels one.

JSON fields above `HIGHLIGHT_LIMIT` characters are edited without syntax highlighting (the
TextArea re-highlights the whole document on every edit). Characters a terminal must not see
(DEL, C1, bidi overrides, line separators, raw C0 controls) are shown as ``\\uXXXX`` escapes,
which is valid JSON for the same value.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from explorer.api import short_id
from explorer.model import Change, ConflictState, EditorState, FieldSpec, ItemSchema
from explorer.model.jsontext import value_to_text
from explorer.model.untrusted import make_visible_json
from explorer.tui.base import ModelScreen
from explorer.tui.components import Footer, SafeInput, safe_text
from explorer.tui.dialogs import Choice, ConflictModal, DiffModal, LeaveEditorModal
from explorer.tui.textual_hooks import SizedTextArea

__all__ = ["HIGHLIGHT_LIMIT", "EditorScreen", "ItemGoneModal", "JsonArea", "terminal_safe_json"]

HIGHLIGHT_LIMIT = 40_000
"""JSON fields longer than this (characters) are edited without syntax highlighting: TextArea
queries the whole syntax tree again after every key, about 0.6 ms per thousand characters of
JSON here (22 ms at 18k, 43 ms at 54k), so the limit keeps a key under 50 ms with the model's
work added."""


def terminal_safe_json(text: str) -> str:
    """``text`` with every character a terminal must not receive written as ``\\uXXXX``.

    In JSON such characters can only stand inside strings, where the escape means the same
    value; tabs and newlines are kept (`explorer.model.untrusted`)."""
    return make_visible_json(text)


class JsonArea(SizedTextArea):
    """A TextArea for one JSON field: ``language="json"`` unless the text is too big to
    re-highlight on every keystroke (see `HIGHLIGHT_LIMIT`).

    Each key costs what it changes, not the size of the document: the wrapped document's
    height is counted once (`_CountedWrap`), and without soft wrap the width of the longest
    line (the horizontal scroll size, which TextArea measures over every line after every
    edit) is kept per line and updated for the lines an edit touched."""

    DEFAULT_CSS = """
    JsonArea {
        height: 1fr;
        border: none;
        padding: 0;
    }
    JsonArea:focus {
        border: none;
    }
    """

    def __init__(self, field: str, text: str, **kwargs: Any) -> None:
        super().__init__(
            terminal_safe_json(text),
            language=self.language_for(text),
            soft_wrap=False,
            show_line_numbers=True,
            tab_behavior="focus",
            **kwargs,
        )
        self.field = field

    @staticmethod
    def language_for(text: str) -> str | None:
        return "json" if len(text) <= HIGHLIGHT_LIMIT else None

    def show(self, text: str) -> None:
        """Replace the text (from the model, not typed): highlighting follows the size."""
        language = self.language_for(text)
        if language != self.language:
            self.language = language
        self.load_text(terminal_safe_json(text))


class ItemGoneModal(ModalScreen[str | None]):
    """The item being saved no longer exists on the server (deleted, or archived on v2, here or
    by someone else): ``"restore"`` it and save, save the edit ``"as_new"`` item, or ``None``
    (decide later; the draft stays). ``removed`` is the schema's word (deleted, archived)."""

    DEFAULT_CSS = """
    ItemGoneModal {
        align: center middle;
    }
    ItemGoneModal > Vertical {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ItemGoneModal .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ItemGoneModal .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ItemGoneModal Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('')", "Later", id="item_gone.later"),
        Binding("r", "choose('restore')", "Restore and save", id="item_gone.restore"),
        Binding("n", "choose('as_new')", "Save as new", id="item_gone.save_as_new"),
    ]

    def __init__(self, item_id: str, dataset: str, removed: str = "deleted") -> None:
        super().__init__()
        self._item_id = item_id
        self._dataset = dataset
        self._removed = removed

    def compose(self) -> ComposeResult:
        removed = self._removed
        with Vertical():
            yield Static(f"Item {short_id(self._item_id)} was {removed}", classes="dialog-title")
            yield Static(
                safe_text(
                    f"Item {self._item_id} was {removed} on the server, here or by someone"
                    " else, after the edit started. Saving again cannot work."
                    " Your edit is kept until one of these succeeds:\n\n"
                    "r  restore the item, then save your edit to it\n"
                    f"n  save your edit as a new item in {self._dataset} (the {removed} item"
                    f" stays {removed})",
                    multiline=True,
                ),
                classes="dialog-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Later", id="later")
                yield Button("Save as new item", id="as_new")
                yield Button("Restore and save", id="restore", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#restore", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose("" if event.button.id == "later" else event.button.id or "")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)


class EditorScreen(ModelScreen[None]):
    """Edits ``model.state.editor`` (see the module docstring for how it is opened)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("ctrl+n", "save_and_new", "Save + new", id="editor.save_and_new", priority=True),
        Binding("ctrl+r", "retry", "Retry save", id="editor.retry", priority=True),
        Binding("ctrl+e", "external", "$EDITOR", id="editor.external", priority=True),
        Binding("ctrl+o", "resolve", "Conflict", id="editor.conflict", show=False),
        Binding("escape", "leave", "Back", id="editor.leave"),
    ]

    DEFAULT_CSS = """
    EditorScreen {
        layout: vertical;
    }
    EditorScreen #editor-title {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
    }
    EditorScreen .editor-field {
        height: 1fr;
    }
    EditorScreen .editor-field:focus-within {
        height: 2fr;
    }
    EditorScreen .field-label {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    EditorScreen .field-label.-error {
        color: $text-error;
    }
    EditorScreen #editor-refs {
        height: 3;
    }
    EditorScreen #editor-refs Input {
        width: 1fr;
    }
    EditorScreen .field-label.-read-only {
        color: $text-disabled;
    }
    EditorScreen #editor-refs Input:disabled {
        border-title-color: $text-muted;
        opacity: 100%;
    }
    EditorScreen #editor-refs Input.-invalid {
        border: tall $error;
    }
    EditorScreen #ref-errors {
        height: auto;
        padding: 0 1;
        color: $text-error;
    }
    EditorScreen #editor-status {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    EditorScreen #editor-status.-bad {
        color: $text-error;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._key: str | None = None  # the editor (draft key) the widgets show
        self._shown: dict[str, str] = {}  # per field: the model text the widget reflects
        self._pending: set[str] = set()  # fields typed into but not yet sent
        self._sending: asyncio.Lock | None = None
        self._loading: set[str] = set()  # fields whose next Changed comes from show()
        self._conflict_shown: ConflictState | None = None
        self._gone_offered = False  # the choice was offered for the current failure
        self._message: str = ""
        self._specs: tuple[FieldSpec, ...] = ()  # the fields composed, in order
        self._layout: tuple[tuple[str, bool], ...] = ()  # (name, editable) of each composed
        self._base_shown: object = None  # the base whose values the read-only fields show
        self._rebuilding = False

    @property
    def editor(self) -> EditorState | None:
        return self.model.state.editor

    # -- layout ------------------------------------------------------------------------------

    def _fields_for(self, editor: EditorState | None) -> tuple[FieldSpec, ...]:
        """The fields to show: the schema's (an existing item: every one, those the editor does
        not hold read-only; a new item: those it holds), then any the schema does not name."""
        schema = self.schema
        if editor is None:
            return schema.fields
        shown = [
            spec for spec in schema.fields if editor.base is not None or spec.name in editor.fields
        ]
        known = {spec.name for spec in shown}
        for name, state in editor.fields.items():
            if name not in known:  # e.g. a draft of the other generation's item
                if state.kind == "json":
                    shown.append(FieldSpec(name, name, "json", "metadata"))
                else:
                    shown.append(FieldSpec(name, name, "text", "link"))
        return tuple(shown)

    @staticmethod
    def _layout_of(specs: tuple[FieldSpec, ...], editor: EditorState | None) -> tuple[Any, ...]:
        held = editor.fields if editor is not None else {}
        return tuple((spec.name, spec.name in held) for spec in specs)

    def _text_of(self, editor: EditorState | None, name: str) -> str:
        """What a field shows: the editor's text, or (read-only) the item's value."""
        if editor is None:
            return ""
        if name in editor.fields:
            return editor.fields[name].text
        if editor.base is None:
            return ""
        return value_to_text(name, ItemSchema.value(editor.base, name))

    def _is_json(self, name: str) -> bool:
        return any(spec.name == name and spec.kind == "json" for spec in self._specs)

    def compose(self) -> ComposeResult:
        editor = self.editor
        self._specs = self._fields_for(editor)
        self._layout = self._layout_of(self._specs, editor)
        self._base_shown = editor.base if editor is not None else None
        editable = dict(self._layout)
        yield Static("", id="editor-title")
        for spec in self._specs:
            if spec.kind != "json":
                continue
            name = spec.name
            text = self._text_of(editor, name)
            read_only = not editable[name]
            with Vertical(classes="editor-field", id=f"field-{name}"):
                shown = Text(name, "bold")
                if read_only:
                    why = ": set when the item was created" if spec.on_create else ""
                    shown.append(f"  read-only{why}")
                label = Static(shown if read_only else name, classes="field-label")
                label.id = f"label-{name}"
                label.set_class(read_only, "-read-only")
                yield label
                yield JsonArea(name, text, id=f"area-{name}", read_only=read_only)
        with Horizontal(id="editor-refs"):
            for spec in self._specs:
                if spec.kind == "json":
                    continue
                name = spec.name
                read_only = not editable[name]
                box = SafeInput(
                    self._text_of(editor, name),
                    placeholder=name,
                    id=f"input-{name}",
                    disabled=read_only,
                )
                box.border_title = f"{name} (read-only)" if read_only else name
                yield box
        yield Static("", id="ref-errors")
        yield Static("", id="editor-status")
        yield Footer()

    def on_mount(self) -> None:
        # ModelScreen.on_mount runs as well (Textual calls every class's handler).
        self._sending = asyncio.Lock()
        editor = self.editor
        if editor is not None:
            self._key = editor.key
            self._shown = {name: f.text for name, f in editor.fields.items()}
        self._focus_first()

    def _focus_first(self) -> None:
        """Focus the first field the user can edit (the input)."""
        for name, editable in self._layout:
            if editable and self._is_json(name):
                self.query_one(f"#area-{name}", JsonArea).focus()
                return

    async def _rebuild(self) -> None:
        """Compose again for an editor of other fields (a draft of a new item after an existing
        one, say), then draw it."""
        try:
            await self.recompose()
            editor = self.editor
            self._key = editor.key if editor is not None else None
            self._shown = {n: f.text for n, f in editor.fields.items()} if editor else {}
            self._pending.clear()
            self._loading.clear()
            self._focus_first()
        finally:
            self._rebuilding = False
        self.redraw(None)

    # -- drawing from the model --------------------------------------------------------------

    def redraw(self, change: Change | None) -> None:
        editor = self.editor
        if editor is None:
            self.query_one("#editor-title", Static).update("nothing is open in the editor")
            return
        if self._rebuilding:
            return
        if self._layout_of(self._fields_for(editor), editor) != self._layout:
            self._rebuilding = True
            self.call_later(self._rebuild)
            return
        if editor.key != self._key:
            # another editor (a blank one after "save and add another", a draft): show it all
            self._key = editor.key
            self._pending.clear()
            self._shown = {}
        for name, state in editor.fields.items():
            if name in self._pending or self._shown.get(name) == state.text:
                continue
            self._shown[name] = state.text
            if self._is_json(name):
                self._loading.add(name)  # load_text always posts one Changed
                self.query_one(f"#area-{name}", JsonArea).show(state.text)
            else:
                box = self.query_one(f"#input-{name}", Input)
                if box.value != state.text:
                    self._loading.add(name)
                    box.value = state.text
        if editor.base is not self._base_shown:
            self._base_shown = editor.base
            self._draw_read_only(editor)
        self._draw_title(editor)
        self._draw_fields(editor)
        self._draw_status(editor)
        conflict = editor.conflict
        if (
            conflict is not None
            and conflict is not self._conflict_shown
            and editor.status == "conflict"
        ):
            self._conflict_shown = conflict
            self.action_resolve()
        gone = self.model.item_gone
        if gone and not self._gone_offered and self.app.screen is self:
            self._gone_offered = True
            self._offer_gone_choice()
        elif not gone:
            self._gone_offered = False

    def _draw_read_only(self, editor: EditorState) -> None:
        """The fields the editor does not hold, from its (new) base."""
        for name, editable in self._layout:
            if editable:
                continue
            text = self._text_of(editor, name)
            if self._is_json(name):
                self.query_one(f"#area-{name}", JsonArea).show(text)
            else:
                self.query_one(f"#input-{name}", Input).value = text

    def _draw_title(self, editor: EditorState) -> None:
        state = self.model.state
        dataset = state.page.dataset
        name = dataset.name if dataset is not None and str(dataset.id) == editor.dataset_id else ""
        title = Text(no_wrap=True, end="")
        if editor.is_new:
            title.append("new item")
        else:
            title.append(f"editing item {editor.item_id}")
            version = ItemSchema.version_label(editor.base) if editor.base is not None else ""
            if version:
                title.append(f" {version}")
        title.append(" in ")
        title.append_text(safe_text(name or editor.dataset_id, max_len=60))
        if editor.read_only:
            title.append("  (read-only)")
        self.query_one("#editor-title", Static).update(title)

    def _draw_fields(self, editor: EditorState) -> None:
        ref_errors: list[str] = []
        for name, state in editor.fields.items():
            error = state.error
            if self._is_json(name):
                label = self.query_one(f"#label-{name}", Static)
                text = Text(name, "bold")
                if state.changed:
                    text.append("  ● changed")
                if error is not None:
                    where = (
                        f"line {error.line}, column {error.column}: "
                        if error.line is not None
                        else ""
                    )
                    text.append("  ✗ " + where)
                    text.append_text(safe_text(error.message, max_len=200))
                label.update(text)
                label.set_class(error is not None, "-error")
            else:
                box = self.query_one(f"#input-{name}", Input)
                box.set_class(error is not None, "-invalid")
                if error is not None:
                    ref_errors.append(str(error))
        self.query_one("#ref-errors", Static).update(
            safe_text("\n".join(ref_errors), multiline=True)
        )

    def _draw_status(self, editor: EditorState) -> None:
        status = self.query_one("#editor-status", Static)
        text = Text(no_wrap=True, end="")
        text.append_text(safe_text(editor.status_text, max_len=300))
        if self.model.item_gone:
            text.append("   ctrl+r: restore or save as new", "bold")
        elif editor.status == "not_saved":
            text.append("   ctrl+r: try again", "bold")
        elif editor.status == "conflict":
            text.append("   ctrl+o: choose", "bold")
        if self.model.state.busy.save:
            text.append("   saving…")
        errors = len(editor.errors)
        if errors:
            text.append(f"   {errors} field{'s' if errors > 1 else ''} invalid: save blocked")
        if self._message:
            text.append("   ")
            text.append_text(safe_text(self._message, max_len=300))
        status.update(text)
        status.set_class(editor.status in ("not_saved", "conflict") or errors > 0, "-bad")

    def _say(self, message: str) -> None:
        self._message = message
        editor = self.editor
        if editor is not None:
            self._draw_status(editor)

    # -- typing ------------------------------------------------------------------------------

    @on(TextArea.Changed)
    def _area_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        if isinstance(area, JsonArea):
            self._changed(area.field)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("input-"):
            self._changed(event.input.id.removeprefix("input-"))

    def _changed(self, name: str) -> None:
        if name in self._loading:
            self._loading.discard(name)
            return
        editor = self.editor
        if editor is None or name not in editor.fields:
            return  # a read-only field shown from the item (its text set by the screen)
        self._message = ""
        self._pending.add(name)
        lock = self._sending
        if lock is not None and not lock.locked():
            # an app worker: leaving the screen must not cancel the write of the last text
            self.app.run_worker(self._send_pending(), group="editor-edit", exit_on_error=False)

    def _widget_text(self, name: str) -> str:
        if self._is_json(name):
            return self.query_one(f"#area-{name}", JsonArea).text
        return self.query_one(f"#input-{name}", Input).value

    async def _send_pending(self) -> None:
        """Send every marked field's latest text to ``model.edit_field``, until none is left."""
        lock = self._sending
        assert lock is not None
        async with lock:
            while self._pending:
                name = self._pending.pop()
                text = self._widget_text(name)
                self._shown[name] = text
                await self.model.edit_field(name, text)

    async def flush(self) -> None:
        """Wait until the last text typed has reached the model (and the journal)."""
        await self._send_pending()

    # -- saving ------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.run_worker(self._save(add_another=False), group="editor-save", exclusive=True)

    def action_save_and_new(self) -> None:
        editor = self.editor
        if editor is None or not editor.is_new:
            self._say("ctrl+n saves a new item and starts another; use ctrl+s here")
            return
        self.run_worker(self._save(add_another=True), group="editor-save", exclusive=True)

    def action_retry(self) -> None:
        editor = self.editor
        if editor is None or editor.status != "not_saved":
            self._say("nothing to retry")
            return
        if self.model.item_gone:
            self._offer_gone_choice()
            return
        self.run_worker(self._save(add_another=False, ask=False), group="editor-save")

    # -- the item was deleted meanwhile ------------------------------------------------------

    def _offer_gone_choice(self) -> None:
        editor = self.editor
        if editor is None or editor.item_id is None:
            return
        dataset = self.model.state.page.dataset
        name = (
            dataset.name
            if dataset is not None and str(dataset.id) == editor.dataset_id
            else f"dataset {short_id(editor.dataset_id)}"
        )
        modal = ItemGoneModal(editor.item_id, name, self.schema.removed_word)
        self.app.push_screen(modal, self._gone_chosen)

    def _gone_chosen(self, choice: str | None) -> None:
        if choice == "restore":
            work = self.model.restore_and_save()
        elif choice == "as_new":
            work = self.model.save_as_new()
        else:
            self._say("your edit is kept as a draft: ctrl+r to choose")
            return
        self._say("")
        self.app.run_worker(work, group="editor-save", exit_on_error=False)

    async def _save(self, *, add_another: bool, ask: bool = True) -> None:
        await self.flush()
        editor = self.editor
        if editor is None:
            return
        if editor.read_only:
            self._say("read-only: nothing can be saved")
            return
        if editor.errors:
            first = editor.errors[0]
            self._say(f"fix {first} before saving")
            self._go_to_error()
            return
        if editor.conflict is not None:
            self.action_resolve()
            return
        if not editor.dirty and not editor.attempts and editor.status != "not_saved":
            self._say("nothing to save")
            return
        if ask:
            confirmed = await self.app.push_screen_wait(DiffModal(self.model.diffs()))
            if not confirmed:
                self._say("not saved: back to editing")
                return
        self._say("")
        worker = self.app.run_worker(
            self.model.save(add_another=add_another), group="editor-save", exit_on_error=False
        )
        await worker.wait()

    def _go_to_error(self) -> None:
        editor = self.editor
        if editor is None:
            return
        for name, state in editor.fields.items():
            error = state.error
            if error is None:
                continue
            if self._is_json(name):
                area = self.query_one(f"#area-{name}", JsonArea)
                area.focus()
                if error.line is not None and error.column is not None:
                    area.move_cursor((error.line - 1, max(0, error.column - 1)), center=True)
            else:
                self.query_one(f"#input-{name}", Input).focus()
            return

    # -- conflicts ---------------------------------------------------------------------------

    def action_resolve(self) -> None:
        editor = self.editor
        if editor is None or editor.conflict is None:
            self._say("there is no conflict")
            return
        modal = ConflictModal(editor.conflict, self.model.conflict_diffs())
        self.app.push_screen(modal, self._resolved)

    def _resolved(self, choice: Choice | dict[str, Choice] | None) -> None:
        if choice is None:
            self._say("the conflict is still open: ctrl+o to choose")
            return
        self.app.run_worker(
            self.model.resolve_conflict(choice), group="editor-save", exit_on_error=False
        )

    # -- $EDITOR -----------------------------------------------------------------------------

    def action_external(self) -> None:
        focused = self.app.focused
        if isinstance(focused, JsonArea):
            name = focused.field
        elif isinstance(focused, Input) and focused.id and focused.id.startswith("input-"):
            name = focused.id.removeprefix("input-")
        else:
            self._say("focus a field first, then ctrl+e")
            return
        editor = self.editor
        if editor is None or name not in editor.fields:
            self._say(f"{name} is read-only: it was set when the item was created")
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self._say("set $EDITOR (or $VISUAL) to edit a field in your own editor")
            return
        text = self._widget_text(name)
        suffix = ".json" if self._is_json(name) else ".txt"
        handle, raw_path = tempfile.mkstemp(prefix=f"item-{name}-", suffix=suffix)
        path = Path(raw_path)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            try:
                with self.app.suspend():
                    result = subprocess.run([*shlex.split(command), str(path)], check=False)
            except SuspendNotSupported:
                self._say(
                    "$EDITOR cannot run here: this terminal cannot be handed over "
                    "(e.g. in a browser under textual-serve); edit the field in place"
                )
                return
            if result.returncode != 0:
                self._say(f"$EDITOR exited with {result.returncode}; the field is unchanged")
                return
            new_text = path.read_text(encoding="utf-8")
        except OSError as error:
            self._say(f"$EDITOR failed: {error}")
            return
        finally:
            path.unlink(missing_ok=True)
        if not self._is_json(name):
            new_text = new_text.rstrip("\n")
        if new_text == text:
            self._say("unchanged in $EDITOR")
            return
        self._loading.add(name)  # sent below, not as a keystroke
        if self._is_json(name):
            self.query_one(f"#area-{name}", JsonArea).show(new_text)
        else:
            self.query_one(f"#input-{name}", Input).value = new_text
        self._pending.add(name)
        self.app.run_worker(self._send_pending(), group="editor-edit", exit_on_error=False)
        self._say(f"{name} edited in $EDITOR")

    # -- leaving -----------------------------------------------------------------------------

    def action_leave(self) -> None:
        self.run_worker(self._leave(), group="editor-leave", exclusive=True)

    async def _leave(self) -> None:
        await self.flush()
        editor = self.editor
        if editor is None or not editor.dirty:
            self.dismiss(None)
            return
        what = "This new item" if editor.is_new else f"Item {short_id(editor.item_id)}"
        choice = await self.app.push_screen_wait(LeaveEditorModal(what))
        if choice == "stay":
            return
        if choice == "discard":
            await self.model.discard()
        self.dismiss(None)
