"""An item's history once its versions are fetched: what each version changed, and the diff of
any two versions, as the history screens show them (per field, pretty-printed JSON, the changed
words marked).

Target (issue 14): opening the history of an item with 40 versions and diffing any two takes
under 300 ms after the versions are fetched. Two items, both at PostHog's 40-version limit:

- the v2 demo's ``versions-at-limit`` edge case (small values), fetched from the embedded server;
- a heavy one made here: a 320 KB answer (an LLM transcript of 2,000 lines) edited at each
  version (a sentence appended to one line, a line replaced), near PostHog's 406,666-byte limit.

Ours: `version_entries` over the 40 versions, then `diff_versions` of the pair that differs most
(v1 and v40) and of 20 random pairs (the median and the slowest are reported). Baseline, in the
same run: plain ``difflib.unified_diff`` of the same two pretty-printed values (no word marks,
no fields, no entries), what a script would do.
"""

from __future__ import annotations

import difflib
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from benchmarks._common import Result, emulator_process
from explorer.api import Client
from explorer.api.models import VersionedItem
from explorer.model.history import diff_versions, version_entries

TARGET_MS = 300.0
PAIRS = 20


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _demo_versions() -> list[VersionedItem]:
    with (
        emulator_process("--seed", "demo", "--api", "v2") as server,
        Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as c,
    ):
        edge = next(d for d in c.datasets.list(search="edge-cases").results)
        item = next(
            i
            for i in c.items.iter(edge)
            if getattr(i, "client_item_id", "") == "edge-case:versions-at-limit"
        )
        page = c.items.versions(item.id, limit=100)
    return [v for v in page.results if isinstance(v, VersionedItem)]


def _heavy_versions(count: int = 40) -> list[VersionedItem]:
    rng = random.Random("bench-history")
    lines = [
        f"turn {n}: the assistant explains step {n} of the refund policy in detail, "
        + "citing the order, the card and the delay. " * 2
        for n in range(2_000)
    ]
    item_id, dataset_id = uuid.uuid4(), uuid.uuid4()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    versions = []
    for v in range(1, count + 1):
        if v > 1:
            n = rng.randrange(len(lines))
            if v % 2:
                lines[n] = lines[n] + " It was corrected by a reviewer."
            else:
                lines[n] = f"turn {n}: replaced by the reviewer's answer at version {v}."
        when = (start + timedelta(minutes=v)).isoformat()
        versions.append(
            VersionedItem.model_validate(
                {
                    "id": str(item_id),
                    "dataset": str(dataset_id),
                    "version": v,
                    "version_id": str(uuid.uuid4()),
                    "dataset_revision": v,
                    "dataset_revision_id": str(uuid.uuid4()),
                    "archived": False,
                    "input": {"question": "What is the refund policy?"},
                    "expected_output": {"transcript": "\n".join(lines)},
                    "source_output": None,
                    "metadata": {"reviewed": v},
                    "created_at": start.isoformat(),
                    "updated_at": when,
                    "version_created_at": when,
                }
            )
        )
    return versions


def _baseline(a: VersionedItem, b: VersionedItem) -> None:
    for name in ("input", "expected_output", "metadata"):
        before = json.dumps(getattr(a, name), indent=2, ensure_ascii=False).splitlines()
        after = json.dumps(getattr(b, name), indent=2, ensure_ascii=False).splitlines()
        list(difflib.unified_diff(before, after, lineterm=""))


def _measure(label: str, versions: list[VersionedItem], note: str) -> list[Result]:
    by_number = {v.version: v for v in versions}
    first, last = by_number[1], by_number[max(by_number)]

    def open_and_diff() -> None:
        version_entries(versions)
        diff_versions(first, last)

    # warm up once (imports, regexes), then medians of 5
    open_and_diff()
    ours = statistics.median(_ms(open_and_diff) for _ in range(5))
    base = statistics.median(_ms(lambda: _baseline(first, last)) for _ in range(5))
    rng = random.Random(label)
    numbers = sorted(by_number)
    pair_ours, pair_base = [], []
    for _ in range(PAIRS):
        one, two = (by_number[n] for n in rng.sample(numbers, 2))
        pair_ours.append(_ms(lambda a=one, b=two: diff_versions(a, b)))  # type: ignore[misc]
        pair_base.append(_ms(lambda a=one, b=two: _baseline(a, b)))  # type: ignore[misc]
    entries_ms = _ms(lambda: version_entries(versions))
    return [
        Result(
            f"history of {label} ({len(versions)} versions): entries + diff v1 vs v{max(numbers)}",
            ours,
            base,
            "ms",
            f"< {TARGET_MS:.0f} ms",
            ours < TARGET_MS,
            f"median of 5; the entries alone {entries_ms:.1f} ms; baseline: difflib.unified_diff"
            f" of the same pretty-printed fields. {note}",
        ),
        Result(
            f"history of {label}: diff of any two versions (slowest of {PAIRS} random pairs)",
            max(pair_ours),
            max(pair_base),
            "ms",
            f"< {TARGET_MS:.0f} ms",
            max(pair_ours) < TARGET_MS,
            f"median {statistics.median(pair_ours):.1f} ms (baseline"
            f" {statistics.median(pair_base):.1f} ms)",
        ),
    ]


def run() -> list[Result]:
    demo = _demo_versions()
    heavy = _heavy_versions()
    size = len(json.dumps(heavy[-1].expected_output)) // 1000
    return [
        *_measure(
            "the demo's versions-at-limit", demo, "Versions fetched from the embedded server."
        ),
        *_measure(
            f"a {size} KB answer edited at each version",
            heavy,
            "Word marks on every changed line pair.",
        ),
    ]
