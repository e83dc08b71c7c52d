"""Choose a dataset (the target of a duplicate or a move): type to search on the server,
``down``/``up`` to choose, ``enter`` to pick, ``escape`` to cancel.

The search runs through the model's dataset list; the search it replaced is put back when
the picker closes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from explorer.model import Change
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import safe_text

__all__ = ["DatasetPicker"]

DEBOUNCE = 0.25


class DatasetPicker(ModalModelScreen[str | None]):
    """Dismisses with the chosen dataset's id, or None. ``exclude`` is left out (the item's
    own dataset, for a move)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "to_list", "Choose", id="picker.down", show=False),
    ]

    def __init__(self, title: str, *, exclude: str | None = None) -> None:
        super().__init__()
        self._title = title
        self._exclude = exclude
        self._debounce: Timer | None = None
        self._search_before: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="dataset-picker"):
            yield Static(safe_text(self._title, style="bold"), classes="dialog-title")
            yield Input(placeholder="type to search datasets", id="picker-search")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-status")

    def on_mount(self) -> None:
        self._search_before = self.model.state.datasets.search
        self.query_one(Input).focus()
        lists = self.model.state.datasets
        if lists.search or not lists.loaded:  # start from every dataset
            self.run_model(self.model.search_datasets(""), group="picker")

    def redraw(self, change: Change | None) -> None:
        if change is not None and "datasets" not in change and "busy" not in change:
            return
        state = self.model.state.datasets
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for dataset in state.datasets:
            if str(dataset.id) == self._exclude:
                continue
            prompt = safe_text(dataset.name, max_len=60, style="bold")
            if dataset.description:
                prompt.append("  ")
                prompt.append_text(safe_text(dataset.description, max_len=60, style="dim"))
            options.add_option(Option(prompt, id=str(dataset.id)))
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        status = Text(state.range_text if state.loaded else "loading…", style="dim")
        if state.loaded and state.has_next:
            status.append("  (type to narrow the list)", style="dim")
        if state.loaded and not options.option_count:
            status = Text("No other dataset matches.", style="dim")
        self.query_one("#picker-status", Static).update(status)

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        self._debounce = self.set_timer(
            DEBOUNCE,
            lambda: self.run_model(self.model.search_datasets(text), group="picker"),
        )

    @on(Input.Submitted, "#picker-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    def _pick(self, dataset_id: str | None) -> None:
        self._restore_search()
        self.dismiss(dataset_id)

    def action_cancel(self) -> None:
        self._restore_search()
        self.dismiss(None)

    def _restore_search(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        before = self._search_before
        if before is not None and self.model.state.datasets.search != before:
            # On the app, so it outlives this dialog.
            self.app.run_worker(
                self.model.search_datasets(before), group="datasets", exclusive=True
            )
