"""`AsyncClient`: the asyncio twin of `Client`; it only sends what `ClassicApi` builds."""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import AsyncGenerator, Iterable
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack

import httpx

from explorer.api._base import (
    DEFAULT_TIMEOUT,
    BaseClient,
    PageOp,
    TimeoutTypes,
    discard,
    release,
)
from explorer.api._classic import DatasetFields, Id, ItemChanges, ItemFields, Operation
from explorer.api._paging import DEFAULT_PREFETCH, PagePlan
from explorer.api._retry import RetryPolicy, may_have_applied
from explorer.api.errors import ApiError
from explorer.api.models import Dataset, DatasetItem, Page
from explorer.api.settings import ApiPrefix, Settings

__all__ = ["AsyncClient", "AsyncDatasets", "AsyncItems"]

T = TypeVar("T")


class AsyncClient(BaseClient):
    """The asyncio twin of `Client`: the same names, awaitable; ``iter`` is an async iterator."""

    def __init__(
        self,
        host: str | None = None,
        api_key: str | None = None,
        project_id: int | str | None = None,
        *,
        profile: str | None = None,
        api_prefix: ApiPrefix | None = None,
        read_only: bool | None = None,
        allow_http: bool | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retries: RetryPolicy | int | None = None,
        prefetch: int = DEFAULT_PREFETCH,
        config_path: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            host,
            api_key,
            project_id,
            profile=profile,
            api_prefix=api_prefix,
            read_only=read_only,
            allow_http=allow_http,
            timeout=timeout,
            retries=retries,
            prefetch=prefetch,
            config_path=config_path,
            settings=settings,
        )
        self._http = httpx.AsyncClient(
            base_url=self.settings.host, timeout=self._timeout, transport=transport
        )
        self._sleep = asyncio.sleep
        self.datasets = AsyncDatasets(self)
        self.items = AsyncItems(self)

    async def _send(self, op: Operation[T]) -> T:
        if op.local is not None:
            return op.local()
        request = self._request(self._http, op)
        attempt = 0
        maybe_applied = False  # an earlier attempt may have reached the server
        while True:
            failure: BaseException
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                failure = exc
            else:
                try:
                    return op.parse(response)
                except ApiError as exc:
                    failure = exc
                finally:
                    release(response)
            delay = self._delay(op, attempt, failure, maybe_applied)
            maybe_applied = maybe_applied or may_have_applied(failure)
            await self._sleep(delay)
            attempt += 1

    async def _iterate(self, make_op: PageOp[T], plan: PagePlan) -> AsyncGenerator[T, None]:
        """Every item of a list, pages asked ahead of need as tasks."""
        in_flight: deque[asyncio.Task[Page[T]]] = deque()

        def ask() -> None:
            for offset in plan.wanted():
                in_flight.append(asyncio.create_task(self._send(make_op(plan.page_size, offset))))

        try:
            while True:
                ask()
                if not in_flight:
                    return
                page = await in_flight.popleft()
                more = plan.received(page)
                if not plan.pending:  # the plan dropped what was asked ahead
                    while in_flight:
                        discard(in_flight.pop())
                if plan.prefetch:
                    ask()  # before handing out this page, so the server works meanwhile
                for item in page.results:
                    yield item
                del page  # only pages asked ahead stay in memory while the next one arrives
                if not more:
                    return
        finally:
            for task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncDatasets:
    """``async_client.datasets``: the awaitable twin of `Datasets`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._send = client._send
        self._api = client._api

    async def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Dataset]:
        """One page of live datasets; see `Datasets.list`."""
        return await self._send(self._api.list_datasets(search, order_by, ids, limit, offset))

    def iter(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        page_size: int = 100,
    ) -> AsyncGenerator[Dataset, None]:
        """Every live dataset matching ``search`` (``async for``); see `Datasets.iter`."""
        plan = PagePlan(page_size, self._client.prefetch)

        def page(limit: int, offset: int) -> Operation[Page[Dataset]]:
            return self._api.list_datasets(search, order_by, None, limit, offset)

        return self._client._iterate(page, plan)

    async def get(self, id: Id) -> Dataset:
        """See `Datasets.get`."""
        return await self._send(self._api.get_dataset(id))

    async def create(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> Dataset:
        """See `Datasets.create`."""
        return await self._send(self._api.create_dataset(name, description, metadata))

    async def update(self, id: Id, **fields: Unpack[DatasetFields]) -> Dataset:
        """See `Datasets.update`."""
        return await self._send(self._api.update_dataset(id, fields))

    async def delete(self, id: Id) -> Dataset:
        """See `Datasets.delete`."""
        return await self._send(self._api.update_dataset(id, {"deleted": True}))

    async def restore(self, id: Id) -> Dataset:
        """See `Datasets.restore`."""
        return await self._send(self._api.update_dataset(id, {"deleted": False}))


class AsyncItems:
    """``async_client.items``: the awaitable twin of `Items`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._send = client._send
        self._api = client._api

    async def list(
        self, dataset: Id | Dataset | None = None, limit: int = 100, offset: int = 0
    ) -> Page[DatasetItem]:
        """See `Items.list`."""
        return await self._send(self._api.list_items(dataset, limit, offset))

    def iter(
        self, dataset: Id | Dataset | None = None, page_size: int = 100
    ) -> AsyncGenerator[DatasetItem, None]:
        """Every live item (of ``dataset``) (``async for``); see `Items.iter`."""
        plan = PagePlan(page_size, self._client.prefetch)

        def page(limit: int, offset: int) -> Operation[Page[DatasetItem]]:
            return self._api.list_items(dataset, limit, offset)

        return self._client._iterate(page, plan)

    async def get(self, id: Id) -> DatasetItem:
        """See `Items.get`."""
        return await self._send(self._api.get_item(id))

    async def create(self, dataset: Id | Dataset, **fields: Unpack[ItemFields]) -> DatasetItem:
        """See `Items.create`."""
        return await self._send(self._api.create_item(dataset, fields))

    async def update(self, id: Id, **fields: Unpack[ItemChanges]) -> DatasetItem:
        """See `Items.update`."""
        return await self._send(self._api.update_item(id, fields))

    async def delete(self, id: Id) -> DatasetItem:
        """See `Items.delete`."""
        return await self._send(self._api.update_item(id, {"deleted": True}))

    async def restore(self, id: Id) -> DatasetItem:
        """See `Items.restore`."""
        return await self._send(self._api.update_item(id, {"deleted": False}))
