"""`DatasetPanel`: the explorer in a notebook cell, and its scripting API for the next cell."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from explorer.api import AsyncClient, Client, ConfigError, Settings
from explorer.api.models import (
    AnyDataset,
    AnyItem,
    Dataset,
    DatasetItem,
    VersionedDataset,
    VersionedItem,
)
from explorer.model import Change, ExplorerModel, Journal, ModelState
from explorer.model.jsontext import value_to_text
from widgets._actions import ItemActions, TrashView
from widgets._editor import EditorView
from widgets._picker import DatasetPicker
from widgets._render import PANEL_CLASS, style_html
from widgets._rows import ItemRows
from widgets._status import Header, StatusArea
from widgets._tasks import TaskRunner
from widgets._viewer import ItemView

if TYPE_CHECKING:
    import pandas

    from explorer.emulator import EmulatorServer

__all__ = ["DEMO_API", "DatasetPanel"]

DEMO_API = "v2"
"""The API generation ``DatasetPanel.demo()`` serves unless told: v2, the versioned datasets API
PostHog Cloud serves (``api="classic"``: the classic API of older self-hosted PostHog)."""

Pending = asyncio.Task[None] | None
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class DatasetPanel:
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
        """
        from explorer.emulator import EmulatorServer

        server = EmulatorServer(host="127.0.0.1", port=0, seed="demo", api=api).start()
        tmpdir = tempfile.mkdtemp(prefix="dataset-panel-demo-")
        try:
            client = AsyncClient(
                host=server.url, api_key=server.api_key, project_id=server.project_id
            )
            return cls(
                client,
                read_only=read_only,
                page_size=page_size,
                _server=server,
                _tmpdir=tmpdir,
            )
        except BaseException:
            _release(None, server, tmpdir)
            raise

    # -- the widgets -----------------------------------------------------------------------------

    def _build(self, *, demo: bool) -> None:
        model, tasks = self.model, self._tasks
        self._header = Header(demo)
        self._status = StatusArea()
        self._picker = DatasetPicker(model, tasks)
        self._rows = ItemRows(model, tasks)
        self._actions = ItemActions(model, tasks)
        self._trash = TrashView(model, tasks)
        self._viewer = ItemView(model, tasks)
        self._editor = EditorView(model, tasks)
        children = [
            w.HTML(style_html()),
            self._header.widget,
            self._status.widget,
            self._picker.build(),
            self._rows.build(),
            self._actions.build(),
            self._trash.build(),
            self._viewer.build(),
            self._editor.build(),
        ]
        self._actions.on_edit = self._set_editing
        self._actions.on_trash = self._trash.show
        self._editor.on_done = lambda: self._set_editing(False)
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
        if kinds & {"selection"}:
            self._viewer.redraw(state)
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
        for part in (self._picker, self._rows, self._viewer, self._trash, self._editor):
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
        notice = self.model.state.notice
        return "" if notice is None else str(notice)

    def _script(self, concern: str, work: Callable[[], Awaitable[None]]) -> Pending:
        async def run() -> None:
            await work()

        return self._tasks.run(self._tasks.start(concern, run))

    def _script_write(self, work: Callable[[], Awaitable[None]]) -> Pending:
        async def run() -> None:
            await work()

        return self._tasks.run(self._tasks.write(run))

    def open(self, dataset: str | AnyDataset) -> Pending:
        """Open a dataset (its id, a `Dataset`, or the exact name of a listed dataset) at
        page 1. In a kernel, returns the task: ``await panel.open("edge-cases")``."""

        async def work() -> None:
            dataset_id = await self._dataset_id(dataset)
            await self.model.open_dataset(dataset_id)

        return self._script("page", work)

    async def _dataset_id(self, dataset: str | AnyDataset) -> str:
        if isinstance(dataset, (Dataset, VersionedDataset)):
            return str(dataset.id)
        if _UUID.match(dataset):
            return dataset
        loading = self._tasks.task("datasets")
        if loading is not None:  # the first list (or a search) is on its way: use it
            await asyncio.wait([loading])
        for listed in self.model.state.datasets.datasets:
            if listed.name == dataset:
                return str(listed.id)
        await self.model.search_datasets(dataset)
        for listed in self.model.state.datasets.datasets:
            if listed.name == dataset:
                return str(listed.id)
        return dataset  # the model reports that it cannot be found

    def select(self, item_id: str | AnyItem) -> Pending:
        """Select an item (by id) and show it; ``panel.item`` is then that item."""
        key = str(item_id.id) if isinstance(item_id, (DatasetItem, VersionedItem)) else str(item_id)
        return self._script("item", lambda: self.model.select(key))

    def refresh(self) -> Pending:
        """Fetch the current page again (the dataset list when no dataset is open)."""
        if self.model.state.page.dataset is None:
            return self._script("datasets", self.model.refresh_datasets)
        return self._script("page", self.model.refresh)

    def next_page(self) -> Pending:
        return self._script("page", self.model.next_page)

    def prev_page(self) -> Pending:
        return self._script("page", self.model.prev_page)

    def go_to_page(self, page_number: int) -> Pending:
        return self._script("page", lambda: self.model.go_to_page(page_number))

    def search(self, text: str) -> Pending:
        """Filter the dataset picker (what typing in its search box does, without the wait)."""
        return self._script("datasets", lambda: self.model.search_datasets(text))

    def edit(self, **values: Any) -> Pending:
        """Change fields of the selected item in the editor (not saved yet): Python values for
        the JSON fields, strings (or None) for the link fields. Which fields: the editor's
        (``panel.state.editor.fields``): on classic ``input``, ``output``, ``metadata`` and the
        ``ref_*`` links; on v2 ``input``, ``expected_output`` and ``metadata`` (its source
        output and link are set when an item is created)."""

        async def work() -> None:
            for name, value in values.items():
                await self.model.edit_field(name, value_to_text(name, value))

        return self._script_write(work)

    def save(self) -> Pending:
        """Save the editor (with the model's conflict check); see ``panel.notice``."""

        async def work() -> None:
            await self._editor.flush()
            await self.model.save()

        return self._script_write(work)

    def delete(self, item_id: str | None = None) -> Pending:
        """Remove an item (default: the selected one): a soft delete on classic, an archive on
        v2 (`archive` is the same). It goes to the trash; `undo` or `restore` brings it back."""
        return self._script_write(lambda: self.model.delete_item(item_id))

    def archive(self, item_id: str | None = None) -> Pending:
        """`delete`, named as on v2: archive an item (default: the selected one)."""
        return self.delete(item_id)

    def restore(self, item_id: str) -> Pending:
        """Restore a deleted (or archived) item from the trash."""
        return self._script_write(lambda: self.model.restore_item(item_id))

    def undo(self) -> Pending:
        """Revert the last delete, restore, save or move of this session."""
        return self._script_write(self.model.undo)

    def to_pandas(self) -> pandas.DataFrame:
        """The current page as a ``pandas.DataFrame`` indexed by item id: a column per field of
        the server's generation (``panel.state.schema``; v2 adds ``version`` and
        ``version_id``), then ``created_at`` and ``updated_at`` (needs the ``pandas`` extra:
        ``pip install 'posthog-dataset-explorer[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError(
                "to_pandas() needs pandas: pip install 'posthog-dataset-explorer[pandas]'"
            ) from None
        schema = self.model.state.schema
        versioned = ["version", "version_id"] if schema.versioned else []
        columns = ["id", *versioned, *schema.names, "created_at", "updated_at"]
        rows = [
            {c: getattr(item, c, None) for c in columns} for item in self.model.state.page.items
        ]
        frame = pandas.DataFrame(rows, columns=columns)
        frame["id"] = frame["id"].astype(str)
        if "version_id" in frame:
            frame["version_id"] = frame["version_id"].astype(str)  # as text, like the ids
        return frame.set_index("id")

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
