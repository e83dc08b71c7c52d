"""iter(): every item once, in order, pages asked ahead but never past the end, bounded.

A fake list server (MockTransport) answers limit/offset pages the way DRF does, optionally
capping the page size or changing length mid-iteration.
"""

from __future__ import annotations

import gc
import threading
import uuid
import weakref
from typing import Any

import httpx
import pytest

from explorer.api import AsyncClient, Client, NotFound, Page, RetryPolicy
from explorer.api._paging import PagePlan
from tests.api.conftest import HOST, KEY, item_json


class FakeList:
    """DRF limit/offset over a list of items; ``cap`` limits the page size like a max_limit."""

    def __init__(self, n: int, cap: int | None = None) -> None:
        self.items = [item_json(id=str(uuid.UUID(int=i + 1))) for i in range(n)]
        self.cap = cap
        self.offsets: list[int] = []
        self.on_request: Any = None
        self.fail_at: int | None = None
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            limit = int(request.url.params["limit"])
            offset = int(request.url.params["offset"])
            self.offsets.append(offset)
            if self.fail_at is not None and offset >= self.fail_at:
                return httpx.Response(404, json={"code": "not_found", "detail": "Not found."})
            if self.on_request:
                self.on_request(self)
            if self.cap:
                limit = min(limit, self.cap)
            count = len(self.items)
            results = self.items[offset : offset + limit]
            nxt = f"{HOST}/x?limit={limit}&offset={offset + limit}"
            body = {
                "count": count,
                "next": nxt if offset + limit < count else None,
                "previous": None,
                "results": results,
            }
            return httpx.Response(200, json=body)

    def ids(self) -> list[str]:
        return [i["id"] for i in self.items]


def client_for(fake: FakeList, prefetch: int) -> Client:
    return Client(
        HOST,
        KEY,
        7,
        transport=httpx.MockTransport(fake),
        prefetch=prefetch,
        retries=0,
        generation="classic",
    )


@pytest.mark.parametrize("prefetch", [0, 1, 2, 5])
@pytest.mark.parametrize(
    ("n", "size"),
    [(0, 10), (1, 10), (99, 10), (100, 10), (101, 10), (250, 1), (250, 1000), (37, 37), (38, 37)],
)
def test_every_item_once_in_order_no_request_past_the_end(n: int, size: int, prefetch: int) -> None:
    fake = FakeList(n)
    with client_for(fake, prefetch) as client:
        got = [str(i.id) for i in client.items.iter(page_size=size)]
    assert got == fake.ids()
    # one request per page, none past the end (prefetch threads may arrive out of order)
    assert sorted(fake.offsets) == list(range(0, max(n, 1), size))


@pytest.mark.parametrize("prefetch", [0, 2])
def test_server_capping_the_page_size(prefetch: int) -> None:
    fake = FakeList(230, cap=25)
    with client_for(fake, prefetch) as client:
        got = [str(i.id) for i in client.items.iter(page_size=100)]
    assert got == fake.ids()


@pytest.mark.parametrize("prefetch", [0, 2])
def test_list_growing_while_iterating(prefetch: int) -> None:
    fake = FakeList(50)

    def grow(f: FakeList) -> None:
        for _ in range(min(10, 80 - len(f.items))):  # ten more per request, up to 80
            f.items.append(item_json(id=str(uuid.UUID(int=len(f.items) + 1))))

    fake.on_request = grow
    with client_for(fake, prefetch) as client:
        got = [str(i.id) for i in client.items.iter(page_size=10)]
    assert got == fake.ids() and len(got) == 80


@pytest.mark.parametrize("prefetch", [0, 2])
def test_list_shrinking_while_iterating(prefetch: int) -> None:
    fake = FakeList(100)

    def shrink(f: FakeList) -> None:
        del f.items[-15:]

    fake.on_request = shrink
    with client_for(fake, prefetch) as client:
        got = [str(i.id) for i in client.items.iter(page_size=10)]
    assert got == fake.ids()[: len(got)] and len(set(got)) == len(got)


def test_stopping_early_leaves_nothing_running() -> None:
    fake = FakeList(10_000)
    threads_before = threading.active_count()
    with client_for(fake, prefetch=2) as client:
        iterator = client.items.iter(page_size=100)
        first = [next(iterator) for _ in range(150)]
        iterator.close()
        assert len(first) == 150
        assert len(fake.offsets) <= 4  # pages 0 and 1, plus at most two ahead
        assert threading.active_count() == threads_before


def test_an_error_mid_iteration_reaches_the_caller_after_earlier_pages() -> None:
    fake = FakeList(500)
    fake.fail_at = 300
    got: list[Any] = []
    with client_for(fake, prefetch=2) as client, pytest.raises(NotFound):
        for item in client.items.iter(page_size=100):
            got.append(item)
    assert len(got) == 300


def test_page_size_is_checked_before_any_request() -> None:
    fake = FakeList(5)
    with client_for(fake, 2) as client:
        for bad in (0, -1, True):
            with pytest.raises(ValueError, match="page_size"):
                client.items.iter(page_size=bad)
    assert fake.offsets == []


async def test_async_iteration_matches_and_stops_cleanly() -> None:
    fake = FakeList(333, cap=40)
    transport = httpx.MockTransport(fake)
    async with AsyncClient(
        HOST, KEY, 7, transport=transport, retries=RetryPolicy(0), generation="classic"
    ) as client:
        got = [str(i.id) async for i in client.items.iter(page_size=50)]
        assert got == fake.ids()
        fake.offsets.clear()
        iterator = client.items.iter(page_size=10)
        assert [str((await anext(iterator)).id) for _ in range(15)] == fake.ids()[:15]
        await iterator.aclose()
        assert len(fake.offsets) <= 4


def test_plan_asks_ahead_within_bounds() -> None:
    plan = PagePlan(10, prefetch=2)
    assert plan.wanted() == [0] and plan.wanted() == []  # only the first, until it answers

    def page(offset: int, n: int, count: int) -> Page[int]:
        nxt = "x" if offset + n < count else None
        return Page[int](count=count, results=list(range(n)), next=nxt, offset=offset, limit=10)

    assert plan.received(page(0, 10, 35))
    assert plan.wanted() == [10, 20]
    assert plan.received(page(10, 10, 35))
    assert plan.wanted() == [30]  # nothing past count
    assert plan.received(page(20, 10, 35))
    assert plan.wanted() == []
    assert not plan.received(page(30, 5, 35))
    assert plan.done and plan.wanted() == []


@pytest.mark.parametrize("prefetch", [0, 2])
def test_pages_are_freed_as_soon_as_consumed_without_the_collector(prefetch: int) -> None:
    fake = FakeList(3000)
    alive: list[weakref.ref[Any]] = []
    was = gc.isenabled()
    gc.disable()  # only reference counting may free them
    try:
        with client_for(fake, prefetch) as client:
            client._http.event_hooks["response"].append(lambda r: alive.append(weakref.ref(r)))
            most = 0
            for n, item in enumerate(client.items.iter(page_size=100)):
                if n % 100 == 50:
                    most = max(most, sum(ref() is not None for ref in alive))
                    assert weakref.ref(item)() is not None
        assert len(alive) == 30
        assert most <= prefetch + 1  # the pages asked ahead, never the ones already consumed
    finally:
        if was:
            gc.enable()
