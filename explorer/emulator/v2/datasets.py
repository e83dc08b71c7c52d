"""v2 dataset endpoints: list, create, retrieve, PATCH, archive, restore, revisions."""

from __future__ import annotations

import sqlite3

from starlette.responses import Response

from explorer.emulator import errors
from explorer.emulator.app import Call
from explorer.emulator.v2 import serialize
from explorer.emulator.v2 import validation as v
from explorer.emulator.v2.common import DATASETS_PAGE, REVISIONS_PAGE, V2Handlers

NAME_TAKEN = "A dataset with this name already exists."


class Datasets(V2Handlers):
    async def list(self, call: Call) -> Response:
        query = call.request.query_params
        archived = v.query_bool(query.get("archived"), "archived")
        ids = v.query_ids(query.getlist("id__in"))
        search = v.query_search(query.get("search"))
        order = v.query_order(query.get("order_by"))
        page = self.page(call, DATASETS_PAGE)
        count, rows = self.store.list_v2_datasets(
            call.team,
            archived=archived,
            search=search,
            ids=ids,
            order=order,
            limit=page.limit,
            offset=page.offset,
        )
        users, viewer = self.state.users_json, call.api_key.user.id
        return self.page_response(
            call, page, count, rows, lambda row: serialize.dataset_json(row, users, viewer)
        )

    def _fields(self, data: dict[str, object], *, partial: bool) -> dict[str, object]:
        limits = self.state.limits
        fields = {
            "name": v.string(data, "name", required=not partial, max_length=400),
            "description": v.string(
                data, "description", required=False, max_length=10_000, blank=True
            ),
            "metadata": v.object_value(data, "metadata", max_bytes=limits.metadata_bytes),
        }
        return {key: value for key, value in fields.items() if value is not v.MISSING}

    async def create(self, call: Call) -> Response:
        body = v.strict_object(await call.request.body(), ("name", "description", "metadata"))
        fields = self._fields(body, partial=False)
        limit = self.state.limits.datasets
        count = self.store.count_datasets(call.team)  # archived datasets count too
        if count >= limit:
            raise errors.conflict(
                "limit_reached",
                f"No more datasets can be added to this project. The limit is {limit}. "
                "Contact support if you need more.",
                resource="datasets",
                current_count=count,
                limit=limit,
            )
        clock = self.state.clock
        moment = clock.now()
        id_, when = clock.new_id(moment), self.now()
        metadata = v.json_text(fields.get("metadata", {}))
        row = (
            id_, call.team, fields["name"], fields.get("description", ""), metadata, 0, when,
            when, call.api_key.user.id,
        )  # fmt: skip
        try:
            self.store.insert_v2_dataset(row)
        except sqlite3.IntegrityError:
            raise errors.conflict("dataset_name_conflict", NAME_TAKEN) from None
        return self.dataset_response(call, self.dataset(call, id_), 201)

    async def retrieve(self, call: Call) -> Response:
        return self.dataset_response(call, self.dataset(call, call.ids[0]))

    async def update(self, call: Call) -> Response:
        row = self.dataset(call, call.ids[0])
        body = v.strict_object(await call.request.body(), ("name", "description", "metadata"))
        fields = self._fields(body, partial=True)
        if row[4]:
            raise errors.conflict("dataset_archived", "Restore this dataset before updating it.")
        changes: dict[str, object] = dict(fields)
        if "metadata" in changes:
            changes["metadata"] = v.json_text(changes["metadata"])
        changes["updated_at"] = self.now()  # bumped even by an empty PATCH
        try:
            self.store.update_v2_dataset(call.team, row[0], changes)
        except sqlite3.IntegrityError:
            raise errors.conflict("dataset_name_conflict", NAME_TAKEN) from None
        return self.dataset_response(call, self.dataset(call, row[0]))

    async def archive(self, call: Call) -> Response:
        return await self._set_archived(call, True)

    async def restore(self, call: Call) -> Response:
        return await self._set_archived(call, False)

    async def _set_archived(self, call: Call, archived: bool) -> Response:
        # No body is read: PostHog's archive and restore take none.
        row = self.dataset(call, call.ids[0])
        if bool(row[4]) != archived:
            changes = {"archived": int(archived), "updated_at": self.now()}
            self.store.update_v2_dataset(call.team, row[0], changes)
            row = self.dataset(call, row[0])
        return self.dataset_response(call, row)

    async def revisions(self, call: Call) -> Response:
        row = self.dataset(call, call.ids[0])
        page = self.page(call, REVISIONS_PAGE)
        count, rows = self.store.revisions(call.team, row[0], limit=page.limit, offset=page.offset)
        users = self.state.users_json
        return self.page_response(
            call, page, count, rows, lambda r: serialize.revision_json(r, users)
        )
