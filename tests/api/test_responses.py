"""What the clients make of each kind of answer, through MockTransport end to end."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from explorer.api import (
    ApiError,
    AsyncClient,
    Client,
    Dataset,
    MalformedResponse,
    NotFound,
    ServerError,
)
from tests.api.conftest import HOST, KEY, dataset_json, page_json

DS = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<!DOCTYPE html><html><body>Sign in</body></html>"),
        httpx.Response(200, content=b'{"count": 2, "results": [{"id": "'),
        httpx.Response(200, content=b""),
        httpx.Response(200, json={"detail": "not a page"}),
        httpx.Response(200, json=page_json([{"id": "not-a-uuid"}])),
    ],
)
def test_malformed_answers_are_server_problems(mock_client: Any, answer: httpx.Response) -> None:
    client, rec = mock_client(answer)
    with pytest.raises(MalformedResponse) as info:
        client.datasets.list()
    assert isinstance(info.value, ServerError) and info.value.status == 200
    assert len(rec.requests) == 1  # a 200 is an answer: not retried


def test_unexpected_fields_are_kept(mock_client: Any) -> None:
    body = dataset_json(id=DS, archived=False, version=3, created_by=None)
    client, _ = mock_client(httpx.Response(200, json=body))
    ds = client.datasets.get(DS)
    assert isinstance(ds, Dataset)
    assert ds.model_extra == {"archived": False, "version": 3}


def test_empty_405(mock_client: Any) -> None:
    client, rec = mock_client(httpx.Response(405))
    with pytest.raises(ApiError) as info:
        client.items.update(DS, output=1)
    assert info.value.status == 405 and "405 Method Not Allowed" in str(info.value)
    assert len(rec.requests) == 1 and rec.requests[0].method == "PATCH"


def test_the_client_never_sends_delete(mock_client: Any) -> None:
    client, rec = mock_client(httpx.Response(200, json=dataset_json(id=DS)))
    client.datasets.delete(DS)
    client.datasets.restore(DS)
    assert [(r.method, r.content) for r in rec.requests] == [
        ("PATCH", b'{"deleted": true}'),
        ("PATCH", b'{"deleted": false}'),
    ]


def test_request_shape(mock_client: Any) -> None:
    client, rec = mock_client(httpx.Response(201, json=dataset_json(id=DS)))
    client.datasets.create("n", metadata={"big": 2**100})
    request = rec.requests[0]
    assert request.url == f"{HOST}/api/projects/7/datasets/"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"name": "n", "description": null, "metadata": {"big": %d}}' % (
        2**100
    )


def test_timeouts_are_applied_to_each_request(mock_client: Any) -> None:
    client, rec = mock_client(httpx.Response(200, json=page_json([])), timeout=2.5)
    client.items.list()
    assert rec.requests[0].extensions["timeout"] == {
        "connect": 2.5,
        "read": 2.5,
        "write": 2.5,
        "pool": 2.5,
    }
    default, rec2 = mock_client(httpx.Response(200, json=page_json([])))
    default.items.list()
    assert rec2.requests[0].extensions["timeout"]["connect"] == 5.0
    assert rec2.requests[0].extensions["timeout"]["read"] == 30.0


def test_environments_prefix_and_current_project() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=page_json([]))

    transport = httpx.MockTransport(handler)
    with Client(
        HOST,
        KEY,
        "@current",
        api_prefix="environments",
        transport=transport,
        generation="classic",
    ) as c:
        c.items.list(dataset=DS, limit=5, offset=10)
    assert seen[0].url.path == "/api/environments/@current/dataset_items/"
    assert dict(seen[0].url.params) == {"limit": "5", "offset": "10", "dataset": DS}


async def test_async_client_answers_the_same(mock_async_client: Any) -> None:
    client, _ = mock_async_client(httpx.Response(404, json={"detail": "Not found."}))
    with pytest.raises(NotFound):
        await client.datasets.get(DS)
    client2, _ = mock_async_client(httpx.Response(200, text="<html>"))
    with pytest.raises(MalformedResponse):
        await client2.items.list()
    assert isinstance(client2, AsyncClient)


def test_undecodable_body_is_malformed_not_unreachable(mock_client: Any) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        gzip = {"content-encoding": "gzip"}
        return httpx.Response(200, headers=gzip, stream=httpx.ByteStream(b"not gzip"))

    client, rec = mock_client(broken)
    with pytest.raises(MalformedResponse, match="cannot be decoded"):
        client.datasets.list()
    assert len(rec.requests) == 1  # an answer came: not retried
