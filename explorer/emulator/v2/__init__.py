"""The versioned datasets API ("v2"), as PostHog Cloud serves it since August 2026.

``V2Generation`` maps paths to actions (the scope each needs, its throttle, its handler); the
shared front in ``explorer.emulator.app`` runs the checks in PostHog's order. Unknown methods
answer 405 before permissions; PUT and DELETE exist nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response

from explorer.emulator.app import Action, Call, EmulatorState, Endpoint, Handler, json_response
from explorer.emulator.auth import READ, WRITE
from explorer.emulator.v2.datasets import Datasets
from explorer.emulator.v2.exports import Exports
from explorer.emulator.v2.items import Items

__all__ = ["V2Generation"]


def _options(name: str, allow: str) -> Handler:
    body = (
        f'{{"name":"{name}","description":"","renders":["application/json"],'
        '"parses":["application/json"]}'
    )

    async def options(call: Call) -> Response:
        return json_response(body, 200, allow)

    return options


def _endpoint(name: str, ids: tuple[str, ...], **methods: Action) -> Endpoint:
    allow = ", ".join([*methods, "HEAD", "OPTIONS"] if "GET" in methods else [*methods, "OPTIONS"])
    actions = dict(methods)
    if "GET" in actions:
        actions["HEAD"] = actions["GET"]
    actions["OPTIONS"] = Action(READ, _options(name, allow))
    return Endpoint(allow, actions, ids)


class V2Generation:
    flag_gated = True

    def __init__(self, state: EmulatorState) -> None:
        self.datasets = Datasets(state)
        self.items = Items(state)
        self.exports = Exports(state)

    def match(self, segments: Sequence[str]) -> Endpoint | None:
        resource, rest = segments[0], tuple(segments[1:])
        if resource == "datasets":
            return self._datasets(rest)
        if resource == "dataset_items":
            return self._items(rest)
        return None

    def _datasets(self, rest: tuple[str, ...]) -> Endpoint | None:
        d, x = self.datasets, self.exports
        if not rest:
            return _endpoint(
                "Dataset List", (), GET=Action(READ, d.list), POST=Action(WRITE, d.create)
            )
        id_, tail = rest[:1], rest[1:]
        if not tail:
            return _endpoint(
                "Dataset", id_, GET=Action(READ, d.retrieve), PATCH=Action(WRITE, d.update)
            )
        if tail == ("archive",):
            return _endpoint("Dataset", id_, POST=Action(WRITE, d.archive))
        if tail == ("restore",):
            return _endpoint("Dataset", id_, POST=Action(WRITE, d.restore))
        if tail == ("revisions",):
            return _endpoint("Dataset", id_, GET=Action(READ, d.revisions))
        if tail == ("exports",):
            # creating an export needs only dataset:read, and has its own throttle
            return _endpoint("Dataset", id_, POST=Action(READ, x.create, "dataset_export"))
        if len(tail) == 2 and tail[0] == "exports":
            return _endpoint("Dataset", (*id_, tail[1]), GET=Action(READ, x.status))
        if len(tail) == 3 and tail[0] == "exports" and tail[2] == "content":
            return _endpoint("Dataset", (*id_, tail[1]), GET=Action(READ, x.content))
        return None

    def _items(self, rest: tuple[str, ...]) -> Endpoint | None:
        i = self.items
        if not rest:
            return _endpoint(
                "Dataset Item List", (), GET=Action(READ, i.list), POST=Action(WRITE, i.create)
            )
        id_, tail = rest[:1], rest[1:]
        if not tail:
            return _endpoint(
                "Dataset Item", id_, GET=Action(READ, i.retrieve), PATCH=Action(WRITE, i.update)
            )
        if tail == ("archive",):
            return _endpoint("Dataset Item", id_, POST=Action(WRITE, i.archive))
        if tail == ("restore",):
            return _endpoint("Dataset Item", id_, POST=Action(WRITE, i.restore))
        if tail == ("versions",):
            return _endpoint("Dataset Item", id_, GET=Action(READ, i.versions))
        return None
