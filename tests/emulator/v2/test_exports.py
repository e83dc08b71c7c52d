"""§9: JSONL exports pinned to a revision: create, status, content, the stuck rule, throttling."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from tests.emulator.v2.conftest import V2Api, V2Factory, envelope
from tests.emulator.v2.helpers import (
    AT_LEAST_ONE,
    DATETIME,
    EXPORT_KEYS,
    JSONL_KEYS,
    NOT_AN_INTEGER,
    NOT_FOUND,
    STILL_PREPARING,
    STUCK,
    THROTTLED,
    archive_item,
    as_key,
    backdate_export,
    edit,
    expect,
    invalid,
    jsonl,
    ok,
    shift_back,
    unsupported,
    when,
)


def _export(api: V2Api, ds: str, **body: Any) -> dict[str, Any]:
    return ok(api.post("datasets", ds, "exports", json=body), 201)


def _status(api: V2Api, ds: str, export_id: Any) -> httpx.Response:
    return api.get("datasets", ds, "exports", export_id)


def _content(api: V2Api, ds: str, export_id: Any) -> httpx.Response:
    return api.get("datasets", ds, "exports", export_id, "content")


def _line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _row(ds: str, revision: int, item: dict[str, Any], timestamp: str | None) -> dict[str, Any]:
    row = {
        "dataset_id": ds, "dataset_revision": revision, "item_id": item["id"],
        "client_item_id": item["client_item_id"], "version": item["version"],
        "input": item["input"], "expected_output": item["expected_output"],
        "source_output": item["source_output"], "metadata": item["metadata"],
        "source_trace_id": item["source_trace_id"], "source_event_id": item["source_event_id"],
        "source_timestamp": timestamp,
    }  # fmt: skip
    assert list(row) == JSONL_KEYS
    return row


def _rows(api: V2Api, ds: str, **body: Any) -> list[dict[str, Any]]:
    export = _export(api, ds, **body)
    response = _content(api, ds, export["id"])
    assert response.status_code == 200, response.text
    return jsonl(response.content)


# -- create (§9.1) ------------------------------------------------------------------------------


def test_create_answers_201_pending_with_seven_fields(v2: V2Api) -> None:
    ds = v2.dataset("Support answers")["id"]
    v2.item(ds)
    created = _export(v2, ds)
    assert set(created) == EXPORT_KEYS
    assert isinstance(created["id"], int)
    assert (created["status"], created["dataset_revision"], created["exception"]) == (
        "pending", 1, None,
    )  # fmt: skip
    assert DATETIME.match(created["created_at"]) and DATETIME.match(created["expires_after"])
    made = when(created["created_at"])
    assert created["filename"] == f"support-answers-r1-{made:%Y-%m-%d-%H%M%S}.jsonl"
    week = datetime.combine((made + timedelta(days=7)).date(), time(0), UTC)
    assert when(created["expires_after"]) == week


def test_the_filename_is_a_slug_of_the_name_and_revision(v2: V2Api) -> None:
    ds = v2.dataset("Q&A: Évals / v2!")["id"]
    v2.item(ds)
    v2.item(ds)
    assert _export(v2, ds, revision=1)["filename"].startswith("qa-evals-v2-r1-")
    assert _export(v2, ds)["filename"].startswith("qa-evals-v2-r2-")


def test_create_pins_the_latest_or_the_given_revision(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    v2.item(ds)
    assert _export(v2, ds)["dataset_revision"] == 2
    assert _export(v2, ds, revision=1)["dataset_revision"] == 1


@pytest.mark.parametrize("body", [None, {}])
def test_create_needs_no_body(v2: V2Api, body: Any) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    assert expect(v2.post("datasets", ds, "exports", json=body), 201)["dataset_revision"] == 1


def test_create_without_any_revision_is_409(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    detail = {"detail": "Add an item before exporting this dataset."}
    expect(v2.post("datasets", ds, "exports", json={}), 409, detail)


def test_create_checks_the_body_before_choosing_the_revision(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    expect(v2.post("datasets", ds, "exports", json={"bogus": 1}), 400, unsupported("bogus"))


def test_create_at_a_missing_revision_is_409(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    detail = {"detail": "This dataset revision does not exist."}
    expect(v2.post("datasets", ds, "exports", json={"revision": 2}), 409, detail)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"revison": 1}, unsupported("revison")),
        ({"revision": 1, "format": "csv"}, unsupported("format")),
        ({"revision": "abc"}, invalid("revision", NOT_AN_INTEGER)),
        ({"revision": 0}, invalid("revision", AT_LEAST_ONE, "min_value")),
    ],
)
def test_create_rejects_bad_bodies(v2: V2Api, body: dict[str, Any], expected: Any) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    expect(v2.post("datasets", ds, "exports", json=body), 400, expected)


def test_create_for_an_unknown_dataset_is_404(v2: V2Api) -> None:
    expect(v2.post("datasets", uuid.uuid4(), "exports", json={}), 404, NOT_FOUND)


def test_an_archived_dataset_can_be_exported(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    ok(v2.post("datasets", ds, "archive"))
    assert [row["item_id"] for row in _rows(v2, ds)] == [item["id"]]


# -- status (§9.2) ------------------------------------------------------------------------------


def test_status_reads_complete_once_created(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    assert ok(_status(v2, ds, created["id"])) == {**created, "status": "complete"}


def test_status_keeps_the_pinned_revision(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    created = _export(v2, ds)
    v2.item(ds)
    ok(edit(v2, item["id"], 1, input="new"))
    assert ok(_status(v2, ds, created["id"]))["dataset_revision"] == 1


@pytest.mark.parametrize("export_id", ["999", "abc", "-1", "1.0", "9" * 5000])
def test_status_and_content_of_unknown_exports_are_404(v2: V2Api, export_id: str) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    _export(v2, ds)
    expect(_status(v2, ds, export_id), 404, NOT_FOUND)
    expect(_content(v2, ds, export_id), 404, NOT_FOUND)


def test_an_export_is_only_found_under_its_own_dataset(v2: V2Api) -> None:
    ds, other = v2.dataset("a")["id"], v2.dataset("b")["id"]
    v2.item(ds)
    v2.item(other)
    created = _export(v2, ds)
    expect(_status(v2, other, created["id"]), 404, NOT_FOUND)
    expect(_content(v2, other, created["id"]), 404, NOT_FOUND)
    expect(_status(v2, str(uuid.uuid4()), created["id"]), 404, NOT_FOUND)


def test_a_pending_export_has_no_content_yet(v2_factory: V2Factory) -> None:
    v2 = v2_factory(export_delay_s=None)
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    assert ok(_status(v2, ds, created["id"])) == created
    expect(_content(v2, ds, created["id"]), 409, {"detail": STILL_PREPARING})


def test_an_export_pending_for_36_minutes_has_failed(v2_factory: V2Factory) -> None:
    v2 = v2_factory(export_delay_s=None)
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    backdate_export(v2, created["id"], minutes=36)
    status = ok(_status(v2, ds, created["id"]))
    assert (status["status"], status["exception"]) == ("failed", STUCK)
    assert status["id"] == created["id"] and status["dataset_revision"] == 1
    expect(_content(v2, ds, created["id"]), 409, {"detail": STUCK})


def test_an_export_pending_for_35_minutes_is_still_pending(v2_factory: V2Factory) -> None:
    v2 = v2_factory(export_delay_s=None)
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    backdate_export(v2, created["id"], minutes=35)
    status = ok(_status(v2, ds, created["id"]))
    assert (status["status"], status["exception"]) == ("pending", None)


def test_a_complete_export_does_not_go_stale(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    assert ok(_status(v2, ds, created["id"]))["status"] == "complete"
    backdate_export(v2, created["id"], minutes=60)
    assert ok(_status(v2, ds, created["id"]))["status"] == "complete"
    assert _content(v2, ds, created["id"]).status_code == 200


def test_an_expired_export_is_404(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    created = _export(v2, ds)
    conn = v2.db()
    try:
        stored = conn.execute("SELECT expires_after FROM v2_exports").fetchone()[0]
        past = shift_back(stored, timedelta(days=8))
        conn.execute("UPDATE v2_exports SET expires_after = ?", (past,))
    finally:
        conn.close()
    expect(_status(v2, ds, created["id"]), 404, NOT_FOUND)
    expect(_content(v2, ds, created["id"]), 404, NOT_FOUND)


# -- content (§9.3, §9.5) -----------------------------------------------------------------------


def test_content_is_an_ndjson_attachment_with_one_exact_line_per_item(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    full = v2.item(
        ds, client_item_id="k", input={"q": "é", "nested": [1, {"x": None}]},
        expected_output=[True, 2.5], source_output="raw", metadata={"tag": "t"},
        source_trace_id="trace", source_event_id="event",
        source_timestamp="2026-07-30T14:00:00+02:00",
    )  # fmt: skip
    bare = v2.item(ds, input="plain")
    export = _export(v2, ds)
    response = _content(v2, ds, export["id"])
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0].strip() == "application/x-ndjson"
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition and export["filename"] in disposition
    assert response.content == _line(_row(ds, 2, full, "2026-07-30T12:00:00+00:00")) + _line(
        _row(ds, 2, bare, None)
    )


def test_content_is_ordered_by_item_creation(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    first, second, third = (v2.item(ds, input=n) for n in range(3))
    ok(edit(v2, first["id"], 1, input="edited"))
    rows = _rows(v2, ds)
    assert [r["item_id"] for r in rows] == [first["id"], second["id"], third["id"]]
    assert [(r["version"], r["input"]) for r in rows] == [(2, "edited"), (1, 1), (1, 2)]
    assert {r["dataset_revision"] for r in rows} == {4}


def test_content_holds_the_active_items_at_the_pinned_revision(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    kept = v2.item(ds, input="kept")
    gone = v2.item(ds, input="gone")
    ok(archive_item(v2, gone["id"], 1))
    later = v2.item(ds, input="later")
    assert [r["input"] for r in _rows(v2, ds, revision=2)] == ["kept", "gone"]
    assert [r["input"] for r in _rows(v2, ds, revision=3)] == ["kept"]
    assert [r["item_id"] for r in _rows(v2, ds)] == [kept["id"], later["id"]]


def test_content_holds_every_item_past_one_batch(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    made = [v2.item(ds, input=n)["id"] for n in range(61)]
    rows = _rows(v2, ds)
    assert [r["item_id"] for r in rows] == made and [r["input"] for r in rows] == list(range(61))


def test_content_does_not_change_after_later_edits(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="before")
    export = _export(v2, ds)
    ok(edit(v2, item["id"], 1, input="after"))
    v2.item(ds, input="new")
    assert [r["input"] for r in jsonl(_content(v2, ds, export["id"]).content)] == ["before"]


def test_an_empty_snapshot_exports_an_empty_file(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    ok(archive_item(v2, v2.item(ds)["id"], 1))
    export = _export(v2, ds)
    assert ok(_status(v2, ds, export["id"]))["status"] == "complete"
    response = _content(v2, ds, export["id"])
    assert response.status_code == 200 and response.content == b""


# -- throttling (§9.1) --------------------------------------------------------------------------


def test_ten_export_creations_a_day_per_key(v2_factory: V2Factory) -> None:
    v2 = v2_factory(rate_limit=True, api_keys=["phx_a", "phx_b"])
    a, b = v2.dataset("a")["id"], v2.dataset("b")["id"]
    v2.item(a)
    v2.item(b)
    for n in range(10):
        _export(v2, a if n % 2 else b)
    throttled = expect(v2.post("datasets", a, "exports", json={}), 429)
    assert throttled == envelope("throttled_error", "throttled", throttled["detail"])
    assert THROTTLED.match(throttled["detail"])
    # the throttle comes before the handler's own checks
    assert v2.post("datasets", uuid.uuid4(), "exports", json={}).status_code == 429
    assert v2.post("datasets", a, "exports", json={"bogus": 1}).status_code == 429
    assert len(v2.results("datasets")) == 2  # other actions are not affected
    with as_key(v2, "phx_b") as other:
        _export(other, a)


def test_export_creations_are_not_throttled_without_rate_limiting(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    v2.item(ds)
    ids = [_export(v2, ds)["id"] for _ in range(12)]
    assert len(set(ids)) == 12
