"""What the panel's parts share: the model and task runner they drive, and quiet redraws."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w

from explorer.model import ExplorerModel
from widgets._tasks import TaskRunner

__all__ = ["Part", "button"]


def button(description: str, tooltip: str = "", *, icon: str = "", style: str = "") -> Any:
    """A compact ``ipywidgets.Button``."""
    return w.Button(
        description=description,
        tooltip=tooltip or description,
        icon=icon,
        button_style=style,
        layout=w.Layout(width="auto"),
    )


class Part:
    """A piece of the panel: builds its widgets once, redraws them from ``model.state``.

    A redraw sets widget values; ``quiet()`` keeps the part's own observers from taking those
    for user input (which would start commands in a loop).
    """

    def __init__(self, model: ExplorerModel, tasks: TaskRunner) -> None:
        self.model = model
        self.tasks = tasks
        self._quiet = False

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
