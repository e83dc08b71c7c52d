"""DRF's LimitOffsetPagination: the same limits, the same ``next``/``previous`` URLs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

DEFAULT_LIMIT = 100


def _positive_int(text: str | None, *, strict: bool) -> int:
    if text is None:
        raise ValueError("absent")
    value = int(text)
    if value < 0 or (strict and value == 0):
        raise ValueError("not positive")
    return value


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    @classmethod
    def from_query(
        cls,
        limit: str | None,
        offset: str | None,
        *,
        default: int = DEFAULT_LIMIT,
        cap: int | None = None,
    ) -> Page:
        """A bad (non-integer, zero, negative) limit means the default (classic: 100, no cap);
        a limit above ``cap`` is clamped to it; a bad offset means 0."""
        try:
            lim = _positive_int(limit, strict=True)
        except ValueError:
            lim = default
        if cap is not None:
            lim = min(lim, cap)
        try:
            off = _positive_int(offset, strict=False)
        except ValueError:
            off = 0
        return cls(lim, off)

    def next_url(self, url: str, count: int) -> str | None:
        if self.offset + self.limit >= count:
            return None
        url = replace_query_param(url, "limit", str(self.limit))
        return replace_query_param(url, "offset", str(self.offset + self.limit))

    def previous_url(self, url: str) -> str | None:
        if self.offset <= 0:
            return None
        url = replace_query_param(url, "limit", str(self.limit))
        if self.offset - self.limit <= 0:
            return remove_query_param(url, "offset")
        return replace_query_param(url, "offset", str(self.offset - self.limit))


def replace_query_param(url: str, key: str, value: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params[key] = [value]
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )


def remove_query_param(url: str, key: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params.pop(key, None)
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )
