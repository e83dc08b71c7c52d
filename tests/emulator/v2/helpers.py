"""Expected bodies and small request helpers shared by the v2 contract tests.

Section numbers (§) refer to /work/shared/docs/posthog-datasets-api-v2.md.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.emulator.v2.conftest import V2Api, envelope

# -- shapes (§3) --------------------------------------------------------------------------------

DATASET_KEYS = {
    "id", "name", "description", "metadata", "archived", "current_revision",
    "current_revision_id", "created_at", "updated_at", "created_by", "team_id",
    "user_access_level",
}  # fmt: skip
ITEM_KEYS = {
    "id", "dataset", "client_item_id", "version", "version_id", "dataset_revision",
    "dataset_revision_id", "archived", "input", "expected_output", "source_output", "metadata",
    "source_trace_id", "source_event_id", "source_timestamp", "created_at", "updated_at",
    "created_by", "version_created_at", "version_created_by", "team_id",
}  # fmt: skip
REVISION_KEYS = {"id", "dataset_id", "revision", "created_at", "created_by", "team_id"}
EXPORT_KEYS = {
    "id", "status", "dataset_revision", "filename", "created_at", "expires_after", "exception",
}  # fmt: skip
USER_KEYS = {
    "id", "uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified",
    "hedgehog_config", "role_at_organization",
}  # fmt: skip
JSONL_KEYS = [
    "dataset_id", "dataset_revision", "item_id", "client_item_id", "version", "input",
    "expected_output", "source_output", "metadata", "source_trace_id", "source_event_id",
    "source_timestamp",
]  # fmt: skip
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
THROTTLED = re.compile(r"^Request was throttled\. Expected available in \d+ seconds?\.$")

# -- error bodies (§1.3, §3.6, §3.8, §3.9) ------------------------------------------------------

NOT_FOUND = envelope("invalid_request", "not_found", "Not found.")
NOT_AUTHENTICATED = envelope(
    "authentication_error", "not_authenticated", "Authentication credentials were not provided."
)
FLAG_OFF = envelope(
    "authentication_error",
    "permission_denied",
    "This action requires feature flag 'llm-analytics-datasets' to be enabled for your "
    "organization.",
)
REQUIRED = "This field is required."
NOT_SUPPORTED = "This field is not supported."
NOT_AN_INTEGER = "A valid integer is required."
AT_LEAST_ONE = "Ensure this value is greater than or equal to 1."
STUCK = "This export took too long to finish. Try again. If it keeps failing, contact support."
STILL_PREPARING = "The export is still being prepared."
ITEM_PAYLOAD_LIMIT = 406_666
METADATA_LIMIT = 1_000_000


def invalid(attr: str | None, detail: str, code: str = "invalid_input") -> dict[str, Any]:
    """A 400 envelope (§3.9)."""
    return envelope("validation_error", code, detail, attr)


def unsupported(attr: str) -> dict[str, Any]:
    """A strict body's unknown key (§3.10)."""
    return invalid(attr, NOT_SUPPORTED)


def missing_scope(scope: str = "dataset:write") -> dict[str, Any]:
    return envelope(
        "authentication_error", "permission_denied", f"API key missing required scope '{scope}'"
    )


def not_allowed(method: str) -> dict[str, Any]:
    return envelope("invalid_request", "method_not_allowed", f'Method "{method}" not allowed.')


def conflict(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A plain 409 body (§3.6): null keys are omitted, so only pass the ones sent."""
    return {"code": code, "detail": detail, **extra}


def stale(item: dict[str, Any], current_version: int) -> dict[str, Any]:
    return conflict(
        "stale_version",
        "This dataset item changed after it was loaded. Reload it and try again.",
        current_version=current_version,
        current_item_id=item["id"],
    )


def limit_reached(resource: str, detail: str, count: int, limit: int) -> dict[str, Any]:
    return conflict("limit_reached", detail, resource=resource, current_count=count, limit=limit)


def datasets_limit(count: int, limit: int) -> dict[str, Any]:
    detail = (
        f"No more datasets can be added to this project. The limit is {limit}. "
        "Contact support if you need more."
    )
    return limit_reached("datasets", detail, count, limit)


def items_limit(count: int, limit: int) -> dict[str, Any]:
    detail = (
        f"No more items can be added to this dataset. The limit is {limit}. "
        "Contact support if you need more."
    )
    return limit_reached("dataset_items", detail, count, limit)


def versions_limit(count: int, limit: int) -> dict[str, Any]:
    detail = (
        f"No more versions can be added to this dataset item. The limit is {limit}. "
        "Create a new item to continue."
    )
    return limit_reached("dataset_item_versions", detail, count, limit)


def reserved_slot(count: int, limit: int) -> dict[str, Any]:
    detail = (
        "This dataset item cannot be archived because the last version slot is reserved for "
        f"restoring it. The limit is {limit}. Create a new item to continue."
    )
    return limit_reached("dataset_item_versions", detail, count, limit)


def expect(response: httpx.Response, status: int, body: Any = ...) -> Any:
    """Assert the status (and the exact JSON body when given); return the JSON body."""
    assert response.status_code == status, (response.status_code, response.text)
    if not response.content:
        return None
    data = response.json()
    if body is not ...:
        assert data == body
    return data


# -- requests -----------------------------------------------------------------------------------


@contextlib.contextmanager
def as_key(api: V2Api, key: str, prefix: str | None = None) -> Iterator[V2Api]:
    """Another client on the same server, speaking as ``key``."""
    other = V2Api(api.running, key=key, prefix=prefix or api.prefix)
    try:
        yield other
    finally:
        other.close()


def request(api: V2Api, method: str, resource: str, *parts: Any, **kwargs: Any) -> httpx.Response:
    return api.http.request(method, api.url(resource, *parts), **kwargs)


def edit(api: V2Api, item_id: str, base: int, **fields: Any) -> httpx.Response:
    return api.patch("dataset_items", item_id, json={"base_version": base, **fields})


def archive_item(api: V2Api, item_id: str, base: int) -> httpx.Response:
    return api.post("dataset_items", item_id, "archive", json={"base_version": base})


def restore_item(api: V2Api, item_id: str, base: int, source: int | None = None) -> httpx.Response:
    body: dict[str, Any] = {"base_version": base}
    if source is not None:
        body["source_version"] = source
    return api.post("dataset_items", item_id, "restore", json=body)


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    return dict(expect(response, status))


def items(api: V2Api, dataset_id: str, **params: Any) -> list[dict[str, Any]]:
    return api.results("dataset_items", dataset=dataset_id, **params)


def item_inputs(api: V2Api, dataset_id: str, **params: Any) -> list[Any]:
    return [row["input"] for row in items(api, dataset_id, **params)]


def revision_numbers(api: V2Api, dataset_id: str) -> list[int]:
    return [r["revision"] for r in api.results("datasets", dataset_id, "revisions", limit=100)]


def version_numbers(api: V2Api, item_id: str) -> list[int]:
    return [v["version"] for v in api.results("dataset_items", item_id, "versions", limit=100)]


def retrieve(api: V2Api, resource: str, *parts: Any, **params: Any) -> dict[str, Any]:
    return ok(api.get(resource, *parts, **params))


# -- the database (§12 DB-level scenarios) ------------------------------------------------------


def scalar(api: V2Api, sql: str, *args: Any) -> Any:
    conn = api.db()
    try:
        row = conn.execute(sql, args).fetchone()
    finally:
        conn.close()
    return None if row is None else row[0]


def count(api: V2Api, table: str, **where: Any) -> int:
    clause = " AND ".join(f"{column} = ?" for column in where) or "1"
    return int(scalar(api, f"SELECT COUNT(*) FROM {table} WHERE {clause}", *where.values()))


def execute(api: V2Api, *statements: tuple[str, tuple[Any, ...]]) -> None:
    conn = api.db()
    try:
        for sql, args in statements:
            conn.execute(sql, args)
    finally:
        conn.close()


def shift_back(stored: Any, delta: timedelta) -> Any:
    """``stored`` (ISO text, kept in its stored style, or epoch seconds) moved ``delta`` back."""
    if isinstance(stored, int | float):
        return stored - delta.total_seconds()
    text = str(stored)
    moved = datetime.fromisoformat(text) - delta
    spec = "microseconds" if "." in text[19:] else "seconds"
    rendered = moved.isoformat(sep=text[10], timespec=spec)
    return rendered.replace("+00:00", "Z") if text.endswith("Z") else rendered


def backdate_export(api: V2Api, export_id: int, minutes: float) -> None:
    conn = api.db()
    try:
        (stored,) = conn.execute(
            "SELECT created_at FROM v2_exports WHERE id = ?", (export_id,)
        ).fetchone()
        moved = shift_back(stored, timedelta(minutes=minutes))
        conn.execute("UPDATE v2_exports SET created_at = ? WHERE id = ?", (moved, export_id))
    finally:
        conn.close()


# -- misc ---------------------------------------------------------------------------------------


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def canonical_size(**content: Any) -> int:
    """Bytes of the compact, sorted-keys UTF-8 JSON the payload limit measures (§5.3)."""
    doc = {"input": None, "expected_output": None, "source_output": None, "metadata": {}}
    doc.update(content)
    return len(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def jsonl(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines()]


def is_db_refusal(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.IntegrityError) or "restricted" in str(exc).lower()
