"""Item fields as editable text: JSON validated with the line and column of the first error,
ref fields checked as the server would, and a canonical form to tell whether a value changed.

The editor holds text, never values, so that an invalid draft is still a draft (kept, shown,
saved in the journal); a value is derived from the text only to validate, diff and send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

__all__ = [
    "FIELD_ORDER",
    "JSON_FIELDS",
    "REF_FIELDS",
    "FieldError",
    "canonical",
    "parse_field",
    "parse_json_text",
    "pretty_json",
    "same_value",
    "value_to_text",
]

JSON_FIELDS: Final = ("input", "output", "expected_output", "source_output", "metadata")
"""Fields that hold any JSON value, in either API generation; edited as pretty-printed JSON
text. (Which fields an item has, and which are editable, is `explorer.model.schema`'s.)"""
REF_FIELDS: Final = (
    "ref_trace_id",
    "ref_timestamp",
    "ref_source_id",
    "source_trace_id",
    "source_event_id",
    "source_timestamp",
)
"""Fields that link an item to its trace (classic ``ref_*``, v2 ``source_*``); edited as plain
text, empty meaning null."""
TIMESTAMP_FIELDS: Final = ("ref_timestamp", "source_timestamp")
FIELD_ORDER: Final = JSON_FIELDS + REF_FIELDS
"""Every item field of either generation, in display order."""

REF_MAX_LENGTH: Final = 255


@dataclass(frozen=True)
class FieldError:
    """Why a field's text cannot be sent; ``line`` and ``column`` are 1-based, None when the
    problem is not at a position (a ref field that is too long, say)."""

    field: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.field}: {self.message}{where}"


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and the server's storage) does not.
    raise ValueError(f"{name} is not valid JSON")


def parse_json_text(field: str, text: str) -> tuple[Any, FieldError | None]:
    """Parse the text of a JSON field. Empty (or blank) text means null.

    Returns ``(value, None)`` or ``(None, error)`` where the error names the line and column of
    the first problem, counted as an editor counts them (1-based).
    """
    if not text.strip():
        return None, None
    try:
        return json.loads(text, parse_constant=_reject_constant), None
    except json.JSONDecodeError as exc:
        return None, FieldError(field, _plain(exc.msg), exc.lineno, exc.colno)
    except ValueError as exc:
        # raised by _reject_constant: find where the constant is, for the position
        line, column = _position_of_constant(text)
        return None, FieldError(field, str(exc), line, column)
    except RecursionError:
        return None, FieldError(field, "nested too deeply")


def _plain(msg: str) -> str:
    # json's messages are terse but clear; make the two most common ones friendlier.
    if msg.startswith("Expecting property name enclosed in double quotes"):
        return "expected a key in double quotes (no trailing comma after the last member?)"
    if msg == "Expecting value":
        return "expected a value"
    if msg == "Extra data":
        return "unexpected text after the end of the JSON value"
    return msg[0].lower() + msg[1:] if msg else msg


def _position_of_constant(text: str) -> tuple[int | None, int | None]:
    for token in ("-Infinity", "Infinity", "NaN"):
        index = text.find(token)
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            return line, column
    return None, None


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 timestamp; a naive one is taken as UTC (as the server does)."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """The server's own format: UTC, microseconds when present, ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_field(field: str, text: str) -> tuple[Any, FieldError | None]:
    """The value that ``text`` stands for in ``field``, as it would be sent, or the error.

    JSON fields give any JSON value; ``ref_timestamp`` and ``source_timestamp`` give an ISO-8601
    string in UTC; the other link fields give the text itself; an empty one gives None.
    """
    if field in JSON_FIELDS:
        return parse_json_text(field, text)
    if field not in REF_FIELDS:
        raise KeyError(f"not an editable field: {field}")
    if text == "" or not text.strip():
        return None, None
    if field in TIMESTAMP_FIELDS:
        try:
            return format_timestamp(parse_timestamp(text)), None
        except ValueError:
            return None, FieldError(
                field, "not an ISO-8601 timestamp (e.g. 2025-09-05T12:34:56Z)", 1, 1
            )
    if len(text) > REF_MAX_LENGTH:
        return None, FieldError(
            field, f"{len(text)} characters; at most {REF_MAX_LENGTH} allowed", 1, 256
        )
    return text, None


def pretty_json(value: Any) -> str:
    """JSON as the editor shows it: two-space indent, non-ASCII kept, key order kept."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def value_to_text(field: str, value: Any) -> str:
    """The editor text for a field's value as the server sent it."""
    if field in JSON_FIELDS:
        return pretty_json(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_timestamp(value)
    return str(value)


def canonical(field: str, value: Any) -> str:
    """A string equal for two values exactly when the server would store the same thing.

    Keys are sorted (the server's JSON storage does not keep key order), and ``1``, ``1.0``
    and ``true`` stay different (Python's ``==`` says they are equal). Timestamps are compared
    as instants, whatever their spelling.
    """
    if field in TIMESTAMP_FIELDS and value is not None:
        if isinstance(value, str):
            value = parse_timestamp(value)
        if isinstance(value, datetime):
            return format_timestamp(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def same_value(field: str, a: Any, b: Any) -> bool:
    """Whether two values of ``field`` are the same to the server."""
    return canonical(field, a) == canonical(field, b)


TextKind = Literal["json", "text", "timestamp"]


def field_kind(field: str) -> TextKind:
    """How a front end should present a field's editor."""
    if field in JSON_FIELDS:
        return "json"
    return "timestamp" if field in TIMESTAMP_FIELDS else "text"
