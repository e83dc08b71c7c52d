"""Fault injection in front of the ``/api/`` routes, deterministic under a seed.

Each API request draws the same two numbers from a ``random.Random(seed)``, whatever is decided,
so the n-th request always meets the same fault for a given seed and configuration. Faults:
added latency; 500 (PostHog's server_error envelope), 502 and 503 (proxy-style HTML); 429 with
PostHog's throttled body; the connection dropped before the request reaches the API, or after the
API applied it (the client sees the TCP connection close without a complete response).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import random
import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from explorer.emulator import errors

logger = logging.getLogger(__name__)

KINDS = ("latency", "error_500", "error_502", "error_503", "throttle", "drop_before", "drop_after")
_PROXY_BODIES = {
    502: b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
    503: b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n",
}
_LOG_SIZE = 10_000


def _finite(value: float) -> bool:
    """False for NaN and infinities, which slip through comparisons (NaN's are all false)."""
    try:
        return math.isfinite(value)
    except (OverflowError, TypeError):  # an int too big for a float; not a number at all
        return True  # (the other checks judge what is not a number)


@dataclass(frozen=True)
class FaultConfig:
    """Rates are fractions of API requests (0..1, summing to at most 1)."""

    seed: int = 0
    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    throttle_rate: float = 0.0
    throttle_wait_s: int = 1
    drop_before_rate: float = 0.0
    drop_after_rate: float = 0.0

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.throttle_rate, self.drop_before_rate, self.drop_after_rate)
        if not all(_finite(n) for n in (self.seed, self.latency_ms, self.throttle_wait_s, *rates)):
            raise ValueError("fault settings must be finite numbers (no NaN or infinity)")
        if any(not 0 <= r <= 1 for r in rates) or sum(rates) > 1 + 1e-9:
            raise ValueError("fault rates must be within 0..1 and sum to at most 1")
        if self.latency_ms < 0 or self.throttle_wait_s < 0:
            raise ValueError("latency_ms and throttle_wait_s must not be negative")
        if not self.error_statuses or any(s not in (500, 502, 503) for s in self.error_statuses):
            raise ValueError("error_statuses must be some of 500, 502, 503")

    @property
    def active(self) -> bool:
        rates = (self.error_rate, self.throttle_rate, self.drop_before_rate, self.drop_after_rate)
        return self.latency_ms > 0 or any(rates)

    def to_json(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["error_statuses"] = list(self.error_statuses)
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FaultConfig:
        """Build from a JSON object; unknown keys or wrong types raise ValueError."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(doc) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        kwargs = dict(doc)
        if "error_statuses" in kwargs:
            kwargs["error_statuses"] = tuple(int(s) for s in kwargs["error_statuses"])
        for name in ("seed", "throttle_wait_s"):
            if name in kwargs:
                kwargs[name] = int(kwargs[name])
        for name in ("latency_ms", "error_rate", "throttle_rate", "drop_before_rate"):
            if name in kwargs:
                kwargs[name] = float(kwargs[name])
        if "drop_after_rate" in kwargs:
            kwargs["drop_after_rate"] = float(kwargs["drop_after_rate"])
        return cls(**kwargs)


class FaultInjector:
    """ASGI wrapper: must be the outermost app, so ``send`` is the server's own (see _drop)."""

    def __init__(self, app: ASGIApp, config: FaultConfig | None = None) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._config = config or FaultConfig()
        self._rng = random.Random(self._config.seed)
        self._requests = 0
        self._counts: Counter[str] = Counter()
        self._log: deque[dict[str, Any]] = deque(maxlen=_LOG_SIZE)

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the settings; the random sequence restarts from the new seed."""
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)

    def reset_counts(self) -> None:
        with self._lock:
            self._requests = 0
            self._counts.clear()
            self._log.clear()

    def stats(self) -> dict[str, Any]:
        """Settings, API requests seen, faults injected per kind, and the recent fault log."""
        with self._lock:
            return {
                "config": self._config.to_json(),
                "requests": self._requests,
                "counts": {kind: self._counts[kind] for kind in KINDS},
                "log": list(self._log),
            }

    def _decide(self, method: str, path: str) -> tuple[FaultConfig, str | None]:
        with self._lock:
            config = self._config
            self._requests += 1
            seq = self._requests
            if not config.active:
                return config, None
            u, v = self._rng.random(), self._rng.random()
            kind: str | None = None
            edge = config.error_rate
            if u < edge:
                statuses = config.error_statuses
                kind = f"error_{statuses[min(int(v * len(statuses)), len(statuses) - 1)]}"
            elif u < (edge := edge + config.throttle_rate):
                kind = "throttle"
            elif u < (edge := edge + config.drop_before_rate):
                kind = "drop_before"
            elif u < edge + config.drop_after_rate:
                kind = "drop_after"
            if config.latency_ms > 0:
                self._counts["latency"] += 1
            if kind is not None:
                self._counts[kind] += 1
                self._log.append({"seq": seq, "method": method, "path": path, "fault": kind})
            return config, kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        config, kind = self._decide(scope["method"], scope["path"])
        if config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000)
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "error_500":
            await _respond(send, 500, errors.server_error().body(), errors.JSON_MEDIA_TYPE)
        elif kind in ("error_502", "error_503"):
            status = int(kind[-3:])
            await _respond(send, status, _PROXY_BODIES[status], "text/html")
        elif kind == "throttle":
            body = errors.throttled(config.throttle_wait_s).body()
            await _respond(send, 429, body, errors.JSON_MEDIA_TYPE)
        elif kind == "drop_before":
            await _drop(send, receive)
        else:  # drop_after: let the API apply the request, then never answer it

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _drop(send, receive)


async def _respond(send: Send, status: int, body: bytes, media_type: str) -> None:
    headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send, receive: Receive) -> None:
    """Close the TCP connection with no response.

    uvicorn hands the outermost app a bound method of its request cycle, which holds the
    transport: abort() closes the socket at once and drops anything written afterwards.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        # Wait until uvicorn has seen the disconnect, so it does not answer a 500 in our place.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while (await receive())["type"] != "http.disconnect":
                    pass
        return
    # Another server: promise a body and stop short, so the client still gets no full response.
    logger.warning("cannot reach the transport; dropping by an incomplete response")
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
