"""The versioned datasets API ("v2", PostHog Cloud since August 2026), sans-IO.

Same method names as `ClassicApi`, plus what only v2 has: archive and restore, revisions,
versions, exports, reads at a revision. Fields of the other generation (``output``, ``ref_*``,
``deleted``, moving an item) raise `Unsupported` before anything is sent. Every create carries a
``client_item_id`` (the caller's, or a new random one), so a create whose answer was lost can be
sent again safely: PostHog answers the retry with the item it made. Pages larger than the
server's cap (items 25, the rest 100) are asked for as concurrent requests and joined.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from explorer.api._wire import (
    Id,
    Operation,
    WireApi,
    _page_params,
    _snippet,
    canonical_id,
)
from explorer.api.errors import MalformedResponse, Unsupported

if TYPE_CHECKING:
    from explorer.api.models import (
        DatasetExport,
        DatasetRevision,
        Page,
        VersionedDataset,
        VersionedItem,
    )

__all__ = ["PAGE_CAPS", "V2Api", "V2DatasetFields", "V2ItemChanges", "V2ItemFields"]

# The most a v2 list answers per request: DatasetPagination, DatasetItemPagination,
# DatasetItemVersionPagination.
PAGE_CAPS = {"datasets": 100, "revisions": 100, "items": 25, "versions": 100}
ORDER_CHOICES = ("created_at", "-created_at", "updated_at", "-updated_at")


class V2DatasetFields(TypedDict, total=False):
    """The writable fields of a v2 dataset (archive and restore have their own calls)."""

    name: str
    description: str
    metadata: dict[str, Any]


class V2ItemChanges(TypedDict, total=False):
    """The editable fields of a v2 item: each update makes a new version."""

    input: Any
    expected_output: Any
    metadata: dict[str, Any]


class V2ItemFields(V2ItemChanges, total=False):
    """The fields of a new v2 item; ``source_*`` and ``client_item_id`` never change later."""

    source_output: Any
    source_trace_id: str | None
    source_event_id: str | None
    source_timestamp: datetime | str | None
    client_item_id: str | None


DATASET_FIELDS = frozenset(V2DatasetFields.__annotations__)
ITEM_CHANGES = frozenset(V2ItemChanges.__annotations__)
ITEM_FIELDS = frozenset(V2ItemFields.__annotations__)
_CLASSIC_HINTS = {
    "output": "expected_output (the reviewed answer) or source_output (what the model said)",
    "ref_trace_id": "source_trace_id",
    "ref_timestamp": "source_timestamp",
    "ref_source_id": "source_event_id",
    "deleted": "archive() and restore()",
    "dataset": "create the item in the other dataset, then archive this one",
}


def _check_fields(given: Iterable[str], allowed: frozenset[str], what: str) -> None:
    for name in sorted(set(given) - allowed):
        hint = _CLASSIC_HINTS.get(name)
        instead = f"; use {hint}" if hint else f" (its fields: {', '.join(sorted(allowed))})"
        raise Unsupported(f"{what}: {name} is not a field of the versioned datasets API{instead}.")


def _positive(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return value


class V2Api(WireApi):
    """The operations of the versioned API for one host, project and URL prefix."""

    generation = "v2"
    gone = "or its dataset is not readable by this key"

    # ---- datasets

    def list_datasets(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
        archived: bool = False,
    ) -> Operation[Page[VersionedDataset]]:
        params = _page_params(limit, offset)
        params["archived"] = "true" if archived else "false"
        if search:
            params["search"] = search
        if order_by:
            order = [order_by] if isinstance(order_by, str) else list(order_by)
            if len(order) != 1 or order[0] not in ORDER_CHOICES:
                raise ValueError(f"order_by must be one of {', '.join(ORDER_CHOICES)} (v2)")
            params["order_by"] = order[0]
        if ids is not None:
            if isinstance(ids, str | uuid.UUID):
                ids = [ids]
            wanted = [canonical_id(i, "dataset id") for i in ids]
            if not wanted:
                return self._list("VersionedDataset", "datasets/", params, empty=True)
            if len(wanted) > 100:
                raise ValueError("ids takes at most 100 dataset ids (v2)")
            params["id__in"] = ",".join(wanted)
        return self._list("VersionedDataset", "datasets/", params, cap=PAGE_CAPS["datasets"])

    def get_dataset(self, id: Id) -> Operation[VersionedDataset]:
        return self._object("VersionedDataset", "GET", "datasets", canonical_id(id, "dataset id"))

    def create_dataset(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> Operation[VersionedDataset]:
        fields: dict[str, Any] = {"name": name}
        if description is not None:
            fields["description"] = description
        if metadata is not None:
            fields["metadata"] = metadata
        return self._object("VersionedDataset", "POST", "datasets", None, fields)

    def update_dataset(self, id: Id, fields: Mapping[str, Any]) -> Operation[VersionedDataset]:
        _check_fields(fields, DATASET_FIELDS, "datasets.update")
        dataset_id = canonical_id(id, "dataset id")
        return self._object("VersionedDataset", "PATCH", "datasets", dataset_id, fields)

    def archive_dataset(self, id: Id) -> Operation[VersionedDataset]:
        dataset_id = canonical_id(id, "dataset id")
        return self._object("VersionedDataset", "POST", "datasets", dataset_id, action="archive")

    def restore_dataset(self, id: Id) -> Operation[VersionedDataset]:
        dataset_id = canonical_id(id, "dataset id")
        return self._object("VersionedDataset", "POST", "datasets", dataset_id, action="restore")

    def list_revisions(
        self, id: Id, limit: int = 100, offset: int = 0
    ) -> Operation[Page[DatasetRevision]]:
        collection = f"datasets/{canonical_id(id, 'dataset id')}/revisions/"
        params = _page_params(limit, offset)
        return self._list("DatasetRevision", collection, params, cap=PAGE_CAPS["revisions"])

    # ---- exports

    def create_export(self, id: Id, revision: int | None = None) -> Operation[DatasetExport]:
        body = {} if revision is None else {"revision": _positive(revision, "revision")}
        dataset_id = canonical_id(id, "dataset id")
        # dataset:read is enough to export (contract §9.1): a read-only client may
        return self._object(
            "DatasetExport", "POST", "datasets", dataset_id, body, action="exports", reads_only=True
        )

    def export_status(self, id: Id, export_id: int) -> Operation[DatasetExport]:
        dataset_id = canonical_id(id, "dataset id")
        action = f"exports/{_positive(export_id, 'export_id')}"
        return self._object("DatasetExport", "GET", "datasets", dataset_id, action=action)

    def export_content(self, id: Id, export_id: int) -> Operation[list[dict[str, Any]]]:
        dataset_id = canonical_id(id, "dataset id")
        path = f"{self._root}/datasets/{dataset_id}/exports/{_positive(export_id, 'export_id')}"
        path += "/content/"

        def parse(response: httpx.Response) -> list[dict[str, Any]]:
            if not response.is_success:
                raise self.error(response, "GET", path, f"export {export_id}")
            rows: list[dict[str, Any]] = []
            for number, line in enumerate(response.content.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    row = exc
                if not isinstance(row, dict):
                    raise MalformedResponse(
                        f"{self.host} answered GET {path} with a line that is not a JSON object"
                        f" (line {number} starts {_snippet(line)!r}).",
                        status=response.status_code,
                        method="GET",
                        path=path,
                    )
                rows.append(row)
            return rows

        # The content may be a redirect to object storage; httpx drops the key across origins.
        return Operation("GET", path, parse, follow_redirects=True)

    # ---- items

    def list_items(
        self,
        dataset: Any = None,
        limit: int = 100,
        offset: int = 0,
        revision: int | None = None,
        archived: bool = False,
    ) -> Operation[Page[VersionedItem]]:
        if dataset is None:
            raise ValueError("the versioned API lists the items of one dataset: give dataset=")
        params = _page_params(limit, offset)
        params["dataset"] = canonical_id(dataset, "dataset id")
        params["archived"] = "true" if archived else "false"
        if revision is not None:
            params["revision"] = str(_positive(revision, "revision"))
        return self._list("VersionedItem", "dataset_items/", params, cap=PAGE_CAPS["items"])

    def get_item(self, id: Id, revision: int | None = None) -> Operation[VersionedItem]:
        params = None if revision is None else {"revision": str(_positive(revision, "revision"))}
        item_id = canonical_id(id, "item id")
        return self._object("VersionedItem", "GET", "dataset_items", item_id, params=params)

    def create_item(self, dataset: Any, fields: Mapping[str, Any]) -> Operation[VersionedItem]:
        _check_fields(fields, ITEM_FIELDS, "items.create")
        body: dict[str, Any] = {"dataset": canonical_id(dataset, "dataset id"), **fields}
        body.setdefault("input", None)
        if body["input"] is None:
            raise ValueError("input is required and cannot be None in the versioned API")
        if not body.get("client_item_id"):
            # The key that makes a retried create answer the item it made, never a duplicate.
            body["client_item_id"] = str(uuid.uuid4())
        return self._object("VersionedItem", "POST", "dataset_items", None, body, idempotent=True)

    def update_item(
        self, id: Id, fields: Mapping[str, Any], base_version: int | None = None
    ) -> Operation[VersionedItem]:
        _check_fields(fields, ITEM_CHANGES, "items.update")
        body: dict[str, Any] = {"base_version": self._base(base_version), **fields}
        item_id = canonical_id(id, "item id")
        return self._object("VersionedItem", "PATCH", "dataset_items", item_id, body)

    def archive_item(self, id: Id, base_version: int | None = None) -> Operation[VersionedItem]:
        body = {"base_version": self._base(base_version)}
        item_id = canonical_id(id, "item id")
        return self._object(
            "VersionedItem", "POST", "dataset_items", item_id, body, action="archive"
        )

    def restore_item(
        self, id: Id, base_version: int | None = None, source_version: int | None = None
    ) -> Operation[VersionedItem]:
        body: dict[str, Any] = {"base_version": self._base(base_version)}
        if source_version is not None:
            body["source_version"] = _positive(source_version, "source_version")
        item_id = canonical_id(id, "item id")
        return self._object(
            "VersionedItem", "POST", "dataset_items", item_id, body, action="restore"
        )

    def list_versions(
        self, id: Id, limit: int = 100, offset: int = 0
    ) -> Operation[Page[VersionedItem]]:
        collection = f"dataset_items/{canonical_id(id, 'item id')}/versions/"
        params = _page_params(limit, offset)
        return self._list("VersionedItem", collection, params, cap=PAGE_CAPS["versions"])

    @staticmethod
    def _base(base_version: int | None) -> int:
        if base_version is None:
            raise ValueError(
                "base_version is required by the versioned API: the version the change is"
                " based on (item.version), so a concurrent edit is never overwritten"
            )
        version = _positive(base_version, "base_version")
        assert version is not None
        return version
