"""The installed ``dataset-explorer --demo`` in a real terminal (tmux), on each API generation
(``--api classic`` and ``--api v2``): search, open a dataset, page, inspect, edit and save,
delete (v2: archive) and undo, quit with status 0. What the server holds is checked over HTTP at
the address the header shows, through the client (which speaks both generations)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from explorer.api import Client

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SOCKET = "explorer-e2e"
COMMAND = Path(sys.executable).parent / "dataset-explorer"
DEMO_KEY = "phx_demo_key"
DATASET = "rag-answers-golden"
LABELS = {"classic": "classic API", "v2": "API v2"}


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


@pytest.fixture(params=["classic", "v2"])
def api(request: pytest.FixtureRequest) -> str:
    """The API generation the demo serves (``--demo --api``)."""
    return str(request.param)


@pytest.fixture
def terminal(tmp_path: Path, api: str) -> Iterator[Path]:
    assert COMMAND.exists(), f"{COMMAND} is not installed (pip install -e .)"
    rc = tmp_path / "rc"
    env = (
        f"POSTHOG_EXPLORER_CONFIG={tmp_path / 'config.toml'}"
        f" POSTHOG_EXPLORER_DATA_DIR={tmp_path / 'data'}"
    )
    # COLUMNS and LINES (set under pytest) would size the app at 80x24 whatever the pane is
    unset = "-u COLUMNS -u LINES -u POSTHOG_PERSONAL_API_KEY -u POSTHOG_HOST -u POSTHOG_PROJECT_ID"
    shell = f"env {unset} {env}"
    tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        f"{shell} {COMMAND} --demo --api {api}; echo $? > {rc}; sleep 60",
    )
    try:
        tmux("set-option", "-s", "escape-time", "0")
        yield rc
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def test_demo_search_open_page_inspect_edit_delete_undo_quit(terminal: Path, api: str) -> None:
    shown = wait_screen(
        lambda s: "host http" in s and "edge-cases" in s and "sql-generation" in s, "the datasets"
    )
    match = re.search(r"host (http://127\.0\.0\.1:\d+)", shown)
    assert match, shown
    assert LABELS[api] in wait_screen(lambda s: LABELS[api] in s, "the API generation")
    client = Client(host=match.group(1), api_key=DEMO_KEY, project_id=1)
    dataset = next(d for d in client.datasets.iter() if d.name == DATASET)
    top = client.items.list(dataset, limit=1).results[0]  # the first row of the table
    question = str(top.input["question"])  # type: ignore[index]
    total = client.items.list(dataset, limit=1).count
    remove = "Archive" if api == "v2" else "Delete"

    def item() -> dict[str, object]:
        data: dict[str, object] = client.items.get(top.id).model_dump(mode="json")
        return data

    def count() -> int:
        return client.items.list(dataset, limit=1).count

    # search, then open
    first_page = f"1-50 of {total:,}"
    keys("/", "r", "a", "g", "Enter")
    wait_screen(lambda s: DATASET in s and "sql-generation" not in s, "the search")
    keys("Enter")
    wait_screen(lambda s: first_page in s and f"d {remove}" in s, "the first page")
    # page forward and back (on v2, each page of 50 is two requests of 25)
    keys("]")
    wait_screen(lambda s: f"51-100 of {total:,}" in s, "page 2")
    keys("[")
    wait_screen(lambda s: first_page in s and str(top.id)[-8:] in s, "page 1 again")
    # inspect the first item, then back
    keys("Enter")
    wait_screen(lambda s: first_page not in s and question[:20] in s, "the inspector")
    keys("Escape")
    wait_screen(lambda s: first_page in s, "the items again")
    # edit the question and save (the diff asks first)
    keys("e")
    shown = wait_screen(lambda s: first_page not in s and '"question"' in s, "the editor")
    # The terminal cursor follows the focused text area's once it moves: step to the
    # question line and check where the cursor is (keys sent before focus lands are lost).
    brace = next(i for i, line in enumerate(shown.splitlines()) if line.strip() == "1  {")
    wait_true(lambda: step_to_row(brace + 1), "the cursor on the question line")

    def at_end() -> bool:
        keys("End")  # idempotent: pressed again until the cursor shows there
        time.sleep(0.1)
        # the line as drawn now (a capture taken while the editor was still drawing, on a
        # loaded machine, could be shorter than the line is)
        question_line = screen().splitlines()[brace + 1].rstrip()
        return cursor()[0] == len(question_line)

    wait_true(at_end, "the cursor at the end of the line")
    end = cursor()[0]
    keys("Left", "Left")
    wait_true(lambda: cursor()[0] == end - 2, "the cursor inside the question")
    tmux("send-keys", "-l", " (edited)")
    wait_screen(lambda s: f"{question[-12:]} (edited)" in s, "the typed text")
    keys("C-s")
    wait_screen(lambda s: "(edited)" in s and "Save" in s, "the diff")
    keys("y")
    wait_true(
        lambda: item()["input"]["question"] == f"{question} (edited)",  # type: ignore[index]
        "the save",
    )
    keys("Escape")
    wait_screen(lambda s: first_page in s, "the items after saving")
    # delete (v2: archive), then undo
    keys("d")
    wait_true(lambda: count() == total - 1, f"the {remove.lower()}")
    wait_screen(lambda s: f"1-50 of {total - 1:,}" in s, "the row leaving the page")
    keys("u")
    wait_true(lambda: count() == total, "the undo")
    wait_screen(lambda s: first_page in s, "the row back on the page")
    client.close()
    # quit
    keys("q")
    wait_true(terminal.exists, "the exit")
    assert terminal.read_text().strip() == "0"
