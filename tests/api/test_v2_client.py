"""The client on both API generations: detection, every v2 operation against the embedded v2
server (sync and async), classic's archive/restore, `Conflict` and its fields, `Unsupported`,
a create whose answer was dropped (no duplicate), and pages larger than v2's cap."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from explorer.api import (
    AsyncClient,
    Client,
    Conflict,
    Dataset,
    DatasetItem,
    DatasetsDisabled,
    MalformedResponse,
    RetryPolicy,
    Unsupported,
    VersionedDataset,
    VersionedItem,
)
from explorer.emulator import FaultConfig
from tests._emulator import RunningEmulator

Factory = Callable[..., RunningEmulator]


def _client(running: RunningEmulator, **options: Any) -> Client:
    return Client(running.url, running.api_key, running.project_id, **options)


@pytest.fixture
def v2_server(emulator_factory: Factory) -> RunningEmulator:
    return emulator_factory("none", api="v2")


@pytest.fixture
def v2(v2_server: RunningEmulator) -> Iterator[Client]:
    with _client(v2_server) as client:
        yield client


def _requests(client: Client) -> list[str]:
    seen: list[str] = []
    client._http.event_hooks["request"].append(lambda r: seen.append(f"{r.method} {r.url.path}"))
    return seen


# -- detection ------------------------------------------------------------------------------


def test_detects_each_generation_once(emulator_factory: Factory) -> None:
    for api, model in (("classic", Dataset), ("v2", VersionedDataset)):
        with _client(emulator_factory("none", api=api)) as client:
            seen = _requests(client)
            created = client.datasets.create(f"on {api}")
            assert isinstance(created, model)
            assert client.generation == api
            client.datasets.list()
            probes = [r for r in seen if r.endswith("/dataset_items/") and r.startswith("GET")]
            assert len(probes) == 1, seen  # found once, then kept


def test_the_classic_probe_downloads_no_item(emulator_factory: Factory) -> None:
    """The probe of a classic server reads its count, not its newest item (which may be MBs)."""
    running = emulator_factory("none", api="classic")
    with _client(running) as setup:
        dataset = setup.datasets.create("big")
        setup.items.create(dataset.id, input="x" * 200_000)
    with _client(running) as client:
        sizes: list[int] = []

        def answered(response: httpx.Response) -> None:
            if response.request.url.path.endswith("/dataset_items/"):
                response.read()
                sizes.append(len(response.content))

        client._http.event_hooks["response"].append(answered)
        client.items.get(client.items.list(dataset.id).results[0].id)  # first call: probes
        assert client.generation == "classic"
        assert sizes and sizes[0] < 1000, sizes  # the probe: an empty page and the count


def test_a_named_generation_skips_the_probe(v2_server: RunningEmulator) -> None:
    with _client(v2_server, generation="v2") as client:
        seen = _requests(client)
        client.datasets.list()
        assert seen == ["GET /api/projects/1/datasets/"]


def test_a_profile_names_the_generation(v2_server: RunningEmulator, tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.cloud]\nhost = "{v2_server.url}"\nproject_id = 1\n'
        f'api_key = "{v2_server.api_key}"\ngeneration = "v2"\n'
    )
    config.chmod(0o600)
    with Client(profile="cloud", config_path=config) as client:
        assert client.known_generation == "v2"
        seen = _requests(client)
        client.datasets.list()
        assert len(seen) == 1


def test_the_flag_off_server_is_v2_and_says_datasets_are_disabled(
    emulator_factory: Factory,
) -> None:
    with _client(emulator_factory("none", api="v2", datasets_flag=False)) as client:
        with pytest.raises(DatasetsDisabled) as info:
            client.datasets.list()
        assert client.generation == "v2"
        assert "does not have datasets enabled" in str(info.value)


def test_a_server_that_speaks_neither_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>login</html>")

    transport = httpx.MockTransport(handler)
    with Client("https://posthog.example.com", "phx_k", 1, transport=transport) as client:
        with pytest.raises(MalformedResponse) as info:
            client.datasets.get("0199a3c4-0000-7000-8000-000000000000")
        assert "neither PostHog's classic nor its versioned datasets API" in str(info.value)
        with pytest.raises(MalformedResponse) as listed:  # a first list reads the page itself
            client.datasets.list()
        assert "but not with a page of datasets" in str(listed.value)


async def test_async_detection(emulator_factory: Factory) -> None:
    running = emulator_factory("none", api="v2")
    async with AsyncClient(running.url, running.api_key, 1) as client:
        assert client.generation is None
        assert await client.detect_generation() == "v2"
        assert client.generation == "v2"


# -- every v2 operation ---------------------------------------------------------------------


def test_every_v2_operation_sync(v2: Client) -> None:
    ds = v2.datasets.create("support", "answers", {"owner": "ml"})
    assert isinstance(ds, VersionedDataset) and ds.current_revision is None
    assert v2.datasets.get(ds.id).metadata == {"owner": "ml"}
    assert v2.datasets.update(ds.id, description="reviewed answers").description == (
        "reviewed answers"
    )
    item = v2.items.create(
        ds,
        input=[{"role": "user", "content": "where is my order?"}],
        expected_output="It ships today.",
        source_output="I don't know.",
        metadata={"tags": []},
        source_trace_id="trace-1",
        source_event_id="event-1",
        source_timestamp="2026-07-30T12:00:00Z",
    )
    assert isinstance(item, VersionedItem) and item.version == 1 and item.client_item_id
    trace = item.trace_url("https://us.posthog.com")
    assert trace is not None and "/llm-analytics/traces/trace-1?event=event-1&timestamp=" in trace
    edited = v2.items.update(item.id, base_version=1, expected_output="It ships tomorrow.")
    assert (edited.version, edited.expected_output) == (2, "It ships tomorrow.")
    assert edited.source_output == "I don't know."  # never changes
    archived = v2.items.archive(item.id, base_version=2)
    assert archived.archived and archived.version == 3
    assert v2.items.list(ds).count == 0
    assert [i.id for i in v2.items.list(ds, archived=True).results] == [item.id]
    restored = v2.items.restore(item.id, base_version=3, source_version=1)
    assert (restored.archived, restored.expected_output) == (False, "It ships today.")
    versions = v2.items.versions(item.id)
    assert [v.version for v in versions.results] == [4, 3, 2, 1]
    assert v2.items.get(item.id, revision=2).version == 2
    at_one = v2.items.list(ds, revision=1).results
    assert [(i.id, i.version) for i in at_one] == [(item.id, 1)]
    revisions = v2.datasets.revisions(ds.id)
    assert [r.revision for r in revisions.results] == [4, 3, 2, 1]
    assert [i.id for i in v2.items.iter(ds, page_size=1)] == [item.id]
    rows = v2.datasets.export(ds.id)
    assert [(r["item_id"], r["version"]) for r in rows] == [(str(item.id), 4)]
    assert v2.datasets.export(ds.id, revision=2)[0]["expected_output"] == "It ships tomorrow."
    assert v2.datasets.archive(ds.id).archived
    assert [d.id for d in v2.datasets.list(archived=True).results] == [ds.id]
    assert [d.id for d in v2.datasets.iter(search="support", archived=True)] == [ds.id]
    assert not v2.datasets.restore(ds.id).archived
    assert [d.name for d in v2.datasets.list(order_by="-updated_at").results] == ["support"]


async def test_every_v2_operation_async(v2_server: RunningEmulator) -> None:
    async with AsyncClient(v2_server.url, v2_server.api_key, 1) as client:
        ds = await client.datasets.create("async")
        item = await client.items.create(ds.id, input="q", client_item_id="case-1")
        assert isinstance(item, VersionedItem) and item.client_item_id == "case-1"
        again = await client.items.create(ds.id, input="q", client_item_id="case-1")
        assert again.id == item.id and again.version == 1  # the same item, not a second
        edited = await client.items.update(item.id, base_version=1, input="q2")
        await client.items.archive(item.id, base_version=edited.version)
        restored = await client.items.restore(item.id, base_version=3)
        assert restored.input == "q2"
        assert [v.version for v in (await client.items.versions(item.id)).results] == [4, 3, 2, 1]
        assert (await client.items.get(item.id, revision=1)).input == "q"
        assert [i.id async for i in client.items.iter(ds)] == [item.id]
        assert (await client.datasets.revisions(ds.id)).count == 4
        assert len(await client.datasets.export(ds.id)) == 1
        assert (await client.datasets.archive(ds.id)).archived
        assert [d.id async for d in client.datasets.iter(archived=True)] == [ds.id]
        assert not (await client.datasets.restore(ds.id)).archived


# -- conflicts, limits, unsupported ---------------------------------------------------------


def test_conflicts_carry_what_a_program_needs(emulator_factory: Factory) -> None:
    with _client(emulator_factory("none", api="v2", max_items=1)) as client:
        ds = client.datasets.create("one item")
        item = client.items.create(ds, input="a", client_item_id="k")
        client.items.update(item.id, base_version=1, input="b")
        with pytest.raises(Conflict) as stale:
            client.items.update(item.id, base_version=1, input="c")
        assert stale.value.status == 409 and stale.value.code == "stale_version"
        assert (stale.value.current_version, stale.value.current_item_id) == (2, str(item.id))
        assert "base_version" in str(stale.value)
        with pytest.raises(Conflict) as taken:
            client.items.create(ds, input="other", client_item_id="k")
        assert taken.value.code == "client_item_id_conflict"
        assert taken.value.current_item_id == str(item.id)
        with pytest.raises(Conflict) as full:
            client.items.create(ds, input="more")
        assert full.value.code == "limit_reached"
        assert (full.value.resource, full.value.current_count, full.value.limit) == (
            "dataset_items",
            1,
            1,
        )
        assert "The limit on dataset_items is 1" in str(full.value)
        with pytest.raises(Conflict) as same_name:
            client.datasets.create("one item")
        assert same_name.value.code == "dataset_name_conflict"


def test_classic_archive_and_restore_are_the_soft_delete(emulator_factory: Factory) -> None:
    with _client(emulator_factory("none")) as client:
        ds = client.datasets.create("classic")
        item = client.items.create(ds, input="q", output="a")
        assert isinstance(item, DatasetItem)
        assert client.items.archive(item.id).deleted is True
        assert client.items.list(ds).count == 0
        assert client.items.restore(item.id).deleted is False
        assert client.items.delete(item.id).deleted is True  # the old name stays
        assert client.datasets.archive(ds.id).deleted is True
        assert client.datasets.restore(ds.id).deleted is False


@pytest.mark.parametrize(
    "call",
    [
        lambda c, ds, it: c.items.versions(it.id),
        lambda c, ds, it: c.datasets.revisions(ds.id),
        lambda c, ds, it: c.datasets.export(ds.id),
        lambda c, ds, it: c.items.get(it.id, revision=1),
        lambda c, ds, it: c.items.list(ds, revision=1),
        lambda c, ds, it: c.items.list(ds, archived=True),
        lambda c, ds, it: c.datasets.list(archived=True),
        lambda c, ds, it: c.items.restore(it.id, source_version=1),
        lambda c, ds, it: c.items.create(ds, input="q", expected_output="a"),
        lambda c, ds, it: c.items.update(it.id, source_trace_id="t"),
    ],
)
def test_v2_only_calls_on_classic_are_unsupported(
    emulator_factory: Factory, call: Callable[[Client, Any, Any], object]
) -> None:
    with _client(emulator_factory("none")) as client:
        ds = client.datasets.create("classic")
        item = client.items.create(ds, input="q")
        seen = _requests(client)
        with pytest.raises(Unsupported):
            call(client, ds, item)
        assert seen == []  # refused before anything was sent


@pytest.mark.parametrize(
    ("fields", "hint"),
    [
        ({"output": "a"}, "expected_output"),
        ({"ref_trace_id": "t"}, "source_trace_id"),
        ({"deleted": True}, "archive() and restore()"),
    ],
)
def test_classic_fields_on_v2_say_what_to_use(
    v2: Client, fields: dict[str, Any], hint: str
) -> None:
    ds = v2.datasets.create("v2")
    with pytest.raises(Unsupported) as info:
        v2.items.create(ds, input="q", **fields)
    assert hint in str(info.value)


def test_v2_writes_need_a_base_version(v2: Client) -> None:
    ds = v2.datasets.create("v2")
    item = v2.items.create(ds, input="q")
    for call in (
        lambda: v2.items.update(item.id, input="x"),
        lambda: v2.items.archive(item.id),
        lambda: v2.items.restore(item.id),
    ):
        with pytest.raises(ValueError, match="base_version is required"):
            call()


# -- a dropped answer, big pages --------------------------------------------------------------


def _seed_dropping_first_only(rate: float) -> int:
    """A fault seed whose first API request is dropped after it applied, the second not."""
    for seed in range(1000):
        rng = random.Random(seed)
        first, _ = rng.random(), rng.random()
        second, _ = rng.random(), rng.random()
        if first < rate <= second:
            return seed
    raise AssertionError("no seed")


def test_a_create_whose_answer_was_dropped_is_retried_without_a_duplicate(
    v2_server: RunningEmulator,
) -> None:
    retries = RetryPolicy(retries=2, backoff=0.01)
    with _client(v2_server, generation="v2", retries=retries) as client:
        ds = client.datasets.create("drops")
        faults = FaultConfig(seed=_seed_dropping_first_only(0.5), drop_after_rate=0.5)
        v2_server.server.set_faults(faults)
        item = client.items.create(ds, input={"q": "once"})
        v2_server.server.clear_faults()
        assert v2_server.server.fault_stats()["counts"]["drop_after"] == 1
        listed = client.items.list(ds)
        assert listed.count == 1 and listed.results[0].id == item.id


def test_pages_larger_than_the_cap_are_asked_together(v2_server: RunningEmulator) -> None:
    with _client(v2_server, generation="v2") as client:
        ds = client.datasets.create("big")
        made = [client.items.create(ds, input=i).id for i in range(110)]
        seen = _requests(client)
        page = client.items.list(ds, limit=100, offset=5)
        assert (page.count, page.limit, page.offset, len(page.results)) == (110, 100, 5, 100)
        newest_first = list(reversed(made))
        assert [i.id for i in page.results] == newest_first[5:105]
        assert len(seen) == 4  # four requests of 25
        assert [i.id for i in client.items.iter(ds, page_size=100)] == newest_first


@pytest.mark.parametrize("api", ["classic", "v2"])
def test_a_first_dataset_list_finds_the_generation_without_a_probe(
    emulator_factory: Factory, api: str
) -> None:
    running = emulator_factory("demo", api=api)
    with _client(running) as client:
        seen = _requests(client)
        page = client.datasets.list(order_by="-created_at", limit=30)
        assert page.count > 0 and client.known_generation == api
        model = VersionedDataset if api == "v2" else Dataset
        assert all(isinstance(d, model) for d in page.results)
        assert seen == ["GET /api/projects/1/datasets/"]  # the list itself told


def test_an_empty_first_list_tells_nothing_and_the_next_call_probes(
    v2_server: RunningEmulator,
) -> None:
    with _client(v2_server) as client:
        assert client.datasets.list().count == 0
        assert client.known_generation is None
        seen = _requests(client)
        client.datasets.create("now one")
        assert client.known_generation == "v2"
        assert seen[0] == "GET /api/projects/1/dataset_items/"  # the probe, once
