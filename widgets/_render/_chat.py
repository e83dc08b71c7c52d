"""The Read view of a value: a conversation as messages, text with its own line breaks.

A chat (``explorer.model.chat.find_chat``: a list of ``{role, content}`` messages, the same
wrapped as ``{"messages": [...]}``, or one message) is drawn as one block per message: its role,
its text (``white-space: pre-wrap``: a ``"\\n"`` in the value is a line break on screen), its
tool calls as ``name({"compact":"json"})``. A plain string is its text, wrapped. An object is a
list of labelled rows, each value read the same way; numbers, booleans and null as in JSON.

Every piece of item text is escaped (`escape_text`: markup shown as text, unsafe characters made
visible). Bounded like `json_html`: strings stop at ``max_string`` characters, lists and objects
after ``max_items`` children, the whole after about ``max_chars`` characters of HTML (with every
element still closed and a marker saying so), so a 5 MB item costs what a 5 KB one does.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from explorer.model.chat import Chat, ChatMessage, find_chat, read_message

from ._json import json_html, preview
from ._text import escape_text

__all__ = ["KNOWN_ROLES", "chat_html", "find_chat", "read_html"]

KNOWN_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
"""Roles with a style of their own (``dx-msg-user``...); any other is ``dx-msg-other``."""

_CHIP = 80  # characters of the longest string a list shows as a chip
_DEEPEST = 24  # nesting read as rows; deeper values show as a one-line preview
_TRUNCATED = '<div class="dx-more">… (truncated here: the rest of this value is not shown)</div>'


class _Full(Exception):
    """The output budget is spent."""


class _Out:
    """HTML pieces under a budget; ``open``/``close`` keep a stack of end tags, so a spent
    budget still closes every element."""

    def __init__(self, max_chars: int, max_string: int, max_items: int) -> None:
        self.parts: list[str] = []
        self.closers: list[str] = []
        self.size = 0
        self.max_chars = max_chars
        self.max_string = max_string
        self.max_items = max_items

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > self.max_chars:
            raise _Full

    def open(self, tag: str, closer: str) -> None:
        self.closers.append(closer)
        self.add(tag)

    def close(self) -> None:
        self.add(self.closers.pop())

    def room(self) -> int:
        """Characters a string may still show: one piece overshoots the budget by little."""
        return max(1, min(self.max_string, self.max_chars - self.size))

    def text(self) -> str:
        return "".join(self.parts)

    def spent(self) -> str:
        return "".join([*self.parts, _TRUNCATED, *reversed(self.closers)])


def _text_html(out: _Out, text: str, css: str = "dx-text") -> None:
    """``<div class="dx-text">`` with ``text`` escaped, its line breaks kept, cut to the room."""
    room = out.room()
    shown = text[:room].replace("\r\n", "\n")
    rest = len(text) - room
    more = f'<span class="dx-more"> … ({rest:,} more characters)</span>' if rest > 0 else ""
    out.add(f'<div class="{css}">{escape_text(shown, multiline=True)}{more}</div>')


def _scalar_html(value: Any) -> str | None:
    if value is None:
        return '<span class="dx-z">null</span>'
    if value is True or value is False:
        return f'<span class="dx-b">{"true" if value else "false"}</span>'
    if isinstance(value, int | float):
        return f'<span class="dx-n">{escape_text(preview(value, 200))}</span>'
    return None


def _message_html(out: _Out, message: ChatMessage) -> None:
    role = message.role
    css = role if role in KNOWN_ROLES else "other"
    out.open(f'<div class="dx-msg dx-msg-{css}">', "</div>")
    head = f'<span class="dx-role">{escape_text(role[:200] or "?")}</span>'
    if message.name:
        head += f' <span class="dx-msg-meta">{escape_text(message.name[:200])}</span>'
    if message.tool_call_id:
        head += (
            f' <span class="dx-msg-meta">answers {escape_text(message.tool_call_id[:200])}</span>'
        )
    out.add(f'<div class="dx-msg-head">{head}</div>')
    for text in message.texts:
        _text_html(out, text)
    for call in message.tool_calls:
        out.add(
            f'<div class="dx-call"><span class="dx-call-name">{escape_text(call.name[:200])}'
            f'</span>(<span class="dx-call-args">{escape_text(call.arguments)}</span>)</div>'
        )
    for other in message.others:
        out.add(json_html(other, max_string=out.room(), max_chars=out.room()))
    if not (message.texts or message.tool_calls or message.others):
        out.add('<div class="dx-none">(no content)</div>')
    out.close()


def _chat_html(out: _Out, chat: Chat, depth: int) -> None:
    out.open('<div class="dx-chat">', "</div>")
    count = len(chat.messages)
    for raw in islice(chat.messages, out.max_items):
        _message_html(out, read_message(raw, limit=min(4_000, out.room())))
    if count > out.max_items:
        out.add(f'<div class="dx-more">… {count - out.max_items:,} more messages</div>')
    out.close()
    if chat.rest:
        _rows_html(out, chat.rest.items(), len(chat.rest), True, depth)


def _rows_html(out: _Out, items: Any, length: int, is_object: bool, depth: int) -> None:
    out.open(f'<div class="dx-{"obj" if is_object else "list"}">', "</div>")
    for key, child in islice(items, out.max_items):
        if is_object:
            name = key if isinstance(key, str) else preview(key, 200)
            label = f'<span class="dx-k">{escape_text(name[:200])}</span>'
        else:
            label = f'<span class="dx-i">{int(key)}</span>'
        row = f'<div class="dx-row"><div class="dx-key">{label}</div><div class="dx-val">'
        out.open(row, "</div></div>")
        _walk(out, child, depth + 1)
        out.close()
    if length > out.max_items:
        noun = "keys" if is_object else "items"
        out.add(f'<div class="dx-more">… {length - out.max_items:,} more {noun}</div>')
    out.close()


def _is_short(value: Any) -> bool:
    """A scalar, or a one-line string of at most ``_CHIP`` characters."""
    if isinstance(value, str):
        return len(value) <= _CHIP and "\n" not in value
    return value is None or isinstance(value, bool | int | float)


def _chips_html(out: _Out, values: Any) -> None:
    """A list of short values (tags, ids, numbers) on one wrapped line, one chip each."""
    out.open('<div class="dx-chips">', "</div>")
    for value in values:
        shown = _scalar_html(value) or escape_text(value)
        out.add(f'<span class="dx-chip">{shown}</span> ')
    out.close()


def _walk(out: _Out, value: Any, depth: int) -> None:
    scalar = _scalar_html(value)
    if scalar is not None:
        out.add(scalar)
        return
    if isinstance(value, str):
        _text_html(out, value)
        return
    if depth >= _DEEPEST:
        out.add(f'<span class="dx-prev">{escape_text(preview(value, 200))}</span>')
        return
    chat = find_chat(value)
    if chat is not None:
        _chat_html(out, chat, depth)
        return
    if isinstance(value, Mapping):
        if not value:
            out.add("{}")
            return
        _rows_html(out, value.items(), len(value), True, depth)
        return
    if isinstance(value, list | tuple):
        if not value:
            out.add("[]")
            return
        if len(value) <= out.max_items and all(_is_short(v) for v in value):
            _chips_html(out, value)
            return
        _rows_html(out, enumerate(value), len(value), False, depth)
        return
    _text_html(out, repr(value))  # not JSON (a set, an object): its repr, as text


def read_html(
    value: Any,
    *,
    max_string: int = 20_000,
    max_items: int = 200,
    max_chars: int = 120_000,
) -> str:
    """``value`` for reading, in one ``<div class="dx-read">``: a conversation as messages
    (``dx-chat``, one ``dx-msg`` each), strings as wrapped text with their line breaks
    (``dx-text``), objects and lists as labelled rows (``dx-obj``/``dx-list``, ``dx-row``), a
    list of short values (tags) as chips on one line (``dx-chips``).
    Budgeted as `json_html` is (see the module); every string is escaped."""
    out = _Out(max_chars, max_string, max_items)
    try:
        _walk(out, value, 0)
    except _Full:
        return f'<div class="dx-read">{out.spent()}</div>'
    return f'<div class="dx-read">{out.text()}</div>'


def chat_html(
    value: Any,
    *,
    max_string: int = 20_000,
    max_items: int = 200,
    max_chars: int = 120_000,
) -> str | None:
    """``value`` drawn as a conversation (`read_html` of it) if it is one (`find_chat`), else
    None."""
    if find_chat(value) is None:
        return None
    return read_html(value, max_string=max_string, max_items=max_items, max_chars=max_chars)
