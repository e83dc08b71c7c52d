"""The classic datasets API (``docs/api.md``, classic): its endpoints and handlers.

Two endpoints per resource, the list and the object. Scopes follow the method (safe methods
read, every other writes) and are checked before the method, so an unknown method on a list, or
DELETE on an object (405 with no body: hard delete does not exist), is answered after the scope
and the throttle, as PostHog does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from explorer.emulator import errors, serialize
from explorer.emulator.app import (
    Action,
    Call,
    EmulatorState,
    Endpoint,
    absolute_url,
    json_response,
)
from explorer.emulator.auth import READ, WRITE, ApiKey
from explorer.emulator.ids import format_ts
from explorer.emulator.pagination import Page
from explorer.emulator.store import DATASET_ORDER_COLUMNS, Row
from explorer.emulator.validation import (
    dataset_changes,
    item_changes,
    parse_body,
    parse_uuid,
    require_object,
)

logger = logging.getLogger(__name__)

LIST_ALLOW = "GET, POST, HEAD, OPTIONS"
DETAIL_ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"


def _json(body: str, status: int = 200, allow: str = LIST_ALLOW) -> Response:
    return json_response(body, status, allow)


def _invalid_choice(value: str, attr: str) -> errors.ApiError:
    detail = f"Select a valid choice. {value} is not one of the available choices."
    return errors.validation("invalid_choice", detail, attr)


def parse_order(raw: str | None) -> list[tuple[str, bool]]:
    """``order_by``: comma-separated created_at / updated_at, each optionally with ``-``."""
    order: list[tuple[str, bool]] = []
    for part in (raw or "").split(","):
        term = part.strip()
        if not term:
            continue
        key = term.removeprefix("-")
        if key not in DATASET_ORDER_COLUMNS:
            raise _invalid_choice(term, "order_by")
        order.append((key, term.startswith("-")))
    return order or [("created_at", True)]


def parse_ids(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    ids = []
    for part in raw.split(","):
        if not part.strip():
            continue
        canonical = parse_uuid(part.strip())
        if canonical is None:
            raise errors.validation("invalid_input", "Enter a valid UUID.", "id__in")
        ids.append(canonical)
    return ids or None


class Resource:
    """The handlers of one object type (datasets or dataset_items)."""

    def __init__(self, state: EmulatorState, kind: str) -> None:
        self.state = state
        self.kind = kind
        store = state.store
        self._get = store.get_dataset if kind == "datasets" else store.get_item
        self._update = store.update_dataset if kind == "datasets" else store.update_item
        self._to_json: Callable[[Row, dict[int, str]], str] = (
            serialize.dataset_json if kind == "datasets" else serialize.item_json
        )

    def _one(self, row: Row, status: int = 200) -> Response:
        return _json(self._to_json(row, self.state.users_json), status, DETAIL_ALLOW)

    async def list(self, request: Request, team: int) -> Response:
        query = request.query_params
        store = self.state.store
        if self.kind == "datasets":
            order = parse_order(query.get("order_by"))
            ids = parse_ids(query.get("id__in"))
            page = Page.from_query(query.get("limit"), query.get("offset"))
            count, rows = store.list_datasets(
                team,
                search=query.get("search") or None,
                ids=ids,
                order=order,
                limit=page.limit,
                offset=page.offset,
            )
        else:
            dataset = self._dataset_filter(team, query.get("dataset"))
            page = Page.from_query(query.get("limit"), query.get("offset"))
            count, rows = store.list_items(
                team, dataset=dataset, limit=page.limit, offset=page.offset
            )
        url = absolute_url(request)
        users = self.state.users_json
        body = serialize.page_json(
            count,
            page.next_url(url, count),
            page.previous_url(url),
            (self._to_json(row, users) for row in rows),
        )
        return _json(body)

    def _dataset_filter(self, team: int, raw: str | None) -> str | None:
        if not raw:
            return None
        canonical = parse_uuid(raw)
        if canonical is None or not self.state.store.dataset_in_project(team, canonical):
            detail = "Select a valid choice. That choice is not one of the available choices."
            raise errors.validation("invalid_choice", detail, "dataset")
        return canonical

    def _changes(self, data: dict[str, Any], team: int, *, partial: bool) -> dict[str, Any]:
        if self.kind == "datasets":
            return dataset_changes(data, partial=partial)

        def exists(dataset_id: str) -> bool:
            return self.state.store.dataset_in_project(team, dataset_id)

        return item_changes(data, partial=partial, dataset_exists=exists)

    async def create(self, request: Request, team: int, api_key: ApiKey) -> Response:
        data = require_object(parse_body(await request.body()))
        changes = self._changes(data, team, partial=False)
        clock = self.state.clock
        now = clock.now()
        id_, ts = clock.new_id(now), format_ts(now)
        user = api_key.user.id
        get = changes.get
        if self.kind == "datasets":
            row: Row = (
                id_, get("name"), get("description"), get("metadata"), ts, ts,
                get("deleted", False), user, team,
            )  # fmt: skip
            self.state.store.insert_dataset(row)
        else:
            row = (
                id_, get("dataset"), get("input"), get("output"), get("metadata"),
                get("ref_trace_id"), get("ref_timestamp"), get("ref_source_id"),
                get("deleted", False), ts, ts, user, team,
            )  # fmt: skip
            self.state.store.insert_item(row)
        return self._one(row, 201)

    async def retrieve(self, team: int, id_: str) -> Response:
        row = self._get(team, id_)
        if row is None:
            raise errors.not_found()
        return self._one(row)

    async def update(self, request: Request, team: int, id_: str, *, partial: bool) -> Response:
        # PUT and PATCH reach soft-deleted rows: that is how a row is restored.
        if self._get(team, id_, include_deleted=True) is None:
            raise errors.not_found()
        data = require_object(parse_body(await request.body()))
        changes = self._changes(data, team, partial=partial)
        changes["updated_at"] = format_ts(self.state.clock.now())
        row = self._update(team, id_, changes)
        if row is None:
            raise errors.not_found()
        return self._one(row)


class ClassicGeneration:
    """The classic endpoints: ``{resource}/`` and ``{resource}/{id}/`` for both resources."""

    flag_gated = False

    def __init__(self, state: EmulatorState) -> None:
        self.resources = {
            "datasets": Resource(state, "datasets"),
            "dataset_items": Resource(state, "dataset_items"),
        }

    def match(self, segments: Sequence[str]) -> Endpoint | None:
        resource = self.resources.get(segments[0])
        if resource is None or len(segments) > 2:
            return None
        if len(segments) == 1:
            return self._list(resource)
        return self._detail(resource, segments[1])

    @staticmethod
    def _list(resource: Resource) -> Endpoint:
        async def listing(call: Call) -> Response:
            return await resource.list(call.request, call.team)

        async def create(call: Call) -> Response:
            return await resource.create(call.request, call.team, call.api_key)

        async def options(call: Call) -> Response:
            return _options(resource.kind, True)

        async def other(call: Call) -> Response:
            raise errors.method_not_allowed(call.request.method)

        read = Action(READ, listing)
        return Endpoint(
            LIST_ALLOW,
            {"GET": read, "HEAD": read, "POST": Action(WRITE, create),
             "OPTIONS": Action(READ, options)},
            other=Action(WRITE, other),
        )  # fmt: skip

    @staticmethod
    def _detail(resource: Resource, object_id: str) -> Endpoint:
        def lookup_id() -> str:
            id_ = parse_uuid(object_id)
            if id_ is None:
                raise errors.not_found()
            return id_

        async def retrieve(call: Call) -> Response:
            return await resource.retrieve(call.team, lookup_id())

        async def update(call: Call) -> Response:
            partial = call.request.method == "PATCH"
            return await resource.update(call.request, call.team, lookup_id(), partial=partial)

        async def options(call: Call) -> Response:
            return _options(resource.kind, False)

        async def delete(call: Call) -> Response:
            # Hard delete does not exist: 405 with no body, without looking the object up.
            return Response(status_code=405, headers={"Allow": DETAIL_ALLOW})

        async def other(call: Call) -> Response:
            raise errors.method_not_allowed(call.request.method)

        read, write = Action(READ, retrieve), Action(WRITE, update)
        actions = {
            "GET": read, "HEAD": read, "PUT": write, "PATCH": write,
            "DELETE": Action(WRITE, delete), "OPTIONS": Action(READ, options),
        }  # fmt: skip
        return Endpoint(DETAIL_ALLOW, actions, (object_id,), other=Action(WRITE, other))


def _options(kind: str, is_list: bool) -> Response:
    name = ("Dataset" if kind == "datasets" else "Dataset Item") + (" List" if is_list else "")
    body = (
        f'{{"name":"{name}","description":"","renders":["application/json"],'
        '"parses":["application/json"]}'
    )
    return _json(body, 200, LIST_ALLOW if is_list else DETAIL_ALLOW)
