"""UUIDv7 ids and the server clock (both strictly increasing, so newest-first is stable)."""

from __future__ import annotations

import os
import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

_RAND_BITS = 74
_RAND_MASK = (1 << _RAND_BITS) - 1


def uuid7(unix_ms: int, rand74: int) -> str:
    """A lower-case hyphenated UUIDv7 from a millisecond timestamp and 74 random bits."""
    rand_a = (rand74 >> 62) & 0xFFF
    rand_b = rand74 & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def seeded_uuid7(when: datetime, rng: random.Random) -> str:
    return uuid7(to_unix_ms(when), rng.getrandbits(_RAND_BITS))


def to_unix_ms(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def format_ts(when: datetime) -> str:
    """``2025-09-05T12:34:56.123456Z``: UTC, always with microseconds."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class ServerClock:
    """Server time for created_at/updated_at and ids; never repeats, never goes back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_time = datetime(1970, 1, 1, tzinfo=UTC)
        self._last_ms = 0
        self._last_rand = 0

    def now(self) -> datetime:
        with self._lock:
            now = datetime.now(UTC)
            if now <= self._last_time:
                now = self._last_time + timedelta(microseconds=1)
            self._last_time = now
            return now

    def new_id(self, when: datetime) -> str:
        with self._lock:
            ms = to_unix_ms(when)
            rand = int.from_bytes(os.urandom(10), "big") & _RAND_MASK
            if ms <= self._last_ms:
                ms = self._last_ms
                rand = (self._last_rand + 1 + (rand & 0xFFFF)) & _RAND_MASK
                if rand <= self._last_rand:  # wrapped: move on one millisecond
                    ms += 1
            self._last_ms, self._last_rand = ms, rand
            return uuid7(ms, rand)
