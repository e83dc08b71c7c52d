"""``JsonText``: the pretty-printed JSON of a value, read-only, fast for 20 MB values.

Pretty-printing with ``indent`` runs Python's pure-Python encoder (about 0.4 s for 5 MB and
1.6 s for 20 MB of small objects), so the first screen's worth is encoded on the spot and the
rest in a thread worker that appends in 1 MB steps: the first paint costs the same for any
size. Lines are drawn by :class:`~.line_view.LineView` (only the visible ones, highlighted by a
small per-line tokenizer). Characters JSON leaves raw but a terminal must not see (DEL, C1,
bidi overrides, line separators, lone surrogates) are written as ``\\uXXXX`` escapes, which is
still valid JSON for the same value.
"""

from __future__ import annotations

import asyncio
import json
import re
from array import array
from collections.abc import Iterator
from typing import Any, ClassVar

from textual.message import Message
from textual.worker import get_current_worker

from explorer.model.untrusted import make_visible_json

from .line_view import LineView, StyleSpan, _index_piece

__all__ = ["JsonText"]

_FIRST_LINES = 400  # encoded before the first paint: more than any screen is tall
_FIRST_CHARS = 256 * 1024
_FLUSH_CHARS = 1024 * 1024
_SYNC_FIND_CHARS = 1024 * 1024  # a longer text is searched again off the UI thread

_TOKEN = re.compile(
    r'(?P<str>"[^"\\]*(?:\\.[^"\\]*)*")(?P<colon>\s*:)?'
    r"|(?P<num>-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Infinity))"
    r"|(?P<lit>true|false|null|NaN)"
    r"|(?P<punct>[{}\[\],])"
)
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")


def _make_safe(piece: str) -> str:
    return make_visible_json(piece)


def _default(value: Any) -> str:
    # Not JSON (a tuple is, a set or object is not): show its repr as a string.
    return repr(value)


_MISSING: Any = object()


class JsonText(LineView):
    """The pretty-printed JSON of ``value``, highlighted, with find (``n``/``N``).

    Args:
        value: Any JSON value; loaded when the widget mounts (or later with :meth:`load`).
            It must not be mutated while loading.
        indent: Spaces per nesting level.
        soft_wrap: Wrap long lines instead of scrolling sideways (costs one pass over the
            lines at each resize; leave off for multi-megabyte values).

    A value Python's encoder refuses (a circular reference, an int beyond
    ``sys.get_int_max_str_digits()``) is shown as a one-line error instead.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "json-text--key",
        "json-text--string",
        "json-text--number",
        "json-text--literal",
        "json-text--punct",
        "json-text--escape",
        "json-text--error",
    }

    DEFAULT_CSS = """
    JsonText {
        & > .json-text--key { color: $text-primary; text-style: bold; }
        & > .json-text--string { color: $text-success; }
        & > .json-text--number { color: $text-warning; }
        & > .json-text--literal { color: $text-accent; }
        & > .json-text--punct { color: $text-muted; }
        & > .json-text--escape { color: $text-muted; text-style: italic; }
        & > .json-text--error { color: $text-error; }
    }
    """

    class Loaded(Message):
        """Posted when the whole value has been laid out (find then covers all of it)."""

        def __init__(self, view: JsonText, line_count: int) -> None:
            self.view = view
            self.line_count = line_count
            super().__init__()

        @property
        def control(self) -> JsonText:
            return self.view

    def __init__(
        self,
        value: Any = _MISSING,
        *,
        indent: int = 2,
        soft_wrap: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(soft_wrap=soft_wrap, name=name, id=id, classes=classes, disabled=disabled)
        self.indent = indent
        self._pending = value
        self._generation = 0
        self._loaded = asyncio.Event()
        self._error: str | None = None

    def on_mount(self) -> None:
        if self._pending is not _MISSING:
            value, self._pending = self._pending, _MISSING
            self.load(value)

    @property
    def loaded(self) -> bool:
        """Whether the whole value is laid out."""
        return self._loaded.is_set()

    async def wait_loaded(self) -> None:
        """Wait until the whole value is laid out."""
        await self._loaded.wait()

    def load(self, value: Any) -> None:
        """Show ``value``: the first screen now, the rest from a thread worker."""
        self._generation += 1
        self._loaded.clear()
        self._error = None
        self._match_index = None
        # Matches in the old text would be drawn at the same offsets of the new one.
        self._match_starts = array("q")
        self._match_count = 0
        encoder = json.JSONEncoder(
            indent=self.indent, ensure_ascii=False, default=_default, check_circular=True
        )
        chunks = encoder.iterencode(value)
        pieces: list[str] = []
        size = 0
        lines = 0
        done = True
        try:
            for chunk in chunks:
                pieces.append(chunk)
                size += len(chunk)
                lines += chunk.count("\n")
                if lines >= _FIRST_LINES or size >= _FIRST_CHARS:
                    done = False
                    break
        except (ValueError, TypeError, RecursionError) as error:
            self._show_error(error)
            return
        self._replace_safe(_make_safe("".join(pieces)))
        if done:
            self._finish(self._generation)
        else:
            generation = self._generation
            base = len(self._text)
            self.run_worker(
                lambda: self._encode_rest(chunks, generation, base),
                thread=True,
                exclusive=True,
                group="json-text-load",
                exit_on_error=False,
            )

    def _show_error(self, error: BaseException) -> None:
        self._error = f"cannot show this value as JSON: {type(error).__name__}: {error}"
        self.set_text(self._error)
        self._finish(self._generation)

    def _encode_rest(self, chunks: Iterator[str], generation: int, base: int) -> None:
        """Thread worker: encode the rest, handing the UI 1 MB at a time."""
        worker = get_current_worker()
        pieces: list[str] = []
        size = 0
        try:
            for chunk in chunks:
                if worker.is_cancelled:
                    return
                pieces.append(chunk)
                size += len(chunk)
                if size >= _FLUSH_CHARS:
                    base = self._hand_over(pieces, generation, base)
                    pieces, size = [], 0
            self._hand_over(pieces, generation, base)
        except (ValueError, TypeError, RecursionError) as error:
            self.app.call_from_thread(self._fail_if_current, generation, error)
            return
        self.app.call_from_thread(self._finish, generation)

    def _hand_over(self, pieces: list[str], generation: int, base: int) -> int:
        piece = _make_safe("".join(pieces))
        starts, width = _index_piece(piece, base)
        self.app.call_from_thread(self._append_if_current, generation, piece, starts, width)
        return base + len(piece)

    def _append_if_current(self, generation: int, piece: str, starts: Any, width: int) -> None:
        if generation == self._generation:
            self._append_safe(piece, starts, width)

    def _fail_if_current(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._show_error(error)

    def _finish(self, generation: int) -> None:
        if generation != self._generation:
            return
        if self._query:  # the find covered only what was loaded then
            if len(self._text) > _SYNC_FIND_CHARS:
                self.run_worker(self._refind(generation), group="json-text-find", exclusive=True)
                return
            index = self._match_index
            self._search()
            if index is not None and index < len(self._match_starts):
                self._match_index = index
            self._post_find()
        self._done_loading()

    async def _refind(self, generation: int) -> None:
        """Search the whole text again off the UI thread, keeping the current match."""
        index, query = self._match_index, self._query
        await self.find_async(query, case_sensitive=self._case_sensitive)
        if generation != self._generation:
            return
        if self._query == query and index is not None and index < len(self._match_starts):
            self._match_index = index
            self._post_find()
        self._done_loading()

    def _done_loading(self) -> None:
        self._loaded.set()
        self.post_message(self.Loaded(self, self.line_count))

    def line_styles(self, y: int, line: str) -> list[StyleSpan]:
        if self._error is not None:
            return [(0, len(line), self._style("error"))]
        spans: list[StyleSpan] = []
        add = spans.append
        for match in _TOKEN.finditer(line):
            kind = match.lastgroup
            if kind == "colon" or match.group("str") is not None:
                start, end = match.span("str")
                add((start, end, self._style("key" if match.group("colon") else "string")))
                token = match.group("str")
                if "\\" in token:
                    escape = self._style("escape")
                    for esc in _ESCAPE.finditer(token):
                        add((start + esc.start(), start + esc.end(), escape))
                if match.group("colon"):
                    add((end, match.end(), self._style("punct")))
            elif kind is not None:
                add((match.start(), match.end(), self._style(kind)))
        return spans

    def _style(self, kind: str) -> Any:
        name = {"num": "number", "lit": "literal"}.get(kind, kind)
        return self.get_component_rich_style(f"json-text--{name}", partial=True)
