"""The item screens at size: the inspector's first paint of 5 and 20 MB items, and keystrokes in
the editor of a 1 MB item, each beside a baseline measured in the same run.

A per-run embedded server (``dataset-explorer serve`` in its own process on 127.0.0.1, as the
other benchmarks run it and as PostHog is to the app) holds one dataset with a 1 MB, a 5 MB and
a 20 MB item (the demo's oversized RAG shape). Under ``App.run_test()`` at 120x40:

- **Inspector first paint**: from pushing ``InspectorScreen(item_id)`` on a started, idle model
  (the screen runs ``model.select``, which fetches the item) until the tree of ``input`` is on
  screen: the tree holds the value, the messages its loading queued are handled and the
  compositor has rendered every visible line. The wait for the value is a model subscription,
  not a poll: ``Pilot.pause(delay)`` repaints the whole screen each time, every couple of
  milliseconds (work the app never does, taken from the fetch running beside it). Baseline:
  fetching the same item with the async client alone (network + parsing, the floor any screen
  pays), on a client in the state the app's is in when the inspector opens: the generation
  known and a connection open, from an untimed dataset list. (A cold client sends its
  generation probe first, which on classic downloads the newest item whole: the 20 MB one
  here, which put 200-300 ms of noise into every baseline.) Targets: under 500 ms, and the
  screen's time beyond the fetch at 20 MB within 50 ms of that at 5 MB (the fetch itself grows
  with size; the screen must not add to it). Each timed run starts after ``gc.collect()``: a
  full collection in the window (100-150 ms here, most of it the dead apps of earlier runs)
  otherwise lands on whichever run allocates past the threshold, 5 or 20 MB alike.
- **Editor keystroke**: median latency of one printable key typed inside a string of the
  ``input`` field of ``EditorScreen`` on the 1 MB item (so the JSON stays valid and every key
  takes the full path: validate, compare with the base, write the draft to the journal). Timed
  from handing the key event to the app (what ``Pilot.press`` does) until the key is in the
  TextArea, the model holds the new text and its journal has it (``EditorScreen.flush``), and
  the screen is painted again (the compositor renders every visible line); the app then settles
  untimed before the next key. Baseline: the same key in a plain ``TextArea`` holding the same
  text, no model, timed the same way. Target: under 50 ms.
- **Keystroke through Pilot.press** (informational): the same keys timed around
  ``pilot.press``, which after each key polls in 20 ms sleeps until the process looks idle
  (two ``wait_for_idle`` rounds): its floor is about 60 ms even on a 10-line TextArea, so it
  cannot show a 50 ms target; it is kept to compare ours with the plain TextArea through the
  same harness (ours also validates and writes the journal after each key: more 20 ms rounds).
- **Inspector, server in the app's process** (informational): the 20 MB paint with the
  embedded server in a thread of the app's process, as ``dataset-explorer --demo`` runs it; its
  thread and the screen being built take turns at the GIL, so the response trickles out.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import TextArea

from benchmarks._common import Result, RunningServer, emulator_process
from explorer.api import AsyncClient, Client
from explorer.emulator.demo_rag import big_rag_item
from explorer.model import Change, ExplorerModel, Journal
from explorer.model.jsontext import pretty_json
from explorer.tui.editor import EditorScreen, JsonArea
from explorer.tui.inspector import FieldTree, InspectorScreen
from tests._emulator import RunningEmulator, start_emulator

SIZE = (120, 40)

Server = RunningServer | RunningEmulator  # url, api_key, project_id
REPEATS = 3
PAINT_REPEATS = 5
KEYS = 25


class _Host(App[None]):
    def __init__(self, server: Server, journal: Path) -> None:
        super().__init__()
        self.server = server
        self.journal_path = journal
        self._model: ExplorerModel | None = None
        self.client: AsyncClient | None = None

    @property
    def model(self) -> ExplorerModel:
        assert self._model is not None
        return self._model

    async def on_mount(self) -> None:
        self.client = AsyncClient(
            host=self.server.url, api_key=self.server.api_key, project_id=self.server.project_id
        )
        self._model = ExplorerModel(self.client, Journal(self.journal_path))
        await self._model.start()

    async def on_unmount(self) -> None:
        if self._model is not None:
            await self._model.close()
        if self.client is not None:
            await self.client.aclose()


def _shown(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _inspector_paint(server: Server, item_id: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        app = _Host(server, Path(tmp) / "journal.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            while app._model is None or not app.model.state.datasets.loaded:
                await pilot.pause(0.005)
            await pilot.pause()
            loaded = asyncio.Event()
            gc.collect()  # the apps of earlier runs are not this screen's garbage to collect
            start = time.perf_counter()
            await app.push_screen(InspectorScreen(item_id))
            tree = app.screen.query_one("#tree-input", FieldTree)

            def check(change: Change) -> None:
                selection = app.model.state.selection
                if selection is not None and str(selection.id) == item_id:
                    loaded.set()

            unsubscribe = app.model.subscribe(check)
            check(Change("start", frozenset()))
            await asyncio.wait_for(loaded.wait(), 60)
            unsubscribe()
            give_up = time.perf_counter() + 60
            while tree.value is None:  # the screen redraws on a message behind the change
                if app._exception is not None or time.perf_counter() > give_up:
                    raise AssertionError("the item never reached the tree") from app._exception
                await pilot._wait_for_screen()
            await pilot._wait_for_screen()  # what the load queued (tree rows, header, focus)
            shown = _shown(app)
            elapsed = time.perf_counter() - start
            if "documents" not in shown:
                raise AssertionError("the item is not on screen")
            await app.workers.wait_for_complete()
    return elapsed


async def _fetch(server: Server, item_id: str) -> float:
    async with AsyncClient(
        host=server.url, api_key=server.api_key, project_id=server.project_id
    ) as client:
        # As the app's client is when the inspector opens: the generation known and a
        # connection open, both from a dataset list (untimed). A cold client would first send
        # its generation probe, which on classic downloads the newest item (20 MB here).
        await client.datasets.list(limit=1)
        gc.collect()  # what earlier runs left is not this GET's to collect
        start = time.perf_counter()
        await client.items.get(item_id)
        return time.perf_counter() - start


TYPE_AT = (1, len('  "question": "'))  # inside the first string of the input: JSON stays valid


async def _until(ready: Callable[[], bool], deadline: float = 10.0) -> None:
    """Yield to the event loop until ``ready()`` (busy, so no sleep granularity is timed)."""
    give_up = time.perf_counter() + deadline
    while not ready():
        if time.perf_counter() > give_up:
            raise AssertionError("the key was not handled in time")
        await asyncio.sleep(0)


async def _type_keys(
    app: App[Any], pilot: Pilot[Any], area: TextArea, after: Callable[[], Awaitable[None]]
) -> list[float]:
    """Latency of KEYS presses of ``a`` at TYPE_AT: until the key is in ``area``, ``after()``
    has returned and the screen is painted; the app settles (untimed) between keys."""
    row, column = TYPE_AT
    driver = app._driver
    assert driver is not None
    times = []
    for count in range(1, KEYS + 1):
        key = events.Key("a", "a")
        key.set_sender(app)
        start = time.perf_counter()
        driver.send_message(key)

        def typed(n: int = count) -> bool:
            return area.document[row][column : column + n] == "a" * n

        await _until(typed)
        await after()
        shown = _shown(app)
        times.append(time.perf_counter() - start)
        if "a" * count not in shown:
            raise AssertionError("the typed text is not on screen")
        await pilot.pause()
    return times


async def _pressed_keys(pilot: Pilot[Any]) -> list[float]:
    times = []
    for _ in range(KEYS):
        start = time.perf_counter()
        await pilot.press("a")
        times.append(time.perf_counter() - start)
    return times


async def _editor_keys(server: Server, item_id: str) -> tuple[float, float, bool]:
    """(median latency, median through Pilot.press, whether the model and journal hold every
    key typed as valid JSON)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _Host(server, Path(tmp) / "journal.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            while app._model is None or not app.model.state.datasets.loaded:
                await pilot.pause(0.005)
            await app.model.select(item_id)
            await app.push_screen(EditorScreen())
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, EditorScreen)
            area = screen.query_one("#area-input", JsonArea)
            area.focus()
            area.move_cursor(TYPE_AT)
            await pilot.pause()
            editor = app.model.state.editor
            assert editor is not None

            async def in_the_journal() -> None:
                revision = editor.revision
                await _until(lambda: editor.revision > revision)
                await screen.flush()

            times = await _type_keys(app, pilot, area, in_the_journal)
            pressed = await _pressed_keys(pilot)
            await screen.flush()
            typed = "a" * (2 * KEYS)
            field = editor.fields["input"]
            [draft] = app.model.journal.drafts()
            ok = (
                typed in field.text
                and field.error is None
                and field.changed
                and typed in draft.fields["input"]
            )
            await app.workers.wait_for_complete()
    return statistics.median(times), statistics.median(pressed), ok


class _Plain(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, soft_wrap=False, show_line_numbers=True)


async def _plain_keys(text: str) -> tuple[float, float]:
    app = _Plain(text)
    async with app.run_test(size=SIZE) as pilot:
        area = app.query_one(TextArea)
        area.focus()
        area.move_cursor(TYPE_AT)
        await pilot.pause()

        async def nothing() -> None:
            return None

        times = await _type_keys(app, pilot, area, nothing)
        pressed = await _pressed_keys(pilot)
    return statistics.median(times), statistics.median(pressed)


def _median(fn: Any) -> float:
    return float(statistics.median(fn() for _ in range(REPEATS)))


def _seed(server: Server) -> tuple[dict[int, str], dict[int, Any]]:
    """One dataset with a 1, 5 and 20 MB item: their ids and inputs by size."""
    with Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as client:
        dataset = client.datasets.create("bench-tui-items")
        ids: dict[int, str] = {}
        inputs: dict[int, Any] = {}
        for mb in (1, 5, 20):
            value, output, metadata = big_rag_item(mb)
            inputs[mb] = value
            item = client.items.create(dataset, input=value, output=output, metadata=metadata)
            ids[mb] = str(item.id)
    return ids, inputs


def _in_process_paint() -> Result:
    """The 20 MB paint with the server in the app's process, as ``--demo`` runs it."""
    running = start_emulator("none")
    try:
        ids, _ = _seed(running)
        fetch = _median(lambda: asyncio.run(_fetch(running, ids[20])))
        paint = _median(lambda: asyncio.run(_inspector_paint(running, ids[20])))
    finally:
        running.server.stop()
    return Result(
        scenario="inspector first paint, 20 MB item, server in the app's process (as --demo)",
        ours=paint * 1000,
        baseline=fetch * 1000,
        unit="ms",
        target="informational",
        passed=True,
        note="the server's thread and the screen take turns at one GIL (the response"
        " trickles out while the screen is built); PostHog is never in the app's process",
    )


def run() -> list[Result]:
    results: list[Result] = []
    with emulator_process("--seed", "none") as running:
        ids, inputs = _seed(running)
        # 5 and 20 MB in turns, so that a change in the machine's load hits both alike
        runs: dict[int, tuple[list[float], list[float]]] = {5: ([], []), 20: ([], [])}
        for _ in range(PAINT_REPEATS):
            for mb, (fetched, painted) in runs.items():
                fetched.append(asyncio.run(_fetch(running, ids[mb])))
                painted.append(asyncio.run(_inspector_paint(running, ids[mb])))
        fetches = {mb: statistics.median(f) for mb, (f, _) in runs.items()}
        paints = {mb: statistics.median(p) for mb, (_, p) in runs.items()}
        for mb in (5, 20):
            results.append(
                Result(
                    scenario=f"inspector first paint, {mb} MB item (incl. fetch)",
                    ours=paints[mb] * 1000,
                    baseline=fetches[mb] * 1000,
                    unit="ms",
                    target="< 500 ms",
                    passed=paints[mb] < 0.5,
                    note="baseline: the async client's GET of the item alone (generation"
                    " known, connection open, as the app's client is)",
                )
            )
        screen_5 = paints[5] - fetches[5]
        screen_20 = paints[20] - fetches[20]
        results.append(
            Result(
                scenario="inspector, screen time beyond the fetch: 20 MB vs 5 MB",
                ours=screen_20 * 1000,
                baseline=screen_5 * 1000,
                unit="ms",
                target="20 MB within 50 ms of 5 MB",
                passed=screen_20 <= screen_5 + 0.05,
                note="first paint minus the fetch; baseline column: the 5 MB figure",
            )
        )
        ours, ours_pressed, typed = asyncio.run(_editor_keys(running, ids[1]))
        base, base_pressed = asyncio.run(_plain_keys(pretty_json(inputs[1])))
        results.append(
            Result(
                scenario="editor keystroke, 1 MB field (median)",
                ours=ours * 1000,
                baseline=base * 1000,
                unit="ms",
                target="< 50 ms",
                passed=ours < 0.05 and typed,
                note="key event to painted screen, the text validated and in the journal;"
                " baseline: a plain TextArea with the same text, timed the same way. Ours can"
                " match or beat it: JsonArea skips the whole-document height sum and width"
                " scan a plain TextArea does per key, which pays for the model's work",
            )
        )
        results.append(
            Result(
                scenario="editor keystroke through Pilot.press, 1 MB field (median)",
                ours=ours_pressed * 1000,
                baseline=base_pressed * 1000,
                unit="ms",
                target="informational",
                passed=typed,
                note="informational: Pilot.press polls in 20 ms sleeps until the process is"
                " idle (about 60 ms even for a 10-line TextArea)",
            )
        )
    results.append(_in_process_paint())
    return results


if __name__ == "__main__":
    for result in run():
        print(result)
