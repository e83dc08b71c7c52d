"""`ExplorerApp`, the terminal app, and `make_app`, the factory the CLI and the tests call.

The app owns one `ExplorerModel` (built when it connects: at start from settings, or from the
connection screen) and shows its notices as notifications. Screens run the model's commands;
nothing here calls the client.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import httpx
from textual.actions import parse as parse_action
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from explorer.api import AsyncClient, RetryPolicy, Settings
from explorer.model import Change, ExplorerModel, Journal
from explorer.model.notices import Notice
from explorer.tui.keys import TuiConfig
from explorer.tui.reachability import ReachabilityTransport

__all__ = ["DEMO_SCOPE", "ExplorerApp", "demo_scope", "make_app"]
DEMO_SCOPE = "demo"
"""The journal scope of the demo's drafts and trash (its server's port changes every start)."""

log = logging.getLogger("explorer.tui")


def demo_scope(settings: Settings) -> str:
    """Where the demo keeps its drafts and trash: one scope per API generation (the classic
    demo's items are not the v2 demo's)."""
    return DEMO_SCOPE if settings.generation in (None, "classic") else f"{DEMO_SCOPE}-v2"


Clock = Callable[[], datetime]
_SEVERITY = {"info": "information", "warning": "warning", "error": "error"}
_UNDO_HINT_COMMANDS = {"delete_item": "items.undo", "delete_dataset": "datasets.undo"}


def _now() -> datetime:
    return datetime.now(UTC)


class ExplorerApp(App[None]):
    """Browse and edit PostHog datasets. Build it with `make_app`."""

    CSS_PATH = "app.tcss"
    TITLE = "PostHog datasets"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("question_mark", "keys_help", "Keys", id="app.help"),
        Binding("T", "open_trash", "Trash", id="app.trash", show=False),
    ]

    def _fatal_error(self) -> None:
        # Textual's crash report shows every frame's local variables; a frame may hold the API
        # key or untrusted item text, so ours shows the frames without their locals.
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    def __init__(
        self,
        settings: Settings | None,
        *,
        journal: Journal | Callable[[], Journal],
        tui_config: TuiConfig,
        clock: Clock = _now,
        retries: RetryPolicy | int | None = None,
        config_file: Path | None = None,
        offer_demo: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        read_only: bool = False,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.read_only = read_only
        self.demo = demo  # connected to the embedded demo server (see connect)
        self._inner_transport = transport
        self.settings = settings
        self.tui_config = tui_config
        self.clock = clock
        self.config_file = config_file
        self.offer_demo = offer_demo
        self._journal = journal
        self._retries = retries
        self._model: ExplorerModel | None = None
        self._transport: ReachabilityTransport | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._session_started = _now().isoformat()
        self._stop_callbacks: list[Callable[[], None]] = []
        if tui_config.keymap:
            self.set_keymap(tui_config.keymap)
        if tui_config.theme:
            self.theme = tui_config.theme

    # -- the model ---------------------------------------------------------------------------

    @property
    def model(self) -> ExplorerModel:
        """The model; only screens shown after connecting use it."""
        if self._model is None:
            raise RuntimeError("not connected yet")
        return self._model

    @property
    def model_or_none(self) -> ExplorerModel | None:
        return self._model

    @property
    def unreachable(self) -> bool:
        """True from a request that got no answer until one gets any answer."""
        return self._transport is not None and self._transport.unreachable

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the app exits (e.g. stop a demo server it started)."""
        self._stop_callbacks.append(callback)

    def connect(self, settings: Settings, *, demo: bool = False) -> None:
        """Build the client and model for ``settings``, show the datasets and load them.
        ``demo``: the embedded demo server, whose drafts are kept from one demo to the next."""
        from explorer.tui.datasets import DatasetsScreen

        if self.read_only and not settings.read_only:
            # --read-only holds however the app connects (settings, the form, the demo)
            settings = dataclasses.replace(settings, read_only=True)
        journal = self._open_journal()
        self._journal = journal
        self.settings = settings
        self._transport = ReachabilityTransport(self._inner_transport)
        client = AsyncClient(settings=settings, retries=self._retries, transport=self._transport)
        self._model = ExplorerModel(
            client,
            journal,
            page_size=self.tui_config.page_size,
            journal_scope=demo_scope(settings) if demo or self.demo else None,
        )
        self._unsubscribe = self._model.subscribe(self._on_change)
        if len(self.screen_stack) > 1:  # the connection screen
            self.switch_screen(DatasetsScreen())
        else:
            self.push_screen(DatasetsScreen())
        self.run_worker(
            self._start(self._model), group="datasets", exclusive=True, exit_on_error=False
        )

    def _open_journal(self) -> Journal:
        """The journal; when none can be made where it belongs (a read-only folder, say), one
        in a temporary folder for this session, and the user is told what that means."""
        if not callable(self._journal):
            return self._journal
        try:
            return self._journal()
        except (OSError, sqlite3.Error) as exc:
            log.exception("cannot open the journal")
            fallback = Path(tempfile.mkdtemp(prefix="dataset-explorer-journal-"))
            journal = Journal(fallback / "journal.sqlite3")
            self.notify(
                f"The local journal could not be opened ({exc}). This session keeps its drafts"
                f" and trash in {journal.path}, which the next start will not read. Check the"
                " permissions of the data folder, or set POSTHOG_EXPLORER_DATA_DIR.",
                severity="error",
                timeout=30,
                markup=False,
            )
            return journal

    async def _start(self, model: ExplorerModel) -> None:
        """Start the model; offer back the drafts an earlier session left (a crash, a kill, a
        quit with unsaved edits): the notice at start points to this list."""
        await model.start()
        if model.state.drafts and model is self._model:
            from explorer.tui.dialogs import DraftsModal

            self.push_screen(DraftsModal())

    def on_mount(self) -> None:
        if self.settings is not None:
            self.connect(self.settings)
        else:
            from explorer.tui.connect import ConnectScreen

            self.push_screen(ConnectScreen(offer_demo=self.offer_demo))

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._model is not None:
            try:
                await self._model.close()
                await self._model.client.aclose()
            except Exception:  # closing must never turn a clean quit into a crash
                log.exception("closing the model")
        for callback in self._stop_callbacks:
            try:
                callback()
            except Exception:
                log.exception("stopping")

    # -- notices -----------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        # Runs on the event loop inside the command; only schedule work here.
        if "notice" in change and self._model is not None and self._model.state.notice:
            self.call_next(self._show_notice, self._model.state.notice)

    def _show_notice(self, notice: Notice) -> None:
        hint = notice.hint
        binding_id = _UNDO_HINT_COMMANDS.get(notice.command)
        removed = self._model.state.schema.removed_label if self._model is not None else ""
        if binding_id and removed and notice.level == "info" and notice.message.startswith(removed):
            hint = f"{self.key_for(binding_id, 'u')} to undo"
        text = f"{notice.message} {hint}".strip()
        self.notify(
            text,
            severity=_SEVERITY.get(notice.level, "information"),  # type: ignore[arg-type]
            timeout=10 if notice.level == "error" else 5,
            markup=False,
        )

    def key_for(self, binding_id: str, default: str) -> str:
        """The first key bound to ``binding_id`` (after the config's keymap), for hints."""
        keys = self._keymap.get(binding_id)
        first = keys.split(",")[0].strip() if keys else default
        return self.get_key_display(Binding(first, ""))

    # -- app-wide actions --------------------------------------------------------------------

    def has_unsaved(self) -> bool:
        """Whether quitting would leave edits of this session unsaved (they stay in the
        journal, but the user should know)."""
        if self._model is None:
            return False
        state = self._model.state
        if state.editor is not None and state.editor.dirty:
            return True
        return any(d.updated_at >= self._session_started for d in state.drafts)

    def action_request_quit(self) -> None:
        if not self.has_unsaved():
            self.exit()
            return
        from explorer.tui.dialogs import ConfirmModal

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(
            ConfirmModal(
                "Quit with unsaved edits?",
                "Your drafts stay in the local journal and are offered again next time.",
                "Quit",
            ),
            answered,
        )

    async def action_quit(self) -> None:
        """Textual's quit (``ctrl+q``, the palette's Quit) asks about unsaved edits as ``q``
        does."""
        self.action_request_quit()

    def action_keys_help(self) -> None:
        from explorer.tui.keys_help import KeysHelp

        if isinstance(self.screen, KeysHelp):
            self.screen.dismiss()
            return
        self.push_screen(KeysHelp(self.screen))

    def action_open_editor(self) -> None:
        """Show the editor on the model's current editor state (a draft opened elsewhere)."""
        from explorer.tui.editor import EditorScreen

        self.push_screen(EditorScreen())

    def action_open_trash(self) -> None:
        if self._model is None:
            return
        from explorer.tui.trash import TrashScreen

        if not isinstance(self.screen, TrashScreen):
            self.push_screen(TrashScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # The screen's own keys first: the palette offers what fits where you are.
        seen: set[str] = set()
        for binding in _screen_bindings(screen):
            if binding.action in seen or not binding.description:
                continue
            _, action, parameters = parse_action(binding.action)
            if screen.check_action(action, parameters) is False:
                continue  # not offered where the screen would refuse it (read-only writes)
            seen.add(binding.action)
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{_help_for(binding)} ({key})",
                partial(screen.run_action, binding.action),
            )
        yield from super().get_system_commands(screen)


def _screen_bindings(screen: Screen[Any]) -> list[Binding]:
    out: list[Binding] = []
    for _key, active in screen.active_bindings.items():
        if active.node is screen and active.enabled:
            out.append(active.binding)
    return out


def _help_for(binding: Binding) -> str:
    from explorer.tui.keys import BINDING_IDS

    return BINDING_IDS.get(binding.id or "", binding.tooltip or binding.description)


def make_app(
    settings: Settings | None = None,
    *,
    journal: Journal | None = None,
    tui_config: TuiConfig | None = None,
    clock: Clock | None = None,
    retries: RetryPolicy | int | None = None,
    config_file: Path | None = None,
    offer_demo: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    read_only: bool = False,
    demo: bool = False,
) -> ExplorerApp:
    """The app, ready to ``run()`` or ``run_test()``.

    ``settings`` None opens the connection screen (host, project, key, or the demo). The
    journal defaults to ``POSTHOG_EXPLORER_DATA_DIR/journal.sqlite3`` when that variable is set,
    else the user data dir; it is opened only when the app connects. ``clock`` gives "now" for
    relative times (tests fix it). ``config_file`` is where the connection screen saves a
    profile when asked. ``transport`` replaces httpx's (tests). ``read_only`` (``--read-only``)
    makes every connection read-only, whether from ``settings``, the form or the demo. ``demo``:
    ``settings`` name the embedded demo server (drafts kept from one demo to the next).
    """

    return ExplorerApp(
        settings,
        # the journal's default place (POSTHOG_EXPLORER_DATA_DIR or the data dir) is its own
        journal=journal if journal is not None else Journal,
        tui_config=tui_config or TuiConfig(),
        clock=clock or _now,
        retries=retries,
        config_file=config_file,
        offer_demo=offer_demo,
        transport=transport,
        read_only=read_only,
        demo=demo,
    )
