"""Section 1: routes, prefixes, trailing slash, @current, 404s and 405s."""

from __future__ import annotations

import uuid

import pytest

from tests.emulator.conftest import Api, envelope

RESOURCES = ["datasets", "dataset_items"]


def _make(api: Api, resource: str) -> str:
    dataset = api.dataset()
    return dataset["id"] if resource == "datasets" else api.item(dataset["id"])["id"]


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""])
@pytest.mark.parametrize("resource", RESOURCES)
def test_both_prefixes_and_optional_trailing_slash(
    api: Api, prefix: str, slash: str, resource: str
) -> None:
    id_ = _make(api, resource)
    listing = api.http.get(f"/api/{prefix}/1/{resource}{slash}")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["id"] == id_
    one = api.http.get(f"/api/{prefix}/1/{resource}/{id_}{slash}")
    assert one.status_code == 200 and one.json()["id"] == id_
    patched = api.http.patch(f"/api/{prefix}/1/{resource}/{id_}{slash}", json={"metadata": 1})
    assert patched.status_code == 200 and patched.json()["metadata"] == 1


def test_no_redirects_for_slashless_writes(api: Api) -> None:
    response = api.http.post("/api/environments/1/datasets", json={"name": "x"})
    assert response.status_code == 201
    assert not response.history


def test_current_project_alias(api: Api) -> None:
    created = api.http.post("/api/projects/@current/datasets/", json={"name": "cur"})
    assert created.status_code == 201
    assert created.json()["team"] == 1
    got = api.http.get(f"/api/environments/@current/datasets/{created.json()['id']}")
    assert got.status_code == 200


def test_current_is_the_keys_project(emulator_factory) -> None:  # type: ignore[no-untyped-def]
    running = emulator_factory(projects=(1, 2), api_keys=["phx_two@2"])
    client = Api(running)
    created = client.http.post("/api/projects/@current/datasets/", json={"name": "x"})
    assert created.json()["team"] == 2


@pytest.mark.parametrize("project", ["abc", "1.5", "-1", "%40other", "1e3"])
def test_non_integer_project_is_404(api: Api, project: str) -> None:
    response = api.http.get(f"/api/projects/{project}/datasets/")
    assert response.status_code == 404
    assert response.json() == envelope("invalid_request", "not_found", "Project not found.")


def test_unknown_integer_project_is_404(api: Api) -> None:
    response = api.http.get("/api/projects/999/datasets/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Project not found."


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0195a0b8-7c00-7000-8000-00000000000"])
def test_non_uuid_id_in_path_is_404(api: Api, resource: str, bad_id: str) -> None:
    for method in ("GET", "PATCH", "PUT"):
        response = api.http.request(method, f"/api/projects/1/{resource}/{bad_id}/", json={})
        assert response.status_code == 404, method
        assert response.json() == envelope("invalid_request", "not_found", "Not found.")


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_uuid_is_404(api: Api, resource: str) -> None:
    response = api.http.get(f"/api/projects/1/{resource}/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert response.json() == envelope("invalid_request", "not_found", "Not found.")


@pytest.mark.parametrize("resource", RESOURCES)
def test_upper_case_uuid_in_path_finds_the_row(api: Api, resource: str) -> None:
    id_ = _make(api, resource)
    assert api.http.get(f"/api/projects/1/{resource}/{id_.upper()}/").json()["id"] == id_


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("target", ["existing", "unknown", "malformed"])
def test_delete_is_405_with_empty_body_without_lookup(api: Api, resource: str, target: str) -> None:
    id_ = {"existing": lambda: _make(api, resource), "unknown": lambda: str(uuid.uuid4())}.get(
        target, lambda: "nope"
    )()
    response = api.http.delete(f"/api/projects/1/{resource}/{id_}/")
    assert response.status_code == 405
    assert response.content == b""
    if target == "existing":  # and nothing was deleted
        assert api.http.get(f"/api/projects/1/{resource}/{id_}/").status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_list_url_unsupported_methods_get_405_envelope(
    api: Api, resource: str, method: str
) -> None:
    response = api.http.request(method, f"/api/projects/1/{resource}/", json={})
    assert response.status_code == 405
    assert response.json() == envelope(
        "invalid_request", "method_not_allowed", f'Method "{method}" not allowed.'
    )
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_post_on_object_url_is_405_envelope(api: Api, resource: str) -> None:
    id_ = _make(api, resource)
    response = api.http.post(f"/api/projects/1/{resource}/{id_}/", json={})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "path", ["/api/projects/1/nothing/", "/api/projects/", "/api/x/1/datasets/"]
)
def test_unknown_api_paths_are_404_envelopes(api: Api, path: str) -> None:
    response = api.http.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_head_answers_headers_only(api: Api) -> None:
    api.dataset()
    response = api.http.head("/api/projects/1/datasets/")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"
