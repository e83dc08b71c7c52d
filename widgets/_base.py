"""What the panel's parts share: the model and task runner they drive, and quiet redraws."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w

from explorer.model import ExplorerModel
from widgets._tasks import TaskRunner

__all__ = ["Part", "button", "set_options"]


def button(description: str, tooltip: str = "", *, icon: str = "", style: str = "") -> Any:
    """A compact ``ipywidgets.Button``."""
    return w.Button(
        description=description,
        tooltip=tooltip or description,
        icon=icon,
        button_style=style,
        layout=w.Layout(width="auto"),
    )


def set_options(widget: Any, options: list[tuple[str, str]], value: str | None) -> None:
    """New options and the value to keep, sent to the browser as one message. Sent apart, the
    view would first draw the new options at the old index (another row) and could report that
    row back as the user's choice."""
    with widget.hold_sync():
        if list(widget.options) != options:
            widget.options = options
        widget.value = value


class Part:
    """A piece of the panel: builds its widgets once, redraws them from ``model.state``.

    A redraw sets widget values; ``quiet()`` keeps the part's own observers from taking those
    for user input (which would start commands in a loop).
    """

    def __init__(self, model: ExplorerModel, tasks: TaskRunner) -> None:
        self.model = model
        self.tasks = tasks
        self._quiet = False

    def observe(self, widget: Any, handler: Callable[[dict[str, Any]], object], name: str) -> None:
        """``handler(change)`` on the panel's loop thread when ``widget.<name>`` changes."""
        widget.observe(lambda change: self.tasks.call(handler, change), names=name)

    def on_click(self, widget: Any, handler: Callable[[], object]) -> None:
        """``handler()`` on the panel's loop thread when the button is clicked."""
        widget.on_click(lambda _button: self.tasks.call(handler))

    @contextmanager
    def quiet(self) -> Iterator[None]:
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    @property
    def busy(self) -> bool:
        """True while the part is redrawing (observers should ignore changes)."""
        return self._quiet
