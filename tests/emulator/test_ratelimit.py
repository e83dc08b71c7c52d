"""Section 6: PostHog Cloud's throttling per key (off by default), with a fake clock too."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from explorer.emulator import Rate, RateLimitConfig
from explorer.emulator.ratelimit import RateLimiter
from tests._emulator import RunningEmulator
from tests.emulator.conftest import Api, envelope

DETAIL = re.compile(r"^Request was throttled\. Expected available in (\d+) seconds?\.$")


def test_defaults_are_posthog_clouds() -> None:
    assert RateLimitConfig().enabled is False
    cloud = RateLimitConfig.posthog_cloud()
    assert cloud.enabled and tuple(cloud.rates) == (Rate(480, 60), Rate(4800, 3600))


def test_off_by_default(api: Api) -> None:
    for _ in range(500):  # more than the burst of 480
        assert api.http.get("/api/projects/1/datasets/").status_code == 200


def test_rate_limit_true_means_cloud_limits(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    running = emulator_factory(rate_limit=True)
    assert running.server.limiter.config == RateLimitConfig.posthog_cloud()


def test_throttles_per_key_with_posthogs_body(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    running = emulator_factory(api_keys=["phx_a", "phx_b"])
    running.server.set_rate_limit(RateLimitConfig(True, (Rate(3, 60),)))
    a, b = Api(running, "phx_a"), Api(running, "phx_b")
    assert [a.http.get(a.url("datasets")).status_code for _ in range(3)] == [200] * 3
    throttled = a.http.post(a.url("datasets"), json={"name": "x"})
    assert throttled.status_code == 429
    body = throttled.json()
    assert body == envelope("throttled_error", "throttled", body["detail"])
    match = DETAIL.match(body["detail"])
    assert match and int(match.group(1)) in (59, 60)
    assert "retry-after" not in throttled.headers
    assert b.http.get(b.url("datasets")).status_code == 200  # another key has its own budget
    assert b.list_ids("datasets") == []  # the throttled POST created nothing


def test_one_second_is_singular(emulator_factory: Callable[..., RunningEmulator]) -> None:
    running = emulator_factory()
    running.server.set_rate_limit(RateLimitConfig(True, (Rate(1, 1.0),)))
    api = Api(running)
    assert api.http.get(api.url("datasets")).status_code == 200
    response = api.http.get(api.url("datasets"))
    assert response.status_code == 429
    assert response.json()["detail"] == "Request was throttled. Expected available in 1 second."


def test_failed_authentication_is_not_counted(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    running = emulator_factory()
    running.server.set_rate_limit(RateLimitConfig(True, (Rate(2, 60),)))
    for _ in range(5):
        assert httpx.get(running.url + "/api/projects/1/datasets/").status_code == 401
    api = Api(running)
    assert [api.http.get(api.url("datasets")).status_code for _ in range(3)] == [200, 200, 429]


def test_configurable_over_http(emulator_factory: Callable[..., RunningEmulator]) -> None:
    running = emulator_factory()
    put = httpx.put(
        running.url + "/_emulator/rate-limit", json={"enabled": True, "rates": [[1, 30]]}
    )
    assert put.json() == {"enabled": True, "rates": [[1, 30.0]]}
    api = Api(running)
    assert [api.http.get(api.url("datasets")).status_code for _ in range(2)] == [200, 429]
    httpx.put(running.url + "/_emulator/rate-limit", json={"enabled": False})
    assert api.http.get(api.url("datasets")).status_code == 200
    bad = httpx.put(running.url + "/_emulator/rate-limit", json={"rates": [[0, 1]]})
    assert bad.status_code == 400


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_burst_then_sustained_like_drf(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimitConfig(True, (Rate(2, 60), Rate(4, 3600))), clock=clock)
    assert limiter.check("k") == (True, None)
    clock.now = 10
    assert limiter.check("k") == (True, None)
    clock.now = 20
    # burst full: the oldest (t=0) leaves the minute window at t=60 -> 40 s. As in DRF, the
    # hourly throttle, which allowed it, still counts this refused request.
    assert limiter.check("k") == (False, 40)
    clock.now = 61
    assert limiter.check("k") == (True, None)  # fourth of the hour
    clock.now = 200
    # minute window has room again, the hour (t=0, 10, 20, 61) does not: 3600 - 200 s
    assert limiter.check("k") == (False, 3400)


def test_wait_is_shared_over_the_remaining_budget(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimitConfig(True, (Rate(480, 60),)), clock=clock)
    for i in range(480):
        clock.now = i * 0.1
        assert limiter.check("k")[0]
    clock.now = 50.0
    # DRF: remaining duration of the oldest / (num_requests - len(history) + 1)
    assert limiter.check("k") == (False, 10)
    assert limiter.check("other") == (True, None)
