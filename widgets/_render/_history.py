"""HTML and plain lines for what happened to an item and a dataset (v2): a version's line in a
list, who made a version and when, the diff of two versions field by field, a revision's line,
a change between two revisions.

The diffs are the save review's (`diff_html`: wrapped lines, changed words marked), fed the
pretty-printed JSON of each field on both sides; only the fields the model found different are
shown. Every dataset string (values, names, emails) is escaped here; the list lines are plain
text for a ``Select`` (its options are text nodes) with unsafe characters made visible.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from explorer.api.models import VersionedItem, short_id
from explorer.model.history import ItemChange, RevisionEntry, VersionEntry, user_label
from explorer.model.jsontext import value_to_text
from explorer.model.schema import ItemSchema

from ._bits import badge_html
from ._diff import diff_html
from ._text import escape_text, make_visible

__all__ = [
    "change_option",
    "fields_diff_html",
    "revision_option",
    "version_meta_html",
    "version_option",
    "when_text",
]


def when_text(value: datetime | None) -> str:
    """``2026-03-02 18:44`` (UTC, as the server stores it), or "" for none."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _cut(text: str, limit: int) -> str:
    text = make_visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(who: str) -> str:
    """``"Ada Lovelace"`` from ``"Ada Lovelace <ada@example.com>"`` (a list line is short; the
    diff's heading shows the email too)."""
    name, _, rest = who.partition(" <")
    return name if rest and name else who


def version_option(entry: VersionEntry) -> str:
    """One plain line for the list of versions: number, when, what changed, who, revision
    (the most telling first: a narrow list cuts the end)."""
    return (
        f"v{entry.version:<3} {when_text(entry.when)}  {_cut(entry.change, 50)}  ·  "
        f"{_cut(_name(entry.who), 24)}  ·  r{entry.revision}"
    )


def revision_option(entry: RevisionEntry) -> str:
    """One plain line for the list of a dataset's revisions: number, when, who."""
    return f"r{entry.number:<5} {when_text(entry.when)}  {_cut(_name(entry.who), 32)}"


def change_option(change: ItemChange) -> str:
    """One plain line for the list of items that changed between two revisions."""
    return (
        f"{change.kind:<8} {make_visible(short_id(change.item_id)):<8}  {_cut(change.summary, 70)}"
    )


def _code(text: str, tooltip: str) -> str:
    """An id shown whole as text that one click selects (``dx-version-id``: user-select all)."""
    return f'<code class="dx-version-id" title="{escape_text(tooltip)}">{escape_text(text)}</code>'


def version_meta_html(item: VersionedItem, change: str = "") -> str:
    """Who made this version and when, what it changed, and its ids (version id, revision
    number and id) as text selected whole by one click."""
    who = user_label(item.version_created_by)
    head = [
        f'<span class="dx-version">v{item.version}</span>',
        f"by <b>{escape_text(who)}</b>",
        f"{escape_text(when_text(item.version_created_at))} UTC",
    ]
    if change:
        head.append(f"<i>{escape_text(change)}</i>")
    if item.archived:
        head.append(badge_html("archived", "error"))
    ids = (
        f"version id {_code(str(item.version_id), 'the id of this version')}"
        f" · revision <b>{item.dataset_revision}</b>"
        f" {_code(str(item.dataset_revision_id), 'the id of the dataset revision it made')}"
    )
    return f'<div class="dx-version-meta">{" · ".join(head)}<div class="dx-ids">{ids}</div></div>'


def _text(item: VersionedItem | None, name: str) -> str:
    if item is None:
        return ""
    return value_to_text(name, getattr(item, name, None))


def fields_diff_html(
    older: VersionedItem | None,
    newer: VersionedItem | None,
    fields: Iterable[str],
    schema: ItemSchema,
    *,
    older_label: str,
    newer_label: str,
) -> str:
    """The diff of each of ``fields`` from ``older`` to ``newer`` (a missing side counts as
    empty: an item added between two revisions), labelled from ``schema``; "No change to the
    content." when ``fields`` is empty."""
    parts: list[str] = []
    for name in fields:
        label = f"{schema.label(name)}: {older_label} → {newer_label}"
        parts.append(f'<div class="dx-field-label">{escape_text(label)}</div>')
        parts.append(diff_html(_text(older, name), _text(newer, name)))
    if not parts:
        return '<div class="dx-diff dx-same">No change to the content.</div>'
    return "".join(parts)
