"""Change events: each command tells its subscribers once, at its end, what it changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["CHANGE_KINDS", "Change", "ChangeKind", "Subscribers"]

log = logging.getLogger("explorer.model")

ChangeKind = Literal[
    "datasets",  # state.datasets: the dataset list, its search, sort or page
    "dataset",  # state.page.dataset: which dataset is open, or its name/description/metadata
    "page",  # state.page: the rows shown, range, page size, total
    "selection",  # state.selection: which item is selected, or its content
    "editor",  # state.editor: drafts, errors, status, conflict
    "drafts",  # state.drafts: the unsaved drafts kept in the journal
    "trash",  # state.trash: what was soft-deleted from this machine
    "undo",  # state.undo_label: what `undo` would revert
    "notice",  # state.notice / state.notices: a new message for the user
    "busy",  # state.busy: a concern started or stopped working
    "access",  # state.read_only: the server showed the key cannot write (a 403 on a write);
    # state.generation: the server's API generation became known; the page's view changed
    # (a past revision or the archived items: state.page_read_only)
    "history",  # state.history: an item's versions
    "revisions",  # state.revisions: a dataset's revisions
    "compare",  # state.compare: two revisions compared
    "export",  # state.export: an export's progress
    "search",  # state.search: the search index's progress, the query and its error
    "marks",  # state.marked: the items marked for a bulk action
    "bulk",  # state.bulk: a bulk action's progress and results
]
CHANGE_KINDS: Final[frozenset[str]] = frozenset(ChangeKind.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Change:
    """What one command changed. ``kinds`` may be empty (nothing to redraw: e.g. a page request
    that a newer one superseded). ``"page" in change`` tests a kind."""

    command: str
    kinds: frozenset[str]

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds


Callback = Callable[[Change], None]


class Subscribers:
    """The callbacks to tell of each change, called in the order they subscribed.

    A callback runs synchronously on the event loop: it should only read state and schedule a
    redraw. An exception in one is logged and does not reach the command or the others.
    """

    def __init__(self) -> None:
        self._callbacks: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, change: Change) -> None:
        for callback in list(self._callbacks):
            try:
                callback(change)
            except Exception:
                log.exception("a change subscriber failed on %s", change)
