"""`AsyncClient`: the asyncio twin of `Client`; it only sends what the server's API generation
builds."""

from __future__ import annotations

import asyncio
import builtins
import logging
import os
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from explorer.api._base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    BaseClient,
    PageOp,
    TimeoutTypes,
    completed,
    discard,
    release,
)
from explorer.api._export import ExportWait
from explorer.api._paging import DEFAULT_PREFETCH, PagePlan
from explorer.api._retry import RetryPolicy, may_have_applied
from explorer.api._wire import Id, Operation, Operations, _json_object
from explorer.api.errors import ApiError
from explorer.api.settings import ApiPrefix, Generation, Settings

if TYPE_CHECKING:
    from explorer.api.models import (
        AnyDataset,
        AnyItem,
        DatasetExport,
        DatasetRevision,
        Page,
        VersionedItem,
    )

__all__ = ["AsyncClient", "AsyncDatasets", "AsyncItems", "Preview"]

T = TypeVar("T")
log = logging.getLogger("explorer.api")

Preview = Callable[[dict[str, Any]], Awaitable[None] | None]
"""Shown a page of a list as the server sent it, before it is typed (`AsyncDatasets.preview`)."""


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
        generation: Generation | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
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
            generation=generation,
            max_response_bytes=max_response_bytes,
        )
        self._detecting: asyncio.Lock | None = None
        self._http = httpx.AsyncClient(
            base_url=self.settings.host, timeout=self._timeout, transport=transport
        )
        self._sleep = asyncio.sleep
        self.datasets = AsyncDatasets(self)
        self.items = AsyncItems(self)

    @property
    def generation(self) -> Generation | None:
        """The server's API generation ("classic" or "v2"), or None until the first request
        (or `detect_generation`) has found it."""
        return self._generation

    async def detect_generation(self) -> Generation:
        """The server's API generation, asking the server once if it is not known yet."""
        await self._use()
        assert self._generation is not None
        return self._generation

    async def _use(self) -> Operations:
        """The operations of the server's generation, found first when not known yet."""
        if self._generation is None:
            if self._detecting is None:
                self._detecting = asyncio.Lock()
            async with self._detecting:
                if self._generation is None:
                    return self._found(await self._send(self._probe()))
        return self._api_of(self._generation)

    async def _send(
        self, op: Operation[T], preview: Callable[[], Preview | None] | None = None
    ) -> T:
        """Send ``op`` (with retries) and parse its answer; ``preview`` gives the function a
        successful answer is shown to first, if any (see `AsyncDatasets.preview`)."""
        if op.local is not None:
            return op.local()
        if op.parts:
            assert op.combine is not None
            results = await asyncio.gather(*(self._send(part) for part in op.parts))
            return op.combine(list(results))
        request = self._request(self._http, op)
        attempt = 0
        maybe_applied = False  # an earlier attempt may have reached the server
        while True:
            failure: BaseException
            try:
                response = await self._receive(request, op)
            except httpx.RequestError as exc:
                failure = exc
            except ApiError as exc:  # too large
                failure = exc
            else:
                try:
                    if preview is not None:
                        await _show(preview(), response)
                    return op.parse(response)
                except ApiError as exc:
                    failure = exc
                finally:
                    release(response)
            delay = self._delay(op, attempt, failure, maybe_applied)
            maybe_applied = maybe_applied or may_have_applied(failure)
            await self._sleep(delay)
            attempt += 1

    async def _receive(self, request: httpx.Request, op: Operation[Any]) -> httpx.Response:
        """One attempt: send, then read the answer within the size bound and the deadline."""
        deadline = self._deadline()
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.total_timeout):
                response = await self._http.send(
                    request, stream=True, follow_redirects=op.follow_redirects
                )
                try:
                    async for chunk in response.aiter_bytes():
                        size = self._take(chunks, size, chunk, op, deadline)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise httpx.ReadTimeout(
                f"the answer took more than {self.total_timeout:g} s in all", request=request
            ) from None
        done = completed(response, b"".join(chunks))
        release(response)  # the streamed answer: unlinked at once, as every answer is
        return done

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


async def _show(preview: Preview | None, response: httpx.Response) -> None:
    """Show a successful list answer to ``preview`` before it is typed."""
    if preview is None or not response.is_success:
        return
    page = _json_object(response.content)
    if not page:
        return
    try:
        shown = preview(page)
        if shown is not None:
            await shown
    except Exception:  # a front end's drawing must never fail the request
        log.exception("showing a page before it is typed")


class AsyncDatasets:
    """``async_client.datasets``: the awaitable twin of `Datasets`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._send = client._send
        self._use = client._use
        self.preview: Preview | None = None
        """None, or a function that sees each page `list` receives before it is typed: called
        with the page as the server sent it (the decoded JSON object: ``results``, ``count``...),
        and awaited when it returns an awaitable. The first page typed loads the wire models
        and pydantic (about a tenth of a second), so a front end can draw that page meanwhile
        (the terminal app's first screen does). The page is untrusted and not validated; an
        exception the function raises is logged and ignored. Read when the answer arrives."""

    async def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
        archived: bool = False,
    ) -> Page[AnyDataset]:
        """One page of datasets; see `Datasets.list`."""
        sniff = (
            None
            if archived
            else self._client._sniffing_datasets(search, order_by, ids, limit, offset)
        )
        shown_to = self._preview
        if sniff is not None:
            return await self._send(sniff, shown_to)
        api = await self._use()
        op = api.list_datasets(search, order_by, ids, limit, offset, archived)
        return await self._send(op, shown_to)

    def _preview(self) -> Preview | None:
        return self.preview

    async def iter(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        page_size: int = 100,
        archived: bool = False,
    ) -> AsyncGenerator[AnyDataset, None]:
        """Every dataset matching ``search`` (``async for``); see `Datasets.iter`."""
        plan = PagePlan(page_size, self._client.prefetch)
        api = await self._use()

        def page(limit: int, offset: int) -> Operation[Page[AnyDataset]]:
            return api.list_datasets(search, order_by, None, limit, offset, archived)

        async for dataset in self._client._iterate(page, plan):
            yield dataset

    async def get(self, id: Id) -> AnyDataset:
        """See `Datasets.get`."""
        return await self._send((await self._use()).get_dataset(id))

    async def create(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> AnyDataset:
        """See `Datasets.create`."""
        api = await self._use()
        return await self._send(api.create_dataset(name, description, metadata))

    async def update(self, id: Id, **fields: Any) -> AnyDataset:
        """See `Datasets.update`."""
        return await self._send((await self._use()).update_dataset(id, fields))

    async def archive(self, id: Id) -> AnyDataset:
        """See `Datasets.archive`."""
        return await self._send((await self._use()).archive_dataset(id))

    async def restore(self, id: Id) -> AnyDataset:
        """See `Datasets.restore`."""
        return await self._send((await self._use()).restore_dataset(id))

    async def delete(self, id: Id) -> AnyDataset:
        """Classic's name for `archive`."""
        return await self.archive(id)

    async def revisions(self, id: Id, limit: int = 100, offset: int = 0) -> Page[DatasetRevision]:
        """See `Datasets.revisions`."""
        return await self._send((await self._use()).list_revisions(id, limit, offset))

    async def export(
        self,
        id: Id,
        revision: int | None = None,
        *,
        wait: float = 600.0,
        on_status: Callable[[DatasetExport], None] | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """See `Datasets.export`."""
        api = await self._use()
        export = await self._send(api.create_export(id, revision))
        if on_status is not None:
            on_status(export)
        waiting = ExportWait(export, wait)
        while not waiting.done:
            await self._client._sleep(waiting.next_delay())
            export = await self._send(api.export_status(id, export.id))
            if on_status is not None:
                on_status(export)
            waiting.update(export)
        return await self._send(api.export_content(id, export.id))


class AsyncItems:
    """``async_client.items``: the awaitable twin of `Items`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._send = client._send
        self._use = client._use

    async def list(
        self,
        dataset: Id | AnyDataset | None = None,
        limit: int = 100,
        offset: int = 0,
        *,
        revision: int | None = None,
        archived: bool = False,
    ) -> Page[AnyItem]:
        """See `Items.list`."""
        api = await self._use()
        return await self._send(api.list_items(dataset, limit, offset, revision, archived))

    async def iter(
        self,
        dataset: Id | AnyDataset | None = None,
        page_size: int = 100,
        *,
        revision: int | None = None,
        archived: bool = False,
    ) -> AsyncGenerator[AnyItem, None]:
        """Every item (of ``dataset``) (``async for``); see `Items.iter`."""
        plan = PagePlan(page_size, self._client.prefetch)
        api = await self._use()

        def page(limit: int, offset: int) -> Operation[Page[AnyItem]]:
            return api.list_items(dataset, limit, offset, revision, archived)

        async for item in self._client._iterate(page, plan):
            yield item

    async def get(self, id: Id, revision: int | None = None) -> AnyItem:
        """See `Items.get`."""
        return await self._send((await self._use()).get_item(id, revision))

    async def create(self, dataset: Id | AnyDataset, **fields: Any) -> AnyItem:
        """See `Items.create`."""
        return await self._send((await self._use()).create_item(dataset, fields))

    async def update(self, id: Id, base_version: int | None = None, **fields: Any) -> AnyItem:
        """See `Items.update`."""
        api = await self._use()
        return await self._send(api.update_item(id, fields, base_version))

    async def archive(self, id: Id, base_version: int | None = None) -> AnyItem:
        """See `Items.archive`."""
        return await self._send((await self._use()).archive_item(id, base_version))

    async def restore(
        self, id: Id, base_version: int | None = None, source_version: int | None = None
    ) -> AnyItem:
        """See `Items.restore`."""
        api = await self._use()
        return await self._send(api.restore_item(id, base_version, source_version))

    async def delete(self, id: Id) -> AnyItem:
        """Classic's name for `archive`."""
        return await self.archive(id)

    async def versions(self, id: Id, limit: int = 100, offset: int = 0) -> Page[VersionedItem]:
        """See `Items.versions`."""
        return await self._send((await self._use()).list_versions(id, limit, offset))
