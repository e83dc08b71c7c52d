"""Fixtures for the client tests: clients wired to an `httpx.MockTransport`, and wire objects.

No test here reads the real user config dir: every client gets a config path in tmp_path, and
the POSTHOG_* variables are cleared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from explorer.api import AsyncClient, Client, RetryPolicy

KEY = "phx_test_secret_key_0123456789abcdef"
HOST = "https://posthog.example.com"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in (
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_HOST",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))


def dataset_json(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "evals",
        "description": None,
        "metadata": None,
        "created_at": "2025-09-05T12:34:56.123456Z",
        "updated_at": "2025-09-05T12:34:56.123456Z",
        "deleted": False,
        "created_by": None,
        "team": 7,
    }
    body.update(over)
    return body


def item_json(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "dataset": str(uuid.uuid4()),
        "input": {"q": "hi"},
        "output": "hello",
        "metadata": None,
        "ref_trace_id": None,
        "ref_timestamp": None,
        "ref_source_id": None,
        "deleted": False,
        "created_at": "2025-09-05T12:34:56.123456Z",
        "updated_at": "2025-09-05T12:34:56.123456Z",
        "created_by": None,
        "team": 7,
    }
    body.update(over)
    return body


def page_json(results: list[dict[str, Any]], count: int | None = None, **over: Any) -> Any:
    body = {"count": len(results) if count is None else count, "next": None, "previous": None}
    body["results"] = results  # type: ignore[assignment]
    body.update(over)
    return body


class Recorder:
    """A MockTransport handler that records requests and answers from a script."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy each time: httpx rebinds a response's stream when it is sent.
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        return answer(request)

    async def asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


FAST = RetryPolicy(retries=3, backoff=0.01, backoff_max=0.05, rate_limit_max_wait=60)


@pytest.fixture
def mock_client() -> Iterator[Callable[..., tuple[Client, Recorder]]]:
    made: list[Client] = []

    def make(*answers: Any, **kwargs: Any) -> tuple[Client, Recorder]:
        recorder = Recorder(*answers)
        kwargs.setdefault("retries", FAST)
        kwargs.setdefault("generation", "classic")  # the recorder answers as classic
        client = Client(HOST, KEY, 7, transport=httpx.MockTransport(recorder), **kwargs)
        client._sleep = recorder.sleeps.append  # type: ignore[assignment]
        made.append(client)
        return client, recorder

    yield make
    for client in made:
        client.close()


@pytest.fixture
async def mock_async_client() -> Any:
    made: list[AsyncClient] = []

    def make(*answers: Any, **kwargs: Any) -> tuple[AsyncClient, Recorder]:
        recorder = Recorder(*answers)
        kwargs.setdefault("retries", FAST)
        kwargs.setdefault("generation", "classic")
        client = AsyncClient(HOST, KEY, 7, transport=httpx.MockTransport(recorder), **kwargs)
        client._sleep = recorder.asleep  # type: ignore[assignment]
        made.append(client)
        return client, recorder

    yield make
    for client in made:
        await client.aclose()
