"""Commands that delete, restore and undo (items and datasets, through the local trash)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Literal

from explorer.api import short_id
from explorer.api.errors import ApiError, NotFound
from explorer.model.base import ModelBase
from explorer.model.context import Changes, UndoEntry
from explorer.model.editing import EditingCommands
from explorer.model.editor import editor_from_item, set_field
from explorer.model.jsontext import value_to_text
from explorer.model.pager import Superseded
from explorer.model.saving import save_editor
from explorer.model.schema import dataset_from_record, item_from_record
from explorer.model.trash import Outcome, delete_dataset, delete_item, restore

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = ["UndoCommands"]


class UndoCommands(EditingCommands, ModelBase):
    # -- items -------------------------------------------------------------------------------

    async def delete_item(self, item_id: str | None = None) -> None:
        """Soft-delete an item (default: the selected one). The trash keeps its id and content
        first; the row leaves the page; `undo` or `restore_item` brings it back."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            try:
                item = await self._item(item_id, changes, "delete_item")
            except NotFound:
                # Deleting again after "could not tell": the server hides the row, so that
                # delete was applied; the trash has the item, and the PATCH below confirms it.
                record = ctx.journal.get_trash("item", item_id) if item_id else None
                if record is None or record.confirmed:
                    raise
                item = item_from_record(record.content)
            if item is None:
                return
            outcome, error = await delete_item(ctx, item)
            ctx.reload_trash(changes)
            await self._report("delete", "item", item, outcome, error, changes, "delete_item")

        doing = f"{self.state.schema.removing_label} the item"
        await ctx.run("delete_item", body, doing=doing, busy="delete", write=True)

    async def restore_item(self, item_id: str) -> None:
        """Restore a soft-deleted item (from ``state.trash``, or any id this machine knows)."""
        await self._restore("item", item_id, "restore_item")

    async def delete_dataset(self, dataset_id: str) -> None:
        """Soft-delete a dataset (its items stay live: the server does not cascade)."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            dataset = self._datasets.find(dataset_id) or await ctx.client.datasets.get(dataset_id)
            outcome, error = await delete_dataset(ctx, dataset)
            ctx.reload_trash(changes)
            await self._report(
                "delete", "dataset", dataset, outcome, error, changes, "delete_dataset"
            )

        doing = f"{self.state.schema.removing_label} the dataset"
        await ctx.run("delete_dataset", body, doing=doing, busy="delete", write=True)

    async def restore_dataset(self, dataset_id: str) -> None:
        """Restore a soft-deleted dataset from the trash."""
        await self._restore("dataset", dataset_id, "restore_dataset")

    async def _restore(
        self, kind: Literal["item", "dataset"], object_id: str, command: str
    ) -> None:
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            record = ctx.journal.get_trash(kind, object_id)
            outcome, error = await restore(ctx, kind, object_id)
            ctx.reload_trash(changes)
            obj: AnyItem | AnyDataset | None = None
            if record is not None:
                content = {**record.content}
                content["archived" if "archived" in content else "deleted"] = False
                obj = (item_from_record if kind == "item" else dataset_from_record)(content)
            elif outcome == "done":
                # removed elsewhere (not in this machine's trash): what undo will act on
                with contextlib.suppress(ApiError):
                    if kind == "item":
                        obj = await ctx.client.items.get(object_id)
                    else:
                        obj = await ctx.client.datasets.get(object_id)
            await self._report(
                "restore", kind, obj, outcome, error, changes, command, object_id=object_id
            )

        await ctx.run(command, body, doing=f"Restoring the {kind}", busy="delete", write=True)

    async def _report(
        self,
        action: Literal["delete", "restore"],
        kind: Literal["item", "dataset"],
        obj: AnyItem | AnyDataset | None,
        outcome: Outcome,
        error: ApiError | None,
        changes: Changes,
        command: str,
        *,
        object_id: str | None = None,
        record_undo: bool = True,
    ) -> None:
        """Notices, undo, page and list after a delete or restore."""
        from explorer.api.models import AnyDataset, AnyItem

        ctx = self._ctx
        object_id = object_id or (str(obj.id) if obj is not None else "?")
        label = obj.name if isinstance(obj, AnyDataset) else short_id(object_id)
        what = f"{kind} {label}"
        if outcome == "done":
            if record_undo:
                word = self.state.schema.remove_verb if action == "delete" else ""
                entry = UndoEntry(action, kind, object_id, label, after=obj, verb=word)
                ctx.push_undo(changes, entry)
            verb = self.state.schema.removed_label if action == "delete" else "Restored"
            hint = "Undo (or the trash) brings it back." if action == "delete" else ""
            ctx.notice(changes, "info", f"{verb} {what}.", hint, command)
        elif outcome == "missing":
            ctx.notice(
                changes,
                "warning",
                f"The {what} does not exist on the server.",
                "It was removed from the trash.",
                command,
                error=error or NotFound(f"The {what} does not exist on the server."),
            )
        elif outcome == "unknown":
            assert error is not None
            ctx.notice(
                changes,
                "error",
                f"Could not tell whether the {what} was"
                f" {self.state.schema.removed_word if action == 'delete' else 'restored'}"
                f" ({error.message.rstrip('.')}).",
                "It stays in the trash, so it can always be restored; try again.",
                command,
                error=error,
            )
        else:
            assert error is not None
            ctx.fail(
                changes,
                error,
                f"{self.state.schema.removing_label if action == 'delete' else 'Restoring'}"
                f" the {kind}",
                command,
            )
        if outcome not in ("done", "missing"):
            return
        if kind == "dataset":
            if action == "delete" and object_id == self._open_dataset_id():
                await self._close_dataset(changes)
            # A failed reload leaves the list as it was; the next load refreshes it.
            with contextlib.suppress(ApiError, Superseded):
                await self._datasets.load(changes)
            return
        if action == "delete":
            if self.state.selection is not None and str(self.state.selection.id) == object_id:
                self.state.selection = None
                changes.add("selection")
            editor = self.state.editor
            if editor is not None and editor.item_id == object_id:
                self._set_editor(None, changes)
        dataset_id = str(obj.dataset) if isinstance(obj, AnyItem) else None
        if dataset_id is None or dataset_id == self._open_dataset_id():
            await self._reload_page(changes, gone=object_id if action == "delete" else None)

    async def _close_dataset(self, changes: Changes) -> None:
        self._pager.invalidate()
        page = self.state.page
        page.dataset, page.items, page.total, page.loaded = None, [], 0, False
        self.state.selection = None
        self.state.editor = None
        changes.update({"dataset", "page", "selection", "editor"})

    # -- undo --------------------------------------------------------------------------------

    async def undo(self) -> None:
        """Revert the last delete, restore, save or move made in this session. A save is undone
        by PATCHing the previous values, with the same conflict check as a save (a conflict
        opens in the editor). If the undo fails, it stays available to try again."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            entry = ctx.pop_undo(changes)
            if entry is None:
                ctx.notice(changes, "info", "Nothing to undo.", "", "undo")
                return
            done = await self._undo(entry, changes)
            if not done:
                ctx.push_undo(changes, entry)

        await ctx.run("undo", body, doing="Undoing", busy="save", write=True)

    async def _undo_bulk(self, entry: UndoEntry, changes: Changes) -> bool:
        """Revert a bulk action (`explorer.model.bulk.BulkCommands` overrides this)."""
        raise NotImplementedError

    async def _undo(self, entry: UndoEntry, changes: Changes) -> bool:
        from explorer.api.models import AnyDataset, AnyItem

        ctx = self._ctx
        obj = entry.after
        if entry.action == "bulk":
            return await self._undo_bulk(entry, changes)
        if entry.action == "delete":
            outcome, error = await restore(ctx, entry.kind, entry.object_id)
            ctx.reload_trash(changes)
            await self._report(
                "restore",
                entry.kind,
                obj,
                outcome,
                error,
                changes,
                "undo",
                object_id=entry.object_id,
                record_undo=False,
            )
            if outcome == "done" and entry.kind == "item":
                self._select_restored(entry.object_id, changes)
            return outcome in ("done", "missing")
        if entry.action == "restore":
            if isinstance(obj, AnyItem):
                outcome, error = await delete_item(ctx, obj)
            elif isinstance(obj, AnyDataset):
                outcome, error = await delete_dataset(ctx, obj)
            else:
                ctx.notice(
                    changes, "error", "Cannot undo: the restored object is unknown.", "", "undo"
                )
                return True
            ctx.reload_trash(changes)
            await self._report(
                "delete", entry.kind, obj, outcome, error, changes, "undo", record_undo=False
            )
            return outcome in ("done", "missing")
        if entry.action == "move" and isinstance(obj, AnyItem):
            moved = await ctx.client.items.unmove(
                entry.object_id, obj, str(entry.before["dataset"])
            )
            ctx.journal.add_history(
                "move",
                "item",
                entry.object_id,
                dataset_id=str(moved.dataset),
                before={"dataset": str(obj.dataset)},
                after={"dataset": str(moved.dataset)},
            )
            self._after_move(str(obj.id), moved, changes)
            await self._reload_page(changes)
            ctx.notice(changes, "info", f"Moved item {entry.label} back.", "", "undo")
            return True
        if entry.action == "save" and isinstance(obj, AnyDataset):
            updated = await ctx.client.datasets.update(entry.object_id, **entry.before)
            self._replace_dataset(updated, changes)
            ctx.notice(changes, "info", f"Undid the edit of dataset {updated.name}.", "", "undo")
            return True
        if entry.action == "save" and isinstance(obj, AnyItem):
            return await self._undo_save(entry, obj, changes)
        return True

    def _select_restored(self, item_id: str, changes: Changes) -> None:
        """After undoing a delete, the restored item is selected again (as `select` would: its
        editor, or its draft from the journal), so that what acts on the selection (a second
        delete, edit) acts on it and not on the row that took its place. Only when the page
        shown holds it: the page was reloaded with it just before."""
        index = self.state.page.index_of(item_id)
        if index is None:
            return
        item = self.state.page.items[index]
        self.state.selection = item
        changes.add("selection")
        editor = self.state.editor
        if editor is not None and editor.item_id == item_id:
            return
        draft = self._ctx.journal.get_draft(item_id)
        read_only = self.state.read_only
        self._set_editor(
            editor_from_item(item, read_only=read_only)
            if draft is None
            else self._draft_editor(draft),
            changes,
        )

    async def _undo_save(self, entry: UndoEntry, item: AnyItem, changes: Changes) -> bool:
        ctx = self._ctx
        if ctx.journal.get_draft(entry.object_id) is not None:
            ctx.notice(
                changes,
                "warning",
                f"Item {entry.label} has unsaved edits; undo would replace them.",
                "Save or discard them first.",
                "undo",
                error=ValueError(
                    f"Item {entry.label} has unsaved edits; undo would replace them: save or"
                    " discard them first."
                ),
            )
            return False
        # The revert is a save whose base is the version our save produced: if anyone changed
        # the item since, the usual conflict appears in the editor.
        editor = editor_from_item(item, read_only=self.state.read_only)
        for name, value in entry.before.items():
            if name in editor.fields:
                set_field(editor, name, value_to_text(name, value))
        self.state.selection = item
        self._set_editor(editor, changes)
        changes.add("selection")
        async with self._save_lock:
            result = await save_editor(ctx, editor, record_undo=False)
            await self._after_save(result, editor, changes, "undo", doing="Undoing")
        return result.outcome in ("saved", "unchanged", "conflict")
