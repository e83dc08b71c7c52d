"""`DatasetPanel`: the explorer in a notebook cell, and its scripting API for the next cell."""

from __future__ import annotations

import asyncio
import difflib
import re
import shutil
import tempfile
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import ipywidgets as w

from explorer.api import AsyncClient, Client, ConfigError, Settings
from explorer.api.errors import ApiError
from explorer.api.models import (
    AnyDataset,
    AnyItem,
    Dataset,
    DatasetItem,
    VersionedDataset,
    VersionedItem,
)
from explorer.model import Change, ExplorerModel, Journal, ModelState, Notice
from explorer.model.jsontext import parse_field, value_to_text
from explorer.model.schema import CLASSIC, V2
from widgets._actions import ItemActions, TrashView
from widgets._bulk import BulkBar
from widgets._bulk_api import BulkScripting
from widgets._dataset_bar import DatasetBar
from widgets._editor import EditorView
from widgets._history_api import HistoryScripting
from widgets._picker import DatasetPicker
from widgets._render import PANEL_CLASS, style_html
from widgets._rows import ItemRows, press
from widgets._search import ItemSearch
from widgets._status import Header, StatusArea
from widgets._tasks import TaskRunner
from widgets._viewer import ItemView

if TYPE_CHECKING:
    from explorer.emulator import EmulatorServer

__all__ = ["DEMO_API", "DatasetPanel"]

DEMO_API = "v2"
"""The API generation ``DatasetPanel.demo()`` serves unless told: v2, the versioned datasets API
PostHog Cloud serves (``api="classic"``: the classic API of older self-hosted PostHog)."""

Pending = asyncio.Task[None] | None
_last_demo: weakref.ref[DatasetPanel] | None = None
"""The panel the latest ``DatasetPanel.demo()`` made: the next one closes it first."""
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class DatasetPanel(BulkScripting, HistoryScripting):
    """Browse and edit PostHog datasets in a notebook: display it, then script it.

    ``DatasetPanel()`` connects with the settings from the environment or the config profile
    (see `explorer.api.Settings.resolve`; ``profile=`` picks one) and raises `ConfigError`
    saying what is missing. ``DatasetPanel(client=...)`` uses a `Client` or `AsyncClient` you
    made (an `AsyncClient` stays yours to close). ``DatasetPanel.demo()`` starts the embedded
    server with demo data and needs no key; it speaks API v2, as PostHog Cloud does
    (``DatasetPanel.demo(api="classic")``: the classic API). The journal (drafts, trash,
    history) is ``journal=`` or the one in the user data dir (a temporary one for the demo).

    **Both API generations.** The panel speaks PostHog's classic datasets API and the versioned
    one (v2), whichever the server answers with (the header says which once it is known). The
    fields shown and edited come from the model's item schema (``panel.state.schema``): on v2
    the answer is ``expected_output``, ``source_output`` and the ``source_*`` link are shown
    read-only, each item shows its version and version id, and removing an item archives it
    (the classic API deletes it); undo and the trash bring it back on both.

    **Async.** Built while an event loop runs (a notebook kernel), the panel runs every
    command as a task on that loop: clicks never block the kernel, and the scripting methods
    (`open`, `select`, `refresh`, ...) return the `asyncio.Task`, so ``await panel.open(...)``
    waits for it. Built with no loop running (a script, a test), the panel owns a private loop
    and the scripting methods run to completion before returning None; widget events queue
    their task, and `wait` runs them.

    **History (v2).** The item view's History tab lists the item's versions (who, when, what
    changed), shows the diff of any two and restores one (undo puts it back); under the grid,
    Revisions opens the dataset as of a past revision (read-only) or compares two, Show
    archived lists the archived items to restore, Export… writes a JSONL file. Scripts:
    `history`, `diff`, `restore_version`, `revisions`, `open_revision`, `compare`,
    `show_archived`, `export` (those answering with a value return it, or in a kernel a task
    to await: ``frame = await panel.history()``). The classic API keeps no history: the tab
    says so, and these calls raise `Unsupported` (`export` works there).

    **Search, marks, bulk actions, DataFrames.** The search box over the grid searches the
    open dataset (``metadata.tags:refunds``, ``expected_output:null``, ``has:trace``,
    ``archived:true``, ``version>1``, ``-term``; words search every field); the grid's
    checkbox column marks items (shift-click: a range; the header: the page; **Mark all N
    results** under a search), and the bar over the grid archives, restores, sets or removes a
    metadata key, moves or copies them after one confirmation (one Undo reverts the batch).
    **Import…** under the grid reads a JSONL or CSV file in. Scripts: `search`, `mark`,
    `mark_all`, `clear_marks`, `bulk_plan`, `bulk_archive`, `bulk_set_metadata`... (no
    confirmation: the call is the confirmation), `to_pandas` (``all=True``: every item of the
    view), `apply` (an edited DataFrame written back, conflict-checked), `import_file`.

    **Failing loudly.** A scripting call that does not do what it was asked raises (the awaited
    task in a kernel, the call itself with no loop running) besides saying so in the status
    line: ValueError for a bad argument (an unknown dataset name or field, a value that is not
    JSON, a page out of range, nothing selected), the client's `ApiError` for the server's
    refusals and failures (`NotFound`, `Conflict`, `ReadOnlyError`, `Unreachable`...). Clicks
    never raise into the kernel: they show it in the status line only.
    """

    def __init__(
        self,
        client: AsyncClient | Client | None = None,
        *,
        profile: str | None = None,
        journal: Journal | None = None,
        read_only: bool | None = None,
        page_size: int = 50,
        _server: EmulatorServer | None = None,
        _tmpdir: str | None = None,
    ) -> None:
        self._tasks = TaskRunner(on_error=self._task_failed)
        owned_client = not isinstance(client, AsyncClient)
        if client is None:
            try:
                client = AsyncClient(profile=profile)
            except ConfigError as exc:
                raise ConfigError(
                    f"{exc.message} Or try DatasetPanel.demo(): the embedded server with demo"
                    " data, no key needed."
                ) from None
        elif isinstance(client, Client):
            client = AsyncClient(settings=client.settings)
        self._client = client
        owned_journal = journal is None
        if journal is None:
            journal = Journal(None if _tmpdir is None else Path(_tmpdir) / "journal.sqlite3")
        self._journal = journal
        self._server = _server
        self.model = ExplorerModel(
            client,
            journal,
            read_only=read_only,
            page_size=page_size,
            # the demo's server has a new port each time: its drafts are kept as "demo"
            journal_scope="demo" if _server is not None else None,
        )
        """The `ExplorerModel` behind the panel: every command of it is there to await."""
        self._tasks.extra_idle = self.model.idle
        self._finalizer = weakref.finalize(
            self,
            _release,
            journal if owned_journal else None,
            _server,
            _tmpdir,
        )
        self._close_client = owned_client
        self._build(demo=_server is not None)
        self._unsubscribe = self.model.subscribe(self._on_change)
        self._redraw_all()
        self._tasks.start("datasets", self.model.start)
        if self._tasks.owns_loop:
            self._tasks.wait()

    @classmethod
    def demo(
        cls, *, api: str = DEMO_API, read_only: bool | None = None, page_size: int = 50
    ) -> DatasetPanel:
        """A panel on the embedded server (127.0.0.1, a free port) with the demo datasets.

        ``api``: the generation the server speaks, ``"v2"`` (the default, `DEMO_API`: what
        PostHog Cloud serves; versioned items, archive instead of delete) or ``"classic"`` (the
        classic API of older self-hosted PostHog). The server and a temporary journal (demo
        edits never reach your real trash) go away when the panel is closed, garbage-collected,
        or at interpreter exit.

        **One demo at a time.** A new ``demo()`` first closes the demo panel made before it
        (its widgets, tasks and server), so re-running a notebook cell holding
        ``panel = DatasetPanel.demo()`` leaves one embedded server running, not one more each
        time. The new panel starts on fresh demo data; the earlier panel object is closed
        (``panel.closed``) and its scripting methods raise RuntimeError.
        """
        from explorer.emulator import EmulatorServer

        global _last_demo
        earlier = _last_demo() if _last_demo is not None else None
        _last_demo = None
        if earlier is not None:
            earlier._close_demo()
        server = EmulatorServer(host="127.0.0.1", port=0, seed="demo", api=api).start()
        tmpdir = tempfile.mkdtemp(prefix="dataset-panel-demo-")
        try:
            client = AsyncClient(
                host=server.url, api_key=server.api_key, project_id=server.project_id
            )
            panel = cls(
                client,
                read_only=read_only,
                page_size=page_size,
                _server=server,
                _tmpdir=tmpdir,
            )
        except BaseException:
            _release(None, server, tmpdir)
            raise
        _last_demo = weakref.ref(panel)
        return panel

    def _close_demo(self) -> None:
        """Close this demo panel and stop its server now (`close` on a kernel's loop leaves
        the rest to a last task; the server stops here, before a new demo starts)."""
        self.close()
        if self._server is not None:
            self._server.stop()  # safe twice: the finalizer stops it again later

    # -- the widgets -----------------------------------------------------------------------------

    def _build(self, *, demo: bool) -> None:
        model, tasks = self.model, self._tasks
        self._header = Header(demo)
        self._status = StatusArea()
        self._picker = DatasetPicker(model, tasks)
        self._rows = ItemRows(model, tasks)
        self._search = ItemSearch(model, tasks)
        self._bulk = BulkBar(model, tasks)
        self._actions = ItemActions(model, tasks)
        self._trash = TrashView(model, tasks)
        self._viewer = ItemView(model, tasks)
        self._editor = EditorView(model, tasks)
        self._bar = DatasetBar(model, tasks)
        # the list beside the item (CSS flex-wrap stacks them when the output area is narrow);
        # above it the banner of a past revision or the archived items, under it their toggles
        tools = self._bar.build()
        grid = self._rows.build(above=[self._search.build(), self._bulk.build()])
        listing = w.VBox([self._bar.banner, grid, tools, self._trash.build()])
        listing.add_class("dx-main-list")
        selected = w.VBox([self._actions.build(), self._viewer.build(), self._editor.build()])
        selected.add_class("dx-main-item")
        main = w.HBox([listing, selected])
        main.add_class("dx-main")
        children = [
            w.HTML(style_html()),
            self._header.widget,
            self._status.widget,
            self._picker.build(),
            main,
        ]
        self._actions.on_edit = self._set_editing
        self._actions.on_trash = self._trash.show
        self._editor.on_done = lambda: self._set_editing(False)
        # the grid's keys press what the buttons do: e Edit, d Delete (Archive), u Undo
        self._rows.on_edit = lambda: press(self._actions.edit)
        self._rows.on_delete = lambda: press(self._actions.delete)
        self._rows.on_undo = lambda: press(self._actions.undo)
        self._rows.on_focus_search = self._picker.search.focus
        self.widget: Any = w.VBox(children)
        """The root ``ipywidgets.VBox`` (CSS class ``dx-panel``), to place in your own layout."""
        self.widget.add_class(PANEL_CLASS)
        self._editing = False
        self._set_editing(False)

    def _set_editing(self, on: bool) -> None:
        self._editing = on
        self._actions.set_edit(on)
        self._viewer.box.layout.display = "none" if on else ""
        self._editor.box.layout.display = "" if on else "none"
        self._editor.open(on)

    def _on_change(self, change: Change) -> None:
        state = self.model.state
        kinds = change.kinds
        if kinds & {"datasets", "dataset"}:
            self._picker.redraw(state)
        if kinds & {"page", "dataset", "selection"}:
            self._rows.redraw(state)
        elif "marks" in kinds:
            self._rows.redraw_marks(state)
        if kinds & {"page", "dataset", "search", "busy"}:
            self._search.redraw(state)
        if kinds & {"marks", "bulk", "dataset", "page", "busy", "undo", "access"}:
            self._bulk.redraw(state)
        if kinds & {"selection"}:
            self._viewer.redraw(state)
        self._viewer.redraw_history(state)  # the History tab, when shown
        self._bar.redraw(state)  # revisions, archived items, export
        if kinds & {"trash"}:
            self._trash.redraw(state)
        if "access" in kinds:  # learned read-only or the generation: the fields, the boxes
            self._rows.redraw(state)
            self._viewer.redraw(state)
            self._trash.redraw(state)
            self._editor.redraw(state)
        # the generation shows once the server answered (a classic one emits no "access")
        self._header.redraw(state, generation_known=self._generation_known)
        if kinds & {"editor"}:
            if state.editor is None and self._editing:
                self._set_editing(False)
            else:
                self._editor.redraw(state)
        self._actions.redraw(state)
        if "notice" not in kinds and "busy" in kinds:
            self._status.settled(state, change.command)
        self._status.redraw(state)

    @property
    def _generation_known(self) -> bool:
        return self.model.state.generation is not None

    def _redraw_all(self) -> None:
        state = self.model.state
        self._header.redraw(state, generation_known=self._generation_known)
        parts = (
            self._picker,
            self._rows,
            self._search,
            self._bulk,
            self._viewer,
            self._trash,
            self._editor,
            self._bar,
        )
        for part in parts:
            part.redraw(state)
        self._actions.redraw(state)
        self._status.redraw(state)

    def _task_failed(self, error: BaseException) -> None:
        self._status.show_error(
            f"The panel failed: {type(error).__name__}: {error}. This is a bug; the model's"
            " state is unchanged, so try again or refresh.",
            self.model.state,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = self.model.state
        dataset = state.page.dataset
        where = f" dataset={dataset.name!r}" if dataset is not None else ""
        return f"<DatasetPanel host={state.host!r} project={state.project_id!r}{where}>"

    # -- scripting -------------------------------------------------------------------------------

    @property
    def state(self) -> ModelState:
        """The model's state (read it; never write it)."""
        return self.model.state

    @property
    def settings(self) -> Settings:
        """Host, project and key of the connection (``repr`` hides the key). Pass it on:
        ``Client(settings=panel.settings)`` reaches the same project."""
        return self._client.settings

    @property
    def dataset(self) -> AnyDataset | None:
        """The open dataset (a `Dataset`, or a `VersionedDataset` on v2)."""
        return self.model.state.page.dataset

    @property
    def item(self) -> AnyItem | None:
        """The selected item (a fresh copy from the server or the current page): a
        `DatasetItem`, or on v2 a `VersionedItem` (its current version)."""
        return self.model.state.selection

    @property
    def items(self) -> list[AnyItem]:
        """The items of the current page."""
        return list(self.model.state.page.items)

    @property
    def datasets(self) -> list[AnyDataset]:
        """The datasets listed in the picker (one page of them)."""
        return list(self.model.state.datasets.datasets)

    @property
    def notice(self) -> str:
        """The latest message in the status area, as plain text ("" when none)."""
        if self._status.error is not None:  # a scripting call's refusal, or a panel failure
            return self._status.error
        notice = self.model.state.notice
        return "" if notice is None else str(notice)

    @property
    def closed(self) -> bool:
        """Whether `close` ran (a newer ``DatasetPanel.demo()`` closes the one before)."""
        return self._tasks.closed

    # A scripting call fails loudly: it shows the failure in the status line (as a click does)
    # and raises it, from the awaited task in a kernel, or from the call with no loop running.
    # The model reports a failure as a notice carrying the exception (`Notice.error`); the
    # notices of the commands the call awaited are collected in its own task, so a click
    # running meanwhile never makes a script's call fail, nor a script's failure a click's.

    def _script(self, concern: str, work: Callable[[], Awaitable[None]]) -> Pending:
        task = self._tasks.start(concern, self._scripted(work), propagate=True)
        return self._tasks.run(task)

    def _script_write(self, work: Callable[[], Awaitable[None]]) -> Pending:
        return self._tasks.run(self._tasks.write(self._scripted(work), propagate=True))

    def _scripted(
        self, work: Callable[[], Awaitable[None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            if self._status.error is not None:  # an earlier call's refusal is over
                self._status.error = None
                self._status.redraw(self.model.state)
            with self.model.collect_notices() as notices:
                try:
                    await work()
                except _Refused as refused:  # shown in the status line already
                    raise refused.error from None
                except Exception as exc:  # a bug: in the status line, and raised
                    self._task_failed(exc)
                    raise
            failure = _failure(notices)
            if failure is not None:
                raise failure

        return run

    def _refuse(self, error: Exception) -> NoReturn:
        """Show ``error`` in the status line and make the scripting call raise it."""
        self._status.show_error(str(error), self.model.state)
        raise _Refused(error)

    def open(self, dataset: str | AnyDataset) -> Pending:
        """Open a dataset (its id, a `Dataset`, or its exact name: the listed datasets first,
        then the server is searched) at page 1. In a kernel, returns the task:
        ``await panel.open("edge-cases")``. Raises ValueError when no dataset has that name
        (naming the closest ones), `NotFound` for an unknown id, and the client's `ApiError`
        when the server fails; the dataset open before stays open then."""

        async def work() -> None:
            dataset_id = await self._dataset_id(dataset)
            await self.model.open_dataset(dataset_id)

        return self._script("page", work)

    async def _dataset_id(self, dataset: str | AnyDataset) -> str:
        if isinstance(dataset, (Dataset, VersionedDataset)):
            return str(dataset.id)
        if not isinstance(dataset, str) or not dataset.strip():
            self._refuse(ValueError(f"open() takes a dataset, its id or its name, not {dataset!r}"))
        if _UUID.match(dataset):
            return dataset
        loading = self._tasks.task("datasets")
        if loading is not None:  # the first list (or a search) is on its way: use it
            await asyncio.wait([loading])
        listed = list(self.model.state.datasets.datasets)
        for candidate in listed:
            if candidate.name == dataset:
                return str(candidate.id)
        # not on the listed page: ask the server (the picker's own list is left as it is)
        try:
            page = await self.model.client.datasets.list(search=dataset, limit=100)
        except ApiError as exc:
            self._status.show_error(f"Finding dataset {dataset!r} failed: {exc}", self.state)
            raise _Refused(exc) from None
        for candidate in page.results:
            if candidate.name == dataset:
                return str(candidate.id)
        names = list(dict.fromkeys(d.name for d in [*listed, *page.results]))
        close = difflib.get_close_matches(dataset, names, n=3)
        if close:
            guess = " or ".join(repr(n) for n in close)
            self._refuse(ValueError(f"No dataset named {dataset!r} (did you mean {guess}?)"))
        self._refuse(ValueError(f"No dataset named {dataset!r}."))

    def select(self, item_id: str | AnyItem) -> Pending:
        """Select an item (by id) and show it; ``panel.item`` is then that item. Raises
        `NotFound` when there is no such item, `InvalidId` (a ValueError) for an id that is
        not one."""
        key = str(item_id.id) if isinstance(item_id, (DatasetItem, VersionedItem)) else str(item_id)
        return self._script("item", lambda: self.model.select(key))

    def refresh(self) -> Pending:
        """Fetch the current page again (the dataset list when no dataset is open)."""
        if self.model.state.page.dataset is None:
            return self._script("datasets", self.model.refresh_datasets)
        return self._script("page", self.model.refresh)

    def next_page(self) -> Pending:
        """The next page (stays on the last one; ``panel.state.page.has_next`` tells). Raises
        ValueError when no dataset is open."""
        return self._script("page", self.model.next_page)

    def prev_page(self) -> Pending:
        """The previous page (stays on the first one). Raises ValueError when no dataset is
        open."""
        return self._script("page", self.model.prev_page)

    def go_to_page(self, page_number: int) -> Pending:
        """Page ``page_number`` (1-based). Raises ValueError for a page the dataset does not
        have (``panel.state.page.page_count`` pages), or when no dataset is open."""

        async def work() -> None:
            page = self.model.state.page
            if not isinstance(page_number, int) or isinstance(page_number, bool):
                self._refuse(ValueError(f"A page number is an int, not {page_number!r}."))
            if page.dataset is not None and page.loaded:
                count = page.page_count
                if not 1 <= page_number <= max(1, count):
                    pages = f"{count:,} page{'s' if count != 1 else ''}"
                    self._refuse(
                        ValueError(
                            f"There is no page {page_number:,}: {page.dataset.name} has {pages}"
                            f" of {page.page_size} items."
                        )
                    )
            await self.model.go_to_page(page_number)

        return self._script("page", work)

    def search_datasets(self, text: str) -> Pending:
        """Filter the dataset picker (what typing in its search box does, without the wait).
        To search the items of the open dataset: `search`."""
        return self._script("datasets", lambda: self.model.search_datasets(text))

    def edit(self, **values: Any) -> Pending:
        """Change fields of the selected item in the editor (not saved yet): Python values for
        the JSON fields, strings (or None) for the link fields. Which fields: the editor's
        (``panel.state.editor.fields``): on classic ``input``, ``output``, ``metadata`` and the
        ``ref_*`` links; on v2 ``input``, ``expected_output`` and ``metadata`` (its source
        output and link are set when an item is created). Raises ValueError, changing nothing,
        for a field that is not one of those (naming them), a value that is not JSON, or a
        link the server would refuse; and when no item is selected."""

        async def work() -> None:
            editor = self.model.state.editor
            if editor is None:
                self._refuse(
                    ValueError(
                        "Nothing is open in the editor: select an item first"
                        " (await panel.select(item_id))."
                    )
                )
            self._check_fields(values, tuple(editor.fields))
            texts: dict[str, str] = {}
            for name, value in values.items():
                try:
                    texts[name] = value_to_text(name, value)
                except (TypeError, ValueError) as exc:
                    self._refuse(ValueError(f"Invalid {name}: not a JSON value ({exc})."))
                error = parse_field(name, texts[name])[1]
                if error is not None:  # nothing is changed when one value is refused
                    self._refuse(ValueError(f"Invalid {error}."))
            for name, text in texts.items():
                await self.model.edit_field(name, text)
            current = self.model.state.editor
            if current is None:
                return
            for name in texts:
                error = current.fields[name].error if name in current.fields else None
                if error is not None:
                    self._refuse(ValueError(f"Invalid {error}."))

        return self._script_write(work)

    def _check_fields(self, values: dict[str, Any], editable: tuple[str, ...]) -> None:
        unknown = [name for name in values if name not in editable]
        if not unknown:
            return
        schema = self.model.state.schema
        other = CLASSIC if schema.versioned else V2
        name = unknown[0]
        allowed = ", ".join(editable)
        if name in schema.names:
            why = f"{name!r} cannot be edited ({schema.api_label}: it is set when the item is made)"
        else:
            why = f"{name!r} is not a field of {schema.api_label} items"
            close = difflib.get_close_matches(name, [*editable, *schema.names, *other.names], n=1)
            if close and close[0] in schema.names:
                why += f" (did you mean {close[0]!r}?)"
            elif close and close[0] == other.answer_field:
                why += f" (did you mean {schema.answer_field!r}? {close[0]!r} is the"
                why += f" {other.api_label}'s name for it)"
        self._refuse(ValueError(f"{why}; the editable fields are {allowed}."))

    def save(self) -> Pending:
        """Save the editor (with the model's conflict check); ``panel.notice`` says how it went.
        Raises ValueError for an invalid field (nothing sent), `Conflict` when someone saved
        the item since (the conflict's choices are shown: keep mine, take theirs, per field),
        `ReadOnlyError`, and the client's `ApiError` when the server refused or failed (your
        edit is kept)."""

        async def work() -> None:
            await self._editor.flush()
            await self.model.save()
            editor = self.model.state.editor
            if editor is not None and editor.conflict is not None and not self._editing:
                self._set_editing(True)  # the choice to make is shown: mine, theirs, per field

        return self._script_write(work)

    def delete(self, item_id: str | None = None) -> Pending:
        """Remove an item (default: the selected one): a soft delete on classic, an archive on
        v2 (`archive` is the same). It goes to the trash; `undo` or `restore` brings it back.
        Raises ValueError when no item is selected, `NotFound`, `Conflict`, `ReadOnlyError`."""
        return self._script_write(lambda: self.model.delete_item(item_id))

    def archive(self, item_id: str | None = None) -> Pending:
        """`delete`, named as on v2: archive an item (default: the selected one)."""
        return self.delete(item_id)

    def restore(self, item_id: str) -> Pending:
        """Restore a deleted (or archived) item from the trash. Raises `NotFound` when the
        server no longer has it."""
        return self._script_write(lambda: self.model.restore_item(item_id))

    def undo(self) -> Pending:
        """Revert the last delete, restore, save or move of this session (nothing to undo is
        not an error: ``panel.notice`` says so)."""
        return self._script_write(self.model.undo)

    # -- waiting and closing ---------------------------------------------------------------------

    def wait(self, timeout: float | None = 30.0) -> None:
        """Run the queued tasks until none is left (no loop running only: scripts and tests).
        Raises RuntimeError in a kernel (``await panel.wait_idle()`` there), TimeoutError."""
        self._tasks.wait(timeout)

    async def wait_idle(self) -> None:
        """Wait until every task the panel started (and the next page's prefetch) is done."""
        await self._tasks.idle()

    def close(self) -> None:
        """Stop the tasks, close the widgets, the client (if the panel made it), the journal
        (if the panel opened it) and the demo server. Safe to call twice."""
        if self._tasks.closed:
            return
        self._unsubscribe()
        client = self._client if self._close_client else None
        model = self.model

        async def final() -> None:
            await model.close()
            if client is not None:
                await client.aclose()
            self._finalizer()

        self._tasks.close(final)
        if not self._tasks.owns_loop:
            pass  # ``final`` runs on the kernel's loop and releases the rest
        else:
            self._finalizer()
        self.widget.close()
        for child in _descendants(self.widget):
            child.close()

    def __enter__(self) -> DatasetPanel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Refused(Exception):
    """A scripting call's failure the panel found itself, already in the status line; the call
    raises ``error``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _failure(notices: list[Notice]) -> Exception | None:
    """What a scripting call raises for the notices its commands produced: the first failure's
    exception (the model keeps it in `Notice.error`), else a ValueError for an error notice
    that carries none; None when the commands did what was asked."""
    for notice in notices:
        if isinstance(notice.error, Exception):
            return notice.error
    for notice in notices:
        if notice.level == "error":
            return ValueError(str(notice))
    return None


def _descendants(widget: Any) -> list[Any]:
    out: list[Any] = []
    for child in getattr(widget, "children", ()):
        out.append(child)
        out.extend(_descendants(child))
    return out


def _release(journal: Journal | None, server: EmulatorServer | None, tmpdir: str | None) -> None:
    """Close what the panel opened; runs once (close, garbage collection or interpreter exit)."""
    if journal is not None:
        journal.close()
    if server is not None:
        server.stop()
    if tmpdir is not None:
        shutil.rmtree(tmpdir, ignore_errors=True)
