"""The embedded PostHog-compatible datasets server.

An independent implementation of ``docs/posthog-datasets-api.md`` (classic API): it must never
import ``explorer.api`` or ``explorer.model``. Public names: ``EmulatorServer`` (run it from a
thread), ``FaultConfig``, ``RateLimitConfig``, ``Rate``, ``ApiKey``, ``DEMO_API_KEY``.
"""

from __future__ import annotations

from explorer.emulator.auth import DEMO_API_KEY, ApiKey, parse_api_key
from explorer.emulator.faults import FaultConfig
from explorer.emulator.ratelimit import Rate, RateLimitConfig
from explorer.emulator.server import EmulatorServer

__all__ = [
    "DEMO_API_KEY",
    "ApiKey",
    "EmulatorServer",
    "FaultConfig",
    "Rate",
    "RateLimitConfig",
    "parse_api_key",
]
