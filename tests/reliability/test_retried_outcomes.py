"""A request the client sent again after a dropped connection, whose last attempt was refused
(429): the refusal does not prove that the first attempt was not applied. Found by the fault
soak: a soft delete whose PATCH was applied, its answer lost, and the retry throttled was
reported "not deleted" and its trash entry dropped, so the item could never be restored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from explorer.api import AsyncClient, RateLimited, RetryPolicy
from explorer.model.notices import is_refusal
from tests._emulator import RunningEmulator
from tests.model.conftest import MakeModel, ScriptedTransport, make_dataset, server_items

QUICK = RetryPolicy(retries=2, backoff=0.001, backoff_max=0.002, rate_limit_max_wait=0.1)
THROTTLED = (
    b'{"type":"throttled_error","code":"throttled",'
    b'"detail":"Request was throttled. Expected available in 5 seconds.","attr":null}'
)


class DropThenThrottle(ScriptedTransport):
    """The scripted transport, plus ``("PATCH", "429")``: answered 429 without reaching the
    server."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.script and self.script[0] == (request.method, "429"):
            del self.script[0]
            return httpx.Response(
                429,
                content=THROTTLED,
                request=request,
                headers={"content-type": "application/json"},
            )
        return await super().handle_async_request(request)


def mock_client(responses: list[Any]) -> AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, content=THROTTLED, request=request)

    return AsyncClient(
        host="http://127.0.0.1:9",
        api_key="phx_test",
        project_id=1,
        retries=QUICK,
        transport=httpx.MockTransport(handler),
        generation="classic",
    )


@pytest.mark.parametrize(
    ("first", "maybe_applied"),
    [
        (httpx.ReadError("dropped"), True),  # sent, no answer: it may have been applied
        (httpx.ConnectError("refused"), False),  # never sent
        (429, False),  # refused
    ],
)
async def test_a_refusal_after_an_unknown_attempt_is_not_a_refusal(
    first: Any, maybe_applied: bool
) -> None:
    client = mock_client([first, 429])
    try:
        with pytest.raises(RateLimited) as raised:
            await client.items.update("01a2170e-cbec-7f7b-9cbe-fb46925f26b0", deleted=True)
    finally:
        await client.aclose()
    assert raised.value.maybe_applied is maybe_applied
    assert is_refusal(raised.value) is not maybe_applied


async def test_a_delete_applied_then_throttled_keeps_its_trash_entry(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    dataset = make_dataset(empty_server, items=2)
    transport = DropThenThrottle()
    model = await make_model(
        empty_server, client_options={"transport": transport, "retries": QUICK}
    )
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    # The PATCH is applied and its answer lost; the retry is throttled; so is the check.
    transport.script += [("PATCH", "drop_after"), ("PATCH", "429"), ("GET", "drop_before")]
    transport.script += [("GET", "drop_before")] * 2
    await model.delete_item(item_id)
    assert item_id not in {str(i.id) for i in server_items(empty_server, str(dataset.id))}
    entry = model.journal.get_trash("item", item_id)
    assert entry is not None and not entry.confirmed  # still restorable
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert f"Could not tell whether the item {item_id[-8:]} was deleted" in notice.message
    await model.restore_item(item_id)
    assert item_id in {str(i.id) for i in server_items(empty_server, str(dataset.id))}


async def test_deleting_again_after_an_unknown_delete_confirms_it(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """Found by the soak: the row, hidden by the first delete, had left the page, so deleting
    it again said "not found" and left the trash entry unconfirmed."""
    dataset = make_dataset(empty_server, items=2)
    transport = DropThenThrottle()
    model = await make_model(
        empty_server, client_options={"transport": transport, "retries": QUICK}
    )
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    transport.script += [("PATCH", "drop_after")] * 3 + [("GET", "drop_before")] * 3
    await model.delete_item(item_id)
    entry = model.journal.get_trash("item", item_id)
    assert entry is not None and not entry.confirmed
    await model.refresh()  # the row is gone from the page
    assert model.state.page.index_of(item_id) is None
    await model.delete_item(item_id)
    entry = model.journal.get_trash("item", item_id)
    assert entry is not None and entry.confirmed
    notice = model.state.notice
    assert notice is not None and notice.message == f"Deleted item {item_id[-8:]}."
    await model.restore_item(item_id)
    assert item_id in {str(i.id) for i in server_items(empty_server, str(dataset.id))}


async def test_a_refused_retry_of_an_unknown_delete_keeps_the_trash_entry(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    """Found by the soak: the retry of a delete of unknown outcome was throttled, reported
    "not deleted", and its trash entry dropped, though the first delete had hidden the row."""
    dataset = make_dataset(empty_server, items=2)
    transport = DropThenThrottle()
    model = await make_model(
        empty_server, client_options={"transport": transport, "retries": QUICK}
    )
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    transport.script += [("PATCH", "drop_after")] * 3 + [("GET", "drop_before")] * 3
    await model.delete_item(item_id)
    transport.script += [("PATCH", "429")]
    await model.delete_item(item_id)
    notice = model.state.notice
    assert notice is not None and notice.level == "error" and "rate-limited" in notice.message
    entry = model.journal.get_trash("item", item_id)
    assert entry is not None and not entry.confirmed  # the row is hidden: keep the way back
    await model.restore_item(item_id)
    assert item_id in {str(i.id) for i in server_items(empty_server, str(dataset.id))}
    assert model.journal.get_trash("item", item_id) is None
