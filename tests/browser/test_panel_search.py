"""Search, marks and a bulk action in JupyterLab, as a user meets them (the v2 demo): ticking a
row's checkbox and shift-clicking another marks the rows between; then typing
"metadata.tags:refunds" in the search box over the grid shows the refund conversations;
"Mark all N results", Archive, one confirmation naming the N items, Confirm: the server holds
them archived. Undo: all of them are back.

Screenshots go to ``tests/browser/output/<test name>/``; ``readme-search.png`` (the
confirmation over the search results) is the README's picture, quantized by hand to
docs/panel-search.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client
from tests.browser._panel_page import SLOW, PanelPage, run_all_cells, wait_for
from tests.browser.conftest import jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

QUERY = "metadata.tags:refunds"
ROWS = ".dx-page .dx-grid tbody tr.dx-grid-row"
CELLS = [
    "from widgets import DatasetPanel\n\npanel = DatasetPanel.demo()\npanel",
    'await panel.open("customer-support-evals")',
]


def search_notebook(folder: Path) -> Path:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell-{n}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for n, source in enumerate(CELLS)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "search-and-archive.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    return path


def refunds(client: Client) -> tuple[set[str], set[str]]:
    """(live, archived) ids of the demo's support conversations tagged ``refunds``."""
    support = next(d for d in client.datasets.iter() if d.name == "customer-support-evals")
    found: list[set[str]] = []
    for archived in (False, True):
        found.append(
            {
                str(item.id)
                for item in client.items.iter(dataset=support.id, archived=archived)
                if "refunds" in ((item.metadata or {}).get("tags") or [])
            }
        )
    return found[0], found[1]


def ticked(ui: PanelPage) -> int:
    return int(ui.loc(f"{ROWS} input.dx-grid-tick:checked").count())


def test_search_mark_all_results_archive_and_undo(
    tmp_path: Path, browser_page: Any, shots: Path
) -> None:
    page = browser_page
    with jupyterlab(tmp_path, source=search_notebook(tmp_path)) as served:
        run_all_cells(page, served)
        ui = PanelPage(page, served, shots)
        ui.wait_text(".dx-page .dx-range", r"page 1 of \d+")
        with ui.server_client() as client:
            live, archived_before = refunds(client)
        n = len(live)
        assert n > 50  # more than a page: "all results" is more than what is shown

        # a row's checkbox, then shift-click on another: the rows between are marked
        ticks = ui.loc(f"{ROWS} input.dx-grid-tick")
        ticks.nth(1).click()
        ui.wait_text(".dx-bulk-count", r"^1 marked$")
        ticks.nth(4).click(modifiers=["Shift"])
        ui.wait_text(".dx-bulk-count", r"^4 marked$")
        assert ticked(ui) == 4
        ui.button(".dx-bulk-bar", "Clear").click()
        wait_for(lambda: ticked(ui) == 0, "the marks cleared", served)
        # the keyboard: x marks the selected row, shift+x the rows from the last one marked
        ui.loc(f"{ROWS} td.dx-grid-col-id").nth(0).click()
        page.keyboard.press("x")
        ui.wait_text(".dx-bulk-count", r"^1 marked$")
        for _ in range(3):
            page.keyboard.press("j")
        page.keyboard.press("Shift+X")
        ui.wait_text(".dx-bulk-count", r"^4 marked$")
        page.keyboard.press(" ")  # space unmarks the selected (fourth) row
        ui.wait_text(".dx-bulk-count", r"^3 marked$")
        assert ticked(ui) == 3
        ui.button(".dx-bulk-bar", "Clear").click()
        wait_for(lambda: ticked(ui) == 0, "the marks cleared", served)

        # the search box over the grid: typing searches once the user pauses
        box = ui.loc(".dx-search-items input")
        box.click()
        box.fill(QUERY)
        ui.wait_text(".dx-search-message", rf"{n:,} items match {re.escape(QUERY)}")
        wait_for(lambda: ui.rows() and len(ui.rows()) == 50, "50 result rows", served)
        first_ids = ui.loc(f"{ROWS} td.dx-grid-col-id").evaluate_all(
            "tds => tds.map(td => td.title)"
        )
        assert set(first_ids) <= live

        # "Mark all N results", Archive: one confirmation that names the N items
        mark_all = ui.loc(".dx-mark-all button, button.dx-mark-all").filter(
            has_text=f"Mark all {n:,} results"
        )
        mark_all.first.click()
        ui.wait_text(".dx-bulk-count", rf"^{n:,} marked$")
        wait_for(lambda: ticked(ui) == 50, "every row shown ticked", served)
        ui.button(".dx-bulk-bar", "Archive").click()
        ui.wait_text(".dx-bulk-confirm", rf"Archive {n:,} items of customer-support-evals")
        confirm = ui.button(".dx-bulk-confirm", "Confirm")
        wait_for(lambda: confirm.is_enabled(), "Confirm enabled", served)
        with ui.server_client() as client:
            assert refunds(client)[0] == live  # nothing sent before Confirm
        ui.shot("confirm")
        readme_screenshot(ui)
        confirm.click()
        ui.wait_text(".dx-bulk-result", rf"{n:,} done, 0 skipped, 0 failed", timeout=120)
        with ui.server_client() as client:
            now_live, now_archived = refunds(client)
        assert now_live == set() and now_archived == archived_before | live
        ui.wait_text(".dx-search-message", rf"^\S* ?0 items match {re.escape(QUERY)}")
        ui.shot("archived")

        # Undo: the whole batch comes back
        undo = ui.button(".dx-bulk-result", f"Undo archive {n:,} items")
        undo.click()
        ui.wait_text(".dx-bulk-result", rf"Undo: archive {n:,} items.*{n:,} done", timeout=120)
        with ui.server_client() as client:
            assert refunds(client) == (live, archived_before)
        ui.wait_text(".dx-search-message", rf"{n:,} items match {re.escape(QUERY)}")
        assert page.dialogs == []  # no dataset text ran as script
        ui.shot("undone")


def readme_screenshot(ui: PanelPage) -> None:
    """The README's picture: the list column (the search box, the marks bar, the confirmation,
    the ticked results) in a tall window, the file browser folded away; then back as it was."""
    page = ui.page
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.set_viewport_size({"width": 1400, "height": 1500})
    page.wait_for_timeout(500)
    ui.root.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = ui.loc(".dx-main-list").first.bounding_box()
    assert box is not None
    clip = {"x": box["x"] - 6, "y": box["y"], "width": box["width"] + 12}
    clip["height"] = box["height"] + 6
    page.screenshot(path=str(ui.shots / "readme-search.png"), clip=clip)
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.wait_for_timeout(SLOW // 200)
