"""Section 4: list order, order_by, search, id__in, the items' dataset filter, projects."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.emulator.conftest import Api, envelope

# An id no object has; fixed, not random, so that parallel workers collect the same tests.
UNKNOWN = "5d0c8a4e-1f2b-4c3d-9e8f-0a1b2c3d4e5f"


def _three(api: Api) -> list[dict[str, Any]]:
    """Three datasets created in order; the first is then updated last."""
    rows = [api.dataset(name=f"ds{i}") for i in range(3)]
    api.http.patch(f"/api/projects/1/datasets/{rows[0]['id']}/", json={})
    return rows


def test_default_order_is_newest_first(api: Api) -> None:
    rows = _three(api)
    assert api.list_ids("datasets") == [r["id"] for r in reversed(rows)]


def test_items_are_newest_first(api: Api) -> None:
    ds = api.dataset()["id"]
    items = [api.item(ds)["id"] for _ in range(5)]
    assert api.list_ids("dataset_items", dataset=ds) == items[::-1]
    assert api.list_ids("dataset_items") == items[::-1]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("created_at", [0, 1, 2]),
        ("-created_at", [2, 1, 0]),
        ("updated_at", [1, 2, 0]),
        ("-updated_at", [0, 2, 1]),
        ("updated_at,created_at", [1, 2, 0]),
        ("-updated_at,-created_at", [0, 2, 1]),
        ("", [2, 1, 0]),
    ],
)
def test_order_by(api: Api, order_by: str, expected: list[int]) -> None:
    rows = _three(api)
    assert api.list_ids("datasets", order_by=order_by) == [rows[i]["id"] for i in expected]


@pytest.mark.parametrize("order_by", ["name", "-name", "id", "created_at,bogus", "--created_at"])
def test_invalid_order_by_is_400(api: Api, order_by: str) -> None:
    response = api.http.get("/api/projects/1/datasets/", params={"order_by": order_by})
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == (
        "validation_error",
        "invalid_choice",
        "order_by",
    )
    assert "is not one of the available choices." in body["detail"]


@pytest.fixture
def searchable(api: Api) -> dict[str, str]:
    return {
        "name": api.dataset(name="Customer Support")["id"],
        "description": api.dataset(name="b", description="Refund FLOWS")["id"],
        "metadata": api.dataset(name="c", metadata={"Owner": "search-Quality", "n": 7})["id"],
        "none": api.dataset(name="d", description=None, metadata=None)["id"],
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("support", ["name"]),
        ("CUSTOMER sup", ["name"]),
        ("refund flows", ["description"]),
        ("search-quality", ["metadata"]),
        ("owner", ["metadata"]),  # keys match too
        ('"n": 7', ["metadata"]),  # the JSON text, as PostgreSQL prints it
        ("zzz-no-match", []),
        ("", ["none", "metadata", "description", "name"]),
    ],
)
def test_search(api: Api, searchable: dict[str, str], search: str, expected: list[str]) -> None:
    assert api.list_ids("datasets", search=search) == [searchable[k] for k in expected]


def test_search_combines_with_order_by(api: Api) -> None:
    a = api.dataset(name="match one")["id"]
    api.dataset(name="other")
    b = api.dataset(name="MATCH two")["id"]
    api.http.patch(f"/api/projects/1/datasets/{a}/", json={})
    assert api.list_ids("datasets", search="match", order_by="created_at") == [a, b]
    assert api.list_ids("datasets", search="match", order_by="-updated_at") == [a, b]
    assert api.list_ids("datasets", search="match") == [b, a]


def test_search_wildcards_are_literal(api: Api) -> None:
    api.dataset(name="plain")
    pct = api.dataset(name="100% done")["id"]
    assert api.list_ids("datasets", search="%") == [pct]
    assert api.list_ids("datasets", search="_") == []


def test_id_in(api: Api) -> None:
    rows = [api.dataset(name=str(i))["id"] for i in range(3)]
    assert api.list_ids("datasets", id__in=rows[1]) == [rows[1]]
    assert api.list_ids("datasets", id__in=f"{rows[0]},{rows[2]}") == [rows[2], rows[0]]
    assert api.list_ids("datasets", id__in=f"{uuid.uuid4()}") == []
    assert api.list_ids("datasets", id__in=f"{rows[0]},{uuid.uuid4()}") == [rows[0]]
    assert api.list_ids("datasets", id__in=rows[0].upper()) == [rows[0]]


def test_id_in_combines_with_search(api: Api) -> None:
    a = api.dataset(name="keep")["id"]
    b = api.dataset(name="drop")["id"]
    assert api.list_ids("datasets", id__in=f"{a},{b}", search="keep") == [a]


@pytest.mark.parametrize("value", ["nope", f"{UNKNOWN},nope", "123"])
def test_malformed_id_in_is_400(api: Api, value: str) -> None:
    response = api.http.get("/api/projects/1/datasets/", params={"id__in": value})
    assert response.status_code == 400
    assert response.json() == envelope(
        "validation_error", "invalid_input", "Enter a valid UUID.", "id__in"
    )


@pytest.mark.parametrize("value", ["nope", UNKNOWN])
def test_items_unknown_or_malformed_dataset_filter_is_400(api: Api, value: str) -> None:
    response = api.http.get("/api/projects/1/dataset_items/", params={"dataset": value})
    assert response.status_code == 400
    assert response.json() == envelope(
        "validation_error",
        "invalid_choice",
        "Select a valid choice. That choice is not one of the available choices.",
        "dataset",
    )


def test_items_filter_by_dataset(api: Api) -> None:
    a, b = api.dataset(name="a")["id"], api.dataset(name="b")["id"]
    in_a = [api.item(a)["id"] for _ in range(2)]
    in_b = api.item(b)["id"]
    assert api.list_ids("dataset_items", dataset=a) == in_a[::-1]
    assert api.list_ids("dataset_items", dataset=b) == [in_b]
    assert api.list_ids("dataset_items", dataset="") == [in_b, *in_a[::-1]]


def test_items_ignore_search_and_order_by(api: Api) -> None:
    ds = api.dataset()["id"]
    items = [api.item(ds)["id"] for _ in range(2)]
    assert api.list_ids("dataset_items", search="zzz", order_by="created_at") == items[::-1]


def test_other_projects_rows_are_404_and_unlisted(emulator_factory) -> None:  # type: ignore[no-untyped-def]
    running = emulator_factory(projects=(1, 2))
    api = Api(running)
    mine = api.dataset(project=1)["id"]
    theirs = api.dataset(project=2)["id"]
    their_item = api.item(theirs, project=2)["id"]
    assert api.list_ids("datasets") == [mine]
    assert api.list_ids("dataset_items") == []
    for resource, id_ in (("datasets", theirs), ("dataset_items", their_item)):
        for method in ("GET", "PATCH", "PUT"):
            response = api.http.request(method, f"/api/projects/1/{resource}/{id_}/", json={})
            assert response.status_code == 404, (resource, method)
    # the other project's dataset is not a valid filter or target here
    assert (
        api.http.get("/api/projects/1/dataset_items/", params={"dataset": theirs}).status_code
        == 400
    )
    cross = api.http.post("/api/projects/1/dataset_items/", json={"dataset": theirs})
    assert cross.status_code == 400
    assert api.http.get(f"/api/projects/2/datasets/{theirs}/").json()["team"] == 2
    api.close()
