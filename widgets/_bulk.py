"""The marks bar over the item grid and the bulk actions it starts.

While items are marked (the grid's checkbox column, or **Mark all N results** under a search) a
bar says how many: "12 marked · Archive · Restore · Set metadata… · Remove metadata key… ·
Move to… · Copy to… · Clear". A button (after its key, value or dataset for the last four) opens
one confirmation showing the model's `BulkPlan`: what it will do and to how many items, the
items it will skip and why, its warnings; a plan the model refuses (PostHog's limits, read-only)
says why and **Confirm** stays disabled. Confirm runs the action on the items marked when the
plan was made; a progress bar follows it (``bulk_progress`` changes), then a line says how many
were done, skipped and failed with the first reasons, and a list gives each item's outcome. The
panel's **Undo** (also here) reverts the whole batch.

Built the first time something is marked: until then the bar is one empty box.
"""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as w

from explorer.api import short_id
from explorer.model import ModelState
from explorer.model.bulk import BulkAction, BulkPlan
from explorer.model.state import BulkItemResult, BulkState
from widgets._base import Part, button, set_options
from widgets._picker import dataset_label
from widgets._render import escape_attr, escape_text, make_visible, status_html

__all__ = ["BulkBar", "metadata_value"]

_CHOOSE = "— choose a dataset —"
_LISTED = 500  # per-item outcomes listed (the rest counted)


def metadata_value(text: str) -> Any:
    """What the value box means: JSON when it reads as JSON (``true``, ``3``, ``["a"]``,
    ``"quoted"``), else the text itself (``reviewed``)."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


def _items(n: int) -> str:
    return f"{n:,} item" if n == 1 else f"{n:,} items"


def _outcomes_html(results: list[BulkItemResult] | tuple[BulkItemResult, ...], title: str) -> str:
    """A closed ``<details>`` listing each item's outcome (escaped), the first `_LISTED`."""
    if not results:
        return ""
    rows = "".join(
        f'<li><code title="{escape_attr(r.item_id)}">{escape_text(short_id(r.item_id))}</code>'
        f" {escape_text(r.outcome)}"
        + (f": {escape_text(make_visible(r.reason))}" if r.reason else "")
        + "</li>"
        for r in results[:_LISTED]
    )
    more = len(results) - _LISTED
    cut = f'<div class="dx-more">… {more:,} more</div>' if more > 0 else ""
    return (
        f'<details class="dx-bulk-items"><summary>{escape_text(title)}</summary>'
        f"<ul>{rows}</ul>{cut}</details>"
    )


class BulkBar(Part):
    """The marks bar, the form and confirmation of a bulk action, its progress and result."""

    built = False

    def build(self) -> Any:
        self.box: Any = w.VBox([])
        self.box.add_class("dx-bulk")
        self.box.layout.display = "none"
        self.plan: BulkPlan | None = None
        self._pending: tuple[BulkAction, list[str], str, Any, str | None] | None = None
        self._asking: BulkAction | None = None
        self._dismissed: BulkState | None = None
        return self.box

    def _build_parts(self) -> None:
        """The widgets, made the first time they are needed."""
        self.built = True
        self.count: Any = w.HTML()
        self.count.add_class("dx-bulk-count")
        self.archive = button("Archive", "archive the marked items (undo brings them back)")
        self.restore = button("Restore", "restore the marked archived items")
        self.set_metadata = button("Set metadata…", "set a metadata key on the marked items")
        self.remove_metadata = button(
            "Remove metadata key…", "remove a metadata key from the marked items"
        )
        self.move = button("Move to…", "move the marked items to another dataset")
        self.copy = button("Copy to…", "copy the marked items into a dataset")
        self.clear = button("Clear", "unmark every item")
        bar = w.HBox(
            [
                self.count,
                self.archive,
                self.restore,
                self.set_metadata,
                self.remove_metadata,
                self.move,
                self.copy,
                self.clear,
            ]
        )
        bar.add_class("dx-bulk-bar")
        bar.layout.flex_flow = "row wrap"
        self.bar = bar
        # the form: a key and value, or a dataset, before the plan
        self.prompt: Any = w.HTML()
        self.key: Any = w.Text(placeholder="metadata key", layout=w.Layout(width="160px"))
        self.value: Any = w.Text(
            placeholder="value (JSON; a bare word is text)", layout=w.Layout(width="220px")
        )
        self.target: Any = w.Dropdown(options=[(_CHOOSE, "")], value="")
        self.target.layout = w.Layout(width="260px")
        self.review = button("Review…", "show what it would do, before anything is sent")
        self.review.button_style = "primary"
        self.cancel_form = button("Cancel", "do nothing")
        self.form: Any = w.HBox(
            [self.prompt, self.key, self.value, self.target, self.review, self.cancel_form]
        )
        self.form.add_class("dx-bulk-form")
        self.form.layout.flex_flow = "row wrap"
        # the one confirmation
        self.plan_html: Any = w.HTML()
        self.plan_html.add_class("dx-wide")
        self.confirm = button("Confirm", "run it on the items listed")
        self.confirm.button_style = "danger"
        self.cancel = button("Cancel", "do nothing")
        self.confirming: Any = w.VBox([self.plan_html, w.HBox([self.confirm, self.cancel])])
        self.confirming.add_class("dx-bulk-confirm")
        # progress, then the result
        self.progress: Any = w.IntProgress(min=0, max=1, value=0)
        self.progress.layout = w.Layout(width="240px")
        self.progress_text: Any = w.HTML()
        self.running: Any = w.HBox([self.progress, self.progress_text])
        self.running.add_class("dx-bulk-progress")
        self.result: Any = w.HTML()
        self.result.add_class("dx-wide")
        self.undo = button("Undo", "revert the whole batch", icon="undo")
        self.dismiss = button("×", "hide this result")
        self.outcome: Any = w.HBox([self.result, self.undo, self.dismiss])
        self.outcome.add_class("dx-bulk-result")
        self.box.children = [self.bar, self.form, self.confirming, self.running, self.outcome]
        self.on_click(self.archive, lambda: self.start_plan("archive"))
        self.on_click(self.restore, lambda: self.start_plan("restore"))
        self.on_click(self.set_metadata, lambda: self.ask("set_metadata"))
        self.on_click(self.remove_metadata, lambda: self.ask("remove_metadata"))
        self.on_click(self.move, lambda: self.ask("move"))
        self.on_click(self.copy, lambda: self.ask("copy"))
        self.on_click(self.clear, lambda: self.tasks.start("marks:clear", self.model.clear_marks))
        self.on_click(self.review, self._review)
        self.on_click(self.cancel_form, self._close)
        self.on_click(self.confirm, self._confirm)
        self.on_click(self.cancel, self._close)
        self.on_click(self.undo, lambda: self.tasks.write(self.model.undo))
        self.on_click(self.dismiss, self._dismiss)
        self._close()

    # -- asking, planning, confirming ------------------------------------------------------------

    def ask(self, action: BulkAction) -> None:
        """Open the form of ``action`` (its key and value, or its dataset), nothing chosen."""
        if not self.built:
            self._build_parts()
        self._close()
        self._asking = action
        word = {
            "set_metadata": "Set on the marked items: metadata.",
            "remove_metadata": "Remove from the marked items: metadata.",
            "move": "Move the marked items to",
            "copy": "Copy the marked items to",
        }.get(action, "")
        self.prompt.value = f'<span class="dx-note">{escape_text(word)}</span>'
        metadata = action in ("set_metadata", "remove_metadata")
        self.key.layout.display = "" if metadata else "none"
        self.value.layout.display = "" if action == "set_metadata" else "none"
        self.target.layout.display = "" if action in ("move", "copy") else "none"
        with self.quiet():
            self.key.value = ""
            self.value.value = ""
            self._set_targets(self.model.state, action)
        self.form.layout.display = ""
        self.redraw(self.model.state)

    def _review(self) -> None:
        action = self._asking
        if action is None:
            return
        key = str(self.key.value).strip()
        if action in ("set_metadata", "remove_metadata") and not key:
            self.prompt.value = status_html("warning", "Type the metadata key first.")
            return
        if action == "set_metadata" and not str(self.value.value).strip():
            self.prompt.value = status_html("warning", "Type the value first (JSON or text).")
            return
        target = str(self.target.value)
        if action in ("move", "copy") and not target:
            self.prompt.value = status_html("warning", "Choose the dataset first.")
            return
        value = metadata_value(str(self.value.value)) if action == "set_metadata" else None
        self.start_plan(action, key=key, value=value, dataset_id=target or None)

    def start_plan(
        self,
        action: BulkAction,
        *,
        key: str = "",
        value: Any = None,
        dataset_id: str | None = None,
    ) -> None:
        """Plan ``action`` for the items marked now and show it for confirmation."""
        if not self.built:
            self._build_parts()
        ids = list(self.model.state.marked)
        self._close()
        self.plan_html.value = status_html("busy", "Planning…")
        self.confirm.disabled = True
        self.confirming.layout.display = ""
        self._pending = (action, ids, key, value, dataset_id)

        async def work() -> None:
            plan = await self.model.bulk_plan(
                action, ids, dataset_id=dataset_id, key=key, value=value
            )
            self.show_plan(plan)

        self.tasks.start("bulk-plan", work)
        self.redraw(self.model.state)

    def show_plan(self, plan: BulkPlan) -> None:
        self.plan = plan
        parts = [f'<div class="dx-bulk-title"><b>{escape_text(plan.description)}</b></div>']
        if plan.refusal:
            parts.append(status_html("error", f"Refused: {plan.refusal}"))
        elif plan.count == 0:
            parts.append(status_html("warning", "Nothing to do: every marked item is skipped."))
        for warning in plan.warnings:
            parts.append(status_html("warning", warning))
        skipped = list(plan.skipped)
        parts.append(_outcomes_html(skipped, f"{_items(len(skipped))} skipped, and why"))
        self.plan_html.value = "".join(parts)
        self.confirm.disabled = bool(plan.refusal) or plan.count == 0
        self.confirm.tooltip = plan.description
        # "Archive 37 items", "Set metadata.k to true on 3 items": what the click does
        self.confirm.description = f"Confirm: {plan.description.split(' of ')[0]}"

    def _confirm(self) -> None:
        plan, pending = self.plan, self._pending
        if plan is None or pending is None or not plan.allowed or plan.count == 0:
            return
        action, ids, key, value, dataset_id = pending
        model = self.model
        commands = {
            "archive": lambda: model.bulk_archive(ids),
            "restore": lambda: model.bulk_restore(ids),
            "set_metadata": lambda: model.bulk_set_metadata(key, value, ids),
            "remove_metadata": lambda: model.bulk_remove_metadata(key, ids),
            "move": lambda: model.bulk_move(dataset_id or "", ids),
            "copy": lambda: model.bulk_copy(dataset_id or "", ids),
        }
        self._close()
        self._dismissed = None
        self.tasks.write(commands[action])

    def _close(self) -> None:
        """Close the form and the confirmation; forget the plan."""
        self._asking = None
        self.plan = None
        self._pending = None
        self.form.layout.display = "none"
        self.confirming.layout.display = "none"
        self.confirm.description = "Confirm"
        self.redraw(self.model.state)

    def _dismiss(self) -> None:
        self._dismissed = self.model.state.bulk
        self.redraw(self.model.state)

    def _set_targets(self, state: ModelState, action: BulkAction) -> None:
        here = state.page.dataset
        options = [(_CHOOSE, "")]
        options += [
            (dataset_label(d.name, 40), str(d.id))
            for d in state.datasets.datasets
            if not (action == "move" and here is not None and d.id == here.id)
        ]
        set_options(self.target, options, "")

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self, state: ModelState) -> None:
        marked = len(state.marked)
        bulk = state.bulk
        if not self.built:
            if not marked and bulk is None:
                return
            self._build_parts()
            return  # _build_parts redraws
        asking = self._asking is not None or self._pending is not None
        running = bulk is not None and bulk.running
        result = bulk is not None and not bulk.running and bulk is not self._dismissed
        self.bar.layout.display = "" if marked else "none"
        self.count.value = f'<b class="dx-bulk-count-text">{marked:,} marked</b>'
        page = state.page
        writable = not state.read_only and page.revision is None
        idle = not state.busy.bulk
        for widget in (self.set_metadata, self.remove_metadata, self.move, self.copy):
            widget.disabled = not (writable and idle and not page.archived)
        self.archive.disabled = not (writable and idle and not page.archived)
        self.restore.disabled = not (writable and idle)
        self.clear.disabled = not marked
        schema = state.schema
        self.archive.description = schema.remove_label
        self.archive.tooltip = f"{schema.remove_label} the marked items (undo brings them back)"
        self.restore.tooltip = f"restore the marked {schema.removed_word} items"
        self._draw_progress(bulk, running)
        self._draw_result(state, bulk if result else None)
        shown = marked or asking or running or result
        self.box.layout.display = "" if shown else "none"

    def _draw_progress(self, bulk: BulkState | None, running: bool) -> None:
        self.running.layout.display = "" if running else "none"
        if bulk is None or not running:
            return
        with self.progress.hold_sync():
            self.progress.max = max(1, bulk.total)
            self.progress.value = min(bulk.done, bulk.total)
        text = f"{bulk.action}: {bulk.done:,} of {bulk.total:,}"
        self.progress_text.value = f'<span class="dx-note">{escape_text(text)}</span>'

    def _draw_result(self, state: ModelState, bulk: BulkState | None) -> None:
        self.outcome.layout.display = "none" if bulk is None else ""
        if bulk is None:
            return
        done, skipped, failed = bulk.succeeded, bulk.skipped, bulk.failed
        line = f"{bulk.action}: {done:,} done, {skipped:,} skipped, {failed:,} failed."
        for word, outcome in (("failed", "failed"), ("skipped", "skipped")):
            first = next((r for r in bulk.results if r.outcome == outcome), None)
            if first is not None:
                line += f" First {word}: {short_id(first.item_id)}: {first.reason}."
        kind = "error" if failed else ("warning" if skipped else "ok")
        value = status_html(kind, line) + _outcomes_html(
            bulk.results, f"Each item ({len(bulk.results):,})"
        )
        if self.result.value != value:
            self.result.value = value
        label = state.undo_label
        self.undo.layout.display = "" if label else "none"
        self.undo.disabled = label is None or state.read_only or state.busy.bulk
        self.undo.description = f"Undo {make_visible(label or '')[:40]}"
