"""§12: PostHog's own tests (test_datasets.py @ 04dae500, test_dataset_export.py @ 42120583).

One function per PostHog test, under PostHog's name, parametrised where PostHog's is. Where
PostHog patches a limit or a page cap, the server's option or the real cap is used instead.

Left out, because they check internals the emulator does not have:
- 35 test_dataset_export_logs_exported_asset_activity: activity log entries are not emulated.
- test_export_stops_when_the_jsonl_size_limit_is_reached: the worker's 250 MB guard.
- test_export_rechecks_access (lost access, flag disabled): the worker's re-checks of RBAC and
  of the flag while an export runs (one user, and the flag is fixed per server).
- test_export_retries_when_feature_flag_evaluation_is_unavailable: Temporal retry internals.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from tests.emulator.v2.conftest import V2Api, V2Factory
from tests.emulator.v2.helpers import (
    EXPORT_KEYS,
    JSONL_KEYS,
    NOT_FOUND,
    STILL_PREPARING,
    STUCK,
    archive_item,
    as_key,
    backdate_export,
    count,
    datasets_limit,
    edit,
    execute,
    expect,
    is_db_refusal,
    item_inputs,
    items,
    items_limit,
    jsonl,
    missing_scope,
    not_allowed,
    ok,
    request,
    reserved_slot,
    restore_item,
    retrieve,
    revision_numbers,
    scalar,
    unsupported,
    version_numbers,
    versions_limit,
)

TIMESTAMP = "2026-07-30T12:00:00Z"


def _versions(api: V2Api, item_id: str, **params: Any) -> dict[str, Any]:
    return ok(api.get("dataset_items", item_id, "versions", **params))


def _in(api: V2Api, project: int, path: str) -> str:
    return f"/api/{api.prefix}/{project}/{path}"


def test_feature_flag_gates_the_api_server_side(v2_factory: V2Factory) -> None:
    v2 = v2_factory(datasets_flag=False)
    assert v2.get("datasets").status_code == 403


def test_dataset_lifecycle_and_name_uniqueness(v2: V2Api) -> None:
    ds = v2.dataset("  Support answers  ")
    again = expect(v2.post("datasets", json={"name": "  Support answers  "}), 409)
    assert again["code"] == "dataset_name_conflict"
    assert ok(v2.post("datasets", ds["id"], "archive"))["archived"] is True
    assert v2.results("datasets") == []
    assert [d["id"] for d in v2.results("datasets", archived="true")] == [ds["id"]]
    assert "user_access_level" in retrieve(v2, "datasets", ds["id"])
    created = v2.post("dataset_items", json={"dataset": ds["id"], "input": "x"})
    assert expect(created, 409)["code"] == "dataset_archived"
    assert ok(v2.post("datasets", ds["id"], "restore"))["archived"] is False


def test_dataset_list_filters_by_comma_separated_ids(v2: V2Api) -> None:
    a, b, _ = (v2.dataset(name)["id"] for name in "abc")
    assert {d["id"] for d in v2.results("datasets", id__in=f"{a},{b}")} == {a, b}


def test_dataset_list_rejects_invalid_ids(v2: V2Api) -> None:
    assert v2.get("datasets", id__in="not-a-uuid").status_code == 400


@pytest.mark.parametrize("value", [False, 0, "", [], {}])
def test_item_input_accepts_any_non_null_json(v2: V2Api, value: Any) -> None:
    ds = v2.dataset()["id"]
    created = expect(v2.post("dataset_items", json={"dataset": ds, "input": value}), 201)
    assert created["input"] == value and type(created["input"]) is type(value)


def test_item_create_handles_existing_client_item_id(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    body = {"dataset": ds, "client_item_id": "case-1", "input": {"q": "hi"}}
    first = expect(v2.post("dataset_items", json=body), 201)
    retry = ok(v2.post("dataset_items", json=body))
    assert (retry["id"], retry["client_item_id"]) == (first["id"], "case-1")
    assert revision_numbers(v2, ds) == [1]
    changed = expect(v2.post("dataset_items", json={**body, "input": "other"}), 409)
    assert changed["code"] == "client_item_id_conflict"
    ok(archive_item(v2, first["id"], 1))
    archived = expect(v2.post("dataset_items", json=body), 409)
    assert archived["code"] == "client_item_id_conflict"
    assert archived["current_item_id"] == first["id"]
    assert count(v2, "v2_items") == 1 and count(v2, "v2_revisions") == 2


def test_client_item_id_idempotency_preserves_json_types(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds, client_item_id="k", input={"value": True})
    body = {"dataset": ds, "client_item_id": "k", "input": {"value": 1}}
    assert expect(v2.post("dataset_items", json=body), 409)["code"] == "client_item_id_conflict"


def _sourced(v2: V2Api) -> tuple[str, dict[str, Any]]:
    ds = v2.dataset()["id"]
    item = v2.item(
        ds, input="v1", expected_output="out", source_output="raw", metadata={"m": 1},
        source_trace_id="trace", source_timestamp=TIMESTAMP,
    )  # fmt: skip
    return ds, item


def test_update_creates_history_and_preserves_source_fields(v2: V2Api) -> None:
    _, item = _sourced(v2)
    updated = ok(edit(v2, item["id"], 1, input="v2", expected_output=None, metadata={}))
    assert (updated["version"], updated["dataset_revision"]) == (2, 2)
    assert (updated["expected_output"], updated["metadata"]) == (None, {})
    assert (updated["source_output"], updated["source_trace_id"]) == ("raw", "trace")
    conn = v2.db()
    try:
        row = conn.execute(
            "SELECT input, expected_output, source_output, metadata FROM v2_versions "
            "WHERE item_id = ? AND version = 1",
            (item["id"],),
        ).fetchone()
    finally:
        conn.close()
    assert [json.loads(value) for value in row] == ["v1", "out", "raw", {"m": 1}]
    assert edit(v2, item["id"], 2, source_output="changed").status_code == 400


def test_stale_update_does_not_create_a_revision(v2: V2Api) -> None:
    ds, item = _sourced(v2)
    ok(edit(v2, item["id"], 1, input="v2"))
    body = expect(edit(v2, item["id"], 1, input="v3"), 409)
    assert (body["code"], body["current_version"]) == ("stale_version", 2)
    assert len(revision_numbers(v2, ds)) == 2


def test_unchanged_update_does_not_create_a_revision(v2: V2Api) -> None:
    ds, item = _sourced(v2)
    same = {"input": "v1", "expected_output": "out", "metadata": {"m": 1}}
    assert ok(edit(v2, item["id"], 1, **same))["version"] == 1
    assert len(revision_numbers(v2, ds)) == 1


def test_archive_and_restore_create_versions_with_explicit_transitions(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="original")
    assert ok(edit(v2, item["id"], 1, input="edited"))["version"] == 2
    archived = ok(archive_item(v2, item["id"], 2))
    assert (archived["archived"], archived["version"]) == (True, 3)
    assert items(v2, ds) == [] and [r["id"] for r in items(v2, ds, archived="true")] == [item["id"]]
    assert expect(archive_item(v2, item["id"], 3), 409)["code"] == "dataset_item_archived"
    restored = ok(restore_item(v2, item["id"], 3, source=1))
    assert (restored["archived"], restored["input"], restored["version"]) == (False, "original", 4)
    assert expect(restore_item(v2, item["id"], 4), 409)["code"] == "dataset_item_active"


def test_revision_list_reconstructs_exact_snapshots(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    first = v2.item(ds, input="first-v1")
    ok(edit(v2, first["id"], 1, input="first-v2"))
    second = v2.item(ds, input="second")
    ok(archive_item(v2, first["id"], 2))
    assert item_inputs(v2, ds, revision=1) == ["first-v1"]
    assert sorted(item_inputs(v2, ds, revision=3)) == ["first-v2", "second"]
    assert item_inputs(v2, ds) == ["second"]
    assert item_inputs(v2, ds, revision=4, archived="true") == ["first-v2"]
    assert retrieve(v2, "dataset_items", first["id"], revision=1)["input"] == "first-v1"
    assert retrieve(v2, "dataset_items", first["id"], revision=3)["input"] == "first-v2"
    expect(v2.get("dataset_items", second["id"], revision=1), 404, NOT_FOUND)


def test_inconsistent_item_version_ownership_is_not_readable(v2: V2Api) -> None:
    ds, other = v2.dataset("a")["id"], v2.dataset("b")["id"]
    item = v2.item(ds)
    execute(
        v2,
        ("DROP TRIGGER v2_versions_immutable", ()),
        ("UPDATE v2_versions SET dataset_id = ? WHERE item_id = ?", (other, item["id"])),
    )
    assert items(v2, ds) == [] and items(v2, other) == []
    expect(v2.get("dataset_items", item["id"]), 404, NOT_FOUND)


@pytest.mark.parametrize(
    "fields",
    [
        {"source_trace_id": "trace"},
        {"source_timestamp": TIMESTAMP},
        {"source_event_id": "event"},
    ],
)
def test_provenance_requires_a_retrievable_trace_reference(
    v2: V2Api, fields: dict[str, str]
) -> None:
    ds = v2.dataset()["id"]
    response = v2.post("dataset_items", json={"dataset": ds, "input": 1, **fields})
    assert response.status_code == 400


def test_required_filters_and_concurrency_fields_are_enforced(v2: V2Api) -> None:
    item = v2.item(v2.dataset()["id"])
    assert v2.get("dataset_items").status_code == 400
    missing = expect(v2.patch("dataset_items", item["id"], json={"input": "x"}), 400)
    assert missing["attr"] == "base_version"


def test_cross_team_dataset_and_item_ids_are_not_visible(v2_factory: V2Factory) -> None:
    v2 = v2_factory(projects=(1, 2))
    theirs = ok(v2.http.post(_in(v2, 2, "datasets/"), json={"name": "theirs"}), 201)
    assert v2.get("datasets", theirs["id"]).status_code == 404
    assert v2.get("dataset_items", dataset=theirs["id"]).status_code == 404


def test_datasets_are_isolated_to_the_exact_environment_team_id(v2_factory: V2Factory) -> None:
    v2 = v2_factory(projects=(1, 2, 3))  # 2 plays the child environment, 3 the sibling
    made = {}
    for team in (1, 2, 3):
        created = v2.http.post(_in(v2, team, "datasets/"), json={"name": "shared name"})
        made[team] = ok(created, 201)
        assert made[team]["team_id"] == team
    body = {"dataset": made[2]["id"], "input": "child"}
    child_item = ok(v2.http.post(_in(v2, 2, "dataset_items/"), json=body), 201)
    assert scalar(v2, "SELECT team FROM v2_items WHERE id = ?", child_item["id"]) == 2
    version = "SELECT team, dataset_id FROM v2_versions WHERE id = ?"
    conn = v2.db()
    try:
        assert conn.execute(version, (child_item["version_id"],)).fetchone() == (2, made[2]["id"])
    finally:
        conn.close()
    revision = "SELECT team FROM v2_revisions WHERE id = ?"
    assert scalar(v2, revision, child_item["dataset_revision_id"]) == 2
    for team in (1, 2, 3):
        listed = ok(v2.http.get(_in(v2, team, "datasets/")))["results"]
        assert [d["id"] for d in listed] == [made[team]["id"]]


def test_child_scoped_api_key_cannot_access_parent_datasets_through_child_route(
    v2_factory: V2Factory,
) -> None:
    v2 = v2_factory(projects=(1, 2), api_keys=["phx_demo_key", "phx_child=dataset:read@2"])
    parent = v2.dataset("parent")
    child = ok(v2.http.post(_in(v2, 2, "datasets/"), json={"name": "child"}), 201)
    with as_key(v2, "phx_child") as scoped:
        assert scoped.http.get(_in(v2, 2, f"datasets/{child['id']}/")).status_code == 200
        assert scoped.http.get(_in(v2, 2, f"datasets/{parent['id']}/")).status_code == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_put_and_delete_are_not_available(v2: V2Api, method: str, resource: str) -> None:
    ds = v2.dataset()["id"]
    target = ds if resource == "datasets" else v2.item(ds)["id"]
    expect(request(v2, method, resource, target, json={}), 405, not_allowed(method))


def test_versions_endpoint_returns_immutable_history(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="v1")
    updated = ok(edit(v2, item["id"], 1, input="v2"))
    page = _versions(v2, item["id"], limit=1)
    assert page["count"] == 2
    assert [(r["version"], r["input"]) for r in page["results"]] == [(2, "v2")]
    page = _versions(v2, item["id"], limit=1, offset=1)
    assert [(r["version"], r["input"]) for r in page["results"]] == [(1, "v1")]
    revisions = ok(v2.get("datasets", ds, "revisions", limit=1))
    assert revisions["count"] == 2 and [r["revision"] for r in revisions["results"]] == [2]
    pointer = "SELECT current_version_id FROM v2_items WHERE id = ?"
    assert scalar(v2, pointer, item["id"]) == updated["version_id"]
    pointer = "SELECT current_revision_id FROM v2_datasets WHERE id = ?"
    assert scalar(v2, pointer, ds) == updated["dataset_revision_id"]


def test_current_pointers_recover_from_immutable_history(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    execute(
        v2,
        ("UPDATE v2_datasets SET current_revision_id = NULL WHERE id = ?", (ds,)),
        ("UPDATE v2_items SET current_version_id = NULL WHERE id = ?", (item["id"],)),
    )
    assert retrieve(v2, "datasets", ds)["current_revision"] == 1
    assert retrieve(v2, "dataset_items", item["id"])["version"] == 1
    updated = ok(edit(v2, item["id"], 1, input="v2"))
    assert (updated["version"], updated["dataset_revision"]) == (2, 2)
    pointer = "SELECT current_version_id FROM v2_items WHERE id = ?"
    assert scalar(v2, pointer, item["id"]) == updated["version_id"]
    pointer = "SELECT current_revision_id FROM v2_datasets WHERE id = ?"
    assert scalar(v2, pointer, ds) == updated["dataset_revision_id"]


def test_history_deletion_requires_deleting_the_dataset(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    kept = v2.item(v2.dataset("kept")["id"])
    conn = v2.db()
    try:
        for table, column, value in (
            ("v2_revisions", "dataset_id", ds),
            ("v2_versions", "item_id", item["id"]),
        ):
            with pytest.raises(sqlite3.DatabaseError) as refused:
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (value,))
            assert is_db_refusal(refused.value), refused.value
        assert count(v2, "v2_revisions") == 2 and count(v2, "v2_versions") == 2
        conn.execute("DELETE FROM v2_datasets WHERE id = ?", (ds,))
    finally:
        conn.close()
    assert count(v2, "v2_revisions", dataset_id=ds) == 0
    assert count(v2, "v2_items", dataset_id=ds) == 0
    assert count(v2, "v2_versions", dataset_id=ds) == 0
    assert retrieve(v2, "dataset_items", kept["id"]) == kept


def test_personal_api_key_scopes_cover_custom_actions(v2_factory: V2Factory) -> None:
    v2 = v2_factory(api_keys=["phx_demo_key", "phx_ro=dataset:read", "phx_rw=dataset:write"])
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    with as_key(v2, "phx_ro") as ro:
        assert ro.get("datasets", ds, "revisions").status_code == 200
        assert ro.get("dataset_items", item["id"], "versions").status_code == 200
        assert ro.post("datasets", ds, "exports", json={}).status_code == 201
        expect(ro.post("datasets", ds, "archive"), 403, missing_scope())
        expect(archive_item(ro, item["id"], 1), 403, missing_scope())
    with as_key(v2, "phx_rw") as rw:
        assert archive_item(rw, item["id"], 1).status_code == 200
        assert restore_item(rw, item["id"], 2).status_code == 200
        assert rw.post("datasets", ds, "archive").status_code == 200
        assert rw.post("datasets", ds, "restore").status_code == 200


def test_database_constraints_reject_invalid_json_and_provenance(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, source_trace_id="trace", source_timestamp=TIMESTAMP)
    execute(v2, ("DROP TRIGGER v2_versions_immutable", ()))
    with pytest.raises(sqlite3.IntegrityError):
        execute(v2, ("UPDATE v2_datasets SET metadata = '[]' WHERE id = ?", (ds,)))
    with pytest.raises(sqlite3.IntegrityError):
        execute(v2, ("UPDATE v2_versions SET metadata = '1' WHERE item_id = ?", (item["id"],)))
    no_time = "UPDATE v2_versions SET source_timestamp = NULL WHERE item_id = ?"
    with pytest.raises(sqlite3.IntegrityError):
        execute(v2, (no_time, (item["id"],)))
    assert retrieve(v2, "dataset_items", item["id"]) == item


def test_database_constraints_reject_inconsistent_version_ownership(v2: V2Api) -> None:
    ds, other = v2.dataset("a")["id"], v2.dataset("b")["id"]
    item = v2.item(ds)
    moved = "UPDATE v2_versions SET dataset_id = ? WHERE item_id = ?"
    with pytest.raises(sqlite3.DatabaseError):
        execute(v2, (moved, (other, item["id"])))
    assert retrieve(v2, "dataset_items", item["id"]) == item


def test_dataset_limit_counts_archived_datasets(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_datasets=1)
    ok(v2.post("datasets", v2.dataset("old")["id"], "archive"))
    expect(v2.post("datasets", json={"name": "new"}), 409, datasets_limit(1, 1))
    assert count(v2, "v2_datasets") == 1


def test_item_limit_counts_archived_items_without_creating_a_revision(
    v2_factory: V2Factory,
) -> None:
    v2 = v2_factory(max_items=1)
    ds = v2.dataset()["id"]
    ok(archive_item(v2, v2.item(ds)["id"], 1))
    expect(v2.post("dataset_items", json={"dataset": ds, "input": 2}), 409, items_limit(1, 1))
    assert count(v2, "v2_items") == 1 and count(v2, "v2_revisions") == 2


def test_version_limit_does_not_create_a_partial_revision(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=1)
    item = v2.item(v2.dataset()["id"])
    expect(edit(v2, item["id"], 1, input="new"), 409, versions_limit(1, 1))
    assert count(v2, "v2_revisions") == 1 and count(v2, "v2_versions") == 1


def test_archive_reserves_the_final_version_slot_for_restore(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=2)
    item = v2.item(v2.dataset()["id"])
    expect(archive_item(v2, item["id"], 1), 409, reserved_slot(1, 2))
    assert count(v2, "v2_revisions") == 1
    current = retrieve(v2, "dataset_items", item["id"])
    assert (current["archived"], current["version"]) == (False, 1)


def test_restore_can_use_the_reserved_final_version_slot(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=3)
    item = v2.item(v2.dataset()["id"])
    ok(archive_item(v2, item["id"], 1))
    restored = ok(restore_item(v2, item["id"], 2))
    assert (restored["archived"], restored["version"]) == (False, 3)
    assert version_numbers(v2, item["id"]) == [3, 2, 1]


def test_dataset_list_caps_requested_page_size(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_datasets=200)
    for n in range(101):
        v2.dataset(f"d{n}")
    page = ok(v2.get("datasets", limit=10000))
    assert page["count"] == 101 and len(page["results"]) == 100


def test_dataset_item_list_caps_requested_page_size(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    for n in range(26):
        v2.item(ds, input=n)
    page = ok(v2.get("dataset_items", dataset=ds, limit=10000))
    assert page["count"] == 26 and len(page["results"]) == 25


def test_dataset_export_pins_revision_and_scopes_status_and_content(
    v2_factory: V2Factory,
) -> None:
    for delay in (None, 0):  # exports that never finish, then ones that finish at once
        v2 = v2_factory(export_delay_s=delay)
        ds, other = v2.dataset("a")["id"], v2.dataset("b")["id"]
        item = v2.item(ds, input="pinned")
        created = expect(v2.post("datasets", ds, "exports", json={}), 201)
        assert set(created) == EXPORT_KEYS
        assert (created["status"], created["dataset_revision"]) == (
            "pending", item["dataset_revision"],
        )  # fmt: skip
        v2.item(ds, input="later")
        status = ok(v2.get("datasets", ds, "exports", created["id"]))
        assert status["dataset_revision"] == 1
        expect(v2.get("datasets", other, "exports", created["id"]), 404, NOT_FOUND)
        content = v2.get("datasets", ds, "exports", created["id"], "content")
        if delay is None:
            expect(content, 409, {"detail": STILL_PREPARING})
            continue
        assert content.status_code == 200
        assert "attachment" in content.headers["content-disposition"]
        assert [row["input"] for row in jsonl(content.content)] == ["pinned"]


def test_dataset_export_throttles_session_authenticated_requests(v2_factory: V2Factory) -> None:
    v2 = v2_factory(rate_limit=True)  # PostHog patches the rate to 1/day; the real one is 10/day
    ds = v2.dataset()["id"]
    v2.item(ds)
    for _ in range(10):
        assert v2.post("datasets", ds, "exports", json={}).status_code == 201
    assert v2.post("datasets", ds, "exports", json={}).status_code == 429


def test_dataset_export_rejects_unknown_request_fields(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    expect(v2.post("datasets", ds, "exports", json={"revison": 1}), 400, unsupported("revison"))


def test_dataset_export_reports_a_stuck_workflow_as_failed(v2_factory: V2Factory) -> None:
    v2 = v2_factory(export_delay_s=None)
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = expect(v2.post("datasets", ds, "exports", json={}), 201)
    backdate_export(v2, created["id"], minutes=36)
    status = ok(v2.get("datasets", ds, "exports", created["id"]))
    assert (status["status"], status["exception"]) == ("failed", STUCK)
    expect(v2.get("datasets", ds, "exports", created["id"], "content"), 409, {"detail": STUCK})


def test_dataset_export_rejects_an_invalid_export_id(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    assert v2.get("datasets", ds, "exports", "9" * 5000).status_code == 404


# -- test_dataset_export.py ---------------------------------------------------------------------


def test_export_uses_the_pinned_revision_with_stable_order_and_nested_json(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    nested = {"messages": [{"role": "user", "content": ["é", {"deep": [1, None, True]}]}]}
    first = v2.item(ds, input=nested, source_trace_id="t", source_timestamp=TIMESTAMP)
    second = v2.item(ds, input="second")
    export = expect(v2.post("datasets", ds, "exports", json={}), 201)
    ok(archive_item(v2, first["id"], 1))  # after the pinned revision
    content = v2.get("datasets", ds, "exports", export["id"], "content")
    assert content.status_code == 200, content.text
    rows = jsonl(content.content)
    assert [r["item_id"] for r in rows] == [first["id"], second["id"]]
    assert all(list(r) == JSONL_KEYS for r in rows)
    assert rows[0]["input"] == nested and rows[0]["dataset_revision"] == 2
    assert rows[0]["source_timestamp"] == "2026-07-30T12:00:00+00:00"
    assert "é".encode() in content.content


def test_empty_snapshot_exports_an_empty_file(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    ok(archive_item(v2, v2.item(ds)["id"], 1))
    export = expect(v2.post("datasets", ds, "exports", json={}), 201)
    status = ok(v2.get("datasets", ds, "exports", export["id"]))
    assert status["status"] == "complete"
    content = v2.get("datasets", ds, "exports", export["id"], "content")
    assert content.status_code == 200 and content.content == b""
