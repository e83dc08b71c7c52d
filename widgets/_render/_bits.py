"""Small pieces of the panel's header and status line."""

from __future__ import annotations

from ._text import escape_text

__all__ = ["BADGE_KINDS", "STATUS_KINDS", "badge_html", "status_html"]

STATUS_KINDS = ("info", "ok", "busy", "warning", "error")
BADGE_KINDS = ("neutral", "info", "ok", "warning", "error", "trace")

_ICONS = {"info": "ℹ", "ok": "✓", "busy": "…", "warning": "⚠", "error": "✕"}


def status_html(kind: str, message: str) -> str:
    """``<div class="dx-status dx-status-{kind}">`` with an icon and the escaped ``message``
    (newlines kept). Errors get ``role="alert"``, the rest ``role="status"``.
    Raises ValueError for a kind not in :data:`STATUS_KINDS`."""
    if kind not in STATUS_KINDS:
        raise ValueError(f"status kind must be one of {STATUS_KINDS}, not {kind!r}")
    role = "alert" if kind == "error" else "status"
    return (
        f'<div class="dx-status dx-status-{kind}" role="{role}">'
        f'<span class="dx-icon" aria-hidden="true">{_ICONS[kind]}</span> '
        f"{escape_text(message, multiline=True)}</div>"
    )


def badge_html(text: str, kind: str = "neutral") -> str:
    """``<span class="dx-badge dx-badge-{kind}">`` with the escaped one-line ``text``.
    Raises ValueError for a kind not in :data:`BADGE_KINDS`."""
    if kind not in BADGE_KINDS:
        raise ValueError(f"badge kind must be one of {BADGE_KINDS}, not {kind!r}")
    return f'<span class="dx-badge dx-badge-{kind}">{escape_text(text)}</span>'
