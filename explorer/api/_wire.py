"""What both API generations share, sans-IO: the `Operation`, ids, bodies, parsing and errors.

An API generation (`ClassicApi` in ``_classic``, `V2Api` in ``_v2``) turns a call into an
`Operation`: the method, path, query and JSON body to send, and the function that turns the
answer into a model or into the right `ApiError`. It never sends anything; `Client` and
`AsyncClient` do. `WireApi` is their common base: building lists and objects, parsing answers,
and the errors every status means.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from uuid import UUID

import httpx

from explorer.api._bulk import BULK_BYTES, collector_paused
from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    Conflict,
    DatasetsDisabled,
    InvalidId,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
    parse_retry_after,
)

if TYPE_CHECKING:
    from pydantic import ValidationError

    from explorer.api.models import AnyDataset, AnyItem, DatasetExport, Page

T_co = TypeVar("T_co", covariant=True)

Id = str | UUID
"""A dataset or item id: a UUID, as `uuid.UUID` or as text."""

FLAG = "llm-analytics-datasets"


@dataclass(frozen=True, slots=True)
class Operation(Generic[T_co]):
    """One API call, ready to send: what to send and how to read the answer.

    ``parse`` takes any response (2xx or not) and returns the result or raises `ApiError`.
    ``local`` is set when the answer is known without asking (``ids=[]`` matches nothing).
    ``idempotent`` marks a write that is safe to send again (a v2 create with its
    ``client_item_id``). ``parts`` and ``combine``: the answer is made of several requests sent
    concurrently (a page larger than the server's cap), combined in order.
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T_co]
    params: Mapping[str, str] | None = None
    content: bytes | None = None
    local: Callable[[], T_co] | None = None
    idempotent: bool = False
    parts: Sequence[Operation[Any]] = ()
    combine: Callable[[list[Any]], T_co] | None = None
    follow_redirects: bool = False
    reads_only: bool = False
    """A POST that changes no data (a v2 export: ``dataset:read`` is enough), allowed to a
    read-only client."""

    @property
    def is_write(self) -> bool:
        return not self.reads_only and self.method not in ("GET", "HEAD", "OPTIONS")


def wire_model(name: str) -> Any:
    """The class ``name`` of `explorer.api.models`, imported at the first answer parsed rather
    than with the client: loading pydantic takes about a tenth of a second, which a front end
    can spend drawing its first answer (see `AsyncDatasets.preview`)."""
    import explorer.api.models as models

    return getattr(models, name)


_pages: dict[str, Any] = {}
_pages_lock = threading.Lock()


def page_of(name: str) -> Any:
    """``Page[model]`` for the model class ``name``, made once (the sync client's prefetch
    threads may parse the first pages at the same time)."""
    with _pages_lock:
        if name not in _pages:
            _pages[name] = wire_model("Page")[wire_model(name)]
        return _pages[name]


def canonical_id(value: object, what: str = "id") -> str:
    """The lower-case hyphenated form of a UUID, or `InvalidId` (a ValueError) naming it."""
    if not isinstance(value, str | UUID) and isinstance(getattr(value, "id", None), UUID):
        value = getattr(value, "id")  # noqa: B009 - any wire object with an id
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(UUID(value.strip()))
        except ValueError:
            pass
    raise InvalidId(f"{what} {value!r} is not a UUID (ids look like 0199a3c4-...-...)")


def _json_ready(value: Any, field: str) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{field}: give a timezone-aware datetime (got naive {value})")
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_body(fields: Mapping[str, Any]) -> bytes:
    """The JSON body for ``fields``; ValueError names a field that JSON cannot carry."""
    body = {key: _json_ready(value, key) for key, value in fields.items()}
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError):
        for key, value in body.items():
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{key}: not representable as JSON ({exc}). Send only JSON values: dict,"
                    " list, str, int, a finite float, bool or None."
                ) from None
        raise


def _snippet(content: bytes) -> str:
    text = content[:80].decode("utf-8", "replace")
    return text + ("..." if len(content) > 80 else "")


class Operations(Protocol):
    """What every API generation builds: `ClassicApi` and `V2Api` have these names.

    Fields are plain mappings here: each generation checks the names it knows and raises
    `Unsupported` for the others', so a call fails the same way whatever the types said.
    """

    generation: str

    def list_datasets(
        self,
        search: str | None,
        order_by: str | Iterable[str] | None,
        ids: Iterable[Id] | None,
        limit: int,
        offset: int,
        archived: bool,
    ) -> Operation[Page[Any]]: ...
    def get_dataset(self, id: Id) -> Operation[AnyDataset]: ...
    def create_dataset(
        self, name: str, description: str | None, metadata: Any
    ) -> Operation[AnyDataset]: ...
    def update_dataset(self, id: Id, fields: Mapping[str, Any]) -> Operation[AnyDataset]: ...
    def archive_dataset(self, id: Id) -> Operation[AnyDataset]: ...
    def restore_dataset(self, id: Id) -> Operation[AnyDataset]: ...
    def list_revisions(self, id: Id, limit: int, offset: int) -> Operation[Page[Any]]: ...
    def create_export(self, id: Id, revision: int | None) -> Operation[DatasetExport]: ...
    def export_status(self, id: Id, export_id: int) -> Operation[DatasetExport]: ...
    def export_content(self, id: Id, export_id: int) -> Operation[list[dict[str, Any]]]: ...
    def list_items(
        self, dataset: Any, limit: int, offset: int, revision: int | None, archived: bool
    ) -> Operation[Page[Any]]: ...
    def get_item(self, id: Id, revision: int | None) -> Operation[AnyItem]: ...
    def create_item(self, dataset: Any, fields: Mapping[str, Any]) -> Operation[AnyItem]: ...
    def update_item(
        self, id: Id, fields: Mapping[str, Any], base_version: int | None
    ) -> Operation[AnyItem]: ...
    def archive_item(self, id: Id, base_version: int | None) -> Operation[AnyItem]: ...
    def restore_item(
        self, id: Id, base_version: int | None, source_version: int | None
    ) -> Operation[AnyItem]: ...
    def list_versions(self, id: Id, limit: int, offset: int) -> Operation[Page[Any]]: ...


class WireApi:
    """The building and parsing both generations share, for one host, project and prefix."""

    generation = ""
    # What a 404 on one object may mean, said in its error.
    gone = "or it was deleted (deleted rows answer 404 until restored)"

    def __init__(self, host: str, project_id: int | str, api_prefix: str = "projects") -> None:
        if api_prefix not in ("projects", "environments"):
            raise ValueError(f"api_prefix must be 'projects' or 'environments', not {api_prefix!r}")
        self.host = host
        self.project_id = project_id
        self.api_prefix = api_prefix
        self._root = f"/api/{api_prefix}/{project_id}"

    # ---- building

    def _list(
        self,
        model: str,
        collection: str,
        params: dict[str, str],
        empty: bool = False,
        cap: int | None = None,
    ) -> Operation[Page[Any]]:
        """A page of ``collection``, of the `explorer.api.models` class named ``model``
        (``empty``: known to be empty without asking); past the server's ``cap`` per request,
        the page is asked for as consecutive requests of ``cap`` sent together, and joined."""
        limit, offset = int(params["limit"]), int(params["offset"])
        path = f"{self._root}/{collection}"
        what = f"a page of {collection.rstrip('/').replace('_', ' ').split('/')[-1]}"

        def parse(response: httpx.Response) -> Page[Any]:
            page: Page[Any] = self._parse(response, "GET", path, page_of(model), what, collection)
            return page.model_copy(update={"limit": limit, "offset": offset})

        if empty:

            def nothing() -> Page[Any]:
                page: Page[Any] = page_of(model)(count=0, results=[], limit=limit, offset=offset)
                return page

            return Operation("GET", path, parse, params, None, nothing)
        if cap is None or limit <= cap:
            return Operation("GET", path, parse, params)
        parts = [
            self._list(model, collection, {**params, "limit": str(min(cap, limit - start)),
                                           "offset": str(offset + start)})
            for start in range(0, limit, cap)
        ]  # fmt: skip

        def combine(pages: list[Page[Any]]) -> Page[Any]:
            results = [item for page in pages for item in page.results]
            return pages[0].model_copy(
                update={
                    "results": results,
                    "next": next((p.next for p in reversed(pages) if p.results), pages[0].next),
                    "count": pages[-1].count,
                    "limit": limit,
                    "offset": offset,
                }
            )

        return Operation("GET", path, parse, params, parts=parts, combine=combine)

    def _object(
        self,
        model: str,
        method: str,
        collection: str,
        id: str | None,
        fields: Mapping[str, Any] | None = None,
        *,
        action: str | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = False,
        reads_only: bool = False,
    ) -> Operation[Any]:
        """One object of the `explorer.api.models` class named ``model``: ``collection/id/``
        (or ``collection/id/action/``, or the collection)."""
        if method == "PATCH" and not fields:
            raise ValueError("update needs at least one field to change")
        path = f"{self._root}/{collection}/" + (f"{id}/" if id else "")
        if action:
            path += f"{action}/"
        noun = "dataset" if collection == "datasets" else "dataset item"
        subject = f"{noun} {id}" if id else f"new {noun}"
        content = encode_body(fields) if fields is not None else None

        def parse(response: httpx.Response) -> Any:
            return self._parse(response, method, path, wire_model(model), f"a {noun}", subject)

        return Operation(
            method, path, parse, params, content, idempotent=idempotent, reads_only=reads_only
        )

    # ---- parsing

    def _parse(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        model: Any,
        what: str,
        subject: str,
    ) -> Any:
        from pydantic import ValidationError

        if not response.is_success:
            raise self.error(response, method, path, subject)
        content = response.content
        problem = None
        if not content or content.isspace():
            problem = "the body is empty"
        else:
            try:
                if len(content) < BULK_BYTES:
                    return model.model_validate_json(content)
                with collector_paused():
                    return model.model_validate_json(content)
            except ValidationError as exc:
                problem = _first_problem(exc)
                if _too_deep(exc):
                    # pydantic's JSON parser stops at about 200 levels; an item may hold 990
                    try:
                        return model.model_validate(parse_deep_json(content))
                    except ValidationError as deep:
                        problem = _first_problem(deep)
                    except ValueError as deep:
                        problem = f"the JSON cannot be parsed ({deep})"
        raise MalformedResponse(
            f"{self.host} answered {method} {path} with {response.status_code} but not with"
            f" {what} ({problem}; the body starts {_snippet(content)!r}). Check that the host"
            " is PostHog's app host (not the ingestion host, a proxy or a login page); if it"
            " is, this is a server problem worth reporting.",
            status=response.status_code,
            detail=problem,
            method=method,
            path=path,
        )

    def error(self, response: httpx.Response, method: str, path: str, subject: str) -> ApiError:
        """The `ApiError` for a response that is not a success."""
        status = response.status_code
        envelope = _envelope(response.content)
        detail = envelope.get("detail")
        code = envelope.get("code")
        attr = envelope.get("attr")
        fields: dict[str, Any] = {
            "status": status,
            "type": envelope.get("type"),
            "code": code,
            "detail": detail,
            "attr": attr,
            "method": method,
            "path": path,
        }
        said = f" ({detail})" if detail else ""
        keys = f"{self.host}/settings/user-api-keys"
        if status == 401:
            return AuthenticationFailed(
                f"PostHog at {self.host} did not accept the API key{said}. Check"
                " POSTHOG_PERSONAL_API_KEY or the profile's api_key; to make one, create a"
                f" personal API key at {keys} with the dataset:read scope (and dataset:write"
                " to edit).",
                **fields,
            )
        if status == 403 and FLAG in (detail or ""):
            return DatasetsDisabled(
                f"PostHog at {self.host} does not have datasets enabled for this organisation"
                f" (the {FLAG} feature flag is off){said}. Ask PostHog support or your"
                " organisation's admin to enable LLM analytics datasets.",
                **fields,
            )
        if status == 409:
            return self.conflict(response, fields)
        if status == 403:
            error = PermissionDenied("", **fields)
            if error.scope:
                error.message = (
                    f"The API key lacks the {error.scope} scope{said}. Create a personal API key"
                    f" with the {error.scope} scope at {keys}, or add the scope to this key."
                )
            else:
                error.message = (
                    f"The API key has no access to project {self.project_id}{said}. Check the"
                    " project id and the key's project access in PostHog's settings."
                )
            return error
        if status == 404:
            if detail and "project" in detail.lower():
                return NotFound(
                    f"Project {self.project_id} was not found on {self.host}{said}. Check"
                    " POSTHOG_PROJECT_ID or the profile's project_id (the number after /project/"
                    " in PostHog's web addresses).",
                    **fields,
                )
            if subject.endswith("/"):  # a list route: the API itself is not there
                return NotFound(
                    f"{self.host} has no datasets API at {method} {path} (404){said}. Check"
                    " that the host is PostHog's app host (a version with LLM analytics"
                    " datasets), the project id and the api_prefix.",
                    **fields,
                )
            return NotFound(
                f"The {subject} was not found{said}: it does not exist in project"
                f" {self.project_id}, {self.gone}. Check the id.",
                **fields,
            )
        if status == 400:
            where = f"{attr}: " if attr else ""
            return ValidationFailed(
                f"PostHog refused {method} {path}: {where}{detail or 'invalid request'}"
                f" (code {code}). Fix {('the ' + attr) if attr else 'the request'} and retry.",
                **fields,
            )
        if status == 413:
            try:
                size = f" ({len(response.request.content):,} bytes)"
            except RuntimeError:  # a response built without its request
                size = ""
            return ApiError(
                f"{self.host} refused {method} {path} as too large{size}: 413"
                f" {response.reason_phrase}{said}. Make the value smaller (trim it, or split it"
                " across items); a proxy in front of PostHog may set this limit.",
                **fields,
            )
        if status == 429:
            seconds = parse_retry_after(detail)
            wait = f"Wait {seconds:g} seconds" if seconds is not None else "Wait a minute"
            return RateLimited(
                f"PostHog rate-limited this API key{said}. {wait} and try again (PostHog allows"
                " a key 480 requests a minute and 4,800 an hour).",
                retry_after=seconds,
                **fields,
            )
        if status >= 500:
            return ServerError(
                f"PostHog at {self.host} failed on {method} {path} with {status}"
                f" {response.reason_phrase}{said}. Try again later; if it persists, report it.",
                **fields,
            )
        if status == 405:
            return ApiError(
                f"{self.host} does not allow {method} {path} (405 Method Not Allowed){said}."
                " Check that the host runs a PostHog version with the datasets API.",
                **fields,
            )
        if 300 <= status < 400:
            location = response.headers.get("location", "elsewhere")
            return ApiError(
                f"{self.host} redirected {method} {path} to {location}. Set the host to the"
                " address the API answers on (often https:// rather than http://).",
                **fields,
            )
        return ApiError(
            f"Unexpected answer from {self.host} to {method} {path}: {status}"
            f" {response.reason_phrase}{said}.",
            **fields,
        )

    def conflict(self, response: httpx.Response, fields: dict[str, Any]) -> Conflict:
        """A 409: v2's plain body ``{"code", "detail", ...}`` (null keys omitted)."""
        body = _json_object(response.content)
        code = body.get("code") if isinstance(body.get("code"), str) else None
        detail = body.get("detail") if isinstance(body.get("detail"), str) else None
        fields = {**fields, "code": code, "detail": detail}

        def number(key: str) -> int | None:
            value = body.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        item = body.get("current_item_id")
        extra: dict[str, Any] = {
            "current_version": number("current_version"),
            "current_item_id": item if isinstance(item, str) else None,
            "resource": body.get("resource") if isinstance(body.get("resource"), str) else None,
            "current_count": number("current_count"),
            "limit": number("limit"),
        }
        method, path = fields.get("method"), fields.get("path")
        said = detail or "conflict"
        advice = _CONFLICT_ADVICE.get(code or "", "")
        if code == "limit_reached" and extra["limit"] is not None:
            advice = (
                f" The limit on {extra['resource'] or 'this resource'} is {extra['limit']}"
                f" ({extra['current_count']} now)." + advice
            )
        return Conflict(
            f"PostHog refused {method} {path}: {said} (409 {code or 'conflict'}).{advice}",
            **extra,
            **fields,
        )


_CONFLICT_ADVICE = {
    "stale_version": " Someone saved a newer version: load it, redo the change on it, and save"
    " with its version as base_version.",
    "dataset_archived": " Restore the dataset first (datasets.restore).",
    "dataset_item_archived": " Restore the item first (items.restore).",
    "dataset_item_active": " The item is not archived; nothing to restore.",
    "dataset_name_conflict": " Choose another name.",
    "client_item_id_conflict": " Another item (current_item_id) already uses this"
    " client_item_id: use a new key, or restore or edit that item.",
    "limit_reached": " Archive or remove what you no longer need, or use another dataset.",
}


def _json_object(content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content) if content.strip() else None
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _page_params(limit: int, offset: int) -> dict[str, str]:
    # The server would silently turn these into its defaults; refuse them instead.
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a non-negative integer, not {offset!r}")
    return {"limit": str(limit), "offset": str(offset)}


def _envelope(content: bytes) -> dict[str, str | None]:
    """PostHog's error envelope, with only string values kept; empty when there is none."""
    return {k: (v if isinstance(v, str) else None) for k, v in _json_object(content).items()}


# Deep enough for any item the server accepts (about 990 levels) with room for the caller's stack.
DEEP_JSON_LIMIT = 20_000
_deep_lock = threading.Lock()


def parse_deep_json(content: bytes) -> Any:
    """``json.loads`` with the recursion limit raised for the call, so nesting the server accepts
    parses; ValueError (never RecursionError) when even that is too deep or not JSON."""
    with _deep_lock:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, DEEP_JSON_LIMIT))
        try:
            return json.loads(content)
        except RecursionError:
            raise ValueError("nested too deeply") from None
        finally:
            sys.setrecursionlimit(previous)


def _too_deep(exc: ValidationError) -> bool:
    return any("recursion limit" in str(e.get("msg", "")) for e in exc.errors())


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid"
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}" if where else f"{first['msg']}{more}"
