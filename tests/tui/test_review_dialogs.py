"""The save diff and the conflict dialog show long lines whole, wrapped at the screen's width,
with the changed words marked; item text in them stays plain text.

Read from what the diff views draw (their rendered rows), as a user would see them."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.strip import Strip

from explorer.api.models import DatasetItem
from explorer.model.diff import diff_texts, diff_values
from explorer.model.editor import build_conflict, conflict_diffs, editor_from_item, set_field
from explorer.model.jsontext import value_to_text
from explorer.tui.dialogs import ConflictModal, DiffModal, DiffView
from tests.tui._item_screens import wait_for

ANSWER = (
    "Refunds are accepted within 30 days of delivery for items in their original packaging, "
    "with the receipt or the order number; the refund goes back to the card used for the "
    "purchase and takes five to ten business days to appear on the statement."
)
APPENDED = " Contact support for exceptions such as damaged or missing parcels."


class Host(App[None]):
    """Pushes one screen, made on mount."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self._make = make

    def on_mount(self) -> None:
        screen: Screen[Any] = self._make()
        self.push_screen(screen)


def rows(view: DiffView) -> list[Strip]:
    """The rows the view draws now (one per screen row)."""
    return [view.render_line(y) for y in range(view.scrollable_content_region.height)]


def words_shown(view: DiffView) -> list[str]:
    return " ".join(strip.text for strip in rows(view)).split()


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack)))


def styled(view: DiffView, word: str) -> list[Style]:
    """The style of every drawn segment whose text holds ``word``."""
    return [
        segment.style or Style()
        for strip in rows(view)
        for segment in strip
        if word in segment.text
    ]


def backgrounds(view: DiffView, word: str) -> list[Any]:
    """The distinct backgrounds of the drawn segments holding ``word``."""
    return list(dict.fromkeys(style.bgcolor for style in styled(view, word)))


def word_style(view: DiffView, kind: str) -> Style:
    return view.get_component_rich_style(f"diff-view--{kind}-word", partial=True)


async def test_save_diff_wraps_a_long_answer_and_marks_the_appended_sentence() -> None:
    diff = diff_values("output", {"answer": ANSWER}, {"answer": ANSWER + APPENDED})
    app = Host(lambda: DiffModal({"output": diff}))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.pause()
        view = app.screen.query_one(DiffView)
        width = view.scrollable_content_region.width
        assert len(f'+  "answer": "{ANSWER}{APPENDED}"') > 3 * width  # it must wrap
        shown = words_shown(view)
        # both lines whole: every word of the old and of the new answer is on screen, in order
        assert contains_run(shown, ["-", '"answer":', *f'"{ANSWER}"'.split()])
        assert contains_run(shown, ["+", '"answer":', *f'"{ANSWER}{APPENDED}"'.split()])
        assert max(strip.cell_length for strip in rows(view)) <= width
        # the appended words carry the highlight, within the added line's colour
        mark = word_style(view, "added")
        assert mark.bgcolor is not None and mark.bold
        added_colour = view.get_component_rich_style("diff-view--added", partial=True).color
        for word in ("Contact", "exceptions", "parcels."):
            styles = styled(view, word)
            assert styles, f"{word!r} not on screen"
            assert all(s.bgcolor == mark.bgcolor and s.bold for s in styles), word
            assert all(s.color == added_colour for s in styles), word
        # words that did not change are not marked, on either line
        for style in styled(view, "Refunds") + styled(view, "statement"):
            assert style.bgcolor != mark.bgcolor and not style.bold


async def test_save_diff_marks_a_word_replaced_mid_line_on_both_sides() -> None:
    after = ANSWER.replace("30 days", "45 days")
    diff = diff_values("output", ANSWER, after)
    app = Host(lambda: DiffModal({"output": diff}))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.pause()
        view = app.screen.query_one(DiffView)
        removed, added = word_style(view, "removed"), word_style(view, "added")
        assert [s.bgcolor for s in styled(view, "30")] == [removed.bgcolor]
        assert [s.bgcolor for s in styled(view, "45")] == [added.bgcolor]
        assert removed.bgcolor != added.bgcolor
        assert contains_run(words_shown(view), f'+"{after}"'.split())


async def test_hostile_text_in_changed_words_stays_plain_text() -> None:
    # ref_* fields are plain text (not JSON): control characters reach the diff raw
    before = "trace [bold]one[/bold] ok"
    after = "trace [bold]one[/bold] \x1b[31mred\x07 \u202eevil ok"
    diff = diff_texts("ref_source_id", before, after)
    app = Host(lambda: DiffModal({"ref_source_id": diff}))
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.pause()
        view = app.screen.query_one(DiffView)
        drawn = "".join(segment.text for strip in rows(view) for segment in strip)
        assert "\x1b" not in drawn and "\x07" not in drawn and "\u202e" not in drawn
        assert "+trace [bold]one[/bold] \\x1b[31mred\\x07 \\u202eevil ok" in drawn
        assert "[bold]one[/bold]" in drawn  # not taken as markup
        # the marked range moved with the escapes: exactly the new words, escapes included
        mark = word_style(view, "added")
        marked = "".join(
            segment.text
            for strip in rows(view)
            for segment in strip
            if segment.style is not None and segment.style.bgcolor == mark.bgcolor
        )
        assert marked == "\\x1b[31mred\\x07 \\u202eevil "


async def test_wide_characters_wrap_without_being_cut() -> None:
    # fewer characters than the view is wide, but more cells: still two rows, not one cut
    before = "回答:" + "日本語のテキスト" * 3
    after = before + "。追加の文です 😀"
    diff = diff_texts("ref_source_id", before, after)
    app = Host(lambda: DiffModal({"ref_source_id": diff}))
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DiffModal))
        await pilot.pause()
        view = app.screen.query_one(DiffView)
        width = view.scrollable_content_region.width
        assert len(after) < width < cell_len(after)
        drawn = "".join(strip.text.rstrip() for strip in rows(view))
        assert "+" + after in drawn and "-" + before in drawn
        assert max(strip.cell_length for strip in rows(view)) <= view.size.width


BASE = DatasetItem.model_validate(
    {
        "id": "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        "dataset": "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        "input": {"question": "What is the refund window?"},
        "output": {"answer": ANSWER},
        "metadata": {"difficulty": "easy"},
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
)
MINE = ANSWER + APPENDED
THEIRS = ANSWER.replace("five to ten business days", "up to two weeks")


def long_conflict() -> ConflictModal:
    editor = editor_from_item(BASE)
    set_field(editor, "output", value_to_text("output", {"answer": MINE}))
    theirs = BASE.model_copy(
        update={"output": {"answer": THEIRS}, "metadata": {"difficulty": "hard"}}
    )
    editor.conflict = build_conflict(editor, theirs)
    return ConflictModal(editor.conflict, conflict_diffs(editor))


async def test_conflict_shows_mine_and_theirs_whole_and_wrapped() -> None:
    app = Host(long_conflict)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictModal))
        await pilot.pause()
        mine = app.screen.query_one("#conflict-mine", DiffView)
        theirs = app.screen.query_one("#conflict-theirs", DiffView)
        assert len(MINE) > 3 * mine.scrollable_content_region.width
        assert contains_run(words_shown(mine), ["+", '"answer":', *f'"{MINE}"'.split()])
        assert contains_run(words_shown(theirs), ["+", '"answer":', *f'"{THEIRS}"'.split()])
        assert backgrounds(mine, "Contact") == [word_style(mine, "added").bgcolor]
        assert backgrounds(theirs, "weeks") == [word_style(theirs, "added").bgcolor]
        assert backgrounds(theirs, "ten") == [word_style(theirs, "removed").bgcolor]
        # the other field: my side says I did not change it, theirs shows their change
        await pilot.press("down")
        await pilot.pause()
        assert "# you changed: unchanged" in words_shown_text(mine)
        assert '+  "difficulty": "hard"' in theirs.text
        assert backgrounds(theirs, "hard") == [word_style(theirs, "added").bgcolor]
        assert backgrounds(theirs, "easy") == [word_style(theirs, "removed").bgcolor]


def words_shown_text(view: DiffView) -> str:
    return "\n".join(strip.text.rstrip() for strip in rows(view))


def test_diff_rows_are_plain_text() -> None:
    # Text objects of the rows never parse markup: the view draws from plain strings
    diff = diff_values("output", "[red]x[/red]", "[red]y[/red]")
    view = DiffView()
    from explorer.tui.dialogs import diff_rows

    view.set_rows(diff_rows(diff))
    assert '-"[red]x[/red]"' in view.text and '+"[red]y[/red]"' in view.text
    assert Text.from_markup("[red]x[/red]").plain == "x"  # what markup would have done


async def test_conflict_rewraps_when_another_field_is_shown() -> None:
    question = "Which of the following refund rules applies to a parcel " * 4
    editor = editor_from_item(BASE)
    set_field(editor, "input", value_to_text("input", {"question": question + "(mine)"}))
    set_field(editor, "output", value_to_text("output", {"answer": MINE}))
    theirs = BASE.model_copy(
        update={"input": {"question": question + "(theirs)"}, "output": {"answer": THEIRS}}
    )
    editor.conflict = build_conflict(editor, theirs)
    diffs = conflict_diffs(editor)
    app = Host(lambda: ConflictModal(editor.conflict, diffs))  # type: ignore[arg-type]
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictModal))
        await pilot.pause()
        mine = app.screen.query_one("#conflict-mine", DiffView)
        shown = [
            ("", '"question":', question + "(mine)"),
            ("down", '"answer":', MINE),
            ("up", '"question":', question + "(mine)"),
        ]
        for key, name, text in shown:
            if key:
                await pilot.press(key)
                await pilot.pause()
            assert contains_run(words_shown(mine), ["+", name, *f'"{text}"'.split()]), key
