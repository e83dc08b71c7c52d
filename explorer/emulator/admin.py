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
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from explorer.emulator.faults import FaultConfig, FaultInjector
from explorer.emulator.ratelimit import Rate, RateLimitConfig, RateLimiter


def rate_limit_json(config: RateLimitConfig) -> dict[str, Any]:
    return {"enabled": config.enabled, "rates": [[r.requests, r.seconds] for r in config.rates]}


def rate_limit_from_json(doc: dict[str, Any], current: RateLimitConfig) -> RateLimitConfig:
    enabled = doc.get("enabled", current.enabled)
    if not isinstance(enabled, bool):
        raise ValueError("enabled must be a boolean")
    rates = current.rates
    if "rates" in doc:
        rates = tuple(Rate(int(n), float(s)) for n, s in doc["rates"])
        if any(r.requests < 1 or r.seconds <= 0 for r in rates):
            raise ValueError("each rate needs requests >= 1 and seconds > 0")
    return RateLimitConfig(enabled, rates)


def admin_routes(injector: FaultInjector, limiter: RateLimiter) -> list[Route]:
    async def _doc(request: Request) -> dict[str, Any]:
        doc = json.loads(await request.body() or b"{}")
        if not isinstance(doc, dict):
            raise ValueError("expected a JSON object")
        return doc

    def _bad(exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, 400)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                injector.configure(FaultConfig.from_json(await _doc(request)))
            except (ValueError, TypeError) as exc:
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
            except (ValueError, TypeError) as exc:
                return _bad(exc)
        return JSONResponse(rate_limit_json(limiter.config))

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/faults/reset", reset, methods=["POST"]),
        Route("/_emulator/rate-limit", rate_limit, methods=["GET", "PUT"]),
    ]
