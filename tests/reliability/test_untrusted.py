"""Untrusted data: every item of the ``edge-cases`` demo dataset, shown by both front ends,
with nothing in it interpreted.

Terminal: the items page (every row on one page) and, per item, the inspector's tree and text
views of input, output and metadata, in a headless app. What a full repaint would write to the
terminal is checked for control characters (Textual's own SGR and cursor moves removed, the
check of tests/tui/test_components.py), and markup strings must show literally.

Notebook panel: per item, each view (Read, JSON, Tree; "Show all" where it is offered); every
HTML string the panel's widgets hold is parsed back, and no element, attribute or class may come
from data (tests/widgets/_html_check.py). Grid cells and text boxes are plain text for the
browser; they must still carry no raw control or bidi character.

The items are read through the client from the session's demo server, so a new case added to
the dataset is covered without touching this file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from textual.widgets import ContentSwitcher, DataTable, TabbedContent

from explorer.api import Client, DatasetItem
from explorer.model import ExplorerModel
from explorer.tui.components import JsonText
from explorer.tui.inspector import InspectorScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import build_app, isolate_env, settle, wait_for
from tests.tui._item_screens import ItemScreensApp
from tests.tui._item_screens import settle as item_screens_settle
from tests.tui.test_components import UNSAFE, screen_lines, terminal_output
from tests.tui.test_items import open_dataset
from tests.widgets import _html_check
from tests.widgets._html_check import assert_only_our_markup, without_cell_isolates
from tests.widgets._panel_helpers import click_row, dataset_id, descendants, make_panel
from widgets._grid import ItemGrid
from widgets._render import ROWS_CLASS

__all__ = ["isolate_env"]  # the fixture, used by name below

pytestmark = pytest.mark.timeout(300)

FIELDS = ("input", "output", "metadata")
# What an item must show literally, per case: (where, text). "row" is the items page; "tree"
# and "text" the inspector's views; "html" what the panel's pane shows once unescaped.
LITERAL: dict[str, list[tuple[str, str]]] = {
    "rich-markup": [
        ("row", "[bold red]alert[/]"),
        ("tree", '"[bold red]alert[/]: your order failed"'),
        ("tree", "[link=https://example.com/phish]click here[/link]"),
        ("text", '"bold": "[bold red]alert[/]: your order failed"'),
        ("text", '"emoji_code": ":warning: :smiley: [blink]blinking[/blink]"'),
        ("html", "[bold red]alert[/]: your order failed"),
    ],
    "html-injection": [
        ("tree", "<script>alert(1)</script>"),
        ("text", '"img": "<img src=x onerror=\\"alert(document.cookie)\\">"'),
        ("html", "<script>alert(1)</script>"),
        ("html", '<iframe src=\\"javascript:alert(3)\\"></iframe>'),
    ],
    "kitchen-sink": [("text", "Never output [bold].")],
    "osc-sequences": [("tree", "\\x1b]8;;https://evil.example/")],
    "ansi-escapes": [("tree", "\\x1b[2J")],
}


def case_of(item: DatasetItem) -> str:
    for value in (item.metadata, item.input):
        if isinstance(value, dict) and isinstance(value.get("case"), str):
            return value["case"]
    return str(item.ref_source_id or item.id)


@pytest.fixture(scope="module")
def edge_items(demo_server: RunningEmulator) -> list[DatasetItem]:
    with Client(demo_server.url, demo_server.api_key, demo_server.project_id) as client:
        (dataset,) = [d for d in client.datasets.iter() if d.name == "edge-cases"]
        items = list(client.items.iter(dataset.id))
    assert len(items) >= 55  # every visible case (one is soft-deleted, never listed)
    return items


def own_links(host: str) -> re.Pattern[str]:
    """The app's own OSC 8 hyperlinks: the trace link, to the configured host only, its URL
    percent-encoded (no control character, no space). Any other OSC 8 came from data."""
    url = re.escape(host) + r"/[\x21-\x7e]*"
    return re.compile(rf"\x1b\]8;id=[\w-]+;{url}\x1b\\|\x1b\]8;;\x1b\\")


def assert_terminal_safe(app: Any, what: str, host: str) -> str:
    """No unsafe character on the screen or in what a repaint writes; returns the screen."""
    screen = "\n".join(screen_lines(app))
    found = UNSAFE.findall(screen)
    assert not found, f"{what}: {found[:5]!r} on screen"
    written = own_links(host).sub("", terminal_output(app))
    found = UNSAFE.findall(written)
    at = written.find(found[0]) if found else 0
    assert not found, f"{what}: {written[max(0, at - 40) : at + 60]!r} written to the terminal"
    return screen


# --- the terminal app ---------------------------------------------------------------------


def focus_in(app: Any, widget: Any) -> bool:
    focused = app.focused
    return focused is not None and (focused is widget or widget in focused.ancestors)


def shows(inspector: InspectorScreen, field: str, mode: str) -> bool:
    """The inspector's visible tab is ``field`` and its switcher shows the ``mode`` view."""
    tabs = inspector.query_one(TabbedContent)
    switcher = inspector.query_one(f"#switch-{field}", ContentSwitcher)
    view = inspector.query_one(f"#{mode}-{field}")
    return (
        tabs.active == f"pane-{field}"
        and switcher.current == f"{mode}-{field}"
        and view.display
        and view.region.area > 0
    )


@pytest.mark.slow  # about 2 minutes on 2 cores: ~360 inspector views, each a full repaint
async def test_terminal_shows_every_edge_case_item_without_interpreting_it(
    demo_server: RunningEmulator,
    edge_items: list[DatasetItem],
    tmp_path: Path,
    isolate_env: Path,
) -> None:
    app = build_app(demo_server, tmp_path)
    app.animation_level = "none"
    async with app.run_test(size=(170, 80)) as pilot:
        await open_dataset(pilot, "edge-cases")
        await app.model.set_page_size(100)
        await settle(pilot)
        table = app.screen.query_one("#items-table", DataTable)
        assert table.row_count == len(edge_items)
        # the items page: every row on screen at once
        rows = assert_terminal_safe(app, "items page", demo_server.url)
        for item in edge_items:
            assert str(item.id)[-8:] in rows, case_of(item)
        for case in LITERAL:
            for where, text in LITERAL[case]:
                if where == "row":
                    assert text in rows, (case, text)

    # The inspector of each item, in an app that holds only the inspector (no items page
    # below it to redraw), at a modest size: every view costs a repaint of the screen.
    async def prepare(model: ExplorerModel) -> None:
        await model.open_dataset(str(edge_items[0].dataset))

    app2 = ItemScreensApp(demo_server, tmp_path / "journal2.sqlite3", prepare)
    app2.animation_level = "none"
    async with app2.run_test(size=(120, 32)) as pilot:
        app = app2
        await item_screens_settle(pilot)
        # the inspector of each item: tree view then text view of each field. Actions are
        # called directly (Pilot's press waits ~0.5 s per key; 400 keys would take minutes).
        for item in edge_items:
            case = case_of(item)
            inspector = InspectorScreen(str(item.id))
            await app.push_screen(inspector)
            await wait_for(pilot, lambda: inspector._item is not None)  # noqa: B023
            await app.workers.wait_for_complete()
            shown: dict[str, list[str]] = {"tree": [], "text": []}
            for mode in ("tree", "text"):
                if mode == "text":
                    # the switch focuses the new text view once it is mounted: wait for that,
                    # or the late focus would bring its tab back in front
                    inspector.action_toggle_view()
                    last = inspector.query_one(f"#text-{FIELDS[-1]}")
                    await wait_for(pilot, lambda: focus_in(app, last))  # noqa: B023
                for field in FIELDS:
                    inspector.action_show_field(field)
                    view = inspector.query_one(f"#{mode}-{field}")
                    if isinstance(view, JsonText):
                        await view.wait_loaded()
                    await wait_for(pilot, lambda: shows(inspector, field, mode))  # noqa: B023
                    await pilot.pause()
                    shown[mode].append(
                        assert_terminal_safe(app, f"{case} {mode} {field}", demo_server.url)
                    )
            for where, text in LITERAL.get(case, []):
                if where in shown:
                    assert any(text in screen for screen in shown[where]), (
                        case,
                        where,
                        text,
                        shown[where],
                    )
            app.pop_screen()
            await pilot.pause()


# --- the notebook panel -------------------------------------------------------------------

# Raw control, bidi and separator characters: harmless in textContent, but they could
# reorder or break what the user reads, so the panel escapes them in plain-text labels too.
UNSAFE_PLAIN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# The panel's own chrome (header, titles) adds these to what the renderers make.
PANEL_CHROME = {"b": frozenset[str](), "code": frozenset({"title"})}


def panel_strings(panel: Any) -> tuple[list[str], list[str]]:
    """(every HTML value, every plain-text label/value) the panel's widgets hold."""
    html: list[str] = []
    plain: list[str] = []
    for widget in [panel.widget, *descendants(panel.widget)]:
        if isinstance(widget, w.HTML | w.HTMLMath):
            html.append(widget.value)
        elif isinstance(widget, ItemGrid):  # the item rows: plain strings, set as textContent
            plain.extend(str(c["title"]) for c in widget.columns)
            plain.extend(str(cell) for row in widget.rows for cell in row["cells"])
        elif isinstance(widget, w.Select) and ROWS_CLASS in widget._dom_classes:
            # the item rows: each cell in the panel's own isolate pair (checked), nothing else
            plain.extend(without_cell_isolates(str(label)) for label in widget._options_labels)
        elif isinstance(widget, w.Select | w.Dropdown | w.ToggleButtons):
            plain.extend(str(label) for label in widget._options_labels)
        elif isinstance(widget, w.Text | w.Textarea):
            plain.append(widget.value)
        if isinstance(widget, w.Tab):
            plain.extend(str(t) for t in widget.titles)
    return html, plain


def test_panel_shows_every_edge_case_item_as_text(
    demo_server: RunningEmulator,
    edge_items: list[DatasetItem],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_html_check, "ALLOWED", {**_html_check.ALLOWED, **PANEL_CHROME})
    panel = make_panel(demo_server, tmp_path)
    try:
        panel._picker.choice.value = dataset_id(panel, "edge-cases")
        panel.wait()
        panel._rows.size.value = 100
        panel.wait()
        assert len(panel.items) == len(edge_items)
        html, plain = panel_strings(panel)
        for label in plain:  # the row labels of the whole page
            assert not UNSAFE_PLAIN.search(label), repr(label[:200])
        view = panel._viewer
        checked = 0
        for item in edge_items:
            case = case_of(item)
            click_row(panel, item.id)
            panel.wait()
            assert panel.item is not None and panel.item.id == item.id
            shown_text: list[str] = []
            for mode in ("read", "json", "tree"):  # every field shows in each view
                view.mode.value = mode
                offered = not view.show_all.disabled
                for full in (False, True) if offered else (False,):
                    view.show_all.value = full
                    html, plain = panel_strings(panel)
                    for value in html:
                        parsed = assert_only_our_markup(value)
                        shown_text.append(parsed.text)
                        checked += 1
                    for text in plain:
                        assert not UNSAFE_PLAIN.search(text), (case, repr(text[:200]))
                view.show_all.value = False
            view.mode.value = "read"
            for where, text in LITERAL.get(case, []):
                if where == "html":
                    assert any(text in t for t in shown_text), (case, text)
        assert checked > len(edge_items) * 3 * 5
    finally:
        panel.close()
