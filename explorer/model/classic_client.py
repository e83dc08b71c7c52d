"""The client as the model uses it for now: classic datasets and items only.

The model's commands (drafts, the ``updated_at`` conflict check, soft delete and the trash,
moves) are written for the classic API. `ClassicView` wraps an `AsyncClient` with the calls the
model makes and their classic types; when the server turns out to speak the versioned API (v2),
each call raises `Unsupported` saying so, which the model shows as a notice. Scripts reach v2
through `explorer.api` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from explorer.api import AsyncClient, Dataset, DatasetItem, Id, Page, Settings
from explorer.api.errors import Unsupported

__all__ = ["V2_NOT_YET", "ClassicView"]

V2_NOT_YET = (
    "This PostHog serves the versioned datasets API (v2, PostHog Cloud since August 2026);"
    " the explorer's screens speak only the classic API so far. Use the Python client"
    " (explorer.api) for v2 datasets meanwhile."
)

T = TypeVar("T", Dataset, DatasetItem)


def _classic(value: object, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise Unsupported(V2_NOT_YET)
    return value


def _page(page: Page[Any], kind: type[T]) -> Page[T]:
    results = [_classic(value, kind) for value in page.results]
    return Page[kind](  # type: ignore[valid-type]
        count=page.count,
        results=results,
        next=page.next,
        previous=page.previous,
        limit=page.limit,
        offset=page.offset,
    )


class _Datasets:
    def __init__(self, client: AsyncClient) -> None:
        self._datasets = client.datasets

    async def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Dataset]:
        return _page(await self._datasets.list(search, order_by, ids, limit, offset), Dataset)

    async def get(self, id: Id) -> Dataset:
        return _classic(await self._datasets.get(id), Dataset)

    async def create(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> Dataset:
        return _classic(await self._datasets.create(name, description, metadata), Dataset)

    async def update(self, id: Id, **fields: Any) -> Dataset:
        return _classic(await self._datasets.update(id, **fields), Dataset)


class _Items:
    def __init__(self, client: AsyncClient) -> None:
        self._items = client.items

    async def list(
        self, dataset: Id | Dataset | None = None, limit: int = 100, offset: int = 0
    ) -> Page[DatasetItem]:
        return _page(await self._items.list(dataset, limit, offset), DatasetItem)

    async def get(self, id: Id) -> DatasetItem:
        return _classic(await self._items.get(id), DatasetItem)

    async def create(self, dataset: Id | Dataset, **fields: Any) -> DatasetItem:
        return _classic(await self._items.create(dataset, **fields), DatasetItem)

    async def update(self, id: Id, **fields: Any) -> DatasetItem:
        return _classic(await self._items.update(id, **fields), DatasetItem)


class ClassicView:
    """``datasets`` and ``items`` of an `AsyncClient`, narrowed to classic objects."""

    def __init__(self, client: AsyncClient) -> None:
        self.raw = client
        self.settings: Settings = client.settings
        self.datasets = _Datasets(client)
        self.items = _Items(client)

    @property
    def read_only(self) -> bool:
        return self.raw.read_only
