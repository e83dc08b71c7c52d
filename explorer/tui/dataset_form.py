"""Create or edit a dataset: name, description, metadata (a JSON object, or empty).

The values are checked here first (the name may not be blank; metadata must parse, and the
error names its line and column and moves the cursor there), then the model sends them; a
refusal from the server stays in the form so nothing typed is lost.
"""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static, TextArea

from explorer.api.models import AnyDataset
from explorer.model.datasets import validate_dataset_fields
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import safe_text

__all__ = ["DatasetForm"]


def _metadata_text(dataset: AnyDataset | None) -> str:
    if dataset is None or dataset.metadata is None:
        return ""
    return json.dumps(dataset.metadata, indent=2, ensure_ascii=False)


class DatasetForm(ModalModelScreen[AnyDataset | None]):
    """``DatasetForm(None)`` creates; ``DatasetForm(dataset)`` edits. Dismisses with the saved
    dataset, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", priority=True),
        Binding("ctrl+s", "save", "Save", id="dialog.save", priority=True),
    ]

    def __init__(self, dataset: AnyDataset | None) -> None:
        super().__init__()
        self.dataset = dataset
        self._saving = False

    def compose(self) -> ComposeResult:
        editing = self.dataset is not None
        with Vertical(classes="dialog", id="dataset-form"):
            title = Text("Edit dataset " if editing else "New dataset", style="bold")
            if self.dataset is not None:
                title.append_text(safe_text(self.dataset.name, max_len=60, style="bold"))
            yield Static(title, classes="dialog-title")
            yield Label("Name")
            yield Input(
                self.dataset.name if self.dataset else "", placeholder="required", id="form-name"
            )
            yield Label("Description")
            yield Input(
                (self.dataset.description or "") if self.dataset else "",
                placeholder="optional",
                id="form-description",
            )
            yield Label("Metadata (a JSON object, or empty)")
            yield TextArea(
                _metadata_text(self.dataset),
                id="form-metadata",
                show_line_numbers=True,
                tab_behavior="indent",
            )
            yield Static("", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="form-cancel")
                yield Button("Save  ctrl+s", id="form-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#form-name", Input).focus()

    def _show_error(self, text: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(text))
        error.set_class(bool(text), "-on")

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        if self._saving:
            return
        name = self.query_one("#form-name", Input).value
        description = self.query_one("#form-description", Input).value
        metadata_area = self.query_one("#form-metadata", TextArea)
        metadata = metadata_area.text
        _, error = validate_dataset_fields(name, metadata)
        if error is not None:
            self._show_error(f"Not saved: {error}.")
            if error.field == "name":
                self.query_one("#form-name", Input).focus()
            else:
                metadata_area.focus()
                if error.line is not None:
                    metadata_area.move_cursor((error.line - 1, max(0, (error.column or 1) - 1)))
            return
        self._show_error("")
        self._saving = True
        self.run_worker(self._save(name, description, metadata), group="save", exclusive=True)

    async def _save(self, name: str, description: str, metadata: str) -> None:
        model = self.model
        try:
            if self.dataset is None:
                saved = await model.create_dataset(name, description, metadata)
            else:
                saved = await model.update_dataset(
                    str(self.dataset.id), name=name, description=description, metadata=metadata
                )
        finally:
            self._saving = False
        if saved is not None:
            self.dismiss(saved)
            return
        notice = model.state.notice
        self._show_error(str(notice) if notice is not None else "Not saved.")
