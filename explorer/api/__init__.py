"""The typed client of PostHog's datasets API: `Client` (blocking) and `AsyncClient` (asyncio).

    from explorer.api import Client
    with Client(host="us", api_key="phx_...", project_id=12345) as client:
        for dataset in client.datasets.iter(search="eval"):
            print(dataset.name)

Public names: the two clients, the wire models (`Dataset`, `DatasetItem`, `UserBasic`,
`Page`) and `short_id`, `Settings` and `RetryPolicy`, and the errors (all under `ApiError`, also in
`explorer.api.errors`). Modules starting with ``_`` are private.
"""

from explorer.api._async import AsyncClient
from explorer.api._base import DEFAULT_TIMEOUT
from explorer.api._classic import DatasetFields, Id, ItemChanges, ItemFields
from explorer.api._retry import RetryPolicy
from explorer.api._sync import Client
from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    ConfigError,
    InvalidId,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReadOnlyError,
    ServerError,
    Unreachable,
    ValidationFailed,
)
from explorer.api.models import Dataset, DatasetItem, Page, UserBasic, short_id
from explorer.api.settings import InsecureConfigWarning, Settings, default_config_path

__all__ = [
    "DEFAULT_TIMEOUT",
    "ApiError",
    "AsyncClient",
    "AuthenticationFailed",
    "Client",
    "ConfigError",
    "Dataset",
    "DatasetFields",
    "DatasetItem",
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
    "RetryPolicy",
    "ServerError",
    "Settings",
    "Unreachable",
    "UserBasic",
    "ValidationFailed",
    "default_config_path",
    "short_id",
]
