"""What can be done to the selected item (edit, new, duplicate here, copy or move to a dataset
asked for each time, delete or archive, undo) and the Trash view that brings deleted (classic)
or archived (v2) items back. The words come from ``state.schema``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from explorer.api import short_id
from explorer.model import ModelState, TrashRecord
from widgets._base import Part, button, set_options
from widgets._picker import dataset_label
from widgets._render import escape_text, make_visible

__all__ = ["ItemActions", "TrashView"]


def _auto() -> Any:
    return w.Layout(width="auto")


def _nothing(on: bool) -> None:
    return None


_CHOOSE = "— choose a dataset —"


class ItemActions(Part):
    """Edit, New item, Archive (classic: Delete), Undo, Duplicate, Copy to…, Move to…, Trash.

    **Duplicate** copies the selected item into the open dataset. **Copy to…** and **Move to…**
    ask where, every time: they open a row naming the item with a dataset dropdown that starts
    empty; its button stays disabled until a dataset is chosen, and after it runs (or Cancel)
    the row closes and the choice is forgotten, so no action ever reuses an earlier target.
    The status line names where the item went (the model's notice).
    """

    def build(self) -> Any:
        self.on_edit: Callable[[bool], None] = _nothing
        self.on_trash: Callable[[bool], None] = _nothing
        self.edit: Any = w.ToggleButton(
            description="Edit", icon="pencil", tooltip="edit the item", layout=_auto()
        )
        self.new = button("New item", "start a new item in this dataset", icon="plus")
        self.duplicate = button("Duplicate", "copy the item into this dataset", icon="copy")
        self.copy_to = button("Copy to…", "copy the item into another dataset", icon="clone")
        self.move = button("Move to…", "move the item to another dataset", icon="share")
        self.delete = button("Delete", icon="trash")
        self.undo = button("Undo", "revert the last write of this session", icon="undo")
        self.trash: Any = w.ToggleButton(description="Trash", icon="trash-o", layout=_auto())
        # the target row: shown by Copy to… / Move to…, for that one action
        self.prompt: Any = w.HTML()
        self.target: Any = w.Dropdown(options=[(_CHOOSE, "")], value="")
        self.target.layout = w.Layout(width="260px")
        self.target.add_class("dx-target")
        self.go = button("Copy", icon="check", style="primary")
        self.cancel = button("Cancel", "choose nothing", icon="times")
        self.where: Any = w.HBox([self.prompt, self.target, self.go, self.cancel])
        self.where.add_class("dx-target-row")
        self.where.layout.display = "none"
        self.pending: tuple[str, str] | None = None
        """(``"copy"`` or ``"move"``, the item id) while the target row asks where."""
        self.observe(self.edit, self._on_edit, "value")
        self.observe(self.trash, self._on_trash, "value")
        self.observe(self.target, lambda _: self._enable_go(), "value")
        self.on_click(self.new, lambda: self.tasks.write(self._new))
        self.on_click(self.duplicate, self._duplicate_here)
        self.on_click(self.copy_to, lambda: self.ask("copy"))
        self.on_click(self.move, lambda: self.ask("move"))
        self.on_click(self.go, self._go)
        self.on_click(self.cancel, self.close_target)
        self.on_click(self.delete, lambda: self.tasks.write(self.model.delete_item))
        self.on_click(self.undo, lambda: self.tasks.write(self.model.undo))
        box = w.HBox(
            [
                self.edit,
                self.new,
                self.delete,
                self.undo,
                self.duplicate,
                self.copy_to,
                self.move,
                self.trash,
            ]
        )
        box.add_class("dx-actions")
        box.layout.flex_flow = "row wrap"
        return w.VBox([box, self.where])

    def _on_edit(self, change: dict[str, Any]) -> None:
        if not self.busy:
            self.on_edit(bool(change["new"]))

    def _on_trash(self, change: dict[str, Any]) -> None:
        if not self.busy:
            self.on_trash(bool(change["new"]))

    async def _new(self) -> None:
        await self.model.new_item()
        if self.model.state.editor is not None and self.model.state.editor.is_new:
            self.on_edit(True)

    def _duplicate_here(self) -> None:
        state = self.model.state
        here, item = state.page.dataset, state.selection
        if here is None or item is None:
            return
        self.close_target()
        target, item_id = str(here.id), str(item.id)
        self.tasks.write(lambda: self.model.duplicate_item(target, item_id))

    # -- asking where ----------------------------------------------------------------------------

    def ask(self, action: str) -> None:
        """Open the target row for ``action`` ("copy" or "move") of the selected item, with
        nothing chosen."""
        item = self.model.state.selection
        if item is None:
            return
        self.pending = (action, str(item.id))
        verb = "Copy" if action == "copy" else "Move"
        self.prompt.value = (
            f'<span class="dx-note">{escape_text(f"{verb} item {short_id(item.id)} to")}</span>'
        )
        self.go.description = verb
        self.go.tooltip = f"{verb.lower()} the item to the dataset chosen"
        self.where.layout.display = ""
        self._set_targets(self.model.state, keep=False)

    def close_target(self) -> None:
        """Close the target row and forget its choice."""
        self.pending = None
        self.where.layout.display = "none"
        with self.quiet():
            self.target.value = ""
        self._enable_go()

    def _go(self) -> None:
        pending, target = self.pending, str(self.target.value)
        if pending is None or not target:
            return
        action, item_id = pending
        self.close_target()
        command = self.model.move_item if action == "move" else self.model.duplicate_item
        self.tasks.write(lambda: command(target, item_id))

    def _enable_go(self) -> None:
        self.go.disabled = self.pending is None or not self.target.value

    def _set_targets(self, state: ModelState, *, keep: bool) -> None:
        here = state.page.dataset
        moving = self.pending is not None and self.pending[0] == "move"
        options = [(_CHOOSE, "")]
        options += [
            (dataset_label(d.name, 40), str(d.id))
            for d in state.datasets.datasets
            if not (moving and here is not None and d.id == here.id)
        ]
        value = self.target.value if keep else ""
        with self.quiet():
            set_options(self.target, options, value if any(v == value for _, v in options) else "")
        self._enable_go()

    # -- drawing ---------------------------------------------------------------------------------

    def set_edit(self, on: bool) -> None:
        with self.quiet():
            self.edit.value = on

    def redraw(self, state: ModelState) -> None:
        selected = state.selection is not None
        # a past revision or the archived items are shown read-only: no item write from here
        writable = not state.page_read_only
        opened = state.page.dataset is not None
        self.edit.disabled = not (selected or state.editor is not None)
        self.new.disabled = not (opened and writable)
        self.delete.disabled = not (selected and writable)
        self.duplicate.disabled = not (selected and opened and writable)
        self.copy_to.disabled = not (selected and writable)
        self.move.disabled = not (selected and writable)
        # undo stays for the archived items (it may restore one); not on a past revision
        self.undo.disabled = (
            state.undo_label is None or state.read_only or state.page.revision is not None
        )
        label = state.undo_label
        self.undo.description = "Undo" if label is None else f"Undo {make_visible(label)[:40]}"
        self.undo.tooltip = self.undo.description
        self.trash.description = f"Trash ({len(state.trash)})" if state.trash else "Trash"
        schema = state.schema
        self.delete.description = schema.remove_label
        self.delete.tooltip = f"{schema.remove_label} the item (undo, or restore it from the trash)"
        self.trash.tooltip = f"items {schema.removed_word} from this machine"
        if self.pending is not None and not writable:
            self.close_target()
        self._set_targets(state, keep=self.pending is not None)


def trash_label(record: TrashRecord) -> str:
    """One plain line for a trash entry (the listbox sets textContent)."""
    label = make_visible(record.label)[:48]
    short = make_visible(short_id(record.object_id))
    return f"{record.kind:<7} {short:<8}  {record.deleted_at[:16]}  {label}"


class TrashView(Part):
    def build(self) -> Any:
        self.info: Any = w.HTML()
        self.list: Any = w.Select(options=[], value=None, rows=6, layout=w.Layout(width="100%"))
        self.list.add_class("dx-rows")
        self.list.add_class("dx-trash-list")
        self.restore = button("Restore", "bring the chosen item back", icon="reply")
        self.on_click(self.restore, lambda: self._restore())
        self.observe(self.list, lambda _: self._enable(), "value")
        self.box: Any = w.VBox([self.info, self.list, self.restore])
        self.box.add_class("dx-trash")
        self.box.layout.display = "none"
        self._records: dict[str, TrashRecord] = {}
        return self.box

    def show(self, on: bool) -> None:
        self.box.layout.display = "" if on else "none"

    def _enable(self) -> None:
        state = self.model.state
        # not while a past revision is shown: the model refuses item writes then
        self.restore.disabled = (
            self.list.value is None or state.read_only or state.page.revision is not None
        )

    def _restore(self) -> None:
        record = self._records.get(str(self.list.value))
        if record is None:
            return
        if record.kind == "item":
            self.tasks.write(lambda: self.model.restore_item(record.object_id))
        else:
            self.tasks.write(lambda: self.model.restore_dataset(record.object_id))

    def redraw(self, state: ModelState) -> None:
        self._records = {f"{r.kind}:{r.object_id}": r for r in state.trash}
        options = [(trash_label(r), key) for key, r in self._records.items()]
        with self.quiet():
            keep = self.list.value
            set_options(self.list, options, keep if keep in self._records else None)
        count = len(options)
        removed = state.schema.removed_word
        self.info.value = (
            f'<div class="dx-note">{escape_text(f"{count:,} {removed} from this machine")}'
            " (restore one to bring it back to its dataset).</div>"
        )
        self._enable()
