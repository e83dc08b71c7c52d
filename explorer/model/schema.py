"""What an item is made of in each API generation, as data the model and front ends read.

The classic API's items hold ``input``, ``output`` and ``metadata`` plus three ``ref_*`` links, all
editable, and are soft-deleted. The versioned API's (v2) items hold ``input``, ``expected_output``,
``source_output`` and ``metadata`` plus three ``source_*`` links; ``source_output`` and the links
are set when an item is created and never change after, and items are archived, each write making
a new version. Front ends draw tabs, columns, editors and diffs from `ItemSchema` (the model
exposes it as ``state.schema``) instead of naming fields, so one screen serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from explorer.api.models import AnyItem, Dataset, VersionedDataset


__all__ = [
    "CLASSIC",
    "SCHEMAS",
    "V2",
    "FieldSpec",
    "ItemSchema",
    "dataset_from_record",
    "item_from_record",
    "schema_for",
    "schema_of",
]

Generation = Literal["classic", "v2"]
Role = Literal["input", "answer", "output", "metadata", "link"]
Kind = Literal["json", "text", "timestamp"]


@dataclass(frozen=True)
class FieldSpec:
    """One field of an item: its wire name, its label, how it is edited and what it is for.

    ``editable``: changed by a save of an existing item; ``on_create``: set when creating one
    (and copied by duplicate and move). ``role`` tells front ends what a field means: the
    ``answer`` is the field previews show next to the input (``output`` on classic,
    ``expected_output`` on v2); ``output`` is v2's recorded ``source_output``.
    """

    name: str
    label: str
    kind: Kind
    role: Role
    editable: bool = True
    on_create: bool = True
    key: str = ""
    """The key that shows the field in the inspector (``1``...)."""


@dataclass(frozen=True)
class ItemSchema:
    """An API generation's item fields and vocabulary."""

    generation: Generation
    api_label: str
    fields: tuple[FieldSpec, ...]
    remove_verb: str
    """``delete`` (classic soft delete) or ``archive`` (v2)."""
    removed_word: str
    """``deleted`` or ``archived``."""
    versioned: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def json_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.kind == "json")

    @property
    def link_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.role == "link")

    @property
    def editable_fields(self) -> tuple[str, ...]:
        """The fields the editor holds for an existing item, in display order."""
        return tuple(f.name for f in self.fields if f.editable)

    @property
    def create_fields(self) -> tuple[str, ...]:
        """The fields the editor holds for a new item (and that duplicate and move copy)."""
        return tuple(f.name for f in self.fields if f.on_create)

    @property
    def answer_field(self) -> str:
        return next(f.name for f in self.fields if f.role == "answer")

    def spec(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def label(self, name: str) -> str:
        spec = self.spec(name)
        return spec.label if spec is not None else name

    def editor_fields(self, new: bool) -> tuple[str, ...]:
        return self.create_fields if new else self.editable_fields

    @property
    def remove_label(self) -> str:
        """``Delete`` or ``Archive``."""
        return self.remove_verb.capitalize()

    @property
    def removed_label(self) -> str:
        """``Deleted`` or ``Archived``."""
        return self.removed_word.capitalize()

    @property
    def removing_label(self) -> str:
        """``Deleting`` or ``Archiving``."""
        return self.remove_label[:-1] + "ing"

    @property
    def gone_reason(self) -> str:
        """Why a save of a removed item cannot work (the editor's ``reason``)."""
        return f"the item no longer exists on the server ({self.removed_word} here or elsewhere)"

    @staticmethod
    def token(item: AnyItem) -> str:
        """What tells one version of an item from the next: ``updated_at`` on classic, the
        version number on v2 (stored with drafts to tell whether the item changed since)."""
        from explorer.api.models import VersionedItem

        if isinstance(item, VersionedItem):
            return f"v{item.version}"
        return item.updated_at.isoformat()

    @staticmethod
    def is_removed(item: AnyItem) -> bool:
        from explorer.api.models import VersionedItem

        if isinstance(item, VersionedItem):
            return item.archived
        return bool(item.deleted)

    @staticmethod
    def value(item: AnyItem, name: str) -> Any:
        """An item's field as the server sent it; None for a field its generation lacks."""
        return getattr(item, name, None)

    @staticmethod
    def version_id(item: AnyItem) -> str:
        """The id of this version of a v2 item (what PostHog's offline experiments point at);
        "" for a classic item."""
        from explorer.api.models import VersionedItem

        return str(item.version_id) if isinstance(item, VersionedItem) else ""

    @staticmethod
    def version_label(item: AnyItem) -> str:
        """``v3`` for a v2 item, "" for a classic one."""
        from explorer.api.models import VersionedItem

        return f"v{item.version}" if isinstance(item, VersionedItem) else ""


CLASSIC: Final = ItemSchema(
    generation="classic",
    api_label="classic API",
    fields=(
        FieldSpec("input", "Input", "json", "input", key="1"),
        FieldSpec("output", "Output", "json", "answer", key="2"),
        FieldSpec("metadata", "Metadata", "json", "metadata", key="3"),
        FieldSpec("ref_trace_id", "ref_trace_id", "text", "link"),
        FieldSpec("ref_timestamp", "ref_timestamp", "timestamp", "link"),
        FieldSpec("ref_source_id", "ref_source_id", "text", "link"),
    ),
    remove_verb="delete",
    removed_word="deleted",
    versioned=False,
)

V2: Final = ItemSchema(
    generation="v2",
    api_label="API v2",
    fields=(
        FieldSpec("input", "Input", "json", "input", key="1"),
        FieldSpec("expected_output", "Expected output", "json", "answer", key="2"),
        FieldSpec("source_output", "Source output", "json", "output", editable=False, key="4"),
        FieldSpec("metadata", "Metadata", "json", "metadata", key="3"),
        FieldSpec("source_trace_id", "source_trace_id", "text", "link", editable=False),
        FieldSpec("source_event_id", "source_event_id", "text", "link", editable=False),
        FieldSpec("source_timestamp", "source_timestamp", "timestamp", "link", editable=False),
    ),
    remove_verb="archive",
    removed_word="archived",
    versioned=True,
)

SCHEMAS: Final = {"classic": CLASSIC, "v2": V2}


def schema_for(generation: str | None) -> ItemSchema:
    """The schema of a generation (classic until the server's is known)."""
    return V2 if generation == "v2" else CLASSIC


def schema_of(item: AnyItem) -> ItemSchema:
    from explorer.api.models import VersionedItem

    return V2 if isinstance(item, VersionedItem) else CLASSIC


def item_from_record(data: dict[str, Any]) -> AnyItem:
    """An item from its JSON (a draft's base, a trash entry), of the generation it came from."""
    from explorer.api.models import DatasetItem, VersionedItem

    if "version_id" in data:
        return VersionedItem.model_validate(data)
    return DatasetItem.model_validate(data)


def dataset_from_record(data: dict[str, Any]) -> Dataset | VersionedDataset:
    from explorer.api.models import Dataset, VersionedDataset

    if "archived" in data or "current_revision" in data:
        return VersionedDataset.model_validate(data)
    return Dataset.model_validate(data)
