"""Request bodies and query parameters of the versioned API, checked as PostHog's serializers do.

Bodies are strict: an unknown key (in sorted order) is "This field is not supported." before any
field is validated. Fields are then checked in the serializer's order; the first problem is
raised as an ApiError. JSON values are returned as compact stored text (``json_text``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from explorer.emulator import errors
from explorer.emulator.validation import (
    _FALSE,
    _MISSING,
    _TRUE,
    char_field,
    datetime_field,
    parse_body,
    require_object,
)

MISSING: Any = _MISSING
_INTEGER = re.compile(r"^\s*[+-]?\d+(\.0*)?\s*$")
ORDER_CHOICES = ("created_at", "-created_at", "updated_at", "-updated_at")


def json_text(value: Any) -> str | None:
    """Stored (and sent) form of a JSON value: compact text; None for null."""
    if value is None:
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them as escapes
        text = json.dumps(value, separators=(",", ":"))
    except RecursionError:
        raise errors.parse_error("the JSON is nested too deeply") from None
    return text


def canonical(value: Any) -> str:
    """Compact, sorted-keys JSON: what PostHog compares and measures."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except RecursionError:
        raise errors.parse_error("the JSON is nested too deeply") from None


def loads(text: str | None) -> Any:
    """A stored JSON value, parsed again (None for SQL NULL)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except RecursionError:
        raise errors.parse_error("the JSON is nested too deeply") from None


def json_bytes(value: Any) -> int:
    return len(canonical(value).encode("utf-8", "surrogatepass"))


def strict_object(raw: bytes, allowed: Iterable[str]) -> dict[str, Any]:
    """The body as an object whose keys are all ``allowed``."""
    data = require_object(parse_body(raw))
    known = set(allowed)
    for key in sorted(data):
        if key not in known:
            raise errors.validation("invalid_input", "This field is not supported.", key)
    return data


def integer(value: Any, name: str, *, min_value: int = 1) -> int:
    """A DRF IntegerField value (integral floats and numeric strings pass)."""
    if isinstance(value, bool):
        raise errors.validation("invalid_input", "A valid integer is required.", name)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and len(value) <= 1000 and _INTEGER.match(value):
        number = int(value.strip().split(".")[0])
    else:
        if isinstance(value, str) and len(value) > 1000:
            raise errors.validation("max_string_length", "String value too large.", name)
        raise errors.validation("invalid_input", "A valid integer is required.", name)
    if number < min_value:
        detail = f"Ensure this value is greater than or equal to {min_value}."
        raise errors.validation("min_value", detail, name)
    return number


def int_field(data: dict[str, Any], name: str, *, required: bool, allow_null: bool = False) -> Any:
    if name not in data:
        if required:
            raise errors.required(name)
        return MISSING
    if data[name] is None:
        if allow_null:
            return None
        raise errors.validation("null", "This field may not be null.", name)
    return integer(data[name], name)


def json_value(data: dict[str, Any], name: str, *, allow_null: bool, required: bool = False) -> Any:
    """A JSONField: the value itself, or MISSING."""
    if name not in data:
        if required:
            raise errors.required(name)
        return MISSING
    if data[name] is None and not allow_null:
        raise errors.validation("null", "This field may not be null.", name)
    return data[name]


def object_value(data: dict[str, Any], name: str, *, max_bytes: int) -> Any:
    """A JSON object field (metadata), at most ``max_bytes`` as compact sorted JSON."""
    value = json_value(data, name, allow_null=False)
    if value is MISSING:
        return MISSING
    if not isinstance(value, dict):
        raise errors.validation("not_object", "Enter a JSON object.", name)
    check_size(value, name, max_bytes)
    return value


def check_size(value: Any, attr: str, max_bytes: int) -> None:
    if json_bytes(value) > max_bytes:
        raise errors.validation(
            "invalid_input", f"This field must be {max_bytes} bytes or fewer.", attr
        )


def string(
    data: dict[str, Any],
    name: str,
    *,
    required: bool,
    max_length: int,
    blank: bool = False,
    null: bool = False,
) -> Any:
    """A CharField (trimmed); null only where PostHog's allows it (the optional ids)."""
    return char_field(
        data, name, required=required, allow_null=null, allow_blank=blank, max_length=max_length
    )


def uuid_value(value: Any, name: str) -> str:
    """A DRF UUIDField value: the canonical id, else 400 "Must be a valid UUID."."""
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    raise errors.validation("invalid_input", "Must be a valid UUID.", name)


# -- query parameters ----------------------------------------------------------------------


def query_bool(raw: str | None, name: str, default: bool = False) -> bool:
    if raw is None:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise errors.validation("invalid_input", "Must be a valid boolean.", name)


def query_int(raw: str | None, name: str) -> int | None:
    return None if raw is None else integer(raw, name)


def query_ids(values: Sequence[str], name: str = "id__in") -> list[str] | None:
    """Repeated or comma-separated UUIDs (1-100); commas are split without trimming."""
    if not values:
        return None
    parts = [part for value in values for part in value.split(",")]
    if len(parts) > 100:
        detail = "Ensure this field has no more than 100 elements."
        raise errors.validation("max_length", detail, name)
    ids = []
    for part in parts:
        try:
            ids.append(str(uuid.UUID(part)) if part == part.strip() else "")
        except ValueError:
            ids.append("")
        if not ids[-1]:
            raise errors.validation("invalid_input", "Must be a valid UUID.", name)
    return ids


def query_search(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.strip():
        raise errors.validation("blank", "This field may not be blank.", "search")
    return raw


def query_order(raw: str | None) -> tuple[str, bool]:
    value = "-created_at" if raw is None else raw
    if value not in ORDER_CHOICES:
        raise errors.validation("invalid_choice", f'"{value}" is not a valid choice.', "order_by")
    return value.removeprefix("-"), value.startswith("-")


def timestamp(data: dict[str, Any], name: str) -> Any:
    return datetime_field(data, name)
