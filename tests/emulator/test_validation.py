"""Section 5 and 6: validation of writes, with the exact error bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.emulator.conftest import Api, envelope

DATETIME_HELP = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
REQUIRED = "This field is required."


def _v(code: str, detail: str, attr: str | None) -> dict[str, Any]:
    return envelope("validation_error", code, detail, attr)


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        ("POST", {}, _v("required", REQUIRED, "name")),
        ("POST", {"description": "no name"}, _v("required", REQUIRED, "name")),
        ("PUT", {"description": "no name"}, _v("required", REQUIRED, "name")),
        ("POST", {"name": ""}, _v("blank", "This field may not be blank.", "name")),
        ("POST", {"name": "   \t"}, _v("blank", "This field may not be blank.", "name")),
        ("PATCH", {"name": " "}, _v("blank", "This field may not be blank.", "name")),
        ("POST", {"name": None}, _v("null", "This field may not be null.", "name")),
        ("POST", {"name": ["x"]}, _v("invalid_input", "Not a valid string.", "name")),
        ("POST", {"name": True}, _v("invalid_input", "Not a valid string.", "name")),
        (
            "POST",
            {"name": "x" * 401},
            _v("max_length", "Ensure this field has no more than 400 characters.", "name"),
        ),
        (
            "PATCH",
            {"name": "x" * 401},
            _v("max_length", "Ensure this field has no more than 400 characters.", "name"),
        ),
        (
            "POST",
            {"name": "a", "deleted": "maybe"},
            _v("invalid_input", "Must be a valid boolean.", "deleted"),
        ),
        (
            "POST",
            {"name": "a", "description": {}},
            _v("invalid_input", "Not a valid string.", "description"),
        ),
        # only the first problem, in the serializer's field order
        ("POST", {"deleted": "x", "name": ""}, _v("blank", "This field may not be blank.", "name")),
        (
            "POST",
            ["not", "an", "object"],
            _v("invalid_input", "Invalid data. Expected a dictionary, but got list.", None),
        ),
    ],
)
def test_dataset_validation(api: Api, method: str, body: Any, expected: dict[str, Any]) -> None:
    url = "/api/projects/1/datasets/"
    if method != "POST":
        url += f"{api.dataset()['id']}/"
    response = api.http.request(method, url, json=body)
    assert response.status_code == 400
    assert response.json() == expected


def test_dataset_limits_are_inclusive(api: Api) -> None:
    assert api.dataset(name="x" * 400)["name"] == "x" * 400
    assert len(api.dataset(name=" " + "y" * 400 + " ")["name"]) == 400  # trimmed first


def _item_cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    unknown = str(uuid.uuid4())
    return [
        ("POST", {"input": 1}, _v("required", REQUIRED, "dataset")),
        ("PUT", {"input": 1}, _v("required", REQUIRED, "dataset")),
        ("POST", {"dataset": None}, _v("null", "This field may not be null.", "dataset")),
        (
            "POST",
            {"dataset": "nope"},
            _v("invalid_input", "“nope” is not a valid UUID.", "dataset"),
        ),
        (
            "POST",
            {"dataset": unknown},
            _v("does_not_exist", f'Invalid pk "{unknown}" - object does not exist.', "dataset"),
        ),
        (
            "PATCH",
            {"dataset": unknown},
            _v("does_not_exist", f'Invalid pk "{unknown}" - object does not exist.', "dataset"),
        ),
        (
            "POST",
            {"dataset": True},
            _v("incorrect_type", "Incorrect type. Expected pk value, received bool.", "dataset"),
        ),
        (
            "PATCH",
            {"ref_trace_id": "t" * 256},
            _v("max_length", "Ensure this field has no more than 255 characters.", "ref_trace_id"),
        ),
        (
            "PATCH",
            {"ref_source_id": "s" * 256},
            _v("max_length", "Ensure this field has no more than 255 characters.", "ref_source_id"),
        ),
        (
            "PATCH",
            {"ref_timestamp": "yesterday"},
            _v("invalid_input", DATETIME_HELP, "ref_timestamp"),
        ),
        (
            "PATCH",
            {"ref_timestamp": 1700000000},
            _v("invalid_input", DATETIME_HELP, "ref_timestamp"),
        ),
        ("PATCH", {"ref_timestamp": ""}, _v("invalid_input", DATETIME_HELP, "ref_timestamp")),
        ("PATCH", {"deleted": [True]}, _v("invalid_input", "Must be a valid boolean.", "deleted")),
        # first problem in field order: dataset before ref_timestamp
        (
            "POST",
            {"ref_timestamp": "bad", "dataset": "nope"},
            _v("invalid_input", "“nope” is not a valid UUID.", "dataset"),
        ),
    ]


@pytest.mark.parametrize(("method", "body", "expected"), _item_cases())
def test_item_validation(api: Api, method: str, body: Any, expected: dict[str, Any]) -> None:
    url = "/api/projects/1/dataset_items/"
    if method != "POST":
        url += f"{api.item(api.dataset()['id'])['id']}/"
    response = api.http.request(method, url, json=body)
    assert response.status_code == 400
    assert response.json() == expected


def test_ref_fields_limits_and_independence(api: Api) -> None:
    ds = api.dataset()["id"]
    item = api.item(ds, ref_trace_id="t" * 255, ref_source_id="s" * 255)
    assert (len(item["ref_trace_id"]), len(item["ref_source_id"])) == (255, 255)
    only_ts = api.item(ds, ref_timestamp="2025-09-05T12:34:56+02:00")
    assert only_ts["ref_timestamp"] == "2025-09-05T10:34:56.000000Z"
    assert only_ts["ref_trace_id"] is None and only_ts["ref_source_id"] is None
    naive = api.item(ds, ref_timestamp="2025-09-05 12:34:56.5")
    assert naive["ref_timestamp"] == "2025-09-05T12:34:56.500000Z"


def test_cross_project_dataset_binding_is_refused(emulator_factory) -> None:  # type: ignore[no-untyped-def]
    api = Api(emulator_factory(projects=(1, 2)))
    theirs = api.dataset(project=2)["id"]
    mine = api.item(api.dataset(project=1)["id"])["id"]
    expected = _v("does_not_exist", f'Invalid pk "{theirs}" - object does not exist.', "dataset")
    created = api.http.post("/api/projects/1/dataset_items/", json={"dataset": theirs})
    moved = api.http.patch(f"/api/projects/1/dataset_items/{mine}/", json={"dataset": theirs})
    assert (created.status_code, created.json()) == (400, expected)
    assert (moved.status_code, moved.json()) == (400, expected)
    api.close()


def _python_reason(body: bytes) -> str:
    try:
        json.loads(body)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("valid JSON")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{bad", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b'{"name": "x",}', _python_reason(b'{"name": "x",}')),  # wording varies by Python
        (b'{"name": NaN}', "Out of range float values are not JSON compliant: 'NaN'"),
        (b'{"name": 1e999}', "Out of range float values are not JSON compliant: '1e999'"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_invalid_json_is_parse_error(api: Api, body: bytes, reason: str, method: str) -> None:
    url = "/api/projects/1/datasets/"
    if method == "PATCH":
        url += f"{api.dataset()['id']}/"
    response = api.http.request(
        method, url, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == envelope(
        "invalid_request", "parse_error", f"JSON parse error - {reason}"
    )


def test_non_utf8_body_is_parse_error(api: Api) -> None:
    response = api.http.post("/api/projects/1/datasets/", content=b'{"name": "\xff"}')
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_failed_write_changes_nothing(api: Api) -> None:
    ds = api.dataset(name="keep")
    bad = api.http.patch(
        f"/api/projects/1/datasets/{ds['id']}/", json={"description": "new", "name": ""}
    )
    assert bad.status_code == 400
    assert api.http.get(f"/api/projects/1/datasets/{ds['id']}/").json() == ds
