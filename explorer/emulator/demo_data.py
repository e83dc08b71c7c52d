"""Deterministic demo data for the embedded server.

``seed_datasets(kind)`` describes the datasets the emulator starts with; the loader turns them
into rows. Datasets come in the order they should be created (oldest first), and each dataset's
``items()`` yields its items oldest first. Nothing here reads the clock or the global random:
every dataset has its own ``random.Random`` seeded with a fixed string, so two runs (and two
machines) give byte-identical data.

kind="demo" (also the first datasets of kind="large"):

==========================  =============  ==================  =================
dataset                     visible items  soft-deleted items  dataset deleted?
==========================  =============  ==================  =================
old-prompts-archive                     9                   3  yes
sql-generation                      5,000                   8  no
rag-answers-golden                    300                   3  no
customer-support-evals              1,200                   6  no
edge-cases                             63                   1  no
==========================  =============  ==================  =================

``item_count`` counts the soft-deleted items too (visible + deleted). The archive dataset is
soft-deleted but its nine live items are still returned by an unfiltered item list (deleting a
dataset does not cascade). kind="large" adds ``bulk-100k``: 100,000 visible, 0 deleted.
kind="none" is an empty list.

Ref fields: customer-support-evals has all three on ~85% of items, only ``ref_trace_id`` on
~8%, none on ~7%; sql-generation ~70% / ~10% / ~20%; rag-answers-golden ~40% all three, the
rest none (hand-curated); bulk-100k all three on every other item. ``ref_source_id`` is a
UUIDv7 whose time matches ``ref_timestamp`` (a generation event id). rag-answers-golden holds
five items whose input is about 1, 2, 3, 4 and 5 MB of JSON (see ``BIG_RAG_ITEM_MB``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from explorer.emulator.demo_bulk import bulk_item
from explorer.emulator.demo_edge_cases import EDGE_CASES
from explorer.emulator.demo_rag import BIG_RAG_ITEM_MB, big_rag_item, rag_item
from explorer.emulator.demo_sql import sql_item
from explorer.emulator.demo_support import support_item

__all__ = [
    "BIG_RAG_ITEM_MB",
    "DELETED_DATASETS",
    "DEMO_DELETED_ITEM_COUNTS",
    "DEMO_VISIBLE_COUNTS",
    "KINDS",
    "LARGE_DELETED_ITEM_COUNTS",
    "LARGE_VISIBLE_COUNTS",
    "SeedDataset",
    "SeedItem",
    "seed_datasets",
]


@dataclass(frozen=True)
class SeedItem:
    """One dataset item as the loader should store it (the loader picks ids and timestamps)."""

    input: Any
    output: Any
    metadata: Any
    ref_trace_id: str | None = None
    ref_timestamp: str | None = None  # ISO-8601, microseconds, Z
    ref_source_id: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class SeedDataset:
    """One dataset; ``items()`` returns a fresh, lazy iterator over exactly ``item_count`` items."""

    name: str
    description: str | None
    metadata: Any
    deleted: bool
    item_count: int
    items: Callable[[], Iterator[SeedItem]]


KINDS = ("none", "demo", "large")

# Items the API can list per dataset (soft-deleted items excluded; the archive dataset's own
# deletion does not hide its items).
DEMO_VISIBLE_COUNTS: dict[str, int] = {
    "old-prompts-archive": 9,
    "sql-generation": 5_000,
    "rag-answers-golden": 300,
    "customer-support-evals": 1_200,
    "edge-cases": len(EDGE_CASES) - 1,
}
DEMO_DELETED_ITEM_COUNTS: dict[str, int] = {
    "old-prompts-archive": 3,
    "sql-generation": 8,
    "rag-answers-golden": 3,
    "customer-support-evals": 6,
    "edge-cases": 1,
}
LARGE_VISIBLE_COUNTS: dict[str, int] = {**DEMO_VISIBLE_COUNTS, "bulk-100k": 100_000}
LARGE_DELETED_ITEM_COUNTS: dict[str, int] = {**DEMO_DELETED_ITEM_COUNTS, "bulk-100k": 0}
DELETED_DATASETS = frozenset({"old-prompts-archive"})

_EPOCH = date(1970, 1, 1)
_EPOCH_DT = datetime(1970, 1, 1)
_US_PER_DAY = 86_400_000_000


class _Refs:
    """Trace references for one dataset: timestamps spread over [start, end), oldest first."""

    def __init__(self, rng: random.Random, start: date, end: date, count: int) -> None:
        self._rng = rng
        self._start_us = (start - _EPOCH).days * _US_PER_DAY
        self._step_us = max(1, ((end - start).days * _US_PER_DAY) // max(count, 1))
        self._day_cache: dict[int, str] = {}

    def timestamp_us(self, index: int) -> int:
        return self._start_us + index * self._step_us + self._rng.randrange(self._step_us)

    def iso(self, us: int) -> str:
        days, rest = divmod(us, _US_PER_DAY)
        day = self._day_cache.get(days)
        if day is None:
            day = self._day_cache[days] = (_EPOCH + timedelta(days=days)).isoformat()
        secs, micros = divmod(rest, 1_000_000)
        return f"{day}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.{micros:06d}Z"

    def uuid4(self) -> str:
        h = f"{self._rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def uuid7(self, us: int) -> str:
        h = f"{us // 1000:012x}{self._rng.getrandbits(80):020x}"
        return f"{h[:8]}-{h[8:12]}-7{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def trace_id(self) -> str:
        style = self._rng.random()
        if style < 0.7:
            return self.uuid4()
        if style < 0.9:
            return f"{self._rng.getrandbits(128):032x}"
        return f"conv_{self._rng.getrandbits(64):016x}:turn-{self._rng.randint(1, 12)}"

    def item(
        self,
        index: int,
        mode: str,
        input: Any,
        output: Any,
        metadata: Any,
        deleted: bool,
        us: int | None = None,
    ) -> SeedItem:
        """``mode``: "full" (all three ref fields), "trace" (trace id only) or "none".

        ``us`` is the trace time (microseconds since the epoch) when the caller already drew it.
        """
        if mode == "none":
            return SeedItem(input, output, metadata, deleted=deleted)
        trace = self.trace_id()
        if mode == "trace":
            return SeedItem(input, output, metadata, ref_trace_id=trace, deleted=deleted)
        if us is None:
            us = self.timestamp_us(index)
        # a whole saved trace points at itself; otherwise at the generation event
        source = trace if self._rng.random() < 0.05 else self.uuid7(us)
        return SeedItem(input, output, metadata, trace, self.iso(us), source, deleted)


def _ref_mode(rng: random.Random, full: float, trace_only: float) -> str:
    r = rng.random()
    return "full" if r < full else "trace" if r < full + trace_only else "none"


def _deleted_positions(name: str, total: int, deleted: int) -> frozenset[int]:
    return frozenset(random.Random(f"{name}:deleted").sample(range(total), deleted))


def _support_items() -> Iterator[SeedItem]:
    name = "customer-support-evals"
    total = DEMO_VISIBLE_COUNTS[name] + DEMO_DELETED_ITEM_COUNTS[name]
    gone = _deleted_positions(name, total, DEMO_DELETED_ITEM_COUNTS[name])
    rng = random.Random(f"{name}:v1")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 11, 3), date(2026, 2, 9), total)
    for i in range(total):
        mode = _ref_mode(rng, 0.85, 0.08)
        us = refs.timestamp_us(i)
        inp, out, meta = support_item(rng, _EPOCH_DT + timedelta(microseconds=us), mode != "none")
        if i in gone:
            meta["review_status"] = "rejected"
            meta["rejection_reason"] = rng.choice(
                ("duplicate of another case", "label is wrong", "contains real customer PII")
            )
        yield refs.item(i, mode, inp, out, meta, i in gone, us)


def _rag_items() -> Iterator[SeedItem]:
    name = "rag-answers-golden"
    total = DEMO_VISIBLE_COUNTS[name] + DEMO_DELETED_ITEM_COUNTS[name]
    gone = _deleted_positions(name, total, DEMO_DELETED_ITEM_COUNTS[name])
    big = {pos: mb for pos, mb in zip((41, 97, 158, 211, 263), BIG_RAG_ITEM_MB, strict=True)}
    rng = random.Random(f"{name}:v1")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 12, 1), date(2026, 2, 6), total)
    for i in range(total):
        mode = "full" if rng.random() < 0.4 else "none"
        if i in big:
            inp, out, meta = big_rag_item(big[i])
        else:
            inp, out, meta = rag_item(rng, mode == "full")
        if i in gone:
            meta["review_status"] = "superseded"
        yield refs.item(i, mode, inp, out, meta, i in gone)


def _sql_items() -> Iterator[SeedItem]:
    name = "sql-generation"
    total = DEMO_VISIBLE_COUNTS[name] + DEMO_DELETED_ITEM_COUNTS[name]
    gone = _deleted_positions(name, total, DEMO_DELETED_ITEM_COUNTS[name])
    rng = random.Random(f"{name}:v1")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 8, 18), date(2026, 2, 10), total)
    for i in range(total):
        mode = _ref_mode(rng, 0.7, 0.1)
        inp, out, meta = sql_item(rng)
        if i in gone:
            meta["review_status"] = "rejected"
            meta["execution_verified"] = False
        yield refs.item(i, mode, inp, out, meta, i in gone)


def _edge_items() -> Iterator[SeedItem]:
    for _case, build in EDGE_CASES:
        yield SeedItem(**build())


_ARCHIVE_PROMPTS = (
    ("Summarize the following support ticket in one sentence.", "summarize-ticket", "v1"),
    ("Classify the sentiment of this review as positive, neutral or negative.", "sentiment", "v1"),
    ("Extract the order number from the message. Reply with the number only.", "extract", "v2"),
    ("Rewrite this reply to sound friendlier without changing its meaning.", "tone", "v1"),
    ("Translate the customer's message to English.", "translate", "v1"),
    ("Decide whether this message needs a human agent. Answer yes or no.", "routing", "v3"),
)
_ARCHIVE_TEXTS = (
    ("My blender arrived broken and nobody answers my emails.", "negative", "yes"),
    ("Love the kettle, boils super fast!", "positive", "no"),
    ("Order BW-4418273 still not here, what's going on", "negative", "no"),
    ("It's fine I guess. Does the job.", "neutral", "no"),
)


def _archive_items() -> Iterator[SeedItem]:
    rng = random.Random("old-prompts-archive:v1")
    for i in range(12):
        prompt, task, version = _ARCHIVE_PROMPTS[i % len(_ARCHIVE_PROMPTS)]
        text, sentiment, needs_human = rng.choice(_ARCHIVE_TEXTS)
        answer = {"sentiment": sentiment, "routing": needs_human}.get(task, "(not labelled)")
        yield SeedItem(
            input={"prompt": prompt, "text": text, "template": f"{task}-{version}"},
            output=answer,
            metadata={"task": task, "prompt_version": version, "migrated": False},
            deleted=i in (2, 7, 10),
        )


def _bulk_items() -> Iterator[SeedItem]:
    rng = random.Random("bulk-100k:v1")
    refs = _Refs(random.Random("bulk-100k:refs"), date(2025, 6, 1), date(2026, 2, 1), 100_000)
    for i in range(100_000):
        inp, out, meta = bulk_item(rng.getrandbits(64), i)
        yield refs.item(i, "full" if i % 2 == 0 else "none", inp, out, meta, False)


# The metadata of each demo dataset, shared with the v2 demo (``demo_v2``).
DATASET_METADATA: dict[str, dict[str, Any]] = {
    "old-prompts-archive": {
        "owner": "support-ml",
        "version": "0.3",
        "archived_reason": "migrated to v2 bot",
    },
    "sql-generation": {
        "owner": "data-platform",
        "version": "2.4.0",
        "dialects": ["postgresql", "mysql", "sqlite", "clickhouse", "bigquery"],
        "metric": "execution_accuracy",
        "baseline": {"model": "gpt-4.1-2025-04-14", "score": 0.812},
    },
    "rag-answers-golden": {
        "owner": "search-quality",
        "version": "1.7",
        "retriever": "hybrid-bm25-e5-large + cohere-rerank-v3",
        "graders": ["faithfulness", "citation_precision", "answer_relevance"],
    },
    "customer-support-evals": {
        "owner": "support-ml",
        "version": "3.2.1",
        "tools": [
            "lookup_order",
            "track_shipment",
            "create_return_label",
            "escalate_to_human",
            "send_password_reset",
            "lock_account",
            "get_invoice",
            "update_subscription",
            "check_promo_code",
            "check_stock",
            "search_help_center",
        ],
        "eval_config": {"judge": "gpt-4.1", "rubric": "support-v3", "threshold": 0.8},
    },
}


def _demo() -> list[SeedDataset]:
    def ds(
        name: str, description: str, metadata: Any, items: Callable[[], Iterator[SeedItem]]
    ) -> SeedDataset:
        count = DEMO_VISIBLE_COUNTS[name] + DEMO_DELETED_ITEM_COUNTS[name]
        return SeedDataset(name, description, metadata, name in DELETED_DATASETS, count, items)

    return [
        ds(
            "old-prompts-archive",
            "Prompts from the v1 support bot, kept for reference. Superseded by "
            "customer-support-evals.",
            DATASET_METADATA["old-prompts-archive"],
            _archive_items,
        ),
        ds(
            "sql-generation",
            "Natural-language questions over five warehouse schemas with reference SQL. Used "
            "to gate text-to-SQL prompt changes; every reference query was run against a "
            "fixture database unless execution_verified is false.",
            DATASET_METADATA["sql-generation"],
            _sql_items,
        ),
        ds(
            "rag-answers-golden",
            "Golden answers for the internal docs assistant: question, retrieved chunks, and "
            "the grounded answer with citations. Includes unanswerable questions and five "
            "oversized retrieval contexts.",
            DATASET_METADATA["rag-answers-golden"],
            _rag_items,
        ),
        ds(
            "customer-support-evals",
            "Support conversations for Wren, Brightwell's support assistant: the expected next "
            "reply or tool call. Sampled from production traces and reviewed, plus synthetic "
            "cases for rare flows.",
            DATASET_METADATA["customer-support-evals"],
            _support_items,
        ),
        ds(
            "edge-cases",
            "Items that stress a viewer: nulls, empty values, odd JSON types, deep nesting, huge "
            "arrays and lines, emoji, right-to-left text, markup and escape sequences that must "
            "never be interpreted, big numbers, strange keys. metadata.case says what each tests.",
            {"owner": "dataset-explorer", "purpose": "viewer robustness", "version": "1"},
            _edge_items,
        ),
    ]


def seed_datasets(kind: str) -> list[SeedDataset]:
    """The datasets to seed for ``kind`` ("none", "demo" or "large"), oldest first.

    Raises ValueError for any other kind.
    """
    if kind == "none":
        return []
    if kind == "demo":
        return _demo()
    if kind == "large":
        bulk = SeedDataset(
            "bulk-100k",
            "100,000 small items for benchmarks: arithmetic, sentiment, capitals, translation.",
            {"owner": "dataset-explorer", "purpose": "benchmark"},
            False,
            LARGE_VISIBLE_COUNTS["bulk-100k"],
            _bulk_items,
        )
        return [*_demo(), bulk]
    raise ValueError(f"unknown seed kind {kind!r}; expected one of {', '.join(KINDS)}")
