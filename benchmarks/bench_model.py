"""The explorer model's pager on ``bulk-100k`` (100,000 items), served by
``dataset-explorer serve --seed large`` in its own process.

Scenarios:

- prefetch: ``next_page()`` when the next page was prefetched (after ``idle()``), beside
  ``go_to_page(n)`` to a page that must be fetched (a far page, never visited), same dataset,
  same page size (50), alternating, 40 of each; medians compared. Target: ours < 0.1x baseline.
- memory: this process's resident memory after the first page (baseline) and after 2,000
  ``next_page()`` turns through the whole dataset, as fast as they go (each turn waits for the
  prefetch in flight, if any). Target: within 30 MiB of the first page.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._common import Result, RunningServer, emulator_process, rss_mib
from explorer.api import AsyncClient
from explorer.model import ExplorerModel, Journal

DATASET = "bulk-100k"
PAGE_SIZE = 50
SAMPLES = 40
TURNS = 2000


async def _open(server: RunningServer, journal_dir: str) -> tuple[AsyncClient, ExplorerModel]:
    client = AsyncClient(host=server.url, api_key=server.api_key, project_id=server.project_id)
    model = ExplorerModel(
        client, Journal(Path(journal_dir) / "journal.sqlite3"), page_size=PAGE_SIZE
    )
    await model.start()
    await model.search_datasets(DATASET)
    found = [d for d in model.state.datasets.datasets if d.name == DATASET]
    if not found:
        raise RuntimeError(f"the server has no dataset {DATASET!r}; start it with --seed large")
    await model.open_dataset(str(found[0].id))
    if model.state.notice is not None and model.state.notice.level == "error":
        raise RuntimeError(str(model.state.notice))
    return client, model


async def _prefetch(server: RunningServer, journal_dir: str) -> list[Result]:
    client, model = await _open(server, journal_dir)
    try:
        pages = model.state.page.page_count
        far = random.Random(1).sample(range(100, pages - 100), SAMPLES)
        prefetched: list[float] = []
        fetched: list[float] = []
        for target in far:
            # A page that must be fetched: never visited, not the next one.
            start = time.perf_counter()
            await model.go_to_page(target)
            fetched.append(time.perf_counter() - start)
            assert model.state.page.page_number == target
            await model.idle()  # the next page is prefetched once this one is shown
            assert model.state.page.next_ready
            start = time.perf_counter()
            await model.next_page()
            prefetched.append(time.perf_counter() - start)
            assert model.state.page.page_number == target + 1
            await model.idle()
        ours = statistics.median(prefetched) * 1000
        baseline = statistics.median(fetched) * 1000
        return [
            Result(
                scenario="next page, prefetched vs fetched (bulk-100k, 50/page)",
                ours=ours,
                baseline=baseline,
                unit="ms (median)",
                target="ours < 0.1x baseline",
                passed=ours < 0.1 * baseline,
                note=f"{SAMPLES} of each, alternating",
            )
        ]
    finally:
        await model.close()
        await client.aclose()


async def _memory(server: RunningServer, journal_dir: str) -> list[Result]:
    client, model = await _open(server, journal_dir)
    try:
        gc.collect()
        first = rss_mib(os.getpid())
        start = time.perf_counter()
        for _ in range(TURNS):
            await model.next_page()
        elapsed = time.perf_counter() - start
        await model.idle()
        last_range = model.state.page.range_text
        gc.collect()
        after = rss_mib(os.getpid())
        return [
            Result(
                scenario=f"RSS after {TURNS:,} page turns vs after the first page",
                ours=after,
                baseline=first,
                unit="MiB",
                target="ours - baseline < 30 MiB",
                passed=after - first < 30 and "100,000" in last_range,
                note=f"+{after - first:.1f} MiB; ended at {last_range}; {elapsed:.0f} s,"
                f" cached pages {model._pager.cached_page_count}",
            )
        ]
    finally:
        await model.close()
        await client.aclose()


def run() -> list[Result]:
    with emulator_process("--seed", "large") as server, tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(_prefetch(server, tmp))
        results += asyncio.run(_memory(server, tmp))
        return results


if __name__ == "__main__":
    for result in run():
        print(result)
