"""The terminal app's launch as a user waits for it: from starting the process to the first
dataset rows drawn, imports included.

Each run starts a fresh Python process that imports the app, builds it on the demo data
(``dataset-explorer serve --seed demo`` in its own process, as PostHog would be), runs it
headless (``App.run_test()``, 120x40) and prints the wall-clock time when a ``DataTable`` first
draws rows. Baseline: a fresh process running a minimal Textual app that GETs the same page with
``httpx`` and shows it in a ``DataTable`` (as ``bench_tui.MinimalApp``, importing nothing of
this project). Alternating, 7 of each;
medians. Target (issue 12): ours within 1.2x of the baseline. The in-process launch benchmark
(``bench_tui``) hides the import cost this one counts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

from benchmarks._common import Result, RunningServer, emulator_process

RUNS = 7

# The child imports only what its side needs: the baseline never loads this project.
CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    kind, url, journal = sys.argv[1], sys.argv[2], sys.argv[3]
    from textual.widgets import DataTable
    drawn = []
    original = DataTable.render_lines
    def render_lines(table, crop):
        lines = original(table, crop)
        if not drawn and table.row_count > 0:
            drawn.append(time.time())
        return lines
    DataTable.render_lines = render_lines
    if kind == "ours":
        from explorer.api import Settings
        from explorer.model import Journal
        from explorer.tui.app import make_app
        app = make_app(
            Settings(host=url, project_id=1, api_key="phx_demo_key"), journal=Journal(journal)
        )
    else:
        import httpx
        from textual.app import App
        class Minimal(App):
            def compose(self):
                yield DataTable(cursor_type="row")
            async def on_mount(self):
                table = self.query_one(DataTable)
                for label in ("name", "description", "updated", "created", "created by"):
                    table.add_column(label)
                async with httpx.AsyncClient(base_url=url) as http:
                    response = await http.get(
                        "/api/projects/1/datasets/",
                        params={"limit": 30, "offset": 0, "order_by": "-created_at"},
                        headers={"Authorization": "Bearer phx_demo_key"},
                    )
                for row in response.json()["results"]:
                    table.add_row(row["name"], row.get("description") or "",
                                  row["updated_at"][:10], row["created_at"][:10],
                                  (row.get("created_by") or {}).get("email", ""))
        app = Minimal()
    async def main():
        async with app.run_test(size=(120, 40)):
            while not drawn:
                await asyncio.sleep(0.001)
        print(drawn[0], flush=True)
    asyncio.run(main())
    """
)


def _launch(kind: str, server: RunningServer, journal: str, pycache: str) -> float:
    """Seconds from spawning the process to its first rows drawn."""
    # As on a user's machine, modules are byte-compiled once and then loaded from their .pyc
    # (pip compiles wheels at install; Python writes the cache on first import). The cache goes
    # to a temporary prefix so the work tree stays clean, and PYTHONDONTWRITEBYTECODE (set on
    # some CI machines) is lifted: with it, every launch would compile this project's sources
    # while the installed libraries' .pyc are used, an unfair charge on ours only.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, server.url, journal],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1]) - start


def run() -> list[Result]:
    ours: list[float] = []
    base: list[float] = []
    with emulator_process("--seed", "demo") as server, tempfile.TemporaryDirectory() as tmp:
        journal = os.path.join(tmp, "journal.sqlite3")
        pycache = os.path.join(tmp, "pycache")
        # untimed: byte-compiles each side's modules, creates the journal
        _launch("ours", server, journal, pycache)
        _launch("base", server, journal, pycache)
        for _ in range(RUNS):
            ours.append(_launch("ours", server, journal, pycache))
            base.append(_launch("base", server, journal, pycache))
    mine, theirs = statistics.median(ours), statistics.median(base)
    return [
        Result(
            "launch from process start to first dataset rows drawn (demo, 120x40)",
            mine * 1000,
            theirs * 1000,
            "ms",
            "ratio <= 1.2",
            mine <= 1.2 * theirs,
            f"median of {RUNS}, alternating; baseline: a fresh process with a minimal Textual"
            " app, httpx GET, DataTable",
        )
    ]
