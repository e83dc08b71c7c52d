"""v2 item endpoints: list, retrieve, create (idempotent), PATCH, archive, restore, versions.

Each write checks in PostHog's order (``docs/api.md``): the item, the body, the dataset's
archived state, ``base_version``, the item's archived state, the content, the limits; only a
committed version makes a revision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from explorer.emulator import errors
from explorer.emulator.app import Call
from explorer.emulator.store import Row
from explorer.emulator.v2 import serialize
from explorer.emulator.v2 import validation as v
from explorer.emulator.v2.common import ITEMS_PAGE, VERSIONS_PAGE, V2Handlers
from explorer.emulator.v2.store import VersionContent, content_of

CREATE_FIELDS = (
    "dataset",
    "client_item_id",
    "input",
    "expected_output",
    "source_output",
    "metadata",
    "source_trace_id",
    "source_event_id",
    "source_timestamp",
)
PATCH_FIELDS = ("base_version", "input", "expected_output", "metadata")
NEEDS_TRACE = "Provide a source trace ID when using a source event ID or timestamp."
NEEDS_TIMESTAMP = "Provide the source timestamp when using a source trace ID."


def _same_content(a: VersionContent, b: VersionContent) -> bool:
    """Canonical JSON equality (``true`` is not ``1``); timestamps compared as instants."""

    def json_of(text: str | None) -> str:
        return "null" if text is None else v.canonical(v.loads(text))

    def instant(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    return (
        all(
            json_of(getattr(a, name)) == json_of(getattr(b, name))
            for name in ("input", "expected_output", "source_output", "metadata")
        )
        and a.source_trace_id == b.source_trace_id
        and a.source_event_id == b.source_event_id
        and instant(a.source_timestamp) == instant(b.source_timestamp)
    )


class Items(V2Handlers):
    # -- reads ------------------------------------------------------------------------------

    async def list(self, call: Call) -> Response:
        query = call.request.query_params
        raw_dataset = query.get("dataset")
        if raw_dataset is None:
            raise errors.required("dataset")
        dataset_id = v.uuid_value(raw_dataset, "dataset")
        revision = v.query_int(query.get("revision"), "revision")
        archived = v.query_bool(query.get("archived"), "archived")
        page = self.page(call, ITEMS_PAGE)
        dataset = self.dataset(call, dataset_id)
        if revision is not None and not self.store.revision_exists(dataset[0], revision):
            raise errors.not_found()
        count, rows = self.store.list_v2_items(
            call.team,
            dataset[0],
            archived=archived,
            revision=revision,
            limit=page.limit,
            offset=page.offset,
        )
        users = self.state.users_json
        return self.page_response(call, page, count, rows, lambda r: serialize.item_json(r, users))

    async def retrieve(self, call: Call) -> Response:
        revision = v.query_int(call.request.query_params.get("revision"), "revision")
        current = self.item(call, call.ids[0])
        if revision is None:
            return self.item_response(current)
        if not self.store.revision_exists(current[1], revision):
            raise errors.not_found()
        return self.item_response(self.item(call, call.ids[0], revision))

    async def versions(self, call: Call) -> Response:
        current = self.item(call, call.ids[0])
        page = self.page(call, VERSIONS_PAGE)
        count, rows = self.store.versions(
            call.team, current[0], limit=page.limit, offset=page.offset
        )
        users = self.state.users_json
        return self.page_response(call, page, count, rows, lambda r: serialize.item_json(r, users))

    # -- create -----------------------------------------------------------------------------

    async def create(self, call: Call) -> Response:
        body = v.strict_object(await call.request.body(), CREATE_FIELDS)
        limits = self.state.limits
        dataset_raw = v.json_value(body, "dataset", allow_null=False, required=True)
        dataset_id = v.uuid_value(dataset_raw, "dataset")
        client_item_id = v.string(body, "client_item_id", required=False, max_length=255, null=True)
        input_ = v.json_value(body, "input", allow_null=False, required=True)
        expected = v.json_value(body, "expected_output", allow_null=True)
        source_output = v.json_value(body, "source_output", allow_null=True)
        metadata = v.object_value(body, "metadata", max_bytes=limits.metadata_bytes)
        trace = v.string(body, "source_trace_id", required=False, max_length=255, null=True)
        event = v.string(body, "source_event_id", required=False, max_length=255, null=True)
        stamp = v.timestamp(body, "source_timestamp")
        dataset = self.dataset(call, dataset_id)
        content = self._content(
            input_,
            None if expected is v.MISSING else expected,
            None if source_output is v.MISSING else source_output,
            {} if metadata is v.MISSING else metadata,
            trace,
            event,
            stamp,
        )
        if dataset[4]:
            raise errors.conflict("dataset_archived", "Restore this dataset before adding items.")
        client_id = None if client_item_id in (v.MISSING, None) else str(client_item_id)
        if client_id is not None:
            existing = self.store.item_by_client_id(dataset[0], client_id)
            if existing is not None:
                return self._retry(call, existing, content)
        count, limit = self.store.count_items(dataset[0]), limits.items
        if count >= limit:  # archived items count too
            raise errors.conflict(
                "limit_reached",
                f"No more items can be added to this dataset. The limit is {limit}. "
                "Contact support if you need more.",
                resource="dataset_items",
                current_count=count,
                limit=limit,
            )
        when = self.now()
        item_id = self.state.clock.new_id(self.state.clock.now())
        new = self.new_version(
            call,
            dataset_id=dataset[0],
            item_id=item_id,
            version=1,
            archived=False,
            content=content,
            when=when,
        )
        self.store.commit_version(new, client_item_id=client_id)
        return self.item_response(self.item(call, item_id), 201)

    def _retry(self, call: Call, item_id: str, content: VersionContent) -> Response:
        """A create naming an existing ``client_item_id``: the same item, or a 409."""
        current = self.item(call, item_id)
        if current[7]:
            detail = (
                "An archived item already uses this client item ID. "
                "Unarchive that item to use it again."
            )
        elif _same_content(content_of(current), content):
            return self.item_response(current, 200)
        else:
            detail = "An item with this client item ID already exists with different content."
        raise errors.conflict(
            "client_item_id_conflict",
            detail,
            current_version=current[3],
            current_item_id=current[0],
        )

    def _content(
        self,
        input_: Any,
        expected: Any,
        source_output: Any,
        metadata: Any,
        trace: Any,
        event: Any,
        stamp: Any,
    ) -> VersionContent:
        """The service's checks (provenance, payload size), then the stored form."""
        trace = None if trace is v.MISSING else trace
        event = None if event is v.MISSING else event
        stamp = None if stamp is v.MISSING else stamp
        if (event is not None or stamp is not None) and trace is None:
            raise errors.validation("invalid_input", NEEDS_TRACE, "source_trace_id")
        if trace is not None and stamp is None:
            raise errors.validation("invalid_input", NEEDS_TIMESTAMP, "source_timestamp")
        payload = {
            "input": input_,
            "expected_output": expected,
            "source_output": source_output,
            "metadata": metadata,
        }
        v.check_size(payload, "item", self.state.limits.item_payload_bytes)
        input_text = v.json_text(input_)
        assert input_text is not None
        return VersionContent(
            input_text,
            v.json_text(expected),
            v.json_text(source_output),
            v.json_text(metadata) or "{}",
            trace,
            event,
            stamp,
        )

    # -- new versions of an existing item ---------------------------------------------------

    def _writable(self, call: Call, current: Row, base_version: int, dataset_archived: str) -> None:
        """The dataset is active (409) and ``base_version`` is the current version (409)."""
        dataset = self.dataset(call, current[1])
        if dataset[4]:
            raise errors.conflict("dataset_archived", dataset_archived)
        if base_version != current[3]:
            raise errors.conflict(
                "stale_version",
                "This dataset item changed after it was loaded. Reload it and try again.",
                current_version=current[3],
                current_item_id=current[0],
            )

    def _version_limit(self, current: Row, *, reserve: bool) -> None:
        limit = self.state.limits.versions
        count = self.store.count_versions(current[0])
        if reserve and count >= limit - 1:
            raise errors.conflict(
                "limit_reached",
                "This dataset item cannot be archived because the last version slot is "
                f"reserved for restoring it. The limit is {limit}. Create a new item to continue.",
                resource="dataset_item_versions",
                current_count=count,
                limit=limit,
            )
        if count >= limit:
            raise errors.conflict(
                "limit_reached",
                f"No more versions can be added to this dataset item. The limit is {limit}. "
                "Create a new item to continue.",
                resource="dataset_item_versions",
                current_count=count,
                limit=limit,
            )

    def _commit(
        self, call: Call, current: Row, content: VersionContent, archived: bool
    ) -> Response:
        new = self.new_version(
            call,
            dataset_id=current[1],
            item_id=current[0],
            version=current[3] + 1,
            archived=archived,
            content=content,
            when=self.now(),
        )
        self.store.commit_version(new)
        return self.item_response(self.item(call, current[0]))

    def _state_conflict(self, current: Row, code: str, detail: str) -> errors.PlainError:
        return errors.conflict(code, detail, current_version=current[3], current_item_id=current[0])

    async def update(self, call: Call) -> Response:
        current = self.item(call, call.ids[0])
        body = v.strict_object(await call.request.body(), PATCH_FIELDS)
        base_version = v.int_field(body, "base_version", required=True)
        input_ = v.json_value(body, "input", allow_null=False)
        expected = v.json_value(body, "expected_output", allow_null=True)
        metadata = v.object_value(body, "metadata", max_bytes=self.state.limits.metadata_bytes)
        self._writable(
            call, current, base_version, "Restore this dataset before updating its items."
        )
        if current[7]:
            raise self._state_conflict(
                current, "dataset_item_archived", "Restore this dataset item before updating it."
            )
        old = content_of(current)
        content = self._content(
            v.loads(old.input) if input_ is v.MISSING else input_,
            v.loads(old.expected_output) if expected is v.MISSING else expected,
            v.loads(old.source_output),
            v.loads(old.metadata) if metadata is v.MISSING else metadata,
            old.source_trace_id,
            old.source_event_id,
            old.source_timestamp,
        )
        if _same_content(content, old):
            return self.item_response(current)  # unchanged: no version, no revision
        self._version_limit(current, reserve=False)
        return self._commit(call, current, content, archived=False)

    async def archive(self, call: Call) -> Response:
        current = self.item(call, call.ids[0])
        body = v.strict_object(await call.request.body(), ("base_version",))
        base_version = v.int_field(body, "base_version", required=True)
        self._writable(
            call, current, base_version, "Restore this dataset before archiving its items."
        )
        if current[7]:
            raise self._state_conflict(
                current, "dataset_item_archived", "This dataset item is already archived."
            )
        self._version_limit(current, reserve=True)
        return self._commit(call, current, content_of(current), archived=True)

    async def restore(self, call: Call) -> Response:
        current = self.item(call, call.ids[0])
        body = v.strict_object(await call.request.body(), ("base_version", "source_version"))
        base_version = v.int_field(body, "base_version", required=True)
        source_version = v.int_field(body, "source_version", required=False, allow_null=True)
        self._writable(
            call, current, base_version, "Restore this dataset before restoring its items."
        )
        if not current[7]:
            raise self._state_conflict(
                current, "dataset_item_active", "This dataset item is already active."
            )
        source = current
        if source_version not in (v.MISSING, None):
            found = self.store.version_of(call.team, current[0], source_version)
            if found is None:
                raise errors.not_found()
            source = found
        old, chosen = content_of(current), content_of(source)
        content = VersionContent(
            chosen.input,
            chosen.expected_output,
            old.source_output,
            chosen.metadata,
            old.source_trace_id,
            old.source_event_id,
            old.source_timestamp,
        )
        self._version_limit(current, reserve=False)
        return self._commit(call, current, content, archived=False)
