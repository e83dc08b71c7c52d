"""Helpers for the v2 (versioned) contract tests: a fresh ``serve --api v2`` per test.

``v2`` is a ``V2Api`` on a fresh server (seed none, PostHog's limits); ``v2_factory(**options)``
starts one with other options (``max_datasets``, ``max_items``, ``max_versions``,
``datasets_flag``, ``export_delay_s``, ``api_keys``, ``projects``, ``rate_limit``...), all
stopped at teardown. Requests go to ``/api/environments/`` as PostHog's own tests do unless
``prefix="projects"``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests._emulator import RunningEmulator


class V2Api:
    """A thin httpx wrapper speaking to one running v2 emulator as one key."""

    def __init__(
        self, running: RunningEmulator, key: str | None = None, prefix: str = "environments"
    ) -> None:
        self.running = running
        self.prefix = prefix
        headers = {"Authorization": f"Bearer {key or running.api_key}"}
        self.http = httpx.Client(base_url=running.url, headers=headers, timeout=30)

    def url(self, resource: str, *parts: Any, project: int | str | None = None) -> str:
        team = self.running.project_id if project is None else project
        path = f"/api/{self.prefix}/{team}/{resource}/"
        for part in parts:
            path += f"{part}/"
        return path

    # -- requests ---------------------------------------------------------------------------
    def get(self, resource: str, *parts: Any, **params: Any) -> httpx.Response:
        return self.http.get(self.url(resource, *parts), params=params)

    def post(self, resource: str, *parts: Any, json: Any = None) -> httpx.Response:
        return self.http.post(self.url(resource, *parts), json=json)

    def patch(self, resource: str, *parts: Any, json: Any = None) -> httpx.Response:
        return self.http.patch(self.url(resource, *parts), json=json)

    # -- builders that must succeed ---------------------------------------------------------
    def dataset(self, name: str = "a dataset", **fields: Any) -> dict[str, Any]:
        response = self.post("datasets", json={"name": name, **fields})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def item(self, dataset: str, **fields: Any) -> dict[str, Any]:
        body = {"dataset": dataset, "input": {"q": "hi"}, **fields}
        response = self.post("dataset_items", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def results(self, resource: str, *parts: Any, **params: Any) -> list[dict[str, Any]]:
        response = self.get(resource, *parts, **params)
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def db(self) -> sqlite3.Connection:
        """A second connection to the server's SQLite file (for the DB-level scenarios)."""
        conn = sqlite3.connect(self.running.server.db_path, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn

    def close(self) -> None:
        self.http.close()


V2Factory = Callable[..., V2Api]


@pytest.fixture
def v2_factory(emulator_factory: Callable[..., RunningEmulator]) -> Iterator[V2Factory]:
    clients: list[V2Api] = []

    def factory(
        seed: str = "none", *, key: str | None = None, prefix: str = "environments", **options: Any
    ) -> V2Api:
        running = emulator_factory(seed, api="v2", **options)
        client = V2Api(running, key=key, prefix=prefix)
        clients.append(client)
        return client

    try:
        yield factory
    finally:
        for client in clients:
            client.close()


@pytest.fixture
def v2(v2_factory: V2Factory) -> V2Api:
    return v2_factory()


def envelope(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {"type": type_, "code": code, "detail": detail, "attr": attr}
