"""`Client`: the blocking client; it only sends what `ClassicApi` builds."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack

import httpx

from explorer.api._base import (
    DEFAULT_TIMEOUT,
    BaseClient,
    PageOp,
    TimeoutTypes,
    release,
)
from explorer.api._classic import DatasetFields, Id, ItemChanges, ItemFields, Operation
from explorer.api._paging import DEFAULT_PREFETCH, PagePlan
from explorer.api._retry import RetryPolicy, may_have_applied
from explorer.api.errors import ApiError
from explorer.api.models import Dataset, DatasetItem, Page
from explorer.api.settings import ApiPrefix, Settings

__all__ = ["Client", "Datasets", "Items"]

T = TypeVar("T")


class Client(BaseClient):
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
        maybe_applied = False  # an earlier attempt may have reached the server
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
                    release(response)
            delay = self._delay(op, attempt, failure, maybe_applied)
            maybe_applied = maybe_applied or may_have_applied(failure)
            self._sleep(delay)
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
