"""The notebook panel in JupyterLab and in Voila, driven by chromium like a user: open a
dataset, search, page, select, edit with invalid JSON (Save disabled), fix and save (the server
has it), delete (classic) or archive (v2) and undo, and an HTML-injection item shown as text.

On each API generation, after a notebook has run (``NOTEBOOKS``): the classic flow runs the
quickstart with ``DatasetPanel.demo(api="classic")`` typed into the test's copy (the quickstart
reads its fields from the schema, so it runs on both); the v2 flow runs the quickstart as it is
in JupyterLab (``DatasetPanel.demo()`` is v2: what a new user sees, and the README's picture)
and the versioned-datasets notebook in Voila. The v2 flow also checks what v2 adds: the header's
"API v2", the version and the version id (one click selects it whole), the fields set at
creation shown read-only in the editor, and the Archive button. Field names, labels and words
come from the generation's schema; counts from the server.

The demo server runs inside the notebook's kernel; the test reads its address from the panel's
header (the demo key is public) and checks what the server holds with the blocking client.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from explorer.model import ItemSchema, schema_for
from tests.browser._panel_page import SLOW, PanelPage, run_all_cells, wait_for
from tests.browser.conftest import jupyterlab, voila
from tests.widgets._panel_helpers import answer_of, is_removed
from widgets._viewer import columns_of

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

# (front end, generation) -> (the notebook, the api typed into its DatasetPanel.demo() or None)
NOTEBOOKS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("jupyterlab", "classic"): ("quickstart.ipynb", "classic"),
    ("jupyterlab", "v2"): ("quickstart.ipynb", None),  # the default demo, as a user opens it
    ("voila", "classic"): ("quickstart.ipynb", "classic"),
    ("voila", "v2"): ("versioned-datasets.ipynb", None),  # DatasetPanel.demo(api="v2")
}
GENERATIONS = pytest.mark.parametrize("generation", ["classic", "v2"])


def _where(page: int, total: int, size: int = 50) -> str:
    first = (page - 1) * size
    shown = f"{first + 1:,}-{min(total, first + size):,} of {total:,}"
    return re.escape(f"page {page} of {-(-total // size)} · {shown}")


def _totals(ui: PanelPage) -> dict[str, int]:
    with ui.server_client() as client:
        return {
            d.name: client.items.list(dataset=d.id, limit=1).count for d in client.datasets.iter()
        }


def drive_the_panel(ui: PanelPage, schema: ItemSchema) -> None:
    """Everything a user does in one visit; assertions on what is shown and what is stored."""
    page = ui.page
    answer = schema.answer_field
    ui.wait_text(".dx-header", re.escape(schema.api_label))  # once the server answered
    assert "READ-ONLY" not in ui.text(".dx-header")
    totals = _totals(ui)
    # the notebook's next cells opened a dataset and selected an item: the panel followed
    ui.wait_text(".dx-page .dx-range", _where(1, totals["customer-support-evals"]))

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
    edge = totals["edge-cases"]  # 63 classic, 72 v2
    ui.loc(".dx-dataset-choice select").select_option(label="edge-cases")
    ui.wait_text(".dx-page .dx-range", _where(1, edge))
    ui.shot("search-and-open")

    # page forward and back
    ui.button(".dx-grid-pager", "Next").click()
    ui.wait_text(".dx-page .dx-range", _where(2, edge))
    wait_for(lambda: len(ui.rows()) == edge - 50, "the rows of page 2", ui.served)
    ui.button(".dx-grid-pager", "Previous").click()
    ui.wait_text(".dx-page .dx-range", _where(1, edge))

    # select the HTML-injection item: its markup is shown as text, nothing runs
    wait_for(lambda: len(ui.rows()) == 50, "the rows of page 1", ui.served)
    index = next(i for i, label in enumerate(ui.rows()) if "<script>" in label)
    ui.loc(".dx-page .dx-grid tbody tr.dx-grid-row").nth(index).click()
    ui.wait_text(".dx-item-view .dx-col-input", r"<script>alert\(1\)</script>")  # Read: as text
    ui.loc(".dx-item-mode button").filter(has_text="JSON").first.click()
    shown = ui.wait_text(".dx-item-view .dx-json", r"<script>alert\(1\)</script>")
    assert '"<img src=x onerror=\\"alert(document.cookie)\\">"' in shown  # JSON text
    assert ui.loc(".dx-item-view img, .dx-item-view iframe, .dx-item-view script").count() == 0
    assert ui.loc(".dx-item-view b").count() == 0
    # every JSON field of the generation at once (the input beside the answer), References
    titles = [schema.label(name) for name in sum(columns_of(schema), ())] + ["References"]
    wait_for(
        lambda: (
            [t.split(" (")[0] for t in ui.loc(".dx-item-view .dx-field-label").all_inner_texts()]
            == titles
        ),
        f"the fields {titles}",
        ui.served,
    )
    item_id = ui.loc(".dx-item-title code").first.get_attribute("title")
    assert item_id and len(item_id) == 36
    page.wait_for_timeout(300)  # an onerror/onload handler would fire by now
    assert page.dialogs == []
    ui.shot("html-injection-as-text")
    if schema.versioned:
        check_the_version(ui, item_id)

    # edit: invalid JSON disables Save and says where; the fix saves after the diff
    ui.button(".dx-actions", "Edit").click()
    textarea = ui.loc(f".dx-edit-{answer} textarea")
    textarea.wait_for(state="visible")
    for name in schema.names:  # what the API never changes after creation: shown, read-only
        spec = schema.spec(name)
        if spec is not None and not spec.editable:
            assert ui.loc(f".dx-fixed-{name}").is_visible(), name
            assert ui.loc(f".dx-edit-{name}").count() == 0, name
    textarea.fill('{"answer": "fixed",}')
    ui.wait_text(f".dx-error-{answer}", r"line 1, column \d+")
    save = ui.button(".dx-editor", "Save…")
    wait_for(lambda: save.is_disabled(), "Save to be disabled", ui.served)
    ui.loc(f".dx-error-{answer}").scroll_into_view_if_needed()
    ui.shot("invalid-json-save-disabled")
    textarea.fill('{"answer": "<b>fixed</b> in the browser"}')
    wait_for(lambda: save.is_enabled(), "Save to be enabled", ui.served)
    assert ui.text(f".dx-error-{answer}") == ""
    save.click()
    ui.wait_text(".dx-review .dx-diff", r"fixed</b> in the browser")
    ui.shot("diff-before-saving")
    ui.button(".dx-review", "Confirm save").click()
    ui.wait_text(".dx-status-area", r"Saved item")
    with ui.server_client() as client:
        saved = client.items.get(item_id)
        assert answer_of(saved) == {"answer": "<b>fixed</b> in the browser"}
    ui.wait_text(".dx-item-view .dx-col-answer .dx-json", r"<b>fixed</b> in the browser")
    if schema.versioned:  # the save made a new version, and the title says so
        ui.wait_text(".dx-item-title", re.escape(str(ItemSchema.version_id(saved))))
    ui.shot("saved")

    # delete (classic) or archive (v2), then undo
    ui.button(".dx-actions", schema.remove_label).click()
    ui.wait_text(".dx-actions", r"Undo \w+ item")
    wait_for(
        lambda: not any("<script>" in o for o in ui.rows()),
        "the row to leave the page",
        ui.served,
    )
    ui.wait_text(".dx-status-area", re.escape(f"{schema.removed_label} item"))
    with ui.server_client() as client:
        assert is_removed(client, item_id)
    ui.shot("removed")
    ui.button(".dx-actions", "Undo").click()
    wait_for(
        lambda: any("<script>" in o for o in ui.rows()),
        "the row to come back",
        ui.served,
    )
    with ui.server_client() as client:
        assert not is_removed(client, item_id)
    ui.shot("undone")
    assert page.dialogs == []
    assert not ui.served.tracebacks()


def check_the_version(ui: PanelPage, item_id: str) -> None:
    """v2: the title shows the version, and one click on the version id selects all of it (to
    copy); the row shows the version too."""
    with ui.server_client() as client:
        item = client.items.get(item_id)
    version, version_id = ItemSchema.version_label(item), ItemSchema.version_id(item)
    title = ui.wait_text(".dx-item-title", re.escape(version_id))
    assert version in title.split()
    ui.loc(".dx-item-title .dx-version-id").click()
    selected = ui.page.evaluate("() => window.getSelection().toString()")
    assert selected.strip() == version_id
    rows = ui.rows()
    assert any("<script>" in row and f" {version} " in row for row in rows)
    ui.shot("version-id-selected")


@GENERATIONS
def test_panel_in_jupyterlab(tmp_path: Path, browser_page: Any, shots: Path, generation: str):
    page = browser_page
    with jupyterlab(tmp_path, *NOTEBOOKS["jupyterlab", generation]) as served:
        run_all_cells(page, served)
        ui = PanelPage(page, served, shots)
        ui.root.scroll_into_view_if_needed()
        if NOTEBOOKS["jupyterlab", generation] == ("quickstart.ipynb", None):
            readme_screenshot(ui)  # the quickstart as a user opens it
        drive_the_panel(ui, schema_for(generation))


@GENERATIONS
def test_panel_in_voila(tmp_path: Path, browser_page: Any, shots: Path, generation: str):
    page = browser_page
    with voila(tmp_path, *NOTEBOOKS["voila", generation]) as served:
        page.goto(served.url, timeout=SLOW)
        page.locator(".dx-panel").first.wait_for(state="visible", timeout=SLOW)
        drive_the_panel(PanelPage(page, served, shots), schema_for(generation))


def readme_screenshot(ui: PanelPage) -> None:
    """The README's picture (``readme-panel.png``, copied by hand to docs/panel.png): the
    quickstart's state on the default demo (API v2), a support conversation selected, its input
    highlighted."""
    ui.wait_text(".dx-item-view .dx-col-input .dx-msg-system", r"\w")  # the conversation
    page = ui.page
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole panel in the notebook
    ui.root.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    ui.root.screenshot(path=str(ui.shots / "readme-panel.png"))
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
