"""The error envelope PostHog answers with: ``{"type", "code", "detail", "attr"}``.

Only the first problem is reported, as PostHog's exception handler does.
"""

from __future__ import annotations

import json

from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json"


class ApiError(Exception):
    """An error answered with PostHog's envelope (or, for ``empty``, with no body at all)."""

    def __init__(
        self,
        status: int,
        type_: str,
        code: str,
        detail: str,
        attr: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.code = code
        self.detail = detail
        self.attr = attr
        self.headers = headers or {}

    def body(self) -> bytes:
        return envelope(self.type, self.code, self.detail, self.attr)

    def response(self, extra_headers: dict[str, str] | None = None) -> Response:
        headers = {**self.headers, **(extra_headers or {})}
        return Response(self.body(), self.status, headers=headers, media_type=JSON_MEDIA_TYPE)


def envelope(type_: str, code: str, detail: str, attr: str | None) -> bytes:
    doc = {"type": type_, "code": code, "detail": detail, "attr": attr}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def validation(code: str, detail: str, attr: str | None) -> ApiError:
    return ApiError(400, "validation_error", code, detail, attr)


def required(attr: str) -> ApiError:
    return validation("required", "This field is required.", attr)


def parse_error(reason: str) -> ApiError:
    return ApiError(400, "invalid_request", "parse_error", f"JSON parse error - {reason}")


def not_authenticated() -> ApiError:
    return ApiError(
        401,
        "authentication_error",
        "not_authenticated",
        "Authentication credentials were not provided.",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def authentication_failed() -> ApiError:
    return ApiError(
        401,
        "authentication_error",
        "authentication_failed",
        "Personal API key found in request Authorization header is invalid.",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def permission_denied(detail: str) -> ApiError:
    return ApiError(403, "authentication_error", "permission_denied", detail)


def not_found(detail: str = "Not found.") -> ApiError:
    return ApiError(404, "invalid_request", "not_found", detail)


def project_not_found() -> ApiError:
    return not_found("Project not found.")


def method_not_allowed(method: str) -> ApiError:
    return ApiError(405, "invalid_request", "method_not_allowed", f'Method "{method}" not allowed.')


def throttled_detail(wait_seconds: int | None) -> str:
    if wait_seconds is None:
        return "Request was throttled."
    unit = "second" if wait_seconds == 1 else "seconds"
    return f"Request was throttled. Expected available in {wait_seconds} {unit}."


def throttled(wait_seconds: int | None) -> ApiError:
    # PostHog sends no Retry-After header: the wait is only in the detail.
    return ApiError(429, "throttled_error", "throttled", throttled_detail(wait_seconds))


def server_error() -> ApiError:
    return ApiError(500, "server_error", "error", "A server error occurred.")


class PlainError(ApiError):
    """An error whose body is a plain JSON object, not the envelope (v2's 409 bodies)."""

    def __init__(self, status: int, doc: dict[str, object]) -> None:
        detail = str(doc.get("detail", ""))
        super().__init__(status, "conflict", str(doc.get("code", "")), detail)
        self.doc = doc

    def body(self) -> bytes:
        return json.dumps(self.doc, ensure_ascii=False, separators=(",", ":")).encode()


def conflict(
    code: str,
    detail: str,
    *,
    current_version: int | None = None,
    current_item_id: str | None = None,
    resource: str | None = None,
    current_count: int | None = None,
    limit: int | None = None,
) -> PlainError:
    """v2's custom 409: ``{"code", "detail", ...}`` with null keys omitted."""
    doc: dict[str, object] = {"code": code, "detail": detail}
    extra = {
        "current_version": current_version,
        "current_item_id": current_item_id,
        "resource": resource,
        "current_count": current_count,
        "limit": limit,
    }
    doc.update({key: value for key, value in extra.items() if value is not None})
    return PlainError(409, doc)


def export_conflict(detail: str) -> PlainError:
    """An export's 409: ``{"detail": ...}`` only."""
    return PlainError(409, {"detail": detail})
