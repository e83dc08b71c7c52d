"""Dataset text made safe for an ``ipywidgets.HTML`` widget, which sets ``innerHTML`` as is.

Items hold untrusted LLM text. Three things could go wrong once it is in the page: markup in it
being parsed (``<img onerror=...>``: the HTML widget has no sanitiser), control characters that a
browser drops or shows as nothing (NUL, ESC, C1), and bidi override characters reordering what is
shown (Trojan Source). :func:`escape_text` HTML-escapes and shows each such character as a visible
``\\x1b`` / ``\\u202e`` escape; emoji, CJK and right-to-left letters are kept as they are.
Lone surrogates are escaped too: they cannot be encoded to UTF-8, so the kernel could not send
the widget state at all.
"""

from __future__ import annotations

import html
import unicodedata

from explorer.model.untrusted import make_visible, make_visible_json

__all__ = [
    "display_width",
    "escape_attr",
    "escape_text",
    "fit",
    "make_visible",
    "make_visible_json",
]

# Which characters are unsafe, and how they are written: the model's one rule
# (explorer.model.untrusted), shared with the terminal app. ``make_visible`` gives plain text
# (escape it for HTML with `escape_text`); ``make_visible_json`` keeps JSON valid.


def escape_text(text: str, *, multiline: bool = False) -> str:
    """Text node content: unsafe characters made visible, then ``<``, ``>``, ``&`` escaped."""
    return html.escape(make_visible(text, multiline=multiline), quote=False)


def escape_attr(text: str) -> str:
    """An attribute value (to go between double quotes): made visible, quotes escaped too."""
    return html.escape(make_visible(text), quote=True)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (CJK and most emoji count two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (ending in ``…`` when cut) and padded with spaces."""
    if text.isascii() and len(text) <= width:
        return text.ljust(width)
    used = 0
    out: list[str] = []
    total = display_width(text) if len(text) <= width * 2 else width + 1
    if total <= width:
        return text + " " * (width - total)
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)
