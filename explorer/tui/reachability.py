"""Whether the server answers: an httpx transport that remembers how the last request went."""

from __future__ import annotations

import httpx

__all__ = ["ReachabilityTransport"]


class ReachabilityTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; ``unreachable`` is True from a request that got no answer
    (refused, DNS, TLS, timeout) until one gets any answer at all (even an error status).

    Without an ``inner`` transport, httpx's own is made on the first request of each scheme:
    building a verifying TLS context loads the CA bundle (tens of milliseconds, at launch), and
    a plain ``http://`` host (the demo, a local server) never negotiates TLS at all, so its
    transport has no certificates loaded. ``https://`` requests always verify.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner
        self._plain: httpx.AsyncBaseTransport | None = None
        self._tls: httpx.AsyncBaseTransport | None = None
        self.unreachable = False

    def _transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        if self._inner is not None:
            return self._inner
        if url.scheme == "http":
            if self._plain is None:
                # only ever sent http:// URLs (see handle_async_request), so no TLS is involved
                self._plain = httpx.AsyncHTTPTransport(verify=False)
            return self._plain
        if self._tls is None:
            self._tls = httpx.AsyncHTTPTransport()
        return self._tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._transport_for(request.url).handle_async_request(request)
        except httpx.TransportError:
            self.unreachable = True
            raise
        self.unreachable = False
        return response

    async def aclose(self) -> None:
        for transport in (self._inner, self._plain, self._tls):
            if transport is not None:
                await transport.aclose()
