"""The typed client of PostHog's datasets API: `Client` (blocking) and `AsyncClient` (asyncio).

    from explorer.api import Client
    with Client(host="us", api_key="phx_...", project_id=12345) as client:
        for dataset in client.datasets.iter(search="eval"):
            print(dataset.name)

Both of PostHog's datasets API generations are spoken: classic (older self-hosted PostHog:
`Dataset`, `DatasetItem`) and v2, the versioned API of PostHog Cloud (`VersionedDataset`,
`VersionedItem`, `DatasetRevision`, `DatasetExport`). The client finds which on first use
(``client.generation``) unless told (``generation="v2"``, or a profile's ``generation``).

Public names: the two clients, the wire models and `short_id`, `Settings` and `RetryPolicy`, and
the errors (all under `ApiError`, also in `explorer.api.errors`). Modules starting with ``_``
are private.
"""

from explorer.api._async import AsyncClient
from explorer.api._base import DEFAULT_TIMEOUT
from explorer.api._classic import DatasetFields, ItemChanges, ItemFields
from explorer.api._retry import RetryPolicy
from explorer.api._sync import Client
from explorer.api._v2 import V2DatasetFields, V2ItemChanges, V2ItemFields
from explorer.api._wire import Id
from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    ConfigError,
    Conflict,
    DatasetsDisabled,
    InvalidId,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReadOnlyError,
    ResponseTooLarge,
    ServerError,
    Unreachable,
    Unsupported,
    ValidationFailed,
)
from explorer.api.models import (
    AnyDataset,
    AnyItem,
    Dataset,
    DatasetExport,
    DatasetItem,
    DatasetRevision,
    Page,
    UserBasic,
    VersionedDataset,
    VersionedItem,
    short_id,
)
from explorer.api.settings import Generation, InsecureConfigWarning, Settings, default_config_path

__all__ = [
    "DEFAULT_TIMEOUT",
    "AnyDataset",
    "AnyItem",
    "ApiError",
    "AsyncClient",
    "AuthenticationFailed",
    "Client",
    "ConfigError",
    "Conflict",
    "Dataset",
    "DatasetExport",
    "DatasetFields",
    "DatasetItem",
    "DatasetRevision",
    "DatasetsDisabled",
    "Generation",
    "Id",
    "InsecureConfigWarning",
    "InvalidId",
    "ItemChanges",
    "ItemFields",
    "MalformedResponse",
    "NotFound",
    "Page",
    "PermissionDenied",
    "RateLimited",
    "ReadOnlyError",
    "ResponseTooLarge",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "Unreachable",
    "Unsupported",
    "UserBasic",
    "V2DatasetFields",
    "V2ItemChanges",
    "V2ItemFields",
    "ValidationFailed",
    "VersionedDataset",
    "VersionedItem",
    "default_config_path",
    "short_id",
]
