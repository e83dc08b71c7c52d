"""The link fields of an item (classic ``ref_*``, v2 ``source_*``) and, when its API model says
they are enough, the link to its PostHog trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ._fields import has_trace, item_links, item_trace_url, timestamp_text
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


def _project(project_id: int | str | None) -> int | None:
    if isinstance(project_id, bool):
        return None
    if isinstance(project_id, int):
        return project_id
    if isinstance(project_id, str) and project_id.strip().isascii():
        text = project_id.strip()
        return int(text) if text.isdigit() else None
    return None


def trace_url(item: Any, host: str, project_id: int | str | None) -> str | None:
    """The item's trace in PostHog (its API model's ``trace_url``: the trace id in the path,
    the event and timestamp in the query, every part percent-encoded), or None when the link
    fields are not enough, the project is not a number, or the host is not a plain http(s) URL
    (see :func:`safe_host`). ``item`` is an API model or its JSON (a dict)."""
    base = safe_host(host)
    project = _project(project_id)
    if base is None or project is None:
        return None
    return item_trace_url(item, base, project)


def _value_html(value: Any) -> str:
    if value is None or value == "":
        return '<span class="dx-none">not set</span>'
    return escape_text(timestamp_text(value)[:2000])


def refs_html(item: Any, host: str, project_id: int | str | None) -> str:
    """A ``<table class="dx-refs">`` of the item's link fields (its generation's, then any other
    of the same family the server sent), then the trace link (``target="_blank"
    rel="noopener noreferrer"``) when :func:`trace_url` gives one, or a note saying why there
    is none. Every value is escaped; the link's parts are percent-encoded."""
    rows = "".join(
        f'<tr><th scope="row">{escape_text(name)}</th><td>{_value_html(value)}</td></tr>'
        for name, value in item_links(item).items()
    )
    out = f'<table class="dx-refs"><tbody>{rows}</tbody></table>'
    url = trace_url(item, host, project_id)
    if url is not None:
        out += (
            f'<div class="dx-trace-link"><a href="{escape_attr(url)}" target="_blank"'
            ' rel="noopener noreferrer">Open trace in PostHog ↗</a></div>'
        )
    elif not has_trace(item):
        out += '<div class="dx-note">No trace link: the link fields it needs are not all set.</div>'
    elif _project(project_id) is None:
        out += '<div class="dx-note">No trace link: the project id is not a number.</div>'
    else:
        out += '<div class="dx-note">No trace link: the host is not an http(s) address.</div>'
    return out
