"""A failure's notice keeps the exception behind it (`Notice.error`), and `collect_notices`
gives a front end the notices of the commands it awaited, in its own task only: what the
notebook panel's scripting methods raise."""

from __future__ import annotations

import asyncio

from explorer.api.errors import ApiError, Conflict, NotFound, ReadOnlyError
from explorer.model import ExplorerModel, Notice
from tests._emulator import RunningEmulator
from tests.model.conftest import Fields, MakeModel, edit_elsewhere, make_dataset, server_item

MISSING = "00000000-0000-4000-8000-000000000000"


def _failure(notices: list[Notice]) -> BaseException | None:
    return next((n.error for n in notices if n.error is not None), None)


async def test_a_server_failure_keeps_the_client_error(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    with model.collect_notices() as notices:
        await model.open_dataset(MISSING)
    assert [n.level for n in notices] == ["error"]
    assert isinstance(notices[0].error, NotFound)
    assert notices[0] is model.state.notice  # the notice the user sees carries it
    assert "Opening the dataset failed" in str(notices[0])


async def test_refusals_before_sending_are_value_errors(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server)
    with model.collect_notices() as notices:
        await model.next_page()  # no dataset open
        await model.delete_item()  # nothing selected
        await model.edit_field("input", "{}")  # nothing in the editor
        await model.sort_datasets("sideways")
    errors = [n.error for n in notices]
    assert all(isinstance(e, ValueError) and not isinstance(e, ApiError) for e in errors)
    assert [str(e).split(":")[0] for e in errors[:3]] == [
        "No dataset is open",
        "No item is selected",
        "Nothing is open in the editor",
    ]
    assert "Unknown sort order 'sideways'" in str(errors[3])


async def test_a_conflict_on_save_is_a_conflict_and_news_carries_no_error(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    model = await make_model(empty_server)
    dataset = make_dataset(empty_server, items=1)
    await model.open_dataset(str(dataset.id))
    item_id = str(model.state.page.items[0].id)
    await model.select(item_id)
    await model.edit_field("input", '{"n": "mine"}')
    edit_elsewhere(empty_server, item_id, input={"n": "theirs"})
    with model.collect_notices() as notices:
        await model.save()
    error = _failure(notices)
    assert isinstance(error, Conflict) and error.code == "stale_version"
    assert model.state.editor is not None and model.state.editor.status == "conflict"
    assert server_item(empty_server, item_id).input == {"n": "theirs"}
    # a save that worked: its notice is news, with no error
    await model.resolve_conflict("theirs")
    await model.edit_field("input", '{"n": "again"}')
    with model.collect_notices() as notices:
        await model.save()
    assert [n.level for n in notices] == ["info"] and _failure(notices) is None


async def test_a_read_only_refusal_is_a_read_only_error(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model = await make_model(empty_server, read_only=True)
    with model.collect_notices() as notices:
        await model.new_item(MISSING)
    assert isinstance(_failure(notices), ReadOnlyError)


async def test_only_the_notices_of_this_task_are_collected(
    empty_server: RunningEmulator, make_model: MakeModel
) -> None:
    model: ExplorerModel = await make_model(empty_server)
    elsewhere = asyncio.Event()

    async def a_click() -> None:  # another task (a click) fails meanwhile
        await model.open_dataset(MISSING)
        elsewhere.set()

    click = asyncio.create_task(a_click())  # made outside the block: its own context
    with model.collect_notices() as notices:
        await elsewhere.wait()
        await model.refresh_datasets()
    await click
    assert isinstance(model.state.notices[-1].error, NotFound)  # the click's, shown
    assert notices == []  # not this task's: a script's call does not fail for it
    with model.collect_notices() as outer, model.collect_notices() as inner:
        await model.next_page()
    assert outer == inner and len(inner) == 1  # nested collectors both see it
