"""What `Client` and `AsyncClient` share: settings, the API generation, headers, retries.

Every operation is built and parsed by the server's API generation (`ClassicApi` or `V2Api`);
the clients in `_sync` and `_async` only send it. The generation is named (argument or profile)
or found on first use by one probe (``_detect``), then kept for the client's life. ``_send``
there applies the read-only rule (``_request``) and the retry policy (``_delay``) decided here,
around one ``httpx`` call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from explorer._version import __version__
from explorer.api._classic import ClassicApi
from explorer.api._detect import GENERATIONS, detect_generation
from explorer.api._paging import DEFAULT_PREFETCH
from explorer.api._retry import RetryPolicy, retry_delay
from explorer.api._v2 import ORDER_CHOICES, PAGE_CAPS, V2Api
from explorer.api._wire import Id, Operation, Operations, _json_object
from explorer.api.errors import (
    ApiError,
    MalformedResponse,
    ReadOnlyError,
    ResponseTooLarge,
    Unreachable,
)
from explorer.api.settings import ApiPrefix, Generation, Settings

if TYPE_CHECKING:
    from explorer.api.models import Page

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "PageOp",
    "TimeoutTypes",
    "completed",
    "discard",
    "release",
]

T = TypeVar("T")
log = logging.getLogger("explorer.api")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Connect within 5 s; every other wait (read, write, pool) up to 30 s; each attempt at most
`DEFAULT_TOTAL_TIMEOUT` in all."""
DEFAULT_TOTAL_TIMEOUT = 300.0
"""Seconds one attempt may take in all with the default timeout (a 250 MB export at 1 MB/s)."""
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""The most of one answer the client reads (decoded): PostHog's largest, a v2 export, is at most
250 MB; a classic page of huge items can be made smaller with ``limit``."""

TimeoutTypes = float | httpx.Timeout | None
PageOp = Callable[[int, int], Operation["Page[T]"]]
"""Builds the list operation for (limit, offset)."""


class BaseClient:
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
        generation: Generation | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if prefetch < 0:
            raise ValueError("prefetch must not be negative")
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be positive")
        self.max_response_bytes = max_response_bytes
        # A number bounds each attempt's whole time (httpx's read timeout restarts with every
        # byte); an httpx.Timeout of the caller's is taken as it is.
        self.total_timeout: float | None = None
        if timeout is DEFAULT_TIMEOUT:
            self.total_timeout = DEFAULT_TOTAL_TIMEOUT
        elif isinstance(timeout, int | float):
            self.total_timeout = float(timeout)
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
                "generation": generation,
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
                generation=generation,
            )
        self.settings = settings
        self.retry_policy = RetryPolicy.coerce(retries)
        self.prefetch = prefetch
        self._timeout = httpx.Timeout(timeout) if timeout is not None else httpx.Timeout(None)
        self._classic = ClassicApi(settings.host, settings.project_id, settings.api_prefix)
        self._generation: Generation | None = settings.generation
        self._headers = {
            "Authorization": f"Bearer {settings.api_key}",
            "Accept": "application/json",
            "User-Agent": f"posthog-dataset-explorer/{__version__}",
        }

    @property
    def known_generation(self) -> Generation | None:
        """The server's API generation once named or found ("classic" or "v2"), else None."""
        return self._generation

    def _api_of(self, generation: str) -> Operations:
        s = self.settings
        if generation == "v2":
            return V2Api(s.host, s.project_id, s.api_prefix)
        return self._classic

    def _probe(self) -> Operation[str]:
        return detect_generation(self._classic)

    def _sniffing_datasets(
        self,
        search: str | None,
        order_by: str | Iterable[str] | None,
        ids: Iterable[Id] | None,
        limit: int,
        offset: int,
    ) -> Operation[Page[Any]] | None:
        """While the generation is unknown, the first dataset list is sent as a request both
        generations read alike, and the answer's shape says which it is: the probe's round trip
        is saved where it costs most (at launch). None when the request would differ, and
        while nothing was listed yet (an empty page tells nothing: the next call probes)."""
        if self._generation is not None or limit > PAGE_CAPS["datasets"]:
            return None
        if order_by is not None and not (isinstance(order_by, str) and order_by in ORDER_CHOICES):
            return None
        ids = list(ids) if ids is not None else None
        classic = self._classic.list_datasets(search, order_by, ids, limit, offset)
        if classic.local is not None:
            return None
        v2 = self._api_of("v2").list_datasets(search, order_by, ids, limit, offset, False)

        def parse(response: httpx.Response) -> Page[Any]:
            first = _first_result(response) if response.is_success else None
            if first is not None and "archived" in first and "deleted" not in first:
                self._found("v2")
                return v2.parse(response)
            if first is not None and ("deleted" in first or "team" in first):
                self._found("classic")
            return classic.parse(response)

        return dataclasses.replace(classic, parse=parse)

    def _found(self, generation: str) -> Operations:
        if generation not in GENERATIONS:  # pragma: no cover - the probe answers only these
            raise ValueError(generation)
        if self._generation is None:
            self._generation = "v2" if generation == "v2" else "classic"
            log.info("%s speaks the %s datasets API", self.settings.host, self._generation)
        return self._api_of(self._generation)

    @property
    def read_only(self) -> bool:
        """Whether every write is refused before sending."""
        return self.settings.read_only

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"<{type(self).__name__} host={s.host!r} project_id={s.project_id!r}"
            f" api_prefix={s.api_prefix!r} generation={self._generation!r}"
            f" read_only={s.read_only}>"
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

    def _deadline(self) -> float | None:
        return None if self.total_timeout is None else time.monotonic() + self.total_timeout

    def _take(
        self,
        chunks: list[bytes],
        size: int,
        chunk: bytes,
        op: Operation[Any],
        deadline: float | None,
    ) -> int:
        """Keep one chunk of an answer; raises past the size bound or the attempt's deadline."""
        size += len(chunk)
        if size > self.max_response_bytes:
            raise ResponseTooLarge(
                f"{self.settings.host} answered {op.method} {op.path} with more than"
                f" {self.max_response_bytes:,} bytes, the most this client reads"
                " (max_response_bytes). Check that the host is PostHog's app host; for a"
                " legitimately large answer ask for smaller pages (limit=) or raise"
                " max_response_bytes.",
                method=op.method,
                path=op.path,
            )
        if deadline is not None and time.monotonic() > deadline:
            raise httpx.ReadTimeout(f"the answer took more than {self.total_timeout:g} s in all")
        chunks.append(chunk)
        return size

    def _delay(
        self, op: Operation[Any], attempt: int, failure: BaseException, maybe_applied: bool
    ) -> float:
        """Seconds to wait before the next attempt; raises the right error when there is none.
        ``maybe_applied``: an earlier attempt may have reached the server (see
        `ApiError.maybe_applied`)."""
        # A write the server recognises when repeated (a v2 create with its client_item_id) is
        # retried like an idempotent method.
        method = "PUT" if op.idempotent else op.method
        delay = retry_delay(self.retry_policy, method, attempt, failure)
        if delay is None:
            if isinstance(failure, ApiError):
                failure.maybe_applied = maybe_applied
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
_NOT_COPIED = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


def completed(response: httpx.Response, content: bytes) -> httpx.Response:
    """The answer with its (decoded) body read, as the operations parse it."""
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _NOT_COPIED]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )


def release(response: httpx.Response) -> None:
    # httpx links a sent response and its stream in a reference cycle, so every page (hundreds
    # of KB) would wait for the cyclic collector; unlinking frees it as soon as it is parsed.
    response.stream = _SPENT


def discard(task: asyncio.Task[Any]) -> None:
    """Cancel a task whose answer is no longer wanted, without an unretrieved exception."""
    task.cancel()
    task.add_done_callback(lambda t: None if t.cancelled() else t.exception())


def _first_result(response: httpx.Response) -> dict[str, Any] | None:
    results = _json_object(response.content).get("results")
    if isinstance(results, list) and results and isinstance(results[0], dict):
        return results[0]
    return None


def _describe(failure: BaseException) -> str:
    if isinstance(failure, ApiError):
        return f"{failure.status} {failure.code or ''}".strip()
    text = str(failure)
    return f"{type(failure).__name__}: {text}" if text else type(failure).__name__
