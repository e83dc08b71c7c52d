"""PostHog dataset explorer: browse and edit PostHog LLM-analytics datasets.

The public names are `Client` and `AsyncClient` (see `explorer.api`). They are loaded lazily so
that importing a sub-package, such as the embedded server in `explorer.emulator`, does not load
the client (the emulator is an independent implementation of the contract).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from explorer._version import __version__

__all__ = ["AsyncClient", "Client", "__version__"]

if TYPE_CHECKING:
    from explorer.api import AsyncClient, Client


def __getattr__(name: str) -> Any:
    if name in __all__:
        import explorer.api

        return getattr(explorer.api, name)
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
