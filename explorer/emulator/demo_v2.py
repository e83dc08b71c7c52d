"""Deterministic demo data for the embedded server's versioned ("v2") datasets API.

``seed_datasets_v2(kind)`` describes the datasets a v2 emulator starts with; the loader turns
them into rows. It assigns ids, timestamps and dataset revisions: every item's version 1 in item
order (revisions 1..n), then every item's version 2 in item order, then every version 3, and so
on, like review rounds. Datasets come oldest first, and each dataset's ``items()`` yields its
items oldest first. Nothing here reads the clock or the global random: each dataset has its own
``random.Random`` seeded with a fixed string, so two runs (and two machines) give identical data.

The content comes from the classic demo's generators (``demo_support``, ``demo_rag``,
``demo_sql``, ``demo_edge_cases``, ``demo_bulk``, and ``demo_data``'s archive prompts and trace
references), drawn from the classic seeds, so the datasets read like the classic ones. What
v2 adds is history (immutable versions: edits, archive, restore), ``source_output`` and
``client_item_id``, within PostHog's limits (20 datasets, 600 items a dataset counting archived
ones, 40 versions an item, 406,666 bytes of payload a version).

kind="demo" (also the first datasets of kind="large"):

==========================  =====  ==============  ============  =================
dataset                     items  archived items  with history  dataset archived?
==========================  =====  ==============  ============  =================
old-prompts-archive            12               3             3  yes
sql-generation                600               8            60  no
rag-answers-golden            300               4            30  no
customer-support-evals        600               9            60  no
edge-cases                     74               2             8  no
==========================  =====  ==============  ============  =================

"items" counts archived items too (PostHog's item limit does). "archived items" are the items
whose last version is archived; "with history" the items with two versions or more. kind="large"
adds ``payload-limit-600``: 600 single-version items of 400,000-406,000 bytes of payload each
(about 242 MB, just under the 250 MB export limit). kind="none" is an empty list.

History. In customer-support-evals, sql-generation and rag-answers-golden a tenth of the items
tell one of the review stories of ``_play`` (2 to 6 versions): an expected output corrected
from what the model said, an approval (``"review_status": "approved"`` and a ``"reviewed"``
tag), an archive by mistake and its restore, a bad edit rolled back by restoring version 1, a
rejection then an archive, an item archived, restored and archived again. edge-cases holds the
hand-made histories (an item at the 40-version limit, one at 39 whose archive the reserved
restore slot refuses, input type changes, a one-line change in 5,000 lines, an older-version
restore). A restore version copies the input, expected output and metadata of the version it
restores (the archived one unless said otherwise); an archive version copies the current one.

Provenance. customer-support-evals: source trace, timestamp and event id on ~85% of items, trace
and timestamp only on ~8%, nothing on ~7% (synthetic); sql-generation ~70% / ~10% / ~20%;
rag-answers-golden ~40% all three, the rest none (curated). ``source_output`` (what the model
said) is set exactly on the items with a trace; it equals the final expected output except for
the items a reviewer corrected (a wrong tool, a vaguer reply, a missing or wrong citation, a
dropped SQL clause or a Markdown fence). ``client_item_id``: ~60% of the production support
items (``support-case-00017``), the curated RAG items (``golden-q-0042``), the synthetic SQL
items (``sql-ecommerce-0007``), every edge case (``edge-case:<case>``), every large item.
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from explorer.emulator.demo_bulk import bulk_item

# the classic demo's trace references, mode draw and archive prompts, reused as they are
from explorer.emulator.demo_data import DATASET_METADATA, _archive_items, _ref_mode, _Refs
from explorer.emulator.demo_edge_cases import EDGE_CASES
from explorer.emulator.demo_rag import BIG_RAG_ITEM_MB, big_rag_item, rag_item
from explorer.emulator.demo_sql import sql_item
from explorer.emulator.demo_support import REVIEWERS, support_item

__all__ = [
    "V2_ARCHIVED_DATASETS",
    "V2_DEMO_ARCHIVED_ITEMS",
    "V2_DEMO_HISTORY_ITEMS",
    "V2_DEMO_ITEM_COUNTS",
    "V2_DROPPED_EDGE_CASES",
    "V2_KINDS",
    "V2_LARGE_ARCHIVED_ITEMS",
    "V2_LARGE_DATASET",
    "V2_LARGE_ITEM_COUNTS",
    "V2_MAX_DATASETS",
    "V2_MAX_ID_CHARS",
    "V2_MAX_ITEMS_PER_DATASET",
    "V2_MAX_PAYLOAD_BYTES",
    "V2_MAX_VERSIONS_PER_ITEM",
    "V2SeedDataset",
    "V2SeedItem",
    "V2SeedVersion",
    "payload_bytes",
    "seed_datasets_v2",
]


@dataclass(frozen=True)
class V2SeedVersion:
    """One immutable version of an item (the loader picks its id, revision and timestamps)."""

    input: Any  # any JSON value but never None
    expected_output: Any  # JSON or None
    metadata: dict[str, Any]  # always a JSON object
    archived: bool = False


@dataclass(frozen=True)
class V2SeedItem:
    """One stable item: its versions oldest first, and the fields no version can change."""

    versions: tuple[V2SeedVersion, ...]  # versions[0] is version 1
    source_output: Any = None  # what the model said (immutable, the same for every version)
    source_trace_id: str | None = None
    source_event_id: str | None = None
    source_timestamp: str | None = None  # ISO-8601 with microseconds and Z
    client_item_id: str | None = None


@dataclass(frozen=True)
class V2SeedDataset:
    """One dataset; ``items()`` returns a fresh, lazy iterator over exactly ``item_count`` items."""

    name: str
    description: str
    metadata: dict[str, Any]
    archived: bool
    item_count: int
    items: Callable[[], Iterator[V2SeedItem]]


V2_KINDS = ("none", "demo", "large")

# PostHog's limits (dataset_limits.py @ 55a1ea7b, dataset_service.py @ 57fc26de)
V2_MAX_DATASETS = 20
V2_MAX_ITEMS_PER_DATASET = 600
V2_MAX_VERSIONS_PER_ITEM = 40  # archive needs a free slot after it: an archive is version <= 39
V2_MAX_PAYLOAD_BYTES = 250_000_000 // V2_MAX_ITEMS_PER_DATASET - 10_000  # 406,666
V2_MAX_ID_CHARS = 255  # client_item_id and the source ids

V2_LARGE_DATASET = "payload-limit-600"
V2_ARCHIVED_DATASETS = frozenset({"old-prompts-archive"})


def payload_bytes(input: Any, expected_output: Any, source_output: Any, metadata: Any) -> int:
    """The size PostHog checks against ``V2_MAX_PAYLOAD_BYTES``: compact, sorted-keys UTF-8."""
    payload = {
        "input": input,
        "expected_output": expected_output,
        "source_output": source_output,
        "metadata": metadata,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode())


def _json_bytes(value: Any) -> int:
    """Bytes of ``value`` inside a payload (compact, sorted keys, UTF-8)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode())


def _canonical(version: V2SeedVersion) -> str:
    return json.dumps(
        [version.input, version.expected_output, version.metadata],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


# --- history ------------------------------------------------------------------------------
_KEEP: Any = object()


class _History:
    """One item's versions, built the way the API builds them (edit, archive, restore)."""

    def __init__(self, input: Any, expected_output: Any, metadata: dict[str, Any]) -> None:
        self.versions = [V2SeedVersion(input, expected_output, metadata)]

    def edit(
        self, *, input: Any = _KEEP, expected_output: Any = _KEEP, metadata: Any = _KEEP
    ) -> _History:
        """A PATCH: a new active version; it must change something (else PostHog adds none)."""
        current = self.versions[-1]
        if current.archived:
            raise ValueError("an archived version cannot be edited; restore it first")
        new = V2SeedVersion(
            current.input if input is _KEEP else input,
            current.expected_output if expected_output is _KEEP else expected_output,
            current.metadata if metadata is _KEEP else metadata,
        )
        if _canonical(new) == _canonical(current):
            raise ValueError("an edit must change the content")
        self.versions.append(new)
        return self

    def archive(self) -> _History:
        """An archive: a copy of the current version with ``archived`` set."""
        current = self.versions[-1]
        if current.archived:
            raise ValueError("the item is already archived")
        self.versions.append(replace(current, archived=True))
        return self

    def restore(self, source_version: int | None = None) -> _History:
        """A restore: the content of ``source_version`` (1-based), else of the archived one."""
        current = self.versions[-1]
        if not current.archived:
            raise ValueError("only an archived item can be restored")
        source = current if source_version is None else self.versions[source_version - 1]
        self.versions.append(V2SeedVersion(source.input, source.expected_output, source.metadata))
        return self

    def done(self) -> tuple[V2SeedVersion, ...]:
        return tuple(self.versions)


@dataclass
class _Reviews:
    """How one dataset's reviewers annotate metadata; ``rng`` is the dataset's side stream."""

    rng: random.Random
    reviewers: tuple[str, ...]
    reasons: tuple[str, ...]  # why an item was rejected
    notes: tuple[str, ...]  # why an item was flagged for a second look
    duplicate: str  # the rejection reason of a duplicate
    rejected_extra: dict[str, Any] | None = None  # more metadata a rejection sets

    def approved(self, meta: dict[str, Any]) -> dict[str, Any]:
        tags = list(meta.get("tags", []))
        if "reviewed" not in tags:
            tags.append("reviewed")
        reviewer = meta.get("reviewed_by") or self.rng.choice(self.reviewers)
        return {**meta, "tags": tags, "review_status": "approved", "reviewed_by": reviewer}

    def rejected(self, meta: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        why = reason or self.rng.choice(self.reasons)
        return {
            **meta,
            "review_status": "rejected",
            "rejection_reason": why,
            **(self.rejected_extra or {}),
        }

    def flagged(self, meta: dict[str, Any]) -> dict[str, Any]:
        return {**meta, "review_status": "needs_review", "review_note": self.rng.choice(self.notes)}

    def regression(self, meta: dict[str, Any]) -> dict[str, Any]:
        tags = [*meta.get("tags", []), "regression-suite"]
        return {**meta, "tags": tags, "regression_ticket": f"EVAL-{self.rng.randint(100, 999)}"}


# story -> weight, for items that stay active; every story appears at least once per dataset
_ACTIVE_STORIES: tuple[tuple[str, float], ...] = (
    ("corrected", 0.25),  # v1 what the model said, v2 the reviewer's correction
    ("approved", 0.25),  # v2 approved
    ("corrected-approved", 0.15),  # corrected, then approved
    ("archived-by-mistake", 0.10),  # archived, restored
    ("restored-older", 0.10),  # flagged, archived, restored from v1, approved
    ("rolled-back", 0.08),  # a bad edit, archived, restored from v1
    ("full-review", 0.07),  # corrected, approved, archived, restored, tagged regression
)
# for items that end archived, used in turn
_ARCHIVED_STORIES = ("rejected", "archived", "duplicate", "archived-twice")
# stories whose version 1 holds the draft (what the model said) as the expected output
_DRAFT_STORIES = frozenset({"corrected", "corrected-approved", "full-review", "duplicate"})
_NEEDS_DRAFT = _DRAFT_STORIES | {"rolled-back"}


def _assign_stories(name: str, total: int, with_history: int, archived: int) -> dict[int, str]:
    """Item position -> story for ``with_history`` items, ``archived`` of them ending archived."""
    rng = random.Random(f"{name}:history")
    positions = rng.sample(range(total), with_history)
    names = [s[0] for s in _ACTIVE_STORIES]
    weights = [s[1] for s in _ACTIVE_STORIES]
    stories: dict[int, str] = {}
    for n, pos in enumerate(positions):
        if n < archived:
            stories[pos] = _ARCHIVED_STORIES[n % len(_ARCHIVED_STORIES)]
        elif n - archived < len(names):
            stories[pos] = names[n - archived]
        else:
            stories[pos] = rng.choices(names, weights=weights)[0]
    return stories


def _play(
    story: str, golden: tuple[Any, Any, dict[str, Any]], draft: Any, reviews: _Reviews
) -> tuple[V2SeedVersion, ...]:
    """The versions of one review story; ``golden`` is the reviewed (input, output, metadata)."""
    inp, out, meta = golden
    if story in _DRAFT_STORIES:
        h = _History(inp, draft, meta).edit(expected_output=out)
    else:
        h = _History(inp, out, meta)
    if story in ("approved", "corrected-approved"):
        h.edit(metadata=reviews.approved(meta))
    elif story == "archived-by-mistake":
        h.archive().restore()
    elif story == "restored-older":
        h.edit(metadata=reviews.flagged(meta)).archive().restore(1)
        h.edit(metadata=reviews.approved(meta))
    elif story == "rolled-back":
        h.edit(expected_output=draft).archive().restore(1)
    elif story == "full-review":
        approved = reviews.approved(meta)
        h.edit(metadata=approved).archive().restore().edit(metadata=reviews.regression(approved))
    elif story == "rejected":
        h.edit(metadata=reviews.rejected(meta)).archive()
    elif story == "archived":
        h.archive()
    elif story == "duplicate":
        h.edit(metadata=reviews.rejected(meta, reviews.duplicate)).archive()
    elif story == "archived-twice":
        h.archive().restore().edit(metadata=reviews.rejected(meta)).archive()
    elif story != "corrected":
        raise ValueError(f"unknown story {story!r}")
    return h.done()


# share of the model outputs a reviewer corrected before saving the item (no history)
_CORRECTED_ON_CAPTURE = 0.08


def _reviewed_item(
    golden: tuple[Any, Any, dict[str, Any]],
    story: str | None,
    make_draft: Callable[[], Any],
    reviews: _Reviews,
    provenance: tuple[str | None, str | None, str | None],
    client_item_id: str | None,
) -> V2SeedItem:
    """An item of a reviewed dataset. ``make_draft`` gives a worse or different output."""
    inp, out, meta = golden
    trace, event, timestamp = provenance
    draft = make_draft() if story in _NEEDS_DRAFT else None
    if trace is None:
        source = None  # synthetic or curated: no model run to keep
    elif story in _DRAFT_STORIES:
        source = draft
    elif reviews.rng.random() < _CORRECTED_ON_CAPTURE:
        source = make_draft()
    else:
        source = out
    versions = (
        (V2SeedVersion(inp, out, meta),) if story is None else _play(story, golden, draft, reviews)
    )
    return V2SeedItem(versions, source, trace, event, timestamp, client_item_id)


def _provenance(
    refs: _Refs, rng: random.Random, mode: str, us: int
) -> tuple[str | None, str | None, str | None]:
    """(trace id, event id, timestamp) for the classic ref ``mode``.

    v2 needs the timestamp with a trace id, so the classic "trace only" mode becomes a trace
    and a timestamp without an event id.
    """
    if mode == "none":
        return None, None, None
    trace = refs.trace_id()
    if mode == "trace":
        return trace, None, refs.iso(us)
    # a whole saved trace points at itself; otherwise at the generation event
    event = trace if rng.random() < 0.05 else refs.uuid7(us)
    return trace, event, refs.iso(us)


_EPOCH_DT = datetime(1970, 1, 1)


# --- customer-support-evals ---------------------------------------------------------------
_WRONG_TOOL = {
    "lookup_order": "track_shipment",
    "track_shipment": "lookup_order",
    "create_return_label": "escalate_to_human",
    "escalate_to_human": "search_help_center",
    "send_password_reset": "lock_account",
    "lock_account": "send_password_reset",
    "get_invoice": "lookup_order",
    "update_subscription": "search_help_center",
    "check_promo_code": "search_help_center",
    "check_stock": "search_help_center",
    "search_help_center": "escalate_to_human",
}
_VAGUE_SUPPORT_REPLIES = (
    "Thanks for reaching out! I'm sorry for the trouble. Could you give me a few more details "
    "so I can look into this?",
    "I understand how frustrating this must be. Our team will look into it and get back to you "
    "as soon as possible.",
    "Sorry about that! You can find more information in our Help Center at "
    "help.brightwell.example.",
    "Let me check on that for you. Is there anything else I can help with in the meantime?",
)
_SUPPORT_FILLERS = (
    "Is there anything else I can help with?",
    "Let me know if you have any other questions!",
    "Have a great day!",
)


def _support_draft(rng: random.Random, out: dict[str, Any]) -> dict[str, Any]:
    """What the model said instead: the wrong tool, no tool at all, or a vaguer reply."""
    calls = out.get("tool_calls")
    if calls:
        call = calls[0]
        if rng.random() < 0.65:
            wrong = _WRONG_TOOL.get(call["function"]["name"], "search_help_center")
            wrong_call = {**call, "function": {**call["function"], "name": wrong}}
            return {"role": "assistant", "content": None, "tool_calls": [wrong_call]}
        return {"role": "assistant", "content": rng.choice(_VAGUE_SUPPORT_REPLIES)}
    reply: str = out["content"]
    first = reply.split(". ")[0].rstrip(".") + "."
    if first != reply and rng.random() < 0.5:
        return {"role": "assistant", "content": f"{first} {rng.choice(_SUPPORT_FILLERS)}"}
    return {"role": "assistant", "content": rng.choice(_VAGUE_SUPPORT_REPLIES)}


def _support_items() -> Iterator[V2SeedItem]:
    name = "customer-support-evals"
    total = V2_DEMO_ITEM_COUNTS[name]
    stories = _assign_stories(
        name, total, V2_DEMO_HISTORY_ITEMS[name], V2_DEMO_ARCHIVED_ITEMS[name]
    )
    rng = random.Random(f"{name}:v1")  # the classic content stream
    side = random.Random(f"{name}:v2")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 11, 3), date(2026, 2, 9), total)
    reviews = _Reviews(
        side,
        reviewers=tuple(r for r in REVIEWERS if r is not None),
        reasons=("label is wrong", "contains real customer PII", "policy changed since capture"),
        notes=(
            "reply promises more than the refund policy allows",
            "tone is too formal for chat",
            "check the tool arguments against the order",
        ),
        duplicate="duplicate of another case",
    )
    case_no = 16
    for i in range(total):
        mode = _ref_mode(rng, 0.85, 0.08)
        us = refs.timestamp_us(i)
        inp, out, meta = support_item(rng, _EPOCH_DT + timedelta(microseconds=us), mode != "none")
        provenance = _provenance(refs, side, mode, us)
        client_item_id = None
        if mode == "full" and side.random() < 0.6:
            case_no += side.randint(1, 9)
            client_item_id = f"support-case-{case_no:05d}"
        yield _reviewed_item(
            (inp, out, meta),
            stories.get(i),
            functools.partial(_support_draft, side, out),
            reviews,
            provenance,
            client_item_id,
        )


# --- rag-answers-golden -------------------------------------------------------------------
_CITATION = re.compile(r" ?\[\d+\]")


def _rag_draft(rng: random.Random, inp: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    """A worse answer: confident when it should abstain, uncited, miscited, or vaguer."""
    docs = inp["documents"]
    if not out["answerable"]:
        doc = docs[0]
        first = doc["text"].split(". ")[0].rstrip(".")
        return {
            "answer": f"Yes. According to {doc['title']}: {first} [1].",
            "citations": [doc["id"]],
            "answerable": True,
        }
    answer: str = out["answer"]
    r = rng.random()
    if r < 0.4:
        return {"answer": _CITATION.sub("", answer), "citations": [], "answerable": True}
    others = [j for j, d in enumerate(docs) if d["id"] not in out["citations"]]
    if r < 0.8 and others:
        j = rng.choice(others)
        miscited = _CITATION.sub(f" [{j + 1}]", answer)
        return {"answer": miscited, "citations": [docs[j]["id"]], "answerable": True}
    clause = re.split(r"[;,] ", _CITATION.sub("", answer))[0].rstrip(".")
    vaguer = f"{clause}. See the retrieved documents for details."
    return {"answer": vaguer, "citations": [], "answerable": True}


# The classic demo's five oversized contexts (1 to 5 MB) cannot exist in v2: a version's payload
# is at most 406,666 bytes. Here they are long contexts of about 80 to 400 KB instead, cut from
# the classic 1 MB one (whole documents kept, in order), at the same positions.
_LONG_CONTEXT_POSITIONS = (41, 97, 158, 211, 263)
_LONG_CONTEXT_BYTES = (80_000, 160_000, 240_000, 320_000, 400_000)


def _long_context_item(target: int) -> tuple[Any, Any, dict[str, Any]]:
    inp, out, meta = big_rag_item(BIG_RAG_ITEM_MB[0])
    documents = inp["documents"]
    kept_meta = {
        **meta,
        "input_bytes_approx": target,
        "note": f"long retrieval context, about {target // 1000} KB of JSON (the classic demo's "
        "1-5 MB contexts exceed PostHog's 406,666-byte item payload limit)",
    }
    # whole documents while the payload stays within ``target`` bytes (the answer and top_k
    # only get shorter once the count is known)
    size = payload_bytes({**inp, "documents": []}, out, None, kept_meta)
    kept = 0
    for doc in documents:
        extra = _json_bytes(doc) + (1 if kept else 0)  # a comma before all but the first
        if size + extra > target:
            break
        size += extra
        kept += 1
    answer = out["answer"].replace(f"held {len(documents)} chunks", f"held {kept} chunks")
    kept_meta["top_k"] = kept
    return {**inp, "documents": documents[:kept]}, {**out, "answer": answer}, kept_meta


def _rag_items() -> Iterator[V2SeedItem]:
    name = "rag-answers-golden"
    total = V2_DEMO_ITEM_COUNTS[name]
    stories = _assign_stories(
        name, total, V2_DEMO_HISTORY_ITEMS[name], V2_DEMO_ARCHIVED_ITEMS[name]
    )
    long_contexts = dict(zip(_LONG_CONTEXT_POSITIONS, _LONG_CONTEXT_BYTES, strict=True))
    rng = random.Random(f"{name}:v1")  # the classic content stream
    side = random.Random(f"{name}:v2")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 12, 1), date(2026, 2, 6), total)
    reviews = _Reviews(
        side,
        reviewers=("r.ibrahim", "k.walsh", "t.moreau", "l.zhang"),
        reasons=("superseded by a newer document version", "answer is not grounded"),
        notes=(
            "citation points at an outdated chunk",
            "answer paraphrases the policy too loosely",
            "check against the 2026 handbook",
        ),
        duplicate="duplicate of another question",
    )
    golden_no = 0
    for i in range(total):
        mode = "full" if rng.random() < 0.4 else "none"
        if i in long_contexts:
            inp, out, meta = _long_context_item(long_contexts[i])
            client_item_id: str | None = f"long-context-{long_contexts[i] // 1000}kb"
        else:
            inp, out, meta = rag_item(rng, mode == "full")
            client_item_id = None
            if mode == "none":
                golden_no += 1
                client_item_id = f"golden-q-{golden_no:04d}"
        provenance = _provenance(refs, side, mode, refs.timestamp_us(i))
        yield _reviewed_item(
            (inp, out, meta),
            stories.get(i),
            functools.partial(_rag_draft, side, inp, out),
            reviews,
            provenance,
            client_item_id,
        )


# --- sql-generation -----------------------------------------------------------------------
_DROPPABLE_CLAUSES = ("WHERE ", "HAVING ", "ORDER BY ", "LIMIT ")


def _sql_draft(rng: random.Random, out: dict[str, Any]) -> dict[str, Any]:
    """What the model wrote instead: a clause left out, or the query in a Markdown fence."""
    sql: str = out["sql"]
    lines = sql.split("\n")
    droppable = [
        k
        for k, line in enumerate(lines)
        if k > 0
        and line.startswith(_DROPPABLE_CLAUSES)
        and (k + 1 == len(lines) or not lines[k + 1][:1].isspace())
    ]
    if droppable and rng.random() < 0.7:
        k = rng.choice(droppable)
        kept = lines[:k] + lines[k + 1 :]
        if k == len(lines) - 1:
            kept[-1] += ";"
        return {"sql": "\n".join(kept)}
    return {"sql": f"```sql\n{sql}\n```"}


def _sql_items() -> Iterator[V2SeedItem]:
    name = "sql-generation"
    total = V2_DEMO_ITEM_COUNTS[name]
    stories = _assign_stories(
        name, total, V2_DEMO_HISTORY_ITEMS[name], V2_DEMO_ARCHIVED_ITEMS[name]
    )
    rng = random.Random(f"{name}:v1")  # the classic content stream
    side = random.Random(f"{name}:v2")
    refs = _Refs(random.Random(f"{name}:refs"), date(2025, 8, 18), date(2026, 2, 10), total)
    reviews = _Reviews(
        side,
        reviewers=("p.haddad", "e.novak", "d.kim"),
        reasons=("reference query fails on the fixture database", "question is ambiguous"),
        notes=(
            "reference query times out on the fixture database",
            "which timezone does 'last 7 days' mean?",
            "dialect-specific date function, double-check",
        ),
        duplicate="duplicate of another item",
        rejected_extra={"execution_verified": False},
    )
    synthetic_no = 0
    for i in range(total):
        mode = _ref_mode(rng, 0.7, 0.1)
        inp, out, meta = sql_item(rng)
        client_item_id = None
        if mode == "none":
            synthetic_no += 1
            client_item_id = f"sql-{meta['schema']}-{synthetic_no:04d}"
        provenance = _provenance(refs, side, mode, refs.timestamp_us(i))
        yield _reviewed_item(
            (inp, out, meta),
            stories.get(i),
            functools.partial(_sql_draft, side, out),
            reviews,
            provenance,
            client_item_id,
        )


# --- old-prompts-archive ------------------------------------------------------------------
def _archive_items_v2() -> Iterator[V2SeedItem]:
    """The classic archive items; a soft-deleted one becomes an archived one (v1, v2 archived)."""
    for classic in _archive_items():
        h = _History(classic.input, classic.output, classic.metadata)
        if classic.deleted:
            h.archive()
        yield V2SeedItem(h.done())


# --- edge-cases ---------------------------------------------------------------------------
_EdgeBuild = Callable[[], V2SeedItem]
_EDGE_ITEMS: list[tuple[str, _EdgeBuild]] = []

# Classic cases with no v2 form (name -> why), left out:
V2_DROPPED_EDGE_CASES: dict[str, str] = {
    "null-input": "v2 input is never null (PostHog answers 400 'null'); falsy-input-false and "
    "falsy-input-zero are the nearest legal values",
    "null-metadata": "v2 metadata is always an object ({} when not given); "
    "empty-metadata-object covers the empty case",
    "all-null": "its input and metadata are null, and it had a source id without a trace id",
    "ref-timestamp-without-trace": "v2 rejects a source timestamp or event id without a "
    "source trace id",
}
# Classic cases kept under another name or adapted (classic name -> (v2 name, description)).
# The ref_* fields are the v2 source_* fields (ref_source_id is source_event_id).
_RENAMED_EDGE_CASES: dict[str, tuple[str, str]] = {
    "ref-trace-id-255": (
        "source-ids-255",
        "source_trace_id and source_event_id of exactly 255 characters (the maximum)",
    ),
    # adapted: v2 needs the timestamp with a trace id, so this one has a timestamp added
    "ref-only-trace-id": (
        "source-trace-without-event-id",
        "source_trace_id and source_timestamp without source_event_id (the classic case had "
        "a trace id alone, which v2 rejects)",
    ),
    "ref-source-is-trace": (
        "source-event-is-trace",
        "the whole trace was saved: source_event_id equals source_trace_id",
    ),
    "ref-url-special-characters": (
        "source-url-special-characters",
        "source ids with spaces, slashes, ?, &, #, % and unicode (a trace link must URL-encode "
        "them)",
    ),
    "ref-timestamp-epoch": ("source-timestamp-epoch", "source_timestamp at the Unix epoch"),
    "ref-timestamp-far-future": (
        "source-timestamp-far-future",
        "source_timestamp on the last microsecond of year 9999",
    ),
    "ref-timestamp-leap-day": (
        "source-timestamp-leap-day",
        "source_timestamp on a leap day, whole seconds",
    ),
    "ref-old-field-names": (
        "classic-field-names",
        "metadata mentions the classic API's names ref_trace_timestamp/ref_span_id",
    ),
    # adapted: v2 has no deletion; the classic soft-deleted item is an archived one (v1, v2)
    "soft-deleted-item": (
        "archived-item",
        "this item is archived (version 2 archives version 1): the default item list hides "
        "it, ?archived=true lists it",
    ),
}
# Classic cases whose metadata (an array, a string) is the value under test: v2 metadata must
# be an object, so it is wrapped as {"case", "description", "original_metadata"}.
_WRAPPED_METADATA_CASES = frozenset({"metadata-is-array", "metadata-is-string"})
_ADAPTED_TRACE_TIMESTAMP = "2026-01-12T10:00:00.000000Z"


def _edge_client_id(case: str) -> str:
    return f"edge-case:{case}"


def _from_classic(case: str, build: Callable[[], dict[str, Any]]) -> _EdgeBuild:
    v2_case, description = _RENAMED_EDGE_CASES.get(case, (case, ""))

    def v2() -> V2SeedItem:
        fields = build()
        inp = fields["input"]
        metadata = fields["metadata"]
        if case in _WRAPPED_METADATA_CASES:
            metadata = {
                "case": case,
                "description": inp["description"] + " (wrapped: v2 metadata is an object)",
                "original_metadata": metadata,
            }
        elif description:
            metadata = {**metadata, "case": v2_case, "description": description}
        if case == "soft-deleted-item":
            inp = "archived: the default item list hides this item; ?archived=true lists it"
        h = _History(inp, fields["output"], metadata)
        if fields.get("deleted"):
            h.archive()
        trace = fields.get("ref_trace_id")
        timestamp = fields.get("ref_timestamp")
        if trace is not None and timestamp is None:
            timestamp = _ADAPTED_TRACE_TIMESTAMP
        return V2SeedItem(
            h.done(),
            source_trace_id=trace,
            source_event_id=fields.get("ref_source_id"),
            source_timestamp=timestamp,
            client_item_id=_edge_client_id(v2_case),
        )

    return v2


def _classic_edge_items() -> list[tuple[str, _EdgeBuild]]:
    kept = [(case, build) for case, build in EDGE_CASES if case not in V2_DROPPED_EDGE_CASES]
    return [
        (_RENAMED_EDGE_CASES.get(case, (case, ""))[0], _from_classic(case, build))
        for case, build in kept
    ]


_EDGE_ITEMS.extend(_classic_edge_items())


def _label(case: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"case": case, "description": description, **extra}


def _edge(case: str, description: str, make: Callable[[dict[str, Any]], V2SeedItem]) -> None:
    """Register a v2-only case; ``make`` gets its metadata label and builds the item."""
    _EDGE_ITEMS.append((case, lambda: make(_label(case, description))))


def _single(
    input: Any, expected_output: Any, metadata: dict[str, Any], **fields: Any
) -> V2SeedItem:
    case = metadata["case"]
    version = V2SeedVersion(input, expected_output, metadata)
    return V2SeedItem((version,), client_item_id=_edge_client_id(case), **fields)


def _at_limit(metadata: dict[str, Any], unit: str) -> V2SeedItem:
    """Input ``{"text": ...}`` made of ``unit`` so the payload is exactly the maximum."""
    room = V2_MAX_PAYLOAD_BYTES - payload_bytes({"text": ""}, None, None, metadata)
    width = len(unit.encode())
    text = unit * (room // width) + "." * (room % width)
    return _single({"text": text}, None, metadata)


def _client_id_255() -> str:
    head = "tenant/Acme Corp/ticket #42?x=1&y=2%20ü/Ärger 🦔 "
    return (head + "0123456789-" * 30)[:V2_MAX_ID_CHARS]


def _many_versions(metadata: dict[str, Any], count: int, ends_with_restore: bool) -> V2SeedItem:
    """``count`` versions: drafts of the expected output, then maybe an archive and a restore."""
    question = {"question": "How many versions can one dataset item have?"}

    def answer(draft: int) -> dict[str, Any]:
        return {"answer": "40, the last slot kept for a restore", "draft": draft}

    drafts = count - 2 if ends_with_restore else count
    h = _History(question, answer(1), metadata)
    for draft in range(2, drafts + 1):
        h.edit(expected_output=answer(draft))
    if ends_with_restore:
        h.archive().restore()
    return V2SeedItem(h.done(), client_item_id=_edge_client_id(metadata["case"]))


def _one_line_changed(metadata: dict[str, Any]) -> V2SeedItem:
    text: str = dict(EDGE_CASES)["many-lines"]()["input"]
    old = "line 2500: the quick brown fox"
    new = "line 2500: the quick brown fox jumps over the lazy dog"
    h = _History(text, None, metadata).edit(input=text.replace(f"\n{old}\n", f"\n{new}\n"))
    return V2SeedItem(h.done(), client_item_id=_edge_client_id(metadata["case"]))


def _history_item(metadata: dict[str, Any], h: _History) -> V2SeedItem:
    return V2SeedItem(h.done(), client_item_id=_edge_client_id(metadata["case"]))


# --- v2-only cases ------------------------------------------------------------------------
_edge(
    "falsy-input-false",
    "input is false: present, not missing (v2 accepts any non-null input)",
    lambda m: _single(False, "input is false", m),
)
_edge(
    "falsy-input-zero",
    "input is 0: present, not missing",
    lambda m: _single(0, "input is zero", m),
)
_edge(
    "source-output-only",
    "saved from a trace before review: source_output is set, expected_output is null",
    lambda m: _single(
        {"messages": [{"role": "user", "content": "Can I return an opened air fryer?"}]},
        None,
        m,
        source_output={
            "role": "assistant",
            "content": "Yes: opened items can be returned within 30 days in their original "
            "packaging.",
        },
        source_trace_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c10",
        source_event_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c11",
        source_timestamp="2026-02-03T14:02:11.734201Z",
    ),
)
_edge(
    "source-output-type-differs",
    "source_output is a bare string while expected_output is an object",
    lambda m: _single(
        {"question": "What is 17 * 23?"}, {"answer": 391}, m, source_output="The answer is 391."
    ),
)
_edge(
    "client-item-id-255",
    "client_item_id of exactly 255 characters with spaces, slashes, ?, &, #, %, "
    "accents and an emoji",
    lambda m: replace(_single("long client id", None, m), client_item_id=_client_id_255()),
)
_edge(
    "payload-at-limit",
    "payload of exactly 406,666 bytes (the maximum), ASCII",
    lambda m: _at_limit(m, "0123456789"),
)
_edge(
    "payload-multibyte-at-limit",
    "payload of exactly 406,666 bytes of UTF-8 but a third as many characters "
    "(€ is 3 bytes; as \\u20ac escapes it would be twice the limit)",
    lambda m: _at_limit(m, "€"),
)
_edge(
    "history-expected-output-cleared",
    "version 2 cleared expected_output (a PATCH with null)",
    lambda m: _history_item(
        m,
        _History({"question": "Is the expected output still set?"}, {"answer": "yes"}, m).edit(
            expected_output=None
        ),
    ),
)
_edge(
    "history-input-type-changes",
    "the input is a string in version 1, an object in version 2 and an array in version 3",
    lambda m: _history_item(
        m,
        _History("a bare string in version 1", None, m)
        .edit(input={"text": "an object in version 2"})
        .edit(input=["an", "array", "in", "version", 3]),
    ),
)
_edge(
    "history-one-line-changed",
    "5,000 lines; version 2 changes line 2,500 only",
    _one_line_changed,
)
_edge(
    "history-restore-older-version",
    "three drafts, archived, then restored from version 1: version 5 equals version 1, not 4",
    lambda m: _history_item(
        m,
        _History({"question": "Which draft is current?"}, {"answer": "draft 1"}, m)
        .edit(expected_output={"answer": "draft 2"})
        .edit(expected_output={"answer": "draft 3"})
        .archive()
        .restore(1),
    ),
)
_edge(
    "history-archived-twice",
    "archived, restored, archived again: the item ends archived",
    lambda m: _history_item(
        m,
        _History({"question": "Is this item archived?"}, {"answer": "yes, again"}, m)
        .archive()
        .restore()
        .archive(),
    ),
)
_edge(
    "versions-at-limit",
    "40 versions (the maximum): 38 drafts, an archive and a restore; no edit or archive "
    "is possible",
    lambda m: _many_versions(m, V2_MAX_VERSIONS_PER_ITEM, ends_with_restore=True),
)
_edge(
    "versions-archive-slot-reserved",
    "39 versions: one more edit is allowed, but archiving is refused (the last slot is kept "
    "for a restore)",
    lambda m: _many_versions(m, V2_MAX_VERSIONS_PER_ITEM - 1, ends_with_restore=False),
)


def _edge_items() -> Iterator[V2SeedItem]:
    for _case, build in _EDGE_ITEMS:
        yield build()


# --- payload-limit-600 (kind="large") -----------------------------------------------------
_LARGE_ITEMS = 600
_PAGE_COUNT = 256
_RECORDS_PER_PAGE = 32
_LARGE_MIN_BYTES, _LARGE_MAX_BYTES = 400_000, 406_000
_NEEDLE_WORDS = ("amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor")
_HAYSTACK_INSTRUCTIONS = (
    "The context below is a long log of records. Somewhere in it is a note giving a "
    "passphrase. Answer the question with the passphrase only."
)
_FILLER = "End of the record log. " * 200
_LARGE_MODELS = ("gpt-4.1-2025-04-14", "claude-sonnet-4-20250514", "gpt-4o-mini-2024-07-18")


@functools.cache
def _large_pages() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """256 pages of about 2 KB of bulk records, and each page's JSON size in bytes."""
    rng = random.Random(f"{V2_LARGE_DATASET}:pages")
    pages: list[str] = []
    for p in range(_PAGE_COUNT):
        lines = []
        for k in range(_RECORDS_PER_PAGE):
            inp, out, meta = bulk_item(rng.getrandbits(64), p * _RECORDS_PER_PAGE + k)
            question, answer = next(iter(inp.values())), next(iter(out.values()))
            lines.append(f"Record {meta['n']} ({meta['task']}): {question} -> {answer}.")
        pages.append(" ".join(lines))
    return tuple(pages), tuple(_json_bytes(page) for page in pages)


def _large_items() -> Iterator[V2SeedItem]:
    """Needle-in-a-haystack items whose payload is exactly ``metadata["payload_bytes"]``."""
    pages, sizes = _large_pages()
    rng = random.Random(f"{V2_LARGE_DATASET}:v1")
    refs = _Refs(
        random.Random(f"{V2_LARGE_DATASET}:refs"), date(2025, 6, 1), date(2026, 2, 1), _LARGE_ITEMS
    )
    for i in range(_LARGE_ITEMS):
        target = rng.randint(_LARGE_MIN_BYTES, _LARGE_MAX_BYTES)
        depth = rng.randrange(101)
        passphrase = f"{rng.choice(_NEEDLE_WORDS)}-{rng.randint(1000, 9999)}"
        needle = f"Note for the reader: the passphrase for record set {i + 1} is {passphrase}."
        expected = {"answer": passphrase}
        # models miss the needle more often in the middle of a long context
        found = rng.random() < (0.7 if 30 <= depth <= 70 else 0.92)
        source = expected if found else {"answer": "I could not find a passphrase in the context."}
        metadata = {
            "task": "needle-in-a-haystack",
            "needle_depth_percent": depth,
            "model": rng.choice(_LARGE_MODELS),
            "payload_bytes": target,  # six digits whatever the target: the size is exact
        }
        question = f"What is the passphrase for record set {i + 1}?"
        inp: dict[str, Any] = {
            "instructions": _HAYSTACK_INSTRUCTIONS,
            "context": [],
            "question": question,
        }
        size = payload_bytes(inp, expected, source, metadata) + _json_bytes(needle)
        context: list[str] = []
        start, step = rng.randrange(_PAGE_COUNT), 2 * rng.randrange(_PAGE_COUNT // 2) + 1
        while True:
            p = (start + len(context) * step) % _PAGE_COUNT
            if size + sizes[p] + 1 + 3 > target:  # keep room for the filler's comma and quotes
                break
            context.append(pages[p])
            size += sizes[p] + 1
        filler = _FILLER[: target - size - 3]
        at = len(context) * depth // 100
        inp["context"] = [*context[:at], needle, *context[at:], filler]
        trace = refs.trace_id()
        us = refs.timestamp_us(i)
        version = V2SeedVersion(inp, expected, metadata)
        yield V2SeedItem(
            (version,),
            source_output=source,
            source_trace_id=trace,
            source_event_id=refs.uuid7(us),
            source_timestamp=refs.iso(us),
            client_item_id=f"haystack-{i + 1:03d}",
        )


# --- datasets -----------------------------------------------------------------------------
V2_DEMO_ITEM_COUNTS: dict[str, int] = {
    "old-prompts-archive": 12,
    "sql-generation": 600,
    "rag-answers-golden": 300,
    "customer-support-evals": 600,
    "edge-cases": len(_EDGE_ITEMS),
}
# items whose last version is archived
V2_DEMO_ARCHIVED_ITEMS: dict[str, int] = {
    "old-prompts-archive": 3,
    "sql-generation": 8,
    "rag-answers-golden": 4,
    "customer-support-evals": 9,
    "edge-cases": 2,
}
# items with two versions or more (the archived ones included)
V2_DEMO_HISTORY_ITEMS: dict[str, int] = {
    "old-prompts-archive": 3,
    "sql-generation": 60,
    "rag-answers-golden": 30,
    "customer-support-evals": 60,
    "edge-cases": 8,
}
V2_LARGE_ITEM_COUNTS: dict[str, int] = {**V2_DEMO_ITEM_COUNTS, V2_LARGE_DATASET: _LARGE_ITEMS}
V2_LARGE_ARCHIVED_ITEMS: dict[str, int] = {**V2_DEMO_ARCHIVED_ITEMS, V2_LARGE_DATASET: 0}


def _demo() -> list[V2SeedDataset]:
    def ds(
        name: str,
        description: str,
        metadata: dict[str, Any],
        items: Callable[[], Iterator[V2SeedItem]],
    ) -> V2SeedDataset:
        count = V2_DEMO_ITEM_COUNTS[name]
        return V2SeedDataset(
            name, description, metadata, name in V2_ARCHIVED_DATASETS, count, items
        )

    return [
        ds(
            "old-prompts-archive",
            "Prompts from the v1 support bot, kept for reference. Superseded by "
            "customer-support-evals.",
            DATASET_METADATA["old-prompts-archive"],
            _archive_items_v2,
        ),
        ds(
            "sql-generation",
            "Natural-language questions over five warehouse schemas with reference SQL. Used "
            "to gate text-to-SQL prompt changes; every reference query was run against a "
            "fixture database unless execution_verified is false. source_output is the query "
            "the model wrote when the item came from a trace.",
            DATASET_METADATA["sql-generation"],
            _sql_items,
        ),
        ds(
            "rag-answers-golden",
            "Golden answers for the internal docs assistant: question, retrieved chunks, and "
            "the grounded answer with citations. Includes unanswerable questions and five long "
            "retrieval contexts (80 to 400 KB).",
            DATASET_METADATA["rag-answers-golden"],
            _rag_items,
        ),
        ds(
            "customer-support-evals",
            "Support conversations for Wren, Brightwell's support assistant: the expected next "
            "reply or tool call. Sampled from production traces and reviewed, plus synthetic "
            "cases for rare flows. source_output is what the model said; expected_output is "
            "the reviewed answer.",
            DATASET_METADATA["customer-support-evals"],
            _support_items,
        ),
        ds(
            "edge-cases",
            "Items that stress a viewer: empty values, odd JSON types, deep nesting, huge "
            "arrays and lines, emoji, right-to-left text, markup and escape sequences that must "
            "never be interpreted, big numbers, strange keys, payloads at the size limit, and "
            "histories at the version limit. metadata.case says what each tests.",
            {"owner": "dataset-explorer", "purpose": "viewer robustness", "version": "2"},
            _edge_items,
        ),
    ]


def seed_datasets_v2(kind: str) -> list[V2SeedDataset]:
    """The v2 datasets to seed for ``kind`` ("none", "demo" or "large"), oldest first.

    Raises ValueError for any other kind.
    """
    if kind == "none":
        return []
    if kind == "demo":
        return _demo()
    if kind == "large":
        large = V2SeedDataset(
            V2_LARGE_DATASET,
            "600 items whose payload is just under PostHog's 406,666-byte item limit (400,000 "
            "to 406,000 bytes each, about 242 MB in all): long-context needle-in-a-haystack "
            "questions over generated records, for benchmarks. metadata.payload_bytes is each "
            "item's exact payload size.",
            {"owner": "dataset-explorer", "purpose": "benchmark", "payload_limit_bytes": 406_666},
            False,
            _LARGE_ITEMS,
            _large_items,
        )
        return [*_demo(), large]
    raise ValueError(f"unknown seed kind {kind!r}; expected one of {', '.join(V2_KINDS)}")
