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
    import platformdirs

    return Path(platformdirs.user_cache_dir("posthog-dataset-explorer")) / "emulator"


def content_version(kind: str, team: int) -> str:
    """Changes whenever the demo data's code, the loader or the schema changes."""
    digest = hashlib.sha256(f"{LOADER_VERSION}/{SCHEMA_VERSION}/{kind}/{team}".encode())
    here = Path(__file__).parent
    for path in sorted(here.glob("demo_*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for module in ("seed.py", "store.py", "validation.py", "ids.py"):
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:20]


def template_path(kind: str, team: int) -> Path:
    """The cached seeded database for ``kind``, built first if missing."""
    directory = cache_dir()
    path = directory / f"seed-{kind}-p{team}-{content_version(kind, team)}.sqlite3"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".building-{kind}-", suffix=".sqlite3", dir=directory)
    os.close(fd)
    try:
        store = Store(tmp)
        try:
            load_datasets(store, demo_datasets(kind), kind=kind, team=team)
            store.checkpoint_to_single_file()
        finally:
            store.close()
        os.replace(tmp, path)  # atomic: parallel builders just race to the same content
        for stale in directory.glob(f"seed-{kind}-p{team}-*.sqlite3"):
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
) -> Store:
    """Open ``db_path``, seeding it with ``kind`` (or the given datasets) unless already seeded.

    Raises ValueError for an unknown kind.
    """
    if datasets is None and kind not in SEED_KINDS:
        raise ValueError(f"unknown seed {kind!r}; expected one of {', '.join(SEED_KINDS)}")
    fresh = not os.path.exists(db_path) or os.path.getsize(db_path) == 0
    if fresh and datasets is None and kind != "none" and use_cache:
        shutil.copyfile(template_path(kind, team), db_path)
        return Store(db_path)
    store = Store(db_path)
    if store.get_meta("seed_kind") is None:
        load_datasets(store, datasets or demo_datasets(kind), kind=kind, team=team)
    return store
