"""When to send a request again, and how long to wait first. Pure decisions, shared by both clients.

The rules:

- A request that provably never reached the server (the connection was never made: connect
  error, connect timeout, no free connection in the pool) may be sent again, whatever its method.
- Reads and PATCH (idempotent: sending the same fields twice leaves the same row) are also sent
  again after any network failure, after 502/503/504, and after 429.
- POST is never sent again once it may have reached the server (a read error, a dropped
  connection, a 5xx or 429 answer), so an item is never created twice.
- A 429 waits the seconds PostHog names ("Expected available in N seconds"), if that is no more
  than ``rate_limit_max_wait``; otherwise the error goes straight to the caller, who can say so.
  When no wait is named, exponential backoff applies.
- Backoff is exponential with jitter: attempt ``n`` waits between half and all of
  ``min(backoff_max, backoff * 2**n)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from explorer.api.errors import RateLimited, ServerError

__all__ = ["RetryPolicy", "retry_delay"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})

# Failures that happen before a single byte of the request was written.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures of the network after which a repeat is harmless for an idempotent request.
_NETWORK = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times, and how patiently, a failed request is sent again.

    ``retries`` is the number of extra attempts (0 disables retrying). ``backoff`` is the first
    wait in seconds, doubling up to ``backoff_max``. A 429 naming a wait longer than
    ``rate_limit_max_wait`` seconds is raised at once as `RateLimited`.
    """

    retries: int = 3
    backoff: float = 0.5
    backoff_max: float = 8.0
    rate_limit_max_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.retries < 0 or self.backoff < 0 or self.backoff_max < 0:
            raise ValueError("retry settings must not be negative")

    @classmethod
    def coerce(cls, value: RetryPolicy | int | None) -> RetryPolicy:
        """A policy from a policy, a number of retries, or None (the default policy)."""
        if value is None:
            return cls()
        if isinstance(value, RetryPolicy):
            return value
        return cls(retries=value)

    def backoff_delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based), jittered."""
        ceiling: float = min(self.backoff_max, self.backoff * 2.0**attempt)
        return ceiling / 2 + rand() * ceiling / 2


def never_sent(error: BaseException) -> bool:
    """True when the request provably never reached the server."""
    return isinstance(error, _NEVER_SENT)


def may_have_applied(failure: BaseException) -> bool:
    """Whether a failed attempt may still have been applied by the server: it was sent, and no
    4xx answer says it was refused (a dropped connection or a 5xx leaves it unknown)."""
    if never_sent(failure):
        return False
    status = getattr(failure, "status", None)
    return not (isinstance(status, int) and 400 <= status < 500)


def retry_delay(
    policy: RetryPolicy,
    method: str,
    attempt: int,
    failure: BaseException,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before sending again, or None to give up and raise ``failure``.

    ``attempt`` counts the retries already made (0 after the first failure). ``failure`` is
    the httpx transport error, or the `ApiError` the response was parsed into.
    """
    if attempt >= policy.retries:
        return None
    if never_sent(failure):
        return policy.backoff_delay(attempt, rand)
    if method.upper() not in IDEMPOTENT_METHODS:
        return None
    if isinstance(failure, _NETWORK):
        return policy.backoff_delay(attempt, rand)
    if isinstance(failure, RateLimited):
        if failure.retry_after is None:
            return policy.backoff_delay(attempt, rand)
        if failure.retry_after > policy.rate_limit_max_wait:
            return None
        # A little past the named second, so the window has surely opened.
        return failure.retry_after + rand() * 0.25
    if isinstance(failure, ServerError) and failure.status in RETRY_STATUSES:
        return policy.backoff_delay(attempt, rand)
    return None
