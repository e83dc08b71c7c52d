"""Servers that would hold or flood the client: bodies past the bound (declared, endless, a gzip
bomb), a body trickled a byte at a time, items nested as deep as the server accepts, and error
bodies nested 100,000 levels. Each ends in an `ApiError` that says what happened, or parses."""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from explorer.api import (
    ApiError,
    AsyncClient,
    Client,
    ResponseTooLarge,
    Unreachable,
    ValidationFailed,
)

KEY = "phx_hostile_test_key"
DATASET = "0199a3c4-0000-7000-8000-000000000000"
BOUND = 1024 * 1024  # the clients below read at most 1 MiB
KINDS = {1: "big", 2: "endless", 3: "bomb", 4: "trickle"}  # the project id picks the behaviour
PROJECT = {kind: project for project, kind in KINDS.items()}


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        kind = KINDS[int(self.path.split("/")[3])]  # /api/projects/<project>/...
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client hung up
            getattr(self, f"_{kind}")()

    def _start(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def _big(self) -> None:  # 5 MiB, declared
        body = b'{"count":1,"results":["' + b"x" * (5 * BOUND) + b'"]}'
        self._start({"Content-Length": str(len(body))})
        self.wfile.write(body)

    def _endless(self) -> None:  # chunked, never ends
        self._start({"Transfer-Encoding": "chunked"})
        chunk = b"x" * 65536
        while True:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _bomb(self) -> None:  # about 100 KiB on the wire, 100 MiB decoded
        body = gzip.compress(b" " * (100 * BOUND), compresslevel=9)
        self._start({"Content-Encoding": "gzip", "Content-Length": str(len(body))})
        self.wfile.write(body)

    def _trickle(self) -> None:  # a byte every 50 ms: each read well within the read timeout
        self._start({"Content-Length": "1000000"})
        while True:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(url: str, kind: str, **options: Any) -> Client:
    options.setdefault("max_response_bytes", BOUND)
    return Client(url, KEY, PROJECT[kind], generation="classic", retries=0, **options)


@pytest.mark.parametrize("kind", ["big", "endless", "bomb"])
def test_an_answer_past_the_bound_is_refused_naming_it(hostile: str, kind: str) -> None:
    with _client(hostile, kind) as client, pytest.raises(ResponseTooLarge) as info:
        client.items.list(DATASET)
    message = str(info.value)
    assert f"more than {BOUND:,} bytes" in message and "max_response_bytes" in message
    assert KEY not in message


@pytest.mark.parametrize("kind", ["big", "endless", "bomb"])
async def test_the_async_client_has_the_same_bound(hostile: str, kind: str) -> None:
    async with AsyncClient(
        hostile, KEY, PROJECT[kind], generation="classic", retries=0, max_response_bytes=BOUND
    ) as client:
        with pytest.raises(ResponseTooLarge):
            await client.items.list(DATASET)


def test_a_trickled_answer_ends_at_the_total_timeout(hostile: str) -> None:
    # httpx's read timeout (here 1 s) restarts with every byte; the total does not.
    with _client(hostile, "trickle", timeout=1.0) as client, pytest.raises(Unreachable) as info:
        client.items.list(DATASET)
    assert "did not answer" in str(info.value) and "1 s in all" in str(info.value)


async def test_the_async_client_ends_a_trickle_too(hostile: str) -> None:
    async with AsyncClient(
        hostile, KEY, PROJECT["trickle"], generation="classic", retries=0, timeout=1.0
    ) as c:
        with pytest.raises(Unreachable) as info:
            await c.items.list(DATASET)
    assert "in time" in str(info.value)


def _item(value_json: bytes) -> bytes:
    base = {
        "id": str(uuid.uuid4()),
        "dataset": DATASET,
        "input": "HOLE",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    return json.dumps(base).encode().replace(b'"HOLE"', value_json)


def _mock(handler: Any) -> Client:
    transport = httpx.MockTransport(handler)
    return Client("https://posthog.example.com", KEY, 1, transport=transport, generation="classic")


def test_an_item_nested_as_deep_as_the_server_accepts_does_not_spoil_its_page() -> None:
    deep = b"[" * 990 + b'"bottom"' + b"]" * 990
    body = b'{"count":2,"results":[' + _item(deep) + b"," + _item(b'"healthy"') + b"]}"
    with _mock(lambda request: httpx.Response(200, content=body)) as client:
        page = client.items.list(DATASET)
    value = page.results[0].input
    for _ in range(990):
        value = value[0]
    assert value == "bottom" and page.results[1].input == "healthy"


def test_an_error_body_nested_100000_levels_is_an_api_error() -> None:
    hostile = b"[" * 100_000 + b"]" * 100_000
    refused = _mock(lambda request: httpx.Response(400, content=hostile))
    with refused as client, pytest.raises(ValidationFailed):
        client.items.update(DATASET, output=1)
    answered = _mock(lambda request: httpx.Response(200, content=hostile))
    with answered as client, pytest.raises(ApiError) as info:
        client.items.list(DATASET)
    assert not isinstance(info.value, RecursionError)
    assert "not with a page" in str(info.value)
