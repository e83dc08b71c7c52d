"""Reusable display components for item JSON in the terminal app (textual, rich, stdlib only).

Every item string is untrusted LLM text: nothing here parses it as Rich markup, and every
control, bidi-override or otherwise unsafe character is drawn as a visible escape.

- :func:`safe_text`, :func:`display_str`: a string as plain ``Text`` / ``str`` with escapes.
- :func:`preview`: a one-line compact JSON preview of any value for a table cell, at a cost
  bounded by its width.
- :func:`json_path`: ``$.messages[2].content`` / ``$["a.b"]`` from a list of steps.
- :class:`JsonTree`: a lazy, folding tree of a value (jless keys), with
  ``value_at_cursor()`` and ``path_at_cursor()``.
- :class:`JsonText`: the pretty-printed JSON of a value, virtualised (first paint the same for
  5 MB and 20 MB), highlighted, with find and ``n``/``N`` navigation.
- :class:`LineView`: the virtualised read-only text view under ``JsonText``.
- :class:`SafeInput`: an Input whose untrusted value is drawn with unsafe characters
  replaced one for one (the value itself unchanged).
- :class:`StringViewer`: a modal showing one long string whole, wrapped.
- :class:`Footer`: Textual's footer, rebuilt once per burst of binding changes.
"""

from .footer import Footer
from .json_path import PathPart, json_path
from .json_text import JsonText
from .json_tree import JsonNode, JsonTree
from .line_view import MAX_MATCH_POSITIONS, LineView
from .safe_input import SafeInput
from .safe_text import ESCAPE_STYLE, display_str, preview, safe_text
from .string_viewer import StringViewer

__all__ = [
    "ESCAPE_STYLE",
    "MAX_MATCH_POSITIONS",
    "Footer",
    "JsonNode",
    "JsonText",
    "JsonTree",
    "LineView",
    "PathPart",
    "SafeInput",
    "StringViewer",
    "display_str",
    "json_path",
    "preview",
    "safe_text",
]
