"""The editor's TextArea at size, and the footer that is rebuilt once per burst.

`JsonArea` keeps the wrapped document's height and the width of every line instead of
recomputing them over the whole document after each key (Textual internals, pinned version):
these tests drive it and a plain ``TextArea`` through the same edits and require the same text,
scroll size, line count and drawn lines after each one, and that a key never measures the whole
document."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets import Static, TextArea

from explorer.tui.components import Footer
from explorer.tui.editor import JsonArea


def _text(lines: int = 2000) -> str:
    rows = [
        f'    {{"id": {i}, "text": "{"é" * (i % 7)}{"x" * (i % 113)}", "中": "{"字" * (i % 5)}"}},'
        for i in range(lines)
    ]
    return "[\n" + "\n".join(rows) + '\n    "\tend"\n]'


class _Pair(App[None]):
    CSS = "TextArea { height: 1fr; border: none; padding: 0; }"  # both alike

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield JsonArea("input", self.text, id="ours")
        yield TextArea(self.text, soft_wrap=False, show_line_numbers=True, id="plain")


def _same(ours: JsonArea, plain: TextArea) -> None:
    assert ours.text == plain.text
    assert ours.virtual_size == plain.virtual_size
    assert ours.wrapped_document.height == plain.wrapped_document.height
    assert ours.wrapped_document.height == plain.document.line_count
    ours_lines = [ours.render_line(y).text for y in range(ours.size.height)]
    plain_lines = [plain.render_line(y).text for y in range(plain.size.height)]
    assert ours_lines == plain_lines


def _longest(area: TextArea) -> int:
    lines = area.document.lines
    return max(range(len(lines)), key=lambda i: len(lines[i]))


async def test_every_kind_of_edit_leaves_the_same_sizes_as_a_plain_text_area() -> None:
    app = _Pair(_text())
    async with app.run_test(size=(100, 40)) as pilot:
        ours = app.query_one("#ours", JsonArea)
        plain = app.query_one("#plain", TextArea)
        await pilot.pause()
        _same(ours, plain)

        def both(edit: Any) -> None:
            edit(ours)
            edit(plain)
            _same(ours, plain)

        both(lambda a: a.insert("abc", (5, 10)))  # inside a line
        both(lambda a: a.insert("y" * 500, (7, 0)))  # a new longest line: wider
        both(lambda a: a.delete((7, 0), (7, 500)))  # the longest line shrinks back: narrower
        longest = _longest(plain)
        both(lambda a, row=longest: a.delete((row, 0), (row + 1, 0)))  # the longest line goes
        both(lambda a: a.insert("one\ntwo\n\tthree 🎉\n", (10, 3)))  # lines added mid-document
        both(lambda a: a.delete((3, 2), (40, 5)))  # a range across many lines
        both(lambda a: a.replace("字字字\n" * 3, (20, 0), (22, 4)))
        both(lambda a: a.insert("\n" * 9000, (1, 0)))  # the gutter grows a digit
        both(lambda a: a.delete((1, 0), (9001, 0)))  # and shrinks back
        both(lambda a: a.undo())  # whole-document paths: undo, redo, load
        both(lambda a: a.undo())
        both(lambda a: a.redo())
        both(lambda a: a.load_text(_text(300)))
        both(lambda a: a.insert("z", (299, 0)))
        both(lambda a: a.delete((0, 0), (a.document.line_count - 1, 1)))  # nearly everything
        both(lambda a: a.insert("q", (0, 0)))


async def test_typed_keys_edit_a_big_area_as_a_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _Pair(_text(20_000))  # about 1.3 MB
    async with app.run_test(size=(100, 40)) as pilot:
        ours = app.query_one("#ours", JsonArea)
        plain = app.query_one("#plain", TextArea)
        await pilot.pause()

        def measured(tab_width: int) -> Any:
            raise AssertionError("a key measured the whole document")

        monkeypatch.setattr(ours.document, "get_size", measured)
        keys = ("a", "b", "enter", "c", "backspace", "backspace", "delete", "end", *"typed")
        ours.focus()
        ours.move_cursor((1000, 8))
        await pilot.press(*keys)
        monkeypatch.undo()
        plain.focus()
        plain.move_cursor((1000, 8))
        await pilot.press(*keys)
        assert "typed" in ours.document[1000]
        ours.scroll_to(0, 990, animate=False)
        plain.scroll_to(0, 990, animate=False)
        await pilot.pause()
        _same(ours, plain)
        assert ours.cursor_location == plain.cursor_location


# -- the footer ------------------------------------------------------------------------------


class _Keys(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "alpha", "Alpha"),
        Binding("b", "beta", "Beta"),
    ]

    def action_alpha(self) -> None:
        self.app.bell()

    def action_beta(self) -> None:
        self.app.bell()

    def __init__(self, footer: type[TextualFooter]) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield self.footer()


class _FooterApp(App[None]):
    def __init__(self, footer: type[TextualFooter]) -> None:
        super().__init__()
        self.footer = footer

    def on_mount(self) -> None:
        self.push_screen(_Keys(self.footer))


async def _footer_after_burst(
    footer: type[TextualFooter], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    rebuilt: list[TextualFooter] = []
    real = TextualFooter.recompose

    async def counting(self: TextualFooter) -> None:
        rebuilt.append(self)
        await real(self)

    monkeypatch.setattr(TextualFooter, "recompose", counting)
    app = _FooterApp(footer)
    async with app.run_test(size=(100, 5)) as pilot:
        await pilot.pause()
        rebuilt.clear()
        for _ in range(5):
            app.screen.refresh_bindings()
        await pilot.pause()
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    monkeypatch.undo()
    return len(rebuilt), shown


async def test_the_footer_is_rebuilt_once_for_a_burst_and_looks_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    textual_count, textual_shown = await _footer_after_burst(TextualFooter, monkeypatch)
    ours_count, ours_shown = await _footer_after_burst(Footer, monkeypatch)
    assert textual_count == 5  # what this replaces (Textual 8.2.8)
    assert ours_count == 1
    assert ours_shown == textual_shown and "Alpha" in ours_shown and "Beta" in ours_shown
