"""The v2 demo seed as served: counts per dataset, archived items and datasets, version histories
that read as revisions, determinism across starts, and the large seed's near-limit dataset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

from explorer.emulator.demo_v2 import (
    V2_ARCHIVED_DATASETS,
    V2_DEMO_ARCHIVED_ITEMS,
    V2_DEMO_HISTORY_ITEMS,
    V2_DEMO_ITEM_COUNTS,
    V2_LARGE_DATASET,
)
from tests._emulator import RunningEmulator, start_emulator
from tests.emulator.v2.conftest import V2Api


@pytest.fixture(scope="module")
def demo() -> Iterator[V2Api]:
    running = start_emulator("demo", api="v2")
    client = V2Api(running, prefix="projects")
    try:
        yield client
    finally:
        client.close()
        running.server.stop()


def _datasets(api: V2Api, archived: bool) -> dict[str, dict[str, Any]]:
    rows = api.results("datasets", archived=str(archived).lower(), limit=100)
    return {row["name"]: row for row in rows}


def _count(api: V2Api, dataset: str, **params: Any) -> int:
    response = api.get("dataset_items", dataset=dataset, limit=1, **params)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


def _all_items(api: V2Api, dataset: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = api.results("dataset_items", dataset=dataset, limit=25, offset=len(items), **params)
        items += page
        if len(page) < 25:
            return items


def test_the_datasets_and_the_archived_one(demo: V2Api) -> None:
    active, archived = _datasets(demo, False), _datasets(demo, True)
    assert set(archived) == V2_ARCHIVED_DATASETS
    assert set(active) == set(V2_DEMO_ITEM_COUNTS) - V2_ARCHIVED_DATASETS
    assert all(row["archived"] is False for row in active.values())
    assert len(active) + len(archived) <= 20  # PostHog's limit holds for the demo


def test_item_counts_active_and_archived(demo: V2Api) -> None:
    every = {**_datasets(demo, False), **_datasets(demo, True)}
    for name, total in V2_DEMO_ITEM_COUNTS.items():
        ds = every[name]["id"]
        archived = _count(demo, ds, archived="true")
        assert archived == V2_DEMO_ARCHIVED_ITEMS[name], name
        assert _count(demo, ds) + archived == total, name
        assert total <= 600


def test_revisions_count_every_version(demo: V2Api) -> None:
    ds = _datasets(demo, False)["customer-support-evals"]
    versions = sum(item["version"] for item in _all_items(demo, ds["id"])) + sum(
        item["version"] for item in _all_items(demo, ds["id"], archived="true")
    )
    revisions = demo.get("datasets", ds["id"], "revisions", limit=1).json()
    # every version of every item was a revision of its own, and the newest is the dataset's
    assert revisions["count"] == versions == ds["current_revision"]
    assert revisions["results"][0]["revision"] == ds["current_revision"]


def test_histories_read_newest_first_and_match_the_seed(demo: V2Api) -> None:
    ds = _datasets(demo, False)["customer-support-evals"]["id"]
    items = _all_items(demo, ds) + _all_items(demo, ds, archived="true")
    with_history = [item for item in items if item["version"] > 1]
    assert len(with_history) == V2_DEMO_HISTORY_ITEMS["customer-support-evals"]
    archived_then_restored = 0
    for item in with_history:
        versions = demo.results("dataset_items", item["id"], "versions")
        assert [v["version"] for v in versions] == list(range(item["version"], 0, -1))
        assert versions[0]["version_id"] == item["version_id"]
        revisions = [v["dataset_revision"] for v in versions]
        assert revisions == sorted(revisions, reverse=True)
        # source fields never change between versions
        sources = {json.dumps([v["source_output"], v["source_trace_id"]]) for v in versions}
        assert len(sources) == 1
        states = [v["archived"] for v in reversed(versions)]
        if any(a and not b for a, b in pairwise(states)):
            archived_then_restored += 1
    assert archived_then_restored > 0


def test_an_early_revision_is_a_snapshot(demo: V2Api) -> None:
    ds = _datasets(demo, False)["customer-support-evals"]["id"]
    # revision 1 holds only the first item created, at its first version
    first = demo.results("dataset_items", dataset=ds, revision=1)
    assert len(first) == 1 and first[0]["version"] == 1 and first[0]["dataset_revision"] == 1


def test_provenance_and_client_ids(demo: V2Api) -> None:
    ds = _datasets(demo, False)["customer-support-evals"]["id"]
    items = _all_items(demo, ds)
    traced = [i for i in items if i["source_trace_id"]]
    assert len(traced) > len(items) * 0.8
    assert all(i["source_timestamp"] for i in traced)
    assert any(i["client_item_id"] for i in items)
    assert any(i["source_output"] != i["expected_output"] for i in traced)


def test_the_seed_is_the_same_at_every_start(demo: V2Api) -> None:
    again = start_emulator("demo", api="v2")
    try:
        other = V2Api(again, prefix="projects")
        ds_a = _datasets(demo, False)["rag-answers-golden"]
        ds_b = _datasets(other, False)["rag-answers-golden"]
        assert ds_a == ds_b
        page_a = demo.results("dataset_items", dataset=ds_a["id"], limit=25)
        page_b = other.results("dataset_items", dataset=ds_b["id"], limit=25)
        assert page_a == page_b
        other.close()
    finally:
        again.server.stop()


def test_large_adds_the_near_limit_dataset(emulator_factory: Any) -> None:
    running: RunningEmulator = emulator_factory("large", api="v2")
    api = V2Api(running)
    try:
        ds = _datasets(api, False)[V2_LARGE_DATASET]
        assert _count(api, ds["id"]) == 600
        # a 25-item page of near-limit items is served whole
        page = api.get("dataset_items", dataset=ds["id"], limit=25)
        assert page.status_code == 200 and len(page.json()["results"]) == 25
        sizes = [len(json.dumps(i["input"], ensure_ascii=False)) for i in page.json()["results"]]
        assert min(sizes) > 300_000
        # the dataset is full: one more item is refused with PostHog's limit body
        extra = api.post("dataset_items", json={"dataset": ds["id"], "input": "one more"})
        assert extra.status_code == 409
        assert extra.json()["code"] == "limit_reached" and extra.json()["limit"] == 600
    finally:
        api.close()
