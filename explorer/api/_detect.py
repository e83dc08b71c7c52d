"""Which API generation a server speaks, from one cheap request. Sans-IO.

``GET /dataset_items/?limit=1&offset=1000000000`` without a ``dataset``: a classic server answers
an (empty) page of items;
a versioned one refuses it with 400 naming ``dataset`` (v2 lists the items of one dataset only),
or answers the feature-flag 403 (only v2 is behind the flag). Anything else is either an error
every request would meet (401, a missing project, a 5xx: raised as such) or a server that speaks
neither generation (`MalformedResponse`).
"""

from __future__ import annotations

import httpx

from explorer.api._wire import FLAG, Operation, WireApi, _envelope, _json_object, _snippet
from explorer.api.errors import MalformedResponse

GENERATIONS = ("classic", "v2")
_PAST_THE_END = "1000000000"


def detect_generation(api: WireApi) -> Operation[str]:
    """The probe for ``api``'s host, project and prefix; parses to "classic" or "v2"."""
    path = f"/api/{api.api_prefix}/{api.project_id}/dataset_items/"

    def parse(response: httpx.Response) -> str:
        status = response.status_code
        envelope = _envelope(response.content)
        if status == 400 and envelope.get("attr") == "dataset":
            return "v2"
        if status == 403 and FLAG in (envelope.get("detail") or ""):
            return "v2"
        if response.is_success:
            body = _json_object(response.content)
            if isinstance(body.get("results"), list) and isinstance(body.get("count"), int):
                return "classic"
        elif status != 400:
            error = api.error(response, "GET", path, "dataset_items/")
            error.message += " (This first request finds which datasets API the server speaks.)"
            error.args = (error.message,)
            raise error
        raise MalformedResponse(
            f"{api.host} answered GET {path} with {status}, which is neither PostHog's classic"
            " nor its versioned datasets API (the body starts"
            f" {_snippet(response.content)!r}). Check that the host is PostHog's app host; if"
            " it is, name the generation with generation='classic' or 'v2'.",
            status=status,
            method="GET",
            path=path,
        )

    # Far past the end: a classic server answers an empty page (its count and no item), not its
    # newest item, which may be megabytes; DRF's limit/offset paging has no largest offset.
    return Operation("GET", path, parse, {"limit": "1", "offset": _PAST_THE_END})
