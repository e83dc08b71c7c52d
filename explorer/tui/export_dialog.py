"""The export dialog: the open dataset to a JSONL (or CSV) file, as PostHog exports it.

``ExportDialog()`` asks for the format (JSONL or CSV), the file (default
``<dataset-name-slug>-r<N>.jsonl``, or ``.csv``, in the current directory, N the revision shown
or else the newest; on the classic API ``<slug>.jsonl``), whether to write only the items of the
search shown (when one is: checked by default) and the revision (default: the one shown, else
the newest; empty: the newest when the export is made; the classic API keeps none). ``enter``
or the Export button runs ``model.export_dataset``; the dialog shows each step
(``state.export.message``) and closes once the file is written, the model's notice saying where.
A failure is shown in the dialog with what was typed kept; ``escape`` closes (and stops an
export under way, which then leaves no file behind).

Exporting only reads the server: it is offered in read-only mode and at a past revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static
from textual.worker import Worker

from explorer.model import Change
from explorer.model.export import ExportFormat, default_filename
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import safe_text

__all__ = ["ExportDialog", "default_export_name", "default_export_revision"]


def default_export_revision(state: Any) -> int | None:
    """The revision an export of the open dataset defaults to: the one shown, else its newest
    as known (None on the classic API, which keeps no revisions)."""
    page = state.page
    if page.revision is not None:
        return int(page.revision)
    dataset = page.dataset
    known = getattr(dataset, "current_revision", None)
    revisions = state.revisions  # loaded later than the dataset: maybe newer
    if revisions is not None and dataset is not None and revisions.dataset_id == str(dataset.id):
        known = max(known or 0, revisions.latest or 0)
    return int(known) if known else None


def default_export_name(
    dataset_name: str, revision: int | None, format: ExportFormat = "jsonl"
) -> str:
    """``<slug>-r<N>.jsonl`` (``<slug>.jsonl`` without a revision; ``.csv`` for CSV), PostHog's
    file name."""
    return default_filename(dataset_name, revision, format)


class ExportDialog(ModalModelScreen[None]):
    """Export the open dataset (at a revision, on API v2) to a JSONL or CSV file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.confirm"),
    ]

    DEFAULT_CSS = """
    ExportDialog #export-dialog {
        width: 80;
    }
    ExportDialog Label {
        margin-top: 1;
    }
    ExportDialog .export-hint {
        color: $text-muted;
        height: auto;
    }
    ExportDialog #export-format {
        layout: horizontal;
        height: auto;
        width: auto;
    }
    ExportDialog #export-status {
        height: auto;
        margin-top: 1;
        color: $text-muted;
    }
    ExportDialog #export-status.-error {
        color: $error;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._worker: Worker[None] | None = None
        self._default_path = ""
        self._versioned = False
        self._format: ExportFormat = "jsonl"

    def compose(self) -> ComposeResult:
        state = self.model.state
        dataset = state.page.dataset
        name = dataset.name if dataset is not None else ""
        self._versioned = self.schema.versioned
        revision = default_export_revision(state) if self._versioned else None
        self._default_path = default_export_name(name, revision)
        title = Text("Export ")
        title.append_text(safe_text(name, max_len=60, style="bold"))
        # the gap ends the bold run: SVG renderers draw a run's leading spaces after it
        title.append(" ", "bold")
        title.append("to a file")
        query = state.page.query
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Label("Format")
            with RadioSet(id="export-format"):
                yield RadioButton("JSONL", value=True, id="export-format-jsonl")
                yield RadioButton("CSV", id="export-format-csv")
            yield Label("File (a relative path is in the current directory)")
            yield Input(self._default_path, id="export-path")
            yield Label("Revision")
            if self._versioned:
                yield Input(
                    "" if revision is None else str(revision),
                    placeholder="empty: the newest",
                    id="export-revision",
                    restrict=r"[0-9]*",
                )
                shown = state.page.revision
                hint = (
                    f"revision {shown} is shown; empty exports the newest"
                    if shown is not None
                    else "the newest as last loaded; empty exports the newest when exported"
                )
            else:
                yield Input(
                    "", placeholder="none: the classic API keeps no revisions",
                    id="export-revision", disabled=True,
                )  # fmt: skip
                hint = "the items as they are now"
            yield Static(hint, classes="export-hint")
            if query:
                count = state.page.total
                label = Text(f"only the {count} search {'result' if count == 1 else 'results'} (")
                label.append_text(safe_text(query, max_len=40))
                label.append(")")
                yield Checkbox(label, value=True, id="export-only-results")
            yield Static("", id="export-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="export", variant="primary")

    def on_mount(self) -> None:
        # ModalModelScreen.on_mount (follow the model, first redraw) runs too, after this one.
        path = self.query_one("#export-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    # -- drawing -----------------------------------------------------------------------------

    def _status(self, message: str | Text, *, error: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.set_class(error, "-error")
        status.update(safe_text(message, multiline=True) if isinstance(message, str) else message)

    def redraw(self, change: Change | None) -> None:
        if change is None or "export" not in change.kinds or not self.running:
            return
        export = self.model.state.export
        if export is not None and export.message:
            self._status(export.message)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    # -- the revision typed and the format change the default file name ---------------------

    def _update_default_path(self) -> None:
        path = self.query_one("#export-path", Input)
        if path.value != self._default_path:
            return  # the user named the file: leave it
        dataset = self.model.state.page.dataset
        revision: int | None = None
        if self._versioned:
            typed = self.query_one("#export-revision", Input).value
            revision = int(typed) if typed.isdigit() else None
            if revision is None:
                revision = default_export_revision(self.model.state)
        name = dataset.name if dataset else ""
        self._default_path = default_export_name(name, revision, self._format)
        path.value = self._default_path

    @on(Input.Changed, "#export-revision")
    def _revision_typed(self, event: Input.Changed) -> None:
        self._update_default_path()

    @on(RadioSet.Changed, "#export-format")
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._format = "csv" if event.pressed.id == "export-format-csv" else "jsonl"
        self._update_default_path()

    # -- exporting ---------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self.action_export()
        else:
            self.action_cancel()

    def _target(self) -> tuple[Path, int | None] | None:
        """The file and revision typed, or None (with the reason shown) when they cannot be."""
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._status("Name the file to write the export to.", error=True)
            return None
        target = Path(raw).expanduser().absolute()  # the notice names where it went
        # Said at once, before the server is asked to make an export.
        if target.is_dir():
            self._status(f"{target} is a directory: name the file to write to.", error=True)
            return None
        if not target.parent.is_dir():
            self._status(
                f"There is no directory {target.parent} to write {target.name} into: create it"
                " first, or choose another file.",
                error=True,
            )
            return None
        revision_text = self.query_one("#export-revision", Input).value.strip()
        revision: int | None = None
        if self._versioned and revision_text:
            if not revision_text.isdigit() or int(revision_text) < 1:
                self._status("A revision is a number from 1 (empty: the newest).", error=True)
                return None
            revision = int(revision_text)
        return target, revision

    def action_export(self) -> None:
        if self.running:
            return
        chosen = self._target()
        if chosen is None:
            return
        path, revision = chosen
        query: str | None = None
        if self.model.state.page.query:
            only = self.query_one("#export-only-results", Checkbox)
            query = self.model.state.page.query if only.value else None
        self.query_one("#export", Button).disabled = True
        self._status("Starting the export…")
        self._worker = self.run_model(
            self._export(path, revision, self._format, query), group="export"
        )

    async def _export(
        self, path: Path, revision: int | None, format: ExportFormat, query: str | None
    ) -> None:
        model = self.model
        with model.collect_notices() as notices:
            await model.export_dataset(path, revision, format=format, query=query)
        export = model.state.export
        if export is not None and export.phase == "done":
            self.dismiss(None)  # the model's notice says where the rows went
            return
        self.query_one("#export", Button).disabled = False
        problem = next((n for n in reversed(notices) if n.level != "info"), None)
        if problem is not None:
            self._status(f"{problem.message} {problem.hint}".strip(), error=True)
        else:
            self._status(export.message if export is not None else "Not exported.", error=True)

    def action_cancel(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()  # the model stops the export; no partial file stays
        self.dismiss(None)
