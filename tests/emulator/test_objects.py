"""Section 2: objects, their fields and their order, ids, timestamps, read-only fields."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from explorer.emulator import DEMO_API_KEY
from tests.emulator.conftest import Api

DATASET_FIELDS = [
    "id", "name", "description", "metadata", "created_at", "updated_at", "deleted",
    "created_by", "team",
]  # fmt: skip
ITEM_FIELDS = [
    "id", "dataset", "input", "output", "metadata", "ref_trace_id", "ref_timestamp",
    "ref_source_id", "deleted", "created_at", "updated_at", "created_by", "team",
]  # fmt: skip
USER_FIELDS = [
    "id", "uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified",
    "hedgehog_config", "role_at_organization",
]  # fmt: skip
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_create_list_get_edit_dataset(api: Api) -> None:
    created = api.dataset(name="evals", description="d", metadata={"k": [1, 2]})
    assert list(created) == DATASET_FIELDS
    assert (created["name"], created["description"], created["metadata"]) == (
        "evals", "d", {"k": [1, 2]},
    )  # fmt: skip
    assert created["deleted"] is False and created["team"] == 1
    listed = api.http.get("/api/projects/1/datasets/").json()
    assert listed["count"] == 1 and listed["results"] == [created]
    got = api.http.get(f"/api/projects/1/datasets/{created['id']}/").json()
    assert got == created
    edited = api.http.patch(f"/api/projects/1/datasets/{created['id']}/", json={"name": "new"})
    assert edited.status_code == 200 and edited.json()["name"] == "new"
    assert edited.json()["description"] == "d"
    replaced = api.http.put(
        f"/api/projects/1/datasets/{created['id']}/", json={"name": "put", "description": None}
    ).json()
    assert (replaced["name"], replaced["description"], replaced["metadata"]) == (
        "put", None, {"k": [1, 2]},
    )  # fmt: skip
    assert api.http.get(f"/api/projects/1/datasets/{created['id']}/").json() == replaced


def test_create_list_get_edit_item(api: Api) -> None:
    ds = api.dataset()["id"]
    other = api.dataset(name="other")["id"]
    created = api.item(
        ds,
        output="hello",
        metadata={"m": True},
        ref_trace_id="trace-1",
        ref_timestamp="2025-09-05T12:34:56.123456Z",
        ref_source_id="span-1",
    )
    assert list(created) == ITEM_FIELDS
    assert created["dataset"] == ds and created["input"] == {"q": "hi"}
    assert created["ref_timestamp"] == "2025-09-05T12:34:56.123456Z"
    assert api.list_ids("dataset_items") == [created["id"]]
    got = api.http.get(f"/api/projects/1/dataset_items/{created['id']}/").json()
    assert got == created
    moved = api.http.patch(
        f"/api/projects/1/dataset_items/{created['id']}/", json={"dataset": other}
    )
    assert moved.json()["dataset"] == other
    assert api.list_ids("dataset_items", dataset=ds) == []
    assert api.list_ids("dataset_items", dataset=other) == [created["id"]]
    put = api.http.put(
        f"/api/projects/1/dataset_items/{created['id']}/", json={"dataset": ds, "output": [1]}
    ).json()
    assert put["dataset"] == ds and put["output"] == [1] and put["ref_trace_id"] == "trace-1"


def test_defaults_of_a_minimal_create(api: Api) -> None:
    ds = api.http.post("/api/projects/1/datasets/", json={"name": "x"}).json()
    assert (ds["description"], ds["metadata"], ds["deleted"]) == (None, None, False)
    item = api.http.post("/api/projects/1/dataset_items/", json={"dataset": ds["id"]}).json()
    assert [item[k] for k in ITEM_FIELDS[2:9]] == [None] * 6 + [False]


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_ids_are_lower_case_uuid7(api: Api, resource: str) -> None:
    ds = api.dataset()
    row = ds if resource == "datasets" else api.item(ds["id"])
    assert UUID7.match(row["id"])
    # the UUIDv7 time is the creation time
    ms = int(row["id"].replace("-", "")[:12], 16)
    assert abs(ms / 1000 - _ts(row["created_at"]).timestamp()) < 0.002


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_timestamps_are_server_clock_utc_with_microseconds(api: Api, resource: str) -> None:
    before = datetime.now(UTC)
    ds = api.dataset()
    row = ds if resource == "datasets" else api.item(ds["id"])
    after = datetime.now(UTC)
    for field in ("created_at", "updated_at"):
        assert TIMESTAMP.match(row[field]), row[field]
        assert before - timedelta(seconds=1) <= _ts(row[field]) <= after + timedelta(seconds=1)
    assert row["created_at"] == row["updated_at"]


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_updated_at_bumps_on_every_save_even_a_no_op(api: Api, resource: str, method: str) -> None:
    ds = api.dataset()
    row = ds if resource == "datasets" else api.item(ds["id"])
    body = (
        {}
        if method == "PATCH"
        else ({"name": ds["name"]} if resource == "datasets" else {"dataset": ds["id"]})
    )
    url = f"/api/projects/1/{resource}/{row['id']}/"
    first = api.http.request(method, url, json=body).json()
    second = api.http.request(method, url, json=body).json()
    assert _ts(row["updated_at"]) < _ts(first["updated_at"]) < _ts(second["updated_at"])
    assert first["created_at"] == second["created_at"] == row["created_at"]
    assert {k: v for k, v in second.items() if k != "updated_at"} == {
        k: v for k, v in row.items() if k != "updated_at"
    }


def test_created_by_is_the_keys_user_in_userbasic_order(api: Api) -> None:
    ds = api.dataset()
    assert list(ds["created_by"]) == USER_FIELDS
    assert ds["created_by"]["email"] == "demo@example.com"
    assert isinstance(ds["created_by"]["id"], int)
    assert api.item(ds["id"])["created_by"] == ds["created_by"]


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_read_only_and_unknown_keys_are_ignored(api: Api, resource: str) -> None:
    ds = api.dataset()
    junk = {
        "id": "0195a0b8-7c00-7000-8000-0000000000ff",
        "team": 99,
        "created_by": {"id": 42, "email": "evil@example.com"},
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
        "no_such_field": 1,
    }
    base = {"name": "n"} if resource == "datasets" else {"dataset": ds["id"]}
    created = api.http.post(f"/api/projects/1/{resource}/", json={**base, **junk}).json()
    assert created["id"] != junk["id"] and created["team"] == 1
    assert created["created_by"]["email"] == "demo@example.com"
    assert not created["created_at"].startswith("2000") and "no_such_field" not in created
    patched = api.http.patch(f"/api/projects/1/{resource}/{created['id']}/", json=junk).json()
    assert patched["id"] == created["id"] and patched["team"] == 1
    assert patched["created_at"] == created["created_at"]
    assert patched["created_by"] == created["created_by"]


BIG = 1234567890123456789012345678901234567890


def test_big_integers_round_trip_exactly(api: Api) -> None:
    payload = f'{{"name": "big", "metadata": {{"n": {BIG}, "neg": -{BIG}, "f": 0.1}}}}'
    created = api.http.post(
        "/api/projects/1/datasets/", content=payload, headers={"content-type": "application/json"}
    )
    assert re.search(rf'"n":\s*{BIG}\b', created.text)  # digits on the wire, not a float
    assert json.loads(created.text)["metadata"] == {"n": BIG, "neg": -BIG, "f": 0.1}
    item = api.http.post(
        "/api/projects/1/dataset_items/",
        content=f'{{"dataset": "{created.json()["id"]}", "input": [{BIG}, 9007199254740993]}}',
        headers={"content-type": "application/json"},
    )
    got = api.http.get(f"/api/projects/1/dataset_items/{item.json()['id']}/")
    assert json.loads(got.text)["input"] == [BIG, 9007199254740993]


@pytest.mark.parametrize(
    "value", [None, "text", 0, -1.5, True, [], {}, [1, {"a": None}], {"nested": {"deep": [1]}}]
)
def test_json_fields_accept_any_json(api: Api, value: object) -> None:
    ds = api.dataset(metadata=value)
    assert ds["metadata"] == value
    item = api.item(ds["id"], input=value, output=value, metadata=value)
    got = api.http.get(f"/api/projects/1/dataset_items/{item['id']}/").json()
    assert (got["input"], got["output"], got["metadata"]) == (value, value, value)


def test_unicode_round_trips(api: Api) -> None:
    text = "emoji 🦔, rtl שלום, nul-free \u2028 and \\ escapes"
    body = json.dumps({"name": text, "metadata": {"k": text, "lone": "\ud800"}})  # \u escapes
    ds = api.http.post("/api/projects/1/datasets/", content=body).json()
    got = api.http.get(f"/api/projects/1/datasets/{ds['id']}/").json()
    assert got["name"] == text and got["metadata"] == {"k": text, "lone": "\ud800"}


def test_names_are_trimmed_and_not_unique(api: Api) -> None:
    a = api.dataset(name="  same  ")
    b = api.dataset(name="same")
    assert a["name"] == b["name"] == "same" and a["id"] != b["id"]


def test_numbers_are_accepted_as_strings_like_drf(api: Api) -> None:
    assert api.dataset(name=123)["name"] == "123"


def test_deleted_accepts_null(api: Api) -> None:
    ds = api.dataset(deleted=None)
    assert ds["deleted"] is None
    # PostHog hides only deleted=True, so a null one stays listed and retrievable
    assert api.list_ids("datasets") == [ds["id"]]


def test_the_demo_key_is_the_default(api: Api) -> None:
    assert api.running.api_key == DEMO_API_KEY


def test_ids_increase_with_creation(api: Api) -> None:
    ids = [api.dataset(name=str(i))["id"] for i in range(20)]
    assert ids == sorted(ids)  # the server clock never repeats
