"""A bound on request bodies: an ASGI wrapper that answers 413 past ``max_bytes``.

A declared ``Content-Length`` above the bound is answered at once, without reading the body.
A body of unknown length (chunked) is read up to the bound before the app is called, then
replayed to it, so the app never starts on a body that later turns out too large. The 413 is
PostHog's error envelope. The server (uvicorn) reads and discards what the client still sends
after it, so the client gets the answer on a connection that stays usable.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from explorer.emulator import errors

logger = logging.getLogger(__name__)

# The classic contract sets no payload limit, and the demo has 20 MB items: a generous bound.
CLASSIC_MAX_BODY_BYTES = 64 * 1024 * 1024
# v2: an item's payload is at most 406,666 bytes and metadata 1,000,000 bytes as compact UTF-8
# JSON; escaped JSON can be about 6 times larger, and 8 MiB leaves a margin over that.
V2_MAX_BODY_BYTES = 8 * 1024 * 1024

_DISCONNECT: Message = {"type": "http.disconnect"}


def too_large_body(max_bytes: int) -> bytes:
    detail = f"The request body is larger than {max_bytes} bytes. Send less data per request."
    return errors.envelope("invalid_request", "request_too_large", detail, None)


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when the body's length is not known beforehand.

    With a Transfer-Encoding the body is chunked whatever Content-Length says (RFC 9112, 6.3);
    a malformed or contradictory Content-Length counts as unknown.
    """
    values: set[bytes] = set()
    for raw_name, value in scope.get("headers", ()):
        name = raw_name.lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            values.update(v.strip() for v in value.split(b","))
    if len(values) != 1:
        return None
    (text,) = values
    if not text.isdigit():  # bytes.isdigit: ASCII digits only
        return None
    stripped = text.lstrip(b"0") or b"0"
    # No int() of thousands of digits (past its 4,300-digit limit): longer than 18 digits is
    # more than any bound here.
    return int(stripped) if len(stripped) <= 18 else 10**18


class BodyLimit:
    """Answers 413 to an http request whose body passes ``max_bytes``; other scopes pass."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > self.max_bytes:
            await self._too_large(send)
        elif length is not None:
            # The server holds the client to its Content-Length: stream the body through.
            await self.app(scope, self._counting(receive), send)
        else:
            messages = await self._buffer(receive)
            if messages is None:
                await self._too_large(send)
            elif messages:  # else the client left before the end of its body: nobody to answer
                # ``send`` is passed on untouched: the fault injector reaches the transport by it.
                await self.app(scope, _replay(messages, receive), send)

    async def _too_large(self, send: Send) -> None:
        body = too_large_body(self.max_bytes)
        headers = [
            (b"content-type", errors.JSON_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _buffer(self, receive: Receive) -> list[Message] | None:
        """The body's messages up to its end; None past the bound, [] if the client left."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return []
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            messages.append(message)
            if not message.get("more_body", False):
                return messages

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if seen > self.max_bytes:
                return _DISCONNECT
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Only a server that lets a body outgrow its Content-Length gets here; the
                    # app is already running, so end its body as a client that went away.
                    logger.warning("a request body outgrew its Content-Length and the bound")
                    return _DISCONNECT
            return message

        return counted


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """Hands out the buffered messages, then whatever the server has next (a disconnect)."""
    pending = list(reversed(messages))

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed
