"""A process edits an item and is killed with SIGKILL before saving; a new model on the same
journal offers the draft back intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from explorer.api.models import AnyItem
from explorer.model import ItemSchema
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    fields_of,
    make_dataset,
    server_item,
    sync_client,
)

INPUT_TEXT = '{\n  "question": "Où est ma commande ? 📦",\n  "turns": [1, 2, 3]\n}'
METADATA_TEXT = '{"half typed": [1, 2,'  # invalid JSON is a draft too

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys
    from explorer.api import AsyncClient
    from explorer.model import ExplorerModel, Journal

    async def main(url, key, journal_path, dataset_id, edits):
        async with AsyncClient(host=url, api_key=key, project_id=1) as client:
            model = ExplorerModel(client, Journal(journal_path))
            await model.start()
            await model.open_dataset(dataset_id)
            item_id = str(model.state.page.items[0].id)
            await model.select(item_id)
            for name, text in json.loads(edits).items():
                await model.edit_field(name, text)
            print("EDITED", item_id, flush=True)
            await asyncio.sleep(3600)

    asyncio.run(main(*sys.argv[1:]))
    """
)


ROOT = Path(__file__).resolve().parents[2]


def edit_then_kill(
    server: RunningEmulator, journal_path: Path, dataset_id: str, edits: dict[str, str]
) -> str:
    """Run the child until it has made its edits, SIGKILL it; the edited item's id."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            server.url,
            server.api_key,
            str(journal_path),
            dataset_id,
            json.dumps(edits),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while not line.startswith("EDITED") and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                raise AssertionError(f"child died: {child.stderr.read() if child.stderr else ''}")
        assert line.startswith("EDITED"), line
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
        return line.split()[1]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


async def test_a_killed_session_loses_no_edit(
    empty_server: RunningEmulator, make_model: MakeModel, journal_path: Path, F: Fields
) -> None:
    dataset = make_dataset(empty_server, items=2)
    # a plain-text field too: classic's ref_trace_id; a v2 item's links are fixed at create,
    # so there the answer (a JSON string) is the third field
    third = ("ref_trace_id", "trace-1") if F.classic else (F.answer, '"typed answer"')
    edits = {"input": INPUT_TEXT, "metadata": METADATA_TEXT, third[0]: third[1]}
    item_id = edit_then_kill(empty_server, journal_path, str(dataset.id), edits)

    model = await make_model(empty_server)
    [draft] = model.state.drafts
    assert draft.item_id == item_id and draft.fields == edits
    notice = model.state.notice
    assert notice is not None and "unsaved edit" in notice.message
    await model.open_draft(draft.key)
    editor = model.state.editor
    assert editor is not None and editor.item_id == item_id
    assert {name: editor.fields[name].text for name in edits} == edits
    assert editor.fields["metadata"].error is not None  # still invalid, as it was typed
    assert server_item(empty_server, item_id).input == {"n": 1}  # nothing was sent

    await model.edit_field("metadata", '{"half typed": [1, 2]}')
    await model.save()
    saved = server_item(empty_server, item_id)
    assert saved.input == json.loads(INPUT_TEXT)
    if F.classic:
        assert getattr(saved, "ref_trace_id", None) == "trace-1"
    else:
        assert F.answer_of(saved) == "typed answer"
    assert model.state.drafts == []


TYPING_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from explorer.api import AsyncClient
    from explorer.model import ExplorerModel, Journal

    async def main(url, key, journal_path, dataset_id):
        async with AsyncClient(host=url, api_key=key, project_id=1) as client:
            model = ExplorerModel(client, Journal(journal_path))
            await model.start()
            await model.open_dataset(dataset_id)
            item_id = str(model.state.page.items[0].id)
            await model.select(item_id)
            text = model.state.editor.fields["input"].text
            at = text.index('"long": "') + len('"long": "')
            for count in range(1, 10_000):
                # a key typed inside a string: valid JSON each time, as in real typing
                await model.edit_field("input", text[:at] + "k" * count + text[at:])
                print("TYPED", item_id, count, flush=True)
            await asyncio.sleep(3600)

    asyncio.run(main(*sys.argv[1:]))
    """
)


def type_then_kill(server: RunningEmulator, journal_path: Path) -> tuple[AnyItem, int]:
    """A child types into a big item's input; SIGKILL once it has confirmed 25 keys, while it
    is still typing. The item and the number of keys confirmed."""
    with sync_client(server) as client:
        dataset = client.datasets.create("typing-kill")
        item = client.items.create(
            dataset, **fields_of(server).item(input=BIG, answer="o", metadata={"m": 1})
        )
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            TYPING_CHILD,
            server.url,
            server.api_key,
            str(journal_path),
            str(dataset.id),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    confirmed = 0
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 120
        while confirmed < 25 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                raise AssertionError(f"child died: {child.stderr.read() if child.stderr else ''}")
            if line.startswith("TYPED"):
                confirmed = int(line.split()[2])
        assert confirmed >= 25
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return item, confirmed


# about 360 kB: big, and within v2's payload limit of 406,666 bytes an item
BIG = {"long": "x" * 300_000, "docs": [{"i": i, "t": "y" * 100} for i in range(500)]}


async def test_a_session_killed_while_typing_in_a_big_field_keeps_the_last_key(
    empty_server: RunningEmulator, make_model: MakeModel, journal_path: Path
) -> None:
    """Keystrokes write only the changed text (the base once), with synchronous=NORMAL: a
    SIGKILL in the middle of typing still finds every key the model confirmed, and a draft
    that is whole (one of the texts typed, on its base)."""
    item, confirmed = type_then_kill(empty_server, journal_path)
    model = await make_model(empty_server)
    [draft] = model.state.drafts
    assert draft.item_id == str(item.id) and set(draft.fields) == {"input"}
    typed = json.loads(draft.fields["input"])
    keys = len(typed["long"]) - 300_000
    assert typed["long"] == "k" * keys + "x" * 300_000 and keys >= confirmed
    assert typed["docs"] == BIG["docs"]
    assert draft.base is not None and draft.base["input"] == BIG
    assert draft.base_updated_at == ItemSchema.token(item)  # updated_at, or v2's version
    await model.open_draft(draft.key)
    editor = model.state.editor
    assert editor is not None and editor.fields["input"].changed
    assert editor.fields["input"].error is None
