"""§8: datasets per project, items per dataset, versions per item, payload and field sizes."""

from __future__ import annotations

import uuid

from tests.emulator.v2.conftest import V2Api, V2Factory
from tests.emulator.v2.helpers import (
    ITEM_PAYLOAD_LIMIT,
    METADATA_LIMIT,
    archive_item,
    canonical_size,
    count,
    datasets_limit,
    edit,
    expect,
    invalid,
    items,
    items_limit,
    ok,
    reserved_slot,
    restore_item,
    retrieve,
    revision_numbers,
    stale,
    version_numbers,
    versions_limit,
)

ITEM_TOO_BIG = invalid("item", f"This field must be {ITEM_PAYLOAD_LIMIT} bytes or fewer.")
METADATA_TOO_BIG = invalid("metadata", f"This field must be {METADATA_LIMIT} bytes or fewer.")


def _filler(budget: int, **others: object) -> str:
    """An ``input`` string that makes the item's canonical payload exactly ``budget`` bytes."""
    return "x" * (budget - canonical_size(input="", **others))


# -- datasets per project -----------------------------------------------------------------------


def test_twenty_datasets_per_project_archived_ones_included(v2: V2Api) -> None:
    for n in range(20):
        ds = v2.dataset(f"d{n}")
        if n % 2:
            ok(v2.post("datasets", ds["id"], "archive"))
    expect(v2.post("datasets", json={"name": "one more"}), 409, datasets_limit(20, 20))
    assert count(v2, "v2_datasets") == 20


def test_the_dataset_limit_is_checked_before_the_name(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_datasets=1)
    v2.dataset("taken")
    expect(v2.post("datasets", json={"name": "taken"}), 409, datasets_limit(1, 1))


def test_the_dataset_limit_is_checked_after_the_body(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_datasets=1)
    v2.dataset("taken")
    expect(v2.post("datasets", json={"name": " "}), 400)


# -- items per dataset --------------------------------------------------------------------------


def test_six_hundred_items_per_dataset_without_a_revision_for_the_refusal(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    for n in range(600):
        v2.item(ds, input=n)
    refused = v2.post("dataset_items", json={"dataset": ds, "input": "more"})
    expect(refused, 409, items_limit(600, 600))
    assert count(v2, "v2_items") == 600 and count(v2, "v2_revisions") == 600


def test_archived_items_count_toward_the_item_limit(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_items=2)
    ds = v2.dataset()["id"]
    ok(archive_item(v2, v2.item(ds, input=1)["id"], 1))
    v2.item(ds, input=2)
    expect(v2.post("dataset_items", json={"dataset": ds, "input": 3}), 409, items_limit(2, 2))
    assert revision_numbers(v2, ds) == [3, 2, 1]


def test_an_identical_retry_at_the_item_limit_still_answers_200(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_items=1)
    ds = v2.dataset()["id"]
    first = v2.item(ds, client_item_id="k")
    body = {"dataset": ds, "input": {"q": "hi"}, "client_item_id": "k"}
    assert ok(v2.post("dataset_items", json=body)) == first
    body["input"] = "different"
    assert expect(v2.post("dataset_items", json=body), 409)["code"] == "client_item_id_conflict"


def test_the_item_limit_is_per_dataset(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_items=1)
    a, b = v2.dataset("a")["id"], v2.dataset("b")["id"]
    v2.item(a)
    v2.item(b)
    expect(v2.post("dataset_items", json={"dataset": a, "input": 1}), 409, items_limit(1, 1))


# -- versions per item --------------------------------------------------------------------------


def test_forty_versions_per_item_with_the_last_slot_kept_for_restore(v2: V2Api) -> None:
    item = v2.item(v2.dataset()["id"], input=1)
    for n in range(1, 39):
        ok(edit(v2, item["id"], n, input=n + 1))
    expect(archive_item(v2, item["id"], 39), 409, reserved_slot(39, 40))
    assert ok(edit(v2, item["id"], 39, input="last"))["version"] == 40
    expect(edit(v2, item["id"], 40, input="over"), 409, versions_limit(40, 40))
    assert len(version_numbers(v2, item["id"])) == 40


def test_the_version_limit_commits_nothing(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=1)
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    expect(edit(v2, item["id"], 1, input="new"), 409, versions_limit(1, 1))
    assert revision_numbers(v2, ds) == [1] and version_numbers(v2, item["id"]) == [1]
    assert retrieve(v2, "dataset_items", item["id"]) == item


def test_an_unchanged_patch_at_the_version_limit_answers_200(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=1)
    item = v2.item(v2.dataset()["id"])
    assert ok(edit(v2, item["id"], 1, input={"q": "hi"})) == item


def test_stale_and_archived_checks_come_before_the_version_limit(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=2)
    item = v2.item(v2.dataset()["id"])
    ok(edit(v2, item["id"], 1, input="v2"))
    expect(edit(v2, item["id"], 1, input="v3"), 409, stale(item, 2))
    expect(archive_item(v2, item["id"], 1), 409, stale(item, 2))


def test_archive_refuses_to_take_the_reserved_slot(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=2)
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    expect(archive_item(v2, item["id"], 1), 409, reserved_slot(1, 2))
    assert revision_numbers(v2, ds) == [1]
    assert retrieve(v2, "dataset_items", item["id"]) == item


def test_restore_may_use_the_reserved_slot(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=3)
    item = v2.item(v2.dataset()["id"])
    ok(archive_item(v2, item["id"], 1))
    restored = ok(restore_item(v2, item["id"], 2))
    assert (restored["version"], restored["archived"]) == (3, False)
    assert version_numbers(v2, item["id"]) == [3, 2, 1]
    expect(archive_item(v2, item["id"], 3), 409, reserved_slot(3, 3))
    expect(edit(v2, item["id"], 3, input="x"), 409, versions_limit(3, 3))


# -- payload and field sizes --------------------------------------------------------------------


def test_an_item_payload_may_be_406666_bytes(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    fields = {"expected_output": "e", "source_output": {"s": 1}, "metadata": {"m": "é"}}
    item = v2.item(ds, input=_filler(ITEM_PAYLOAD_LIMIT, **fields), **fields)
    assert len(item["input"]) > 400_000
    too_big = _filler(ITEM_PAYLOAD_LIMIT + 1, **fields)
    response = v2.post("dataset_items", json={"dataset": ds, "input": too_big, **fields})
    expect(response, 400, ITEM_TOO_BIG)
    assert count(v2, "v2_items") == 1


def test_the_item_payload_is_measured_in_utf8_bytes(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    overhead = canonical_size(input="")
    text = "é" * ((ITEM_PAYLOAD_LIMIT - overhead) // 2 + 1)
    expect(v2.post("dataset_items", json={"dataset": ds, "input": text}), 400, ITEM_TOO_BIG)


def test_item_metadata_counts_toward_the_payload(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    metadata = {"big": "x" * 500_000}
    response = v2.post("dataset_items", json={"dataset": ds, "input": 1, "metadata": metadata})
    expect(response, 400, ITEM_TOO_BIG)


def test_a_patch_may_not_grow_the_payload_past_the_limit(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, source_output="s" * 1000)
    exact = _filler(ITEM_PAYLOAD_LIMIT, source_output="s" * 1000)
    assert ok(edit(v2, item["id"], 1, input=exact))["version"] == 2
    over = _filler(ITEM_PAYLOAD_LIMIT + 1, source_output="s" * 1000)
    expect(edit(v2, item["id"], 2, input=over), 400, ITEM_TOO_BIG)
    assert revision_numbers(v2, ds) == [2, 1]


def test_dataset_metadata_may_be_a_million_bytes(v2: V2Api) -> None:
    exact = {"k": "x" * (METADATA_LIMIT - len('{"k":""}'))}
    ds = v2.dataset("a", metadata=exact)
    over = {"k": "x" * (METADATA_LIMIT - len('{"k":""}') + 1)}
    expect(v2.post("datasets", json={"name": "b", "metadata": over}), 400, METADATA_TOO_BIG)
    expect(v2.patch("datasets", ds["id"], json={"metadata": over}), 400, METADATA_TOO_BIG)
    assert retrieve(v2, "datasets", ds["id"])["metadata"] == exact


def test_text_fields_may_reach_their_maximum_length(v2: V2Api) -> None:
    ds = v2.dataset("n" * 400, description="d" * 10_000)
    assert (len(ds["name"]), len(ds["description"])) == (400, 10_000)
    item = v2.item(
        ds["id"],
        client_item_id="k" * 255,
        source_trace_id="t" * 255,
        source_event_id="e" * 255,
        source_timestamp="2026-07-30T12:00:00Z",
    )
    assert {len(item[k]) for k in ("client_item_id", "source_trace_id", "source_event_id")} == {255}


def test_id_in_takes_up_to_100_ids(v2: V2Api) -> None:
    ds = v2.dataset()
    ids = [ds["id"], *(str(uuid.uuid4()) for _ in range(99))]
    assert [d["id"] for d in v2.results("datasets", id__in=",".join(ids))] == [ds["id"]]
    expect(v2.get("datasets", id__in=",".join([*ids, str(uuid.uuid4())])), 400)
    assert items(v2, ds["id"]) == []
