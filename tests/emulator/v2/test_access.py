"""§1 and §10: routes, authentication, projects, allowed methods, scopes, the feature flag.

The order of checks for every request: unmatched path 404, auth 401, project 404/403,
method 405, scope 403, feature flag 403, throttle 429, then the handler's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.emulator.v2.conftest import V2Api, V2Factory
from tests.emulator.v2.helpers import (
    FLAG_OFF,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    archive_item,
    as_key,
    expect,
    missing_scope,
    not_allowed,
    ok,
    request,
    restore_item,
)

KEYS = ["phx_demo_key", "phx_ro=dataset:read", "phx_rw=dataset:write", "phx_star=*",
        "phx_other=insight:read,insight:write"]  # fmt: skip

Action = Callable[[V2Api, dict[str, str]], httpx.Response]


def _fixture(v2: V2Api) -> dict[str, str]:
    """A dataset with one item (v1, active): something for every action to act on."""
    ds = v2.dataset("target")["id"]
    return {"ds": ds, "item": v2.item(ds)["id"], "export": "1"}


def _prepare(owner: V2Api, actor: V2Api, action: str, fixture: dict[str, str]) -> None:
    """Put the fixture in the state ``action`` needs; exports are read by whoever made them."""
    if action == "items restore":
        ok(archive_item(owner, fixture["item"], 1))
    if action.startswith("export ") and action != "export create":
        made = actor.post("datasets", fixture["ds"], "exports", json={})
        if made.status_code == 201:
            fixture["export"] = str(made.json()["id"])


READ_ACTIONS: dict[str, Action] = {
    "datasets list": lambda a, f: a.get("datasets"),
    "datasets retrieve": lambda a, f: a.get("datasets", f["ds"]),
    "revisions": lambda a, f: a.get("datasets", f["ds"], "revisions"),
    "export create": lambda a, f: a.post("datasets", f["ds"], "exports", json={}),
    "export status": lambda a, f: a.get("datasets", f["ds"], "exports", f["export"]),
    "export content": lambda a, f: a.get("datasets", f["ds"], "exports", f["export"], "content"),
    "items list": lambda a, f: a.get("dataset_items", dataset=f["ds"]),
    "items retrieve": lambda a, f: a.get("dataset_items", f["item"]),
    "versions": lambda a, f: a.get("dataset_items", f["item"], "versions"),
}
WRITE_ACTIONS: dict[str, Action] = {
    "datasets create": lambda a, f: a.post("datasets", json={"name": "new"}),
    "datasets patch": lambda a, f: a.patch("datasets", f["ds"], json={"description": "x"}),
    "datasets archive": lambda a, f: a.post("datasets", f["ds"], "archive"),
    "datasets restore": lambda a, f: a.post("datasets", f["ds"], "restore"),
    "items create": lambda a, f: a.post("dataset_items", json={"dataset": f["ds"], "input": 1}),
    "items patch": lambda a, f: a.patch("dataset_items", f["item"], json={"base_version": 1}),
    "items archive": lambda a, f: archive_item(a, f["item"], 1),
    "items restore": lambda a, f: restore_item(a, f["item"], 2),
}
EXPECTED_STATUS = {"export create": 201, "datasets create": 201, "items create": 201}


@pytest.fixture
def keyed(v2_factory: V2Factory) -> V2Api:
    return v2_factory(api_keys=KEYS)


# -- routes (§1.1) ------------------------------------------------------------------------------


def test_both_prefixes_serve_the_same_data(v2: V2Api) -> None:
    with as_key(v2, v2.running.api_key, prefix="projects") as projects:
        ds = projects.dataset("made under /projects/")
        item = projects.item(ds["id"])
        assert v2.results("datasets") == [ok(projects.get("datasets", ds["id"]))]
        assert v2.results("dataset_items", dataset=ds["id"]) == [item]
        made = v2.item(ds["id"], input="env")
        assert ok(projects.get("dataset_items", made["id"])) == made
        assert ok(projects.get("datasets", ds["id"]))["current_revision"] == 2


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_trailing_slashes_are_optional(v2: V2Api, prefix: str) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    base = f"/api/{prefix}/1"
    assert ok(v2.http.get(f"{base}/datasets"))["count"] == 1
    assert ok(v2.http.get(f"{base}/datasets/{ds['id']}")) == ok(v2.get("datasets", ds["id"]))
    listed = ok(v2.http.get(f"{base}/dataset_items", params={"dataset": ds["id"]}))
    assert listed["results"] == [item]
    assert ok(v2.http.get(f"{base}/dataset_items/{item['id']}")) == item
    created = v2.http.post(f"{base}/datasets", json={"name": "no slash"})
    assert created.status_code == 201
    assert v2.http.get(f"{base}/datasets/{ds['id']}/revisions").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/projects/1/datasetz/", "/api/projects/1/datasets/x/y/z/", "/api/nothing/"]
)
def test_unmatched_paths_are_404_before_authentication(v2: V2Api, path: str) -> None:
    assert httpx.get(v2.running.url + path).status_code == 404
    assert v2.http.get(path).status_code == 404


# -- authentication and projects (§1.2) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/projects/1/datasets/"),
        ("GET", "/api/environments/1/dataset_items/"),
        ("PUT", "/api/projects/1/datasets/{id}/"),
        ("GET", "/api/projects/999/datasets/"),
        ("POST", "/api/projects/1/datasets/{id}/exports/"),
    ],
)
def test_no_credentials_is_401_before_anything_else(v2: V2Api, method: str, path: str) -> None:
    url = v2.running.url + path.format(id=uuid.uuid4())
    response = httpx.request(method, url)
    expect(response, 401, NOT_AUTHENTICATED)


def test_an_unknown_key_is_401(v2: V2Api) -> None:
    with as_key(v2, "phx_nobody") as nobody:
        body = expect(nobody.get("datasets"), 401)
    assert (body["type"], body["code"]) == ("authentication_error", "authentication_failed")


def test_unknown_projects_are_404_and_other_projects_403(v2_factory: V2Factory) -> None:
    v2 = v2_factory(projects=(1, 2), api_keys=["phx_one@1"])
    assert v2.http.get("/api/projects/999/datasets/").status_code == 404
    assert v2.http.put("/api/projects/999/datasets/").status_code == 404  # before the 405
    barred = expect(v2.http.get("/api/environments/2/datasets/"), 403)
    assert (barred["type"], barred["code"]) == ("authentication_error", "permission_denied")


# -- methods (§1.4) -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_put_and_delete_are_405(v2: V2Api, method: str, resource: str) -> None:
    ds = v2.dataset()
    target = ds["id"] if resource == "datasets" else v2.item(ds["id"])["id"]
    expect(request(v2, method, resource, target, json={"name": "x"}), 405, not_allowed(method))
    expect(request(v2, method, resource), 405, not_allowed(method))
    assert ok(v2.get(resource, target))["id"] == target


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "datasets/"),
        ("GET", "datasets/{ds}/archive/"),
        ("GET", "datasets/{ds}/restore/"),
        ("POST", "datasets/{ds}/revisions/"),
        ("DELETE", "datasets/{ds}/exports/1/"),
        ("POST", "datasets/{ds}/exports/1/content/"),
        ("PATCH", "dataset_items/"),
        ("GET", "dataset_items/{item}/archive/"),
        ("GET", "dataset_items/{item}/restore/"),
        ("POST", "dataset_items/{item}/versions/"),
    ],
)
def test_other_methods_on_every_route_are_405(v2: V2Api, method: str, path: str) -> None:
    ds = v2.dataset()["id"]
    url = _in_project(v2, 1, path.format(ds=ds, item=v2.item(ds)["id"]))
    expect(v2.http.request(method, url), 405, not_allowed(method))


def test_405_comes_before_scopes_and_the_flag(v2_factory: V2Factory) -> None:
    v2 = v2_factory(api_keys=["phx_other=insight:read"], datasets_flag=False)
    expect(request(v2, "PUT", "datasets", uuid.uuid4()), 405, not_allowed("PUT"))
    expect(request(v2, "DELETE", "dataset_items", uuid.uuid4()), 405, not_allowed("DELETE"))


# -- scopes (§10.1) -----------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(READ_ACTIONS))
def test_a_read_key_may_do_every_read_action(keyed: V2Api, action: str) -> None:
    fixture = _fixture(keyed)
    with as_key(keyed, "phx_ro") as ro:
        _prepare(keyed, ro, action, fixture)
        response = READ_ACTIONS[action](ro, fixture)
    assert response.status_code == EXPECTED_STATUS.get(action, 200), response.text


@pytest.mark.parametrize("action", list(WRITE_ACTIONS))
def test_a_read_key_may_not_write(keyed: V2Api, action: str) -> None:
    fixture = _fixture(keyed)
    with as_key(keyed, "phx_ro") as ro:
        _prepare(keyed, ro, action, fixture)
        before = ok(keyed.get("datasets", fixture["ds"]))
        expect(WRITE_ACTIONS[action](ro, fixture), 403, missing_scope("dataset:write"))
    assert ok(keyed.get("datasets", fixture["ds"])) == before


@pytest.mark.parametrize("key", ["phx_rw", "phx_star"])
@pytest.mark.parametrize("action", list(WRITE_ACTIONS))
def test_write_and_star_keys_may_write(keyed: V2Api, key: str, action: str) -> None:
    fixture = _fixture(keyed)
    with as_key(keyed, key) as writer:
        _prepare(keyed, writer, action, fixture)
        response = WRITE_ACTIONS[action](writer, fixture)
    assert response.status_code == EXPECTED_STATUS.get(action, 200), response.text


@pytest.mark.parametrize("key", ["phx_rw", "phx_star"])
@pytest.mark.parametrize("action", list(READ_ACTIONS))
def test_write_and_star_keys_may_read(keyed: V2Api, key: str, action: str) -> None:
    fixture = _fixture(keyed)
    with as_key(keyed, key) as reader:
        _prepare(keyed, reader, action, fixture)
        response = READ_ACTIONS[action](reader, fixture)
    assert response.status_code == EXPECTED_STATUS.get(action, 200), response.text


@pytest.mark.parametrize("action", list(READ_ACTIONS))
def test_a_key_without_dataset_scopes_may_not_read(keyed: V2Api, action: str) -> None:
    fixture = _fixture(keyed)
    with as_key(keyed, "phx_other") as other:
        _prepare(keyed, other, action, fixture)
        expect(READ_ACTIONS[action](other, fixture), 403, missing_scope("dataset:read"))


def test_scopes_are_checked_before_the_handler(keyed: V2Api) -> None:
    with as_key(keyed, "phx_ro") as ro:
        expect(ro.post("datasets", json={"bogus": 1}), 403, missing_scope())
        expect(ro.patch("dataset_items", uuid.uuid4(), json={}), 403, missing_scope())
    with as_key(keyed, "phx_other") as other:
        expect(other.get("dataset_items"), 403, missing_scope("dataset:read"))
        expect(other.get("datasets", uuid.uuid4()), 403, missing_scope("dataset:read"))


# -- the feature flag (§1.3) --------------------------------------------------------------------


@pytest.mark.parametrize("action", [*READ_ACTIONS, *WRITE_ACTIONS])
def test_flag_off_every_action_answers_the_flag_403(v2_factory: V2Factory, action: str) -> None:
    v2 = v2_factory(datasets_flag=False)
    fixture = {"ds": str(uuid.uuid4()), "item": str(uuid.uuid4()), "export": "1"}
    run = {**READ_ACTIONS, **WRITE_ACTIONS}[action]
    expect(run(v2, fixture), 403, FLAG_OFF)


def test_flag_off_comes_after_authentication_and_scopes(v2_factory: V2Factory) -> None:
    v2 = v2_factory(datasets_flag=False, api_keys=["phx_ro=dataset:read"])
    expect(httpx.get(v2.running.url + "/api/projects/1/datasets/"), 401, NOT_AUTHENTICATED)
    expect(v2.post("datasets", json={"name": "x"}), 403, missing_scope())
    expect(v2.get("dataset_items"), 403, FLAG_OFF)  # before the handler's 400
    assert v2.http.get("/api/projects/999/datasets/").status_code == 404  # project first
    with as_key(v2, v2.running.api_key, prefix="projects") as projects:
        expect(projects.get("datasets"), 403, FLAG_OFF)


# -- isolation between projects (§1.1, §10.1) ---------------------------------------------------


@pytest.fixture
def two(v2_factory: V2Factory) -> V2Api:
    return v2_factory(projects=(1, 2), api_keys=["phx_demo_key", "phx_two=dataset:read@2"])


def _in_project(api: V2Api, project: int, path: str) -> str:
    return f"/api/{api.prefix}/{project}/{path}"


def test_a_project_sees_only_its_own_datasets_and_items(two: V2Api) -> None:
    ds = two.dataset("same name")
    item = two.item(ds["id"])
    other = ok(two.http.post(_in_project(two, 2, "datasets/"), json={"name": "same name"}), 201)
    assert (ds["team_id"], other["team_id"]) == (1, 2)
    listed = ok(two.http.get(_in_project(two, 2, "datasets/")))
    assert [d["id"] for d in listed["results"]] == [other["id"]]
    for path in (
        f"datasets/{ds['id']}/",
        f"datasets/{ds['id']}/revisions/",
        f"dataset_items/{item['id']}/",
        f"dataset_items/{item['id']}/versions/",
    ):
        expect(two.http.get(_in_project(two, 2, path)), 404, NOT_FOUND)
    in_two = _in_project(two, 2, "dataset_items/")
    expect(two.http.get(in_two, params={"dataset": ds["id"]}), 404, NOT_FOUND)
    expect(two.http.post(in_two, json={"dataset": ds["id"], "input": 1}), 404, NOT_FOUND)
    patch = two.http.patch(f"{in_two}{item['id']}/", json={"base_version": 1, "input": 2})
    expect(patch, 404, NOT_FOUND)
    export = two.http.post(_in_project(two, 2, f"datasets/{ds['id']}/exports/"), json={})
    expect(export, 404, NOT_FOUND)
    assert ok(two.get("dataset_items", item["id"])) == item


def test_a_key_scoped_to_a_project_cannot_reach_another(two: V2Api) -> None:
    parent = two.dataset("parent")
    child = ok(two.http.post(_in_project(two, 2, "datasets/"), json={"name": "child"}), 201)
    with as_key(two, "phx_two") as scoped:
        assert ok(scoped.http.get(_in_project(scoped, 2, f"datasets/{child['id']}/")))
        path = _in_project(scoped, 2, f"datasets/{parent['id']}/")
        expect(scoped.http.get(path), 404, NOT_FOUND)
        assert scoped.http.get(_in_project(scoped, 1, "datasets/")).status_code == 403
