"""Every failure a caller must tell apart, under one root: `ApiError`.

Each error carries what PostHog's error envelope said (``status``, ``type``, ``code``,
``detail``, ``attr``) and a message that says what to do. None of them ever holds the API key:
they are built from the response status and body and from the request's method and path only.

    ApiError
    ├── AuthenticationFailed   401: the key is missing, wrong or revoked
    ├── PermissionDenied       403: the key lacks a scope (``scope``) or the project
    │   └── DatasetsDisabled   403: the organisation does not have datasets enabled (v2)
    ├── NotFound               404: no such (or a soft-deleted) object, or no such project
    ├── ValidationFailed       400: the server refused a value (``attr``, ``code``)
    ├── Conflict               409 (v2): a stale version, an archived item, a limit (``code``...)
    ├── Unsupported            the server's API generation has no such operation or field
    ├── RateLimited            429: wait ``retry_after`` seconds
    ├── ServerError            5xx: a server problem, not the caller's
    │   ├── MalformedResponse  the server answered, but not with the API's JSON
    │   └── ResponseTooLarge   the answer passed the client's bound (``max_response_bytes``)
    ├── Unreachable            no answer: connection refused, DNS, TLS, timeout
    ├── ReadOnlyError          a write was refused locally: the client is read-only
    ├── InvalidId              an id that is not a UUID, refused before sending (a ValueError too)
    └── ConfigError            settings could not be resolved (host, key, project, profile)
"""

from __future__ import annotations

import re
from typing import TypedDict, Unpack

__all__ = [
    "ApiError",
    "AuthenticationFailed",
    "ConfigError",
    "Conflict",
    "DatasetsDisabled",
    "InvalidId",
    "MalformedResponse",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ReadOnlyError",
    "ResponseTooLarge",
    "ServerError",
    "Unreachable",
    "Unsupported",
    "ValidationFailed",
]


class _Fields(TypedDict, total=False):
    status: int | None
    type: str | None
    code: str | None
    detail: str | None
    attr: str | None
    method: str | None
    path: str | None


class ApiError(Exception):
    """Root of every error the client raises on purpose.

    ``status`` is the HTTP status (None when there was no response); ``type``, ``code``,
    ``detail`` and ``attr`` come from PostHog's envelope ``{"type", "code", "detail", "attr"}``
    when the server sent one. ``method`` and ``path`` name the request (never its headers).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        detail: str | None = None,
        attr: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.detail = detail
        self.attr = attr
        self.method = method
        self.path = path

    maybe_applied: bool = False
    """True when an earlier attempt of the same request may have reached the server (the
    client sent it again after a dropped connection or a 5xx): then even a refusal of the last
    attempt (a 429, say) does not prove the request was not applied."""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(status={self.status!r}, code={self.code!r}, detail={self.detail!r})"


class AuthenticationFailed(ApiError):
    """401: PostHog did not accept the API key (missing, mistyped, revoked or expired)."""


_SCOPE = re.compile(r"scope '([^']+)'")


class PermissionDenied(ApiError):
    """403: the key lacks a scope (``scope``, e.g. ``dataset:write``) or the project."""

    @property
    def scope(self) -> str | None:
        """The missing scope when the server named one, else None."""
        match = _SCOPE.search(self.detail or "")
        return match.group(1) if match else None


class DatasetsDisabled(PermissionDenied):
    """403: PostHog answers every datasets request so for an organisation without the
    ``llm-analytics-datasets`` feature flag."""


class NotFound(ApiError):
    """404: the object does not exist, was soft-deleted, or the project does not exist."""


class ValidationFailed(ApiError):
    """400: the server refused a value; ``attr`` names the field and ``code`` the rule."""


class Conflict(ApiError):
    """409 from the versioned API: the write met a state it cannot apply to.

    ``code`` says which: ``stale_version`` (someone saved a newer version: ``current_version``),
    ``dataset_item_archived``, ``dataset_item_active``, ``dataset_archived``,
    ``dataset_name_conflict``, ``client_item_id_conflict`` (``current_item_id`` holds that key),
    ``limit_reached`` (``resource``, ``current_count``, ``limit``). An export's 409 has no code.
    """

    def __init__(
        self,
        message: str,
        *,
        current_version: int | None = None,
        current_item_id: str | None = None,
        resource: str | None = None,
        current_count: int | None = None,
        limit: int | None = None,
        **fields: Unpack[_Fields],
    ) -> None:
        super().__init__(message, **fields)
        self.current_version = current_version
        self.current_item_id = current_item_id
        self.resource = resource
        self.current_count = current_count
        self.limit = limit


class Unsupported(ApiError):
    """The server's API generation has no such operation or field (e.g. item versions on a
    classic server); refused before anything was sent."""


_RETRY_IN = re.compile(r"available in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def parse_retry_after(detail: str | None) -> float | None:
    """Seconds to wait from PostHog's throttle detail ("Expected available in 37 seconds.")."""
    match = _RETRY_IN.search(detail or "")
    return float(match.group(1)) if match else None


class RateLimited(ApiError):
    """429: too many requests for this key; ``retry_after`` seconds (None when not given)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, **fields: Unpack[_Fields]
    ) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx, or an answer that is not the API's: the server's problem, worth reporting."""


class MalformedResponse(ServerError):
    """The server answered but not with the API's JSON (HTML, a truncated or empty body...)."""


class ResponseTooLarge(ServerError):
    """The answer was larger than the client reads (``max_response_bytes``); nothing of it is
    kept. A wrong host, a proxy, or a page of huge items (ask for a smaller ``limit``)."""


class Unreachable(ApiError):
    """No answer: connection refused, DNS, TLS or a timeout. Nothing was received."""


class ReadOnlyError(ApiError):
    """The client is read-only and refused a write before sending anything."""


class InvalidId(ApiError, ValueError):
    """An id that is not a UUID, refused before anything was sent (also a `ValueError`)."""


class ConfigError(ApiError):
    """Host, key, project or profile could not be resolved; the message says which and how."""
