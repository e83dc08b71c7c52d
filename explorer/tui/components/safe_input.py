"""`SafeInput`: a one-line text box whose untrusted value never reaches the terminal raw."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from .safe_text import ESCAPE_STYLE, unsafe_char_pattern

__all__ = ["REPLACEMENT", "SafeInput"]

REPLACEMENT = "\ufffd"
"""How an unsafe character is drawn: one cell for one character, so the cursor stays aligned."""

_UNSAFE = unsafe_char_pattern()


class SafeInput(Input):
    """An `Input` for item text (e.g. a ``ref_*`` field). Textual's Input draws its value as it
    is, so an ESC or OSC sequence in it would reach the terminal; this one draws every control,
    bidi-override or otherwise unsafe character as a dim ``\ufffd``. Only the drawing changes:
    ``value`` keeps every character, and typing or saving never alters them."""

    @property
    def _value(self) -> Text:
        # From the value itself: rich's Text would drop some controls (BEL, BS...) silently,
        # which would put the cursor over the wrong character.
        value = self.value
        if self.password or not _UNSAFE.search(value):
            return super()._value
        safe = Text(_UNSAFE.sub(REPLACEMENT, value), no_wrap=True, overflow="ignore", end="")
        for match in _UNSAFE.finditer(value):
            safe.stylize(ESCAPE_STYLE, match.start(), match.end())
        return safe
