"""Behaviour of the reusable display components, driven as a user would: keys through Pilot,
what the screen shows read back from the compositor, what would be written to the terminal
checked for control sequences."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from explorer.tui.components import (
    JsonText,
    JsonTree,
    LineView,
    SafeInput,
    StringViewer,
    display_str,
    json_path,
    preview,
    safe_text,
)

# Characters that must never reach the terminal from item text.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# What Textual itself writes around the text: SGR styles, cursor moves, line breaks.
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*[mH]|\r?\n")

HOSTILE = {
    "markup": "[bold red]alarm[/bold red] and [link=https://x]click[/link]",
    "csi_clear": "before\x1b[2Jafter",
    "sgr": "\x1b[31mred\x1b[0m",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;aGVsbG8=\x07",
    "bell": "ding\x07",
    "backspace": "abc\x08\x08X",
    "carriage_return": "visible\rhidden",
    "null": "nul\x00byte",
    "del": "del\x7fete",
    "c1_csi": "c1\x9b31m",
    "c1_nel": "next\x85line",
    "bidi_rlo": "user\u202egnp.exe",
    "bidi_isolates": "a\u2066b\u2067c\u2068d\u2069",
    "line_separator": "a\u2028b\u2029c",
    "lone_surrogate": "bad\ud800pair",
    "tab": "a\tb",
    "html": "<script>alert(1)</script>",
}

KEPT = {
    "emoji": "👩‍💻 🚀 🇫🇷",
    "cjk": "中文字符 日本語 한국어",
    "rtl": "שלום עולם مرحبا",
}


class Harness(App[None]):
    """A tiny app that mounts one component and nothing else."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.copied: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.widget.focus()

    def on_json_tree_copied(self, message: JsonTree.Copied) -> None:
        self.copied.append((message.what, message.text))


def screen_lines(app: App[Any]) -> list[str]:
    """The text of each screen row, as the compositor would draw it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def terminal_output(app: App[Any]) -> str:
    """What a full repaint writes to the terminal, with Textual's own sequences removed."""
    raw = app.screen._compositor.render_full_update().render_segments(app.console)
    return TEXTUAL_SEQUENCES.sub("", raw)


def assert_nothing_unsafe(app: App[Any]) -> None:
    for line in screen_lines(app):
        assert not UNSAFE.search(line), line
    out = terminal_output(app)
    assert not UNSAFE.search(out), repr(UNSAFE.findall(out))


def rendered(text: Any) -> str:
    console = Console(width=400, force_terminal=True, color_system="truecolor")
    return "".join(seg.text for seg in console.render(text))


async def test_the_terminal_check_catches_raw_control_sequences() -> None:
    """The check used below can fail: raw item text in a plain Static reaches the terminal."""
    app = Harness(Static(Text("before\x1b[2Jafter \u202e")))
    async with app.run_test():
        assert "\x1b[2J" in terminal_output(app)
        with pytest.raises(AssertionError):
            assert_nothing_unsafe(app)


# --- safe_text ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_safe_text_shows_hostile_strings_as_visible_escapes(name: str) -> None:
    s = HOSTILE[name]
    one_line = safe_text(s)
    assert not UNSAFE.search(rendered(one_line))
    assert "\n" not in rendered(one_line).rstrip("\n")
    assert not UNSAFE.search(display_str(s))
    multi = safe_text(s + "\nsecond line", multiline=True)
    out = rendered(multi)
    assert not UNSAFE.search(out)
    assert "second line" in out.splitlines()[-1]


def test_safe_text_escapes_look_like_escapes_and_are_dim() -> None:
    text = safe_text("a\x1b[2Jb\x07\u202e\nz")
    assert text.plain == "a\\x1b[2Jb\\x07\\u202e\\nz"
    escaped = {text.plain[span.start : span.end] for span in text.spans}
    assert escaped == {"\\x1b", "\\x07", "\\u202e", "\\n"}
    assert all(str(span.style) == "dim" for span in text.spans)


def test_markup_is_shown_literally() -> None:
    s = HOSTILE["markup"]
    assert safe_text(s).plain == s
    assert rendered(safe_text(s)).rstrip("\n").endswith("[link=https://x]click[/link]")
    assert safe_text(s).spans == []


@pytest.mark.parametrize("name", sorted(KEPT))
def test_emoji_cjk_rtl_are_kept_as_they_are(name: str) -> None:
    assert safe_text(KEPT[name]).plain == KEPT[name]
    assert display_str(KEPT[name]) == KEPT[name]


def test_safe_text_max_len_is_cheap_and_marked() -> None:
    huge = "x" * 5_000_000
    start = time.perf_counter()
    text = safe_text(huge, max_len=40)
    assert time.perf_counter() - start < 0.05
    assert text.plain == "x" * 40 + "…"


def test_multiline_keeps_newlines_but_escapes_cr_and_tab() -> None:
    assert safe_text("a\r\nb\tc", multiline=True).plain == "a\\r\nb\\tc"
    assert display_str("a\r\nb", multiline=True) == "a\\r\nb"


# --- preview --------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 5, 20, 41, 80])
@pytest.mark.parametrize(
    "value",
    [
        {"messages": [{"role": "user", "content": "hello " * 1000}]},
        "中文" * 500,
        list(range(10_000)),
        {"k": HOSTILE["osc52"] + HOSTILE["bidi_rlo"]},
        None,
        2**80 + 1,
        "",
    ],
)
def test_preview_fits_its_width_and_is_safe(value: Any, width: int) -> None:
    text = preview(value, width)
    assert text.cell_len <= width
    assert not UNSAFE.search(rendered(text))


def test_preview_is_compact_json_with_ellipsis() -> None:
    assert preview({"a": [1, None, True], "b": "x"}, 80).plain == '{"a":[1,null,true],"b":"x"}'
    assert preview(list(range(100)), 12).plain == "[0,1,2,3,4,…"
    assert preview(123456789012345678901234567890, 40).plain == "123456789012345678901234567890"
    assert preview('say "hi"\n', 40).plain == '"say \\"hi\\"\\n"'


def test_preview_of_huge_values_costs_about_its_width() -> None:
    huge = {"items": [{"text": "y" * 1000} for _ in range(5_000)], "tail": "z" * 5_000_000}
    start = time.perf_counter()
    for _ in range(100):
        preview(huge, 40)
    assert (time.perf_counter() - start) / 100 < 0.002


def test_preview_of_deep_nesting() -> None:
    deep: Any = "bottom"
    for _ in range(60):
        deep = [deep]
    assert preview(deep, 30).plain == "[" * 29 + "…"


# --- json_path ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], "$"),
        (["messages", 2, "content"], "$.messages[2].content"),
        (["a.b"], '$["a.b"]'),
        (['say "hi"', "back\\slash"], '$["say \\"hi\\""]["back\\\\slash"]'),
        (["with space", "_ok1", "1st", ""], '$["with space"]._ok1["1st"][""]'),
        (["名前"], '$["名前"]'),
    ],
)
def test_json_path(parts: list[str | int], expected: str) -> None:
    assert json_path(parts) == expected


# --- JsonTree -------------------------------------------------------------------------------

NESTED = {
    "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": HOSTILE["markup"] + " " + HOSTILE["csi_clear"]},
    ],
    "a.b": {'say "hi"': [0, {"x y": 42}]},
    "big": 123456789012345678901234567890,
    "neg": -(2**64),
    "float": 0.1,
    "ok": False,
    "nothing": None,
}


async def test_tree_is_lazy_for_a_10000_element_array() -> None:
    tree = JsonTree({"items": list(range(10_000))})
    async with Harness(tree).run_test() as pilot:
        before = len(tree._tree_nodes)
        assert before == 2  # the root and "items": nothing below is built yet
        await pilot.press("down", "right")  # unfold "items"
        assert len(tree._tree_nodes) == before + 10  # ten [0..999] groups, no elements
        labels = [str(tree.get_node_at_line(line).data.chunk) for line in range(2, 12)]  # type: ignore[union-attr]
        assert labels[0] == "(0, 1000)" and labels[-1] == "(9000, 10000)"
        await pilot.press("right", "right")  # into [0..999], unfold it
        assert len(tree._tree_nodes) == before + 10 + 1000
        assert any("[0..999]" in line for line in screen_lines(pilot.app))
        await pilot.press("right", "down", "down")
        assert tree.value_at_cursor() == 2
        assert tree.path_at_cursor() == "$.items[2]"


async def test_tree_groups_nest_for_a_very_long_array() -> None:
    tree = JsonTree(list(range(25_000)), chunk_size=10)
    async with Harness(tree).run_test() as pilot:
        groups = [child.data.chunk for child in tree.root.children]  # type: ignore[union-attr]
        assert groups == [(0, 10_000), (10_000, 20_000), (20_000, 25_000)]
        await pilot.press("right", "right")
        assert tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.chunk == (0, 10_000)
        assert len(tree.cursor_node.children) == 10
        await pilot.press(*["right"] * 7)  # [0..999], [0..99], [0..9], then element 0
        assert tree.value_at_cursor() == 0
        assert tree.path_at_cursor() == "$[0]"


async def test_left_and_right_fold_and_unfold_like_jless() -> None:
    tree = JsonTree(NESTED)
    async with Harness(tree).run_test() as pilot:
        assert tree.path_at_cursor() == "$"  # the cursor starts on the root
        await pilot.press("right")  # already open: step in
        assert tree.path_at_cursor() == "$.messages"
        node = tree.cursor_node
        assert node is not None and not node.is_expanded
        await pilot.press("right")
        assert node.is_expanded
        await pilot.press("left")
        assert not node.is_expanded
        await pilot.press("l", "l", "l")  # unfold, step in, unfold
        assert tree.path_at_cursor() == "$.messages[0]"
        assert tree.cursor_node is not None and tree.cursor_node.is_expanded
        await pilot.press("l", "j")  # first child, then down
        assert tree.path_at_cursor() == "$.messages[0].content"
        await pilot.press("h")  # a leaf: go to the parent
        assert tree.path_at_cursor() == "$.messages[0]"
        await pilot.press("h", "h")  # fold it, then to its parent
        assert tree.path_at_cursor() == "$.messages"
        await pilot.press("space")
        assert tree.cursor_node is not None and not tree.cursor_node.is_expanded


async def test_path_and_value_at_cursor_quote_keys_when_needed() -> None:
    tree = JsonTree(NESTED)
    async with Harness(tree).run_test() as pilot:
        await pilot.press("down", "down")
        assert tree.path_at_cursor() == '$["a.b"]'
        await pilot.press("right", "right", "right", "right", "down", "right", "right")
        assert tree.path_at_cursor() == '$["a.b"]["say \\"hi\\""][1]["x y"]'
        assert tree.value_at_cursor() == 42
        await pilot.press("h", "h")  # to the parent, then fold it
        assert tree.value_at_cursor() == {"x y": 42}
        assert tree.cursor_node is not None and not tree.cursor_node.is_expanded
        await pilot.press("h")
        assert tree.value_at_cursor() == [0, {"x y": 42}]


async def test_copy_actions_put_value_and_path_on_the_clipboard() -> None:
    tree = JsonTree(NESTED)
    app = Harness(tree)
    async with app.run_test() as pilot:
        await pilot.press("down", "right", "right", "right", "right", "down")
        await pilot.press("y")
        assert app.clipboard == "be brief"
        await pilot.press("Y")
        assert app.clipboard == "$.messages[0].content"
        await pilot.press("left", "y")
        assert json.loads(app.clipboard) == NESTED["messages"][0]  # type: ignore[index]
        await pilot.pause()
    assert ("path", "$.messages[0].content") in app.copied


async def test_big_ints_and_scalars_are_shown_exactly() -> None:
    tree = JsonTree(NESTED)
    async with Harness(tree).run_test() as pilot:
        screen = "\n".join(screen_lines(pilot.app))
        assert "big: 123456789012345678901234567890" in screen
        assert "neg: -18446744073709551616" in screen
        assert "float: 0.1" in screen
        assert "ok: false" in screen
        assert "nothing: null" in screen


async def test_sixty_levels_of_nesting_unfold_to_the_bottom() -> None:
    deep: Any = {"leaf": "bottom"}
    for level in range(59, -1, -1):
        deep = {f"level{level}": deep} if level % 2 else [deep]
    tree = JsonTree(deep)
    async with Harness(tree).run_test(size=(120, 40)) as pilot:
        await pilot.press(*["right"] * 122)
        assert tree.value_at_cursor() == "bottom"
        path = tree.path_at_cursor()
        assert path is not None and path.startswith("$[0].level1[0].level3")
        assert path.endswith(".level59.leaf")
        assert len(tree._tree_nodes) == 62  # one path down, nothing else built


async def test_tree_shows_hostile_keys_and_values_literally_and_safely() -> None:
    value = {name: s for name, s in HOSTILE.items()}
    value[HOSTILE["markup"]] = "key is markup"
    value[HOSTILE["osc52"]] = "key is osc52"
    value.update(KEPT)
    tree = JsonTree(value, string_limit=80)
    async with Harness(tree).run_test(size=(120, 40)) as pilot:
        screen = "\n".join(screen_lines(pilot.app))
        assert '[bold red]alarm[/bold red] and [link=https://x]click[/link]"' in screen
        assert "[bold red]alarm[/bold red] and [link=https://x]click[/link]: " in screen
        assert '"before\\x1b[2Jafter"' in screen
        assert "\\x1b]52;c;aGVsbG8=\\x07: " in screen
        assert '"user\\u202egnp.exe"' in screen
        assert '"中文字符 日本語 한국어"' in screen
        assert "<script>alert(1)</script>" in screen
        assert_nothing_unsafe(pilot.app)


async def test_enter_on_a_cut_string_opens_it_whole() -> None:
    long = ("word " * 40_000) + "\x1b[2J THE END"
    tree = JsonTree({"long": long, "short": "s"}, string_limit=50)
    app = Harness(tree)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = "\n".join(screen_lines(app))
        assert f"+{len(long) - 50:,} chars" in screen
        await pilot.press("down", "enter")
        assert isinstance(app.screen, StringViewer)
        view = app.screen.query_one(LineView)
        assert view.virtual_size.width <= 80
        await pilot.press("G")
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert "\\x1b[2J" in screen and "THE END" in screen
        assert all(row.strip(" │").endswith(("word", "\\x1b[2J")) for row in screen_lines(app)[3:8])
        assert_nothing_unsafe(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, StringViewer)
        await pilot.press("down", "enter")  # a short string: nothing to open
        assert not isinstance(app.screen, StringViewer)


async def test_tree_load_replaces_the_value() -> None:
    tree = JsonTree({"a": 1})
    async with Harness(tree).run_test() as pilot:
        tree.load(["x", "y"])
        await pilot.pause()
        assert tree.value == ["x", "y"]
        screen = "\n".join(screen_lines(pilot.app))
        assert '1: "y"' in screen and "a: 1" not in screen


# --- JsonText -------------------------------------------------------------------------------


def lines_value(n: int, needle_at: tuple[int, ...] = ()) -> list[str]:
    return [("NEEDLE here" if i in needle_at else f"line {i}") for i in range(n)]


async def test_find_counts_and_navigates_with_wraparound() -> None:
    view = JsonText(lines_value(1000, needle_at=(10, 500, 900)))
    async with Harness(view).run_test(size=(80, 24)) as pilot:
        assert view.find("needle") == 3
        assert view.match_index is None
        assert view.find("needle", case_sensitive=True) == 0
        assert view.find("NEEDLE", case_sensitive=True) == 3
        await pilot.press("n")
        assert view.match_index == 0
        await pilot.press("n")
        assert view.match_index == 1
        await pilot.pause()
        assert view.scroll_offset.y <= 501 < view.scroll_offset.y + view.size.height
        assert any('"NEEDLE here"' in line for line in screen_lines(pilot.app))
        await pilot.press("n", "n")
        assert view.match_index == 0  # wrapped round
        await pilot.press("N")
        assert view.match_index == 2
        await pilot.pause()
        assert view.scroll_offset.y <= 901 < view.scroll_offset.y + view.size.height
        assert view.find("") == 0
        assert view.next_match() is None


async def test_find_scrolls_sideways_to_a_match_in_a_long_line() -> None:
    line = "a" * 150_000 + "NEEDLE" + "b" * 50_000
    view = JsonText({"text": line})
    async with Harness(view).run_test(size=(80, 24)) as pilot:
        assert view.find("needle") == 1
        await pilot.press("n")
        await pilot.pause()
        assert view.scroll_offset.x > 140_000
        assert any("aNEEDLEb" in row for row in screen_lines(pilot.app))


async def test_find_highlights_the_current_match_apart() -> None:
    view = JsonText(["one match", "another match"])
    async with Harness(view).run_test(size=(60, 10)) as pilot:
        view.find("match")
        view.next_match()
        await pilot.pause()
        strips = pilot.app.screen._compositor.render_strips()
        styles = {}
        for strip in strips:
            for segment in strip:
                if segment.text == "match":
                    styles.setdefault(segment.style, 0)
                    styles[segment.style] += 1
        assert len(styles) == 2  # the current match and the other one look different


async def test_five_megabyte_value_paints_its_first_screen_before_loading_ends() -> None:
    value = {"items": [{"id": i, "text": f"row {i} " + "x" * 100} for i in range(40_000)]}
    expected_lines = json.dumps(value, indent=2, ensure_ascii=False).count("\n") + 1
    view = JsonText(value)
    start = time.perf_counter()
    async with Harness(view).run_test(size=(100, 30)) as pilot:
        first = screen_lines(pilot.app)
        assert first[0].startswith("{")
        assert first[1].startswith('  "items": [')
        assert first[3].startswith('      "id": 0,')
        assert '"text": "row 1 xxx' in "\n".join(first)
        await view.wait_loaded()
        assert time.perf_counter() - start < 10
        assert view.loaded and view.line_count == expected_lines
        assert view.find('"id": 39999,') == 1
        await pilot.press("n")
        await pilot.pause()
        assert any('"text": "row 39999 xxx' in row for row in screen_lines(pilot.app))


async def test_text_view_is_safe_and_still_valid_json() -> None:
    value = {"hostile": HOSTILE, "kept": KEPT, HOSTILE["bidi_rlo"]: 1}
    view = JsonText(value)
    async with Harness(view).run_test(size=(120, 40)) as pilot:
        await view.wait_loaded()
        assert json.loads(view.text) == value
        screen = "\n".join(screen_lines(pilot.app))
        assert '"markup": "[bold red]alarm[/bold red] and [link=https://x]click[/link]"' in screen
        assert '"c1_csi": "c1\\u009b31m"' in screen
        assert '"bidi_rlo": "user\\u202egnp.exe"' in screen
        assert '"lone_surrogate": "bad\\ud800pair"' in screen
        assert '"rtl": "שלום עולם مرحبا"' in screen
        assert_nothing_unsafe(pilot.app)


async def test_text_view_loads_a_new_value_and_refinds() -> None:
    view = JsonText({"a": "find me"})
    async with Harness(view).run_test() as pilot:
        await view.wait_loaded()
        assert view.find("find me") == 1
        view.load({"b": ["find me", "find me"]})
        await view.wait_loaded()
        await pilot.pause()
        assert view.match_count == 2


async def test_text_view_of_what_json_cannot_encode_says_so() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    view = JsonText(loop)
    async with Harness(view).run_test() as pilot:
        await view.wait_loaded()
        assert "cannot show this value as JSON" in screen_lines(pilot.app)[0]


async def test_line_view_soft_wraps_wide_characters_within_the_width() -> None:
    view = LineView("中" * 300 + "\nend", soft_wrap=True)
    async with Harness(view).run_test(size=(41, 20)) as pilot:
        rows = screen_lines(pilot.app)
        width = view.scrollable_content_region.width
        assert rows[0].startswith("中" * (width // 2))
        assert "end" in "\n".join(rows)
        assert view.virtual_size.height == -(-300 // (width // 2)) + 1


HOSTILE_REF = "trace\x1b[2J\x1b]52;c;Zm9v\x07-\u202eid\x00"


class _InputHarness(App[None]):
    def compose(self) -> ComposeResult:
        yield SafeInput(HOSTILE_REF, id="box")


async def test_safe_input_draws_no_control_characters_and_keeps_the_value() -> None:
    app = _InputHarness()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        box = app.query_one(SafeInput)
        drawn = "".join(seg.text for y in range(box.size.height) for seg in box.render_line(y))
        assert not UNSAFE.search(drawn), repr(drawn)
        assert "trace" in drawn and "-" in drawn and "id" in drawn
        # one replacement per unsafe character, so the cursor stays over the right character
        assert drawn.count("\ufffd") == len(UNSAFE.findall(HOSTILE_REF))
        assert box.value == HOSTILE_REF  # only the drawing changed
        box.action_end()
        await pilot.press("x")
        assert box.value == HOSTILE_REF + "x"


async def test_find_async_searches_megabytes_without_holding_the_loop() -> None:
    import asyncio

    from explorer.tui.components.line_view import MAX_MATCH_POSITIONS

    text = ("row x " * 20 + "\n") * 50_000  # 6 MB, a million matches of "x"
    view = LineView(text)
    async with Harness(view).run_test():
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.001)
                ticks += 1

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        ticks = 0
        count = await view.find_async("X")
        during = ticks
        ticker.cancel()
        assert count == 1_000_000 and view.match_positions == MAX_MATCH_POSITIONS
        assert view.next_match() == 0
        # the loop ran other work while the search went on (a search on the loop's thread
        # would let nothing run until it was done: no tick at all)
        assert during >= 3
        assert view.find("X") == count  # the same answer as the search on the spot


async def test_a_newer_find_wins_over_an_older_one_still_searching() -> None:
    import asyncio

    view = LineView(("alpha beta\n" * 100_000) + "gamma")
    async with Harness(view).run_test():
        older = asyncio.create_task(view.find_async("alpha"))
        await asyncio.sleep(0)
        assert view.find("gamma") == 1
        assert await older == 1  # the older search's answer is dropped
        assert view.match_count == 1 and view.next_match() == 0
