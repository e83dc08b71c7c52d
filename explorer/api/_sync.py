"""`Client`: the blocking client; it only sends what the server's API generation builds."""

from __future__ import annotations

import builtins
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
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
    release,
)
from explorer.api._export import ExportWait
from explorer.api._paging import DEFAULT_PREFETCH, PagePlan
from explorer.api._retry import RetryPolicy, may_have_applied
from explorer.api._wire import Id, Operation, Operations
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

__all__ = ["Client", "Datasets", "Items"]

T = TypeVar("T")
PART_THREADS = 8


class Client(BaseClient):
    """A blocking client for PostHog datasets: ``client.datasets`` and ``client.items``.

    ``host``, ``api_key``, ``project_id``, ``profile``, ``api_prefix`` ("projects" or
    "environments"), ``read_only``, ``allow_http`` and ``config_path`` are resolved by
    `Settings.resolve` (arguments, then environment, then the config file), unless ``settings``
    is given. ``read_only`` refuses every write before sending it. ``timeout`` is seconds (each
    attempt's whole time, however slowly the answer comes) or an `httpx.Timeout` (default: connect
    5 s, each read 30 s, an attempt 300 s in all). ``max_response_bytes`` bounds what one answer
    may hold (default 256 MiB; past it `ResponseTooLarge`). ``retries`` is a `RetryPolicy` or a
    number of retries (0 disables them). ``prefetch`` is how many pages ``iter()`` asks for
    ahead (0: one at a time). ``generation`` ("classic" or "v2") names the server's API
    generation; by default it is found from the server's answers on first use (one request) and
    kept (`generation`). ``transport`` replaces httpx's (tests use `httpx.MockTransport`).

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
        self._detecting = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # for pages asked as several requests
        self._http = httpx.Client(
            base_url=self.settings.host, timeout=self._timeout, transport=transport
        )
        self._sleep = time.sleep
        self.datasets = Datasets(self)
        self.items = Items(self)

    @property
    def generation(self) -> Generation:
        """The server's API generation, "classic" or "v2" (asks the server once if unknown)."""
        self._use()
        assert self._generation is not None
        return self._generation

    def _use(self) -> Operations:
        """The operations of the server's generation, found first when not known yet."""
        if self._generation is None:
            with self._detecting:
                if self._generation is None:
                    return self._found(self._send(self._probe()))
        return self._api_of(self._generation)

    def _send(self, op: Operation[T]) -> T:
        if op.local is not None:
            return op.local()
        if op.parts:
            assert op.combine is not None
            first, *rest = op.parts
            # The rest go to the part pool while this thread sends the first.
            futures = [self._parts_pool().submit(self._send, part) for part in rest]
            try:
                results = [self._send(first)] + [future.result() for future in futures]
            finally:
                for future in futures:
                    future.cancel()
            return op.combine(results)
        request = self._request(self._http, op)
        attempt = 0
        maybe_applied = False  # an earlier attempt may have reached the server
        while True:
            failure: BaseException
            try:
                response = self._receive(request, op)
            except httpx.RequestError as exc:
                failure = exc
            except ApiError as exc:  # too large
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

    def _receive(self, request: httpx.Request, op: Operation[Any]) -> httpx.Response:
        """One attempt: send, then read the answer within the size bound and the deadline."""
        deadline = self._deadline()
        response = self._http.send(request, stream=True, follow_redirects=op.follow_redirects)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size = self._take(chunks, size, chunk, op, deadline)
        finally:
            response.close()
        done = completed(response, b"".join(chunks))
        release(response)  # the streamed answer: unlinked at once, as every answer is
        return done

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

    def _parts_pool(self) -> ThreadPoolExecutor:
        with self._detecting:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PART_THREADS, "explorer-parts")
            return self._pool

    def close(self) -> None:
        """Close the connections."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
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
    """``client.datasets``: list, iterate, get, create, update, archive and restore datasets;
    on v2 also their revisions and JSONL exports. Classic datasets are `Dataset`, v2 ones
    `VersionedDataset`."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._send = client._send
        self._use = client._use

    def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
        archived: bool = False,
    ) -> Page[AnyDataset]:
        """One page of datasets, newest first unless ``order_by`` says otherwise.

        ``search`` matches name, description and metadata text; ``order_by`` takes
        ``created_at``, ``updated_at`` (``-`` for descending; classic: several); ``ids`` keeps
        only those ids; ``archived=True`` lists only archived datasets (v2).
        """
        sniff = (
            None
            if archived
            else self._client._sniffing_datasets(search, order_by, ids, limit, offset)
        )
        op = sniff or self._use().list_datasets(search, order_by, ids, limit, offset, archived)
        return self._send(op)

    def iter(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        page_size: int = 100,
        archived: bool = False,
    ) -> Generator[AnyDataset, None, None]:
        """Every dataset matching ``search``, fetched a page at a time (a few ahead)."""
        plan = PagePlan(page_size, self._client.prefetch)
        api = self._use()

        def page(limit: int, offset: int) -> Operation[Page[AnyDataset]]:
            return api.list_datasets(search, order_by, None, limit, offset, archived)

        return self._client._iterate(page, plan)

    def get(self, id: Id) -> AnyDataset:
        """The dataset; `NotFound` if it does not exist (classic: or is deleted)."""
        return self._send(self._use().get_dataset(id))

    def create(self, name: str, description: str | None = None, metadata: Any = None) -> AnyDataset:
        """A new dataset. `ValidationFailed` if the name is blank or longer than 400; v2:
        `Conflict` (``dataset_name_conflict``, ``limit_reached``)."""
        return self._send(self._use().create_dataset(name, description, metadata))

    def update(self, id: Id, **fields: Any) -> AnyDataset:
        """Change only the fields given (classic: ``None`` sends null; works on deleted
        datasets too; v2: `Conflict` ``dataset_archived`` on an archived one)."""
        return self._send(self._use().update_dataset(id, fields))

    def archive(self, id: Id) -> AnyDataset:
        """v2: archive (its items stay readable); classic: the soft delete."""
        return self._send(self._use().archive_dataset(id))

    def restore(self, id: Id) -> AnyDataset:
        """Undo `archive` (classic: the soft delete)."""
        return self._send(self._use().restore_dataset(id))

    def delete(self, id: Id) -> AnyDataset:
        """Classic's name for `archive`."""
        return self.archive(id)

    def revisions(self, id: Id, limit: int = 100, offset: int = 0) -> Page[DatasetRevision]:
        """The dataset's revisions, newest first (v2; `Unsupported` on classic)."""
        return self._send(self._use().list_revisions(id, limit, offset))

    def export(
        self,
        id: Id,
        revision: int | None = None,
        *,
        wait: float = 600.0,
        on_status: Callable[[DatasetExport], None] | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """The dataset's JSONL export as rows (v2): created pinned to ``revision`` (default the
        newest), waited for up to ``wait`` seconds, downloaded. ``on_status`` is called with
        the export as created and after each status read (the last one ``complete`` just
        before the download). `Conflict` when there is nothing to export, `ApiError` when the
        export failed or took too long."""
        api = self._use()
        export = self._send(api.create_export(id, revision))
        if on_status is not None:
            on_status(export)
        waiting = ExportWait(export, wait)
        while not waiting.done:
            self._client._sleep(waiting.next_delay())
            export = self._send(api.export_status(id, export.id))
            if on_status is not None:
                on_status(export)
            waiting.update(export)
        return self._send(api.export_content(id, export.id))


class Items:
    """``client.items``: list, iterate, get, create, update, archive and restore items; on v2
    also their versions and reads at a revision. Classic items are `DatasetItem`, v2 ones
    `VersionedItem`."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._send = client._send
        self._use = client._use

    def list(
        self,
        dataset: Id | AnyDataset | None = None,
        limit: int = 100,
        offset: int = 0,
        *,
        revision: int | None = None,
        archived: bool = False,
    ) -> Page[AnyItem]:
        """One page of items, newest first: of ``dataset`` (required on v2), or of the whole
        project (classic). v2: ``revision`` reads the dataset as it stood then, ``archived``
        lists archived items; a ``limit`` above the server's 25 is asked as concurrent requests.
        """
        op = self._use().list_items(dataset, limit, offset, revision, archived)
        return self._send(op)

    def iter(
        self,
        dataset: Id | AnyDataset | None = None,
        page_size: int = 100,
        *,
        revision: int | None = None,
        archived: bool = False,
    ) -> Generator[AnyItem, None, None]:
        """Every item (of ``dataset``), fetched a page at a time (a few ahead)."""
        plan = PagePlan(page_size, self._client.prefetch)
        api = self._use()

        def page(limit: int, offset: int) -> Operation[Page[AnyItem]]:
            return api.list_items(dataset, limit, offset, revision, archived)

        return self._client._iterate(page, plan)

    def get(self, id: Id, revision: int | None = None) -> AnyItem:
        """The item (v2: its current version, or the one at ``revision``); `NotFound` if it
        does not exist (classic: or is deleted)."""
        return self._send(self._use().get_item(id, revision))

    def create(self, dataset: Id | AnyDataset, **fields: Any) -> AnyItem:
        """A new item in ``dataset``. Never made twice on retry (v2: by its
        ``client_item_id``, the caller's or a new one). Fields of the other generation raise
        `Unsupported`."""
        return self._send(self._use().create_item(dataset, fields))

    def update(
        self,
        id: Id,
        base_version: int | None = None,
        **fields: Any,
    ) -> AnyItem:
        """Change only the fields given. v2: a new version based on ``base_version`` (required;
        `Conflict` ``stale_version`` when someone saved a newer one). Classic: ``None`` sends
        null, ``dataset=`` moves the item, ``base_version`` is not used."""
        return self._send(self._use().update_item(id, fields, base_version))

    def archive(self, id: Id, base_version: int | None = None) -> AnyItem:
        """v2: archive the item (a new version; ``base_version`` required). Classic: the soft
        delete. Keep the id: classic lists never show deleted items."""
        return self._send(self._use().archive_item(id, base_version))

    def restore(
        self, id: Id, base_version: int | None = None, source_version: int | None = None
    ) -> AnyItem:
        """Undo `archive`. v2: a new active version (``base_version`` required) with the
        content of ``source_version`` (default: the archived one)."""
        return self._send(self._use().restore_item(id, base_version, source_version))

    def delete(self, id: Id) -> AnyItem:
        """Classic's name for `archive`."""
        return self.archive(id)

    def versions(self, id: Id, limit: int = 100, offset: int = 0) -> Page[VersionedItem]:
        """Every version of the item, newest first (v2; `Unsupported` on classic)."""
        return self._send(self._use().list_versions(id, limit, offset))
