"""Saving an editor to the server without losing it and without overwriting anyone.

A save:

1. writes the draft to the journal first (status ``saving``);
2. fetches the item and compares its version (``updated_at`` on classic, ``version`` on v2) with
   the one the edit started from. If it changed, the save stops in a conflict holding both
   versions, unless every difference is our own earlier save whose answer was lost (``sent``:
   the server shows exactly what we sent);
3. PATCHes only the fields that changed (on v2 naming the version it is based on);
4. drops the draft only when the server confirmed. A failure whose outcome is unknown (5xx, a
   dropped connection) is checked with a GET before saying "not saved".

On classic, the window between the GET of step 2 and the PATCH is the only place a concurrent
edit can slip through: the classic API has no conditional update. The versioned API (v2) closes
it: its server refuses a PATCH whose ``base_version`` is not the current one (409
``stale_version``), and the save then stops in the same conflict, unless the newer version is
our own PATCH (applied, its answer lost, and the client's retry of it refused as stale): then
it is saved. A v2 item must have an input (empty or ``null`` is refused before sending) and its
metadata is an object (empty metadata is sent as ``{}``).

On v2 a create carries the draft's key as ``client_item_id``: the server answers a create it has
already made with that item, so a create of unknown outcome is simply sent again. On classic:

A create cannot be checked by id, and POST is never retried blindly (the client does not either).
Before each POST the attempt's time goes into the draft; when a POST's outcome is unknown, or
before sending again after one, the model lists the newest items of the target dataset and looks
for one created since the attempt (minus clock skew) whose every field equals what was sent and
whose id this model has not already claimed nor seen listed before the attempt. Only if none is
found is the POST sent. We match by
content rather than by a marker written into the item's metadata because the metadata belongs
to the user; the price is that an identical item created by someone else in that minute would be
taken for ours, which leaves the server holding exactly the content the user asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from explorer.api import short_id
from explorer.api.errors import ApiError, Conflict, NotFound, ValidationFailed
from explorer.model.context import ModelContext, UndoEntry
from explorer.model.editor import (
    all_values,
    build_conflict,
    changed_values,
    editor_from_item,
    explained,
    rebase,
    to_draft,
    wire_value,
)
from explorer.model.jsontext import FieldError, parse_field, same_value
from explorer.model.notices import is_refusal
from explorer.model.schema import ItemSchema, schema_of
from explorer.model.state import EditorState

if TYPE_CHECKING:
    from explorer.api.models import AnyItem

__all__ = ["CLOCK_SKEW", "SaveResult", "find_created", "save_editor"]

CLOCK_SKEW = timedelta(seconds=120)
LOOKUP_PAGES = 5

Outcome = Literal["saved", "unchanged", "conflict", "not_saved", "invalid"]


@dataclass
class SaveResult:
    outcome: Outcome
    item: AnyItem | None = None
    reason: str = ""
    error: ApiError | None = None
    created: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _persist(ctx: ModelContext, editor: EditorState, status: str | None = None) -> None:
    draft = to_draft(editor, status)
    if draft is None:
        ctx.journal.drop_draft(editor.key)
    else:
        ctx.journal.put_draft(draft)


def _not_saved(
    ctx: ModelContext, editor: EditorState, reason: str, error: ApiError | None = None
) -> SaveResult:
    editor.status = "not_saved"
    editor.reason = reason
    if isinstance(error, ValidationFailed) and error.attr in editor.fields:
        editor.fields[error.attr].error = FieldError(
            error.attr, f"refused by the server: {error.detail or error.message}"
        )
    _persist(ctx, editor, "not_saved")
    return SaveResult("not_saved", reason=reason, error=error)


def _reason(error: ApiError) -> str:
    if isinstance(error, Conflict) and error.detail:
        return error.detail.rstrip(".")  # PostHog's sentence (the client's adds advice for code)
    return error.message.rstrip(".")


async def save_editor(
    ctx: ModelContext, editor: EditorState, *, record_undo: bool = True
) -> SaveResult:
    """Save an editor (create when it is new). Updates ``editor`` and the journal; the caller
    updates page, selection and notices from the result. Raises only on cancellation."""
    errors = editor.errors
    if errors:
        return SaveResult("invalid", reason=str(errors[0]))
    schema = schema_of(editor.base) if editor.base is not None else ctx.state.schema
    missing = _missing_input(schema, editor)
    if missing is not None:
        return SaveResult("invalid", reason=str(missing))
    if editor.is_new:
        return await _create(ctx, editor)
    base = editor.base
    assert base is not None and editor.item_id is not None
    changes = _for_schema(schema, changed_values(editor))
    if not changes and not editor.sent:
        ctx.journal.drop_draft(editor.key)
        editor.status = "clean"
        return SaveResult("unchanged", item=base)
    revision = editor.revision
    editor.status = "saving"
    _persist(ctx, editor, "saving")
    try:
        current = await ctx.client.items.get(editor.item_id)
    except NotFound as exc:
        return _not_saved(ctx, editor, ctx.state.schema.gone_reason, exc)
    except ApiError as exc:
        return _not_saved(ctx, editor, _reason(exc), exc)
    if ItemSchema.token(current) != ItemSchema.token(base):
        if not explained(editor, current):
            return _conflict(ctx, editor, current)
        # Only our own earlier save differs: carry on from the server's version.
        keep = {name: editor.fields[name].text for name in changes}
        rebase(editor, current, keep)
        base = current
        changes = _for_schema(schema, changed_values(editor))
        if not changes:
            return _saved(ctx, editor, current, before={}, revision=revision, record_undo=False)
    before = {name: wire_value(base, name) for name in changes}
    editor.sent = dict(changes)
    _persist(ctx, editor, "saving")
    try:
        updated = await ctx.client.items.update(base, changes)
    except Conflict as exc:
        if exc.code == "stale_version":
            # v2: the version moved between our check and our write. Someone else saved (a
            # conflict), or our own PATCH landed and its answer was lost, so that the
            # client's retry of it found the version it had made (saved).
            try:
                current = await ctx.client.items.get(editor.item_id)
            except ApiError as again:  # unknown: ``sent`` stays, so a retry can tell
                return _not_saved(
                    ctx,
                    editor,
                    f"{_reason(again)}; it may or may not have reached the server,"
                    " saving again checks first",
                    again,
                )
            if explained(editor, current) and _holds(current, changes):
                return _saved(
                    ctx, editor, current, before=before, revision=revision, record_undo=record_undo
                )
            editor.sent = {}
            return _conflict(ctx, editor, current)
        editor.sent = {}
        if exc.code == "dataset_item_archived":
            return _not_saved(ctx, editor, ctx.state.schema.gone_reason, exc)
        return _not_saved(ctx, editor, _reason(exc), exc)
    except ApiError as exc:
        if is_refusal(exc):
            editor.sent = {}
            # deleted between the check and the PATCH
            reason = ctx.state.schema.gone_reason if isinstance(exc, NotFound) else _reason(exc)
            return _not_saved(ctx, editor, reason, exc)
        landed = await _check_landed(ctx, editor.item_id, changes)
        if landed is None:
            return _not_saved(
                ctx,
                editor,
                f"{_reason(exc)}; it may or may not have reached the server,"
                " saving again checks first",
                exc,
            )
        updated = landed
    return _saved(ctx, editor, updated, before=before, revision=revision, record_undo=record_undo)


def _missing_input(schema: ItemSchema, editor: EditorState) -> FieldError | None:
    """v2 items must have an input (any JSON but null): an empty or ``null`` one is refused
    here, with the field marked, rather than by the server (or, on a create, by the client
    before anything is sent). Classic items may have none."""
    field = editor.fields.get("input")
    if not schema.versioned or field is None or field.error is not None:
        return None
    if not editor.is_new and not field.changed:
        return None
    if parse_field("input", field.text)[0] is not None:
        return None
    field.error = FieldError("input", f"required by {schema.api_label} (any JSON value but null)")
    return field.error


def _for_schema(schema: ItemSchema, values: dict[str, Any]) -> dict[str, Any]:
    """Values as the server's generation stores them: v2 metadata is always an object, so an
    empty (null) one is ``{}`` (what v2 clears it to). Comparing what was sent with what the
    server shows (a save whose answer was lost) then compares like with like."""
    if schema.versioned and "metadata" in values and values["metadata"] is None:
        values = {**values, "metadata": {}}
    return values


def _conflict(ctx: ModelContext, editor: EditorState, current: AnyItem) -> SaveResult:
    editor.conflict = build_conflict(editor, current)
    editor.status = "conflict"
    editor.reason = editor.conflict.reason
    _persist(ctx, editor, "conflict")
    return SaveResult("conflict", item=current, reason=editor.conflict.reason)


async def _check_landed(ctx: ModelContext, item_id: str, changes: dict[str, Any]) -> AnyItem | None:
    """The item when the server holds exactly ``changes``, else None (also when unknowable)."""
    try:
        current = await ctx.client.items.get(item_id)
    except ApiError:
        return None
    return current if _holds(current, changes) else None


def _holds(item: AnyItem, values: dict[str, Any]) -> bool:
    """Whether the item holds exactly ``values``."""
    return all(same_value(name, wire_value(item, name), value) for name, value in values.items())


def _saved(
    ctx: ModelContext,
    editor: EditorState,
    item: AnyItem,
    *,
    before: dict[str, Any],
    revision: int,
    record_undo: bool,
) -> SaveResult:
    after = {name: wire_value(item, name) for name in before}
    if before:
        ctx.journal.add_history(
            "save", "item", str(item.id), dataset_id=str(item.dataset), before=before, after=after
        )
    if record_undo and before:
        ctx.push_undo(
            set(), UndoEntry("save", "item", str(item.id), _label(item), before=before, after=item)
        )
    # Typing during the save: keep what was typed since, on the new version.
    # (A field that was sent and not touched since equals the new version: not kept.)
    typed = (
        {name: f.text for name, f in editor.fields.items() if f.changed}
        if editor.revision != revision
        else {}
    )
    rebase(editor, item, typed)
    editor.sent = {}
    editor.attempts = ()
    if editor.dirty:
        editor.status = "editing"
        editor.reason = None
        _persist(ctx, editor, "editing")
    else:
        editor.status = "saved"
        editor.reason = None
        ctx.journal.drop_draft(editor.key)
    return SaveResult("saved", item=item)


def _label(item: AnyItem) -> str:
    return short_id(item.id)


# -- creating ----------------------------------------------------------------------------------


async def find_created(
    ctx: ModelContext, dataset_id: str, values: dict[str, Any], since: datetime
) -> AnyItem | None:
    """An item of ``dataset_id`` created since ``since`` (minus clock skew) whose every field
    equals ``values``, that this model has not claimed and did not see listed before ``since``;
    None if there is none.
    Raises `ApiError` when the list cannot be read."""
    window = since - CLOCK_SKEW
    offset = 0
    for _ in range(LOOKUP_PAGES):
        page = await ctx.client.items.list(dataset=dataset_id, limit=100, offset=offset)
        for item in page.results:
            if item.created_at < window:
                return None
            if str(item.id) in ctx.created_ids or ctx.seen_before(str(item.id), since):
                continue
            if all(
                same_value(name, wire_value(item, name), values.get(name))
                for name in schema_of(item).create_fields
            ):
                return item
        if not page.has_next or not page.results:
            return None
        offset += len(page.results)
    return None


async def _create(ctx: ModelContext, editor: EditorState) -> SaveResult:
    values = _for_schema(ctx.state.schema, all_values(editor))
    dataset_id = editor.dataset_id
    versioned = ctx.state.schema.versioned
    if editor.attempts and not versioned:
        since = min(datetime.fromisoformat(a) for a in editor.attempts)
        try:
            found = await find_created(ctx, dataset_id, values, since)
        except ApiError as exc:
            return _not_saved(
                ctx,
                editor,
                f"could not check whether an earlier attempt created it"
                f" ({_reason(exc)}); saving again checks first",
                exc,
            )
        if found is not None:
            return _created(ctx, editor, found)
    attempt = datetime.now(UTC).isoformat()
    editor.attempts = (*editor.attempts, attempt)
    editor.status = "saving"
    _persist(ctx, editor, "saving")  # the attempt is on disk before the POST leaves
    try:
        item = await ctx.client.items.create(dataset_id, values, key=editor.key)
    except Conflict as exc:
        editor.attempts = tuple(a for a in editor.attempts if a != attempt)
        if exc.code == "client_item_id_conflict":
            return _not_saved(
                ctx,
                editor,
                "an earlier attempt created this item and it was changed since (or archived);"
                " your draft is kept: save it as a new item, or discard it",
                exc,
            )
        return _not_saved(ctx, editor, _reason(exc), exc)
    except ApiError as exc:
        if is_refusal(exc):
            editor.attempts = tuple(a for a in editor.attempts if a != attempt)
            return _not_saved(ctx, editor, _reason(exc), exc)
        found = None
        if not versioned:
            try:
                found = await find_created(ctx, dataset_id, values, datetime.fromisoformat(attempt))
            except ApiError:
                found = None
        if found is None:
            again = (
                "saving again sends it once more (the server keeps one item per draft)"
                if versioned
                else "saving again checks before sending"
            )
            return _not_saved(
                ctx, editor, f"{_reason(exc)}; the server may have created it, {again}", exc
            )
        item = found
    return _created(ctx, editor, item)


def _created(ctx: ModelContext, editor: EditorState, item: AnyItem) -> SaveResult:
    ctx.created_ids.add(str(item.id))
    ctx.journal.add_history(
        "create",
        "item",
        str(item.id),
        dataset_id=str(item.dataset),
        after={name: wire_value(item, name) for name in schema_of(item).create_fields},
    )
    ctx.journal.drop_draft(editor.key)
    fresh = editor_from_item(item, read_only=editor.read_only)
    fresh.status = "saved"
    # The caller's editor object becomes the saved item's editor.
    editor.__dict__.update(fresh.__dict__)
    return SaveResult("saved", item=item, created=True)
