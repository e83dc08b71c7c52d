"""Times as a person reads them in a table: ``"3h ago"``, ``"2d ago"``, ``"2026-03-02"``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from explorer.model import ItemSchema

if TYPE_CHECKING:
    from explorer.api.models import AnyItem

__all__ = ["ago", "updated_at"]


def updated_at(item: AnyItem) -> datetime | None:
    """When the item last changed: ``updated_at``, which a v2 item may lack (then when its
    current version was made, else when the item was)."""
    return item.updated_at or ItemSchema.value(item, "version_created_at") or item.created_at


def ago(when: datetime | None, now: datetime) -> str:
    """How long before ``now`` ``when`` was, in the largest whole unit; a date past 30 days."""
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -120 else when.strftime("%Y-%m-%d")
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    if seconds < 30 * 86400:
        return f"{int(seconds // 86400)}d ago"
    return when.strftime("%Y-%m-%d")
