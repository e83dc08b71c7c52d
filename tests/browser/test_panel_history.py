"""An item's history in JupyterLab, as a user meets it: someone changed the expected output of a
support conversation (the notebook does it through the scripting API, which also lists the
versions with ``await panel.history()``); in the panel the user clicks History (the newest
version is shown: who changed what, when, its changed words marked), clicks the version before
it, Restore, Confirm. The panel then shows the new version, and the server holds it with the
earlier expected output.

Screenshots go to ``tests/browser/output/<test name>/``; ``readme-history.png`` (the panel after
the restore) is the README's picture, copied by hand to docs/panel-history.png.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from explorer.api.models import VersionedItem
from tests.browser._panel_page import SLOW, PanelPage, run_all_cells, wait_for
from tests.browser.conftest import jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CELLS = [
    "from widgets import DatasetPanel\n\npanel = DatasetPanel.demo()\npanel",
    # a colleague's edit of an answer that had been reviewed: "3-5 business days" becomes a promise
    'await panel.open("customer-support-evals")\n'
    "item = next(\n"
    "    i for i in panel.items\n"
    '    if i.version >= 3 and isinstance((i.expected_output or {}).get("content"), str)\n'
    ")\n"
    "await panel.select(item.id)\n"
    'content = item.expected_output["content"]\n'
    'wrong = content.replace("3-5 business days", "24 hours")\n'
    'if wrong == content:\n    wrong = content + " A refund is guaranteed."\n'
    'await panel.edit(expected_output={**item.expected_output, "content": wrong})\n'
    "await panel.save()\n"
    "str(item.id)",
    'versions = await panel.history()\nversions[["version", "created_by", "change"]]',
]


def history_notebook(folder: Path) -> Path:
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
    path = folder / "item-history.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    return path


def test_history_restore_an_earlier_expected_output(
    tmp_path: Path, browser_page: Any, shots: Path
) -> None:
    page = browser_page
    with jupyterlab(tmp_path, source=history_notebook(tmp_path)) as served:
        run_all_cells(page, served)
        ui = PanelPage(page, served, shots)
        # the scripting API answered in the kernel: the versions table, the new edit on top
        frame = page.locator(".jp-OutputArea-output table").filter(has_text="edited expected")
        frame.first.wait_for(state="visible", timeout=SLOW)
        item_id = str(ui.loc(".dx-item-title code").first.get_attribute("title"))
        with ui.server_client() as client:
            before = [v for v in client.items.versions(item_id).results]
        assert all(isinstance(v, VersionedItem) for v in before)
        newest, earlier = before[0], before[1]
        assert newest.expected_output != earlier.expected_output

        # 1. History: the newest version, who made it and when, the changed words marked
        ui.loc(".dx-item-view").scroll_into_view_if_needed()
        ui.loc(".dx-item-mode button").filter(has_text="History").first.click()
        ui.wait_text(".dx-history-diff", rf"v{newest.version} · by Demo User")
        ui.wait_text(".dx-history-diff", r"expected output changed")
        marks = ui.loc(".dx-history-diff .dx-add mark.dx-word").all_inner_texts()
        assert any("24 hours" in m or "guaranteed" in m for m in marks), marks
        assert ui.loc(".dx-history-diff code.dx-version-id").first.inner_text() == str(
            newest.version_id
        )
        labels = ui.options(".dx-history-list")
        assert [label.split()[0] for label in labels] == [f"v{v.version}" for v in before]
        ui.shot("history-newest")

        # 2. the version before the edit
        ui.loc(".dx-history-list select").select_option(index=1)
        ui.wait_text(".dx-history-diff", rf"v{earlier.version} · by")
        restore = ui.button(".dx-history-tools", f"Restore v{earlier.version}")
        wait_for(lambda: restore.is_enabled(), "the Restore button", served)
        # 3. Restore… asks first
        restore.click()
        ui.wait_text(".dx-confirm-row", rf"Restore v{earlier.version} of item")
        ui.shot("confirm")
        with ui.server_client() as client:
            assert client.items.versions(item_id).count == len(before)  # nothing sent yet
        # 4. Confirm
        ui.button(".dx-confirm-row", "Confirm").click()
        restored_as = newest.version + 1
        ui.wait_text(".dx-status-area", rf"Restored v{earlier.version} of item .*v{restored_as}")
        wait_for(
            lambda: ui.options(".dx-history-list")[0].startswith(f"v{restored_as} "),
            "the new version on top of the list",
            served,
        )
        ui.wait_text(".dx-history-diff", rf"v{newest.version} → v{restored_as}")
        ui.wait_text(".dx-item-title", rf"v{restored_as}")

        with ui.server_client() as client:
            current = client.items.versions(item_id).results[0]
        assert isinstance(current, VersionedItem)
        assert current.version == restored_as
        assert current.expected_output == earlier.expected_output
        assert current.input == earlier.input and current.metadata == earlier.metadata
        assert page.dialogs == []  # no dataset text ran as script
        ui.shot("restored")
        readme_screenshot(ui)


def readme_screenshot(ui: PanelPage) -> None:
    """The README's picture: the item view's column after the restore (the list, the diff, the
    status line above)."""
    page = ui.page
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.set_viewport_size({"width": 1400, "height": 1500})
    ui.root.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    ui.root.screenshot(path=str(ui.shots / "readme-history.png"))
