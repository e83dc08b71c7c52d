"""The client on v2: a page larger than the server's cap of 25 items, asked as concurrent requests.

``items.list(ds, limit=100)`` on ``serve --api v2 --seed demo`` (customer-support-evals, in its
own process) is four requests of 25 sent together and joined. Baselines, in the same run and
through the same client: the same four requests one after the other (what a caller wanting 100
items pays without the split), and one request of 25 (the floor).

The point of the split is the network: each request to PostHog Cloud waits a round trip. The
emulator's ``--latency-ms 50`` stands for it (the wait is a sleep on the server's event loop, so
requests overlap as they would over a network). Targets there: the 100-item page costs at most
1.3x one request of 25, and at most half the sequential four. On loopback with no latency the
server's CPU is the whole cost and it answers requests in turns, so splitting cannot win: those
figures are informational.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from benchmarks._common import Result, emulator_process
from explorer.api import AsyncClient, VersionedDataset

RUNS = 15
DATASET = "customer-support-evals"
LATENCY_MS = 50


@dataclass(frozen=True)
class Figures:
    concurrent: float
    sequential: float
    one: float


async def _median_ms(fn: Callable[[], Awaitable[object]]) -> float:
    await fn()  # warm: connections open
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def _figures(url: str, key: str) -> Figures:
    async with AsyncClient(url, key, 1, generation="v2") as client:
        found = await client.datasets.list(search=DATASET)
        dataset = next(d for d in found.results if d.name == DATASET)
        assert isinstance(dataset, VersionedDataset)

        async def sequential() -> None:
            for offset in (0, 25, 50, 75):
                await client.items.list(dataset, limit=25, offset=offset)

        return Figures(
            concurrent=await _median_ms(lambda: client.items.list(dataset, limit=100)),
            sequential=await _median_ms(sequential),
            one=await _median_ms(lambda: client.items.list(dataset, limit=25)),
        )


def _measure(*args: str) -> Figures:
    with emulator_process("--api", "v2", "--seed", "demo", *args) as server:
        return asyncio.run(_figures(server.url, server.api_key))


def run() -> list[Result]:
    far = _measure("--latency-ms", str(LATENCY_MS))
    near = _measure()
    where = f"{LATENCY_MS} ms a request (the emulator's --latency-ms), median of {RUNS}"
    return [
        Result(
            f"v2 items.list(limit=100) vs one request of 25, {LATENCY_MS} ms round trips",
            far.concurrent,
            far.one,
            "ms",
            "ratio <= 1.3",
            far.concurrent <= 1.3 * far.one,
            f"AsyncClient, as the explorer's model uses it; {where}",
        ),
        Result(
            f"v2 items.list(limit=100) vs the same 4 requests in turn, {LATENCY_MS} ms round trips",
            far.concurrent,
            far.sequential,
            "ms",
            "ratio <= 0.5",
            far.concurrent <= 0.5 * far.sequential,
            where,
        ),
        Result(
            "v2 items.list(limit=100) vs the same 4 requests in turn, loopback, no latency",
            near.concurrent,
            near.sequential,
            "ms",
            "informational",
            True,
            f"one request of 25: {near.one:.1f} ms; the server's CPU is the whole cost here and"
            " it answers requests in turns",
        ),
    ]
