"""The terminal app on v2: what a user waits for a page of 50 items vs a page of 25.

The v2 server caps a page of items at 25; the client asks a 50-item page as two requests of 25
sent together (`bench_client_v2.py` measures that split alone). Here it is measured where the
user meets it: the whole app (``make_app``, headless ``run_test()``, 120x40) on
``serve --api v2 --seed demo --latency-ms 50`` (its own process; the latency is a sleep on the
server's event loop, so requests overlap as they would over a network), the dataset
customer-support-evals (591 live items) open. One wait is from asking for a page as the ``g``
key does (``model.go_to_page(n)`` run by the items screen) to the first frame of the table
showing that page's rows ("drawn": ``DataTable.render_lines`` wrapped, as in `bench_tui.py`).
Pages are visited four apart, so none comes from the model's cache or prefetch; the prefetch of
the previous visit has landed before each one (``model.idle()``).

Three apps, in alternating blocks of `BLOCK` visits, each block a fresh app:

- ``page_size`` 50 (two concurrent requests a page): ours;
- ``page_size`` 25 (one request): the baseline of the target, 50 costs at most 1.3x 25;
- ``page_size`` 50 through a transport that lets one request through at a time (the same two
  requests in turn): the sequential baseline, what the split saves.

Every app talks through the same transport class (only the sequential one holds a lock), so
they pay the same for it. On loopback with no latency the server's CPU is the whole cost (it
answers requests in turn) and a 50-item page draws a full screen of rows where a 25-item page
draws 25: that figure is informational.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from textual.widgets import DataTable

from benchmarks._common import Result, RunningServer, emulator_process
from benchmarks.bench_tui import PaintProbe, _first_key, _wait
from explorer.api import Settings
from explorer.model import Journal
from explorer.tui.app import make_app
from explorer.tui.keys import TuiConfig

SIZE = (120, 40)
DATASET = "customer-support-evals"
LATENCY_MS = 50
BLOCK = 4  # visits of one app before the next app's
BLOCKS = 3
STRIDE = 4  # pages between two visits (beyond what the cache and the prefetch hold)
NOW = datetime(2026, 3, 5, tzinfo=UTC)


class Transport(httpx.AsyncBaseTransport):
    """httpx's transport; with ``one_at_a_time``, a request waits until the one before it has
    been answered and read (the client's concurrent parts go in turn)."""

    def __init__(self, one_at_a_time: bool = False) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._lock = asyncio.Lock() if one_at_a_time else None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._lock is None:
            return await self._inner.handle_async_request(request)
        async with self._lock:
            response = await self._inner.handle_async_request(request)
            await response.aread()
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class Config:
    page_size: int
    sequential: bool


PAGE_50 = Config(50, sequential=False)
PAGE_25 = Config(25, sequential=False)
PAGE_50_IN_TURN = Config(50, sequential=True)


def _pages(count: int, start: int) -> list[int]:
    """``BLOCK`` page numbers `STRIDE` apart, from ``start`` on: neither page 1 nor its
    prefetched next (shown when the dataset opens), nor the last (not a whole page)."""
    usable = count - 3  # pages 3..count-1
    return [3 + (start + k * STRIDE) % usable for k in range(BLOCK)]


async def _visits(server: RunningServer, config: Config, block: int, data_dir: Path) -> list[float]:
    times: list[float] = []
    settings = Settings(
        host=server.url, project_id=server.project_id, api_key=server.api_key, generation="v2"
    )
    app = make_app(
        settings,
        journal=Journal(data_dir / "journal.sqlite3"),
        tui_config=TuiConfig(page_size=config.page_size),
        clock=lambda: NOW,
        transport=Transport(one_at_a_time=config.sequential),
    )
    with PaintProbe() as probe:
        async with app.run_test(size=SIZE) as pilot:
            await _wait(pilot, lambda: app.model.state.datasets.loaded)
            await pilot.press("slash", *DATASET, "enter")
            await _wait(
                pilot, lambda: [d.name for d in app.model.state.datasets.datasets] == [DATASET]
            )
            await pilot.press("enter")
            page = app.model.state.page
            await _wait(pilot, lambda: page.loaded and page.dataset is not None)
            for number in _pages(page.page_count, block * BLOCK):
                await app.workers.wait_for_complete()
                await app.model.idle()  # the prefetch of the last visit has landed
                await pilot.pause()
                assert app.model.peek_page(number) is None  # not cached: asked for

                def shown(table: DataTable[Any], number: int = number) -> bool:
                    now = app.model.state.page
                    return (
                        now.page_number == number
                        and bool(now.items)
                        and _first_key(table) == str(now.items[0].id)
                    )

                probe.arm(shown)
                start = time.perf_counter()
                screen: Any = app.screen
                screen.run_model(app.model.go_to_page(number), group="page")
                times.append(await probe.wait() - start)
                assert len(app.model.state.page.items) == config.page_size
    return times


async def _measure(server: RunningServer) -> dict[Config, list[float]]:
    configs = (PAGE_50, PAGE_25, PAGE_50_IN_TURN)
    times: dict[Config, list[float]] = {config: [] for config in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for config in configs:  # untimed warm-up: imports, caches, connections
            await _visits(server, config, 0, Path(tmp) / f"warm-{config.page_size}")
        for block in range(BLOCKS):
            for n, config in enumerate(configs):
                where = Path(tmp) / f"{block}-{n}"
                times[config].extend(await _visits(server, config, block, where))
    return times


def _figures(*args: str) -> dict[Config, float]:
    with emulator_process("--api", "v2", "--seed", "demo", *args) as server:
        times = asyncio.run(_measure(server))
    return {config: statistics.median(values) * 1000 for config, values in times.items()}


def run() -> list[Result]:
    far = _figures("--latency-ms", str(LATENCY_MS))
    near = _figures()
    visits = BLOCK * BLOCKS
    where = (
        f"{LATENCY_MS} ms a request (the emulator's --latency-ms); the whole app, asked page to"
        f" rows drawn, 120x40; median of {visits} uncached pages of {DATASET}"
    )
    return [
        Result(
            f"v2 terminal app: 50-item page vs 25-item page, {LATENCY_MS} ms round trips",
            far[PAGE_50],
            far[PAGE_25],
            "ms",
            "ratio <= 1.3",
            far[PAGE_50] <= 1.3 * far[PAGE_25],
            f"50 = two concurrent requests of 25 (the server's cap); {where}",
        ),
        Result(
            f"v2 terminal app: 50-item page, concurrent vs the 2 requests in turn,"
            f" {LATENCY_MS} ms round trips",
            far[PAGE_50],
            far[PAGE_50_IN_TURN],
            "ms",
            "ratio <= 0.75",
            far[PAGE_50] <= 0.75 * far[PAGE_50_IN_TURN],
            f"baseline: the same app through a transport that sends one request at a time; {where}",
        ),
        Result(
            "v2 terminal app: 50-item page vs 25-item page, loopback, no latency",
            near[PAGE_50],
            near[PAGE_25],
            "ms",
            "informational",
            True,
            f"the 2 requests in turn: {near[PAGE_50_IN_TURN]:.0f} ms; with no round trip to"
            " overlap, the server's CPU (it answers requests in turn) and drawing a full screen"
            " of rows (36) instead of 25 are the whole cost",
        ),
    ]


__all__ = ["run"]
