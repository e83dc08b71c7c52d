"""Reading an item whether it is a ``DatasetItem`` (attributes) or a plain dict from JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["KNOWN_REFS", "field", "has_trace", "item_refs", "time_text", "timestamp_text"]

KNOWN_REFS = ("ref_trace_id", "ref_timestamp", "ref_source_id")
"""The three ref fields PostHog needs, all set, to link an item to its trace."""


def field(item: Any, name: str) -> Any:
    """``item[name]`` for a mapping, ``item.name`` otherwise; None when absent."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _is_set(value: Any) -> bool:
    return value is not None and value != ""


def has_trace(item: Any) -> bool:
    """True when all three ref fields are set (PostHog links back only then)."""
    return all(_is_set(field(item, name)) for name in KNOWN_REFS)


def item_refs(item: Any) -> dict[str, Any]:
    """Every ``ref_*`` field of ``item``: the three known ones first, then any other the server
    sent (older servers named two of them ``ref_trace_timestamp`` and ``ref_span_id``)."""
    out: dict[str, Any] = {name: field(item, name) for name in KNOWN_REFS}
    if isinstance(item, Mapping):
        extra: Mapping[str, Any] = item
    else:
        refs = getattr(item, "refs", None)  # DatasetItem.refs already holds the extras
        extra = refs if isinstance(refs, Mapping) else getattr(item, "model_extra", None) or {}
    for key in sorted(k for k in extra if isinstance(k, str) and k.startswith("ref_")):
        out.setdefault(key, extra[key])
    return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def timestamp_text(value: Any) -> str:
    """A timestamp as PostHog writes it (ISO 8601, ``Z`` for UTC); a string stays as it is."""
    if isinstance(value, datetime):
        return _aware(value).isoformat().replace("+00:00", "Z")
    return str(value)


def time_text(value: Any) -> str:
    """A short UTC time for a table cell (``2025-01-31 09:05``); "" for None."""
    if value is None or value == "":
        return ""
    moment: datetime | None = value if isinstance(value, datetime) else None
    if moment is None and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value[:20]
    if moment is None:
        return str(value)[:20]
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
