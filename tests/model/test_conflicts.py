"""A second client edits the item between open and save: the model detects it, and each
resolution does what it says."""

from __future__ import annotations

from explorer.api.models import AnyItem
from explorer.model import ExplorerModel
from tests._emulator import RunningEmulator
from tests.model.conftest import Fields, MakeModel, edit_elsewhere, make_dataset, server_item


async def open_and_edit(model: ExplorerModel, server: RunningEmulator) -> tuple[str, AnyItem]:
    dataset = make_dataset(server, items=1)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field("input", '{"n": "mine"}')
    # The other client edits input (the same field) and the answer (one I did not touch).
    edit_elsewhere(server, item_id, input={"n": "theirs"}, answer="their output")
    await model.save()
    return item_id, server_item(server, item_id)


async def test_a_concurrent_edit_is_detected_and_nothing_is_overwritten(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(empty_server)
    item_id, on_server = await open_and_edit(model, empty_server)
    editor = model.state.editor
    assert editor is not None and editor.status == "conflict" and editor.conflict is not None
    assert on_server.input == {"n": "theirs"}  # not overwritten
    fields = editor.conflict.fields
    assert set(fields) == {"input", F.answer}
    assert (fields["input"].mine, fields["input"].theirs) == ({"n": "mine"}, {"n": "theirs"})
    assert fields["input"].choice == "mine" and fields[F.answer].choice == "theirs"
    assert fields[F.answer].theirs_changed and not fields[F.answer].mine_changed
    assert model.state.notice is not None and model.state.notice.level == "warning"
    draft = model.journal.get_draft(item_id)
    assert draft is not None and draft.status == "conflict"
    mine_diff, theirs_diff = model.conflict_diffs()["input"]
    assert '"mine"' in mine_diff.as_text() and '"theirs"' in theirs_diff.as_text()
    await model.save()  # refused until resolved
    assert "Resolve the conflict first" in model.state.notice.message  # type: ignore[union-attr]


async def test_keep_mine_overwrites_only_my_fields(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(empty_server)
    item_id, _ = await open_and_edit(model, empty_server)
    await model.resolve_conflict("mine")
    after = server_item(empty_server, item_id)
    assert after.input == {"n": "mine"}
    assert F.answer_of(after) == "their output"  # their edit of a field I did not touch stays
    assert model.state.editor.status == "saved"  # type: ignore[union-attr]
    assert model.journal.get_draft(item_id) is None


async def test_take_theirs_drops_my_draft_and_sends_nothing(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    item_id, before = await open_and_edit(model, empty_server)
    await model.resolve_conflict("theirs")
    after = server_item(empty_server, item_id)
    assert after.updated_at == before.updated_at and after.input == {"n": "theirs"}
    editor = model.state.editor
    assert editor is not None and editor.status == "clean" and not editor.dirty
    assert editor.fields["input"].text == '{\n  "n": "theirs"\n}'
    assert model.journal.get_draft(item_id) is None


async def test_pick_per_field(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(empty_server)
    item_id, _ = await open_and_edit(model, empty_server)
    # Keep their input, but put the answer back to what I had (the value before their edit).
    await model.resolve_conflict({"input": "theirs", F.answer: "mine"})
    after = server_item(empty_server, item_id)
    assert after.input == {"n": "theirs"} and F.answer_of(after) == "out 0"
    await model.resolve_conflict({"nope": "mine"})
    assert "no conflict" in model.state.notice.message.lower()  # type: ignore[union-attr]


async def test_a_resolution_checks_again(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    item_id, _ = await open_and_edit(model, empty_server)
    edit_elsewhere(empty_server, item_id, input={"n": "third"})
    await model.resolve_conflict("mine")
    editor = model.state.editor
    assert editor is not None and editor.status == "conflict"
    assert editor.conflict is not None and editor.conflict.theirs.input == {"n": "third"}
    assert server_item(empty_server, item_id).input == {"n": "third"}


async def test_undo_of_a_save_reverts_with_the_same_check(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=1)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field(F.answer, '"v2"')
    await model.save()
    assert model.state.undo_label == f"save item {item_id[-8:]}"
    await model.undo()
    assert F.answer_of(server_item(empty_server, item_id)) == "out 0"
    assert model.state.undo_label is None

    # Saved again, then someone else edits: the undo stops in a conflict instead.
    await model.edit_field(F.answer, '"v3"')
    await model.save()
    edit_elsewhere(empty_server, item_id, answer="theirs")
    await model.undo()
    editor = model.state.editor
    assert editor is not None and editor.status == "conflict"
    assert F.answer_of(server_item(empty_server, item_id)) == "theirs"
    await model.resolve_conflict("mine")
    assert F.answer_of(server_item(empty_server, item_id)) == "out 0"  # the value before "v3"
