"""The wire models keep what the server sent: any JSON exactly, unknown fields, aware datetimes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pydantic
import pytest

from explorer.api import Dataset, DatasetItem, Page, UserBasic, short_id
from tests.api.conftest import dataset_json, item_json, page_json

BIG = 123456789012345678901234567890


def test_big_integers_in_json_fields_stay_exact_ints() -> None:
    raw = json.dumps(item_json(input={"n": BIG, "xs": [BIG, -BIG]}, output=BIG, metadata=[1.5]))
    item = DatasetItem.model_validate_json(raw)
    assert item.input == {"n": BIG, "xs": [BIG, -BIG]}
    assert type(item.output) is int and item.output == BIG
    assert item.metadata == [1.5]
    # and back out unchanged
    assert json.loads(item.model_dump_json())["input"]["n"] == BIG


@pytest.mark.parametrize("value", [None, "text", 0, -3.25, True, [], {}, [{"a": [None]}]])
def test_json_fields_accept_any_json_value(value: object) -> None:
    raw = json.dumps(dataset_json(metadata=value))
    assert Dataset.model_validate_json(raw).metadata == value


def test_unknown_fields_are_kept_not_rejected() -> None:
    raw = json.dumps(item_json(ref_trace_timestamp="2024-01-01T00:00:00Z", ref_span_id="s1", x=1))
    item = DatasetItem.model_validate_json(raw)
    assert item.model_extra == {
        "ref_trace_timestamp": "2024-01-01T00:00:00Z",
        "ref_span_id": "s1",
        "x": 1,
    }
    assert item.refs["ref_span_id"] == "s1"
    assert item.refs["ref_trace_timestamp"] == "2024-01-01T00:00:00Z"
    assert "x" not in item.refs


def test_datetimes_are_timezone_aware() -> None:
    ds = Dataset.model_validate_json(
        json.dumps(
            dataset_json(created_at="2025-09-05T12:34:56.123456Z", updated_at="2025-09-05T12:34:56")
        )
    )
    assert ds.created_at == datetime(2025, 9, 5, 12, 34, 56, 123456, tzinfo=UTC)
    assert ds.created_at.utcoffset() == timedelta(0)
    assert ds.updated_at == datetime(2025, 9, 5, 12, 34, 56, tzinfo=UTC)  # naive taken as UTC
    other = Dataset.model_validate(dataset_json(created_at="2025-09-05T14:00:00+02:00"))
    assert other.created_at.utcoffset() == timedelta(hours=2)
    assert other.created_at == datetime(2025, 9, 5, 12, 0, tzinfo=timezone.utc)  # noqa: UP017


def test_models_are_frozen_value_objects() -> None:
    ds = Dataset.model_validate(dataset_json())
    with pytest.raises(pydantic.ValidationError):
        ds.name = "other"  # type: ignore[misc]
    assert ds == Dataset.model_validate(ds.model_dump())
    assert hash(ds.id)


def test_user_basic_and_nested_created_by() -> None:
    user = {
        "id": 1,
        "uuid": "0199a3c4-0000-7000-8000-000000000001",
        "distinct_id": "abc",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "is_email_verified": True,
        "hedgehog_config": None,
        "role_at_organization": "engineering",
        "something_new": {"k": 1},
    }
    ds = Dataset.model_validate(dataset_json(created_by=user))
    assert isinstance(ds.created_by, UserBasic)
    assert ds.created_by.display_name == "Ada Lovelace"
    assert ds.created_by.model_extra == {"something_new": {"k": 1}}


def test_page_has_next_and_results_typed() -> None:
    page = Page[DatasetItem].model_validate(
        page_json([item_json()], count=5, next="http://x/?limit=1&offset=1")
    )
    assert page.has_next and not page.has_previous
    assert isinstance(page.results[0], DatasetItem)
    last = Page[DatasetItem].model_validate(page_json([], count=5, previous="http://x/"))
    assert not last.has_next


def test_trace_url_needs_all_three_refs() -> None:
    item = DatasetItem.model_validate(
        item_json(
            ref_trace_id="trace/1",
            ref_source_id="gen-9",
            ref_timestamp="2025-09-05T12:34:56.123456Z",
        )
    )
    assert item.trace_url("https://us.posthog.com/") == (
        "https://us.posthog.com/project/7/llm-analytics/traces/trace%2F1"
        "?event=gen-9&timestamp=2025-09-05T12%3A34%3A56.123456Z"
    )
    partial = DatasetItem.model_validate(item_json(ref_trace_id="t"))
    assert partial.trace_url("https://us.posthog.com") is None


def test_trace_url_survives_a_lone_surrogate_in_a_link_field() -> None:
    # JSON may carry "\ud800" (a lone surrogate), which UTF-8 cannot encode: the link keeps
    # its visible escape instead of raising (front ends draw links of untrusted items).
    item = DatasetItem.model_validate(
        item_json(
            ref_trace_id="t\ud800", ref_source_id="e\udfff", ref_timestamp="2025-09-05T00:00:00Z"
        )
    )
    url = item.trace_url("https://us.posthog.com")
    assert url is not None and "traces/t%5Cud800?event=e%5Cudfff" in url


def test_short_id_is_the_random_tail_of_a_uuid7() -> None:
    # two UUIDv7 ids minted in the same millisecond share their first 8 hex digits (the time)
    same_ms = "0192f0a1-7c00-7000-8000-00000000"
    first, second = uuid.UUID(same_ms + "abcd"), uuid.UUID(same_ms + "1234")
    assert str(first)[:8] == str(second)[:8]
    assert short_id(first) == "0000abcd" and short_id(second) == "00001234"
    assert short_id(str(first)) == "0000abcd"  # the same from its text
    assert short_id(str(first).upper()) == "0000abcd"
    assert short_id(None) == ""
    assert short_id("not-a-uuid-at-all") == "d-at-all"  # any other text: its last 8 characters
