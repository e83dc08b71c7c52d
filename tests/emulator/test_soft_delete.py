"""Section 3: soft delete, restore, and what a deleted row still allows."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Api

RESOURCES = ["datasets", "dataset_items"]


def _row(api: Api, resource: str) -> dict[str, object]:
    ds = api.dataset()
    return ds if resource == "datasets" else api.item(str(ds["id"]))


@pytest.mark.parametrize("resource", RESOURCES)
def test_soft_delete_hides_from_list_and_retrieve(api: Api, resource: str) -> None:
    row = _row(api, resource)
    url = f"/api/projects/1/{resource}/{row['id']}/"
    deleted = api.http.patch(url, json={"deleted": True})
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert row["id"] not in api.list_ids(resource)
    assert api.http.get(url).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_undelete_restores(api: Api, resource: str) -> None:
    row = _row(api, resource)
    url = f"/api/projects/1/{resource}/{row['id']}/"
    api.http.patch(url, json={"deleted": True})
    restored = api.http.patch(url, json={"deleted": False})
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    assert api.http.get(url).json()["id"] == row["id"]
    assert row["id"] in api.list_ids(resource)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_deleted_row_is_still_writable_and_stays_deleted(
    api: Api, resource: str, method: str
) -> None:
    row = _row(api, resource)
    url = f"/api/projects/1/{resource}/{row['id']}/"
    api.http.patch(url, json={"deleted": True})
    body: dict[str, object] = {"metadata": {"edited": True}}
    if method == "PUT":
        body |= {"name": "renamed"} if resource == "datasets" else {"dataset": row.get("dataset")}
    response = api.http.request(method, url, json=body)
    assert response.status_code == 200
    assert response.json()["deleted"] is True and response.json()["metadata"] == {"edited": True}
    assert api.http.get(url).status_code == 404
    restored = api.http.patch(url, json={"deleted": False}).json()
    assert restored["metadata"] == {"edited": True}


def test_deleting_a_dataset_does_not_cascade(api: Api) -> None:
    ds = api.dataset()["id"]
    item = api.item(ds)["id"]
    api.http.patch(f"/api/projects/1/datasets/{ds}/", json={"deleted": True})
    assert api.list_ids("dataset_items") == [item]
    assert api.http.get(f"/api/projects/1/dataset_items/{item}/").status_code == 200
    # the filter still accepts the deleted dataset
    assert api.list_ids("dataset_items", dataset=ds) == [item]


def test_items_can_be_created_in_and_moved_into_a_deleted_dataset(api: Api) -> None:
    gone = api.dataset(name="gone")["id"]
    live = api.dataset(name="live")["id"]
    api.http.patch(f"/api/projects/1/datasets/{gone}/", json={"deleted": True})
    created = api.item(gone)
    assert created["dataset"] == gone
    other = api.item(live)["id"]
    moved = api.http.patch(f"/api/projects/1/dataset_items/{other}/", json={"dataset": gone})
    assert moved.status_code == 200 and moved.json()["dataset"] == gone


def test_no_way_to_list_deleted_rows(api: Api) -> None:
    ds = api.dataset()["id"]
    api.http.patch(f"/api/projects/1/datasets/{ds}/", json={"deleted": True})
    for params in ({"id__in": ds}, {"search": "a dataset"}, {"deleted": "true"}):
        assert api.list_ids("datasets", **params) == []
