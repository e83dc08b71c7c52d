"""Validation of request bodies, as DRF's serializers do it for PostHog's two models.

Fields are checked in the serializer's order and the first problem is raised as an ApiError,
because PostHog's error envelope reports only the first one.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from explorer.emulator import errors
from explorer.emulator.ids import format_ts

_MISSING: Any = object()
_TRUE: set[object] = {
    "t",
    "T",
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "true",
    "True",
    "TRUE",
    "on",
    "On",
    "ON",
    "1",
    1,
}
_FALSE: set[object] = {
    "f",
    "F",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "false",
    "False",
    "FALSE",
    "off",
    "Off",
    "OFF",
}
_FALSE |= {"0", 0}
_NULL: set[object] = {"null", "Null", "NULL", ""}
_DATETIME_HELP = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"Out of range float values are not JSON compliant: {text!r}")
    return value


def parse_body(raw: bytes) -> Any:
    """The request's JSON (an empty body is ``{}``); 400 parse_error otherwise.

    Integers stay Python ints, so big numbers round-trip exactly.
    """
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise errors.parse_error(str(exc)) from None
    except RecursionError as exc:  # nested deeper than the recursion limit lets json.loads go
        raise errors.parse_error(str(exc)) from None


def require_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        detail = f"Invalid data. Expected a dictionary, but got {type(data).__name__}."
        raise errors.validation("invalid_input", detail, None)
    return data


def json_text(value: Any) -> str | None:
    """Stored form of a JSON field: SQL NULL for null, else text like PostgreSQL's jsonb::text.

    A value nested so deep that json.dumps passes the recursion limit (parse_body parsed it
    from a shallower frame) is refused as a parse_error, like one too deep to parse.
    """
    if value is None:
        return None
    try:
        text = json.dumps(value, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: keep them as escapes
            text = json.dumps(value)
    except RecursionError as exc:
        raise errors.parse_error(str(exc)) from None
    return text


def char_field(
    data: dict[str, Any],
    name: str,
    *,
    required: bool,
    allow_null: bool,
    allow_blank: bool,
    max_length: int,
) -> Any:
    """A DRF CharField: returns the trimmed string, None, or _MISSING when absent."""
    if name not in data:
        if required:
            raise errors.required(name)
        return _MISSING
    value = data[name]
    if value is None:
        if allow_null:
            return None
        raise errors.validation("null", "This field may not be null.", name)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise errors.validation("invalid_input", "Not a valid string.", name)
    text = str(value).strip()
    if text == "" and not allow_blank:
        raise errors.validation("blank", "This field may not be blank.", name)
    if len(text) > max_length:
        detail = f"Ensure this field has no more than {max_length} characters."
        raise errors.validation("max_length", detail, name)
    if "\x00" in text:
        raise errors.validation(
            "null_characters_not_allowed", "Null characters are not allowed.", name
        )
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            detail = f"Surrogate characters are not allowed: U+{ord(char):X}."
            raise errors.validation("surrogate_characters_not_allowed", detail, name)
    return text


def json_field(data: dict[str, Any], name: str) -> Any:
    """Any JSON value; returns its stored text (None for null) or _MISSING."""
    if name not in data:
        return _MISSING
    return json_text(data[name])


def bool_field(data: dict[str, Any], name: str) -> Any:
    """A DRF BooleanField that allows null: True, False, None or _MISSING."""
    if name not in data:
        return _MISSING
    value = data[name]
    if value is None:
        return None
    try:
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if value in _NULL:
            return None
    except TypeError:  # unhashable (list, dict)
        pass
    raise errors.validation("invalid_input", "Must be a valid boolean.", name)


def datetime_field(data: dict[str, Any], name: str) -> Any:
    """A DRF DateTimeField that allows null: stored ISO text, None or _MISSING."""
    if name not in data:
        return _MISSING
    value = data[name]
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return format_ts(parsed)
        except (ValueError, OverflowError):
            pass
    raise errors.validation("invalid_input", _DATETIME_HELP, name)


def pk_field(
    data: dict[str, Any], name: str, *, required: bool, exists: Callable[[str], bool]
) -> Any:
    """A DRF PrimaryKeyRelatedField to a UUID model: the canonical id string or _MISSING."""
    if name not in data:
        if required:
            raise errors.required(name)
        return _MISSING
    value = data[name]
    if value is None:
        raise errors.validation("null", "This field may not be null.", name)
    if isinstance(value, bool):
        detail = "Incorrect type. Expected pk value, received bool."
        raise errors.validation("incorrect_type", detail, name)
    try:
        parsed = uuid.UUID(int=value) if isinstance(value, int) else uuid.UUID(hex=value)
    except (TypeError, ValueError, AttributeError):
        raise errors.validation("invalid_input", f"“{value}” is not a valid UUID.", name) from None
    canonical = str(parsed)
    if not exists(canonical):
        detail = f'Invalid pk "{value}" - object does not exist.'
        raise errors.validation("does_not_exist", detail, name)
    return canonical


def parse_uuid(text: str) -> str | None:
    """Canonical lower-case hyphenated form of a UUID, or None when it is not one."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def dataset_changes(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Column values a dataset write sets (read-only and unknown keys ignored)."""
    fields = {
        "name": char_field(
            data, "name", required=not partial, allow_null=False, allow_blank=False, max_length=400
        ),
        "description": char_field(
            data, "description", required=False, allow_null=True, allow_blank=True, max_length=2**62
        ),
        "metadata": json_field(data, "metadata"),
        "deleted": bool_field(data, "deleted"),
    }
    return {k: v for k, v in fields.items() if v is not _MISSING}


def item_changes(
    data: dict[str, Any], *, partial: bool, dataset_exists: Callable[[str], bool]
) -> dict[str, Any]:
    """Column values an item write sets (read-only and unknown keys ignored)."""
    fields = {
        "dataset": pk_field(data, "dataset", required=not partial, exists=dataset_exists),
        "input": json_field(data, "input"),
        "output": json_field(data, "output"),
        "metadata": json_field(data, "metadata"),
        "ref_trace_id": char_field(
            data, "ref_trace_id", required=False, allow_null=True, allow_blank=True, max_length=255
        ),
        "ref_timestamp": datetime_field(data, "ref_timestamp"),
        "ref_source_id": char_field(
            data, "ref_source_id", required=False, allow_null=True, allow_blank=True, max_length=255
        ),
        "deleted": bool_field(data, "deleted"),
    }
    return {k: v for k, v in fields.items() if v is not _MISSING}
