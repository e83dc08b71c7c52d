"""`AsyncDatasets.preview`: a page of datasets shown as the server sent it, before it is typed
(a front end draws it while the first typing loads pydantic); and the package's lazy names."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import httpx
import pytest

import explorer.api
from explorer.api import Dataset, MalformedResponse, NotFound
from tests.api.conftest import dataset_json, page_json


async def test_the_page_is_shown_before_it_is_typed_and_the_typing_waits(
    mock_async_client: Any,
) -> None:
    body = page_json([dataset_json(name="first"), dataset_json(name="second")])
    client, _ = mock_async_client(httpx.Response(200, json=body))
    shown: list[dict[str, Any]] = []
    called, drawn = asyncio.Event(), asyncio.Event()

    async def draw(page: dict[str, Any]) -> None:
        shown.append(page)
        called.set()
        await drawn.wait()

    client.datasets.preview = draw
    listing = asyncio.create_task(client.datasets.list(limit=2))
    await called.wait()
    assert shown == [body]
    assert not listing.done()  # the typing waits until the page is drawn
    drawn.set()
    page = await listing
    assert [d.name for d in page.results] == ["first", "second"]
    assert all(isinstance(d, Dataset) for d in page.results)


async def test_a_plain_function_is_called_and_the_hook_is_read_when_the_answer_comes(
    mock_async_client: Any,
) -> None:
    client, _ = mock_async_client(httpx.Response(200, json=page_json([dataset_json()])))
    shown: list[int] = []
    client.datasets.preview = lambda page: shown.append(len(page["results"]))
    await client.datasets.list()
    assert shown == [1]
    client.datasets.preview = None
    await client.datasets.list()
    assert shown == [1]


async def test_a_failing_preview_never_fails_the_list(
    mock_async_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = mock_async_client(httpx.Response(200, json=page_json([dataset_json()])))

    def broken(page: dict[str, Any]) -> None:
        raise RuntimeError("a drawing bug")

    client.datasets.preview = broken
    page = await client.datasets.list()
    assert len(page.results) == 1
    assert "showing a page before it is typed" in caplog.text


async def test_errors_and_odd_answers_are_not_shown(mock_async_client: Any) -> None:
    client, _ = mock_async_client(
        httpx.Response(404, json={"detail": "Not found."}),
        httpx.Response(200, content=b"<html>login</html>"),
    )
    shown: list[Any] = []
    client.datasets.preview = shown.append
    with pytest.raises(NotFound):
        await client.datasets.list()
    with pytest.raises(MalformedResponse):
        await client.datasets.list()
    assert shown == []


async def test_the_first_list_of_an_unknown_generation_is_shown_too(
    mock_async_client: Any,
) -> None:
    # the launch's list: the generation is found from the answer's shape (no probe first)
    client, recorder = mock_async_client(
        httpx.Response(200, json=page_json([dataset_json()])), generation=None
    )
    shown: list[Any] = []
    client.datasets.preview = shown.append
    await client.datasets.list(order_by="-created_at", limit=30)
    assert len(shown) == 1 and len(recorder.requests) == 1
    assert client.generation == "classic"


def test_every_public_name_resolves_lazily() -> None:
    assert sorted(explorer.api._HOMES) == sorted(explorer.api.__all__)
    for name in explorer.api.__all__:
        assert getattr(explorer.api, name) is not None
    assert set(explorer.api.__all__) <= set(dir(explorer.api))
    with pytest.raises(AttributeError):
        _ = explorer.api.NoSuchName  # type: ignore[attr-defined]


def test_importing_the_client_loads_no_pydantic() -> None:
    # pydantic (about a tenth of a second) loads with the wire models, at the first answer
    code = (
        "import sys\n"
        "from explorer.api import AsyncClient, Client, Settings, ApiError, short_id, Id\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'"
        " or m == 'explorer.api.models'))\n"
        "from explorer.api import Dataset\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]
