"""Times as a person reads them in a table: ``"3h ago"``, ``"2d ago"``, ``"2026-03-02"``."""

from __future__ import annotations

from datetime import datetime

__all__ = ["ago"]


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
