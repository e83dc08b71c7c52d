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

from tests._emulator import RunningEmulator
from tests.model.conftest import MakeModel, make_dataset, server_item

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
    empty_server: RunningEmulator, make_model: MakeModel, journal_path: Path
) -> None:
    dataset = make_dataset(empty_server, items=2)
    edits = {"input": INPUT_TEXT, "metadata": METADATA_TEXT, "ref_trace_id": "trace-1"}
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
    assert saved.input == json.loads(INPUT_TEXT) and saved.ref_trace_id == "trace-1"
    assert model.state.drafts == []
