"""The item editor's state changes, with no I/O: open an item or a draft, change a field,
turn the editor into a journal draft, compute what to send, build and resolve a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from explorer.model.diff import FieldDiff, diff_draft, diff_values
from explorer.model.journal import DraftRecord
from explorer.model.jsontext import (
    JSON_FIELDS,
    canonical,
    field_kind,
    parse_field,
    same_value,
    value_to_text,
)
from explorer.model.schema import CLASSIC, ItemSchema, item_from_record, schema_of
from explorer.model.state import ConflictField, ConflictState, EditorState, FieldState

if TYPE_CHECKING:
    from explorer.api.models import AnyItem

__all__ = [
    "Choice",
    "apply_resolution",
    "base_json",
    "build_conflict",
    "changed_values",
    "content_values",
    "editor_diffs",
    "editor_from_draft",
    "editor_from_item",
    "new_editor",
    "rebase",
    "set_field",
    "to_draft",
    "wire_value",
]

Choice = Literal["mine", "theirs"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def wire_value(item: AnyItem, field: str) -> Any:
    """A field of an item as JSON would carry it (timestamps and ids as text); None for a
    field the item's generation does not have."""
    value = getattr(item, field, None)
    if field == "dataset":
        return str(value)
    if isinstance(value, datetime):
        return value_to_text(field, value)
    return value


def content_values(item: AnyItem) -> dict[str, Any]:
    """The fields of an item that a create sets, as they would be sent to create a copy."""
    return {name: wire_value(item, name) for name in schema_of(item).create_fields}


def _field(name: str, base_value: Any, text: str | None = None) -> FieldState:
    # The texts are printed when first read (a 20 MB input: 0.3 s), not on every select.
    state = FieldState.of_value(name, field_kind(name), base_value)
    if text is not None:
        _update(state, text, base_value)
    return state


def _update(state: FieldState, text: str, base_value: Any) -> None:
    state.text = text
    value, error = parse_field(state.name, text)
    state.error = error
    if error is not None:
        state.changed = text != state.base_text
    elif state.name in JSON_FIELDS and value != base_value:
        # Two JSON values with the same canonical form are == in Python, so values that are
        # not == differ for the server as well: no need for the canonical forms (about 16 ms
        # per MB each). == is not enough the other way (1 == 1.0 == True): then compare them.
        state.changed = True
    else:
        state.changed = canonical(state.name, value) != state.base_canonical(base_value)


def editor_from_item(item: AnyItem, *, read_only: bool = False) -> EditorState:
    """A clean editor on an item: its generation's editable fields."""
    fields = {
        name: _field(name, wire_value(item, name)) for name in schema_of(item).editable_fields
    }
    return EditorState(
        key=str(item.id),
        item_id=str(item.id),
        dataset_id=str(item.dataset),
        base=item,
        fields=fields,
        read_only=read_only,
        started_at=_now(),
    )


def new_editor(
    dataset_id: str,
    texts: Mapping[str, str] | None = None,
    *,
    read_only: bool = False,
    schema: ItemSchema = CLASSIC,
) -> EditorState:
    """An editor for an item to create in ``dataset_id`` (every field empty unless given):
    the fields a create sets in ``schema``'s generation."""
    texts = texts or {}
    fields: dict[str, FieldState] = {}
    for name in schema.create_fields:
        # A new item starts empty (empty means null); anything typed counts, even ``null``.
        state = FieldState(name, field_kind(name), "", "")
        _update(state, texts.get(name, ""), None)
        state.changed = state.text != ""
        fields[name] = state
    return EditorState(
        key=f"new:{uuid.uuid4()}",
        item_id=None,
        dataset_id=dataset_id,
        base=None,
        fields=fields,
        status="editing" if texts else "clean",
        read_only=read_only,
        started_at=_now(),
    )


def editor_from_draft(
    draft: DraftRecord, *, read_only: bool = False, schema: ItemSchema = CLASSIC
) -> EditorState:
    """The editor a journal draft describes, on the base it was started from (a new item's
    draft takes ``schema``'s fields: the generation of the server it is saved to)."""
    if draft.item_id is None or draft.base is None:
        editor = new_editor(draft.dataset_id, draft.fields, read_only=read_only, schema=schema)
        editor.key = draft.key
    else:
        base = item_from_record(draft.base)
        editor = editor_from_item(base, read_only=read_only)
        for name, text in draft.fields.items():
            if name in editor.fields:
                _update(editor.fields[name], text, wire_value(base, name))
    editor.status = "not_saved" if draft.status in ("not_saved", "saving") else "editing"
    if draft.status == "conflict":
        editor.status = "editing"
    editor.reason = draft.reason
    editor.attempts = draft.attempts
    editor.sent = dict(draft.sent)
    editor.started_at = draft.started_at
    return editor


def set_field(editor: EditorState, name: str, text: str) -> None:
    """Change one field's text; validates it and marks it changed or not."""
    state = editor.fields[name]
    base_value = None if editor.base is None else wire_value(editor.base, name)
    _update(state, text, base_value)
    if editor.is_new:
        state.changed = text != ""
    editor.revision += 1
    editor.status = "editing" if editor.dirty or (editor.is_new and editor.attempts) else "clean"
    editor.reason = None


def to_draft(editor: EditorState, status: str | None = None) -> DraftRecord | None:
    """The journal record of the editor, or None when there is nothing to keep."""
    fields = {
        name: f.text
        for name, f in editor.fields.items()
        if (f.edited if not editor.is_new else f.text != "")
    }
    if not fields and not editor.attempts:
        return None
    base = editor.base
    return DraftRecord(
        key=editor.key,
        item_id=editor.item_id,
        dataset_id=editor.dataset_id,
        base=base_json(editor),
        base_updated_at=None if base is None else ItemSchema.token(base),
        fields=fields,
        status=status or ("not_saved" if editor.status == "not_saved" else editor.status),
        reason=editor.reason,
        attempts=editor.attempts,
        sent=dict(editor.sent),
        started_at=editor.started_at or _now(),
        updated_at=_now(),
    )


def base_json(editor: EditorState) -> dict[str, Any] | None:
    """The editor's base as JSON, made once per base: the same dict every time, which tells the
    journal that it holds it already (and spares a dump of megabytes per keystroke)."""
    base = editor.base
    if base is None:
        return None
    cached = editor.base_json
    if cached is None or cached[0] is not base:
        cached = (base, base.model_dump(mode="json"))
        editor.base_json = cached
    return cached[1]


def changed_values(editor: EditorState) -> dict[str, Any]:
    """The values of the fields that differ from the base: exactly what a save sends."""
    out: dict[str, Any] = {}
    for name, state in editor.fields.items():
        if state.changed and state.error is None:
            out[name] = parse_field(name, state.text)[0]
    return out


def all_values(editor: EditorState) -> dict[str, Any]:
    """Every field's value (for a create)."""
    return {name: parse_field(name, f.text)[0] for name, f in editor.fields.items()}


def rebase(editor: EditorState, base: AnyItem, keep: Mapping[str, str]) -> None:
    """Move the editor onto another version of its item; ``keep`` maps fields to texts that
    stay in the editor (the others take the new base's value)."""
    editor.base = base
    editor.dataset_id = str(base.dataset)
    editor.item_id = str(base.id)
    fields: dict[str, FieldState] = {}
    for name in schema_of(base).editable_fields:
        base_value = wire_value(base, name)
        state = _field(name, base_value)
        if name in keep:
            _update(state, keep[name], base_value)
        fields[name] = state
    editor.fields = fields
    editor.conflict = None


def explained(editor: EditorState, theirs: AnyItem) -> bool:
    """Whether every difference between the base and the server's version is our own unsent-
    or-unconfirmed save (``sent``), so that saving overwrites nobody else's edit."""
    base = editor.base
    assert base is not None
    for name in (*schema_of(base).editable_fields, "dataset"):
        now = wire_value(theirs, name)
        if same_value(name, now, wire_value(base, name)):
            continue
        if name in editor.sent and same_value(name, now, editor.sent[name]):
            continue
        return False
    return True


def build_conflict(editor: EditorState, theirs: AnyItem) -> ConflictState:
    """The conflict between the editor and the server's newer version ``theirs``."""
    base = editor.base
    assert base is not None
    fields: dict[str, ConflictField] = {}
    for name, state in editor.fields.items():
        base_value = wire_value(base, name)
        theirs_value = wire_value(theirs, name)
        mine_value, error = parse_field(name, state.text)
        mine_changed = state.changed
        if error is None and same_value(name, mine_value, theirs_value):
            continue
        fields[name] = ConflictField(
            name=name,
            base=base_value,
            mine=state.text if error else mine_value,
            theirs=theirs_value,
            mine_changed=mine_changed,
            theirs_changed=not same_value(name, theirs_value, base_value),
            choice="mine" if mine_changed else "theirs",
        )
    reason = "It was changed on the server after you started editing."
    if str(theirs.dataset) != str(base.dataset):
        reason = "It was moved to another dataset after you started editing."
    return ConflictState(theirs=theirs, fields=fields, reason=reason)


def apply_resolution(
    editor: EditorState, choice: Choice | Mapping[str, Choice]
) -> tuple[bool, list[str]]:
    """Rebase the editor onto the server's version, keeping the fields resolved as ``mine``.

    ``"mine"`` keeps every field you edited (fields you did not edit keep their value);
    ``"theirs"`` takes the server's version of everything; a mapping picks per field (fields
    it does not name take their default choice). Returns ``(anything_to_send, unknown_fields)``.
    """
    conflict = editor.conflict
    assert conflict is not None
    unknown: list[str] = []
    if isinstance(choice, str):
        picks: dict[str, Choice] = {
            name: (choice if f.mine_changed or choice == "theirs" else f.choice)
            for name, f in conflict.fields.items()
        }
    else:
        unknown = [name for name in choice if name not in conflict.fields]
        picks = {name: choice.get(name, f.choice) for name, f in conflict.fields.items()}
    keep = {name: editor.fields[name].text for name, pick in picks.items() if pick == "mine"}
    rebase(editor, conflict.theirs, keep)
    editor.sent = {}
    return any(f.changed for f in editor.fields.values()), unknown


def editor_diffs(editor: EditorState, context: int = 3) -> dict[str, FieldDiff]:
    """Per changed field, the diff from the base (pretty-printed JSON) to the draft."""
    out: dict[str, FieldDiff] = {}
    for name, state in editor.fields.items():
        if not state.changed:
            continue
        base_value = None if editor.base is None else wire_value(editor.base, name)
        out[name] = diff_draft(name, base_value, state.text, context)
    return out


def conflict_diffs(editor: EditorState, context: int = 3) -> dict[str, tuple[FieldDiff, FieldDiff]]:
    """Per conflicting field: (base to mine, base to theirs)."""
    if editor.conflict is None:
        return {}
    out: dict[str, tuple[FieldDiff, FieldDiff]] = {}
    for name, f in editor.conflict.fields.items():
        mine = diff_draft(name, f.base, editor.fields[name].text, context)
        theirs = diff_values(name, f.base, f.theirs, context)
        out[name] = (mine, theirs)
    return out
