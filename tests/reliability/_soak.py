"""What the fault soaks share: fault settings per rate, a quick retry policy, the reference of
what the server must hold, a log of what the user was told, and reading the server's store.

The soaks run on both API generations (``GENERATIONS``). Where the classic API soft-deletes an
item, v2 archives it (a new version with ``archived``): the reference's ``deleted`` means
"deleted or archived", and `stored_items` reads either store alike (on v2: each item's current
version, archived ones included). A soak server of v2 may hold more versions per item than
PostHog's 40 (`soak_server_options`): every edit, archive and restore makes one, and the limit
is not what the soaks test.

The reference (`Reference`) is updated only from what the model or a front end reported:
"saved" moves an item's wanted content into ``live``; "not saved" keeps it in
``pending_edits`` / ``pending_creates`` (the journal must still hold it); a delete or restore
whose outcome the model could not learn goes to ``unsure`` until the user retries it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from explorer.api import RetryPolicy
from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel, Notice
from tests._emulator import RunningEmulator

RATES = (0.1, 0.3, 0.5)
GENERATIONS = ("classic", "v2")

# v2 only: room for every version a soak makes. PostHog allows 40 per item (the last one kept
# for a restore); the model soak's busiest item reaches about 15 today, but a longer run or
# another seed must not fail on a limit the soaks do not test.
SOAK_MAX_VERSIONS = 10_000


def soak_server_options(api: str) -> dict[str, Any]:
    """``emulator_factory`` options of a soak server speaking ``api``."""
    if api == "v2":
        return {"api": api, "max_versions": SOAK_MAX_VERSIONS}
    return {"api": api}


# Quick retries: thousands of failures are injected. A 429 names a wait of 1 s, longer than
# ``rate_limit_max_wait``: it is never waited out but reaches the model, which reports it.
SOAK_RETRIES = RetryPolicy(retries=3, backoff=0.001, backoff_max=0.01, rate_limit_max_wait=0.5)
LATENCY_MS = 2.0


def soak_faults(rate: float, seed: int) -> FaultConfig:
    """``rate`` of the API requests fail: 2/5 with a 500/502/503, 1/5 with a 429, 1/5 dropped
    before the API sees them, 1/5 dropped after the API applied them. Every request waits
    `LATENCY_MS` first (the emulator's latency applies to all requests)."""
    return FaultConfig(
        seed=seed,
        latency_ms=LATENCY_MS,
        error_rate=rate * 0.4,
        error_statuses=(500, 502, 503),
        throttle_rate=rate * 0.2,
        throttle_wait_s=1,
        drop_before_rate=rate * 0.2,
        drop_after_rate=rate * 0.2,
    )


def injected_share(stats: dict[str, Any]) -> float:
    """The share of API requests that met a fault other than latency."""
    failed = sum(int(n) for kind, n in stats["counts"].items() if kind != "latency")
    return failed / max(1, int(stats["requests"]))


@dataclass
class Reference:
    """What the user asked for and the model (or front end) reported; see the module doc."""

    initial: set[str] = field(default_factory=set)
    live: dict[str, Any] = field(default_factory=dict)  # id -> input wanted on the server
    deleted: dict[str, Any] = field(default_factory=dict)  # id -> input (for a restore)
    pending_edits: dict[str, Any] = field(default_factory=dict)  # id -> input not saved
    pending_creates: dict[str, Any] = field(default_factory=dict)  # draft key -> input
    unsure: dict[str, str] = field(default_factory=dict)  # id -> "delete" | "restore"
    creates_done: int = 0
    created_keys: dict[str, str] = field(default_factory=dict)  # id -> its create's draft key
    saved: list[tuple[str, Any]] = field(default_factory=list)  # every (id, input) saved
    counts: Counter[str] = field(default_factory=Counter)

    def editable(self) -> list[str]:
        return sorted(set(self.live) - set(self.unsure))

    def deletable(self) -> list[str]:
        return sorted(set(self.live) - set(self.pending_edits) - set(self.unsure))

    def restorable(self) -> list[str]:
        return sorted(set(self.deleted) - set(self.unsure))


class NoticeLog:
    """Every notice the model raised, with the command that raised it (what a front end shows:
    the app turns each into a notification, the panel into its status line)."""

    def __init__(self, model: ExplorerModel) -> None:
        self.model = model
        self.seen: list[Notice] = []
        self._last: Notice | None = None
        model.subscribe(self._on_change)

    def _on_change(self, change: Any) -> None:
        notice = self.model.state.notice
        if "notice" in change.kinds and notice is not None and notice is not self._last:
            self._last = notice
            self.seen.append(notice)

    def mark(self) -> int:
        return len(self.seen)

    def since(self, mark: int) -> list[Notice]:
        return self.seen[mark:]

    def failures_since(self, mark: int, *commands: str) -> list[Notice]:
        """Warnings and errors raised since ``mark`` by one of ``commands``."""
        return [
            n
            for n in self.since(mark)
            if n.level in ("warning", "error") and (not commands or n.command in commands)
        ]


@dataclass(frozen=True)
class StoredItem:
    dataset: str
    input: Any
    deleted: bool
    """Soft-deleted (classic) or archived (v2: its current version is)."""
    client_item_id: str | None = None
    """v2: the key the item was created with (the model sends its draft's key; the client makes
    up one for a create without any); classic: None."""


def _read(server: RunningEmulator, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Rows of the emulator's database, read on a connection of our own."""
    conn = sqlite3.connect(f"file:{server.server.db_path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# v2: an item shows its current version (the newest when the pointer is unset, as the emulator
# reads it).
_V2_ITEMS = """
SELECT i.id, i.dataset_id, v.input, v.archived, i.client_item_id
FROM v2_items i JOIN v2_versions v ON v.id = COALESCE(i.current_version_id,
    (SELECT id FROM v2_versions WHERE item_id = i.id ORDER BY version DESC LIMIT 1))
WHERE i.dataset_id = ?
"""


def stored_items(server: RunningEmulator, dataset_id: str) -> dict[str, StoredItem]:
    """Every item of a dataset in the emulator's database, soft-deleted (classic) or archived
    (v2) ones included: classic never lists those, v2 only when asked."""
    if server.server.api == "v2":
        rows = _read(server, _V2_ITEMS, (dataset_id,))
        return {row[0]: StoredItem(row[1], _json(row[2]), row[3] == 1, row[4]) for row in rows}
    rows = _read(
        server, "SELECT id, dataset, input, deleted FROM items WHERE dataset = ?", (dataset_id,)
    )
    return {row[0]: StoredItem(row[1], _json(row[2]), row[3] == 1) for row in rows}


def stored_versions(server: RunningEmulator, dataset_id: str) -> dict[str, list[Any]]:
    """v2: every version's input of every item of the dataset, oldest first (classic keeps no
    history: {})."""
    if server.server.api != "v2":
        return {}
    rows = _read(
        server,
        "SELECT item_id, input FROM v2_versions WHERE dataset_id = ? ORDER BY item_id, version",
        (dataset_id,),
    )
    out: dict[str, list[Any]] = {}
    for item_id, text in rows:
        out.setdefault(item_id, []).append(_json(text))
    return out


def missing_versions(
    server: RunningEmulator, dataset_id: str, saved: list[tuple[str, Any]]
) -> list[tuple[str, Any]]:
    """v2: the (item id, input) pairs of ``saved`` that are none of the item's versions (a save
    reported done that the history does not hold); classic keeps no history: []."""
    if server.server.api != "v2":
        return []
    versions = {i: {key(v) for v in vs} for i, vs in stored_versions(server, dataset_id).items()}
    return [(i, v) for i, v in saved if key(v) not in versions.get(i, set())]


def key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
