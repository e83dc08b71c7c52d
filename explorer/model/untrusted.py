"""The one rule for untrusted text (item content, names, server messages) in every front end.

Some characters must never reach a screen as they are: C0 controls (ESC starts a terminal
sequence, BEL rings, BS and CR overwrite what is shown, NUL truncates), DEL and the C1 controls,
the bidi marks, embeddings, overrides and isolates (they reorder what is shown: Trojan Source),
the line and paragraph separators (some terminals break lines at them), and lone surrogates
(they cannot be encoded to UTF-8, so a terminal writer or a notebook's widget state would fail).
Each is shown as a visible escape: ``\\x1b``, ``\\u202e``; newline and tab as ``\\n`` and ``\\t``
(a raw tab moves the cursor). Emoji, CJK and right-to-left letters are kept as they are.

Front ends escape markup on top of this (Rich markup is never parsed in the terminal; HTML is
escaped in the notebook); this module decides only which characters are unsafe and how they are
written.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "JSON_UNSAFE",
    "MULTI_LINE_UNSAFE",
    "ONE_LINE_UNSAFE",
    "escape_char",
    "make_visible",
    "make_visible_json",
]

# DEL, C1, LRM/RLM, line and paragraph separators, bidi embeddings and overrides, isolates,
# lone surrogates: unsafe everywhere.
_ALWAYS: Final = "\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"

ONE_LINE_UNSAFE: Final = re.compile(f"[\x00-\x1f{_ALWAYS}]")
"""Unsafe on one line (a label, a cell, a title): every control, newline and tab included."""
MULTI_LINE_UNSAFE: Final = re.compile(f"[\x00-\x09\x0b-\x1f{_ALWAYS}]")
"""Unsafe in text shown on several lines: the same but for newline."""
JSON_UNSAFE: Final = re.compile(f"[\x00-\x08\x0b-\x1f{_ALWAYS}]")
"""Unsafe in JSON text (shown or edited): newline and tab are JSON's own whitespace; anything
else unsafe can only stand inside a string, where ``\\uXXXX`` means the same value."""

_SHORT: Final = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_char(ch: str) -> str:
    """The visible escape of one unsafe character: ``\\n``, ``\\x1b``, ``\\u202e``."""
    short = _SHORT.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def make_visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every unsafe character written as its visible escape (newlines kept when
    ``multiline``)."""
    pattern = MULTI_LINE_UNSAFE if multiline else ONE_LINE_UNSAFE
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: escape_char(m.group()), text)


def make_visible_json(text: str) -> str:
    """JSON text with every unsafe character written as ``\\uXXXX``: still the same JSON value,
    newlines and tabs kept."""
    if not JSON_UNSAFE.search(text):
        return text
    return JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
