"""How the panel runs model commands: one asyncio task per event, on one loop, never blocking.

The panel binds to the loop running when it is built (a Jupyter kernel's, or an async test's).
Built with no loop running (a plain script, a sync test), it owns a private loop that runs only
while a scripting call or `TaskRunner.wait` drives it, in the calling thread.

Every task and every widget update happens on that loop's thread. Widget callbacks may arrive on
another thread: JupyterLab 4.4+ sends widget messages over kernel *subshells* (ipykernel 7),
which run them in a thread of their own with its own loop, so that widgets answer while a cell
runs. `TaskRunner.call` hands such a callback to the panel's loop (``call_soon_threadsafe``);
the model, its HTTP client and the widgets are only ever touched from one thread.

Each event starts one task under a *concern* ("datasets", "page", "item", "edit:input", ...);
a new task of the same concern cancels the one before it (debounce: the task sleeps first).
Writes (save, delete, move, undo...) are never cancelled; they run one after another, in the
order they were asked for. A task that fails reports to ``on_error`` (the panel's status line),
never to stdout, where a callback's output would vanish; a click never raises into the kernel.

A scripting call (``await panel.open(...)``) starts its task with ``propagate=True``: its
failure is the task's exception, for the caller to see (`TaskRunner.run` raises it when there is
no loop running). Such a task reports to the status line itself (the panel does that).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["TaskRunner"]

log = logging.getLogger("widgets")

Work = Callable[[], Coroutine[Any, Any, None]]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class TaskRunner:
    """Starts, debounces, serialises and waits for the panel's tasks (not public)."""

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        running = _running_loop()
        self.owns_loop = running is None
        self.loop: asyncio.AbstractEventLoop = running or asyncio.new_event_loop()
        self._on_error = on_error
        self._by_concern: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._write_lock = asyncio.Lock()
        self.extra_idle: Callable[[], Awaitable[None]] | None = None
        self.closed = False
        # The loop's thread: the one building the panel (a kernel builds it in a cell).
        self._thread = threading.get_ident()

    # -- callbacks from any thread -------------------------------------------------------------

    def on_loop_thread(self) -> bool:
        return threading.get_ident() == self._thread

    def call(self, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback(*args)`` on the loop's thread: now when already there, else as soon
        as the loop is free. A failure goes to ``on_error``."""
        if self.on_loop_thread():
            self._call(callback, *args)
        elif not self.closed and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._call, callback, *args)

    def _call(self, callback: Callable[..., object], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:  # a callback's failure goes to the status line
            log.exception("a panel callback failed")
            self._on_error(exc)

    # -- starting work -------------------------------------------------------------------------

    def start(
        self, concern: str, work: Work, *, delay: float = 0.0, propagate: bool = False
    ) -> asyncio.Task[None]:
        """Run ``work()`` as a task; cancels the previous task of ``concern`` first. ``delay``
        seconds of sleep first make it a debounce (a newer event cancels it during the sleep).
        ``propagate``: a failure is the task's exception instead of going to ``on_error``."""
        self._check_thread()
        previous = self._by_concern.pop(concern, None)
        if previous is not None and not previous.done():
            previous.cancel()

        async def run() -> None:
            if delay > 0:
                await asyncio.sleep(delay)
            await work()

        task = self._spawn(run, concern, propagate=propagate)
        self._by_concern[concern] = task
        return task

    def write(self, work: Work, *, propagate: bool = False) -> asyncio.Task[None]:
        """Run ``work()`` after every write asked for before it; never cancelled by a newer one.
        ``propagate`` as for `start`."""
        self._check_thread()

        async def run() -> None:
            async with self._write_lock:
                await work()

        return self._spawn(run, "write", propagate=propagate)

    def pending(self, concern: str) -> bool:
        """Whether a task of ``concern`` is yet to finish (the task asking does not count)."""
        task = self._by_concern.get(concern)
        if task is None or task.done():
            return False
        return not self.loop.is_running() or task is not asyncio.current_task(self.loop)

    def task(self, concern: str) -> asyncio.Task[None] | None:
        """The unfinished task of ``concern``, if any."""
        task = self._by_concern.get(concern)
        return task if task is not None and not task.done() else None

    def cancel(self, concern: str) -> None:
        task = self._by_concern.pop(concern, None)
        if task is not None and not task.done():
            task.cancel()

    def cancel_prefix(self, prefix: str) -> None:
        for concern in [c for c in self._by_concern if c.startswith(prefix)]:
            self.cancel(concern)

    def _spawn(self, work: Work, concern: str, *, propagate: bool = False) -> asyncio.Task[None]:
        if self.closed:
            raise RuntimeError("the panel is closed")
        # The coroutine is made inside the task, so a task cancelled before it ever ran leaves
        # no never-awaited coroutine behind.
        runner = _plain(work) if propagate else self._guard(work)
        task = self.loop.create_task(runner, name=f"dataset-panel:{concern}")
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        if propagate:
            # Shown in the status line already: a task nobody awaits (a script's call without
            # ``await``) is not also logged by asyncio as "never retrieved".
            task.add_done_callback(_retrieved)
        return task

    async def _guard(self, work: Work) -> None:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a task's failure goes to the status line, never stdout
            log.exception("a panel task failed")
            self._on_error(exc)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        for concern, known in list(self._by_concern.items()):
            if known is task:
                del self._by_concern[concern]

    def _check_thread(self) -> None:
        if not self.on_loop_thread():
            raise RuntimeError("panel tasks start on the panel's loop thread (use call())")
        running = _running_loop()
        if running is not None and running is not self.loop:
            raise RuntimeError(
                "this panel was built on another event loop; build it inside the loop that"
                " drives it (in a notebook: in a cell of that kernel)"
            )

    # -- waiting ---------------------------------------------------------------------------------

    async def idle(self) -> None:
        """Wait until no task is left (tasks that start others are waited for too)."""
        while True:
            pending = [t for t in self._tasks if not t.done()]
            if not pending:
                if self.extra_idle is not None:
                    await self.extra_idle()
                if not any(not t.done() for t in self._tasks):
                    return
                continue
            await asyncio.wait(pending)

    def wait(self, timeout: float | None = 30.0) -> None:
        """Block until idle; only with the panel's own loop (no loop running). Raises
        TimeoutError after ``timeout`` seconds, RuntimeError when a loop is running."""
        if not self.owns_loop or _running_loop() is not None:
            raise RuntimeError(
                "an event loop is running (a notebook kernel?): use `await panel.wait_idle()`"
            )
        if self.loop.is_closed():
            return
        self.loop.run_until_complete(asyncio.wait_for(self.idle(), timeout))

    def run(self, task: asyncio.Task[None]) -> asyncio.Task[None] | None:
        """For a scripting call: with a loop running, return ``task`` (await it: it raises what
        the call failed with); with the panel's own loop, run until idle, then raise what
        ``task`` failed with, or return None (also when a newer call cancelled it)."""
        if self.owns_loop and _running_loop() is None:
            self.wait()
            if task.done() and not task.cancelled():
                error = task.exception()
                if error is not None:
                    raise error
            return None
        return task

    # -- closing ---------------------------------------------------------------------------------

    def close(self, final: Callable[[], Awaitable[None]] | None = None) -> None:
        """Cancel every task, run ``final()`` (closing the client) and close an owned loop.
        With a borrowed loop that is running, ``final`` runs as a last task."""
        if self.closed:
            return
        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        if self.owns_loop:
            if self.loop.is_closed():
                return
            if self.loop.is_running():  # closed from a callback of our own loop
                if final is not None:
                    self.loop.create_task(_quietly(final()))
                return
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(self._drain(final))
            self.loop.close()
            return
        if final is not None and not self.loop.is_closed():
            self.loop.create_task(_quietly(final()))

    async def _drain(self, final: Callable[[], Awaitable[None]] | None) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if final is not None:
            await _quietly(final())


async def _plain(work: Work) -> None:
    await work()


def _retrieved(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


async def _quietly(awaitable: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await awaitable
