"""The v2 demo seed: PostHog's limits and version rules on every item, the counts, the review
histories, provenance and source outputs, the adapted edge cases, determinism, and the large
dataset of items at the payload limit.

The rules are written out here again (not taken from ``demo_v2``), so a mistake in the module's
own size function cannot hide an oversized item.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from itertools import islice
from typing import Any

import pytest

from explorer.emulator.demo_v2 import (
    V2_ARCHIVED_DATASETS,
    V2_DEMO_ARCHIVED_ITEMS,
    V2_DEMO_HISTORY_ITEMS,
    V2_DEMO_ITEM_COUNTS,
    V2_DROPPED_EDGE_CASES,
    V2_LARGE_ARCHIVED_ITEMS,
    V2_LARGE_DATASET,
    V2_LARGE_ITEM_COUNTS,
    V2SeedDataset,
    V2SeedItem,
    V2SeedVersion,
    payload_bytes,
    seed_datasets_v2,
)

# PostHog's limits, as the v2 contract states them
MAX_DATASETS = 20
MAX_ITEMS = 600
MAX_VERSIONS = 40
MAX_PAYLOAD = 406_666
MAX_ID = 255
ISO_MICROS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
REVIEWED = ("customer-support-evals", "sql-generation", "rag-answers-golden")
REQUIRED_EDGE_CASES = {
    "null-output",
    "empty-string",
    "empty-object",
    "empty-array",
    "empty-metadata-object",
    "top-level-string",
    "top-level-number",
    "top-level-boolean",
    "top-level-array",
    "metadata-is-array",
    "metadata-is-string",
    "deep-nesting-objects",
    "array-10000",
    "long-line-200k",
    "emoji",
    "rtl-arabic",
    "rich-markup",
    "ansi-escapes",
    "osc-sequences",
    "html-injection",
    "big-integers",
    "weird-keys",
    "long-keys",
    "control-characters",
    "source-ids-255",
    "source-trace-without-event-id",
    "source-url-special-characters",
    "kitchen-sink",
    "archived-item",
    "falsy-input-false",
    "falsy-input-zero",
    "source-output-only",
    "client-item-id-255",
    "payload-at-limit",
    "payload-multibyte-at-limit",
    "versions-at-limit",
    "versions-archive-slot-reserved",
    "history-restore-older-version",
}


def canonical(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def size(item: V2SeedItem, version: V2SeedVersion) -> int:
    payload = {
        "input": version.input,
        "expected_output": version.expected_output,
        "source_output": item.source_output,
        "metadata": version.metadata,
    }
    return len(canonical(payload).encode())


def content(version: V2SeedVersion) -> str:
    return canonical([version.input, version.expected_output, version.metadata])


def check_item(item: V2SeedItem, where: str) -> None:
    """Every rule a v2 item must satisfy (PostHog would refuse the item or the version)."""
    versions = item.versions
    assert 1 <= len(versions) <= MAX_VERSIONS, where
    assert not versions[0].archived, where
    for number, version in enumerate(versions, 1):
        at = f"{where} v{number}"
        assert version.input is not None, at
        assert isinstance(version.metadata, dict), at
        assert size(item, version) <= MAX_PAYLOAD, at  # also: JSON serialisable, no NaN
        if number == 1:
            continue
        previous = versions[number - 2]
        if version.archived:
            assert not previous.archived, f"{at}: archives an archived version"
            assert content(version) == content(previous), f"{at}: archive must copy"
            assert number <= MAX_VERSIONS - 1, f"{at}: the last slot is kept for a restore"
        elif previous.archived:
            earlier = {content(v) for v in versions[: number - 1]}
            assert content(version) in earlier, f"{at}: a restore copies an earlier version"
        else:
            assert content(version) != content(previous), f"{at}: an edit changes nothing"
    # provenance
    if item.source_trace_id is not None:
        assert item.source_timestamp is not None, where
    if item.source_event_id is not None or item.source_timestamp is not None:
        assert item.source_trace_id is not None, where
    if item.source_timestamp is not None:
        assert ISO_MICROS_Z.match(item.source_timestamp), where
    for value in (item.source_trace_id, item.source_event_id, item.client_item_id):
        if value is not None:
            assert value.strip() and len(value) <= MAX_ID, where
    canonical(item.source_output)


def check_dataset_fields(ds: V2SeedDataset) -> None:
    assert ds.name.strip() == ds.name and 0 < len(ds.name) <= 400
    assert ds.description and len(ds.description) <= 10_000
    assert isinstance(ds.metadata, dict) and "owner" in ds.metadata
    assert len(canonical(ds.metadata).encode()) <= 1_000_000
    assert ds.archived == (ds.name in V2_ARCHIVED_DATASETS)
    assert 0 < ds.item_count <= MAX_ITEMS


@functools.cache
def demo() -> dict[str, list[V2SeedItem]]:
    return {ds.name: list(ds.items()) for ds in seed_datasets_v2("demo")}


def last(item: V2SeedItem) -> V2SeedVersion:
    return item.versions[-1]


def case_of(item: V2SeedItem) -> str:
    for holder in (last(item).metadata, last(item).input):
        if isinstance(holder, dict) and isinstance(holder.get("case"), str):
            return str(holder["case"])
    raise AssertionError(f"no case label: {item.client_item_id}")


def edge_cases() -> dict[str, V2SeedItem]:
    return {case_of(item): item for item in demo()["edge-cases"]}


def digest(kind: str, per_dataset: int | None = None) -> str:
    h = hashlib.sha256()
    for ds in seed_datasets_v2(kind):
        h.update(canonical([ds.name, ds.description, ds.metadata, ds.archived]).encode())
        for item in islice(ds.items(), per_dataset):
            row = [
                [[v.input, v.expected_output, v.metadata, v.archived] for v in item.versions],
                item.source_output,
                item.source_trace_id,
                item.source_event_id,
                item.source_timestamp,
                item.client_item_id,
            ]
            h.update(canonical(row).encode())
    return h.hexdigest()


# --- datasets and counts ------------------------------------------------------------------
def test_kinds() -> None:
    assert seed_datasets_v2("none") == []
    with pytest.raises(ValueError, match="unknown seed kind"):
        seed_datasets_v2("huge")
    assert [ds.name for ds in seed_datasets_v2("demo")] == list(V2_DEMO_ITEM_COUNTS)
    assert [ds.name for ds in seed_datasets_v2("large")] == list(V2_LARGE_ITEM_COUNTS)
    assert list(V2_LARGE_ITEM_COUNTS)[-1] == V2_LARGE_DATASET == "payload-limit-600"


@pytest.mark.parametrize("kind", ["demo", "large"])
def test_datasets_fit_the_limits(kind: str) -> None:
    datasets = seed_datasets_v2(kind)
    assert len(datasets) <= MAX_DATASETS
    assert len({ds.name for ds in datasets}) == len(datasets)
    counts = V2_DEMO_ITEM_COUNTS if kind == "demo" else V2_LARGE_ITEM_COUNTS
    for ds in datasets:
        check_dataset_fields(ds)
        assert ds.item_count == counts[ds.name]
    assert {"old-prompts-archive"} == V2_ARCHIVED_DATASETS


def test_counts_match_what_items_yield() -> None:
    assert V2_DEMO_ITEM_COUNTS["customer-support-evals"] == 600
    assert V2_DEMO_ITEM_COUNTS["sql-generation"] == 600
    assert V2_DEMO_ITEM_COUNTS["rag-answers-golden"] == 300
    for name, items in demo().items():
        assert len(items) == V2_DEMO_ITEM_COUNTS[name], name
        assert sum(last(i).archived for i in items) == V2_DEMO_ARCHIVED_ITEMS[name], name
        assert sum(len(i.versions) > 1 for i in items) == V2_DEMO_HISTORY_ITEMS[name], name
    assert V2_LARGE_ARCHIVED_ITEMS == {**V2_DEMO_ARCHIVED_ITEMS, V2_LARGE_DATASET: 0}
    assert V2_LARGE_ITEM_COUNTS[V2_LARGE_DATASET] == 600


def test_items_is_a_fresh_lazy_iterator_each_call() -> None:
    ds = seed_datasets_v2("demo")[1]
    first, second = ds.items(), ds.items()
    assert iter(first) is first
    assert next(first) == next(second)
    assert next(first) == next(second)


def test_deterministic_and_independent_of_the_global_random() -> None:
    random.seed(1)
    once = digest("demo")
    random.seed(2)
    assert digest("demo") == once
    assert digest("large", per_dataset=3) == digest("large", per_dataset=3)


def test_demo_v2_imports_neither_api_nor_model() -> None:
    code = (
        "import json, sys, explorer.emulator.demo_v2 as d; d.seed_datasets_v2('demo'); "
        "print(json.dumps([m for m in sys.modules if m.startswith('explorer.')]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out)
    assert not [m for m in loaded if m.startswith(("explorer.api", "explorer.model"))], loaded


# --- the rules, over the whole demo -------------------------------------------------------
def test_every_demo_item_follows_the_v2_rules() -> None:
    for name, items in demo().items():
        client_ids = [i.client_item_id for i in items if i.client_item_id is not None]
        assert len(client_ids) == len(set(client_ids)), name
        for n, item in enumerate(items):
            check_item(item, f"{name}[{n}]")


def test_the_checker_rejects_broken_items() -> None:
    a, b = V2SeedVersion("a", None, {}), V2SeedVersion("b", None, {})
    gone = V2SeedVersion("a", None, {}, archived=True)
    check_item(V2SeedItem((a, b, V2SeedVersion("b", None, {}, True), a)), "ok")
    broken = {
        "archived first": V2SeedItem((gone,)),
        "edit without change": V2SeedItem((a, a)),
        "archive changes content": V2SeedItem((a, V2SeedVersion("b", None, {}, True))),
        "archive twice": V2SeedItem((a, gone, gone)),
        "restore from nowhere": V2SeedItem((a, gone, b)),
        "null input": V2SeedItem((V2SeedVersion(None, None, {}),)),
        "metadata not an object": V2SeedItem((V2SeedVersion("a", None, []),)),  # type: ignore[arg-type]
        "too big": V2SeedItem((V2SeedVersion("x" * MAX_PAYLOAD, None, {}),)),
        "trace without timestamp": V2SeedItem((a,), source_trace_id="t"),
        "event without trace": V2SeedItem((a,), source_event_id="e"),
        "timestamp without Z": V2SeedItem(
            (a,), source_trace_id="t", source_timestamp="2026-01-01T00:00:00+00:00"
        ),
        "long client id": V2SeedItem((a,), client_item_id="c" * 256),
        "too many versions": V2SeedItem(
            tuple(V2SeedVersion(n, None, {}) for n in range(MAX_VERSIONS + 1))
        ),
    }
    for what, item in broken.items():
        with pytest.raises(AssertionError):
            check_item(item, what)


def test_history_shares() -> None:
    for name, items in demo().items():
        with_history = [i for i in items if len(i.versions) > 1]
        archived = [i for i in items if last(i).archived]
        if name in V2_ARCHIVED_DATASETS:
            assert archived and len(items) < 20
            continue
        assert 0.08 <= len(with_history) / len(items) <= 0.15, name
        assert 1 <= len(archived) <= 0.03 * len(items), name
        if name != "edge-cases":  # the version-limit cases live there
            assert all(2 <= len(i.versions) <= 6 for i in with_history), name


@pytest.mark.parametrize("name", REVIEWED)
def test_review_histories_read_like_reviews(name: str) -> None:
    corrected = approved = restored = restored_older = rejected = 0
    lengths: Counter[int] = Counter()
    for item in demo()[name]:
        versions = item.versions
        if len(versions) == 1:
            continue
        lengths[len(versions)] += 1
        expected = [canonical(v.expected_output) for v in versions]
        corrected += expected[0] != expected[-1]
        approved += last(item).metadata.get("review_status") == "approved" and (
            "reviewed" in last(item).metadata["tags"]
        )
        rejected += last(item).archived and last(item).metadata.get("review_status") == "rejected"
        for n in range(1, len(versions)):
            if versions[n - 1].archived and not versions[n].archived:
                restored += 1
                restored_older += content(versions[n]) != content(versions[n - 1])
    assert corrected >= 10 and approved >= 5 and rejected >= 1, name
    assert restored >= 3 and restored_older >= 2, name
    assert set(lengths) >= {2, 3, 4, 5, 6}, name


# --- content ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "traced", "with_event"),
    [
        ("customer-support-evals", (0.88, 0.98), (0.8, 0.9)),
        ("sql-generation", (0.72, 0.88), (0.62, 0.78)),
        ("rag-answers-golden", (0.3, 0.5), (0.3, 0.5)),
    ],
)
def test_provenance_and_source_output(
    name: str, traced: tuple[float, float], with_event: tuple[float, float]
) -> None:
    items = demo()[name]
    with_trace = [i for i in items if i.source_trace_id is not None]
    assert traced[0] <= len(with_trace) / len(items) <= traced[1]
    events = sum(i.source_event_id is not None for i in items)
    assert with_event[0] <= events / len(items) <= with_event[1]
    # what the model said is kept exactly when the item came from a trace
    assert all((i.source_output is not None) == (i.source_trace_id is not None) for i in items)
    differs = [
        i for i in with_trace if canonical(i.source_output) != canonical(last(i).expected_output)
    ]
    assert 0.05 <= len(differs) / len(with_trace) <= 0.25, len(differs)
    # some were saved as the model said them and corrected later, in version 2
    assert (
        sum(canonical(i.versions[0].expected_output) == canonical(i.source_output) for i in differs)
        >= 3
    )


def test_support_items() -> None:
    ds = {d.name: d for d in seed_datasets_v2("demo")}["customer-support-evals"]
    tools = set(ds.metadata["tools"])
    wrong_tool = vaguer = 0
    for item in demo()["customer-support-evals"]:
        for version in item.versions:
            assert version.input["messages"][0]["role"] == "system"
            assert version.expected_output["role"] == "assistant"
        for output in (last(item).expected_output, item.source_output):
            for call in (output or {}).get("tool_calls") or ():
                json.loads(call["function"]["arguments"])
                assert call["function"]["name"] in tools
        if item.source_output is not None and item.source_output != last(item).expected_output:
            calls = item.source_output.get("tool_calls")
            wrong_tool += bool(calls)
            vaguer += not calls
        if item.client_item_id is not None:
            assert re.fullmatch(r"support-case-\d{5}", item.client_item_id)
            assert item.source_event_id is not None  # from the production sampler
    assert wrong_tool >= 5 and vaguer >= 5


def test_rag_citations_point_at_retrieved_documents() -> None:
    long_contexts = []
    for item in demo()["rag-answers-golden"]:
        for version in item.versions:
            doc_ids = [doc["id"] for doc in version.input["documents"]]
            assert set(version.expected_output["citations"]) <= set(doc_ids)
        if "long-context" in last(item).metadata["tags"]:
            long_contexts.append(size(item, last(item)))
    assert len(long_contexts) == 5
    assert long_contexts == sorted(long_contexts)
    assert long_contexts[0] > 50_000 and long_contexts[-1] > 390_000


def test_sql_items() -> None:
    for item in demo()["sql-generation"]:
        sql = last(item).expected_output["sql"]
        assert sql.lstrip().startswith(("SELECT", "WITH")) and sql.rstrip().endswith(";")
        assert last(item).input["schema"].startswith("CREATE TABLE")
        if item.client_item_id is not None:
            assert item.source_trace_id is None  # the synthetic items
            assert item.client_item_id.startswith(f"sql-{last(item).metadata['schema']}-")


def test_archive_dataset_is_the_classic_one() -> None:
    items = demo()["old-prompts-archive"]
    assert [i for i, item in enumerate(items) if last(item).archived] == [2, 7, 10]
    assert all(len(item.versions) == (2 if last(item).archived else 1) for item in items)


# --- edge cases ---------------------------------------------------------------------------
def test_edge_cases_cover_every_required_case() -> None:
    cases = [case_of(item) for item in demo()["edge-cases"]]
    assert len(cases) == len(set(cases))
    assert set(cases) >= REQUIRED_EDGE_CASES
    assert not set(cases) & set(V2_DROPPED_EDGE_CASES)
    assert set(V2_DROPPED_EDGE_CASES) == {
        "null-input",
        "null-metadata",
        "all-null",
        "ref-timestamp-without-trace",
    }
    for item in demo()["edge-cases"]:
        assert item.client_item_id is not None
        label = last(item).metadata if "case" in last(item).metadata else last(item).input
        assert label["description"], label["case"]


def test_edge_case_values() -> None:
    e = edge_cases()
    assert last(e["null-output"]).expected_output is None
    assert last(e["falsy-input-false"]).input is False
    assert last(e["falsy-input-zero"]).input == 0
    assert last(e["empty-metadata-object"]).metadata == {}
    assert last(e["metadata-is-array"]).metadata["original_metadata"][0] == "tag-a"
    assert isinstance(last(e["metadata-is-string"]).metadata["original_metadata"], str)
    assert len(last(e["array-10000"]).input) == 10_000
    assert "\x1b]52;" in last(e["osc-sequences"]).input["clipboard"]
    assert last(e["big-integers"]).input["two_pow_53_plus_1"] == 2**53 + 1
    ids = e["source-ids-255"]
    assert len(ids.source_trace_id or "") == len(ids.source_event_id or "") == 255
    no_event = e["source-trace-without-event-id"]
    assert no_event.source_event_id is None and no_event.source_timestamp is not None
    only = e["source-output-only"]
    assert last(only).expected_output is None and only.source_output is not None
    assert len(e["client-item-id-255"].client_item_id or "") == 255
    for case in ("payload-at-limit", "payload-multibyte-at-limit"):
        assert size(e[case], last(e[case])) == MAX_PAYLOAD, case
    assert len(last(e["payload-multibyte-at-limit"]).input["text"]) < MAX_PAYLOAD // 2


def test_edge_case_histories() -> None:
    e = edge_cases()
    archived = [case for case, item in e.items() if last(item).archived]
    assert sorted(archived) == ["archived-item", "history-archived-twice"]
    at_limit = e["versions-at-limit"].versions
    assert len(at_limit) == MAX_VERSIONS and not at_limit[-1].archived
    assert [n for n, v in enumerate(at_limit, 1) if v.archived] == [MAX_VERSIONS - 1]
    reserved = e["versions-archive-slot-reserved"].versions
    assert len(reserved) == MAX_VERSIONS - 1 and not any(v.archived for v in reserved)
    older = e["history-restore-older-version"].versions
    assert content(older[-1]) == content(older[0]) != content(older[-2])
    types = [type(v.input) for v in e["history-input-type-changes"].versions]
    assert types == [str, dict, list]
    before, after = (v.input.split("\n") for v in e["history-one-line-changed"].versions)
    assert len(before) == len(after) == 5_000
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


# --- kind="large" -------------------------------------------------------------------------
def test_large_dataset_streams_fast_at_the_payload_limit() -> None:
    ds = seed_datasets_v2("large")[-1]
    assert ds.name == V2_LARGE_DATASET and ds.item_count == 600 and not ds.archived
    started = time.perf_counter()
    count = sum(1 for _ in ds.items())
    assert time.perf_counter() - started < 5
    assert count == 600
    sample = {0, 1, 17, 299, 598, 599}
    client_ids = set()
    for n, item in enumerate(ds.items()):
        assert len(item.versions) == 1
        assert item.client_item_id not in client_ids
        client_ids.add(item.client_item_id)
        if n not in sample:
            continue
        check_item(item, f"{ds.name}[{n}]")
        version = item.versions[0]
        exact = size(item, version)
        assert 400_000 <= exact <= 406_000 and exact == version.metadata["payload_bytes"]
        assert exact == payload_bytes(
            version.input, version.expected_output, item.source_output, version.metadata
        )
        answer = version.expected_output["answer"]
        assert sum(answer in chunk for chunk in version.input["context"]) == 1
