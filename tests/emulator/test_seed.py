"""The demo data loader: deterministic ids and times, streaming inserts, the template cache."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.emulator import seed as seed_module
from explorer.emulator.seed import BASE_TIME, CHUNK_ROWS, prepare_database
from explorer.emulator.store import Store
from tests._emulator import RunningEmulator
from tests.emulator.conftest import Api


@dataclass(frozen=True)
class StandInItem:
    input: Any
    output: Any
    metadata: Any
    ref_trace_id: str | None = None
    ref_timestamp: str | None = None
    ref_source_id: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class StandInDataset:
    name: str
    description: str | None
    metadata: Any
    deleted: bool
    item_count: int
    items: Callable[[], Iterator[StandInItem]] = field(repr=False)


def _items(n: int, every_deleted: int = 0) -> Callable[[], Iterator[StandInItem]]:
    def generate() -> Iterator[StandInItem]:
        for i in range(n):
            yield StandInItem(
                {"i": i},
                f"out {i}",
                None,
                ref_trace_id=f"t{i}",
                ref_timestamp="2025-01-02T03:04:05.000006Z",
                ref_source_id=f"s{i}",
                deleted=bool(every_deleted) and i % every_deleted == 0,
            )

    return generate


STAND_IN = [
    StandInDataset("first", "oldest", {"k": 1}, False, 2500, _items(2500, every_deleted=500)),
    StandInDataset("gone", None, None, True, 3, _items(3)),
    StandInDataset("last", "newest", [1, 2], False, 2, _items(2)),
]


@pytest.fixture
def seeded(emulator_factory: Callable[..., RunningEmulator]) -> Api:
    return Api(emulator_factory(seed="none", seed_datasets=STAND_IN))


def test_datasets_get_fixed_times_newest_first(seeded: Api) -> None:
    rows = seeded.http.get(seeded.url("datasets")).json()["results"]
    assert [r["name"] for r in rows] == ["last", "first"]  # "gone" is soft-deleted
    assert (
        rows[1]["created_at"]
        == "2026-03-02T09:00:00.000000Z"
        == BASE_TIME.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    )
    assert rows[0]["created_at"] == "2026-03-02T15:00:00.000000Z"  # third, 3 h apart
    assert rows[0]["updated_at"] == rows[0]["created_at"]
    assert rows[0]["created_by"]["email"] == "demo@example.com"
    assert rows[1]["metadata"] == {"k": 1}


def test_items_are_seconds_apart_and_listed_newest_first(seeded: Api) -> None:
    first = seeded.http.get(seeded.url("datasets"), params={"search": "first"}).json()
    ds = first["results"][0]["id"]
    page = seeded.http.get(seeded.url("dataset_items"), params={"dataset": ds, "limit": 3}).json()
    assert page["count"] == 2500 - 5  # every 500th soft-deleted
    inputs = [r["input"]["i"] for r in page["results"]]
    assert inputs == [2499, 2498, 2497]
    times = [datetime.fromisoformat(r["created_at"]) for r in page["results"]]
    assert [(a - b).total_seconds() for a, b in itertools.pairwise(times)] == [1.0, 1.0]
    assert page["results"][0]["created_at"] == "2026-03-02T09:41:40.000000Z"  # +2500 s
    item = page["results"][0]
    assert (item["ref_trace_id"], item["ref_timestamp"], item["ref_source_id"]) == (
        "t2499", "2025-01-02T03:04:05.000006Z", "s2499",
    )  # fmt: skip


def test_deleted_dataset_items_stay_listed(seeded: Api) -> None:
    # no cascade: the deleted dataset's three items are in the unfiltered list
    assert seeded.http.get(seeded.url("dataset_items")).json()["count"] == 2495 + 3 + 2


def test_ids_are_deterministic(emulator_factory: Callable[..., RunningEmulator]) -> None:
    runs = [Api(emulator_factory(seed="none", seed_datasets=STAND_IN)) for _ in range(2)]
    pages = [r.http.get(r.url("dataset_items"), params={"limit": 50}).json() for r in runs]
    assert pages[0]["results"] == pages[1]["results"]
    # the kind is part of the seed: the same datasets under another kind get other ids
    other = Store(":memory:")
    seed_module.load_datasets(other, STAND_IN, kind="other", team=1)
    _, rows = other.list_datasets(1, search=None, ids=None, order=[], limit=10, offset=0)
    first = {r["id"] for r in runs[0].http.get(runs[0].url("datasets")).json()["results"]}
    assert len(rows) == 2 and not first & {row[0] for row in rows}


def test_items_are_inserted_in_chunks_while_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    produced = 0

    def counting() -> Iterator[StandInItem]:
        nonlocal produced
        for item in _items(5 * CHUNK_ROWS + 7)():
            produced += 1
            yield item

    inserted = 0
    ahead: list[int] = []
    real = Store.insert_items

    def spy(self: Store, rows: Any) -> None:
        nonlocal inserted
        ahead.append(produced - inserted)
        inserted += len(rows)
        real(self, rows)

    monkeypatch.setattr(Store, "insert_items", spy)
    store = Store(":memory:")
    dataset = StandInDataset("stream", None, None, False, 5 * CHUNK_ROWS + 7, counting)
    seed_module.load_datasets(store, [dataset], kind="demo", team=1)
    assert inserted == 5 * CHUNK_ROWS + 7 and len(ahead) == 6
    assert max(ahead) <= CHUNK_ROWS  # never more than one chunk held in memory


def test_template_cache_is_built_once_and_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(seed_module.CACHE_ENV, str(tmp_path / "cache"))
    calls: list[str] = []
    monkeypatch.setattr(seed_module, "demo_datasets", lambda kind: calls.append(kind) or STAND_IN)
    stores = [prepare_database(str(tmp_path / f"db{i}.sqlite3"), "demo", team=1) for i in range(2)]
    assert calls == ["demo"]  # the second run copied the template
    templates = list((tmp_path / "cache").glob("seed-demo-*.sqlite3"))
    assert len(templates) == 1 and not list((tmp_path / "cache").glob(".building*"))
    counts = [s.list_items(1, dataset=None, limit=1, offset=0)[0] for s in stores]
    assert counts == [2500 - 5 + 3 + 2] * 2
    for store in stores:
        store.close()


def test_content_version_depends_on_kind_and_project() -> None:
    versions = {seed_module.content_version(k, p) for k in ("demo", "large") for p in (1, 2)}
    assert len(versions) == 4


def test_unknown_seed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        prepare_database(str(tmp_path / "x.sqlite3"), "huge", team=1)


def test_existing_database_is_not_reseeded(tmp_path: Path) -> None:
    path = str(tmp_path / "keep.sqlite3")
    prepare_database(path, "none", team=1, datasets=STAND_IN).close()
    again = prepare_database(path, "none", team=1, datasets=STAND_IN)
    assert again.list_datasets(1, search=None, ids=None, order=[], limit=10, offset=0)[0] == 2
    again.close()


def test_demo_server_has_the_demo_data(demo_server: RunningEmulator) -> None:
    from explorer.emulator import demo_data

    headers = demo_server.headers
    listing = httpx.get(demo_server.api("datasets"), headers=headers).json()
    visible = {
        name for name in demo_data.DEMO_VISIBLE_COUNTS if name not in demo_data.DELETED_DATASETS
    }
    assert {r["name"] for r in listing["results"]} == visible
    created = [r["created_at"] for r in listing["results"]]
    assert created == sorted(created, reverse=True)
    for row in listing["results"]:
        count = httpx.get(
            demo_server.api("dataset_items"),
            params={"dataset": row["id"], "limit": 1},
            headers=headers,
        ).json()["count"]
        assert count == demo_data.DEMO_VISIBLE_COUNTS[row["name"]]
    assert os.path.exists(demo_server.server.db_path)
