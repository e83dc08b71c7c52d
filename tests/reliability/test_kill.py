"""The installed ``dataset-explorer`` killed with SIGKILL in the middle of an edit, in a real
terminal (tmux): restarted against the same server and data dir, it offers the draft back, and
opening it shows the typed text intact. Nothing was sent to the server meanwhile.

The app runs as ``sh -c 'echo $$ > pidfile; exec dataset-explorer'``, so the pid in the file is
the app's own. The server is the embedded one, run by the test on 127.0.0.1; the journal is in a
temporary ``POSTHOG_EXPLORER_DATA_DIR``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from explorer.api import Client
from tests._emulator import RunningEmulator

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

COMMAND = Path(sys.executable).parent / "dataset-explorer"
TYPED = ', "typed": "kill -9 survivor ✓"'


class Terminal:
    """One tmux server (its own ``-L`` socket) running the app."""

    def __init__(self, tmp_path: Path, server: RunningEmulator) -> None:
        self.socket = f"explorer-kill-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.pidfile = tmp_path / "app.pid"
        self.env = {
            "POSTHOG_HOST": server.url,
            "POSTHOG_PERSONAL_API_KEY": server.api_key,
            "POSTHOG_PROJECT_ID": str(server.project_id),
            "POSTHOG_EXPLORER_CONFIG": str(tmp_path / "config.toml"),
            "POSTHOG_EXPLORER_DATA_DIR": str(tmp_path / "data"),
        }

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def start(self) -> int:
        """Start the app in a new session; its pid."""
        self.pidfile.unlink(missing_ok=True)
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        inner = f"echo $$ > {shlex.quote(str(self.pidfile))}; exec env {assigns} {COMMAND}"
        self.tmux(
            "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40",
            f"sh -c {shlex.quote(inner)}",
        )  # fmt: skip
        self.tmux("set-option", "-s", "escape-time", "0")
        wait_until(lambda: self.pidfile.exists() and self.pidfile.read_text().strip() != "", "pid")
        return int(self.pidfile.read_text())

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_screen(self, condition: Callable[[str], bool], what: str, within: float = 60) -> str:
        deadline = time.monotonic() + within
        while True:
            shown = self.screen()
            if condition(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}; the screen was:\n{shown}")
            time.sleep(0.1)

    def keys(self, *pressed: str) -> None:
        for key in pressed:
            self.tmux("send-keys", key)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)

    def cursor(self) -> tuple[int, int]:
        x, y = self.tmux("display", "-p", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def wait_until(condition: Callable[[], bool], what: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {within} s")
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def terminal(tmp_path: Path, empty_server: RunningEmulator) -> Iterator[Terminal]:
    assert COMMAND.exists(), f"{COMMAND} is not installed (pip install -e .)"
    term = Terminal(tmp_path, empty_server)
    try:
        yield term
    finally:
        term.kill_server()


def test_a_kill_9_mid_edit_loses_nothing(terminal: Terminal, empty_server: RunningEmulator) -> None:
    name = f"kill-test-{uuid.uuid4().hex[:6]}"
    with Client(
        host=empty_server.url, api_key=empty_server.api_key, project_id=empty_server.project_id
    ) as client:
        dataset = client.datasets.create(name)
        for n in range(2):
            client.items.create(dataset, input={"n": n}, output="out")
        first = next(iter(client.items.iter(dataset)))  # newest first: the first row
    assert first.input == {"n": 1}

    pid = terminal.start()
    terminal.wait_screen(lambda s: name in s, "the dataset listed")
    terminal.keys("Enter")
    terminal.wait_screen(lambda s: "1-2 of 2" in s, "the items")
    terminal.keys("e")
    shown = terminal.wait_screen(lambda s: f"editing item {first.id}" in s, "the editor")
    # Type at the end of the line '  "n": 1' (the cursor starts at the top of the input).
    row = next(i for i, line in enumerate(shown.splitlines()) if line.strip() == '2    "n": 1')
    deadline = time.monotonic() + 30
    # The terminal's cursor follows the text area's once it has focus (keys sent before are
    # lost): step towards the row until the cursor shows there.
    while (y := terminal.cursor()[1]) != row:
        assert time.monotonic() < deadline, terminal.screen()
        terminal.keys("Down" if y < row else "Up")
        time.sleep(0.1)
    terminal.keys("End")
    terminal.type(TYPED)
    terminal.wait_screen(lambda s: f'"n": 1{TYPED}' in s, "the typed text")

    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid), "the kill")

    # Restarted on the same server and data dir: the draft is offered back.
    terminal.kill_server()
    again = terminal.start()
    assert again != pid
    offered = terminal.wait_screen(lambda s: "Unsaved drafts (1)" in s, "the drafts offered back")
    line = next(x for x in offered.splitlines() if f"item {str(first.id)[-8:]}" in x)
    assert "input" in line, offered
    terminal.keys("Enter")
    reopened = terminal.wait_screen(
        lambda s: f"editing item {first.id}" in s and "survivor" in s, "the draft in the editor"
    )
    assert f'"n": 1{TYPED}' in reopened, reopened
    with Client(
        host=empty_server.url, api_key=empty_server.api_key, project_id=empty_server.project_id
    ) as client:
        assert client.items.get(first.id).input == {"n": 1}  # nothing was sent
