"""§5.4-5.6: item PATCH, archive and restore: their effects and their order of checks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.emulator.v2.conftest import V2Api
from tests.emulator.v2.helpers import (
    AT_LEAST_ONE,
    NOT_AN_INTEGER,
    NOT_FOUND,
    REQUIRED,
    archive_item,
    conflict,
    edit,
    expect,
    invalid,
    items,
    ok,
    restore_item,
    retrieve,
    revision_numbers,
    stale,
    unsupported,
    version_numbers,
    when,
)

NULL_INPUT = invalid("input", "This field may not be null.", "null")
SOURCES = {
    "source_output": {"raw": 1}, "source_trace_id": "t", "source_event_id": "e",
    "source_timestamp": "2026-07-30T12:00:00Z",
}  # fmt: skip


def _state(item: dict[str, Any], version: int, detail: str) -> dict[str, Any]:
    code = "dataset_item_active" if "active" in detail else "dataset_item_archived"
    return conflict(code, detail, current_version=version, current_item_id=item["id"])


def _setup(v2: V2Api, **fields: Any) -> tuple[str, dict[str, Any]]:
    ds = v2.dataset()["id"]
    body = {"input": "v1", "expected_output": "out", "metadata": {"m": 1}, **SOURCES, **fields}
    return ds, v2.item(ds, **body)


# -- PATCH (§5.4) -------------------------------------------------------------------------------


def test_patch_makes_version_2_at_revision_2_and_carries_the_rest(v2: V2Api) -> None:
    ds, item = _setup(v2)
    response = edit(v2, item["id"], 1, input="v2")
    new = ok(response)  # 200, never 201
    assert (new["id"], new["version"], new["dataset_revision"]) == (item["id"], 2, 2)
    assert new["version_id"] != item["version_id"]
    assert new["dataset_revision_id"] != item["dataset_revision_id"]
    assert new["input"] == "v2" and new["archived"] is False
    kept = ("expected_output", "metadata", "client_item_id", "created_at", "created_by", *SOURCES)
    assert {k: new[k] for k in kept} == {k: item[k] for k in kept}
    assert when(new["version_created_at"]) > when(item["version_created_at"])
    assert when(new["updated_at"]) >= when(new["version_created_at"])
    dataset = retrieve(v2, "datasets", ds)
    assert (dataset["current_revision"], dataset["current_revision_id"]) == (
        2, new["dataset_revision_id"],
    )  # fmt: skip
    assert when(dataset["updated_at"]) >= when(new["version_created_at"])
    assert retrieve(v2, "dataset_items", item["id"]) == new


def test_patch_null_clears_expected_output_and_empty_metadata_clears_metadata(v2: V2Api) -> None:
    _, item = _setup(v2)
    new = ok(edit(v2, item["id"], 1, expected_output=None, metadata={}))
    assert (new["input"], new["expected_output"], new["metadata"]) == ("v1", None, {})
    assert new["source_output"] == {"raw": 1}


def test_patch_replaces_metadata_as_a_whole(v2: V2Api) -> None:
    _, item = _setup(v2, metadata={"a": 1, "b": 2})
    assert ok(edit(v2, item["id"], 1, metadata={"c": 3}))["metadata"] == {"c": 3}


@pytest.mark.parametrize(
    "fields",
    [{}, {"input": "v1"}, {"metadata": {"m": 1}, "expected_output": "out"}],
)
def test_unchanged_patch_answers_the_current_version_and_commits_nothing(
    v2: V2Api, fields: dict[str, Any]
) -> None:
    ds, item = _setup(v2)
    assert ok(edit(v2, item["id"], 1, **fields)) == item
    assert revision_numbers(v2, ds) == [1] and version_numbers(v2, item["id"]) == [1]
    assert retrieve(v2, "dataset_items", item["id"])["updated_at"] == item["updated_at"]


def test_unchanged_patch_ignores_object_key_order(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input={"a": 1, "b": {"c": 2, "d": 3}})
    assert ok(edit(v2, item["id"], 1, input={"b": {"d": 3, "c": 2}, "a": 1})) == item
    assert ok(edit(v2, item["id"], 1, input={"a": True, "b": {"c": 2, "d": 3}}))["version"] == 2


def test_patch_of_an_unknown_item_is_404_before_the_body(v2: V2Api) -> None:
    expect(v2.patch("dataset_items", uuid.uuid4(), json={"bogus": 1}), 404, NOT_FOUND)
    expect(v2.patch("dataset_items", "not-a-uuid", json={"base_version": 1}), 404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"input": "x"}, invalid("base_version", REQUIRED, "required")),
        ({"base_version": "abc"}, invalid("base_version", NOT_AN_INTEGER)),
        ({"base_version": 0}, invalid("base_version", AT_LEAST_ONE, "min_value")),
        ({"base_version": True}, invalid("base_version", NOT_AN_INTEGER)),
        ({"base_version": 1.5}, invalid("base_version", NOT_AN_INTEGER)),
        ({"base_version": 1, "input": None}, NULL_INPUT),
        ({"base_version": 1, "metadata": [1]},
         invalid("metadata", "Enter a JSON object.", "not_object")),
        ({"base_version": 1, "source_output": "x"}, unsupported("source_output")),
        ({"base_version": 1, "client_item_id": "x"}, unsupported("client_item_id")),
        ({"base_version": 1, "dataset": "x"}, unsupported("dataset")),
        ({"base_version": 1, "archived": True}, unsupported("archived")),
        ({"base_version": 1, "source_trace_id": "x"}, unsupported("source_trace_id")),
        ({"base_version": 1, "source_event_id": "x"}, unsupported("source_event_id")),
        ({"base_version": 1, "source_timestamp": "x"}, unsupported("source_timestamp")),
        ({"zeta": 1, "archived": True}, unsupported("archived")),
    ],
)  # fmt: skip
def test_patch_rejects_bad_bodies(v2: V2Api, body: dict[str, Any], expected: Any) -> None:
    ds, item = _setup(v2)
    expect(v2.patch("dataset_items", item["id"], json=body), 400, expected)
    assert revision_numbers(v2, ds) == [1]


def test_patch_checks_the_body_before_the_dataset_state(v2: V2Api) -> None:
    ds, item = _setup(v2)
    ok(v2.post("datasets", ds, "archive"))
    expect(v2.patch("dataset_items", item["id"], json={}), 400,
           invalid("base_version", REQUIRED, "required"))  # fmt: skip


@pytest.mark.parametrize("base", [1, 3])
def test_stale_patch_is_a_conflict_and_commits_nothing(v2: V2Api, base: int) -> None:
    ds, item = _setup(v2)
    ok(edit(v2, item["id"], 1, input="v2"))
    expect(edit(v2, item["id"], base, input="v3"), 409, stale(item, 2))
    assert revision_numbers(v2, ds) == [2, 1]
    assert retrieve(v2, "dataset_items", item["id"])["input"] == "v2"


def test_patch_of_an_archived_item_is_a_conflict_after_the_stale_check(v2: V2Api) -> None:
    ds, item = _setup(v2)
    ok(archive_item(v2, item["id"], 1))
    expect(edit(v2, item["id"], 1, input="x"), 409, stale(item, 2))
    expected = _state(item, 2, "Restore this dataset item before updating it.")
    expect(edit(v2, item["id"], 2, input="x"), 409, expected)
    expect(edit(v2, item["id"], 2), 409, expected)
    assert revision_numbers(v2, ds) == [2, 1]


# -- archive (§5.5) -----------------------------------------------------------------------------


def test_archive_commits_an_archived_copy_of_the_current_content(v2: V2Api) -> None:
    ds, item = _setup(v2)
    archived = ok(archive_item(v2, item["id"], 1))
    assert (archived["version"], archived["dataset_revision"], archived["archived"]) == (2, 2, True)
    content = ("input", "expected_output", "metadata", *SOURCES)
    assert {k: archived[k] for k in content} == {k: item[k] for k in content}
    assert items(v2, ds) == [] and items(v2, ds, archived="true") == [archived]
    assert version_numbers(v2, item["id"]) == [2, 1]
    assert retrieve(v2, "datasets", ds)["current_revision"] == 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, invalid("base_version", REQUIRED, "required")),
        ({}, invalid("base_version", REQUIRED, "required")),
        ({"base_version": "x"}, invalid("base_version", NOT_AN_INTEGER)),
        ({"base_version": 0}, invalid("base_version", AT_LEAST_ONE, "min_value")),
        ({"base_version": 1, "source_version": 1}, unsupported("source_version")),
    ],
)
def test_archive_rejects_bad_bodies(v2: V2Api, body: Any, expected: Any) -> None:
    ds, item = _setup(v2)
    expect(v2.post("dataset_items", item["id"], "archive", json=body), 400, expected)
    assert revision_numbers(v2, ds) == [1]


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_archive_and_restore_of_an_unknown_item_is_404(v2: V2Api, action: str) -> None:
    expect(v2.post("dataset_items", uuid.uuid4(), action, json={"base_version": 1}), 404, NOT_FOUND)


def test_archive_checks_stale_then_already_archived(v2: V2Api) -> None:
    ds, item = _setup(v2)
    expect(archive_item(v2, item["id"], 2), 409, stale(item, 1))
    ok(archive_item(v2, item["id"], 1))
    expect(archive_item(v2, item["id"], 1), 409, stale(item, 2))
    expected = _state(item, 2, "This dataset item is already archived.")
    expect(archive_item(v2, item["id"], 2), 409, expected)
    assert revision_numbers(v2, ds) == [2, 1]


# -- restore (§5.6) -----------------------------------------------------------------------------


def test_restore_commits_an_active_copy_of_the_archived_content(v2: V2Api) -> None:
    ds, item = _setup(v2)
    ok(archive_item(v2, item["id"], 1))
    restored = ok(restore_item(v2, item["id"], 2))  # no equality short-circuit
    assert (restored["version"], restored["dataset_revision"], restored["archived"]) == (
        3,
        3,
        False,
    )
    content = ("input", "expected_output", "metadata", *SOURCES)
    assert {k: restored[k] for k in content} == {k: item[k] for k in content}
    assert items(v2, ds) == [restored] and items(v2, ds, archived="true") == []


def test_restore_from_a_source_version_copies_its_editable_fields(v2: V2Api) -> None:
    _, item = _setup(v2)
    ok(edit(v2, item["id"], 1, input="v2", expected_output=None, metadata={"m": 2}))
    ok(archive_item(v2, item["id"], 2))
    restored = ok(restore_item(v2, item["id"], 3, source=1))
    assert restored["version"] == 4 and restored["archived"] is False
    assert (restored["input"], restored["expected_output"], restored["metadata"]) == (
        "v1", "out", {"m": 1},
    )  # fmt: skip
    assert {k: restored[k] for k in SOURCES} == {k: item[k] for k in SOURCES}


def test_restore_may_copy_an_archived_version(v2: V2Api) -> None:
    _, item = _setup(v2)
    ok(archive_item(v2, item["id"], 1))
    restored = ok(restore_item(v2, item["id"], 2, source=2))
    assert restored["archived"] is False and restored["input"] == "v1"


def test_restore_with_a_null_source_version_uses_the_current_content(v2: V2Api) -> None:
    _, item = _setup(v2)
    ok(edit(v2, item["id"], 1, input="v2"))
    ok(archive_item(v2, item["id"], 2))
    body = {"base_version": 3, "source_version": None}
    assert ok(v2.post("dataset_items", item["id"], "restore", json=body))["input"] == "v2"


def test_restore_from_a_missing_source_version_is_404(v2: V2Api) -> None:
    ds, item = _setup(v2)
    ok(archive_item(v2, item["id"], 1))
    expect(restore_item(v2, item["id"], 2, source=7), 404, NOT_FOUND)
    assert revision_numbers(v2, ds) == [2, 1]


def test_restore_checks_stale_then_active_then_the_source_version(v2: V2Api) -> None:
    ds, item = _setup(v2)
    expect(restore_item(v2, item["id"], 2, source=9), 409, stale(item, 1))
    expected = _state(item, 1, "This dataset item is already active.")
    expect(restore_item(v2, item["id"], 1, source=9), 409, expected)
    expect(restore_item(v2, item["id"], 1), 409, expected)
    assert revision_numbers(v2, ds) == [1]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, invalid("base_version", REQUIRED, "required")),
        ({"base_version": 2, "source_version": "x"}, invalid("source_version", NOT_AN_INTEGER)),
        (
            {"base_version": 2, "source_version": 0},
            invalid("source_version", AT_LEAST_ONE, "min_value"),
        ),
        ({"base_version": 2, "input": "x"}, unsupported("input")),
    ],
)
def test_restore_rejects_bad_bodies(v2: V2Api, body: dict[str, Any], expected: Any) -> None:
    ds, item = _setup(v2)
    ok(archive_item(v2, item["id"], 1))
    expect(v2.post("dataset_items", item["id"], "restore", json=body), 400, expected)
    assert revision_numbers(v2, ds) == [2, 1]
