"""What happened to the open dataset, around the item grid: a row of toggles under it
(**Revisions**, **Show archived**, **Export…**, **Import…**) opening their boxes below it (each
built the first time it opens), and above the grid a banner whenever the page shows something
other than the live items: a past revision (read-only, "Back to current") or the archived items
("Restore item", "Back to live items"). The header says it too; every write button is disabled
then (``state.page_read_only``).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.api.models import short_id
from explorer.model import ItemSchema, ModelState
from widgets._base import Part, button
from widgets._export import ExportView
from widgets._import import ImportView
from widgets._render import status_html
from widgets._revisions import RevisionsView

__all__ = ["DatasetBar"]


def _toggle(description: str, tooltip: str, icon: str) -> Any:
    return w.ToggleButton(
        description=description, tooltip=tooltip, icon=icon, layout=w.Layout(width="auto")
    )


class DatasetBar(Part):
    def build(self) -> Any:
        """The toggles and their boxes (under the grid); `banner` goes above it."""
        self.banner_text: Any = w.HTML()
        self.banner_text.add_class("dx-wide")
        self.back = button(
            "Back to current", "show the dataset's items as they are now (editable)", icon="undo"
        )
        self.restore_item = button(
            "Restore item", "bring the selected archived item back", icon="reply", style="primary"
        )
        self.live = button("Back to live items", "list the items that are not archived")
        self.banner: Any = w.HBox([self.banner_text, self.restore_item, self.back, self.live])
        self.banner.add_class("dx-view-banner")
        self.banner.layout.flex_flow = "row wrap"
        self.banner.layout.display = "none"
        self.revisions_on = _toggle(
            "Revisions", "the dataset's revisions: open one (read-only), compare two", "history"
        )
        self.archived_on = _toggle(
            "Show archived", "list the archived items instead of the live ones", "archive"
        )
        self.export_on = _toggle(
            "Export…", "write the dataset (or the search results) to JSONL or CSV", "download"
        )
        self.import_on = _toggle(
            "Import…", "add items from a JSONL or CSV file (a dry run first)", "upload"
        )
        bar = w.HBox([self.revisions_on, self.archived_on, self.export_on, self.import_on])
        bar.add_class("dx-dataset-bar")
        bar.layout.flex_flow = "row wrap"
        self.revisions = RevisionsView(self.model, self.tasks)
        self.export = ExportView(self.model, self.tasks)
        self.importing = ImportView(self.model, self.tasks)
        self.boxes: Any = w.VBox([])
        self.box: Any = w.VBox([bar, self.boxes])
        self.box.add_class("dx-dataset-tools")
        self.observe(self.revisions_on, self._on_revisions, "value")
        self.observe(self.export_on, lambda _: self._toggled(), "value")
        self.observe(self.import_on, lambda _: self._toggled(), "value")
        self.observe(self.archived_on, self._on_archived, "value")
        self.on_click(self.back, lambda: self.tasks.start("page", self._back))
        self.on_click(self.live, lambda: self.tasks.start("page", self._live))
        self.on_click(self.restore_item, self._restore)
        return self.box

    async def _back(self) -> None:
        await self.model.open_revision(None)

    async def _live(self) -> None:
        await self.model.show_archived_items(False)

    def _on_archived(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        on = bool(change["new"])
        self.tasks.start("page", lambda: self.model.show_archived_items(on))

    def _restore(self) -> None:
        item = self.model.state.selection
        if item is None:
            return
        item_id = str(item.id)
        self.tasks.write(lambda: self.model.restore_item(item_id))

    def _on_revisions(self, change: dict[str, Any]) -> None:
        if change["new"] and self.revisions.built:
            self.revisions.reload()  # fresh each time it is opened
        self._toggled()

    def _toggled(self) -> None:
        """Show the boxes that are on, building each the first time."""
        if self.busy:
            return
        shown = []
        parts: tuple[tuple[Any, Any], ...] = (
            (self.revisions_on, self.revisions),
            (self.export_on, self.export),
            (self.import_on, self.importing),
        )
        for on, part in parts:
            if on.value:
                if not part.built:
                    part.build()
                shown.append(part.box)
        self.boxes.children = shown
        self.redraw(self.model.state)

    def redraw(self, state: ModelState) -> None:
        page = state.page
        dataset = page.dataset
        self.box.layout.display = "none" if dataset is None else ""
        with self.quiet():
            if self.archived_on.value != page.archived:
                self.archived_on.value = page.archived
        self._draw_banner(state)
        if dataset is None:
            return
        if self.revisions_on.value:
            self.revisions.redraw(state)
        if self.export_on.value:
            self.export.redraw(state)
        if self.import_on.value:
            self.importing.redraw(state)

    def _draw_banner(self, state: ModelState) -> None:
        page = state.page
        dataset = page.dataset
        if dataset is None or (page.revision is None and not page.archived):
            self.banner.layout.display = "none"
            return
        self.banner.layout.display = ""
        name = dataset.name[:200]
        if page.revision is not None:
            what = "the archived items of " if page.archived else ""
            text = (
                f"Showing {what}{name} as of revision {page.revision}: read-only. Nothing can"
                " be changed here; go back to the current revision to edit."
            )
            kind = "warning"
        else:
            text = (
                f"Showing the archived items of {name}: read-only. Select one and restore it"
                " to bring it back."
            )
            kind = "info"
        value = status_html(kind, text)
        if self.banner_text.value != value:
            self.banner_text.value = value
        self.back.layout.display = "" if page.revision is not None else "none"
        self.live.layout.display = "" if page.archived else "none"
        item = state.selection
        archived = item is not None and ItemSchema.is_removed(item)
        self.restore_item.layout.display = "" if page.archived else "none"
        self.restore_item.disabled = (
            not archived or state.read_only or page.revision is not None or state.busy.delete
        )
        self.restore_item.description = (
            f"Restore item {short_id(item.id)}" if archived and item is not None else "Restore item"
        )
