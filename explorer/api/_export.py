"""Waiting for a v2 export to complete: when to look again, and when to give up. Sans-IO."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from explorer.api.errors import ApiError

if TYPE_CHECKING:
    from explorer.api.models import DatasetExport

FIRST_DELAY = 0.2
MAX_DELAY = 5.0


class ExportWait:
    """Polls at growing intervals (0.2 s doubling to 5 s) until ``wait`` seconds have passed."""

    def __init__(self, export: DatasetExport, wait: float) -> None:
        self.export = export
        self._deadline = time.monotonic() + wait
        self._delay = FIRST_DELAY
        self._check()

    @property
    def done(self) -> bool:
        return self.export.status == "complete"

    def next_delay(self) -> float:
        """Seconds to sleep before the next status; raises when the wait is over."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise ApiError(
                f"Export {self.export.id} (revision {self.export.dataset_revision}) was still"
                f" {self.export.status} when the wait ran out. Wait longer (wait=), or fetch it"
                " later by its id.",
                code="export_pending",
            )
        delay, self._delay = min(self._delay, left), min(self._delay * 2, MAX_DELAY)
        return delay

    def update(self, export: DatasetExport) -> None:
        self.export = export
        self._check()

    def _check(self) -> None:
        if self.export.status == "failed":
            raise ApiError(
                f"Export {self.export.id} of revision {self.export.dataset_revision} failed:"
                f" {self.export.exception or 'no reason given'}",
                code="export_failed",
                detail=self.export.exception,
            )
