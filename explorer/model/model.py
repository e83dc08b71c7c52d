"""`ExplorerModel`: the explorer without a screen; its docstring is the tour for front ends."""

from __future__ import annotations

from explorer.model.browsing import BrowsingCommands
from explorer.model.bulk import BulkCommands
from explorer.model.searching import SearchCommands
from explorer.model.versioning import HistoryCommands

__all__ = ["ExplorerModel"]


class ExplorerModel(BulkCommands, BrowsingCommands, HistoryCommands, SearchCommands):
    """Browsing, paging, editing, soft delete and undo of PostHog datasets, for any front end.

    ``ExplorerModel(client, journal, *, read_only=None, page_size=50, journal_scope=None)``:
    ``client`` is an open `explorer.api.AsyncClient` (the caller closes it); ``journal`` a
    `Journal`; ``read_only`` adds to the client's own setting (it can never lift it);
    ``page_size`` 1-500; ``stale_after`` (seconds, default 30): a page older than this is not
    trusted by `select`; ``journal_scope`` keeps drafts and trash under that name instead of
    the host (the demo: its server has a new port at every start, the same data).

    A tour for front-end authors
    ----------------------------

    Build it on an open async client and a journal, then start it::

        from explorer.api import AsyncClient
        from explorer.model import ExplorerModel, Journal

        client = AsyncClient(host=..., api_key=..., project_id=...)
        model = ExplorerModel(client, Journal())        # Journal(path) in tests
        unsubscribe = model.subscribe(lambda change: redraw(change.kinds))
        await model.start()                              # datasets page 1, drafts, trash

    **State** (``model.state``, plain dataclasses, read without awaiting; never write it):

    - ``host``, ``project_id``, ``read_only``: for the header.
    - ``datasets``: ``datasets`` (list), ``search``, ``order_by``, ``page_number``, ``total``,
      ``range_text``, ``has_next``/``has_previous``.
    - ``page``: the open ``dataset``, its ``items`` (one server page), ``page_number`` (1-based),
      ``page_size``, ``total``, ``page_count``, ``range_text`` ("101-150 of 1,200"), ``has_next``,
      ``has_previous``, ``next_ready`` (the next page is prefetched).
    - ``selection``: the selected `AnyItem` (fresh copy) or None.
    - ``editor``: `EditorState` or None: ``fields`` (name -> `FieldState`: ``text``,
      ``base_text``, ``changed``, ``error`` with ``line``/``column``), ``status`` (clean,
      editing, saving, not_saved, conflict, saved), ``status_text`` ("not saved: ..."),
      ``conflict`` (`ConflictState`: ``theirs`` and per-field ``base``/``mine``/``theirs``/
      ``choice``), ``is_new``.
    - ``drafts``: unsaved drafts in the journal (this and earlier sessions); ``trash``: what was
      soft-deleted from this machine, restorable; ``undo_label``: what `undo` would revert.
    - ``notice`` (latest `Notice`: ``level``, ``message`` = what happened, ``hint`` = what to do),
      ``notices`` (the last 20); ``busy``: ``datasets``, ``page``, ``item``, ``save``, ``delete``,
      ``bulk``.

    **Events**: each command calls every subscriber once, when it ends, with
    ``Change(command="next_page", kinds=frozenset({"page", "busy"}))``; kinds are ``datasets``,
    ``dataset``, ``page``, ``selection``, ``editor``, ``drafts``, ``trash``, ``undo``, ``notice``,
    ``busy``, ``access``, ``history``, ``revisions``, ``compare``, ``export``, ``search``,
    ``marks``, ``bulk``. Redraw what is named. A command sets its busy flag as soon as it
    starts running (a task started with ``create_task`` runs at the loop's next turn); the event
    comes at the end.
    ``idle()``, ``close()`` and ``peek_page(n)`` are not commands and emit nothing.

    **Commands** (``async``; run them as fire-and-forget tasks if you like; each emits one change):

    - Datasets: ``start()``, ``refresh_datasets()``, ``search_datasets(text)`` (debounce in the
      front end), ``sort_datasets("-created_at" | "created_at" | "-updated_at" | "updated_at")``,
      ``go_to_datasets_page(n)``, ``next_datasets_page()``, ``prev_datasets_page()``,
      ``create_dataset(name, description="", metadata="")``, ``update_dataset(id, name=...,
      description=..., metadata=...)`` (metadata is JSON-object text), ``delete_dataset(id)``,
      ``restore_dataset(id)``.
    - Pages: ``open_dataset(id)``, ``close_dataset()``, ``next_page()``, ``prev_page()``,
      ``go_to_page(n)``, ``set_page_size(n)`` (1-500), ``refresh()``. A newer page request cancels
      an older one still in flight (the older emits a change with only ``busy``).
    - Items: ``select(item_id)``, ``clear_selection()``, ``edit_field(name, text)`` (names:
      ``input``, ``output``, ``metadata``, ``ref_trace_id``, ``ref_timestamp``, ``ref_source_id``),
      ``save(add_another=False)``, ``resolve_conflict("mine" | "theirs" | {field: choice})``,
      ``discard()``, ``new_item(dataset_id=None)``, ``duplicate_item(dataset_id, item_id=None)``,
      ``move_item(dataset_id, item_id=None)``, ``delete_item(item_id=None)``,
      ``restore_item(item_id)``, ``undo()`` (the last delete, restore, save or move of this
      session; a save is reverted through the same conflict check as a save; undoing a delete
      selects the restored item). When a save finds the item deleted elsewhere
      (``item_gone``): ``restore_and_save()`` or ``save_as_new()``, the draft kept until one
      succeeds.
    - Drafts: ``open_draft(key)``, ``drop_draft(key)``, ``retry_unsaved()``.
    - History (v2; on classic each says the server keeps none, and ``state.history`` /
      ``state.revisions`` carry ``supported=False``): ``load_history(item_id=None)`` (every
      version newest first, each with who, when and what it changed), ``close_history()``,
      query ``diff_versions(a, b)`` (a `VersionDiff`: per-field diffs, word-marked),
      ``restore_version(n, item_id=None)`` (a new version with v``n``'s content, checked
      against the version the history showed; undo puts the replaced one back);
      ``load_revisions(dataset_id=None, more=False)``, ``close_revisions()``,
      ``open_revision(n)`` (the open dataset as of revision n, read-only: ``state.page.revision``;
      None goes back), ``compare_revisions(a, b=None)`` (``state.compare``: items added,
      changed, archived, restored; query ``diff_change(change)``), ``close_compare()``;
      ``show_archived_items(on)`` (``state.page.archived``), ``show_archived_datasets(on)``
      (``state.datasets.archived``); ``export_dataset(path, revision=None, dataset_id=None)``
      (``state.export``; a ``Change`` with command ``export_progress`` at each step).
    - Search (both generations, from a local index beside the journal): ``search_items(query,
      refresh=False)`` (``state.page.query``: the results page, open and edit as the dataset's
      list; ``state.search``: indexing progress, the query's error; a ``Change`` with command
      ``search_progress`` while indexing), ``clear_search()``, ``index_dataset(dataset_id=None)``;
      ``refresh()`` while searching re-indexes what changed. The query language is
      `explorer.model.search`'s.
    - Bulk (both generations; `explorer.model.bulk`): marks are ``state.marked`` (item id ->
      the item as last seen, in marking order; kept across page turns and searches, cleared
      when another dataset is opened; a change naming ``marks``): ``mark(item_id, on=None)``
      (None toggles), ``mark_range(from_id, to_id)`` (rows of the page shown),
      ``mark_page()``, ``mark_all_results()`` (every match of the search shown, else every
      item of the view), ``clear_marks()``. Query ``await bulk_plan(action, ids=None, *,
      dataset_id=None, key="", value=None)`` (a `BulkPlan` for the one confirmation:
      ``description`` "Archive 37 items of support-evals", ``count``, ``skipped`` with
      reasons, ``warnings``, ``refusal`` when PostHog's limits or the target forbid it; it
      sends only reads). Actions (default: the marked items): ``bulk_archive(ids=None)``,
      ``bulk_restore(ids=None)``, ``bulk_set_metadata(key, value, ids=None)``,
      ``bulk_remove_metadata(key, ids=None)``, ``bulk_move(dataset_id, ids=None)``,
      ``bulk_copy(dataset_id, ids=None)``: each refuses up front what its plan refuses, runs
      4 items at a time into ``state.bulk`` (`BulkState`: ``action``, ``total``, ``done``,
      ``results`` of ``(item_id, "done" | "skipped" | "failed", reason)``, ``running``) with a
      ``Change`` whose command is ``bulk_progress`` after each item, and ends with one notice
      ("Archived 35 of 37 items; 2 failed: ...", its ``error`` a `BulkFailed` when any
      failed). Running one again never does anything twice. One ``undo()`` reverts the whole
      batch (``state.undo_label`` "archive 37 items"), item by item. ``model.limits``
      (`PostHogLimits`: 600 items per dataset, 40 versions per item) is what plans assume.
    - Other: ``dismiss_notice()``, ``idle()`` (await the prefetch), ``close()``; queries
      ``diffs()`` and ``conflict_diffs()`` (per-field diffs of pretty-printed JSON), and
      ``peek_page(n)`` (that page's items when it would show without a request, else None).

    **Guarantees**: an edit is in the journal before ``edit_field`` returns (SQLite, one
    transaction, WAL, synchronous=FULL) and leaves it only when the server confirmed the save; a
    save compares ``updated_at`` with the version the edit started from and stops in a conflict
    instead of overwriting; only changed fields are sent; an unknown outcome (5xx, dropped
    connection) is checked on the server before "not saved" is reported, and a create is never
    sent twice without first looking for it; a soft delete writes the item to the trash before the
    PATCH; in read-only mode every write command refuses with a notice before any request.
    """

    async def refresh(self) -> None:
        """Fetch the current page again; while searching, bring the index up to date from the
        server first (v2: nothing is fetched at the same revision)."""
        query = self.state.page.query
        if query:
            await self.search_items(query, refresh=True)
            return
        await super().refresh()

    async def close(self) -> None:
        """Cancel background work (the prefetch) and close the search index. Does not close
        the client."""
        await super().close()
        self._close_index()
