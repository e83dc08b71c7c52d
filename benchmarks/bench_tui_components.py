"""First paint of big items in the display components, beside the floor of painting anything.

Scenario: an LLM item of 5 MB and of 20 MB (many messages with text, token id arrays: the worst
shape for pretty-printed JSON, about 75 bytes a line) is mounted in ``JsonText`` and in
``JsonTree`` under a headless ``App.run_test()`` at 120x40. "First paint" is the time from
starting the app until the widget's first ``render_lines`` has returned, i.e. its first frame
is composed, and its content is then checked on screen.

Baseline: the same app with a plain ``Static`` holding the first screen's worth of the same
pretty-printed text, computed beforehand and not timed. That is the floor: app start plus one
frame of that text; a component cannot paint faster than that. Targets: under 500 ms at both
sizes, and 20 MB no slower than 5 MB (within 50 ms). A second pair compares expanding a
10,000-element array in ``JsonTree`` with ``Tree.add_json`` building the same array.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static, Tree

from benchmarks._common import Result
from explorer.tui.components import JsonText, JsonTree

SIZE = (120, 40)
REPEATS = 3


def make_item(target_bytes: int) -> dict[str, Any]:
    """A deterministic LLM-style item of about ``target_bytes`` of compact JSON."""
    messages: list[dict[str, Any]] = []
    size = 0
    i = 0
    while size < target_bytes:
        content = f"message {i}: " + "lorem ipsum dolor sit amet " * 18
        tokens = [(i * 7919 + k * 104729) % 50_000 for k in range(40)]
        messages.append(
            {
                "role": "user" if i % 2 else "assistant",
                "content": content,
                "tokens": tokens,
                "meta": {"n": i, "score": i / 3, "ok": True},
            }
        )
        size += len(content) + 300
        i += 1
    return {
        "id": "bench-item",
        "input": {"messages": messages},
        "output": "done",
        "metadata": {"size": target_bytes},
    }


class _FirstPaint:
    """Records when a widget's first frame has been rendered."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.painted = asyncio.Event()

    def mark(self) -> None:
        if self.at is None:
            self.at = time.perf_counter()
            self.painted.set()


W = TypeVar("W", bound=Widget)


def _timed_widget(cls: type[W], probe: _FirstPaint) -> type[W]:
    class Timed(cls):  # type: ignore[valid-type,misc]
        def render_lines(self, crop: Region) -> list[Strip]:
            lines: list[Strip] = super().render_lines(crop)
            probe.mark()
            return lines

    Timed.__name__ = cls.__name__
    return Timed


class _Harness(App[None]):
    def __init__(self, make: Callable[[], Widget]) -> None:
        super().__init__()
        self._make = make

    def compose(self) -> ComposeResult:
        yield self._make()


async def _first_paint(make: Callable[[_FirstPaint], Widget], expect: str) -> float:
    probe = _FirstPaint()
    start = time.perf_counter()
    app = _Harness(lambda: make(probe))
    async with app.run_test(size=SIZE) as pilot:
        await probe.painted.wait()
        assert probe.at is not None
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        if expect not in shown:
            raise AssertionError(f"first screen lacks {expect!r}")
        elapsed = probe.at - start
        for view in app.query(JsonText):  # let the loader finish before tearing down
            await view.wait_loaded()
        await pilot.pause()
    return elapsed


def _median(fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(REPEATS))


def _first_screen(value: Any) -> str:
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    return "\n".join(pretty.split("\n", SIZE[1])[: SIZE[1]])


def _paint_static(text: str) -> float:
    def make(probe: _FirstPaint) -> Widget:
        return _timed_widget(Static, probe)(text, markup=False)

    return asyncio.run(_first_paint(make, '"id": "bench-item"'))


def _paint_json_text(value: Any) -> float:
    def make(probe: _FirstPaint) -> Widget:
        return _timed_widget(JsonText, probe)(value)

    return asyncio.run(_first_paint(make, '"id": "bench-item"'))


def _paint_json_tree(value: Any) -> float:
    def make(probe: _FirstPaint) -> Widget:
        return _timed_widget(JsonTree, probe)(value)

    return asyncio.run(_first_paint(make, 'id: "bench-item"'))


async def _expand(use_add_json: bool) -> float:
    array = [{"n": i, "text": f"item {i}"} for i in range(10_000)]
    tree: Tree[Any] = Tree("$") if use_add_json else JsonTree({"items": array})
    app = _Harness(lambda: tree)
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        if use_add_json:
            tree.add_json({"items": array})
            tree.root.expand()
            tree.root.children[0].expand()
        else:
            assert isinstance(tree, JsonTree)
            tree.expand_node(tree.root.children[0])
        await pilot.pause()
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        elapsed = time.perf_counter() - start
        if "items" not in shown:
            raise AssertionError("expanded tree not shown")
    return elapsed


def run() -> list[Result]:
    results: list[Result] = []
    paints: dict[tuple[str, int], float] = {}
    for mb in (5, 20):
        value = make_item(mb * 1_000_000)
        compact = len(json.dumps(value))
        baseline = _median(lambda v=value: _paint_static(_first_screen(v)))  # type: ignore[misc]
        for name, paint in (("JsonText", _paint_json_text), ("JsonTree", _paint_json_tree)):
            ours = _median(lambda v=value, p=paint: p(v))  # type: ignore[misc]
            paints[(name, mb)] = ours
            results.append(
                Result(
                    scenario=f"{name} first paint, {mb} MB item",
                    ours=ours * 1000,
                    baseline=baseline * 1000,
                    unit="ms",
                    target="< 500 ms",
                    passed=ours < 0.5,
                    note=f"{compact / 1e6:.1f} MB compact JSON; baseline: Static of the"
                    " first screen, text precomputed",
                )
            )
    for name in ("JsonText", "JsonTree"):
        small, big = paints[(name, 5)], paints[(name, 20)]
        results.append(
            Result(
                scenario=f"{name} first paint, 20 MB vs 5 MB",
                ours=big * 1000,
                baseline=small * 1000,
                unit="ms",
                target="20 MB within 50 ms of 5 MB",
                passed=big <= small + 0.05,
                note="baseline column: the 5 MB figure",
            )
        )
    ours = _median(lambda: asyncio.run(_expand(False)))
    base = _median(lambda: asyncio.run(_expand(True)))
    results.append(
        Result(
            scenario="expand a 10,000-element array",
            ours=ours * 1000,
            baseline=base * 1000,
            unit="ms",
            target="ratio <= 0.2",
            passed=ours <= 0.2 * base,
            note="baseline: Tree.add_json of the same array, then expand",
        )
    )
    return results


if __name__ == "__main__":
    for r in run():
        print(r)
