"""Export the open dataset to a JSONL file, under the item grid when **Export…** is on: a file
name (by default PostHog's, ``<slug>-r<N>.jsonl``, N the revision shown or the newest), a
button, the export's progress as it goes (``state.export.message`` at each ``export_progress``
change) and how it ended. On v2 it is PostHog's export pinned to that revision; on classic the
live items in the same row format (``<slug>.jsonl``: no revisions there).

Built the first time it is opened.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from explorer.model.export import default_filename
from widgets._base import Part, button
from widgets._render import status_html

__all__ = ["ExportView", "default_name"]


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


def default_name(state: ModelState, revision: int | None = None) -> str:
    """The file name offered for the open dataset: PostHog's ``<slug>-r<N>.jsonl`` with
    ``revision``, else the revision shown, else its newest known; ``<slug>.jsonl`` when there
    is none (classic)."""
    dataset = state.page.dataset
    if dataset is None:
        return ""
    if revision is None:
        revision = state.page.revision
    if revision is None:
        revision = newest_known(state)
    return default_filename(dataset.name, revision)


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
        self.progress: Any = w.HTML()
        self.progress.add_class("dx-wide")
        self.progress.add_class("dx-export-progress")
        row = w.HBox([self.path, self.go])
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
        self.tasks.start("export", lambda: self._run(path, offered))

    async def _run(self, path: str, offered: bool) -> None:
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
                path = self._offered = default_name(state, revision)
                self.path.value = path
        await self.model.export_dataset(path, revision)

    def redraw(self, state: ModelState) -> None:
        if not self.built:
            return
        offered = default_name(state)
        if offered != self._offered:
            # a name the user typed stays; the one offered follows the dataset and revision
            if not self.path.value or self.path.value == self._offered:
                self.path.value = offered
            self._offered = offered
        export = state.export
        dataset = state.page.dataset
        running = export is not None and export.running and state.busy.export
        self.go.disabled = dataset is None or running
        if export is None or dataset is None or export.dataset_id != str(dataset.id):
            value = status_html(
                "info",
                "Writes one JSON line per item (PostHog's export format) to the file, relative"
                " to the notebook's folder.",
            )
        elif export.phase == "failed":
            value = status_html("error", export.message or "The export failed.")
        elif export.phase == "done":
            value = status_html("ok", export.message)
        else:
            value = status_html("busy", export.message or "Exporting…")
        if self.progress.value != value:
            self.progress.value = value
