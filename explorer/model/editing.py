"""Commands that edit items: fields, save, conflicts, discard, create, duplicate, move, drafts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from explorer.api import short_id
from explorer.api.errors import ApiError, Conflict, NotFound
from explorer.model.base import ModelBase
from explorer.model.context import Changes, UndoEntry
from explorer.model.diff import FieldDiff
from explorer.model.editor import (
    Choice,
    apply_resolution,
    build_conflict,
    conflict_diffs,
    content_values,
    editor_diffs,
    editor_from_draft,
    editor_from_item,
    new_editor,
    rebase,
    set_field,
    to_draft,
    wire_value,
)
from explorer.model.jsontext import same_value, value_to_text
from explorer.model.notices import NoticeLevel, is_refusal
from explorer.model.saving import SaveResult, save_editor
from explorer.model.schema import ItemSchema, schema_of
from explorer.model.state import EditorState
from explorer.model.trash import restore

if TYPE_CHECKING:
    from explorer.api.models import AnyItem

__all__ = ["EditingCommands"]


class EditingCommands(ModelBase):
    # -- the editor --------------------------------------------------------------------------

    async def edit_field(self, name: str, text: str) -> None:
        """Set a field's draft text. JSON fields (input, output, metadata) are validated with
        the line and column of the first error; ref fields as the server does. The draft is
        written to the journal before this returns, so a crash loses nothing."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            editor = self.state.editor
            if editor is None:
                ctx.notice(
                    changes,
                    "warning",
                    "Nothing is open in the editor.",
                    "Select an item or start a new one.",
                    "edit_field",
                    error=ValueError("Nothing is open in the editor: select an item first."),
                )
                return
            if name not in editor.fields:
                ctx.notice(
                    changes,
                    "error",
                    f"{name!r} is not an editable field.",
                    f"Edit one of {', '.join(editor.fields)}.",
                    "edit_field",
                    error=ValueError(
                        f"{name!r} is not an editable field: edit one of"
                        f" {', '.join(editor.fields)}."
                    ),
                )
                return
            set_field(editor, name, text)
            if editor.conflict is not None:
                editor.conflict = build_conflict(editor, editor.conflict.theirs)
                editor.status = "conflict"
            changes.add("editor")
            # A keystroke: committed before this returns, so a kill of the process loses
            # nothing; synced to disk within journal.SYNC_EVERY (see Journal).
            self._persist(editor, changes, durable=False)

        await ctx.run("edit_field", body, doing="Editing", write=True)

    def _persist(self, editor: EditorState, changes: Changes, *, durable: bool = True) -> None:
        draft = to_draft(editor)
        drafts = [d for d in self.state.drafts if d.key != editor.key]
        if draft is None:
            self._ctx.journal.drop_draft(editor.key)
        else:
            self._ctx.journal.put_draft(draft, durable=durable)
            drafts.append(draft)
        self.state.drafts = drafts
        changes.add("drafts")

    def diffs(self, context: int = 3) -> dict[str, FieldDiff]:
        """Per changed field of the editor, the diff of the pretty-printed JSON (base -> draft)."""
        editor = self.state.editor
        return {} if editor is None else editor_diffs(editor, context)

    def conflict_diffs(self, context: int = 3) -> dict[str, tuple[FieldDiff, FieldDiff]]:
        """Per conflicting field: (base -> mine, base -> theirs)."""
        editor = self.state.editor
        return {} if editor is None else conflict_diffs(editor, context)

    async def save(self, *, add_another: bool = False) -> None:
        """Save the editor: persist the draft, check ``updated_at`` (a change on the server gives
        a conflict, see `resolve_conflict`), PATCH only changed fields (or create a new item),
        drop the draft once confirmed. ``add_another``: after creating, open a blank editor in
        the same dataset. A failure keeps the draft, marked "not saved: reason"; save again."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            editor = self.state.editor
            if editor is None:
                ctx.notice(
                    changes,
                    "warning",
                    "Nothing is open in the editor.",
                    "",
                    "save",
                    error=ValueError("Nothing is open in the editor: nothing to save."),
                )
                return
            if editor.conflict is not None:
                ctx.notice(
                    changes,
                    "warning",
                    "Resolve the conflict first.",
                    "Keep mine, take theirs, or pick per field.",
                    "save",
                    error=Conflict(
                        "Resolve the conflict first: keep mine, take theirs, or pick per field.",
                        code="stale_version",
                    ),
                )
                return
            async with self._save_lock:
                result = await save_editor(ctx, editor)
                await self._after_save(result, editor, changes, "save")
                if result.outcome == "saved" and add_another and self.state.editor is editor:
                    self.state.selection = None
                    self._set_editor(self._new_editor(editor.dataset_id), changes)

        await ctx.run("save", body, doing="Saving", busy="save", write=True)

    # -- the item was deleted while it was edited --------------------------------------------

    @property
    def item_gone(self) -> bool:
        """Whether the editor's last save failed because its item no longer exists on the
        server (deleted here or by someone else). Saving again cannot work: offer
        `restore_and_save` and `save_as_new` instead. The draft is kept meanwhile."""
        editor = self.state.editor
        return (
            editor is not None
            and not editor.is_new
            and editor.status == "not_saved"
            and editor.reason == self.state.schema.gone_reason
        )

    def _refuse_gone_choice(self, changes: Changes, command: str) -> EditorState | None:
        """The editor to restore or copy, or None with a notice saying why not."""
        ctx = self._ctx
        editor = self.state.editor
        if editor is None or editor.is_new or editor.item_id is None:
            ctx.notice(changes, "warning", "No edit of an existing item is open.", "", command)
            return None
        if editor.errors:
            ctx.notice(
                changes,
                "error",
                f"Not saved: {editor.errors[0]}.",
                "Fix the field; nothing was sent.",
                command,
            )
            return None
        return editor

    async def restore_and_save(self) -> None:
        """For an edit whose item was deleted (see `item_gone`): restore the item (classic
        soft delete: ``PATCH {"deleted": false}``), then save the edit with the usual check.
        If the restore fails, nothing else is sent and the draft is kept; if the restored item
        differs from the version the edit started from, the save stops in a conflict as any
        save would. `undo` then reverts the save, and once more deletes the item again."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            editor = self._refuse_gone_choice(changes, "restore_and_save")
            if editor is None:
                return
            item_id = editor.item_id
            assert item_id is not None
            label = short_id(item_id)
            async with self._save_lock:
                try:
                    await ctx.client.items.get(item_id)
                except NotFound:
                    pass  # deleted, as expected
                except ApiError as exc:
                    self._not_restored(changes, label, exc.message)
                    return
                else:  # restored by someone else meanwhile: only the save is left to do
                    await self._save_restored(editor, changes, label, here=False)
                    return
                outcome, error = await restore(ctx, "item", item_id)
                ctx.reload_trash(changes)
                if outcome == "missing":
                    ctx.notice(
                        changes,
                        "error",
                        f"Item {label} cannot be restored: the server has no such item at all.",
                        "Your edit is kept; save it as a new item instead.",
                        "restore_and_save",
                    )
                    return
                if outcome != "done":
                    why = error.message if error is not None else "no answer"
                    self._not_restored(changes, label, why, unsure=outcome == "unknown")
                    return
                current = await self._restored_copy(item_id)
                if current is not None:
                    ctx.push_undo(
                        changes, UndoEntry("restore", "item", item_id, label, after=current)
                    )
                await self._save_restored(editor, changes, label, here=True, current=current)

        await ctx.run("restore_and_save", body, doing="Restoring the item", busy="save", write=True)

    def _not_restored(
        self, changes: Changes, label: str, why: str, *, unsure: bool = False
    ) -> None:
        maybe = " (or it may have been: try again)" if unsure else ""
        self._ctx.notice(
            changes,
            "error",
            f"Item {label} was not restored{maybe}: {why.rstrip('.')}.",
            "Nothing was saved; your edit is kept (also in the local journal). Try again, or"
            " save it as a new item.",
            "restore_and_save",
        )

    async def _save_restored(
        self,
        editor: EditorState,
        changes: Changes,
        label: str,
        *,
        here: bool,
        current: AnyItem | None = None,
    ) -> None:
        """The save half of `restore_and_save`, once the item is live again: restored ``here``
        (``current``: the server's answer) or by someone else meanwhile."""
        ctx = self._ctx
        assert editor.item_id is not None
        restored = (
            f"Restored item {label}" if here else f"Item {label} was restored elsewhere meanwhile"
        )
        if current is None:
            current = await self._restored_copy(editor.item_id)
        if current is not None:
            self._rebase_if_untouched(editor, current)
        result = await save_editor(ctx, editor)
        if result.outcome != "saved":
            ctx.notice(changes, "info", f"{restored}.", "", "restore_and_save")
        await self._after_save(result, editor, changes, "restore_and_save", doing="Saving")
        # the row is back (after the save: the page then holds the saved version)
        await self._reload_page(changes)
        if result.outcome == "saved":
            done = f"{restored} and saved your edit." if here else f"{restored}; saved your edit."
            ctx.notice(changes, "info", done, "", "restore_and_save")

    async def _restored_copy(self, item_id: str) -> AnyItem | None:
        try:
            return await self._ctx.client.items.get(item_id)
        except ApiError:
            return None  # the save below fetches it again and says what is wrong

    @staticmethod
    def _rebase_if_untouched(editor: EditorState, current: AnyItem) -> None:
        """Carry the edit onto the restored version when the restore is all that changed
        (the restore moves ``updated_at``); otherwise leave it, so the save shows the conflict."""
        base = editor.base
        if base is None:
            return
        for name in (*schema_of(current).editable_fields, "dataset"):
            if not same_value(name, wire_value(current, name), wire_value(base, name)):
                return
        keep = {name: f.text for name, f in editor.fields.items() if f.changed}
        revision, reason = editor.revision, editor.reason
        rebase(editor, current, keep)
        editor.revision, editor.reason = revision, reason

    async def save_as_new(self) -> None:
        """For an edit whose item was deleted (see `item_gone`): create a new item in the
        same dataset holding the editor's content (every field, as shown in the editor); the
        deleted item stays deleted. The draft is dropped only once the new item exists; a
        refused create keeps it as it was, and a create of unknown outcome leaves the editor on
        the new item's draft, whose next save looks for it before sending again."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            editor = self._refuse_gone_choice(changes, "save_as_new")
            if editor is None:
                return
            old_label = short_id(editor.item_id or "")
            removed = self.state.schema.removed_word
            old_fate = f"stays {removed}" if self.item_gone else "is left as it was"
            texts = {name: f.text for name, f in editor.fields.items() if f.text != ""}
            if editor.base is not None:
                # what the editor does not hold (v2's source output and link) is copied as is
                for name, value in content_values(editor.base).items():
                    if name not in editor.fields and value is not None:
                        texts[name] = value_to_text(name, value)
            copy = self._new_editor(editor.dataset_id, texts)
            async with self._save_lock:
                result = await save_editor(ctx, copy)
                if result.outcome == "saved" or copy.attempts:
                    # created, or maybe created: the copy holds the edit from now on
                    ctx.journal.drop_draft(editor.key)
                    self._set_editor(copy, changes)
                    # the deleted item is not selected any more (the new one will be)
                    self.state.selection = None
                    changes.add("selection")
                    await self._after_save(
                        result, copy, changes, "save_as_new", doing="Saving as a new item"
                    )
                    if result.outcome == "saved" and result.item is not None:
                        ctx.notice(
                            changes,
                            "info",
                            f"Saved your edit as new item {short_id(result.item.id)};"
                            f" item {old_label} {old_fate}.",
                            "",
                            "save_as_new",
                        )
                    return
                ctx.journal.drop_draft(copy.key)
                ctx.reload_drafts(changes)
                changes.add("editor")
                self._not_saved_as_new(result, changes)

        await ctx.run("save_as_new", body, doing="Saving as a new item", busy="save", write=True)

    def _not_saved_as_new(self, result: SaveResult, changes: Changes) -> None:
        self._ctx.notice(
            changes,
            "error",
            f"No new item was created: {result.reason}.",
            "Your edit is kept (also in the local journal); try again, or restore the item"
            " and save.",
            "save_as_new",
        )

    async def resolve_conflict(self, choice: Choice | Mapping[str, Choice]) -> None:
        """Settle a conflict. ``"theirs"``: take the server's version, drop the draft.
        ``"mine"``: your edited fields overwrite the server's; fields you did not edit keep the
        server's value. A mapping ``{field: "mine" | "theirs"}`` picks per field (others take
        their default: mine where you edited). Saving again checks ``updated_at`` once more."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            editor = self.state.editor
            if editor is None or editor.conflict is None:
                ctx.notice(
                    changes, "warning", "There is no conflict to resolve.", "", "resolve_conflict"
                )
                return
            if not isinstance(choice, str):
                unknown = [n for n in choice if n not in editor.conflict.fields]
                if unknown:
                    ctx.notice(
                        changes,
                        "error",
                        f"No conflict on {', '.join(unknown)}.",
                        f"Conflicting: {', '.join(editor.conflict.fields)}.",
                        "resolve_conflict",
                    )
                    return
            theirs = editor.conflict.theirs
            if choice == "theirs":
                rebase(editor, theirs, {})
                editor.status, editor.reason, editor.sent = "clean", None, {}
                self._persist(editor, changes)
                self.state.selection = theirs
                if self._pager.replace_item(theirs):
                    changes.add("page")
                changes.update({"editor", "selection"})
                ctx.notice(
                    changes,
                    "info",
                    "Took the server's version; your edits were dropped.",
                    "",
                    "resolve_conflict",
                )
                return
            async with self._save_lock:
                apply_resolution(editor, choice)
                self._persist(editor, changes)
                result = await save_editor(ctx, editor)
                await self._after_save(result, editor, changes, "resolve_conflict")

        await ctx.run("resolve_conflict", body, doing="Saving", busy="save", write=True)

    async def discard(self) -> None:
        """Drop the editor's unsaved changes (and its draft in the journal)."""
        changes: Changes = set()
        self._discard(changes, "discard")
        self._ctx.emit("discard", changes)

    def _discard(self, changes: Changes, command: str) -> None:
        ctx = self._ctx
        editor = self.state.editor
        if editor is None:
            return
        ctx.journal.drop_draft(editor.key)
        ctx.reload_drafts(changes)
        if editor.is_new:
            self._set_editor(None, changes)
        else:
            item = self.state.selection or editor.base
            assert item is not None
            self._set_editor(editor_from_item(item, read_only=self.state.read_only), changes)
        ctx.notice(changes, "info", "Discarded the unsaved changes.", "", command)

    # -- new items, copies, moves ------------------------------------------------------------

    async def new_item(self, dataset_id: str | None = None) -> None:
        """Open a blank editor for a new item in ``dataset_id`` (default: the open dataset);
        `save` creates it."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            target = dataset_id or self._open_dataset_id()
            if target is None:
                ctx.notice(
                    changes,
                    "warning",
                    "No dataset is open.",
                    "Open one first.",
                    "new_item",
                    error=ValueError("No dataset is open: open one first."),
                )
                return
            self.state.selection = None
            changes.add("selection")
            self._set_editor(self._new_editor(target), changes)

        await ctx.run("new_item", body, doing="Starting a new item", write=True)

    async def duplicate_item(self, dataset_id: str, item_id: str | None = None) -> None:
        """Copy an item (default: the selected one) into any dataset. A copy that fails is kept
        as a draft (see `retry_unsaved`); an unknown outcome is checked before sending again."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            item = await self._item(item_id, changes, "duplicate_item")
            if item is None:
                return
            texts = {n: value_to_text(n, v) for n, v in content_values(item).items()}
            copy = new_editor(
                dataset_id, {n: t for n, t in texts.items() if t != ""}, schema=schema_of(item)
            )
            self._persist(copy, changes)
            async with self._save_lock:
                result = await save_editor(ctx, copy)
                await self._after_save(result, copy, changes, "duplicate_item", doing="Duplicating")

        await ctx.run("duplicate_item", body, doing="Duplicating the item", busy="save", write=True)

    async def move_item(self, dataset_id: str, item_id: str | None = None) -> None:
        """Move an item (default: the selected one) to another dataset; `undo` moves it back."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            item = await self._item(item_id, changes, "move_item")
            if item is None:
                return
            source = str(item.dataset)
            if source == dataset_id:
                ctx.notice(changes, "info", "The item is already in that dataset.", "", "move_item")
                return
            moved = await self._move(item, dataset_id)
            ctx.journal.add_history(
                "move",
                "item",
                str(item.id),
                dataset_id=dataset_id,
                before={"dataset": source},
                after={"dataset": dataset_id},
            )
            ctx.push_undo(
                changes,
                UndoEntry(
                    "move",
                    "item",
                    str(item.id),
                    short_id(item.id),
                    before={"dataset": source},
                    after=moved,
                ),
            )
            self._after_move(str(item.id), moved, changes)
            if self._open_dataset_id() in (source, dataset_id):
                gone = str(item.id) if self._open_dataset_id() == source else None
                await self._reload_page(changes, gone=gone)
            where = self._dataset_label(dataset_id)
            ctx.notice(
                changes, "info", f"Moved item {short_id(item.id)} to {where}.", "", "move_item"
            )

        await ctx.run("move_item", body, doing="Moving the item", busy="delete", write=True)

    async def _move(self, item: AnyItem, dataset_id: str) -> AnyItem:
        """Move the item (classic: PATCH its dataset; v2: a copy in the target, the original
        archived); a classic move of unknown outcome is checked with a GET (v2's copy is
        idempotent and its archive too: doing it again is safe)."""
        try:
            return await self._ctx.client.items.move(item, dataset_id)
        except ApiError as exc:
            if is_refusal(exc) or schema_of(item).versioned:
                raise
            try:
                current = await self._ctx.client.items.get(item.id)
            except ApiError:
                raise exc from None
            if str(current.dataset) != dataset_id:
                raise
            return current

    def _after_move(self, item_id: str, moved: AnyItem, changes: Changes) -> None:
        """The editor and selection follow a moved item (on v2, to its copy: a new id)."""
        editor = self.state.editor
        if editor is not None and editor.item_id == item_id and editor.base is not None:
            keep = {n: f.text for n, f in editor.fields.items() if f.changed}
            if str(moved.id) == item_id:
                # classic: the same item, in another dataset; the edit's base keeps its content
                base = editor.base.model_copy(
                    update={"dataset": moved.dataset, "updated_at": moved.updated_at}
                )
                rebase(editor, base, keep)
            else:
                self._ctx.journal.drop_draft(editor.key)
                rebase(editor, moved, keep)
                editor.key = str(moved.id)
            self._persist(editor, changes)
            changes.add("editor")
        if self.state.selection is not None and str(self.state.selection.id) == item_id:
            self.state.selection = moved
            changes.add("selection")

    # -- drafts ------------------------------------------------------------------------------

    async def open_draft(self, key: str) -> None:
        """Open a draft from ``state.drafts`` (an earlier session's, say) in the editor."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            draft = ctx.journal.get_draft(key)
            if draft is None:
                ctx.notice(changes, "warning", "That draft no longer exists.", "", "open_draft")
                ctx.reload_drafts(changes)
                return
            editor = editor_from_draft(
                draft, read_only=self.state.read_only, schema=self.state.schema
            )
            self._set_editor(editor, changes)
            self.state.selection = None
            changes.add("selection")
            if draft.item_id is None:
                return
            try:
                item = await ctx.client.items.get(draft.item_id)
            except NotFound:
                ctx.notice(
                    changes,
                    "warning",
                    f"Item {short_id(draft.item_id)} no longer exists on the server.",
                    "Restore it from the trash, or discard this draft.",
                    "open_draft",
                )
                return
            self.state.selection = item
            if ItemSchema.token(item) != draft.base_updated_at:
                ctx.notice(
                    changes,
                    "info",
                    "The item changed on the server since this draft.",
                    "Saving will show both versions.",
                    "open_draft",
                )

        await ctx.run("open_draft", body, doing="Opening the draft", busy="item")

    async def drop_draft(self, key: str) -> None:
        """Forget a draft (the same as `discard` when it is open in the editor)."""
        changes: Changes = set()
        if self.state.editor is not None and self.state.editor.key == key:
            self._discard(changes, "drop_draft")
        else:
            self._ctx.journal.drop_draft(key)
            self._ctx.reload_drafts(changes)
        self._ctx.emit("drop_draft", changes)

    async def retry_unsaved(self) -> None:
        """Save again every draft whose save failed (``not_saved``), the editor's included.
        Conflicts are left for the user; a summary goes to the notice."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            saved = failed = conflicts = 0
            reason = ""
            async with self._save_lock:
                for draft in ctx.journal.drafts():
                    if draft.status not in ("not_saved", "saving"):
                        continue
                    editor = self.state.editor
                    if editor is None or editor.key != draft.key:
                        editor = editor_from_draft(
                            draft, read_only=self.state.read_only, schema=self.state.schema
                        )
                    result = await save_editor(ctx, editor)
                    if result.outcome == "saved" and result.item is not None:
                        saved += 1
                        item = result.item
                        if result.created and str(item.dataset) == self._open_dataset_id():
                            await self._reload_page(changes)
                        elif self._pager.replace_item(item):
                            changes.add("page")
                    elif result.outcome == "conflict":
                        conflicts += 1
                    elif result.outcome != "unchanged":
                        failed += 1
                        reason = result.reason
            ctx.reload_drafts(changes)
            changes.add("editor")
            level: NoticeLevel = "info" if not failed and not conflicts else "warning"
            parts = [f"saved {saved}"]
            if failed:
                parts.append(f"{failed} still not saved ({reason})")
            if conflicts:
                parts.append(f"{conflicts} changed on the server (open them to choose)")
            ctx.notice(
                changes,
                level,
                "Retried unsaved edits: " + "; ".join(parts) + ".",
                "",
                "retry_unsaved",
            )

        await ctx.run(
            "retry_unsaved", body, doing="Retrying unsaved edits", busy="save", write=True
        )

    def _revert_editor(self, item: AnyItem, before: dict[str, object]) -> EditorState:
        """An editor on ``item`` whose draft puts back ``before`` (undo of a save)."""
        editor = editor_from_item(item, read_only=self.state.read_only)
        for name, value in before.items():
            if name in editor.fields:
                set_field(editor, name, value_to_text(name, value))
        return editor
