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

The package loads its modules as their names are first used (PEP 562): ``from explorer.api
import Settings`` loads neither httpx nor pydantic, and the client loads the wire models (and
pydantic, about a tenth of a second) when it parses its first answer, so the terminal app can
draw its first rows meanwhile.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.api._async import AsyncClient
    from explorer.api._base import DEFAULT_TIMEOUT
    from explorer.api._classic import DatasetFields, ItemChanges, ItemFields
    from explorer.api._ids import short_id
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
    )
    from explorer.api.settings import (
        Generation,
        InsecureConfigWarning,
        Settings,
        default_config_path,
    )

_HOMES: dict[str, str] = {
    "AsyncClient": "explorer.api._async",
    "DEFAULT_TIMEOUT": "explorer.api._base",
    "DatasetFields": "explorer.api._classic",
    "ItemChanges": "explorer.api._classic",
    "ItemFields": "explorer.api._classic",
    "short_id": "explorer.api._ids",
    "RetryPolicy": "explorer.api._retry",
    "Client": "explorer.api._sync",
    "V2DatasetFields": "explorer.api._v2",
    "V2ItemChanges": "explorer.api._v2",
    "V2ItemFields": "explorer.api._v2",
    "Id": "explorer.api._wire",
    "ApiError": "explorer.api.errors",
    "AuthenticationFailed": "explorer.api.errors",
    "ConfigError": "explorer.api.errors",
    "Conflict": "explorer.api.errors",
    "DatasetsDisabled": "explorer.api.errors",
    "InvalidId": "explorer.api.errors",
    "MalformedResponse": "explorer.api.errors",
    "NotFound": "explorer.api.errors",
    "PermissionDenied": "explorer.api.errors",
    "RateLimited": "explorer.api.errors",
    "ReadOnlyError": "explorer.api.errors",
    "ResponseTooLarge": "explorer.api.errors",
    "ServerError": "explorer.api.errors",
    "Unreachable": "explorer.api.errors",
    "Unsupported": "explorer.api.errors",
    "ValidationFailed": "explorer.api.errors",
    "AnyDataset": "explorer.api.models",
    "AnyItem": "explorer.api.models",
    "Dataset": "explorer.api.models",
    "DatasetExport": "explorer.api.models",
    "DatasetItem": "explorer.api.models",
    "DatasetRevision": "explorer.api.models",
    "Page": "explorer.api.models",
    "UserBasic": "explorer.api.models",
    "VersionedDataset": "explorer.api.models",
    "VersionedItem": "explorer.api.models",
    "Generation": "explorer.api.settings",
    "InsecureConfigWarning": "explorer.api.settings",
    "Settings": "explorer.api.settings",
    "default_config_path": "explorer.api.settings",
}
"""The module that defines each public name."""

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'explorer.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
