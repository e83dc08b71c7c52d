"""Item text made safe to draw: never Rich markup, never a control sequence to the terminal.

Items hold untrusted LLM text. Three things could go wrong when it reaches the screen: Rich
markup in it (``[bold red]``, ``[link=...]``) being interpreted, control characters (ESC, BEL,
BS, CR, NUL, DEL, C1) reaching the terminal as a sequence, and bidi override characters
reordering what is shown (Trojan Source). Every function here builds a plain ``rich.text.Text``
(no markup parsing) and shows each such character as a visible escape such as ``\\x1b`` in the
``escape_style`` (dim by default). Emoji, CJK and right-to-left letters are kept as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from rich.style import Style, StyleType
from rich.text import Text

from explorer.model.preview import Excerpt
from explorer.model.untrusted import MULTI_LINE_UNSAFE, ONE_LINE_UNSAFE, escape_char

__all__ = ["ESCAPE_STYLE", "display_str", "preview", "safe_text", "unsafe_char_pattern"]

ESCAPE_STYLE: StyleType = Style(dim=True)
"""Style of a visible escape such as ``\\x1b`` (dim: a text attribute, not a colour)."""

# Which characters are unsafe, and how they are written, is the model's one rule.
_ONE_LINE = ONE_LINE_UNSAFE
_MULTI_LINE = MULTI_LINE_UNSAFE


def unsafe_char_pattern(*, multiline: bool = False) -> re.Pattern[str]:
    """The compiled pattern of characters that are escaped (newline kept when ``multiline``)."""
    return _MULTI_LINE if multiline else _ONE_LINE


_escape_char = escape_char


def display_str(s: str, *, multiline: bool = False) -> str:
    """``s`` with every unsafe character replaced by a visible escape, as a plain ``str``.

    Use it where a ``str`` is needed (a title, a notification, a TextArea); prefer
    :func:`safe_text` where a ``Text`` can go, so the escapes are styled apart from the text.
    With ``multiline`` newlines are kept; tabs are always escaped (a raw tab moves the cursor).
    """
    pattern = _MULTI_LINE if multiline else _ONE_LINE
    return pattern.sub(lambda m: _escape_char(m.group()), s)


def safe_text(
    s: str,
    *,
    max_len: int | None = None,
    multiline: bool = False,
    style: StyleType = "",
    escape_style: StyleType = ESCAPE_STYLE,
) -> Text:
    """A plain ``Text`` of ``s``: no markup parsed, unsafe characters as styled escapes.

    ``max_len`` (characters of ``s``) truncates before escaping, so a 5 MB string costs only
    ``max_len``; the cut is marked with an ellipsis. ``multiline`` keeps newlines; otherwise
    they show as ``\\n``.
    """
    truncated = max_len is not None and len(s) > max_len
    if truncated:
        assert max_len is not None
        s = s[: max(0, max_len)]
    pattern = _MULTI_LINE if multiline else _ONE_LINE
    text = Text(style=style, no_wrap=not multiline, end="")
    append = text.append
    pos = 0
    for match in pattern.finditer(s):
        start = match.start()
        if start > pos:
            append(s[pos:start])
        append(_escape_char(match.group()), escape_style)
        pos = match.end()
    if pos < len(s):
        append(s[pos:] if pos else s)
    if truncated:
        append("…", escape_style)
    return text


# --- one-line previews ------------------------------------------------------------------------


class _Budget(Exception):
    """Raised inside the walk once enough characters are collected."""


def _scalar_json(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # beyond sys.get_int_max_str_digits()
            return f"<int of {value.bit_length()} bits>"
    if isinstance(value, float):
        return json.dumps(value)
    return display_str(repr(value))


def preview(value: Any, width: int, *, escape_style: StyleType = ESCAPE_STYLE) -> Text:
    """A one-line compact JSON preview of ``value`` that fits ``width`` terminal cells.

    The value is walked with a character budget, so a 5 MB value costs about ``width``
    characters of work, never a full serialisation. Strings are quoted as in JSON; unsafe
    characters inside them show as styled escapes; anything cut is marked with ``…``.
    Values that are not JSON (tuples, sets, objects) are shown by their type or ``repr``.
    An `~explorer.model.Excerpt` (text `~explorer.model.salient` picked) is shown as text,
    without quotes, escaped the same way.
    """
    width = max(1, width)
    budget = width * 2 + 8  # characters; CJK takes two cells, so collect a little more
    text = Text(no_wrap=True, end="", overflow="ellipsis")
    used = 0

    def emit(s: str, style: StyleType = "") -> None:
        nonlocal used
        text.append(s, style)
        used += len(s)
        if used > budget:
            raise _Budget

    def emit_str(s: str, quoted: bool = True) -> None:
        room = budget - used + 1
        if quoted:
            emit('"')
            part = s[:room].replace("\\", "\\\\").replace('"', '\\"')
        else:
            part = s[:room]
        pos = 0
        for match in _ONE_LINE.finditer(part):
            if match.start() > pos:
                emit(part[pos : match.start()])
            emit(_escape_char(match.group()), escape_style)
            pos = match.end()
        if pos < len(part):
            emit(part[pos:])
        if len(s) > room:
            raise _Budget
        if quoted:
            emit('"')

    def walk(v: Any) -> None:
        if isinstance(v, Excerpt):
            emit_str(v, quoted=False)
        elif isinstance(v, str):
            emit_str(v)
        elif isinstance(v, Mapping):
            emit("{")
            for i, (k, item) in enumerate(v.items()):
                if i:
                    emit(",")
                emit_str(k if isinstance(k, str) else str(k))
                emit(":")
                walk(item)
            emit("}")
        elif isinstance(v, Sequence) and not isinstance(v, bytes | bytearray):
            emit("[")
            for i, item in enumerate(v):
                if i:
                    emit(",")
                walk(item)
            emit("]")
        else:
            emit(_scalar_json(v))

    cut = False
    try:
        walk(value)
    except _Budget:
        cut = True
    except RecursionError:
        cut = True
    if cut or text.cell_len > width:
        if width == 1:
            return Text("…", style=escape_style, end="")
        text.truncate(width - 1, overflow="crop")
        text.append("…", escape_style)
    return text
