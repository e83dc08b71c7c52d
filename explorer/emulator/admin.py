"""Admin routes under ``/_emulator/`` (no key needed; the server listens on loopback).

GET    /_emulator/health          {"status": "ok"}
GET    /_emulator/faults          settings, requests seen, faults per kind, recent log
PUT    /_emulator/faults          replace the settings (JSON FaultConfig fields); seed restarts
DELETE /_emulator/faults          faults off (counts kept)
POST   /_emulator/faults/reset    zero the counts and the log
GET    /_emulator/rate-limit      {"enabled": bool, "rates": [[requests, seconds], ...]}
PUT    /_emulator/rate-limit      replace it (history cleared)
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from explorer.emulator.faults import FaultConfig, FaultInjector
from explorer.emulator.ratelimit import Rate, RateLimitConfig, RateLimiter


def rate_limit_json(config: RateLimitConfig) -> dict[str, Any]:
    return {"enabled": config.enabled, "rates": [[r.requests, r.seconds] for r in config.rates]}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number here (no NaN or infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 is infinity as a float
        raise ValueError("a number is out of range (no NaN or infinity)")
    return value


def parse_admin_body(raw: bytes) -> dict[str, Any]:
    """A settings body: a JSON object (an empty body is ``{}``); ValueError for anything else.

    NaN, Infinity and numbers too big for a float are refused: no setting can be non-finite.
    """
    try:
        doc = json.loads(raw or b"{}", parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("the JSON is nested too deep") from None
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")
    return doc


def _rate(pair: Any) -> Rate:
    numbers = isinstance(pair, list) and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in pair
    )
    if not numbers or len(pair) != 2:
        raise ValueError("each rate must be a [requests, seconds] pair of numbers")
    requests, seconds = pair
    if requests != int(requests):
        raise ValueError(f"a rate's requests must be a whole number, not {requests!r}")
    return Rate(int(requests), float(seconds))


def rate_limit_from_json(doc: dict[str, Any], current: RateLimitConfig) -> RateLimitConfig:
    enabled = doc.get("enabled", current.enabled)
    if not isinstance(enabled, bool):
        raise ValueError("enabled must be a boolean")
    rates = current.rates
    if "rates" in doc:
        if not isinstance(doc["rates"], list):
            raise ValueError("rates must be a list of [requests, seconds] pairs")
        rates = tuple(_rate(pair) for pair in doc["rates"])  # Rate refuses what is out of range
    return RateLimitConfig(enabled, rates)


# What a bad settings body can raise: nothing is changed and the answer is 400.
_INVALID = (ValueError, TypeError, OverflowError)


def admin_routes(injector: FaultInjector, limiter: RateLimiter) -> list[Route]:
    async def _doc(request: Request) -> dict[str, Any]:
        return parse_admin_body(await request.body())

    def _bad(exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, 400)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                injector.configure(FaultConfig.from_json(await _doc(request)))
            except _INVALID as exc:
                return _bad(exc)
        elif request.method == "DELETE":
            injector.configure(FaultConfig(seed=injector.config.seed))
        return JSONResponse(injector.stats())

    async def reset(request: Request) -> Response:
        injector.reset_counts()
        return JSONResponse(injector.stats())

    async def rate_limit(request: Request) -> Response:
        if request.method == "PUT":
            try:
                limiter.configure(rate_limit_from_json(await _doc(request), limiter.config))
            except _INVALID as exc:
                return _bad(exc)
        return JSONResponse(rate_limit_json(limiter.config))

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/faults/reset", reset, methods=["POST"]),
        Route("/_emulator/rate-limit", rate_limit, methods=["GET", "PUT"]),
    ]
