"""Which pages to ask for while iterating a limit/offset list, and when to stop. Sans-IO.

``iter()`` asks for the next pages before the caller has finished with the current one, so the
server prepares page n+2 while page n+1 is being parsed and page n consumed: iterating costs
about max(server, client) per page instead of their sum. At most ``prefetch`` pages are asked
for ahead of the one being consumed, so memory stays bounded whatever the size of the list.

The plan follows what the server says, not what it was asked: ``count`` from the last page
bounds the offsets asked ahead (no request past the end), a page shorter than asked but with a
``next`` means the server caps the page size (the plan re-aligns on the real step), and a page
without ``next`` ends the iteration (pages still in flight are dropped).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.api.models import Page

__all__ = ["DEFAULT_PREFETCH", "PagePlan"]

DEFAULT_PREFETCH = 2
"""Pages asked for ahead of the one being consumed by ``iter()``; 0 asks one at a time."""


class PagePlan:
    """The offsets to request, in order; the driver sends them and reports each page back.

    Invariant kept with the driver: ``pending`` lists the offsets in flight, oldest first, and
    the driver's requests are exactly those. When ``received`` empties ``pending``, the driver
    drops whatever it still has in flight.
    """

    def __init__(self, page_size: int, prefetch: int = DEFAULT_PREFETCH) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive integer, not {page_size!r}")
        if prefetch < 0:
            raise ValueError(f"prefetch must not be negative, not {prefetch!r}")
        self.page_size = page_size
        self.prefetch = prefetch
        self.pending: deque[int] = deque()
        self.done = False
        self._step = page_size
        self._next = 0
        self._count: int | None = None

    @property
    def started(self) -> bool:
        """Whether a page has been received (so the list's length is known)."""
        return self._count is not None

    def wanted(self) -> list[int]:
        """Offsets to request now (possibly none); they join ``pending``."""
        if self.done:
            return []
        # Before the first answer the length is unknown: ask for the first page alone.
        in_flight = 1 if self._count is None else max(self.prefetch, 1)
        offsets: list[int] = []
        while len(self.pending) + len(offsets) < in_flight and (
            self._count is None or self._next < self._count
        ):
            offsets.append(self._next)
            self._next += self._step
        self.pending.extend(offsets)
        return offsets

    def received(self, page: Page[Any]) -> bool:
        """Record the oldest pending page; False when it was the last."""
        expected_offset = self.pending.popleft()
        if page.next is None or not page.results:
            self.done = True
            self.pending.clear()
            return False
        self._count = page.count
        follows = expected_offset + len(page.results)
        if len(page.results) < self.page_size:
            self._step = len(page.results)  # the server caps the page size
        upcoming = self.pending[0] if self.pending else self._next
        if upcoming != follows:  # asked ahead on a wrong guess: drop it, re-align
            self.pending.clear()
            self._next = follows
        return True
