"""Bulk actions: mark many items of the open dataset, then archive, restore, tag, move or copy
them at once, on both API generations.

A bulk action

1. is planned first (`BulkCommands.bulk_plan`, a query that at most reads): how many items,
   what will happen in words, and what PostHog's limits forbid (v2 only: 600 items per dataset,
   archived ones counted, for copies and moves into a dataset; 40 versions per item, the last
   kept for a restore, so an item at 40 versions cannot be edited and one at 39 cannot be
   archived). What cannot be carried out whole is refused before anything is sent; items a
   limit forbids, or that need nothing done, are skipped with the reason.
2. runs a few items at a time (`CONCURRENCY`), each through the paths a single command takes
   (the trash before an archive, the version check of a v2 write), with a ``Change`` whose
   command is ``bulk_progress`` after each item.
3. does nothing twice when run again (after a crash, a dropped connection, a partial failure):
   archive, restore and metadata look at the item's current state (v2: a stale
   ``base_version`` is read again and the change re-applied only if still needed); a v2 copy
   carries a ``client_item_id`` derived from the target and the source version, so the server
   answers a repeated create with the item it made; every copy is written to the journal
   before and after its create, so a source already copied to that target is skipped, and a
   classic create of unknown outcome is looked for (`find_created`) before it is sent again.
4. is undone whole by one `undo` (item by item, with the same checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from explorer.api import short_id
from explorer.api.errors import ApiError, Conflict, NotFound
from explorer.model.browsing import BrowsingCommands
from explorer.model.context import Changes, UndoEntry
from explorer.model.editor import content_values
from explorer.model.journal import HistoryRecord
from explorer.model.jsontext import canonical
from explorer.model.notices import NoticeLevel, is_refusal
from explorer.model.saving import find_created
from explorer.model.schema import ItemSchema, item_from_record
from explorer.model.searching import SearchCommands
from explorer.model.state import BulkItemResult, BulkState
from explorer.model.trash import Outcome, delete_item, restore
from explorer.model.undoing import UndoCommands

if TYPE_CHECKING:
    from explorer.api.models import AnyItem

__all__ = [
    "CONCURRENCY",
    "MAX_MARKS",
    "BulkAction",
    "BulkCommands",
    "BulkFailed",
    "BulkPlan",
    "BulkRefused",
    "PostHogLimits",
    "metadata_with",
    "skip_reason",
    "summarize",
]

log = logging.getLogger("explorer.model")

CONCURRENCY: Final = 4
"""Items worked on at once: few enough to stay well inside PostHog's rate limits (the client
waits out a 429 on its own), enough that latency does not dominate."""
MAX_MARKS: Final = 10_000
"""The most items marked at once (their last-seen copies are kept in memory)."""

BulkAction = Literal["archive", "restore", "set_metadata", "remove_metadata", "move", "copy"]
COPY_ACTIONS: Final = ("copy_sent", "copy", "copy_undone")
"""Journal history actions of copies: before the create, once it exists, once undone."""


@dataclass(frozen=True)
class PostHogLimits:
    """PostHog's limits on the versioned API (v2) that a bulk action can meet: items per dataset
    (archived ones counted) and versions per item (the last kept for a restore). A server with
    other limits (a self-hosted build, the emulator's options) sets ``model.limits``."""

    items: int = 600
    versions: int = 40


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""A metadata key that is not there (unlike one holding ``null``)."""


class BulkRefused(ValueError):
    """A bulk action refused before anything was sent (nothing marked, no room in the target,
    an unknown dataset); the message says why."""


class BulkFailed(Exception):
    """Some items of a bulk action failed. ``results`` holds every item's `BulkItemResult`;
    ``__cause__`` is the first failure's error. Running the action again does nothing twice."""

    def __init__(self, message: str, results: Sequence[BulkItemResult]) -> None:
        super().__init__(message)
        self.results = list(results)


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk action would do, decided before it starts: front ends show it in the one
    confirmation. ``description`` says it ("Archive 37 items of support-evals"); ``item_ids``
    are the items it acts on (``count`` of them); ``skipped`` the items it leaves, each with the
    reason; ``warnings`` what to know before confirming; ``refusal`` why it cannot start ("" when
    it can: see ``allowed``)."""

    action: BulkAction
    description: str
    item_ids: tuple[str, ...] = ()
    skipped: tuple[BulkItemResult, ...] = ()
    warnings: tuple[str, ...] = ()
    refusal: str = ""
    dataset_id: str | None = None
    target_id: str | None = None
    target_label: str = ""
    items: tuple[tuple[str, AnyItem | None], ...] = field(default=(), repr=False, compare=False)
    """The items to act on, as last seen (None: not seen; the action looks)."""

    @property
    def count(self) -> int:
        return len(self.item_ids)

    @property
    def total(self) -> int:
        return len(self.item_ids) + len(self.skipped)

    @property
    def allowed(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class _Done:
    """One item a bulk action changed, with what its undo needs: ``item`` as the action left it
    (a copy: the new item; a v2 move: the copy in the target); metadata: the key's value
    ``before`` and ``after``; a move: the ``source`` dataset."""

    item_id: str
    item: AnyItem
    before: Any = ABSENT
    after: Any = ABSENT
    source: str = ""


@dataclass(frozen=True)
class _BulkUndo:
    action: BulkAction
    done: tuple[_Done, ...]
    key: str = ""
    target_id: str = ""


class _Failed(Exception):
    """One item failed: ``reason`` for the results, ``error`` the failure behind it."""

    def __init__(self, reason: str, error: BaseException | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


_GONE: Final = "deleted or archived meanwhile"

ItemOp = Callable[[str, "AnyItem | None"], Awaitable[tuple[BulkItemResult, _Done | None]]]

# -- pure helpers ------------------------------------------------------------------------------


def _items(n: int) -> str:
    return f"{n:,} item" if n == 1 else f"{n:,} items"


def _same(a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is b
    return canonical("metadata", a) == canonical("metadata", b)


def _metadata(item: AnyItem) -> dict[str, Any] | None:
    """An item's metadata as an object (null is an empty one); None when it is not an object."""
    value = item.metadata
    if value is None:
        return {}
    return value if isinstance(value, dict) else None


def metadata_with(metadata: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``metadata`` with top-level ``key`` set to ``value`` (`ABSENT`: removed)."""
    out = dict(metadata)
    if value is ABSENT:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def skip_reason(
    action: BulkAction,
    item: AnyItem,
    *,
    limits: PostHogLimits,
    target_id: str | None = None,
    key: str = "",
    value: Any = ABSENT,
) -> str:
    """Why ``action`` needs nothing done to ``item`` (as last seen), or cannot be done under
    PostHog's limits; "" when it can be done."""
    from explorer.api.models import VersionedItem

    removed = ItemSchema.is_removed(item)
    word = "archived" if isinstance(item, VersionedItem) else "deleted"
    if action == "archive" and removed:
        return f"already {word}"
    if action == "restore" and not removed:
        return f"not {word}"
    if action not in ("archive", "restore") and removed:
        return f"{word}: restore it first"
    if action == "move" and str(item.dataset) == target_id:
        return "already in that dataset"
    if action in ("set_metadata", "remove_metadata"):
        metadata = _metadata(item)
        if metadata is None:
            return "its metadata is not a JSON object"
        if _same(metadata.get(key, ABSENT), value):
            return f"metadata.{key} already set" if value is not ABSENT else f"no metadata.{key}"
    if not isinstance(item, VersionedItem):
        return ""  # the classic API has no limits
    version, most = item.version, limits.versions
    if action in ("archive", "move") and version >= most - 1:
        what = "archived" if action == "archive" else "moved (its original is archived)"
        return (
            f"at {version} versions it cannot be {what}: PostHog keeps the last of its {most}"
            " versions for a restore"
        )
    if action in ("set_metadata", "remove_metadata", "restore") and version >= most:
        what = "restored" if action == "restore" else "edited"
        return f"at PostHog's limit of {most} versions it cannot be {what}"
    return ""


def summarize(
    past: str, results: Sequence[BulkItemResult], suffix: str = ""
) -> tuple[NoticeLevel, str]:
    """The notice of a finished bulk action: ``("error", "Archived 35 of 37 items; 2 failed:
    <first reason> (and 1 more).")``; "info" when none failed."""
    total = len(results)
    done = sum(1 for r in results if r.outcome == "done")
    failed = [r for r in results if r.outcome == "failed"]
    skipped = [r for r in results if r.outcome == "skipped"]
    if done == total:
        message = f"{past} {_items(total)}{suffix}"
    else:
        message = f"{past} {done:,} of {_items(total)}{suffix}"
    for part, group in (("failed", failed), ("skipped", skipped)):
        if group:
            more = f" (and {len(group) - 1:,} more)" if len(group) > 1 else ""
            message += f"; {len(group):,} {part}: {group[0].reason.rstrip('.')}{more}"
    return ("error" if failed else "info"), message + "."


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _reason(error: ApiError) -> str:
    if isinstance(error, Conflict) and error.detail:
        return error.detail.rstrip(".")
    return error.message.rstrip(".")


def _latest_copies(records: Sequence[HistoryRecord], target_id: str) -> dict[str, HistoryRecord]:
    """Per source item, the newest journal record of its copy into ``target_id``."""
    latest: dict[str, HistoryRecord] = {}
    for record in sorted(records, key=lambda r: r.seq):
        if record.dataset_id == target_id:
            latest[record.object_id] = record
    return latest


def _copy_token(item: AnyItem) -> str:
    """What a copy was made of: the v2 version id (each version is copied once), or "" on
    classic (each item is copied once to a target)."""
    return ItemSchema.version_id(item)


def _copied_already(record: HistoryRecord | None, item: AnyItem) -> str:
    """The id of the copy of ``item`` the journal says exists, else ""."""
    if record is None or record.action != "copy" or record.after is None:
        return ""
    if (record.before or {}).get("version", "") != _copy_token(item):
        return ""
    return str(record.after.get("id", ""))


# -- the commands ------------------------------------------------------------------------------


class BulkCommands(BrowsingCommands, UndoCommands, SearchCommands):
    limits: PostHogLimits = PostHogLimits()
    """PostHog's limits as bulk plans assume them (v2); see `PostHogLimits`."""
    _bulk_running: bool = False  # one bulk action at a time

    # -- marks -------------------------------------------------------------------------------

    def _marks_dataset(self) -> str | None:
        marked = self.state.marked
        return str(next(iter(marked.values())).dataset) if marked else None

    def _set_marks(self, marked: dict[str, AnyItem], changes: Changes) -> None:
        self.state.marked = marked
        changes.add("marks")

    def _marks_of(self, dataset_id: str) -> dict[str, AnyItem]:
        """The marks to add to: the current ones when they are of ``dataset_id``, else none."""
        if self._marks_dataset() not in (None, dataset_id):
            return {}
        return dict(self.state.marked)

    async def open_dataset(self, dataset_id: str) -> None:
        """Open a dataset: its first page of items (the selection and editor are cleared;
        unsaved edits stay in the journal's drafts). The marks are cleared when it is another
        dataset than theirs (the change names ``dataset``)."""
        if self._marks_dataset() not in (None, dataset_id):
            self.state.marked = {}
        await super().open_dataset(dataset_id)

    async def mark(self, item_id: str, on: bool | None = None) -> None:
        """Mark an item (of the page shown, or any of the open dataset), or unmark it; ``on``
        None toggles."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            marked = dict(self.state.marked)
            if not (item_id not in marked if on is None else on):
                marked.pop(item_id, None)
                self._set_marks(marked, changes)
                return
            item = self._find_item(item_id) or marked.get(item_id)
            if item is None:
                page = self.state.page
                item = await ctx.client.items.get(item_id, page.revision, archived=True)
            marked = self._marks_of(str(item.dataset))
            if len(marked) >= MAX_MARKS and item_id not in marked:
                self._too_many(changes, "mark")
                return
            marked[item_id] = item
            self._set_marks(marked, changes)

        await ctx.run("mark", body, doing="Marking the item")

    def _too_many(self, changes: Changes, command: str) -> None:
        message = f"At most {MAX_MARKS:,} items can be marked at once."
        self._ctx.notice(
            changes,
            "warning",
            message,
            "Act on these first, then mark more.",
            command,
            error=BulkRefused(message),
        )

    async def mark_range(self, from_id: str, to_id: str) -> None:
        """Mark the rows of the page shown from one item to another (both included, in either
        order), as shift-click does."""
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            page = self.state.page
            ends = [page.index_of(from_id), page.index_of(to_id)]
            if None in ends:
                missing = from_id if ends[0] is None else to_id
                message = f"Item {short_id(missing)} is not on the page shown."
                ctx.notice(
                    changes,
                    "warning",
                    message,
                    "Mark a range within one page.",
                    "mark_range",
                    error=ValueError(message),
                )
                return
            low, high = sorted(i for i in ends if i is not None)
            self._add_marks(page.items[low : high + 1], changes, "mark_range")

        await ctx.run("mark_range", body, doing="Marking the items")

    async def mark_page(self) -> None:
        """Mark every row of the page shown."""

        async def body(changes: Changes) -> None:
            self._add_marks(self.state.page.items, changes, "mark_page")

        await self._ctx.run("mark_page", body, doing="Marking the page")

    def _add_marks(self, items: Sequence[AnyItem], changes: Changes, command: str) -> int:
        if not items:
            return 0
        marked = self._marks_of(str(items[0].dataset))
        added = 0
        for item in items:
            item_id = str(item.id)
            if item_id not in marked and len(marked) >= MAX_MARKS:
                self._too_many(changes, command)
                break
            added += item_id not in marked
            marked[item_id] = item
        self._set_marks(marked, changes)
        return added

    async def mark_all_results(self) -> None:
        """Mark every item of the current view: all matches of the search shown
        (``state.page.query``, from the local index), else every item of the open dataset as
        shown (live, archived, or at the revision shown), read from the server a page at a
        time. At most `MAX_MARKS`."""
        ctx = self._ctx
        command = "mark_all_results"

        async def body(changes: Changes) -> None:
            page = self.state.page
            dataset_id = self._wanted_dataset(None, changes, command)
            if dataset_id is None:
                return
            found: list[AnyItem] = []
            if page.query:
                while len(found) < MAX_MARKS:
                    chunk = await self._search_page(dataset_id, page.query, 500, len(found))
                    found.extend(chunk.results)
                    if not chunk.results or len(found) >= chunk.count:
                        break
            else:
                options: dict[str, Any] = {}
                if page.revision is not None:
                    options["revision"] = page.revision
                if page.archived:
                    options["archived"] = True
                items = ctx.client.raw.items.iter(dataset_id, page_size=100, **options)
                async with contextlib.aclosing(items):
                    async for item in items:
                        found.append(item)
                        if len(found) > MAX_MARKS:
                            break
            added = self._add_marks(found, changes, "mark_all_results")
            what = f"the matches of {page.query!r}" if page.query else "the items shown"
            ctx.notice(
                changes,
                "info",
                f"Marked {_items(added)} more ({what}); {len(self.state.marked):,} marked.",
                "",
                "mark_all_results",
            )

        await ctx.run("mark_all_results", body, doing="Marking the results", busy="page")

    async def clear_marks(self) -> None:
        """Unmark every item."""

        async def body(changes: Changes) -> None:
            self._set_marks({}, changes)

        await self._ctx.run("clear_marks", body, doing="Clearing the marks")

    # -- plans -------------------------------------------------------------------------------

    async def bulk_plan(
        self,
        action: BulkAction,
        ids: Sequence[str] | None = None,
        *,
        dataset_id: str | None = None,
        key: str = "",
        value: Any = None,
    ) -> BulkPlan:
        """What ``action`` would do to ``ids`` (default: the marked items), decided before
        starting: a `BulkPlan` to show in the confirmation. ``dataset_id``: the target of
        ``move`` and ``copy``; ``key`` and ``value``: the metadata key of ``set_metadata``
        (``value`` any JSON) and ``remove_metadata``. A query: it emits nothing and sends
        only reads (items not seen yet; on v2 the target dataset's item count). A failed read
        becomes the plan's ``refusal``."""
        wanted = ABSENT if action == "remove_metadata" else value
        try:
            return await self._plan(action, ids, dataset_id, key, wanted)
        except ApiError as exc:
            return BulkPlan(
                action, _describe_start(action), refusal=f"Cannot plan it: {_reason(exc)}."
            )

    async def _plan(
        self,
        action: BulkAction,
        ids: Sequence[str] | None,
        target_id: str | None,
        key: str,
        value: Any,
    ) -> BulkPlan:
        ctx = self._ctx
        versioned = await ctx.client.raw.detect_generation() == "v2"
        pairs = await self._known_items(ids)
        datasets = {str(item.dataset) for _, item in pairs if item is not None}
        source = datasets.pop() if len(datasets) == 1 else self._open_dataset_id()
        source_label = (
            self._dataset_label(source)
            if source is not None and not datasets
            else "several datasets"
        )
        target_label = ""
        refusal = ""
        if not pairs:
            refusal = "Nothing is marked: mark items first." if ids is None else "No items given."
        elif self.state.read_only:
            refusal = "The explorer is in read-only mode."
        elif self.state.page.revision is not None:
            refusal = f"Revision {self.state.page.revision} is shown (read-only)."
        elif action in ("set_metadata", "remove_metadata") and not key:
            refusal = "Name the metadata key."
        elif action == "set_metadata" and not _is_json(value):
            refusal = f"The value {value!r} is not JSON."
            value = None
        if action in ("move", "copy"):
            if not target_id:
                refusal = refusal or "Name the dataset to move or copy to."
            else:
                target_label, problem = await self._target(target_id)
                refusal = refusal or problem
        copies = (
            _latest_copies(self._copy_records(), target_id)
            if action == "copy" and target_id
            else {}
        )
        acting: list[tuple[str, AnyItem | None]] = []
        skipped: list[BulkItemResult] = []
        for item_id, item in pairs:
            if item is None:
                if action == "restore":
                    acting.append((item_id, None))  # classic: maybe in no trash; try
                else:
                    skipped.append(BulkItemResult(item_id, "skipped", "no such item"))
                continue
            reason = skip_reason(
                action, item, limits=self.limits, target_id=target_id, key=key, value=value
            )
            copy_id = _copied_already(copies.get(item_id), item) if action == "copy" else ""
            if copy_id:
                reason = f"already copied to {target_label} (as {short_id(copy_id)})"
            if reason:
                skipped.append(BulkItemResult(item_id, "skipped", reason))
            else:
                acting.append((item_id, item))
        warnings: list[str] = []
        if versioned and action in ("move", "copy") and target_id and not refusal:
            room = await self._room(target_id)
            if len(acting) > room:
                refusal = (
                    f"{target_label} has room for {_items(room)}, not {len(acting):,}:"
                    f" PostHog allows {self.limits.items:,} items per dataset, archived ones"
                    " included. Archive fewer there, or choose another dataset."
                )
        if versioned and action == "move" and acting:
            warnings.append(
                "An item cannot change dataset on PostHog's API v2: each is copied into"
                f" {target_label} (a new id) and the original archived."
            )
        if skipped:
            more = f" (and {len(skipped) - 1:,} more)" if len(skipped) > 1 else ""
            warnings.append(f"{_items(len(skipped))} will be skipped: {skipped[0].reason}{more}.")
        return BulkPlan(
            action,
            _describe(action, len(acting), source_label, target_label, key, value, versioned),
            item_ids=tuple(i for i, _ in acting),
            skipped=tuple(skipped),
            warnings=tuple(warnings),
            refusal=refusal,
            dataset_id=source,
            target_id=target_id,
            target_label=target_label,
            items=tuple(acting),
        )

    async def _known_items(self, ids: Sequence[str] | None) -> list[tuple[str, AnyItem | None]]:
        """The items named (default: the marked ones), as last seen; those the model has not
        seen are read (an archived one too; a classic deleted one from the trash)."""
        if ids is None:
            return list(self.state.marked.items())
        wanted = list(dict.fromkeys(str(i) for i in ids))
        known = {i: self.state.marked.get(i) or self._find_item(i) for i in wanted}
        unknown = [i for i, item in known.items() if item is None]
        limit = asyncio.Semaphore(CONCURRENCY)

        async def look(item_id: str) -> None:
            async with limit:
                known[item_id] = await self._look_up(item_id)

        await asyncio.gather(*(look(i) for i in unknown))
        return [(i, known[i]) for i in wanted]

    async def _look_up(self, item_id: str) -> AnyItem | None:
        try:
            return await self._ctx.client.items.get(item_id, archived=True)
        except NotFound:
            record = self._ctx.journal.get_trash("item", item_id)
            if record is None:
                return None
            content = dict(record.content)
            content["archived" if "archived" in content else "deleted"] = True
            return item_from_record(content)

    async def _target(self, target_id: str) -> tuple[str, str]:
        """(the target dataset's label, why it cannot be copied or moved to: "" if it can)."""
        from explorer.api.models import VersionedDataset

        try:
            dataset = await self._ctx.client.datasets.get(target_id, archived=True)
        except NotFound:
            label = f"dataset {short_id(target_id)}"
            return label, f"There is no {label} on the server."
        if isinstance(dataset, VersionedDataset) and dataset.archived:
            return dataset.name, f"{dataset.name} is archived: restore it first."
        return dataset.name, ""

    async def _room(self, target_id: str) -> int:
        """How many more items the target dataset can take (v2: archived ones count)."""
        items = self._ctx.client.items
        live = await items.list(target_id, limit=1)
        archived = await items.list(target_id, limit=1, archived=True)
        return max(0, self.limits.items - live.count - archived.count)

    def _copy_records(self) -> list[HistoryRecord]:
        journal = self._ctx.journal
        return [r for a in COPY_ACTIONS for r in journal.history(limit=1_000_000, action=a)]

    # -- the actions -------------------------------------------------------------------------

    async def bulk_archive(self, ids: Sequence[str] | None = None) -> None:
        """Archive (v2) or soft-delete (classic) the marked items (or ``ids``), each kept in
        the trash first as a single delete does. `undo` restores them all."""
        await self._bulk("bulk_archive", "archive", ids)

    async def bulk_restore(self, ids: Sequence[str] | None = None) -> None:
        """Restore archived (v2) or deleted (classic) items: ``ids`` (from ``state.trash``, or
        any this machine knows), default the marked ones (the archived items view)."""
        await self._bulk("bulk_restore", "restore", ids)

    async def bulk_set_metadata(
        self, key: str, value: Any, ids: Sequence[str] | None = None
    ) -> None:
        """Set top-level metadata ``key`` to ``value`` (any JSON) on the marked items (or
        ``ids``); items already holding it are skipped. v2 names the version each write is
        based on: an item changed meanwhile is read again and written only if still needed."""
        await self._bulk("bulk_set_metadata", "set_metadata", ids, key=key, value=value)

    async def bulk_remove_metadata(self, key: str, ids: Sequence[str] | None = None) -> None:
        """Remove top-level metadata ``key`` from the marked items (or ``ids``)."""
        await self._bulk("bulk_remove_metadata", "remove_metadata", ids, key=key, value=ABSENT)

    async def bulk_move(self, dataset_id: str, ids: Sequence[str] | None = None) -> None:
        """Move the marked items (or ``ids``) into another dataset (v2: each is copied there
        and the original archived, see `move_item`). `undo` moves them back."""
        await self._bulk("bulk_move", "move", ids, target_id=dataset_id)

    async def bulk_copy(self, dataset_id: str, ids: Sequence[str] | None = None) -> None:
        """Copy the marked items (or ``ids``) into a dataset (any, the open one included).
        Running it again copies only what was not copied yet. `undo` archives (v2) or deletes
        (classic) the copies."""
        await self._bulk("bulk_copy", "copy", ids, target_id=dataset_id)

    async def _bulk(
        self,
        command: str,
        action: BulkAction,
        ids: Sequence[str] | None,
        *,
        target_id: str | None = None,
        key: str = "",
        value: Any = None,
    ) -> None:
        ctx = self._ctx

        async def body(changes: Changes) -> None:
            if self._bulk_running:
                running = self.state.bulk
                message = f"{running.action if running else 'A bulk action'} is still running."
                error = BulkRefused(message)
                ctx.notice(changes, "warning", message, "Wait for it to end.", command, error=error)
                return
            self._bulk_running = True
            try:
                await run(changes)
            finally:
                self._bulk_running = False

        async def run(changes: Changes) -> None:
            plan = await self._plan(action, ids, target_id, key, value)
            if plan.refusal:
                message = f"{plan.description}: refused. {plan.refusal}"
                ctx.notice(
                    changes,
                    "warning",
                    message,
                    "Nothing was sent.",
                    command,
                    error=BulkRefused(message),
                )
                return
            op = self._op(action, key, value, plan, changes)
            done: list[_Done] = []
            try:
                results, errors = await self._execute(
                    plan.description, plan.items, plan.skipped, op, done, changes
                )
            finally:
                # also when cancelled: what was done can be undone, and leaves the marks
                self._after_bulk(action, plan, key, done, changes)
            past, suffix = _past(action, key, plan.target_label, self.state.schema.removed_label)
            self._report_bulk(results, errors, past, suffix, changes, command)
            await self._refresh_after(action, plan, changes)

        await ctx.run(command, body, doing=_doing(action), busy="bulk", write=True)

    def _op(
        self, action: BulkAction, key: str, value: Any, plan: BulkPlan, changes: Changes
    ) -> ItemOp:
        if action == "archive":
            return self._archive_one
        if action == "restore":
            return self._restore_one
        if action == "move":
            assert plan.target_id is not None
            return lambda i, item: self._move_one(i, item, plan.target_id or "", changes)
        if action == "copy":
            assert plan.target_id is not None
            copies = _latest_copies(self._copy_records(), plan.target_id)
            target, label = plan.target_id, plan.target_label
            return lambda i, item: self._copy_one(i, item, target, label, copies.get(i))
        want = ABSENT if action == "remove_metadata" else value
        return lambda i, item: self._metadata_one(i, item, key, want)

    async def _execute(
        self,
        label: str,
        items: Sequence[tuple[str, AnyItem | None]],
        skipped: Sequence[BulkItemResult],
        op: ItemOp,
        done: list[_Done],
        changes: Changes,
    ) -> tuple[list[BulkItemResult], dict[str, BaseException]]:
        """Run ``op`` on each item, `CONCURRENCY` at a time, into ``state.bulk``; a
        ``bulk_progress`` change after each. Returns the results in the items' order (the
        ``skipped`` first) and each failure's error; ``done`` collects what was changed."""
        ctx = self._ctx
        bulk = self.state.bulk = BulkState(label, total=len(items) + len(skipped))
        bulk.results.extend(skipped)
        bulk.done = len(skipped)
        changes.add("bulk")
        errors: dict[str, BaseException] = {}
        by_id: dict[str, BulkItemResult] = {}
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(item_id: str, item: AnyItem | None) -> None:
            async with limit:
                record: _Done | None = None
                try:
                    result, record = await op(item_id, item)
                except _Failed as exc:
                    result = BulkItemResult(item_id, "failed", exc.reason)
                    errors[item_id] = exc.error or exc
                except ApiError as exc:
                    result = BulkItemResult(item_id, "failed", _reason(exc))
                    errors[item_id] = exc
                except Exception as exc:  # an item's failure never stops the others
                    log.exception("bulk action failed on %s", item_id)
                    result = BulkItemResult(item_id, "failed", f"unexpected failure: {exc}")
                    errors[item_id] = exc
            if record is not None:
                done.append(record)
            by_id[item_id] = result
            bulk.results.append(result)
            bulk.done += 1
            ctx.emit("bulk_progress", {"bulk"})

        ctx.set_busy("bulk", True)
        ctx.emit("bulk_progress", {"bulk", "busy"})
        try:
            await asyncio.gather(*(one(i, item) for i, item in items))
        finally:
            bulk.running = False
            ctx.set_busy("bulk", False)
        ordered = [*skipped, *(by_id[i] for i, _ in items if i in by_id)]
        return ordered, errors

    def _report_bulk(
        self,
        results: Sequence[BulkItemResult],
        errors: dict[str, BaseException],
        past: str,
        suffix: str,
        changes: Changes,
        command: str,
        hint: str = "Run it again: what was done is not done twice.",
    ) -> None:
        level, message = summarize(past, results, suffix)
        error: BaseException | None = None
        if level == "error":
            failure = BulkFailed(message, results)
            first = next(r.item_id for r in results if r.outcome == "failed")
            failure.__cause__ = errors.get(first)
            error = failure
        self._ctx.notice(changes, level, message, hint if error else "", command, error=error)

    def _after_bulk(
        self, action: BulkAction, plan: BulkPlan, key: str, done: list[_Done], changes: Changes
    ) -> None:
        """The undo entry and the marks after a bulk action (also one cut short)."""
        if not done:
            return
        remove_verb = self.state.schema.remove_verb
        verb, label = _undo_words(action, key, len(done), plan.target_label, remove_verb)
        undo = _BulkUndo(action, tuple(done), key, plan.target_id or "")
        entry = UndoEntry(
            "bulk", "item", plan.dataset_id or "", label, before={"bulk": undo}, verb=verb
        )
        self._ctx.push_undo(changes, entry)
        marked = dict(self.state.marked)
        for record in done:
            if record.item_id not in marked:
                continue
            if action in ("archive", "restore", "move"):
                del marked[record.item_id]  # it left the view it was marked in
            elif action in ("set_metadata", "remove_metadata"):
                marked[record.item_id] = record.item
        self._set_marks(marked, changes)

    async def _refresh_after(self, action: BulkAction, plan: BulkPlan, changes: Changes) -> None:
        if action in ("archive", "restore", "copy"):
            self._ctx.reload_trash(changes)
        if self._open_dataset_id() in (plan.dataset_id, plan.target_id) or not plan.dataset_id:
            await self._reload_page(changes)

    # -- one item each -----------------------------------------------------------------------

    async def _seen(self, item_id: str, item: AnyItem | None) -> AnyItem:
        if item is not None:
            return item
        found = await self._look_up(item_id)
        if found is None:
            raise _Failed("no such item on the server")
        return found

    def _not_done(
        self, item_id: str, outcome: Outcome, error: ApiError | None, word: str
    ) -> BulkItemResult:
        if outcome == "missing":
            return BulkItemResult(item_id, "skipped", "no such item on the server")
        why = _reason(error) if error is not None else "no answer"
        if isinstance(error, Conflict) and error.code in (
            "limit_reached",
            "dataset_item_archived",
            "dataset_item_active",
        ):
            return BulkItemResult(item_id, "skipped", why)
        if outcome == "unknown":
            raise _Failed(f"{why}; it may have been {word} (running it again makes sure)", error)
        raise _Failed(why, error)

    async def _archive_one(
        self, item_id: str, item: AnyItem | None
    ) -> tuple[BulkItemResult, _Done | None]:
        item = await self._seen(item_id, item)
        outcome, error = await delete_item(self._ctx, item)
        if outcome == "done":
            return BulkItemResult(item_id, "done"), _Done(item_id, item)
        return self._not_done(item_id, outcome, error, self.state.schema.removed_word), None

    async def _restore_one(
        self, item_id: str, item: AnyItem | None
    ) -> tuple[BulkItemResult, _Done | None]:
        outcome, error = await restore(self._ctx, "item", item_id)
        if outcome != "done":
            return self._not_done(item_id, outcome, error, "restored"), None
        with contextlib.suppress(ApiError):  # else the undo takes what was last seen of it
            item = await self._ctx.client.items.get(item_id)
        if item is None:  # an id nothing was known of: restored, but not undoable
            return BulkItemResult(item_id, "done"), None
        return BulkItemResult(item_id, "done"), _Done(item_id, item)

    async def _metadata_one(
        self,
        item_id: str,
        item: AnyItem | None,
        key: str,
        want: Any,
        *,
        expect: Any = None,
        guard: bool = False,
    ) -> tuple[BulkItemResult, _Done | None]:
        """Make metadata ``key`` hold ``want`` (`ABSENT`: not there). ``guard`` (an undo): only
        while it still holds ``expect``, what the bulk action wrote. A v2 write names the
        version it is based on; when it is stale, or its outcome unknown, the item is read
        again and the write made only if still needed."""
        from explorer.api.models import VersionedItem

        ctx = self._ctx
        current = item
        if not isinstance(current, VersionedItem):
            current = await self._current(item_id)  # classic has no conditional write: read
        if current is None:
            return BulkItemResult(item_id, "skipped", _GONE), None
        before: Any = None
        sent = False
        for _ in range(4):
            metadata = _metadata(current)
            if metadata is None:
                return BulkItemResult(item_id, "skipped", "its metadata is not a JSON object"), None
            have = metadata.get(key, ABSENT)
            if _same(have, want):
                if sent:  # ours landed (its answer lost), or someone wrote the same
                    return BulkItemResult(item_id, "done"), _Done(
                        item_id, current, before=before, after=want
                    )
                return BulkItemResult(item_id, "skipped", _already(key, want)), None
            if guard and not _same(have, expect):
                return BulkItemResult(item_id, "skipped", f"metadata.{key} changed since"), None
            reason = skip_reason("set_metadata", current, limits=self.limits, key=key, value=want)
            if reason:
                return BulkItemResult(item_id, "skipped", reason), None
            if not sent:
                before = have
            new = metadata_with(metadata, key, want)
            sent = True
            try:
                updated = await ctx.client.items.update(current, {"metadata": new})
            except Conflict as exc:
                if exc.code in ("dataset_item_archived", "limit_reached"):
                    return BulkItemResult(item_id, "skipped", _reason(exc)), None
                if exc.code != "stale_version":
                    raise
                current = await self._current(item_id)  # changed meanwhile: look again
            except NotFound:
                return BulkItemResult(item_id, "skipped", _GONE), None
            except ApiError as exc:
                if is_refusal(exc):
                    raise
                try:
                    current = await self._current(item_id)
                except ApiError:
                    raise _Failed(
                        f"{_reason(exc)}; it may have been written (running it again looks first)",
                        exc,
                    ) from None
            else:
                ctx.journal.add_history(
                    "save",
                    "item",
                    item_id,
                    dataset_id=str(updated.dataset),
                    before={"metadata": metadata},
                    after={"metadata": new},
                )
                return BulkItemResult(item_id, "done"), _Done(
                    item_id, updated, before=before, after=want
                )
            if current is None:
                return BulkItemResult(item_id, "skipped", _GONE), None
        raise _Failed("it changed on the server at every try")

    async def _current(self, item_id: str) -> AnyItem | None:
        """The item as the server holds it now; None when it is deleted or archived."""
        try:
            return await self._ctx.client.items.get(item_id)
        except NotFound:
            return None

    async def _move_one(
        self, item_id: str, item: AnyItem | None, target_id: str, changes: Changes
    ) -> tuple[BulkItemResult, _Done | None]:
        item = await self._seen(item_id, item)
        source = str(item.dataset)
        if source == target_id:
            return BulkItemResult(item_id, "skipped", "already in that dataset"), None
        try:
            moved = await self._move(item, target_id)
        except Conflict as exc:
            if exc.code == "limit_reached":
                return BulkItemResult(item_id, "skipped", _reason(exc)), None
            raise
        self._ctx.journal.add_history(
            "move",
            "item",
            item_id,
            dataset_id=target_id,
            before={"dataset": source},
            after={"dataset": target_id},
        )
        self._after_move(item_id, moved, changes)  # the selection and editor follow it
        return BulkItemResult(item_id, "done"), _Done(item_id, moved, source=source)

    async def _copy_one(
        self,
        item_id: str,
        item: AnyItem | None,
        target_id: str,
        target_label: str,
        prior: HistoryRecord | None,
    ) -> tuple[BulkItemResult, _Done | None]:
        """Copy an item into ``target_id`` once: the journal says whether it was (``prior``:
        its newest copy record there); v2 sends a key derived from the target and the version;
        a classic create of unknown outcome is looked for before it is sent again."""
        ctx = self._ctx
        item = await self._seen(item_id, item)
        copy_id = _copied_already(prior, item)
        if copy_id:
            reason = f"already copied to {target_label} (as {short_id(copy_id)})"
            return BulkItemResult(item_id, "skipped", reason), None
        token = _copy_token(item)
        values = content_values(item)
        versioned = bool(token)
        if not versioned and prior is not None and prior.action == "copy_sent":
            # an earlier create of unknown outcome: look for it before sending again
            since = datetime.fromisoformat(str((prior.before or {}).get("at")))
            found = await find_created(ctx, target_id, values, since)
            if found is not None:
                return self._copied(item_id, token, found, target_id)
        attempt = datetime.now(UTC).isoformat()
        ctx.journal.add_history(
            "copy_sent",
            "item",
            item_id,
            dataset_id=target_id,
            before={"version": token, "at": attempt},
        )
        key = f"copy:{target_id}:{token}" if versioned else None
        try:
            created = await ctx.client.items.create(target_id, values, key=key)
        except Conflict as exc:
            if exc.code == "client_item_id_conflict" and exc.current_item_id:
                return await self._earlier_copy(item_id, token, exc, target_id, target_label)
            if exc.code == "limit_reached":
                return BulkItemResult(item_id, "skipped", _reason(exc)), None
            raise
        except ApiError as exc:
            if is_refusal(exc):
                raise
            found = None
            if not versioned:
                with contextlib.suppress(ApiError):
                    found = await find_created(
                        ctx, target_id, values, datetime.fromisoformat(attempt)
                    )
            if found is None:
                raise _Failed(
                    f"{_reason(exc)}; the server may have made the copy (running it again"
                    " finds it rather than copying twice)",
                    exc,
                ) from None
            created = found
        return self._copied(item_id, token, created, target_id)

    def _copied(
        self, item_id: str, token: str, copy: AnyItem, target_id: str
    ) -> tuple[BulkItemResult, _Done]:
        ctx = self._ctx
        ctx.created_ids.add(str(copy.id))
        ctx.journal.add_history(
            "copy",
            "item",
            item_id,
            dataset_id=target_id,
            before={"version": token},
            after={"id": str(copy.id)},
        )
        return BulkItemResult(item_id, "done"), _Done(item_id, copy)

    async def _earlier_copy(
        self, item_id: str, token: str, exc: Conflict, target_id: str, target_label: str
    ) -> tuple[BulkItemResult, _Done | None]:
        """v2: the target already holds a copy made with this key: archived (a copy undone):
        restored; changed since: left alone."""
        copy_id = str(exc.current_item_id)
        copy = await self._ctx.client.items.get(copy_id, archived=True)
        if not ItemSchema.is_removed(copy):
            reason = f"already copied to {target_label} as {short_id(copy_id)} (changed since)"
            return BulkItemResult(item_id, "skipped", reason), None
        outcome, error = await restore(self._ctx, "item", copy_id)
        if outcome != "done":
            return self._not_done(item_id, outcome, error, "restored"), None
        return self._copied(item_id, token, await self._ctx.client.items.get(copy_id), target_id)

    # -- undo --------------------------------------------------------------------------------

    async def _undo_bulk(self, entry: UndoEntry, changes: Changes) -> bool:
        """`undo` of a bulk action: every item it changed is reverted (restored, archived again,
        its metadata key put back while it still holds what the action wrote, moved back, its
        copy archived or deleted) and reported per item in ``state.bulk``; items whose revert
        failed stay on the undo stack, to try again."""
        ctx = self._ctx
        undo = entry.before["bulk"]
        assert isinstance(undo, _BulkUndo)
        by_id = {d.item_id: d for d in undo.done}
        op: ItemOp = lambda i, _item: self._revert_one(undo, by_id[i], changes)  # noqa: E731
        done: list[_Done] = []
        items = [(d.item_id, d.item) for d in undo.done]
        results, errors = await self._execute(
            f"Undo: {entry.description}", items, (), op, done, changes
        )
        failed = {r.item_id for r in results if r.outcome == "failed"}
        if failed:
            left = tuple(d for d in undo.done if d.item_id in failed)
            again = _BulkUndo(undo.action, left, undo.key, undo.target_id)
            ctx.push_undo(
                changes,
                UndoEntry(
                    "bulk",
                    "item",
                    entry.object_id,
                    entry.label.replace(_items(len(undo.done)), _items(len(left)), 1),
                    before={"bulk": again},
                    verb=entry.verb,
                ),
            )
        if undo.action in ("archive", "restore", "copy"):
            ctx.reload_trash(changes)
        hint = "Undo again to retry what failed."
        past = _undone(undo.action, entry.verb)
        self._report_bulk(results, errors, past, "", changes, "undo", hint)
        await self._reload_page(changes)
        return True

    async def _revert_one(
        self, undo: _BulkUndo, record: _Done, changes: Changes
    ) -> tuple[BulkItemResult, _Done | None]:
        ctx = self._ctx
        item_id = record.item_id
        if undo.action == "archive":
            outcome, error = await restore(ctx, "item", item_id)
            if outcome != "done":
                return self._not_done(item_id, outcome, error, "restored"), None
        elif undo.action == "restore":
            outcome, error = await delete_item(ctx, record.item)
            if outcome != "done":
                return self._not_done(item_id, outcome, error, ctx.state.schema.removed_word), None
        elif undo.action == "copy":
            outcome, error = await delete_item(ctx, record.item)
            if outcome != "done":
                return self._not_done(item_id, outcome, error, ctx.state.schema.removed_word), None
            ctx.journal.add_history(
                "copy_undone",
                "item",
                item_id,
                dataset_id=undo.target_id,
                after={"id": str(record.item.id)},
            )
        elif undo.action == "move":
            back = await ctx.client.items.unmove(item_id, record.item, record.source)
            ctx.journal.add_history(
                "move",
                "item",
                item_id,
                dataset_id=str(back.dataset),
                before={"dataset": undo.target_id},
                after={"dataset": str(back.dataset)},
            )
            self._after_move(str(record.item.id), back, changes)
        else:
            return await self._metadata_one(
                item_id, record.item, undo.key, record.before, expect=record.after, guard=True
            )
        return BulkItemResult(item_id, "done"), record


# -- words -------------------------------------------------------------------------------------


def _describe_start(action: BulkAction) -> str:
    return {
        "archive": "Archive items",
        "restore": "Restore items",
        "set_metadata": "Set metadata",
        "remove_metadata": "Remove metadata",
        "move": "Move items",
        "copy": "Copy items",
    }[action]


def _describe(
    action: BulkAction,
    n: int,
    source: str,
    target: str,
    key: str,
    value: Any,
    versioned: bool,
) -> str:
    """``"Archive 37 items of support-evals"``."""
    items = f"{_items(n)} of {source}"
    if action == "archive":
        return f"{'Archive' if versioned else 'Delete'} {items}"
    if action == "restore":
        return f"Restore {items}"
    if action == "set_metadata":
        shown = json.dumps(value, ensure_ascii=False)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        return f"Set metadata.{key} to {shown} on {items}"
    if action == "remove_metadata":
        return f"Remove metadata.{key} from {items}"
    return f"{action.capitalize()} {items} to {target}"


def _doing(action: BulkAction) -> str:
    return {
        "archive": "Archiving the items",
        "restore": "Restoring the items",
        "set_metadata": "Setting the metadata",
        "remove_metadata": "Removing the metadata",
        "move": "Moving the items",
        "copy": "Copying the items",
    }[action]


def _past(action: BulkAction, key: str, target: str, removed: str) -> tuple[str, str]:
    """(the verb of the notice, what follows the count): ("Copied", " to support-evals")."""
    if action == "archive":
        return removed, ""
    if action == "restore":
        return "Restored", ""
    if action == "set_metadata":
        return f"Set metadata.{key} on", ""
    if action == "remove_metadata":
        return f"Removed metadata.{key} from", ""
    return ("Moved" if action == "move" else "Copied"), f" to {target}"


def _undo_words(
    action: BulkAction, key: str, n: int, target: str, remove_verb: str
) -> tuple[str, str]:
    """(verb, label) of the undo entry: ``state.undo_label`` is "archive 37 items"."""
    count = _items(n)
    if action == "archive":
        return remove_verb, count
    if action == "restore":
        return "restore", count
    if action == "set_metadata":
        return f"set metadata.{key} on", count
    if action == "remove_metadata":
        return f"remove metadata.{key} from", count
    return action, f"{count} to {target}"


def _undone(action: BulkAction, verb: str) -> str:
    """How the notice of an undo begins: "Undid the archive of" (37 items)."""
    if action in ("set_metadata", "remove_metadata"):
        doing, rest = verb.split(" ", 1)  # "set metadata.k on"
        return f"Undid {'setting' if doing == 'set' else 'removing'} {rest}"
    return f"Undid the {verb} of"


def _already(key: str, want: Any) -> str:
    return f"metadata.{key} already set" if want is not ABSENT else f"no metadata.{key}"
