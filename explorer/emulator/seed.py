"""Loading the demo data (``demo_data.seed_datasets``) into a store, with a template cache.

Ids and timestamps are deterministic: dataset i (in seed order, oldest first) is created at
``BASE_TIME + i * DATASET_SPACING``; its item j at ``created + (j + 1) * ITEM_SPACING``; every id
is a UUIDv7 of that time with bits from ``random.Random(f"{kind}:{name}")``. So the newest-first
order is stable. Everything created later uses the server clock.

Rows are inserted in chunks (a dataset is never whole in memory). A seeded database is built
once per content version into a cache directory and copied, since building ``large`` takes
seconds and ``serve`` must answer within two.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from explorer.emulator.auth import DEMO_USER
from explorer.emulator.ids import format_ts, seeded_uuid7
from explorer.emulator.serialize import user_row
from explorer.emulator.store import SCHEMA_VERSION, Row, Store
from explorer.emulator.validation import json_text

LOADER_VERSION = "1"
SEED_KINDS = ("none", "demo", "large")
API_GENERATIONS = ("classic", "v2")
BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DATASET_SPACING = timedelta(hours=3)
ITEM_SPACING = timedelta(seconds=1)
CHUNK_ROWS = 1000
CACHE_ENV = "EXPLORER_EMULATOR_CACHE_DIR"


class SeedItemLike(Protocol):
    """What the loader reads of ``demo_data.SeedItem``."""

    @property
    def input(self) -> Any: ...
    @property
    def output(self) -> Any: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def ref_trace_id(self) -> str | None: ...
    @property
    def ref_timestamp(self) -> str | None: ...
    @property
    def ref_source_id(self) -> str | None: ...
    @property
    def deleted(self) -> bool: ...


class SeedDatasetLike(Protocol):
    """What the loader reads of ``demo_data.SeedDataset``."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def item_count(self) -> int: ...
    @property
    def items(self) -> Callable[[], Iterator[SeedItemLike]]: ...


def demo_datasets(kind: str) -> Sequence[SeedDatasetLike]:
    from explorer.emulator.demo_data import seed_datasets

    return seed_datasets(kind)


def _normalize_ts(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return format_ts(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def load_datasets(
    store: Store,
    datasets: Sequence[SeedDatasetLike],
    *,
    kind: str,
    team: int,
    user_id: int = DEMO_USER.id,
) -> None:
    """Insert the datasets and their items, streaming items in chunks."""
    store.upsert_users([user_row(DEMO_USER)])
    for index, ds in enumerate(datasets):
        created = BASE_TIME + index * DATASET_SPACING
        rng = random.Random(f"{kind}:{ds.name}")
        dataset_id = seeded_uuid7(created, rng)
        ts = format_ts(created)
        store.insert_dataset(
            (
                dataset_id,
                ds.name,
                ds.description,
                json_text(ds.metadata),
                ts,
                ts,
                ds.deleted,
                user_id,
                team,
            )
        )
        rows = _item_rows(ds.items(), dataset_id, created, rng, user_id, team)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            store.insert_items(chunk)
    store.set_meta("seed_kind", kind)


def _item_rows(
    items: Iterator[SeedItemLike],
    dataset_id: str,
    created: datetime,
    rng: random.Random,
    user_id: int,
    team: int,
) -> Iterator[Row]:
    for j, item in enumerate(items):
        when = created + (j + 1) * ITEM_SPACING
        ts = format_ts(when)
        yield (
            seeded_uuid7(when, rng), dataset_id, json_text(item.input), json_text(item.output),
            json_text(item.metadata), item.ref_trace_id, _normalize_ts(item.ref_timestamp),
            item.ref_source_id, item.deleted, ts, ts, user_id, team,
        )  # fmt: skip


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    import explorer.paths as paths

    return paths.cache_dir() / "emulator"


def content_version(kind: str, team: int, api: str = "classic") -> str:
    """Changes whenever the demo data's code, the loader or the schema changes."""
    digest = hashlib.sha256(f"{LOADER_VERSION}/{SCHEMA_VERSION}/{kind}/{team}/{api}".encode())
    here = Path(__file__).parent
    for path in sorted(here.glob("demo_*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    modules = ["seed.py", "store.py", "validation.py", "ids.py"]
    if api == "v2":
        modules += ["v2/store.py", "v2/seed.py", "v2/validation.py"]
    for module in modules:
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:20]


def _store_class(api: str) -> type[Store]:
    if api not in API_GENERATIONS:
        raise ValueError(f"unknown API {api!r}; expected one of {', '.join(API_GENERATIONS)}")
    if api == "v2":
        from explorer.emulator.v2.store import V2Store

        return V2Store
    return Store


def _load(store: Store, kind: str, team: int, api: str) -> None:
    if api == "v2":
        from explorer.emulator.v2.seed import load_v2_datasets, v2_demo_datasets
        from explorer.emulator.v2.store import V2Store

        assert isinstance(store, V2Store)
        load_v2_datasets(store, v2_demo_datasets(kind), kind=kind, team=team)
    else:
        load_datasets(store, demo_datasets(kind), kind=kind, team=team)


def template_path(kind: str, team: int, api: str = "classic") -> Path:
    """The cached seeded database for ``kind`` of API ``api``, built first if missing."""
    directory = cache_dir()
    stem = f"seed-{kind}-p{team}" if api == "classic" else f"seed-{api}-{kind}-p{team}"
    path = directory / f"{stem}-{content_version(kind, team, api)}.sqlite3"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".building-{kind}-", suffix=".sqlite3", dir=directory)
    os.close(fd)
    try:
        store = _store_class(api)(tmp)
        try:
            _load(store, kind, team, api)
            store.set_meta("api", api)
            store.checkpoint_to_single_file()
        finally:
            store.close()
        os.replace(tmp, path)  # atomic: parallel builders just race to the same content
        for stale in directory.glob(f"{stem}-*.sqlite3"):
            if stale != path:  # an older content version
                stale.unlink(missing_ok=True)
    finally:
        for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def prepare_database(
    db_path: str,
    kind: str,
    *,
    team: int,
    datasets: Sequence[SeedDatasetLike] | None = None,
    use_cache: bool = True,
    api: str = "classic",
) -> Store:
    """Open ``db_path``, seeding it with ``kind`` (or the given classic datasets) unless already
    seeded, for API generation ``api`` (the v2 store is a ``V2Store``).

    Raises ValueError for an unknown kind or API.
    """
    if datasets is None and kind not in SEED_KINDS:
        raise ValueError(f"unknown seed {kind!r}; expected one of {', '.join(SEED_KINDS)}")
    store_class = _store_class(api)
    if datasets is not None and api != "classic":
        raise ValueError("seed datasets are classic; the v2 server seeds only by kind")
    fresh = not os.path.exists(db_path) or os.path.getsize(db_path) == 0
    if fresh and datasets is None and kind != "none" and use_cache:
        shutil.copyfile(template_path(kind, team, api), db_path)
        return store_class(db_path)
    store = store_class(db_path)
    if store.get_meta("seed_kind") is None:
        if datasets:
            load_datasets(store, datasets, kind=kind, team=team)
        else:
            _load(store, kind, team, api)
        store.set_meta("api", api)
    elif (store.get_meta("api") or "classic") != api:
        held = store.get_meta("api") or "classic"
        store.close()
        raise ValueError(f"{db_path} holds data of the {held} API, not {api}")
    return store
