"""The item view in JupyterLab as a user sees it: beside the list, its input beside its answer on
a wide screen, stacked on a narrow one, a conversation with its real line breaks.

One JupyterLab, one run of the quickstart (it opens customer-support-evals and selects an item
whose input is a conversation), then the checks at 1600 and at 800 pixels wide. Boxes come from
``getBoundingClientRect``; screenshots go to ``tests/browser/output/<test name>/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.model.chat import find_chat
from tests.browser._panel_page import SLOW, PanelPage, run_all_cells, wait_for
from tests.browser.conftest import jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

BOX = "el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def box(ui: PanelPage, selector: str) -> tuple[float, float, float, float]:
    left, top, right, bottom = ui.loc(selector).first.evaluate(BOX)
    return float(left), float(top), float(right), float(bottom)


def side_by_side(ui: PanelPage, first: str, second: str) -> bool:
    """``first`` wholly left of ``second``, their vertical ranges overlapping."""
    a, b = box(ui, first), box(ui, second)
    return a[2] <= b[0] and a[1] < b[3] and b[1] < a[3] and a[2] > a[0] and b[2] > b[0]


def stacked(ui: PanelPage, first: str, second: str) -> bool:
    """``first`` wholly above ``second``."""
    a, b = box(ui, first), box(ui, second)
    return a[3] <= b[1] and a[2] > a[0] and b[2] > b[0]


def test_item_view_beside_the_list_and_input_beside_answer(
    tmp_path: Path, browser_page: Any, shots: Path
):
    page = browser_page
    page.set_viewport_size({"width": 1600, "height": 1000})
    with jupyterlab(tmp_path) as served:
        run_all_cells(page, served)
        ui = PanelPage(page, served, shots)
        # the quickstart selected an item of customer-support-evals; its input is a conversation
        ui.wait_text(".dx-item-view .dx-col-input .dx-msg-system", r"\w", timeout=SLOW / 1000)
        item_id = ui.loc(".dx-item-title code").first.get_attribute("title")
        with ui.server_client() as client:
            item = client.items.get(str(item_id))
        chat = find_chat(item.input)
        assert chat is not None
        system = chat.messages[0]["content"]
        assert isinstance(system, str) and "\n" in system

        # wide: the item beside the list, the input column left of the answer column
        ui.loc(".dx-item-view").scroll_into_view_if_needed()
        wait_for(
            lambda: side_by_side(ui, ".dx-main-list", ".dx-main-item"),
            "the item view beside the list",
            served,
        )
        wait_for(
            lambda: side_by_side(ui, ".dx-col-input", ".dx-col-answer"),
            "the input beside the answer",
            served,
        )
        # the conversation: a block per message with its role, its line breaks real
        roles = ui.loc(".dx-col-input .dx-role").all_inner_texts()
        assert roles[: len(chat.messages)] == [m["role"] for m in chat.messages]
        shown = ui.loc(".dx-col-input .dx-msg-system .dx-text").first.inner_text()
        assert shown.strip() == system.strip()  # innerText holds "\n" where the value did
        assert "\\n" not in shown
        line = float(
            ui.loc(".dx-col-input .dx-msg-system .dx-text").first.evaluate(
                "el => parseFloat(getComputedStyle(el).lineHeight)"
            )
        )
        first = box(ui, ".dx-col-input .dx-msg-system .dx-text")
        assert first[3] - first[1] >= line * (system.count("\n") + 1) * 0.9  # one line each
        # the answer column holds the answer, in the same Read view
        assert ui.text(".dx-col-answer .dx-field-label").startswith("Expected output")
        page.screenshot(path=str(shots / "01-wide-1600.png"))

        # narrow: the list above the item, the input above the answer
        page.set_viewport_size({"width": 800, "height": 1000})
        wait_for(
            lambda: stacked(ui, ".dx-main-list", ".dx-main-item"),
            "the item view under the list",
            served,
        )
        wait_for(
            lambda: stacked(ui, ".dx-col-input", ".dx-col-answer"),
            "the answer under the input",
            served,
        )
        ui.loc(".dx-col-answer").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "02-narrow-800.png"))
        panel_right, view_right = ui.root.evaluate(BOX)[2], box(ui, ".dx-col-input")[2]
        assert view_right <= panel_right + 1  # nothing sticks out to the right
        assert page.dialogs == []
        assert not served.tracebacks()
