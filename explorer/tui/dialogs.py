"""Dialogs of the terminal app: confirmations, the save diff, conflicts, drafts offered back.

- :class:`ConfirmModal` (``ModalScreen[bool]``): a yes/no question; ``enter``/``y`` confirm,
  ``escape``/``n`` cancel.
- :class:`LeaveEditorModal` (``ModalScreen[str]``): leaving with unsaved changes; ``"keep"``
  (the draft stays in the journal), ``"discard"`` or ``"stay"``.
- :class:`DiffModal` (``ModalScreen[bool]``): what a save would change, per field; ``enter``,
  ``y`` or ``ctrl+s`` save, ``escape`` goes back to editing.
- :class:`ConflictModal` (``ModalScreen[Choice | dict[str, Choice] | None]``): the item changed
  on the server; both sides per field; ``m`` keep mine, ``t`` take theirs, ``space`` flips the
  highlighted field, ``enter`` applies the per-field choices, ``escape`` decides later. The
  result goes to ``model.resolve_conflict``.
- :class:`DraftsModal` (a `ModalModelScreen[str | None]`): unsaved drafts found in the journal
  (``model.state.drafts``), offered back at start; ``enter`` opens one in the editor
  (``model.open_draft`` then pushes `EditorScreen`), ``d`` drops one (asks first), ``escape``
  closes. The app shell pushes it when ``state.drafts`` is not empty after ``start``.
- :class:`DiffView`: a `LineView` of diff rows (:func:`diff_rows`), wrapped at its width (a long
  one-line answer is shown whole, never cut at the edge), coloured by kind, with the changed
  words of each replaced line marked (`DiffLine.spans`; theme variables and text styles only).

Every text that may come from a dataset is drawn as plain ``Text`` (``safe_text``), never markup.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from explorer.api import short_id
from explorer.model import Change, ConflictState, FieldDiff
from explorer.model.untrusted import escape_char
from explorer.model.worddiff import Span
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import LineView, safe_text
from explorer.tui.components.line_view import StyleSpan
from explorer.tui.components.safe_text import unsafe_char_pattern

__all__ = [
    "Choice",
    "ConfirmModal",
    "ConflictModal",
    "DiffModal",
    "DiffRow",
    "DiffView",
    "DraftsModal",
    "LeaveEditorModal",
    "diff_lines",
    "diff_rows",
]

Choice = Literal["mine", "theirs"]


class ConfirmModal(ModalScreen[bool]):
    """Ask one question; dismisses with True (confirm) or False (cancel).

    ``title`` and ``message`` are shown literally (no markup), so they may quote item text.
    """

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
    }
    ConfirmModal > Vertical {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    ConfirmModal .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ConfirmModal .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmModal Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Confirm", id="confirm.confirm"),
    ]

    def __init__(self, title: str, message: str, confirm_label: str = "OK") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self._title), classes="dialog-title")
            yield Static(safe_text(self._message, multiline=True), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self._confirm_label, id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class LeaveEditorModal(ModalScreen[str]):
    """Leaving the editor with unsaved changes: ``"keep"`` the draft, ``"discard"`` it, or
    ``"stay"``. Nothing is lost with "keep": the draft is in the journal and offered back."""

    DEFAULT_CSS = ConfirmModal.DEFAULT_CSS.replace("ConfirmModal", "LeaveEditorModal")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('stay')", "Stay", id="leave_editor.stay"),
        Binding("k", "choose('keep')", "Keep draft", id="leave_editor.keep"),
        Binding("d", "choose('discard')", "Discard", id="leave_editor.discard"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Leave the editor?", classes="dialog-title")
            yield Static(
                safe_text(
                    f"{self._what} has unsaved changes. Keep them as a draft (offered back "
                    "later), or discard them?",
                    multiline=True,
                ),
                classes="dialog-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay", id="stay")
                yield Button("Discard", id="discard", variant="error")
                yield Button("Keep draft", id="keep", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "stay")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


# -- diffs ------------------------------------------------------------------------------------

_MARK = {"hunk": "@", "context": " ", "removed": "-", "added": "+"}

DiffRow = tuple[str, str, tuple[Span, ...]]
"""One row of a `DiffView`: its kind (``title``, ``hunk``, ``context``, ``removed``, ``added``
or ``note``), its text as shown behind its mark, and the changed character ranges of that text."""


def diff_rows(diff: FieldDiff, *, title: str | None = None) -> list[DiffRow]:
    """The rows a `DiffView` shows for one field: a ``#`` title row, then each diff line behind
    its mark (`` `` context, ``-`` removed, ``+`` added; hunk headers start ``@@``), with the
    changed words of each replaced line (`DiffLine.spans`, moved past the mark)."""
    added = sum(1 for line in diff.lines if line.kind == "added")
    removed = sum(1 for line in diff.lines if line.kind == "removed")
    head = title if title is not None else diff.field
    rows: list[DiffRow] = [
        ("title", f"# {head}: +{added} -{removed}" if diff.changed else f"# {head}: unchanged", ())
    ]
    for line in diff.lines:
        if line.kind == "hunk":
            rows.append(("hunk", line.text, ()))  # "@@ -2,7 +2,7 @@"
        else:
            spans = tuple((start + 1, end + 1) for start, end in line.spans)
            rows.append((line.kind, _MARK[line.kind] + line.text, spans))
    return rows


def diff_lines(diff: FieldDiff, *, title: str | None = None) -> list[str]:
    """The lines a `DiffView` shows for one field (the text of :func:`diff_rows`)."""
    return [text for _, text, _ in diff_rows(diff, title=title)]


def _shown(offset: int, raw_at: list[int], grown: list[int]) -> int:
    """Where ``offset`` of a text lands once its unsafe characters are written as escapes."""
    k = bisect_left(raw_at, offset)  # escapes before ``offset``
    return offset + (grown[k - 1] if k else 0)


class DiffView(LineView):
    """Diff rows (:func:`diff_rows`), wrapped at the view's width, coloured by kind, the changed
    words of a replaced line marked within it (theme variables and text attributes only).

    :meth:`set_rows` shows rows whose kinds and changed words are known; :meth:`set_text` shows
    diff lines as text, each coloured by its first character. Like every `LineView`, it shows
    unsafe characters as styled escapes and never parses markup.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-view--title",
        "diff-view--hunk",
        "diff-view--added",
        "diff-view--removed",
        "diff-view--added-word",
        "diff-view--removed-word",
    }

    DEFAULT_CSS = """
    DiffView {
        & > .diff-view--title { color: $text-primary; text-style: bold; }
        & > .diff-view--hunk { color: $text-accent; }
        & > .diff-view--added { color: $text-success; }
        & > .diff-view--removed { color: $text-error; }
        & > .diff-view--added-word { background: $success-muted; text-style: bold; }
        & > .diff-view--removed-word { background: $error-muted; text-style: bold; }
    }
    """

    _KINDS: ClassVar[dict[str, str]] = {
        "#": "title",
        "@": "hunk",
        "+": "added",
        "-": "removed",
    }

    def __init__(
        self,
        text: str = "",
        *,
        soft_wrap: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        self._kinds: list[str] | None = None  # per line, when shown by set_rows
        self._words: dict[int, list[Span]] = {}  # per line: changed ranges as shown
        super().__init__(
            text, soft_wrap=soft_wrap, name=name, id=id, classes=classes, disabled=disabled
        )

    def _forget_lines(self) -> None:
        # LineView keeps per-line caches keyed by line number; new text makes them stale.
        self._line_styles_cache.clear()
        self._wrap_cache.clear()
        self._block_cache.clear()

    def set_text(self, text: str) -> None:
        """Show diff lines as text (made safe here), each coloured by its first character."""
        self._kinds = None
        self._words = {}
        self._forget_lines()
        super().set_text(text)

    def set_rows(self, rows: Sequence[DiffRow]) -> None:
        """Show ``rows``: each row's text made safe (unsafe characters as styled escapes, its
        changed ranges moved to match), its kind and changed words styled."""
        pattern = unsafe_char_pattern(multiline=False)
        pieces: list[str] = []
        escapes: array[int] = array("q")
        kinds: list[str] = []
        words: dict[int, list[Span]] = {}
        out = 0
        for y, (kind, text, spans) in enumerate(rows):
            if y:
                pieces.append("\n")
                out += 1
            raw_at: list[int] = []  # where each escape is in ``text``
            grown: list[int] = []  # characters the escapes up to it add
            pos = 0
            for match in pattern.finditer(text):
                if match.start() > pos:
                    pieces.append(text[pos : match.start()])
                    out += match.start() - pos
                esc = escape_char(match.group())
                pieces.append(esc)
                escapes.extend((out, out + len(esc)))
                out += len(esc)
                raw_at.append(match.start())
                grown.append((grown[-1] if grown else 0) + len(esc) - 1)
                pos = match.end()
            pieces.append(text[pos:])
            out += len(text) - pos
            kinds.append(kind)
            if spans:
                words[y] = [
                    (_shown(start, raw_at, grown), _shown(end, raw_at, grown))
                    for start, end in spans
                ]
        self._kinds = kinds
        self._words = words
        self._forget_lines()
        self._replace_safe("".join(pieces))
        self._escapes = escapes
        self._line_styles_cache.clear()  # styled while the escapes were not yet known

    def line_styles(self, y: int, line: str) -> list[StyleSpan]:
        spans = super().line_styles(y, line)
        if self._kinds is not None:
            kind: str | None = self._kinds[y] if y < len(self._kinds) else None
        else:
            kind = self._KINDS.get(line[:1])
        if kind not in ("title", "hunk", "added", "removed"):
            return spans
        style = self.get_component_rich_style(f"diff-view--{kind}", partial=True)
        out: list[StyleSpan] = [(0, len(line), style)]
        words = self._words.get(y)
        if words:
            word_style = self.get_component_rich_style(f"diff-view--{kind}-word", partial=True)
            out.extend((start, end, word_style) for start, end in words)
        return [*out, *spans]

    def _row_count(self, y: int) -> int:
        # A line of wide characters (CJK, emoji) may need more rows than it has characters
        # in width: count its rows by cells, as the wrap itself does.
        line = self.get_line(y)
        if len(line) <= self._wrap_width and (line.isascii() or cell_len(line) <= self._wrap_width):
            return 1
        return len(self._wrap_points(y))


class DiffModal(ModalScreen[bool]):
    """What a save would send, per field (pretty-printed JSON, unified diff, long lines wrapped,
    changed words marked); True saves."""

    DEFAULT_CSS = """
    DiffModal {
        align: center middle;
    }
    DiffModal > Vertical {
        width: 90%;
        height: 90%;
        border: thick $primary;
        background: $surface;
    }
    DiffModal .dialog-title {
        text-style: bold;
        padding: 0 1;
        height: auto;
    }
    DiffModal DiffView {
        height: 1fr;
    }
    DiffModal .dialog-hint {
        color: $text-muted;
        padding: 0 1;
        height: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Back to editing", id="diff.cancel"),
        Binding("enter,y,ctrl+s", "confirm", "Save", id="diff.confirm", priority=True),
    ]

    def __init__(
        self, diffs: Mapping[str, FieldDiff], *, title: str = "Save these changes?"
    ) -> None:
        super().__init__()
        self._diffs = dict(diffs)
        self._title = title

    def compose(self) -> ComposeResult:
        rows: list[DiffRow] = []
        for diff in self._diffs.values():
            if rows:
                rows.append(("note", "", ()))
            rows.extend(diff_rows(diff))
        changed = [name for name, diff in self._diffs.items() if diff.changed]
        summary = f"  ({', '.join(changed)})" if changed else "  (no field changed)"
        view = DiffView()
        view.set_rows(rows or [("note", "(nothing changed)", ())])
        with Vertical():
            yield Static(safe_text(self._title + summary, multiline=True), classes="dialog-title")
            yield view
            yield Static("enter/y: save   escape: back to editing", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


# -- conflicts --------------------------------------------------------------------------------


class ConflictModal(ModalScreen["Choice | dict[str, Choice] | None"]):
    """Both sides of a conflict, per field: what you changed (base -> mine) beside what the
    server's copy changed (base -> theirs), each wrapped to its half of the screen, the changed
    words marked.

    Dismisses with ``"mine"``, ``"theirs"``, a per-field ``{field: choice}`` mapping, or None
    (decide later; the editor stays in conflict). Pass the result to
    ``model.resolve_conflict``.
    """

    DEFAULT_CSS = """
    ConflictModal {
        align: center middle;
    }
    ConflictModal > Vertical {
        width: 95%;
        height: 95%;
        border: thick $warning;
        background: $surface;
    }
    ConflictModal .dialog-title {
        text-style: bold;
        padding: 0 1;
        height: auto;
    }
    ConflictModal OptionList {
        height: auto;
        max-height: 8;
    }
    ConflictModal #conflict-sides {
        height: 1fr;
    }
    ConflictModal DiffView {
        width: 1fr;
        height: 1fr;
        border: round $panel;
    }
    ConflictModal .dialog-hint {
        color: $text-muted;
        padding: 0 1;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", "Decide later", id="conflict.later"),
        Binding("m", "all('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "all('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("space", "flip", "Flip field", id="conflict.flip", priority=True),
        Binding("enter", "apply", "Apply per field", id="conflict.apply", priority=True),
    ]

    def __init__(
        self,
        conflict: ConflictState,
        diffs: Mapping[str, tuple[FieldDiff, FieldDiff]],
    ) -> None:
        super().__init__()
        self._conflict = conflict
        self._diffs = dict(diffs)
        self.choices: dict[str, Choice] = {
            name: field.choice for name, field in conflict.fields.items()
        }

    def compose(self) -> ComposeResult:
        title = (
            self._conflict.reason or "This item changed on the server since you started editing."
        )
        with Vertical():
            yield Static(
                safe_text(title, multiline=True),
                classes="dialog-title",
            )
            yield OptionList(*self._options(), id="conflict-fields")
            with Horizontal(id="conflict-sides"):
                yield DiffView(id="conflict-mine")
                yield DiffView(id="conflict-theirs")
            yield Static(
                "m: keep mine (all)   t: take theirs (all)   space: flip the field   "
                "enter: apply per field   escape: decide later",
                classes="dialog-hint",
            )

    def _options(self) -> list[Option]:
        options = []
        # names as wide as the longest and a space (``expected_output`` on v2), 14 at least
        width = max([14, *(len(name) + 1 for name in self._conflict.fields)])
        for name, field in self._conflict.fields.items():
            label = Text(no_wrap=True, end="")
            label.append(name.ljust(width), "bold")
            label.append(f"{self.choices[name]:<7}", "reverse")
            sides = []
            if field.mine_changed:
                sides.append("you edited")
            if field.theirs_changed:
                sides.append("the server changed")
            label.append("  " + " and ".join(sides), "dim")
            options.append(Option(label, id=name))
        return options

    def on_mount(self) -> None:
        fields = self.query_one(OptionList)
        fields.focus()
        if self._conflict.fields:
            fields.highlighted = 0
            self._show(next(iter(self._conflict.fields)))

    def _show(self, name: str) -> None:
        mine, theirs = self._diffs.get(name, (None, None))
        mine_view = self.query_one("#conflict-mine", DiffView)
        theirs_view = self.query_one("#conflict-theirs", DiffView)
        mine_view.border_title = f"mine: {name}"
        theirs_view.border_title = f"theirs (server): {name}"
        no_diff: list[DiffRow] = [("note", "(no diff)", ())]
        mine_view.set_rows(diff_rows(mine, title="you changed") if mine else no_diff)
        theirs_view.set_rows(diff_rows(theirs, title="the server changed") if theirs else no_diff)
        mine_view.scroll_home(animate=False, immediate=True)
        theirs_view.scroll_home(animate=False, immediate=True)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._show(event.option.id)

    def action_flip(self) -> None:
        fields = self.query_one(OptionList)
        index = fields.highlighted
        if index is None:
            return
        name = fields.get_option_at_index(index).id
        if name is None:
            return
        self.choices[name] = "theirs" if self.choices[name] == "mine" else "mine"
        fields.clear_options()
        fields.add_options(self._options())
        fields.highlighted = index

    def action_all(self, choice: Choice) -> None:
        self.dismiss(choice)

    def action_apply(self) -> None:
        self.dismiss(dict(self.choices))

    def action_later(self) -> None:
        self.dismiss(None)


# -- drafts -----------------------------------------------------------------------------------


class DraftsModal(ModalModelScreen["str | None"]):
    """Unsaved drafts found in the journal; open one in the editor or drop it.

    Dismisses with the key of the draft opened, or None; an opened draft is shown by the app's
    ``open_editor`` action (the editor is the app's to show: this module is the editor's).
    """

    DEFAULT_CSS = """
    DraftsModal {
        align: center middle;
    }
    DraftsModal > Vertical {
        width: 90%;
        max-width: 120;
        height: auto;
        max-height: 80%;
        border: thick $primary;
        background: $surface;
    }
    DraftsModal .dialog-title {
        text-style: bold;
        padding: 0 1;
        height: auto;
    }
    DraftsModal OptionList {
        height: auto;
        max-height: 20;
    }
    DraftsModal .dialog-hint {
        color: $text-muted;
        padding: 0 1;
        height: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Later", id="drafts.close"),
        Binding("enter", "open_draft", "Open", id="drafts.open", priority=True),
        Binding("d", "drop_draft", "Drop", id="drafts.drop"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Unsaved drafts", classes="dialog-title")
            yield OptionList(id="drafts-list")
            yield Static(
                "enter: open in the editor   d: drop   escape: later", classes="dialog-hint"
            )

    def redraw(self, change: Change | None) -> None:
        if change is not None and "drafts" not in change.kinds:
            return
        drafts = self.model.state.drafts
        if not drafts and change is not None:
            self.dismiss(None)
            return
        options = self.query_one(OptionList)
        index = options.highlighted
        options.clear_options()
        options.add_options(Option(self._label(d), id=d.key) for d in drafts)
        if drafts:
            options.highlighted = min(index or 0, len(drafts) - 1)
        title = f"Unsaved drafts ({len(drafts)}) kept from earlier edits"
        self.query_one(".dialog-title", Static).update(title)

    def _label(self, draft: Any) -> Text:
        label = Text(no_wrap=True, end="")
        if draft.item_id is None:
            label.append(f"{'new item':<13}", "bold")  # as wide as "item 1234abcd"
        else:
            label.append(f"item {short_id(draft.item_id)}", "bold")
        # each gap ends a run, never starts one: SVG renderers (the snapshots, the README's
        # picture) draw a run's leading spaces after its text
        label.append("  ")
        when = draft.updated_at[:19].replace("T", " ")
        label.append(f"in {short_id(draft.dataset_id)}  {when}  ", "dim")
        label.append(", ".join(draft.fields) if draft.fields else "(no field)")
        if draft.status != "editing":
            status = draft.status.replace("_", " ")
            label.append("  ")
            label.append(status, "bold")
            if draft.reason:
                label.append(": ")
                label.append_text(safe_text(draft.reason, max_len=80))
        return label

    def _highlighted_key(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_open_draft(self) -> None:
        key = self._highlighted_key()
        if key is None:
            return

        async def open_it() -> None:
            await self.model.open_draft(key)
            editor = self.model.state.editor
            if editor is not None and editor.key == key:
                self.dismiss(key)
                # the app opens the editor (this module is the editor's, not the other way)
                await self.app.run_action("app.open_editor")

        self.run_model(open_it(), group="drafts")

    def action_drop_draft(self) -> None:
        key = self._highlighted_key()
        if key is None:
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed and key is not None:
                self.app.run_worker(self.model.drop_draft(key), exit_on_error=False)

        self.app.push_screen(
            ConfirmModal("Drop this draft?", "Its unsaved edits will be lost.", "Drop"),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss(None)
