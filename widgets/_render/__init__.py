"""HTML for the notebook panel, from plain values: no widget, no model commands (the rules shared
with the terminal come from `explorer.api` and `explorer.model`: ``short_id``, ``salient``, the
item schemas, the API models' trace link).

Private to ``widgets``. Everything here returns a string for an ``ipywidgets.HTML`` widget, which
inserts it with ``innerHTML`` and no sanitiser: every dataset string is escaped, every size is
bounded by a budget, there is no ``<script>`` and no external asset. Items may be API models
(``DatasetItem``, ``VersionedItem``) or plain dicts of their JSON; which fields they hold comes
from `explorer.model.schema` (a v2 item carries a ``version_id``).
"""

from ._bits import BADGE_KINDS, STATUS_KINDS, badge_html, status_html
from ._chat import chat_html, read_html
from ._css import PANEL_CLASS, PANEL_CSS, ROWS_CLASS, panel_html, style_html
from ._diff import diff_html
from ._fields import field, has_trace, item_links, item_schema, updated_value, version_text
from ._items import (
    GRID_PREVIEW_CHARS,
    ITEM_COLUMNS,
    grid_columns,
    grid_rows,
    item_columns,
    items_select_header,
    items_select_header_html,
    items_select_options,
    items_table_html,
    short_id,
)
from ._json import json_html, json_tree_html, preview
from ._refs import refs_html, safe_host, trace_url
from ._text import escape_attr, escape_text, make_visible

__all__ = [
    "BADGE_KINDS",
    "GRID_PREVIEW_CHARS",
    "ITEM_COLUMNS",
    "PANEL_CLASS",
    "PANEL_CSS",
    "ROWS_CLASS",
    "STATUS_KINDS",
    "badge_html",
    "chat_html",
    "diff_html",
    "escape_attr",
    "escape_text",
    "field",
    "grid_columns",
    "grid_rows",
    "has_trace",
    "item_columns",
    "item_links",
    "item_schema",
    "items_select_header",
    "items_select_header_html",
    "items_select_options",
    "items_table_html",
    "json_html",
    "json_tree_html",
    "make_visible",
    "panel_html",
    "preview",
    "read_html",
    "refs_html",
    "safe_host",
    "short_id",
    "status_html",
    "style_html",
    "trace_url",
    "updated_value",
    "version_text",
]
