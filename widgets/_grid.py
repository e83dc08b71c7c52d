"""The item grid: one page of items as a keyboard-driven table in the browser (an anywidget).

Python sends the page as plain strings (``columns``, ``rows``: see `widgets._render.grid_rows`),
one trait sync per page; the browser draws a real ``<table>`` with DOM calls (item text only as
text nodes), a sticky header, fixed and resizable columns, and handles the keys while the grid
has focus. What the user does comes back as custom messages:

- ``{"type": "select", "id": ..., "seq": n}``: a row was clicked, or the selection moved by key;
- ``{"type": "open", "id": ..., "seq": n}``: Enter or a double click on a row;
- ``{"type": "key", "action": ..., "id": ..., "seq": n}``: ``edit``, ``delete``, ``undo``,
  ``next_page``, ``prev_page`` (a key, or the grid's own ‹ Previous / Next › buttons) or
  ``search`` (``id``: the row the browser shows selected, or ""; ``seq``: numbers page turns);
- marks (while ``markable``: a checkbox column): ``{"type": "mark", "id": ..., "on": bool,
  "seq": n}`` (a click on a row's checkbox, or ``x`` / space on the selected row),
  ``{"type": "mark_range", "from": ..., "id": ..., "seq": n}`` (shift-click, shift+``x``: the
  rows from the last one marked to this one), ``{"type": "mark_page", "ids": [...], "on":
  bool, "seq": n}`` (the header's checkbox: the rows shown).

The browser moves its selection at once and numbers each move (``seq``); Python answers with
``selected_id`` and ``ack``, the number of the last move the model has settled. Until ``ack``
reaches its latest move, the browser ignores ``selected_id`` (the model is behind the keys);
then ``selected_id`` is the truth (an item the model could not select springs back).

Marks too: the browser ticks a checkbox at once and numbers the change; Python answers with
``marked`` (the marked ids among the rows it sent, this page's and those sent ahead) and
``mark_ack``; until ``mark_ack`` reaches its latest change the browser keeps its own ticks.

Page turns work the same way: Python keeps the neighbouring pages the model already holds in
``ahead``, the browser draws one of them the moment the user turns the page (no round trip to
the kernel) and numbers the turn; ``turn_ack`` says which turn the model has settled, and from
then ``rows`` and ``page_key`` are the truth again (a turn the model refused springs back).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["GRID_CLASS", "KEY_ACTIONS", "ItemGrid"]

GRID_CLASS = "dx-grid"
KEY_ACTIONS = frozenset({"edit", "delete", "undo", "next_page", "prev_page", "search"})
"""The ``action`` of a ``key`` message."""

_HERE = Path(__file__).parent

Handler = Callable[[dict[str, Any]], None]


class ItemGrid(anywidget.AnyWidget):
    """The rows of one page; ``on_message(handler)`` hears what the user does."""

    _esm = _HERE / "_grid.js"
    _css = _HERE / "_grid.css"

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    """``{"key", "title", "width"}`` per column (``width`` px; 0: a share of the rest)."""
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    """``{"id", "cells", "trace"}`` per item of the page, in order."""
    page_key = traitlets.Unicode("").tag(sync=True)
    """Changes when another page is shown: the grid scrolls back to the top."""
    selected_id = traitlets.Unicode("").tag(sync=True)
    """The selected item's id when it is on this page, else ""."""
    ack = traitlets.Int(0).tag(sync=True)
    """The ``seq`` of the last selection move the model has settled."""
    has_prev = traitlets.Bool(False).tag(sync=True)
    has_next = traitlets.Bool(False).tag(sync=True)
    """Whether the grid's ‹ Previous / Next › buttons (and ``[`` / ``]``) can turn the page."""
    ahead = traitlets.Dict().tag(sync=True)
    """The neighbouring pages the model already holds, to show at once on a turn:
    ``{"next": {"page_key", "rows"}, "prev": {...}}`` (either may be missing)."""
    turn_ack = traitlets.Int(0).tag(sync=True)
    """The ``seq`` of the last page turn the model has settled."""
    empty_text = traitlets.Unicode("No items on this page").tag(sync=True)
    markable = traitlets.Bool(False).tag(sync=True)
    """Whether rows can be marked (a checkbox column first)."""
    marked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """The marked ids among the rows sent (this page's and ``ahead``'s)."""
    mark_ack = traitlets.Int(0).tag(sync=True)
    """The ``seq`` of the last mark change the model has settled."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class(GRID_CLASS)
        self._handlers: list[Handler] = []
        self.on_msg(self._received)

    def on_message(self, handler: Handler) -> None:
        """``handler(message)`` for each well-formed message from the browser (on the thread
        the kernel delivers widget messages on)."""
        self._handlers.append(handler)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        message = parse_message(content)
        if message is not None:
            for handler in self._handlers:
                handler(message)


def parse_message(content: Any) -> dict[str, Any] | None:
    """The message as the grid's handlers take it, or None when it is not one of the grid's
    (anywidget and ipywidgets send their own on the same channel)."""
    if not isinstance(content, dict):
        return None
    kind = content.get("type")
    item_id = content.get("id")
    item_id = item_id if isinstance(item_id, str) else ""
    seq = content.get("seq")
    seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else 0
    if kind in ("select", "open") and item_id:
        return {"type": kind, "id": item_id, "seq": seq}
    if kind == "key" and content.get("action") in KEY_ACTIONS:
        return {"type": "key", "action": content["action"], "id": item_id, "seq": seq}
    on = content.get("on", True)
    on = on if isinstance(on, bool) else True
    if kind == "mark" and item_id:
        return {"type": "mark", "id": item_id, "on": on, "seq": seq}
    start = content.get("from")
    if kind == "mark_range" and item_id and isinstance(start, str) and start:
        return {"type": "mark_range", "from": start, "id": item_id, "seq": seq}
    ids = content.get("ids")
    if kind == "mark_page" and isinstance(ids, list) and all(isinstance(i, str) for i in ids):
        return {"type": "mark_page", "ids": list(ids), "on": on, "seq": seq}
    return None
