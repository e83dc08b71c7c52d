"""What every benchmark module shares: the result row and a way to start the embedded server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One row of the report: our figure beside the baseline's, measured in the same run.

    ``ratio`` is ours / baseline. ``passed`` is decided by the module against its own target,
    which ``target`` states in words (e.g. "ratio >= 0.9", "< 50 ms").
    """

    scenario: str
    ours: float
    baseline: float | None
    unit: str
    target: str
    passed: bool
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline


@dataclass(frozen=True)
class RunningServer:
    url: str
    api_key: str
    project_id: int
    pid: int


@contextmanager
def emulator_process(*args: str) -> Iterator[RunningServer]:
    """Start ``dataset-explorer serve --port 0 ARGS`` in a subprocess; stop it on exit. The
    classic API unless ARGS name one (the scenarios written before v2 measure classic)."""
    api = () if "--api" in args else ("--api", "classic")
    cmd = [sys.executable, "-m", "explorer", "serve", "--port", "0", *api, *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy()
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        prefix = "Serving PostHog datasets API on "
        if not first.startswith(prefix):
            raise RuntimeError(f"emulator did not start: {first!r}")
        yield RunningServer(first[len(prefix) :], "phx_demo_key", 1, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start
