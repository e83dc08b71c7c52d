"""``?``: every key of the screen underneath, with what it does and its binding id."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from explorer.tui.keys import BINDING_IDS

__all__ = ["KeysHelp", "screen_keys"]


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """``(keys, description, binding id)`` for each binding active on ``screen``: its own, then
    the app's, then its focused widget's; the keys of one binding joined."""
    grouped: dict[tuple[int, str], tuple[list[str], Binding]] = {}
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        slot = (id(active.node), binding.action)
        display = app.get_key_display(Binding(key, ""))
        if slot in grouped:
            if display not in grouped[slot][0]:
                grouped[slot][0].append(display)
        else:
            grouped[slot] = ([display], binding)
    rank = {id(screen): 0, id(app): 1}  # the screen's own keys first, then app-wide, widgets'
    ordered = sorted(grouped.items(), key=lambda entry: rank.get(entry[0][0], 2))
    rows = []
    for _slot, (keys, binding) in ordered:
        what = BINDING_IDS.get(binding.id or "", binding.description)
        rows.append((" ".join(keys), what, binding.id or ""))
    return rows


class KeysHelp(ModalScreen[None]):
    """The keys of ``screen``; ``escape``, ``?`` or ``q`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="keys_help.close"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self._rows = screen_keys(screen)
        self._title = getattr(screen, "HELP_TITLE", type(screen).__name__)

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-help"):
            yield Static(Text(f"Keys: {self._title}", style="bold"), id="keys-help-title")
            table: DataTable[Text] = DataTable(
                cursor_type="row", zebra_stripes=True, id="keys-help-table"
            )
            table.add_column(Text("key"), width=16)
            table.add_column(Text("does"), width=44)
            table.add_column(Text("binding id ([keys] in the config)"), width=34)
            for keys, what, binding_id in self._rows:
                table.add_row(Text(keys, style="bold"), Text(what), Text(binding_id, style="dim"))
            yield table
            yield Static(
                Text(
                    'Remap any key in the config file\'s [keys] table: "items.next_page" = "n"',
                    style="dim",
                ),
                id="keys-help-hint",
            )

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
