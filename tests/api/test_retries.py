"""Each retry rule, through a real Client/AsyncClient over httpx.MockTransport.

Reads and PATCH are sent again after network failures, 502/503/504 and 429; POST only when it
provably never left (connect error, connect timeout), so an item is never created twice.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from explorer.api import (
    RateLimited,
    ReadOnlyError,
    RetryPolicy,
    ServerError,
    Unreachable,
)
from explorer.api._retry import retry_delay
from tests.api.conftest import dataset_json, item_json, page_json

DS = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"
OK_PAGE = httpx.Response(200, json=page_json([item_json()]))
OK_ITEM = httpx.Response(201, json=item_json(dataset=DS))


def throttled(seconds: int | None) -> httpx.Response:
    detail = "Request was throttled."
    if seconds is not None:
        detail += f" Expected available in {seconds} second{'s' if seconds != 1 else ''}."
    return httpx.Response(
        429, json={"type": "throttled_error", "code": "throttled", "detail": detail, "attr": None}
    )


def gateway(status: int) -> httpx.Response:
    return httpx.Response(status, text="<html>upstream</html>")


# ---- GET


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_retried_after_gateway_errors(mock_client: Any, status: int) -> None:
    client, rec = mock_client(gateway(status), gateway(status), OK_PAGE)
    page = client.items.list()
    assert len(page.results) == 1
    assert len(rec.requests) == 3 and len(rec.sleeps) == 2


def test_get_not_retried_after_500(mock_client: Any) -> None:
    client, rec = mock_client(gateway(500), OK_PAGE)
    with pytest.raises(ServerError) as info:
        client.items.list()
    assert info.value.status == 500 and len(rec.requests) == 1


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_get_retried_after_network_failures(mock_client: Any, error: Exception) -> None:
    client, rec = mock_client(error, OK_PAGE)
    assert client.items.list().count == 1
    assert len(rec.requests) == 2


def test_get_gives_up_after_the_policy_and_says_unreachable(mock_client: Any) -> None:
    client, rec = mock_client(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(Unreachable) as info:
        client.datasets.list()
    assert len(rec.requests) == 4  # 1 + 3 retries
    assert "Could not reach https://posthog.example.com" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_timeouts_become_unreachable_naming_the_wait(mock_client: Any) -> None:
    client, rec = mock_client(httpx.ReadTimeout("timed out"), retries=0)
    with pytest.raises(Unreachable, match=r"did not answer GET .* in time"):
        client.items.list()
    assert len(rec.requests) == 1 and rec.sleeps == []


def test_retries_zero_disables_retrying(mock_client: Any) -> None:
    client, rec = mock_client(gateway(503), OK_PAGE, retries=0)
    with pytest.raises(ServerError):
        client.items.list()
    assert len(rec.requests) == 1


# ---- 429


def test_429_waits_the_named_seconds(mock_client: Any) -> None:
    client, rec = mock_client(throttled(7), throttled(1), OK_PAGE)
    client.items.list()
    assert len(rec.requests) == 3
    assert 7 <= rec.sleeps[0] < 7.3 and 1 <= rec.sleeps[1] < 1.3


def test_429_longer_than_the_cap_raises_at_once(mock_client: Any) -> None:
    policy = RetryPolicy(retries=3, backoff=0.01, rate_limit_max_wait=30)
    client, rec = mock_client(throttled(37), OK_PAGE, retries=policy)
    with pytest.raises(RateLimited) as info:
        client.items.list()
    assert info.value.retry_after == 37 and "Wait 37 seconds" in str(info.value)
    assert len(rec.requests) == 1 and rec.sleeps == []


def test_429_without_seconds_backs_off_exponentially(mock_client: Any) -> None:
    policy = RetryPolicy(retries=3, backoff=1.0, backoff_max=3.0)
    client, rec = mock_client(throttled(None), retries=policy)
    with pytest.raises(RateLimited) as info:
        client.items.list()
    assert info.value.retry_after is None
    assert len(rec.requests) == 4
    assert 0.5 <= rec.sleeps[0] <= 1 and 1 <= rec.sleeps[1] <= 2 and 1.5 <= rec.sleeps[2] <= 3


# ---- PATCH


def test_patch_retried_after_read_errors_and_gateway(mock_client: Any) -> None:
    ok = httpx.Response(200, json=dataset_json(id=DS, deleted=True))
    client, rec = mock_client(httpx.ReadError("reset"), gateway(503), throttled(2), ok)
    assert client.datasets.delete(DS).deleted is True
    assert [r.method for r in rec.requests] == ["PATCH"] * 4
    assert all(json.loads(r.content) == {"deleted": True} for r in rec.requests)


# ---- POST


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_post_retried_only_when_it_never_left(mock_client: Any, error: Exception) -> None:
    client, rec = mock_client(error, OK_ITEM)
    assert str(client.items.create(DS, input="q").dataset) == DS
    assert len(rec.requests) == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ReadError("reset after sending"),
        httpx.ReadTimeout("no answer"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        gateway(502),
        gateway(503),
        throttled(1),
    ],
)
def test_post_never_sent_twice_once_it_may_have_arrived(mock_client: Any, answer: Any) -> None:
    client, rec = mock_client(answer, OK_ITEM)
    with pytest.raises((Unreachable, ServerError, RateLimited)):
        client.items.create(DS, input="q")
    assert len(rec.requests) == 1 and rec.sleeps == []


# ---- read-only


def test_read_only_refuses_every_write_before_sending(mock_client: Any) -> None:
    client, rec = mock_client(OK_PAGE, read_only=True)
    writes = [
        lambda: client.datasets.create("x"),
        lambda: client.datasets.update(DS, name="y"),
        lambda: client.datasets.delete(DS),
        lambda: client.datasets.restore(DS),
        lambda: client.items.create(DS, input=1),
        lambda: client.items.update(DS, output=None),
        lambda: client.items.delete(DS),
        lambda: client.items.restore(DS),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyError, match="read-only"):
            write()
    assert rec.requests == []
    client.items.list()  # reads still work
    assert len(rec.requests) == 1


# ---- async: same rules, same code path


async def test_async_retries_get_and_not_post(mock_async_client: Any) -> None:
    client, rec = mock_async_client(gateway(503), throttled(3), OK_PAGE)
    page = await client.items.list()
    assert page.count == 1 and len(rec.requests) == 3
    assert rec.sleeps[1] >= 3

    client2, rec2 = mock_async_client(httpx.ReadError("reset"), OK_ITEM)
    with pytest.raises(Unreachable):
        await client2.items.create(DS, input="q")
    assert len(rec2.requests) == 1

    client3, rec3 = mock_async_client(httpx.ConnectError("refused"), OK_ITEM)
    await client3.items.create(DS, input="q")
    assert len(rec3.requests) == 2


async def test_async_read_only(mock_async_client: Any) -> None:
    client, rec = mock_async_client(OK_PAGE, read_only=True)
    with pytest.raises(ReadOnlyError):
        await client.datasets.delete(DS)
    assert rec.requests == []


# ---- the pure policy


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(retries=10, backoff=0.5, backoff_max=4.0)
    low = [policy.backoff_delay(n, rand=lambda: 0.0) for n in range(6)]
    high = [policy.backoff_delay(n, rand=lambda: 1.0) for n in range(6)]
    assert low == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert high == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_decisions_table() -> None:
    policy = RetryPolicy(retries=2)
    read_error = httpx.ReadError("x")
    assert retry_delay(policy, "GET", 0, read_error) is not None
    assert retry_delay(policy, "GET", 2, read_error) is None  # attempts used up
    assert retry_delay(policy, "POST", 0, read_error) is None
    assert retry_delay(policy, "POST", 0, httpx.PoolTimeout("x")) is not None
    assert retry_delay(policy, "GET", 0, httpx.UnsupportedProtocol("x")) is None
    assert retry_delay(policy, "PATCH", 0, ServerError("x", status=504)) is not None
    assert retry_delay(policy, "PATCH", 0, ServerError("x", status=500)) is None
    assert retry_delay(policy, "GET", 0, RateLimited("x", retry_after=5), rand=lambda: 0) == 5
    assert RetryPolicy.coerce(0).retries == 0 and RetryPolicy.coerce(None) == RetryPolicy()
    with pytest.raises(ValueError):
        RetryPolicy(retries=-1)
