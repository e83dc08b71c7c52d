"""The classic datasets API (contract sections 1-9), sans-IO: each operation built and parsed once.

`ClassicApi` turns a call such as ``update_item(id, {"output": ...})`` into an `Operation`: the
method, path, query and JSON body to send, and the function that turns the answer into a model or
into the right `ApiError`. It never sends anything; `Client` and `AsyncClient` do. A later API
generation (the contract's "v2") gets its own module with the same method names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypedDict, TypeVar
from uuid import UUID

import httpx
from pydantic import ValidationError

from explorer.api._bulk import BULK_BYTES, collector_paused
from explorer.api.errors import (
    ApiError,
    AuthenticationFailed,
    InvalidId,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
    parse_retry_after,
)
from explorer.api.models import Dataset, DatasetItem, Page

T = TypeVar("T")

Id = str | UUID
"""A dataset or item id: a UUID, as `uuid.UUID` or as text."""


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


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """One API call, ready to send: what to send and how to read the answer.

    ``parse`` takes any response (2xx or not) and returns the result or raises `ApiError`.
    ``local`` is set when the answer is known without asking (``ids=[]`` matches nothing).
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str] | None = None
    content: bytes | None = None
    local: Callable[[], T] | None = None

    @property
    def is_write(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")


def canonical_id(value: object, what: str = "id") -> str:
    """The lower-case hyphenated form of a UUID, or `InvalidId` (a ValueError) naming it."""
    if isinstance(value, Dataset | DatasetItem):
        value = value.id
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


class ClassicApi:
    """The operations of the classic API for one host, project and URL prefix."""

    generation = "classic"

    def __init__(self, host: str, project_id: int | str, api_prefix: str = "projects") -> None:
        if api_prefix not in ("projects", "environments"):
            raise ValueError(f"api_prefix must be 'projects' or 'environments', not {api_prefix!r}")
        self.host = host
        self.project_id = project_id
        self.api_prefix = api_prefix
        self._root = f"/api/{api_prefix}/{project_id}"

    # ---- datasets

    def list_datasets(
        self,
        search: str | None = None,
        order_by: str | Iterable[str] | None = None,
        ids: Iterable[Id] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Operation[Page[Dataset]]:
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
                empty = Page[Dataset](count=0, results=[], limit=limit, offset=offset)
                return self._list(Dataset, "datasets/", params, local=lambda: empty)
            params["id__in"] = ",".join(wanted)
        return self._list(Dataset, "datasets/", params)

    def get_dataset(self, id: Id) -> Operation[Dataset]:
        return self._object(Dataset, "GET", "datasets", canonical_id(id, "dataset id"))

    def create_dataset(
        self, name: str, description: str | None = None, metadata: Any = None
    ) -> Operation[Dataset]:
        fields = {"name": name, "description": description, "metadata": metadata}
        return self._object(Dataset, "POST", "datasets", None, fields)

    def update_dataset(self, id: Id, fields: DatasetFields) -> Operation[Dataset]:
        return self._object(Dataset, "PATCH", "datasets", canonical_id(id, "dataset id"), fields)

    # ---- items

    def list_items(
        self, dataset: Id | Dataset | None = None, limit: int = 100, offset: int = 0
    ) -> Operation[Page[DatasetItem]]:
        params = _page_params(limit, offset)
        if dataset is not None:
            params["dataset"] = canonical_id(dataset, "dataset id")
        return self._list(DatasetItem, "dataset_items/", params)

    def get_item(self, id: Id) -> Operation[DatasetItem]:
        return self._object(DatasetItem, "GET", "dataset_items", canonical_id(id, "item id"))

    def create_item(self, dataset: Id | Dataset, fields: ItemFields) -> Operation[DatasetItem]:
        body: dict[str, Any] = {"dataset": canonical_id(dataset, "dataset id"), **fields}
        return self._object(DatasetItem, "POST", "dataset_items", None, body)

    def update_item(self, id: Id, fields: ItemChanges) -> Operation[DatasetItem]:
        body: dict[str, Any] = dict(fields)
        if "dataset" in body:
            body["dataset"] = canonical_id(body["dataset"], "dataset id")
        return self._object(
            DatasetItem, "PATCH", "dataset_items", canonical_id(id, "item id"), body
        )

    # ---- building

    def _list(
        self,
        model: type[T],
        collection: str,
        params: dict[str, str],
        local: Callable[[], Page[T]] | None = None,
    ) -> Operation[Page[T]]:
        page_type = Page[model]  # type: ignore[valid-type]
        limit, offset = int(params["limit"]), int(params["offset"])
        path = f"{self._root}/{collection}"
        what = f"a page of {collection.rstrip('/').replace('_', ' ')}"

        def parse(response: httpx.Response) -> Page[T]:
            page: Page[T] = self._parse(response, "GET", path, page_type, what, collection)
            return page.model_copy(update={"limit": limit, "offset": offset})

        return Operation("GET", path, parse, params, None, local)

    def _object(
        self,
        model: type[T],
        method: str,
        collection: str,
        id: str | None,
        fields: Mapping[str, Any] | None = None,
    ) -> Operation[T]:
        if method == "PATCH" and not fields:
            raise ValueError("update needs at least one field to change")
        path = f"{self._root}/{collection}/" + (f"{id}/" if id else "")
        noun = "dataset" if collection == "datasets" else "dataset item"
        subject = f"{noun} {id}" if id else f"new {noun}"
        content = encode_body(fields) if fields is not None else None

        def parse(response: httpx.Response) -> T:
            result: T = self._parse(response, method, path, model, f"a {noun}", subject)
            return result

        return Operation(method, path, parse, None, content)

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
                f" {self.project_id}, or it was deleted (deleted rows answer 404 until restored)."
                " Check the id.",
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


def _page_params(limit: int, offset: int) -> dict[str, str]:
    # The server would silently turn these into its defaults; refuse them instead.
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a non-negative integer, not {offset!r}")
    return {"limit": str(limit), "offset": str(offset)}


def _envelope(content: bytes) -> dict[str, str | None]:
    """PostHog's error envelope, with only string values kept; empty when there is none."""
    try:
        body = json.loads(content) if content.strip() else None
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: (v if isinstance(v, str) else None) for k, v in body.items()}


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid"
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}" if where else f"{first['msg']}{more}"
