"""`ExplorerModel`: the explorer without a screen. See the package docstring for the tour."""

from __future__ import annotations

from explorer.model.browsing import BrowsingCommands
from explorer.model.undoing import UndoCommands

__all__ = ["ExplorerModel"]


class ExplorerModel(BrowsingCommands, UndoCommands):
    """Browsing, paging, editing, soft delete and undo of PostHog datasets, for any front end.

    ``ExplorerModel(client, journal, *, read_only=None, page_size=50)``: ``client`` is an open
    `explorer.api.AsyncClient` (the caller closes it); ``journal`` a `Journal`; ``read_only``
    adds to the client's own setting (it can never lift it); ``page_size`` 1-500.

    Read ``model.state`` (a `ModelState`); run commands (all ``async``); subscribe to the one
    `Change` each command emits. Commands never raise for expected failures: they put a
    `Notice` in ``state.notice``. See ``explorer.model``'s docstring for the full list.
    """
