"""Per-key throttling like PostHog Cloud (DRF's SimpleRateThrottle): 480/minute, 4,800/hour."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    """``requests`` (at least 1) per ``seconds`` (above 0); both finite."""

    requests: int
    seconds: float

    def __post_init__(self) -> None:
        # Written so that NaN fails them (its comparisons are all false), as infinity does:
        # an infinite window never lets a request leave the history.
        if not 1 <= self.requests < math.inf or not 0 < self.seconds < math.inf:
            raise ValueError(
                "each rate needs requests >= 1 and seconds > 0, both finite "
                f"(not {self.requests!r} per {self.seconds!r})"
            )


BURST = Rate(480, 60)
SUSTAINED = Rate(4800, 3600)


@dataclass(frozen=True)
class RateLimitConfig:
    """``enabled`` False (the default, as when self-hosted) lets every request through."""

    enabled: bool = False
    rates: Sequence[Rate] = field(default=(BURST, SUSTAINED))

    @classmethod
    def posthog_cloud(cls) -> RateLimitConfig:
        return cls(True, (BURST, SUSTAINED))


class RateLimiter:
    """Keeps each key's request history per rate; ``check`` answers the wait or None."""

    def __init__(
        self, config: RateLimitConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._history: dict[tuple[str, int], deque[float]] = {}
        self.config = config or RateLimitConfig()

    def configure(self, config: RateLimitConfig) -> None:
        with self._lock:
            self.config = config
            self._history.clear()

    def check(self, key: str) -> tuple[bool, int | None]:
        """(allowed, whole seconds to wait; None when unknown).

        As in DRF, each rate records the request when it allows it, even if another rate refuses.
        """
        with self._lock:
            if not self.config.enabled:
                return True, None
            now = self._clock()
            waits: list[float | None] = []
            for index, rate in enumerate(self.config.rates):
                history = self._history.setdefault((key, index), deque())
                while history and history[-1] <= now - rate.seconds:
                    history.pop()
                if len(history) >= rate.requests:
                    waits.append(self._wait(rate, history, now))
                else:
                    history.appendleft(now)
            if not waits:
                return True, None
            known = [w for w in waits if w is not None]
            return False, (math.ceil(max(known)) if known else None)

    @staticmethod
    def _wait(rate: Rate, history: deque[float], now: float) -> float | None:
        remaining = rate.seconds - (now - history[-1]) if history else rate.seconds
        available = rate.requests - len(history) + 1
        if available <= 0:
            return None
        return remaining / available
