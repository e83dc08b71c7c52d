"""JSON values as HTML, cut by budget: a one-line preview, a highlighted ``<pre>``, a tree.

Every function here reads only as much of the value as it shows. A 5 MB item costs the same as a
5 KB one: strings are sliced before they are encoded, containers stop after ``max_items``
children, and the whole output stops at ``max_chars`` characters of HTML with a visible marker.
Integers of any size are shown exactly (never through a float). Values that are not JSON (a set,
an object) are shown as their ``repr``, as a string.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import islice
from json.encoder import encode_basestring
from typing import Any

from explorer.model.preview import Excerpt

from ._text import escape_text, make_visible, make_visible_json

__all__ = ["json_html", "json_tree_html", "preview"]

_DEEPEST = 100  # nesting shown before "…"; the browser's parser caps DOM depth at 512 anyway


class _Full(Exception):
    """The output budget is spent."""


def _int_text(value: int) -> str:
    try:
        return int.__repr__(value)
    except ValueError:  # beyond sys.get_int_max_str_digits()
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"(integer of about {digits:,} digits)"


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> tuple[str, str] | None:
    """(css class, JSON text) of a non-string scalar, or None for a string or container."""
    if value is None:
        return "dx-z", "null"
    if value is True:
        return "dx-b", "true"
    if value is False:
        return "dx-b", "false"
    if isinstance(value, int):
        return "dx-n", _int_text(value)
    if isinstance(value, float):
        return "dx-n", _float_text(value)
    return None


def _children(value: Any) -> tuple[bool, int, Any] | None:
    """(is_object, length, iterable of (key, child)) of a container, or None for a leaf."""
    if isinstance(value, Mapping):
        return True, len(value), value.items()
    if isinstance(value, list | tuple):
        return False, len(value), enumerate(value)
    return None


def _as_str(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _key_str(key: Any) -> str:
    if isinstance(key, str):
        return key
    scalar = _scalar(key)
    return scalar[1] if scalar else repr(key)


def _quoted(text: str) -> str:
    """``text`` as a JSON string literal, with what JSON leaves raw made visible."""
    # what json.dumps(text, ensure_ascii=False) gives, without building an encoder per string
    return make_visible_json(encode_basestring(text))


# ---------------------------------------------------------------- one-line preview (plain text)


def preview(value: Any, limit: int = 80) -> str:
    """Compact one-line JSON of ``value``, at most ``limit`` characters (``…`` when cut).

    Plain text (escape it before putting it in HTML); control, bidi and separator characters
    already appear as ``\\uXXXX``. Cost is bounded by ``limit``, not by the value's size.
    An `~explorer.model.Excerpt` (text `~explorer.model.salient` picked) is shown as text,
    unquoted, with the same characters made visible.
    """
    if isinstance(value, Excerpt):
        shown = make_visible(value[: limit + 1])
        return shown if len(shown) <= limit else shown[: limit - 1] + "…"
    parts: list[str] = []
    used = 0

    def add(piece: str) -> None:
        nonlocal used
        parts.append(piece)
        used += len(piece)
        if used > limit:
            raise _Full

    def walk(v: Any, depth: int) -> None:
        scalar = _scalar(v)
        if scalar is not None:
            add(scalar[1])
            return
        kids = _children(v)
        if kids is None:
            s = _as_str(v)
            room = limit - used + 1  # before add() spends it
            add(_quoted(s[:room]))
            if len(s) > room:
                raise _Full
            return
        is_object, _, items = kids
        add("{" if is_object else "[")
        if depth >= _DEEPEST:
            add("…")
            raise _Full
        for i, (k, child) in enumerate(items):
            if i:
                add(",")
            if is_object:
                key = _key_str(k)
                add(_quoted(key[: limit - used + 1]) + ":")
            walk(child, depth + 1)
        add("}" if is_object else "]")

    try:
        walk(value, 0)
    except _Full:
        return "".join(parts)[: limit - 1] + "…"
    return "".join(parts)


# ---------------------------------------------------------------- pretty, highlighted <pre>


def _string_html(text: str, max_string: int, css: str) -> str:
    shown = text[:max_string]
    out = f'<span class="{css}">{escape_text(_quoted(shown))}</span>'
    rest = len(text) - len(shown)
    if rest > 0:
        out += f'<span class="dx-more">… ({rest:,} more characters)</span>'
    return out


def _more(count: int, noun: str) -> str:
    return f'<span class="dx-more">… {count:,} more {noun}</span>'


_TRUNCATED = '<span class="dx-more">… (truncated here: the rest of this value is not shown)</span>'


def json_html(
    value: Any,
    *,
    max_string: int = 2000,
    max_items: int = 200,
    max_chars: int = 120_000,
    indent: int = 2,
) -> str:
    """Pretty-printed, highlighted JSON of ``value`` as one ``<pre class="dx-json">``.

    Spans: ``dx-k`` keys, ``dx-s`` strings, ``dx-n`` numbers, ``dx-b`` booleans, ``dx-z`` null,
    ``dx-more`` what was left out. Strings longer than ``max_string`` characters end with
    "… (N more characters)"; containers show their first ``max_items`` children, then
    "… N more items/keys"; the HTML stops after about ``max_chars`` characters (one string
    piece over at most) with a closing marker. Every string is escaped.
    """
    parts: list[str] = []
    size = 0

    def add(piece: str) -> None:
        nonlocal size
        parts.append(piece)
        size += len(piece)
        if size > max_chars:
            raise _Full

    def room() -> int:
        # Characters a string may still show: one piece never overshoots the budget by much.
        return max(1, min(max_string, max_chars - size))

    def walk(v: Any, level: int) -> None:
        scalar = _scalar(v)
        if scalar is not None:
            add(f'<span class="{scalar[0]}">{escape_text(scalar[1])}</span>')
            return
        kids = _children(v)
        if kids is None:
            add(_string_html(_as_str(v), room(), "dx-s"))
            return
        is_object, length, items = kids
        opener, closer = ("{", "}") if is_object else ("[", "]")
        if length == 0:
            add(opener + closer)
            return
        if level >= _DEEPEST:
            noun = "keys" if is_object else "items"
            add(f'{opener}<span class="dx-more">… {length:,} {noun} nested too deep</span>{closer}')
            return
        pad = " " * (indent * (level + 1))
        add(opener + "\n")
        shown = min(length, max_items)
        for i, (k, child) in enumerate(islice(items, shown)):
            if is_object:
                add(pad + _string_html(_key_str(k), room(), "dx-k") + ": ")
            else:
                add(pad)
            walk(child, level + 1)
            add(",\n" if i < length - 1 else "\n")
        if shown < length:
            add(pad + _more(length - shown, "keys" if is_object else "items") + "\n")
        add(" " * (indent * level) + closer)

    try:
        walk(value, 0)
    except _Full:
        parts.append("\n" + _TRUNCATED)
    return '<pre class="dx-json">' + "".join(parts) + "</pre>"


# ---------------------------------------------------------------- collapsible tree


def _leaf_html(value: Any, max_string: int) -> str:
    scalar = _scalar(value)
    if scalar is not None:
        return f'<span class="{scalar[0]}">{escape_text(scalar[1])}</span>'
    kids = _children(value)
    if kids is not None:  # an empty container
        return "{}" if kids[0] else "[]"
    return _string_html(_as_str(value), max_string, "dx-s")


def json_tree_html(
    value: Any,
    *,
    max_string: int = 500,
    max_items: int = 200,
    max_chars: int = 120_000,
    open_depth: int = 1,
    max_depth: int = 32,
) -> str:
    """``value`` as a collapsible tree of ``<details>``/``<summary>`` (no script needed).

    Containers nearer the root than ``open_depth`` start open; a closed one shows its size and a
    one-line preview in its summary. Each container lists its first ``max_items`` children then
    "… N more"; containers deeper than ``max_depth`` show only a preview; strings stop at
    ``max_string`` characters; the HTML stops after about ``max_chars`` characters with a marker
    and every tag still closed. Every string is escaped.
    """
    parts: list[str] = []
    closers: list[str] = []
    size = 0

    def add(piece: str) -> None:
        nonlocal size
        parts.append(piece)
        size += len(piece)
        if size > max_chars:
            raise _Full

    def room() -> int:
        return max(1, min(max_string, max_chars - size))

    def walk(label: str, v: Any, depth: int) -> None:
        kids = _children(v)
        if kids is None or kids[1] == 0:
            add(f'<div class="dx-leaf">{label}{_leaf_html(v, room())}</div>')
            return
        is_object, length, items = kids
        noun = ("key" if is_object else "item") + ("" if length == 1 else "s")
        meta = f'<span class="dx-meta">{"{…}" if is_object else "[…]"} {length:,} {noun}</span>'
        if depth >= min(max_depth, _DEEPEST):
            add(
                f'<div class="dx-leaf">{label}{meta} <span class="dx-prev">'
                f"{escape_text(preview(v, 60))}</span></div>"
            )
            return
        is_open = depth < open_depth
        summary = label + meta
        if not is_open:
            summary += f' <span class="dx-prev">{escape_text(preview(v, 60))}</span>'
        closers.append("</div></details>")  # first, so a spent budget still closes it
        add(
            f"<details{' open' if is_open else ''}><summary>{summary}</summary>"
            '<div class="dx-children">'
        )
        for k, child in islice(items, max_items):
            if is_object:
                key = _key_str(k)
                key_html = escape_text(key[: room()])
                if len(key) > room():
                    key_html += "…"
                child_label = f'<span class="dx-k">{key_html}</span>: '
            else:
                child_label = f'<span class="dx-i">{k}</span>: '
            walk(child_label, child, depth + 1)
        if length > max_items:
            add(f'<div class="dx-leaf">{_more(length - max_items, noun)}</div>')
        add(closers.pop())

    try:
        walk("", value, 0)
    except _Full:
        parts.append(f'<div class="dx-leaf">{_TRUNCATED}</div>')
        parts.extend(reversed(closers))
    return '<div class="dx-tree">' + "".join(parts) + "</div>"
