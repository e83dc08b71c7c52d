"""The state front ends draw: plain dataclasses, read without awaiting, replaced by commands.

A front end reads ``model.state`` after each `Change` and redraws the parts it names. It never
writes state; only the model's commands do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from explorer.model.history import ExportState, HistoryState, RevisionCompare, RevisionsState
from explorer.model.journal import DraftRecord, TrashRecord
from explorer.model.jsontext import FieldError, TextKind, canonical, value_to_text
from explorer.model.notices import Notice
from explorer.model.schema import ItemSchema, schema_for

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = [
    "BulkItemResult",
    "BulkState",
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
    a save; ``delete``: a delete, restore or move; ``bulk``: a bulk action (see `BulkState`)."""

    datasets: bool = False
    page: bool = False
    item: bool = False
    save: bool = False
    delete: bool = False
    history: bool = False
    export: bool = False
    search: bool = False
    bulk: bool = False

    @property
    def any(self) -> bool:
        return (
            self.datasets
            or self.page
            or self.item
            or self.save
            or self.delete
            or self.history
            or self.export
            or self.search
            or self.bulk
        )


class _Paging:
    """The arithmetic of one server page of a list: ``page_number`` (1-based), ``page_size``,
    ``total`` on the server, and how many rows the page holds (``_shown``)."""

    page_number: int
    page_size: int
    total: int

    @property
    def _shown(self) -> int:
        raise NotImplementedError

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def range_text(self) -> str:
        """e.g. ``"101-150 of 1,200"``."""
        return range_text(self.offset, self._shown, self.total)

    @property
    def has_next(self) -> bool:
        return self.offset + self._shown < self.total

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1


@dataclass
class DatasetListState(_Paging):
    """The dataset list as shown: one server page of datasets."""

    datasets: list[AnyDataset] = field(default_factory=list)
    search: str = ""
    order_by: str = "-created_at"
    page_number: int = 1
    page_size: int = 30
    total: int = 0
    loaded: bool = False
    archived: bool = False  # listing archived datasets (v2) instead of live ones

    @property
    def _shown(self) -> int:
        return len(self.datasets)


@dataclass
class PageState(_Paging):
    """The open dataset's current page of items. ``page_number`` is 1-based."""

    dataset: AnyDataset | None = None
    items: list[AnyItem] = field(default_factory=list)
    page_number: int = 1
    page_size: int = 50
    total: int = 0
    loaded: bool = False
    fetched_at: float | None = None  # time.monotonic() of the fetch that produced ``items``
    next_ready: bool = False  # the next page is in the cache (prefetched)
    revision: int | None = None  # the dataset as of this revision (v2; read-only), else current
    archived: bool = False  # the archived items (v2) instead of the live ones
    query: str = ""  # the items matching this search (from the local index), else all

    @property
    def view_label(self) -> str:
        """What the page shows when not the live items: ``"revision 12 (read-only)"``,
        ``"archived items"``, ``'search "refund"'``; "" for the live items."""
        parts = []
        if self.query:
            parts.append(f"search {self.query!r}")
        if self.revision is not None:
            parts.append(f"revision {self.revision} (read-only)")
        if self.archived:
            parts.append("archived items")
        return ", ".join(parts)

    @property
    def _shown(self) -> int:
        return len(self.items)

    def index_of(self, item_id: str) -> int | None:
        for index, item in enumerate(self.items):
            if str(item.id) == item_id:
                return index
        return None


_NOT_YET: Any = object()


class FieldState:
    """One field in the editor. ``text`` is the draft; ``base_text`` the server's value (as of
    the version the edit started from); ``error`` the first problem in ``text``, if any.

    `FieldState.of_value` keeps the base value and writes ``base_text`` (pretty-printed JSON:
    about 15 ms per MB) only when it is first read, so selecting a 20 MB item does not print it
    until an editor shows it. ``text`` is ``base_text`` until the field is edited.
    """

    __slots__ = (
        "_base_canonical",
        "_base_text",
        "_base_value",
        "_text",
        "changed",
        "error",
        "kind",
        "name",
    )

    def __init__(
        self,
        name: str,
        kind: TextKind,
        text: str,
        base_text: str,
        changed: bool = False,
        error: FieldError | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self._text: str | None = text
        self._base_text: str | None = base_text
        self._base_value: Any = _NOT_YET
        self._base_canonical: str | None = None
        self.changed = changed
        self.error = error

    @classmethod
    def of_value(cls, name: str, kind: TextKind, base_value: Any) -> FieldState:
        """A clean field on ``base_value`` (as JSON carries it); its texts are written lazily."""
        state = cls(name, kind, "", "")
        state._text = state._base_text = None
        state._base_value = base_value
        return state

    @property
    def base_text(self) -> str:
        if self._base_text is None:
            self._base_text = value_to_text(self.name, self._base_value)
        return self._base_text

    @property
    def text(self) -> str:
        return self.base_text if self._text is None else self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    @property
    def edited(self) -> bool:
        """Whether ``text`` differs from ``base_text`` (as typed; `changed` compares values)."""
        return self._text is not None and self._text != self.base_text

    def base_canonical(self, base_value: Any) -> str:
        """``canonical(name, base_value)``, computed once per field: ``base_value`` must be the
        value ``base_text`` stands for (the editor passes its base's)."""
        if self._base_canonical is None:
            self._base_canonical = canonical(self.name, base_value)
        return self._base_canonical

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldState):
            return NotImplemented
        return (self.name, self.kind, self.text, self.base_text, self.changed, self.error) == (
            other.name,
            other.kind,
            other.text,
            other.base_text,
            other.changed,
            other.error,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        def short(text: str | None) -> str:
            if text is None:
                return "(not printed yet)"
            return repr(text) if len(text) <= 60 else f"{text[:57]!r}... ({len(text):,} chars)"

        return (
            f"FieldState(name={self.name!r}, kind={self.kind!r}, text={short(self._text)},"
            f" base_text={short(self._base_text)}, changed={self.changed!r},"
            f" error={self.error!r})"
        )


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

    theirs: AnyItem
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
    base: AnyItem | None
    fields: dict[str, FieldState]
    status: EditorStatus = "clean"
    reason: str | None = None
    conflict: ConflictState | None = None
    read_only: bool = False
    revision: int = 0  # bumped by every edit, so a save can tell it raced with typing
    attempts: tuple[str, ...] = ()  # creates sent without confirmation (see DraftRecord)
    sent: dict[str, Any] = field(default_factory=dict)  # a save whose outcome is unknown
    started_at: str = ""  # when the draft was started (journal time)
    # ``base`` as JSON for the journal, made once per base (see editor.base_json)
    base_json: tuple[AnyItem, dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

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
class SearchState:
    """The open dataset's search index and the query shown. ``message`` says where indexing
    stands ("Indexing: 200 of 600 items.", "Indexed 600 items ..."); ``error`` the last query's
    problem (a `QueryError` message), "" when the query was understood."""

    dataset_id: str
    query: str = ""
    message: str = ""
    indexing: bool = False
    indexed: int = 0
    fetched: int = 0
    total: int = 0
    error: str = ""


BulkOutcome = Literal["done", "skipped", "failed"]


class BulkItemResult(NamedTuple):
    """What a bulk action did to one item: ``done``; ``skipped`` (nothing to do, or a PostHog
    limit forbids it: ``reason`` says which; nothing was changed); ``failed`` (``reason``)."""

    item_id: str
    outcome: BulkOutcome
    reason: str = ""


@dataclass
class BulkState:
    """The bulk action running, or the last one run (``running`` False). ``action`` says it in
    words ("Archive 37 items of support-evals"); ``done`` of ``total`` items are finished
    (whatever their outcome: a progress bar is ``done / total``); ``results`` holds one
    `BulkItemResult` per finished item, in the order they finished."""

    action: str
    total: int
    done: int = 0
    results: list[BulkItemResult] = field(default_factory=list)
    running: bool = True

    def count(self, outcome: BulkOutcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def succeeded(self) -> int:
        return self.count("done")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")


@dataclass
class ModelState:
    """Everything a front end draws. ``host``, ``project_id`` and ``read_only`` are for the
    header; ``notice`` is the latest message (``notices`` the last few, newest last).
    ``generation`` is the server's API generation ("classic" or "v2") once its first answer
    told, None before; ``schema`` describes its items' fields for the screens (classic's until
    the generation is known)."""

    host: str
    project_id: str
    read_only: bool
    generation: str | None = None
    datasets: DatasetListState = field(default_factory=DatasetListState)
    page: PageState = field(default_factory=PageState)
    selection: AnyItem | None = None
    editor: EditorState | None = None
    drafts: list[DraftRecord] = field(default_factory=list)
    trash: list[TrashRecord] = field(default_factory=list)
    undo_label: str | None = None
    notice: Notice | None = None
    notices: list[Notice] = field(default_factory=list)
    busy: Busy = field(default_factory=Busy)
    history: HistoryState | None = None
    search: SearchState | None = None
    revisions: RevisionsState | None = None
    compare: RevisionCompare | None = None
    export: ExportState | None = None
    marked: dict[str, AnyItem] = field(default_factory=dict)
    """The marked items (bulk actions act on them), by id in the order they were marked, each
    as last seen; all of the open dataset (cleared when another dataset is opened)."""
    bulk: BulkState | None = None

    @property
    def page_read_only(self) -> bool:
        """Whether the items shown cannot be edited: read-only mode, or a past revision of the
        dataset, its archived items (which can only be restored), or an archived dataset (v2
        refuses writes to its items until it is restored)."""
        page = self.page
        archived_dataset = bool(getattr(page.dataset, "archived", False))
        return self.read_only or page.revision is not None or page.archived or archived_dataset

    @property
    def schema(self) -> ItemSchema:
        return schema_for(self.generation)

    @property
    def selected_id(self) -> str | None:
        return None if self.selection is None else str(self.selection.id)
