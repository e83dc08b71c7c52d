"""Whether the server answers: an httpx transport that remembers how the last request went."""

from __future__ import annotations

import httpx

__all__ = ["ReachabilityTransport"]


class ReachabilityTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; ``unreachable`` is True from a request that got no answer
    (refused, DNS, TLS, timeout) until one gets any answer at all (even an error status)."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.unreachable = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError:
            self.unreachable = True
            raise
        self.unreachable = False
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
