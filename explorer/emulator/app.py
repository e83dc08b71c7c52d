"""What every API generation shares: routing, DRF's order of checks, errors, and the state.

A request to ``/api/{projects|environments}/{project}/{path}`` is matched against the serving
generation's endpoints (``classic.py`` or ``v2/``): an unknown path answers 404 before anything
else, as Django resolves URLs first. Then, as in DRF's ``initial()``: authentication (401), the
project (404 / 403), the method (405, where the generation answers it before permissions), the
scope of the action (403), the feature flag (403, v2 only), the throttle (429); then the handler.
A generation describes its endpoints as data (``Endpoint`` and ``Action``), so this order is
written once.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from explorer.emulator import errors, serialize
from explorer.emulator.auth import ApiKey, KeyRing
from explorer.emulator.ids import ServerClock
from explorer.emulator.ratelimit import Rate, RateLimitConfig, RateLimiter
from explorer.emulator.store import Store

logger = logging.getLogger(__name__)

PREFIXES = frozenset({"projects", "environments"})
API_GENERATIONS = ("classic", "v2")
FLAG_DETAIL = (
    "This action requires feature flag 'llm-analytics-datasets' to be enabled for your "
    "organization."
)
# PostHog's DatasetExportRateThrottle: 10 export creations a day per key, when throttling is on.
EXPORTS_PER_DAY = Rate(10, 86_400)


@dataclass(frozen=True)
class Limits:
    """PostHog's dataset limits (v2): ``dataset_limits.py`` and ``dataset_service.py``."""

    datasets: int = 20
    items: int = 600
    versions: int = 40
    item_payload_bytes: int = 406_666
    metadata_bytes: int = 1_000_000
    export_bytes: int = 250_000_000

    def __post_init__(self) -> None:
        if min(self.datasets, self.items, self.versions) < 1:
            raise ValueError("the dataset, item and version limits must be at least 1")


@dataclass
class EmulatorState:
    """Everything the handlers share; the server handle reaches it to reconfigure at runtime."""

    store: Store
    keyring: KeyRing
    limiter: RateLimiter
    clock: ServerClock = field(default_factory=ServerClock)
    users_json: dict[int, str] = field(default_factory=dict)
    api: str = "classic"
    limits: Limits = field(default_factory=Limits)
    datasets_flag: bool = True
    # Seconds until an export completes once read; None keeps every export pending.
    export_delay_s: float | None = 0.0
    export_limiter: RateLimiter = field(
        default_factory=lambda: RateLimiter(RateLimitConfig(True, (EXPORTS_PER_DAY,)))
    )

    def __post_init__(self) -> None:
        if self.api not in API_GENERATIONS:
            raise ValueError(f"unknown API {self.api!r}; expected one of {API_GENERATIONS}")
        self.store.upsert_users(serialize.user_row(u) for u in self.keyring.users())
        self.reload_users()

    def reload_users(self) -> None:
        users = [serialize.user_from_row(row) for row in self.store.users()]
        self.users_json = {u.id: serialize.user_json(u) for u in users}


@dataclass(frozen=True)
class Call:
    """One matched API request, authenticated and in a project."""

    request: Request
    team: int
    api_key: ApiKey
    ids: tuple[str, ...]  # the path's id segments, as sent


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Action:
    """What a method does on an endpoint: the scope it needs, its throttle, its handler."""

    scope: str
    handler: Handler
    throttle: str = "default"  # or "dataset_export"


@dataclass(frozen=True)
class Endpoint:
    """A matched path: the actions by method and the ``Allow`` header.

    ``other`` answers any other method after the scope check (classic: scope by method, then
    405); without it, an unknown method is 405 before permissions (v2).
    """

    allow: str
    actions: Mapping[str, Action]
    ids: tuple[str, ...] = ()
    other: Action | None = None


class Generation(Protocol):
    """One API generation: its endpoints, and whether the datasets feature flag gates it."""

    flag_gated: bool

    def match(self, segments: Sequence[str]) -> Endpoint | None: ...


def json_response(body: str | bytes, status: int = 200, allow: str | None = None) -> Response:
    headers = {"Allow": allow} if allow else None
    data = body.encode() if isinstance(body, str) else body
    return Response(data, status, headers=headers, media_type="application/json")


def absolute_url(request: Request) -> str:
    """The request's URL for ``next``/``previous`` links.

    The ``Host`` header is trusted only when it names the address the server is bound to (or
    ``localhost`` for a loopback address), so a forged header cannot point links elsewhere.
    """
    scope = request.scope
    server = scope.get("server")
    header = request.headers.get("host")
    host = _bound_host(server) if server else (header or "testserver")
    if header and server and _names_bound_address(header, server):
        host = header
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


def _bound_host(server: Sequence[Any]) -> str:
    address, port = str(server[0]), server[1]
    if ":" in address:
        address = f"[{address}]"
    return address if port is None else f"{address}:{port}"


def _names_bound_address(header: str, server: Sequence[Any]) -> bool:
    address, port = str(server[0]).lower(), server[1]
    try:
        parts = urlsplit(f"//{header.strip()}")
        name, header_port = parts.hostname, parts.port
    except ValueError:
        return False
    if name is None or header_port != port:
        return False
    if name == address:
        return True
    try:
        return name == "localhost" and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _segments(rest: str) -> list[str] | None:
    """``datasets/ID/archive/`` -> ["datasets", "ID", "archive"]; None for empty segments."""
    parts = rest.removesuffix("/").split("/")
    return None if any(not part for part in parts) else parts


class DatasetsApi:
    """The ASGI endpoint for every ``/api/{projects|environments}/{id}/...`` URL."""

    def __init__(self, state: EmulatorState, generation: Generation) -> None:
        self.state = state
        self.generation = generation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        if request.method == "HEAD":
            response.body = b""
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        params = request.path_params
        endpoint = None
        segments = _segments(params["rest"])
        if params["prefix"] in PREFIXES and segments is not None:
            endpoint = self.generation.match(segments)
        if endpoint is None:
            return errors.not_found().response()
        try:
            return await self._dispatch(request, endpoint, params["project"])
        except errors.ApiError as exc:
            return exc.response({"Allow": endpoint.allow})
        except Exception:
            logger.exception("unexpected error in %s %s", request.method, request.url.path)
            return errors.server_error().response({"Allow": endpoint.allow})

    async def _dispatch(self, request: Request, endpoint: Endpoint, project: str) -> Response:
        state = self.state
        keyring = state.keyring
        api_key = keyring.authenticate(request.headers.get("authorization"))
        team = keyring.resolve_project(project, api_key)
        action = endpoint.actions.get(request.method, endpoint.other)
        if action is None:
            raise errors.method_not_allowed(request.method)
        keyring.require(api_key, action.scope)
        if self.generation.flag_gated and not state.datasets_flag:
            raise errors.permission_denied(FLAG_DETAIL)
        limiter = state.limiter
        if action.throttle == "dataset_export":
            # It replaces the default throttles for this action, and applies only when
            # throttling is on at all.
            limiter = state.export_limiter if state.limiter.config.enabled else limiter
        allowed, wait = limiter.check(api_key.key)
        if not allowed:
            raise errors.throttled(wait)
        response = await action.handler(Call(request, team, api_key, endpoint.ids))
        response.headers.setdefault("Allow", endpoint.allow)
        return response


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await errors.not_found().response()(scope, receive, send)


def create_app(state: EmulatorState) -> Router:
    """The API routes of the state's generation, with no trailing-slash redirects.

    Add more (admin) to ``.routes``.
    """
    generation: Generation
    if state.api == "v2":
        from explorer.emulator.v2 import V2Generation

        generation = V2Generation(state)
    else:
        from explorer.emulator.classic import ClassicGeneration

        generation = ClassicGeneration(state)
    endpoint = DatasetsApi(state, generation)
    route = Route("/api/{prefix}/{project}/{rest:path}", endpoint, methods=None)
    return Router([route], redirect_slashes=False, default=_not_found)
