"""Soft delete and restore, for items and datasets, through the local trash.

The trash entry (id and last-known content) is written *before* ``PATCH {"deleted": true}``,
because once the server has the row deleted nobody can list it again. When a delete or restore
fails with an unknown outcome (5xx, dropped connection), a GET tells what happened: 404 means
deleted, 200 means live. Only when even that fails is the outcome reported as unknown; the trash
entry then stays (unconfirmed), so the row can always be restored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from explorer.api import short_id
from explorer.api.errors import ApiError, NotFound
from explorer.model.context import ModelContext
from explorer.model.notices import is_refusal

if TYPE_CHECKING:
    from explorer.api.models import AnyDataset, AnyItem

__all__ = ["Outcome", "delete_dataset", "delete_item", "item_label", "restore"]

Outcome = Literal["done", "not_done", "unknown", "missing"]
"""``done``: the server has it as asked; ``not_done``: certainly not applied; ``unknown``: the
server could not be asked; ``missing``: no such object on the server."""


def item_label(item: AnyItem) -> str:
    return short_id(item.id)


async def _is_deleted(ctx: ModelContext, kind: str, object_id: str) -> bool | None:
    """True when the server hides the object (deleted), False when it lists it, None if unknown."""
    try:
        if kind == "item":
            await ctx.client.items.get(object_id)
        else:
            await ctx.client.datasets.get(object_id)
    except NotFound:
        return True
    except ApiError:
        return None
    return False


async def delete_item(ctx: ModelContext, item: AnyItem) -> tuple[Outcome, ApiError | None]:
    """Soft-delete an item, trash first. Raises only on cancellation."""
    item_id = str(item.id)
    keep = _unconfirmed(ctx, "item", item_id)
    ctx.journal.put_trash(
        "item",
        item_id,
        item.model_dump(mode="json"),
        dataset_id=str(item.dataset),
        label=item_label(item),
        confirmed=False,
    )
    return await _patch_deleted(ctx, "item", item_id, True, str(item.dataset), keep)


async def delete_dataset(ctx: ModelContext, dataset: AnyDataset) -> tuple[Outcome, ApiError | None]:
    """Soft-delete a dataset, trash first. Its items stay live (the server does not cascade)."""
    dataset_id = str(dataset.id)
    keep = _unconfirmed(ctx, "dataset", dataset_id)
    ctx.journal.put_trash(
        "dataset",
        dataset_id,
        dataset.model_dump(mode="json"),
        dataset_id=dataset_id,
        label=dataset.name,
        confirmed=False,
    )
    return await _patch_deleted(ctx, "dataset", dataset_id, True, dataset_id, keep)


async def restore(
    ctx: ModelContext, kind: Literal["item", "dataset"], object_id: str
) -> tuple[Outcome, ApiError | None]:
    """Restore an item or dataset (from the trash, or any id this machine knows)."""
    record = ctx.journal.get_trash(kind, object_id)
    dataset_id = record.dataset_id if record else None
    return await _patch_deleted(ctx, kind, object_id, False, dataset_id)


def _unconfirmed(ctx: ModelContext, kind: Literal["item", "dataset"], object_id: str) -> bool:
    """Whether the trash holds the object from an earlier delete of unknown outcome."""
    record = ctx.journal.get_trash(kind, object_id)
    return record is not None and not record.confirmed


async def _patch_deleted(
    ctx: ModelContext,
    kind: Literal["item", "dataset"],
    object_id: str,
    deleted: bool,
    dataset_id: str | None,
    keep_trash: bool = False,
) -> tuple[Outcome, ApiError | None]:
    """``keep_trash``: a delete not done keeps the trash entry (an earlier delete of unknown
    outcome may have been applied: the row may be hidden, and only the trash can restore it)."""
    error: ApiError | None = None
    try:
        if kind == "item":
            await ctx.client.items.set_removed(object_id, deleted)
        else:
            await ctx.client.datasets.set_removed(object_id, deleted)
        outcome: Outcome = "done"
    except NotFound as exc:
        # PATCH reaches deleted rows: a 404 means there is no such object at all.
        error = exc
        outcome = "missing"
    except ApiError as exc:
        error = exc
        if is_refusal(exc):
            outcome = "not_done"
        else:
            now_deleted = await _is_deleted(ctx, kind, object_id)
            if now_deleted is None:
                outcome = "unknown"
            else:
                outcome = "done" if now_deleted == deleted else "not_done"
    action = "delete" if deleted else "restore"
    if outcome == "done":
        if deleted:
            ctx.journal.confirm_trash(kind, object_id)
        else:
            ctx.journal.drop_trash(kind, object_id)
        ctx.journal.add_history(action, kind, object_id, dataset_id=dataset_id)
    elif (outcome == "not_done" and deleted and not keep_trash) or outcome == "missing":
        ctx.journal.drop_trash(kind, object_id)
    # "unknown": a delete keeps its (unconfirmed) trash entry, a restore keeps the entry too.
    return outcome, error
