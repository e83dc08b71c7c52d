"""The ref fields of an item and, when all three are set, the link to its PostHog trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from ._fields import field, has_trace, item_refs, timestamp_text
from ._text import escape_attr, escape_text

__all__ = ["refs_html", "safe_host", "trace_url"]

_BAD_HOST_CHARS = frozenset(" \t\r\n<>\"'`\\{}|^")


def safe_host(host: str) -> str | None:
    """``host`` without its trailing ``/`` if it is a plain http(s) URL, else None.

    Refused: any other scheme (``javascript:``, ``data:``, ``file:``), no host name, a user name
    (``https://posthog.com@evil.example``), a query or fragment, a bad port, whitespace, quotes or
    control characters.
    """
    if not isinstance(host, str) or any(ch in _BAD_HOST_CHARS or ord(ch) < 0x20 for ch in host):
        return None
    try:
        parts = urlsplit(host)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "@" in parts.netloc or parts.query or parts.fragment or host.endswith(("?", "#")):
        return None
    return host.rstrip("/")


def _part(value: Any) -> str:
    # A lone surrogate cannot be UTF-8 encoded; it goes as its visible escape instead.
    return quote(timestamp_text(value), safe="", errors="backslashreplace")


def trace_url(item: Any, host: str, project_id: int | str | None) -> str | None:
    """``{host}/project/{project_id}/llm-analytics/traces/{ref_trace_id}?event={ref_source_id}
    &timestamp={ref_timestamp}`` with every part percent-encoded, or None when a ref field or the
    project is missing or the host is not a plain http(s) URL (see :func:`safe_host`)."""
    base = safe_host(host)
    if base is None or not has_trace(item):
        return None
    if project_id is None or isinstance(project_id, bool) or str(project_id).strip() == "":
        return None
    return (
        f"{base}/project/{_part(project_id)}/llm-analytics/traces/"
        f"{_part(field(item, 'ref_trace_id'))}"
        f"?event={_part(field(item, 'ref_source_id'))}"
        f"&timestamp={_part(field(item, 'ref_timestamp'))}"
    )


def _value_html(value: Any) -> str:
    if value is None or value == "":
        return '<span class="dx-none">not set</span>'
    return escape_text(timestamp_text(value)[:2000])


def refs_html(item: Any, host: str, project_id: int | str | None) -> str:
    """A ``<table class="dx-refs">`` of every ``ref_*`` field, then the trace link
    (``target="_blank" rel="noopener noreferrer"``) when :func:`trace_url` gives one, or a note
    saying why there is none. Every value is escaped; the link's parts are percent-encoded."""
    rows = "".join(
        f'<tr><th scope="row">{escape_text(name)}</th><td>{_value_html(value)}</td></tr>'
        for name, value in item_refs(item).items()
    )
    out = f'<table class="dx-refs"><tbody>{rows}</tbody></table>'
    url = trace_url(item, host, project_id)
    if url is not None:
        out += (
            f'<div class="dx-trace-link"><a href="{escape_attr(url)}" target="_blank"'
            ' rel="noopener noreferrer">Open trace in PostHog ↗</a></div>'
        )
    elif not has_trace(item):
        out += '<div class="dx-note">No trace link: it needs all three ref fields.</div>'
    else:
        out += '<div class="dx-note">No trace link: the host is not an http(s) address.</div>'
    return out
