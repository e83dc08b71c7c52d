"""The client against the embedded server over real HTTP on 127.0.0.1: every method, both URL
prefixes, paging through thousands of items, filters, soft delete, errors, retries under faults.

Demo rows are only read; every write goes to a dataset the test creates.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from explorer.api import (
    AsyncClient,
    AuthenticationFailed,
    Client,
    Dataset,
    DatasetItem,
    NotFound,
    Page,
    PermissionDenied,
    RateLimited,
    ReadOnlyError,
    RetryPolicy,
    ServerError,
    Unreachable,
    UserBasic,
    ValidationFailed,
)
from explorer.emulator.ratelimit import Rate, RateLimitConfig

BIG = 123456789012345678901234567890
FAST = RetryPolicy(retries=6, backoff=0.005, backoff_max=0.02, rate_limit_max_wait=3)


def connect(server: Any, **kwargs: Any) -> Client:
    kwargs.setdefault("retries", FAST)
    return Client(server.url, server.api_key, server.project_id, **kwargs)


@pytest.fixture
def demo(demo_server: Any) -> Iterator[Client]:
    with connect(demo_server) as client:
        yield client


def by_name(client: Client) -> dict[str, Dataset]:
    return {d.name: d for d in client.datasets.iter()}


# ---- every method, both prefixes, sync


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_every_method_sync(empty_server: Any, prefix: Any) -> None:
    with connect(empty_server, api_prefix=prefix) as client:
        assert client.datasets.list().count == 0
        ds = client.datasets.create("evals", description="first", metadata={"n": BIG})
        assert isinstance(ds, Dataset) and ds.name == "evals" and ds.metadata == {"n": BIG}
        assert isinstance(ds.created_by, UserBasic) and ds.team == empty_server.project_id
        assert ds.created_at.tzinfo is not None

        assert client.datasets.get(ds.id) == ds
        assert client.datasets.get(str(ds.id).upper()).id == ds.id
        changed = client.datasets.update(ds.id, description=None)
        assert changed.description is None and changed.name == "evals"
        assert changed.metadata == {"n": BIG}  # untouched: only description was sent
        assert changed.updated_at >= ds.updated_at

        stamp = datetime(2025, 9, 5, 12, 34, 56, 123456, tzinfo=UTC)
        item = client.items.create(
            ds,
            input={"messages": [{"role": "user", "content": "hi"}], "n": BIG},
            output="hello",
            metadata=None,
            ref_trace_id="trace-1",
            ref_timestamp=stamp,
            ref_source_id="gen-1",
        )
        assert isinstance(item, DatasetItem) and item.dataset == ds.id
        assert item.input == {"messages": [{"role": "user", "content": "hi"}], "n": BIG}
        assert item.ref_timestamp == stamp
        assert item.trace_url(client.settings.host) is not None
        assert client.items.get(item.id) == item

        updated = client.items.update(str(item.id), output=None, metadata=[1, "two"])
        assert updated.output is None and updated.metadata == [1, "two"]
        assert updated.input == item.input and updated.ref_trace_id == "trace-1"

        page = client.items.list(dataset=ds.id)
        assert isinstance(page, Page) and page.count == 1 and page.results[0] == updated
        assert [i.id for i in client.items.iter(dataset=ds)] == [item.id]

        # soft delete and restore: hidden from list and get, reachable by PATCH
        gone = client.items.delete(item.id)
        assert gone.deleted is True
        with pytest.raises(NotFound):
            client.items.get(item.id)
        assert client.items.list(dataset=ds.id).count == 0
        assert client.items.restore(item.id).deleted is False
        assert client.items.get(item.id).id == item.id

        assert client.datasets.delete(ds.id).deleted is True
        with pytest.raises(NotFound, match="deleted"):
            client.datasets.get(ds.id)
        assert client.datasets.list().count == 0
        assert client.items.list().count == 1  # no cascade
        assert client.datasets.restore(ds.id).deleted is False
        assert [d.id for d in client.datasets.iter()] == [ds.id]


# ---- every method, async


@pytest.mark.parametrize("prefix", ["projects", "environments"])
async def test_every_method_async(empty_server: Any, prefix: Any) -> None:
    async with AsyncClient(
        empty_server.url, empty_server.api_key, empty_server.project_id, api_prefix=prefix
    ) as client:
        ds = await client.datasets.create("async", metadata={"k": [1, 2]})
        assert (await client.datasets.get(ds.id)).metadata == {"k": [1, 2]}
        assert (await client.datasets.update(ds.id, name="renamed")).name == "renamed"
        assert [d.id async for d in client.datasets.iter()] == [ds.id]
        assert (await client.datasets.list(search="renamed")).count == 1

        items = [await client.items.create(ds.id, input=n, output=n * 2) for n in range(5)]
        page = await client.items.list(dataset=ds.id, limit=2, offset=1)
        assert (page.count, len(page.results), page.has_next) == (5, 2, True)
        seen = [i.id async for i in client.items.iter(dataset=ds.id, page_size=2)]
        assert sorted(seen) == sorted(i.id for i in items)
        assert (await client.items.get(items[0].id)).input == 0
        assert (await client.items.update(items[0].id, input=BIG)).input == BIG
        assert (await client.items.delete(items[0].id)).deleted is True
        with pytest.raises(NotFound):
            await client.items.get(items[0].id)
        assert (await client.items.restore(items[0].id)).deleted is False
        assert (await client.datasets.delete(ds.id)).deleted is True
        assert (await client.datasets.restore(ds.id)).deleted is False


# ---- paging through 5,000 items


@pytest.fixture(scope="module")
def sql_all(demo_server: Any) -> list[DatasetItem]:
    with connect(demo_server) as client:
        sql = by_name(client)["sql-generation"]
        page = client.items.list(dataset=sql.id, limit=10_000)
        assert page.count == 5000 and not page.has_next
        return page.results


@pytest.mark.parametrize("page_size", [37, 100, 1000, 4999, 5000, 20_000])
def test_iterating_5000_items(demo: Client, sql_all: list[DatasetItem], page_size: int) -> None:
    sql = by_name(demo)["sql-generation"]
    got = list(demo.items.iter(dataset=sql.id, page_size=page_size))
    assert len(got) == 5000
    assert [i.id for i in got] == [i.id for i in sql_all]  # same order, no gap, no repeat
    assert len({i.id for i in got}) == 5000


async def test_iterating_5000_items_async(demo_server: Any, sql_all: list[DatasetItem]) -> None:
    async with AsyncClient(demo_server.url, demo_server.api_key, demo_server.project_id) as c:
        found = [d async for d in c.datasets.iter(search="sql-generation")]
        sql = found[0]
        got = [i.id async for i in c.items.iter(dataset=sql, page_size=333)]
    assert got == [i.id for i in sql_all]


def test_pages_by_offset(demo: Client, sql_all: list[DatasetItem]) -> None:
    sql = by_name(demo)["sql-generation"]
    page = demo.items.list(dataset=sql.id, limit=50, offset=4980)
    assert (page.count, page.limit, page.offset, page.has_next) == (5000, 50, 4980, False)
    assert page.results == sql_all[4980:]
    middle = demo.items.list(dataset=sql.id, limit=10, offset=100)
    assert middle.has_next and middle.has_previous and middle.results == sql_all[100:110]


def test_all_items_of_the_project(demo: Client) -> None:
    counts = {d.id: demo.items.list(dataset=d.id, limit=1).count for d in demo.datasets.iter()}
    everything = demo.items.list(limit=1)
    assert everything.count >= sum(counts.values())  # other tests may add their own


# ---- filters


def test_dataset_filters(demo: Client) -> None:
    names = by_name(demo)
    assert {"customer-support-evals", "rag-answers-golden", "sql-generation", "edge-cases"} <= set(
        names
    )
    found = demo.datasets.list(search="SQL-GENERATION")
    assert [d.name for d in found.results] == ["sql-generation"]
    assert demo.datasets.list(search="no-such-text-anywhere-4711").count == 0

    wanted = [names["sql-generation"].id, str(names["edge-cases"].id)]
    picked = demo.datasets.list(ids=wanted)
    assert {d.name for d in picked.results} == {"sql-generation", "edge-cases"}
    assert demo.datasets.list(ids=[uuid.uuid4()]).count == 0
    assert demo.datasets.list(ids=[]).count == 0

    newest = [d.created_at for d in demo.datasets.iter(order_by="-created_at")]
    oldest = [d.created_at for d in demo.datasets.iter(order_by=["created_at"], page_size=1)]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert demo.datasets.list(limit=2).results == demo.datasets.list().results[:2]


def test_bad_filters_are_validation_errors(demo: Client) -> None:
    with pytest.raises(ValidationFailed) as info:
        demo.datasets.list(order_by="name")
    assert (info.value.attr, info.value.code) == ("order_by", "invalid_choice")
    with pytest.raises(ValidationFailed) as info:
        demo.items.list(dataset=uuid.uuid4())
    assert (info.value.attr, info.value.code) == ("dataset", "invalid_choice")


def test_item_filter_is_exact(demo: Client) -> None:
    rag = by_name(demo)["rag-answers-golden"]
    page = demo.items.list(dataset=rag.id, limit=300)
    assert page.count == 300 and all(i.dataset == rag.id for i in page.results)


# ---- errors from the server


def test_write_validation(empty_server: Any) -> None:
    with connect(empty_server) as client:
        with pytest.raises(ValidationFailed) as info:
            client.datasets.create("   ")
        assert (info.value.attr, info.value.code) == ("name", "blank")
        with pytest.raises(ValidationFailed) as info:
            client.datasets.create("x" * 401)
        assert info.value.code == "max_length"
        with pytest.raises(ValidationFailed) as info:
            client.items.create(uuid.uuid4(), input=1)
        assert (info.value.attr, info.value.code) == ("dataset", "does_not_exist")
        ds = client.datasets.create("ok")
        with pytest.raises(ValidationFailed) as info:
            client.items.create(ds.id, ref_timestamp="yesterday")
        assert info.value.attr == "ref_timestamp"
        with pytest.raises(NotFound):
            client.items.update(uuid.uuid4(), output=1)
        assert client.items.list().count == 0


def test_authentication_and_scopes(emulator_factory: Any) -> None:
    server = emulator_factory(api_keys=["phx_full", "phx_reader=dataset:read", "phx_other@99"])
    with (
        Client(server.url, "phx_wrong", server.project_id) as client,
        pytest.raises(AuthenticationFailed, match="personal API key"),
    ):
        client.datasets.list()
    with Client(server.url, "phx_reader", server.project_id) as reader:
        assert reader.datasets.list().count == 0
        with pytest.raises(PermissionDenied) as info:
            reader.datasets.create("nope")
        assert info.value.scope == "dataset:write" and info.value.status == 403
        assert "dataset:write scope" in str(info.value)
    with Client(server.url, "phx_other", server.project_id) as other:
        with pytest.raises(PermissionDenied) as info:
            other.datasets.list()
        assert info.value.scope is None
    with (
        Client(server.url, "phx_full", 424242) as lost,
        pytest.raises(NotFound, match="Project 424242 was not found"),
    ):
        lost.items.list()


def test_current_project_alias(demo_server: Any) -> None:
    with Client(demo_server.url, demo_server.api_key, "@current") as client:
        names = {d.name for d in client.datasets.iter()}
    assert "sql-generation" in names


def test_read_only_against_the_server(empty_server: Any) -> None:
    with connect(empty_server) as writer:
        ds = writer.datasets.create("keep")
    with connect(empty_server, read_only=True) as client:
        with pytest.raises(ReadOnlyError):
            client.datasets.delete(ds.id)
        with pytest.raises(ReadOnlyError):
            client.items.create(ds.id, input=1)
        assert client.datasets.get(ds.id).deleted is False
        assert client.items.list().count == 0


# ---- rate limits and faults, over real HTTP


def test_rate_limit_is_waited_out(emulator_factory: Any) -> None:
    server = emulator_factory(rate_limit=RateLimitConfig(True, (Rate(3, 1),)))
    with connect(server) as client:
        started = datetime.now(UTC)
        for _ in range(5):
            client.datasets.list()
        assert (datetime.now(UTC) - started).total_seconds() >= 0.9  # it did wait
    with connect(server, retries=RetryPolicy(rate_limit_max_wait=0)) as impatient:
        with pytest.raises(RateLimited) as info:
            for _ in range(5):
                impatient.datasets.list()
        assert info.value.retry_after == 1


def test_reads_and_patches_survive_gateway_errors_and_drops(empty_server: Any) -> None:
    with connect(
        empty_server, retries=RetryPolicy(retries=12, backoff=0.001, backoff_max=0.005)
    ) as c:
        ds = c.datasets.create("faulty")
        item = c.items.create(ds.id, input=0)
        empty_server.server.set_faults(
            seed=3,
            error_rate=0.3,
            error_statuses=(502, 503),
            drop_before_rate=0.1,
            drop_after_rate=0.1,
        )
        for n in range(1, 16):
            assert c.items.get(item.id).id == item.id
            assert c.items.update(item.id, input=n).input == n
            assert c.datasets.list().count == 1
        empty_server.server.set_faults()


def test_post_is_never_sent_twice(empty_server: Any) -> None:
    server = empty_server.server
    with connect(empty_server) as client:
        ds = client.datasets.create("once")
        server.set_faults(drop_after_rate=1.0)  # applied, then the connection drops
        with pytest.raises(Unreachable):
            client.items.create(ds.id, input="after")
        server.set_faults(drop_before_rate=1.0)  # dropped before the API sees it
        with pytest.raises(Unreachable):
            client.items.create(ds.id, input="before")
        server.set_faults(error_rate=1.0, error_statuses=(503,))
        with pytest.raises(ServerError):
            client.items.create(ds.id, input="503")
        server.set_faults()
        assert [i.input for i in client.items.iter(dataset=ds.id)] == ["after"]


def test_server_errors_surface_after_retries(empty_server: Any) -> None:
    empty_server.server.set_faults(error_rate=1.0, error_statuses=(500,))
    try:
        with connect(empty_server) as client, pytest.raises(ServerError) as info:
            client.datasets.list()
        assert info.value.status == 500 and info.value.detail == "A server error occurred."
    finally:
        empty_server.server.set_faults()


def test_nothing_listening_is_unreachable() -> None:
    with (
        Client("http://127.0.0.1:9", "phx_x", 1, retries=0) as client,
        pytest.raises(Unreachable, match=r"Could not reach http://127\.0\.0\.1:9"),
    ):
        client.datasets.list()
