"""What the fault soaks share: fault settings per rate, a quick retry policy, the reference of
what the server must hold, a log of what the user was told, and reading the server's store.

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


def stored_items(server: RunningEmulator, dataset_id: str) -> dict[str, StoredItem]:
    """Every item of a dataset in the emulator's database, soft-deleted ones included (the API
    never lists those), read on a connection of our own."""
    conn = sqlite3.connect(f"file:{server.server.db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id, dataset, input, deleted FROM items WHERE dataset = ?", (dataset_id,)
        ).fetchall()
    finally:
        conn.close()
    return {
        row[0]: StoredItem(row[1], None if row[2] is None else json.loads(row[2]), row[3] == 1)
        for row in rows
    }


def key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
