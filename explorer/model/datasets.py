"""The dataset list (search, sort, page) and the dataset writes (create, edit)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from explorer.api.errors import ApiError
from explorer.model.context import Changes, ModelContext
from explorer.model.jsontext import FieldError, canonical, parse_json_text
from explorer.model.notices import is_refusal
from explorer.model.pager import Superseded
from explorer.model.saving import CLOCK_SKEW

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, Page

__all__ = ["DATASET_ORDERS", "DatasetBrowser", "validate_dataset_fields"]

DATASET_ORDERS: Final = ("-created_at", "created_at", "-updated_at", "updated_at")
"""Sort orders the server accepts: newest/oldest created, most/least recently updated."""
NAME_MAX: Final = 400


def validate_dataset_fields(
    name: str | None, metadata_text: str | None
) -> tuple[dict[str, Any], FieldError | None]:
    """Values to send for a dataset's name and metadata text, or the first problem.

    The name must not be blank and has at most 400 characters; metadata is a JSON object, or
    empty for none (as PostHog's own UI has it).
    """
    values: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            return {}, FieldError("name", "may not be blank")
        if len(name) > NAME_MAX:
            return {}, FieldError("name", f"{len(name)} characters; at most {NAME_MAX} allowed")
        values["name"] = name
    if metadata_text is not None:
        value, error = parse_json_text("metadata", metadata_text)
        if error is not None:
            return {}, error
        if value is not None and not isinstance(value, dict):
            return {}, FieldError("metadata", "must be a JSON object ({...}) or empty", 1, 1)
        values["metadata"] = value
    return values, None


class DatasetBrowser:
    """Loads ``state.datasets``; a newer load cancels an older one still in flight."""

    def __init__(self, ctx: ModelContext) -> None:
        self.ctx = ctx
        self._generation = 0
        self._task: asyncio.Task[Page[AnyDataset]] | None = None

    async def load(
        self,
        changes: Changes,
        *,
        page_number: int | None = None,
        search: str | None = None,
        order_by: str | None = None,
    ) -> None:
        """Fetch a page of the list with the given (or current) search, order and page.
        Raises `Superseded` or `ApiError`; state changes only on success."""
        st = self.ctx.state.datasets
        search = st.search if search is None else search
        order_by = st.order_by if order_by is None else order_by
        page_number = max(1, st.page_number if page_number is None else page_number)
        self._generation += 1
        generation = self._generation
        if self._task is not None and not self._task.done():
            self._task.cancel()
        task = asyncio.get_running_loop().create_task(
            self.ctx.client.datasets.list(
                search=search.strip() or None,
                order_by=order_by,
                limit=st.page_size,
                offset=(page_number - 1) * st.page_size,
                archived=st.archived,
            )
        )
        self._task = task
        try:
            page = await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            raise Superseded() from None
        if generation != self._generation:
            raise Superseded()
        if not page.results and page.count > 0 and page_number > 1:
            await self.load(
                changes,
                page_number=-(-page.count // st.page_size),
                search=search,
                order_by=order_by,
            )
            return
        st.search, st.order_by, st.page_number = search, order_by, page_number
        st.datasets = list(page.results)
        st.total = page.count
        st.loaded = True
        changes.add("datasets")

    def find(self, dataset_id: str) -> AnyDataset | None:
        for dataset in self.ctx.state.datasets.datasets:
            if str(dataset.id) == dataset_id:
                return dataset
        page = self.ctx.state.page
        if page.dataset is not None and str(page.dataset.id) == dataset_id:
            return page.dataset
        return None

    async def create(
        self, name: str, description: str | None, metadata: Any
    ) -> tuple[AnyDataset | None, ApiError | None]:
        """POST a dataset; when the outcome is unknown, look for it before reporting failure."""
        started = datetime.now(UTC)
        try:
            return await self.ctx.client.datasets.create(name, description, metadata), None
        except ApiError as exc:
            if is_refusal(exc):
                return None, exc
            try:
                found = await self._find_created(name, description, metadata, started)
            except ApiError:
                found = None
            return found, (None if found is not None else exc)

    async def _find_created(
        self, name: str, description: str | None, metadata: Any, since: datetime
    ) -> AnyDataset | None:
        page = await self.ctx.client.datasets.list(
            search=name, order_by="-created_at", limit=50, offset=0
        )
        for dataset in page.results:
            if dataset.created_at < since - CLOCK_SKEW:
                break
            if (
                dataset.name == name
                and (dataset.description or None) == (description or None)
                and canonical("metadata", dataset.metadata) == canonical("metadata", metadata)
            ):
                return dataset
        return None
