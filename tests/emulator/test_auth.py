"""Section 7: keys, scopes, projects; the order of the checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from tests._emulator import RunningEmulator
from tests.emulator.conftest import Api, envelope

NOT_AUTHENTICATED = envelope(
    "authentication_error", "not_authenticated", "Authentication credentials were not provided."
)
AUTH_FAILED = envelope(
    "authentication_error",
    "authentication_failed",
    "Personal API key found in request Authorization header is invalid.",
)


def _denied(detail: str) -> dict[str, object]:
    return envelope("authentication_error", "permission_denied", detail)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, NOT_AUTHENTICATED),
        ({"Authorization": ""}, NOT_AUTHENTICATED),
        ({"Authorization": "Basic cGh4Og=="}, NOT_AUTHENTICATED),
        ({"Authorization": "Bearer"}, NOT_AUTHENTICATED),
        ({"Authorization": "Bearer phx_wrong_key"}, AUTH_FAILED),
        ({"Authorization": "Bearer phx_demo_key_and_more"}, AUTH_FAILED),
    ],
)
@pytest.mark.parametrize("path", ["/api/projects/1/datasets/", "/api/environments/1/dataset_items"])
def test_401(
    empty_server: RunningEmulator, headers: dict[str, str], expected: object, path: str
) -> None:
    response = httpx.get(empty_server.url + path, headers=headers)
    assert response.status_code == 401
    assert response.json() == expected


def test_authentication_comes_before_everything_else(empty_server: RunningEmulator) -> None:
    for method, path in [
        ("GET", "/api/projects/not-a-number/datasets/"),
        ("DELETE", f"/api/projects/1/datasets/{uuid.uuid4()}/"),
        ("PUT", "/api/projects/1/datasets/"),
        ("GET", "/api/projects/1/datasets/not-a-uuid/"),
    ]:
        response = httpx.request(method, empty_server.url + path)
        assert response.status_code == 401, (method, path)


@pytest.fixture
def keyed(emulator_factory: Callable[..., RunningEmulator]) -> RunningEmulator:
    return emulator_factory(
        projects=(1, 2),
        api_keys=[
            "phx_all",
            "phx_read=dataset:read",
            "phx_write=dataset:write",
            "phx_star=*",
            "phx_other=insight:read,insight:write",
            "phx_one=dataset:read,dataset:write@1",
        ],
    )


def _as(running: RunningEmulator, key: str) -> Api:
    return Api(running, key)


WRITES = ["POST list", "PATCH", "PUT", "DELETE"]


def _write(api: Api, kind: str, ds_id: str) -> httpx.Response:
    if kind == "POST list":
        return api.http.post("/api/projects/1/datasets/", json={"name": "x"})
    return api.http.request(kind, f"/api/projects/1/datasets/{ds_id}/", json={"name": "x"})


@pytest.mark.parametrize("kind", WRITES)
def test_read_only_key_cannot_write(keyed: RunningEmulator, kind: str) -> None:
    ds = _as(keyed, "phx_all").dataset()["id"]
    response = _write(_as(keyed, "phx_read"), kind, ds)
    assert response.status_code == 403
    assert response.json() == _denied("API key missing required scope 'dataset:write'")


def test_read_only_key_reads(keyed: RunningEmulator) -> None:
    ds = _as(keyed, "phx_all").dataset()["id"]
    reader = _as(keyed, "phx_read")
    assert reader.list_ids("datasets") == [ds]
    assert reader.http.get(f"/api/projects/1/datasets/{ds}/").status_code == 200
    assert reader.http.get("/api/projects/1/dataset_items/").status_code == 200


@pytest.mark.parametrize("key", ["phx_write", "phx_star", "phx_all"])
def test_write_implies_read_and_star_passes(keyed: RunningEmulator, key: str) -> None:
    api = _as(keyed, key)
    ds = api.dataset()
    assert api.http.get(f"/api/projects/1/datasets/{ds['id']}/").status_code == 200
    assert api.http.delete(f"/api/projects/1/datasets/{ds['id']}/").status_code == 405


def test_key_without_dataset_scopes(keyed: RunningEmulator) -> None:
    api = _as(keyed, "phx_other")
    read = api.http.get("/api/projects/1/datasets/")
    assert (read.status_code, read.json()) == (
        403,
        _denied("API key missing required scope 'dataset:read'"),
    )
    write = api.http.post("/api/projects/1/datasets/", json={"name": "x"})
    assert write.json() == _denied("API key missing required scope 'dataset:write'")


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_key_without_access_to_the_project(keyed: RunningEmulator, prefix: str) -> None:
    api = _as(keyed, "phx_one")
    response = api.http.get(f"/api/{prefix}/2/datasets/")
    assert response.status_code == 403
    assert response.json() == _denied("You don't have access to the project.")
    assert api.http.get(f"/api/{prefix}/1/datasets/").status_code == 200
    # an unknown project is still 404, and @current is a project the key can use
    assert api.http.get(f"/api/{prefix}/3/datasets/").status_code == 404
    assert api.http.get(f"/api/{prefix}/@current/datasets/").status_code == 200


def test_the_key_never_shows_in_responses(keyed: RunningEmulator) -> None:
    api = _as(keyed, "phx_one")
    for response in (
        api.http.get("/api/projects/2/datasets/"),
        api.http.post("/api/projects/1/datasets/", json={}),
        api.http.get("/api/projects/1/datasets/?limit=1"),
        httpx.get(
            keyed.url + "/api/projects/1/datasets/", headers={"Authorization": "Bearer phx_one_x"}
        ),
    ):
        assert "phx_one" not in response.text and "phx_one" not in str(response.headers)


def test_no_access_log_by_default(
    empty_server: RunningEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    Api(empty_server).http.get("/api/projects/1/datasets/")
    out, err = capfd.readouterr()
    assert "phx_demo_key" not in out + err and "/api/projects" not in out + err
