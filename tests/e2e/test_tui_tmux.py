"""The installed ``dataset-explorer --demo`` in a real terminal (tmux): search, open a dataset,
page, inspect, edit and save, delete and undo, quit with status 0. What the server holds is
checked over HTTP at the address the header shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SOCKET = "explorer-e2e"
COMMAND = Path(sys.executable).parent / "dataset-explorer"
DEMO_KEY = "phx_demo_key"
ITEM = "019caf14-d118-7bd0-8023-416011e9f367"  # the first item of rag-answers-golden


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def screen() -> str:
    return tmux("capture-pane", "-p")


def wait_screen(condition: Callable[[str], bool], what: str, within: float = 60) -> str:
    deadline = time.monotonic() + within
    while True:
        shown = screen()
        if condition(shown):
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what}; the screen was:\n{shown}")
        time.sleep(0.1)


def wait_true(condition: Callable[[], bool], what: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen; the screen was:\n{screen()}")
        time.sleep(0.1)


def cursor() -> tuple[int, int]:
    x, y = tmux("display", "-p", "#{cursor_x} #{cursor_y}").split()
    return int(x), int(y)


def step_to_row(row: int) -> bool:
    """One step of moving the text cursor to ``row``; True once it is there."""
    y = cursor()[1]
    if y == row:
        return True
    keys("Down" if y < row else "Up")
    time.sleep(0.1)
    return cursor()[1] == row


def keys(*pressed: str) -> None:
    for key in pressed:
        tmux("send-keys", key)
        time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Path]:
    assert COMMAND.exists(), f"{COMMAND} is not installed (pip install -e .)"
    rc = tmp_path / "rc"
    env = (
        f"POSTHOG_EXPLORER_CONFIG={tmp_path / 'config.toml'}"
        f" POSTHOG_EXPLORER_DATA_DIR={tmp_path / 'data'}"
    )
    shell = f"env -u POSTHOG_PERSONAL_API_KEY -u POSTHOG_HOST -u POSTHOG_PROJECT_ID {env}"
    tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        f"{shell} {COMMAND} --demo; echo $? > {rc}; sleep 60",
    )
    try:
        tmux("set-option", "-s", "escape-time", "0")
        yield rc
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def test_demo_search_open_page_inspect_edit_delete_undo_quit(terminal: Path) -> None:
    shown = wait_screen(
        lambda s: "host http" in s and "edge-cases" in s and "sql-generation" in s, "the datasets"
    )
    match = re.search(r"host (http://127\.0\.0\.1:\d+)", shown)
    assert match, shown
    api = f"{match.group(1)}/api/projects/1"
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}

    def item() -> dict[str, object]:
        response = httpx.get(f"{api}/dataset_items/{ITEM}/", headers=headers, timeout=30)
        response.raise_for_status()
        data: dict[str, object] = response.json()
        return data

    dataset = item()["dataset"]

    def count() -> int:
        response = httpx.get(
            f"{api}/dataset_items/",
            params={"dataset": dataset, "limit": 1},
            headers=headers,
            timeout=30,
        )
        total: int = response.json()["count"]
        return total

    # search, then open
    keys("/", "r", "a", "g", "Enter")
    wait_screen(lambda s: "rag-answers-golden" in s and "sql-generation" not in s, "the search")
    keys("Enter")
    wait_screen(lambda s: "1-50 of 300" in s, "the first page")
    # page forward and back
    keys("]")
    wait_screen(lambda s: "51-100 of 300" in s, "page 2")
    keys("[")
    wait_screen(lambda s: "1-50 of 300" in s and "11e9f367" in s, "page 1 again")
    # inspect the first item, then back
    keys("Enter")
    wait_screen(lambda s: "1-50 of 300" not in s and "when do raises" in s, "the inspector")
    keys("Escape")
    wait_screen(lambda s: "1-50 of 300" in s, "the items again")
    # edit the question and save (the diff asks first)
    keys("e")
    shown = wait_screen(lambda s: "1-50 of 300" not in s and '"question"' in s, "the editor")
    # The terminal cursor follows the focused text area's once it moves: step to the
    # question line and check where the cursor is (keys sent before focus lands are lost).
    first = next(i for i, line in enumerate(shown.splitlines()) if line.strip() == "1  {")
    wait_true(lambda: step_to_row(first + 1), "the cursor on the question line")
    question = screen().splitlines()[first + 1].rstrip()

    def at_end() -> bool:
        keys("End")  # idempotent: pressed again until the cursor shows there
        time.sleep(0.1)
        return cursor()[0] == len(question)

    wait_true(at_end, "the cursor at the end of the line")
    end = cursor()[0]
    keys("Left", "Left")
    wait_true(lambda: cursor()[0] == end - 2, "the cursor inside the question")
    tmux("send-keys", "-l", " (edited)")
    wait_screen(lambda s: "take effect (edited)" in s, "the typed text")
    keys("C-s")
    wait_screen(lambda s: "(edited)" in s and "Save" in s, "the diff")
    keys("y")
    wait_true(
        lambda: item()["input"]["question"] == "when do raises take effect (edited)",  # type: ignore[index]
        "the save",
    )
    keys("Escape")
    wait_screen(lambda s: "1-50 of 300" in s, "the items after saving")
    # delete, then undo
    before = count()
    keys("d")
    wait_true(lambda: count() == before - 1, "the delete")
    wait_screen(lambda s: "1-50 of 299" in s, "the row leaving the page")
    keys("u")
    wait_true(lambda: count() == before, "the undo")
    wait_screen(lambda s: "1-50 of 300" in s, "the row back on the page")
    # quit
    keys("q")
    wait_true(terminal.exists, "the exit")
    assert terminal.read_text().strip() == "0"
