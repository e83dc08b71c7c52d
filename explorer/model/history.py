"""What happened to an item and a dataset (the versioned API, v2): the state front ends draw for
an item's versions, a dataset's revisions, a comparison of two revisions and an export, and the
pure functions that make them (no requests here; `explorer.model.versioning` fetches).

PostHog keeps every version of an item (immutable, numbered 1, 2, ... per item) and makes a
dataset revision (numbered per dataset) at each new version: create, edit, archive, restore. It
says nothing of what a version changed: `version_entries` works it out by comparing each version
with the one before, and `diff_versions` / `diff_items` give the field-by-field diffs (wrapped
and word-marked by the front ends, as the save review's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from explorer.model.diff import FieldDiff, diff_values
from explorer.model.jsontext import canonical, same_value

if TYPE_CHECKING:
    from explorer.api.models import DatasetRevision, UserBasic, VersionedItem

__all__ = [
    "CONTENT_FIELDS",
    "NO_HISTORY",
    "ExportState",
    "HistoryState",
    "ItemChange",
    "RevisionCompare",
    "RevisionEntry",
    "RevisionsState",
    "VersionDiff",
    "VersionEntry",
    "compare_snapshots",
    "diff_items",
    "diff_versions",
    "user_label",
    "version_entries",
]

CONTENT_FIELDS = ("input", "expected_output", "metadata")
"""The fields a new version can change (``source_*`` never change after the create)."""

_LABELS = {"input": "input", "expected_output": "expected output", "metadata": "metadata"}

NO_HISTORY = (
    "The classic datasets API keeps no history: an item has only its current content, and a"
    " dataset no revisions. PostHog's versioned API (PostHog Cloud) keeps every version."
)


def user_label(user: UserBasic | None) -> str:
    """``"Ada Lovelace <ada@example.com>"``, the email alone, or "unknown user" (deleted)."""
    if user is None:
        return "unknown user"
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    if name and user.email:
        return f"{name} <{user.email}>"
    return name or user.email or f"user {user.id}"


def changed_fields(
    before: VersionedItem, after: VersionedItem, fields: Iterable[str] = CONTENT_FIELDS
) -> tuple[str, ...]:
    """The fields whose value differs between two versions (as the server stores them)."""
    return tuple(
        name
        for name in fields
        if not same_value(name, getattr(before, name, None), getattr(after, name, None))
    )


@dataclass(frozen=True)
class VersionEntry:
    """One version of an item, with what it changed from the version before it.

    ``change`` is one line for a list: "created", "edited expected output", "archived",
    "restored", "restored with input from an earlier version". ``fields`` are the content
    fields that differ from the previous version (all of them for the first)."""

    item: VersionedItem
    change: str
    fields: tuple[str, ...]

    @property
    def version(self) -> int:
        return self.item.version

    @property
    def version_id(self) -> str:
        return str(self.item.version_id)

    @property
    def revision(self) -> int:
        return self.item.dataset_revision

    @property
    def revision_id(self) -> str:
        return str(self.item.dataset_revision_id)

    @property
    def who(self) -> str:
        return user_label(self.item.version_created_by)

    @property
    def when(self) -> datetime:
        return self.item.version_created_at

    @property
    def archived(self) -> bool:
        return self.item.archived


def _describe(
    before: VersionedItem | None, after: VersionedItem, fields: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    if before is None:
        fields = tuple(f for f in CONTENT_FIELDS if getattr(after, f, None) not in (None, {}))
        return ("created archived" if after.archived else "created"), fields
    touched = ", ".join(_LABELS[f] for f in fields)
    if after.archived and not before.archived:
        return ("archived" + (f", {touched} changed" if fields else "")), fields
    if before.archived and not after.archived:
        if fields:
            return f"restored with {touched} from an earlier version", fields
        return "restored", fields
    if fields:
        return f"edited {touched}", fields
    return "no change to the content", fields


def version_entries(versions: Iterable[VersionedItem]) -> list[VersionEntry]:
    """Every version, newest first, each with what it changed from the one before (by number;
    a gap in the numbers compares with the nearest older one given)."""
    ordered = sorted(versions, key=lambda v: v.version)
    entries: list[VersionEntry] = []
    previous: VersionedItem | None = None
    previous_forms: tuple[str, ...] = ()
    for version in ordered:
        # each value made canonical once (not once per neighbour): 40 versions of a 400 KB
        # answer are 40 serialisations, not 78
        forms = tuple(canonical(name, getattr(version, name, None)) for name in CONTENT_FIELDS)
        fields = tuple(
            name
            for name, old, new in zip(CONTENT_FIELDS, previous_forms, forms, strict=False)
            if old != new
        )
        change, fields = _describe(previous, version, fields)
        entries.append(VersionEntry(version, change, fields))
        previous, previous_forms = version, forms
    entries.reverse()
    return entries


def diff_items(
    before: VersionedItem | None,
    after: VersionedItem | None,
    fields: Sequence[str] = CONTENT_FIELDS,
    context: int = 3,
) -> dict[str, FieldDiff]:
    """The fields that differ between two versions (of one item, or the same item at two
    revisions), each as a diff of its pretty-printed JSON; a missing side diffs against
    nothing. Equal fields are left out without printing them."""
    diffs: dict[str, FieldDiff] = {}
    for name in fields:
        a = getattr(before, name, None) if before is not None else None
        b = getattr(after, name, None) if after is not None else None
        if before is not None and after is not None and same_value(name, a, b):
            continue
        diff = diff_values(name, a, b, context)
        if diff.changed:
            diffs[name] = diff
    return diffs


@dataclass(frozen=True)
class VersionDiff:
    """Two versions of one item compared: ``older`` and ``newer`` (by number), the fields that
    differ (``fields``, in schema order), and whether the archived state changed."""

    older: VersionedItem
    newer: VersionedItem
    fields: dict[str, FieldDiff]

    @property
    def archived_change(self) -> str:
        """ "archived", "restored" or "" (same state in both)."""
        if self.older.archived == self.newer.archived:
            return ""
        return "archived" if self.newer.archived else "restored"

    @property
    def summary(self) -> str:
        """One line: ``"v2 → v5: expected output, metadata changed"``."""
        head = f"v{self.older.version} → v{self.newer.version}"
        parts = []
        if self.fields:
            parts.append(", ".join(_LABELS.get(f, f) for f in self.fields) + " changed")
        if self.archived_change:
            parts.append(self.archived_change)
        return f"{head}: {'; '.join(parts) if parts else 'same content'}"


def diff_versions(a: VersionedItem, b: VersionedItem, context: int = 3) -> VersionDiff:
    """Compare two versions of an item, in whichever order given: older first."""
    older, newer = (a, b) if a.version <= b.version else (b, a)
    return VersionDiff(older, newer, diff_items(older, newer, CONTENT_FIELDS, context))


@dataclass
class HistoryState:
    """The versions of one item, newest first (``versions``). ``supported`` is False on the
    classic API (``message`` says why there is nothing). ``label`` names the item for a title.
    ``current`` is the newest version: what a restore is based on."""

    item_id: str
    dataset_id: str
    label: str
    versions: list[VersionEntry] = field(default_factory=list)
    supported: bool = True
    message: str = ""

    @property
    def current(self) -> VersionEntry | None:
        return self.versions[0] if self.versions else None

    def entry(self, version: int) -> VersionEntry | None:
        for entry in self.versions:
            if entry.version == version:
                return entry
        return None


@dataclass(frozen=True)
class RevisionEntry:
    """One revision of a dataset (a new item version made it)."""

    revision: DatasetRevision

    @property
    def number(self) -> int:
        return self.revision.revision

    @property
    def id(self) -> str:
        return str(self.revision.id)

    @property
    def who(self) -> str:
        return user_label(self.revision.created_by)

    @property
    def when(self) -> datetime:
        return self.revision.created_at


@dataclass
class RevisionsState:
    """A dataset's revisions, newest first, as many as loaded (``total`` on the server)."""

    dataset_id: str
    dataset_name: str
    revisions: list[RevisionEntry] = field(default_factory=list)
    total: int = 0
    supported: bool = True
    message: str = ""

    @property
    def has_more(self) -> bool:
        return len(self.revisions) < self.total

    @property
    def latest(self) -> int | None:
        return self.revisions[0].number if self.revisions else None


ChangeKind = Literal["added", "changed", "archived", "restored"]


@dataclass(frozen=True)
class ItemChange:
    """How one item differs between two revisions: ``before`` is its version at the older
    revision (None when it did not exist yet), ``after`` at the newer; ``fields`` the content
    fields that differ."""

    kind: ChangeKind
    item_id: str
    before: VersionedItem | None
    after: VersionedItem
    fields: tuple[str, ...]

    @property
    def summary(self) -> str:
        touched = ", ".join(_LABELS.get(f, f) for f in self.fields)
        if self.kind == "changed":
            return f"v{self.before.version if self.before else '?'} → v{self.after.version}:" + (
                f" {touched}"
            )
        if self.kind == "added":
            return f"added (v{self.after.version})"
        return f"{self.kind} (v{self.after.version})" + (f", {touched} changed" if touched else "")


@dataclass
class RevisionCompare:
    """The items that changed between revision ``older`` and ``newer`` of a dataset: added,
    changed, archived or restored (``changes``, in that order, newest item first within)."""

    dataset_id: str
    older: int
    newer: int
    changes: list[ItemChange] = field(default_factory=list)

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def summary(self) -> str:
        """``"revision 3 → 9: 2 added, 1 changed, 1 archived"``."""
        parts = [
            f"{self.count(kind)} {kind}"
            for kind in ("added", "changed", "archived", "restored")
            if self.count(kind)
        ]
        return f"revision {self.older} → {self.newer}: " + (", ".join(parts) or "no change")


_ORDER: dict[ChangeKind, int] = {"added": 0, "changed": 1, "archived": 2, "restored": 3}


def compare_snapshots(
    before: Mapping[str, VersionedItem], after: Mapping[str, VersionedItem]
) -> list[ItemChange]:
    """Compare a dataset's items at two revisions. Each mapping holds every item that existed
    at that revision (live and archived), by item id, as the version it had then. An item
    added and archived between the two, never live at either, is left out."""
    changes: list[ItemChange] = []
    for item_id, new in after.items():
        old = before.get(item_id)
        if old is None:
            if not new.archived:
                changes.append(ItemChange("added", item_id, None, new, ()))
            continue
        if old.version == new.version:
            continue
        fields = changed_fields(old, new)
        if new.archived and not old.archived:
            changes.append(ItemChange("archived", item_id, old, new, fields))
        elif old.archived and not new.archived:
            changes.append(ItemChange("restored", item_id, old, new, fields))
        elif fields and not new.archived:
            changes.append(ItemChange("changed", item_id, old, new, fields))
    changes.sort(key=lambda c: (_ORDER[c.kind], -c.after.created_at.timestamp(), c.item_id))
    return changes


ExportPhase = Literal[
    "creating", "waiting", "downloading", "filtering", "writing", "done", "failed"
]


@dataclass
class ExportState:
    """An export of the open dataset to a JSONL file: where it stands (``phase``, ``message``
    for a status line), and once done how many ``rows`` went to ``path``."""

    dataset_id: str
    dataset_name: str
    path: str
    revision: int | None = None
    phase: ExportPhase = "creating"
    message: str = ""
    rows: int = 0

    @property
    def running(self) -> bool:
        return self.phase not in ("done", "failed")
