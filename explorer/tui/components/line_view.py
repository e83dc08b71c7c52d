"""``LineView``: a read-only, virtualised view of a large text that draws only the visible lines.

The text is kept as one ``str`` plus an array of line start offsets (a 20 MB document of 1.7M
lines costs about its own size plus 14 MB, not 120 MB of line objects). Each paint renders the
rows on screen, cut to the visible columns first, so a 200,000-character line costs no more
than a short one. Find runs over the whole text with ``str.count``/``str.find`` (on the spot,
or in a thread with :meth:`LineView.find_async`, for a find box that searches as it is typed)
and scrolls to each match. Subclasses style a line through :meth:`LineView.line_styles`.
"""

from __future__ import annotations

import asyncio
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import ClassVar

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .safe_text import unsafe_char_pattern

__all__ = ["MAX_MATCH_POSITIONS", "LineView", "StyleSpan", "search_text"]

StyleSpan = tuple[int, int, Style]
"""A styled character range ``[start, end)`` of one line."""

MAX_MATCH_POSITIONS = 100_000
"""Find counts every match but keeps the positions of (and navigates among) only this many."""

_BLOCK = 256  # characters per step of the cell index of a long non-ASCII line


def _cells(s: str) -> int:
    if s.isascii():
        return len(s)
    return sum(map(get_character_cell_size, s))


def _index_piece(piece: str, base: int) -> tuple[array[int], int]:
    """Line starts (``base`` + offset just after each newline) and widest line in cells."""
    lines = piece.split("\n")
    lengths = list(map(len, lines))
    starts = array("q", accumulate(map((1).__add__, lengths[:-1]), initial=base))
    del starts[0]
    longest = max(lengths, default=0)
    if not piece.isascii():  # cells counted only where they can matter
        longest = max((_cells(line) for line in lines if 2 * len(line) > longest), default=0)
    return starts, longest


def search_text(
    text: str, folded: str | None, query: str, *, case_sensitive: bool = False
) -> tuple[str | None, int, array[int]]:
    """Find ``query`` (plain text) in ``text``: ``(folded, count, starts)``. ``folded`` is
    the lower-cased text a case-blind search runs over, made here when None is passed (give it
    back with the same text to skip that pass); ``count`` is every match, ``starts`` the offsets
    of the first :data:`MAX_MATCH_POSITIONS`. Pure, so it can run in a thread."""
    starts: array[int] = array("q")
    if not query:
        return folded, 0, starts
    haystack = text
    if not case_sensitive:
        if folded is None:
            lowered = text.lower()
            # lower() can change lengths ("İ"); offsets then no longer line up.
            folded = lowered if len(lowered) == len(text) else text
        haystack = folded
        query = query.lower()
    count = haystack.count(query)
    find = haystack.find
    step = len(query)
    pos = find(query)
    while pos != -1 and len(starts) < MAX_MATCH_POSITIONS:
        starts.append(pos)
        pos = find(query, pos + step)
    return folded, count, starts


class LineView(ScrollView, can_focus=True):
    """A read-only view of a possibly huge text; only safe text ever reaches the terminal.

    Args:
        text: The text to show. Control, bidi and other unsafe characters are shown as styled
            escapes (``\\x1b``); newlines split lines.
        soft_wrap: Wrap long lines at the widget's width instead of scrolling sideways.

    Bindings: ``n``/``N`` next/previous find match; the usual scroll keys.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_match", "Next match", show=False, id="line_view.next_match"),
        Binding("N", "previous_match", "Previous match", show=False, id="line_view.prev_match"),
        Binding("j", "scroll_down", "Down", show=False, id="line_view.down"),
        Binding("k", "scroll_up", "Up", show=False, id="line_view.up"),
        Binding("g,home", "go_top", "Top", show=False, id="line_view.top"),
        Binding("G,end", "go_bottom", "Bottom", show=False, id="line_view.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-view--escape",
        "line-view--match",
        "line-view--match-current",
    }

    DEFAULT_CSS = """
    LineView {
        background: $surface;
        color: $foreground;
        & > .line-view--escape { color: $text-muted; text-style: italic; }
        & > .line-view--match { background: $warning 40%; }
        & > .line-view--match-current { background: $accent; color: $text; text-style: bold; }
        &:focus { background-tint: $foreground 5%; }
    }
    """

    class FindChanged(Message):
        """Posted when the find query, its match count or the current match changes."""

        def __init__(self, view: LineView, query: str, count: int, index: int | None) -> None:
            self.view = view
            self.query = query
            self.count = count
            self.index = index
            super().__init__()

        @property
        def control(self) -> LineView:
            return self.view

    def __init__(
        self,
        text: str = "",
        *,
        soft_wrap: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._soft_wrap = soft_wrap
        self._text = ""
        self._starts: array[int] = array("q", [0])
        self._width = 0
        self._escapes: array[int] = array("q")  # start, end pairs of escapes made by set_text
        self._wrap_width = 0
        self._row_starts: array[int] = array("q", [0])  # first row of each line (soft wrap)
        self._strip_cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(512)
        self._line_styles_cache: LRUCache[int, list[StyleSpan]] = LRUCache(256)
        self._wrap_cache: LRUCache[int, list[int]] = LRUCache(256)
        self._block_cache: LRUCache[int, list[int]] = LRUCache(64)
        self._query = ""
        self._case_sensitive = False
        self._match_count = 0
        self._match_starts: array[int] = array("q")
        self._match_len = 0
        self._match_index: int | None = None
        self._folded: str | None = None
        if soft_wrap:
            # A fixed vertical scrollbar keeps the wrap width from changing as it comes and goes.
            self.styles.overflow_x = "hidden"
            self.styles.overflow_y = "scroll"
        if text:
            self.set_text(text)

    # --- content -------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Show ``text`` (made safe here: unsafe characters become styled escapes)."""
        pieces: list[str] = []
        escapes: array[int] = array("q")
        pos = 0
        out = 0
        for match in unsafe_char_pattern(multiline=True).finditer(text):
            start = match.start()
            if start > pos:
                pieces.append(text[pos:start])
                out += start - pos
            code = ord(match.group())
            esc = {9: "\\t", 13: "\\r"}.get(code) or (
                f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
            )
            pieces.append(esc)
            escapes.append(out)
            escapes.append(out + len(esc))
            out += len(esc)
            pos = match.end()
        pieces.append(text[pos:])
        self._replace_safe("".join(pieces))
        self._escapes = escapes

    def _replace_safe(self, text: str) -> None:
        """Show ``text``, which the caller has already made safe."""
        self._text = ""
        self._starts = array("q", [0])
        self._width = 0
        self._escapes = array("q")
        self._append_safe(text, *_index_piece(text, 0))

    def _append_safe(self, piece: str, starts: Sequence[int], width: int) -> None:
        """Append safe text; ``starts`` are absolute offsets after each newline of ``piece``."""
        first_new_line = len(self._starts) - 1
        self._text += piece
        self._starts.extend(starts)
        self._width = max(self._width, width)
        self._folded = None
        # The previously last line may have grown: drop what was cached for it.
        self._strip_cache.clear()
        self._line_styles_cache.discard(first_new_line)
        self._wrap_cache.discard(first_new_line)
        self._block_cache.discard(first_new_line)
        if self._soft_wrap and self._wrap_width:
            self._extend_rows(first_new_line)
        self._update_virtual_size()
        self.refresh()

    @property
    def text(self) -> str:
        """The text as shown (escapes included)."""
        return self._text

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def get_line(self, y: int) -> str:
        """Line ``y`` as shown, without its newline."""
        start = self._starts[y]
        end = self._starts[y + 1] - 1 if y + 1 < len(self._starts) else len(self._text)
        return self._text[start:end]

    def line_styles(self, y: int, line: str) -> list[StyleSpan]:
        """Styles of line ``y`` (override to highlight). The default styles escapes only."""
        if not self._escapes:
            return []
        style = self.get_component_rich_style("line-view--escape", partial=True)
        base = self._starts[y]
        end = base + len(line)
        escapes = self._escapes
        i = bisect_right(escapes, base - 1, 0, len(escapes))
        i -= i % 2  # land on a start
        spans: list[StyleSpan] = []
        while i < len(escapes) and escapes[i] < end:
            if escapes[i + 1] > base:
                spans.append(
                    (max(0, escapes[i] - base), min(len(line), escapes[i + 1] - base), style)
                )
            i += 2
        return spans

    # --- geometry ------------------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        if self._soft_wrap:
            rows = self._row_starts[-1] if self._wrap_width else self.line_count
            self.virtual_size = Size(max(1, self._wrap_width), rows)
        else:
            self.virtual_size = Size(self._width + 1, self.line_count)

    def _wrap_points(self, y: int) -> list[int]:
        """Character offsets where the rows of line ``y`` start (soft wrap)."""
        cached = self._wrap_cache.get(y)
        if cached is not None:
            return cached
        line = self.get_line(y)
        width = max(1, self._wrap_width)
        ascii_line = line.isascii()
        points = [0]
        start = 0
        while True:
            if ascii_line:
                end = start + width
            else:  # walk to the last character that still fits
                end, cells = start, 0
                while end < len(line):
                    size = get_character_cell_size(line[end])
                    if cells + size > width and end > start:
                        break
                    cells += size
                    end += 1
            if end >= len(line):
                break
            # Break after a space in the second half of the row, else mid-word.
            space = line.rfind(" ", start + width // 2, end)
            start = space + 1 if space != -1 else end
            points.append(start)
        self._wrap_cache[y] = points
        return points

    def _row_count(self, y: int) -> int:
        start = self._starts[y]
        end = self._starts[y + 1] - 1 if y + 1 < len(self._starts) else len(self._text)
        length = end - start
        if length <= self._wrap_width:
            return 1
        return len(self._wrap_points(y))

    def _extend_rows(self, from_line: int) -> None:
        del self._row_starts[from_line + 1 :]
        rows = self._row_starts
        total = rows[from_line]
        for y in range(from_line, self.line_count):
            total += self._row_count(y)
            rows.append(total)

    def _rewrap(self, width: int) -> None:
        self._wrap_width = max(1, width)
        self._wrap_cache.clear()
        self._row_starts = array("q", [0])
        self._extend_rows(0)

    def on_resize(self) -> None:
        self._strip_cache.clear()
        if self._soft_wrap and self.scrollable_content_region.width != self._wrap_width:
            self._rewrap(self.scrollable_content_region.width)
        self._update_virtual_size()

    def _locate_row(self, row: int) -> tuple[int, int, int] | None:
        """(line, first char, end char) of a screen row of the document."""
        if self._soft_wrap:
            if not self._wrap_width or row >= self._row_starts[-1]:
                return None
            y = bisect_right(self._row_starts, row) - 1
            points = self._wrap_points(y)
            k = row - self._row_starts[y]
            line_len = len(self.get_line(y))
            end = points[k + 1] if k + 1 < len(points) else line_len
            return y, points[k], end
        if row >= self.line_count:
            return None
        return row, 0, -1

    def _char_at_cell(self, y: int, line: str, cell: int) -> tuple[int, int]:
        """(index, cell where it starts) of the character of ``line`` covering ``cell``."""
        if line.isascii():
            return min(cell, len(line)), min(cell, len(line))
        blocks = self._block_cache.get(y)
        if blocks is None:  # cells before each block of _BLOCK characters
            blocks = [0]
            for i in range(0, len(line), _BLOCK):
                blocks.append(blocks[-1] + _cells(line[i : i + _BLOCK]))
            self._block_cache[y] = blocks
        b = max(0, bisect_right(blocks, cell) - 1)
        index = min(b * _BLOCK, len(line))
        at = blocks[b] if b < len(blocks) else blocks[-1]
        while index < len(line):
            size = get_character_cell_size(line[index])
            if at + size > cell:
                break
            at += size
            index += 1
        return index, at

    # --- painting ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        key = (row, scroll_x, width)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._render_row(row, scroll_x, width)
            self._strip_cache[key] = strip
        return strip.apply_offsets(scroll_x, row)

    def _styles(self, y: int, line: str) -> list[StyleSpan]:
        spans = self._line_styles_cache.get(y)
        if spans is None:
            spans = self.line_styles(y, line)
            self._line_styles_cache[y] = spans
        return spans

    def _render_row(self, row: int, scroll_x: int, width: int) -> Strip:
        base_style = self.rich_style
        located = self._locate_row(row)
        if located is None:
            return Strip.blank(width, base_style)
        y, first, end = located
        line = self.get_line(y)
        if end == -1:  # no wrap: cut to the visible columns before rendering anything
            first, first_cell = self._char_at_cell(y, line, scroll_x)
            end = min(len(line), first + 2 * width + 2)
            offset_cells = scroll_x - first_cell
        else:
            offset_cells = 0
        text = Text(line[first:end], style=base_style, no_wrap=True, end="")
        for start, stop, style in self._styles(y, line):
            if stop > first and start < end:
                text.stylize(style, max(start, first) - first, min(stop, end) - first)
        self._stylize_matches(text, y, first, end)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop_extend(offset_cells, offset_cells + width, base_style)
        return strip.simplify()

    def _stylize_matches(self, text: Text, y: int, first: int, end: int) -> None:
        if not self._match_starts:
            return
        base = self._starts[y]
        lo, hi = base + first, base + end
        starts = self._match_starts
        i = max(0, bisect_right(starts, lo - self._match_len) - 1)
        match_style, current_style = self._match_styles()
        while i < len(starts) and starts[i] < hi:
            s, e = starts[i], starts[i] + self._match_len
            if e > lo:
                style = current_style if i == self._match_index else match_style
                text.stylize(style, max(s, lo) - lo, min(e, hi) - lo)
            i += 1

    def _match_styles(self) -> tuple[Style, Style]:
        """(every match, the current one). A match keeps the text's own colours on the
        background the CSS gives it, blended as the CSS says (a partial style would drop the
        ``40%``: every match then looked like the current one); the current match takes its
        whole style, so its text stays readable on its background."""
        match = self.get_component_rich_style("line-view--match")
        current = self.get_component_rich_style("line-view--match-current")
        return Style(bgcolor=match.bgcolor), current

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_cache.clear()
        self._line_styles_cache.clear()

    # --- find ----------------------------------------------------------------------------------

    @property
    def match_count(self) -> int:
        """Matches of the current query in the whole text (0 with no query)."""
        return self._match_count

    @property
    def match_index(self) -> int | None:
        """Index of the current match (``None`` before the first ``next_match``)."""
        return self._match_index

    def find(self, query: str, *, case_sensitive: bool = False) -> int:
        """Highlight every match of ``query`` (plain text, not a pattern); return how many.

        The count is exact; positions are kept for the first :data:`MAX_MATCH_POSITIONS`,
        which is how far ``next_match`` goes. An empty query clears the find. The current
        match is reset; call :meth:`next_match` to go to the first one.
        """
        self._query = query
        self._case_sensitive = case_sensitive
        self._match_index = None
        self._search()
        self._post_find()
        return self._match_count

    def _search(self) -> None:
        folded, count, starts = search_text(
            self._text, self._folded, self._query, case_sensitive=self._case_sensitive
        )
        if folded is not None:
            self._folded = folded
        self._apply_search(count, starts)

    def _apply_search(self, count: int, starts: array[int]) -> None:
        self._match_starts = starts
        self._match_count = count
        self._match_len = len(self._query)
        if self._match_index is not None and self._match_index >= len(starts):
            self._match_index = None
        self._strip_cache.clear()
        self.refresh()

    async def find_async(self, query: str, *, case_sensitive: bool = False) -> int:
        """As :meth:`find`, with the search itself in a thread: a keystroke in a find box never
        waits for a pass over megabytes (``str.lower`` and the scan of a 5 MB text take tens
        of milliseconds). A newer :meth:`find` or ``find_async`` wins over this one; a text that
        grew meanwhile (still loading) is searched again."""
        self._query = query
        self._case_sensitive = case_sensitive
        self._match_index = None
        while True:
            text, folded = self._text, self._folded
            result = await asyncio.to_thread(
                search_text, text, folded, query, case_sensitive=case_sensitive
            )
            if self._query != query or self._case_sensitive != case_sensitive:
                return self._match_count  # superseded by a newer find
            if self._text is text:
                break
        folded, count, starts = result
        if folded is not None:
            self._folded = folded
        self._apply_search(count, starts)
        self._post_find()
        return count

    def _post_find(self) -> None:
        self.post_message(self.FindChanged(self, self._query, self._match_count, self._match_index))

    def clear_find(self) -> None:
        """Remove the find highlighting."""
        self.find("")

    def next_match(self, step: int = 1) -> int | None:
        """Go to the next (``step=-1``: previous) match, wrapping round; scroll it into view.

        Returns the new current index, or ``None`` when there is no match.
        """
        n = len(self._match_starts)
        if n == 0:
            return None
        if self._match_index is None:
            index = 0 if step > 0 else n - 1
        else:
            index = (self._match_index + step) % n
        self.go_to_match(index)
        return self._match_index

    @property
    def match_positions(self) -> int:
        """How many matches :meth:`next_match` and :meth:`go_to_match` can reach."""
        return len(self._match_starts)

    def go_to_match(self, index: int | None) -> None:
        """Make match ``index`` the current one and scroll it into view (again once the view
        is laid out, for a view that is only now being shown); ``None``: no current match."""
        if index is not None and not 0 <= index < len(self._match_starts):
            raise IndexError(f"no match {index} (there are {len(self._match_starts)})")
        self._match_index = index
        if index is not None:
            self._scroll_to_current()
            self.call_after_refresh(self._scroll_to_current)
        self._strip_cache.clear()
        self.refresh()
        self._post_find()

    def _scroll_to_current(self) -> None:
        index = self._match_index
        if index is not None and index < len(self._match_starts):
            self._scroll_to_offset(self._match_starts[index], self._match_len)

    def action_next_match(self) -> None:
        self.next_match(1)

    def action_previous_match(self) -> None:
        self.next_match(-1)

    def _scroll_to_offset(self, offset: int, length: int) -> None:
        y = bisect_right(self._starts, offset) - 1
        line = self.get_line(y)
        col = offset - self._starts[y]
        if self._soft_wrap and self._wrap_width:
            points = self._wrap_points(y)
            k = bisect_right(points, col) - 1
            row = self._row_starts[y] + k
            x = _cells(line[points[k] : col])
            self.scroll_to_region(Region(x, row, 1, 1), animate=False, immediate=True)
            return
        x = _cells(line[:col]) if col < 4096 else self._cell_of(y, line, col)
        w = max(1, _cells(line[col : col + length]))
        self.scroll_to_region(
            Region(x, y, w, 1), animate=False, immediate=True, spacing=None, center=True
        )

    def _cell_of(self, y: int, line: str, col: int) -> int:
        if line.isascii():
            return col
        self._char_at_cell(y, line, 0)  # builds the block index
        blocks = self._block_cache.get(y) or [0]
        b = col // _BLOCK
        return blocks[b] + _cells(line[b * _BLOCK : col])

    def action_go_top(self) -> None:
        self.scroll_to(x=0, y=0, animate=False, immediate=True)

    def action_go_bottom(self) -> None:
        self.scroll_to(x=0, y=self.max_scroll_y, animate=False, immediate=True)

    def scroll_to_line(self, y: int) -> None:
        """Scroll so that line ``y`` is at the top."""
        row = self._row_starts[y] if self._soft_wrap and self._wrap_width else y
        self.scroll_to(y=row, animate=False, immediate=True)
