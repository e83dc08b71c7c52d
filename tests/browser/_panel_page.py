"""What the browser tests share: waiting for a condition, the panel's locators, and running a
notebook in JupyterLab or Notebook 7 (both are Lumino apps exposing ``window.jupyterapp``)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from explorer.api import Client
from tests.browser.conftest import Served

SLOW = 60_000  # ms: first paint of JupyterLab, Notebook 7 or Voila and the first kernel on 2 cores

_NOTEBOOK = "window.jupyterapp.shell.currentWidget"


def wait_for(predicate: Any, what: str, served: Served, timeout: float = 30.0) -> Any:
    """Poll ``predicate()`` until truthy; fail at once if the server logged a traceback."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        tracebacks = served.tracebacks()
        if tracebacks:
            raise AssertionError(f"the server failed while waiting for {what}:\n{tracebacks}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class PanelPage:
    """Locators scoped to the panel's CSS class (unscoped text would also match the code)."""

    def __init__(self, page: Any, served: Served, shots: Path) -> None:
        self.page = page
        self.served = served
        self.shots = shots
        self.root = page.locator(".dx-panel").first
        self.count = 0

    def loc(self, selector: str) -> Any:
        return self.root.locator(selector)

    def text(self, selector: str) -> str:
        return str(self.loc(selector).first.inner_text())

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.shots / f"{self.count:02d}-{name}.png"), full_page=True)

    def wait_text(self, selector: str, pattern: str, timeout: float = 30.0) -> str:
        rx = re.compile(pattern)

        def found() -> str | None:
            loc = self.loc(selector)
            for i in range(loc.count()):
                text = str(loc.nth(i).inner_text())
                if rx.search(text):
                    return text
            return None

        try:
            return str(wait_for(found, f"{selector} ~ {pattern!r}", self.served, timeout))
        except AssertionError:
            self.shot("failure")  # what was on screen instead
            raise

    def options(self, selector: str) -> list[str]:
        return list(
            self.loc(f"{selector} option").evaluate_all(
                "els => els.map(e => e.textContent.replace(/\\u00a0/g, ' '))"
            )
        )

    def rows(self) -> list[str]:
        """The item grid's rows as shown: each row's cells, one space apart."""
        return list(
            self.loc(".dx-page .dx-grid tbody tr.dx-grid-row").evaluate_all(
                "trs => trs.map(tr => Array.from(tr.cells, td => td.textContent).join(' '))"
            )
        )

    def button(self, scope: str, name: str) -> Any:
        return self.loc(f"{scope} button").filter(has_text=name).first

    def server_client(self) -> Client:
        header = self.text(".dx-header")
        host = re.search(r"http://127\.0\.0\.1:\d+", header)
        assert host is not None, header
        return Client(host=host.group(), api_key="phx_demo_key", project_id=1)


def run_all_cells(page: Any, served: Served) -> None:
    """Open the served notebook, run every cell, wait until all ran and the kernel is idle; then
    back to the top, where the panel is (a notebook draws only the cells in view)."""
    page.goto(served.url, timeout=SLOW)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=SLOW)
    page.wait_for_function(
        f"""() => {{
            const w = {_NOTEBOOK};
            const k = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return k && k.status === 'idle';
        }}""",
        timeout=SLOW,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        f"""() => {{
            const w = {_NOTEBOOK};
            const cells = w.content.widgets.filter(c => c.model.type === 'code');
            return cells.every(c => c.model.executionCount)
                && w.sessionContext.session.kernel.status === 'idle';
        }}""",
        timeout=SLOW * 2,
    )
    page.evaluate(
        f"""() => {{
            const notebook = {_NOTEBOOK}.content;
            notebook.activeCellIndex = 0;
            notebook.scrollToItem(0);
        }}"""
    )
    page.locator(".dx-panel").first.wait_for(state="visible", timeout=SLOW)
