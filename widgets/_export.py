"""Export the open dataset to a JSONL or CSV file, under the item grid when **Export…** is on: a
file name (by default PostHog's, ``<slug>-r<N>.jsonl``, N the revision shown or the newest;
``.csv`` for CSV), the format, **only the search results** (while a search is shown: the items
its query matches, ``state.page.query``), a button, the export's progress as it goes and how
it ended. On v2 it is PostHog's export pinned to that revision; on classic the live items in
the same row format (``<slug>.jsonl``: no revisions there).

A whole dataset as JSONL is the model's ``export_dataset`` (``state.export`` follows it, the
status line says how it ended); CSV and the search results go through
`explorer.model.export.export_dataset` with the same progress in this box.

Built the first time it is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from explorer.api.errors import ApiError
from explorer.model import ExplorerModel, ModelState
from explorer.model.export import (
    ExportFormat,
    ExportProgress,
    ExportResult,
    default_filename,
    export_dataset,
)
from widgets._base import Part, button
from widgets._render import status_html

__all__ = ["ExportView", "default_name", "export_view_of"]

FORMATS = (("JSONL", "jsonl"), ("CSV", "csv"))


def newest_known(state: ModelState) -> int | None:
    """The open dataset's newest revision as far as the panel knows (the dataset as listed,
    the revisions loaded, the items on the page: a save since makes a newer one); None on
    classic."""
    dataset = state.page.dataset
    if dataset is None:
        return None
    known = [getattr(dataset, "current_revision", None)]
    revisions = state.revisions
    if revisions is not None and revisions.dataset_id == str(dataset.id):
        known.append(revisions.latest)
    if state.page.revision is None and not state.page.archived:
        known += [getattr(item, "dataset_revision", None) for item in state.page.items]
    numbers = [n for n in known if isinstance(n, int)]
    return max(numbers) if numbers else None


def default_name(
    state: ModelState, revision: int | None = None, format: ExportFormat = "jsonl"
) -> str:
    """The file name offered for the open dataset: PostHog's ``<slug>-r<N>.jsonl`` with
    ``revision``, else the revision shown, else its newest known; ``<slug>.jsonl`` when there
    is none (classic); ``.csv`` for CSV."""
    dataset = state.page.dataset
    if dataset is None:
        return ""
    if revision is None:
        revision = state.page.revision
    if revision is None:
        revision = newest_known(state)
    return default_filename(dataset.name, revision, format)


async def export_view_of(
    model: ExplorerModel,
    path: str | Path,
    *,
    revision: int | None,
    format: ExportFormat,
    query: str | None,
    on_progress: Any = None,
) -> ExportResult:
    """The open dataset (or its search's matches, ``query``) written as ``format``, straight
    through `explorer.model.export.export_dataset` (the model's command writes whole JSONL
    exports only). Raises what it raises."""
    dataset = model.state.page.dataset
    if dataset is None:
        raise ValueError("No dataset is open: open the one to export first.")
    return await export_dataset(
        model.client,
        str(dataset.id),
        path,
        revision=revision,
        format=format,
        query=query or None,
        on_progress=on_progress,
    )


class ExportView(Part):
    """The Export box; `build` is called the first time it is shown."""

    built = False

    def build(self) -> Any:
        self.built = True
        self.path: Any = w.Text(
            description="file",
            placeholder="where to write the JSONL file",
            layout=w.Layout(width="380px"),
        )
        self.path.style.description_width = "auto"
        self.path.add_class("dx-export-path")
        self.go = button(
            "Export", "write the dataset to this file", icon="download", style="primary"
        )
        self.format: Any = w.Dropdown(options=FORMATS, value="jsonl", layout=w.Layout(width="auto"))
        self.format.add_class("dx-export-format")
        self.results_only: Any = w.Checkbox(
            value=False, description="only the search results", indent=False
        )
        self.results_only.layout = w.Layout(width="auto")
        self.results_only.add_class("dx-export-results")
        self.progress: Any = w.HTML()
        self.progress.add_class("dx-wide")
        self.progress.add_class("dx-export-progress")
        self._direct: str | None = None  # the last direct export's line, while it is shown
        self.observe(self.format, lambda _: self.redraw(self.model.state), "value")
        row = w.HBox([self.path, self.format, self.results_only, self.go])
        row.layout.flex_flow = "row wrap"
        self.box: Any = w.VBox([row, self.progress])
        self.box.add_class("dx-export")
        self.on_click(self.go, self._export)
        self._offered = ""  # the default name last put in the box
        return self.box

    def _export(self) -> None:
        path = str(self.path.value).strip()
        if not path:
            self.progress.value = status_html("warning", "Type a file name first.")
            return
        offered = path == self._offered  # the name offered, not one the user typed
        chosen: ExportFormat = "csv" if self.format.value == "csv" else "jsonl"
        query = self.model.state.page.query if self.results_only.value else ""
        self._direct = None
        self.tasks.start("export", lambda: self._run(path, offered, chosen, query))

    async def _run(self, path: str, offered: bool, chosen: ExportFormat, query: str) -> None:
        state = self.model.state
        dataset = state.page.dataset
        if dataset is None:
            return
        revision = state.page.revision
        if revision is None and state.schema.versioned:
            # pinned to the newest revision, asked for now: the file holds the revision it is
            # named after (the dataset as listed may be older than a save since)
            await self.model.load_revisions(str(dataset.id))
            revisions = state.revisions
            if revisions is not None and revisions.dataset_id == str(dataset.id):
                revision = revisions.latest
            if revision is not None and offered:
                path = self._offered = default_name(state, revision, chosen)
                self.path.value = path
        if chosen == "jsonl" and not query:
            await self.model.export_dataset(path, revision)
            return
        await self._direct_export(path, revision, chosen, query)

    async def _direct_export(
        self, path: str, revision: int | None, chosen: ExportFormat, query: str
    ) -> None:
        def progress(step: ExportProgress) -> None:
            self._show(status_html("busy", step.message))

        self._show(status_html("busy", "Exporting…"))
        self.go.disabled = True
        try:
            result = await export_view_of(
                self.model,
                path,
                revision=revision,
                format=chosen,
                query=query,
                on_progress=progress,
            )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._show(status_html("error", f"Cannot write {path}: {reason}."))
        except (ApiError, ValueError) as exc:
            self._show(status_html("error", f"The export failed: {exc}"))
        else:
            rows = f"{result.rows:,} row" if result.rows == 1 else f"{result.rows:,} rows"
            what = f" matching {query}" if query else ""
            at = f" of revision {result.revision}" if result.revision is not None else ""
            line = f"Wrote {rows}{what}{at} to {result.path} ({chosen.upper()})."
            self._show(status_html("ok", line))
        finally:
            self.go.disabled = False

    def _show(self, value: str) -> None:
        self._direct = value
        if self.progress.value != value:
            self.progress.value = value

    def redraw(self, state: ModelState) -> None:
        if not self.built:
            return
        chosen: ExportFormat = "csv" if self.format.value == "csv" else "jsonl"
        self.results_only.disabled = not state.page.query
        if not state.page.query and self.results_only.value:
            with self.quiet():
                self.results_only.value = False
        self.results_only.description = (
            f"only the search results ({state.page.query})"[:60]
            if state.page.query
            else "only the search results"
        )
        offered = default_name(state, format=chosen)
        if offered != self._offered:
            # a name the user typed stays; the one offered follows the dataset and revision
            if not self.path.value or self.path.value == self._offered:
                self.path.value = offered
            self._offered = offered
        export = state.export
        dataset = state.page.dataset
        running = export is not None and export.running and state.busy.export
        self.go.disabled = dataset is None or running or self.tasks.pending("export")
        if self._direct is not None:
            if self.progress.value != self._direct:
                self.progress.value = self._direct
            return
        if export is None or dataset is None or export.dataset_id != str(dataset.id):
            value = status_html(
                "info",
                "Writes one row per item (PostHog's export format: JSON lines, or CSV with one"
                " column per key) to the file, relative to the notebook's folder.",
            )
        elif export.phase == "failed":
            value = status_html("error", export.message or "The export failed.")
        elif export.phase == "done":
            value = status_html("ok", export.message)
        else:
            value = status_html("busy", export.message or "Exporting…")
        if self.progress.value != value:
            self.progress.value = value
