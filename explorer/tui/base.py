"""What every screen of the terminal app shares: the model, its change events, running commands.

A screen never calls the client: it runs model commands in workers (one exclusive group per
concern, so a newer page request cancels an older one) and redraws from ``model.state`` when a
`ModelChanged` message names what changed. The model's subscriber callback runs on the app's
event loop and only posts a message; the redraw happens in the screen's handler.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar, cast

from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable
from textual.worker import Worker

from explorer.model import CLASSIC, V2, Change, ExplorerModel, ItemSchema, schema_for

__all__ = [
    "SCHEMAS",
    "WRITE_ACTIONS",
    "HasModel",
    "ModalModelScreen",
    "ModelChanged",
    "ModelScreen",
    "ModelView",
    "remove_bindings",
]

WRITE_ACTIONS: frozenset[str] = frozenset(
    {"create", "edit", "delete", "undo", "add", "duplicate", "move", "restore", "save",
     "save_and_new", "retry", "resolve"}
)  # fmt: skip
"""The screens' actions that change the server: hidden (and refused) while read-only, as
k9s hides what a read-only context cannot do."""

ResultT = TypeVar("ResultT")

SCHEMAS: tuple[ItemSchema, ...] = (CLASSIC, V2)
"""Every API generation's schema: a binding whose words depend on the generation is declared
once per schema, and `ModelView.check_action` lets through the one of the server's."""


def remove_bindings(key: str, binding_id: str, **options: Any) -> list[Binding]:
    """The key that removes (``delete('delete')``, "Delete" on classic; ``delete('archive')``,
    "Archive" on v2): one binding per verb of `SCHEMAS`, sharing ``binding_id`` (a ``[keys]``
    entry moves them together); only the server's generation's is active."""
    labels: dict[str, str] = {}
    for schema in SCHEMAS:
        labels.setdefault(schema.remove_verb, schema.remove_label)
    return [
        Binding(key, f"delete({verb!r})", label, id=binding_id, **options)
        for verb, label in labels.items()
    ]


def cursor_row_key(table: DataTable[Any]) -> str | None:
    """The key of the table's highlighted row; None when it is empty or has no cursor."""
    if table.row_count == 0:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # no valid cursor
        return None
    return None if key.value is None else str(key.value)


class HasModel(Protocol):
    """The app as screens see it: it owns the one `ExplorerModel`."""

    @property
    def model(self) -> ExplorerModel: ...


class ModelChanged(Message):
    """The model finished a command; ``change.kinds`` names what to redraw."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class ModelView:
    """Mixin for a screen that follows the model: subscribes while mounted, runs commands.

    Subclasses override `redraw` (called once on mount with every kind, then per change).
    """

    _unsubscribe: Callable[[], None] | None = None

    @property
    def model(self) -> ExplorerModel:
        return cast(HasModel, self.app).model  # type: ignore[attr-defined]

    def _follow_model(self) -> None:
        if self._unsubscribe is not None:  # already following: never redraw a change twice
            return
        screen = cast(Screen[Any], self)

        def forward(change: Change) -> None:
            screen.post_message(ModelChanged(change))

        self._unsubscribe = self.model.subscribe(forward)

    def _stop_following(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def run_model(
        self, command: Coroutine[Any, Any, None], *, group: str, exclusive: bool = True
    ) -> Worker[None]:
        """Run a model command in a worker of ``group``; with ``exclusive`` a newer command of
        the same group cancels the older one. Model commands report failures in state, so the
        worker never raises into the UI; an unexpected bug is still shown by the app."""
        screen = cast(Screen[Any], self)
        return screen.run_worker(command, group=group, exclusive=exclusive, exit_on_error=False)

    def redraw(self, change: Change | None) -> None:
        """Redraw from ``self.model.state``; ``change`` None means everything."""

    def _model_or_none(self) -> ExplorerModel | None:
        app = cast(Screen[Any], self).app
        model = getattr(app, "model_or_none", None) or getattr(app, "_model", None)
        return cast("ExplorerModel | None", model)

    @property
    def schema(self) -> ItemSchema:
        """The item schema of the server's API generation (classic until known)."""
        model = self._model_or_none()
        return model.state.schema if model is not None else schema_for(None)

    def writes_allowed(self) -> bool:
        model = self._model_or_none()
        return model is None or not model.state.read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write actions are hidden from the footer and refused while read-only; of the
        `remove_bindings`, only the one of the server's generation is active."""
        if action == "delete" and parameters and parameters[0] != self.schema.remove_verb:
            return False
        return action not in WRITE_ACTIONS or self.writes_allowed()


class ModelScreen(ModelView, Screen[ResultT]):
    """A full screen that redraws from the model.

    Textual calls ``on_mount`` of every class along the MRO (subclass first), so a subclass's
    own ``on_mount`` must not call ``super().on_mount()``: this one runs anyway, after it.
    """

    def on_mount(self) -> None:
        self._follow_model()
        self.redraw(None)

    def on_unmount(self) -> None:
        self._stop_following()

    def on_model_changed(self, message: ModelChanged) -> None:
        if "access" in message.change:
            self.refresh_bindings()
        self.redraw(message.change)


class ModalModelScreen(ModelView, ModalScreen[ResultT]):
    """A dialog that redraws from the model (``on_mount``: as for `ModelScreen`)."""

    def on_mount(self) -> None:
        self._follow_model()
        self.redraw(None)

    def on_unmount(self) -> None:
        self._stop_following()

    def on_model_changed(self, message: ModelChanged) -> None:
        self.redraw(message.change)
