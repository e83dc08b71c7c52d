"""The demo seed: counts, determinism, the edge cases a viewer must survive, and streaming."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from explorer.emulator.demo_data import (
    BIG_RAG_ITEM_MB,
    DELETED_DATASETS,
    DEMO_DELETED_ITEM_COUNTS,
    DEMO_VISIBLE_COUNTS,
    LARGE_DELETED_ITEM_COUNTS,
    LARGE_VISIBLE_COUNTS,
    SeedDataset,
    SeedItem,
    seed_datasets,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REQUIRED_EDGE_CASES = {
    "null-input",
    "null-output",
    "null-metadata",
    "all-null",
    "empty-string",
    "empty-object",
    "empty-array",
    "top-level-string",
    "top-level-number",
    "top-level-boolean",
    "top-level-array",
    "deep-nesting-objects",
    "array-10000",
    "emoji",
    "cjk",
    "rtl-arabic",
    "rtl-hebrew",
    "mixed-direction",
    "rich-markup",
    "ansi-escapes",
    "osc-sequences",
    "html-injection",
    "long-line-200k",
    "big-integers",
    "float-precision",
    "weird-keys",
    "long-keys",
    "control-characters",
    "astral-characters",
    "whitespace-only",
    "ref-trace-id-255",
    "ref-url-special-characters",
    "soft-deleted-item",
}


def by_name(kind: str = "demo") -> dict[str, SeedDataset]:
    return {ds.name: ds for ds in seed_datasets(kind)}


def items(name: str) -> Iterator[SeedItem]:
    return by_name()[name].items()


def case_of(item: SeedItem) -> str:
    for holder in (item.metadata, item.input):
        if isinstance(holder, dict) and isinstance(holder.get("case"), str):
            return holder["case"]
    assert item.ref_source_id is not None and item.ref_source_id.startswith("edge-case:")
    return item.ref_source_id.removeprefix("edge-case:").split(" ")[0]


def edge_cases() -> dict[str, SeedItem]:
    return {case_of(item): item for item in items("edge-cases")}


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def digest(kind: str) -> str:
    h = hashlib.sha256()
    for ds in seed_datasets(kind):
        h.update(json.dumps([ds.name, ds.description, ds.metadata, ds.deleted]).encode())
        for item in ds.items():
            row = [item.input, item.output, item.metadata, item.ref_trace_id]
            row += [item.ref_timestamp, item.ref_source_id, item.deleted]
            h.update(json.dumps(row, sort_keys=True).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def test_none_is_empty_and_unknown_kind_raises() -> None:
    assert seed_datasets("none") == []
    with pytest.raises(ValueError, match="unknown seed kind"):
        seed_datasets("huge")


def test_demo_counts_match_constants() -> None:
    datasets = seed_datasets("demo")
    assert [ds.name for ds in datasets] == list(DEMO_VISIBLE_COUNTS)
    assert DEMO_VISIBLE_COUNTS["customer-support-evals"] == 1_200
    assert DEMO_VISIBLE_COUNTS["rag-answers-golden"] == 300
    assert DEMO_VISIBLE_COUNTS["sql-generation"] == 5_000
    assert 55 <= DEMO_VISIBLE_COUNTS["edge-cases"] <= 70
    for ds in datasets:
        all_items = list(ds.items())
        deleted = sum(item.deleted for item in all_items)
        assert len(all_items) == ds.item_count, ds.name
        assert len(all_items) - deleted == DEMO_VISIBLE_COUNTS[ds.name], ds.name
        assert deleted == DEMO_DELETED_ITEM_COUNTS[ds.name], ds.name
        assert ds.deleted == (ds.name in DELETED_DATASETS)
        # every live dataset hides at least one soft-deleted item
        assert deleted >= 1, ds.name
    assert {"old-prompts-archive"} == DELETED_DATASETS


def test_items_is_a_fresh_iterator_each_call() -> None:
    ds = by_name()["sql-generation"]
    first, second = ds.items(), ds.items()
    assert next(first) == next(second)
    assert next(first) == next(second)


def test_demo_is_deterministic() -> None:
    assert digest("demo") == digest("demo")


def test_dataset_descriptions_and_metadata() -> None:
    for ds in seed_datasets("demo"):
        assert ds.description
        assert isinstance(ds.metadata, dict) and "owner" in ds.metadata


def test_support_items_look_like_chat_evals() -> None:
    tools_seen: set[str] = set()
    full = trace_only = none = 0
    for item in items("customer-support-evals"):
        messages = item.input["messages"]
        assert messages[0]["role"] == "system"
        assert {m["role"] for m in messages} <= {"system", "user", "assistant", "tool"}
        assert item.output["role"] == "assistant"
        assert item.metadata["difficulty"] in {"easy", "medium", "hard"}
        assert isinstance(item.metadata["tags"], list) and item.metadata["tags"]
        for call in item.output.get("tool_calls", []):
            assert call["type"] == "function"
            json.loads(call["function"]["arguments"])
            tools_seen.add(call["function"]["name"])
            assert item.metadata["expected_tool"] == call["function"]["name"]
        if "tool_calls" not in item.output:
            assert item.metadata["expected_tool"] is None
        refs = (item.ref_trace_id, item.ref_timestamp, item.ref_source_id)
        if all(refs):
            full += 1
        elif item.ref_trace_id and not item.ref_timestamp:
            trace_only += 1
        else:
            assert refs == (None, None, None)
            none += 1
    assert len(tools_seen) >= 8
    total = full + trace_only + none
    assert 0.8 < full / total < 0.9
    assert trace_only > 30 and none > 30


def test_rag_citations_point_at_retrieved_documents() -> None:
    for item in items("rag-answers-golden"):
        doc_ids = [doc["id"] for doc in item.input["documents"]]
        assert set(item.output["citations"]) <= set(doc_ids)
        scores = [doc["score"] for doc in item.input["documents"]]
        assert scores == sorted(scores, reverse=True)


def test_big_rag_items_are_one_to_five_megabytes() -> None:
    sizes = []
    for item in items("rag-answers-golden"):
        if "long-context" in item.metadata["tags"]:
            text = json.dumps(item.input)
            assert text == json.dumps(item.input, ensure_ascii=False)  # ASCII: bytes == chars
            sizes.append(len(text))
    assert len(sizes) == len(BIG_RAG_ITEM_MB) == 5
    for size, mb in zip(sizes, BIG_RAG_ITEM_MB, strict=True):
        assert mb * 1_000_000 <= size < mb * 1_000_000 + 20_000


def test_sql_items() -> None:
    dialects: set[str] = set()
    for item in items("sql-generation"):
        assert item.input["schema"].startswith("CREATE TABLE")
        assert item.output["sql"].lstrip().startswith(("SELECT", "WITH"))
        assert item.output["sql"].rstrip().endswith(";")
        assert item.metadata["tables"]
        dialects.add(item.metadata["dialect"])
    assert dialects == {"postgresql", "mysql", "sqlite", "clickhouse", "bigquery"}


def test_edge_cases_cover_every_required_case() -> None:
    cases = [case_of(item) for item in items("edge-cases")]
    assert len(cases) == len(set(cases))
    assert set(cases) >= REQUIRED_EDGE_CASES
    for item in items("edge-cases"):
        label = item.metadata if isinstance(item.metadata, dict) else item.input
        if isinstance(label, dict) and "case" in label:
            assert label["description"], label["case"]
        else:  # the metadata under test is an empty object or null: the input names the case
            assert isinstance(item.input, dict) or case_of(item) == "all-null"


def test_edge_case_values() -> None:
    e = edge_cases()
    assert e["null-input"].input is None
    assert e["null-output"].output is None
    assert e["null-metadata"].metadata is None
    assert (e["all-null"].input, e["all-null"].output, e["all-null"].metadata) == (None,) * 3
    assert e["empty-string"].input == "" and e["empty-object"].input == {}
    assert e["empty-array"].input == []
    assert isinstance(e["top-level-string"].input, str)
    assert isinstance(e["top-level-number"].input, int)
    assert e["top-level-boolean"].input is True
    assert isinstance(e["top-level-array"].input, list)
    assert depth(e["deep-nesting-objects"].input) == 60
    assert depth(e["deep-nesting-arrays"].input) == 60
    assert len(e["array-10000"].input) == 10_000
    line = e["long-line-200k"].input["text"]
    assert len(line) == 200_000 and "\n" not in line
    assert len(e["long-line-200k-words"].input) == 200_000
    assert "\x00" in e["control-characters"].input["null_byte"]
    assert "\x1b[2J" in e["ansi-escapes"].input["clear_screen"]
    assert "\x1b]52;" in e["osc-sequences"].input["clipboard"]
    assert "<script>alert(1)</script>" in e["html-injection"].input.values()
    assert "[bold red]alert[/]" in e["rich-markup"].input["bold"]
    assert e["weird-keys"].input[""] == "empty key"
    assert max(len(k) for k in e["long-keys"].input) == 10_000
    assert any(ord(ch) > 0xFFFF for ch in e["astral-characters"].input)
    assert e["soft-deleted-item"].deleted
    assert sum(item.deleted for item in e.values()) == 1


def test_big_integers_survive_json_exactly() -> None:
    value = edge_cases()["big-integers"].input
    assert value["two_pow_53_plus_1"] == 2**53 + 1
    assert value["thirty_digits"] == 123456789012345678901234567890
    assert value["negative"] == -(2**53 + 1)
    assert json.loads(json.dumps(value)) == value
    assert "9007199254740993" in json.dumps(value)


def test_every_item_is_valid_json_text() -> None:
    for ds in seed_datasets("demo"):
        for item in ds.items():
            for value in (item.input, item.output, item.metadata):
                text = json.dumps(value, allow_nan=False)
                text.encode("utf-8")  # no lone surrogates


def test_ref_fields_are_within_limits_and_timestamps_parse() -> None:
    seen_255 = False
    for ds in seed_datasets("demo"):
        for item in ds.items():
            for ref in (item.ref_trace_id, item.ref_source_id):
                assert ref is None or len(ref) <= 255
                seen_255 |= ref is not None and len(ref) == 255
            if item.ref_timestamp is not None:
                ts = item.ref_timestamp
                assert ts.endswith("Z") and len(ts) == len("2026-02-11T14:03:22.123456Z")
                datetime.fromisoformat(ts.replace("Z", "+00:00"))
    assert seen_255


def test_source_id_is_a_uuid7_at_the_trace_time() -> None:
    for item in items("customer-support-evals"):
        if item.ref_source_id and item.ref_source_id != item.ref_trace_id:
            assert item.ref_timestamp is not None
            ms = int(item.ref_source_id.replace("-", "")[:12], 16)
            ts = datetime.fromisoformat(item.ref_timestamp.replace("Z", "+00:00"))
            assert ms == (ts - EPOCH) // timedelta(milliseconds=1)
            assert item.ref_source_id[14] == "7"


def test_ref_timestamps_grow_with_item_order() -> None:
    stamps = [i.ref_timestamp for i in items("sql-generation") if i.ref_timestamp]
    assert stamps == sorted(stamps)


def test_large_adds_bulk_and_streams_in_constant_memory() -> None:
    datasets = by_name("large")
    assert list(datasets) == list(LARGE_VISIBLE_COUNTS)
    assert LARGE_DELETED_ITEM_COUNTS["bulk-100k"] == 0
    bulk = datasets["bulk-100k"]
    assert bulk.item_count == LARGE_VISIBLE_COUNTS["bulk-100k"] == 100_000
    tracemalloc.start()
    try:
        count = 0
        for item in bulk.items():
            count += 1
            assert not item.deleted
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 2_000_000, f"peak {peak} bytes while streaming bulk-100k"


def test_generation_is_fast_enough_for_a_quick_server_start() -> None:
    started = time.perf_counter()
    for ds in seed_datasets("demo"):
        for _ in ds.items():
            pass
    elapsed = time.perf_counter() - started
    # about 0.25 s on a 2-core machine; the server must answer within 2 s of starting
    assert elapsed < 1.5, f"demo seed took {elapsed:.2f} s"


def test_demo_is_identical_in_another_process() -> None:
    # str hashing is randomised per process; nothing in the seed may depend on it
    code = "from tests.emulator.test_demo_data import digest; print(digest('demo'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == digest("demo")
