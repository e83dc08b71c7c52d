"""Reading an item whether it is an API model (attributes) or a plain dict from JSON, and which
API generation's fields it holds (`explorer.model.schema`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from explorer.api.models import AnyItem, DatasetItem, VersionedItem
from explorer.model.schema import CLASSIC, V2, ItemSchema, schema_of

__all__ = [
    "as_model",
    "field",
    "has_trace",
    "item_links",
    "item_schema",
    "item_trace_url",
    "time_text",
    "timestamp_text",
    "updated_value",
    "version_text",
]


def field(item: Any, name: str) -> Any:
    """``item[name]`` for a mapping, ``item.name`` otherwise; None when absent."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def item_schema(item: Any) -> ItemSchema:
    """The schema of the item's API generation: a v2 item (model or JSON) carries a
    ``version_id``, a classic one does not."""
    return V2 if field(item, "version_id") is not None else CLASSIC


def _is_set(value: Any) -> bool:
    return value is not None and value != ""


def _moment(value: Any) -> datetime | None:
    """A timestamp as the API models hold it (aware; a naive one is UTC), or None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return _aware(value)


def as_model(item: Any) -> AnyItem:
    """The item as its API model, for the rules the model owns (the trace link). A model is
    returned as it is; a dict or another object gives a model holding only its link fields (no
    validation: a timestamp that does not parse counts as not set)."""
    if isinstance(item, (DatasetItem, VersionedItem)):
        return item
    schema = item_schema(item)
    values: dict[str, Any] = {}
    for name in schema.link_fields:
        spec = schema.spec(name)
        value = field(item, name)
        if spec is not None and spec.kind == "timestamp":
            value = _moment(value)
        elif value is not None and not isinstance(value, str):
            value = str(value)
        values[name] = value
    model = VersionedItem if schema.versioned else DatasetItem
    return model.model_construct(**values)


def _encodable(text: str) -> str:
    # A lone surrogate cannot be percent-encoded as UTF-8: it goes as its visible escape.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _linkable(model: AnyItem) -> AnyItem:
    updates: dict[str, str] = {}
    for name in schema_of(model).link_fields:
        value = getattr(model, name, None)
        if isinstance(value, str) and _encodable(value) != value:
            updates[name] = _encodable(value)
    return model.model_copy(update=updates) if updates else model


def item_trace_url(item: Any, host: str, project_id: int) -> str | None:
    """The item's API model's ``trace_url`` (``host`` and ``project_id`` already checked); a
    lone surrogate in a link field, which JSON can carry and UTF-8 cannot encode, goes as its
    visible escape."""
    model = as_model(item)
    try:
        return model.trace_url(host, project_id)
    except UnicodeEncodeError:
        return _linkable(model).trace_url(host, project_id)


_PROBE_HOST = "https://posthog.invalid"


def has_trace(item: Any) -> bool:
    """Whether the item links to its PostHog trace, by its API model's rule (classic: all three
    ``ref_*`` fields set; v2: the source trace and its timestamp)."""
    return item_trace_url(item, _PROBE_HOST, 1) is not None


def _prefixes(schema: ItemSchema) -> tuple[str, ...]:
    # "ref_" (classic), "source_" (v2): the shared head of the link fields' names
    return tuple(sorted({name.split("_", 1)[0] + "_" for name in schema.link_fields}))


def item_links(item: Any) -> dict[str, Any]:
    """The link fields of ``item``'s generation (the schema's, in its order), then any other
    field of the same family the server sent (older classic servers named two of them
    ``ref_trace_timestamp`` and ``ref_span_id``)."""
    schema = item_schema(item)
    out: dict[str, Any] = {name: field(item, name) for name in schema.link_fields}
    if isinstance(item, Mapping):
        extra: Mapping[str, Any] = item
    else:
        extra = getattr(item, "model_extra", None) or {}
    prefixes = _prefixes(schema)
    for key in sorted(k for k in extra if isinstance(k, str) and k.startswith(prefixes)):
        if key not in schema.names:
            out.setdefault(key, extra[key])
    return out


def version_text(item: Any) -> str:
    """``v3`` for a v2 item, "" for a classic one."""
    version = field(item, "version")
    return "" if version is None else f"v{version}"


def updated_value(item: Any) -> Any:
    """When the item last changed: ``updated_at``, or (v2, where it may be missing) when its
    current version was made, or when it was created."""
    for name in ("updated_at", "version_created_at", "created_at"):
        value = field(item, name)
        if _is_set(value):
            return value
    return None


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
