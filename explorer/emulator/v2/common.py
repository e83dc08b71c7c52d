"""What the v2 handlers share: pages, look-ups, new ids and versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.responses import Response

from explorer.emulator import errors
from explorer.emulator.app import Call, EmulatorState, absolute_url, json_response
from explorer.emulator.ids import format_ts
from explorer.emulator.pagination import Page
from explorer.emulator.serialize import page_json
from explorer.emulator.store import Row
from explorer.emulator.v2 import serialize
from explorer.emulator.v2.store import NewVersion, V2Store, VersionContent
from explorer.emulator.validation import parse_uuid

# (default limit, maximum limit) of each list
DATASETS_PAGE = (50, 100)
REVISIONS_PAGE = (50, 100)
ITEMS_PAGE = (10, 25)
VERSIONS_PAGE = (25, 100)


class V2Handlers:
    """Base of the v2 handler groups: the state, its store, and the common steps."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        store = state.store
        assert isinstance(store, V2Store)
        self.store: V2Store = store

    # -- responses --------------------------------------------------------------------------

    def page(self, call: Call, sizes: tuple[int, int]) -> Page:
        query = call.request.query_params
        default, cap = sizes
        return Page.from_query(query.get("limit"), query.get("offset"), default=default, cap=cap)

    @staticmethod
    def page_response(
        call: Call, page: Page, count: int, rows: Iterable[Row], to_json: Callable[[Row], str]
    ) -> Response:
        url = absolute_url(call.request)
        body = page_json(
            count,
            page.next_url(url, count),
            page.previous_url(url),
            (to_json(row) for row in rows),
        )
        return json_response(body)

    def dataset_response(self, call: Call, row: Row, status: int = 200) -> Response:
        body = serialize.dataset_json(row, self.state.users_json, call.api_key.user.id)
        return json_response(body, status)

    def item_response(self, row: Row, status: int = 200) -> Response:
        return json_response(serialize.item_json(row, self.state.users_json), status)

    # -- look-ups ---------------------------------------------------------------------------

    def dataset(self, call: Call, raw_id: str) -> Row:
        """The dataset of the project, archived or not; 404 otherwise (a bad id too)."""
        id_ = parse_uuid(raw_id)
        row = None if id_ is None else self.store.get_v2_dataset(call.team, id_)
        if row is None:
            raise errors.not_found()
        return row

    def item(self, call: Call, raw_id: str, revision: int | None = None) -> Row:
        """The item's current version (or at ``revision``); 404 when there is none."""
        id_ = parse_uuid(raw_id)
        row = None if id_ is None else self.store.get_v2_item(call.team, id_, revision=revision)
        if row is None:
            raise errors.not_found()
        return row

    # -- writes -----------------------------------------------------------------------------

    def now(self) -> str:
        return format_ts(self.state.clock.now())

    def new_version(
        self,
        call: Call,
        *,
        dataset_id: str,
        item_id: str,
        version: int,
        archived: bool,
        content: VersionContent,
        when: str,
    ) -> NewVersion:
        clock = self.state.clock
        moment = clock.now()
        return NewVersion(
            team=call.team,
            dataset_id=dataset_id,
            item_id=item_id,
            version=version,
            archived=archived,
            content=content,
            revision_id=clock.new_id(moment),
            version_id=clock.new_id(moment),
            when=when,
            user=call.api_key.user.id,
        )
