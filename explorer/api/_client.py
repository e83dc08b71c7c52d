"""`Client` and `AsyncClient`: one base; they differ only in how they send.

Every operation is built and parsed by the API generation (`ClassicApi`). The resources below
(``client.datasets``, ``client.items``) only hand operations to ``_send``, which applies the
read-only rule and the retry policy around one ``httpx`` call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack

import httpx

from explorer import __version__
from explorer.api._classic import (
    ClassicApi,
    DatasetFields,
    Id,
    ItemChanges,
    ItemFields,
    Operation,
)
from explorer.api._paging import DEFAULT_PREFETCH, PagePlan
from explorer.api._retry import RetryPolicy, retry_delay
from explorer.api.errors import ApiError, MalformedResponse, ReadOnlyError, Unreachable
from explorer.api.models import Dataset, DatasetItem, Page
from explorer.api.settings import ApiPrefix, Settings

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient", "Client"]

T = TypeVar("T")
log = logging.getLogger("explorer.api")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Connect within 5 s; every other wait (read, write, pool) up to 30 s."""

TimeoutTypes = float | httpx.Timeout | None
PageOp = Callable[[int, int], Operation[Page[T]]]
"""Builds the list operation for (limit, offset)."""


class _BaseClient:
    """What both clients share: settings, the API generation, headers, retry decisions."""

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
    ) -> None:
        if prefetch < 0:
            raise ValueError("prefetch must not be negative")
        if settings is not None:
            if profile is not None or config_path is not None:
                raise ValueError("give settings, or profile/config_path to resolve them; not both")
            overrides: dict[str, Any] = {
                "host": host,
                "api_key": api_key,
                "project_id": project_id,
                "api_prefix": api_prefix,
                "read_only": read_only,
                "allow_http": allow_http,
            }
            chosen: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
            if chosen:  # explicit arguments win over the given settings, as everywhere
                settings = dataclasses.replace(settings, **chosen)
        else:
            settings = Settings.resolve(
                host,
                api_key,
                project_id,
                profile=profile,
                api_prefix=api_prefix,
                read_only=read_only,
                allow_http=allow_http,
                config_path=config_path,
            )
        self.settings = settings
        self.retry_policy = RetryPolicy.coerce(retries)
        self.prefetch = prefetch
        self._timeout = httpx.Timeout(timeout) if timeout is not None else httpx.Timeout(None)
        self._api = ClassicApi(settings.host, settings.project_id, settings.api_prefix)
        self._headers = {
            "Authorization": f"Bearer {settings.api_key}",
            "Accept": "application/json",
            "User-Agent": f"posthog-dataset-explorer/{__version__}",
        }

    @property
    def read_only(self) -> bool:
        """Whether every write is refused before sending."""
        return self.settings.read_only

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"<{type(self).__name__} host={s.host!r} project_id={s.project_id!r}"
            f" api_prefix={s.api_prefix!r} read_only={s.read_only}>"
        )

    def _request(self, http: httpx.Client | httpx.AsyncClient, op: Operation[Any]) -> httpx.Request:
        if op.is_write and self.settings.read_only:
            raise ReadOnlyError(
                f"This client is read-only; refused {op.method} {op.path} without sending it."
                " Drop read_only (argument or profile) to edit.",
                method=op.method,
                path=op.path,
            )
        headers = self._headers
        if op.content is not None:
            headers = {**headers, "Content-Type": "application/json"}
        return http.build_request(
            op.method, op.path, params=op.params, content=op.content, headers=headers
        )

    def _delay(self, op: Operation[Any], attempt: int, failure: BaseException) -> float:
        """Seconds to wait before the next attempt; raises the right error when there is none."""
        delay = retry_delay(self.retry_policy, op.method, attempt, failure)
        if delay is None:
            if isinstance(failure, ApiError):
                raise self._scrub(failure)
            raise self._unreachable(op, failure) from failure
        log.info(
            "retrying %s %s in %.2f s after %s (retry %d of %d)",
            op.method,
            op.path,
            delay,
            _describe(failure),
            attempt + 1,
            self.retry_policy.retries,
        )
        return delay

    def _unreachable(self, op: Operation[Any], failure: BaseException) -> ApiError:
        host = self.settings.host
        said = _describe(failure)
        if isinstance(failure, httpx.DecodingError):  # an answer came, but undecodable
            return self._scrub(
                MalformedResponse(
                    f"{host} answered {op.method} {op.path} with a body that cannot be decoded"
                    f" ({said}). Check that the host is PostHog's app host; if it is, this is"
                    " a server problem worth reporting.",
                    detail=said,
                    method=op.method,
                    path=op.path,
                )
            )
        if isinstance(failure, httpx.TimeoutException):
            what = (
                f"{host} did not answer {op.method} {op.path} in time ({said}). Check the host"
                " and your connection, or allow more time with timeout="
            )
        else:
            what = (
                f"Could not reach {host} for {op.method} {op.path} ({said}). Check the host,"
                " your connection and any proxy"
            )
        return self._scrub(Unreachable(f"{what}; then try again.", method=op.method, path=op.path))

    def _scrub(self, error: ApiError) -> ApiError:
        # Defence in depth: a server echoing the Authorization header must not leak the key.
        key = self.settings.api_key
        if key in error.message or key in (error.detail or ""):
            error.message = error.message.replace(key, "<api key>")
            error.detail = error.detail.replace(key, "<api key>") if error.detail else None
            error.args = (error.message,)
        return error


_SPENT = httpx.ByteStream(b"")


def _release(response: httpx.Response) -> None:
    # httpx links a sent response and its stream in a reference cycle, so every page (hundreds
    # of KB) would wait for the cyclic collector; unlinking frees it as soon as it is parsed.
    response.stream = _SPENT


def _discard(task: asyncio.Task[Any]) -> None:
    """Cancel a task whose answer is no longer wanted, without an unretrieved exception."""
    task.cancel()
    task.add_done_callback(lambda t: None if t.cancelled() else t.exception())


def _describe(failure: BaseException) -> str:
    if isinstance(failure, ApiError):
        return f"{failure.status} {failure.code or ''}".strip()
    text = str(failure)
    return f"{type(failure).__name__}: {text}" if text else type(failure).__name__


# ---------------------------------------------------------------- sync


class Client(_BaseClient):
    """A blocking client for PostHog datasets: ``client.datasets`` and ``client.items``.

    ``host``, ``api_key``, ``project_id``, ``profile``, ``api_prefix`` ("projects" or
    "environments"), ``read_only``, ``allow_http`` and ``config_path`` are resolved by
    `Settings.resolve` (arguments, then environment, then the config file), unless ``settings``
    is given. ``read_only`` refuses every write before sending it. ``timeout`` is seconds or an
    `httpx.Timeout` (default: connect 5 s, the rest 30 s). ``retries`` is a `RetryPolicy` or a
    number of retries (0 disables them). ``prefetch`` is how many pages ``iter()`` asks for
    ahead (0: one at a time). ``transport`` replaces httpx's (tests use `httpx.MockTransport`).

    Raises `ConfigError` when host, key or project cannot be found. Use as a context manager or
    call `close()`. Safe to share between threads.
    """

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
        transport: httpx.BaseTransport | None = None,
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
        self._http = httpx.Client(
            base_url=self.settings.host, timeout=self._timeout, transport=transport
        )
        self._sleep = time.sleep
        self.datasets = Datasets(self)
        self.items = Items(self)

    def _send(self, op: Operation[T]) -> T:
        if op.local is not None:
            return op.local()
        request = self._request(self._http, op)
        attempt = 0
        while True:
            failure: BaseException
            try:
                response = self._http.send(request)
            except httpx.RequestError as exc:
                failure = exc
            else:
                try:
                    return op.parse(response)
                except ApiError as exc:
                    failure = exc
                finally:
                    _release(response)
            self._sleep(self._delay(op, attempt, failure))
            attempt += 1

    def _iterate(self, make_op: PageOp[T], plan: PagePlan) -> Generator[T, None, None]:
        """Every item of a list, pages asked ahead of need by a small thread pool."""
        in_flight: deque[Future[Page[T]]] = deque()
        pool: ThreadPoolExecutor | None = None

        def ask() -> None:
            nonlocal pool
            for offset in plan.wanted():
                op = make_op(plan.page_size, offset)
                if plan.prefetch == 0 or not plan.started:
                    future: Future[Page[T]] = Future()  # nothing to overlap: send it here
                    try:
                        future.set_result(self._send(op))
                    except Exception as exc:
                        future.set_exception(exc)
                else:
                    if pool is None:
                        pool = ThreadPoolExecutor(plan.prefetch, "explorer-pages")
                    future = pool.submit(self._send, op)
                in_flight.append(future)

        try:
            while True:
                ask()
                if not in_flight:
                    return
                page = in_flight.popleft().result()
                more = plan.received(page)
                if not plan.pending:  # the plan dropped what was asked ahead
                    while in_flight:
                        in_flight.pop().cancel()
                if plan.prefetch:
                    ask()  # before handing out this page, so the server works meanwhile
                yield from page.results
                del page  # only pages asked ahead stay in memory while the next one arrives
                if not more:
                    return
        finally:
            for future in in_flight:
                future.cancel()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Datasets:
    """``client.datasets``: list, iterate, get, create, update, delete and restore datasets."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._send = client._send
        self._api = client._api

    def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Dataset]:
        """One page of live datasets, newest first unless ``order_by`` says otherwise.

        ``search`` matches name, description and metadata text; ``order_by`` takes
        ``created_at``, ``updated_at`` (``-`` for descending), several comma-separated;
        ``ids`` keeps only those ids.
        """
        return self._send(self._api.list_datasets(search, order_by, ids, limit, offset))

    def iter(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        page_size: int = 100,
    ) -> Generator[Dataset, None, None]:
        """Every live dataset matching ``search``, fetched a page at a time (a few ahead)."""
        plan = PagePlan(page_size, self._client.prefetch)

        def page(limit: int, offset: int) -> Operation[Page[Dataset]]:
            return self._api.list_datasets(search, order_by, None, limit, offset)

        return self._client._iterate(page, plan)

    def get(self, id: Id) -> Dataset:
        """The dataset; `NotFound` if it does not exist or is deleted."""
        return self._send(self._api.get_dataset(id))

    def create(self, name: str, description: str | None = None, metadata: Any = None) -> Dataset:
        """A new dataset. `ValidationFailed` if the name is blank or longer than 400."""
        return self._send(self._api.create_dataset(name, description, metadata))

    def update(self, id: Id, **fields: Unpack[DatasetFields]) -> Dataset:
        """Change only the fields given (``None`` sends null); works on deleted datasets too."""
        return self._send(self._api.update_dataset(id, fields))

    def delete(self, id: Id) -> Dataset:
        """Soft-delete (``PATCH {"deleted": true}``); its items stay. Keep the id to restore."""
        return self._send(self._api.update_dataset(id, {"deleted": True}))

    def restore(self, id: Id) -> Dataset:
        """Undo `delete` (``PATCH {"deleted": false}``)."""
        return self._send(self._api.update_dataset(id, {"deleted": False}))


class Items:
    """``client.items``: list, iterate, get, create, update, delete and restore dataset items."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._send = client._send
        self._api = client._api

    def list(
        self, dataset: Id | Dataset | None = None, limit: int = 100, offset: int = 0
    ) -> Page[DatasetItem]:
        """One page of live items, newest first; of one dataset, or of the whole project."""
        return self._send(self._api.list_items(dataset, limit, offset))

    def iter(
        self, dataset: Id | Dataset | None = None, page_size: int = 100
    ) -> Generator[DatasetItem, None, None]:
        """Every live item (of ``dataset``), fetched a page at a time (a few ahead)."""
        plan = PagePlan(page_size, self._client.prefetch)

        def page(limit: int, offset: int) -> Operation[Page[DatasetItem]]:
            return self._api.list_items(dataset, limit, offset)

        return self._client._iterate(page, plan)

    def get(self, id: Id) -> DatasetItem:
        """The item; `NotFound` if it does not exist or is deleted."""
        return self._send(self._api.get_item(id))

    def create(self, dataset: Id | Dataset, **fields: Unpack[ItemFields]) -> DatasetItem:
        """A new item in ``dataset`` (deleted datasets accepted). Never sent twice on retry."""
        return self._send(self._api.create_item(dataset, fields))

    def update(self, id: Id, **fields: Unpack[ItemChanges]) -> DatasetItem:
        """Change only the fields given (``None`` sends null); ``dataset=`` moves the item."""
        return self._send(self._api.update_item(id, fields))

    def delete(self, id: Id) -> DatasetItem:
        """Soft-delete (``PATCH {"deleted": true}``). Keep the id: deleted items are not listed."""
        return self._send(self._api.update_item(id, {"deleted": True}))

    def restore(self, id: Id) -> DatasetItem:
        """Undo `delete` (``PATCH {"deleted": false}``)."""
        return self._send(self._api.update_item(id, {"deleted": False}))


# ---------------------------------------------------------------- async


class AsyncClient(_BaseClient):
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
                    _release(response)
            await self._sleep(self._delay(op, attempt, failure))
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
                        _discard(in_flight.pop())
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
