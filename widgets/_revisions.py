"""A dataset's revisions (v2), under the item grid when **Revisions** is on: the list, newest
first (100 at a time, "Load more"), "Open as of rN" (the dataset as it was then, read-only: the
banner above the grid says so and leads back), and "Compare" a revision with another: a summary,
the items added, changed, archived or restored between them, and the picked one's diff field by
field (the save review's diff).

Built the first time it is opened. On the classic API it says the server keeps no revisions.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from explorer.model.history import ItemChange, RevisionCompare
from widgets._base import Part, button, set_options
from widgets._render import escape_text, status_html
from widgets._render._history import (
    change_option,
    fields_diff_html,
    revision_option,
    version_meta_html,
    when_text,
)

__all__ = ["RevisionsView", "change_html"]


def change_html(
    state: ModelState, compare: RevisionCompare, change: ItemChange, fields: Any
) -> str:
    """One item's change between two revisions: its id, what happened, the version it has at
    the newer revision (who made it, when), and the diff of each field that differs."""
    item_id = escape_text(change.item_id)
    head = (
        f'<div class="dx-diff-title">Item <code class="dx-version-id">{item_id}</code>:'
        f" {escape_text(change.kind)} between revision {compare.older} and {compare.newer}"
        f" ({escape_text(change.summary)})</div>"
    )
    diff = fields_diff_html(
        change.before,
        change.after,
        fields,
        state.schema,
        older_label=f"r{compare.older}",
        newer_label=f"r{compare.newer}",
    )
    return f'<div class="dx-history-diff">{head}{version_meta_html(change.after)}{diff}</div>'


class RevisionsView(Part):
    """The Revisions box; `build` is called the first time it is shown."""

    built = False

    def build(self) -> Any:
        self.built = True
        self.head: Any = w.HTML()
        self.head.add_class("dx-wide")
        self.list: Any = w.Select(options=[], value=None, rows=6)
        self.list.add_class("dx-rows")
        self.list.add_class("dx-revision-list")
        self.open = button("Open as of…", "show the dataset as it was at this revision (read-only)")
        self.open.icon = "eye"
        self.other: Any = w.Dropdown(
            options=[], value=None, description="with", layout=w.Layout(width="auto")
        )
        self.other.style.description_width = "auto"
        self.other.add_class("dx-compare-with")
        self.compare = button(
            "Compare", "list the items that changed between the two", icon="exchange"
        )
        self.more = button("Load more", "the next 100 revisions", icon="angle-double-down")
        tools = w.HBox([self.open, self.compare, self.other, self.more])
        tools.add_class("dx-revision-tools")
        tools.layout.flex_flow = "row wrap"
        self.summary: Any = w.HTML()
        self.summary.add_class("dx-wide")
        self.changes: Any = w.Select(options=[], value=None, rows=6)
        self.changes.add_class("dx-rows")
        self.changes.add_class("dx-change-list")
        self.change_diff: Any = w.HTML()
        self.change_diff.add_class("dx-wide")
        self.result: Any = w.VBox([self.summary, self.changes, self.change_diff])
        self.result.add_class("dx-compare")
        self.result.layout.display = "none"
        self.body: Any = w.VBox([self.list, tools, self.result])
        self.box: Any = w.VBox([self.head, self.body])
        self.box.add_class("dx-revisions")
        self.observe(self.list, lambda _: self._enable(self.model.state), "value")
        self.observe(self.changes, lambda _: self._draw_change(self.model.state), "value")
        self.on_click(self.open, self._open)
        self.on_click(self.compare, self._compare)
        self.on_click(self.more, lambda: self._load(more=True))
        self._asked: str | None = None
        self._shown: tuple[Any, ...] | None = None
        self._compare_shown: RevisionCompare | None = None
        self._change_key: tuple[Any, ...] | None = None
        return self.box

    # -- events ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the revisions again (Revisions turned on again: the newest since show)."""
        self._load()

    def _load(self, *, more: bool = False) -> None:
        dataset = self.model.state.page.dataset
        if dataset is None:
            return
        self._asked = str(dataset.id)
        dataset_id = str(dataset.id)
        self.tasks.start("revisions", lambda: self.model.load_revisions(dataset_id, more=more))

    def _picked(self) -> int | None:
        value = self.list.value
        return None if value is None else int(value)

    def _open(self) -> None:
        number = self._picked()
        if number is not None:
            self.tasks.start("page", lambda: self.model.open_revision(number))

    def _compare(self) -> None:
        number, other = self._picked(), self.other.value
        if number is None or other is None:
            return
        older = int(other)
        self.tasks.start("compare", lambda: self.model.compare_revisions(number, older))

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self, state: ModelState) -> None:
        if not self.built:
            return
        dataset = state.page.dataset
        if dataset is None:
            return
        revisions = state.revisions
        if revisions is None or revisions.dataset_id != str(dataset.id):
            if self._asked != str(dataset.id):
                self._load()
            elif self.tasks.task("revisions") is None:  # asked, answered, not there: failed
                self._message(
                    "warning",
                    f"The revisions of {dataset.name} could not be loaded (the status line says"
                    " why). Turn Revisions off and on to try again.",
                )
                return
            self._message("busy", f"Loading the revisions of {dataset.name}…")
            return
        if not revisions.supported:
            self._message("info", revisions.message)
            return
        self.body.layout.display = ""
        shown = len(revisions.revisions)
        more = f" (the newest {shown:,} shown)" if revisions.has_more else ""
        head = f"{revisions.dataset_name}: {revisions.total:,} revisions, newest first{more}"
        self.head.value = (
            f'<div class="dx-history-head"><b>{escape_text(head)}</b> <span class="dx-note">'
            "each new item version (create, edit, archive, restore) makes one</span></div>"
        )
        key = (revisions.dataset_id, tuple(r.id for r in revisions.revisions))
        if key != self._shown:
            self._shown = key
            options = [(revision_option(r), str(r.number)) for r in revisions.revisions]
            with self.quiet():
                keep = self.list.value
                set_options(
                    self.list, options, keep if any(v == keep for _, v in options) else None
                )
                others = [
                    (f"r{r.number} · {when_text(r.when)}" + (" (newest)" if i == 0 else ""), v)
                    for i, (r, (_, v)) in enumerate(zip(revisions.revisions, options, strict=True))
                ]
                other = self.other.value
                if not any(v == other for _, v in others):
                    other = others[0][1] if others else None  # the newest
                set_options(self.other, others, other)
        self.more.layout.display = "" if revisions.has_more else "none"
        self._draw_compare(state)
        self._enable(state)

    def _message(self, kind: str, text: str) -> None:
        self.head.value = status_html(kind, text)
        self.body.layout.display = "none"

    def _enable(self, state: ModelState) -> None:
        number = self._picked()
        self.open.disabled = number is None or number == state.page.revision
        self.open.description = "Open as of…" if number is None else f"Open as of r{number}"
        self.compare.disabled = number is None or self.other.value in (None, str(number))
        self.compare.description = "Compare" if number is None else f"Compare r{number}"

    def _draw_compare(self, state: ModelState) -> None:
        compare = state.compare
        dataset = state.page.dataset
        if compare is None or dataset is None or compare.dataset_id != str(dataset.id):
            self.result.layout.display = "none"
            self._compare_shown = None
            return
        self.result.layout.display = ""
        if compare is self._compare_shown:
            return
        self._compare_shown = compare
        self.summary.value = (
            f'<div class="dx-diff-title">{escape_text(compare.summary.capitalize())}</div>'
        )
        options = [(change_option(c), c.item_id) for c in compare.changes]
        with self.quiet():
            set_options(self.changes, options, options[0][1] if options else None)
            self.changes.rows = max(2, min(6, len(options)))
        self.changes.layout.display = "" if options else "none"
        self._change_key = None
        self._draw_change(state)

    def _draw_change(self, state: ModelState) -> None:
        if self.busy:
            return
        compare = state.compare
        picked = self.changes.value
        change = None
        if compare is not None and picked is not None:
            change = next((c for c in compare.changes if c.item_id == picked), None)
        if compare is None or change is None:
            self.change_diff.value = ""
            self._change_key = None
            return
        key = (compare.dataset_id, compare.older, compare.newer, change.item_id, state.schema)
        if key == self._change_key:
            return
        self._change_key = key
        fields = list(self.model.diff_change(change))
        self.change_diff.value = change_html(state, compare, change, fields)
