"""The client as the model uses it, for both API generations.

The model's commands speak of *live* items and datasets: what a user sees listed. On the classic
API a soft-deleted object answers 404; on the versioned API (v2) an archived one is still
returned, with ``archived: true``. `Gateway` makes both look alike to the model: reading an
archived object raises `Removed` (a `NotFound`), so "deleted" and "archived" take the same paths
(the trash, restore-and-save, drafts of a removed item). What differs in writing is here too:

- a save names the version it was based on (``base_version``) on v2, whose server refuses a stale
  one (409 ``stale_version``: the model then shows the usual conflict);
- removing is ``PATCH {"deleted": ...}`` on classic and archive/restore (naming the current
  version) on v2;
- moving an item is a PATCH of its dataset on classic; on v2 an item cannot change dataset, so it
  is created in the target (same content and source link) and the original archived.

What an item *holds* per generation is `explorer.model.schema`'s.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from explorer.api import AsyncClient, Id, Settings, short_id
from explorer.api.errors import Conflict, NotFound
from explorer.model.schema import ItemSchema, schema_for

if TYPE_CHECKING:
    from explorer.api.models import (
        AnyDataset,
        AnyItem,
        DatasetRevision,
        Page,
        VersionedItem,
    )

__all__ = ["Gateway", "Removed"]

log = logging.getLogger("explorer.model")


class Removed(NotFound):
    """A v2 item or dataset that exists but is archived: to the model, not live (as a classic
    soft-deleted one answers 404)."""


def _removed(kind: str, obj: AnyItem | AnyDataset) -> Removed:
    return Removed(
        f"The {kind} {short_id(obj.id)} is archived.",
        status=404,
        code="archived",
        detail="archived",
    )


class _Datasets:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._datasets = client.datasets

    async def list(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
        archived: bool = False,
    ) -> Page[AnyDataset]:
        return await self._datasets.list(search, order_by, ids, limit, offset, archived)

    async def get(self, id: Id, *, archived: bool = False) -> AnyDataset:
        """A live dataset; `Removed` when it is archived (v2), unless ``archived`` is asked."""
        from explorer.api.models import VersionedDataset

        dataset = await self._datasets.get(id)
        if not archived and isinstance(dataset, VersionedDataset) and dataset.archived:
            raise _removed("dataset", dataset)
        return dataset

    async def create(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> AnyDataset:
        return await self._datasets.create(name, description, metadata)

    async def update(self, id: Id, **fields: Any) -> AnyDataset:
        if self._v2():
            # v2 has no null description or metadata: empty clears them
            if fields.get("description", "") is None:
                fields["description"] = ""
            if "metadata" in fields and fields["metadata"] is None:
                fields["metadata"] = {}
        return await self._datasets.update(id, **fields)

    def _v2(self) -> bool:
        return self._client.generation == "v2"

    async def revisions(self, id: Id, limit: int = 100, offset: int = 0) -> Page[DatasetRevision]:
        """A page of a dataset's revisions, newest first (v2)."""
        return await self._datasets.revisions(id, limit, offset)

    async def set_removed(self, id: Id, removed: bool) -> AnyDataset:
        """Delete or restore (classic), archive or restore (v2); both idempotent."""
        if removed:
            return await self._datasets.archive(id)
        return await self._datasets.restore(id)


class _Items:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._items = client.items
        self.on_written: Callable[[AnyItem | None, str], None] | None = None
        """Told of every write that landed: the item as the server returned it, or None and
        the id for a classic delete (which returns nothing useful). The search index uses it."""

    def written(self, item: AnyItem | None, item_id: str = "") -> AnyItem | None:
        if self.on_written is not None:
            try:
                self.on_written(item, item_id or (str(item.id) if item is not None else ""))
            except Exception:  # the index is a cache: a failure to update it never fails a write
                log.warning("could not update the search index", exc_info=True)
        return item

    async def list(
        self,
        dataset: Id | AnyDataset | None = None,
        limit: int = 100,
        offset: int = 0,
        *,
        revision: int | None = None,
        archived: bool = False,
    ) -> Page[AnyItem]:
        """A page of live items, or (v2) of archived ones, or of the dataset at a revision."""
        if revision is None and not archived:
            return await self._items.list(dataset, limit, offset)
        return await self._items.list(dataset, limit, offset, revision=revision, archived=archived)

    async def get(self, id: Id, revision: int | None = None, *, archived: bool = False) -> AnyItem:
        """A live item (its current version); `Removed` when it is archived (v2). At a
        ``revision``, the version it had then (archived or not); ``archived``: the current
        version even when archived."""
        from explorer.api.models import VersionedItem

        item = await self._items.get(id, revision)
        if revision is None and not archived and isinstance(item, VersionedItem) and item.archived:
            raise _removed("item", item)
        return item

    async def versions(self, id: Id) -> builtins.list[VersionedItem]:
        """Every version of an item (v2), newest first: all pages (PostHog keeps at most 40)."""
        versions: builtins.list[VersionedItem] = []
        while True:
            page = await self._items.versions(id, limit=100, offset=len(versions))
            versions.extend(page.results)
            if not page.results or len(versions) >= page.count:
                return versions

    async def snapshot(self, dataset: Id, revision: int) -> dict[str, VersionedItem]:
        """Every item of a dataset as it stood at ``revision`` (live and archived), by id."""
        from explorer.api.models import VersionedItem

        items: dict[str, VersionedItem] = {}
        for archived in (False, True):
            async for item in self._items.iter(
                dataset, page_size=500, revision=revision, archived=archived
            ):
                if isinstance(item, VersionedItem):
                    items[str(item.id)] = item
        return items

    async def create(
        self, dataset: Id | AnyDataset, values: dict[str, Any], key: str | None = None
    ) -> AnyItem:
        """Create an item. On v2 ``key`` becomes its ``client_item_id``: sending the same
        create again (after an answer was lost) returns the item it made, never a second one."""
        fields = dict(values)
        if key is not None and await self._client.detect_generation() == "v2":
            fields["client_item_id"] = key
        created = await self._items.create(dataset, **fields)
        self.written(created)
        return created

    async def update(self, item: AnyItem, changes: dict[str, Any]) -> AnyItem:
        """Save ``changes`` to an item whose version the caller saw is ``item`` (v2 sends it
        as ``base_version``; a newer one on the server gives `Conflict` ``stale_version``)."""
        from explorer.api.models import VersionedItem

        if isinstance(item, VersionedItem):
            saved = await self._items.update(item.id, base_version=item.version, **changes)
        else:
            saved = await self._items.update(item.id, **changes)
        self.written(saved)
        return saved

    async def set_removed(self, id: Id, removed: bool) -> AnyItem | None:
        """Delete or restore (classic); archive or restore the current version (v2). Doing it
        to an item already so is not an error (as classic's PATCH is not)."""
        from explorer.api.models import VersionedItem

        if await self._client.detect_generation() != "v2":
            answer = await (self._items.archive(id) if removed else self._items.restore(id))
            self.written(None if removed else answer, str(id))
            return None
        moved: Conflict | None = None
        for _ in range(3):
            current = await self._items.get(id)
            if not isinstance(current, VersionedItem) or current.archived == removed:
                return current
            try:
                if removed:
                    changed = await self._items.archive(id, base_version=current.version)
                else:
                    changed = await self._items.restore(id, base_version=current.version)
                self.written(changed)
                return changed
            except Conflict as exc:
                if exc.code in ("dataset_item_archived", "dataset_item_active", "stale_version"):
                    moved = exc  # changed meanwhile: look again
                    continue
                raise
        assert moved is not None
        raise moved  # changed under us at every try: say so, never claim it done

    async def move(self, item: AnyItem, dataset_id: str) -> AnyItem:
        """Put the item into another dataset. Classic: PATCH its dataset (same id). v2: create a
        copy in the target (content, source output and link; idempotent by a key derived from the
        version moved), then archive the original; returns the copy."""
        from explorer.api.models import VersionedItem

        if not isinstance(item, VersionedItem):
            moved = await self._items.update(item.id, dataset=dataset_id)
            self.written(None, str(item.id))  # it left its dataset's index
            self.written(moved)
            return moved
        values = {name: _wire(item, name) for name in schema_for("v2").create_fields}
        key = f"moved:{item.version_id}"
        copy = await self._items.create(dataset_id, client_item_id=key, **values)
        self.written(copy)
        await self.set_removed(item.id, True)
        return copy

    async def unmove(self, original_id: str, moved: AnyItem, dataset_id: str) -> AnyItem:
        """Undo `move`: classic moves it back; v2 restores the original and archives the copy."""
        from explorer.api.models import VersionedItem

        if not isinstance(moved, VersionedItem):
            back = await self._items.update(moved.id, dataset=dataset_id)
            self.written(None, str(moved.id))
            self.written(back)
            return back
        restored = await self.set_removed(original_id, False)
        await self.set_removed(moved.id, True)
        return restored if restored is not None else await self.get(original_id)


def _wire(item: AnyItem, name: str) -> Any:
    value = getattr(item, name, None)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


class Gateway:
    """``datasets`` and ``items`` of an `AsyncClient` as the model uses them; ``schema`` is the
    item schema of the server's generation (classic until the first answer tells)."""

    def __init__(self, client: AsyncClient) -> None:
        self.raw = client
        self.settings: Settings = client.settings
        self.datasets = _Datasets(client)
        self.items = _Items(client)

    @property
    def schema(self) -> ItemSchema:
        return schema_for(self.raw.generation)

    @property
    def read_only(self) -> bool:
        return self.raw.read_only
