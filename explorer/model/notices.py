"""User-facing messages: what happened and what to do, built from API errors and local checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    InvalidId,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReadOnlyError,
    ServerError,
    Unreachable,
    ValidationFailed,
)

__all__ = ["Notice", "NoticeLevel", "describe_error", "is_refusal"]

NoticeLevel = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    """A message for the user. ``message`` says what happened, ``hint`` what to do about it
    (may be empty); ``command`` names the command that produced it."""

    level: NoticeLevel
    message: str
    hint: str = ""
    command: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


def _hint(error: ApiError) -> str:
    if isinstance(error, AuthenticationFailed):
        return "Check the API key (profile or POSTHOG_PERSONAL_API_KEY)."
    if isinstance(error, PermissionDenied):
        scope = error.scope
        if scope:
            return f"Use a personal API key with the '{scope}' scope."
        return "Use a key with access to this project."
    if isinstance(error, NotFound):
        if error.detail and "project" in error.detail.lower():
            return "Check the project id."
        return "It may have been deleted elsewhere; refresh."
    if isinstance(error, InvalidId):
        return "Nothing was sent; ids are UUIDs as PostHog shows them."
    if isinstance(error, ValidationFailed):
        return "Correct the value and try again."
    if isinstance(error, RateLimited):
        if error.retry_after is not None:
            return f"PostHog asks to wait {error.retry_after:g} s; then retry."
        return "Wait a moment, then retry."
    if isinstance(error, ServerError | Unreachable):
        return "Retry in a moment."
    if isinstance(error, ReadOnlyError):
        return "Start without read-only mode to make changes."
    return ""


def describe_error(error: BaseException, doing: str) -> tuple[str, str]:
    """``(message, hint)`` for a failure while ``doing`` (e.g. "Saving the item")."""
    if isinstance(error, ApiError):
        what = error.message.rstrip(".")
        if isinstance(error, ValidationFailed) and error.attr:
            what = f"the server refused {error.attr}: {error.detail or error.message}".rstrip(".")
        return f"{doing} failed: {what}.", _hint(error)
    return (
        f"{doing} failed unexpectedly: {type(error).__name__}: {error}.",
        "This is a bug; please report it.",
    )


def is_refusal(error: ApiError) -> bool:
    """Whether the server certainly did not apply the request (it refused or never got it).

    Anything else (a 5xx, a dropped connection, a malformed answer) leaves a write's outcome
    unknown, and the model checks the server before saying what happened. So does a refusal
    of a request the client had sent before (``maybe_applied``): an earlier attempt may have
    been applied.
    """
    if error.maybe_applied:
        return False
    if isinstance(error, RateLimited | ReadOnlyError | InvalidId):
        return True
    if isinstance(error, ServerError | Unreachable):
        return False
    return error.status is not None and 400 <= error.status < 500
