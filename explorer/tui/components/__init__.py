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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# ``json_path`` and ``safe_text`` are functions named as their modules: imported here, so the
# import of their module (which makes the module an attribute of this package) comes first and
# the function then takes the name. Both are small; the first screen needs safe_text.
from .json_path import PathPart, json_path
from .safe_text import ESCAPE_STYLE, display_str, preview, safe_text

if TYPE_CHECKING:
    from .footer import Footer
    from .json_text import JsonText
    from .json_tree import JsonNode, JsonTree
    from .line_view import MAX_MATCH_POSITIONS, LineView
    from .safe_input import SafeInput
    from .string_viewer import StringViewer

# The other names are imported from their module on first use: the JSON views cost launch time
# (bench_tui_process) until an item shows.
_HOME = {
    "Footer": "footer",
    "JsonText": "json_text",
    "JsonNode": "json_tree",
    "JsonTree": "json_tree",
    "MAX_MATCH_POSITIONS": "line_view",
    "LineView": "line_view",
    "SafeInput": "safe_input",
    "StringViewer": "string_viewer",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
