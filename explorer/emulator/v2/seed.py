"""Loading the v2 demo data (``demo_v2.seed_datasets_v2``) into a ``V2Store``.

Deterministic like the classic loader: dataset i is created at ``BASE_TIME + i * 3 h``, item j's
version 1 at ``created + (j + 1) s`` (revision j + 1); then review rounds: every item's version 2
in item order from ``created + 30 min``, every version 3 from ``created + 33 min``, and so on,
each a revision of its own. Ids are UUIDv7s of those times with bits from
``random.Random(f"v2:{kind}:{name}")``. Items stream in chunks; only the later versions of items
with a history wait in memory for their round.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol

from explorer.emulator.auth import DEMO_USER
from explorer.emulator.ids import format_ts, seeded_uuid7
from explorer.emulator.seed import BASE_TIME, CHUNK_ROWS, DATASET_SPACING, ITEM_SPACING
from explorer.emulator.serialize import user_row
from explorer.emulator.v2.store import NewVersion, V2Store, VersionContent
from explorer.emulator.v2.validation import json_text

# 39 rounds (the 40-version edge case) end before the next dataset is created, 3 h later
FIRST_ROUND = timedelta(minutes=30)
ROUND_SPACING = timedelta(minutes=3)
ROUND_ITEM_SPACING = timedelta(milliseconds=250)


class SeedVersionLike(Protocol):
    @property
    def input(self) -> Any: ...
    @property
    def expected_output(self) -> Any: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def archived(self) -> bool: ...


class SeedItemLike(Protocol):
    @property
    def versions(self) -> Sequence[SeedVersionLike]: ...
    @property
    def source_output(self) -> Any: ...
    @property
    def source_trace_id(self) -> str | None: ...
    @property
    def source_event_id(self) -> str | None: ...
    @property
    def source_timestamp(self) -> str | None: ...
    @property
    def client_item_id(self) -> str | None: ...


class SeedDatasetLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def archived(self) -> bool: ...
    @property
    def items(self) -> Callable[[], Iterator[SeedItemLike]]: ...


def v2_demo_datasets(kind: str) -> Sequence[SeedDatasetLike]:
    if kind == "none":
        return []
    from explorer.emulator.demo_v2 import seed_datasets_v2

    datasets: Sequence[SeedDatasetLike] = seed_datasets_v2(kind)
    return datasets


def _timestamp(raw: str | None) -> str | None:
    return None if raw is None else format_ts(datetime.fromisoformat(raw))


def load_v2_datasets(
    store: V2Store,
    datasets: Sequence[SeedDatasetLike],
    *,
    kind: str,
    team: int,
    user_id: int = DEMO_USER.id,
) -> None:
    """Insert the datasets, their items and every item's versions with their revisions."""
    store.upsert_users([user_row(DEMO_USER)])
    for index, ds in enumerate(datasets):
        _DatasetLoader(store, ds, BASE_TIME + index * DATASET_SPACING, kind, team, user_id).load()
    store.set_meta("seed_kind", kind)


class _DatasetLoader:
    def __init__(
        self,
        store: V2Store,
        ds: SeedDatasetLike,
        created: datetime,
        kind: str,
        team: int,
        user_id: int,
    ) -> None:
        self.store, self.ds, self.created = store, ds, created
        self.team, self.user_id = team, user_id
        self.rng = random.Random(f"v2:{kind}:{ds.name}")
        self.dataset_id = seeded_uuid7(created, self.rng)
        # items with a history: (index, id, version 1's content, the later versions)
        self.later: list[tuple[int, str, VersionContent, Sequence[SeedVersionLike]]] = []

    def load(self) -> None:
        ds, ts = self.ds, format_ts(self.created)
        metadata = json_text(ds.metadata) or "{}"
        self.store.insert_v2_dataset(
            (self.dataset_id, self.team, ds.name, ds.description, metadata, 0, ts, ts,
             self.user_id)
        )  # fmt: skip
        rows = self._firsts()
        while chunk := list(islice(rows, CHUNK_ROWS)):
            self.store.commit_versions(chunk)
        rounds = max((len(rest) for *_, rest in self.later), default=0)
        for r in range(rounds):
            self.store.commit_versions(list(self._round(r)))
        if ds.archived:
            self.store.update_v2_dataset(self.team, self.dataset_id, {"archived": 1})

    def _version(
        self, item_id: str, number: int, when: datetime, content: VersionContent, archived: bool
    ) -> NewVersion:
        return NewVersion(
            team=self.team,
            dataset_id=self.dataset_id,
            item_id=item_id,
            version=number,
            archived=archived,
            content=content,
            revision_id=seeded_uuid7(when, self.rng),
            version_id=seeded_uuid7(when, self.rng),
            when=format_ts(when),
            user=self.user_id,
        )

    def _firsts(self) -> Iterator[tuple[NewVersion, str | None]]:
        for j, item in enumerate(self.ds.items()):
            when = self.created + (j + 1) * ITEM_SPACING
            item_id = seeded_uuid7(when, self.rng)
            first = item.versions[0]
            content = VersionContent(
                json_text(first.input) or "null",
                json_text(first.expected_output),
                json_text(item.source_output),
                json_text(first.metadata) or "{}",
                item.source_trace_id,
                item.source_event_id,
                _timestamp(item.source_timestamp),
            )
            if len(item.versions) > 1:
                self.later.append((j, item_id, content, item.versions[1:]))
            yield self._version(item_id, 1, when, content, first.archived), item.client_item_id

    def _round(self, r: int) -> Iterator[tuple[NewVersion, str | None]]:
        """Version ``r + 2`` of every item that has one, in item order."""
        for j, item_id, base, rest in self.later:
            if r >= len(rest):
                continue
            seed = rest[r]
            when = self.created + FIRST_ROUND + r * ROUND_SPACING + j * ROUND_ITEM_SPACING
            content = VersionContent(
                json_text(seed.input) or "null",
                json_text(seed.expected_output),
                base.source_output,
                json_text(seed.metadata) or "{}",
                base.source_trace_id,
                base.source_event_id,
                base.source_timestamp,
            )
            yield self._version(item_id, r + 2, when, content, seed.archived), None
