"""Hostile and extreme requests: deep JSON, huge ids, bodies past the bound, non-finite settings.

Each answers a 4xx, never a 500, and the server goes on answering normally afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from explorer.cli import build_parser
from explorer.emulator import FaultConfig, Rate
from explorer.emulator.bodylimit import CLASSIC_MAX_BODY_BYTES, V2_MAX_BODY_BYTES, BodyLimit
from explorer.emulator.errors import ApiError
from explorer.emulator.validation import json_text
from tests._emulator import RunningEmulator
from tests.emulator.conftest import Api, envelope

Factory = Callable[..., RunningEmulator]
JSON = {"content-type": "application/json"}
HUGE_ID = "9" * 5000  # past int()'s 4,300-digit limit
NOT_FOUND = envelope("invalid_request", "not_found", "Project not found.")


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(params=[("classic", "projects"), ("v2", "environments")], ids=["classic", "v2"])
def running(
    request: pytest.FixtureRequest, emulator_factory: Factory
) -> tuple[RunningEmulator, str]:
    """A fresh server of each API generation, and the URL prefix its tests speak to."""
    generation, prefix = request.param
    return emulator_factory(api=generation), prefix


def _still_answers(running: RunningEmulator, prefix: str) -> None:
    url = f"{running.url}/api/{prefix}/{running.project_id}/datasets/"
    response = httpx.get(url, headers=running.headers)
    assert response.status_code == 200, response.text


# -- deep JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["arrays", "objects"])
def test_body_nested_100000_levels_is_a_parse_error(
    running: tuple[RunningEmulator, str], shape: str
) -> None:
    server, prefix = running
    depth = 100_000
    body = _nested(depth) if shape == "arrays" else '{"a":' * depth + "1" + "}" * depth
    url = f"{server.url}/api/{prefix}/{server.project_id}/datasets/"
    response = httpx.post(url, content=body, headers={**server.headers, **JSON})
    assert response.status_code == 400, response.text
    doc = response.json()
    assert doc == envelope("invalid_request", "parse_error", doc["detail"])
    assert doc["detail"].startswith("JSON parse error - ")
    _still_answers(server, prefix)


def test_nesting_of_900_levels_is_stored_and_read_back(api: Api) -> None:
    nested = _nested(900)
    body = '{"name": "deep", "metadata": ' + nested + "}"
    created = api.http.post(api.url("datasets"), content=body, headers=JSON)
    assert created.status_code == 201, created.text[:300]
    # compared as text: parsing 900 levels in the test would race the recursion limit itself
    assert f'"metadata":{nested},' in created.text
    match = re.match(r'\{"id":"([0-9a-f-]{36})"', created.text)
    assert match, created.text[:100]
    read = api.http.get(api.url("datasets", match.group(1)))
    assert read.status_code == 200
    assert f'"metadata":{nested},' in read.text


def test_every_depth_near_the_limit_is_201_or_400_never_500(api: Api) -> None:
    """Around the recursion limit json.loads, then json.dumps (from deeper frames) give up."""
    statuses = []
    for depth in range(900, 1011):
        body = '{"name": "deep", "metadata": ' + _nested(depth) + "}"
        response = api.http.post(api.url("datasets"), content=body, headers=JSON)
        statuses.append(response.status_code)
        if response.status_code != 201:
            assert response.status_code == 400, (depth, response.text)
            assert response.json()["code"] == "parse_error"
    assert set(statuses) == {201, 400}
    listed = api.http.get(api.url("datasets"))
    assert listed.status_code == 200
    assert f'"count":{statuses.count(201)},' in listed.text  # text: too deep for the test to parse


def test_json_text_turns_recursion_into_a_parse_error() -> None:
    value: list[Any] = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(ApiError) as raised:
        json_text(value)
    assert (raised.value.status, raised.value.code) == (400, "parse_error")
    assert raised.value.detail.startswith("JSON parse error - ")


# -- project ids ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["datasets/", "dataset_items/", f"datasets/{'0' * 8}/"])
def test_project_id_of_5000_digits_is_not_found(
    running: tuple[RunningEmulator, str], path: str
) -> None:
    server, prefix = running
    response = httpx.get(f"{server.url}/api/{prefix}/{HUGE_ID}/{path}", headers=server.headers)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    _still_answers(server, prefix)


# -- BodyLimit, in process ----------------------------------------------------------------------

LIMIT = 1024


class Recorder:
    """A small app that reads the whole body and answers its size; remembers what it got."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await Request(scope, receive).body()
        self.bodies.append(body)
        await JSONResponse({"received": len(body)})(scope, receive, send)


class ReceiveSpy:
    """Counts the reads of the request body made by whatever it wraps."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reads = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def spied() -> Message:
            self.reads += 1
            return await receive()

        await self.app(scope, spied, send)


def _client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


def _chunks(total: int, size: int = 100) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        chunk = b"x" * min(size, total - sent)
        sent += len(chunk)
        yield chunk


def _too_large(limit: int) -> dict[str, Any]:
    detail = f"The request body is larger than {limit} bytes. Send less data per request."
    return envelope("invalid_request", "request_too_large", detail)


async def test_413_by_content_length_without_reading_the_body() -> None:
    recorder = Recorder()
    spy = ReceiveSpy(BodyLimit(recorder, LIMIT))
    async with _client(spy) as client:
        response = await client.post("/anything", content=b"x" * (LIMIT + 1))
    assert response.request.headers["content-length"] == str(LIMIT + 1)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == _too_large(LIMIT)
    assert spy.reads == 0 and recorder.bodies == []


async def test_413_for_a_chunked_body_past_the_bound() -> None:
    recorder = Recorder()
    async with _client(BodyLimit(recorder, LIMIT)) as client:
        response = await client.post("/anything", content=_async_chunks(LIMIT * 3))
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert (response.status_code, response.json()) == (413, _too_large(LIMIT))
    assert recorder.bodies == []  # never called with the part it had read


async def _async_chunks(total: int) -> AsyncIterator[bytes]:
    for chunk in _chunks(total):
        yield chunk


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("size", [0, LIMIT - 1, LIMIT])
async def test_a_body_within_the_bound_passes_whole(framing: str, size: int) -> None:
    recorder = Recorder()
    content: Any = b"y" * size if framing == "content-length" else _async_chunks(size)
    async with _client(BodyLimit(recorder, LIMIT)) as client:
        response = await client.post("/anything", content=content)
    assert (response.status_code, response.json()) == (200, {"received": size})
    assert recorder.bodies == [b"x" * size if framing == "chunked" else b"y" * size]


async def test_a_transfer_encoding_outranks_a_small_content_length() -> None:
    """A chunked body is counted even when the request also claims a small Content-Length."""
    recorder = Recorder()
    limited = BodyLimit(recorder, LIMIT)
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", b"10"), (b"transfer-encoding", b"chunked")],
    }
    incoming = [
        {"type": "http.request", "body": b"z" * LIMIT, "more_body": True},
        {"type": "http.request", "body": b"z", "more_body": False},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await limited(scope, receive, send)
    assert sent[0]["status"] == 413 and recorder.bodies == []


async def test_a_content_length_of_5000_digits_is_413_unread() -> None:
    recorder = Recorder()
    headers = [(b"content-length", HUGE_ID.encode())]
    scope: Scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body must not be read")

    async def send(message: Message) -> None:
        sent.append(message)

    await BodyLimit(recorder, LIMIT)(scope, receive, send)
    assert sent[0]["status"] == 413 and recorder.bodies == []
    assert json.loads(sent[1]["body"]) == _too_large(LIMIT)


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        raise AssertionError("BodyLimit must not read a non-http scope")

    async def send(message: Message) -> None:
        raise AssertionError("BodyLimit must not answer a non-http scope")

    for kind in ("websocket", "lifespan"):
        await BodyLimit(app, 0)({"type": kind, "headers": []}, receive, send)
    assert seen == ["websocket", "lifespan"]


def test_the_bounds_of_each_generation() -> None:
    assert CLASSIC_MAX_BODY_BYTES == 64 * 1024 * 1024
    # v2's biggest legal body (1,000,000 bytes of metadata) escaped ~6x still fits
    assert V2_MAX_BODY_BYTES == 8 * 1024 * 1024 > 6 * 1_000_000


# -- BodyLimit, on a real socket ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("generation", "prefix", "limit"),
    [("classic", "projects", CLASSIC_MAX_BODY_BYTES), ("v2", "environments", V2_MAX_BODY_BYTES)],
)
def test_413_on_a_real_socket_and_the_connection_goes_on(
    emulator_factory: Factory, generation: str, prefix: str, limit: int
) -> None:
    running = emulator_factory(api=generation)
    url = f"{running.url}/api/{prefix}/{running.project_id}/datasets/"
    with httpx.Client(headers=running.headers, timeout=30) as client:
        by_length = client.post(url, content=b"x" * (limit + 1), headers=JSON)
        assert (by_length.status_code, by_length.json()) == (413, _too_large(limit))
        chunked = client.post(url, content=_chunks(limit + 1, 64 * 1024), headers=JSON)
        assert "content-length" not in chunked.request.headers
        assert (chunked.status_code, chunked.json()) == (413, _too_large(limit))
        # the same client (a kept-alive connection) goes on; nothing was created
        assert client.get(url).json()["results"] == []
        body = json.dumps({"name": "fits", "description": "d" * 10_000}).encode()
        created = client.post(url, content=body, headers=JSON)
        assert created.status_code == 201, created.text
        assert [row["name"] for row in client.get(url).json()["results"]] == ["fits"]


# -- admin settings ------------------------------------------------------------------------------


def _api_answers_normally(running: RunningEmulator) -> None:
    api = Api(running)
    try:
        for _ in range(3):  # not throttled, not delayed, not faulted
            assert api.http.get(api.url("datasets")).status_code == 200
        assert api.dataset(name="after")["name"] == "after"
    finally:
        api.close()
    stats = httpx.get(running.url + "/_emulator/faults")
    assert stats.status_code == 200 and stats.json()["config"] == FaultConfig().to_json()
    limits = httpx.get(running.url + "/_emulator/rate-limit")
    assert limits.status_code == 200 and limits.json()["enabled"] is False


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"latency_ms": float("nan")}, allow_nan=True),
        '{"latency_ms": Infinity}',
        '{"latency_ms": -Infinity}',
        '{"latency_ms": 1e400}',
        '{"latency_ms": "nan"}',
        '{"seed": NaN}',
        '{"throttle_wait_s": "inf"}',
        '{"error_rate": NaN}',
    ],
)
def test_admin_refuses_non_finite_fault_settings(empty_server: RunningEmulator, body: str) -> None:
    response = httpx.put(empty_server.url + "/_emulator/faults", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    _api_answers_normally(empty_server)


@pytest.mark.parametrize(
    "rates",
    ["[[1, Infinity]]", "[[Infinity, 60]]", "[[1, -Infinity]]", "[[NaN, 60]]", "[[1, 1e400]]"],
)
def test_admin_refuses_non_finite_rates(empty_server: RunningEmulator, rates: str) -> None:
    body = '{"enabled": true, "rates": ' + rates + "}"
    response = httpx.put(empty_server.url + "/_emulator/rate-limit", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    _api_answers_normally(empty_server)


_EITHER = [
    b"[1]",
    b'"text"',
    b"null",
    b"{",
    b"   ",
    b'{"a": "\xff"}',
    b"[" * 100_000,
    _nested(100_000).encode(),
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
]
_FAULTS = [
    b'{"error_statuses": 5}',
    b'{"error_statuses": ["x"]}',
    b'{"error_statuses": [1e308]}',
    b'{"seed": [1]}',
    b'{"seed": "ab"}',
    b'{"latency_ms": {}}',
    b'{"latency_ms": 1' + b"0" * 400 + b"}",  # an int too big for a float
    b'{"throttle_wait_s": null}',
    b'{"nope": 1}',
]
_RATES = [
    b'{"rates": 5}',
    b'{"rates": "ab"}',
    b'{"rates": {"a": 1}}',
    b'{"rates": [1]}',
    b'{"rates": [[1]]}',
    b'{"rates": [[1, 30, 5]]}',
    b'{"rates": [["1", "30"]]}',
    b'{"rates": [[true, 30]]}',
    b'{"rates": [[1.5, 30]]}',
    b'{"rates": [[0, 30]]}',
    b'{"rates": [[1, 1' + b"0" * 400 + b"]]}",  # an int too big for a float
    b'{"enabled": "yes"}',
]


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [(e, b) for b in _EITHER for e in ("faults", "rate-limit")]
    + [("faults", b) for b in _FAULTS]
    + [("rate-limit", b) for b in _RATES],
    ids=lambda v: v if isinstance(v, str) else repr(v[:40]),
)
def test_malformed_admin_bodies_are_400(
    empty_server: RunningEmulator, endpoint: str, body: bytes
) -> None:
    response = httpx.put(f"{empty_server.url}/_emulator/{endpoint}", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    _api_answers_normally(empty_server)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize(
    "field", ["latency_ms", "error_rate", "throttle_rate", "seed", "throttle_wait_s"]
)
def test_fault_config_refuses_non_finite_numbers(field: str, value: float) -> None:
    settings: dict[str, Any] = {field: value}
    with pytest.raises(ValueError):
        FaultConfig(**settings)


def test_non_finite_settings_are_refused_by_the_python_api(empty_server: RunningEmulator) -> None:
    with pytest.raises(ValueError):
        FaultConfig(latency_ms=float("nan"))
    with pytest.raises(ValueError):
        empty_server.server.set_faults(latency_ms=float("inf"))
    for requests, seconds in [(1, float("inf")), (1, float("nan")), (float("nan"), 1)]:
        with pytest.raises(ValueError):
            Rate(requests, seconds)  # type: ignore[arg-type]
    _api_answers_normally(empty_server)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "1e400", "-inf"])
def test_serve_refuses_a_non_finite_latency(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", f"--latency-ms={value}"])
    assert exited.value.code == 2
    assert "--latency-ms" in capsys.readouterr().err
    assert build_parser().parse_args(["serve", "--latency-ms", "250"]).latency_ms == 250.0
