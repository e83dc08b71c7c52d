"""Commands for what happened to items and datasets (v2): an item's versions and their diffs,
restoring an earlier version, a dataset's revisions, the dataset as of a revision, comparing two
revisions, the archived items and datasets, and exporting to a JSONL file.

On the classic API there is no history: the commands say so (a notice with an `Unsupported`
error), and ``state.history`` / ``state.revisions`` carry ``supported=False`` and the reason, so
a front end can show it in place of the list.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from explorer.api import short_id
from explorer.api.errors import Conflict, Unsupported
from explorer.model.context import Changes, UndoEntry
from explorer.model.diff import FieldDiff
from explorer.model.editor import editor_from_item
from explorer.model.history import (
    CONTENT_FIELDS,
    NO_HISTORY,
    ExportState,
    HistoryState,
    ItemChange,
    RevisionCompare,
    RevisionEntry,
    RevisionsState,
    VersionDiff,
    VersionEntry,
    compare_snapshots,
    diff_items,
    diff_versions,
    version_entries,
)
from explorer.model.jsontext import same_value
from explorer.model.pager import Superseded
from explorer.model.undoing import UndoCommands

if TYPE_CHECKING:
    from explorer.api.models import VersionedItem

__all__ = ["HistoryCommands"]

REVISIONS_PAGE = 100


class HistoryCommands(UndoCommands):
    # -- helpers -----------------------------------------------------------------------------

    async def _versioned(self, changes: Changes, command: str, what: str) -> bool:
        """True on the versioned API; otherwise a notice saying the classic API has no `what`."""
        if await self._ctx.client.raw.detect_generation() == "v2":
            return True
        message = f"{what} is not available: {NO_HISTORY}"
        self._ctx.notice(changes, "info", message, "", command, error=Unsupported(message))
        return False

    def _item_id(self, item_id: str | None, changes: Changes, command: str) -> str | None:
        if item_id is not None:
            return item_id
        if self.state.selection is not None:
            return str(self.state.selection.id)
        message = "No item is selected."
        self._ctx.notice(
            changes, "warning", message, "Select one.", command, error=ValueError(message)
        )
        return None

    # -- item history ------------------------------------------------------------------------

    async def load_history(self, item_id: str | None = None) -> None:
        """Fetch every version of an item (default: the selected one) into ``state.history``,
        newest first, each with what it changed. Classic: ``supported`` False, and a notice."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            wanted = self._item_id(item_id, changes, "load_history")
            if wanted is None:
                return
            known = self._find_item(wanted)
            dataset_id = str(known.dataset) if known is not None else self._open_dataset_id()
            label = f"item {short_id(wanted)}"
            changes.add("history")
            if not await self._versioned(changes, "load_history", "An item's history"):
                self.state.history = HistoryState(
                    wanted, dataset_id or "", label, supported=False, message=NO_HISTORY
                )
                return
            versions = await ctx.client.items.versions(wanted)
            dataset_id = str(versions[0].dataset) if versions else (dataset_id or "")
            self.state.history = HistoryState(wanted, dataset_id, label, version_entries(versions))

        await ctx.run("load_history", body, doing="Loading the item's history", busy="history")

    async def close_history(self) -> None:
        """Forget the history shown."""
        self.state.history = None
        self._ctx.emit("close_history", {"history"})

    def diff_versions(self, a: int, b: int, context: int = 3) -> VersionDiff:
        """Compare versions ``a`` and ``b`` of the item in ``state.history`` (either order):
        the content fields that differ, each a `FieldDiff` (with word spans), and whether one
        archived or restored it. A query: sends nothing, emits nothing."""
        history = self.state.history
        if history is None or not history.supported:
            raise ValueError("No item history is loaded: load_history() first.")
        first, second = history.entry(a), history.entry(b)
        missing = [str(n) for n, e in ((a, first), (b, second)) if e is None]
        if first is None or second is None:
            have = ", ".join(f"v{e.version}" for e in history.versions)
            missing_text = " or ".join(missing)
            raise ValueError(f"The {history.label} has no version {missing_text} ({have}).")
        return diff_versions(first.item, second.item, context)

    async def restore_version(self, version: int, item_id: str | None = None) -> None:
        """Make an earlier version of an item (default: the one whose history is shown, else
        the selected one) its content again, as a new version. An archived item is restored
        from it (PostHog's ``source_version``); a live one gets that version's input, expected
        output and metadata saved over the current version, which the history showed: if the
        item changed since, nothing is written and the history is reloaded (a conflict).
        `undo` puts the replaced version back."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            from explorer.api.models import VersionedItem

            history = self.state.history
            wanted = item_id or (history.item_id if history is not None else None)
            wanted = self._item_id(wanted, changes, "restore_version")
            if wanted is None or not await self._versioned(
                changes, "restore_version", "Restoring a version"
            ):
                return
            label = short_id(wanted)
            if ctx.journal.get_draft(wanted) is not None:
                message = f"Item {label} has unsaved edits; restoring a version would replace them."
                ctx.notice(
                    changes,
                    "warning",
                    message,
                    "Save or discard them first.",
                    "restore_version",
                    error=ValueError(f"{message} Save or discard them first."),
                )
                return
            seen = history.current if history is not None and history.item_id == wanted else None
            versions = await ctx.client.items.versions(wanted)
            entries = version_entries(versions)
            if not entries:
                raise ValueError(f"Item {label} has no versions.")
            current = entries[0].item
            if seen is not None and seen.version != current.version:
                self._show_history(wanted, entries, changes)
                message = (
                    f"Not restored: item {label} changed since its history was shown"
                    f" (now v{current.version}, {entries[0].change} by {entries[0].who})."
                )
                hint = "The history is up to date now: look at the new version, then restore."
                error = Conflict(message, code="stale_version", current_version=current.version)
                ctx.notice(changes, "warning", message, hint, "restore_version", error=error)
                return
            source = next((e.item for e in entries if e.version == version), None)
            if source is None:
                have = ", ".join(f"v{e.version}" for e in entries)
                raise ValueError(f"Item {label} has no version {version} ({have}).")
            if version == current.version:
                ctx.notice(
                    changes,
                    "info",
                    f"v{version} is already the current version of item {label}.",
                    "",
                    "restore_version",
                )
                self._show_history(wanted, entries, changes)
                return
            if current.archived:
                restored = await ctx.client.raw.items.restore(
                    wanted, base_version=current.version, source_version=version
                )
                assert isinstance(restored, VersionedItem)
                new = restored
                ctx.client.items.written(new)
                ctx.journal.drop_trash("item", wanted)
                ctx.reload_trash(changes)
                entry = UndoEntry("restore", "item", wanted, label, after=new)
            else:
                values = {
                    name: getattr(source, name)
                    for name in CONTENT_FIELDS
                    if not same_value(name, getattr(source, name), getattr(current, name))
                }
                if not values:
                    ctx.notice(
                        changes,
                        "info",
                        f"Nothing to restore: v{version} has the content of the current"
                        f" version (v{current.version}).",
                        "",
                        "restore_version",
                    )
                    self._show_history(wanted, entries, changes)
                    return
                try:
                    saved = await ctx.client.items.update(current, values)
                except Conflict as exc:
                    if exc.code != "stale_version":
                        raise
                    fresh = version_entries(await ctx.client.items.versions(wanted))
                    self._show_history(wanted, fresh, changes)
                    message = f"Not restored: item {label} changed while restoring."
                    hint = "The history is up to date now: look at the new version, then restore."
                    ctx.notice(changes, "warning", message, hint, "restore_version", error=exc)
                    return
                assert isinstance(saved, VersionedItem)
                new = saved
                before = {name: getattr(current, name) for name in values}
                entry = UndoEntry("save", "item", wanted, label, before=before, after=new)
            ctx.journal.add_history(
                "restore_version",
                "item",
                wanted,
                dataset_id=str(new.dataset),
                before={"version": current.version},
                after={"version": new.version, "source_version": version},
            )
            ctx.push_undo(changes, entry)
            self._show_history(wanted, version_entries([new, *versions]), changes)
            self._after_restored_version(new, changes)
            ctx.notice(
                changes,
                "info",
                f"Restored v{version} of item {label}: it is v{new.version} now.",
                f"Undo puts v{current.version} back.",
                "restore_version",
            )

        await ctx.run(
            "restore_version", body, doing="Restoring the version", busy="save", write=True
        )

    def _show_history(self, item_id: str, entries: list[VersionEntry], changes: Changes) -> None:
        history = self.state.history
        if history is None or history.item_id != item_id:
            return
        history.versions = entries
        changes.add("history")

    def _after_restored_version(self, item: VersionedItem, changes: Changes) -> None:
        """Put the new version where it shows: its row, the selection, a clean editor."""
        if self._pager.replace_item(item):
            changes.add("page")
        elif str(item.dataset) == self._open_dataset_id() and not self.state.page.archived:
            self._pager.invalidate()  # restored from the archive: the page gains a row
        selection = self.state.selection
        if selection is not None and str(selection.id) == str(item.id):
            self.state.selection = item
            changes.add("selection")
            editor = self.state.editor
            if editor is None or (editor.item_id == str(item.id) and not editor.dirty):
                self._set_editor(
                    editor_from_item(item, read_only=self.state.page_read_only), changes
                )

    # -- dataset revisions -------------------------------------------------------------------

    async def load_revisions(self, dataset_id: str | None = None, *, more: bool = False) -> None:
        """Fetch a dataset's revisions (default: the open one's), newest first, 100 at a time;
        ``more`` appends the next 100 to ``state.revisions``."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            wanted = self._wanted_dataset(dataset_id, changes, "load_revisions")
            if wanted is None:
                return
            changes.add("revisions")
            name = self._dataset_label(wanted)
            if not await self._versioned(changes, "load_revisions", "A dataset's revisions"):
                self.state.revisions = RevisionsState(
                    wanted, name, supported=False, message=NO_HISTORY
                )
                return
            current = self.state.revisions
            keep = current is not None and more and current.dataset_id == wanted
            loaded = current.revisions if keep and current is not None else []
            page = await ctx.client.datasets.revisions(wanted, REVISIONS_PAGE, len(loaded))
            entries = [*loaded, *(RevisionEntry(r) for r in page.results)]
            self.state.revisions = RevisionsState(wanted, name, entries, page.count)

        await ctx.run("load_revisions", body, doing="Loading the revisions", busy="history")

    async def close_revisions(self) -> None:
        """Forget the revisions and the comparison shown."""
        self.state.revisions = None
        self.state.compare = None
        self._ctx.emit("close_revisions", {"revisions", "compare"})

    async def open_revision(self, revision: int | None) -> None:
        """Show the open dataset as of ``revision`` (read-only: paging and inspecting as usual,
        every item write refused), or its current items again with None."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            page = self.state.page
            if page.dataset is None:
                self._wanted_dataset(None, changes, "open_revision")
                return
            if revision is not None:
                if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
                    raise ValueError(f"A revision is a number from 1, not {revision!r}.")
                if not await self._versioned(changes, "open_revision", "A past revision"):
                    return
                latest = getattr(page.dataset, "current_revision", None)
                if latest is not None and revision > latest:
                    message = (
                        f"{page.dataset.name} has no revision {revision}: its newest is {latest}."
                    )
                    ctx.notice(
                        changes,
                        "warning",
                        message,
                        "Pick one from the revisions list.",
                        "open_revision",
                        error=ValueError(message),
                    )
                    return
            await self._switch_view(changes, revision=revision, archived=page.archived)
            if revision is not None:
                ctx.notice(
                    changes,
                    "info",
                    f"Showing {page.dataset.name} as of revision {revision} (read-only).",
                    "Go back to the current revision to edit.",
                    "open_revision",
                )

        await ctx.run("open_revision", body, doing="Opening the revision", busy="page")

    async def show_archived_items(self, on: bool = True) -> None:
        """List the open dataset's archived items instead of its live ones (v2), or the live
        ones again. Archived items are shown read-only; `restore_item` brings one back. On
        classic the server cannot list deleted items: the trash lists this machine's."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            page = self.state.page
            if page.dataset is None:
                self._wanted_dataset(None, changes, "show_archived_items")
                return
            if on and await ctx.client.raw.detect_generation() != "v2":
                message = (
                    "The classic API cannot list deleted items; the trash lists those deleted"
                    " from this machine."
                )
                ctx.notice(
                    changes,
                    "info",
                    message,
                    "",
                    "show_archived_items",
                    error=Unsupported(message),
                )
                return
            await self._switch_view(changes, revision=page.revision, archived=on)

        await ctx.run("show_archived_items", body, doing="Listing the items", busy="page")

    async def _switch_view(self, changes: Changes, *, revision: int | None, archived: bool) -> None:
        page = self.state.page
        self._pager.invalidate()
        page.revision, page.archived, page.query = revision, archived, ""
        page.items, page.total, page.page_number = [], 0, 1
        page.loaded, page.fetched_at = False, None
        self.state.selection = None
        self.state.editor = None
        changes.update({"dataset", "page", "selection", "editor", "access"})
        with contextlib.suppress(Superseded):
            await self._pager.show(1)

    async def show_archived_datasets(self, on: bool = True) -> None:
        """List the archived datasets instead of the live ones (v2), or the live ones again;
        `restore_dataset` brings one back."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            if on and await ctx.client.raw.detect_generation() != "v2":
                message = (
                    "The classic API cannot list deleted datasets; the trash lists those deleted"
                    " from this machine."
                )
                ctx.notice(
                    changes,
                    "info",
                    message,
                    "",
                    "show_archived_datasets",
                    error=Unsupported(message),
                )
                return
            listing = self.state.datasets
            previous = listing.archived
            listing.archived = on
            try:
                with contextlib.suppress(Superseded):
                    await self._datasets.load(changes, page_number=1)
            except BaseException:
                listing.archived = previous
                raise
            changes.add("datasets")

        await ctx.run("show_archived_datasets", body, doing="Listing the datasets", busy="datasets")

    # -- comparing revisions -----------------------------------------------------------------

    async def compare_revisions(
        self, older: int, newer: int | None = None, dataset_id: str | None = None
    ) -> None:
        """Compare a dataset (default: the open one) at two revisions (``newer`` defaults to
        its newest): ``state.compare`` lists the items added, changed, archived and restored
        between them; `diff_change` gives a changed item's diff."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            wanted = self._wanted_dataset(dataset_id, changes, "compare_revisions")
            if wanted is None or not await self._versioned(
                changes, "compare_revisions", "Comparing revisions"
            ):
                return
            a, b = older, newer
            if b is None:
                dataset = await ctx.client.datasets.get(wanted, archived=True)
                b = getattr(dataset, "current_revision", None) or 0
            for number in (a, b):
                if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                    raise ValueError(f"A revision is a number from 1, not {number!r}.")
            a, b = min(a, b), max(a, b)
            before, after = await asyncio.gather(
                ctx.client.items.snapshot(wanted, a), ctx.client.items.snapshot(wanted, b)
            )
            self.state.compare = RevisionCompare(wanted, a, b, compare_snapshots(before, after))
            changes.add("compare")

        await ctx.run("compare_revisions", body, doing="Comparing the revisions", busy="history")

    async def close_compare(self) -> None:
        self.state.compare = None
        self._ctx.emit("close_compare", {"compare"})

    def diff_change(self, change: ItemChange, context: int = 3) -> dict[str, FieldDiff]:
        """The field-by-field diff of one item between the two revisions compared (a query)."""
        return diff_items(change.before, change.after, CONTENT_FIELDS, context)

    # -- export ------------------------------------------------------------------------------

    async def export_dataset(
        self,
        path: str | Path,
        revision: int | None = None,
        dataset_id: str | None = None,
        *,
        format: Literal["jsonl", "csv"] = "jsonl",
        query: str | None = None,
    ) -> None:
        """Export a dataset (default: the open one) to a JSONL (or CSV) file at ``path``: on
        v2 PostHog's export pinned to ``revision`` (default: the newest, or the revision shown);
        on classic its live items in the same row format; with ``query`` only the items it
        matches (the search language of `explorer.model.search`). ``state.export`` follows it;
        a ``Change`` with command ``export_progress`` and kind ``export`` comes at each step."""
        from explorer.model.export import export_dataset

        ctx = self._ctx

        async def body(changes: Changes) -> None:
            wanted = self._wanted_dataset(dataset_id, changes, "export_dataset")
            if wanted is None:
                return
            pinned = revision
            if pinned is None and wanted == self._open_dataset_id():
                pinned = self.state.page.revision
            name = self._dataset_label(wanted)
            state = ExportState(wanted, name, str(path), pinned)
            self.state.export = state
            changes.add("export")

            def progress(step: object) -> None:
                state.phase = getattr(step, "phase", state.phase)
                state.message = getattr(step, "message", "") or state.message
                state.rows = getattr(step, "rows", state.rows) or state.rows
                state.revision = getattr(step, "revision", None) or state.revision
                ctx.emit("export_progress", {"export"})

            try:
                result = await export_dataset(
                    ctx.client.raw,
                    wanted,
                    Path(path),
                    revision=pinned,
                    on_progress=progress,
                    format=format,
                    query=query or None,
                )
            except OSError as exc:
                # the file, not the journal: say which file and why (ctx.run would blame the
                # journal for any OSError)
                state.phase = "failed"
                reason = exc.strerror or str(exc)
                state.message = f"Export of {name} failed: cannot write {path}: {reason}."
                ctx.notice(
                    changes,
                    "error",
                    state.message,
                    "Choose a file in a folder that exists and that you can write.",
                    "export_dataset",
                    error=exc,
                )
                return
            except BaseException as exc:
                state.phase = "failed"
                state.message = f"Export of {name} failed."
                if isinstance(exc, asyncio.CancelledError):
                    state.message = f"Export of {name} cancelled."
                raise
            state.phase = "done"
            state.rows = result.rows
            state.revision = result.revision
            state.path = str(result.path)
            of = f" of revision {result.revision}" if result.revision is not None else ""
            rows = "1 row" if result.rows == 1 else f"{result.rows:,} rows"
            state.message = f"Wrote {rows}{of} to {result.path}."
            ctx.notice(changes, "info", state.message, "", "export_dataset")

        await ctx.run("export_dataset", body, doing="Exporting the dataset", busy="export")
