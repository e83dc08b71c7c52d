"""The wire objects of the PostHog datasets API, as immutable pydantic models.

Every model keeps fields it does not know (``model_extra``), because the server may add some and
an older server names two ref fields differently. JSON fields (``metadata``, ``input``,
``output``...) hold any JSON value exactly as the server sent it, however deeply nested (they are
`Json`, not validated level by level: pydantic's own limit is about 200 levels, and the server
accepts about 990); integers of any size stay ints.
Datetimes are always timezone-aware (a naive value from a server is taken as UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote, urlencode
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue
from pydantic import AwareDatetime as _PydanticAware

from explorer.api._ids import short_id

Json = Any
"""Any JSON value, as the server sent it (the answer was JSON: nothing else can be in it)."""

__all__ = [
    "AnyDataset",
    "AnyItem",
    "Dataset",
    "DatasetExport",
    "DatasetItem",
    "DatasetRevision",
    "Page",
    "UserBasic",
    "VersionedDataset",
    "VersionedItem",
    "short_id",
]


def _assume_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


# Aware values (PostHog always sends "Z") take the fast path in pydantic-core; only a naive one
# reaches the Python validator, which takes it as UTC. A plain AfterValidator on every datetime
# costs a quarter of the parse time of a page.
AwareDatetime = Annotated[
    _PydanticAware | Annotated[datetime, AfterValidator(_assume_utc)],
    Field(union_mode="left_to_right"),
]
"""A datetime that is always timezone-aware; a naive one is taken as UTC."""


class _WireObject(BaseModel):
    # frozen: the model layer caches these and shares them between views.
    # extra="allow": fields the server adds later are kept, never rejected.
    model_config = ConfigDict(frozen=True, extra="allow")


class UserBasic(_WireObject):
    """The user who created a dataset or item (PostHog's ``UserBasic``)."""

    id: int
    uuid: UUID
    distinct_id: str | None = None
    first_name: str = ""
    last_name: str | None = None
    email: str = ""
    is_email_verified: bool | None = None
    hedgehog_config: dict[str, JsonValue] | None = None
    role_at_organization: str | None = None

    @property
    def display_name(self) -> str:
        """First and last name, or the email when there is no name."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email


class Dataset(_WireObject):
    """A dataset. ``deleted`` datasets are invisible to list and get but can be restored."""

    id: UUID
    name: str
    description: str | None = None
    metadata: Json = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted: bool | None = False
    created_by: UserBasic | None = None
    team: int | None = None


class DatasetItem(_WireObject):
    """One item of a dataset: input, output and metadata (any JSON), plus a link to its trace."""

    id: UUID
    dataset: UUID
    input: Json = None
    output: Json = None
    metadata: Json = None
    ref_trace_id: str | None = None
    ref_timestamp: AwareDatetime | None = None
    ref_source_id: str | None = None
    deleted: bool | None = False
    created_at: AwareDatetime
    updated_at: AwareDatetime
    created_by: UserBasic | None = None
    team: int | None = None

    @property
    def refs(self) -> dict[str, Any]:
        """Every ``ref_*`` field the server sent, known or not (older servers used other names)."""
        out: dict[str, Any] = {
            "ref_trace_id": self.ref_trace_id,
            "ref_timestamp": self.ref_timestamp,
            "ref_source_id": self.ref_source_id,
        }
        for key, value in (self.model_extra or {}).items():
            if key.startswith("ref_"):
                out[key] = value
        return out

    def trace_url(self, host: str, project_id: int | str | None = None) -> str | None:
        """The item's trace in PostHog's web UI, or None unless all three ref fields are set.

        ``host`` is the app host (``Client.settings.host``); ``project_id`` defaults to the
        item's ``team``, which is the project id.
        """
        project = project_id if isinstance(project_id, int) else self.team
        if not (self.ref_trace_id and self.ref_source_id and self.ref_timestamp and project):
            return None
        timestamp = self.ref_timestamp.isoformat().replace("+00:00", "Z")
        query = urlencode(
            {"event": self.ref_source_id, "timestamp": timestamp}, errors="backslashreplace"
        )
        trace = quote(self.ref_trace_id, safe="", errors="backslashreplace")
        return f"{host.rstrip('/')}/project/{project}/llm-analytics/traces/{trace}?{query}"


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the server's envelope plus the ``limit`` and ``offset`` asked for.

    ``next`` and ``previous`` are the server's absolute URLs, informative only: the client pages
    by offset itself and never sends the key to a host named in a response.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    count: int
    results: list[T]
    next: str | None = None
    previous: str | None = None
    limit: int = 0
    offset: int = 0

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.next is not None

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.offset > 0


class VersionedDataset(_WireObject):
    """A dataset of the versioned (v2) API: archived instead of deleted, and revisions.

    ``current_revision`` is the number of the dataset's newest revision (None before its first
    item); PostHog's offline experiments point at a dataset by ``current_revision_id``.
    """

    id: UUID
    name: str
    description: str = ""
    metadata: Json = Field(default_factory=dict)
    archived: bool = False
    current_revision: int | None = None
    current_revision_id: UUID | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    created_by: UserBasic | None = None
    team_id: int | None = None
    user_access_level: str | None = None


class VersionedItem(_WireObject):
    """One immutable version of a v2 dataset item.

    ``id`` is the stable item id shared by every version; ``version_id`` is this version's own
    id (PostHog's offline experiments point at it); ``version`` counts from 1. Writes name the
    ``version`` they were based on (``base_version``). ``source_output`` and the ``source_*``
    link never change after creation.
    """

    id: UUID
    dataset: UUID
    client_item_id: str | None = None
    version: int
    version_id: UUID
    dataset_revision: int
    dataset_revision_id: UUID
    archived: bool = False
    input: Json = None
    expected_output: Json = None
    source_output: Json = None
    metadata: Json = Field(default_factory=dict)
    source_trace_id: str | None = None
    source_event_id: str | None = None
    source_timestamp: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    created_by: UserBasic | None = None
    version_created_at: AwareDatetime
    version_created_by: UserBasic | None = None
    team_id: int | None = None

    def trace_url(self, host: str, project_id: int | str | None = None) -> str | None:
        """The item's trace in PostHog's web UI (with its event when known), or None unless
        ``source_trace_id`` and ``source_timestamp`` are set. ``project_id`` defaults to the
        item's ``team_id``."""
        project = project_id if isinstance(project_id, int) else self.team_id
        if not (self.source_trace_id and self.source_timestamp and project):
            return None
        timestamp = self.source_timestamp.isoformat().replace("+00:00", "Z")
        params = {"timestamp": timestamp}
        if self.source_event_id:
            params = {"event": self.source_event_id, **params}
        trace = quote(self.source_trace_id, safe="", errors="backslashreplace")
        query = urlencode(params, errors="backslashreplace")
        return f"{host.rstrip('/')}/project/{project}/llm-analytics/traces/{trace}?{query}"


class DatasetRevision(_WireObject):
    """One revision of a v2 dataset: made by each new item version (create, edit, archive,
    restore); ``revision`` counts from 1 per dataset."""

    id: UUID
    dataset_id: UUID
    revision: int
    created_at: AwareDatetime
    created_by: UserBasic | None = None
    team_id: int | None = None


class DatasetExport(_WireObject):
    """A v2 JSONL export of a dataset, pinned to ``dataset_revision``."""

    id: int
    status: str  # "pending" | "complete" | "failed"
    dataset_revision: int
    filename: str = ""
    created_at: AwareDatetime
    expires_after: AwareDatetime | None = None
    exception: str | None = None


AnyDataset = Dataset | VersionedDataset
"""A dataset of either API generation."""
AnyItem = DatasetItem | VersionedItem
"""An item of either API generation (a v2 item is one of its versions)."""
