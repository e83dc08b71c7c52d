"""The Starlette app: PostHog's dataset routes, checks in DRF's order, and the handlers.

Order of checks for every API request, as in DRF's ``initial()``: authentication (401), project
(404 / 403), scope (403), throttle (429); then the handler: 405, object lookup (404), body (400).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from explorer.emulator import errors, serialize
from explorer.emulator.auth import READ, WRITE, ApiKey, KeyRing
from explorer.emulator.ids import ServerClock, format_ts
from explorer.emulator.pagination import Page
from explorer.emulator.ratelimit import RateLimiter
from explorer.emulator.store import DATASET_ORDER_COLUMNS, Row, Store
from explorer.emulator.validation import (
    dataset_changes,
    item_changes,
    parse_body,
    parse_uuid,
    require_object,
)

logger = logging.getLogger(__name__)

PREFIXES = frozenset({"projects", "environments"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LIST_ALLOW = "GET, POST, HEAD, OPTIONS"
DETAIL_ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"


@dataclass
class EmulatorState:
    """Everything the handlers share; the server handle reaches it to reconfigure at runtime."""

    store: Store
    keyring: KeyRing
    limiter: RateLimiter
    clock: ServerClock = field(default_factory=ServerClock)
    users_json: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.store.upsert_users(serialize.user_row(u) for u in self.keyring.users())
        self.reload_users()

    def reload_users(self) -> None:
        users = [serialize.user_from_row(row) for row in self.store.users()]
        self.users_json = {u.id: serialize.user_json(u) for u in users}


def _json(body: str, status: int = 200, allow: str = LIST_ALLOW) -> Response:
    return Response(body.encode(), status, headers={"Allow": allow}, media_type="application/json")


def _absolute_url(request: Request) -> str:
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


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
        url = _absolute_url(request)
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


class DatasetsApi:
    """The ASGI endpoint for every ``/api/{projects|environments}/{id}/{resource}/...`` URL."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.resources = {
            "datasets": Resource(state, "datasets"),
            "dataset_items": Resource(state, "dataset_items"),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        if request.method == "HEAD":
            response.body = b""
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        params = request.path_params
        object_id: str | None = params.get("object_id")
        allow = LIST_ALLOW if object_id is None else DETAIL_ALLOW
        try:
            resource = self.resources.get(params["resource"])
            if params["prefix"] not in PREFIXES or resource is None:
                raise errors.not_found()
            return await self._dispatch(request, resource, params["project"], object_id)
        except errors.ApiError as exc:
            return exc.response({"Allow": allow})
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            return errors.server_error().response({"Allow": allow})

    async def _dispatch(
        self, request: Request, resource: Resource, project: str, object_id: str | None
    ) -> Response:
        keyring = self.state.keyring
        api_key = keyring.authenticate(request.headers.get("authorization"))
        team = keyring.resolve_project(project, api_key)
        method = request.method
        keyring.require(api_key, READ if method in SAFE_METHODS else WRITE)
        allowed, wait = self.state.limiter.check(api_key.key)
        if not allowed:
            raise errors.throttled(wait)
        if method == "OPTIONS":
            return _options(resource.kind, object_id is None)
        if object_id is None:
            if method in ("GET", "HEAD"):
                return await resource.list(request, team)
            if method == "POST":
                return await resource.create(request, team, api_key)
            raise errors.method_not_allowed(method)
        if method == "DELETE":
            # Hard delete does not exist: 405 with no body, without looking the object up.
            return Response(status_code=405, headers={"Allow": DETAIL_ALLOW})
        if method not in ("GET", "HEAD", "PUT", "PATCH"):
            raise errors.method_not_allowed(method)
        id_ = parse_uuid(object_id)
        if id_ is None:
            raise errors.not_found()
        if method in ("GET", "HEAD"):
            return await resource.retrieve(team, id_)
        return await resource.update(request, team, id_, partial=method == "PATCH")


def _options(kind: str, is_list: bool) -> Response:
    name = ("Dataset" if kind == "datasets" else "Dataset Item") + (" List" if is_list else "")
    body = (
        f'{{"name":"{name}","description":"","renders":["application/json"],'
        '"parses":["application/json"]}'
    )
    return _json(body, 200, LIST_ALLOW if is_list else DETAIL_ALLOW)


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await errors.not_found().response()(scope, receive, send)


def api_routes(state: EmulatorState) -> list[Route]:
    endpoint: ASGIApp = DatasetsApi(state)
    base = "/api/{prefix}/{project}/{resource}"
    paths: Sequence[str] = (base, base + "/", base + "/{object_id}", base + "/{object_id}/")
    return [Route(path, endpoint, methods=None) for path in paths]


def create_app(state: EmulatorState) -> Router:
    """The API routes, with no trailing-slash redirects; add more (admin) to ``.routes``."""
    return Router(api_routes(state), redirect_slashes=False, default=_not_found)
