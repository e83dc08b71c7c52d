"""The typed client beside a plain httpx loop, over the same pages of the same server.

Scenarios (the server is ``dataset-explorer serve --seed large`` in its own process):

- throughput: every item of ``bulk-100k`` (100,000) with ``page_size=1000``, through
  ``Client.items.iter`` (validated, typed models) and through a bare ``httpx.Client`` loop that
  only decodes JSON. Rounds alternate which goes first; the median of each side is compared.
  Target: ours >= 0.9x the plain loop's items per second.
- memory: the peak Python memory (tracemalloc, above what was held before) while iterating
  all 100,000 items of ``bulk-100k`` and only its first 5,000, page_size=1000; the demo's
  ``sql-generation`` (5,000 larger items) is reported beside them. Target: the peak does not
  grow with the number of items (all <= 1.25x the first 5,000).
"""

from __future__ import annotations

import gc
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable

import httpx

from benchmarks._common import Result, RunningServer, emulator_process
from explorer.api import Client

PAGE_SIZE = 1000
ROUNDS = 5
LARGE = "bulk-100k"
SMALL = "sql-generation"


def _dataset_id(client: Client, name: str) -> str:
    for dataset in client.datasets.iter(search=name):
        if dataset.name == name:
            return str(dataset.id)
    raise RuntimeError(f"the server has no dataset {name!r}; start it with --seed large")


def _ours(client: Client, dataset: str) -> int:
    count = 0
    for _ in client.items.iter(dataset=dataset, page_size=PAGE_SIZE):
        count += 1
    return count


def _first(client: Client, dataset: str, n: int) -> int:
    iterator = client.items.iter(dataset=dataset, page_size=PAGE_SIZE)
    count = sum(1 for _ in itertools.islice(iterator, n))
    iterator.close()
    return count


def _plain(server: RunningServer, dataset: str) -> Callable[[], int]:
    url = f"{server.url}/api/projects/{server.project_id}/dataset_items/"
    headers = {"Authorization": f"Bearer {server.api_key}"}

    def run() -> int:
        count = 0
        offset = 0
        with httpx.Client(headers=headers, timeout=30) as http:
            while True:
                params: dict[str, str | int] = {"dataset": dataset, "limit": PAGE_SIZE}
                params["offset"] = offset
                response = http.get(url, params=params)
                response.raise_for_status()
                page = response.json()
                for _ in page["results"]:
                    count += 1
                if page["next"] is None:
                    return count
                offset += PAGE_SIZE

    return run


def _timed(fn: Callable[[], int]) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def _peak_mib(fn: Callable[[], int]) -> tuple[float, int]:
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        n = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20, n


def run() -> list[Result]:
    with emulator_process("--seed", "large") as server:
        client = Client(server.url, server.api_key, server.project_id)
        with client:
            large = _dataset_id(client, LARGE)
            small = _dataset_id(client, SMALL)
            plain = _plain(server, large)

            def ours() -> int:
                return _ours(client, large)

            # Warm both paths (connections, the server's page cache, pydantic's validators).
            _ours(client, small)
            _plain(server, small)()

            ours_s: list[float] = []
            plain_s: list[float] = []
            for round_ in range(ROUNDS):
                order = [(ours, ours_s), (plain, plain_s)]
                if round_ % 2:
                    order.reverse()
                for fn, times in order:
                    seconds, n = _timed(fn)
                    if n != 100_000:
                        raise RuntimeError(f"expected 100,000 items, got {n}")
                    times.append(seconds)

            small_peak, small_n = _peak_mib(lambda: _ours(client, small))
            large_peak, large_n = _peak_mib(ours)
            head_peak, head_n = _peak_mib(lambda: _first(client, large, small_n))

    ours_rate = 100_000 / statistics.median(ours_s)
    plain_rate = 100_000 / statistics.median(plain_s)
    ratio = ours_rate / plain_rate
    return [
        Result(
            scenario=f"iterate {LARGE} (100,000 items), page_size={PAGE_SIZE}",
            ours=ours_rate,
            baseline=plain_rate,
            unit="items/s",
            target="ours >= 0.9x plain httpx loop",
            passed=ratio >= 0.9,
            note=(
                f"median of {ROUNDS} alternating rounds; ours {statistics.median(ours_s):.2f} s"
                f" (typed models), plain {statistics.median(plain_s):.2f} s (json only)"
            ),
        ),
        Result(
            scenario=f"peak memory iterating all of {LARGE} vs its first {head_n:,} items",
            ours=large_peak,
            baseline=head_peak,
            unit="MiB",
            target="all <= 1.25x first 5,000 (independent of size)",
            passed=large_peak <= 1.25 * head_peak,
            note=(
                f"tracemalloc peak above what was held before, page_size={PAGE_SIZE};"
                f" {large_n:,} vs {head_n:,} items; the demo's {SMALL} ({small_n:,} larger"
                f" items): {small_peak:.1f} MiB"
            ),
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
