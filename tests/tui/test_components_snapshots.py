"""What the display components look like: SVG snapshots, accepted only after looking at them.

Fixed data, no clock, no cursor blink (none of these widgets has a blinking cursor), loading
finished before each shot.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.pilot import Pilot
from textual.widget import Widget

from explorer.tui.components import JsonText, JsonTree

SAMPLE: dict[str, Any] = {
    "id": "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
    "input": {
        "messages": [
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "Summarise: 中文字符, emoji 👩‍💻, שלום\nsecond line"},
        ],
        "temperature": 0.2,
        "max_tokens": 256,
    },
    "output": {"content": "Short answer. " * 30, "finish_reason": "stop"},
    "metadata": {
        "trace.id": "t-1",
        'quote "key"': True,
        "token_ids": list(range(2500)),
        "big": 123456789012345678901234567890,
        "nothing": None,
    },
}

EDGE: dict[str, Any] = {
    "markup": "[bold red]alarm[/bold red] [link=https://x]click[/link]",
    "[b]key markup[/b]": "value",
    "csi_clear": "before\x1b[2Jafter",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;aGVsbG8=\x07",
    "bell_bs_cr": "ding\x07 abc\x08X vis\rhid",
    "nul_del": "a\x00b\x7fc",
    "c1": "c1\x9b31m \x85",
    "bidi": "user\u202egnp.exe \u2066iso\u2069",
    "html": "<script>alert(1)</script>",
    "kept": "👩‍💻 中文 שלום مرحبا",
}


class Harness(App[None]):
    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.widgets = widgets

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield from self.widgets

    def on_mount(self) -> None:
        self.widgets[0].focus()


async def _loaded(pilot: Pilot[None]) -> None:
    for view in pilot.app.query(JsonText):
        await view.wait_loaded()
    await pilot.pause()


def test_tree_expanded(snap_compare: Any) -> None:
    app = Harness(JsonTree(SAMPLE))
    # unfold input, its messages and the second message; then metadata and its token_ids
    keys = ["down", "down", "right", "right", "right", "down", "right", "right"]
    keys += ["right", "down", "down", "down", "down", "down", "right", "right", "right"]
    keys += ["right", "right", "down", "down", "down", "right"]
    assert snap_compare(app, press=keys, terminal_size=(100, 36), run_before=_loaded)


def test_text_view_with_find_highlighting(snap_compare: Any) -> None:
    view = JsonText(SAMPLE)

    async def find(pilot: Pilot[None]) -> None:
        await view.wait_loaded()
        view.find("content")
        view.next_match()
        view.next_match()
        await pilot.pause()

    assert snap_compare(Harness(view), terminal_size=(100, 30), run_before=find)


def test_edge_strings_shown_literally(snap_compare: Any) -> None:
    app = Harness(JsonTree(EDGE, string_limit=60), JsonText(EDGE))
    assert snap_compare(app, terminal_size=(140, 20), run_before=_loaded)


def test_tree_80x24(snap_compare: Any) -> None:
    app = Harness(JsonTree({"items": [{"n": i, "text": f"item {i}"} for i in range(10_000)]}))
    keys = ["down", "right", "right", "right", "right", "right", "down"]
    assert snap_compare(app, press=keys, terminal_size=(80, 24), run_before=_loaded)


def test_string_viewer_80x24(snap_compare: Any) -> None:
    long = "The quick brown fox jumps over the lazy dog. " * 60 + "\x1b[2J\nLast line 中文."
    app = Harness(JsonTree({"completion": long}, string_limit=40))
    assert snap_compare(app, press=["down", "enter"], terminal_size=(80, 24), run_before=_loaded)
