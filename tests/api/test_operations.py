"""The sans-IO layer: each operation's request, and each kind of answer, without any network."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from explorer.api import (
    ApiError,
    AuthenticationFailed,
    Dataset,
    DatasetItem,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from explorer.api._classic import ClassicApi, Operation
from tests.api.conftest import dataset_json, item_json, page_json

API = ClassicApi("https://us.posthog.com", 12345)
DS = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"
ITEM = "0199a3c4-5b6d-7e8f-9a0b-000000000001"


def body(op: Operation[Any]) -> Any:
    assert op.content is not None
    return json.loads(op.content)


def answer(op: Operation[Any], status: int, content: Any = b"", **kw: Any) -> Any:
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    return op.parse(httpx.Response(status, content=content, **kw))


def test_paths_for_both_prefixes_and_current_project() -> None:
    assert API.get_dataset(DS).path == f"/api/projects/12345/datasets/{DS}/"
    env = ClassicApi("https://eu.posthog.com", 3, "environments")
    assert env.list_items().path == "/api/environments/3/dataset_items/"
    assert ClassicApi("h", "@current").list_datasets().path == "/api/projects/@current/datasets/"
    with pytest.raises(ValueError, match="api_prefix"):
        ClassicApi("h", 1, "teams")


def test_list_datasets_query() -> None:
    op = API.list_datasets(
        search="refund", order_by=["-updated_at", "created_at"], ids=[DS], limit=30, offset=60
    )
    assert op.method == "GET" and op.content is None
    assert op.params == {
        "limit": "30",
        "offset": "60",
        "search": "refund",
        "order_by": "-updated_at,created_at",
        "id__in": DS,
    }
    assert API.list_datasets(search="").params == {"limit": "100", "offset": "0"}
    one = API.list_datasets(ids=DS)  # a single id is one id, not its characters
    assert one.params is not None and one.params["id__in"] == DS


def test_empty_ids_answers_locally_with_an_empty_page() -> None:
    # The server reads an empty id__in as "no filter"; the client must not ask.
    op = API.list_datasets(ids=[])
    assert op.local is not None
    page = op.local()
    assert page.count == 0 and page.results == [] and not page.has_next


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_bad_limit_refused_before_sending(bad: Any) -> None:
    with pytest.raises(ValueError, match="limit"):
        API.list_items(limit=bad)
    with pytest.raises(ValueError, match="offset"):
        API.list_items(offset=-1)


def test_ids_are_validated_and_canonicalised() -> None:
    upper = DS.upper()
    assert API.get_dataset(upper).path.endswith(f"/{DS}/")
    assert API.get_item(uuid.UUID(ITEM)).path.endswith(f"/dataset_items/{ITEM}/")
    with pytest.raises(ValueError, match=r"item id 'nope' is not a UUID"):
        API.update_item("nope", {"output": 1})
    with pytest.raises(ValueError, match="dataset id"):
        API.list_items(dataset="../../etc")
    with pytest.raises(ValueError, match="dataset id"):
        API.create_item(12, {})  # type: ignore[arg-type]


def test_create_and_update_bodies_hold_exactly_the_given_fields() -> None:
    created = API.create_item(
        DS,
        {
            "input": {"n": 123456789012345678901234567890},
            "ref_timestamp": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        },
    )
    assert created.method == "POST" and created.path == "/api/projects/12345/dataset_items/"
    assert body(created) == {
        "dataset": DS,
        "input": {"n": 123456789012345678901234567890},
        "ref_timestamp": "2025-01-02T03:04:05+00:00",
    }
    patch = API.update_item(ITEM, {"metadata": None, "dataset": uuid.UUID(DS)})
    assert patch.method == "PATCH" and body(patch) == {"metadata": None, "dataset": DS}
    assert body(API.update_dataset(DS, {"deleted": True})) == {"deleted": True}
    assert body(API.create_dataset("n")) == {"name": "n", "description": None, "metadata": None}


def test_bodies_that_json_cannot_carry_are_refused() -> None:
    with pytest.raises(ValueError, match="update needs at least one field"):
        API.update_dataset(DS, {})
    with pytest.raises(ValueError, match="metadata: not representable as JSON"):
        API.update_dataset(DS, {"metadata": float("nan")})
    with pytest.raises(ValueError, match="input"):
        API.create_item(DS, {"input": {1, 2}})
    with pytest.raises(ValueError, match="timezone-aware"):
        API.create_item(DS, {"ref_timestamp": datetime(2025, 1, 1)})


def test_page_parsing_adds_limit_and_offset() -> None:
    op = API.list_items(limit=2, offset=4)
    page = answer(op, 200, page_json([item_json(), item_json()], count=9, next="http://x"))
    assert (page.count, page.limit, page.offset, page.has_next) == (9, 2, 4, True)
    assert all(isinstance(i, DatasetItem) for i in page.results)


def test_unexpected_fields_in_answers_are_kept() -> None:
    got = answer(API.get_dataset(DS), 200, dataset_json(id=DS, brand_new={"a": 1}))
    assert isinstance(got, Dataset) and got.model_extra == {"brand_new": {"a": 1}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the body is empty"),
        (b"<!DOCTYPE html><html>Login</html>", "Invalid JSON"),
        (b'{"count": 3, "results": [', "EOF"),
        (b'{"count": "many", "results": []}', "count"),
        (b"[]", "Input should be an object"),
    ],
)
def test_malformed_success_bodies_are_server_problems(content: bytes, problem: str) -> None:
    with pytest.raises(MalformedResponse) as info:
        answer(API.list_datasets(), 200, content)
    error = info.value
    assert isinstance(error, ServerError) and error.status == 200
    assert problem in str(error)
    assert "Check that the host is PostHog's app host" in str(error)


def envelope(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {"type": type_, "code": code, "detail": detail, "attr": attr}


def test_401_says_how_to_get_a_key() -> None:
    with pytest.raises(AuthenticationFailed) as info:
        answer(
            API.list_datasets(),
            401,
            envelope("authentication_error", "authentication_failed", "Key is invalid."),
        )
    e = info.value
    assert (e.status, e.code, e.detail) == (401, "authentication_failed", "Key is invalid.")
    assert "create a personal API key" in str(e)
    assert "https://us.posthog.com/settings/user-api-keys" in str(e)


def test_403_names_the_missing_scope() -> None:
    detail = "API key missing required scope 'dataset:write'"
    with pytest.raises(PermissionDenied) as info:
        answer(
            API.create_dataset("x"),
            403,
            envelope("authentication_error", "permission_denied", detail),
        )
    assert info.value.scope == "dataset:write"
    assert "with the dataset:write scope" in str(info.value)
    with pytest.raises(PermissionDenied) as other:
        answer(
            API.list_datasets(),
            403,
            envelope("authentication_error", "permission_denied", "You don't have access."),
        )
    assert other.value.scope is None and "project 12345" in str(other.value)


def test_404_tells_a_missing_project_from_a_missing_object() -> None:
    with pytest.raises(NotFound, match="Project 12345 was not found") as info:
        answer(
            API.list_items(), 404, envelope("invalid_request", "not_found", "Project not found.")
        )
    assert info.value.code == "not_found"
    with pytest.raises(NotFound, match=rf"dataset item {ITEM} was not found.*deleted"):
        answer(API.get_item(ITEM), 404, envelope("invalid_request", "not_found", "Not found."))


def test_400_carries_attr_and_code() -> None:
    with pytest.raises(ValidationFailed) as info:
        answer(
            API.create_dataset(" "),
            400,
            envelope("validation_error", "blank", "This field may not be blank.", "name"),
        )
    e = info.value
    assert (e.status, e.attr, e.code) == (400, "name", "blank")
    assert "name: This field may not be blank." in str(e)


@pytest.mark.parametrize(
    ("detail", "seconds"),
    [
        ("Request was throttled. Expected available in 37 seconds.", 37.0),
        ("Request was throttled. Expected available in 1 second.", 1.0),
        ("Request was throttled.", None),
    ],
)
def test_429_parses_the_wait(detail: str, seconds: float | None) -> None:
    with pytest.raises(RateLimited) as info:
        answer(API.list_items(), 429, envelope("throttled_error", "throttled", detail))
    assert info.value.retry_after == seconds
    assert info.value.status == 429


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_with_or_without_envelope(status: int) -> None:
    with pytest.raises(ServerError) as info:
        answer(API.list_items(), status, b"<html>Bad gateway</html>")
    assert info.value.status == status and info.value.detail is None
    assert "Try again later" in str(info.value)
    with pytest.raises(ServerError) as enveloped:
        answer(API.list_items(), 500, envelope("server_error", "error", "A server error occurred."))
    assert enveloped.value.detail == "A server error occurred."


def test_empty_405_is_an_api_error_with_a_clear_message() -> None:
    with pytest.raises(ApiError) as info:
        answer(API.get_item(ITEM), 405, b"")
    e = info.value
    assert type(e) is ApiError and e.status == 405 and e.detail is None
    assert "405 Method Not Allowed" in str(e) and "GET" in str(e)


def test_redirect_is_reported_with_its_target() -> None:
    with pytest.raises(ApiError, match=r"redirected .* to https://elsewhere"):
        answer(API.list_items(), 301, b"", headers={"location": "https://elsewhere/"})
