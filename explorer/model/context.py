"""What every part of the model shares: the client, the journal, the state, and the rule that
runs a command (refuse writes in read-only mode, mark busy, turn failures into notices, emit one
change)."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from explorer.api import AsyncClient
from explorer.api.errors import ApiError, PermissionDenied, ReadOnlyError
from explorer.model.events import Change, Subscribers
from explorer.model.gateway import Gateway
from explorer.model.journal import Journal, JournalReset, ProjectJournal
from explorer.model.notices import Notice, NoticeLevel, describe_error
from explorer.model.state import ModelState

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = ["BusyKind", "Changes", "ModelContext", "UndoEntry", "collect_notices"]

log = logging.getLogger("explorer.model")

Changes = set[str]
BusyKind = Literal[
    "datasets", "page", "item", "save", "delete", "history", "export", "search", "bulk"
]

MAX_NOTICES = 20
MAX_UNDO = 50
# How far back an ambiguous create looks (server and local clocks may differ this much).
RECENT_WINDOW = timedelta(seconds=240)

# The lists `collect_notices` fills: set in one task, seen by the commands that task awaits
# (a context variable: other tasks, a click's say, keep their own).
_collectors: ContextVar[tuple[list[Notice], ...]] = ContextVar("notice_collectors", default=())


@contextmanager
def collect_notices() -> Iterator[list[Notice]]:
    """The notices the commands awaited inside the block produce, in order (only those run in
    this task, or in tasks it starts meanwhile); see `ExplorerModel.collect_notices`."""
    collected: list[Notice] = []
    token = _collectors.set((*_collectors.get(), collected))
    try:
        yield collected
    finally:
        _collectors.reset(token)


@dataclass(frozen=True)
class UndoEntry:
    """A write `undo` can revert. ``before`` holds the values the write replaced (a save or a
    move); ``after`` is the object as the server returned it after the write."""

    action: Literal["delete", "restore", "save", "move", "bulk"]
    kind: Literal["item", "dataset"]
    object_id: str
    label: str
    before: dict[str, Any] = field(default_factory=dict)
    after: AnyItem | AnyDataset | None = None
    verb: str = ""
    """How the action is named to the user when not by ``action`` (``archive`` on v2)."""

    @property
    def description(self) -> str:
        if self.action == "bulk":  # "archive 37 items" (the label counts them)
            return f"{self.verb} {self.label}"
        return f"{self.verb or self.action} {self.kind} {self.label}"


def journal_trouble(exc: BaseException, path: Path) -> tuple[str, str]:
    """What is really wrong with the journal file, and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or getattr(exc, "errno", None) == errno.ENOSPC:
        return (
            f"the disk holding the local journal is full ({exc})",
            f"Free some space on the disk of {path}; your edits are kept in memory meanwhile.",
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or isinstance(
        exc, PermissionError
    ):
        return (
            f"the local journal cannot be written ({exc})",
            f"Check the permissions of {path} and its folder (or set POSTHOG_EXPLORER_DATA_DIR"
            " to a folder you can write).",
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"another program holds the local journal ({exc})",
            "Close other explorers using the same journal, then do it again.",
        )
    return (f"the local journal could not be written ({exc})", f"Check {path}.")


WRITE_SCOPE = "dataset:write"
# Writes that do not touch the items shown, allowed while a past revision is shown.
DATASET_WRITES = frozenset(
    {"create_dataset", "update_dataset", "delete_dataset", "restore_dataset"}
)


class ModelContext:
    """Shared by the parts of `ExplorerModel`; not public."""

    def __init__(
        self,
        client: AsyncClient,
        journal: Journal,
        read_only: bool,
        journal_scope: str | None = None,
    ) -> None:
        settings = client.settings
        self.client = Gateway(client)
        # Drafts and trash are kept per host and project; the demo's server has a new port at
        # every start but the same data, so it is kept under one scope ("demo").
        scope = journal_scope or settings.host
        self.journal: ProjectJournal = journal.for_project(scope, settings.project_id)
        self.scope = f"{scope}|{settings.project_id}"  # the search index's name for this project
        self.state = ModelState(
            host=settings.host, project_id=str(settings.project_id), read_only=read_only
        )
        self.subscribers = Subscribers()
        self.undo_stack: list[UndoEntry] = []
        # Ids of items this model created: an ambiguous create never claims one of them.
        self.created_ids: set[str] = set()
        # Recently created items this model saw listed, with when it first saw them: an
        # ambiguous create does not claim an item that was there before it was sent.
        self.recent_seen: dict[str, datetime] = {}
        self._busy: Counter[str] = Counter()

    # -- notices, busy, undo ----------------------------------------------------------------

    def notice(
        self,
        changes: Changes,
        level: NoticeLevel,
        message: str,
        hint: str = "",
        command: str = "",
        *,
        error: BaseException | None = None,
    ) -> Notice:
        """Show a notice; ``error`` is the failure behind it (see `Notice.error`)."""
        notice = Notice(level, message, hint, command, error=error)
        self.state.notice = notice
        self.state.notices = [*self.state.notices[-(MAX_NOTICES - 1) :], notice]
        for collected in _collectors.get():
            collected.append(notice)
        changes.add("notice")
        return notice

    def _learn_generation(self, changes: Changes) -> None:
        generation = self.client.raw.generation
        if generation is not None and generation != self.state.generation:
            self.state.generation = generation
            changes.add("access")

    def fail(self, changes: Changes, error: BaseException, doing: str, command: str) -> None:
        message, hint = describe_error(error, doing)
        if (
            isinstance(error, PermissionDenied)
            and error.scope == WRITE_SCOPE
            and not self.state.read_only
        ):
            # Nothing tells a key's scopes before it is refused: from the first refusal on,
            # the explorer is read-only, and front ends hide what would be refused.
            self.state.read_only = True
            changes.add("access")
            hint = f"{hint} The explorer is read-only from now on.".strip()
        self.notice(changes, "error", message, hint, command, error=error)

    def set_busy(self, kind: BusyKind, on: bool) -> None:
        self._busy[kind] += 1 if on else -1
        setattr(self.state.busy, kind, self._busy[kind] > 0)

    def push_undo(self, changes: Changes, entry: UndoEntry) -> None:
        self.undo_stack.append(entry)
        del self.undo_stack[:-MAX_UNDO]
        self.state.undo_label = entry.description
        changes.add("undo")

    def pop_undo(self, changes: Changes) -> UndoEntry | None:
        entry = self.undo_stack.pop() if self.undo_stack else None
        self.state.undo_label = self.undo_stack[-1].description if self.undo_stack else None
        changes.add("undo")
        return entry

    def note_listed(self, items: list[AnyItem]) -> None:
        """Remember the recently created items of a list (see ``recent_seen``); bounded: only
        items created within the lookup window are kept, and old entries are pruned."""
        now = datetime.now(UTC)
        horizon = now - RECENT_WINDOW
        for item in items:
            if item.created_at >= horizon:
                self.recent_seen.setdefault(str(item.id), now)
        if len(self.recent_seen) > 1000:
            self.recent_seen = {k: t for k, t in self.recent_seen.items() if t >= horizon}

    def seen_before(self, item_id: str, when: datetime) -> bool:
        seen = self.recent_seen.get(item_id)
        return seen is not None and seen < when

    def reload_drafts(self, changes: Changes) -> None:
        self.state.drafts = self.journal.drafts()
        changes.add("drafts")

    def reload_trash(self, changes: Changes) -> None:
        self.state.trash = self.journal.trash()
        changes.add("trash")

    # -- running a command ------------------------------------------------------------------

    def emit(self, command: str, changes: Changes) -> None:
        self.subscribers.emit(Change(command, frozenset(changes)))

    def refuse_write(self, changes: Changes, command: str, doing: str) -> bool:
        """True (with a notice) when the model is read-only, or when an item write is asked
        while the open dataset is shown as of a past revision."""
        revision = self.state.page.revision
        if revision is not None and command not in DATASET_WRITES:
            message = f"{doing} is not possible while revision {revision} is shown (read-only)."
            self.notice(
                changes,
                "warning",
                message,
                "Go back to the current revision to change items.",
                command,
                error=ReadOnlyError(message),
            )
            return True
        if not self.state.read_only:
            return False
        message = f"{doing} is not possible: the explorer is in read-only mode."
        self.notice(
            changes,
            "warning",
            message,
            "Start it without read-only mode (and with a key that has dataset:write) to edit.",
            command,
            error=ReadOnlyError(message),
        )
        return True

    async def run(
        self,
        command: str,
        body: Callable[[Changes], Awaitable[None]],
        *,
        doing: str,
        busy: BusyKind | None = None,
        write: bool = False,
    ) -> None:
        """Run one command: never raises for expected failures, always emits one change.

        Cancellation (the caller cancelled the task) propagates after the change is emitted.
        """
        changes: Changes = set()
        if write and self.refuse_write(changes, command, doing):
            self.emit(command, changes)
            return
        if busy is not None:
            self.set_busy(busy, True)
            changes.add("busy")
        try:
            await body(changes)
            self._learn_generation(changes)
        except ApiError as exc:
            self._learn_generation(changes)
            self.fail(changes, exc, doing, command)
        except asyncio.CancelledError:
            raise
        except JournalReset as exc:
            log.warning("journal reset in %s: %s", command, exc)
            self.notice(
                changes,
                "error",
                f"{doing} was not recorded: {exc}",
                "Do it again; everything from now on goes to the new journal.",
                command,
                error=exc,
            )
        except (sqlite3.Error, OSError) as exc:
            log.exception("journal failure in %s", command)
            message, hint = journal_trouble(exc, self.journal.journal.path)
            self.notice(changes, "error", f"{doing} failed: {message}.", hint, command, error=exc)
        except Exception as exc:
            log.exception("unexpected failure in %s", command)
            self.fail(changes, exc, doing, command)
        finally:
            if busy is not None:
                self.set_busy(busy, False)
            for problem in self.journal.journal.take_problems():
                self.notice(changes, "warning", problem, "", command)
            self.emit(command, changes)
