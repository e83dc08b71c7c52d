"""One page of items as a single HTML table, as the rows of the panel's item grid, and as the
rows of one ``ipywidgets.Select``.

:func:`grid_columns` and :func:`grid_rows` give the panel's grid (``widgets._grid``) its data as
plain strings: one preview per cell, control and bidi characters already made visible, never
markup (the grid puts them into the page as text nodes).

Standard ipywidgets cannot report a click inside an ``HTML`` widget, so the clickable rows are the
options of one ``Select`` (a listbox): :func:`items_select_options` gives (label, item id) pairs
whose labels are fixed-width columns, and :func:`items_select_header_html` the header line above
it, both meant for the panel's monospaced ``dx-rows`` class. The Select view replaces every space
of a label with a no-break space, so the padding survives. :func:`items_table_html` is the richer
read-only table of the same page (selected row marked), for static output such as
``_repr_html_`` where no kernel answers clicks.

The columns follow the item's API generation (`explorer.model.schema`): ``answer`` is the field
shown next to the input (``output`` on classic, ``expected_output`` on v2), titled by the schema;
``version`` (``v3``) is for versioned items (:func:`item_columns` adds it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from explorer.api.models import short_id as _short_id
from explorer.model.preview import salient
from explorer.model.schema import ItemSchema

from ._fields import (
    field,
    has_trace,
    item_schema,
    item_trace_url,
    time_text,
    updated_value,
    version_text,
)
from ._json import preview
from ._refs import _project, safe_host
from ._text import escape_attr, escape_text, fit, make_visible

__all__ = [
    "GRID_PREVIEW_CHARS",
    "ITEM_COLUMNS",
    "grid_columns",
    "grid_rows",
    "item_columns",
    "items_select_header",
    "items_select_header_html",
    "items_select_options",
    "items_table_html",
    "short_id",
]

ITEM_COLUMNS: tuple[str, ...] = ("id", "input", "answer", "metadata", "trace", "updated")
"""Every column of an unversioned item, in the default order."""

_TITLES = {
    "id": "id",
    "version": "ver",
    "input": "input",
    "answer": "output",  # the schema's label of its answer field, see _title
    "metadata": "metadata",
    "trace": "trace",
    "updated": "updated (UTC)",
}
# Columns of a Select label, in monospaced cells; two spaces between columns.
_WIDTHS = {
    "id": 8,
    "version": 4,
    "input": 32,
    "answer": 32,
    "metadata": 20,
    "trace": 5,
    "updated": 16,
}
_GAP = "  "
# The grid's starting column widths in CSS pixels; 0: a share of what the fixed ones leave.
_GRID_WIDTHS = {
    "id": 84,
    "version": 44,
    "input": 0,
    "answer": 0,
    "metadata": 0,
    "trace": 72,
    "updated": 140,
}
GRID_PREVIEW_CHARS = 120
"""How much of a value one grid cell holds (CSS cuts what does not fit with an ellipsis; the
cell's tooltip shows all of it)."""
_TRACE_MARK = "↗"


def item_columns(schema: ItemSchema) -> tuple[str, ...]:
    """The default columns for items of ``schema``'s generation: a versioned one's show their
    version after the id."""
    if schema.versioned:
        return (ITEM_COLUMNS[0], "version", *ITEM_COLUMNS[1:])
    return ITEM_COLUMNS


def _title(column: str, schema: ItemSchema | None) -> str:
    if column == "answer" and schema is not None:
        return schema.label(schema.answer_field).lower()
    return _TITLES[column]


def _schema_of(items: Sequence[Any], schema: ItemSchema | None) -> ItemSchema | None:
    if schema is not None or not items:
        return schema
    return item_schema(items[0])


def _check(columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in _TITLES]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; choose from {list(ITEM_COLUMNS)}")


def short_id(item_id: Any) -> str:
    """The short id shown for an item: its last 8 hex digits (`explorer.api.short_id`: a
    UUIDv7 starts with its creation time, so the head is the same for a whole batch), with any
    control or bidi character of a malformed id made visible."""
    return make_visible(_short_id(item_id))


def _cell_text(item: Any, column: str, limit: int) -> str:
    if column == "id":
        return short_id(field(item, "id"))
    if column == "version":
        return version_text(item)
    if column in ("input", "answer"):
        name = item_schema(item).answer_field if column == "answer" else column
        # what tells rows apart (the user's question, the answer, the tool called), not the
        # system prompt every chat row starts with
        return preview(salient(field(item, name)), limit)
    if column == "metadata":
        return preview(field(item, column), limit)
    if column == "trace":
        return _TRACE_MARK if has_trace(item) else ""
    return make_visible(time_text(updated_value(item)))


def items_table_html(
    items: Iterable[Any],
    *,
    selected_id: Any = None,
    columns: Sequence[str] = ITEM_COLUMNS,
    preview_chars: int = 80,
    schema: ItemSchema | None = None,
) -> str:
    """One ``<table class="dx-items">`` for a page of items (API models, or dicts of their JSON).

    JSON columns show compact JSON cut to ``preview_chars`` (cost bounded by that, whatever the
    item's size); ``trace`` shows a marker when the item links to its trace; the row whose id
    equals ``selected_id`` (compared as strings) gets ``dx-selected`` and ``aria-selected``.
    Titles follow ``schema`` (default: the first item's generation). Every dataset string is
    escaped. Raises ValueError for an unknown column.
    """
    _check(columns)
    items = list(items)
    titles = _schema_of(items, schema)
    selected = None if selected_id is None else str(selected_id)
    head = "".join(f'<th class="dx-col-{c}">{escape_text(_title(c, titles))}</th>' for c in columns)
    rows: list[str] = []
    for item in items:
        item_id = field(item, "id")
        is_selected = selected is not None and str(item_id) == selected
        cells: list[str] = []
        for c in columns:
            if c == "id":
                full = "" if item_id is None else str(item_id)
                short = escape_text(short_id(item_id))
                cells.append(f'<td class="dx-col-id" title="{escape_attr(full)}">{short}</td>')
            elif c == "trace":
                mark = (
                    '<span class="dx-badge dx-badge-trace" title="linked to a PostHog trace">'
                    "trace</span>"
                    if has_trace(item)
                    else ""
                )
                cells.append(f'<td class="dx-col-trace">{mark}</td>')
            else:
                text = _cell_text(item, c, preview_chars)
                cells.append(f'<td class="dx-col-{c}">{escape_text(text)}</td>')
        attrs = (
            ' class="dx-row dx-selected" aria-selected="true"' if is_selected else ' class="dx-row"'
        )
        rows.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    if not rows:
        rows.append(
            f'<tr><td class="dx-empty" colspan="{len(columns)}">No items on this page</td></tr>'
        )
    return (
        f'<table class="dx-items"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# First-strong isolate and pop directional isolate: a cell of right-to-left text (Arabic,
# Hebrew) is laid out on its own, so it cannot pull the gap and the next cells into its run
# and move them. The data's own bidi controls are already escaped (``\u2068``), so these
# balanced pairs are the only raw ones in a label.
FSI, PDI = "\u2068", "\u2069"


def _isolated(text: str, width: int) -> str:
    """``text`` fitted to ``width`` columns: the text in an isolate, the padding after it."""
    fitted = fit(text, width)
    core = fitted.rstrip(" ")
    return f"{FSI}{core}{PDI}{fitted[len(core) :]}" if core else fitted


def _label(cells: Iterable[tuple[str, str]]) -> str:
    return _GAP.join(_isolated(text, _WIDTHS[c]) for c, text in cells).rstrip(" ")


def _header(cells: Iterable[tuple[str, str]]) -> str:
    return _GAP.join(fit(text, _WIDTHS[c]) for c, text in cells).rstrip()


def items_select_options(
    items: Iterable[Any], *, columns: Sequence[str] = ITEM_COLUMNS
) -> list[tuple[str, str]]:
    """``(label, item id)`` pairs for ``ipywidgets.Select(options=...)``: one option per row.

    Labels are plain text in fixed-width columns (CJK and emoji counted as two), control and bidi
    characters shown as escapes, so a row cannot reorder or break the listbox; each cell's text
    is wrapped in a first-strong isolate (U+2068 … U+2069), so right-to-left text stays in its
    cell and the columns after it keep their place. The Select view sets
    ``textContent`` (never HTML) and keeps the padding by turning spaces into no-break spaces.
    Raises ValueError for an unknown column.
    """
    _check(columns)
    out: list[tuple[str, str]] = []
    for item in items:
        cells = ((c, _cell_text(item, c, _WIDTHS[c] + 1)) for c in columns)
        out.append((_label(cells), str(field(item, "id"))))
    return out


def items_select_header(
    columns: Sequence[str] = ITEM_COLUMNS, *, schema: ItemSchema | None = None
) -> str:
    """The column titles padded exactly as :func:`items_select_options` pads the cells; the
    answer column is titled by ``schema`` (``output`` by default, ``expected output`` on v2)."""
    _check(columns)
    return _header((c, _title(c, schema)) for c in columns)


def items_select_header_html(
    columns: Sequence[str] = ITEM_COLUMNS, *, schema: ItemSchema | None = None
) -> str:
    """:func:`items_select_header` in a ``<div class="dx-rows-header">`` (white-space: pre)."""
    header = items_select_header(columns, schema=schema)
    return f'<div class="dx-rows-header">{escape_text(header)}</div>'


def grid_columns(
    columns: Sequence[str] = ITEM_COLUMNS, *, schema: ItemSchema | None = None
) -> list[dict[str, Any]]:
    """The grid's columns: ``{"key", "title", "width"}`` each (``width`` in CSS pixels, 0 for
    a column that shares the room left). Raises ValueError for an unknown column."""
    _check(columns)
    return [{"key": c, "title": _title(c, schema), "width": _GRID_WIDTHS[c]} for c in columns]


def grid_rows(
    items: Iterable[Any],
    *,
    columns: Sequence[str] = ITEM_COLUMNS,
    host: str = "",
    project_id: int | str | None = None,
    preview_chars: int = GRID_PREVIEW_CHARS,
) -> list[dict[str, Any]]:
    """One ``{"id", "cells", "trace"}`` per item for the grid: ``cells`` holds one plain string
    per column (the same previews as the Select labels: what tells rows apart, control and bidi
    characters shown as escapes, at most ``preview_chars`` characters; the trace column says
    ``trace`` when the item links to its trace), ``trace`` the link to the trace (as
    `widgets._render.trace_url` makes it: an http(s) URL on ``host``) or "" when there is none.
    Raises ValueError for an unknown column."""
    _check(columns)
    # the host and project are checked once for the page, not once per row
    base = safe_host(host) if "trace" in columns and host else None
    project = _project(project_id)
    out: list[dict[str, Any]] = []
    for item in items:
        url = None
        if base is not None and project is not None:
            url = item_trace_url(item, base, project)
        cells = [
            ("trace" if url is not None or has_trace(item) else "")
            if c == "trace"
            else _cell_text(item, c, preview_chars)
            for c in columns
        ]
        out.append({"id": str(field(item, "id")), "cells": cells, "trace": url or ""})
    return out
