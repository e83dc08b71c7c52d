"""Every use of Textual's private API in the app, in one place.

Each stays because the public route measurably costs what the benchmarks guard (one line of why
on each); `tests/tui/test_textual_hooks.py` fails loudly when Textual changes under them (the
version is pinned for the tests in ``constraints/test.txt``):

- `ItemsTable` draws a cell of prepared text by styling the line it keeps instead of laying the
  text out again (``DataTable._render_cell``, ``_get_row_style``, ``_get_styles_to_render_cell``
  and the table's render cache): a prefetched page turn in 30 ms instead of about 120.
- `SizedTextArea` keeps the editor's wrapped height and line widths instead of summing and
  measuring the whole document on every key (``TextArea._set_document``, ``_refresh_size``,
  ``_refresh_scrollbars`` and ``WrappedDocument._offset_to_line_info``): 20 ms a key at 1 MB
  instead of most of a second.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable, TextArea
from textual.widgets.text_area import Edit, EditResult

__all__ = ["DrawnText", "ItemsTable", "SizedTextArea", "cell_options"]


class DrawnText(Text):
    """A cell's `Text` that keeps the segments it rendered to for one width, so drawing a new
    page only copies them: laying out each cell's text again was most of a page turn.

    It is laid out when first drawn (or `draw` is called), not when made: a page's rows below
    the screen cost nothing until they are scrolled to (the table only measures them, which
    does not lay them out). What it draws is exactly what the `Text` would draw; with other
    options than the ones it was made for it lays itself out as any `Text`. Never modify one.
    """

    def __init__(self, text: Text, console: Console, options: ConsoleOptions) -> None:
        super().__init__(
            text.plain,
            style=text.style,
            justify=text.justify,
            overflow=text.overflow,
            no_wrap=text.no_wrap,
            end=text.end,
            tab_size=text.tab_size,
        )
        self.spans = list(text.spans)
        self._console = console
        self._options = options
        self._drawn_for = _layout(options)
        self._segments: list[Segment] | None = None
        self._line: list[Segment] = []
        self._measured: Measurement | None = None

    def draw(self) -> None:
        """Lay the text out for the options it was made for (once)."""
        if self._segments is not None:
            return
        console, options = self._console, self._options
        self._segments = list(super().__rich_console__(console, options))
        # the one line as Rich's Padding lays it out inside a cell (cropped, padded)
        lines = Segment.split_and_crop_lines(
            self._segments,
            options.max_width,
            include_new_lines=False,
            pad=True,
            style=console.get_style("none"),
        )
        self._line = next(iter(lines), [])

    def line_for(self, options: ConsoleOptions) -> list[Segment] | None:
        """The drawn line when ``options`` are the ones it was made for, else None."""
        if _layout(options) != self._drawn_for:
            return None
        self.draw()
        return self._line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        if _layout(options) == self._drawn_for:
            self.draw()
            assert self._segments is not None
            return self._segments
        return super().__rich_console__(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self._measured is None:
            self._measured = super().__rich_measure__(self._console, self._options)
        return self._measured


def _layout(options: ConsoleOptions) -> tuple[object, ...]:
    """What a `Text`'s segments depend on, of the options it is rendered with."""
    return (options.max_width, options.justify, options.overflow, options.no_wrap)


def cell_options(console: Console, width: int) -> ConsoleOptions:
    """The options a DataTable renders a one-line cell ``width`` cells wide (inside its padding)
    with."""
    return console.options.update(width=width, height=1, no_wrap=True)


class ItemsTable(DataTable[Text]):
    """The items table: a `DataTable` that draws a `DrawnText` cell by styling the line it
    keeps, which is what the stock path (the cell laid out through Rich's ``Padding`` and
    ``Styled``) gives, for a fraction of the time. Any other cell goes the stock way. While it
    draws, the style of a row is worked out once per kind of row (even, odd, fixed), not once
    per line (each costs a walk up the DOM)."""

    _row_styles: dict[tuple[object, ...], Style] | None = None
    _cell_options: dict[int, ConsoleOptions] | None = None  # per cell width, while drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        self._row_styles = {}
        self._cell_options = {}
        try:
            return super().render_lines(crop)
        finally:
            self._row_styles = None
            self._cell_options = None

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        memo = self._row_styles
        if memo is None:
            return super()._get_row_style(row_index, base_style)
        kind = (row_index == -1, row_index < self.fixed_rows, row_index % 2, base_style)
        style = memo.get(kind)
        if style is None:
            style = memo[kind] = super()._get_row_style(row_index, base_style)
        return style

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        drawn = None
        if row_index >= 0 and column_index >= 0 and self.cell_padding == 1:
            drawn = self._drawn_cell(row_index, column_index, base_style, width, cursor, hover)
        if drawn is None:
            return super()._render_cell(
                row_index, column_index, base_style, width, cursor=cursor, hover=hover
            )
        return drawn

    def _drawn_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> list[list[Segment]] | None:
        # the same cache key and styles as DataTable._render_cell (textual is pinned exactly)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(key)
        if cached is not None:
            return cached
        row = self.rows.get(row_key)
        cell = self._data.get(row_key, {}).get(column_key)
        if row is None or row.height != 1 or not isinstance(cell, DrawnText):
            return None
        memo = self._cell_options
        options = memo.get(width) if memo is not None else None
        if options is None:
            # the same options for every cell of a width in one pass (each costs three
            # ConsoleOptions made from the app's size)
            options = (
                self.app.console_options.update_dimensions(width, 1)
                .update(no_wrap=True)
                .update_width(width - 2)
            )
            if memo is not None:
                memo[width] = options
        inner = cell.line_for(options)
        if inner is None:
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style + Style.from_meta({"row": row_index, "column": column_index})
        ) + component_style
        console = self.app.console
        pad = Segment(" ", console.get_style("none"))
        lines = [
            list(
                Segment.apply_style(
                    [pad, *inner, pad],
                    style=console.get_style(pre_style),
                    post_style=console.get_style(post_style),
                )
            )
        ]
        self._cell_render_cache[key] = lines
        return lines


class _CountedWrap(WrappedDocument):
    """`WrappedDocument` whose height is kept, not summed: TextArea asks for it once per line
    it renders, and the sum walks every line of the document (at 1 MB, most of a key's time)."""

    @property
    def height(self) -> int:
        # one entry per wrapped line, kept up to date by wrap() and wrap_range()
        return len(self._offset_to_line_info)


class SizedTextArea(TextArea):
    """A TextArea whose keys cost what they change, not the size of the document: the wrapped
    document's height is counted once (`_CountedWrap`), and without soft wrap the width of the
    longest line (the horizontal scroll size, which TextArea measures over every line after
    every edit) is kept per line and updated for the lines an edit touched."""

    _line_widths: list[int] | None = None  # cell width per line (soft wrap off)
    _edited_rows: tuple[int, int, int] | None = None  # top, old bottom, old count

    def _set_document(self, text: str, language: str | None) -> None:
        self._line_widths = None
        super()._set_document(text, language)
        self.wrapped_document.__class__ = _CountedWrap  # same state, O(1) height

    def edit(self, edit: Edit) -> EditResult:
        # the rows the edit replaces, for _refresh_size (called at the end of super().edit)
        top, bottom = sorted((edit.from_location, edit.to_location))
        self._edited_rows = (top[0], bottom[0], self.document.line_count)
        try:
            return super().edit(edit)
        finally:
            self._edited_rows = None

    def _refresh_size(self) -> None:
        if self.soft_wrap:
            super()._refresh_size()
            return
        lines = self.document.lines
        tab_width = self.indent_width
        widths = self._line_widths
        rows = self._edited_rows
        if widths is None or rows is None or len(widths) != rows[2]:
            # loaded, undone, redone...: measure every line (as TextArea does each time)
            widths = [cell_len(line.expandtabs(tab_width)) for line in lines]
        else:
            top, old_bottom, old_count = rows
            new_bottom = old_bottom + len(lines) - old_count
            widths[top : old_bottom + 1] = [
                cell_len(line.expandtabs(tab_width)) for line in lines[top : new_bottom + 1]
            ]
        self._line_widths = widths
        self.virtual_size = Size(max(widths, default=0) + self.gutter_width + 1, len(lines))
        self._refresh_scrollbars()
