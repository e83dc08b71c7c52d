"""The notebook panel's HTML: a 100-item page, a 5 MB item's JSON, a large diff.

Each figure is the median of several runs, beside a plain baseline built the obvious way
(serialise the whole value, escape it, cut it to size) in the same process.
"""

from __future__ import annotations

import difflib
import html
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import Result
from widgets._render import (
    diff_html,
    grid_rows,
    items_table_html,
    json_html,
    json_tree_html,
)


def _median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _page(n: int = 100) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{i:08x}-1111-4222-8333-444455556666",
            "input": {
                "messages": [
                    {"role": "system", "content": "You answer questions about SQL. " * 20},
                    {"role": "user", "content": f"Question {i}: " + "why is this slow? " * 40},
                ]
            },
            "output": {"role": "assistant", "content": "Because of the index. " * 60},
            "metadata": {"model": "gpt-4o", "tokens": 1234 + i, "tags": ["sql", "eval"]},
            "ref_trace_id": f"trace-{i}" if i % 2 else None,
            "ref_timestamp": "2025-01-31T09:05:59Z",
            "ref_source_id": f"gen-{i}",
            "updated_at": "2025-01-31T09:05:59Z",
        }
        for i in range(n)
    ]


def _five_mb() -> dict[str, Any]:
    messages = [
        {"role": "user", "content": f"message {i} " + "lorem ipsum " * 80, "tokens": i}
        for i in range(5_000)
    ]
    return {"messages": messages, "blob": "x" * 200_000}


def _baseline_table(items: list[dict[str, Any]]) -> str:
    # The obvious way: serialise each value whole, escape, cut to 80 characters.
    rows = []
    for it in items:
        cells = [html.escape(str(it["id"])[:8])]
        cells += [html.escape(json.dumps(it[k])[:80]) for k in ("input", "output", "metadata")]
        cells.append("trace" if it["ref_trace_id"] else "")
        cells.append(html.escape(str(it["updated_at"])))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def run() -> list[Result]:
    results: list[Result] = []
    page = _page()
    ours = _median_ms(lambda: items_table_html(page, selected_id=page[3]["id"]))
    base = _median_ms(lambda: _baseline_table(page))
    results.append(
        Result(
            "100-item page table (items_table_html)",
            ours,
            base,
            "ms",
            "< 20 ms",
            ours < 20,
            "baseline: json.dumps whole values, escape, cut; no control-char handling",
        )
    )
    ours = _median_ms(lambda: grid_rows(page, host="https://us.posthog.com", project_id=1))
    results.append(
        Result(
            "100-row item grid cells and trace links (grid_rows)",
            ours,
            base,
            "ms",
            "< 20 ms",
            ours < 20,
            "baseline: same plain table as above",
        )
    )

    big_page = [*page[:99], {**page[99], "input": _five_mb()}]
    ours = _median_ms(lambda: items_table_html(big_page, selected_id=None))
    base = _median_ms(lambda: _baseline_table(big_page), runs=3)
    results.append(
        Result(
            "100-item page with one 5 MB item",
            ours,
            base,
            "ms",
            "< 20 ms",
            ours < 20,
            "previews read at most 80 characters of any value",
        )
    )

    value = _five_mb()
    pretty = json_html(value)
    ours = _median_ms(lambda: json_html(value))
    size = len(pretty)

    def baseline_pre() -> str:
        return "<pre>" + html.escape(json.dumps(value, indent=2))[:size] + "</pre>"

    base = _median_ms(baseline_pre, runs=3)
    results.append(
        Result(
            "5 MB value as highlighted JSON (json_html)",
            ours,
            base,
            "ms",
            "< 50 ms",
            ours < 50,
            f"value {len(json.dumps(value)) / 1e6:.1f} MB; baseline: escape(json.dumps(indent=2))"
            "[:same size], no highlighting",
        )
    )
    out_kb = len(pretty.encode()) / 1024
    full_kb = len(html.escape(json.dumps(value, indent=2)).encode()) / 1024
    results.append(
        Result(
            "5 MB value: json_html output size",
            out_kb,
            full_kb,
            "KiB",
            "< 200 KiB",
            out_kb < 200,
            "baseline: the whole value escaped, unhighlighted",
        )
    )
    tree = json_tree_html(value)
    ours = _median_ms(lambda: json_tree_html(value))
    results.append(
        Result(
            "5 MB value as a collapsible tree (json_tree_html)",
            ours,
            base,
            "ms",
            "< 50 ms",
            ours < 50 and len(tree.encode()) < 200_000,
            f"output {len(tree.encode()) / 1024:.0f} KiB; baseline as above",
        )
    )

    before = json.dumps(value, indent=2)
    after = before.replace('"tokens": 2500', '"tokens": 2501', 1)
    lines_a, lines_b = before.split("\n"), after.split("\n")
    ours = _median_ms(lambda: diff_html(before, after), runs=3)
    base = _median_ms(lambda: list(difflib.unified_diff(lines_a, lines_b, lineterm="")), runs=3)
    results.append(
        Result(
            "diff of a 5 MB pretty JSON, one line changed (diff_html)",
            ours,
            base,
            "ms",
            "< 200 ms",
            ours < 200,
            f"{len(lines_a):,} lines; baseline: difflib.unified_diff alone, no HTML",
        )
    )
    return results
