"""User-facing messages: what happened and what to do, built from API errors and local checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    Conflict,
    DatasetsDisabled,
    InvalidId,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReadOnlyError,
    ServerError,
    Unreachable,
    ValidationFailed,
)

__all__ = ["Notice", "NoticeLevel", "describe_error", "hint_for", "is_refusal"]

NoticeLevel = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    """A message for the user. ``message`` says what happened, ``hint`` what to do about it
    (may be empty); ``command`` names the command that produced it.

    ``error``: when the notice reports that the command did not do what it was asked, the
    exception that says so, for a front end that turns failures back into exceptions (a
    script): the client's `ApiError` (a `Conflict` for a save that met a newer version,
    `ReadOnlyError` for a refused write), a `ValueError` for a value or a request the model
    refused before sending anything. None for news and for warnings about what did happen.
    """

    level: NoticeLevel
    message: str
    hint: str = ""
    command: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    error: BaseException | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


_LIMITS = {
    "datasets": "PostHog allows {limit} datasets per project, archived ones included; ask"
    " PostHog support for more.",
    "dataset_items": "PostHog allows {limit} items per dataset, archived ones included: put it"
    " in another dataset (or a new one).",
    "dataset_item_versions": "PostHog keeps {limit} versions of an item (the last one for a"
    " restore): duplicate the item to keep editing it (the copy starts at v1).",
}


def _conflict_hint(error: Conflict) -> str:
    if error.code == "limit_reached":
        template = _LIMITS.get(error.resource or "", "The limit is {limit}.")
        return template.format(limit=error.limit if error.limit is not None else "reached")
    if error.code == "stale_version":
        return "Someone saved a newer version; open the item again to see it."
    if error.code == "dataset_archived":
        return "The dataset is archived: restore it from the trash first."
    if error.code == "dataset_name_conflict":
        return "Choose another name."
    return ""


def hint_for(error: ApiError) -> str:
    """What to do about an API error (may be empty)."""
    if isinstance(error, AuthenticationFailed):
        return "Check the API key (profile or POSTHOG_PERSONAL_API_KEY)."
    if isinstance(error, DatasetsDisabled):
        return (
            "Ask your organisation's admin or PostHog support to enable LLM analytics datasets;"
            " no key can read them until then."
        )
    if isinstance(error, Conflict):
        return _conflict_hint(error)
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
        elif isinstance(error, Conflict) and error.detail:
            # PostHog's own sentence; the client's message adds advice for programs
            what = error.detail.rstrip(".")
        elif isinstance(error, DatasetsDisabled):
            what = "this PostHog organisation does not have LLM analytics datasets enabled"
        return f"{doing} failed: {what}.", hint_for(error)
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
