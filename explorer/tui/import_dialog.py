"""The import dialog: a JSONL or CSV file's rows into the open dataset (`explorer.model.importing`).

``ImportDialog()`` asks for the file, its format (default: from the extension) and whether to
make a dry run (checked by default: read and check every row, send nothing). ``enter`` or Run
reads the file with `read_rows` and imports it with `import_rows` into the open dataset, as
``dataset-explorer import`` does: on the classic API with the import ledger beside the journal,
so running it again creates nothing twice. The dialog shows the rows done out of the file's
rows, then the report (created, already there, failed; the first problems with their lines).
After a real import the items list is fetched again. A file that cannot be read is said in the
dialog with what was typed kept; ``escape`` closes (stopping an import under way: the rows
already sent stay, and running it again goes on from there).

Everything read from the file is untrusted: it is shown as plain text, never as markup.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static
from textual.worker import Worker

from explorer.api import ApiError
from explorer.model.importing import (
    ImportFileError,
    ImportFormat,
    ImportLedger,
    ImportProgress,
    ImportReport,
    import_rows,
    read_rows,
)
from explorer.tui.base import ModalModelScreen
from explorer.tui.components import safe_text

__all__ = ["PROBLEMS_SHOWN", "ImportDialog", "report_text"]

PROBLEMS_SHOWN = 5
"""Row problems the report lists (it counts them all)."""


def _rows(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def report_text(report: ImportReport) -> Text:
    """The report of an import as plain text: what it did (or would do) and the first rows it
    could not import, with their lines; the reasons (which quote the file) stay plain."""
    if report.dry_run:
        text = Text(
            f"Dry run: would create {_rows(report.created)}; {report.already} already there;"
            f" {report.invalid} invalid, {report.failed} failed. Nothing was written."
        )
    else:
        text = Text(
            f"Created {_rows(report.created)}; {report.already} already there;"
            f" {report.failed} failed ({report.invalid} invalid)."
        )
    for problem in report.problems[:PROBLEMS_SHOWN]:
        text.append(f"\nline {problem.line}: ")
        text.append_text(safe_text(problem.reason, max_len=300))
    if report.failed > PROBLEMS_SHOWN:
        text.append(f"\n… and {report.failed - PROBLEMS_SHOWN} more rows not imported")
    if report.stopped is not None:
        text.append(f"\nStopped at line {report.stopped_at}: ")
        text.append_text(safe_text(report.stopped, max_len=300))
        text.append(
            ". The rows before it are imported; running it again imports none of them twice."
        )
    return text


def _count_rows(path: Path, format: ImportFormat | None) -> int:
    with read_rows(path, format) as rows:
        return sum(1 for _ in rows)


class ImportDialog(ModalModelScreen[None]):
    """Import a JSONL or CSV file's rows into the open dataset."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="import.cancel"),
        Binding("ctrl+s", "run", "Run", id="import.run"),
    ]

    DEFAULT_CSS = """
    ImportDialog #import-dialog {
        width: 80;
    }
    ImportDialog Label {
        margin-top: 1;
    }
    ImportDialog #import-format {
        layout: horizontal;
        height: auto;
        width: auto;
    }
    ImportDialog #import-status {
        height: auto;
        max-height: 12;
        margin-top: 1;
        color: $text-muted;
    }
    ImportDialog #import-status.-error {
        color: $error;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._worker: Worker[None] | None = None
        self._dataset_id: str | None = None

    def compose(self) -> ComposeResult:
        dataset = self.model.state.page.dataset
        self._dataset_id = str(dataset.id) if dataset is not None else None
        title = Text("Import a file into ")
        title.append_text(safe_text(dataset.name if dataset else "", max_len=60, style="bold"))
        with Vertical(id="import-dialog", classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Label("File (JSONL or CSV; a relative path is in the current directory)")
            yield Input("", placeholder="rows.jsonl", id="import-path")
            yield Label("Format")
            with RadioSet(id="import-format"):
                yield RadioButton("From the extension", value=True, id="import-format-auto")
                yield RadioButton("JSONL", id="import-format-jsonl")
                yield RadioButton("CSV", id="import-format-csv")
            yield Checkbox("Dry run: check every row, write nothing", True, id="import-dry-run")
            yield Static("", id="import-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="cancel")
                yield Button("Run", id="run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    # -- drawing -----------------------------------------------------------------------------

    def _status(self, message: str | Text, *, error: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.set_class(error, "-error")
        status.update(safe_text(message, multiline=True) if isinstance(message, str) else message)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def _format(self) -> ImportFormat | None:
        pressed = self.query_one("#import-format", RadioSet).pressed_button
        if pressed is not None and pressed.id == "import-format-jsonl":
            return "jsonl"
        if pressed is not None and pressed.id == "import-format-csv":
            return "csv"
        return None

    # -- running -----------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "run":
            self.action_run()
        else:
            self.action_cancel()

    def action_run(self) -> None:
        if self.running:
            return
        raw = self.query_one("#import-path", Input).value.strip()
        if not raw:
            self._status("Name the JSONL or CSV file to import.", error=True)
            return
        if self._dataset_id is None:
            self._status("No dataset is open to import into.", error=True)
            return
        path = Path(raw).expanduser().absolute()
        dry_run = self.query_one("#import-dry-run", Checkbox).value
        self.query_one("#run", Button).disabled = True
        self._status("Reading the file…")
        self._worker = self.run_model(
            self._import(path, self._format(), dry_run, self._dataset_id), group="import"
        )

    def _file_problem(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, ImportFileError):
            message = str(exc)
        elif isinstance(exc, FileNotFoundError):
            message = f"There is no file {path}."
        elif isinstance(exc, IsADirectoryError):
            message = f"{path} is a directory: name the file to import."
        elif isinstance(exc, OSError):
            message = f"Cannot read {path}: {exc.strerror or exc}"
        else:
            message = str(exc)
        self._status(message, error=True)

    async def _import(
        self, path: Path, format: ImportFormat | None, dry_run: bool, dataset_id: str
    ) -> None:
        try:
            await self._run_import(path, format, dry_run, dataset_id)
        finally:
            self.query_one("#run", Button).disabled = False

    async def _run_import(
        self, path: Path, format: ImportFormat | None, dry_run: bool, dataset_id: str
    ) -> None:
        model = self.model
        try:
            total = await asyncio.to_thread(_count_rows, path, format)
            rows = read_rows(path, format)
        except (ImportFileError, OSError, UnicodeError) as exc:
            self._file_problem(path, exc)
            return
        client = model.client
        ledger: ImportLedger | None = None
        with rows:
            try:
                generation = await client.detect_generation()
                if generation == "classic":
                    where = model.journal.journal.path.parent / "imports.sqlite3"
                    try:
                        ledger = ImportLedger(where, must_exist=dry_run)  # a dry run makes none
                    except FileNotFoundError:
                        ledger = None
            except ApiError as exc:
                self._status(exc.message, error=True)
                return
            except (OSError, sqlite3.Error) as exc:
                self._status(f"Cannot open the import ledger beside the journal: {exc}", error=True)
                return
            verb = "Checking" if dry_run else "Importing"
            self._status(f"{verb}… 0 / {total} rows")

            def progress(step: ImportProgress) -> None:
                done = "would create" if dry_run else "created"
                self._status(
                    f"{verb}… {step.rows} / {total} rows ({step.created} {done},"
                    f" {step.already} already there, {step.failed} failed)"
                )

            try:
                report = await import_rows(
                    client,
                    dataset_id,
                    rows,
                    ledger=ledger,
                    dry_run=dry_run,
                    on_progress=progress,
                )
            except ApiError as exc:
                self._status(exc.message, error=True)
                return
            except (ImportFileError, OSError, UnicodeError) as exc:
                self._file_problem(path, exc)
                return
            finally:
                if ledger is not None:
                    ledger.close()
        self._status(report_text(report), error=not report.ok)
        if not dry_run and (report.created or report.failed):
            await model.refresh()

    def action_cancel(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()  # the rows sent stay; running it again goes on from there
        self.dismiss(None)
