"""The classic datasets API, sans-IO: each operation built and parsed once.

`ClassicApi` turns a call such as ``update_item(id, {"output": ...})`` into an `Operation` (see
``_wire``). The versioned generation (``_v2``) has the same method names; the operations only
it has raise `Unsupported` here, before anything is sent. On classic, archiving an item or a
dataset is the soft delete (``PATCH {"deleted": true}``) and restoring it the undelete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from explorer.api._wire import (
    Id,
    Operation,
    WireApi,
    _page_params,
    canonical_id,
    encode_body,
)
from explorer.api.errors import Unsupported

if TYPE_CHECKING:
    from explorer.api.models import Dataset, DatasetItem, Page

__all__ = [
    "ClassicApi",
    "DatasetFields",
    "Id",
    "ItemChanges",
    "ItemFields",
    "Operation",
    "canonical_id",
    "encode_body",
]


class DatasetFields(TypedDict, total=False):
    """The writable fields of a dataset; ``update`` sends exactly the ones given."""

    name: str
    description: str | None
    metadata: Any
    deleted: bool


class ItemFields(TypedDict, total=False):
    """The content fields of an item, for ``items.create``."""

    input: Any
    output: Any
    metadata: Any
    ref_trace_id: str | None
    ref_timestamp: datetime | str | None
    ref_source_id: str | None


class ItemChanges(ItemFields, total=False):
    """The writable fields of an item; ``update`` sends exactly the ones given."""

    dataset: Id | Dataset
    deleted: bool


ITEM_FIELDS = frozenset(ItemFields.__annotations__)
ITEM_CHANGES = ITEM_FIELDS | {"dataset", "deleted"}


def _v2_only(what: str) -> Unsupported:
    return Unsupported(
        f"{what} exists only in PostHog's versioned datasets API (v2, PostHog Cloud since"
        " August 2026); this server speaks the classic API."
    )


def _check_fields(given: Iterable[str], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise Unsupported(
            f"{what}: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a field of"
            f" the classic datasets API (its fields: {', '.join(sorted(allowed))})."
        )


class ClassicApi(WireApi):
    """The operations of the classic API for one host, project and URL prefix."""

    generation = "classic"

    # ---- datasets

    def list_datasets(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
        archived: bool = False,
    ) -> Operation[Page[Dataset]]:
        if archived:
            raise Unsupported(
                "The classic datasets API cannot list deleted datasets; only a client that kept"
                " their ids can restore them (the explorer's trash does)."
            )
        params = _page_params(limit, offset)
        if search:
            params["search"] = search
        if order_by:
            params["order_by"] = order_by if isinstance(order_by, str) else ",".join(order_by)
        if ids is not None:
            if isinstance(ids, str | UUID):  # one id, not an iterable of characters
                ids = [ids]
            wanted = [canonical_id(i, "dataset id") for i in ids]
            if not wanted:  # an empty id__in means "no filter" to the server: answer locally
                return self._list("Dataset", "datasets/", params, empty=True)
            params["id__in"] = ",".join(wanted)
        return self._list("Dataset", "datasets/", params)

    def get_dataset(self, id: Id) -> Operation[Dataset]:
        return self._object("Dataset", "GET", "datasets", canonical_id(id, "dataset id"))

    def create_dataset(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> Operation[Dataset]:
        fields = {"name": name, "description": description, "metadata": metadata}
        return self._object("Dataset", "POST", "datasets", None, fields)

    def update_dataset(self, id: Id, fields: Mapping[str, Any]) -> Operation[Dataset]:
        return self._object("Dataset", "PATCH", "datasets", canonical_id(id, "dataset id"), fields)

    # ---- items

    def list_items(
        self,
        dataset: Any = None,
        limit: int = 100,
        offset: int = 0,
        revision: int | None = None,
        archived: bool = False,
    ) -> Operation[Page[DatasetItem]]:
        if revision is not None:
            raise _v2_only("Reading a dataset at a revision")
        if archived:
            raise Unsupported(
                "The classic datasets API cannot list deleted items; only a client that kept"
                " their ids can restore them (the explorer's trash does)."
            )
        params = _page_params(limit, offset)
        if dataset is not None:
            params["dataset"] = canonical_id(dataset, "dataset id")
        return self._list("DatasetItem", "dataset_items/", params)

    def get_item(self, id: Id, revision: int | None = None) -> Operation[DatasetItem]:
        if revision is not None:
            raise _v2_only("Reading an item at a revision")
        return self._object("DatasetItem", "GET", "dataset_items", canonical_id(id, "item id"))

    def create_item(self, dataset: Any, fields: Mapping[str, Any]) -> Operation[DatasetItem]:
        _check_fields(fields, ITEM_FIELDS, "items.create")
        body: dict[str, Any] = {"dataset": canonical_id(dataset, "dataset id"), **fields}
        return self._object("DatasetItem", "POST", "dataset_items", None, body)

    def update_item(
        self, id: Id, fields: Mapping[str, Any], base_version: int | None = None
    ) -> Operation[DatasetItem]:
        # base_version is v2's; classic servers have no versions (the model compares
        # updated_at instead), so it is accepted and not sent.
        _check_fields(fields, ITEM_CHANGES, "items.update")
        body: dict[str, Any] = dict(fields)
        if "dataset" in body:
            body["dataset"] = canonical_id(body["dataset"], "dataset id")
        return self._object(
            "DatasetItem", "PATCH", "dataset_items", canonical_id(id, "item id"), body
        )

    # ---- archive and restore: the soft delete

    def archive_dataset(self, id: Id) -> Operation[Dataset]:
        return self.update_dataset(id, {"deleted": True})

    def restore_dataset(self, id: Id) -> Operation[Dataset]:
        return self.update_dataset(id, {"deleted": False})

    def archive_item(self, id: Id, base_version: int | None = None) -> Operation[DatasetItem]:
        return self.update_item(id, {"deleted": True})

    def restore_item(
        self, id: Id, base_version: int | None = None, source_version: int | None = None
    ) -> Operation[DatasetItem]:
        if source_version is not None:
            raise _v2_only("Restoring an older version")
        return self.update_item(id, {"deleted": False})

    # ---- what only v2 has

    def list_revisions(self, id: Id, limit: int = 100, offset: int = 0) -> Operation[Any]:
        raise _v2_only("Dataset revisions")

    def list_versions(self, id: Id, limit: int = 100, offset: int = 0) -> Operation[Any]:
        raise _v2_only("Item versions")

    def create_export(self, id: Id, revision: int | None = None) -> Operation[Any]:
        raise _v2_only("Dataset exports")

    def export_status(self, id: Id, export_id: int) -> Operation[Any]:
        raise _v2_only("Dataset exports")

    def export_content(self, id: Id, export_id: int) -> Operation[Any]:
        raise _v2_only("Dataset exports")
