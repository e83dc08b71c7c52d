"""The private parts of Textual the app relies on (all in `explorer.tui.textual_hooks`) are still
there, with the shapes the hooks expect. On a Textual upgrade this fails first and says where to
look, before any screen misbehaves."""

from __future__ import annotations

import inspect
from importlib import metadata
from pathlib import Path

from textual.document._wrapped_document import WrappedDocument
from textual.widgets import DataTable, TextArea

from explorer.tui import textual_hooks

ROOT = Path(__file__).parent.parent.parent
LOOK = "Textual changed: check explorer/tui/textual_hooks.py against it"


def _params(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_textual_is_the_version_the_hooks_were_written_for() -> None:
    pins = (ROOT / "constraints" / "test.txt").read_text().splitlines()
    pinned = next(line.split("==")[1] for line in pins if line.startswith("textual=="))
    assert metadata.version("textual") == pinned, LOOK


def test_the_data_table_hooks_match() -> None:
    assert _params(DataTable._render_cell) == [
        "self", "row_index", "column_index", "base_style", "width", "cursor", "hover",
    ], LOOK  # fmt: skip
    assert _params(DataTable._get_row_style) == ["self", "row_index", "base_style"], LOOK
    assert len(_params(DataTable._get_styles_to_render_cell)) == 10, LOOK
    table: DataTable[str] = DataTable()
    for name in (
        "_row_locations", "_column_locations", "_cell_render_cache", "_show_hover_cursor",
        "_update_count", "_data",
    ):  # fmt: skip
        assert hasattr(table, name), f"{LOOK} (DataTable.{name})"


def test_the_text_area_hooks_match() -> None:
    assert _params(TextArea._set_document) == ["self", "text", "language"], LOOK
    assert _params(TextArea._refresh_size) == ["self"], LOOK
    assert hasattr(TextArea, "_refresh_scrollbars"), LOOK
    area = TextArea("one\ntwo")
    assert isinstance(area.wrapped_document, WrappedDocument), LOOK
    assert hasattr(area.wrapped_document, "_offset_to_line_info"), LOOK


def test_no_other_module_of_the_app_reaches_into_textual_privates() -> None:
    tui = ROOT / "explorer" / "tui"
    for path in tui.rglob("*.py"):
        if path.name == "textual_hooks.py":
            continue
        for line in path.read_text().splitlines():
            if line.lstrip().startswith(("from textual", "import textual")):
                module = line.split()[1]
                assert not any(part.startswith("_") for part in module.split(".")), (
                    f"{path.relative_to(ROOT)} imports {module}: keep private Textual in"
                    " explorer/tui/textual_hooks.py"
                )
    assert textual_hooks.__doc__ and "Each stays because" in textual_hooks.__doc__
