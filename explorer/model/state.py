"""The state front ends draw: plain dataclasses, read without awaiting, replaced by commands.

A front end reads ``model.state`` after each `Change` and redraws the parts it names. It never
writes state; only the model's commands do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from explorer.api.models import Dataset, DatasetItem
from explorer.model.journal import DraftRecord, TrashRecord
from explorer.model.jsontext import FieldError, TextKind
from explorer.model.notices import Notice

__all__ = [
    "Busy",
    "ConflictField",
    "ConflictState",
    "DatasetListState",
    "EditorState",
    "EditorStatus",
    "FieldState",
    "ModelState",
    "PageState",
    "range_text",
]


def range_text(offset: int, shown: int, total: int) -> str:
    """``"101-150 of 1,200"``; ``"0 of 0"`` when there is nothing."""
    if shown == 0:
        return f"0 of {total:,}"
    return f"{offset + 1:,}-{offset + shown:,} of {total:,}"


@dataclass
class Busy:
    """What is in flight, per concern. ``datasets``: the dataset list; ``page``: the item page;
    ``item``: fetching the selected item; ``save``: a save, create, conflict resolution or undo of
    a save; ``delete``: a delete, restore or move."""

    datasets: bool = False
    page: bool = False
    item: bool = False
    save: bool = False
    delete: bool = False

    @property
    def any(self) -> bool:
        return self.datasets or self.page or self.item or self.save or self.delete


@dataclass
class DatasetListState:
    """The dataset list as shown: one server page of datasets."""

    datasets: list[Dataset] = field(default_factory=list)
    search: str = ""
    order_by: str = "-created_at"
    page_number: int = 1
    page_size: int = 30
    total: int = 0
    loaded: bool = False

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def range_text(self) -> str:
        return range_text(self.offset, len(self.datasets), self.total)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.datasets) < self.total

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1


@dataclass
class PageState:
    """The open dataset's current page of items. ``page_number`` is 1-based."""

    dataset: Dataset | None = None
    items: list[DatasetItem] = field(default_factory=list)
    page_number: int = 1
    page_size: int = 50
    total: int = 0
    loaded: bool = False
    fetched_at: float | None = None  # time.monotonic() of the fetch that produced ``items``
    next_ready: bool = False  # the next page is in the cache (prefetched)

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def range_text(self) -> str:
        """e.g. ``"101-150 of 1,200"``."""
        return range_text(self.offset, len(self.items), self.total)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    def index_of(self, item_id: str) -> int | None:
        for index, item in enumerate(self.items):
            if str(item.id) == item_id:
                return index
        return None


@dataclass
class FieldState:
    """One field in the editor. ``text`` is the draft; ``base_text`` the server's value (as of
    the version the edit started from); ``error`` the first problem in ``text``, if any."""

    name: str
    kind: TextKind
    text: str
    base_text: str
    changed: bool = False
    error: FieldError | None = None


EditorStatus = Literal["clean", "editing", "saving", "not_saved", "conflict", "saved"]


@dataclass
class ConflictField:
    """A field whose value on the server (``theirs``) differs from the editor's (``mine``).
    ``choice`` is what `resolve_conflict` applies unless told otherwise: ``"mine"`` where you
    edited the field, else ``"theirs"``."""

    name: str
    base: Any
    mine: Any
    theirs: Any
    mine_changed: bool
    theirs_changed: bool
    choice: Literal["mine", "theirs"]


@dataclass
class ConflictState:
    """The item changed on the server since the edit started. ``theirs`` is the server's
    version now; ``fields`` lists every field where it and the editor disagree."""

    theirs: DatasetItem
    fields: dict[str, ConflictField]
    reason: str = ""


@dataclass
class EditorState:
    """The editor of one item, or of a new item (``item_id`` None).

    ``key`` names its draft in the journal. ``base`` is the item as it was when the edit
    started (None for a new item); ``status`` and ``reason`` say where the draft stands
    (``not_saved`` carries the reason, e.g. "not saved: the server is unreachable").
    """

    key: str
    item_id: str | None
    dataset_id: str
    base: DatasetItem | None
    fields: dict[str, FieldState]
    status: EditorStatus = "clean"
    reason: str | None = None
    conflict: ConflictState | None = None
    read_only: bool = False
    revision: int = 0  # bumped by every edit, so a save can tell it raced with typing
    attempts: tuple[str, ...] = ()  # creates sent without confirmation (see DraftRecord)
    sent: dict[str, Any] = field(default_factory=dict)  # a save whose outcome is unknown
    started_at: str = ""  # when the draft was started (journal time)

    @property
    def is_new(self) -> bool:
        return self.item_id is None

    @property
    def dirty(self) -> bool:
        """Whether any field differs from the base (a new item: whether anything was typed)."""
        return any(f.changed for f in self.fields.values())

    @property
    def errors(self) -> list[FieldError]:
        return [f.error for f in self.fields.values() if f.error is not None]

    @property
    def status_text(self) -> str:
        """One line for a status bar, e.g. ``"not saved: PostHog answered 500"``."""
        if self.status == "not_saved":
            return f"not saved: {self.reason}" if self.reason else "not saved"
        if self.status == "conflict":
            return "changed on the server: choose mine, theirs, or per field"
        if self.status == "editing":
            return "unsaved changes"
        return self.status


@dataclass
class ModelState:
    """Everything a front end draws. ``host``, ``project_id`` and ``read_only`` are for the
    header; ``notice`` is the latest message (``notices`` the last few, newest last)."""

    host: str
    project_id: str
    read_only: bool
    datasets: DatasetListState = field(default_factory=DatasetListState)
    page: PageState = field(default_factory=PageState)
    selection: DatasetItem | None = None
    editor: EditorState | None = None
    drafts: list[DraftRecord] = field(default_factory=list)
    trash: list[TrashRecord] = field(default_factory=list)
    undo_label: str | None = None
    notice: Notice | None = None
    notices: list[Notice] = field(default_factory=list)
    busy: Busy = field(default_factory=Busy)

    @property
    def selected_id(self) -> str | None:
        return None if self.selection is None else str(self.selection.id)
