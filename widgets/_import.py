"""Import a JSONL or CSV file into the open dataset, under the item grid when **Import…** is on:
the file's path (relative to the notebook's folder), its format (by default from the
extension), **dry run** (on by default: every row is read and checked against the dataset,
nothing is sent, the report says what would happen), and the button. Progress shows as rows are
read; then the report: rows imported (or that would be), already there, failed, with each
failed row's line and reason.

Rows come from `explorer.model.importing.read_rows` and go in through `import_rows`, so running
an import again creates nothing twice (v2: ``client_item_id``; classic: the import ledger
beside the journal). After an import the page (and a search shown) is read again.

Built the first time it is opened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from explorer.api.errors import ApiError
from explorer.model import ExplorerModel, ModelState
from explorer.model.importing import (
    ImportFileError,
    ImportLedger,
    ImportProgress,
    ImportReport,
    import_rows,
    read_rows,
)
from widgets._base import Part, button
from widgets._render import escape_text, status_html

__all__ = ["FORMATS", "ImportView", "import_file", "report_html", "report_line"]

FORMATS = (("format from the extension", ""), ("JSONL", "jsonl"), ("CSV", "csv"))
_PROBLEMS_SHOWN = 200
_EVERY = 0.25  # seconds between two progress redraws


def ledger_path(model: ExplorerModel) -> Path:
    """The import ledger beside the panel's journal (a demo's is temporary too)."""
    return model.journal.journal.path.parent / "imports.sqlite3"


async def import_file(
    model: ExplorerModel,
    path: str | Path,
    *,
    format: str | None = None,
    dry_run: bool = True,
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> ImportReport:
    """Import ``path`` into the open dataset (see the module's docstring); the page is read
    again after rows were created. Raises ValueError when no dataset is open,
    `ImportFileError` (a ValueError) for a file that cannot be read as rows, OSError when it
    cannot be opened, the client's `ApiError` when the dataset cannot be listed."""
    dataset = model.state.page.dataset
    if dataset is None:
        raise ValueError("No dataset is open: open the one to import into first.")
    if format not in (None, "", "jsonl", "csv"):
        raise ValueError(f"Files are imported from jsonl or csv, not {format!r}.")
    chosen: Any = format or None
    ledger: ImportLedger | None = None
    with read_rows(path, chosen) as rows:
        try:
            if dry_run:
                try:  # a dry run reads what earlier imports made, and makes no ledger
                    ledger = ImportLedger(ledger_path(model), must_exist=True)
                except FileNotFoundError:
                    ledger = None
            else:
                ledger = ImportLedger(ledger_path(model))
            report = await import_rows(
                model.client,
                str(dataset.id),
                rows,
                ledger=ledger,
                dry_run=dry_run,
                on_progress=on_progress,
            )
        finally:
            if ledger is not None:
                ledger.close()
    if not dry_run and report.created:
        await model.refresh()
    return report


def report_line(report: ImportReport, name: str) -> str:
    """One line, as the command line says it: "Imported 598 rows into NAME (2 already there,
    0 failed)."; a dry run: "Would import ..."."""
    verb = "Would import" if report.dry_run else "Imported"
    rows = f"{report.created:,} row" if report.created == 1 else f"{report.created:,} rows"
    line = (
        f"{verb} {rows} into {name} ({report.already:,} already there, {report.failed:,} failed)."
    )
    if report.stopped:
        line += f" Stopped at line {report.stopped_at}: {report.stopped}. Running it again goes on."
    return line


def report_html(report: ImportReport, name: str) -> str:
    """The report: its line, then each failed row's line and reason (escaped)."""
    kind = "ok" if report.ok else ("error" if report.stopped else "warning")
    if report.dry_run and report.ok:
        kind = "info"
    out = status_html(kind, report_line(report, name))
    problems = report.problems
    if problems:
        rows = "".join(
            f"<li>line {p.line:,}: {escape_text(p.reason)}</li>" for p in problems[:_PROBLEMS_SHOWN]
        )
        more = report.failed - min(len(problems), _PROBLEMS_SHOWN)
        cut = f'<div class="dx-more">… {more:,} more</div>' if more > 0 else ""
        title = f"{report.failed:,} rows not imported, and why"
        out += (
            f'<details class="dx-import-problems" open><summary>{escape_text(title)}</summary>'
            f"<ul>{rows}</ul>{cut}</details>"
        )
    return out


class ImportView(Part):
    """The Import box; `build` is called the first time it is shown."""

    built = False

    def build(self) -> Any:
        self.built = True
        self.path: Any = w.Text(
            description="file",
            placeholder="a .jsonl or .csv file, relative to the notebook's folder",
            layout=w.Layout(width="380px"),
        )
        self.path.style.description_width = "auto"
        self.path.add_class("dx-import-path")
        self.format: Any = w.Dropdown(options=FORMATS, value="", layout=w.Layout(width="auto"))
        self.dry_run: Any = w.Checkbox(
            value=True, description="dry run (check every row, send nothing)", indent=False
        )
        self.dry_run.layout = w.Layout(width="auto")
        self.go = button("Check file", "read and check every row; nothing is sent")
        self.go.button_style = "primary"
        self.progress: Any = w.HTML()
        self.progress.add_class("dx-wide")
        self.progress.add_class("dx-import-progress")
        row = w.HBox([self.path, self.format, self.dry_run, self.go])
        row.layout.flex_flow = "row wrap"
        self.box: Any = w.VBox([row, self.progress])
        self.box.add_class("dx-import")
        self.observe(self.dry_run, lambda _: self._label(), "value")
        self.on_click(self.go, self._import)
        self._running = False
        self._shown = status_html(
            "info",
            "One row per line (JSONL) or a CSV with a header naming the fields (input,"
            " expected_output or output, metadata, metadata.<key>...). An export imports back;"
            " running an import again creates nothing twice.",
        )
        self.progress.value = self._shown
        self._label()
        return self.box

    def _label(self) -> None:
        dry = bool(self.dry_run.value)
        self.go.description = "Check file" if dry else "Import"
        self.go.tooltip = (
            "read and check every row; nothing is sent" if dry else "create one item per row"
        )
        self.go.icon = "check" if dry else "upload"

    def _import(self) -> None:
        path = str(self.path.value).strip()
        if not path:
            self.progress.value = status_html("warning", "Type the file's path first.")
            return
        chosen, dry = str(self.format.value), bool(self.dry_run.value)
        self.tasks.start("import", lambda: self._run(path, chosen, dry))

    async def _run(self, path: str, chosen: str, dry: bool) -> None:
        dataset = self.model.state.page.dataset
        if dataset is None:
            return
        name = dataset.name
        self._running = True
        self.go.disabled = True
        last = 0.0

        def progress(step: ImportProgress) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= _EVERY:
                last = now
                self.progress.value = status_html("busy", f"Line {step.line:,}: {step.message}")

        self.progress.value = status_html("busy", f"Reading {path}…")
        try:
            report = await import_file(
                self.model, path, format=chosen or None, dry_run=dry, on_progress=progress
            )
        except (ImportFileError, ValueError) as exc:
            self.progress.value = status_html("error", str(exc))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.progress.value = status_html("error", f"Cannot read {path}: {reason}.")
        except ApiError as exc:
            self.progress.value = status_html("error", f"The import failed: {exc}")
        else:
            self.progress.value = report_html(report, name)
        finally:
            self._running = False
            self.redraw(self.model.state)

    def redraw(self, state: ModelState) -> None:
        if not self.built:
            return
        writable = not state.page_read_only
        self.go.disabled = self._running or state.page.dataset is None or not writable
