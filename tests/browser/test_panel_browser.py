"""The quickstart notebook's panel in JupyterLab and in Voila, driven by chromium like a user:
open a dataset, search, page, select, edit with invalid JSON (Save disabled), fix and save (the
server has it), delete and undo, and an HTML-injection item shown as text.

The demo server runs inside the notebook's kernel; the test reads its address from the panel's
header (the demo key is public) and checks what the server holds with the blocking client.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client, NotFound
from tests.browser.conftest import Served, jupyterlab, voila

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SLOW = 60_000  # ms: first paint of JupyterLab or Voila and the first kernel on 2 cores


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

    def button(self, scope: str, name: str) -> Any:
        return self.loc(f"{scope} button").filter(has_text=name).first

    def server_client(self) -> Client:
        header = self.text(".dx-header")
        host = re.search(r"http://127\.0\.0\.1:\d+", header)
        assert host is not None, header
        return Client(host=host.group(), api_key="phx_demo_key", project_id=1)


def drive_the_panel(ui: PanelPage) -> None:
    """Everything a user does in one visit; assertions on what is shown and what is stored."""
    page = ui.page
    ui.wait_text(".dx-header", r"PostHog datasets")
    assert "READ-ONLY" not in ui.text(".dx-header")
    # the quickstart's next cells opened a dataset and selected an item: the panel followed
    ui.wait_text(".dx-page .dx-range", r"page 1 of 24 · 1-50 of 1,200")

    ui.root.scroll_into_view_if_needed()
    ui.shot("quickstart-state")

    # search (debounced) narrows the dataset picker
    ui.loc(".dx-picker input[type='text']").fill("edge")
    wait_for(
        lambda: (
            ui.options(".dx-dataset-choice select")[1:] == ["customer-support-evals", "edge-cases"]
        ),  # the open one stays, then the matches
        "the search to narrow the picker",
        ui.served,
    )
    ui.loc(".dx-dataset-choice select").select_option(label="edge-cases")
    ui.wait_text(".dx-page .dx-range", r"page 1 of 2 · 1-50 of 63")
    ui.shot("search-and-open")

    # page forward and back
    ui.button(".dx-pager", "Next").click()
    ui.wait_text(".dx-page .dx-range", r"page 2 of 2 · 51-63 of 63")
    assert len(ui.options(".dx-page .dx-rows select")) == 13
    ui.button(".dx-pager", "Previous").click()
    ui.wait_text(".dx-page .dx-range", r"page 1 of 2 · 1-50 of 63")

    # select the HTML-injection item: its markup is shown as text, nothing runs
    rows = ui.options(".dx-page .dx-rows select")
    index = next(i for i, label in enumerate(rows) if "<script>" in label)
    ui.loc(".dx-page .dx-rows select").select_option(index=index)
    shown = ui.wait_text(".dx-item-view .dx-json", r"<script>alert\(1\)</script>")
    assert '"<img src=x onerror=\\"alert(document.cookie)\\">"' in shown  # JSON text
    assert ui.loc(".dx-item-view img, .dx-item-view iframe, .dx-item-view script").count() == 0
    assert ui.loc(".dx-item-view b").count() == 0
    item_id = ui.loc(".dx-item-title code").get_attribute("title")
    assert item_id and len(item_id) == 36
    page.wait_for_timeout(300)  # an onerror/onload handler would fire by now
    assert page.dialogs == []
    ui.shot("html-injection-as-text")

    # edit: invalid JSON disables Save and says where; the fix saves after the diff
    ui.button(".dx-actions", "Edit").click()
    textarea = ui.loc(".dx-edit-output textarea")
    textarea.wait_for(state="visible")
    textarea.fill('{"answer": "fixed",}')
    ui.wait_text(".dx-error-output", r"line 1, column \d+")
    save = ui.button(".dx-editor", "Save…")
    wait_for(lambda: save.is_disabled(), "Save to be disabled", ui.served)
    ui.loc(".dx-error-output").scroll_into_view_if_needed()
    ui.shot("invalid-json-save-disabled")
    textarea.fill('{"answer": "<b>fixed</b> in the browser"}')
    wait_for(lambda: save.is_enabled(), "Save to be enabled", ui.served)
    assert ui.text(".dx-error-output") == ""
    save.click()
    ui.wait_text(".dx-review .dx-diff", r"fixed</b> in the browser")
    ui.shot("diff-before-saving")
    ui.button(".dx-review", "Confirm save").click()
    ui.wait_text(".dx-status-area", r"Saved item")
    with ui.server_client() as client:
        assert client.items.get(item_id).output == {"answer": "<b>fixed</b> in the browser"}
    ui.loc(".dx-item-tabs .lm-TabBar-tab").filter(has_text="Output").first.click()
    ui.wait_text(".dx-item-view .dx-json", r"<b>fixed</b> in the browser")
    ui.shot("saved")

    # delete, then undo
    ui.button(".dx-actions", "Delete").click()
    ui.wait_text(".dx-actions", r"Undo delete item")
    wait_for(
        lambda: not any("<script>" in o for o in ui.options(".dx-page .dx-rows select")),
        "the row to leave the page",
        ui.served,
    )
    with ui.server_client() as client, pytest.raises(NotFound):
        client.items.get(item_id)
    ui.shot("deleted")
    ui.button(".dx-actions", "Undo").click()
    wait_for(
        lambda: any("<script>" in o for o in ui.options(".dx-page .dx-rows select")),
        "the row to come back",
        ui.served,
    )
    with ui.server_client() as client:
        assert client.items.get(item_id).deleted is False
    ui.shot("undone")
    assert page.dialogs == []
    assert not ui.served.tracebacks()


def test_panel_in_jupyterlab(tmp_path: Path, browser_page: Any, shots: Path):
    page = browser_page
    with jupyterlab(tmp_path) as served:
        page.goto(served.url, timeout=SLOW)
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=SLOW)
        page.wait_for_function(
            """() => {
                const w = window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                return k && k.status === 'idle';
            }""",
            timeout=SLOW,
        )
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.locator(".dx-panel").first.wait_for(state="visible", timeout=SLOW)
        ui = PanelPage(page, served, shots)
        readme_screenshot(ui)
        drive_the_panel(ui)


def test_panel_in_voila(tmp_path: Path, browser_page: Any, shots: Path):
    page = browser_page
    with voila(tmp_path) as served:
        page.goto(served.url, timeout=SLOW)
        page.locator(".dx-panel").first.wait_for(state="visible", timeout=SLOW)
        drive_the_panel(PanelPage(page, served, shots))


def readme_screenshot(ui: PanelPage) -> None:
    """The README's picture (``readme-panel.png``, copied by hand to docs/panel.png): the
    quickstart's state, a support conversation selected, its input highlighted."""
    ui.wait_text(".dx-item-view .dx-json", r'"messages"')
    page = ui.page
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole panel in the notebook
    ui.root.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    ui.root.screenshot(path=str(ui.shots / "readme-panel.png"))
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
