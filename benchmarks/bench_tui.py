"""The terminal app: launch to the first dataset rows on screen, and a prefetched page turn.

The demo data is served by ``dataset-explorer serve --seed demo`` in its own process. Both
scenarios run headless (``App.run_test()``, 120x40) in this process; "drawn" means a
``DataTable.render_lines`` call that returned the rows in question (the class method is wrapped
for the run, so the app's table and the baseline's are timed the same way).

- launch: from constructing the app to the first frame of the datasets table with rows:
  ``make_app(settings)`` (client, model, journal in a temporary dir, datasets screen, the
  model's ``start``) beside a minimal Textual app that GETs the same page with
  ``httpx.AsyncClient`` on mount and shows it in a ``DataTable`` with the same five columns.
  Alternating, 7 of each; medians. Target: ours within 1.3x of the baseline.
- page turn: on ``sql-generation`` (5,000 items, 50 a page), with the next page prefetched
  (after ``model.idle()``), the time from pressing ``]`` to the first frame of the table
  showing the new page's first row. 20 turns; median. Target: under 50 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from benchmarks._common import Result, RunningServer, emulator_process
from explorer.api import Settings
from explorer.model import Journal
from explorer.tui.app import make_app
from explorer.tui.components import safe_text

SIZE = (120, 40)
LAUNCHES = 7
TURNS = 20


class PaintProbe:
    """Wraps ``DataTable.render_lines``: ``paint_time(predicate)`` is when a table with that
    property last finished rendering a frame after ``arm``."""

    def __init__(self) -> None:
        self._original = DataTable.render_lines
        self._armed_at = 0.0
        self._predicate: Callable[[DataTable[Any]], bool] = lambda table: False
        self.painted_at: float | None = None

    def __enter__(self) -> PaintProbe:
        probe = self
        original = self._original

        def render_lines(table: DataTable[Any], crop: Any) -> list[Strip]:
            lines = original(table, crop)
            if probe.painted_at is None and probe._predicate(table):
                probe.painted_at = time.perf_counter()
            return lines

        DataTable.render_lines = render_lines  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        DataTable.render_lines = self._original  # type: ignore[method-assign]

    def arm(self, predicate: Callable[[DataTable[Any]], bool]) -> None:
        self._predicate = predicate
        self.painted_at = None

    async def wait(self, within: float = 30) -> float:
        deadline = time.perf_counter() + within
        while self.painted_at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the table was never drawn")
            await asyncio.sleep(0.001)
        return self.painted_at


class MinimalApp(App[None]):
    """The baseline: GET the first page with httpx on mount, show it in a DataTable."""

    def __init__(self, server: RunningServer) -> None:
        super().__init__()
        self.server = server

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("name", "description", "updated", "created", "created by"):
            table.add_column(label)
        async with httpx.AsyncClient(base_url=self.server.url) as http:
            response = await http.get(
                f"/api/projects/{self.server.project_id}/datasets/",
                params={"limit": 30, "offset": 0, "order_by": "-created_at"},
                headers={"Authorization": f"Bearer {self.server.api_key}"},
            )
        for row in response.json()["results"]:
            table.add_row(
                safe_text(row["name"]),
                safe_text(row.get("description") or ""),
                Text(row["updated_at"][:10]),
                Text(row["created_at"][:10]),
                safe_text((row.get("created_by") or {}).get("email", "")),
            )


def _has_rows(table: DataTable[Any]) -> bool:
    return table.row_count > 0


async def _launch_ours(server: RunningServer, probe: PaintProbe, data_dir: Path) -> float:
    probe.arm(_has_rows)
    start = time.perf_counter()
    settings = Settings(host=server.url, project_id=server.project_id, api_key=server.api_key)
    app = make_app(settings, journal=Journal(data_dir / "journal.sqlite3"))
    async with app.run_test(size=SIZE):
        painted = await probe.wait()
    return painted - start


async def _launch_baseline(server: RunningServer, probe: PaintProbe) -> float:
    probe.arm(_has_rows)
    start = time.perf_counter()
    app = MinimalApp(server)
    async with app.run_test(size=SIZE):
        painted = await probe.wait()
    return painted - start


async def _launches(server: RunningServer) -> tuple[list[float], list[float]]:
    ours: list[float] = []
    base: list[float] = []
    with PaintProbe() as probe, tempfile.TemporaryDirectory() as tmp:
        # one of each first, untimed: imports and caches
        await _launch_ours(server, probe, Path(tmp) / "warm")
        await _launch_baseline(server, probe)
        for i in range(LAUNCHES):
            ours.append(await _launch_ours(server, probe, Path(tmp) / str(i)))
            base.append(await _launch_baseline(server, probe))
    return ours, base


async def _page_turns(server: RunningServer) -> list[float]:
    from textual.pilot import Pilot

    times: list[float] = []
    now = datetime(2026, 3, 5, tzinfo=UTC)
    with PaintProbe() as probe, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(host=server.url, project_id=server.project_id, api_key=server.api_key)
        app = make_app(settings, journal=Journal(Path(tmp) / "j.sqlite3"), clock=lambda: now)
        async with app.run_test(size=SIZE) as pilot:
            await _wait(pilot, lambda: app.model.state.datasets.loaded)
            dataset = next(
                d for d in app.model.state.datasets.datasets if d.name == "sql-generation"
            )
            await pilot.press("slash", *"sql-generation", "enter")
            await _wait(pilot, lambda: app.model.state.datasets.datasets[:1] == [dataset])
            await pilot.press("enter")
            for _ in range(TURNS):
                page = app.model.state.page
                await _wait(pilot, lambda page=page: page.loaded)
                await app.workers.wait_for_complete()
                await app.model.idle()  # the prefetch of the next page has landed
                assert app.model._pager.cached(page.page_number + 1)
                await pilot.pause()
                first_next = await _next_first_id(app)
                probe.arm(lambda table, key=first_next: _first_key(table) == key)
                start = time.perf_counter()
                await pilot.press("right_square_bracket")
                times.append(await probe.wait() - start)
        assert isinstance(pilot, Pilot)
    return times


async def _next_first_id(app: Any) -> str:
    """The first item id of the next page, from the model's prefetch cache (already there)."""
    page = app.model.state.page
    cached = app.model._pager._fresh(app.model._pager._key(page.page_number + 1))
    return str(cached.items[0].id)


def _first_key(table: DataTable[Any]) -> str | None:
    if table.row_count == 0 or table.id != "items-table":
        return None
    return str(table.ordered_rows[0].key.value)


async def _wait(pilot: Any, condition: Callable[[], bool], within: float = 30) -> None:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await pilot.pause(0.005)


def _ms(values: Iterable[float]) -> float:
    return statistics.median(values) * 1000


def run() -> list[Result]:
    with emulator_process("--seed", "demo") as server:
        ours, base = asyncio.run(_launches(server))
        turns = asyncio.run(_page_turns(server))
    launch_ours, launch_base = _ms(ours), _ms(base)
    turn = _ms(turns)
    return [
        Result(
            "launch to first dataset rows drawn (demo, 120x40)",
            launch_ours,
            launch_base,
            "ms",
            "ratio <= 1.3",
            launch_ours <= 1.3 * launch_base,
            f"median of {LAUNCHES}; baseline: minimal Textual app, httpx GET, DataTable",
        ),
        Result(
            "prefetched page turn drawn (sql-generation, 50 rows)",
            turn,
            None,
            "ms",
            "< 50 ms",
            turn < 50,
            f"median of {TURNS}; max {max(turns) * 1000:.0f} ms",
        ),
    ]


__all__ = ["run"]
