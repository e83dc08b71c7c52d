"""The bulk dialog: choose what to do with the marked items, see the plan, confirm once.

``BulkDialog()`` lists the actions: Archive (Delete on the classic API), Restore, Set metadata
key…, Remove metadata key…, Move to…, Copy to…. Choosing one asks what it needs (a metadata key
and value, a target dataset through `DatasetPicker`), then shows ``model.bulk_plan``: its
description, how many items, the items skipped with the reason, the warnings; a refusal is
shown and Confirm stays disabled. ``y`` / Confirm dismisses with the `BulkChoice` (the items
screen runs it and shows its progress); ``escape`` cancels.

Item text is untrusted: everything is drawn as rich `Text`, never markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from explorer.api.models import short_id
from explorer.model import Change
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import safe_text

__all__ = ["BulkChoice", "BulkDialog", "plan_text"]

MAX_SKIPPED_SHOWN = 8


@dataclass(frozen=True)
class BulkChoice:
    """The action confirmed: ``action`` (a `BulkAction`) and its arguments."""

    action: str
    dataset_id: str | None = None
    key: str = ""
    value: Any = None
    ids: tuple[str, ...] = field(default=())


def plan_text(plan: Any) -> Text:
    """The plan as the confirmation shows it (plain text: item ids and reasons)."""
    text = Text()
    text.append_text(safe_text(plan.description, multiline=True, style="bold"))
    text.append(f"\n{plan.count:,} item{'s' if plan.count != 1 else ''} to act on")
    if plan.skipped:
        text.append(f", {len(plan.skipped):,} skipped:")
        for result in plan.skipped[:MAX_SKIPPED_SHOWN]:
            text.append(f"\n  {short_id(result.item_id)}  ")
            text.append_text(safe_text(result.reason or "skipped", max_len=100))
        if len(plan.skipped) > MAX_SKIPPED_SHOWN:
            text.append(f"\n  … and {len(plan.skipped) - MAX_SKIPPED_SHOWN:,} more")
    for warning in plan.warnings:
        text.append("\nWarning: ", style="bold")
        text.append_text(safe_text(warning, multiline=True))
    if plan.refusal:
        text.append("\nCannot run: ", style="bold")
        text.append_text(safe_text(plan.refusal, multiline=True))
    return text


def _json_or_text(raw: str) -> Any:
    """A metadata value typed: JSON when it reads as JSON, else the text itself."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class BulkDialog(ModalModelScreen["BulkChoice | None"]):
    """Choose a bulk action for the marked items and confirm its plan."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("y", "confirm", "Confirm", id="bulk.confirm"),
    ]

    DEFAULT_CSS = """
    BulkDialog {
        align: center middle;
    }
    BulkDialog #bulk-dialog {
        width: 80;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    BulkDialog .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    BulkDialog #bulk-actions {
        height: auto;
        max-height: 8;
    }
    BulkDialog #bulk-fields {
        height: auto;
        display: none;
    }
    BulkDialog #bulk-plan {
        height: auto;
        margin-top: 1;
    }
    BulkDialog .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    BulkDialog Button {
        margin-left: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._action = ""
        self._choice: BulkChoice | None = None
        self._plan: Any = None

    def compose(self) -> ComposeResult:
        marked = len(self.model.state.marked)
        remove = self.schema.remove_label
        with Vertical(id="bulk-dialog"):
            yield Static(
                Text(f"Bulk action on {marked:,} marked item{'s' if marked != 1 else ''}"),
                classes="dialog-title",
            )
            yield OptionList(
                Option(remove, id="archive"),
                Option("Restore", id="restore"),
                Option("Set metadata key…", id="set_metadata"),
                Option("Remove metadata key…", id="remove_metadata"),
                Option("Move to…", id="move"),
                Option("Copy to…", id="copy"),
                id="bulk-actions",
            )
            with Vertical(id="bulk-fields"):
                yield Label("Metadata key (top level)")
                yield Input(id="bulk-key", placeholder="e.g. reviewed")
                yield Label(
                    "Value (JSON; text that is not JSON is a string)", id="bulk-value-label"
                )
                yield Input(id="bulk-value", placeholder='e.g. true, "alice", ["a", "b"]')
            yield Static("", id="bulk-plan")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Confirm", id="confirm", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#bulk-actions", OptionList).focus()

    def redraw(self, change: Change | None) -> None:
        return  # the plan is a query: nothing to follow

    # -- choosing ----------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#bulk-actions")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        action = str(event.option.id)
        self._action = action
        self._set_plan(None, Text(""))
        if action in ("set_metadata", "remove_metadata"):
            self.query_one("#bulk-fields").display = True
            value_shown = action == "set_metadata"
            self.query_one("#bulk-value").display = value_shown
            self.query_one("#bulk-value-label").display = value_shown
            self.query_one("#bulk-key", Input).focus()
            return
        self.query_one("#bulk-fields").display = False
        if action in ("move", "copy"):
            from explorer.tui.dataset_picker import DatasetPicker

            verb = "Move" if action == "move" else "Copy"
            page = self.model.state.page
            here = str(page.dataset.id) if page.dataset is not None else None
            exclude = here if action == "move" else None

            def picked(dataset_id: str | None) -> None:
                if dataset_id is not None:
                    self._make_plan(BulkChoice(action, dataset_id=dataset_id))

            title = f"{verb} {len(self.model.state.marked):,} marked items to which dataset?"
            self.app.push_screen(DatasetPicker(title, exclude=exclude), picked)
            return
        self._make_plan(BulkChoice(action))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.query_one("#bulk-key", Input).value.strip()
        if not key:
            self._set_plan(None, Text("Name the metadata key."))
            self.query_one("#bulk-key", Input).focus()
            return
        if self._action == "set_metadata":
            if event.input.id == "bulk-key":
                self.query_one("#bulk-value", Input).focus()
                return
            raw = self.query_one("#bulk-value", Input).value
            self._make_plan(BulkChoice("set_metadata", key=key, value=_json_or_text(raw)))
        else:
            self._make_plan(BulkChoice("remove_metadata", key=key))

    def _make_plan(self, choice: BulkChoice) -> None:
        self._set_plan(None, Text("Planning…"))
        self.run_worker(self._plan_for(choice), group="bulk-plan", exclusive=True)

    async def _plan_for(self, choice: BulkChoice) -> None:
        plan = await self.model.bulk_plan(
            choice.action,  # type: ignore[arg-type]
            dataset_id=choice.dataset_id,
            key=choice.key,
            value=choice.value,
        )
        self._choice = BulkChoice(
            choice.action, choice.dataset_id, choice.key, choice.value, tuple(plan.item_ids)
        )
        self._set_plan(plan, plan_text(plan))
        if plan.allowed:
            self.query_one("#confirm", Button).focus()

    def _set_plan(self, plan: Any, text: Text) -> None:
        self._plan = plan
        self.query_one("#bulk-plan", Static).update(text)
        self.query_one("#confirm", Button).disabled = not (plan is not None and plan.allowed)

    # -- confirming --------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()

    def action_confirm(self) -> None:
        if self._plan is None or not self._plan.allowed or self._choice is None:
            self.app.bell()
            return
        self.dismiss(self._choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
