"""§5.1-5.3 and §3.4: items: create (validation, provenance, idempotency), list, retrieve."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.emulator.v2.conftest import V2Api
from tests.emulator.v2.helpers import (
    AT_LEAST_ONE,
    DATETIME,
    ITEM_KEYS,
    NOT_AN_INTEGER,
    NOT_FOUND,
    REQUIRED,
    USER_KEYS,
    UUID,
    archive_item,
    conflict,
    count,
    edit,
    expect,
    invalid,
    item_inputs,
    items,
    ok,
    retrieve,
    revision_numbers,
    unsupported,
)

TRACE_NEEDED = invalid(
    "source_trace_id", "Provide a source trace ID when using a source event ID or timestamp."
)
TIMESTAMP_NEEDED = invalid(
    "source_timestamp", "Provide the source timestamp when using a source trace ID."
)
DIFFERENT_CONTENT = "An item with this client item ID already exists with different content."
ARCHIVED_KEY = (
    "An archived item already uses this client item ID. Unarchive that item to use it again."
)


# An id no object has; fixed, not random, so that parallel workers collect the same tests.
UNKNOWN = "5d0c8a4e-1f2b-4c3d-9e8f-0a1b2c3d4e5f"


def _create(api: V2Api, dataset_id: str, **fields: Any) -> Any:
    return api.post("dataset_items", json={"dataset": dataset_id, "input": {"q": "hi"}, **fields})


def _key_conflict(item: dict[str, Any], detail: str, version: int = 1) -> dict[str, Any]:
    return conflict(
        "client_item_id_conflict", detail, current_version=version, current_item_id=item["id"]
    )


# -- create (§5.3) ------------------------------------------------------------------------------


def test_create_answers_201_with_version_1_at_a_new_revision(v2: V2Api) -> None:
    ds = v2.dataset()
    item = ok(_create(v2, ds["id"]), 201)
    assert set(item) == ITEM_KEYS
    assert UUID.match(item["id"]) and UUID.match(item["version_id"])
    assert item["id"] != item["version_id"]
    assert (item["dataset"], item["version"], item["dataset_revision"]) == (ds["id"], 1, 1)
    assert item["archived"] is False and item["input"] == {"q": "hi"}
    assert item["client_item_id"] is None
    assert (item["expected_output"], item["source_output"], item["metadata"]) == (None, None, {})
    sources = (item["source_trace_id"], item["source_event_id"], item["source_timestamp"])
    assert sources == (None, None, None)
    assert item["team_id"] == 1
    assert set(item["created_by"]) == USER_KEYS
    assert item["version_created_by"] == item["created_by"]
    for key in ("created_at", "version_created_at"):
        assert DATETIME.match(item[key]), key
    assert item["updated_at"] is None or DATETIME.match(item["updated_at"])
    revisions = v2.results("datasets", ds["id"], "revisions")
    assert [(r["revision"], r["id"]) for r in revisions] == [(1, item["dataset_revision_id"])]
    dataset = retrieve(v2, "datasets", ds["id"])
    assert (dataset["current_revision"], dataset["current_revision_id"]) == (
        1, item["dataset_revision_id"],
    )  # fmt: skip
    assert retrieve(v2, "dataset_items", item["id"]) == item


def test_create_keeps_every_given_field(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(
        ds["id"],
        client_item_id="case-1",
        input=["a", {"b": [1, 2.5, None, True]}],
        expected_output="answer",
        source_output={"raw": "text"},
        metadata={"tag": "x"},
        source_trace_id="trace-1",
        source_event_id="event-1",
        source_timestamp="2026-07-30T14:00:00+02:00",
    )
    assert item["client_item_id"] == "case-1"
    assert item["input"] == ["a", {"b": [1, 2.5, None, True]}]
    assert (item["expected_output"], item["source_output"]) == ("answer", {"raw": "text"})
    assert (item["metadata"], item["source_trace_id"], item["source_event_id"]) == (
        {"tag": "x"}, "trace-1", "event-1",
    )  # fmt: skip
    assert item["source_timestamp"] == "2026-07-30T12:00:00.000000Z"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("2026-07-30T12:00:00Z", "2026-07-30T12:00:00.000000Z"),
        ("2026-07-30T12:00:00.5+00:00", "2026-07-30T12:00:00.500000Z"),
        ("2026-07-30T12:00:00", "2026-07-30T12:00:00.000000Z"),  # naive: UTC
        ("2026-07-30T08:00:00-04:00", "2026-07-30T12:00:00.000000Z"),
    ],
)
def test_source_timestamps_are_shown_in_utc_with_microseconds(
    v2: V2Api, sent: str, shown: str
) -> None:
    item = v2.item(v2.dataset()["id"], source_trace_id="t", source_timestamp=sent)
    assert item["source_timestamp"] == shown


@pytest.mark.parametrize("value", [False, 0, "", [], {}, "text", 1.5, [[{"deep": None}]]])
def test_input_accepts_any_non_null_json(v2: V2Api, value: Any) -> None:
    ds = v2.dataset()
    created = ok(_create(v2, ds["id"], input=value), 201)
    assert created["input"] == value and type(created["input"]) is type(value)
    assert retrieve(v2, "dataset_items", created["id"])["input"] == value


def test_create_trims_the_client_item_id(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"], client_item_id="  k  ")
    assert item["client_item_id"] == "k"
    assert ok(_create(v2, ds["id"], client_item_id="k"))["id"] == item["id"]


def _blank(attr: str) -> dict[str, Any]:
    return invalid(attr, "This field may not be blank.", "blank")


def _too_long(attr: str) -> dict[str, Any]:
    return invalid(attr, "Ensure this field has no more than 255 characters.", "max_length")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"input": None}, invalid("input", "This field may not be null.", "null")),
        ({"metadata": []}, invalid("metadata", "Enter a JSON object.", "not_object")),
        ({"metadata": "x"}, invalid("metadata", "Enter a JSON object.", "not_object")),
        ({"metadata": None}, invalid("metadata", "This field may not be null.", "null")),
        ({"client_item_id": ""}, _blank("client_item_id")),
        ({"client_item_id": "k" * 256}, _too_long("client_item_id")),
        ({"source_trace_id": "", "source_timestamp": "2026-07-30T12:00:00Z"},
         _blank("source_trace_id")),
        ({"source_trace_id": "t" * 256, "source_timestamp": "2026-07-30T12:00:00Z"},
         _too_long("source_trace_id")),
        ({"source_trace_id": "t", "source_event_id": "e" * 256,
          "source_timestamp": "2026-07-30T12:00:00Z"}, _too_long("source_event_id")),
        ({"zeta": 1, "output": 2}, unsupported("output")),
        ({"input": None, "deleted": False}, unsupported("deleted")),  # unknown keys first
        ({"archived": True}, unsupported("archived")),
        ({"source_event_id": "e"}, TRACE_NEEDED),
        ({"source_timestamp": "2026-07-30T12:00:00Z"}, TRACE_NEEDED),
        ({"source_trace_id": "t"}, TIMESTAMP_NEEDED),
        ({"source_trace_id": "t", "source_event_id": "e"}, TIMESTAMP_NEEDED),
    ],
)  # fmt: skip
def test_create_rejects_bad_bodies(v2: V2Api, fields: dict[str, Any], expected: Any) -> None:
    ds = v2.dataset()
    expect(_create(v2, ds["id"], **fields), 400, expected)
    assert count(v2, "v2_items") == 0 and revision_numbers(v2, ds["id"]) == []


def test_create_without_dataset_or_input_is_400(v2: V2Api) -> None:
    ds = v2.dataset()
    expect(
        v2.post("dataset_items", json={"input": 1}), 400, invalid("dataset", REQUIRED, "required")
    )
    missing_input = invalid("input", REQUIRED, "required")
    expect(v2.post("dataset_items", json={"dataset": ds["id"]}), 400, missing_input)


def test_create_in_a_malformed_dataset_id_is_400(v2: V2Api) -> None:
    response = v2.post("dataset_items", json={"dataset": "not-a-uuid", "input": 1})
    expect(response, 400, invalid("dataset", "Must be a valid UUID."))


def test_create_rejects_a_bad_source_timestamp(v2: V2Api) -> None:
    ds = v2.dataset()
    body = expect(_create(v2, ds["id"], source_trace_id="t", source_timestamp="yesterday"), 400)
    assert (body["code"], body["attr"]) == ("invalid_input", "source_timestamp")


def test_create_in_an_unknown_dataset_is_404(v2: V2Api) -> None:
    expect(_create(v2, str(uuid.uuid4())), 404, NOT_FOUND)


def test_create_checks_the_body_then_the_dataset_then_the_content(v2: V2Api) -> None:
    unknown = str(uuid.uuid4())
    expect(_create(v2, unknown, input=None), 400)  # 1. serializer
    expect(_create(v2, unknown, source_trace_id="t"), 404, NOT_FOUND)  # 2. dataset lookup
    ds = v2.dataset()
    ok(v2.post("datasets", ds["id"], "archive"))
    expect(_create(v2, ds["id"], source_trace_id="t"), 400, TIMESTAMP_NEEDED)  # 3. before 4.


# -- idempotency by client_item_id (§5.3 step 5) ------------------------------------------------


def test_identical_retry_answers_200_with_the_existing_version(v2: V2Api) -> None:
    ds = v2.dataset()
    fields = {
        "client_item_id": "k", "input": {"a": 1, "b": [1, 2]}, "expected_output": "e",
        "source_output": "s", "metadata": {"m": 1}, "source_trace_id": "t",
        "source_event_id": "ev", "source_timestamp": "2026-07-30T12:00:00Z",
    }  # fmt: skip
    first = ok(_create(v2, ds["id"], **fields), 201)
    reordered = {**fields, "input": {"b": [1, 2], "a": 1}}
    assert ok(_create(v2, ds["id"], **reordered)) == first
    same_instant = {**fields, "source_timestamp": "2026-07-30T14:00:00+02:00"}
    assert ok(_create(v2, ds["id"], **same_instant)) == first
    assert revision_numbers(v2, ds["id"]) == [1]
    assert count(v2, "v2_versions") == 1


@pytest.mark.parametrize(
    "change",
    [
        {"input": {"value": 1}},  # true vs 1
        {"expected_output": "other"},
        {"source_output": "other"},
        {"metadata": {"m": 2}},
        {"source_trace_id": "t2"},
        {"source_event_id": "ev2"},
        {"source_timestamp": "2026-07-30T12:00:01Z"},
    ],
)
def test_retry_with_different_content_is_a_conflict(v2: V2Api, change: dict[str, Any]) -> None:
    ds = v2.dataset()
    fields = {
        "client_item_id": "k", "input": {"value": True}, "expected_output": "e",
        "source_output": "s", "metadata": {"m": 1}, "source_trace_id": "t",
        "source_event_id": "ev", "source_timestamp": "2026-07-30T12:00:00Z",
    }  # fmt: skip
    first = ok(_create(v2, ds["id"], **fields), 201)
    expected = _key_conflict(first, DIFFERENT_CONTENT)
    expect(_create(v2, ds["id"], **{**fields, **change}), 409, expected)
    assert revision_numbers(v2, ds["id"]) == [1]


def test_retry_compares_with_the_current_version(v2: V2Api) -> None:
    ds = v2.dataset()
    first = v2.item(ds["id"], client_item_id="k", input="v1")
    ok(edit(v2, first["id"], 1, input="v2"))
    expect(_create(v2, ds["id"], client_item_id="k", input="v1"), 409,
           _key_conflict(first, DIFFERENT_CONTENT, 2))  # fmt: skip
    assert ok(_create(v2, ds["id"], client_item_id="k", input="v2"))["version"] == 2


def test_retry_of_an_archived_item_is_a_conflict(v2: V2Api) -> None:
    ds = v2.dataset()
    first = v2.item(ds["id"], client_item_id="k")
    ok(archive_item(v2, first["id"], 1))
    expect(_create(v2, ds["id"], client_item_id="k"), 409, _key_conflict(first, ARCHIVED_KEY, 2))
    expect(_create(v2, ds["id"], client_item_id="k", input="new"), 409,
           _key_conflict(first, ARCHIVED_KEY, 2))  # fmt: skip
    assert count(v2, "v2_items") == 1 and revision_numbers(v2, ds["id"]) == [2, 1]


def test_client_item_ids_are_per_dataset_and_case_sensitive(v2: V2Api) -> None:
    a, b = v2.dataset("a")["id"], v2.dataset("b")["id"]
    first = v2.item(a, client_item_id="k")
    assert v2.item(b, client_item_id="k")["id"] != first["id"]
    assert v2.item(a, client_item_id="K")["id"] != first["id"]
    v2.item(a)
    v2.item(a)  # items without a key never collide
    assert len(items(v2, a)) == 4


# -- list (§5.1) --------------------------------------------------------------------------------


def test_list_needs_a_valid_visible_dataset(v2: V2Api) -> None:
    expect(v2.get("dataset_items"), 400, invalid("dataset", REQUIRED, "required"))
    bad = invalid("dataset", "Must be a valid UUID.")
    expect(v2.get("dataset_items", dataset="not-a-uuid"), 400, bad)
    expect(v2.get("dataset_items", dataset=str(uuid.uuid4())), 404, NOT_FOUND)


def test_list_rejects_a_non_boolean_archived(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    expected = invalid("archived", "Must be a valid boolean.")
    expect(v2.get("dataset_items", dataset=ds, archived="maybe"), 400, expected)


def test_list_next_link_keeps_the_dataset_filter(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    for n in range(12):
        v2.item(ds, input=n)
    first = ok(v2.get("dataset_items", dataset=ds))
    assert first["count"] == 12 and first["previous"] is None
    second = ok(v2.http.get(first["next"]))
    assert [r["input"] for r in second["results"]] == [1, 0] and second["next"] is None


def test_list_orders_newest_item_first(v2: V2Api) -> None:
    ds = v2.dataset()
    for n in range(3):
        v2.item(ds["id"], input=n)
    assert item_inputs(v2, ds["id"]) == [2, 1, 0]
    ok(edit(v2, items(v2, ds["id"])[2]["id"], 1, input=10))  # an edit does not move it
    assert item_inputs(v2, ds["id"]) == [2, 1, 10]


def test_list_filters_on_the_archived_state_of_the_current_version(v2: V2Api) -> None:
    ds = v2.dataset()
    kept = v2.item(ds["id"], input="kept")
    gone = v2.item(ds["id"], input="gone")
    archived = ok(archive_item(v2, gone["id"], 1))
    assert items(v2, ds["id"]) == [kept]
    assert items(v2, ds["id"], archived="false") == [kept]
    assert items(v2, ds["id"], archived="true") == [archived]
    listed = ok(v2.get("dataset_items", dataset=ds["id"]))
    assert (listed["count"], listed["next"], listed["previous"]) == (1, None, None)


def test_list_default_page_is_10_and_the_cap_25(v2: V2Api) -> None:
    ds = v2.dataset()
    for n in range(26):
        v2.item(ds["id"], input=n)
    assert item_inputs(v2, ds["id"]) == list(range(25, 15, -1))
    capped = ok(v2.get("dataset_items", dataset=ds["id"], limit=1000))
    assert capped["count"] == 26 and len(capped["results"]) == 25
    assert item_inputs(v2, ds["id"], limit=5, offset=24) == [1, 0]
    assert len(items(v2, ds["id"], limit="0")) == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", invalid("revision", NOT_AN_INTEGER)),
        ("0", invalid("revision", AT_LEAST_ONE, "min_value")),
        ("-3", invalid("revision", AT_LEAST_ONE, "min_value")),
    ],
)
def test_list_and_retrieve_reject_a_bad_revision(
    v2: V2Api, value: str, expected: dict[str, Any]
) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    expect(v2.get("dataset_items", dataset=ds["id"], revision=value), 400, expected)
    expect(v2.get("dataset_items", item["id"], revision=value), 400, expected)


def test_list_ignores_unknown_query_parameters(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    assert items(v2, ds["id"], bogus="1") == [item]


# -- retrieve (§5.2) ----------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", [UNKNOWN, "not-a-uuid"])
def test_retrieve_unknown_or_malformed_is_404(v2: V2Api, item_id: str) -> None:
    expect(v2.get("dataset_items", item_id), 404, NOT_FOUND)


def test_retrieve_shows_the_current_version_even_when_archived(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    edited = ok(edit(v2, item["id"], 1, input="new"))
    assert retrieve(v2, "dataset_items", item["id"]) == edited
    archived = ok(archive_item(v2, item["id"], 2))
    shown = retrieve(v2, "dataset_items", item["id"])
    assert shown == archived and shown["archived"] is True and shown["version"] == 3
