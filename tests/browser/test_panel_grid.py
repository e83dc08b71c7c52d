"""The item grid in a real browser, in JupyterLab and in Notebook 7, driven by the keyboard as a
user would: the quickstart's panel (the v2 demo), 100 rows a page, a click on the first row,
then ``j``/ArrowDown 60 times: the 61st item is selected and shown, the grid kept the keyboard
the whole time and the notebook's active cell never moved (in command mode ``j`` and the arrows
would move between cells). ``]`` shows page 2 scrolled to the top, ``/`` goes to the dataset
search. Then the edge-cases dataset (CJK, right-to-left, emoji, HTML-looking and control
characters): every column's cells start at the same x, dragging a header edge widens a column
and keeps them aligned, and no item text became markup. Enter moves the keyboard to the item.

One server per front end, several checks in it (CI's browser budget is small).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser._panel_page import PanelPage, run_all_cells, wait_for
from tests.browser.conftest import jupyterlab, notebook7

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROWS = ".dx-page .dx-grid tbody tr.dx-grid-row"
MOVES = 60


def active_cell(page: Any) -> tuple[int, str]:
    return tuple(  # type: ignore[return-value]
        page.evaluate(
            """() => {
                const notebook = window.jupyterapp.shell.currentWidget.content;
                return [notebook.activeCellIndex, notebook.mode];
            }"""
        )
    )


def focus_in_grid(page: Any) -> bool:
    return bool(
        page.evaluate(
            """() => {
                const grid = document.querySelector('.dx-panel .dx-grid');
                return !!grid && grid.contains(document.activeElement);
            }"""
        )
    )


def grid_state(ui: PanelPage) -> dict[str, Any]:
    """What the grid shows: the selected row's index and item id, its scroll, whether the
    selected row is within the grid's box, and whether anything scrolls sideways."""
    return dict(
        ui.loc(".dx-grid .dx-grid-box").evaluate(
            """box => {
                const rows = Array.from(box.querySelectorAll('tbody tr.dx-grid-row'));
                const index = rows.findIndex(tr => tr.classList.contains('dx-grid-selected'));
                const tr = rows[index];
                const b = box.getBoundingClientRect();
                const r = tr ? tr.getBoundingClientRect() : null;
                const panel = box.closest('.dx-panel');
                return {
                    index,
                    id: tr ? tr.cells[0].title : null,
                    rows: rows.length,
                    scrollTop: box.scrollTop,
                    scrolls: box.scrollHeight > box.clientHeight,
                    visible: !!r && r.top >= b.top - 1 && r.bottom <= b.bottom + 1,
                    // the table may scroll sideways inside the grid's box, never the panel
                    sideways: panel.scrollWidth > panel.clientWidth + 1,
                    rowsInView: rows.length ? b.height / rows[0].getBoundingClientRect().height : 0,
                };
            }"""
        )
    )


def columns_x(ui: PanelPage) -> list[dict[str, Any]]:
    """Per column: the left edges and widths of its header and of every cell under it."""
    return list(
        ui.loc(".dx-grid table").evaluate(
            """table => Array.from(table.tHead.rows[0].cells, (th, i) => ({
                key: th.className,
                head: th.getBoundingClientRect().left,
                lefts: Array.from(table.tBodies[0].rows,
                    tr => tr.cells[i].getBoundingClientRect().left),
                widths: Array.from(table.tBodies[0].rows,
                    tr => tr.cells[i].getBoundingClientRect().width),
            }))"""
        )
    )


def assert_aligned(columns: list[dict[str, Any]]) -> None:
    for column in columns:
        lefts, widths = column["lefts"], column["widths"]
        assert max(lefts) - min(lefts) < 0.5, (column["key"], sorted(set(lefts)))
        assert abs(lefts[0] - column["head"]) < 0.5, column["key"]
        assert max(widths) - min(widths) < 0.5, (column["key"], sorted(set(widths)))


def _where(page: int, size: int, total: int) -> str:
    first = (page - 1) * size
    shown = f"{first + 1:,}-{min(total, first + size):,} of {total:,}"
    return re.escape(f"page {page} of {-(-total // size)} · {shown}")


def drive_the_grid(ui: PanelPage) -> None:
    page = ui.page
    # the quickstart opened customer-support-evals; 100 rows a page
    where = ui.wait_text(".dx-page .dx-range", r"page 1 of \d+ · 1-50 of [\d,]+")
    total = int(where.rsplit(" of ", 1)[1].replace(",", ""))
    ui.loc(".dx-pager select").select_option(label="100 per page")
    ui.wait_text(".dx-page .dx-range", _where(1, 100, total))
    wait_for(lambda: ui.loc(ROWS).count() == 100, "100 rows", ui.served)
    ids = ui.loc(f"{ROWS} td:first-child").evaluate_all("tds => tds.map(td => td.title)")

    ui.loc(ROWS).first.click()
    wait_for(lambda: grid_state(ui)["index"] == 0, "the first row selected", ui.served)
    assert focus_in_grid(page)
    cell_before = active_cell(page)
    state = grid_state(ui)
    assert state["scrolls"] and 14 <= state["rowsInView"] <= 22, state  # ~15-20 rows in view
    assert not state["sideways"], state
    for n in range(MOVES):
        page.keyboard.press("j" if n % 2 else "ArrowDown")
        assert focus_in_grid(page), f"the grid lost the keyboard after {n + 1} presses"
    state = grid_state(ui)
    assert state["index"] == MOVES and state["id"] == ids[MOVES] and state["visible"], state
    assert active_cell(page) == cell_before  # the notebook did not take j or the arrows
    # the model followed: the item view shows the 61st item
    wait_for(
        lambda: ui.loc(".dx-item-title code").first.get_attribute("title") == ids[MOVES],
        "the item view to show the 61st item",
        ui.served,
    )
    ui.shot("61st-row-selected-by-keys")

    page.keyboard.press("]")
    ui.wait_text(".dx-page .dx-range", _where(2, 100, total))
    wait_for(
        lambda: ui.loc(f"{ROWS} td:first-child").first.get_attribute("title") not in ids,
        "the rows of page 2",
        ui.served,
    )
    state = grid_state(ui)
    assert state["scrollTop"] == 0 and state["rows"] == 100, state
    assert focus_in_grid(page) and active_cell(page) == cell_before
    page.keyboard.press("k")  # nothing selected on this page: k starts from the bottom
    wait_for(lambda: grid_state(ui)["index"] == 99, "the last row selected", ui.served)
    assert grid_state(ui)["visible"]
    ui.shot("page-2-by-key")
    page.keyboard.press("/")
    wait_for(
        lambda: page.evaluate(
            "() => document.activeElement && document.activeElement.matches("
            "'.dx-picker input[type=text]')"
        ),
        "the dataset search to take the keyboard",
        ui.served,
    )

    # the edge cases: every script, markup-looking and control characters
    ui.loc(".dx-dataset-choice select").select_option(label="edge-cases")
    ui.wait_text(".dx-page .dx-range", r"page 1 of 1 · 1-\d+ of \d+")
    wait_for(lambda: "edge" in ui.text(".dx-page .dx-title"), "edge-cases open", ui.served)
    text = " ".join(ui.loc(ROWS).all_inner_texts())
    for shown in ("مرحبا", "שלום", "请帮我查询订单状态", "🎉", "<script>alert(1)</script>"):
        assert shown in text, shown
    assert "\\u202e" in text and "\\u001b[31m" in text  # controls shown as escapes
    assert ui.loc(".dx-grid img, .dx-grid script, .dx-grid svg, .dx-grid iframe").count() == 0
    assert ui.loc(".dx-grid b, .dx-grid i").count() == 0
    links = ui.loc(".dx-grid td a").evaluate_all(
        "as => as.map(a => [a.getAttribute('href'), a.target, a.rel])"
    )
    assert links and all(
        href.startswith("http://127.0.0.1:") and target == "_blank" and "noopener" in rel
        for href, target, rel in links
    ), links
    columns = columns_x(ui)
    assert len(columns) == 6 and len(columns[0]["lefts"]) > 60
    assert_aligned(columns)
    assert not grid_state(ui)["sideways"]
    ui.loc(".dx-grid").scroll_into_view_if_needed()
    ui.loc(ROWS).filter(has_text="مرحبا").first.evaluate(
        "tr => tr.scrollIntoView({block: 'center'})"
    )  # the right-to-left, CJK and emoji rows in view
    ui.shot("edge-cases-aligned")

    # drag the input column's edge 80px to the right: wider, still aligned
    grip = ui.loc(".dx-grid th.dx-grid-col-input .dx-grid-resize")
    box = grip.bounding_box()
    before = columns[2]["widths"][0]
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    resized = columns_x(ui)
    assert abs(resized[2]["widths"][0] - before - 80) < 2, (before, resized[2]["widths"][0])
    assert_aligned(resized)
    ui.shot("input-column-resized")

    # Enter opens the selected row: the keyboard goes to the item view
    row = ui.loc(ROWS).nth(3)
    row.click()
    wait_for(lambda: grid_state(ui)["index"] == 3, "the 4th row selected", ui.served)
    page.keyboard.press("Enter")
    wait_for(
        lambda: page.evaluate(
            "() => !!document.activeElement.closest('.dx-item-view')"
            " && !document.activeElement.closest('.dx-grid')"
        ),
        "Enter to move the keyboard to the item view",
        ui.served,
    )
    assert page.dialogs == []
    assert not ui.served.tracebacks()


@pytest.mark.parametrize("front_end", ["jupyterlab", "notebook7"])
def test_grid_keyboard_and_alignment(
    tmp_path: Path, browser_page: Any, shots: Path, front_end: str
) -> None:
    serving = jupyterlab if front_end == "jupyterlab" else notebook7
    with serving(tmp_path, "quickstart.ipynb") as served:
        run_all_cells(browser_page, served)
        ui = PanelPage(browser_page, served, shots)
        ui.root.scroll_into_view_if_needed()
        drive_the_grid(ui)
