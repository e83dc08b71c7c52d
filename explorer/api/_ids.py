"""The short form of an id that people read (no pydantic: front ends draw it before the wire
models are loaded)."""

from __future__ import annotations

from uuid import UUID

__all__ = ["short_id"]


def short_id(object_id: UUID | str | None) -> str:
    """The short form of an id shown to people: its last 8 hex digits.

    PostHog's ids are UUIDv7, whose first 8 hex digits are a timestamp, identical for every
    object created within about a minute; the tail is random and tells objects apart. A string
    that is not a UUID gives its last 8 characters; None gives "". The result is not escaped
    (a front end escapes what it shows).
    """
    if object_id is None:
        return ""
    if isinstance(object_id, UUID):
        return object_id.hex[-8:]
    text = str(object_id)
    try:
        return UUID(text).hex[-8:]
    except ValueError:
        return text.strip()[-8:]
