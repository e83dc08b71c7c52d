"""`ModelBase`: the parts every group of `ExplorerModel` commands shares (not public)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from explorer.api import AsyncClient, short_id
from explorer.api.errors import ApiError, Conflict
from explorer.model.context import Changes, ModelContext, collect_notices
from explorer.model.datasets import DatasetBrowser
from explorer.model.editor import editor_from_draft, editor_from_item, new_editor
from explorer.model.events import Change
from explorer.model.journal import DraftRecord, Journal, ProjectJournal
from explorer.model.notices import Notice, hint_for, is_refusal
from explorer.model.pager import MAX_PAGE_SIZE, ItemPager, Superseded
from explorer.model.saving import SaveResult
from explorer.model.schema import ItemSchema
from explorer.model.state import EditorState, ModelState

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = ["ModelBase"]

STALE_AFTER = 30.0


class ModelBase:
    """State, client, journal, pager; the helpers the command groups share."""

    def __init__(
        self,
        client: AsyncClient,
        journal: Journal,
        *,
        read_only: bool | None = None,
        page_size: int = 50,
        cache_pages: int = 4,
        stale_after: float = STALE_AFTER,
        journal_scope: str | None = None,
    ) -> None:
        # The client's read-only setting always wins; the model can only add to it.
        read_only = bool(read_only) or client.read_only
        self._ctx = ModelContext(client, journal, read_only, journal_scope)
        self.state: ModelState = self._ctx.state
        """Everything to draw; see `ModelState`. Read it after each `Change`."""
        self.state.page.page_size = max(1, min(MAX_PAGE_SIZE, page_size))
        self._pager = ItemPager(self._ctx.client, self.state.page, cache_pages=cache_pages)
        self._pager.on_loaded = self._ctx.note_listed
        self._datasets = DatasetBrowser(self._ctx)
        self._save_lock = asyncio.Lock()
        self.stale_after = stale_after

    # -- public plumbing ---------------------------------------------------------------------

    @property
    def client(self) -> AsyncClient:
        return self._ctx.client.raw

    @property
    def journal(self) -> ProjectJournal:
        """This host and project's part of the journal (trash, drafts, history)."""
        return self._ctx.journal

    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``callback(change)`` after every command; returns a function that unsubscribes."""
        return self._ctx.subscribers.subscribe(callback)

    @contextmanager
    def collect_notices(self) -> Iterator[list[Notice]]:
        """The notices of the commands awaited inside the block, in order: for a front end that
        runs commands for a script and turns a failure back into an exception
        (`Notice.error`). Commands running meanwhile in other tasks (a click) are not in it::

            with model.collect_notices() as notices:
                await model.save()
            failed = next((n.error for n in notices if n.error is not None), None)
        """
        with collect_notices() as notices:
            yield notices

    # -- shared helpers ----------------------------------------------------------------------

    def _draft_editor(self, draft: DraftRecord) -> EditorState:
        """The editor of a journal draft (a new item's takes the server's generation's fields)."""
        return editor_from_draft(draft, read_only=self.state.read_only, schema=self.state.schema)

    def _new_editor(self, dataset_id: str, texts: dict[str, str] | None = None) -> EditorState:
        """A blank editor (or one holding ``texts``) for a new item of the server's generation."""
        return new_editor(
            dataset_id, texts, read_only=self.state.read_only, schema=self.state.schema
        )

    def _find_item(self, item_id: str) -> AnyItem | None:
        state = self.state
        if state.selection is not None and str(state.selection.id) == item_id:
            return state.selection
        index = state.page.index_of(item_id)
        if index is not None:
            return state.page.items[index]
        return None

    def _page_is_stale(self) -> bool:
        fetched = self.state.page.fetched_at
        return fetched is None or time.monotonic() - fetched > self.stale_after

    async def _item(self, item_id: str | None, changes: Changes, command: str) -> AnyItem | None:
        """The item named (or the selected one), from the page when fresh, else fetched."""
        if item_id is None:
            if self.state.selection is None:
                self._ctx.notice(
                    changes,
                    "warning",
                    "No item is selected.",
                    "Select one.",
                    command,
                    error=ValueError("No item is selected: select one first."),
                )
                return None
            item_id = str(self.state.selection.id)
        item = self._find_item(item_id)
        if item is not None:
            return item
        return await self._ctx.client.items.get(item_id)

    async def _reload_page(self, changes: Changes, *, gone: str | None = None) -> None:
        """Fetch the current page again (the dataset changed under it); keep the selection.
        ``gone``: an item that left the dataset; if the fetch fails, its row is removed here."""
        if self.state.page.dataset is None:
            return
        self._pager.invalidate()
        try:
            await self._pager.show(self._pager.state.page_number, fresh=True)
        except (Superseded, ApiError):
            # The next page turn fetches again; meanwhile the row that left is not shown.
            if gone is not None and self._pager.remove_item(gone):
                changes.add("page")
            return
        changes.add("page")
        self._sync_selection(changes)

    def _sync_selection(self, changes: Changes) -> None:
        """After the page changed: refresh the selected item's copy from it, or drop a clean
        selection whose item is gone (an editor with unsaved edits is kept)."""
        state = self.state
        if state.selection is None:
            return
        index = state.page.index_of(str(state.selection.id))
        editor = state.editor
        if index is not None:
            item = state.page.items[index]
            if ItemSchema.token(item) != ItemSchema.token(state.selection):
                state.selection = item
                changes.add("selection")
                if editor is not None and editor.item_id == str(item.id) and not editor.dirty:
                    state.editor = editor_from_item(item, read_only=state.page_read_only)
                    changes.add("editor")
            return
        if editor is not None and (editor.dirty or editor.status in ("not_saved", "conflict")):
            return
        if str(state.selection.dataset) != self._open_dataset_id():
            return
        state.selection = None
        state.editor = None
        changes.update({"selection", "editor"})

    def _replace_dataset(self, dataset: AnyDataset, changes: Changes) -> None:
        st = self.state.datasets
        st.datasets = [dataset if d.id == dataset.id else d for d in st.datasets]
        changes.add("datasets")
        if self.state.page.dataset is not None and self.state.page.dataset.id == dataset.id:
            self.state.page.dataset = dataset
            changes.add("dataset")

    def _dataset_label(self, dataset_id: str) -> str:
        """A dataset's name when the model knows it (listed or open), else its short id."""
        dataset = self._datasets.find(dataset_id)
        return dataset.name if dataset is not None else f"dataset {short_id(dataset_id)}"

    def _open_dataset_id(self) -> str | None:
        dataset = self.state.page.dataset
        return None if dataset is None else str(dataset.id)

    def _wanted_dataset(self, dataset_id: str | None, changes: Changes, command: str) -> str | None:
        """``dataset_id``, else the open dataset's; None, with a notice, when neither."""
        wanted = dataset_id or self._open_dataset_id()
        if wanted is None:
            message = "No dataset is open."
            error = ValueError(f"{message} Open one first.")
            self._ctx.notice(changes, "warning", message, "Open one.", command, error=error)
        return wanted

    def _set_editor(self, editor: EditorState | None, changes: Changes) -> None:
        self.state.editor = editor
        changes.add("editor")

    async def _after_save(
        self,
        result: SaveResult,
        editor: EditorState,
        changes: Changes,
        command: str,
        *,
        doing: str = "Saving",
    ) -> None:
        """Update page, selection and notices after `save_editor`."""
        ctx = self._ctx
        changes.update({"editor", "drafts", "undo"})
        ctx.reload_drafts(changes)
        self.state.undo_label = ctx.undo_stack[-1].description if ctx.undo_stack else None
        current = self.state.editor is editor
        item = result.item
        if result.outcome == "saved" and item is not None:
            if result.created:
                if str(item.dataset) == self._open_dataset_id():
                    await self._reload_page(changes)
                made = f"Created item {short_id(item.id)}."
                if command == "duplicate_item":
                    where = self._dataset_label(str(item.dataset))
                    made = f"Duplicated into {where} as {short_id(item.id)}."
                ctx.notice(changes, "info", made, "", command)
            else:
                if self._pager.replace_item(item):
                    changes.add("page")
                verb = "Undid the save of" if command == "undo" else "Saved"
                ctx.notice(changes, "info", f"{verb} item {short_id(item.id)}.", "", command)
            if current:
                self.state.selection = item
                changes.add("selection")
        elif result.outcome == "unchanged":
            ctx.notice(changes, "info", "Nothing to save: no field differs.", "", command)
        elif result.outcome == "invalid":
            message = f"{doing} refused: {result.reason}."
            ctx.notice(
                changes,
                "error",
                message,
                "Fix the field; nothing was sent.",
                command,
                error=ValueError(message),
            )
        elif result.outcome == "conflict":
            message = f"Not saved: {result.reason}"
            hint = "Choose: keep mine, take theirs, or pick per field (resolve_conflict)."
            version = getattr(item, "version", None)
            conflict = Conflict(f"{message} {hint}", code="stale_version", current_version=version)
            ctx.notice(changes, "warning", message, hint, command, error=conflict)
        else:
            hint = "Your edit is kept (also in the local journal); save again to retry."
            error = result.error
            specific = hint_for(error) if error is not None and is_refusal(error) else ""
            if isinstance(error, Conflict) and specific:
                # saving again cannot help (a limit, an archived dataset): say what can
                hint = f"Your edit is kept (also in the local journal). {specific}"
            ctx.notice(changes, "error", f"Not saved: {result.reason}.", hint, command, error=error)
