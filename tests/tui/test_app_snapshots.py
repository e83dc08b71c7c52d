"""What the app's screens and dialogs look like: SVG snapshots, accepted only after looking.

Determinism: a fresh demo server per test (fixed seed data, nothing else writes to it), the
header shows a fixed host (requests are redirected to the server's free port), a fixed clock for
relative times, an isolated config and data dir, cursor blink off, the model idle and every
worker finished before the shot.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from explorer.emulator import ApiKey
from explorer.model import Journal
from explorer.tui.app import make_app
from tests.conftest import EmulatorFactory
from tests.tui._app_harness import (
    SHOWN_HOST,
    RedirectTransport,
    build_app,
    isolate_env,
    settle,
    snapshot_ready,
)

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]

SIZE = (120, 40)
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def then(*steps: Steps) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        await snapshot_ready(pilot)

    return run


def keys(*pressed: str) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


def open_dataset(name: str) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("slash", *name, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run


async def no_toasts(pilot: Pilot[Any]) -> None:
    pilot.app.clear_notifications()
    await pilot.pause()


def demo_app(factory: EmulatorFactory, tmp_path: Path, **options: Any) -> Any:
    server = factory("demo", **options.pop("server_options", {}))
    return build_app(server, tmp_path, shown_host=SHOWN_HOST, **options)


def test_datasets_screen(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=then())


def test_datasets_search_applied(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(keys("slash", "r", "a", "g", "enter"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_datasets_sorted_oldest_first(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=then(keys("s")))


def test_items_page(snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("customer-support"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_items_page_2(snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("customer-support"), keys("right_square_bracket", "down"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_go_to_page_dialog(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("sql-generation"), keys("g", "4", "2"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_create_dataset_dialog_with_an_error(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)

    async def fill(pilot: Pilot[Any]) -> None:
        await pilot.press("c", *"evals-v3", "tab", *"third round")
        area = pilot.app.screen.query_one("#form-metadata", TextArea)
        area.text = '{\n  "owner": "ml",\n  "round": 3,\n}'
        await pilot.press("ctrl+s")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(fill))


def test_delete_dataset_asks(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=then(keys("down", "d")))


def test_dataset_picker(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("rag-answers"), keys("m"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_read_only_header(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path, read_only=True)
    steps = then(open_dataset("rag-answers"), keys("d"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_forbidden_delete_names_the_scope(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    reader = ApiKey("phx_reader", scopes=frozenset({"dataset:read"}))
    app = demo_app(emulator_factory, tmp_path, server_options={"api_keys": [reader]})
    steps = then(open_dataset("rag-answers"), keys("d"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_unreachable_banner(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    transport = RedirectTransport(server.url)
    app = build_app(server, tmp_path, shown_host=SHOWN_HOST, transport=transport)

    async def cut(pilot: Pilot[Any]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            transport.target = f"http://127.0.0.1:{sock.getsockname()[1]}"
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=then(cut))


def test_keys_help(snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("rag-answers"), keys("question_mark"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_items_80x24(snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("rag-answers"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps)


def test_edge_cases_items_page(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("edge-cases"))
    assert snap_compare(app, terminal_size=(140, 56), run_before=steps)


def test_delete_item_offers_undo(
    snap_compare: Any, emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    app = demo_app(emulator_factory, tmp_path)
    steps = then(open_dataset("sql-generation"), no_toasts, keys("d"))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_connect_screen(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(None, journal=Journal(tmp_path / "j.sqlite3"))

    async def ready(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await snapshot_ready_no_model(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


async def snapshot_ready_no_model(pilot: Pilot[Any]) -> None:
    from textual.widgets import Input

    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()
