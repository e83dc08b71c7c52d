"""Helpers for the emulator tests: an httpx client on a fresh server, and small builders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._emulator import RunningEmulator


class Api:
    """A thin httpx wrapper speaking to one running emulator as one key."""

    def __init__(self, running: RunningEmulator, key: str | None = None) -> None:
        self.running = running
        headers = {"Authorization": f"Bearer {key or running.api_key}"}
        self.http = httpx.Client(base_url=running.url, headers=headers, timeout=10)

    def url(self, resource: str, id_: str | None = None, project: int | str = 1) -> str:
        path = f"/api/projects/{project}/{resource}/"
        return path if id_ is None else f"{path}{id_}/"

    def dataset(self, project: int | str = 1, **fields: Any) -> dict[str, Any]:
        body = {"name": "a dataset", **fields}
        response = self.http.post(self.url("datasets", project=project), json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def item(self, dataset: str, project: int | str = 1, **fields: Any) -> dict[str, Any]:
        body = {"dataset": dataset, "input": {"q": "hi"}, **fields}
        response = self.http.post(self.url("dataset_items", project=project), json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def list_ids(self, resource: str, **params: Any) -> list[str]:
        response = self.http.get(self.url(resource), params=params)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["results"]]

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def api(empty_server: RunningEmulator) -> Iterator[Api]:
    client = Api(empty_server)
    try:
        yield client
    finally:
        client.close()


def envelope(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {"type": type_, "code": code, "detail": detail, "attr": attr}
